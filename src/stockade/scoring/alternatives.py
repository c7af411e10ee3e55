"""Better-scored packages for the same job, suggested when a score is low."""

from __future__ import annotations

from collections.abc import Sequence

from stockade import ecosystems
from stockade.scoring.facts import PackageFacts
from stockade.scoring.interface import ScoreStore
from stockade.scoring.model import Alternative, Component, ComponentName

SUGGEST_BELOW = 6.0
"""Alternatives are suggested for scores below this (and for any typosquat)."""
MIN_ALTERNATIVE_SCORE = 7.0
MAX_ALTERNATIVES = 3
_MAX_TERMS = 12


def imitated(components: Sequence[Component]) -> list[str]:
    """The popular packages the typosquatting component says the name imitates."""
    found: list[str] = []
    for component in components:
        if component.name is not ComponentName.TYPOSQUATTING:
            continue
        for evidence in component.evidence:
            value = evidence.value
            target = value.get("target") if isinstance(value, dict) else None
            if evidence.code == "imitates" and isinstance(target, str) and target not in found:
                found.append(target)
    return found


def suggest(
    facts: PackageFacts,
    components: Sequence[Component],
    score: float | None,
    store: ScoreStore | None,
) -> list[Alternative]:
    """The imitated packages first, then well-scored packages sharing keywords or classifiers."""
    targets = imitated(components)
    if not targets and (score is None or score >= SUGGEST_BELOW):
        return []
    support = ecosystems.get(facts.ecosystem)
    out = [
        Alternative(
            name=target,
            purl=support.purl(target),
            score=None,
            why=f"the popular package that {facts.name!r} imitates",
        )
        for target in targets
    ]
    package = facts.package
    if store is not None and package is not None:
        terms = [*package.keywords, *package.classifiers][:_MAX_TERMS]
        terms = [t for t in terms if not t.startswith(("License ::", "Programming Language ::"))]
        if terms:
            for similar in store.similar(
                facts.ecosystem.value,
                terms,
                exclude=facts.name,
                min_score=MIN_ALTERNATIVE_SCORE,
                limit=MAX_ALTERNATIVES,
            ):
                if similar.name in targets:
                    continue
                shared = ", ".join(similar.shared[:3])
                out.append(
                    Alternative(
                        name=similar.name,
                        purl=support.purl(similar.name, similar.version),
                        score=similar.score,
                        why=f"scores {similar.score} and shares {shared}",
                    )
                )
    return out[:MAX_ALTERNATIVES]
