"""The npm registry client: packuments, every version's tarball, integrity and dependencies.

The registry comes from npm's settings (:func:`~stockade.ecosystems.registries.npm_registry_url`,
``@scope:registry`` for scoped packages) and requests carry the credentials the ``.npmrc``
files hold for it.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import logging
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import quote

from stockade.ecosystems.interface import (
    DeclaredRequirement,
    Ecosystem,
    FileInfo,
    PackageInfo,
    VersionInfo,
)
from stockade.ecosystems.registries import (
    NpmConfig,
    RegistryLocation,
    npm_registry_url,
    source_repository_url,
)
from stockade.errors import HttpError, RegistryError
from stockade.http import HttpClient, redact

log = logging.getLogger(__name__)

_DEPENDENCY_FIELDS = (
    ("dependencies", "prod"),
    ("optionalDependencies", "optional"),
    ("peerDependencies", "peer"),
    ("devDependencies", "dev"),
)


def packument_path(name: str) -> str:
    """The registry path of a package: scoped names as ``@scope%2fname``."""
    return quote(name, safe="@").replace("%2F", "%2f")


def integrity_digests(integrity: str) -> dict[str, str]:
    """Hex digests from a Subresource Integrity string (``sha512-<base64> ...``)."""
    digests: dict[str, str] = {}
    for token in integrity.split():
        algorithm, _, encoded = token.partition("-")
        encoded = encoded.split("?", 1)[0]
        try:
            raw = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            continue
        if raw and algorithm:
            digests.setdefault(algorithm.lower(), raw.hex())
    return digests


def _text(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _license(manifest: Mapping[str, Any]) -> str | None:
    value = manifest.get("license")
    if isinstance(value, Mapping):
        value = value.get("type")
    if isinstance(value, str) and value.strip():
        return value.strip()
    legacy = manifest.get("licenses")
    if isinstance(legacy, list):
        names = [
            item.get("type") if isinstance(item, Mapping) else item
            for item in legacy
            if isinstance(item, Mapping | str)
        ]
        kept = [n.strip() for n in names if isinstance(n, str) and n.strip()]
        if kept:
            return kept[0] if len(kept) == 1 else "(" + " OR ".join(kept) + ")"
    return None


def _repository(value: Any) -> str | None:
    if isinstance(value, Mapping):
        value = value.get("url")
    return source_repository_url(value) if isinstance(value, str) else None


def _deprecated(value: Any) -> str | None:
    if isinstance(value, str):
        return value.strip() or None
    return "deprecated" if value is True else None


def _pairs(value: Any) -> list[tuple[str, str]]:
    if isinstance(value, Mapping):
        return [(str(k), v if isinstance(v, str) else "") for k, v in value.items()]
    if isinstance(value, list):  # very old manifests list names only
        return [(v, "") for v in value if isinstance(v, str)]
    return []


def _dependencies(manifest: Mapping[str, Any]) -> tuple[DeclaredRequirement, ...]:
    # npm copies optionalDependencies into dependencies on publish; they stay optional.
    optional = {name for name, _ in _pairs(manifest.get("optionalDependencies"))}
    found: list[DeclaredRequirement] = []
    for field_name, scope in _DEPENDENCY_FIELDS:
        for name, spec in _pairs(manifest.get(field_name)):
            if scope == "prod" and name in optional:
                continue
            found.append(DeclaredRequirement(name=name, spec=spec.strip(), scope=scope))
    return tuple(found)


def _time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


class NpmRegistry:
    """The :class:`~stockade.ecosystems.interface.Registry` of npm (full packuments).

    ``base_url`` overrides the registry for every package; ``None`` uses npm's settings.
    ``config`` holds those settings (default: read as npm would from the current folder).
    A packument is fetched once per instance however many versions are asked for.
    """

    ecosystem: Ecosystem = Ecosystem.NPM

    def __init__(
        self, http: HttpClient, *, base_url: str | None = None, config: NpmConfig | None = None
    ) -> None:
        self._http = http
        self._base_url = base_url
        self._config = config
        self._locations: dict[str | None, RegistryLocation] = {}
        self._packuments: dict[str, asyncio.Future[Mapping[str, Any] | None]] = {}

    @property
    def config(self) -> NpmConfig:
        """npm's settings in use."""
        if self._config is None:
            self._config = NpmConfig.load()
        return self._config

    def location(self, name: str) -> RegistryLocation:
        """The registry that serves ``name`` and where it was configured."""
        scope = name.split("/", 1)[0] if name.startswith("@") and "/" in name else None
        found = self._locations.get(scope)
        if found is None:
            if self._base_url:
                found = RegistryLocation(self._base_url, "override")
            else:
                found = npm_registry_url(scope=scope, config=self.config)
            self._locations[scope] = found
        return found

    def packument_url(self, name: str) -> str:
        """The URL of a package's packument."""
        return self.location(name).url.rstrip("/") + "/" + packument_path(name)

    async def package(self, name: str) -> PackageInfo | None:
        """Every version of a package from its packument; ``None`` when unknown."""
        name = name.strip()
        packument = await self._packument(name)
        if packument is None:
            return None
        versions = {v: self._version(name, v, packument) for v in packument["versions"]}
        latest = packument["dist-tags"].get("latest")
        latest = latest if isinstance(latest, str) else None
        latest_manifest = packument["versions"].get(latest) if latest else None
        latest_manifest = latest_manifest if isinstance(latest_manifest, Mapping) else {}
        repository = _repository(packument.get("repository")) or _repository(
            latest_manifest.get("repository")
        )
        summary = _text(packument.get("description")) or _text(latest_manifest.get("description"))
        return PackageInfo(
            ecosystem=Ecosystem.NPM,
            name=name,
            versions=versions,
            latest=latest,
            source_repository=repository,
            summary=summary,
        )

    async def version(self, name: str, version: str) -> VersionInfo | None:
        """One version of a package (from the packument); ``None`` when unknown."""
        name = name.strip()
        packument = await self._packument(name)
        if packument is None:
            return None
        version = version.strip()
        if version not in packument["versions"]:
            version = version.lstrip("=v").strip()
            if version not in packument["versions"]:
                return None
        return self._version(name, version, packument)

    def _version(self, name: str, version: str, packument: Mapping[str, Any]) -> VersionInfo:
        manifest = packument["versions"][version]
        if not isinstance(manifest, Mapping):
            raise RegistryError(
                f"unexpected npm metadata for {name!r}: version {version} is not an object"
            )
        released = _time(packument["time"].get(version))
        dist = manifest.get("dist")
        dist = dist if isinstance(dist, Mapping) else {}
        digests = integrity_digests(dist.get("integrity") or "")
        shasum = dist.get("shasum")
        if isinstance(shasum, str) and shasum:
            digests.setdefault("sha1", shasum.lower())
        tarball = dist.get("tarball")
        files: tuple[FileInfo, ...] = ()
        if isinstance(tarball, str) and tarball:
            files = (
                FileInfo(
                    filename=tarball.rsplit("/", 1)[-1],
                    url=tarball,
                    digests=digests,
                    kind="tarball",
                    uploaded=released,
                ),
            )
        return VersionInfo(
            ecosystem=Ecosystem.NPM,
            name=name,
            version=version,
            released=released,
            files=files,
            source_repository=_repository(manifest.get("repository")),
            license=_license(manifest),
            dependencies=_dependencies(manifest),
            deprecated=_deprecated(manifest.get("deprecated")),
        )

    async def _packument(self, name: str) -> Mapping[str, Any] | None:
        """The packument, fetched once per instance (concurrent callers share the request)."""
        future = self._packuments.get(name)
        if future is None:
            future = asyncio.ensure_future(self._fetch(name))
            self._packuments[name] = future
        try:
            return await asyncio.shield(future)
        except RegistryError:
            if self._packuments.get(name) is future:
                del self._packuments[name]
            raise

    async def _fetch(self, name: str) -> Mapping[str, Any] | None:
        url = self.packument_url(name)
        try:
            data = await self._http.get_json(url, headers=self.config.auth_headers(url))
        except HttpError as exc:
            location = self.location(name)
            raise RegistryError(
                f"cannot fetch npm metadata for {name!r}: {exc}",
                hint=f"the registry {redact(location.url)} came from {location.source}",
            ) from None
        if data is None:
            return None
        if not isinstance(data, Mapping):
            raise RegistryError(f"unexpected npm metadata for {name!r}: not an object")
        versions = data.get("versions", {})
        tags = data.get("dist-tags", {})
        times = data.get("time", {})
        for field_name, value in (("versions", versions), ("dist-tags", tags), ("time", times)):
            if not isinstance(value, Mapping):
                raise RegistryError(
                    f"unexpected npm metadata for {name!r} from {redact(url)}: "
                    f"{field_name} is not an object"
                )
        return {**data, "versions": versions, "dist-tags": tags, "time": times}
