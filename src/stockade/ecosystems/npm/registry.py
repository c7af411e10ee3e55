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
    ProvenanceRef,
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
_INSTALL_SCRIPTS = ("preinstall", "install", "postinstall")
"""The lifecycle scripts npm runs when it installs a package as a dependency, in order."""
_NO_README = "ERROR: No README data found!"
"""What the registry stores as ``readme`` when a package has none."""


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


def _account(value: Any) -> str | None:
    """An account name from ``{"name": ...}`` or the old ``"name <email>"`` string."""
    if isinstance(value, Mapping):
        value = value.get("name")
    if not isinstance(value, str):
        return None
    return value.split("<", 1)[0].strip() or None


def _maintainers(value: Any) -> tuple[str, ...] | None:
    """Packument ``maintainers`` as account names; ``None`` when the key is absent."""
    if not isinstance(value, list):
        return None
    found: dict[str, None] = {}
    for item in value:
        name = _account(item)
        if name:
            found.setdefault(name)
    return tuple(found)


def _keywords(value: Any) -> tuple[str, ...]:
    """``keywords`` (a list, or a comma/space-separated string in old manifests)."""
    if isinstance(value, str):
        value = value.split(",") if "," in value else value.split()
    if not isinstance(value, list):
        return ()
    found: dict[str, None] = {}
    for item in value:
        if isinstance(item, str) and (word := " ".join(item.split()).lower()):
            found.setdefault(word)
    return tuple(found)


def _has_description(packument: Mapping[str, Any], summary: str | None) -> bool | None:
    """Whether a README (or at least a description) is published; ``None`` when unknown.

    A ``readme`` that is not empty nor the registry's "no README" marker says yes; failing
    that, a description does. With neither, the answer is no only when the packument carries
    a ``readme`` key at all (abbreviated packuments and some mirrors leave it out).
    """
    readme = packument.get("readme")
    if isinstance(readme, str) and readme.strip() and readme.strip() != _NO_README:
        return True
    if summary:
        return True
    return False if "readme" in packument else None


def _created(times: Mapping[str, Any]) -> datetime | None:
    """``time.created``, else the earliest version's publication."""
    created = _time(times.get("created"))
    if created is not None:
        return created
    published = [
        when
        for key, value in times.items()
        if key not in {"created", "modified"} and (when := _time(value)) is not None
    ]
    return min(published) if published else None


def _install_scripts(manifest: Mapping[str, Any]) -> tuple[str, ...]:
    """The scripts npm runs when installing this version as a dependency.

    ``preinstall``, ``install``, ``postinstall`` when declared; ``gypfile: true`` (a
    ``binding.gyp``) implies ``install`` (``node-gyp rebuild``) when neither ``install`` nor
    ``preinstall`` is declared, as npm does.
    """
    scripts = manifest.get("scripts")
    scripts = scripts if isinstance(scripts, Mapping) else {}
    found = {
        name for name in _INSTALL_SCRIPTS if isinstance(scripts.get(name), str) and scripts[name]
    }
    if manifest.get("gypfile") is True and not found & {"install", "preinstall"}:
        found.add("install")
    return tuple(name for name in _INSTALL_SCRIPTS if name in found)


def _carries_signatures(packument: Mapping[str, Any]) -> bool:
    """Whether any version's ``dist`` has ``signatures`` or ``attestations``.

    The public registry signs every version it serves (and adds ``attestations`` where there
    is provenance); a packument with neither anywhere comes from a source that strips them.
    """
    for manifest in packument["versions"].values():
        dist = manifest.get("dist") if isinstance(manifest, Mapping) else None
        if isinstance(dist, Mapping) and ("signatures" in dist or "attestations" in dist):
            return True
    return False


def _provenance(dist: Mapping[str, Any], signed: bool) -> tuple[ProvenanceRef, ...] | None:
    """``dist.attestations`` as a provenance reference; ``()`` if absent from a signed
    packument, ``None`` (unknown) if the packument carries no signatures at all."""
    attestations = dist.get("attestations")
    if isinstance(attestations, Mapping):
        url = attestations.get("url")
        provenance = attestations.get("provenance")
        predicate = provenance.get("predicateType") if isinstance(provenance, Mapping) else None
        return (
            ProvenanceRef(
                kind="npm",
                url=url if isinstance(url, str) and url else None,
                predicate_type=predicate if isinstance(predicate, str) and predicate else None,
            ),
        )
    return () if signed else None


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
        self._signed: dict[str, bool] = {}

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
        signed = self._is_signed(name, packument)
        versions = {v: self._version(name, v, packument, signed) for v in packument["versions"]}
        latest = packument["dist-tags"].get("latest")
        latest = latest if isinstance(latest, str) else None
        latest_manifest = packument["versions"].get(latest) if latest else None
        latest_manifest = latest_manifest if isinstance(latest_manifest, Mapping) else {}
        repository = _repository(packument.get("repository")) or _repository(
            latest_manifest.get("repository")
        )
        summary = _text(packument.get("description")) or _text(latest_manifest.get("description"))
        keywords = _keywords(latest_manifest.get("keywords")) or _keywords(
            packument.get("keywords")
        )
        homepage = _text(packument.get("homepage")) or _text(latest_manifest.get("homepage"))
        scope = name[1:].split("/", 1)[0] if name.startswith("@") and "/" in name else None
        return PackageInfo(
            ecosystem=Ecosystem.NPM,
            name=name,
            versions=versions,
            latest=latest,
            source_repository=repository,
            summary=summary,
            description=_has_description(packument, summary),
            homepage=homepage,
            license=_license(latest_manifest) or _license(packument),
            keywords=keywords,
            maintainers=_maintainers(packument.get("maintainers")),
            organization=scope or None,
            created=_created(packument["time"]),
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
        return self._version(name, version, packument, self._is_signed(name, packument))

    def _is_signed(self, name: str, packument: Mapping[str, Any]) -> bool:
        """:func:`_carries_signatures`, worked out once per packument."""
        signed = self._signed.get(name)
        if signed is None:
            signed = self._signed[name] = _carries_signatures(packument)
        return signed

    def _version(
        self, name: str, version: str, packument: Mapping[str, Any], signed: bool
    ) -> VersionInfo:
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
            provenance=_provenance(dist, signed),
            published_by=_account(manifest.get("_npmUser")),
            install_scripts=_install_scripts(manifest),
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
