"""The input of scoring: everything known of one package version, gathered once.

:class:`PackageFacts` is built from registry metadata, intelligence findings, an archive
verdict and what the store has learnt (the same-origin index); components are pure functions
of it, so a report can be recomputed from stored facts without the network. Facts serialise to
JSON (:meth:`PackageFacts.to_json` / :meth:`PackageFacts.from_json`) for the store.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import cache
from typing import Any

from pydantic import TypeAdapter

from stockade.ecosystems.interface import Ecosystem, PackageInfo, VersionInfo
from stockade.intel.findings import Finding


@dataclass(frozen=True, slots=True)
class ArchiveSummary:
    """The verdict of :mod:`stockade.analysis` on the version's archives (worst first)."""

    verdict: str
    """``benign``, ``suspicious`` or ``malicious``."""
    risk: float
    """0-10 risk of the worst archive."""
    reasons: tuple[str, ...] = ()
    """The verdict's reasons, one sentence each."""
    files: tuple[str, ...] = ()
    """The archives scanned."""


@dataclass(frozen=True, slots=True)
class SameOrigin:
    """Other packages the store has seen declaring the same source repository."""

    repository: str
    """The normalised repository URL."""
    others: tuple[str, ...]
    """Their purls (without version), most popular first."""
    indexed: int = 0
    """How many packages the index held when asked (how much the answer is worth)."""


@dataclass(frozen=True, slots=True)
class PackageFacts:
    """Everything scoring needs of one package version."""

    ecosystem: Ecosystem
    name: str
    """The normalised name as asked (also when the registry does not know it)."""
    version: str | None
    """The version scored; ``None`` when the package is unknown."""
    package: PackageInfo | None
    """Registry metadata; ``None`` when the registry does not know the package. Versions other
    than the scored one keep only their dates and states (files and dependencies dropped)."""
    findings: tuple[Finding, ...] | None = None
    """Vulnerability and malicious records for this version; ``None`` when no source answered."""
    archive: ArchiveSummary | None = None
    """The archive verdict; ``None`` when not scanned."""
    popularity: int | None = None
    """Downloads over 30 days (PyPI) or a rank-derived figure (npm) from the popular lists;
    ``None`` when the package is not among them."""
    same_origin: SameOrigin | None = None
    """The same-origin index answer; ``None`` when no index was available."""
    as_of: datetime = field(default_factory=lambda: datetime.now(UTC))
    """When the facts were gathered: ages are measured from here (reproducible reports)."""
    problems: tuple[str, ...] = ()
    """What could not be gathered and why (registry errors, intel unavailable)."""

    @property
    def info(self) -> VersionInfo | None:
        """The scored version's registry metadata."""
        if self.package is None or self.version is None:
            return None
        return self.package.versions.get(self.version)

    @property
    def purl(self) -> str:
        """The package-url of the scored version (of the package when unknown)."""
        from stockade.ecosystems import get

        return get(self.ecosystem).purl(self.name, self.version)

    def trimmed(self) -> PackageFacts:
        """The same facts with other versions' files and dependencies dropped (for storage)."""
        if self.package is None:
            return self
        versions = {
            v: info if v == self.version else replace(info, files=(), dependencies=None)
            for v, info in self.package.versions.items()
        }
        return replace(self, package=replace(self.package, versions=versions))

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dictionary (round-trips through :meth:`from_json`)."""
        data: dict[str, Any] = _adapter().dump_python(self.trimmed(), mode="json")
        return data

    @classmethod
    def from_json(cls, data: Any) -> PackageFacts:
        """Facts from :meth:`to_json` output; raises ``pydantic.ValidationError`` when malformed."""
        return _adapter().validate_python(data)


@cache
def _adapter() -> TypeAdapter[PackageFacts]:
    return TypeAdapter(PackageFacts)
