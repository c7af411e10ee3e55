"""Bulk scoring: many packages in parallel, resumable, learning as it goes.

Phase 1 gathers each package's facts (registry, intel, archive) concurrently and stores them,
writing each outcome to a journal file as it completes; an interrupted run started again with
the same input skips what its journal says is done. Phase 2 rescores every ingested version
from the stored facts, with the same-origin index as it stands after the whole batch, so that
what one package taught (a repository another package also claims) reaches the others.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from stockade.ecosystems.interface import Ecosystem
from stockade.errors import InputError, StockadeError
from stockade.scoring.facts import PackageFacts, SameOrigin
from stockade.scoring.interface import PackageKey, ScoreStore
from stockade.scoring.model import TrustReport
from stockade.scoring.service import Gatherer, refresh_same_origin, score_facts
from stockade.scoring.validate import Target, parse_target


def read_targets(path: Path, default: Ecosystem | None) -> list[Target]:
    """Targets from a file: one purl or ``NAME[@VERSION]`` per line; ``#`` starts a comment.

    Raises :class:`~stockade.errors.InputError` naming the file and line of a bad entry.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the list: {exc}", path=path) from None
    targets: list[Target] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip() if not raw.lstrip().startswith("pkg:") else raw.strip()
        if not line:
            continue
        try:
            targets.append(parse_target(line, default))
        except StockadeError as exc:
            raise InputError(str(exc), path=path, line=number) from None
    return targets


def top_targets(ecosystems: Sequence[Ecosystem], count: int) -> list[Target]:
    """The ``count`` most popular packages of each ecosystem (latest versions)."""
    from stockade.scoring.names.popular import popular_names

    found: list[Target] = []
    for ecosystem in ecosystems:
        for name in list(popular_names(ecosystem))[:count]:
            found.append(Target(ecosystem, name, None, name))
    return found


@dataclass
class Journal:
    """What an ingest job has done, one JSON line per package, appended as it goes."""

    path: Path
    done: dict[str, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def for_job(cls, folder: Path, targets: Sequence[Target], *, fresh: bool) -> Journal:
        """The journal of the job that ingests ``targets`` (same list, same journal)."""
        digest = hashlib.sha256(
            "\n".join(f"{t.ecosystem.value}\t{t.name}\t{t.version or ''}" for t in targets).encode()
        ).hexdigest()[:16]
        folder.mkdir(parents=True, exist_ok=True)
        journal = cls(folder / f"{digest}.jsonl")
        if fresh:
            journal.path.unlink(missing_ok=True)
        elif journal.path.exists():
            for line in journal.path.read_text(encoding="utf-8").splitlines():
                try:
                    entry = json.loads(line)
                except json.JSONDecodeError:
                    continue  # a line cut short by an interruption: that package is redone
                if isinstance(entry, dict) and isinstance(entry.get("target"), str):
                    journal.done[entry["target"]] = entry
        return journal

    @staticmethod
    def label(target: Target) -> str:
        """The journal's key of a target."""
        return f"{target.ecosystem.value}/{target.name}@{target.version or ''}"

    def record(self, target: Target, entry: dict[str, Any]) -> None:
        """Append one outcome (flushed, so an interruption loses at most this line)."""
        entry = {"target": self.label(target), **entry}
        self.done[entry["target"]] = entry
        with self.path.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(entry, sort_keys=True) + "\n")
            handle.flush()
            os.fsync(handle.fileno())


@dataclass
class IngestStats:
    """What an ingest run did."""

    total: int = 0
    skipped: int = 0
    """Already done by an earlier run of the same job."""
    scored: int = 0
    unknown: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)
    keys: list[PackageKey] = field(default_factory=list)
    """Every version the job has facts for (this run's and earlier runs')."""


async def gather_all(
    targets: Sequence[Target],
    gatherer: Gatherer,
    store: ScoreStore,
    journal: Journal,
    *,
    concurrency: int = 8,
    on_done: Callable[[], None] | None = None,
) -> IngestStats:
    """Phase 1: facts of every target not yet done, stored and journalled."""
    stats = IngestStats(total=len(targets))
    pending: list[Target] = []
    for target in targets:
        entry = journal.done.get(journal.label(target))
        if entry is None:
            pending.append(target)
            continue
        stats.skipped += 1
        if entry.get("key"):
            stats.keys.append(PackageKey(*entry["key"]))
    gate = asyncio.Semaphore(max(1, concurrency))

    async def one(target: Target) -> None:
        async with gate:
            try:
                facts = await gatherer.facts(target)
            except Exception as exc:  # one package's odd metadata must not stop the batch
                stats.failed += 1
                stats.errors.append(f"{target.given}: {type(exc).__name__}: {exc}")
                if on_done is not None:
                    on_done()
                return
        if facts.version is None or facts.package is None:
            problem = facts.problems[0] if facts.problems else "unknown package"
            if "registry error" in problem:
                stats.failed += 1
                stats.errors.append(f"{target.given}: {problem}")
                # not journalled: a registry error is retried by the next run
            else:
                stats.unknown += 1
                journal.record(target, {"status": "unknown", "detail": problem})
        else:
            store.save_facts(facts)
            key = PackageKey(facts.ecosystem.value, facts.name, facts.version)
            stats.keys.append(key)
            stats.scored += 1
            journal.record(
                target, {"status": "done", "key": [key.ecosystem, key.name, key.version]}
            )
        if on_done is not None:
            on_done()

    await asyncio.gather(*(one(t) for t in pending))
    return stats


def rescore(
    keys: Iterable[PackageKey],
    store: ScoreStore,
    *,
    now: datetime | None = None,
    on_done: Callable[[], None] | None = None,
    batch: int = 250,
) -> list[TrustReport]:
    """Phase 2: the reports of stored versions, with the same-origin index as it is now.

    Works in batches: facts, same-origin answers and reports each cost a few queries per
    batch, not per version."""
    now = now or datetime.now(UTC)
    reports: list[TrustReport] = []
    pending = list(keys)
    for start in range(0, len(pending), batch):
        loaded = [facts for _, facts in store.load_many(pending[start : start + batch])]
        origins, indexed = store.same_origin_many(
            (f.ecosystem.value, f.name, f.package.source_repository)
            for f in loaded
            if f.package is not None and f.package.source_repository
        )
        done: list[tuple[PackageKey, float | None, dict[str, Any]]] = []
        for stored in loaded:
            facts = with_origin(stored, origins, indexed)
            report = score_facts(facts, store=store, now=now)
            reports.append(report)
            if facts.version is not None:
                key = PackageKey(facts.ecosystem.value, facts.name, facts.version)
                done.append((key, report.score, report.to_json()))
            if on_done is not None:
                on_done()
        store.save_reports(done, now)
    return reports


def with_origin(
    facts: PackageFacts, origins: dict[tuple[str, str], list[str]], indexed: int
) -> PackageFacts:
    """The facts with the same-origin answer of a :meth:`ScoreStore.same_origin_many` call."""
    package = facts.package
    if package is None or not package.source_repository:
        return facts
    others = origins.get((facts.ecosystem.value, facts.name), [])
    return replace(
        facts,
        same_origin=SameOrigin(
            repository=package.source_repository, others=tuple(others), indexed=indexed
        ),
    )


def rescore_one(facts: PackageFacts, store: ScoreStore, *, now: datetime) -> TrustReport:
    """Score one version from its stored facts and store the report."""
    facts = refresh_same_origin(facts, store)
    report = score_facts(facts, store=store, now=now)
    if facts.version is not None:
        key = PackageKey(facts.ecosystem.value, facts.name, facts.version)
        store.save_report(key, report.score, report.to_json(), now)
    return report
