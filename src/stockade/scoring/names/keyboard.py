"""QWERTY key adjacency: which typing slips put one key in place of, or next to, another.

The layout is the staggered US QWERTY one: a key touches its left and right neighbours, the
two keys above it (same column and one to the right) and the two below it (same column and one
to the left), so ``s`` touches ``a d w e z x``. Digits are the top row.
"""

from __future__ import annotations

from functools import cache

ROWS: tuple[str, ...] = ("1234567890-", "qwertyuiop", "asdfghjkl", "zxcvbnm")
"""The rows of the layout, top to bottom, each starting one step further right."""


@cache
def neighbours(key: str) -> frozenset[str]:
    """The keys touching ``key`` (lower case); empty for keys not on the layout."""
    key = key.lower()
    for row, letters in enumerate(ROWS):
        column = letters.find(key)
        if column < 0:
            continue
        near: set[str] = set()
        for r, c in (
            (row, column - 1),
            (row, column + 1),
            (row - 1, column),
            (row - 1, column + 1),
            (row + 1, column - 1),
            (row + 1, column),
        ):
            if 0 <= r < len(ROWS) and 0 <= c < len(ROWS[r]):
                near.add(ROWS[r][c])
        return frozenset(near)
    return frozenset()


def adjacent(a: str, b: str) -> bool:
    """Whether keys ``a`` and ``b`` touch (case-insensitive)."""
    return b.lower() in neighbours(a)
