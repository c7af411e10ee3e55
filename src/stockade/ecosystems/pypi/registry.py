"""The PyPI JSON API client: project and release metadata, files and their digests.

The index comes from pip's settings (:func:`~stockade.ecosystems.registries.pypi_index_url`);
the JSON API lives beside it (:func:`~stockade.ecosystems.registries.pypi_json_api_base`).
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime
from typing import Any, TypeVar

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version
from pydantic import BaseModel, ConfigDict, ValidationError

from stockade.ecosystems.interface import (
    DeclaredRequirement,
    Ecosystem,
    FileInfo,
    PackageInfo,
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
    license: str | None = None
    license_expression: str | None = None
    classifiers: list[str] | None = None
    home_page: str | None = None
    project_urls: dict[str, str | None] | None = None
    requires_dist: list[str] | None = None
    yanked: bool = False
    yanked_reason: str | None = None


_M = TypeVar("_M", bound=_Model)


class _Project(_Model):
    info: _Info
    releases: dict[str, list[_File]] = {}
    urls: list[_File] = []


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
        return PackageInfo(
            ecosystem=Ecosystem.PYPI,
            name=name,
            versions=versions,
            latest=info.version,
            source_repository=repository,
            summary=info.summary,
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
