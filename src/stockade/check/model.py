"""The result of ``stockade check``: packages, their findings, and what the run could not do.

Formatters (:mod:`stockade.report`) render a :class:`Report`; nothing here does I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from stockade.intel.findings import Finding, Severity


@dataclass(frozen=True, slots=True)
class PackageReport:
    """One package version of the project, with its findings."""

    ecosystem: str
    """``PyPI`` or ``npm``."""
    name: str
    """Normalised name."""
    version: str | None
    """Exact version; ``None`` when only a range was known and it could not be resolved."""
    purl: str
    """Package-url."""
    direct: bool
    """Declared by the project itself."""
    scopes: tuple[str, ...]
    """``prod``, ``dev``, ``optional``, ``peer``."""
    via: tuple[str, ...] = ()
    """For a transitive dependency: the chain from a direct dependency (``name@version``)."""
    locations: tuple[str, ...] = ()
    """Where it was declared or locked (``path:line``)."""
    resolution: str = "locked"
    """``locked``, ``pinned``, ``resolved`` (range resolved against the registry today) or
    ``unresolved``."""
    spec: str | None = None
    """The declared range, when one was declared."""
    findings: tuple[Finding, ...] = ()
    """Its vulnerabilities and malicious records, most severe first."""
    error: str | None = None
    """What went wrong for this package (registry error, unresolvable range)."""
    score: float | None = None
    """Its trust score (0-10), when scores were asked for and could be had."""
    score_flags: tuple[str, ...] = ()
    """The trust report's flags (``malicious``, ``typosquat`` ...)."""
    weakest: str | None = None
    """For a direct dependency: the lowest-scored package it pulls in (``name@version``)."""
    weakest_score: float | None = None
    """That package's score."""

    @property
    def active_findings(self) -> tuple[Finding, ...]:
        """Findings not ignored by the configuration."""
        return tuple(f for f in self.findings if f.ignored is None)


@dataclass(slots=True)
class Report:
    """Everything ``stockade check`` found."""

    root: str
    """The path that was checked."""
    packages: list[PackageReport] = field(default_factory=list)
    """Every package version, sorted by ecosystem, name and version."""
    manifests: list[str] = field(default_factory=list)
    """The manifests and lockfiles read."""
    sources: list[str] = field(default_factory=list)
    """The vulnerability sources consulted (``local OSV database (N records)``, ``OSV API``)."""
    notices: list[str] = field(default_factory=list)
    """Things the user must know about the run (a source unreachable, ranges resolved)."""
    generated_at: datetime | None = None
    """When the report was made (UTC)."""
    tool_version: str = ""
    """Stockade's version."""
    scored: bool = False
    """Whether trust scores were attached to the packages."""
    min_score: float | None = None
    """The lowest acceptable trust score (``--min-score``); lower ones fail the check."""

    @property
    def findings_count(self) -> int:
        """Active (not ignored) findings over all packages."""
        return sum(len(p.active_findings) for p in self.packages)

    def max_severity(self) -> Severity | None:
        """The highest severity of any active finding, ``None`` when there is none."""
        ranks = [f.severity for p in self.packages for f in p.active_findings]
        return max(ranks, key=lambda s: s.rank) if ranks else None

    def below_min_score(self) -> list[PackageReport]:
        """Packages whose trust score is below ``min_score``."""
        if self.min_score is None:
            return []
        minimum = self.min_score
        return [p for p in self.packages if p.score is not None and p.score < minimum]

    def fails(self, threshold: Severity | None) -> bool:
        """Whether an active finding is at or above ``threshold`` (``None``: never fails), or a
        trust score is below ``min_score``."""
        if self.below_min_score():
            return True
        if threshold is None:
            return False
        return any(
            f.severity.rank >= threshold.rank for p in self.packages for f in p.active_findings
        )
