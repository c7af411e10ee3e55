"""Download a package version's archives by purl, verified against the registry's digests.

``fetch_purl("pkg:pypi/requests@2.32.3", ...)`` resolves the version (the registry's latest when
the purl names none), chooses its files (``which="default"``: the sdist and the most generic
wheel on PyPI, the tarball on npm; ``which="all"``: every file), downloads each one through
:class:`~stockade.http.HttpClient`, checks it against the strongest digest the registry gives
and writes it atomically into ``dest``. A file already in ``dest`` with the right digest is
reused without a request. Nothing downloaded is ever opened here beyond hashing its bytes.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

from packageurl import PackageURL
from packaging.tags import Tag
from packaging.utils import InvalidWheelFilename, parse_wheel_filename

from stockade.ecosystems.interface import Ecosystem, FileInfo, Registry, VersionInfo
from stockade.ecosystems.npm.registry import NpmRegistry
from stockade.ecosystems.pypi.registry import PyPIRegistry
from stockade.ecosystems.registries import pypi_json_url
from stockade.errors import HttpError, StockadeError
from stockade.http import HttpClient, redact

DIGEST_PREFERENCE = ("sha512", "sha384", "sha256", "sha1")
"""Digests a download is checked against, strongest first (only the strongest given is used)."""

_NPM_DROPPED_FIELDS = frozenset({"readme", "readmeFilename"})
_SDIST_SUFFIXES = (".tar.gz", ".zip", ".tar.bz2", ".tgz", ".tar.xz", ".tar")
_PURE_PY3 = Tag("py3", "none", "any")


@dataclass(frozen=True, slots=True)
class Fetched:
    """One downloaded and verified archive of a package version."""

    path: Path
    """The downloaded archive (in ``dest``)."""
    filename: str
    """Its file name, ``path.name`` (a scoped npm tarball carries its scope:
    ``acme-widget-1.0.0.tgz``)."""
    sha256: str
    """SHA-256 of its bytes, hex."""
    ecosystem: str
    """``PyPI`` or ``npm``."""
    name: str
    """The package name as the registry knows it."""
    version: str
    """The version, as the registry spells it."""
    registry: dict[str, Any]
    """What the registry says of this version, to compare with the archive's own manifest: for
    npm the version document (name, version, scripts, dependencies, optionalDependencies, bin,
    main ...); for PyPI ``{"name", "version", "requires_dist"}`` (``requires_dist`` is ``None``
    when the registry does not say)."""


class FetchError(StockadeError):
    """A package archive could not be fetched: unknown package or version, a download that
    failed, or one that does not match the registry's digest."""


class ArchiveTooLargeError(FetchError):
    """An archive is larger than the download limit."""


def parse_purl(purl: str) -> tuple[Ecosystem, str, str | None]:
    """The ecosystem, package name (``@scope/name`` on npm) and version (or ``None``) of a purl."""
    try:
        parsed = PackageURL.from_string(purl.strip())
    except ValueError as exc:
        raise FetchError(f"not a package URL: {purl!r} ({exc})") from None
    by_type = {e.purl_type: e for e in Ecosystem}
    ecosystem = by_type.get(parsed.type)
    if ecosystem is None:
        known = ", ".join(f"pkg:{t}/" for t in sorted(by_type))
        raise FetchError(f"unsupported package type in {purl!r}", hint=f"use one of {known}")
    name = parsed.name
    if ecosystem is Ecosystem.NPM and parsed.namespace:
        namespace = parsed.namespace
        name = f"{namespace if namespace.startswith('@') else '@' + namespace}/{name}"
    elif parsed.namespace:
        raise FetchError(f"a PyPI package URL has no namespace: {purl!r}")
    return ecosystem, name, parsed.version or None


def wheel_rank(filename: str) -> tuple[int, int, str]:
    """Sort key of wheels, most generic first: ``py3-none-any``, other pure wheels, abi3,
    then platform wheels (manylinux x86_64 before the others); ties by file name."""
    try:
        _, _, _, tags = parse_wheel_filename(filename)
    except InvalidWheelFilename:
        return (9, 1, filename)
    if _PURE_PY3 in tags:
        generic = 0
    elif any(t.abi == "none" and t.platform == "any" for t in tags):
        generic = 1
    elif any(t.platform == "any" for t in tags):
        generic = 2
    elif any(t.abi == "abi3" for t in tags):
        generic = 3
    else:
        generic = 4
    linux = any("manylinux" in t.platform and "x86_64" in t.platform for t in tags)
    return (generic, 0 if linux else 1, filename)


def _is_sdist(file: FileInfo) -> bool:
    return file.kind == "sdist" or (
        not file.kind and file.filename.lower().endswith(_SDIST_SUFFIXES)
    )


def choose_files(info: VersionInfo, which: str = "default") -> list[FileInfo]:
    """The files of a version to fetch: ``default`` (PyPI: the sdist and the most generic wheel,
    each when there is one; npm: the tarball) or ``all``."""
    files = list(info.files)
    if which == "all":
        return files
    if which != "default":
        raise FetchError(f"unknown file choice {which!r}", hint="use 'default' or 'all'")
    if info.ecosystem is not Ecosystem.PYPI:
        return files
    live = [f for f in files if not f.yanked] or files
    chosen: list[FileInfo] = []
    sdists = sorted(
        (f for f in live if _is_sdist(f)),
        key=lambda f: (not f.filename.lower().endswith(".tar.gz"), f.filename),
    )
    if sdists:
        chosen.append(sdists[0])
    wheels = [f for f in live if f.filename.lower().endswith(".whl")]
    if wheels:
        chosen.append(min(wheels, key=lambda f: wheel_rank(f.filename)))
    return chosen


def expected_digest(file: FileInfo) -> tuple[str, str] | None:
    """The strongest digest the registry gives for a file: (algorithm, lower-case hex)."""
    for algorithm in DIGEST_PREFERENCE:
        value = file.digests.get(algorithm)
        if value:
            return algorithm, value.strip().lower()
    return None


def file_url(url: str, listed_in: str | None) -> str:
    """A file's URL made absolute: registries and their mirrors may list files relative to the
    JSON document (``../../packages/...``)."""
    if urlsplit(url).scheme or listed_in is None:
        return url
    return urljoin(listed_in, url)


def local_name(name: str, filename: str) -> str:
    """The file name to write in ``dest``: the registry's, with an npm scope prefixed
    (``@acme/widget`` → ``acme-widget-1.0.0.tgz``), refusing names that are not plain names."""
    base = filename.strip()
    if (
        not base
        or base in {".", ".."}
        or base.startswith(".")
        or any(c in base for c in "/\\\x00")
        or any(ord(c) < 32 for c in base)
    ):
        raise FetchError(f"refusing the file name {filename!r} given by the registry for {name!r}")
    if name.startswith("@") and "/" in name:
        scope = name[1:].split("/", 1)[0]
        if not base.startswith(f"{scope}-"):
            base = f"{scope}-{base}"
    return base


async def fetch_purl(
    purl: str,
    registry_for: Callable[[Ecosystem], Registry],
    http: HttpClient,
    dest: Path,
    *,
    which: str = "default",
    max_bytes: int = 200 << 20,
) -> list[Fetched]:
    """Download the archives of the package version a purl names (latest when it names none),
    each verified against the registry's digest, into ``dest``."""
    ecosystem, name, version = parse_purl(purl)
    registry = registry_for(ecosystem)
    info, from_latest = await _resolve(registry, ecosystem, name, version)
    files = choose_files(info, which)
    if not files:
        raise FetchError(f"{ecosystem.value} lists no files for {info.name} {info.version}")
    document, listed_in = await _registry_document(registry, http, info, from_latest)
    dest.mkdir(parents=True, exist_ok=True)
    fetched: list[Fetched] = []
    for file in files:
        path = dest / local_name(info.name, file.filename)
        url = file_url(file.url, listed_in)
        sha256 = await _download(http, registry, file, url, path, max_bytes)
        fetched.append(
            Fetched(
                path=path,
                filename=path.name,
                sha256=sha256,
                ecosystem=ecosystem.value,
                name=info.name,
                version=info.version,
                registry=document,
            )
        )
    return fetched


async def _resolve(
    registry: Registry, ecosystem: Ecosystem, name: str, version: str | None
) -> tuple[VersionInfo, bool]:
    """The version's metadata, and whether it was chosen as the registry's latest."""
    if version is None:
        package = await registry.package(name)
        if package is None:
            raise FetchError(f"{ecosystem.value} has no package {name!r}")
        if not package.latest:
            raise FetchError(f"{ecosystem.value} names no latest version of {name!r}")
        info = package.versions.get(package.latest)
        if info is None:
            info = await registry.version(name, package.latest)
        if info is None:
            raise FetchError(
                f"{ecosystem.value} calls {package.latest} the latest version of {name!r} "
                "but has no such version"
            )
        return info, True
    found = await registry.version(name, version)
    if found is None:
        if await registry.package(name) is None:
            raise FetchError(f"{ecosystem.value} has no package {name!r}")
        raise FetchError(f"{ecosystem.value} has no version {version} of {name!r}")
    return found, False


async def _registry_document(
    registry: Registry, http: HttpClient, info: VersionInfo, from_latest: bool
) -> tuple[dict[str, Any], str | None]:
    """What the registry says of the version, in the shape the metadata analyser compares, and
    the URL of the document its files were listed in (relative file URLs are relative to it)."""
    found: dict[str, Any] | None = None
    source: str | None = None
    try:
        if isinstance(registry, NpmRegistry):
            found, source = await _npm_document(registry, http, info)
        elif isinstance(registry, PyPIRegistry):
            found, source = await _pypi_document(registry, http, info, from_latest)
    except HttpError:
        pass  # the registry client already read it; fall back to what it made of it
    return (found if found is not None else _document_from_info(info)), source


async def _npm_document(
    registry: NpmRegistry, http: HttpClient, info: VersionInfo
) -> tuple[dict[str, Any] | None, str]:
    url = registry.packument_url(info.name)
    packument = await http.get_json(url, headers=registry.config.auth_headers(url))
    versions = packument.get("versions") if isinstance(packument, Mapping) else None
    manifest = versions.get(info.version) if isinstance(versions, Mapping) else None
    if not isinstance(manifest, Mapping):
        return None, url
    return {str(k): v for k, v in manifest.items() if k not in _NPM_DROPPED_FIELDS}, url


async def _pypi_document(
    registry: PyPIRegistry, http: HttpClient, info: VersionInfo, from_latest: bool
) -> tuple[dict[str, Any] | None, str | None]:
    # The registry client reads the version endpoint first and falls back to the project's
    # (which lists every release, but describes only the latest in "info"); so do we.
    index = registry.location.url
    urls = [pypi_json_url(index, info.name)]
    if not from_latest:
        urls.insert(0, pypi_json_url(index, info.name, info.version))
    for url in urls:
        data = await http.get_json(url)
        if not isinstance(data, Mapping):
            continue
        meta = data.get("info")
        if not isinstance(meta, Mapping) or meta.get("version") != info.version:
            return None, url
        requires = meta.get("requires_dist")
        name = meta.get("name")
        return {
            "name": name if isinstance(name, str) else info.name,
            "version": info.version,
            "requires_dist": [r for r in requires if isinstance(r, str)]
            if isinstance(requires, list)
            else None,
        }, url
    return None, None


def _document_from_info(info: VersionInfo) -> dict[str, Any]:
    """The registry document rebuilt from parsed metadata (for registries of other kinds)."""
    deps = info.dependencies
    if info.ecosystem is Ecosystem.PYPI:
        lines: list[str] | None = None
        if deps is not None:
            lines = []
            for dep in deps:
                line = f"{dep.name} {dep.spec}" if dep.spec.startswith("@") else dep.name + dep.spec
                lines.append(f"{line}; {dep.marker}" if dep.marker else line)
        return {"name": info.name, "version": info.version, "requires_dist": lines}
    document: dict[str, Any] = {"name": info.name, "version": info.version}
    fields = {
        "prod": "dependencies",
        "optional": "optionalDependencies",
        "peer": "peerDependencies",
    }
    for dep in deps or ():
        field_name = fields.get(dep.scope)
        if field_name:
            document.setdefault(field_name, {})[dep.name] = dep.spec
    return document


def _auth_headers(registry: Registry, url: str) -> dict[str, str]:
    """The credentials npm would send with a tarball request to its registry."""
    if isinstance(registry, NpmRegistry):
        return registry.config.auth_headers(url)
    return {}


async def _download(
    http: HttpClient, registry: Registry, file: FileInfo, url: str, path: Path, max_bytes: int
) -> str:
    """Fetch one file into ``path`` (or reuse a verified copy); its SHA-256."""
    digest = expected_digest(file)
    if digest is None:
        raise FetchError(
            f"{file.filename}: the registry gives no digest to verify it against",
            hint=f"known digests: {', '.join(sorted(file.digests)) or 'none'}",
        )
    if path.is_file():
        reused = await asyncio.to_thread(_verified_copy, path, digest)
        if reused is not None:
            return reused
    if file.size is not None and file.size > max_bytes:
        raise ArchiveTooLargeError(
            f"{file.filename} is {_megabytes(file.size)}, over the {_megabytes(max_bytes)} limit"
        )
    try:
        data = await http.get_bytes(url, headers=_auth_headers(registry, url), max_bytes=max_bytes)
    except HttpError as exc:
        if "larger than" in str(exc):
            raise ArchiveTooLargeError(
                f"{file.filename} is over the {_megabytes(max_bytes)} limit"
            ) from None
        raise FetchError(f"cannot download {file.filename}: {exc}") from None
    if data is None:
        raise FetchError(f"cannot download {file.filename}: {redact(url)} answered not found")
    return await asyncio.to_thread(_verify_and_write, data, digest, path, file.filename)


def _verified_copy(path: Path, digest: tuple[str, str]) -> str | None:
    """The SHA-256 of the file at ``path`` if it matches ``digest``, else ``None``."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    algorithm, expected = digest
    if hashlib.new(algorithm, data).hexdigest() != expected:
        return None
    return hashlib.sha256(data).hexdigest()


def _verify_and_write(data: bytes, digest: tuple[str, str], path: Path, filename: str) -> str:
    """Check ``data`` against ``digest``, then write it to ``path`` atomically; its SHA-256."""
    algorithm, expected = digest
    actual = hashlib.new(algorithm, data).hexdigest()
    if actual != expected:
        path.unlink(missing_ok=True)  # a stale copy that did not match either
        raise FetchError(
            f"{filename}: the download does not match the registry's {algorithm} digest "
            f"(expected {expected[:16]}…, got {actual[:16]}…); not kept"
        )
    tmp: str | None = None
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".part-")
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.chmod(tmp, 0o644)  # mkstemp makes it private; a download is not
        os.replace(tmp, path)
        tmp = None
    except OSError as exc:
        raise FetchError(f"cannot write {path}: {exc.strerror or exc}") from None
    finally:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
    return hashlib.sha256(data).hexdigest()


def _megabytes(size: int) -> str:
    return f"{size / (1 << 20):.0f} MB"


__all__ = [
    "ArchiveTooLargeError",
    "FetchError",
    "Fetched",
    "choose_files",
    "expected_digest",
    "fetch_purl",
    "file_url",
    "local_name",
    "parse_purl",
    "wheel_rank",
]
