"""What every ecosystem (PyPI, npm) provides, and the registry metadata models.

An ecosystem module implements :class:`EcosystemSupport`: name normalisation, purls, version
semantics (:class:`VersionScheme`), a registry client (:class:`Registry`) and the manifest and
lockfile parsers (:class:`ManifestParser`) that produce a
:class:`~stockade.ecosystems.graph.DependencyGraph`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    from stockade.ecosystems.graph import DependencyGraph
    from stockade.http import HttpClient


class Ecosystem(StrEnum):
    """An ecosystem, spelled as OSV spells it."""

    PYPI = "PyPI"
    NPM = "npm"

    @property
    def purl_type(self) -> str:
        """The package-url type of the ecosystem."""
        return {"PyPI": "pypi", "npm": "npm"}[self.value]


@dataclass(frozen=True, slots=True)
class FileInfo:
    """One downloadable file of a package version (an sdist, a wheel, an npm tarball)."""

    filename: str
    """The file's name."""
    url: str
    """Where the registry serves it."""
    digests: Mapping[str, str] = field(default_factory=dict)
    """Digests by algorithm (``sha256``, ``sha512``, ``sha1``), hex encoded."""
    size: int | None = None
    """Size in bytes, when the registry says."""
    kind: str = ""
    """``sdist``, ``bdist_wheel``, ``tarball`` ..."""
    uploaded: datetime | None = None
    """Upload time, when the registry says."""
    yanked: bool = False
    """Whether this file is yanked (PyPI)."""


@dataclass(frozen=True, slots=True)
class ProvenanceRef:
    """Build provenance a registry publishes for a package version (not yet verified).

    ``kind`` is ``pep740`` (PyPI attestations, per file), ``npm`` (npm provenance: a Sigstore
    bundle with an SLSA predicate) or ``sigstore`` (a detached Sigstore bundle). The publisher
    fields are what the registry *claims*; verifying them is the provenance package's job.
    """

    kind: str
    """``pep740``, ``npm`` or ``sigstore``."""
    url: str | None = None
    """Where the attestation can be fetched, when the registry gives an address."""
    filename: str | None = None
    """The file it attests (PyPI), if per file."""
    predicate_type: str | None = None
    """The in-toto predicate type, when the registry says (``https://slsa.dev/provenance/v1``)."""
    source_repository: str | None = None
    """The source repository the publisher claims, when known without fetching."""
    workflow: str | None = None
    """The build workflow the publisher claims, when known."""
    verified: bool | None = None
    """Whether its Sigstore verification succeeded: ``None`` when not verified (yet)."""


@dataclass(frozen=True, slots=True)
class DeclaredRequirement:
    """A dependency as a package version's metadata declares it."""

    name: str
    """The dependency's normalised name."""
    spec: str
    """Its version range as declared (``>=1.2,<2``, ``^1.2.0``), ``""`` for any."""
    scope: str = "prod"
    """``prod``, ``dev``, ``optional`` or ``peer``."""
    marker: str | None = None
    """An environment marker or extra (PyPI), if any."""


@dataclass(frozen=True, slots=True)
class VersionInfo:
    """What a registry knows of one package version."""

    ecosystem: Ecosystem
    """The ecosystem."""
    name: str
    """The package's normalised name."""
    version: str
    """The version string as the registry spells it."""
    released: datetime | None = None
    """When it was published (earliest file upload on PyPI, ``time[version]`` on npm)."""
    files: tuple[FileInfo, ...] = ()
    """Its files, with digests."""
    source_repository: str | None = None
    """The source repository the metadata declares, if any."""
    license: str | None = None
    """Declared licence (SPDX expression or free text)."""
    dependencies: tuple[DeclaredRequirement, ...] | None = None
    """Declared dependencies; ``None`` when the source did not say (unknown, not empty)."""
    yanked: bool = False
    """Yanked (PyPI: every file yanked, or the release flagged)."""
    yanked_reason: str | None = None
    """Why it was yanked, when given."""
    deprecated: str | None = None
    """The deprecation message (npm), if deprecated."""
    provenance: tuple[ProvenanceRef, ...] | None = None
    """Build provenance the registry publishes for it: ``()`` when the registry says there is
    none, ``None`` when the source does not say (unknown)."""
    published_by: str | None = None
    """The account that published this version, when the registry says (npm ``_npmUser``)."""
    install_scripts: tuple[str, ...] = ()
    """Lifecycle scripts that run at install (npm ``preinstall``/``install``/``postinstall``)."""

    @property
    def purl(self) -> str:
        """The package-url of this version."""
        from stockade.ecosystems import get

        return get(self.ecosystem).purl(self.name, self.version)


@dataclass(frozen=True, slots=True)
class PackageInfo:
    """What a registry knows of a package: all its versions."""

    ecosystem: Ecosystem
    """The ecosystem."""
    name: str
    """The normalised name."""
    versions: Mapping[str, VersionInfo]
    """Every published version, by version string."""
    latest: str | None = None
    """The version the registry calls latest (``info.version``, ``dist-tags.latest``)."""
    source_repository: str | None = None
    """The source repository declared for the package as a whole."""
    summary: str | None = None
    """One-line description."""
    description: bool | None = None
    """Whether a long description (README) is published; ``None`` when unknown."""
    homepage: str | None = None
    """The project's home page, if declared."""
    license: str | None = None
    """The licence the latest release declares (SPDX expression or free text)."""
    keywords: tuple[str, ...] = ()
    """Keywords (npm ``keywords``, PyPI ``Keywords``), lower-cased."""
    classifiers: tuple[str, ...] = ()
    """Trove classifiers (PyPI)."""
    maintainers: tuple[str, ...] | None = None
    """Accounts that can publish (PyPI owners and maintainers, npm ``maintainers``);
    ``None`` when the registry does not say."""
    organization: str | None = None
    """The owning organisation, when the registry says (PyPI organisations, npm scopes)."""
    created: datetime | None = None
    """When the package was first published, when the registry says."""


class Registry(Protocol):
    """An async client for one ecosystem's registry metadata.

    ``None`` answers mean "unknown" (the registry had no such page, e.g. a 404), never "absent
    for sure"; network failures raise :class:`~stockade.errors.RegistryError`.
    """

    ecosystem: Ecosystem

    async def package(self, name: str) -> PackageInfo | None:
        """All versions of a package, or ``None`` when the registry does not know it."""
        ...

    async def version(self, name: str, version: str) -> VersionInfo | None:
        """One version of a package, or ``None`` when unknown."""
        ...


class VersionScheme(Protocol):
    """Version semantics of an ecosystem: order, validity and ranges."""

    def key(self, version: str) -> Any:
        """A sort key giving the ecosystem's total order.

        Never raises: versions that do not parse sort by a fallback key, consistently.
        """
        ...

    def is_valid(self, version: str) -> bool:
        """Whether the version parses under the ecosystem's rules."""
        ...

    def is_prerelease(self, version: str) -> bool:
        """Whether it is a pre-release."""
        ...

    def satisfies(self, version: str, spec: str) -> bool:
        """Whether ``version`` lies in the range ``spec`` (``""`` or ``*`` is any)."""
        ...

    def best(self, versions: Iterable[str], spec: str) -> str | None:
        """The version the package manager would install today for ``spec``: the highest
        satisfying one, pre-releases only when the spec asks for them."""
        ...


@runtime_checkable
class ManifestParser(Protocol):
    """Reads one kind of manifest or lockfile into a dependency graph."""

    ecosystem: Ecosystem
    """The ecosystem of the packages it yields."""
    kind: str
    """A short name of the format (``requirements.txt``, ``poetry.lock``, ``package-lock.json``)."""
    is_lockfile: bool
    """Lockfiles give exact versions of the whole tree; manifests give direct ranges."""

    def matches(self, path: Path) -> bool:
        """Whether ``path`` is a file of this kind (by name; cheap)."""
        ...

    def parse(self, path: Path) -> DependencyGraph:
        """Parse the file. Raises :class:`~stockade.errors.ParseError` naming file and line."""
        ...


class EcosystemSupport(Protocol):
    """Everything Stockade knows of one ecosystem."""

    ecosystem: Ecosystem
    versions: VersionScheme

    def normalize_name(self, name: str) -> str:
        """The canonical form of a package name (PEP 503 for PyPI; as-is for npm)."""
        ...

    def purl(self, name: str, version: str | None = None) -> str:
        """The package-url of a package or package version."""
        ...

    def parsers(self) -> Sequence[ManifestParser]:
        """The manifest and lockfile parsers of this ecosystem."""
        ...

    def registry(self, http: HttpClient, base_url: str | None = None) -> Registry:
        """A registry client; ``base_url`` overrides the one found in the user's settings."""
        ...
