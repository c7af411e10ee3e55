"""``stockade score`` and ``stockade ingest``: trust reports for people (tables) and machines
(JSON)."""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from contextlib import AsyncExitStack
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from stockade.ecosystems.interface import Ecosystem
from stockade.scoring.model import FlagLevel, TrustReport

if TYPE_CHECKING:
    from stockade.cli.wiring import Clients
    from stockade.scoring.interface import ScoreStore
    from stockade.scoring.service import Gatherer


def score_style(score: float | None) -> str:
    """The colour of a score: red below 4, yellow below 7, green above."""
    if score is None:
        return "dim"
    if score < 4.0:
        return "bold red"
    if score < 7.0:
        return "bold yellow"
    return "bold green"


def shown(score: float | None) -> str:
    """A score as printed (``-`` when unknown)."""
    return "-" if score is None else f"{score:.1f}"


def render_json(reports: Sequence[TrustReport]) -> str:
    """One JSON object for one report, a list for several."""
    data: Any = [r.to_json() for r in reports]
    if len(reports) == 1:
        data = data[0]
    return json.dumps(data, indent=2, sort_keys=False) + "\n"


def render_table(reports: Sequence[TrustReport], *, color: bool, width: int) -> str:
    """A detailed view of each report (a summary table first when there are several)."""
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=color, no_color=not color, width=width)
    if len(reports) > 1:
        summary = Table(title="Trust scores", title_justify="left")
        summary.add_column("Package", overflow="fold")
        summary.add_column("Score", justify="right")
        summary.add_column("Flags")
        summary.add_column("Top reason", overflow="fold")
        for report in reports:
            summary.add_row(
                escape(report.purl),
                f"[{score_style(report.score)}]{shown(report.score)}[/]",
                escape(", ".join(f.code for f in report.flags)),
                escape(report.reasons[0] if report.reasons else ""),
            )
        console.print(summary)
        console.print()
    for report in reports:
        _render_one(console, report)
    return buffer.getvalue()


def _render_one(console: Console, report: TrustReport) -> None:
    console.print(
        f"[bold]{escape(report.purl)}[/]  trust score "
        f"[{score_style(report.score)}]{shown(report.score)}[/] / 10"
    )
    for flag in report.flags:
        style = {"block": "bold white on red", "cap": "bold red", "warn": "yellow"}[flag.level]
        console.print(f"  [{style}]{flag.level.upper()}[/] {escape(flag.message)}")
    for problem in report.incomplete:
        console.print(f"  [dim]incomplete:[/] {escape(problem)}")
    table = Table(show_edge=False, pad_edge=False, box=None, padding=(0, 1))
    table.add_column("Component")
    table.add_column("Score", justify="right")
    table.add_column("Confidence")
    table.add_column("Evidence", overflow="fold")
    for component in report.components:
        table.add_row(
            component.name.value,
            f"[{score_style(component.score)}]{shown(component.score)}[/]",
            component.confidence.value if component.score is not None else "unknown",
            escape(component.summary),
        )
    console.print(table)
    if report.reasons:
        console.print("[bold]Why[/]")
        for reason in report.reasons:
            console.print(f"  - {escape(reason)}")
    if report.alternatives:
        console.print("[bold]Consider instead[/]")
        for alt in report.alternatives:
            console.print(f"  - {escape(alt.purl)} ({shown(alt.score)}): {escape(alt.why)}")
    console.print()


def exit_code(reports: Sequence[TrustReport], min_score: float | None) -> int:
    """2 when a package could not be scored (unknown, registry error); 1 for a known-malicious
    version or a score below ``min_score``; 0 otherwise."""
    if any(not r.known or r.score is None for r in reports):
        return 2
    if any(any(f.level is FlagLevel.BLOCK for f in r.flags) for r in reports):
        return 1
    if min_score is not None and any((r.score or 0.0) < min_score for r in reports):
        return 1
    return 0


def open_store() -> tuple[ScoreStore | None, str | None]:
    """The score store in Stockade's database, or ``None`` and why it cannot be used."""
    from stockade.errors import StockadeError
    from stockade.store.db import Database
    from stockade.store.scores import ScoreStore as SqlScoreStore

    try:
        return SqlScoreStore(Database.open()), None
    except StockadeError as exc:
        return None, str(exc)


async def make_gatherer(
    stack: AsyncExitStack,
    *,
    source: str,
    scan: bool,
    store: ScoreStore | None,
    executor: Any = None,
) -> tuple[Gatherer, Clients]:
    """A gatherer over lazily made clients (closed with ``stack``)."""
    from stockade.cli.wiring import Clients, vulnerability_sources
    from stockade.scoring.archives import ArchiveJudge
    from stockade.scoring.service import Gatherer

    clients = await stack.enter_async_context(Clients())
    archives = ArchiveJudge(clients.registry, clients.http(), executor=executor) if scan else None
    gatherer = Gatherer(
        registry_for=clients.registry,
        sources=vulnerability_sources(source, clients),
        archives=archives,
        store=store,
        http=clients.http(),
    )
    return gatherer, clients


async def score_targets(
    texts: Sequence[str],
    *,
    ecosystem: Ecosystem | None,
    source: str,
    scan: bool,
    store: ScoreStore | None,
    progress: Any,
) -> list[TrustReport]:
    """Gather, score and (with a store) keep the reports of the named packages."""
    import asyncio

    from stockade.scoring.interface import PackageKey
    from stockade.scoring.service import score_facts
    from stockade.scoring.validate import parse_target

    targets = [parse_target(text, ecosystem) for text in texts]
    now = datetime.now(UTC)
    async with AsyncExitStack() as stack:
        gatherer, _ = await make_gatherer(stack, source=source, scan=scan, store=store)
        progress.stage("Scoring", len(targets))

        async def one(target: Any) -> Any:
            facts = await gatherer.facts(target, now=now)
            progress.advance()
            return facts

        all_facts = await asyncio.gather(*(one(t) for t in targets))
    reports: list[TrustReport] = []
    for facts in all_facts:
        if store is not None and facts.version is not None and facts.package is not None:
            store.save_facts(facts)
        report = score_facts(facts, store=store, now=now)
        if store is not None and facts.version is not None and facts.package is not None:
            key = PackageKey(facts.ecosystem.value, facts.name, facts.version)
            store.save_report(key, report.score, report.to_json(), now)
        reports.append(report)
    return reports
