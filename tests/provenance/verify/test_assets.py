"""sigstore-python's own bundles verify against their roots and identities; a changed byte,
another identity, another issuer or another workflow does not."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from stockade.errors import InputError, VerificationFailed
from stockade.provenance.bundles import MAX_BUNDLE_BYTES
from stockade.provenance.policy import AnyOf, IdentityPolicy
from stockade.provenance.trust import Instance, shipped_root
from stockade.provenance.verify import verify_bundle, verify_bundle_json

GITHUB_LOGIN = "https://github.com/login/oauth"
ACTIONS = "https://token.actions.githubusercontent.com"
BEACON = (
    "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/"
    ".github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main"
)
WHEEL_DIGEST = "sha256:c4e92e9ecc828bef2aa7dba1de8ac983511f7532a0df11c770d39099a25cf201"
WHEEL_IDENTITY = (
    "https://github.com/trailofbits/rfc8785.py/.github/workflows/release.yml@refs/tags/v0.1.2"
)
WILLIAM = "william@yossarian.net"
ALEXIS = "alexis.challande@trailofbits.com"
GOOGLE = "https://accounts.google.com"
A_TXT_DIGEST = "sha256:a0cfc71271d6e278e57cd332ff957c3f7043fdda354c4cbb190a30d56efa01bf"

# artifact (file under assets/ or sha256:), bundle, identity, issuer, root, log index
GOOD = [
    ("bundle.txt", "bundle.txt.sigstore", "a@tny.town", GITHUB_LOGIN, "staging", 7390977),
    ("bundle_v3.txt", "bundle_v3.txt.sigstore", WILLIAM, GITHUB_LOGIN, "staging", 25915956),
    ("bundle_v3_alt.txt", "bundle_v3_alt.txt.sigstore", WILLIAM, GITHUB_LOGIN, "staging", 25915997),
    (
        "integration/bundle_v3.txt",
        "integration/bundle_v3.txt.sigstore",
        WILLIAM,
        GITHUB_LOGIN,
        "staging",
        25915956,
    ),
    (
        "staging-rekor-v2.txt",
        "staging-rekor-v2.txt.sigstore.json",
        "jku@goto.fi",
        GITHUB_LOGIN,
        "staging",
        645,
    ),
    (A_TXT_DIGEST, "a.dsse.staging-rekor-v2.txt.sigstore.json", BEACON, ACTIONS, "staging", None),
    (
        WHEEL_DIGEST,
        "bundle_v3_github.whl.sigstore",
        WHEEL_IDENTITY,
        ACTIONS,
        "production",
        79605083,
    ),
    ("tsa/bundle.txt", "tsa/bundle.txt.sigstore", ALEXIS, GOOGLE, "staging", None),
]


def _artifact(assets: Path, name: str) -> Path | str:
    return name if name.startswith("sha256:") else assets / name


@pytest.mark.parametrize(("artifact", "bundle", "identity", "issuer", "root", "index"), GOOD)
def test_asset_verifies(
    assets: Path,
    artifact: str,
    bundle: str,
    identity: str,
    issuer: str,
    root: Instance,
    index: int | None,
) -> None:
    policy = IdentityPolicy.of(identity=identity, issuer=issuer)
    result = verify_bundle(_artifact(assets, artifact), assets / bundle, policy, shipped_root(root))
    assert result.identity == identity
    assert result.signer is not None and result.signer.issuer == issuer
    assert result.signed_times, "a verified bundle has at least one signed time"
    if index is not None:
        assert result.log_index == index


@pytest.mark.parametrize(("artifact", "bundle", "identity", "issuer", "root", "index"), GOOD)
def test_asset_other_identity_fails(
    assets: Path,
    artifact: str,
    bundle: str,
    identity: str,
    issuer: str,
    root: Instance,
    index: int | None,
) -> None:
    policy = IdentityPolicy.of(identity="bad@ident.example.com", issuer=issuer)
    with pytest.raises(VerificationFailed, match="does not match"):
        verify_bundle(_artifact(assets, artifact), assets / bundle, policy, shipped_root(root))


def test_other_issuer_fails(assets: Path) -> None:
    policy = IdentityPolicy.of(identity="a@tny.town", issuer="https://accounts.google.com")
    with pytest.raises(VerificationFailed, match="OIDC issuer"):
        verify_bundle(
            assets / "bundle.txt", assets / "bundle.txt.sigstore", policy, shipped_root("staging")
        )


def test_wrong_root_fails(assets: Path) -> None:
    policy = IdentityPolicy.of(identity="a@tny.town", issuer=GITHUB_LOGIN)
    with pytest.raises(VerificationFailed, match="certificate chain"):
        verify_bundle(assets / "bundle.txt", assets / "bundle.txt.sigstore", policy)


def test_changed_byte_fails(assets: Path, tmp_path: Path) -> None:
    data = bytearray((assets / "bundle_v3.txt").read_bytes())
    data[0] ^= 0x01
    changed = tmp_path / "bundle_v3.txt"
    changed.write_bytes(bytes(data))
    policy = IdentityPolicy.of(identity="william@yossarian.net", issuer=GITHUB_LOGIN)
    with pytest.raises(VerificationFailed, match="digest mismatch"):
        verify_bundle(changed, assets / "bundle_v3.txt.sigstore", policy, shipped_root("staging"))


def test_dsse_subject_must_be_the_artifact(assets: Path) -> None:
    """The a.dsse bundle's subject is conformance's a.txt, not the file beside it."""
    policy = IdentityPolicy.of(identity=BEACON, issuer=ACTIONS)
    bundle = assets / "a.dsse.staging-rekor-v2.txt.sigstore.json"
    result = verify_bundle(A_TXT_DIGEST, bundle, policy, shipped_root("staging"))
    assert result.kind == "dsse" and result.statement is not None
    assert result.statement.predicate_type == "https://slsa.dev/provenance/v1"
    assert [s.name for s in result.statement.subjects] == ["a.txt"]
    with pytest.raises(VerificationFailed, match="not a subject"):
        verify_bundle(
            assets / "a.dsse.staging-rekor-v2.txt", bundle, policy, shipped_root("staging")
        )


def test_github_claims_by_digest(assets: Path) -> None:
    """The rfc8785.py release wheel: right workflow claims pass, another workflow fails."""
    bundle = assets / "bundle_v3_github.whl.sigstore"
    claims = {
        "github_workflow_repository": "trailofbits/rfc8785.py",
        "github_workflow_ref": "refs/tags/v0.1.2",
        "github_workflow_sha": "d8b4a6445f38c48b9137a8099706d9b8073146e4",
        "github_workflow_trigger": "release",
        "github_workflow_name": "release",
        "runner_environment": "github-hosted",
        "source_repository_identifier": "768213997",
    }
    policy = IdentityPolicy.of(
        identity_regexp=r"https://github\.com/trailofbits/rfc8785\.py/\.github/workflows/.*",
        issuer=ACTIONS,
        claims=claims,
    )
    result = verify_bundle(WHEEL_DIGEST, bundle, policy)
    assert result.signer is not None
    assert result.signer.claims["run_invocation_uri"].endswith(
        "/actions/runs/8351058501/attempts/1"
    )
    for name, other in [
        ("github_workflow_repository", "trailofbits/other"),
        ("github_workflow_ref", "refs/heads/main"),
        ("github_workflow_trigger", "push"),
        ("github_workflow_name", "ci"),
        ("github_workflow_sha", "0" * 40),
    ]:
        wrong = IdentityPolicy.of(identity=WHEEL_IDENTITY, issuer=ACTIONS, claims={name: other})
        with pytest.raises(VerificationFailed, match=name):
            verify_bundle(WHEEL_DIGEST, bundle, wrong)
    other_workflow = IdentityPolicy.of(
        identity="https://github.com/trailofbits/rfc8785.py/.github/workflows/ci.yml@refs/tags/v0.1.2",
        issuer=ACTIONS,
    )
    with pytest.raises(VerificationFailed, match="identity"):
        verify_bundle(WHEEL_DIGEST, bundle, other_workflow)
    with pytest.raises(VerificationFailed, match="digest mismatch"):
        verify_bundle("sha256:" + "0" * 64, bundle, policy)


def test_unanchored_looking_regexp_is_anchored(assets: Path) -> None:
    """A pattern matching only a prefix of the identity does not pass (fullmatch)."""
    bundle = assets / "bundle_v3_github.whl.sigstore"
    prefix = IdentityPolicy.of(identity_regexp=r"https://github\.com/trailofbits", issuer=ACTIONS)
    with pytest.raises(VerificationFailed, match="does not match"):
        verify_bundle(WHEEL_DIGEST, bundle, prefix)


def test_any_of(assets: Path) -> None:
    bundle = assets / "bundle_v3_github.whl.sigstore"
    policy = AnyOf(
        (
            IdentityPolicy.of(identity="someone@example.com", issuer=GITHUB_LOGIN),
            IdentityPolicy.of(identity=WHEEL_IDENTITY, issuer=ACTIONS),
        )
    )
    assert verify_bundle(WHEEL_DIGEST, bundle, policy).identity == WHEEL_IDENTITY
    neither = AnyOf((IdentityPolicy.of(identity="someone@example.com", issuer=ACTIONS),))
    with pytest.raises(VerificationFailed, match="no policy accepts"):
        verify_bundle(WHEEL_DIGEST, bundle, neither)


@pytest.mark.parametrize(
    ("bundle", "error", "reason"),
    [
        ("bundle_cve_2022_36056.txt.sigstore", VerificationFailed, "inconsistent"),
        ("bundle_invalid_version.txt.sigstore", InputError, "media type"),
        ("bundle_no_cert_v1.txt.sigstore", VerificationFailed, "certificate chain"),
        ("bundle_no_log_entry.txt.sigstore", VerificationFailed, "exactly one log entry"),
        ("bundle_no_checkpoint.txt.sigstore", VerificationFailed, "checkpoint"),
        ("bundle_v3_no_signed_time.txt.sigstore.json", VerificationFailed, "signed timestamp"),
    ],
)
def test_negative_vectors(assets: Path, bundle: str, error: type[Exception], reason: str) -> None:
    artifact = assets / bundle.split(".sigstore", maxsplit=1)[0]
    policy = IdentityPolicy.of(identity="william@yossarian.net", issuer=GITHUB_LOGIN)
    with pytest.raises(error, match=reason):
        verify_bundle(artifact, assets / bundle, policy, shipped_root("staging"))


@pytest.mark.parametrize(
    ("bundle", "reason"),
    [
        ("tsa/bundle.duplicate.sigstore", "duplicate timestamp"),
        ("tsa/bundle.many_timestamp.sigstore", "too many signed timestamp"),
    ],
)
def test_tsa_negative_vectors(assets: Path, bundle: str, reason: str) -> None:
    policy = IdentityPolicy.of(
        identity="alexis.challande@trailofbits.com", issuer="https://accounts.google.com"
    )
    with pytest.raises(VerificationFailed, match=reason):
        verify_bundle(assets / "tsa/bundle.txt", assets / bundle, policy, shipped_root("staging"))


def test_blanked_message_digest_fails(assets: Path, tmp_path: Path) -> None:
    document = json.loads((assets / "bundle.txt.sigstore").read_text())
    document["messageSignature"]["messageDigest"]["digest"] = ""
    bundle = tmp_path / "blanked.sigstore.json"
    bundle.write_text(json.dumps(document))
    policy = IdentityPolicy.of(identity="a@tny.town", issuer=GITHUB_LOGIN)
    with pytest.raises(VerificationFailed, match="digest mismatch"):
        verify_bundle(assets / "bundle.txt", bundle, policy, shipped_root("staging"))


def test_signed_time_in_the_future_fails(assets: Path) -> None:
    """Evidence signed after `now` (a clock set back, or a forged time) is refused."""
    policy = IdentityPolicy.of(identity="a@tny.town", issuer=GITHUB_LOGIN)
    args = (assets / "bundle.txt", assets / "bundle.txt.sigstore", policy, shipped_root("staging"))
    before = datetime(2023, 4, 25, tzinfo=UTC)
    with pytest.raises(VerificationFailed, match="in the future"):
        verify_bundle(*args, now=before)
    assert verify_bundle(*args, now=before + timedelta(days=2)).log_index == 7390977


def test_bundle_given_as_json_text(assets: Path) -> None:
    """Bundles that arrive in a registry response are verified without a file."""
    raw = (assets / "bundle_v3_github.whl.sigstore").read_bytes()
    policy = IdentityPolicy.of(identity=WHEEL_IDENTITY, issuer=ACTIONS)
    result = verify_bundle_json(WHEEL_DIGEST, raw, policy, where="attestation")
    assert result.log_index == 79605083
    with pytest.raises(InputError, match="attestation: malformed bundle: not valid JSON"):
        verify_bundle_json(WHEEL_DIGEST, raw[:100], policy, where="attestation")
    with pytest.raises(InputError, match="too large"):
        verify_bundle_json(WHEEL_DIGEST, b" " * (MAX_BUNDLE_BYTES + 1), policy)
