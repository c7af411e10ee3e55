"""Identity policies (anchoring, any-of, claims) and trust material (shipped roots, custom
roots and trust configs, bad media types)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.hashes import SHA256
from sigstore.errors import VerificationError
from sigstore.models import Bundle

from stockade.errors import InputError
from stockade.provenance.policy import (
    AnyOf,
    CertificateFacts,
    IdentityPolicy,
    Match,
    certificate_facts,
    claim_value,
)
from stockade.provenance.trust import load_trust, shipped_root

ACTIONS = "https://token.actions.githubusercontent.com"


def _facts(identity: str, issuer: str = ACTIONS, **claims: str) -> CertificateFacts:
    return CertificateFacts((identity,), issuer, claims)


def test_regexp_is_fully_anchored() -> None:
    match = Match(r"https://github\.com/org/.*", regexp=True)
    assert match.matches("https://github.com/org/repo/.github/workflows/x.yml@refs/heads/main")
    assert not match.matches("https://evil.test/?https://github.com/org/x")
    assert not Match("https://github.com/org", regexp=True).matches("https://github.com/org/x")
    assert not Match("a.c").matches("abc")  # exact values are not patterns
    assert Match("a.c", regexp=True).matches("abc")


def test_invalid_regexp_is_input_error() -> None:
    with pytest.raises(InputError, match="invalid regular expression"):
        IdentityPolicy.of(identity_regexp="(", issuer=ACTIONS)


def test_identity_and_issuer_required() -> None:
    with pytest.raises(InputError, match="identity is required"):
        IdentityPolicy.of(issuer=ACTIONS)
    with pytest.raises(InputError, match="issuer is required"):
        IdentityPolicy.of(identity="a@example.com")
    with pytest.raises(InputError, match="unknown certificate claim"):
        IdentityPolicy.of(identity="a", issuer=ACTIONS, claims={"colour": "blue"})


def test_any_of_identities_and_issuers() -> None:
    policy = IdentityPolicy.of(
        identity=["a@example.com", "b@example.com"],
        issuer_regexp=[r"https://accounts\.google\.com", r"https://github\.com/login/oauth"],
    )
    policy.check(_facts("b@example.com", "https://github.com/login/oauth"))
    with pytest.raises(VerificationError, match="does not match any of"):
        policy.check(_facts("c@example.com", "https://github.com/login/oauth"))
    with pytest.raises(VerificationError, match="OIDC issuer"):
        policy.check(_facts("a@example.com", ACTIONS))
    either = AnyOf((IdentityPolicy.of(identity="x", issuer=ACTIONS), policy))
    either.check(_facts("a@example.com", "https://accounts.google.com"))


def test_legacy_github_claims_fall_back_to_current_ones() -> None:
    facts = _facts(
        "id",
        source_repository_uri="https://github.com/org/repo",
        source_repository_ref="refs/tags/v1",
        source_repository_digest="abc",
        build_trigger="push",
    )
    assert claim_value(facts, "github_workflow_repository") == "org/repo"
    assert claim_value(facts, "github_workflow_ref") == "refs/tags/v1"
    assert claim_value(facts, "github_workflow_sha") == "abc"
    assert claim_value(facts, "github_workflow_trigger") == "push"
    assert claim_value(facts, "github_workflow_name") is None
    policy = IdentityPolicy.of(
        identity="id", issuer=ACTIONS, claims={"github_workflow_name": "release"}
    )
    with pytest.raises(VerificationError, match="no github_workflow_name claim"):
        policy.check(facts)


def test_facts_of_an_email_certificate(assets: Path) -> None:
    bundle = Bundle.from_json((assets / "bundle.txt.sigstore").read_bytes())
    facts = certificate_facts(bundle.signing_certificate)
    assert facts.identities == ("a@tny.town",)
    assert facts.issuer == "https://github.com/login/oauth"
    assert dict(facts.claims) == {}


def test_shipped_roots_differ() -> None:
    production = {c.fingerprint(SHA256()) for c in shipped_root("production").get_fulcio_certs()}
    staging = {c.fingerprint(SHA256()) for c in shipped_root("staging").get_fulcio_certs()}
    assert production and staging and production.isdisjoint(staging)


def test_custom_root_and_trust_config(assets: Path) -> None:
    root = load_trust(assets / "trusted_root" / "trustedroot.v1.json")
    assert len(root.get_timestamp_authorities()) == 1
    config_root = load_trust(assets / "trust_config" / "config.v1.json")
    assert config_root.get_fulcio_certs()


@pytest.mark.parametrize(
    "name", ["trusted_root/trustedroot.badtype.json", "trust_config/config.badtype.json"]
)
def test_bad_media_type(assets: Path, name: str) -> None:
    with pytest.raises(InputError, match="media type"):
        load_trust(assets / name)


def test_unusable_trust_files(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        load_trust(tmp_path / "missing.json")
    broken = tmp_path / "broken.json"
    broken.write_text('{"mediaType": ')
    with pytest.raises(InputError, match="not valid JSON"):
        load_trust(broken)
    incomplete = tmp_path / "incomplete.json"
    incomplete.write_text(
        json.dumps({"mediaType": "application/vnd.dev.sigstore.trustedroot+json;version=0.1",
                    "tlogs": "nope"})
    )  # fmt: skip
    with pytest.raises(InputError, match="not a usable Sigstore trusted root"):
        load_trust(incomplete)
