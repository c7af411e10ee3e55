"""``--format table``: the report for people at a terminal, rendered with Rich."""

from __future__ import annotations

import io

from rich import box
from rich.console import Console, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from stockade.check.model import PackageReport, Report
from stockade.intel.findings import Finding, FindingKind, Severity
from stockade.report._common import (
    SEVERITIES_DESC,
    alias_note,
    by_urgency,
    fix_text,
    is_dev_only,
    ordered_scopes,
    plural,
    summarize,
    version_text,
    via_text,
)

SEVERITY_STYLES: dict[Severity, str] = {
    Severity.CRITICAL: "bold red",
    Severity.HIGH: "red",
    Severity.MEDIUM: "yellow",
    Severity.LOW: "cyan",
    Severity.UNKNOWN: "magenta",
}
"""How each severity is coloured."""
MALICIOUS_STYLE = "bold white on red"
WIDE = 140
"""From this width on, the table also shows each finding's summary."""
NARROW = 110
"""Below this width, package, version, path and scope share one column and long ``via`` chains
lose their middle links."""
LISTED_MANIFESTS = 5
"""Up to this many manifest names are listed in the header."""


def severity_text(finding: Finding) -> Text:
    """The severity cell: coloured, ``MALICIOUS`` for malicious packages."""
    if finding.kind is FindingKind.MALICIOUS:
        return Text(" MALICIOUS ", style=MALICIOUS_STYLE)
    return Text(finding.severity.value, style=SEVERITY_STYLES[finding.severity])


def _finding_cell(finding: Finding, wide: bool) -> Text:
    text = Text(finding.id)
    note = alias_note(finding)
    if note:
        text.append((" " if wide else "\n") + note, style="dim")
    return text


def _fix_cell(finding: Finding) -> Text:
    if finding.kind is FindingKind.MALICIOUS:
        return Text("remove it", style="bold red")
    fixes = fix_text(finding)
    return Text(fixes) if fixes else Text("no fix", style="dim")


def _package_cells(pkg: PackageReport) -> list[Text]:
    name = Text(pkg.name)
    name.append(f" {pkg.ecosystem}", style="dim")
    version = Text(version_text(pkg))
    via = Text(" > ".join(pkg.via) if pkg.via and not pkg.direct else via_text(pkg))
    scope = Text(", ".join(ordered_scopes(pkg.scopes)), style="dim" if is_dev_only(pkg) else "")
    return [name, version, via, scope]


def _package_block(pkg: PackageReport) -> Text:
    """Package, version, path and scope in one cell, for narrow terminals."""
    text = Text()
    text.append(pkg.name, style="bold")
    text.append(f" {version_text(pkg)}")
    text.append(f" {pkg.ecosystem}", style="dim")
    text.append("\n")
    text.append(via_text(pkg, max_links=3), style="dim")
    scopes = [s for s in ordered_scopes(pkg.scopes) if s != "prod"]
    if scopes:
        text.append(f" ({', '.join(scopes)})", style="dim")
    return text


def _findings_table(report: Report, width: int) -> Table:
    narrow, wide = width < NARROW, width >= WIDE
    table = Table(box=box.ROUNDED, header_style="bold")
    if narrow:
        table.add_column("Package", overflow="fold")
    else:
        table.add_column("Package", overflow="fold")
        table.add_column("Version", overflow="fold")
        table.add_column("Via", overflow="fold")
        table.add_column("Scope", overflow="fold")
    table.add_column("Finding", no_wrap=True, overflow="fold")
    table.add_column("Severity", no_wrap=True)
    table.add_column("Fixed in", overflow="fold")
    if wide:
        table.add_column("Summary", overflow="fold", max_width=max(30, width // 5))
    for pkg in by_urgency(report.packages):
        active = sorted(pkg.active_findings, key=lambda f: -f.severity.rank)
        first = [_package_block(pkg)] if narrow else _package_cells(pkg)
        for i, finding in enumerate(active):
            cells = first if i == 0 else [Text("")] * len(first)
            row: list[RenderableType] = [
                *cells,
                _finding_cell(finding, False),
                severity_text(finding),
                _fix_cell(finding),
            ]
            if wide:
                row.append(Text(finding.summary, style="dim"))
            table.add_row(*row, end_section=i == len(active) - 1)
    return table


def _ignored_table(report: Report, width: int) -> Table:
    narrow = width < NARROW
    table = Table(
        box=box.SIMPLE,
        style="dim",
        header_style="dim bold",
        title=Text("Ignored findings", style="dim bold"),
        title_justify="left",
    )
    table.add_column("Package", overflow="fold", style="dim")
    if not narrow:
        table.add_column("Version", overflow="fold", style="dim")
    table.add_column("Finding", no_wrap=True, overflow="fold", style="dim")
    table.add_column("Severity", no_wrap=True, style="dim")
    table.add_column("Reason", overflow="fold", style="dim")
    if not narrow:
        table.add_column("Expires", no_wrap=True, style="dim")
    for pkg in report.packages:
        for finding in pkg.findings:
            if finding.ignored is None:
                continue
            expires = finding.ignored.expires.isoformat() if finding.ignored.expires else None
            severity = (
                "malicious" if finding.kind is FindingKind.MALICIOUS else finding.severity.value
            )
            if narrow:
                reason = finding.ignored.reason + (f" (until {expires})" if expires else "")
                cells = [Text(f"{pkg.name} {version_text(pkg)}"), _finding_cell(finding, False)]
                cells += [Text(severity), Text(reason)]
            else:
                cells = [
                    Text(f"{pkg.name} {pkg.ecosystem}"),
                    Text(version_text(pkg)),
                    _finding_cell(finding, True),
                    Text(severity),
                    Text(finding.ignored.reason),
                    Text(expires or "never"),
                ]
            table.add_row(*cells)
    return table


def _header(report: Report) -> Text:
    s = summarize(report)
    text = Text()
    text.append(f"Checked {report.root}", style="bold")
    text.append(": ")
    count = len(report.manifests)
    text.append(plural(count, "manifest or lockfile", "manifests and lockfiles"))
    if 0 < count <= LISTED_MANIFESTS:
        text.append(f" ({', '.join(report.manifests)})", style="dim")
    text.append(f", {plural(s.packages, 'package')}\n")
    text.append("Sources: ")
    text.append(", ".join(report.sources) if report.sources else "none", style="dim")
    return text


def _notices(report: Report) -> Panel:
    body = Text()
    for i, notice in enumerate(report.notices):
        if i:
            body.append("\n")
        body.append("! ", style="bold yellow")
        body.append(notice)
    return Panel(
        body,
        title=Text(plural(len(report.notices), "Notice"), style="bold yellow"),
        title_align="left",
        border_style="yellow",
        expand=False,
    )


def _score_text(score: float | None) -> Text:
    if score is None:
        return Text("-", style="dim")
    style = "bold red" if score < 4.0 else "yellow" if score < 7.0 else "green"
    return Text(f"{score:.1f}", style=style)


def _scores_table(report: Report) -> Table:
    """Direct dependencies with their trust score and the weakest link below each, and any
    other package below the minimum score."""
    low = {p.purl for p in report.below_min_score()}
    shown = [p for p in report.packages if p.direct or p.purl in low]
    table = Table(box=box.ROUNDED, header_style="bold", title="Trust scores", title_justify="left")
    table.add_column("Package", overflow="fold")
    table.add_column("Version", overflow="fold")
    table.add_column("Score", justify="right", no_wrap=True)
    table.add_column("Weakest below", overflow="fold")
    table.add_column("Flags", overflow="fold")
    for pkg in sorted(shown, key=lambda p: (p.score if p.score is not None else 11.0, p.name)):
        name = Text(pkg.name)
        name.append(f" {pkg.ecosystem}", style="dim")
        if not pkg.direct:
            name.append(" (transitive)", style="dim")
        weakest = Text()
        if pkg.weakest:
            weakest.append(f"{pkg.weakest} ")
            weakest.append_text(_score_text(pkg.weakest_score))
        score = _score_text(pkg.score)
        if pkg.purl in low:
            score.append(" < min", style="bold red")
        table.add_row(
            name, Text(version_text(pkg)), score, weakest, Text(", ".join(pkg.score_flags))
        )
    return table


def _errors(report: Report) -> Text:
    failed = [p for p in report.packages if p.error]
    text = Text()
    text.append(f"Could not fully check {plural(len(failed), 'package')}:", style="bold yellow")
    for pkg in failed:
        text.append("\n  - ")
        text.append(f"{pkg.name} {version_text(pkg)} ", style="bold")
        text.append(f"({pkg.ecosystem})", style="dim")
        text.append(f": {pkg.error}")
    return text


def summary_line(report: Report) -> Text:
    """``N vulnerabilities in N packages (N critical, ...), N known-malicious, N ignored``."""
    s = summarize(report)
    extras: list[str] = []
    if s.malicious:
        extras.append(f"{s.malicious} known-malicious")
    if s.ignored:
        extras.append(f"{s.ignored} ignored")
    if s.errors:
        extras.append(f"{s.errors} not fully checked")
    if s.vulnerabilities == 0 and s.malicious == 0:
        text = Text(f"No known vulnerabilities found in {plural(s.packages, 'package')}")
        text.stylize("bold green")
    else:
        style = "bold red" if s.malicious or s.by_severity["critical"] else "bold yellow"
        text = Text()
        text.append(
            f"{plural(s.vulnerabilities, 'vulnerability', 'vulnerabilities')} in "
            f"{plural(s.packages_with_vulnerabilities, 'package')}",
            style=style,
        )
        counts = [
            (n, sev) for sev in SEVERITIES_DESC if (n := s.vulnerabilities_by_severity[sev.value])
        ]
        if counts:
            text.append(" (")
            for i, (n, sev) in enumerate(counts):
                if i:
                    text.append(", ")
                text.append(f"{n} {sev.value}", style=SEVERITY_STYLES[sev])
            text.append(")")
        if s.malicious:
            text.append(", ")
            text.append(f"{s.malicious} known-malicious", style=MALICIOUS_STYLE)
            extras.pop(0)
    for extra in extras:
        text.append(f", {extra}")
    below = report.below_min_score()
    if below:
        text.append(
            f", {plural(len(below), 'package')} below the minimum trust score {report.min_score:g}",
            style="bold red",
        )
    if report.notices:
        text.append(" (see the notices above)", style="yellow")
    return text


class TableFormatter:
    """The report as tables for a terminal."""

    name: str = "table"
    media_type: str = "text/plain"

    def render(self, report: Report, *, color: bool = False, width: int | None = None) -> str:
        """The report rendered by Rich; ANSI styles only when ``color``."""
        out = io.StringIO()
        size = width or 120
        console = Console(
            file=out,
            force_terminal=color,
            no_color=not color,
            color_system="standard" if color else None,
            width=size,
            highlight=False,
            emoji=False,
            markup=False,
            legacy_windows=False,
        )
        parts: list[RenderableType] = [_header(report)]
        if report.notices:
            parts.append(_notices(report))
        if any(p.active_findings for p in report.packages):
            parts.append(_findings_table(report, size))
        if any(f.ignored is not None for p in report.packages for f in p.findings):
            parts.append(_ignored_table(report, size))
        if report.scored and any(p.direct or p.score is not None for p in report.packages):
            parts.append(_scores_table(report))
        if any(p.error for p in report.packages):
            parts.append(_errors(report))
        parts.append(summary_line(report))
        for i, part in enumerate(parts):
            if i:
                console.line()
            console.print(part)
        return out.getvalue()
