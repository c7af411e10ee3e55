# Stockade: `make run` sets up and runs the main job; `make test` runs lint, types and tests.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
SHARED ?= ../shared/data
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck pytest bench bench-scan bench-score bench-provenance clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

# The main job: audit the example projects. Imports the OSV data in ../shared when present
# (idempotent), so that the report shows real findings; --scores adds every dependency's trust
# score (registry metadata is fetched once, then kept in the store).
run: $(STAMP)
	@if [ -d "$(SHARED)/osv" ]; then $(BIN)/stockade db import "$(SHARED)/osv/pysec/vulns" "$(SHARED)/osv/malicious"; fi
	$(BIN)/stockade check examples --fail-on none --scores

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	$(BIN)/pytest -q

test: lint typecheck pytest

bench: $(STAMP)
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache

# Archive analysis quality and speed on real packages (live downloads; not part of `make test`).
bench-scan: $(STAMP)
	$(BIN)/python -m benchmarks.scan

# Trust scores of 1,000 PyPI and 500 npm popular packages (live registry metadata), scoring
# speed from the store, and typosquatting recall / false flags. Writes benchmarks/results/.
bench-score: $(STAMP)
	$(BIN)/python -m benchmarks.names
	$(BIN)/python -m benchmarks.score

# Bundle verifications per second; log appends per second and proof times at 1,000,000 entries.
bench-provenance: $(STAMP)
	$(BIN)/python -m benchmarks.provenance_verify
	$(BIN)/python -m benchmarks.provenance_log
