"""Which popular package a name imitates, and how.

:class:`NameChecker` compares a candidate name with the popular names of its ecosystem
(:mod:`stockade.scoring.names.popular`) and returns a :class:`NameMatch` per imitated package,
naming the technique:

- ``case`` (npm: ``jsonstream`` for the legacy ``JSONStream``), ``separator`` (``crossenv``,
  ``cross_env`` for ``cross-env``), ``homoglyph`` (Unicode look-alikes, or ``jeIlyfish``, ``0``
  for ``o``, ``rn`` for ``m``), ``repeated-char`` (``reqquests``, ``urlib3``);
- ``keyboard-typo`` (a neighbouring QWERTY key in place of, or next to, a letter) and
  ``edit-distance`` (a swap: ``reqeusts``; another insertion, deletion or substitution:
  ``djanga``, ``colourama``; two edits on long names);
- ``affix`` (``python3-dateutil``, ``requests-py``, ``node-lodash``, ``telethon2``: see
  :mod:`~stockade.scoring.names.words`), ``scope`` (npm: ``types-node`` for ``@types/node``, a
  look-alike scope, a popular name republished under an unknown scope), ``reorder``
  (``toolbelt-requests``), ``combosquat`` (a popular name plus another word: ``discord-selfbot``).

How it avoids flagging legitimate names (each threshold a field of :class:`Policy`, chosen with
``benchmarks/names.py``; see ``benchmarks/results/typosquat.md``):

- **Targets**: the :attr:`Policy.targets` most popular names of the list (all by default:
  typosquats of the 10,000th PyPI project are as real as those of the 10th).
- **Popularity ratio**: a candidate imitates a target only when the target's figure is at
  least :attr:`Policy.ratio` times the candidate's own (the figure the caller passes, else the
  candidate's figure in the list; a candidate in neither is "not popular" and may imitate any
  target). Traffic won by mistyping is a tiny share of the original's, so a package with more
  than 1/3000 of the downloads of a look-alike has users of its own (``boto`` has 1/215 of
  ``boto3``'s, ``attr`` 1/1300 of ``attrs``'s). The PyPI figures span 1:33,000; the npm ones
  (derived from ranks) only 1:420, so no npm high-impact package imitates another.
- **Short names**: a typo of a target of 3 letters or fewer is noise; of 4, only a swap, a
  neighbouring key or a doubled letter counts (weak); of 5, other edits are weak; two edits need
  8 letters and the same first letter (and, in a name differing in one word, a word of 5
  letters: not ``django-foo`` for ``django-solo``). A letter put in front (``grequests``), a
  plural ``s`` and other than a typing slip in a short word (``django-crm``) are weak.
- **Combinations** are only looked for in names that are not popular themselves (an extension
  is naturally far less downloaded than what it extends). With a lure word (``-secure``,
  ``-official``, ``selfbot``) they are strong, or weak on a *namespace* (a popular name that is
  a word of several other popular names: ``django``, ``requests``, ``eslint-plugin``). Plain
  ones (``axios-proxy``, ``eslint-config-mattermost``, ``buffervelocity``: the shape of most
  malicious npm names) are weak, only for the :attr:`Policy.combo_top` names and unscoped
  names, and not at all in the shape of an extension (``django-x``, ``react-x``,
  ``rollup-plugin-x``: :data:`~stockade.scoring.names.words.PLUGIN_PREFIXES`): a weak match
  warns about a new package and is dropped for an established one.
- **Strength**: two-edit matches, dropped or kind affixes (``-sdk``, ``-core``), plain
  combinations, unknown scopes and matches against targets with a figure below
  :attr:`Policy.strong_min` are ``weak``; ``established=True`` (the caller's judgement from
  registry history) drops weak matches, and a strong match hides the weak ones.

A check is a handful of dictionary look-ups of precomputed forms
(:class:`~stockade.scoring.names.index.TargetIndex`) plus two rapidfuzz OSA searches with a
cutoff, over the targets of similar length sharing the first or the last letter (one edit
keeps one of them; two edits must keep the first): about 0.2 ms per name.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from functools import cache

from rapidfuzz.distance import OSA

from stockade.ecosystems.interface import Ecosystem
from stockade.scoring.names import techniques
from stockade.scoring.names.forms import NameForms
from stockade.scoring.names.index import TargetIndex
from stockade.scoring.names.popular import PopularNames, popular_names
from stockade.scoring.names.techniques import STRONG, WEAK, Hit

__all__ = ["STRONG", "WEAK", "NameChecker", "NameMatch", "Policy", "checker"]

_PRIORITY = {
    "case": 0,
    "homoglyph": 1,
    "separator": 2,
    "scope": 3,
    "repeated-char": 4,
    "affix": 5,
    "reorder": 6,
    "keyboard-typo": 7,
    "edit-distance": 8,
    "combosquat": 9,
}
"""Which technique describes a pair best, when several apply (most specific first)."""


@dataclass(frozen=True, slots=True)
class NameMatch:
    """A popular package a name imitates."""

    target: str
    """The imitated popular package (normalised name)."""
    technique: str
    """``case``, ``homoglyph``, ``separator``, ``scope``, ``repeated-char``, ``keyboard-typo``,
    ``edit-distance``, ``affix``, ``reorder`` or ``combosquat``."""
    message: str
    """One sentence for people."""
    strength: str
    """``strong`` (very likely an imitation) or ``weak`` (worth a look)."""
    similarity: float
    """0-1: the normalised OSA similarity of the two names (lower-cased)."""
    target_popularity: int | None
    """The target's figure in the popular list."""
    edits: int | None = None
    """For typing slips found by edit distance, how many edits (1 or 2); else ``None``."""

    def to_json(self) -> dict[str, object]:
        """A JSON-ready dictionary."""
        return {
            "target": self.target,
            "technique": self.technique,
            "message": self.message,
            "strength": self.strength,
            "similarity": self.similarity,
            "target_popularity": self.target_popularity,
            "edits": self.edits,
        }


@dataclass(frozen=True, slots=True)
class Policy:
    """The thresholds of a :class:`NameChecker` (defaults chosen with the benchmark)."""

    targets: int | None = None
    """How many of the most popular names can be imitated (``None``: all of the list)."""
    strong_min: int = 1_000_000
    """Matches against targets with a smaller figure are weak (about the top 4,500 PyPI
    projects qualify; every npm high-impact package does)."""
    ratio: int = 3000
    """A target must be at least this many times as popular as the candidate."""
    namespace: int = 3
    """A word sequence that is part of at least this many popular names is a namespace."""
    combo_top: int = 1000
    """Plain combinations (no lure word) are looked for with the top names only."""
    conventions: bool = True
    """Plain combinations in the shape of an extension (``django-x``, ``rollup-plugin-x``: see
    :data:`~stockade.scoring.names.words.PLUGIN_PREFIXES`) are not flagged."""
    min_glued: int = 6
    """The shortest popular name found glued inside a one-word name (``instarequests``)."""
    limit: int = 3
    """At most this many matches are returned, best first."""

    def to_json(self) -> dict[str, int | bool | None]:
        """A JSON-ready dictionary."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


class NameChecker:
    """Finds the popular packages a name imitates, in one ecosystem."""

    def __init__(
        self,
        ecosystem: Ecosystem,
        popular: PopularNames | None = None,
        policy: Policy | None = None,
    ) -> None:
        self.ecosystem = Ecosystem(ecosystem)
        self.popular = popular if popular is not None else popular_names(self.ecosystem)
        self.policy = policy or Policy()
        self.index = TargetIndex(
            self.ecosystem, self.popular, self.policy.targets, self.policy.namespace
        )

    def imitations(
        self, name: str, *, popularity: int | None = None, established: bool = False
    ) -> list[NameMatch]:
        """The popular packages ``name`` imitates, best first (by similarity and popularity:
        see :func:`_order`; only those spelt the same when some are, weak ones only when there
        is no strong one); empty when it imitates none. A name under a scope that holds popular
        packages imitates nothing: only the scope's owner publishes there.

        ``popularity`` is the candidate's own figure (``None``: looked up in the popular list,
        and when absent there the candidate is not popular); ``established`` drops weak matches.
        """
        raw = name.strip()
        norm = self.popular.normalize(raw)
        if not norm:
            return []
        own = popularity if popularity is not None else self.popular.popularity(norm)
        c = NameForms.of(norm)
        index, policy = self.index, self.policy
        if c.scope is not None and c.scope in index.scope_sizes:
            return []  # only the owner of a popular scope publishes in it
        found: dict[int, Hit] = {}
        for hits in (
            techniques.exact_forms(index, raw, c),
            techniques.affixes(index, c),
            techniques.scopes(index, c, policy.combo_top),
            techniques.typos(index, raw, c),
            techniques.combinations(
                index, c, policy.combo_top, policy.min_glued, policy.conventions
            ),
        ):
            for hit in hits:
                old = found.get(hit.target)
                if old is None or _rank(hit) < _rank(old):
                    found[hit.target] = hit
        matches: list[NameMatch] = []
        for hit in found.values():
            target = index.forms[hit.target]
            if target.name == norm or (target.scope is not None and target.scope == c.scope):
                continue  # itself, or a name the owner of its scope published
            if own is not None and (
                hit.unknown_only or index.figures[hit.target] < policy.ratio * own
            ):
                continue
            strength = hit.strength
            if index.figures[hit.target] < policy.strong_min:
                strength = WEAK
            if established and strength == WEAK:
                continue
            matches.append(
                NameMatch(
                    target=target.name,
                    technique=hit.technique,
                    message=f"{hit.message} {self._about(target.name)}.",
                    strength=strength,
                    similarity=round(OSA.normalized_similarity(c.folded, target.folded), 3),
                    target_popularity=self.popular.popularity(target.name),
                    edits=hit.edits,
                )
            )
        if any(m.similarity == 1.0 for m in matches):
            matches = [m for m in matches if m.similarity == 1.0]  # spelt the same
        elif any(m.strength == STRONG for m in matches):
            matches = [m for m in matches if m.strength == STRONG]
        matches.sort(key=_order)
        return matches[: policy.limit]

    def _about(self, target: str) -> str:
        rank = self.popular.rank(target)
        figure = self.popular.popularity(target) or 0
        if self.ecosystem is Ecosystem.PYPI:
            return f"'{target}' (PyPI's #{rank} project, {figure:,} downloads in 30 days)"
        return f"'{target}' (#{rank} of npm's high-impact packages)"


def _order(match: NameMatch) -> float:
    """Best first: the similarity plus a tenth of the target's order of magnitude (a target a
    hundred times as popular outweighs 0.2 of similarity: ``yaml`` imitates ``pyyaml`` before
    ``pyaml``)."""
    return -(match.similarity + 0.1 * math.log10(max(match.target_popularity or 1, 1)))


def _rank(hit: Hit) -> tuple[bool, int]:
    return hit.strength != STRONG, _PRIORITY[hit.technique]


@cache
def checker(ecosystem: Ecosystem) -> NameChecker:
    """The checker of an ecosystem with the shipped popular names and the default policy."""
    return NameChecker(Ecosystem(ecosystem))
