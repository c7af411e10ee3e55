"""The npm registry client against recorded (and one hand-written) packuments."""

from __future__ import annotations

import asyncio
import base64
import hashlib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from stockade.ecosystems.interface import DeclaredRequirement, Ecosystem, ProvenanceRef
from stockade.ecosystems.npm.registry import NpmRegistry, integrity_digests, packument_path
from stockade.ecosystems.registries import NpmConfig
from stockade.errors import RegistryError
from stockade.http import HttpClient
from tests.ecosystems.registry_fixtures import Server, load

REGISTRY = "https://npm.test/"


def registry(
    tmp_path: Path,
    server: Server | Any,
    *,
    base_url: str | None = REGISTRY,
    config: NpmConfig | None = None,
) -> NpmRegistry:
    http = HttpClient(cache_dir=tmp_path / "http", transport=httpx.MockTransport(server), retries=0)
    return NpmRegistry(http, base_url=base_url, config=config or NpmConfig())


@pytest.fixture
def server() -> Server:
    return Server(
        {
            "https://npm.test/is-number": load("npm/is-number.json"),
            "https://npm.test/@types%2fnode": load("npm/types-node.json"),
            "https://npm.test/request": load("npm/request.json"),
            "https://npm.test/@acme%2fwidget": load("npm/handwritten.json"),
            "https://npm.test/express": load("npm/express.json"),
            "https://npm.test/core-js": load("npm/core-js.json"),
            "https://npm.test/esbuild": load("npm/esbuild.json"),
            "https://npm.test/bcrypt": load("npm/bcrypt.json"),
            "https://npm.test/@sigstore%2fcore": load("npm/sigstore-core.json"),
        }
    )


async def test_package_is_number(tmp_path: Path, server: Server) -> None:
    info = await registry(tmp_path, server).package("is-number")
    assert info is not None
    assert info.ecosystem is Ecosystem.NPM
    assert info.latest == "7.0.0"
    assert len(info.versions) == 15
    # No top-level repository in this packument: the latest manifest's shorthand is used.
    assert info.source_repository == "https://github.com/jonschlinkert/is-number"
    latest = info.versions["7.0.0"]
    assert latest.license == "MIT"
    assert latest.released == datetime(2024, 2, 27, 16, 27, 13, 411000, tzinfo=UTC)
    (tarball,) = latest.files
    assert tarball.url == "https://npm.test/is-number/-/is-number-7.0.0.tgz"
    assert tarball.filename == "is-number-7.0.0.tgz"
    assert tarball.kind == "tarball"
    assert tarball.digests["sha1"] == "7535345b896734d5f80c4d06c50955527a14f12b"
    expected = base64.b64decode(
        "41Cifkg6e8TylSpdtTpeLVMqvSBEVzTttHvERD741+pnZ8ANv0004MRL43QKPDlK9cGvNp6NZWZUBlbGXYxxng=="
    ).hex()
    assert tarball.digests["sha512"] == expected
    assert len(expected) == 128
    assert latest.dependencies == (
        DeclaredRequirement("ansi", "^0.3.1", "dev"),
        DeclaredRequirement("benchmark", "^2.1.4", "dev"),
        DeclaredRequirement("gulp-format-md", "^1.0.0", "dev"),
        DeclaredRequirement("mocha", "^3.5.3", "dev"),
    )
    assert latest.deprecated is None
    assert latest.purl == "pkg:npm/is-number@7.0.0"


async def test_released_comes_from_time(tmp_path: Path, server: Server) -> None:
    info = await registry(tmp_path, server).version("request", "2.88.2")
    assert info is not None
    assert info.released == datetime(2024, 3, 13, 20, 2, 36, 490000, tzinfo=UTC)
    assert info.files[0].uploaded == info.released
    assert info.source_repository == "https://github.com/request/request"
    assert info.license == "Apache-2.0"
    assert info.dependencies is not None
    scopes = {d.scope for d in info.dependencies}
    assert scopes == {"prod", "dev"}
    assert DeclaredRequirement("uuid", "^3.3.2") in info.dependencies


async def test_scoped_package(tmp_path: Path, server: Server) -> None:
    reg = registry(tmp_path, server)
    info = await reg.package("@types/node")
    assert info is not None
    assert info.name == "@types/node"
    assert info.latest == "26.6.6"
    assert set(info.versions) == {"0.0.1", "4.0.22-alpha", "20.11.0", "22.20.5", "26.6.6"}
    latest = info.versions["26.6.6"]
    assert latest.source_repository == "https://github.com/DefinitelyTyped/DefinitelyTyped"
    assert latest.dependencies == (DeclaredRequirement("undici-types", "~8.9.0"),)
    assert latest.purl == "pkg:npm/%40types/node@26.6.6"
    assert server.paths() == ["/@types%2fnode"]


async def test_one_request_per_package(tmp_path: Path, server: Server) -> None:
    reg = registry(tmp_path, server)
    found = await asyncio.gather(
        *(reg.version("@types/node", v) for v in ("0.0.1", "20.11.0", "26.6.6", "9.9.9")),
        reg.package("@types/node"),
    )
    assert [getattr(f, "version", None) for f in found[:4]] == ["0.0.1", "20.11.0", "26.6.6", None]
    assert found[4] is not None
    assert server.paths() == ["/@types%2fnode"]


async def test_handwritten_shapes(tmp_path: Path, server: Server) -> None:
    info = await registry(tmp_path, server).package("@acme/widget")
    assert info is not None
    assert info.latest == "2.0.0"
    assert info.summary == "A hand-written packument covering the shapes recordings lack"
    assert info.source_repository == "https://github.com/acme/widget"

    one = info.versions["1.0.0"]
    assert one.deprecated == "1.x is unmaintained, use 2.x"
    assert one.license == "MIT"
    assert one.source_repository == "https://github.com/acme/widget"
    assert one.files[0].digests == {
        "sha512": hashlib.sha512(b"widget-1.0.0").hexdigest(),
        "sha256": hashlib.sha256(b"widget-1.0.0").hexdigest(),
        "sha1": hashlib.sha1(b"widget-1.0.0").hexdigest(),
    }
    assert one.dependencies == (
        DeclaredRequirement("left", "^1.0.0", "prod"),
        DeclaredRequirement("fsevents", "~2.3.0", "optional"),
        DeclaredRequirement("react", ">=17", "peer"),
        DeclaredRequirement("tap", "^16.0.0", "dev"),
    )

    two = info.versions["2.0.0"]
    assert two.deprecated is None  # an empty message un-deprecates
    assert two.license == "(MIT OR Apache-2.0)"
    assert two.source_repository == "https://github.com/acme/widget"

    beta = info.versions["3.0.0-beta.1"]
    assert beta.license == "(MIT OR Apache-2.0)"
    assert beta.source_repository == "https://gitlab.com/acme/widget"
    assert beta.dependencies == (DeclaredRequirement("left", ""),)
    assert beta.files[0].digests == {"sha1": hashlib.sha1(b"widget-3.0.0-beta.1").hexdigest()}


async def test_unknown_package_and_version(tmp_path: Path, server: Server) -> None:
    reg = registry(tmp_path, server)
    assert await reg.package("no-such-package") is None
    assert await reg.version("no-such-package", "1.0.0") is None
    assert await reg.version("is-number", "99.0.0") is None
    found = await reg.version("is-number", "v7.0.0")
    assert found is not None and found.version == "7.0.0"


async def test_http_failure_names_the_package(tmp_path: Path) -> None:
    server = Server({"https://npm.test/is-number": httpx.Response(503)})
    reg = registry(tmp_path, server)
    with pytest.raises(RegistryError, match="'is-number'"):
        await reg.package("is-number")
    # A failure is not remembered: the next call asks again.
    server.routes["https://npm.test/is-number"] = load("npm/is-number.json")
    assert await reg.package("is-number") is not None


@pytest.mark.parametrize(
    "body",
    [
        [],
        "text",
        {"versions": []},
        {"versions": {}, "dist-tags": "latest"},
        {"versions": {"1.0.0": "nope"}, "dist-tags": {}},
    ],
)
async def test_malformed_packument(tmp_path: Path, body: Any) -> None:
    server = Server({"https://npm.test/bad": body})
    with pytest.raises(RegistryError, match="unexpected npm metadata for 'bad'"):
        await registry(tmp_path, server).package("bad")


async def test_registry_and_credentials_from_npmrc(tmp_path: Path, server: Server) -> None:
    rc = tmp_path / ".npmrc"
    rc.write_text(
        "registry=https://npm.test/\n"
        "@acme:registry=https://acme.test/npm/\n"
        "//acme.test/npm/:_authToken=acme-secret\n",
        encoding="utf-8",
    )
    config = NpmConfig.load(env={"HOME": str(tmp_path)}, npmrc_files=[rc])
    server.routes["https://acme.test/npm/@acme%2fwidget"] = load("npm/handwritten.json")
    reg = registry(tmp_path, server, base_url=None, config=config)
    assert reg.location("@acme/widget").source == f"{rc} @acme:registry"
    assert await reg.package("@acme/widget") is not None
    assert await reg.package("is-number") is not None
    acme, public = server.requests
    assert acme.headers["Authorization"] == "Bearer acme-secret"
    assert "Authorization" not in public.headers


def test_packument_path() -> None:
    assert packument_path("is-number") == "is-number"
    assert packument_path("@types/node") == "@types%2fnode"


def test_integrity_digests() -> None:
    data = b"payload"
    sri = "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()
    assert integrity_digests(sri) == {"sha512": hashlib.sha512(data).hexdigest()}
    assert integrity_digests("sha512-not*base64 sha1-") == {}
    assert integrity_digests("") == {}


@pytest.mark.live
async def test_live_npm(tmp_path: Path) -> None:
    async with HttpClient(cache_dir=tmp_path) as http:
        reg = NpmRegistry(http)
        info = await reg.version("is-number", "7.0.0")
        assert info is not None
        assert info.files[0].digests["sha1"] == "7535345b896734d5f80c4d06c50955527a14f12b"
        scoped = await reg.package("@types/node")
        assert scoped is not None and scoped.latest in scoped.versions
        assert await reg.package("no-such-package-stockade-test-zz") is None


# --- metadata for trust scoring ----------------------------------------------------------------
# The mirror these packuments were recorded through strips ``maintainers``, ``readme``,
# ``time.created``, ``_npmUser``, ``gypfile`` and ``dist.signatures``/``dist.attestations``.
# express and core-js are as it served them; esbuild, bcrypt and @sigstore/core were completed
# by hand in the public registry's shapes (see the fixtures' README for exactly what).


async def test_mirror_packument_says_nothing_of_provenance(tmp_path: Path, server: Server) -> None:
    info = await registry(tmp_path, server).package("express")
    assert info is not None
    assert info.latest == "5.3.0"
    assert info.keywords == (
        "express",
        "framework",
        "sinatra",
        "web",
        "http",
        "rest",
        "restful",
        "router",
        "app",
        "api",
    )
    assert info.homepage == "https://expressjs.com/"
    assert info.license == "MIT"
    assert info.description is True  # no readme here, but a description
    assert info.maintainers is None  # not in the packument: unknown
    assert info.organization is None
    # No ``time.created``: the earliest version's time (as this mirror dates them).
    assert info.created == datetime(2024, 9, 12, 19, 26, 1, 998000, tzinfo=UTC)
    assert info.created == info.versions["5.0.0"].released
    for version in info.versions.values():
        assert version.provenance is None  # no version signed: a stripped source, unknown
        assert version.published_by is None
        assert version.install_scripts == ()
    assert info.versions["0.14.0"].license is None
    assert info.versions["0.14.0"].source_repository is None


async def test_install_scripts_and_keywords(tmp_path: Path, server: Server) -> None:
    info = await registry(tmp_path, server).package("core-js")
    assert info is not None
    assert info.versions["3.51.0"].install_scripts == ("postinstall",)
    assert info.versions["2.6.12"].install_scripts == ("postinstall",)
    assert info.versions["3.0.0"].install_scripts == ()  # 3.0.0 shipped without one
    assert info.versions["0.0.3"].install_scripts == ()
    assert info.keywords[:3] == ("es3", "es5", "es6")
    assert "ecmascript 2015" in info.keywords
    assert "polyfill" in info.keywords
    assert len(info.keywords) == len(set(info.keywords))
    assert info.homepage == "https://core-js.io"


async def test_signed_packument_without_attestations(tmp_path: Path, server: Server) -> None:
    # Completed by hand: maintainers, _npmUser and dist.signatures (no dist.attestations).
    info = await registry(tmp_path, server).package("esbuild")
    assert info is not None
    assert info.maintainers == ("evanw",)
    for version in info.versions.values():
        assert version.provenance == ()  # signed by the registry, no provenance: known absent
        assert version.published_by == "evanw"
    assert info.versions["0.28.2"].install_scripts == ("postinstall",)
    assert info.versions["0.0.0"].install_scripts == ()
    assert info.description is True
    assert info.keywords == ()


async def test_gypfile_implies_install(tmp_path: Path, server: Server) -> None:
    # Completed by hand: ``gypfile: true`` on 0.8.7, which has a binding.gyp and no script.
    reg = registry(tmp_path, server)
    info = await reg.package("bcrypt")
    assert info is not None
    assert info.versions["0.8.7"].install_scripts == ("install",)
    assert info.versions["0.2.4"].install_scripts == ("install",)  # node-waf configure build
    assert info.versions["6.0.0"].install_scripts == ("install",)  # node-gyp-build
    one = await reg.version("bcrypt", "0.8.7")
    assert one is not None and one.install_scripts == ("install",)
    assert info.keywords == (
        "bcrypt",
        "password",
        "auth",
        "authentication",
        "encryption",
        "crypt",
        "crypto",
    )


async def test_provenance_of_scoped_package(tmp_path: Path, server: Server) -> None:
    # Completed by hand: maintainers, readme, time.created, _npmUser, dist.signatures and
    # dist.attestations on every version (@sigstore/core publishes with provenance).
    reg = registry(tmp_path, server)
    info = await reg.package("@sigstore/core")
    assert info is not None
    assert info.organization == "sigstore"
    assert info.maintainers == ("bdehamer",)
    assert info.description is True
    assert info.created == datetime(2023, 9, 29, 18, 25, 41, 123000, tzinfo=UTC)
    assert info.homepage == "https://github.com/sigstore/sigstore-js/tree/main/packages/core#readme"
    assert info.license == "Apache-2.0"
    assert info.source_repository == "https://github.com/sigstore/sigstore-js"
    latest = info.versions["4.0.1"]
    assert latest.provenance == (
        ProvenanceRef(
            kind="npm",
            url="https://npm.test/-/npm/v1/attestations/@sigstore%2fcore@4.0.1",
            predicate_type="https://slsa.dev/provenance/v1",
        ),
    )
    assert latest.published_by == "GitHub Actions"  # trusted publishing
    assert info.versions["3.2.1"].published_by == "bdehamer"
    first = info.versions["0.1.0"].provenance
    assert first is not None and first[0].predicate_type == "https://slsa.dev/provenance/v0.2"
    assert all(v.provenance and v.provenance[0].kind == "npm" for v in info.versions.values())
    one = await reg.version("@sigstore/core", "4.0.1")
    assert one is not None and one.provenance == latest.provenance


def _packument(versions: dict[str, Any], **top: Any) -> dict[str, Any]:
    return {"name": "p", "dist-tags": {"latest": list(versions)[-1]}, "versions": versions, **top}


async def test_hand_written_scoring_shapes(tmp_path: Path) -> None:
    tarball = "https://npm.test/p/-/p-{}.tgz"
    versions = {
        "1.0.0": {
            "version": "1.0.0",
            "_npmUser": "alice <alice@example.com>",  # the old string form
            "scripts": {"prepare": "tsc", "test": "tap", "preinstall": "node check.js"},
            "gypfile": True,  # preinstall declared: npm adds no node-gyp rebuild
            "dist": {"tarball": tarball.format("1.0.0")},
        },
        "2.0.0": {
            "version": "2.0.0",
            "keywords": "CLI, Tool, cli",
            "license": "ISC",
            "scripts": {"postinstall": "", "install": "node-gyp rebuild"},
            "gypfile": True,
            "_npmUser": {"name": "bob", "email": "bob@example.com"},
            "dist": {
                "tarball": tarball.format("2.0.0"),
                "signatures": [{"keyid": "SHA256:key", "sig": "c2ln"}],
                "attestations": {"url": "https://npm.test/-/npm/v1/attestations/p@2.0.0"},
            },
        },
    }
    body = _packument(
        versions,
        maintainers=["alice <alice@example.com>", {"name": "bob"}, {"email": "x@example.com"}],
        readme="ERROR: No README data found!",
        keywords=["ignored", "when", "the", "latest", "has", "some"],
        time={"modified": "2024-05-01T00:00:00.000Z", "1.0.0": "2024-01-01T00:00:00.000Z"},
    )
    server = Server({"https://npm.test/p": body})
    info = await registry(tmp_path, server).package("p")
    assert info is not None
    assert info.maintainers == ("alice", "bob")
    assert info.keywords == ("cli", "tool")
    assert info.description is False  # the registry's "no README" marker and no description
    assert info.created == datetime(2024, 1, 1, tzinfo=UTC)
    assert info.license == "ISC"
    one, two = info.versions["1.0.0"], info.versions["2.0.0"]
    assert one.install_scripts == ("preinstall",)
    assert one.published_by == "alice"
    assert one.provenance == ()  # another version is signed: this one has none
    assert two.install_scripts == ("install",)  # an empty postinstall runs nothing
    assert two.published_by == "bob"
    assert two.provenance == (
        ProvenanceRef(kind="npm", url="https://npm.test/-/npm/v1/attestations/p@2.0.0"),
    )


async def test_readme_and_maintainers_unknown(tmp_path: Path) -> None:
    body = _packument({"1.0.0": {"version": "1.0.0", "keywords": ["a"]}}, keywords=["b"])
    server = Server({"https://npm.test/p": body})
    info = await registry(tmp_path, server).package("p")
    assert info is not None
    assert info.description is None  # neither readme key nor description: not said
    assert info.maintainers is None
    assert info.created is None
    assert info.keywords == ("a",)
    body["versions"]["1.0.0"].pop("keywords")
    body["readme"] = ""
    body["maintainers"] = []
    server.routes["https://npm.test/q"] = body
    other = await registry(tmp_path, server).package("q")
    assert other is not None
    assert other.keywords == ("b",)  # the packument's, when the latest version has none
    assert other.description is False
    assert other.maintainers == ()
