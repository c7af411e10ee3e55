"""What single typing slip turns one name into another.

:func:`single_edit` names the one edit between two strings at optimal-string-alignment
distance 1: a swap of two neighbouring letters, a substitution (a neighbouring key or not), an
insertion (a doubled letter, a neighbouring key, or another character) or a deletion (of one of
a double letter, or of another character).
"""

from __future__ import annotations

from dataclasses import dataclass

from stockade.scoring.names.keyboard import adjacent


@dataclass(frozen=True, slots=True)
class Edit:
    """One edit from the target to the candidate."""

    kind: str
    """``swap``, ``substitute``, ``insert`` or ``delete``."""
    position: int
    """Where in the target it happens."""
    char: str
    """The character swapped in, substituted in, inserted or deleted."""
    replaced: str = ""
    """For ``substitute``, the target's character; for ``swap``, the other character."""
    doubled: bool = False
    """An insertion that doubles a letter, or a deletion of one of a double letter."""
    keyboard: bool = False
    """A substitution by a neighbouring key, or an insertion next to a neighbouring key."""


def single_edit(candidate: str, target: str) -> Edit | None:
    """The edit that turns ``target`` into ``candidate``; ``None`` unless there is exactly one."""
    if len(candidate) == len(target):
        diffs = [i for i, (a, b) in enumerate(zip(candidate, target, strict=True)) if a != b]
        if len(diffs) == 1:
            i = diffs[0]
            return Edit(
                "substitute",
                i,
                candidate[i],
                target[i],
                keyboard=adjacent(candidate[i], target[i]),
            )
        if (
            len(diffs) == 2
            and diffs[1] == diffs[0] + 1
            and candidate[diffs[0]] == target[diffs[1]]
            and candidate[diffs[1]] == target[diffs[0]]
        ):
            i = diffs[0]
            return Edit("swap", i, candidate[i], candidate[i + 1])
        return None
    if len(candidate) == len(target) + 1:
        i = _first_difference(candidate, target)
        if candidate[:i] + candidate[i + 1 :] != target:
            return None
        char = candidate[i]
        near = {candidate[j] for j in (i - 1, i + 1) if 0 <= j < len(candidate)}
        return Edit(
            "insert",
            i,
            char,
            doubled=char in near,
            keyboard=char not in near and any(adjacent(char, n) for n in near),
        )
    if len(candidate) + 1 == len(target):
        i = _first_difference(target, candidate)
        if target[:i] + target[i + 1 :] != candidate:
            return None
        char = target[i]
        near = {target[j] for j in (i - 1, i + 1) if 0 <= j < len(target)}
        return Edit("delete", i, char, doubled=char in near)
    return None


def _first_difference(longer: str, shorter: str) -> int:
    for i, char in enumerate(shorter):
        if longer[i] != char:
            return i
    return len(shorter)
