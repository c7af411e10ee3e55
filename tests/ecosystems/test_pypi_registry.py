"""The PyPI JSON API client against recorded responses."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from stockade.ecosystems.interface import DeclaredRequirement, Ecosystem, ProvenanceRef
from stockade.ecosystems.pypi.registry import PyPIRegistry, file_version, keywords, requires_dist
from stockade.errors import RegistryError
from stockade.http import HttpClient
from tests.ecosystems.registry_fixtures import Server, load

INDEX = "https://pypi.test/simple/"
API = "https://pypi.test/pypi"
SIMPLE_JSON = "application/vnd.pypi.simple.v1+json"


def registry(tmp_path: Path, server: Server, *, retries: int = 0) -> PyPIRegistry:
    async def no_wait(_: float) -> None:
        return None

    http = HttpClient(
        cache_dir=tmp_path / "http",
        transport=httpx.MockTransport(server),
        retries=retries,
        sleep=no_wait,
    )
    return PyPIRegistry(http, base_url=INDEX)


@pytest.fixture
def server() -> Server:
    return Server(
        {
            f"{API}/six/json": load("pypi/six.json"),
            f"{API}/requests/json": load("pypi/requests.json"),
            f"{API}/urllib3/2.8.0/json": load("pypi/urllib3-2.8.0.json"),
            f"{API}/sigstore/json": load("pypi/sigstore.json"),
            f"{API}/tomli/json": load("pypi/tomli.json"),
            f"{API}/attrs/json": load("pypi/attrs.json"),
            # The mirror these were recorded through strips PEP 740: sigstore's index page
            # had its ``provenance`` keys completed by hand (see the fixtures' README);
            # tomli's is as the mirror served it, without any.
            f"{INDEX}sigstore/": load("pypi/sigstore-simple.json"),
            f"{INDEX}tomli/": load("pypi/tomli-simple.json"),
        }
    )


async def test_package_six(tmp_path: Path, server: Server) -> None:
    info = await registry(tmp_path, server).package("Six")
    assert info is not None
    assert info.ecosystem is Ecosystem.PYPI
    assert info.name == "six"
    assert info.latest == "1.17.0"
    assert info.summary == "Python 2 and 3 compatibility utilities"
    assert info.source_repository == "https://github.com/benjaminp/six"
    assert len(info.versions) == 29
    old = info.versions["1.16.0"]
    assert [f.filename for f in old.files] == [
        "six-1.16.0.tar.gz",
        "six-1.16.0-py2.py3-none-any.whl",
    ]
    sdist = old.files[0]
    assert (
        sdist.digests["sha256"]
        == "1e61c37477a1626458e36f7b1d82aa5c9b094fa4802892072e49de9c60c4c926"
    )
    assert sdist.digests["md5"] == "a7c927740e4964dd29b72cebfc1429bb"
    assert sdist.size == 34041
    assert sdist.kind == "sdist"
    assert sdist.url.startswith("https://files.pypi.test/packages/")
    # Released: the earliest upload (the wheel went up a second before the sdist).
    assert old.released == datetime(2021, 5, 5, 14, 18, 17, 237677, tzinfo=UTC)
    assert old.purl == "pkg:pypi/six@1.16.0"
    # Only the latest release carries the project-wide metadata.
    assert old.license is None
    assert old.dependencies is None
    latest = info.versions["1.17.0"]
    assert latest.license == "MIT"
    assert latest.source_repository == "https://github.com/benjaminp/six"
    assert latest.dependencies is None  # six declares no Requires-Dist: unknown, not empty
    assert server.paths() == ["/pypi/six/json"]


async def test_package_requests_yanked_and_empty_releases(tmp_path: Path, server: Server) -> None:
    info = await registry(tmp_path, server).package("requests")
    assert info is not None
    assert info.latest == "2.34.2"
    assert info.source_repository == "https://github.com/psf/requests"
    yanked = info.versions["2.32.0"]
    assert yanked.yanked
    assert yanked.yanked_reason == "Yanked due to conflicts with CVE-2024-35195 mitigation"
    assert all(f.yanked for f in yanked.files)
    assert not info.versions["2.31.0"].yanked
    empty = info.versions["0.0.1"]
    assert empty.files == ()
    assert empty.released is None
    assert not empty.yanked
    latest = info.versions["2.34.2"]
    assert latest.license == "Apache-2.0"
    assert latest.dependencies is not None
    deps = {d.name: d for d in latest.dependencies}
    assert deps["charset-normalizer"] == DeclaredRequirement("charset-normalizer", "<4,>=2")
    assert deps["urllib3"].spec == "<3,>=1.26"
    assert deps["urllib3"].scope == "prod"
    assert deps["pysocks"] == DeclaredRequirement(
        "pysocks", "!=1.5.7,>=1.5.6", scope="optional", marker='extra == "socks"'
    )


async def test_version_endpoint(tmp_path: Path, server: Server) -> None:
    info = await registry(tmp_path, server).version("urllib3", "2.8.0")
    assert info is not None
    assert info.name == "urllib3"
    assert info.version == "2.8.0"
    assert info.license == "MIT"  # from License-Expression
    assert info.source_repository == "https://github.com/urllib3/urllib3"  # the "Code" URL
    assert not info.yanked
    assert {f.filename: f.digests["sha256"] for f in info.files} == {
        "urllib3-2.8.0.tar.gz": "63bf2ead4c879426ebf22ef2a781eeb4aa3b4ae798a0435506f8687fd5bb9b63",
        "urllib3-2.8.0-py3-none-any.whl": (
            "0cf3cae568d36aa9576b28dfb35f11328f1cb974ca7647d9475ebb86c75ac6e3"
        ),
    }
    assert info.released == datetime(2026, 9, 15, 19, 29, 34, 577402, tzinfo=UTC)
    assert info.dependencies is not None
    deps = {d.name: d for d in info.dependencies}
    assert set(deps) == {"brotli", "brotlicffi", "h2", "pysocks", "backports-zstd"}
    assert all(d.scope == "optional" for d in deps.values())
    assert deps["brotli"].marker == (
        'platform_python_implementation == "CPython" and extra == "brotli"'
    )
    assert deps["h2"].spec == "<5,>=4"
    assert server.paths() == ["/pypi/urllib3/2.8.0/json"]


async def test_version_falls_back_to_project_endpoint(tmp_path: Path, server: Server) -> None:
    reg = registry(tmp_path, server)
    info = await reg.version("six", "1.16.0")
    assert info is not None
    assert info.version == "1.16.0"
    assert len(info.files) == 2
    # The index has shown it serves no version endpoint: ask the project endpoint directly.
    other = await reg.version("requests", "2.32.0")
    assert other is not None and other.yanked
    assert server.paths() == [
        "/pypi/six/1.16.0/json",
        "/pypi/six/json",
        "/pypi/requests/json",
    ]


async def test_version_matches_equivalent_spelling(tmp_path: Path, server: Server) -> None:
    reg = registry(tmp_path, server)
    info = await reg.version("requests", "2.31")
    assert info is not None and info.version == "2.31.0"
    assert await reg.version("requests", "2.30") is None


async def test_unknown_package_and_version(tmp_path: Path, server: Server) -> None:
    reg = registry(tmp_path, server)
    assert await reg.package("no-such-package") is None
    assert await reg.version("no-such-package", "1.0") is None
    assert await reg.version("six", "99.0") is None


async def test_http_failure_names_the_package(tmp_path: Path) -> None:
    server = Server({f"{API}/six/json": httpx.Response(500)})
    with pytest.raises(RegistryError, match="'six'") as err:
        await registry(tmp_path, server, retries=1).package("six")
    assert "500" in str(err.value)
    assert len(server.requests) == 2


@pytest.mark.parametrize(
    "body",
    [
        [],
        {"info": "nope"},
        {"info": {"name": "six"}},
        {"info": {"name": "six", "version": "1"}, "releases": {"1": [{"url": "x"}]}},
        {
            "info": {"name": "six", "version": "1"},
            "releases": {"1": [{"filename": "f", "url": "u", "size": "big"}]},
        },
    ],
)
async def test_malformed_shape_is_registry_error(tmp_path: Path, body: Any) -> None:
    server = Server({f"{API}/six/json": body})
    with pytest.raises(RegistryError, match="unexpected PyPI metadata for 'six'"):
        await registry(tmp_path, server).package("six")


async def test_not_json_is_registry_error(tmp_path: Path) -> None:
    server = Server({f"{API}/six/json": httpx.Response(200, text="<html>maintenance</html>")})
    with pytest.raises(RegistryError, match="did not answer with JSON"):
        await registry(tmp_path, server).package("six")


async def test_license_fallbacks(tmp_path: Path) -> None:
    def release(**info: Any) -> dict[str, Any]:
        return {"info": {"name": "p", "version": "1.0", **info}, "urls": []}

    server = Server(
        {
            f"{API}/p/1.0/json": release(
                license="Copyright (c) 2024\n\nPermission is hereby granted ...",
                classifiers=["License :: OSI Approved :: BSD License", "Topic :: Utilities"],
                yanked=True,
                yanked_reason="broken build",
                project_urls={
                    "Documentation": "https://p.readthedocs.test",
                    "Source": "https://git.p.test/p",
                },
            ),
            f"{API}/p/2.0/json": release(license="UNKNOWN", home_page="https://gitlab.com/g/p"),
        }
    )
    reg = registry(tmp_path, server)
    one = await reg.version("p", "1.0")
    assert one is not None
    assert one.license == "BSD License"
    assert one.yanked and one.yanked_reason == "broken build"
    assert one.source_repository == "https://git.p.test/p"
    assert one.dependencies is None
    two = await reg.version("p", "2.0")
    assert two is not None
    assert two.license is None
    assert two.source_repository == "https://gitlab.com/g/p"


def test_requires_dist_parsing() -> None:
    assert requires_dist(None) is None
    assert requires_dist([]) == ()
    parsed = requires_dist(
        [
            "Foo_Bar[extra1] (>=1.0) ; python_version < '3.8'",
            "pkg @ https://files.pypi.test/pkg-1.0.tar.gz",
            "not a requirement !!!",
            "plain",
        ]
    )
    assert parsed == (
        DeclaredRequirement("foo-bar", ">=1.0", "prod", 'python_version < "3.8"'),
        DeclaredRequirement("pkg", "@ https://files.pypi.test/pkg-1.0.tar.gz"),
        DeclaredRequirement("plain", ""),
    )


async def test_index_from_pip_settings(
    tmp_path: Path, server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PIP_INDEX_URL", "https://pypi.test/simple")
    http = HttpClient(cache_dir=tmp_path, transport=httpx.MockTransport(server))
    reg = PyPIRegistry(http)
    assert reg.location.source == "PIP_INDEX_URL"
    assert await reg.package("six") is not None


@pytest.mark.live
async def test_live_pypi(tmp_path: Path) -> None:
    async with HttpClient(cache_dir=tmp_path) as http:
        reg = PyPIRegistry(http)
        info = await reg.package("six")
        assert info is not None
        assert "1.16.0" in info.versions
        assert info.source_repository == "https://github.com/benjaminp/six"
        release = await reg.version("six", "1.16.0")
        assert release is not None
        assert all(len(f.digests["sha256"]) == 64 for f in release.files)
        assert await reg.package("no-such-package-stockade-test") is None


# --- metadata for trust scoring ----------------------------------------------------------------


async def test_project_metadata_sigstore(tmp_path: Path, server: Server) -> None:
    info = await registry(tmp_path, server).package("sigstore")
    assert info is not None
    assert info.latest == "4.5.1"
    assert info.summary == "A tool for signing Python package distributions"
    assert info.description is True  # a real README (cut short in the fixture)
    assert info.homepage == "https://pypi.test/project/sigstore/"  # the "Homepage" project URL
    assert info.source_repository == "https://github.com/sigstore/sigstore-python"
    assert info.license == "Apache-2.0"  # License-Expression, as for the latest version
    assert info.license == info.versions["4.5.1"].license
    assert info.keywords == ()  # sigstore declares none
    assert len(info.classifiers) == 12
    assert info.classifiers[0] == "Development Status :: 5 - Production/Stable"
    assert "Topic :: Security :: Cryptography" in info.classifiers
    assert info.maintainers == ("di", "woodruffw")
    assert info.organization == "Sigstore"
    # The earliest upload of any file: the yanked 0.0.1rc1 wheel.
    assert info.created == datetime(2022, 4, 28, 16, 53, 13, 755488, tzinfo=UTC)
    assert info.created == min(v.released for v in info.versions.values() if v.released)
    # package() never asks the index page: provenance stays unknown.
    assert all(v.provenance is None for v in info.versions.values())
    assert server.paths() == ["/pypi/sigstore/json"]


async def test_project_metadata_owners_and_maintainers(tmp_path: Path, server: Server) -> None:
    tomli = await registry(tmp_path, server).package("tomli")
    assert tomli is not None
    assert tomli.keywords == ("toml",)
    assert tomli.maintainers == ("hukkin", "encukou", "hauntsaninja")  # the owner, then the rest
    assert tomli.organization is None
    assert tomli.homepage == "https://github.com/hukkin/tomli"
    assert tomli.license == "MIT"
    assert tomli.description is True
    assert tomli.created == datetime(2021, 5, 27, 22, 30, 12, 767785, tzinfo=UTC)
    assert "Typing :: Typed" in tomli.classifiers


async def test_project_owned_by_an_organization(tmp_path: Path, server: Server) -> None:
    attrs = await registry(tmp_path, server).package("attrs")
    assert attrs is not None
    # PyPI lists no personal role on an organisation's project: known to be none, not unknown.
    assert attrs.maintainers == ()
    assert attrs.organization == "attrs"
    assert attrs.keywords == ("attribute", "boilerplate", "class")
    assert attrs.homepage is None  # neither home_page nor a "Homepage" URL
    assert attrs.source_repository == "https://github.com/python-attrs/attrs"
    assert attrs.created == datetime(2015, 2, 21, 10, 42, 56, 582807, tzinfo=UTC)
    assert attrs.versions["15.0.0a1"].released == attrs.created


async def test_ownership_missing_is_unknown(tmp_path: Path, server: Server) -> None:
    # Recorded without ``ownership`` (as older API answers and some mirrors give them).
    info = await registry(tmp_path, server).package("requests")
    assert info is not None
    assert info.maintainers is None
    assert info.organization is None
    assert info.homepage is None  # only "Documentation" and "Source" URLs
    assert info.license == "Apache-2.0"


@pytest.mark.parametrize(
    ("description", "expected"),
    [
        ("# p\n\nSomething that parses the files of a format and writes them back.", True),
        ("UNKNOWN", False),
        ("", False),
        (None, False),
        ("Parses things", False),  # the summary again
        ("# p\n\nTODO", False),  # a title and a placeholder
    ],
)
async def test_long_description(tmp_path: Path, description: str | None, expected: bool) -> None:
    info = {"name": "p", "version": "1.0", "summary": "Parses things", "description": description}
    server = Server({f"{API}/p/json": {"info": info, "releases": {"1.0": []}}})
    package = await registry(tmp_path, server).package("p")
    assert package is not None and package.description is expected


async def test_long_description_absent_is_unknown(tmp_path: Path) -> None:
    server = Server({f"{API}/p/json": {"info": {"name": "p", "version": "1.0"}}})
    info = await registry(tmp_path, server).package("p")
    assert info is not None
    assert info.description is None
    assert info.created is None
    assert info.maintainers is None
    assert info.keywords == () and info.classifiers == ()


def test_keywords_parsing() -> None:
    assert keywords("json, jwt, security, signing, token, web") == (
        "json",
        "jwt",
        "security",
        "signing",
        "token",
        "web",
    )
    assert keywords("TOML parser  toml") == ("toml", "parser")
    assert keywords("Machine Learning, AI,, ai ") == ("machine learning", "ai")
    assert keywords(["Crypto", "crypto", "  Sigstore  "]) == ("crypto", "sigstore")
    assert keywords("") == ()
    assert keywords(None) == ()


def test_file_version() -> None:
    assert file_version("sigstore-4.5.1-py3-none-any.whl") == "4.5.1"
    assert file_version("sigstore-0.0.1rc1.tar.gz") == "0.0.1rc1"
    assert file_version("Foo_Bar-1.0.zip") == "1.0"
    # Legacy sdist names split where the project's name ends.
    assert file_version("Foo_Bar-1.0-beta.zip") is None
    assert file_version("Foo_Bar-1.0-beta.zip", "foo-bar") == "1.0b0"
    assert file_version("pytz-2004d.tar.gz", "pytz") == "2004d"
    assert file_version("pytz-2004d.tar.gz", "other") is None
    assert file_version("foo-1.0.win32.exe") is None
    assert file_version("foo-1.0-py2.7.egg") is None
    assert file_version("not a distribution") is None


# --- PEP 740 provenance --------------------------------------------------------------------------
# The index page of sigstore was recorded through a mirror that strips PEP 740 and then completed
# by hand: ``provenance`` keys added in the shape PyPI serves (the Integrity API URL of the file,
# or null), URLs for releases from 3.6.0 on and null before; ``meta.api-version`` raised to 1.3.


async def test_provenance_per_version(tmp_path: Path, server: Server) -> None:
    found = await registry(tmp_path, server).provenance("Sigstore")
    assert found is not None
    assert set(found) == {"0.0.1rc1", "1.0.0", "2.1.0", "3.5.0", "3.6.0", "4.5.0", "4.5.1"}
    for old in ("0.0.1rc1", "1.0.0", "2.1.0", "3.5.0"):
        assert found[old] == ()  # the index says: no provenance
    assert found["4.5.1"] == (
        ProvenanceRef(
            kind="pep740",
            url="https://pypi.test/integrity/sigstore/4.5.1/sigstore-4.5.1-py3-none-any.whl/provenance",
            filename="sigstore-4.5.1-py3-none-any.whl",
        ),
        ProvenanceRef(
            kind="pep740",
            url="https://pypi.test/integrity/sigstore/4.5.1/sigstore-4.5.1.tar.gz/provenance",
            filename="sigstore-4.5.1.tar.gz",
        ),
    )
    assert [ref.filename for ref in found["3.6.0"]] == [
        "sigstore-3.6.0-py3-none-any.whl",
        "sigstore-3.6.0.tar.gz",
    ]
    (request,) = server.requests
    assert request.url.raw_path == b"/simple/sigstore/"
    assert request.headers["Accept"] == SIMPLE_JSON


async def test_provenance_unknown_when_the_index_strips_it(tmp_path: Path, server: Server) -> None:
    # tomli's page as the mirror served it: not one file carries a ``provenance`` key.
    assert await registry(tmp_path, server).provenance("tomli") is None


async def test_provenance_unknown_project_or_html_index(tmp_path: Path) -> None:
    html = httpx.Response(
        200, text="<!DOCTYPE html><html><body><a href='p-1.0.tar.gz'>p-1.0.tar.gz</a></body></html>"
    )
    server = Server({f"{INDEX}p/": html})
    reg = registry(tmp_path, server)
    assert await reg.provenance("p") is None  # an index without the JSON API does not say
    assert await reg.provenance("no-such-project") is None


async def test_provenance_failure_and_bad_shape(tmp_path: Path) -> None:
    server = Server({f"{INDEX}p/": httpx.Response(503), f"{INDEX}q/": {"files": "none"}})
    reg = registry(tmp_path, server)
    with pytest.raises(RegistryError, match="index page of 'p'"):
        await reg.provenance("p")
    with pytest.raises(RegistryError, match="unexpected PyPI metadata for 'q'"):
        await reg.provenance("q")


async def test_provenance_skips_unparseable_files(tmp_path: Path) -> None:
    url = "https://pypi.test/integrity/p/1.0/p-1.0-py3-none-any.whl/provenance"
    page = {
        "meta": {"api-version": "1.3"},
        "name": "p",
        "files": [
            {"filename": "p-1.0-py3-none-any.whl", "url": "u1", "provenance": url},
            {"filename": "p-1.0.win32.exe", "url": "u2", "provenance": None},
            {"filename": "p-0.9.tar.gz", "url": "u3"},  # no key on this one: read as null
            {"filename": "p-2.0.tar.gz", "url": "u4", "provenance": None},
        ],
    }
    server = Server({f"{INDEX}p/": page})
    found = await registry(tmp_path, server).provenance("p")
    assert found == {
        "1.0": (ProvenanceRef(kind="pep740", url=url, filename="p-1.0-py3-none-any.whl"),),
        "0.9": (),
        "2.0": (),
    }


async def test_with_provenance(tmp_path: Path, server: Server) -> None:
    reg = registry(tmp_path, server)
    package = await reg.package("sigstore")
    assert package is not None
    filled = await reg.with_provenance(package)
    assert filled.versions["3.5.0"].provenance == ()
    latest = filled.versions["4.5.1"]
    assert latest.provenance is not None
    assert {ref.filename for ref in latest.provenance} == {f.filename for f in latest.files}
    assert all(ref.kind == "pep740" and ref.url for ref in latest.provenance)
    # Everything else is kept.
    assert filled.maintainers == package.maintainers
    assert filled.versions["4.5.1"].files == package.versions["4.5.1"].files
    assert server.paths() == ["/pypi/sigstore/json", "/simple/sigstore/"]

    tomli = await reg.package("tomli")
    assert tomli is not None
    assert await reg.with_provenance(tomli) is tomli  # the index does not say: unchanged


async def test_with_provenance_matches_versions_by_value(tmp_path: Path) -> None:
    project = {
        "info": {"name": "p", "version": "1.0-beta"},
        "releases": {
            "1.0-beta": [{"filename": "p-1.0-beta.tar.gz", "url": "https://files.pypi.test/a"}],
            "0.9": [{"filename": "p-0.9.tar.gz", "url": "https://files.pypi.test/b"}],
            "0.1": [],
        },
    }
    page = {
        "files": [
            {
                "filename": "p-1.0b0.tar.gz",
                "url": "https://files.pypi.test/a",
                "provenance": "https://pypi.test/integrity/p/1.0b0/p-1.0b0.tar.gz/provenance",
            }
        ]
    }
    server = Server({f"{API}/p/json": project, f"{INDEX}p/": page})
    reg = registry(tmp_path, server)
    package = await reg.package("p")
    assert package is not None
    filled = await reg.with_provenance(package)
    beta = filled.versions["1.0-beta"].provenance
    assert beta is not None and [ref.filename for ref in beta] == ["p-1.0b0.tar.gz"]
    assert filled.versions["0.9"].provenance is None  # has files the index page did not list
    assert filled.versions["0.1"].provenance == ()  # no file: nothing to attest


# The Integrity API is not served by the mirror either: the provenance object below is written
# by hand in PEP 740's shape (publisher as PyPI gives it for GitHub; the attestation's statement
# names the real file and digest; certificate, signatures and log entry are placeholders).


async def test_attestation_publisher(tmp_path: Path) -> None:
    url = "https://pypi.test/integrity/sigstore/4.5.1/sigstore-4.5.1.tar.gz/provenance"
    server = Server({url: load("pypi/sigstore-4.5.1-provenance.json")})
    reg = registry(tmp_path, server)
    assert await reg.attestation_publisher(url) == (
        "https://github.com/sigstore/sigstore-python",
        "release.yml",
    )
    assert server.requests[0].headers["Accept"] == "application/vnd.pypi.integrity.v1+json"
    assert await reg.attestation_publisher(url.replace("4.5.1", "4.5.0")) is None  # 404


@pytest.mark.parametrize(
    ("publishers", "expected"),
    [
        (
            [
                {"kind": "Google", "email": "ci@p.iam.gserviceaccount.test", "claims": {}},
                {
                    "kind": "GitLab",
                    "repository": "group/p",
                    "workflow_filepath": ".gitlab-ci.yml",
                    "environment": "",
                    "claims": {},
                },
            ],
            ("https://gitlab.com/group/p", ".gitlab-ci.yml"),
        ),
        ([{"kind": "Google", "email": "ci@p.iam.gserviceaccount.test", "claims": {}}], None),
    ],
)
async def test_attestation_publisher_kinds(
    tmp_path: Path, publishers: list[dict[str, Any]], expected: tuple[str, str] | None
) -> None:
    url = "https://pypi.test/integrity/p/1.0/p-1.0.tar.gz/provenance"
    document = {
        "version": 1,
        "attestation_bundles": [{"publisher": p, "attestations": []} for p in publishers],
    }
    server = Server({url: document})
    assert await registry(tmp_path, server).attestation_publisher(url) == expected


async def test_attestation_publisher_bad_document(tmp_path: Path) -> None:
    url = "https://pypi.test/integrity/p/1.0/p-1.0.tar.gz/provenance"
    server = Server({url: {"version": 1}, url + "x": httpx.Response(500)})
    reg = registry(tmp_path, server)
    with pytest.raises(RegistryError, match="attestation_bundles"):
        await reg.attestation_publisher(url)
    with pytest.raises(RegistryError, match="cannot fetch PyPI provenance"):
        await reg.attestation_publisher(url + "x")
