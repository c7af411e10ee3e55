"""A fast multi-pattern search that tells whether a file is worth a full analysis.

Analysers of large packages cannot parse every file: they first ask whether a file holds any
token one of their threat rules needs (``exec``, ``subprocess``, a webhook host ...), in one
pass of an Aho-Corasick automaton over the bytes (hundreds of MB/s), and parse only the files
that do.
"""

from __future__ import annotations

from collections.abc import Iterable

from ahocorasick_rs import BytesAhoCorasick, Implementation, MatchKind


class Triage:
    """Finds any of a fixed set of byte patterns in data, in one linear pass.

    With ``ignore_case`` the patterns and the data are compared in ASCII lower case. Build one
    per process and reuse it: building the automaton costs far more than one search.
    """

    def __init__(self, patterns: Iterable[bytes], *, ignore_case: bool = False) -> None:
        unique = dict.fromkeys(p.lower() if ignore_case else p for p in patterns if p)
        if not unique:
            raise ValueError("Triage needs at least one non-empty pattern")
        self.patterns: tuple[bytes, ...] = tuple(unique)
        """The distinct patterns, in the order first given (lower-cased with ``ignore_case``)."""
        self.ignore_case = ignore_case
        self._automaton = BytesAhoCorasick(
            self.patterns, matchkind=MatchKind.Standard, implementation=Implementation.DFA
        )

    def _search(self, data: bytes) -> list[tuple[int, int, int]]:
        haystack = data.lower() if self.ignore_case else data
        return self._automaton.find_matches_as_indexes(haystack, overlapping=True)

    def hits(self, data: bytes) -> bool:
        """Whether any pattern occurs in ``data``."""
        return bool(self._search(data))

    def found(self, data: bytes) -> frozenset[bytes]:
        """Every distinct pattern that occurs in ``data``."""
        patterns = self.patterns
        return frozenset(patterns[index] for index in {m[0] for m in self._search(data)})

    def positions(self, data: bytes) -> list[tuple[bytes, int]]:
        """Every occurrence of every pattern (overlapping ones too) as (pattern, start offset),
        in order of their end."""
        patterns = self.patterns
        return [(patterns[index], start) for index, start, _ in self._search(data)]
