"""PEP 740 provenance objects verified against distributions (real attestations)."""

from __future__ import annotations

import base64
import copy
import json
from pathlib import Path
from typing import Any

from pypi_attestations import Attestation, GitHubPublisher
from sigstore.models import Bundle

from stockade.provenance.packages import Outcome, verify_pep740
from stockade.provenance.slsa import SlsaPolicy
from tests.provenance.packages.fixtures import (
    BEACON,
    GCB_EMAIL,
    GCB_SDIST,
    GCB_SHA256,
    load,
    text,
)

GCB = "pypi/gcb_attestation_test-0.0.0.tar.gz.provenance.json"


def test_a_real_attestation_verifies_against_its_distribution() -> None:
    result = verify_pep740(text(GCB), GCB_SDIST, GCB_SHA256)
    assert result.outcome is Outcome.VERIFIED, result.reason
    assert result.verified is True
    assert result.identity == GCB_EMAIL
    assert result.predicate_type is not None and result.predicate_type.endswith("/publish/v1")
    assert result.claims is not None
    assert result.claims.issuer == "https://accounts.google.com"
    assert GCB_EMAIL in result.reason


def test_another_digest_fails() -> None:
    other = "0" * 64
    result = verify_pep740(load(GCB), GCB_SDIST, other)
    assert result.outcome is Outcome.FAILED and result.verified is False
    assert result.reason == "the statement's sha256 is not the distribution's digest"


def test_another_file_fails() -> None:
    result = verify_pep740(load(GCB), "gcb_attestation_test-0.0.1.tar.gz", GCB_SHA256)
    assert result.outcome is Outcome.FAILED
    assert "is about gcb_attestation_test-0.0.0.tar.gz, not this file" in result.reason


def test_another_publisher_identity_fails() -> None:
    document = load(GCB)
    document["attestation_bundles"][0]["publisher"]["email"] = "someone@example.iam.test"
    result = verify_pep740(document, GCB_SDIST, GCB_SHA256)
    assert result.outcome is Outcome.FAILED
    assert result.reason.startswith("signature does not verify")
    assert "SAN" in result.reason or "identity" in result.reason.lower()


def _tampered(document: dict[str, Any]) -> dict[str, Any]:
    tampered = copy.deepcopy(document)
    envelope = tampered["attestation_bundles"][0]["attestations"][0]["envelope"]
    statement = json.loads(base64.b64decode(envelope["statement"]))
    statement["subject"][0]["digest"]["sha256"] = "f" * 64
    envelope["statement"] = base64.b64encode(json.dumps(statement).encode()).decode()
    return tampered


def test_a_tampered_statement_fails_on_its_signature() -> None:
    result = verify_pep740(_tampered(load(GCB)), GCB_SDIST, "f" * 64)
    assert result.outcome is Outcome.FAILED
    assert result.reason.startswith("signature does not verify")


def test_one_bad_attestation_fails_the_file() -> None:
    document = load(GCB)
    bad = _tampered(document)["attestation_bundles"][0]["attestations"][0]
    document["attestation_bundles"][0]["attestations"].append(bad)
    result = verify_pep740(document, GCB_SDIST, GCB_SHA256)
    assert result.outcome is Outcome.FAILED


def test_a_policy_on_the_repository_applies_to_the_certificate_claims() -> None:
    # A Google publisher's certificate names no repository: an expected one cannot be met.
    policy = SlsaPolicy(source_repository="https://github.com/pypi/pypi-attestations")
    result = verify_pep740(load(GCB), GCB_SDIST, GCB_SHA256, policy=policy)
    assert result.outcome is Outcome.FAILED
    assert result.reason == "the provenance names no source repository"


def test_unusable_documents_are_unsupported_not_failed() -> None:
    for document in (
        '{"version": 1}',
        "not json",
        '{"attestation_bundles": [{"publisher": {"kind": "Unknown"}, "attestations": []}]}',
    ):
        result = verify_pep740(document, GCB_SDIST, GCB_SHA256)
        assert result.outcome is Outcome.UNSUPPORTED, document
        assert result.verified is None
        assert result.reason.startswith("not a provenance object")
    empty = {"version": 1, "attestation_bundles": []}
    assert verify_pep740(empty, GCB_SDIST, GCB_SHA256).reason == (
        "the provenance object holds no attestation"
    )
    assert verify_pep740(load(GCB), "README.md", GCB_SHA256).outcome is Outcome.UNSUPPORTED


def test_a_truncated_certificate_is_unsupported() -> None:
    document = load(GCB)
    material = document["attestation_bundles"][0]["attestations"][0]["verification_material"]
    material["certificate"] = material["certificate"][:200]
    result = verify_pep740(document, GCB_SDIST, GCB_SHA256)
    assert result.outcome is Outcome.UNSUPPORTED
    assert result.reason.startswith("unreadable attestation")


def _github_provenance(shared_data: Path, repository: str, workflow: str) -> dict[str, Any]:
    """A PEP 740 object around sigstore-conformance's DSSE happy path (a GitHub Actions
    certificate of the conformance beacon workflow), under a GitHub publisher."""
    raw = shared_data / "sigstore-conformance/bundle-verify/happy-path-intoto-in-dsse-v3"
    bundle = Bundle.from_json((raw / "bundle.sigstore.json").read_text(encoding="utf-8"))
    attestation = Attestation.from_bundle(bundle)
    publisher = GitHubPublisher(repository=repository, workflow=workflow)
    return {
        "version": 1,
        "attestation_bundles": [
            {
                "publisher": publisher.model_dump(),
                "attestations": [attestation.model_dump(mode="json")],
            }
        ],
    }


def test_github_publisher_policy_on_a_real_certificate(shared_data: Path) -> None:
    right = _github_provenance(
        shared_data,
        "sigstore-conformance/extremely-dangerous-public-oidc-beacon",
        "extremely-dangerous-oidc-beacon.yml",
    )
    result = verify_pep740(right, "a-1.0.tar.gz", "0" * 64)
    # The publisher's policy holds; the statement is about a.txt, not a distribution.
    assert result.outcome is Outcome.FAILED
    assert result.reason == "the statement is about a.txt, not this file"
    wrong = _github_provenance(shared_data, "loosebazooka/aa-test", "provenance.yaml")
    result = verify_pep740(wrong, "a-1.0.tar.gz", "0" * 64)
    assert result.outcome is Outcome.FAILED
    assert result.reason.startswith("signature does not verify")
    assert "aa-test" in result.reason or "Source Repository" in result.reason
    workflow = _github_provenance(
        shared_data, BEACON.removeprefix("https://github.com/"), "release.yml"
    )
    result = verify_pep740(workflow, "a-1.0.tar.gz", "0" * 64)
    assert result.outcome is Outcome.FAILED
    assert "Build Config URI" in result.reason


def test_a_log_entry_kind_the_verifier_cannot_check_is_unsupported() -> None:
    document = load(GCB)
    entry = document["attestation_bundles"][0]["attestations"][0]["verification_material"][
        "transparency_entries"
    ][0]
    entry["kindVersion"] = {"kind": "rekord", "version": "0.0.1"}
    result = verify_pep740(document, GCB_SDIST, GCB_SHA256)
    assert result.outcome is Outcome.UNSUPPORTED
    assert result.reason == "Rekor entry kind rekord cannot be checked"
