"""npm provenance documents verified against tarballs (real Sigstore bundles)."""

from __future__ import annotations

import base64
import json
from typing import Any

from stockade.provenance.attestations import ConformantDsse, SigstoreDsse
from stockade.provenance.packages import Outcome, npm_purl, verify_npm
from stockade.provenance.slsa import SLSA_V1, SlsaPolicy
from stockade.provenance.trust import shipped_root
from tests.provenance.packages.fixtures import (
    A_TXT_SHA256,
    BEACON,
    GUNDAM_SHA512,
    REGEN_BUILDER,
    load,
    staging_verifier,
    text,
)

STAGING = "npm/dsse-staging-built.attestations.json"
ALLOW_REGEN = SlsaPolicy(builders=(REGEN_BUILDER,))


def test_a_dsse_provenance_bundle_verifies_and_gives_its_claims() -> None:
    result = verify_npm(
        text(STAGING),
        "a",
        "1.0.0",
        {"sha256": A_TXT_SHA256},
        policy=ALLOW_REGEN,
        verifier=staging_verifier(),
    )
    assert result.outcome is Outcome.VERIFIED, result.reason
    assert result.predicate_type == SLSA_V1
    claims = result.claims
    assert claims is not None
    # The predicate names only its builder; the rest comes from the Fulcio certificate.
    assert claims.builder_id == REGEN_BUILDER
    assert claims.source_repository == BEACON
    assert claims.workflow == ".github/workflows/extremely-dangerous-oidc-beacon.yml"
    assert claims.ref == "refs/heads/main"
    assert claims.commit is not None and len(claims.commit) == 40
    assert result.identity is not None and result.identity.startswith(BEACON)


def test_a_builder_outside_the_allow_list_fails() -> None:
    result = verify_npm(
        load(STAGING), "a", "1.0.0", {"sha256": A_TXT_SHA256}, verifier=staging_verifier()
    )
    assert result.outcome is Outcome.FAILED
    assert result.reason == f"builder {REGEN_BUILDER} is not an allowed builder"


def test_another_repository_than_expected_fails() -> None:
    policy = SlsaPolicy(source_repository="https://github.com/someone/else", builders=None)
    result = verify_npm(
        load(STAGING),
        "a",
        "1.0.0",
        {"sha256": A_TXT_SHA256},
        policy=policy,
        verifier=staging_verifier(),
    )
    assert result.outcome is Outcome.FAILED
    assert result.reason == f"built from {BEACON}, expected https://github.com/someone/else"


def test_a_tag_or_branch_is_checked() -> None:
    wants_tag = SlsaPolicy(builders=None, tag="v1.0.0")
    result = verify_npm(
        load(STAGING),
        "a",
        "1.0.0",
        {"sha256": A_TXT_SHA256},
        policy=wants_tag,
        verifier=staging_verifier(),
    )
    assert result.reason == "built from ref refs/heads/main, expected refs/tags/v1.0.0"
    on_main = SlsaPolicy(builders=None, branch="main")
    result = verify_npm(
        load(STAGING),
        "a",
        "1.0.0",
        {"sha256": A_TXT_SHA256},
        policy=on_main,
        verifier=staging_verifier(),
    )
    assert result.outcome is Outcome.VERIFIED


def test_a_digest_mismatch_fails() -> None:
    result = verify_npm(
        load(STAGING),
        "a",
        "1.0.0",
        {"sha512": GUNDAM_SHA512, "sha256": "0" * 64},
        policy=ALLOW_REGEN,
        verifier=staging_verifier(),
    )
    assert result.outcome is Outcome.FAILED
    assert result.reason == "no statement subject carries the tarball's digest"


def _tampered(document: dict[str, Any]) -> dict[str, Any]:
    envelope = document["attestations"][0]["bundle"]["dsseEnvelope"]
    statement = json.loads(base64.b64decode(envelope["payload"]))
    statement["predicate"]["runDetails"]["builder"]["id"] = "https://github.com/actions/runner"
    envelope["payload"] = base64.b64encode(json.dumps(statement).encode()).decode()
    return document


def test_a_tampered_statement_fails() -> None:
    result = verify_npm(
        _tampered(load(STAGING)),
        "a",
        "1.0.0",
        {"sha256": A_TXT_SHA256},
        verifier=staging_verifier(),
    )
    assert result.outcome is Outcome.FAILED
    assert result.reason.startswith("signature does not verify")


def test_an_unknown_trust_root_fails() -> None:
    # The staging bundle against the production root (the default verifier).
    result = verify_npm(load(STAGING), "a", "1.0.0", {"sha256": A_TXT_SHA256}, policy=ALLOW_REGEN)
    assert result.outcome is Outcome.FAILED
    assert result.reason.startswith("signature does not verify")


def test_a_predicate_naming_another_repository_than_its_signer_fails() -> None:
    # sigstore-conformance's DSSE happy path: a valid signature by the conformance beacon over
    # a predicate that claims loosebazooka/aa-test.
    result = verify_npm(
        text("npm/aa-test-built.attestations.json"),
        "a",
        "1.0.0",
        {"sha256": A_TXT_SHA256},
        policy=SlsaPolicy(builders=None),
    )
    assert result.outcome is Outcome.FAILED
    assert result.reason == (
        f"the provenance names https://github.com/loosebazooka/aa-test but was signed for {BEACON}"
    )


def test_real_npm_provenance_verifies_by_default() -> None:
    result = verify_npm(
        text("npm/gundam-visor-1.0.1.attestations.json"),
        "gundam-visor",
        "1.0.1",
        {"sha512": GUNDAM_SHA512},
    )
    assert result.outcome is Outcome.VERIFIED
    assert result.verified is True


def test_intoto_entries_are_unsupported_not_failed_by_sigstore_python_alone() -> None:
    result = verify_npm(
        text("npm/gundam-visor-1.0.1.attestations.json"),
        "gundam-visor",
        "1.0.1",
        {"sha512": GUNDAM_SHA512},
        verifier=SigstoreDsse(shipped_root("production")),
    )
    assert result.outcome is Outcome.UNSUPPORTED
    assert result.verified is None
    assert result.reason == "Rekor entry kind intoto cannot be checked"


def test_documents_without_provenance_are_unsupported() -> None:
    publish_only = load("npm/gundam-visor-1.0.1.attestations.json")
    publish_only["attestations"] = publish_only["attestations"][:1]
    result = verify_npm(publish_only, "gundam-visor", "1.0.1", {"sha512": GUNDAM_SHA512})
    assert result.outcome is Outcome.UNSUPPORTED
    assert result.reason == "the document holds no SLSA provenance attestation"
    for document in ("[]", "{", '{"attestations": [{"predicateType": "' + SLSA_V1 + '"}]}'):
        outcome = verify_npm(document, "gundam-visor", "1.0.1", {"sha512": GUNDAM_SHA512})
        assert outcome.outcome is Outcome.UNSUPPORTED, document
    broken = load(STAGING)
    broken["attestations"][0]["bundle"]["mediaType"] = "application/unknown"
    result = verify_npm(broken, "a", "1.0.0", {"sha256": A_TXT_SHA256})
    assert result.outcome is Outcome.UNSUPPORTED
    assert result.reason.startswith("unreadable bundle")


def test_npm_purls() -> None:
    assert npm_purl("gundam-visor", "1.0.1") == "pkg:npm/gundam-visor@1.0.1"
    assert npm_purl("@laurentsimon/provenance-npm-test", "1.0.3") == (
        "pkg:npm/%40laurentsimon/provenance-npm-test@1.0.3"
    )


class _SignatureTrusted:
    """A verifier that returns the bundle's payload unchecked: for the checks that follow the
    signature (subject name, claims), on the real npm bundle sigstore-python cannot check."""

    log_kinds = frozenset({"intoto", "dsse"})

    def __call__(self, bundle: Any, policy: Any) -> tuple[str, bytes]:
        envelope = bundle._inner.dsse_envelope
        return envelope.payload_type, envelope.payload


def test_the_subject_must_name_this_package_version() -> None:
    document = load("npm/gundam-visor-1.0.1.attestations.json")
    digests = {"sha512": GUNDAM_SHA512}
    ok = verify_npm(document, "gundam-visor", "1.0.1", digests, verifier=_SignatureTrusted())
    assert ok.outcome is Outcome.VERIFIED, ok.reason
    assert ok.claims is not None
    assert ok.claims.source_repository == "https://github.com/ramonpetgrave64/gundam-visor"
    assert ok.claims.workflow == ".github/workflows/npm-publish.yml"
    other = verify_npm(document, "gundam-visor", "1.0.2", digests, verifier=_SignatureTrusted())
    assert other.outcome is Outcome.FAILED
    assert other.reason == (
        "the statement is about pkg:npm/gundam-visor@1.0.1, not pkg:npm/gundam-visor@1.0.2"
    )


def test_real_npm_provenance_verifies_with_the_intoto_capable_engine() -> None:
    result = verify_npm(
        text("npm/gundam-visor-1.0.1.attestations.json"),
        "gundam-visor",
        "1.0.1",
        {"sha512": GUNDAM_SHA512},
        verifier=ConformantDsse(shipped_root("production")),
    )
    assert result.outcome is Outcome.VERIFIED, result.reason
