"""The typosquatting component: does the name imitate a popular package's?

The name is checked by :mod:`stockade.scoring.names` (also for a package the registry does not
know: the name is all there is), with the package's own popularity (``facts.popularity``) and
whether it is *established*: first published at least :data:`ESTABLISHED_YEARS` years before
``facts.as_of`` with at least :data:`ESTABLISHED_RELEASES` releases by then (a typosquat is
taken down long before that), which drops the weak matches.

=====================================================  =======  ================================
Finding                                                Score    Flag
=====================================================  =======  ================================
a strong match spelt alike (homoglyph, case,            1        ``typosquat`` (cap: overall
separator)                                                       <= 3)
another strong match (a typo, an affix, a scope,        2        ``typosquat`` (cap: overall
reordered words)                                                 <= 3)
a strong combosquat (lure word)                         3        ``typosquat`` (cap: overall
                                                                 <= 3)
a weak match: a typo, an affix, an unknown scope        5        ``possible-typosquat`` (warn)
a weak match: two edits, a combination (a popular       6-7      ``possible-typosquat`` (warn)
name plus a word: ``axios-proxy``)
no match                                                10
=====================================================  =======  ================================

Confidence is high for strong matches and for no match (the popular lists are complete for
what they cover), medium for weak ones.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from stockade.ecosystems.interface import Ecosystem
from stockade.scoring.components._common import published
from stockade.scoring.facts import PackageFacts
from stockade.scoring.model import (
    Component,
    ComponentName,
    Confidence,
    Evidence,
    Flag,
    FlagLevel,
)
from stockade.scoring.names import NameChecker, NameMatch, checker

TYPOSQUAT_CAP = 3.0
"""The highest overall score of a package whose name strongly imitates a popular one."""
ESTABLISHED_YEARS = 2.0
ESTABLISHED_RELEASES = 10

_STRONG_SCORES = {
    "homoglyph": 1.0,
    "case": 1.0,
    "separator": 1.0,
    "combosquat": 3.0,
}
"""Scores of strong matches by technique (others: 2)."""
_WEAK_SCORES = {
    "edit-distance": 5.0,
    "keyboard-typo": 5.0,
    "repeated-char": 5.0,
    "homoglyph": 5.0,
    "affix": 5.0,
    "scope": 5.0,
    "reorder": 5.0,
    "combosquat": 7.0,
}
"""Scores of weak matches by technique (two-edit ones: 6)."""


class TyposquattingScorer:
    """Name confusion with the popular packages of the ecosystem."""

    name = ComponentName.TYPOSQUATTING

    def __init__(self, checker_for: Callable[[Ecosystem], NameChecker] = checker) -> None:
        self._checker_for = checker_for

    def __call__(self, facts: PackageFacts) -> Component:
        history = _history(facts)
        established = history is not None and (
            history[0] >= ESTABLISHED_YEARS and history[1] >= ESTABLISHED_RELEASES
        )
        matches = self._checker_for(facts.ecosystem).imitations(
            facts.name, popularity=facts.popularity, established=established
        )
        evidence = _context(facts, history, established)
        if not matches:
            return Component(
                name=self.name,
                score=10.0,
                confidence=Confidence.HIGH,
                summary=f"'{facts.name}' does not imitate the name of a popular package.",
                evidence=tuple(evidence),
            )
        best = matches[0]
        strong = best.strength == "strong"
        score = _score(best)
        evidence = [
            Evidence("imitates", m.message, impact=round(_score(m) - 10.0, 1), value=_value(m))
            for m in matches
        ] + evidence
        if strong:
            flag = Flag("typosquat", FlagLevel.CAP, best.message, cap=TYPOSQUAT_CAP)
            summary = f"'{facts.name}' imitates the popular package '{best.target}'."
        else:
            flag = Flag("possible-typosquat", FlagLevel.WARN, best.message)
            summary = f"'{facts.name}' resembles the popular package '{best.target}'."
        return Component(
            name=self.name,
            score=score,
            confidence=Confidence.HIGH if strong else Confidence.MEDIUM,
            summary=summary,
            evidence=tuple(evidence),
            flags=(flag,),
        )


def _score(match: NameMatch) -> float:
    if match.strength == "strong":
        return _STRONG_SCORES.get(match.technique, 2.0)
    if match.edits == 2:
        return 6.0
    return _WEAK_SCORES.get(match.technique, 6.0)


def _value(match: NameMatch) -> dict[str, Any]:
    value = match.to_json()
    del value["message"]
    return value


def _history(facts: PackageFacts) -> tuple[float, int] | None:
    """Years since the first release and releases published up to ``facts.as_of``; ``None``
    when the registry gave no dates."""
    if facts.package is None:
        return None
    as_of = _aware(facts.as_of)
    dates = [dated.when for dated in published(facts)]  # shared with maintenance (cached)
    if facts.package.created is not None and _aware(facts.package.created) <= as_of:
        dates.append(_aware(facts.package.created))
        first = min(dates)
        releases = len(dates) - 1
    elif dates:
        first = min(dates)
        releases = len(dates)
    else:
        return None
    return (as_of - first).total_seconds() / 86400 / 365.25, releases


def _context(
    facts: PackageFacts, history: tuple[float, int] | None, established: bool
) -> list[Evidence]:
    out: list[Evidence] = []
    if facts.popularity is not None:
        out.append(
            Evidence(
                "popular",
                f"'{facts.name}' is itself among the popular packages "
                f"({facts.popularity:,} in the popular list's figures): only far more popular "
                "names count as imitated.",
                value=facts.popularity,
            )
        )
    if history is not None:
        age, releases = history
        out.append(
            Evidence(
                "established" if established else "history",
                f"First published {age:.1f} years ago, {releases} releases since"
                + ("; weak resemblances are ignored." if established else "."),
                value={"years": round(age, 2), "releases": releases},
            )
        )
    elif facts.package is None:
        out.append(
            Evidence(
                "unknown-package",
                "The registry does not know the package; only its name is checked.",
            )
        )
    return out


def _aware(when: datetime) -> datetime:
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


TYPOSQUATTING = TyposquattingScorer()
"""The typosquatting component with the shipped popular lists."""
