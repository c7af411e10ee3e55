"""``stockade scan``: judge package archives (files or purls) without running them."""

from __future__ import annotations

import asyncio
import io
import json
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from stockade.analysis.model import ScanResult, Severity, Verdict
from stockade.analysis.scanner import ScanJob, error_result, scan_many
from stockade.analysis.suppress import Suppression
from stockade.errors import StockadeError

_VERDICT_STYLE = {
    Verdict.BENIGN: "bold green",
    Verdict.SUSPICIOUS: "bold yellow",
    Verdict.MALICIOUS: "bold white on red",
}
_SEVERITY_STYLE = {
    Severity.INFO: "dim",
    Severity.LOW: "cyan",
    Severity.MEDIUM: "yellow",
    Severity.HIGH: "red",
    Severity.CRITICAL: "bold red",
}
_RANK = {Verdict.BENIGN: 0, Verdict.SUSPICIOUS: 1, Verdict.MALICIOUS: 2}


def run_scan(
    targets: Sequence[str],
    *,
    workers: int | None,
    suppressions: Sequence[Suppression],
    which: str,
    progress: Any,
) -> list[ScanResult]:
    """Fetch purls, then scan every archive (in parallel across processes)."""
    with tempfile.TemporaryDirectory(prefix="stockade-scan-") as tmp:
        # In the order given: a job to scan, or the result of a purl that could not be fetched.
        entries: list[ScanJob | ScanResult] = []
        for target in targets:
            if target.startswith("pkg:"):
                try:
                    entries.extend(asyncio.run(_fetch(target, Path(tmp), which)))
                except StockadeError as exc:
                    entries.append(error_result(target, str(exc)))
                continue
            path = Path(target)
            if not path.is_file():
                raise StockadeError(f"{target}: no such file (give an archive path or a purl)")
            entries.append(ScanJob(path=path, target=target))
        jobs = [e for e in entries if isinstance(e, ScanJob)]
        progress.stage("Scanning", len(jobs))
        done = iter(
            scan_many(
                jobs,
                workers=workers,
                suppressions=suppressions,
                progress=lambda _r: progress.advance(),
            )
        )
    return [next(done) if isinstance(e, ScanJob) else e for e in entries]


async def _fetch(purl: str, dest: Path, which: str) -> list[ScanJob]:
    from stockade.analysis.fetch import fetch_purl
    from stockade.cli.wiring import Clients

    async with Clients() as clients:
        fetched = await fetch_purl(purl, clients.registry, clients.http(), dest, which=which)
    return [
        ScanJob(
            path=f.path,
            ecosystem=f.ecosystem,
            name=f.name,
            version=f.version,
            registry=f.registry,
            target=f"{purl} ({f.filename})",
        )
        for f in fetched
    ]


def exit_code(results: Sequence[ScanResult]) -> int:
    """0 all benign, 1 any suspicious or malicious, 2 any archive could not be scanned."""
    if any(r.error for r in results):
        return 2
    return 1 if any(r.verdict is not Verdict.BENIGN for r in results) else 0


def result_dict(result: ScanResult) -> dict[str, Any]:
    """The JSON form of one result (the documented contract)."""
    return {
        "target": result.target,
        "verdict": result.verdict.value,
        "score": result.score,
        "findings": [f.to_dict() for f in result.findings],
        "reasons": list(result.reasons),
        "suppressed": [{**s.finding.to_dict(), "reason": s.reason} for s in result.suppressed],
        "package": {
            "ecosystem": result.ecosystem,
            "name": result.name,
            "version": result.version,
            "sha256": result.sha256,
        },
        "stats": result.stats,
        "error": result.error,
    }


def render_json(results: Sequence[ScanResult]) -> str:
    """One result: its object. Several: the worst verdict and all findings, with ``results``."""
    if len(results) == 1:
        return json.dumps(result_dict(results[0]), indent=2)
    worst = max(results, key=lambda r: (_RANK[r.verdict], r.score))
    return json.dumps(
        {
            "verdict": worst.verdict.value,
            "score": worst.score,
            "findings": [{**f.to_dict(), "target": r.target} for r in results for f in r.findings],
            "results": [result_dict(r) for r in results],
        },
        indent=2,
    )


def render_table(results: Sequence[ScanResult], *, color: bool, width: int) -> str:
    """For people: per archive a verdict line, the reasons, and the findings."""
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        force_terminal=color,
        no_color=not color,
        width=width,
        highlight=False,
    )
    for result in results:
        _render_one(console, result)
    if len(results) > 1:
        counts = {v: sum(1 for r in results if r.verdict is v and not r.error) for v in Verdict}
        errors = sum(1 for r in results if r.error)
        console.print(
            f"{len(results)} archives: {counts[Verdict.MALICIOUS]} malicious, "
            f"{counts[Verdict.SUSPICIOUS]} suspicious, {counts[Verdict.BENIGN]} benign"
            + (f", {errors} not scanned" if errors else "")
        )
    return buffer.getvalue()


def _render_one(console: Console, result: ScanResult) -> None:
    title = Text(result.target, style="bold")
    if result.error:
        console.print(title, Text("  not scanned: ", style="bold red"), escape(result.error))
        console.print()
        return
    package = " ".join(x for x in (result.ecosystem, result.name, result.version) if x)
    line = Text.assemble(
        title,
        "  ",
        (f" {result.verdict.value.upper()} ", _VERDICT_STYLE[result.verdict]),
        f"  risk {result.score:.1f}/10",
        (f"  {package}" if package else "", "dim"),
    )
    console.print(line)
    for reason in result.reasons:
        console.print(Text("  • ") + Text(reason))
    shown = [f for f in result.findings if f.severity is not Severity.INFO]
    if shown:
        table = Table(show_header=True, header_style="bold", expand=False, pad_edge=False)
        table.add_column("Severity")
        table.add_column("Rule")
        table.add_column("Where", overflow="fold")
        table.add_column("Phase")
        table.add_column("What", overflow="fold")
        for f in shown:
            where = f.path + (f":{f.line}" if f.line else "")
            what = Text(f.message)
            if f.snippet:
                what.append("\n" + f.snippet, style="dim")
            table.add_row(
                Text(f.severity.value, style=_SEVERITY_STYLE[f.severity]),
                Text(f"{f.rule}\n{f.kind.value}", style="bold" if f.kind.value == "threat" else ""),
                Text(where or "(package)"),
                f.phase.value if f.phase else "",
                what,
            )
        console.print(table)
    hidden = len(result.findings) - len(shown)
    extra = []
    if hidden:
        extra.append(f"{hidden} informational finding(s) not shown (use --format json)")
    if result.suppressed:
        extra.append(f"{len(result.suppressed)} suppressed")
    stats = result.stats
    extra.append(f"{int(stats.get('members', 0))} files, {stats.get('seconds', 0.0):.2f} s")
    console.print(Text("  " + "; ".join(extra), style="dim"))
    console.print()
