"""What a trust score is made of: components with evidence, flags, and the overall report.

Nothing here does I/O. Components come from :mod:`stockade.scoring.components` (each a pure
function of :class:`~stockade.scoring.facts.PackageFacts`); the overall score from
:mod:`stockade.scoring.combine`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Confidence(StrEnum):
    """How much a component's score can be relied on."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"

    @property
    def factor(self) -> float:
        """The weight multiplier of the combination (low 0.4, medium 0.7, high 1.0)."""
        return {"low": 0.4, "medium": 0.7, "high": 1.0}[self.value]


class ComponentName(StrEnum):
    """The components of a trust report, in the order they are shown."""

    MALICIOUS = "malicious"
    VULNERABILITIES = "vulnerabilities"
    TYPOSQUATTING = "typosquatting"
    ORIGIN = "origin"
    PROVENANCE = "provenance"
    MAINTENANCE = "maintenance"
    HYGIENE = "hygiene"


class FlagLevel(StrEnum):
    """How a flag bears on the overall score."""

    BLOCK = "block"
    """The overall score is 0 whatever else is known (known-malicious)."""
    CAP = "cap"
    """The overall score is capped at the flag's ``cap``."""
    WARN = "warn"
    """Shown to the reader; the score already accounts for it."""


@dataclass(frozen=True, slots=True)
class Flag:
    """Something a reader must see before the number: known malware, a typosquat, a takeover."""

    code: str
    """Short stable id: ``malicious``, ``suspicious-archive``, ``typosquat``, ``deprecated``,
    ``yanked``, ``dormant-then-release`` ..."""
    level: FlagLevel
    """Block, cap or warn."""
    message: str
    """One sentence for people."""
    cap: float | None = None
    """For ``cap`` flags: the highest overall score allowed."""

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        out: dict[str, Any] = {
            "code": self.code,
            "level": self.level.value,
            "message": self.message,
        }
        if self.cap is not None:
            out["cap"] = self.cap
        return out


@dataclass(frozen=True, slots=True)
class Evidence:
    """One fact behind a component score."""

    code: str
    """Short stable id (``release-age``, ``open-vulnerability``, ``imitates``)."""
    message: str
    """One sentence for people."""
    impact: float = 0.0
    """Points this fact added to (positive) or took from (negative) the component score."""
    value: Any = None
    """The measured value, JSON-ready (a number, a string, a list of names)."""

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        out: dict[str, Any] = {"code": self.code, "message": self.message, "impact": self.impact}
        if self.value is not None:
            out["value"] = self.value
        return out


@dataclass(frozen=True, slots=True)
class Component:
    """One scored aspect of a package version.

    ``score`` is 0-10, or ``None`` when there was no data ("unknown": the component is left
    out of the combination instead of being guessed).
    """

    name: ComponentName
    score: float | None
    confidence: Confidence
    summary: str
    """One sentence: what the score means here."""
    evidence: tuple[Evidence, ...] = ()
    flags: tuple[Flag, ...] = ()

    @classmethod
    def unknown(cls, name: ComponentName, why: str) -> Component:
        """A component without data."""
        return cls(name=name, score=None, confidence=Confidence.LOW, summary=why)

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        return {
            "score": self.score,
            "confidence": self.confidence.value if self.score is not None else None,
            "summary": self.summary,
            "evidence": [e.to_json() for e in self.evidence],
            "flags": [f.to_json() for f in self.flags],
        }


def clamp(score: float) -> float:
    """A score kept within 0-10 and rounded to one decimal."""
    return round(min(10.0, max(0.0, score)), 1)


@dataclass(frozen=True, slots=True)
class Alternative:
    """A better-scored package for the same job."""

    name: str
    purl: str
    score: float | None
    why: str
    """One sentence: why it is suggested (the imitated package, shared keywords)."""

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        return {"package": self.purl, "name": self.name, "score": self.score, "why": self.why}


@dataclass(frozen=True, slots=True)
class TrustReport:
    """The trust report of one package version."""

    ecosystem: str
    name: str
    version: str | None
    """``None`` when the registry does not know the package."""
    purl: str
    score: float | None
    """0-10, one decimal; ``None`` when nothing could be scored."""
    components: tuple[Component, ...]
    flags: tuple[Flag, ...]
    reasons: tuple[str, ...]
    """The top reasons for the score, one sentence each, most important first."""
    incomplete: tuple[str, ...] = ()
    """Why the report is incomplete (unknown package, registry error, no intel source)."""
    alternatives: tuple[Alternative, ...] = ()
    computed_at: str = ""
    """ISO 8601 time of computation."""
    model: str = ""
    """The score model version (``combine.MODEL_VERSION``)."""
    known: bool = True
    """Whether the registry knows the package."""
    extra: dict[str, Any] = field(default_factory=dict)
    """Details kept with the report (the combination's weights, by component)."""

    def component(self, name: ComponentName) -> Component | None:
        """The component of that name, if present."""
        return next((c for c in self.components if c.name == name), None)

    def to_json(self) -> dict[str, Any]:
        """The JSON document of ``stockade score --format json``."""
        return {
            "package": self.purl,
            "score": self.score,
            "flags": [f.to_json() for f in self.flags],
            "components": {c.name.value: c.to_json() for c in self.components},
            "reasons": list(self.reasons),
            "alternatives": [a.to_json() for a in self.alternatives],
            "incomplete": list(self.incomplete),
            "known": self.known,
            "ecosystem": self.ecosystem,
            "name": self.name,
            "version": self.version,
            "model": self.model,
            "computed_at": self.computed_at,
            **({"extra": self.extra} if self.extra else {}),
        }
