"""The overall score: hard flags first, then a confidence-weighted mean of the components.

The model (``MODEL_VERSION``), which a reader can recompute from any report:

1. A ``block`` flag (a known-malicious record, a malicious archive) makes the score **0**.
2. Otherwise the score is the weighted mean of the components that have a score::

       score = sum(weight * factor * component) / sum(weight * factor)

   with ``weight`` from :data:`WEIGHTS` and ``factor`` the confidence factor
   (high 1.0, medium 0.7, low 0.4). Components that are unknown are left out, not guessed:
   one broken input does not drag the score to 0.
3. ``cap`` flags then limit it: the score is at most the lowest cap (a typosquat: 3, a
   suspicious archive or an open critical vulnerability: 5, an open high one: 7).
4. Rounded to one decimal. When no component has a score, the score is ``None``.

The reasons are the flags' messages (block, cap, warn), then the summaries of the components
that cost the most points (``weight * factor * (10 - component)``), then, for a good score, the
strongest components.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from stockade.scoring.facts import PackageFacts
from stockade.scoring.model import (
    Alternative,
    Component,
    ComponentName,
    Flag,
    FlagLevel,
    TrustReport,
    clamp,
)

MODEL_VERSION = "stockade-trust-1"

WEIGHTS: dict[ComponentName, float] = {
    ComponentName.MALICIOUS: 3.0,
    ComponentName.VULNERABILITIES: 2.0,
    ComponentName.TYPOSQUATTING: 2.0,
    ComponentName.MAINTENANCE: 2.0,
    ComponentName.PROVENANCE: 1.0,
    ComponentName.ORIGIN: 1.0,
    ComponentName.HYGIENE: 1.0,
}
"""How much each component counts in the mean, before confidence."""

MAX_REASONS = 4
_LEVEL_ORDER = {FlagLevel.BLOCK: 0, FlagLevel.CAP: 1, FlagLevel.WARN: 2}


def weighted_mean(components: Sequence[Component]) -> float | None:
    """Step 2 of the model: the confidence-weighted mean of the scored components."""
    total = 0.0
    weights = 0.0
    for component in components:
        if component.score is None:
            continue
        weight = WEIGHTS[component.name] * component.confidence.factor
        total += weight * component.score
        weights += weight
    return total / weights if weights else None


def overall(components: Sequence[Component]) -> tuple[float | None, tuple[Flag, ...]]:
    """The overall score and every flag, most severe first (steps 1-4)."""
    flags = tuple(
        sorted(
            (flag for c in components for flag in c.flags),
            key=lambda f: (_LEVEL_ORDER[f.level], f.cap if f.cap is not None else 10.0),
        )
    )
    if any(f.level is FlagLevel.BLOCK for f in flags):
        return 0.0, flags
    mean = weighted_mean(components)
    if mean is None:
        return None, flags
    caps = [f.cap for f in flags if f.level is FlagLevel.CAP and f.cap is not None]
    if caps:
        mean = min(mean, *caps)
    return clamp(mean), flags


def reasons(
    components: Sequence[Component], flags: Sequence[Flag], score: float | None
) -> tuple[str, ...]:
    """The top reasons for a score, one sentence each, most important first."""
    found: list[str] = [f.message for f in flags]
    scored = [c for c in components if c.score is not None]
    costs = sorted(
        ((WEIGHTS[c.name] * c.confidence.factor * (10.0 - (c.score or 0.0)), c) for c in scored),
        key=lambda item: -item[0],
    )
    for cost, component in costs:
        if cost >= 1.0:
            found.append(f"{component.name.value.capitalize()}: {component.summary}")
    if score is not None and score >= 7.0:
        best = sorted(scored, key=lambda c: (-(c.score or 0.0), -WEIGHTS[c.name]))
        for component in best[:2]:
            found.append(f"{component.name.value.capitalize()}: {component.summary}")
    if not scored:
        found.append("Nothing could be scored: no registry metadata and no intelligence source.")
    unique = list(dict.fromkeys(found))
    return tuple(unique[:MAX_REASONS])


def build_report(
    facts: PackageFacts,
    components: Sequence[Component],
    *,
    alternatives: Sequence[Alternative] = (),
    computed_at: datetime | None = None,
) -> TrustReport:
    """The trust report of a version from its scored components."""
    score, flags = overall(components)
    known = facts.package is not None
    incomplete = list(facts.problems)
    if not known and not any("registry" in p for p in incomplete):
        incomplete.append(f"the {facts.ecosystem.value} registry does not know {facts.name!r}")
    if not known:
        score = None
    weights = {
        c.name.value: round(WEIGHTS[c.name] * c.confidence.factor, 2)
        for c in components
        if c.score is not None
    }
    return TrustReport(
        ecosystem=facts.ecosystem.value,
        name=facts.name,
        version=facts.version,
        purl=facts.purl,
        score=score,
        components=tuple(components),
        flags=flags,
        reasons=reasons(components, flags, score),
        incomplete=tuple(incomplete),
        alternatives=tuple(alternatives),
        computed_at=(computed_at or datetime.now(UTC)).replace(microsecond=0).isoformat(),
        model=MODEL_VERSION,
        known=known,
        extra={"weights": weights},
    )
