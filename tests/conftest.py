"""Shared test configuration: offline by default, ``live`` tests only with STOCKADE_LIVE=1."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED_DATA = Path(os.environ.get("STOCKADE_SHARED_DATA", REPO.parent / "shared" / "data"))
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if os.environ.get("STOCKADE_LIVE") == "1":
        return
    skip = pytest.mark.skip(reason="reaches live registries: set STOCKADE_LIVE=1 to run")
    for item in items:
        if "live" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def shared_data() -> Path:
    """The shared real-world data folder; skips the test when it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"shared data folder not found at {SHARED_DATA} (set STOCKADE_SHARED_DATA)")
    return SHARED_DATA


@pytest.fixture(autouse=True)
def _isolated_dirs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Keep every test's data and cache folders away from the user's."""
    base = tmp_path_factory.mktemp("stockade-home")
    saved = {k: os.environ.get(k) for k in ("STOCKADE_DATA_DIR", "STOCKADE_CACHE_DIR")}
    os.environ["STOCKADE_DATA_DIR"] = str(base / "data")
    os.environ["STOCKADE_CACHE_DIR"] = str(base / "cache")
    yield
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
