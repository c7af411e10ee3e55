"""fetch_purl against PyPI and npm registries served through a mock transport."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import tarfile
import zipfile
from pathlib import Path
from typing import Any

import httpx
import pytest

from stockade.analysis.fetch import (
    ArchiveTooLargeError,
    FetchError,
    choose_files,
    fetch_purl,
    file_url,
    local_name,
    parse_purl,
    wheel_rank,
)
from stockade.ecosystems.interface import Ecosystem, FileInfo, Registry, VersionInfo
from stockade.ecosystems.npm.registry import NpmRegistry
from stockade.ecosystems.pypi.registry import PyPIRegistry
from stockade.ecosystems.registries import NpmConfig
from stockade.http import HttpClient

PYPI_INDEX = "https://pypi.test/simple/"
PYPI_API = "https://pypi.test/pypi"
FILES = "https://files.pypi.test/packages"
NPM = "https://npm.test/"


def sdist(name: str, version: str) -> bytes:
    """A small sdist: ``name-version/setup.py`` and ``PKG-INFO``."""
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:gz") as tar:
        for rel, text in (
            ("setup.py", "from setuptools import setup\nsetup()\n"),
            ("PKG-INFO", f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"),
        ):
            data = text.encode()
            info = tarfile.TarInfo(f"{name}-{version}/{rel}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return out.getvalue()


def wheel(name: str, version: str) -> bytes:
    """A small wheel with one module."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr(f"{name}/__init__.py", "VERSION = 1\n")
        zf.writestr(f"{name}-{version}.dist-info/METADATA", f"Name: {name}\n")
    return out.getvalue()


def npm_tarball(name: str, version: str, scripts: dict[str, str] | None = None) -> bytes:
    """A small npm tarball: ``package/package.json`` and ``package/index.js``."""
    manifest = {"name": name, "version": version, "main": "index.js", "scripts": scripts or {}}
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:gz") as tar:
        for rel, data in (
            ("package/package.json", json.dumps(manifest).encode()),
            ("package/index.js", b"module.exports = 1;\n"),
        ):
            info = tarfile.TarInfo(rel)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return out.getvalue()


class Server:
    """Serves JSON documents and raw files by URL; 404 for anything else."""

    def __init__(self) -> None:
        self.json: dict[str, Any] = {}
        self.files: dict[str, bytes] = {}
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        url = str(request.url)
        if url in self.json:
            return httpx.Response(200, json=self.json[url])
        if url in self.files:
            return httpx.Response(200, content=self.files[url])
        return httpx.Response(404)

    def urls(self) -> list[str]:
        """Every URL requested, in order."""
        return [str(r.url) for r in self.requests]


def pypi_file(
    server: Server,
    filename: str,
    data: bytes,
    *,
    kind: str,
    digest: str | None = None,
    yanked: bool = False,
    size: int | None = None,
) -> dict[str, Any]:
    url = f"{FILES}/{filename}"
    server.files[url] = data
    return {
        "filename": filename,
        "url": url,
        "digests": {"sha256": digest or hashlib.sha256(data).hexdigest(), "md5": "0" * 32},
        "size": len(data) if size is None else size,
        "packagetype": kind,
        "upload_time_iso_8601": "2026-01-02T03:04:05Z",
        "yanked": yanked,
    }


def serve_pypi(
    server: Server,
    name: str,
    releases: dict[str, list[dict[str, Any]]],
    *,
    latest: str,
    requires: list[str] | None = None,
) -> None:
    """The project document and one document per version, as the JSON API serves them."""

    def info(version: str) -> dict[str, Any]:
        return {"name": name, "version": version, "requires_dist": requires}

    server.json[f"{PYPI_API}/{name}/json"] = {
        "info": info(latest),
        "releases": releases,
        "urls": releases[latest],
    }
    for version, files in releases.items():
        server.json[f"{PYPI_API}/{name}/{version}/json"] = {"info": info(version), "urls": files}


def integrity(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


def serve_npm(
    server: Server,
    name: str,
    versions: dict[str, bytes],
    *,
    latest: str,
    scripts: dict[str, str] | None = None,
    use_integrity: bool = True,
    tamper: bool = False,
) -> None:
    """A packument whose tarballs are served beside it."""
    path = name.replace("/", "%2f")
    documents: dict[str, Any] = {}
    for version, data in versions.items():
        base = name.rsplit("/", 1)[-1]
        url = f"{NPM}{name}/-/{base}-{version}.tgz"
        server.files[url] = data
        digested = data + b"tampered" if tamper else data
        dist: dict[str, Any] = {"tarball": url, "shasum": hashlib.sha1(digested).hexdigest()}
        if use_integrity:
            dist["integrity"] = integrity(digested)
        documents[version] = {
            "name": name,
            "version": version,
            "main": "index.js",
            "scripts": scripts or {},
            "dependencies": {"left-pad": "^1.3.0"},
            "bin": {"demo": "cli.js"},
            "readme": "x" * 1000,
            "dist": dist,
        }
    server.json[f"{NPM}{path}"] = {
        "name": name,
        "dist-tags": {"latest": latest},
        "versions": documents,
        "time": dict.fromkeys(versions, "2026-01-02T03:04:05.000Z"),
    }


class Env:
    """An HttpClient and registries over one mock server."""

    def __init__(self, tmp_path: Path, server: Server, config: NpmConfig | None = None) -> None:
        self.http = HttpClient(
            cache_dir=tmp_path / "http", transport=httpx.MockTransport(server), retries=0
        )
        self.registries: dict[Ecosystem, Registry] = {
            Ecosystem.PYPI: PyPIRegistry(self.http, base_url=PYPI_INDEX),
            Ecosystem.NPM: NpmRegistry(self.http, base_url=NPM, config=config or NpmConfig()),
        }
        self.dest = tmp_path / "dest"

    async def fetch(self, purl: str, **kwargs: Any) -> list[Any]:
        return await fetch_purl(purl, self.registries.__getitem__, self.http, self.dest, **kwargs)


@pytest.fixture
def server() -> Server:
    return Server()


@pytest.fixture
def demo(server: Server) -> dict[str, bytes]:
    """PyPI project ``demo``: 1.0 (sdist, platform wheel, pure wheel) and 2.0 (wheel only)."""
    blobs = {
        "demo-1.0.tar.gz": sdist("demo", "1.0"),
        "demo-1.0-cp312-cp312-manylinux_2_17_x86_64.whl": wheel("demo", "1.0") + b"native",
        "demo-1.0-py3-none-any.whl": wheel("demo", "1.0"),
        "demo-2.0-py2.py3-none-any.whl": wheel("demo", "2.0"),
    }
    one = [
        pypi_file(server, "demo-1.0.tar.gz", blobs["demo-1.0.tar.gz"], kind="sdist"),
        pypi_file(
            server,
            "demo-1.0-cp312-cp312-manylinux_2_17_x86_64.whl",
            blobs["demo-1.0-cp312-cp312-manylinux_2_17_x86_64.whl"],
            kind="bdist_wheel",
        ),
        pypi_file(
            server,
            "demo-1.0-py3-none-any.whl",
            blobs["demo-1.0-py3-none-any.whl"],
            kind="bdist_wheel",
        ),
    ]
    two = [
        pypi_file(
            server,
            "demo-2.0-py2.py3-none-any.whl",
            blobs["demo-2.0-py2.py3-none-any.whl"],
            kind="bdist_wheel",
        )
    ]
    serve_pypi(
        server,
        "demo",
        {"1.0": one, "2.0": two},
        latest="2.0",
        requires=['requests>=2; extra == "http"'],
    )
    return blobs


# --- PyPI ---------------------------------------------------------------------------------------


async def test_pypi_default_takes_sdist_and_pure_wheel(
    tmp_path: Path, server: Server, demo: dict[str, bytes]
) -> None:
    env = Env(tmp_path, server)
    fetched = await env.fetch("pkg:pypi/demo@1.0")
    assert [f.filename for f in fetched] == ["demo-1.0.tar.gz", "demo-1.0-py3-none-any.whl"]
    for item in fetched:
        assert item.path == env.dest / item.filename
        assert item.path.read_bytes() == demo[item.filename]
        assert item.sha256 == hashlib.sha256(demo[item.filename]).hexdigest()
        assert (item.ecosystem, item.name, item.version) == ("PyPI", "demo", "1.0")
        assert item.registry == {
            "name": "demo",
            "version": "1.0",
            "requires_dist": ['requests>=2; extra == "http"'],
        }
    assert sorted(p.name for p in env.dest.iterdir()) == [
        "demo-1.0-py3-none-any.whl",
        "demo-1.0.tar.gz",
    ]


async def test_pypi_all_takes_every_file(
    tmp_path: Path, server: Server, demo: dict[str, bytes]
) -> None:
    fetched = await Env(tmp_path, server).fetch("pkg:pypi/demo@1.0", which="all")
    assert len(fetched) == 3
    assert {f.filename for f in fetched} == {n for n in demo if n.startswith("demo-1.0")}


async def test_pypi_latest_from_the_project_document(
    tmp_path: Path, server: Server, demo: dict[str, bytes]
) -> None:
    env = Env(tmp_path, server)
    (only,) = await env.fetch("pkg:pypi/Demo")
    assert (only.version, only.filename) == ("2.0", "demo-2.0-py2.py3-none-any.whl")
    assert only.registry["requires_dist"] == ['requests>=2; extra == "http"']
    assert f"{PYPI_API}/demo/2.0/json" not in server.urls()


async def test_pypi_digest_mismatch_leaves_no_file(tmp_path: Path, server: Server) -> None:
    data = sdist("bad", "1.0")
    files = [pypi_file(server, "bad-1.0.tar.gz", data, kind="sdist", digest="ab" * 32)]
    serve_pypi(server, "bad", {"1.0": files}, latest="1.0")
    env = Env(tmp_path, server)
    with pytest.raises(FetchError, match=r"bad-1\.0\.tar\.gz.*sha256 digest"):
        await env.fetch("pkg:pypi/bad@1.0")
    assert list(env.dest.iterdir()) == []


async def test_pypi_stale_copy_replaced_and_good_copy_reused(
    tmp_path: Path, server: Server, demo: dict[str, bytes]
) -> None:
    env = Env(tmp_path, server)
    env.dest.mkdir()
    (env.dest / "demo-2.0-py2.py3-none-any.whl").write_bytes(b"truncated")
    (first,) = await env.fetch("pkg:pypi/demo@2.0")
    assert first.path.read_bytes() == demo["demo-2.0-py2.py3-none-any.whl"]
    downloads = [u for u in server.urls() if u.startswith(FILES)]
    assert len(downloads) == 1
    again = Env(tmp_path / "other-cache", server)
    again.dest = env.dest
    (second,) = await again.fetch("pkg:pypi/demo@2.0")
    assert second.sha256 == first.sha256
    assert [u for u in server.urls() if u.startswith(FILES)] == downloads


async def test_pypi_unknown_version_and_package(
    tmp_path: Path, server: Server, demo: dict[str, bytes]
) -> None:
    env = Env(tmp_path, server)
    with pytest.raises(FetchError, match=r"PyPI has no version 9\.9 of 'demo'"):
        await env.fetch("pkg:pypi/demo@9.9")
    with pytest.raises(FetchError, match=r"PyPI has no package 'nothing-here'"):
        await env.fetch("pkg:pypi/nothing-here@1.0")
    with pytest.raises(FetchError, match=r"PyPI has no package 'nothing-here'"):
        await env.fetch("pkg:pypi/nothing-here")


async def test_pypi_too_large(tmp_path: Path, server: Server) -> None:
    data = sdist("big", "1.0")
    by_size = [pypi_file(server, "big-1.0.tar.gz", data, kind="sdist", size=300 << 20)]
    serve_pypi(server, "big", {"1.0": by_size}, latest="1.0")
    env = Env(tmp_path, server)
    with pytest.raises(ArchiveTooLargeError, match="over the 200 MB limit"):
        await env.fetch("pkg:pypi/big@1.0")
    # A registry that understates the size: the download itself is cut off.
    with pytest.raises(ArchiveTooLargeError, match=r"big-1\.0\.tar\.gz"):
        await env.fetch("pkg:pypi/big@1.0", max_bytes=len(data) - 1)
    assert list(env.dest.iterdir()) == []


async def test_pypi_no_digest_is_refused(tmp_path: Path, server: Server) -> None:
    files = [pypi_file(server, "nodigest-1.0.tar.gz", sdist("nodigest", "1.0"), kind="sdist")]
    files[0]["digests"] = {"md5": "0" * 32}
    serve_pypi(server, "nodigest", {"1.0": files}, latest="1.0")
    with pytest.raises(FetchError, match="no digest to verify"):
        await Env(tmp_path, server).fetch("pkg:pypi/nodigest@1.0")


async def test_pypi_unsafe_file_name_is_refused(tmp_path: Path, server: Server) -> None:
    files = [pypi_file(server, "evil-1.0.tar.gz", sdist("evil", "1.0"), kind="sdist")]
    files[0]["filename"] = "../../evil-1.0.tar.gz"
    serve_pypi(server, "evil", {"1.0": files}, latest="1.0")
    env = Env(tmp_path, server)
    with pytest.raises(FetchError, match="refusing the file name"):
        await env.fetch("pkg:pypi/evil@1.0")
    assert not (tmp_path / "evil-1.0.tar.gz").exists()


@pytest.mark.parametrize("version_endpoint", [True, False])
async def test_pypi_relative_file_urls(
    tmp_path: Path, server: Server, version_endpoint: bool
) -> None:
    """Mirrors list files relative to the JSON document that lists them (``../../packages/``)."""
    blobs = {"1.0": sdist("rel", "1.0"), "2.0": sdist("rel", "2.0")}
    releases = {
        v: [pypi_file(server, f"rel-{v}.tar.gz", b, kind="sdist")] for v, b in blobs.items()
    }
    serve_pypi(server, "rel", releases, latest="2.0", requires=["six"])
    server.files.clear()
    for version, data in blobs.items():
        server.files[f"https://pypi.test/packages/rel-{version}.tar.gz"] = data
    project = server.json[f"{PYPI_API}/rel/json"]
    for version in blobs:
        # relative to https://pypi.test/pypi/rel/json
        entry = {**releases[version][0], "url": f"../../packages/rel-{version}.tar.gz"}
        project["releases"][version] = [entry]
        if version_endpoint:
            # relative to https://pypi.test/pypi/rel/<version>/json
            document = server.json[f"{PYPI_API}/rel/{version}/json"]
            document["urls"] = [{**entry, "url": f"../../../packages/rel-{version}.tar.gz"}]
        else:
            del server.json[f"{PYPI_API}/rel/{version}/json"]
    project["urls"] = project["releases"]["2.0"]
    env = Env(tmp_path, server)
    (latest,) = await env.fetch("pkg:pypi/rel")
    assert latest.path.read_bytes() == blobs["2.0"]
    assert latest.registry["requires_dist"] == ["six"]
    (pinned,) = await env.fetch("pkg:pypi/rel@1.0")
    assert pinned.path.read_bytes() == blobs["1.0"]
    # Without a version endpoint, only the project document speaks, and of its latest only.
    assert pinned.registry["requires_dist"] == (["six"] if version_endpoint else None)


# --- npm ----------------------------------------------------------------------------------------


async def test_npm_tarball_with_version_document(tmp_path: Path, server: Server) -> None:
    data = npm_tarball("demo-js", "1.2.0", {"postinstall": "node setup.js"})
    serve_npm(
        server,
        "demo-js",
        {"1.2.0": data, "1.1.0": npm_tarball("demo-js", "1.1.0")},
        latest="1.2.0",
        scripts={"postinstall": "node setup.js"},
    )
    (only,) = await Env(tmp_path, server).fetch("pkg:npm/demo-js")
    assert (only.ecosystem, only.name, only.version) == ("npm", "demo-js", "1.2.0")
    assert only.filename == "demo-js-1.2.0.tgz"
    assert only.path.read_bytes() == data
    assert only.registry["scripts"] == {"postinstall": "node setup.js"}
    assert only.registry["dependencies"] == {"left-pad": "^1.3.0"}
    assert only.registry["bin"] == {"demo": "cli.js"}
    assert only.registry["main"] == "index.js"
    assert "readme" not in only.registry


async def test_npm_shasum_when_no_integrity(tmp_path: Path, server: Server) -> None:
    data = npm_tarball("old-js", "0.1.0")
    serve_npm(server, "old-js", {"0.1.0": data}, latest="0.1.0", use_integrity=False)
    (only,) = await Env(tmp_path, server).fetch("pkg:npm/old-js@0.1.0")
    assert only.sha256 == hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize("use_integrity", [True, False])
async def test_npm_digest_mismatch(tmp_path: Path, server: Server, use_integrity: bool) -> None:
    data = npm_tarball("swap-js", "1.0.0")
    serve_npm(
        server, "swap-js", {"1.0.0": data}, latest="1.0.0", use_integrity=use_integrity, tamper=True
    )
    env = Env(tmp_path, server)
    algorithm = "sha512" if use_integrity else "sha1"
    with pytest.raises(FetchError, match=rf"swap-js-1\.0\.0\.tgz.*{algorithm} digest"):
        await env.fetch("pkg:npm/swap-js@1.0.0")
    assert list(env.dest.iterdir()) == []


async def test_npm_scoped_name(tmp_path: Path, server: Server) -> None:
    data = npm_tarball("@acme/widget", "2.0.0")
    serve_npm(server, "@acme/widget", {"2.0.0": data}, latest="2.0.0")
    env = Env(tmp_path, server)
    (only,) = await env.fetch("pkg:npm/%40acme/widget@2.0.0")
    assert only.name == "@acme/widget"
    assert only.filename == "acme-widget-2.0.0.tgz"
    assert only.path == env.dest / "acme-widget-2.0.0.tgz"
    assert only.registry["name"] == "@acme/widget"
    assert f"{NPM}@acme%2fwidget" in server.urls()


async def test_npm_unknown_version_and_package(tmp_path: Path, server: Server) -> None:
    serve_npm(server, "demo-js", {"1.0.0": npm_tarball("demo-js", "1.0.0")}, latest="1.0.0")
    env = Env(tmp_path, server)
    with pytest.raises(FetchError, match=r"npm has no version 3\.0\.0 of 'demo-js'"):
        await env.fetch("pkg:npm/demo-js@3.0.0")
    with pytest.raises(FetchError, match=r"npm has no package '@acme/missing'"):
        await env.fetch("pkg:npm/%40acme/missing")


async def test_npm_tarball_request_carries_registry_credentials(
    tmp_path: Path, server: Server
) -> None:
    npmrc = tmp_path / ".npmrc"
    npmrc.write_text("//npm.test/:_authToken=secret-token\n", encoding="utf-8")
    config = NpmConfig.load(env={}, npmrc_files=[npmrc])
    serve_npm(server, "private-js", {"1.0.0": npm_tarball("private-js", "1.0.0")}, latest="1.0.0")
    await Env(tmp_path, server, config).fetch("pkg:npm/private-js@1.0.0")
    tarball = next(r for r in server.requests if str(r.url).endswith(".tgz"))
    assert tarball.headers["Authorization"] == "Bearer secret-token"


# --- pure helpers -------------------------------------------------------------------------------


def test_parse_purl() -> None:
    assert parse_purl("pkg:pypi/requests@2.32.3") == (Ecosystem.PYPI, "requests", "2.32.3")
    assert parse_purl("pkg:npm/%40types/node") == (Ecosystem.NPM, "@types/node", None)
    assert parse_purl("pkg:npm/left-pad@1.3.0") == (Ecosystem.NPM, "left-pad", "1.3.0")
    with pytest.raises(FetchError, match="unsupported package type"):
        parse_purl("pkg:cargo/serde@1.0.0")
    with pytest.raises(FetchError, match="not a package URL"):
        parse_purl("requests==2.32.3")


def test_wheel_rank_prefers_generic_wheels() -> None:
    names = [
        "x-1-cp312-cp312-win_amd64.whl",
        "x-1-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
        "x-1-cp39-abi3-macosx_11_0_arm64.whl",
        "x-1-py2-none-any.whl",
        "x-1-py3-none-any.whl",
        "not-a-wheel.whl",
    ]
    assert sorted(names, key=wheel_rank) == [
        "x-1-py3-none-any.whl",
        "x-1-py2-none-any.whl",
        "x-1-cp39-abi3-macosx_11_0_arm64.whl",
        "x-1-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
        "x-1-cp312-cp312-win_amd64.whl",
        "not-a-wheel.whl",
    ]


def _info(*files: FileInfo) -> VersionInfo:
    return VersionInfo(ecosystem=Ecosystem.PYPI, name="x", version="1", files=files)


def test_choose_files_platform_wheels_only_and_yanked() -> None:
    mac = FileInfo("x-1-cp312-cp312-macosx_11_0_arm64.whl", "u1", kind="bdist_wheel")
    linux = FileInfo("x-1-cp312-cp312-manylinux_2_28_x86_64.whl", "u2", kind="bdist_wheel")
    assert choose_files(_info(mac, linux)) == [linux]
    old = FileInfo("x-1.zip", "u3", kind="sdist", yanked=True)
    new = FileInfo("x-1.tar.gz", "u4", kind="sdist")
    assert choose_files(_info(old, new)) == [new]
    assert choose_files(_info(old)) == [old]  # when everything is yanked, still something
    egg = FileInfo("x-1-py3.8.egg", "u5", kind="bdist_egg")
    assert choose_files(_info(egg)) == []
    assert choose_files(_info(egg), "all") == [egg]
    with pytest.raises(FetchError, match="unknown file choice"):
        choose_files(_info(egg), "some")


def test_file_url() -> None:
    listed_in = "https://pypi.test/pypi/x/json"
    assert (
        file_url("../../packages/x-1.tar.gz", listed_in) == "https://pypi.test/packages/x-1.tar.gz"
    )
    assert file_url("https://files.pypi.test/x-1.tar.gz", listed_in) == (
        "https://files.pypi.test/x-1.tar.gz"
    )
    assert file_url("x-1.tar.gz", None) == "x-1.tar.gz"


def test_local_name() -> None:
    assert local_name("@acme/widget", "widget-1.0.0.tgz") == "acme-widget-1.0.0.tgz"
    assert local_name("@acme/widget", "acme-widget-1.0.0.tgz") == "acme-widget-1.0.0.tgz"
    assert local_name("demo", "demo-1.0.tar.gz") == "demo-1.0.tar.gz"
    for bad in ("", "..", ".hidden", "a/b.tgz", "a\\b.tgz", "a\nb.tgz"):
        with pytest.raises(FetchError):
            local_name("demo", bad)
