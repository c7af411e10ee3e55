"""Findings: what the intelligence sources say of a package version.

Shared by every layer that reports on packages (check, scoring, server); nothing here does I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class Severity(StrEnum):
    """Severity of a finding, ordered from least to most severe."""

    UNKNOWN = "unknown"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        """0 for unknown up to 4 for critical."""
        return list(Severity).index(self)

    @classmethod
    def from_score(cls, score: float | None) -> Severity:
        """The CVSS qualitative rating of a base score."""
        if score is None:
            return cls.UNKNOWN
        if score >= 9.0:
            return cls.CRITICAL
        if score >= 7.0:
            return cls.HIGH
        if score >= 4.0:
            return cls.MEDIUM
        if score > 0.0:
            return cls.LOW
        return cls.UNKNOWN


class FindingKind(StrEnum):
    """What a finding says of a package version."""

    VULNERABILITY = "vulnerability"
    MALICIOUS = "malicious"


@dataclass(frozen=True, slots=True)
class Ignore:
    """A user's decision to accept a finding, from the configuration."""

    id: str
    """The vulnerability id (or alias) it matches."""
    reason: str
    """Why it is accepted."""
    expires: date | None = None
    """After this day the finding counts again."""
    package: str | None = None
    """Only for this package, when set."""


@dataclass(frozen=True, slots=True)
class Finding:
    """One vulnerability or malicious-package record, with all its ids merged."""

    id: str
    """The id shown first (the record's own id; the OSV id of the merged group)."""
    aliases: tuple[str, ...]
    """Every other id of the same vulnerability (CVE, GHSA, PYSEC ...), sorted."""
    kind: FindingKind
    """Vulnerability or known-malicious."""
    summary: str
    """One line about it."""
    severity: Severity
    """Qualitative severity; critical for malicious packages."""
    score: float | None = None
    """The CVSS base score, when a vector was given."""
    cvss_vector: str | None = None
    """The CVSS vector the score came from."""
    fixed_versions: tuple[str, ...] = ()
    """Versions that fix it, lowest first (empty: no fix known)."""
    url: str | None = None
    """Where to read more."""
    ignored: Ignore | None = None
    """Set when the configuration accepts this finding (it no longer fails the check)."""

    @property
    def ids(self) -> tuple[str, ...]:
        """The id followed by the aliases."""
        return (self.id, *self.aliases)
