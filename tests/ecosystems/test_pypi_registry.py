"""The PyPI JSON API client against recorded responses."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from stockade.ecosystems.interface import DeclaredRequirement, Ecosystem
from stockade.ecosystems.pypi.registry import PyPIRegistry, requires_dist
from stockade.errors import RegistryError
from stockade.http import HttpClient
from tests.ecosystems.registry_fixtures import Server, load

INDEX = "https://pypi.test/simple/"
API = "https://pypi.test/pypi"


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
