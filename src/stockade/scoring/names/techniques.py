"""The confusion techniques: each finds the targets a candidate imitates in its own way.

Every function takes the :class:`~stockade.scoring.names.index.TargetIndex` and the candidate's
forms and yields :class:`Hit`s; :class:`~stockade.scoring.names.detector.NameChecker` keeps the
best hit per target and applies the popularity rules.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

from rapidfuzz import process
from rapidfuzz.distance import OSA

from stockade.ecosystems.interface import Ecosystem
from stockade.scoring.names import messages
from stockade.scoring.names.edits import single_edit
from stockade.scoring.names.forms import NameForms, cores
from stockade.scoring.names.homoglyphs import foreign_characters
from stockade.scoring.names.index import MIN_TWO_EDITS, MIN_TYPO, TargetIndex
from stockade.scoring.names.words import (
    LANGUAGE_AFFIXES,
    MALWARE_WORDS,
    PLUGIN_PREFIXES,
    PLUGIN_SUFFIXES,
    PREFIXES,
    PROMISE_WORDS,
    SUFFIXES,
    is_version_tag,
)

STRONG = "strong"
WEAK = "weak"
MAX_GLUED = 40
"""Longer one-word names are not searched for glued popular names."""
MIN_COMBINED = 5
"""The shortest popular name (letters) looked for combined with other words."""
MAX_EXTRA_WORDS = 2
"""A popular name among more words than this is not a combination of it."""


@dataclass(frozen=True, slots=True)
class Hit:
    """One way a candidate imitates one target."""

    target: int
    """The target's position in the index."""
    technique: str
    message: str
    """The start of the sentence (see :mod:`~stockade.scoring.names.messages`)."""
    strength: str
    unknown_only: bool = False
    """Only a candidate that is not itself popular can imitate this way (combinations: an
    extension is naturally far less downloaded than what it extends)."""
    edits: int | None = None
    """For the edit-distance search, how many edits (1 or 2)."""


def exact_forms(index: TargetIndex, raw: str, c: NameForms) -> Iterator[Hit]:
    """``homoglyph``, ``case``, ``separator``, ``scope`` (flattened), ``repeated-char`` and
    ``reorder``: the targets sharing a form with the candidate."""
    foreign = foreign_characters(raw)
    for i in index.by_flat.get(c.flat, ()):
        t = index.forms[i]
        if t.name == c.name:
            continue
        if foreign:
            yield Hit(i, "homoglyph", messages.foreign(raw, foreign), STRONG)
        elif c.folded == t.folded:
            yield Hit(i, "case", f"'{raw}' differs only in letter case from", STRONG)
        elif (c.scope is None) != (t.scope is None):
            yield Hit(i, "scope", messages.flattened_scope(raw, t), STRONG)
        else:
            yield Hit(i, "separator", f"'{raw}' differs only in separators from", STRONG)
    for i in index.by_look.get(c.look, ()):
        t = index.forms[i]
        if t.flat == c.flat or len(t.flat) < 3:
            continue
        slip = single_edit(c.folded, t.folded)
        if slip is not None and slip.kind == "swap":
            continue  # 'cil' for 'cli' is a swap, not a look-alike: see typos()
        message = messages.foreign(raw, foreign) if foreign else messages.lookalike(raw, c, t)
        yield Hit(i, "homoglyph", message, STRONG)
    for i in index.by_squeezed.get(c.squeezed, ()):
        t = index.forms[i]
        if t.flat != c.flat and len(t.flat) >= MIN_TYPO:
            yield Hit(i, "repeated-char", messages.repeat(raw, c, t), STRONG)
    if c.scope is None and c.sorted_key is not None:
        for i in index.by_sorted.get(c.sorted_key, ()):
            if index.forms[i].tokens != c.tokens:
                yield Hit(i, "reorder", f"'{raw}' reorders the words of", STRONG)


def affixes(index: TargetIndex, c: NameForms) -> Iterator[Hit]:
    """``affix``: the same core with a language, kind or version affix added, dropped or
    traded. Strong when a language affix is added or traded (``python3-dateutil``,
    ``requests-py``, ``node-lodash``); weak otherwise (``dateutil``, ``google-api``)."""
    if c.scope is not None:
        return
    for mine in cores(c, index.ecosystem):
        for i, theirs in index.by_core.get(mine.core, ()):
            t = index.forms[i]
            added = {a for a in (mine.prefix, mine.suffix) if a}
            dropped = {a for a in (theirs.prefix, theirs.suffix) if a}
            if t.flat == c.flat or added == dropped:
                continue
            strong = (
                bool(added & LANGUAGE_AFFIXES)
                and all(a in LANGUAGE_AFFIXES or is_version_tag(a) for a in dropped)
                and not (mine.prefix and theirs.suffix)
                and not (mine.suffix and theirs.prefix)
            )
            yield Hit(i, "affix", messages.affix(c.name, mine, theirs), STRONG if strong else WEAK)


def scopes(index: TargetIndex, c: NameForms, combo_top: int) -> Iterator[Hit]:
    """``scope`` (npm): a look-alike of a popular scope (strong when the name is one of that
    scope's), or one of the ``combo_top`` unscoped names (5 letters or more) republished under
    an unknown scope (weak)."""
    if c.scope is None or c.scope in index.scope_sizes:
        return  # a popular scope's owner publishes what it wants there
    close = process.extract(
        c.scope,
        index.scope_names,
        scorer=OSA.distance,
        score_cutoff=1 if len(c.scope) < 8 else 2,
        limit=3,
    )
    for scope, _, _ in close:
        if len(scope) < 4:
            continue
        same = [i for i in index.scoped.get(c.bare, ()) if index.forms[i].scope == scope]
        for i in same:
            yield Hit(
                i,
                "scope",
                f"'{c.name}' uses '@{c.scope}', a look-alike of the scope '@{scope}', for",
                STRONG,
            )
    i = index.by_bare.get(c.bare, -1)
    if i >= 0 and len(c.bare) >= 5 and index.ranks[i] <= combo_top:
        yield Hit(
            i,
            "scope",
            f"'{c.name}' republishes under the unknown scope '@{c.scope}' the name of",
            WEAK,
        )


def typos(index: TargetIndex, raw: str, c: NameForms) -> Iterator[Hit]:
    """``edit-distance``, ``keyboard-typo`` and ``repeated-char`` by one edit (OSA distance
    1 between the names without separators) and ``edit-distance`` by two (weak; targets of 8
    letters or more, same first letter, and when the names differ in one word only, a word of
    5 letters or more: ``lru-cahle`` for ``lru-cache``, not ``django-foo`` for
    ``django-solo``).

    One edit on a target of 4 letters counts only as a swap, a neighbouring key or a doubled
    letter (weak); on 5 letters other edits are weak. Weak too (common legitimate names): a
    letter put in front (``grequests``, ``ipytest``), a plural ``s`` added or dropped, and an
    edit other than a typing slip in a word of 4 letters or fewer (``django-crm``).
    """
    flat = c.flat
    if len(flat) < 3:
        return
    seen: set[int] = set()
    for key in ("^" + flat[0], flat[-1] + "$"):
        bucket = index.near.get((key, len(flat)))
        if bucket is None:
            continue
        choices, ids = bucket
        for _, distance, k in process.extract(
            flat, choices, scorer=OSA.distance, score_cutoff=1, limit=None
        ):
            if distance == 1 and ids[k] not in seen:
                seen.add(ids[k])
                hit = _one_edit(index, raw, c, ids[k])
                if hit is not None:
                    yield hit
    far = index.far.get(("^" + flat[0], len(flat)))
    if far is not None and len(flat) >= MIN_TWO_EDITS - 2:
        choices, ids = far
        for _, distance, k in process.extract(
            flat, choices, scorer=OSA.distance, score_cutoff=2, limit=None
        ):
            t = index.forms[ids[k]]
            if distance != 2 or (c.scope is not None and t.bare == c.bare):
                continue
            word = _differing_word(c, t)
            if word is None or len(word) >= MIN_TWO_EDITS - 3:
                yield Hit(ids[k], "edit-distance", messages.two_edits(raw), WEAK, edits=2)


def _differing_word(c: NameForms, t: NameForms) -> str | None:
    """The target's one word that differs from the candidate's, when the two names have the
    same scope and number of words and differ in one word only (``solo`` for ``django-foo``
    and ``django-solo``)."""
    if c.scope != t.scope or len(c.tokens) != len(t.tokens) or len(t.tokens) < 2:
        return None
    differ = [b for a, b in zip(c.tokens, t.tokens, strict=True) if a != b]
    return differ[0] if len(differ) == 1 else None


def _one_edit(index: TargetIndex, raw: str, c: NameForms, i: int) -> Hit | None:
    t = index.forms[i]
    if t.scope is not None and c.scope is not None and t.bare == c.bare:
        return None  # a look-alike scope: see scopes()
    slip = single_edit(c.flat, t.flat)
    size = len(t.flat)
    if slip is None or size < MIN_TYPO:
        return None
    typing = slip.kind == "swap" or slip.keyboard or slip.doubled
    if size == MIN_TYPO and not typing:
        return None
    strong = size >= 6 or (size == 5 and typing)
    if slip.kind == "insert" and slip.position == 0 and not slip.doubled:
        strong = False  # grequests, ipytest
    if slip.char == "s" and (
        (slip.kind == "insert" and slip.position == size)
        or (slip.kind == "delete" and slip.position == size - 1)
    ):
        strong = False  # a plural
    word = _differing_word(c, t)
    if word is not None and len(word) <= MIN_TYPO and not typing:
        strong = False  # django-crm, django-crum
    technique = (
        "repeated-char" if slip.doubled else "keyboard-typo" if slip.keyboard else "edit-distance"
    )
    return Hit(i, technique, messages.edit(raw, slip), STRONG if strong else WEAK, edits=1)


def combinations(
    index: TargetIndex, c: NameForms, combo_top: int, min_glued: int, conventions: bool = True
) -> Iterator[Hit]:
    """``combosquat``: a popular name of 5 letters or more (its words, or glued in a one-word
    name) with other words.

    - With a lure word (one or two other words, found with the longest popular name in the
      name): strong with a malware word, or a promise word on a name that is not a namespace;
      weak with a promise word on a namespace (``django-secure``).
    - Without (a *plain* combination: ``axios-proxy``, ``express-blackbox``,
      ``buffervelocity``): weak, for the ``combo_top`` names (spelt in full: not ``discord``
      for ``discord-py``) in an unscoped name, with any number of words after or before the
      popular name and at most two around it, unless the name has the shape of an extension
      (:func:`conventional`).
    """
    tokens = c.tokens
    runs: list[tuple[int, int, int]] = []
    for start in range(len(tokens)):
        for end in range(start + 1, len(tokens) + 1):
            if end - start < len(tokens):
                i = index.by_words.get("-".join(tokens[start:end]), -1)
                if i >= 0:
                    runs.append((i, start, end))
    if runs:
        runs.sort(key=lambda r: (r[1] - r[2], r[1]))  # the longest first, then the leftmost
        i, start, end = runs[0]
        hit = _lure(index, c, i, "-".join(tokens[start:end]), tokens[:start], tokens[end:])
        if hit is None and c.scope is None:
            plain = (
                _plain(index, c, i, start, end, combo_top, conventions) for i, start, end in runs
            )
            hit = next((h for h in plain if h is not None), None)
        if hit is not None:
            yield hit
        return
    if len(tokens) != 1 or len(tokens[0]) > MAX_GLUED:
        return
    yield from _glued(index, c, combo_top, min_glued)


def _glued(index: TargetIndex, c: NameForms, combo_top: int, min_glued: int) -> Iterator[Hit]:
    """A popular name glued inside a one-word name (``instarequests``, ``buffervelocity``): the
    longest one with a lure word, else the longest of the ``combo_top`` names."""
    word = c.tokens[0]
    first = True
    for size in range(len(word) - 2, min_glued - 1, -1):
        for start in range(len(word) - size + 1):
            part = word[start : start + size]
            i = index.by_words.get(part, -1)
            if i < 0:
                continue
            before = (word[:start],) if start else ()
            after = (word[start + size :],) if start + size < len(word) else ()
            hit = _lure(index, c, i, part, before, after) if first else None
            first = False
            if hit is None and c.scope is None and _is_plain(index, i, part, combo_top):
                message = messages.extension(c.name, before, after)
                hit = Hit(i, "combosquat", message, WEAK, unknown_only=True)
            if hit is not None:
                yield hit
                return


def _lure(
    index: TargetIndex,
    c: NameForms,
    i: int,
    key: str,
    before: tuple[str, ...],
    after: tuple[str, ...],
) -> Hit | None:
    """A popular name with one or two other words, one of them a lure word."""
    extra = before + after
    if not _words_added(index, key, extra) or len(extra) > MAX_EXTRA_WORDS:
        return None  # 'once' in a film title is no imitation
    malware = [w for w in extra if w in MALWARE_WORDS]
    promise = [w for w in extra if w in PROMISE_WORDS]
    if not (malware or promise):
        return None
    namespace = index.is_namespace(key) or (bool(before) and index.is_namespace("-".join(before)))
    strength = STRONG if malware or not namespace else WEAK
    shown = malware or promise
    return Hit(i, "combosquat", messages.combination(c.name, shown), strength, unknown_only=True)


def _plain(
    index: TargetIndex,
    c: NameForms,
    i: int,
    start: int,
    end: int,
    combo_top: int,
    conventions: bool,
) -> Hit | None:
    """A popular name (the words ``start:end`` of the candidate) with other plain words."""
    tokens = c.tokens
    key = "-".join(tokens[start:end])
    before, after = tokens[:start], tokens[end:]
    if not _words_added(index, key, before + after) or not _is_plain(index, i, key, combo_top):
        return None
    if before and after and len(before) + len(after) > MAX_EXTRA_WORDS:
        return None
    if conventions and conventional(index.ecosystem, tokens, start, end):
        return None
    return Hit(i, "combosquat", messages.extension(c.name, before, after), WEAK, unknown_only=True)


def _words_added(index: TargetIndex, key: str, extra: tuple[str, ...]) -> bool:
    """Whether ``extra`` holds words other than affixes and version tags (see affixes()),
    added to a popular name long enough to be recognised in other words."""
    affix_words = set(PREFIXES[index.ecosystem]) | set(SUFFIXES[index.ecosystem])
    return (
        len(key.replace("-", "")) >= MIN_COMBINED
        and bool(extra)
        and not all(w in affix_words or is_version_tag(w) for w in extra)
    )


def _is_plain(index: TargetIndex, i: int, key: str, combo_top: int) -> bool:
    """Whether a popular name found as ``key`` counts in plain combinations: one of the
    ``combo_top`` most popular, spelt in full (not ``discord`` for ``discord-py``)."""
    return index.ranks[i] <= combo_top and index.forms[i].words_key == key


def conventional(ecosystem: Ecosystem, tokens: tuple[str, ...], start: int, end: int) -> bool:
    """Whether a name whose words ``start:end`` are a popular name has the shape of an
    extension: it starts with a :data:`~.words.PLUGIN_PREFIXES` sequence or ends with a
    :data:`~.words.PLUGIN_SUFFIXES` one that the popular name does not straddle
    (``rollup-plugin-x`` for ``rollup``, ``vite-plugin-react`` for ``react``; not
    ``react-dom-x``, which extends ``react-dom``, for the prefix ``react``)."""
    size = len(tokens)
    for words in _split(PLUGIN_PREFIXES[ecosystem]):
        n = len(words)
        if n < size and tokens[:n] == words and not start < n < end:
            return True
    for words in _split(PLUGIN_SUFFIXES[ecosystem]):
        n = len(words)
        if n < size and tokens[size - n :] == words and not start < size - n < end:
            return True
    return False


@cache
def _split(sequences: tuple[str, ...]) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(s.split("-")) for s in sequences)
