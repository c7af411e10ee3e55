"""Gathering facts (registry, intel, archive, store) and scoring them, over recorded responses."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from stockade.ecosystems.interface import Ecosystem, Registry
from stockade.ecosystems.npm.registry import NpmRegistry
from stockade.ecosystems.pypi.registry import PyPIRegistry
from stockade.ecosystems.registries import NpmConfig
from stockade.errors import OSVError
from stockade.http import HttpClient
from stockade.intel.osv.loader import load_record
from stockade.intel.osv.models import Vulnerability
from stockade.intel.osv.source import PackageQuery
from stockade.scoring.facts import ArchiveSummary, PackageFacts
from stockade.scoring.interface import PackageKey
from stockade.scoring.model import ComponentName
from stockade.scoring.service import Gatherer, score_facts
from stockade.scoring.validate import Target
from stockade.store.db import Database
from stockade.store.scores import ScoreStore
from tests.ecosystems.registry_fixtures import Server, load

NOW = datetime(2026, 11, 1, tzinfo=UTC)
SCORING = Path(__file__).resolve().parents[1] / "fixtures" / "scoring"
PROVENANCE = "https://pypi.test/integrity/sigstore/4.5.1/sigstore-4.5.1-py3-none-any.whl/provenance"


def routes() -> dict[str, object]:
    return {
        "https://pypi.test/pypi/sigstore/json": load("pypi/sigstore.json"),
        "https://pypi.test/simple/sigstore/": load("pypi/sigstore-simple.json"),
        PROVENANCE: load("pypi/sigstore-4.5.1-provenance.json"),
        "https://pypi.test/pypi/requests/json": load("pypi/requests.json"),
        "https://pypi.test/pypi/coloama/json": json.loads(
            (SCORING / "coloama.json").read_text(encoding="utf-8")
        ),
        "https://pypi.test/pypi/broken/json": httpx.Response(500),
        "https://npm.test/express": load("npm/express.json"),
    }


class Source:
    """A vulnerability source over records held in memory."""

    name = "test records"

    def __init__(self, records: Sequence[Vulnerability], *, up: bool = True) -> None:
        self.records = list(records)
        self.up = up
        self.asked: list[PackageQuery] = []

    async def available(self) -> bool:
        return self.up

    async def query(
        self, packages: Sequence[PackageQuery]
    ) -> Mapping[PackageQuery, list[Vulnerability]]:
        self.asked.extend(packages)
        if not self.up:
            raise OSVError("down")
        return {q: list(self.records) for q in packages}


class Judge:
    """An archive judge answering from a table (the real one downloads)."""

    def __init__(self, verdicts: Mapping[str, ArchiveSummary | None]) -> None:
        self.verdicts = verdicts

    async def judge(self, purl: str) -> tuple[ArchiveSummary | None, str | None]:
        found = self.verdicts.get(purl)
        return found, None if found else "archive not scanned: no files"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[ScoreStore]:
    db = Database.open(f"sqlite:///{tmp_path / 'store.db'}")
    yield ScoreStore(db)
    db.close()


@pytest.fixture
async def registries(tmp_path: Path) -> object:
    server = Server(routes())
    async with HttpClient(
        cache_dir=tmp_path / "cache", transport=httpx.MockTransport(server), retries=0
    ) as http:
        pypi = PyPIRegistry(http, base_url="https://pypi.test/simple/")
        npm = NpmRegistry(http, base_url="https://npm.test/", config=NpmConfig())
        by_eco: dict[Ecosystem, Registry] = {Ecosystem.PYPI: pypi, Ecosystem.NPM: npm}
        yield by_eco.__getitem__


def malicious_record() -> Vulnerability:
    data = json.loads((SCORING / "MAL-2023-1689.json").read_text(encoding="utf-8"))
    return load_record(data, path="MAL-2023-1689.json")


async def test_facts_of_a_release_with_pep740_provenance(registries, store: ScoreStore) -> None:
    gatherer = Gatherer(registry_for=registries, sources=[Source([])], store=store)
    facts = await gatherer.facts(Target(Ecosystem.PYPI, "sigstore", None, "sigstore"), now=NOW)
    assert facts.version == "4.5.1" and facts.problems == ()
    assert facts.findings == ()
    info = facts.info
    assert info is not None and info.provenance
    assert info.provenance[0].source_repository == "https://github.com/sigstore/sigstore-python"
    assert facts.same_origin is not None and facts.same_origin.others == ()
    assert facts.popularity is not None  # sigstore is among the popular PyPI projects
    report = score_facts(facts, store=store, now=NOW)
    provenance = report.component(ComponentName.PROVENANCE)
    assert provenance is not None and provenance.score == 8.0
    assert report.score is not None and report.score >= 7.0
    assert len(report.components) == 7


async def test_problems_are_reported_not_raised(registries) -> None:
    down = Source([], up=False)
    gatherer = Gatherer(registry_for=registries, sources=[down])
    facts = await gatherer.facts(Target(Ecosystem.PYPI, "requests", "9.9.9", "requests"))
    assert facts.package is None
    assert facts.problems == ("the PyPI registry has no version 9.9.9 of 'requests'",)
    facts = await gatherer.facts(Target(Ecosystem.PYPI, "broken", None, "broken"))
    assert facts.problems[0].startswith("registry error:")
    facts = await gatherer.facts(Target(Ecosystem.PYPI, "nosuch", None, "nosuch"))
    assert facts.problems == ("the PyPI registry does not know 'nosuch'",)
    facts = await gatherer.facts(Target(Ecosystem.PYPI, "requests", None, "requests"))
    assert facts.findings is None
    assert facts.problems == ("no vulnerability source answered (test records: not available)",)
    report = score_facts(facts, now=NOW)
    assert report.component(ComponentName.VULNERABILITIES).score is None  # type: ignore[union-attr]
    assert report.incomplete == facts.problems
    assert report.score is not None


async def test_malicious_record_and_archive_verdict(registries, store: ScoreStore) -> None:
    record = malicious_record()
    verdict = ArchiveSummary("malicious", 9.1, ("setup.py downloads and runs a payload",))
    gatherer = Gatherer(
        registry_for=registries,
        sources=[Source([record])],
        archives=Judge({"pkg:pypi/coloama@0.4.6": verdict}),  # type: ignore[arg-type]
        store=store,
    )
    facts = await gatherer.facts(Target(Ecosystem.PYPI, "coloama", None, "coloama"), now=NOW)
    assert [f.id for f in facts.findings or ()] == ["MAL-2023-1689"]
    assert facts.archive == verdict
    report = score_facts(facts, store=store, now=NOW)
    assert report.score == 0.0
    assert [f.code for f in report.flags][:2] == ["malicious", "malicious-archive"]
    assert "typosquat" in [f.code for f in report.flags]
    assert report.alternatives[0].name == "colorama"


async def test_npm_version_and_stored_roundtrip(registries, store: ScoreStore) -> None:
    gatherer = Gatherer(registry_for=registries, sources=[Source([])], store=store)
    facts = await gatherer.facts(Target(Ecosystem.NPM, "express", "4.21.2", "express"), now=NOW)
    assert facts.version == "4.21.2"
    store.save_facts(facts)
    again = store.load_facts(PackageKey("npm", "express", "4.21.2"))
    assert again is not None
    assert score_facts(again, now=NOW).to_json() == score_facts(facts, now=NOW).to_json()
    assert PackageFacts.from_json(facts.to_json()) == facts.trimmed()
