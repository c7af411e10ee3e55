"""Key-based verification: bundles signed with a known key (Ed25519, ECDSA, RSA), with and
without a transparency log entry, by path and by digest."""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
from collections.abc import Mapping
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa, utils

from stockade.errors import InputError, VerificationFailed
from stockade.provenance.keyverify import key_id
from stockade.provenance.trust import load_trust
from stockade.provenance.verify import verify_bundle

PrivateKey = ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey
V03 = "application/vnd.dev.sigstore.bundle.v0.3+json"
ARTIFACT = b"stockade release 1.2.3\n"
STATEMENT = {
    "_type": "https://in-toto.io/Statement/v1",
    "subject": [
        {"name": "release.tar.gz", "digest": {"sha256": hashlib.sha256(ARTIFACT).hexdigest()}}
    ],
    "predicateType": "https://slsa.dev/provenance/v1",
    "predicate": {"buildDefinition": {"buildType": "https://example.test/build"}},
}


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _pem(key: PrivateKey, folder: Path) -> Path:
    path = folder / "key.pub"
    path.write_bytes(
        key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    return path


def _sign(key: PrivateKey, data: bytes, *, prehashed: bool) -> bytes:
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return key.sign(data)
    if isinstance(key, ec.EllipticCurvePrivateKey):
        curve_hash = hashes.SHA384() if key.curve.key_size == 384 else hashes.SHA256()
        return key.sign(
            data, ec.ECDSA(utils.Prehashed(hashes.SHA256()) if prehashed else curve_hash)
        )
    algorithm = utils.Prehashed(hashes.SHA256()) if prehashed else hashes.SHA256()
    return key.sign(data, padding.PKCS1v15(), algorithm)


def _message_bundle(key: PrivateKey, folder: Path, artifact: bytes = ARTIFACT) -> Path:
    digest = hashlib.sha256(artifact).digest()
    if isinstance(key, ed25519.Ed25519PrivateKey):
        signature = key.sign(artifact)
    else:
        signature = _sign(key, digest, prehashed=True)
    document = {
        "mediaType": V03,
        "verificationMaterial": {"publicKey": {"hint": "test"}, "tlogEntries": []},
        "messageSignature": {
            "messageDigest": {"algorithm": "SHA2_256", "digest": _b64(digest)},
            "signature": _b64(signature),
        },
    }
    path = folder / "bundle.sigstore.json"
    path.write_text(json.dumps(document))
    return path


def _dsse_bundle(key: PrivateKey, folder: Path, statement: Mapping[str, object]) -> Path:
    payload = json.dumps(statement).encode()
    payload_type = "application/vnd.in-toto+json"
    pae = b"DSSEv1 %d %s %d %s" % (
        len(payload_type),
        payload_type.encode(),
        len(payload),
        payload,
    )
    document = {
        "mediaType": V03,
        "verificationMaterial": {"publicKey": {"hint": "test"}, "tlogEntries": []},
        "dsseEnvelope": {
            "payload": _b64(payload),
            "payloadType": payload_type,
            "signatures": [{"sig": _b64(_sign(key, pae, prehashed=False)), "keyid": ""}],
        },
    }
    path = folder / "bundle.sigstore.json"
    path.write_text(json.dumps(document))
    return path


def _generate(kind: str) -> PrivateKey:
    if kind == "ed25519":
        return ed25519.Ed25519PrivateKey.generate()
    if kind == "p256":
        return ec.generate_private_key(ec.SECP256R1())
    if kind == "p384":
        return ec.generate_private_key(ec.SECP384R1())
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


KEYS = ("ed25519", "p256", "p384", "rsa")


@pytest.fixture
def artifact(tmp_path: Path) -> Path:
    path = tmp_path / "release.tar.gz"
    path.write_bytes(ARTIFACT)
    return path


@pytest.mark.parametrize("kind", KEYS)
def test_message_signature(kind: str, tmp_path: Path, artifact: Path) -> None:
    key = _generate(kind)
    bundle = _message_bundle(key, tmp_path)
    result = verify_bundle(artifact, bundle, key=_pem(key, tmp_path))
    assert result.kind == "message-signature"
    assert result.key_id is not None and result.signer is None and result.log_index is None
    if kind != "ed25519":  # Ed25519 signs the whole file, so it needs the path
        digest = "sha256:" + hashlib.sha256(ARTIFACT).hexdigest()
        assert verify_bundle(digest, bundle, key=_pem(key, tmp_path)).key_id == result.key_id
    other = tmp_path / "other"
    other.mkdir()
    with pytest.raises(VerificationFailed, match="does not verify with the given key"):
        verify_bundle(artifact, bundle, key=_pem(_generate(kind), other))
    artifact.write_bytes(ARTIFACT + b"x")
    with pytest.raises(VerificationFailed, match="digest"):
        verify_bundle(artifact, bundle, key=_pem(key, tmp_path))


def test_ed25519_by_digest_is_unusable(tmp_path: Path) -> None:
    key = ed25519.Ed25519PrivateKey.generate()
    bundle = _message_bundle(key, tmp_path)
    digest = "sha256:" + hashlib.sha256(ARTIFACT).hexdigest()
    with pytest.raises(InputError, match="whole file"):
        verify_bundle(digest, bundle, key=_pem(key, tmp_path))


@pytest.mark.parametrize("kind", KEYS)
def test_dsse_statement(kind: str, tmp_path: Path, artifact: Path) -> None:
    key = _generate(kind)
    bundle = _dsse_bundle(key, tmp_path, STATEMENT)
    result = verify_bundle(artifact, bundle, key=_pem(key, tmp_path))
    assert result.kind == "dsse" and result.statement is not None
    assert result.statement.predicate_type == "https://slsa.dev/provenance/v1"
    with pytest.raises(VerificationFailed, match="not a subject"):
        verify_bundle("sha256:" + "1" * 64, bundle, key=_pem(key, tmp_path))
    other = tmp_path / "other"
    other.mkdir()
    with pytest.raises(VerificationFailed, match="DSSE signature does not verify"):
        verify_bundle(artifact, bundle, key=_pem(_generate(kind), other))


def test_key_id_is_spki_sha256(tmp_path: Path) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    der = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    assert key_id(key.public_key()) == hashlib.sha256(der).hexdigest()


def test_managed_key_with_log_entry(conformance: Path, tmp_path: Path) -> None:
    """The conformance managed-key bundle: verified with its Rekor entry; a valid but other
    key, a changed artifact, or a log entry naming another key fails."""
    case = conformance / "managed-key-happy-path"
    result = verify_bundle(
        conformance / "a.txt", case / "bundle.sigstore.json", key=case / "key.pub"
    )
    assert result.log_index == 771488337
    assert result.integrated_time is not None and len(result.signed_times) >= 1
    other = _pem(ec.generate_private_key(ec.SECP256R1()), tmp_path)
    with pytest.raises(VerificationFailed, match="given key"):
        verify_bundle(conformance / "a.txt", case / "bundle.sigstore.json", key=other)
    changed = tmp_path / "a.txt"
    changed.write_bytes((conformance / "a.txt").read_bytes() + b"\n")
    with pytest.raises(VerificationFailed, match="digest"):
        verify_bundle(changed, case / "bundle.sigstore.json", key=case / "key.pub")


def test_managed_key_tampered_entry(conformance: Path, tmp_path: Path) -> None:
    case = conformance / "managed-key-happy-path"
    document = json.loads((case / "bundle.sigstore.json").read_text())
    entry = document["verificationMaterial"]["tlogEntries"][0]
    entry["integratedTime"] = str(int(entry["integratedTime"]) + 1)
    bundle = tmp_path / "bundle.sigstore.json"
    bundle.write_text(json.dumps(document))
    with pytest.raises(VerificationFailed, match="inclusion promise"):
        verify_bundle(conformance / "a.txt", bundle, key=case / "key.pub")


def test_managed_key_custom_root(conformance: Path, tmp_path: Path) -> None:
    case = conformance / "managed-key-and-trusted-root"
    root = load_trust(case / "trusted_root.json")
    bundle = case / "bundle.sigstore.json"
    result = verify_bundle(conformance / "a.txt", bundle, trusted_root=root, key=case / "key.pub")
    assert result.log_index is not None
    # The production root does not hold this instance's log key.
    copy = tmp_path / "bundle.sigstore.json"
    shutil.copy(case / "bundle.sigstore.json", copy)
    with pytest.raises(VerificationFailed, match="log entry"):
        verify_bundle(conformance / "a.txt", copy, key=case / "key.pub")


def test_unusable_keys(tmp_path: Path, artifact: Path) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    bundle = _message_bundle(key, tmp_path)
    garbage = tmp_path / "garbage.pub"
    garbage.write_text("-----BEGIN PUBLIC KEY-----\nnot base64\n-----END PUBLIC KEY-----\n")
    with pytest.raises(InputError, match="not a PEM public key"):
        verify_bundle(artifact, bundle, key=garbage)
    with pytest.raises(InputError, match="no such file"):
        verify_bundle(artifact, bundle, key=tmp_path / "missing.pub")


def test_key_against_keyless_bundle(assets: Path, tmp_path: Path) -> None:
    key = _pem(ec.generate_private_key(ec.SECP256R1()), tmp_path)
    with pytest.raises(VerificationFailed, match="signed with a certificate"):
        verify_bundle(assets / "bundle.txt", assets / "bundle.txt.sigstore", key=key)
