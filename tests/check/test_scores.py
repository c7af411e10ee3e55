"""The weakest link below each direct dependency, and scores from stored facts in a check."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from stockade.check.scores import DependencyScorer, weakest_below
from stockade.ecosystems.graph import DependencyGraph, Node, NodeKey
from stockade.ecosystems.interface import Ecosystem, PackageInfo, VersionInfo
from stockade.intel.findings import Finding, FindingKind, Severity
from stockade.intel.osv.source import PackageQuery
from stockade.scoring.facts import PackageFacts
from stockade.store.db import Database
from stockade.store.scores import ScoreStore

NOW = datetime(2026, 11, 1, tzinfo=UTC)


def graph_of(edges: dict[str, list[str]], direct: set[str]) -> DependencyGraph:
    graph = DependencyGraph()
    names = set(edges) | {c for children in edges.values() for c in children}
    for name in sorted(names):
        graph.add(Node(Ecosystem.NPM, name, "1.0.0", direct=name in direct))
    for parent, children in edges.items():
        for child in children:
            graph.add_edge(key(parent), key(child))
    return graph


def key(name: str) -> NodeKey:
    return (Ecosystem.NPM, name, "1.0.0")


def test_weakest_link_is_found_deep_and_cycles_end() -> None:
    # express-like tree: app -> express -> body-parser -> debug -> ms; a cycle debug <-> ms.
    graph = graph_of(
        {
            "express": ["body-parser", "cookie"],
            "body-parser": ["debug"],
            "debug": ["ms"],
            "ms": ["debug"],
            "left-pad": [],
        },
        direct={"express", "left-pad"},
    )
    scores: dict[NodeKey, float | None] = {
        key("express"): 9.5,
        key("body-parser"): 9.0,
        key("cookie"): None,  # not scored: ignored, not taken as 0
        key("debug"): 8.0,
        key("ms"): 3.5,
        key("left-pad"): 2.0,
    }
    found = weakest_below(graph, scores)
    assert found == {key("express"): (key("ms"), 3.5)}  # left-pad pulls nothing in


@pytest.fixture
def store(tmp_path: Path) -> Iterator[ScoreStore]:
    db = Database.open(f"sqlite:///{tmp_path / 'store.db'}")
    yield ScoreStore(db)
    db.close()


def stored(name: str) -> PackageFacts:
    versions = {
        f"1.{i}.0": VersionInfo(
            Ecosystem.NPM, name, f"1.{i}.0", released=NOW - timedelta(days=90 * (12 - i))
        )
        for i in range(12)
    }
    info = PackageInfo(
        Ecosystem.NPM,
        name,
        versions,
        latest="1.11.0",
        source_repository=f"https://github.com/acme/{name}",
        summary="A thing",
        license="MIT",
        keywords=("thing",),
        description=True,
        homepage=f"https://acme.test/{name}",
    )
    return PackageFacts(Ecosystem.NPM, name, "1.11.0", info, findings=(), as_of=NOW)


async def test_scores_use_this_checks_findings_not_stale_ones(store: ScoreStore) -> None:
    store.save_facts(stored("acme-widget"))
    query = PackageQuery(Ecosystem.NPM, "acme-widget", "1.11.0")
    missing = PackageQuery(Ecosystem.NPM, "never-seen", "1.0.0")
    scorer = DependencyScorer(store, now=NOW)
    clean = await scorer.scores([query, missing], {})
    assert missing not in clean  # no facts and no fetching: no score
    score = clean[query].score
    assert score is not None and score >= 7.0
    malicious = Finding(
        id="MAL-2025-0001",
        aliases=(),
        kind=FindingKind.MALICIOUS,
        summary="Malicious code in acme-widget (npm)",
        severity=Severity.CRITICAL,
    )
    judged = await scorer.scores([query], {query: [malicious]})
    assert judged[query].score == 0.0
    assert judged[query].flags[0] == "malicious"


async def test_accepted_findings_do_not_lower_a_score(store: ScoreStore) -> None:
    from dataclasses import replace

    from stockade.intel.findings import Ignore

    store.save_facts(stored("acme-widget"))
    query = PackageQuery(Ecosystem.NPM, "acme-widget", "1.11.0")
    scorer = DependencyScorer(store, now=NOW)
    vulnerability = Finding(
        id="GHSA-aaaa-bbbb-cccc",
        aliases=(),
        kind=FindingKind.VULNERABILITY,
        summary="Prototype pollution in acme-widget",
        severity=Severity.HIGH,
        fixed_versions=("1.12.0",),
    )
    clean = (await scorer.scores([query], {}))[query]
    active = (await scorer.scores([query], {query: [vulnerability]}))[query]
    accepted = replace(vulnerability, ignored=Ignore(vulnerability.id, "not reachable"))
    ignored = (await scorer.scores([query], {query: [accepted]}))[query]
    assert active.score is not None and clean.score is not None
    assert active.score < clean.score and "high-vulnerability" in active.flags
    assert ignored == clean
