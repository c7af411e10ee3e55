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

from stockade.ecosystems.interface import Ecosystem, PackageInfo, ProvenanceRef, VersionInfo
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
        """The same facts with other versions reduced to what components read of them: dates,
        states, provenance kinds and publisher (as stored)."""
        if self.package is None:
            return self
        package = self.package
        versions = {
            v: info
            if v == self.version
            else _from_history_row(package.ecosystem, package.name, _history_row(info))
            for v, info in package.versions.items()
        }
        return replace(self, package=replace(package, versions=versions))

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dictionary (round-trips through :meth:`from_json` to :meth:`trimmed`).

        The scored version is kept whole; every other version becomes a compact ``history``
        row (version, release time, yanked, its reason, deprecation, provenance kinds,
        publisher), which is all the components read of them and several times quicker to
        load than full version records.
        """
        package = self.package
        if package is None:
            data: dict[str, Any] = _adapter().dump_python(self, mode="json", exclude_defaults=True)
            return data
        scored = {v: i for v, i in package.versions.items() if v == self.version}
        head = replace(self, package=replace(package, versions=scored))
        data = _adapter().dump_python(head, mode="json", exclude_defaults=True)
        data["history"] = [
            _history_row(info) for v, info in package.versions.items() if v != self.version
        ]
        data["order"] = list(package.versions)
        return data

    @classmethod
    def from_json(cls, data: Any) -> PackageFacts:
        """Facts from :meth:`to_json` output; raises ``pydantic.ValidationError`` or
        ``ValueError`` when malformed."""
        if not isinstance(data, dict) or "history" not in data:
            return _adapter().validate_python(data)
        history = data.get("history")
        order = data.get("order")
        head = {k: v for k, v in data.items() if k not in ("history", "order")}
        facts = _adapter().validate_python(head)
        package = facts.package
        if package is None or not isinstance(history, list) or not isinstance(order, list):
            raise ValueError("malformed stored facts: history without a package")
        rows = {
            info.version: info
            for info in (_from_history_row(package.ecosystem, package.name, r) for r in history)
        }
        rows.update(package.versions)
        versions = {v: rows[v] for v in order if v in rows}
        return replace(facts, package=replace(package, versions=versions))


def _history_row(info: VersionInfo) -> list[Any]:
    provenance = None if info.provenance is None else [ref.kind for ref in info.provenance]
    return [
        info.version,
        info.released.isoformat() if info.released else None,
        info.yanked,
        info.yanked_reason,
        info.deprecated,
        provenance,
        info.published_by,
    ]


def _from_history_row(ecosystem: Ecosystem, name: str, row: Any) -> VersionInfo:
    # Hot: called once per stored version when facts load (thousands per second), so it
    # builds VersionInfo positionally and shares the provenance refs of each kind.
    if type(row) is not list or len(row) != 7 or type(row[0]) is not str:
        raise ValueError(f"malformed stored facts: history row {row!r}")
    version, released, yanked, reason, deprecated, provenance, publisher = row
    when = None
    if released is not None:
        when = datetime.fromisoformat(released)
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
    refs = None if provenance is None else tuple(_ref(kind) for kind in provenance)
    return VersionInfo(
        ecosystem,
        name,
        version,
        when,
        (),
        None,
        None,
        None,
        yanked is True,
        reason if type(reason) is str else None,
        deprecated if type(deprecated) is str else None,
        refs,
        publisher if type(publisher) is str else None,
    )


@cache
def _ref(kind: str) -> ProvenanceRef:
    return ProvenanceRef(kind=str(kind))


@cache
def _adapter() -> TypeAdapter[PackageFacts]:
    return TypeAdapter(PackageFacts)
