"""Trust scores of a project's dependencies, for ``stockade check``.

Scores come from the facts the store holds (fast, offline), rescored with the findings this
check has just made; packages without stored facts are fetched from their registries only when
the user asks for scores (``--scores`` or ``--min-score``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from stockade.ecosystems.graph import DependencyGraph, NodeKey
from stockade.intel.findings import Finding
from stockade.intel.osv.source import PackageQuery
from stockade.scoring.facts import PackageFacts
from stockade.scoring.interface import PackageKey, ScoreStore
from stockade.scoring.service import Gatherer, refresh_same_origin, score_facts
from stockade.scoring.validate import Target


@dataclass(frozen=True, slots=True)
class ScoreInfo:
    """A dependency's trust score as the check shows it."""

    score: float | None
    flags: tuple[str, ...] = ()
    reason: str | None = None
    """The top reason, one sentence."""


class DependencyScorer:
    """Scores dependency versions from stored facts, fetching missing ones when allowed."""

    def __init__(
        self,
        store: ScoreStore | None,
        gatherer: Gatherer | None = None,
        *,
        concurrency: int = 8,
        now: datetime | None = None,
    ) -> None:
        self._store = store
        self._gatherer = gatherer
        self._concurrency = concurrency
        self._now = now or datetime.now(UTC)

    async def scores(
        self,
        queries: Sequence[PackageQuery],
        findings: Mapping[PackageQuery, Sequence[Finding]],
    ) -> dict[PackageQuery, ScoreInfo]:
        """The score of each version that has (or, when fetching is allowed, gets) facts."""
        out: dict[PackageQuery, ScoreInfo] = {}
        if self._store is not None:
            by_key = {PackageKey(q.ecosystem.value, q.name, q.version): q for q in queries}
            for key, facts in self._store.load_many(by_key):
                query = by_key[key]
                out[query] = self._score(facts, findings.get(query, ()))
        missing = [q for q in queries if q not in out]
        if missing and self._gatherer is not None:
            gate = asyncio.Semaphore(self._concurrency)
            gatherer = self._gatherer

            async def one(query: PackageQuery) -> None:
                target = Target(query.ecosystem, query.name, query.version, query.name)
                async with gate:
                    facts = await gatherer.facts(target, now=self._now)
                if facts.package is None or facts.version is None:
                    out[query] = ScoreInfo(
                        None, reason=facts.problems[0] if facts.problems else None
                    )
                    return
                if self._store is not None:
                    self._store.save_facts(facts)
                out[query] = self._score(facts, findings.get(query, ()))

            await asyncio.gather(*(one(q) for q in missing))
        return out

    def _score(self, facts: PackageFacts, findings: Sequence[Finding]) -> ScoreInfo:
        facts = replace(facts, findings=tuple(findings), as_of=self._now)
        if self._store is not None:
            facts = refresh_same_origin(facts, self._store)
        report = score_facts(facts, store=None, now=self._now)
        return ScoreInfo(
            score=report.score,
            flags=tuple(f.code for f in report.flags),
            reason=report.reasons[0] if report.reasons else None,
        )


def weakest_below(
    graph: DependencyGraph, scores: Mapping[NodeKey, float | None]
) -> dict[NodeKey, tuple[NodeKey, float]]:
    """For each direct dependency, the lowest-scored package among everything it pulls in."""
    found: dict[NodeKey, tuple[NodeKey, float]] = {}
    for node in graph.direct():
        seen: set[NodeKey] = {node.key}
        stack = list(graph.children(node.key))
        worst: tuple[NodeKey, float] | None = None
        while stack:
            key = stack.pop()
            if key in seen:
                continue
            seen.add(key)
            score = scores.get(key)
            if score is not None and (worst is None or score < worst[1]):
                worst = (key, score)
            stack.extend(graph.children(key))
        if worst is not None:
            found[node.key] = worst
    return found
