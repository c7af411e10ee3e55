"""The origin component: does the declared source repository belong to this package?

Starjacking is declaring a popular project's repository to borrow its stars and reputation:
``evilpkg`` declaring ``github.com/psf/requests``. Two facts tell it apart from monorepos
(``@babel/*`` in ``babel/babel``, ``azure-*`` in ``Azure/azure-sdk-for-python``, ``@types/*`` in
``DefinitelyTyped``): whether the package's name fits the repository, and which other packages
declare the same repository (``facts.same_origin``, most popular first) and how popular they
are (the popular lists of :mod:`stockade.scoring.names`).

Name fit, on lower-cased names without separators and without ``py-``/``python-``/``-js``/
``node-``-like affixes: *exact* (the repository's name), *stem* (shares a word with the
repository or its owner, contains or is contained in its name, or a known monorepo's naming),
*near* (rapidfuzz ratio >= 85 without being the same: a look-alike) or *none*.

========================================================  =================  ===============
Fact                                                      Impact             Flag
========================================================  =================  ===============
a source repository is declared                           base 7
the name fits it exactly / by stem / nearly / not at all  +3 / +2 / +1 / 0
also declared by others named like it (a monorepo), or    0
by others not named like it while this name fits it
also declared by others, and this name does not fit it    -2
also declared by a more popular package that fits it      down to 2          ``starjacking``
better, while this name fits it nearly or not at all
no repository declared                                    5, low confidence
========================================================  =================  ===============

No starjacking flag is raised for a package that is itself in the popular lists (it has a
reputation of its own), nor when three or more other packages declare the repository (a
monorepo). "More popular" compares figures of the popular lists (this package's
``facts.popularity``); when neither package is in the lists, a claimant whose name fits the
repository better is taken as its owner. Starjacking is evidence, not a verdict: confidence
is medium at most. Confidence otherwise follows the size of the same-origin index (low under
1,000 packages, high from 10,000). Unknown without a same-origin index or when the registry
does not know the package.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from rapidfuzz import fuzz

from stockade.ecosystems.interface import Ecosystem
from stockade.scoring.components._common import (
    Scorecard,
    declared_repository,
    listing,
    plural,
    repository_key,
    split_package,
)
from stockade.scoring.facts import PackageFacts
from stockade.scoring.model import Component, ComponentName, Confidence

BASE = 7.0
NO_REPOSITORY = 5.0
STARJACKED = 2.0
"""The score of a package declaring a more popular package's repository."""
NEAR_RATIO = 85.0
MIN_STEM = 4
"""Shortest word that counts when one name contains another."""
MEDIUM_INDEX = 1_000
HIGH_INDEX = 10_000

Popularity = Callable[[Ecosystem, str], int | None]
"""A package's figure in the popular lists, ``None`` when it is not among them."""

GENERIC_WORDS = frozenset(
    {
        "api", "app", "cli", "client", "contrib", "core", "dev", "extra", "extras", "for",
        "github", "io", "js", "lib", "libs", "node", "nodejs", "npm", "official", "org", "plugin",
        "plugins", "project", "py", "pypi", "python", "python3", "sdk", "the", "tool", "tools",
        "util", "utils",
    }
)  # fmt: skip
"""Words that do not make two names related (every Python SDK says ``python``)."""

PREFIXES = ("python-", "py-", "node-", "js-", "nodejs-")
SUFFIXES = ("-python", "-py", "-js", "-node", "-nodejs", "-npm", "-lib")

KNOWN_MONOREPOS: dict[str, tuple[str, ...]] = {
    "github.com/definitelytyped/definitelytyped": ("@types/",),
    "github.com/python/typeshed": ("types-",),
}
"""Repositories whose packages are named by a convention unrelated to the repository."""


class Fit(StrEnum):
    """How a package name fits a repository."""

    EXACT = "exact"
    STEM = "stem"
    NEAR = "near"
    NONE = "none"

    @property
    def rank(self) -> int:
        """Higher fits better."""
        return {"exact": 3, "stem": 2, "near": 1, "none": 0}[self.value]


_FIT_POINTS = {Fit.EXACT: 3.0, Fit.STEM: 2.0, Fit.NEAR: 1.0, Fit.NONE: 0.0}
_FIT_WORDS = {
    Fit.EXACT: "is the repository's name",
    Fit.STEM: "shares the repository's or its owner's stem",
    Fit.NEAR: "resembles the repository's name without being it",
    Fit.NONE: "does not fit the repository",
}
_WORDS = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|[0-9]+")


MONOREPO_CLAIMANTS = 3
"""A repository declared by this many other packages is a monorepo: no starjacking flag."""
MAX_CLAIMANTS = 25
"""Claimants examined (the most popular first); a repository with more is a monorepo anyway."""


def _squash(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def _variants(text: str) -> set[str]:
    """The name without separators, with and without ecosystem affixes."""
    lowered = re.sub(r"[._\s]+", "-", text.lower())
    stripped = lowered
    for prefix in PREFIXES:
        stripped = stripped.removeprefix(prefix)
    for suffix in SUFFIXES:
        stripped = stripped.removesuffix(suffix)
    return {v for v in (_squash(lowered), _squash(stripped)) if v}


def _words(text: str) -> set[str]:
    """Words of a name: parts between separators and camelCase parts, lower-cased."""
    parts = [p for p in re.split(r"[^A-Za-z0-9]+", text) if p]
    found = {p.lower() for p in parts}
    for part in parts:
        found.update(w.lower() for w in _WORDS.findall(part))
    return {w for w in found if not w.isdigit() and len(w) >= 3 and w not in GENERIC_WORDS}


def _contains(outer: set[str], inner: set[str]) -> bool:
    return any(i in o for o in outer for i in inner if len(i) >= MIN_STEM)


def name_fit(name: str, repository: str) -> Fit:
    """How well a package name (``@scope/name`` on npm) fits a repository URL."""
    key = repository_key(repository) or repository.lower()
    segments = key.split("/")
    repo = segments[-1]
    owner = segments[-2] if len(segments) >= 3 else ""
    scope, _, base = name.rpartition("/")
    scope = scope.lstrip("@")
    if any(name.lower().startswith(p) for p in KNOWN_MONOREPOS.get(key, ())):
        return Fit.STEM
    names, repos = _variants(base), _variants(repo)
    if names & repos:
        return Fit.EXACT
    ours = _words(base) | _words(scope)
    theirs = _words(repo) | _words(owner)
    if ours & theirs or (scope and _squash(scope) in {_squash(owner), _squash(repo)}):
        return Fit.STEM
    if _contains(repos | {_squash(owner)}, names | ours) or _contains(names, repos | theirs):
        return Fit.STEM
    best = max(fuzz.ratio(n, r) for n in names for r in repos) if names and repos else 0.0
    return Fit.NEAR if best >= NEAR_RATIO else Fit.NONE


def popular_lists(ecosystem: Ecosystem, name: str) -> int | None:
    """The package's figure in the popular lists of :mod:`stockade.scoring.names.popular`
    (``None`` when it is not among them, or when the lists are not installed)."""
    try:
        from stockade.scoring.names.popular import popular_names
    except ImportError:  # pragma: no cover - the lists ship with Stockade
        return None
    return popular_names(ecosystem).popularity(name)


@dataclass(frozen=True, slots=True)
class _Claimant:
    """Another package declaring the same repository."""

    ref: str
    name: str
    fit: Fit
    popularity: int | None


class OriginScorer:
    """Whether the declared repository is this package's own: name fit and other claimants.

    ``popularity`` looks up a package's figure in the popular lists (default: the lists of
    :mod:`stockade.scoring.names.popular`, when installed).
    """

    name = ComponentName.ORIGIN

    def __init__(self, popularity: Popularity | None = None) -> None:
        self._popularity = popularity or popular_lists

    def __call__(self, facts: PackageFacts) -> Component:
        if facts.package is None:
            return Component.unknown(self.name, "The registry does not know this package.")
        repository = declared_repository(facts)
        if repository is None:
            card = Scorecard(NO_REPOSITORY)
            card.add("no-repository", "The package declares no source repository.")
            return card.component(
                self.name, Confidence.LOW, "No source repository is declared to check."
            )
        origin = facts.same_origin
        if origin is None:
            return Component.unknown(
                self.name,
                f"No same-origin index was available to tell who else declares {repository}.",
            )
        card = Scorecard(BASE)
        fit = name_fit(facts.name, repository)
        card.add(
            "name-fit",
            f"The name {facts.name} {_FIT_WORDS[fit]} ({repository}).",
            _FIT_POINTS[fit],
            fit.value,
        )
        mine = facts.popularity
        if mine is None:
            mine = self._popularity(facts.ecosystem, facts.name)
        claimants = self._claimants(origin.others, repository)
        rival = self._rival(fit, mine, claimants)
        names = [c.ref for c in claimants]
        confidence = (
            Confidence.HIGH
            if origin.indexed >= HIGH_INDEX
            else Confidence.MEDIUM
            if origin.indexed >= MEDIUM_INDEX
            else Confidence.LOW
        )
        indexed = f"among {plural(origin.indexed, 'package')} indexed"
        if not claimants:
            card.add("sole-claimant", f"No other package declares this repository {indexed}.")
            summary = f"The name {_FIT_WORDS[fit]} and no other package declares it {indexed}"
        elif rival is not None:
            card.add(
                "starjacking",
                f"The repository is also declared by {rival.ref}, more popular and named like "
                f"it, while {facts.name} is not.",
                STARJACKED - card.score,
                names,
            )
            card.warn(
                "starjacking",
                f"{facts.name} declares {repository}, the repository of {rival.ref}: stars and "
                "reputation may be borrowed (starjacking).",
            )
            confidence = min(confidence, Confidence.MEDIUM, key=_confidence_rank)
            summary = f"The repository looks borrowed from {rival.ref} (starjacking pattern)"
        elif fit in (Fit.EXACT, Fit.STEM):
            unfitting = [c.ref for c in claimants if c.fit in (Fit.NEAR, Fit.NONE)]
            also = f"Also declared by {listing(names)}"
            if unfitting:
                message = (
                    f"{also}; {listing(unfitting)} not named like it, so this package is "
                    "likely its owner."
                )
                summary = "The repository fits the name; others not named like it declare it too"
            else:
                message = f"{also}, named like it, as packages of one monorepo are."
                summary = "The repository fits the name and is shared, as in a monorepo"
            card.add("shared-repository", message, 0.0, names)
        else:
            card.add(
                "shared-unfitting",
                f"Also declared by {listing(names)}, while the name {facts.name} does not fit it.",
                -2.0,
                names,
            )
            summary = "The repository is shared and does not fit the name"
        return card.component(self.name, confidence, summary + ".")

    def _claimants(self, others: tuple[str, ...], repository: str) -> list[_Claimant]:
        found: list[_Claimant] = []
        for ref in others[:MAX_CLAIMANTS]:
            parsed = split_package(ref)
            if parsed is None:
                continue
            ecosystem, other = parsed
            found.append(
                _Claimant(
                    ref=ref,
                    name=other,
                    fit=name_fit(other, repository),
                    popularity=self._popularity(ecosystem, other),
                )
            )
        return found

    @staticmethod
    def _rival(fit: Fit, mine: int | None, claimants: list[_Claimant]) -> _Claimant | None:
        """The first (most popular) claimant this package looks borrowed from, if any."""
        if fit in (Fit.EXACT, Fit.STEM):
            return None
        if mine is not None:
            # A package of the popular lists has its own reputation: sharing a repository
            # with a more popular one is a monorepo (google-cloud-python, react), not a theft.
            return None
        if len(claimants) >= MONOREPO_CLAIMANTS:
            return None
        for other in claimants:
            if other.fit.rank <= fit.rank:
                continue
            if other.popularity is not None and (mine is None or other.popularity > mine):
                return other
            if other.popularity is None and mine is None:
                return other
        return None


def _confidence_rank(confidence: Confidence) -> int:
    return {Confidence.LOW: 0, Confidence.MEDIUM: 1, Confidence.HIGH: 2}[confidence]


ORIGIN = OriginScorer()
