"""The four components on metadata as the registry clients read it from recorded responses
(``tests/fixtures/registry``; see its README for what was trimmed or completed by hand)."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from stockade.ecosystems.interface import PackageInfo
from stockade.ecosystems.npm.registry import NpmRegistry
from stockade.ecosystems.pypi.registry import PyPIRegistry
from stockade.ecosystems.registries import NpmConfig
from stockade.http import HttpClient
from stockade.scoring.components.hygiene import HYGIENE
from stockade.scoring.components.maintenance import BASE, MAINTENANCE
from stockade.scoring.components.origin import ORIGIN
from stockade.scoring.components.provenance import PROVENANCE
from stockade.scoring.model import Confidence
from tests.ecosystems.registry_fixtures import Server, load
from tests.scoring.components.histories import (
    assert_adds_up,
    codes,
    evidence,
    facts,
    flags,
    same_origin,
)

API = "https://pypi.test/pypi"
INDEX = "https://pypi.test/simple/"


@pytest.fixture
def http(tmp_path: Path) -> HttpClient:
    server = Server(
        {
            f"{API}/six/json": load("pypi/six.json"),
            f"{API}/requests/json": load("pypi/requests.json"),
            f"{API}/sigstore/json": load("pypi/sigstore.json"),
            f"{INDEX}sigstore/": load("pypi/sigstore-simple.json"),
            "https://npm.test/@sigstore%2fcore": load("npm/sigstore-core.json"),
            "https://npm.test/esbuild": load("npm/esbuild.json"),
        }
    )
    return HttpClient(cache_dir=tmp_path / "http", transport=httpx.MockTransport(server), retries=0)


async def _pypi(http: HttpClient, name: str, *, provenance: bool = False) -> PackageInfo:
    registry = PyPIRegistry(http, base_url=INDEX)
    info = await registry.package(name)
    assert info is not None
    return await registry.with_provenance(info) if provenance else info


async def _npm(http: HttpClient, name: str) -> PackageInfo:
    info = await NpmRegistry(http, base_url="https://npm.test/", config=NpmConfig()).package(name)
    assert info is not None
    return info


async def test_six_as_recorded(http: HttpClient) -> None:
    six = await _pypi(http, "six")
    maintenance = MAINTENANCE(facts(six, "1.17.0", "2026-04-01"))
    assert maintenance.score is not None and maintenance.score >= 6
    assert not maintenance.flags
    assert "mature" in codes(maintenance)
    assert "maintainers" not in codes(maintenance)  # the recording has no ownership
    assert_adds_up(maintenance, BASE)
    hygiene = HYGIENE(facts(six, "1.17.0", "2026-04-01"))
    # The recording's README was emptied: everything else is there.
    assert {c for c in codes(hygiene) if c.startswith("no-")} == {"no-description"}
    assert hygiene.score == 8.5
    assert PROVENANCE(facts(six, "1.17.0", "2026-04-01")).score is None  # no index asked


async def test_requests_yanked_release_as_recorded(http: HttpClient) -> None:
    requests = await _pypi(http, "requests")
    component = MAINTENANCE(facts(requests, "2.32.0", "2024-06-01"))
    assert flags(component) == {"yanked"}
    assert "CVE-2024-35195" in component.flags[0].message
    # Of the 8 recorded releases the file-less 0.0.1 has no date and 2.34.2 came later.
    assert len(requests.versions) == 8
    assert evidence(component, "releases").value == 6


async def test_sigstore_pep740_provenance_as_recorded(http: HttpClient) -> None:
    sigstore = await _pypi(http, "sigstore", provenance=True)
    latest = PROVENANCE(facts(sigstore, "4.5.1", "2026-11-01"))
    assert latest.score == 8.0 and latest.confidence is Confidence.MEDIUM
    assert evidence(latest, "provenance").value == ["pep740"]
    before = PROVENANCE(facts(sigstore, "3.5.0", "2026-11-01"))
    assert before.score == 3.0 and not before.flags  # no release before it had provenance
    origin = ORIGIN(
        facts(
            sigstore,
            "4.5.1",
            "2026-11-01",
            same_origin=same_origin("https://github.com/sigstore/sigstore-python"),
        )
    )
    assert origin.score == 10.0  # "sigstore" fits sigstore/sigstore-python without "-python"


async def test_sigstore_core_npm_as_recorded(http: HttpClient) -> None:
    core = await _npm(http, "@sigstore/core")
    # 4.x is published by npm's trusted-publishing account, not a maintainer: not a takeover.
    maintenance = MAINTENANCE(facts(core, "4.0.1", "2026-12-01"))
    assert not flags(maintenance) & {"publisher-change", "publisher-not-maintainer"}
    provenance = PROVENANCE(facts(core, "4.0.1", "2026-12-01"))
    assert provenance.score == 8.0
    assert evidence(provenance, "provenance").value == ["npm"]
    origin = ORIGIN(
        facts(
            core,
            "4.0.1",
            "2026-12-01",
            same_origin=same_origin(
                "https://github.com/sigstore/sigstore-js", "npm/sigstore", "npm/@sigstore/sign"
            ),
        )
    )
    assert not origin.flags and origin.score == 9.0  # the scope is the repository's owner
    hygiene = HYGIENE(facts(core, "4.0.1", "2026-12-01"))
    assert "valid SPDX" in evidence(hygiene, "licence").message
    assert "no-keywords" in codes(hygiene)


async def test_esbuild_signed_without_attestations(http: HttpClient) -> None:
    # Signed packuments say "none" for versions without dist.attestations.
    esbuild = await _npm(http, "esbuild")
    component = PROVENANCE(facts(esbuild, "0.28.2", "2026-12-01"))
    assert component.score == 3.0
    assert evidence(component, "recent-provenance").value == 0.0
