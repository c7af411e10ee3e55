"""The PyPI JSON API client: project and release metadata, files and their digests.

The index comes from pip's settings (:func:`~stockade.ecosystems.registries.pypi_index_url`);
the JSON API lives beside it (:func:`~stockade.ecosystems.registries.pypi_json_api_base`).
Build provenance (PEP 740) comes from the index's JSON simple API (PEP 691), asked only on
request (:meth:`PyPIRegistry.provenance`, :meth:`PyPIRegistry.with_provenance`).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any, TypeVar
from urllib.parse import quote

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    canonicalize_name,
    parse_sdist_filename,
    parse_wheel_filename,
)
from packaging.version import InvalidVersion, Version
from pydantic import BaseModel, ConfigDict, ValidationError

from stockade.ecosystems.interface import (
    DeclaredRequirement,
    Ecosystem,
    FileInfo,
    PackageInfo,
    ProvenanceRef,
    VersionInfo,
)
from stockade.ecosystems.registries import (
    RegistryLocation,
    is_forge,
    pypi_index_url,
    pypi_json_url,
    source_repository_url,
)
from stockade.errors import HttpError, RegistryError
from stockade.http import HttpClient, redact

log = logging.getLogger(__name__)

_SOURCE_LABELS = ("source", "sourcecode", "repository", "code", "github", "gitlab", "git")
_HOME_LABELS = ("homepage", "home")
_LICENSE_TEXT_MAX = 120
"""A ``license`` field longer than this (or on several lines) is the licence text itself."""
_DESCRIPTION_MIN_WORDS = 8
"""A long description with fewer words than this (a title, a placeholder) is trivial."""
_SIMPLE_JSON = "application/vnd.pypi.simple.v1+json"
"""The media type of the JSON simple API (PEP 691)."""
_INTEGRITY_JSON = "application/vnd.pypi.integrity.v1+json"
"""The media type of PyPI's Integrity API (PEP 740 provenance objects)."""
_FORGE_OF_PUBLISHER = {"github": "github.com", "gitlab": "gitlab.com"}
"""Trusted Publisher kinds whose ``repository`` is an ``owner/name`` on a known forge."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class _File(_Model):
    filename: str
    url: str
    digests: dict[str, str | None] = {}
    size: int | None = None
    packagetype: str | None = None
    upload_time_iso_8601: datetime | None = None
    upload_time: datetime | None = None
    yanked: bool = False
    yanked_reason: str | None = None


class _Info(_Model):
    name: str
    version: str
    summary: str | None = None
    description: str | None = None
    keywords: str | list[str] | None = None
    license: str | None = None
    license_expression: str | None = None
    classifiers: list[str] | None = None
    home_page: str | None = None
    project_urls: dict[str, str | None] | None = None
    requires_dist: list[str] | None = None
    yanked: bool = False
    yanked_reason: str | None = None


_M = TypeVar("_M", bound=_Model)


class _Role(_Model):
    role: str | None = None
    user: str


class _Ownership(_Model):
    organization: str | None = None
    roles: list[_Role] = []


class _Project(_Model):
    info: _Info
    releases: dict[str, list[_File]] = {}
    urls: list[_File] = []
    ownership: _Ownership | None = None


class _SimpleFile(_Model):
    filename: str
    provenance: str | None = None


class _SimpleProject(_Model):
    files: list[_SimpleFile]


class _Publisher(_Model):
    kind: str | None = None
    repository: str | None = None
    workflow: str | None = None
    workflow_filepath: str | None = None


class _Bundle(_Model):
    publisher: _Publisher


class _Provenance(_Model):
    attestation_bundles: list[_Bundle]


class _Release(_Model):
    info: _Info
    urls: list[_File] = []


def _label(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def _when(file: _File) -> datetime | None:
    when = file.upload_time_iso_8601 or file.upload_time
    if when is not None and when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when


def _files(files: list[_File]) -> tuple[FileInfo, ...]:
    return tuple(
        FileInfo(
            filename=f.filename,
            url=f.url,
            digests={algo: value for algo, value in f.digests.items() if value},
            size=f.size,
            kind=f.packagetype or "",
            uploaded=_when(f),
            yanked=f.yanked,
        )
        for f in files
    )


def _released(files: list[_File]) -> datetime | None:
    times = [t for t in (_when(f) for f in files) if t is not None]
    return min(times) if times else None


def _source_repository(info: _Info) -> str | None:
    """The source repository a project's metadata points at, if any.

    A ``Source``/``Repository``/``Code`` project URL on a forge first, then a ``Homepage``
    project URL or ``home_page`` on a forge, then a ``Source``-like URL anywhere.
    """
    labelled = [(_label(k), v) for k, v in (info.project_urls or {}).items() if v]
    sources = [url for label, url in labelled if label in _SOURCE_LABELS]
    homes = [url for label, url in labelled if label in _HOME_LABELS]
    if info.home_page:
        homes.append(info.home_page)
    for url in [*sources, *homes]:
        if is_forge(url):
            return source_repository_url(url)
    for url in sources:
        found = source_repository_url(url)
        if found:
            return found
    return None


def _license(info: _Info) -> str | None:
    if info.license_expression and info.license_expression.strip():
        return info.license_expression.strip()
    text = (info.license or "").strip()
    if text and "\n" not in text and len(text) <= _LICENSE_TEXT_MAX and text.upper() != "UNKNOWN":
        return text
    from_classifiers = [
        c.split(" :: ")[-1]
        for c in info.classifiers or []
        if c.startswith("License :: ") and c.count(" :: ") >= 2
    ]
    if from_classifiers:
        return " OR ".join(from_classifiers)
    return text.splitlines()[0].strip() if text and text.upper() != "UNKNOWN" else None


def keywords(value: str | Iterable[str] | None) -> tuple[str, ...]:
    """``Keywords`` metadata as lower-cased keywords, deduplicated in order.

    The field is free text: comma-separated when it holds a comma (``"machine learning, ai"``
    keeps its two-word keyword), space-separated otherwise; a list is taken item by item.
    """
    if value is None:
        return ()
    if isinstance(value, str):
        items = value.split(",") if "," in value else value.split()
    else:
        items = [item for item in value if isinstance(item, str)]
    found: dict[str, None] = {}
    for item in items:
        word = " ".join(item.split()).lower()
        if word:
            found.setdefault(word)
    return tuple(found)


def _has_description(info: _Info) -> bool | None:
    """Whether a non-trivial long description is published; ``None`` when the API omits it.

    Empty, ``UNKNOWN`` (what old tools wrote when there was none), the summary again, or
    fewer than :data:`_DESCRIPTION_MIN_WORDS` words are trivial.
    """
    if "description" not in info.model_fields_set:
        return None
    text = (info.description or "").strip()
    if not text or text.upper() == "UNKNOWN" or text == (info.summary or "").strip():
        return False
    return len(text.split()) >= _DESCRIPTION_MIN_WORDS


def _homepage(info: _Info) -> str | None:
    """``home_page``, else a ``Homepage``/``Home`` project URL."""
    if info.home_page and info.home_page.strip() and info.home_page.strip().upper() != "UNKNOWN":
        return info.home_page.strip()
    for label, url in (info.project_urls or {}).items():
        if url and _label(label) in _HOME_LABELS:
            return url.strip()
    return None


def _maintainers(ownership: _Ownership | None) -> tuple[str, ...] | None:
    """The accounts with a role on the project (owners first), or ``None`` when not said."""
    if ownership is None:
        return None
    ranked = sorted(ownership.roles, key=lambda r: (r.role or "").lower() != "owner")
    found: dict[str, None] = {}
    for role in ranked:
        if role.user.strip():
            found.setdefault(role.user.strip())
    return tuple(found)


def _created(releases: Mapping[str, list[_File]]) -> datetime | None:
    times = [t for files in releases.values() if (t := _released(files)) is not None]
    return min(times) if times else None


def _version_key(version: str) -> str:
    """A version in its normalised spelling (``1.0-beta`` -> ``1.0b0``), as-is if invalid."""
    try:
        return str(Version(version))
    except InvalidVersion:
        return version


_SDIST_SUFFIXES = (".tar.gz", ".zip")


def file_version(filename: str, project: str | None = None) -> str | None:
    """The version of a wheel or sdist from its file name (normalised spelling), or ``None``.

    Given the ``project`` name, an sdist is split where its name ends, as pip does, so a
    legacy name such as ``p-1.0-beta.tar.gz`` (``1.0b0``) or ``pytz-2004d.tar.gz`` (not a
    PEP 440 version: kept as written) still gives its version.
    """
    try:
        if filename.endswith(".whl"):
            return str(parse_wheel_filename(filename)[1])
        return str(parse_sdist_filename(filename)[1])
    except (InvalidWheelFilename, InvalidSdistFilename, InvalidVersion):
        pass
    suffix = next((s for s in _SDIST_SUFFIXES if filename.lower().endswith(s)), None)
    if project is None or suffix is None:
        return None
    stem = filename[: -len(suffix)]
    wanted = canonicalize_name(project)
    for at, char in enumerate(stem):
        if char == "-" and canonicalize_name(stem[:at]) == wanted and stem[at + 1 :]:
            return _version_key(stem[at + 1 :])
    return None


def _simple_url(index_url: str, name: str) -> str:
    """The project page of a simple index (PEP 503: ``<index>/<normalised name>/``)."""
    return f"{index_url.strip().rstrip('/')}/{quote(name, safe='')}/"


def _publisher(provenance: _Provenance) -> tuple[str, str | None] | None:
    """The first claimed publisher with a repository: its repository and workflow."""
    for bundle in provenance.attestation_bundles:
        publisher = bundle.publisher
        repository = (publisher.repository or "").strip().strip("/")
        if not repository:
            continue
        forge = _FORGE_OF_PUBLISHER.get((publisher.kind or "").lower())
        if forge and "://" not in repository:
            repository = f"https://{forge}/{repository}"
        return repository, publisher.workflow or publisher.workflow_filepath
    return None


def requires_dist(lines: list[str] | None) -> tuple[DeclaredRequirement, ...] | None:
    """``Requires-Dist`` lines as declared requirements (``None`` when not declared)."""
    if lines is None:
        return None
    found: list[DeclaredRequirement] = []
    for line in lines:
        try:
            req = Requirement(line)
        except InvalidRequirement:
            log.debug("ignoring invalid Requires-Dist %r", line)
            continue
        marker = str(req.marker) if req.marker is not None else None
        spec = str(req.specifier)
        if req.url:
            spec = f"@ {req.url}"
        optional = marker is not None and re.search(r"\bextra\b", marker) is not None
        found.append(
            DeclaredRequirement(
                name=str(canonicalize_name(req.name)),
                spec=spec,
                scope="optional" if optional else "prod",
                marker=marker,
            )
        )
    return tuple(found)


def _same_version(a: str, b: str) -> bool:
    if a == b:
        return True
    try:
        return Version(a) == Version(b)
    except InvalidVersion:
        return False


class PyPIRegistry:
    """The :class:`~stockade.ecosystems.interface.Registry` of PyPI (its JSON API).

    ``base_url`` is a simple index URL; ``None`` uses the one pip is configured with. An index
    that serves only the project endpoint (``/pypi/<name>/json``, as some mirrors do) still
    answers :meth:`version`, from the project's release list.
    """

    ecosystem: Ecosystem = Ecosystem.PYPI

    def __init__(self, http: HttpClient, *, base_url: str | None = None) -> None:
        self._http = http
        self._location = RegistryLocation(base_url, "override") if base_url else None
        self._no_version_endpoint = False

    @property
    def location(self) -> RegistryLocation:
        """The index in use and where it was configured."""
        if self._location is None:
            self._location = pypi_index_url()
        return self._location

    async def package(self, name: str) -> PackageInfo | None:
        """All releases of a project from ``/pypi/<name>/json``; ``None`` when unknown."""
        name = str(canonicalize_name(name))
        url = pypi_json_url(self.location.url, name)
        data = await self._get(url, name)
        if data is None:
            return None
        project = self._validate(_Project, data, url, name)
        info = project.info
        repository = _source_repository(info)
        versions: dict[str, VersionInfo] = {}
        for version, files in project.releases.items():
            is_latest = version == info.version
            yanked = (bool(files) and all(f.yanked for f in files)) or (is_latest and info.yanked)
            reason = next((f.yanked_reason for f in files if f.yanked_reason), None)
            versions[version] = VersionInfo(
                ecosystem=Ecosystem.PYPI,
                name=name,
                version=version,
                released=_released(files),
                files=_files(files),
                source_repository=repository if is_latest else None,
                license=_license(info) if is_latest else None,
                dependencies=requires_dist(info.requires_dist) if is_latest else None,
                yanked=yanked,
                yanked_reason=(info.yanked_reason or reason) if is_latest else reason,
            )
        ownership = project.ownership
        return PackageInfo(
            ecosystem=Ecosystem.PYPI,
            name=name,
            versions=versions,
            latest=info.version,
            source_repository=repository,
            summary=info.summary,
            description=_has_description(info),
            homepage=_homepage(info),
            license=_license(info),
            keywords=keywords(info.keywords),
            classifiers=tuple(info.classifiers or ()),
            maintainers=_maintainers(ownership),
            organization=(ownership.organization or None) if ownership else None,
            created=_created(project.releases),
        )

    async def version(self, name: str, version: str) -> VersionInfo | None:
        """One release from ``/pypi/<name>/<version>/json``; ``None`` when unknown."""
        name = str(canonicalize_name(name))
        if not self._no_version_endpoint:
            url = pypi_json_url(self.location.url, name, version)
            data = await self._get(url, name)
            if data is not None:
                release = self._validate(_Release, data, url, name)
                return self._release(name, release)
        package = await self.package(name)
        if package is None:
            return None
        for known, info in package.versions.items():
            if _same_version(known, version):
                if not self._no_version_endpoint:
                    log.debug("%s serves no version endpoint", redact(self.location.url))
                    self._no_version_endpoint = True
                return info
        return None

    async def provenance(self, name: str) -> dict[str, tuple[ProvenanceRef, ...]] | None:
        """PEP 740 provenance per version, from the index's JSON simple API (PEP 691).

        Keys are versions in their normalised spelling, taken from the file names (files
        whose names do not parse are skipped). A version maps to one ``pep740``
        :class:`~stockade.ecosystems.interface.ProvenanceRef` per file with a provenance
        URL, and to ``()`` when every file says ``provenance: null``. ``None`` (unknown) when
        the index does not know the project, answers without JSON (an HTML-only index), or
        lists no file with a ``provenance`` key at all: such an index does not implement
        PEP 740, or strips it (as some mirrors do), so absence proves nothing.
        """
        name = str(canonicalize_name(name))
        url = _simple_url(self.location.url, name)
        try:
            data = await self._http.get_json(url, headers={"Accept": _SIMPLE_JSON})
        except HttpError as exc:
            if exc.status is not None and 200 <= exc.status <= 299:
                log.debug("%s serves no JSON simple API", redact(self.location.url))
                return None  # an HTML-only index: it does not say
            raise RegistryError(
                f"cannot fetch the PyPI index page of {name!r}: {exc}",
                hint=f"the index {redact(self.location.url)} came from {self.location.source}",
            ) from None
        if data is None:
            return None
        project = self._validate(_SimpleProject, data, url, name)
        if not any("provenance" in f.model_fields_set for f in project.files):
            return None
        found: dict[str, list[ProvenanceRef]] = {}
        for file in project.files:
            version = file_version(file.filename, name)
            if version is None:
                log.debug("skipping %r: not a wheel or sdist name", file.filename)
                continue
            refs = found.setdefault(version, [])
            if file.provenance:
                refs.append(
                    ProvenanceRef(kind="pep740", url=file.provenance, filename=file.filename)
                )
        return {version: tuple(refs) for version, refs in found.items()}

    async def with_provenance(self, package: PackageInfo) -> PackageInfo:
        """``package`` with each version's ``provenance`` filled from :meth:`provenance`.

        One more request per project (the index page), which :meth:`package` does not make:
        ask for it only where provenance matters (trust scoring). When the index does not say,
        the package comes back unchanged (``provenance`` stays ``None``, unknown). A version
        the index page does not list keeps ``None`` too, unless it has no files (nothing to
        attest: ``()``).
        """
        found = await self.provenance(package.name)
        if found is None:
            return package
        versions: dict[str, VersionInfo] = {}
        for version, info in package.versions.items():
            refs = found.get(_version_key(version))
            if refs is None and not info.files:
                refs = ()
            versions[version] = replace(info, provenance=refs)
        return replace(package, versions=versions)

    async def attestation_publisher(self, url: str) -> tuple[str, str | None] | None:
        """The publisher a PEP 740 provenance object *claims*: (repository, workflow).

        Reads ``attestation_bundles[].publisher`` of the provenance object at ``url`` (a
        :attr:`ProvenanceRef.url <stockade.ecosystems.interface.ProvenanceRef.url>`); nothing
        is verified here. GitHub and GitLab repositories (``owner/name``) come back as
        ``https://`` URLs on their forge, comparable with declared source repositories.
        ``None`` when the index has no such object (404) or it names no repository.
        """
        try:
            data = await self._http.get_json(url, headers={"Accept": _INTEGRITY_JSON})
        except HttpError as exc:
            raise RegistryError(f"cannot fetch PyPI provenance: {exc}") from None
        if data is None:
            return None
        attested = url.rstrip("/").rsplit("/", 2)[-2]  # .../<filename>/provenance
        return _publisher(self._validate(_Provenance, data, url, attested))

    def _release(self, name: str, release: _Release) -> VersionInfo:
        info = release.info
        files = release.urls
        return VersionInfo(
            ecosystem=Ecosystem.PYPI,
            name=name,
            version=info.version,
            released=_released(files),
            files=_files(files),
            source_repository=_source_repository(info),
            license=_license(info),
            dependencies=requires_dist(info.requires_dist),
            yanked=info.yanked or (bool(files) and all(f.yanked for f in files)),
            yanked_reason=info.yanked_reason
            or next((f.yanked_reason for f in files if f.yanked_reason), None),
        )

    async def _get(self, url: str, name: str) -> Any | None:
        try:
            return await self._http.get_json(url)
        except HttpError as exc:
            raise RegistryError(
                f"cannot fetch PyPI metadata for {name!r}: {exc}",
                hint=f"the index {redact(self.location.url)} came from {self.location.source}",
            ) from None

    @staticmethod
    def _validate(model: type[_M], data: Any, url: str, name: str) -> _M:
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "(top level)"
            raise RegistryError(
                f"unexpected PyPI metadata for {name!r} from {redact(url)}: {where}: {first['msg']}"
            ) from None
