"""Stored facts (compact history), bulk ingest with its journal, and rescoring that learns."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from stockade.ecosystems.interface import Ecosystem, PackageInfo, ProvenanceRef, VersionInfo
from stockade.errors import InputError
from stockade.scoring.facts import PackageFacts
from stockade.scoring.ingest import Journal, gather_all, read_targets, rescore
from stockade.scoring.interface import PackageKey
from stockade.scoring.model import ComponentName
from stockade.scoring.validate import Target
from stockade.store.db import Database
from stockade.store.scores import ScoreStore

NOW = datetime(2026, 11, 1, tzinfo=UTC)


def package(name: str, repository: str, versions: int = 12) -> PackageInfo:
    """A PyPI project released every two months, the last with PEP 740 provenance."""
    infos: dict[str, VersionInfo] = {}
    for i in range(versions):
        number = f"1.{i}.0"
        infos[number] = VersionInfo(
            Ecosystem.PYPI,
            name,
            number,
            released=NOW - timedelta(days=60 * (versions - i)),
            provenance=(
                (ProvenanceRef("pep740", url=f"https://pypi.test/integrity/{name}/{number}"),)
                if i >= versions - 3
                else ()
            ),
            yanked=i == 3,
            yanked_reason="broken wheel" if i == 3 else None,
        )
    latest = f"1.{versions - 1}.0"
    return PackageInfo(
        Ecosystem.PYPI,
        name,
        infos,
        latest=latest,
        source_repository=repository,
        summary=f"{name} does things",
        license="MIT",
        keywords=("http", "client"),
    )


def facts_of(info: PackageInfo) -> PackageFacts:
    return PackageFacts(
        Ecosystem.PYPI, info.name, info.latest, info, findings=(), popularity=None, as_of=NOW
    )


def test_stored_form_is_compact_and_round_trips() -> None:
    facts = facts_of(package("acme-http", "https://github.com/acme/acme-http"))
    data = facts.to_json()
    assert len(data["history"]) == 11 and data["order"][0] == "1.0.0"
    assert json.loads(json.dumps(data)) == data
    back = PackageFacts.from_json(data)
    assert back == facts.trimmed()
    assert back.package is not None
    assert list(back.package.versions) == list(facts.package.versions)  # type: ignore[union-attr]
    assert back.package.versions["1.3.0"].yanked_reason == "broken wheel"
    assert back.package.versions["1.10.0"].provenance == (ProvenanceRef("pep740"),)
    assert back.package.versions["1.11.0"].provenance == facts.info.provenance  # type: ignore[union-attr]


def test_malformed_stored_facts_are_errors_not_guesses() -> None:
    data = facts_of(package("acme-http", "https://github.com/acme/acme-http")).to_json()
    data["history"][0] = ["1.0.0", "yesterday"]
    with pytest.raises(ValueError, match="history row"):
        PackageFacts.from_json(data)


def test_read_targets_names_file_and_line(tmp_path: Path) -> None:
    listing = tmp_path / "list.txt"
    listing.write_text("requests  # the HTTP one\n\npkg:npm/express@4.21.2\n@types/node\n")
    targets = read_targets(listing, Ecosystem.PYPI)
    assert [(t.ecosystem, t.name, t.version) for t in targets] == [
        (Ecosystem.PYPI, "requests", None),
        (Ecosystem.NPM, "express", "4.21.2"),
        (Ecosystem.NPM, "@types/node", None),
    ]
    listing.write_text("requests\n-bad-\n")
    with pytest.raises(InputError) as info:
        read_targets(listing, Ecosystem.PYPI)
    assert str(info.value).startswith(f"{listing}:2:")
    with pytest.raises(InputError, match="cannot read"):
        read_targets(tmp_path / "missing.txt", Ecosystem.PYPI)


def test_journal_survives_a_cut_line(tmp_path: Path) -> None:
    targets = [Target(Ecosystem.PYPI, "a", None, "a"), Target(Ecosystem.PYPI, "b", None, "b")]
    journal = Journal.for_job(tmp_path, targets, fresh=False)
    journal.record(targets[0], {"status": "done", "key": ["PyPI", "a", "1.0"]})
    with journal.path.open("a") as handle:
        handle.write('{"target": "PyPI/b@", "sta')  # interrupted mid-write
    again = Journal.for_job(tmp_path, targets, fresh=False)
    assert set(again.done) == {"PyPI/a@"}
    assert Journal.for_job(tmp_path, targets, fresh=True).done == {}
    other = Journal.for_job(tmp_path, targets[:1], fresh=False)
    assert other.path != journal.path


class FakeGatherer:
    """Serves facts from a table; raises for one name, says unknown for another."""

    def __init__(self, known: dict[str, PackageInfo]) -> None:
        self.known = known
        self.asked: list[str] = []

    async def facts(self, target: Target, *, now: datetime | None = None) -> PackageFacts:
        self.asked.append(target.name)
        if target.name == "explodes":
            raise RuntimeError("odd metadata")
        info = self.known.get(target.name)
        if info is None:
            return PackageFacts(
                Ecosystem.PYPI, target.name, None, None, problems=("unknown",), as_of=NOW
            )
        return facts_of(info)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[ScoreStore]:
    db = Database.open(f"sqlite:///{tmp_path / 'store.db'}")
    yield ScoreStore(db)
    db.close()


async def test_ingest_resumes_and_rescoring_learns_same_origin(
    tmp_path: Path, store: ScoreStore
) -> None:
    shared = "https://github.com/acme/acme-http"
    known = {
        "acme-http": package("acme-http", shared),
        "cheap-http-fork": package("cheap-http-fork", shared, versions=2),
    }
    targets = [
        Target(Ecosystem.PYPI, n, None, n)
        for n in ("acme-http", "cheap-http-fork", "nosuch", "explodes")
    ]
    gatherer = FakeGatherer(known)
    journal = Journal.for_job(tmp_path / "journal", targets, fresh=False)
    stats = await gather_all(targets, gatherer, store, journal)  # type: ignore[arg-type]
    assert (stats.scored, stats.unknown, stats.failed) == (2, 1, 1)
    assert stats.errors == ["explodes: RuntimeError: odd metadata"]

    # A second run retries only what failed.
    gatherer.asked.clear()
    journal = Journal.for_job(tmp_path / "journal", targets, fresh=False)
    stats = await gather_all(targets, gatherer, store, journal)  # type: ignore[arg-type]
    assert gatherer.asked == ["explodes"]
    assert stats.skipped == 3 and len(stats.keys) == 2

    reports = rescore(stats.keys, store, now=NOW)
    by_name = {r.name: r for r in reports}
    origin = by_name["cheap-http-fork"].component(ComponentName.ORIGIN)
    assert origin is not None
    evidence = " ".join(e.message for e in origin.evidence)
    assert "acme-http" in evidence  # learnt from the other package of the batch
    stored = store.load_report(PackageKey("PyPI", "cheap-http-fork", "1.1.0"))
    assert stored is not None and stored.score == by_name["cheap-http-fork"].score
    assert stored.report["package"] == "pkg:pypi/cheap-http-fork@1.1.0"


async def test_low_scores_suggest_well_scored_packages_sharing_keywords(
    store: ScoreStore,
) -> None:
    from dataclasses import replace

    from stockade.intel.findings import Finding, FindingKind, Severity
    from stockade.scoring.service import score_facts

    good = facts_of(package("acme-http", "https://github.com/acme/acme-http"))
    store.save_facts(good)
    rescore([PackageKey("PyPI", "acme-http", "1.11.0")], store, now=NOW)
    bad = facts_of(package("quick-http-client", "https://github.com/quick/quick-http-client"))
    bad = replace(
        bad,
        findings=(
            Finding(
                id="MAL-2024-9999",
                aliases=(),
                kind=FindingKind.MALICIOUS,
                summary="Malicious code in quick-http-client (PyPI)",
                severity=Severity.CRITICAL,
            ),
        ),
    )
    report = score_facts(bad, store=store, now=NOW)
    assert report.score == 0.0
    assert [a.name for a in report.alternatives] == ["acme-http"]
    assert report.alternatives[0].why == "scores 9.4 and shares http, client"
    assert score_facts(good, store=store, now=NOW).alternatives == ()
