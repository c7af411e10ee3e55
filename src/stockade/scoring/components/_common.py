"""Helpers shared by the origin, provenance, maintenance and hygiene components.

Ages are measured from :attr:`~stockade.scoring.facts.PackageFacts.as_of`, never from the
clock, and versions published after it are ignored, so a report computed from stored facts is
the same whenever it is computed.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from operator import itemgetter
from typing import Any, NamedTuple

from packageurl import PackageURL

from stockade.ecosystems import get
from stockade.ecosystems.interface import Ecosystem, VersionInfo
from stockade.ecosystems.registries import source_repository_url
from stockade.scoring.facts import PackageFacts
from stockade.scoring.model import (
    Component,
    ComponentName,
    Confidence,
    Evidence,
    Flag,
    FlagLevel,
    clamp,
)

DAYS_PER_YEAR = 365.25
DAYS_PER_MONTH = DAYS_PER_YEAR / 12
SECONDS_PER_YEAR = DAYS_PER_YEAR * 86400


def aware(when: datetime) -> datetime:
    """The time with a time zone (registries that give none mean UTC)."""
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


def years(later: datetime, earlier: datetime) -> float:
    """The time between two moments, in years."""
    return (aware(later) - aware(earlier)).total_seconds() / 86400 / DAYS_PER_YEAR


def span(length: float) -> str:
    """A length of time in years as people say it: ``12 days``, ``5 months``, ``3.4 years``."""
    days = length * DAYS_PER_YEAR
    if days < 1:
        return "less than a day"
    if days < 60:
        return plural(round(days), "day")
    if length < 2:
        return plural(round(days / DAYS_PER_MONTH), "month")
    return f"{length:.1f} years"


class Dated(NamedTuple):
    """A published version and when it was published (with a time zone)."""

    when: datetime
    info: VersionInfo
    stamp: float
    """``when`` as POSIX seconds, for quick arithmetic."""


_LAST_PUBLISHED: list[tuple[PackageFacts, tuple[Dated, ...]]] = []
"""The facts last asked of :func:`published` and the answer (components of one report ask
for the same facts in turn); replaced whole, so threads see one pair or the other."""


def published(facts: PackageFacts) -> list[Dated]:
    """The package's dated versions published up to ``facts.as_of``, oldest first.

    Versions published at the same moment are ordered by the ecosystem's version order. The
    answer for the last facts asked is kept (facts are immutable).
    """
    if facts.package is None:
        return []
    last = next(iter(_LAST_PUBLISHED), None)
    if last is not None and last[0] is facts:
        return list(last[1])
    as_of = aware(facts.as_of)
    dated: list[Dated] = []
    for info in facts.package.versions.values():
        when = info.released
        if when is not None:
            if when.tzinfo is None:
                when = when.replace(tzinfo=UTC)
            if when <= as_of:
                dated.append(Dated(when, info, when.timestamp()))
    dated.sort(key=itemgetter(0))
    key = get(facts.ecosystem).versions.key
    start = 0
    for end in range(1, len(dated) + 1):
        if end == len(dated) or dated[end].when != dated[start].when:
            if end - start > 1:
                dated[start:end] = sorted(dated[start:end], key=lambda d: key(d.info.version))
            start = end
    _LAST_PUBLISHED[:] = [(facts, tuple(dated))]
    return dated


def repository_key(url: str | None) -> str | None:
    """A repository URL reduced for comparison: ``github.com/owner/repo``, lower-cased.

    Accepts what metadata and provenance hold (``git+https://...git``, ``owner/repo``).
    """
    found = source_repository_url(url) if url else None
    if found is None:
        return None
    return found.split("://", 1)[-1].rstrip("/").lower()


def declared_repository(facts: PackageFacts) -> str | None:
    """The source repository the package (or else the scored version) declares."""
    if facts.package is None:
        return None
    info = facts.info
    return facts.package.source_repository or (info.source_repository if info else None)


def split_package(ref: str) -> tuple[Ecosystem, str] | None:
    """The ecosystem and name of ``PyPI/name``, ``npm/@scope/name`` or a package-url.

    ``None`` when the reference names no supported ecosystem.
    """
    if ref.startswith("pkg:"):
        try:
            purl = PackageURL.from_string(ref)
        except ValueError:
            return None
        types = {e.purl_type: e for e in Ecosystem}
        ecosystem = types.get(purl.type)
        if ecosystem is None:
            return None
        name = f"{purl.namespace}/{purl.name}" if purl.namespace else purl.name
        return ecosystem, name
    prefix, sep, name = ref.partition("/")
    if not sep or not name:
        return None
    try:
        return Ecosystem(prefix), name
    except ValueError:
        return None


def plural(count: int, word: str, many: str | None = None) -> str:
    """``1 release``, ``3 releases``."""
    return f"{count} {word if count == 1 else (many or word + 's')}"


def listing(items: Sequence[str], limit: int = 5) -> str:
    """Items joined with commas, the rest counted: ``a, b, c and 4 more``."""
    shown = ", ".join(items[:limit])
    rest = len(items) - limit
    return f"{shown} and {rest} more" if rest > 0 else shown


class Scorecard:
    """A score built from a base and evidence items whose impacts add up to it.

    ``add`` records one fact and its impact; ``score`` is the base plus every impact, clamped
    to 0-10, so a reader can recompute it from the evidence.
    """

    def __init__(self, base: float) -> None:
        self.base = base
        self.evidence: list[Evidence] = []
        self.flags: list[Flag] = []

    def add(self, code: str, message: str, impact: float = 0.0, value: Any = None) -> None:
        """Record one fact and the points it adds (positive) or takes (negative)."""
        self.evidence.append(Evidence(code, message, impact=impact, value=value))

    def warn(self, code: str, message: str) -> None:
        """Raise a warning flag (once per code)."""
        if all(f.code != code for f in self.flags):
            self.flags.append(Flag(code, FlagLevel.WARN, message))

    @property
    def score(self) -> float:
        """The base plus every impact, within 0-10."""
        return clamp(self.base + sum(e.impact for e in self.evidence))

    def component(self, name: ComponentName, confidence: Confidence, summary: str) -> Component:
        """The finished component."""
        return Component(
            name=name,
            score=self.score,
            confidence=confidence,
            summary=summary,
            evidence=tuple(self.evidence),
            flags=tuple(self.flags),
        )
