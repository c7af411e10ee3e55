"""Where vulnerability records come from: the local OSV database or the OSV API.

Both implement :class:`VulnerabilitySource`; ``stockade check`` asks one (or several in turn)
for the records that affect each package version.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from stockade.ecosystems.interface import Ecosystem
from stockade.intel.osv.models import Vulnerability


@dataclass(frozen=True, slots=True, order=True)
class PackageQuery:
    """One package version to look up."""

    ecosystem: Ecosystem
    """Its ecosystem."""
    name: str
    """Normalised name."""
    version: str
    """Exact version."""


class VulnerabilitySource(Protocol):
    """Answers "which OSV records affect these package versions?"."""

    name: str
    """A short description for reports (``local OSV database (12,718 records)``, ``OSV API``)."""

    async def available(self) -> bool:
        """Whether the source can answer at all (has records, or is reachable)."""
        ...

    async def query(
        self, packages: Sequence[PackageQuery]
    ) -> Mapping[PackageQuery, list[Vulnerability]]:
        """The non-withdrawn records affecting each package version (every query gets a key).

        Raises :class:`~stockade.errors.OSVError` when the source cannot be reached.
        """
        ...
