"""Helpers shared by the report formats: counting, ids, locations, links."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import PurePath
from urllib.parse import quote

import stockade
from stockade.check.model import PackageReport, Report
from stockade.intel.findings import Finding, FindingKind, Severity

SEVERITIES_DESC: tuple[Severity, ...] = tuple(reversed(Severity))
"""Severities from most to least severe."""

SCOPE_ORDER: tuple[str, ...] = ("prod", "dev", "optional", "peer")
"""The order scopes are listed in."""

OSV_VULNERABILITY_URL = "https://osv.dev/vulnerability/"
"""Where any OSV id can be read when a record gives no link."""


@dataclass(frozen=True, slots=True)
class Summary:
    """Counts over a report; every format words them the same way."""

    packages: int
    """Package versions checked."""
    vulnerable_packages: int
    """Packages with at least one active finding (vulnerability or malicious)."""
    findings: int
    """Active findings of every kind."""
    by_severity: dict[str, int]
    """Active findings of every kind by severity, most severe first, zeros included."""
    vulnerabilities: int
    """Active vulnerability findings (malicious records not counted)."""
    vulnerabilities_by_severity: dict[str, int]
    """Active vulnerability findings by severity, most severe first, zeros included."""
    packages_with_vulnerabilities: int
    """Packages with at least one active vulnerability finding."""
    malicious: int
    """Packages flagged known-malicious by an active finding."""
    ignored: int
    """Findings accepted by the configuration."""
    errors: int
    """Packages that could not be fully checked."""


def summarize(report: Report) -> Summary:
    """Count the report's packages and findings."""
    all_sev: Counter[Severity] = Counter()
    vuln_sev: Counter[Severity] = Counter()
    vulnerable = with_vulns = malicious = ignored = errors = 0
    for pkg in report.packages:
        active = pkg.active_findings
        ignored += len(pkg.findings) - len(active)
        errors += pkg.error is not None
        vulnerable += bool(active)
        vulns = [f for f in active if f.kind is FindingKind.VULNERABILITY]
        with_vulns += bool(vulns)
        malicious += any(f.kind is FindingKind.MALICIOUS for f in active)
        all_sev.update(f.severity for f in active)
        vuln_sev.update(f.severity for f in vulns)
    return Summary(
        packages=len(report.packages),
        vulnerable_packages=vulnerable,
        findings=sum(all_sev.values()),
        by_severity={s.value: all_sev[s] for s in SEVERITIES_DESC},
        vulnerabilities=sum(vuln_sev.values()),
        vulnerabilities_by_severity={s.value: vuln_sev[s] for s in SEVERITIES_DESC},
        packages_with_vulnerabilities=with_vulns,
        malicious=malicious,
        ignored=ignored,
        errors=errors,
    )


def plural(count: int, word: str, words: str | None = None) -> str:
    """``1 package``, ``2 packages``."""
    return f"{count} {word if count == 1 else (words or word + 's')}"


def tool_version(report: Report) -> str:
    """The Stockade version that made the report."""
    return report.tool_version or stockade.__version__


def alias_note(finding: Finding) -> str:
    """The most useful alias and the count of the others: ``(CVE-2021-1234, +1)``; or ``""``.

    A CVE alias is preferred unless the id itself is a CVE.
    """
    if not finding.aliases:
        return ""
    cves = [a for a in finding.aliases if a.startswith("CVE-")]
    shown = cves[0] if cves and not finding.id.startswith("CVE-") else finding.aliases[0]
    rest = len(finding.aliases) - 1
    return f"({shown}, +{rest})" if rest else f"({shown})"


def short_ids(finding: Finding) -> str:
    """The id with its most useful alias: ``GHSA-xxxx (CVE-2021-1234)``, ``PYSEC-1 (CVE-1, +1)``."""
    note = alias_note(finding)
    return f"{finding.id} {note}" if note else finding.id


def advisory_url(finding: Finding) -> str:
    """The finding's own link, or its OSV page."""
    return finding.url or OSV_VULNERABILITY_URL + quote(finding.id)


def fix_text(finding: Finding) -> str:
    """``1.2.4, 2.0.1``, or an empty string when no fix is known."""
    return ", ".join(finding.fixed_versions)


def upgrade_text(finding: Finding) -> str:
    """``Upgrade to 1.2.4`` / ``Upgrade to 1.2.4 or 2.0.1``; empty when no fix is known."""
    fixes = list(finding.fixed_versions)
    if not fixes:
        return ""
    if len(fixes) == 1:
        return f"Upgrade to {fixes[0]}"
    return f"Upgrade to {', '.join(fixes[:-1])} or {fixes[-1]}"


def ordered_scopes(scopes: tuple[str, ...]) -> list[str]:
    """Scopes in a stable order: prod, dev, optional, peer, then anything else by name."""
    rank = {s: i for i, s in enumerate(SCOPE_ORDER)}
    return sorted(dict.fromkeys(scopes), key=lambda s: (rank.get(s, len(rank)), s))


def is_dev_only(pkg: PackageReport) -> bool:
    """Installed only for development."""
    return "dev" in pkg.scopes and "prod" not in pkg.scopes


def version_text(pkg: PackageReport) -> str:
    """The version (or the unresolved range) as people read it."""
    if pkg.version is None:
        return f"{pkg.spec} (unresolved)" if pkg.spec else "(unresolved)"
    if pkg.resolution == "resolved":
        return f"{pkg.version} (resolved)"
    return pkg.version


def via_text(pkg: PackageReport, *, max_links: int | None = None) -> str:
    """``direct`` or ``via a@1 > b@2``; with ``max_links``, the middle of long chains elided."""
    if pkg.direct or not pkg.via:
        return "direct" if pkg.direct else "transitive"
    chain = list(pkg.via)
    if max_links is not None and len(chain) > max_links >= 2:
        chain = [chain[0], "…", *chain[-(max_links - 1) :]]
    return "via " + " > ".join(chain)


def split_ref(ref: str) -> tuple[str, str | None]:
    """Split ``name@version`` (npm scopes allowed: ``@scope/name@1.0``)."""
    at = ref.rfind("@")
    if at <= 0:
        return ref, None
    return ref[:at], ref[at + 1 :] or None


def split_location(location: str) -> tuple[str, int | None]:
    """Split ``path:line`` into the path and the 1-based line (``None`` when absent)."""
    path, sep, tail = location.rpartition(":")
    if sep and path and tail.isdigit():
        return path, int(tail)
    return location, None


def relative_uri(path: str, root: str) -> tuple[str, bool]:
    """A URI for ``path`` relative to ``root`` (and True) or an absolute ``file:`` URI (False)."""
    p, r = PurePath(path), PurePath(root)
    if p.is_absolute() != r.is_absolute():
        if p.is_absolute():
            return p.as_uri(), False
        return quote(p.as_posix()), True
    try:
        rel = p.relative_to(r)
    except ValueError:
        if p.is_absolute():
            return p.as_uri(), False
        rel = p
    return quote(rel.as_posix()), True


def by_urgency(packages: list[PackageReport]) -> list[PackageReport]:
    """Packages with active findings: known-malicious first, then by their worst severity."""

    def key(pkg: PackageReport) -> tuple[bool, int]:
        active = pkg.active_findings
        malicious = any(f.kind is FindingKind.MALICIOUS for f in active)
        return (not malicious, -max(f.severity.rank for f in active))

    return sorted((p for p in packages if p.active_findings), key=key)


def timestamp(when: datetime | None) -> str | None:
    """An ISO 8601 UTC timestamp ending in ``Z`` (naive times are taken as UTC)."""
    if when is None:
        return None
    if when.tzinfo is not None:
        when = when.astimezone(UTC).replace(tzinfo=None)
    return when.isoformat(timespec="seconds") + "Z"
