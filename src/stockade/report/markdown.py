"""``--format markdown``: for pull-request comments and CI job summaries."""

from __future__ import annotations

import html

from stockade.check.model import PackageReport, Report
from stockade.intel.findings import Finding, FindingKind
from stockade.report._common import (
    SEVERITIES_DESC,
    advisory_url,
    alias_note,
    by_urgency,
    fix_text,
    is_dev_only,
    plural,
    summarize,
    version_text,
    via_text,
)

HEADING = "## Stockade dependency check"
"""The report's first line."""

_ESCAPED = "\\`*_[]|~"


def escape(text: str) -> str:
    """Text safe inside Markdown (and a table cell): metacharacters escaped, HTML neutralised."""
    text = html.escape(" ".join(text.split()), quote=False)
    return "".join("\\" + c if c in _ESCAPED else c for c in text)


def code(text: str) -> str:
    """An inline code span that survives backticks and pipes inside ``text``."""
    text = " ".join(text.split()).replace("|", "\\|")
    fence = "``" if "`" in text else "`"
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _url(url: str) -> str:
    return url.replace("(", "%28").replace(")", "%29").replace(" ", "%20").replace("|", "%7C")


def finding_link(finding: Finding) -> str:
    """``[GHSA-xxxx](url) (CVE-...)``."""
    note = alias_note(finding)
    link = f"[{escape(finding.id)}]({_url(advisory_url(finding))})"
    return f"{link} {escape(note)}" if note else link


def _severity(finding: Finding) -> str:
    if finding.kind is FindingKind.MALICIOUS:
        return "**MALICIOUS**"
    sev = finding.severity.value
    return f"**{sev}**" if finding.severity.rank >= 3 else sev


def _package(pkg: PackageReport) -> str:
    text = f"{code(pkg.name)} ({escape(pkg.ecosystem)})"
    return text + " *dev*" if is_dev_only(pkg) else text


def _via(pkg: PackageReport, *, prefix: bool = True) -> str:
    if pkg.direct or not pkg.via:
        return via_text(pkg)
    return ("via " if prefix else "") + " > ".join(code(link) for link in pkg.via)


def summary_text(report: Report) -> str:
    """One line: what was found, in words."""
    s = summarize(report)
    extras: list[str] = []
    if s.malicious:
        extras.append(f"**{s.malicious} known-malicious**")
    if s.ignored:
        extras.append(f"{s.ignored} ignored")
    if s.errors:
        extras.append(f"{s.errors} not fully checked")
    if s.vulnerabilities == 0 and s.malicious == 0:
        head = (
            f":white_check_mark: No known vulnerabilities found in {plural(s.packages, 'package')}"
        )
    else:
        counts = [
            f"{n} {sev.value}"
            for sev in SEVERITIES_DESC
            if (n := s.vulnerabilities_by_severity[sev.value])
        ]
        head = (
            f":warning: **{plural(s.vulnerabilities, 'vulnerability', 'vulnerabilities')}** in "
            f"{plural(s.packages_with_vulnerabilities, 'package')}"
        )
        if counts:
            head += f" ({', '.join(counts)})"
    return ", ".join([head, *extras]) + "."


def _checked(report: Report) -> str:
    s = summarize(report)
    manifests = ", ".join(code(m) for m in report.manifests) or "none"
    sources = ", ".join(escape(src) for src in report.sources) or "none"
    return (
        f"Checked {plural(s.packages, 'package')} from "
        f"{plural(len(report.manifests), 'manifest or lockfile', 'manifests and lockfiles')} "
        f"({manifests}). Sources: {sources}."
    )


def _findings_table(rows: list[tuple[PackageReport, Finding]]) -> list[str]:
    lines = [
        "| Package | Version | Via | Finding | Severity | Fixed in | Summary |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for pkg, f in rows:
        fixes = (
            "remove it"
            if f.kind is FindingKind.MALICIOUS
            else (escape(fix_text(f)) if f.fixed_versions else "no fix")
        )
        cells = [
            _package(pkg),
            escape(version_text(pkg)),
            _via(pkg, prefix=False),
            finding_link(f),
            _severity(f),
            fixes,
            escape(f.summary),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def render_markdown(report: Report) -> str:
    """The report as GitHub-flavoured Markdown."""
    out = [HEADING, "", summary_text(report), "", _checked(report)]
    for notice in report.notices:
        out += ["", f"> **Warning:** {escape(notice)}"]

    active = [
        (pkg, f)
        for pkg in by_urgency(report.packages)
        for f in sorted(pkg.active_findings, key=lambda f: -f.severity.rank)
    ]
    malicious = [(p, f) for p, f in active if f.kind is FindingKind.MALICIOUS]
    if malicious:
        out += ["", "### :rotating_light: Known-malicious packages", ""]
        for pkg, f in malicious:
            out.append(
                f"- {code(pkg.name)} {escape(version_text(pkg))} ({escape(pkg.ecosystem)}), "
                f"{_via(pkg)}: {finding_link(f)} {escape(f.summary)}. **Remove it** and treat "
                "the machines that installed it as compromised."
            )
    if active:
        out += ["", "### Vulnerable packages", "", *_findings_table(active)]

    ignored = [(pkg, f) for pkg in report.packages for f in pkg.findings if f.ignored]
    if ignored:
        out += [
            "",
            "<details>",
            f"<summary>{plural(len(ignored), 'ignored finding')}</summary>",
            "",
            "| Package | Version | Finding | Severity | Reason | Expires |",
            "| --- | --- | --- | --- | --- | --- |",
        ]
        for pkg, f in ignored:
            assert f.ignored is not None
            expires = f.ignored.expires.isoformat() if f.ignored.expires else "never"
            out.append(
                f"| {_package(pkg)} | {escape(version_text(pkg))} | {finding_link(f)} | "
                f"{_severity(f)} | {escape(f.ignored.reason)} | {expires} |"
            )
        out += ["", "</details>"]

    failed = [p for p in report.packages if p.error]
    if failed:
        out += ["", f"**Could not fully check {plural(len(failed), 'package')}:**", ""]
        for pkg in failed:
            out.append(
                f"- {code(pkg.name)} {escape(version_text(pkg))} ({escape(pkg.ecosystem)}): "
                f"{escape(pkg.error or '')}"
            )
    return "\n".join(out) + "\n"


class MarkdownFormatter:
    """The report as Markdown for pull-request comments and job summaries."""

    name: str = "markdown"
    media_type: str = "text/markdown"

    def render(self, report: Report, *, color: bool = False, width: int | None = None) -> str:
        """The Markdown text, ending in a newline."""
        return render_markdown(report)
