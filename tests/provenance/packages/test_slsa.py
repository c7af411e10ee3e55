"""SLSA v0.2 and v1 claims, certificate claims, and slsa-verifier-like checks."""

from __future__ import annotations

import base64
import json

import pytest
from cryptography import x509

from stockade.provenance.slsa import (
    DEFAULT_BUILDERS,
    SLSA_V02,
    SLSA_V1,
    BuildClaims,
    SlsaPolicy,
    builder_allowed,
    check,
    claims_from_certificate,
    claims_from_predicate,
    workflow_path,
)
from tests.provenance.packages.fixtures import load

GUNDAM = "https://github.com/ramonpetgrave64/gundam-visor"


def _gundam_provenance() -> dict[str, object]:
    entry = load("npm/gundam-visor-1.0.1.attestations.json")["attestations"][1]
    assert entry["predicateType"] == SLSA_V1
    payload = base64.b64decode(entry["bundle"]["dsseEnvelope"]["payload"])
    statement: dict[str, object] = json.loads(payload)
    return statement


def _gundam_certificate() -> x509.Certificate:
    entry = load("npm/gundam-visor-1.0.1.attestations.json")["attestations"][1]
    raw = entry["bundle"]["verificationMaterial"]["x509CertificateChain"]["certificates"][0]
    return x509.load_der_x509_certificate(base64.b64decode(raw["rawBytes"]))


def test_slsa_v1_claims_of_a_real_npm_provenance() -> None:
    statement = _gundam_provenance()
    predicate = statement["predicate"]
    assert isinstance(predicate, dict)
    claims = claims_from_predicate(SLSA_V1, predicate)
    assert claims == BuildClaims(
        source_repository=GUNDAM,
        commit="599500821344b070902a7a5666064bfdaba715df",
        ref="refs/tags/v1.0.1",
        workflow=".github/workflows/npm-publish.yml",
        builder_id="https://github.com/actions/runner/github-hosted",
        build_type="https://slsa-framework.github.io/github-actions-buildtypes/workflow/v1",
        trigger="release",
        invocation=f"{GUNDAM}/actions/runs/9358004112/attempts/1",
    )


def test_slsa_v02_claims_of_a_real_npm_cli_statement() -> None:
    statement = load("npm/provenance-npm-test-1.0.3.slsa-v0.2.statement.json")
    assert statement["predicateType"] == SLSA_V02
    claims = claims_from_predicate(SLSA_V02, statement["predicate"])
    assert claims.source_repository == "https://github.com/laurentsimon/provenance-npm-test"
    assert claims.ref == "refs/heads/main"
    assert claims.commit == "b38894f2dda4355ea5606fccb166e61565e12a14"
    assert claims.workflow == ".github/workflows/release.yml"
    assert claims.builder_id == "https://github.com/actions/runner"
    assert claims.build_type == "https://github.com/npm/cli/gha/v2"
    assert claims.trigger == "workflow_dispatch"
    assert claims.invocation == "4757060009-1"


def test_other_predicates_are_refused() -> None:
    with pytest.raises(ValueError, match="not an SLSA provenance predicate"):
        claims_from_predicate("https://spdx.dev/Document", {})


def test_certificate_claims_of_a_real_github_actions_certificate() -> None:
    claims = claims_from_certificate(_gundam_certificate())
    assert claims.source_repository == GUNDAM
    assert claims.ref == "refs/tags/v1.0.1"
    assert claims.commit == "599500821344b070902a7a5666064bfdaba715df"
    assert claims.workflow == ".github/workflows/npm-publish.yml"
    assert claims.trigger == "release"
    assert claims.issuer == "https://token.actions.githubusercontent.com"
    assert claims.builder_id == f"{GUNDAM}/.github/workflows/npm-publish.yml@refs/tags/v1.0.1"
    assert claims.invocation == f"{GUNDAM}/actions/runs/9358004112/attempts/1"


def test_workflow_path_of_github_and_gitlab_build_config_uris() -> None:
    github = "https://github.com/o/r/.github/workflows/release.yml@refs/tags/v1"
    assert workflow_path(github, "https://github.com/o/r") == ".github/workflows/release.yml"
    gitlab = "https://gitlab.com/g/p//.gitlab-ci.yml@refs/heads/main"
    assert workflow_path(gitlab, "https://gitlab.com/g/p") == ".gitlab-ci.yml"
    assert workflow_path(github, "https://github.com/someone/else") is None
    assert workflow_path(None, "https://github.com/o/r") is None


def _real_claims() -> BuildClaims:
    predicate = _gundam_provenance()["predicate"]
    assert isinstance(predicate, dict)
    return claims_from_predicate(SLSA_V1, predicate)


def test_check_passes_with_the_expected_repository_builder_and_tag() -> None:
    policy = SlsaPolicy(
        source_repository="git+https://github.com/RamonPetGrave64/gundam-visor.git", tag="v1.0.1"
    )
    result = check(_real_claims(), policy)
    assert result.ok and result.reasons == ()


def test_check_names_every_mismatch() -> None:
    policy = SlsaPolicy(
        source_repository="https://github.com/someone/gundam-visor",
        builders=("https://github.com/slsa-framework/slsa-github-generator/.github/workflows/*",),
        branch="main",
    )
    result = check(_real_claims(), policy)
    assert not result.ok
    assert result.reasons == (
        f"built from {GUNDAM}, expected https://github.com/someone/gundam-visor",
        "builder https://github.com/actions/runner/github-hosted is not an allowed builder",
        "built from ref refs/tags/v1.0.1, expected refs/heads/main",
    )


def test_check_wants_a_builder_and_a_repository_when_asked() -> None:
    result = check(BuildClaims(), SlsaPolicy(source_repository=GUNDAM))
    assert result.reasons == (
        "the provenance names no source repository",
        "the provenance names no builder",
    )


@pytest.mark.parametrize(
    ("builder", "allowed"),
    [
        ("https://github.com/actions/runner/github-hosted", True),
        ("https://github.com/actions/runner", True),
        ("https://github.com/actions/runner/self-hosted", False),
        (
            "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/"
            "builder_nodejs_slsa3.yml@refs/tags/v1.7.0",
            True,
        ),
        ("https://gitlab.com/group/project/-/runners/12270837", True),
        ("https://gitlab.example/group/project/-/runners/1", False),
        ("https://github.com/evil/slsa-github-generator/.github/workflows/b.yml", False),
    ],
)
def test_default_builders(builder: str, allowed: bool) -> None:
    assert builder_allowed(builder, DEFAULT_BUILDERS) is allowed


def test_a_builder_entry_without_version_matches_any_version() -> None:
    entry = ("https://github.com/o/r/.github/workflows/build.yml",)
    assert builder_allowed("https://github.com/o/r/.github/workflows/build.yml@refs/tags/v2", entry)
    pinned = ("https://github.com/o/r/.github/workflows/build.yml@refs/tags/v1",)
    assert not builder_allowed(
        "https://github.com/o/r/.github/workflows/build.yml@refs/tags/v2", pinned
    )
