"""The popular names of an ecosystem, indexed by the forms confusion techniques compare.

Built once per checker: every target's :class:`~stockade.scoring.names.forms.NameForms` and
dictionaries from each form to the targets having it, the targets bucketed by length for the
edit-distance search, the npm scopes, and the *namespaces* (word sequences that are part of
several popular names: ``django``, ``pytest``, ``azure``, ``eslint-plugin``).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable

from stockade.ecosystems.interface import Ecosystem
from stockade.scoring.names.forms import Core, NameForms, cores, split
from stockade.scoring.names.popular import PopularNames
from stockade.scoring.names.words import PREFIXES, SUFFIXES

MIN_TYPO = 4
"""Targets shorter than this (without separators) are left out of the edit-distance search."""
MIN_TWO_EDITS = 8
"""Targets shorter than this are left out of the two-edit search."""
MIN_WORD_CORE = 6
"""The shortest name found by its words without an affix (``discord`` for ``discord-py``,
not ``watch`` for ``node-watch``)."""


class TargetIndex:
    """The targets (the ``count`` most popular names) and their forms, indexed."""

    def __init__(
        self, ecosystem: Ecosystem, popular: PopularNames, count: int | None, namespace: int
    ) -> None:
        self.ecosystem = ecosystem
        self.popular = popular
        names = popular.top(count)
        self.forms = [NameForms.of(n) for n in names]
        self.figures = [popular.popularity(n) or 0 for n in names]
        self.ranks = [popular.rank(n) or 0 for n in names]
        self.by_flat: dict[str, list[int]] = defaultdict(list)
        self.by_look: dict[str, list[int]] = defaultdict(list)
        self.by_squeezed: dict[str, list[int]] = defaultdict(list)
        self.by_sorted: dict[str, list[int]] = defaultdict(list)
        self.by_words: dict[str, int] = {}
        """Unscoped targets by their words, and by their words without a separate affix
        (``discord-py`` is also found as ``discord``); the most popular wins."""
        self.by_core: dict[str, list[tuple[int, Core]]] = defaultdict(list)
        self.by_bare: dict[str, int] = {}
        self.scoped: dict[str, list[int]] = defaultdict(list)
        for i, f in enumerate(self.forms):
            self.by_flat[f.flat].append(i)
            self.by_look[f.look].append(i)
            self.by_squeezed[f.squeezed].append(i)
            if f.scope is None:
                if f.sorted_key is not None:
                    self.by_sorted[f.sorted_key].append(i)
                self.by_words.setdefault(f.words_key, i)
                for words in self._word_cores(f.tokens):
                    self.by_words.setdefault(words, i)
                self.by_bare.setdefault(f.bare, i)
                for core in cores(f, ecosystem):
                    self.by_core[core.core].append((i, core))
            else:
                self.scoped[f.bare].append(i)
        parts = [(f.scope, f.tokens) for f in self.forms] + [
            (scope, tokens) for scope, _, tokens in map(split, popular.top()[len(self.forms) :])
        ]
        self.scope_names, self.scope_sizes = _scopes(parts)
        self.namespaces = _namespaces(parts, namespace)
        self.near: dict[tuple[str, int], tuple[list[str], list[int]]] = {}
        """Targets (flat forms) by the first or the last letter (keys ``("^a", n)`` and
        ``("a$", n)``) and the length of the candidates they may be one edit from: one edit
        keeps the first or the last letter of a name of 3 letters or more."""
        self.far: dict[tuple[str, int], tuple[list[str], list[int]]] = {}
        """Targets by the first letter and length of the candidates they may be two edits
        from (two-edit matches must keep the first letter)."""
        self._buckets()

    def _word_cores(self, tokens: tuple[str, ...]) -> list[str]:
        out: list[str] = []
        if len(tokens) > 1 and tokens[0] in PREFIXES[self.ecosystem]:
            out.append("-".join(tokens[1:]))
        if len(tokens) > 1 and tokens[-1] in SUFFIXES[self.ecosystem]:
            out.append("-".join(tokens[:-1]))
        return [w for w in out if len(w) >= MIN_WORD_CORE]

    def _buckets(self) -> None:
        ends: dict[tuple[str, int], list[int]] = defaultdict(list)
        for i, f in enumerate(self.forms):
            if len(f.flat) >= MIN_TYPO:
                ends["^" + f.flat[0], len(f.flat)].append(i)
                ends[f.flat[-1] + "$", len(f.flat)].append(i)
        self.near = self._spread(ends, 1)
        starts = {k: v for k, v in ends.items() if k[0].startswith("^")}
        long = {
            k: [i for i in v if len(self.forms[i].flat) >= MIN_TWO_EDITS] for k, v in starts.items()
        }
        self.far = self._spread(long, 2)

    def _spread(
        self, groups: dict[tuple[str, int], list[int]], reach: int
    ) -> dict[tuple[str, int], tuple[list[str], list[int]]]:
        """For every (key, length), the targets of that key within ``reach`` of the length."""
        out: dict[tuple[str, int], tuple[list[str], list[int]]] = {}
        for key, length in {(k, n + d) for k, n in groups for d in range(-reach, reach + 1)}:
            ids = [i for d in range(-reach, reach + 1) for i in groups.get((key, length + d), ())]
            if ids:
                out[key, length] = ([self.forms[i].flat for i in ids], ids)
        return out

    def is_namespace(self, words: str) -> bool:
        """Whether a word sequence (``django``, ``google-cloud``) is part of several popular
        names, so that combining it with other words is a naming convention."""
        return words in self.namespaces


def _scopes(
    parts: Iterable[tuple[str | None, tuple[str, ...]]],
) -> tuple[list[str], dict[str, int]]:
    """The npm scopes of the popular names, and how many names each holds."""
    sizes = Counter(scope for scope, _ in parts if scope is not None)
    return sorted(sizes), dict(sizes)


def _namespaces(
    parts: Iterable[tuple[str | None, tuple[str, ...]]], threshold: int
) -> frozenset[str]:
    """Word sequences that are a proper part of at least ``threshold`` popular names."""
    counts: Counter[str] = Counter()
    for _, tokens in parts:
        if len(tokens) < 2:
            continue
        counts.update(
            {
                "-".join(tokens[i:j])
                for i in range(len(tokens))
                for j in range(i + 1, len(tokens) + 1)
                if j - i < len(tokens)
            }
        )
    return frozenset(k for k, v in counts.items() if v >= threshold)
