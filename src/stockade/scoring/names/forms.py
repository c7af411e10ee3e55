"""The forms of a package name that confusion techniques compare.

Every form is computed once per name: for the popular names when a checker is built, for the
candidate when it is checked. Comparing forms is a dictionary look-up, which is what keeps a
check fast (see :mod:`stockade.scoring.names.detector`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from stockade.ecosystems.interface import Ecosystem
from stockade.scoring.names.homoglyphs import ascii_fold, skeleton
from stockade.scoring.names.words import NOT_GLUED, PREFIXES, SUFFIXES, is_version_tag

SEPARATORS = re.compile(r"[-_.]+")
"""What separates the words of a name (PEP 503 folds runs of them into ``-``; npm keeps them)."""

_REPEATS = re.compile(r"(.)\1+")
_GLUED_VERSION = re.compile(r"^(.*?[a-z])(v?\d{1,2})$")
MIN_CORE = 4
"""The shortest core an affix may be stripped down to (``py-yaml`` to ``yaml``, not ``jwt``)."""


@dataclass(frozen=True, slots=True)
class NameForms:
    """A name and the forms it is compared in."""

    name: str
    """The name in the ecosystem's normal form (npm keeps its case)."""
    folded: str
    """Lower case, Unicode look-alikes replaced by the ASCII letters they imitate."""
    scope: str | None
    """The npm scope, folded, without ``@``; ``None`` when unscoped."""
    bare: str
    """The folded name without its scope."""
    tokens: tuple[str, ...]
    """The words of :attr:`bare`."""
    flat: str
    """Folded, without separators or scope marks: ``@types/node`` is ``typesnode``."""
    squeezed: str
    """The words (and scope) with runs of one character collapsed: ``urllib3`` is ``urlib3``,
    ``requests_toolbelt`` is ``requests-tolbelt``."""
    look: str
    """The look-alike skeleton of :attr:`flat` (:func:`~.homoglyphs.skeleton`)."""

    @classmethod
    def of(cls, name: str) -> NameForms:
        """The forms of a normalised name."""
        folded = ascii_fold(name)
        scope, bare, tokens = split(folded)
        flat = (scope or "") + "".join(tokens)
        flat = "".join(t for t in SEPARATORS.split(flat) if t)
        return cls(
            name=name,
            folded=folded,
            scope=scope,
            bare=bare,
            tokens=tokens,
            flat=flat,
            squeezed=_REPEATS.sub(
                r"\1", f"{scope}/{'-'.join(tokens)}" if scope else "-".join(tokens)
            ),
            look=skeleton(flat),
        )

    @property
    def words_key(self) -> str:
        """The words in order, joined by ``-`` (``requests_toolbelt`` is ``requests-toolbelt``)."""
        return "-".join(self.tokens)

    @property
    def sorted_key(self) -> str | None:
        """The words sorted, joined by ``-``; ``None`` for a one-word name."""
        if len(self.tokens) < 2:
            return None
        return "-".join(sorted(self.tokens))


def split(name: str) -> tuple[str | None, str, tuple[str, ...]]:
    """A name's npm scope (without ``@``; ``None`` when unscoped), the name without it, and
    that name's words."""
    scope: str | None = None
    bare = name
    if name.startswith("@") and "/" in name:
        scope, bare = name[1:].split("/", 1)
    return scope, bare, tuple(t for t in SEPARATORS.split(bare) if t)


@dataclass(frozen=True, slots=True)
class Core:
    """What is left of a name once its affixes are stripped."""

    core: str
    """The flat core (``dateutil`` for ``python-dateutil``)."""
    prefix: str
    """The prefix stripped (``python``), ``""`` for none."""
    suffix: str
    """The suffix or version tag stripped (``py``, ``3``), ``""`` for none."""


def cores(forms: NameForms, ecosystem: Ecosystem) -> list[Core]:
    """Every way of stripping one prefix and/or one suffix (separate or glued) from the
    unscoped name, leaving at least :data:`MIN_CORE` characters; the unstripped name first."""
    tokens = list(forms.tokens)
    if not tokens:
        return []
    heads: list[tuple[str, list[str]]] = [("", tokens)]
    first = tokens[0]
    for prefix in PREFIXES[ecosystem]:
        if len(tokens) > 1 and first == prefix:
            heads.append((prefix, tokens[1:]))
        elif prefix not in NOT_GLUED and first.startswith(prefix) and len(first) > len(prefix):
            heads.append((prefix, [first[len(prefix) :], *tokens[1:]]))
    out: list[Core] = []
    seen: set[str] = set()
    for prefix, rest in heads:
        for suffix, body in _tails(rest, ecosystem):
            core = "".join(body)
            if (prefix or suffix) and len(core) < MIN_CORE:
                continue
            if core not in seen:
                seen.add(core)
                out.append(Core(core, prefix, suffix))
    return out


def _tails(tokens: list[str], ecosystem: Ecosystem) -> list[tuple[str, list[str]]]:
    tails: list[tuple[str, list[str]]] = [("", tokens)]
    last = tokens[-1]
    if len(tokens) > 1 and (last in SUFFIXES[ecosystem] or is_version_tag(last)):
        tails.append((last, tokens[:-1]))
    for suffix in SUFFIXES[ecosystem]:
        if suffix not in NOT_GLUED and last.endswith(suffix) and len(last) > len(suffix):
            tails.append((suffix, [*tokens[:-1], last[: -len(suffix)]]))
    glued = _GLUED_VERSION.match(last)
    if glued:
        tails.append((glued.group(2), [*tokens[:-1], glued.group(1)]))
    return tails
