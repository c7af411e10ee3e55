"""verify_provenance: a package version's references fetched (recorded responses) and marked."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from stockade.ecosystems.interface import (
    Ecosystem,
    FileInfo,
    PackageInfo,
    ProvenanceRef,
    VersionInfo,
)
from stockade.http import HttpClient
from stockade.provenance.packages import INTEGRITY_MEDIA_TYPE, verify_provenance
from stockade.provenance.slsa import SlsaPolicy
from stockade.scoring.components.provenance import PROVENANCE
from stockade.scoring.model import Confidence, FlagLevel
from tests.provenance.packages.fixtures import (
    A_TXT_SHA256,
    BEACON,
    GCB_SDIST,
    GCB_SHA256,
    REGEN_BUILDER,
    load,
    staging_verifier,
)
from tests.scoring.components.histories import facts

INTEGRITY = "https://pypi.test/integrity/gcb-attestation-test/0.0.0"
NPM_ATTESTATIONS = "https://npm.test/-/npm/v1/attestations/a@1.0.0"


class Recorded:
    """Answers recorded URLs; 404 otherwise. Keeps the Accept header of each request."""

    def __init__(self, routes: dict[str, Any]) -> None:
        self.routes = routes
        self.accepts: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.accepts.append(request.headers.get("Accept", ""))
        body = self.routes.get(str(request.url))
        return httpx.Response(404) if body is None else httpx.Response(200, json=body)


def _client(tmp_path: Path, server: Recorded) -> HttpClient:
    async def no_wait(_: float) -> None:
        return None

    return HttpClient(
        cache_dir=tmp_path / "http",
        transport=httpx.MockTransport(server),
        retries=0,
        sleep=no_wait,
    )


def _pypi(files: dict[str, str], refs: tuple[ProvenanceRef, ...]) -> PackageInfo:
    info = VersionInfo(
        ecosystem=Ecosystem.PYPI,
        name="gcb-attestation-test",
        version="0.0.0",
        files=tuple(
            FileInfo(filename=n, url=f"https://files.pypi.test/{n}", digests={"sha256": d})
            for n, d in files.items()
        ),
        provenance=refs,
    )
    older = VersionInfo(ecosystem=Ecosystem.PYPI, name="gcb-attestation-test", version="0.0.0a1")
    return PackageInfo(
        ecosystem=Ecosystem.PYPI,
        name="gcb-attestation-test",
        versions={"0.0.0": info, "0.0.0a1": older},
        latest="0.0.0",
    )


async def test_pep740_references_are_verified_per_file(tmp_path: Path) -> None:
    wheel = "gcb_attestation_test-0.0.0-py3-none-any.whl"
    refs = (
        ProvenanceRef(kind="pep740", url=f"{INTEGRITY}/{GCB_SDIST}/provenance", filename=GCB_SDIST),
        # The same attestation offered for another file: its subject is the sdist.
        ProvenanceRef(kind="pep740", url=f"{INTEGRITY}/{wheel}/provenance", filename=wheel),
        ProvenanceRef(kind="pep740", url=f"{INTEGRITY}/missing/provenance", filename=GCB_SDIST),
    )
    document = load("pypi/gcb_attestation_test-0.0.0.tar.gz.provenance.json")
    server = Recorded(
        {
            f"{INTEGRITY}/{GCB_SDIST}/provenance": document,
            f"{INTEGRITY}/{wheel}/provenance": document,
        }
    )
    package = _pypi({GCB_SDIST: GCB_SHA256, wheel: "1" * 64}, refs)
    async with _client(tmp_path, server) as http:
        checked = await verify_provenance(package, "0.0.0", http)
    marks = [ref.verified for ref in checked.versions["0.0.0"].provenance or ()]
    assert marks == [True, False, None]
    assert set(server.accepts) == {INTEGRITY_MEDIA_TYPE}
    assert checked.versions["0.0.0a1"] == package.versions["0.0.0a1"]
    assert checked.name == package.name and checked.latest == "0.0.0"


async def test_a_version_without_provenance_is_left_alone(tmp_path: Path) -> None:
    package = _pypi({GCB_SDIST: GCB_SHA256}, ())
    async with _client(tmp_path, Recorded({})) as http:
        assert await verify_provenance(package, "0.0.0", http) is package
        assert await verify_provenance(package, "9.9.9", http) is package


def _npm(refs: tuple[ProvenanceRef, ...]) -> PackageInfo:
    tarball = FileInfo(
        filename="a-1.0.0.tgz",
        url="https://npm.test/a/-/a-1.0.0.tgz",
        digests={"sha256": A_TXT_SHA256},
        kind="tarball",
    )
    info = VersionInfo(
        ecosystem=Ecosystem.NPM, name="a", version="1.0.0", files=(tarball,), provenance=refs
    )
    return PackageInfo(ecosystem=Ecosystem.NPM, name="a", versions={"1.0.0": info})


async def test_npm_provenance_is_verified_and_its_claims_filled(tmp_path: Path) -> None:
    ref = ProvenanceRef(
        kind="npm", url=NPM_ATTESTATIONS, predicate_type="https://slsa.dev/provenance/v1"
    )
    server = Recorded({NPM_ATTESTATIONS: load("npm/dsse-staging-built.attestations.json")})
    async with _client(tmp_path, server) as http:
        verified = await verify_provenance(
            _npm((ref,)),
            "1.0.0",
            http,
            policy=SlsaPolicy(builders=(REGEN_BUILDER,)),
            verifier=staging_verifier(),
        )
        refused = await verify_provenance(_npm((ref,)), "1.0.0", http, verifier=staging_verifier())
    (good,) = verified.versions["1.0.0"].provenance or ()
    assert good.verified is True
    assert good.source_repository == BEACON
    assert good.workflow == ".github/workflows/extremely-dangerous-oidc-beacon.yml"
    (bad,) = refused.versions["1.0.0"].provenance or ()
    assert bad.verified is False  # the builder is not on the default allow-list
    assert bad.source_repository is None


async def test_unreachable_or_unaddressed_provenance_stays_unknown(tmp_path: Path) -> None:
    refs = (ProvenanceRef(kind="npm", url=None), ProvenanceRef(kind="npm", url=NPM_ATTESTATIONS))

    def failing(request: httpx.Request) -> httpx.Response:
        return httpx.Response(503)

    async def no_wait(_: float) -> None:
        return None

    http = HttpClient(
        cache_dir=tmp_path / "http",
        transport=httpx.MockTransport(failing),
        retries=0,
        sleep=no_wait,
    )
    async with http:
        checked = await verify_provenance(_npm(refs), "1.0.0", http)
    assert [r.verified for r in checked.versions["1.0.0"].provenance or ()] == [None, None]


async def test_verified_provenance_feeds_the_trust_score(tmp_path: Path) -> None:
    url = f"{INTEGRITY}/{GCB_SDIST}/provenance"
    ref = ProvenanceRef(kind="pep740", url=url, filename=GCB_SDIST)
    server = Recorded({url: load("pypi/gcb_attestation_test-0.0.0.tar.gz.provenance.json")})
    async with _client(tmp_path, server) as http:
        good = await verify_provenance(_pypi({GCB_SDIST: GCB_SHA256}, (ref,)), "0.0.0", http)
        bad = await verify_provenance(_pypi({GCB_SDIST: "2" * 64}, (ref,)), "0.0.0", http)
    verified = PROVENANCE(facts(good, "0.0.0", "2025-05-01"))
    assert verified.score == 10.0 and verified.confidence is Confidence.HIGH
    invalid = PROVENANCE(facts(bad, "0.0.0", "2025-05-01"))
    assert invalid.score == 0.0
    assert [(f.code, f.level, f.cap) for f in invalid.flags] == [
        ("provenance-invalid", FlagLevel.CAP, 3.0)
    ]
