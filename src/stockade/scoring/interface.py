"""The small protocols scoring is built from: component scorers and the store it learns in.

A component scorer is a pure function of :class:`~stockade.scoring.facts.PackageFacts`. The
store (:class:`ScoreStore`, implemented by :class:`stockade.store.scores.ScoreStore`) keeps facts
and reports, and answers the questions that need many packages: which others declare this
source repository, which well-scored packages share these keywords.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from stockade.scoring.facts import PackageFacts
from stockade.scoring.model import Component, ComponentName


class ComponentScorer(Protocol):
    """Scores one aspect of a package version from its facts; never does I/O."""

    name: ComponentName

    def __call__(self, facts: PackageFacts) -> Component:
        """The component; ``Component.unknown`` when the facts hold no data for it."""
        ...


@dataclass(frozen=True, slots=True)
class PackageKey:
    """A package version in the store."""

    ecosystem: str
    """``PyPI`` or ``npm``."""
    name: str
    """Normalised name."""
    version: str
    """The version string."""


@dataclass(frozen=True, slots=True)
class StoredReport:
    """A trust report as the store keeps it."""

    key: PackageKey
    score: float | None
    report: dict[str, Any]
    """``TrustReport.to_json()``."""
    computed_at: datetime


@dataclass(frozen=True, slots=True)
class SimilarPackage:
    """A package sharing keywords or classifiers with another, with its best known score."""

    ecosystem: str
    name: str
    version: str
    score: float | None
    shared: tuple[str, ...]
    """The keywords/classifiers in common."""


class ScoreStore(Protocol):
    """Where facts and reports are kept, and what is learnt across packages."""

    def save_facts(self, facts: PackageFacts) -> None:
        """Insert or replace the facts of ``facts.ecosystem/name/version`` (a version is
        required) and update the package's indexes (source repository, keywords)."""
        ...

    def load_facts(self, key: PackageKey) -> PackageFacts | None:
        """The stored facts of a version, if any."""
        ...

    def load_many(self, keys: Iterable[PackageKey]) -> Iterator[tuple[PackageKey, PackageFacts]]:
        """The stored facts of ``keys`` in their order, batched; keys without facts are
        skipped."""
        ...

    def iter_facts(
        self, *, ecosystem: str | None = None, limit: int | None = None
    ) -> Iterator[PackageFacts]:
        """Stored facts, in a stable order, streamed."""
        ...

    def save_report(
        self, key: PackageKey, score: float | None, report: dict[str, Any], computed_at: datetime
    ) -> None:
        """Insert or replace the report of a version."""
        ...

    def save_reports(
        self,
        reports: Iterable[tuple[PackageKey, float | None, dict[str, Any]]],
        computed_at: datetime,
    ) -> int:
        """Insert or replace many reports in one transaction; how many were written."""
        ...

    def load_report(self, key: PackageKey) -> StoredReport | None:
        """The stored report of a version, if any."""
        ...

    def reported_since(self, keys: Iterable[PackageKey], since: datetime) -> set[PackageKey]:
        """Which of ``keys`` have a report computed at or after ``since`` (for resuming)."""
        ...

    def same_origin(self, ecosystem: str, name: str, repository: str) -> tuple[Sequence[str], int]:
        """Other packages (``ecosystem/name`` strings of any ecosystem, excluding this one)
        whose latest facts declare ``repository`` (normalised), and how many packages the index
        holds in all."""
        ...

    def same_origin_many(
        self, packages: Iterable[tuple[str, str, str]]
    ) -> tuple[dict[tuple[str, str], list[str]], int]:
        """:meth:`same_origin` for many ``(ecosystem, name, repository)`` at once."""
        ...

    def similar(
        self, ecosystem: str, terms: Sequence[str], *, exclude: str, min_score: float, limit: int
    ) -> list[SimilarPackage]:
        """Packages of the ecosystem sharing most of ``terms`` (keywords, classifiers) whose
        latest report scores at least ``min_score``, best first; ``exclude`` is a name."""
        ...
