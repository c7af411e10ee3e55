"""Key generation, files, loading and signing."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from stockade.errors import InputError, StockadeError
from stockade.provenance.keys import (
    KeyAlgorithm,
    SigningKey,
    generate_key,
    is_encrypted,
    key_hint,
    load_public_key,
    load_signing_key,
    verify_signature,
    write_key_pair,
)

CONFORMANCE_KEY = "sigstore-conformance/bundle-verify/managed-key-happy-path"


@pytest.mark.parametrize("algorithm", list(KeyAlgorithm))
def test_key_pair_round_trip(tmp_path: Path, algorithm: KeyAlgorithm) -> None:
    files = write_key_pair(tmp_path / "cosign", generate_key(algorithm), b"s3cret")
    assert files.private == tmp_path / "cosign.key"
    assert files.public == tmp_path / "cosign.pub"
    assert stat.S_IMODE(files.private.stat().st_mode) == 0o600
    assert is_encrypted(files.private.read_bytes())
    assert b"ENCRYPTED PRIVATE KEY" in files.private.read_bytes()
    key = load_signing_key(files.private, b"s3cret")
    assert key.algorithm is algorithm
    public = load_public_key(files.public)
    signature = key.sign(b"artifact bytes")
    assert verify_signature(public, signature, b"artifact bytes")
    assert not verify_signature(public, signature, b"artifact bytes!")
    assert key.hint == key_hint(public)
    assert not list(tmp_path.glob(".cosign*")), "no temporary files left behind"


def test_signatures_are_the_standard_ones(tmp_path: Path) -> None:
    ed = SigningKey(ed25519.Ed25519PrivateKey.generate())
    ed_public = ed.public_key
    assert isinstance(ed_public, ed25519.Ed25519PublicKey)
    ed_public.verify(ed.sign(b"m"), b"m")
    assert len(ed.sign(b"m")) == 64
    p256 = SigningKey(ec.generate_private_key(ec.SECP256R1()))
    public = p256.public_key
    assert isinstance(public, ec.EllipticCurvePublicKey)
    public.verify(p256.sign(b"m"), b"m", ec.ECDSA(hashes.SHA256()))


def test_unencrypted_key_needs_no_password(tmp_path: Path) -> None:
    files = write_key_pair(tmp_path / "k", generate_key(KeyAlgorithm.ED25519), None)
    assert b"BEGIN PRIVATE KEY" in files.private.read_bytes()
    assert load_signing_key(files.private, None).algorithm is KeyAlgorithm.ED25519


def test_never_overwrites_without_force(tmp_path: Path) -> None:
    write_key_pair(tmp_path / "k", generate_key(KeyAlgorithm.ED25519), None)
    before = (tmp_path / "k.key").read_bytes()
    with pytest.raises(StockadeError, match="already exists"):
        write_key_pair(tmp_path / "k", generate_key(KeyAlgorithm.ED25519), None)
    assert (tmp_path / "k.key").read_bytes() == before
    write_key_pair(tmp_path / "k", generate_key(KeyAlgorithm.ED25519), None, force=True)
    assert (tmp_path / "k.key").read_bytes() != before
    assert stat.S_IMODE((tmp_path / "k.key").stat().st_mode) == 0o600


def test_wrong_or_missing_password(tmp_path: Path) -> None:
    files = write_key_pair(tmp_path / "k", generate_key(KeyAlgorithm.ECDSA_P256), b"right")
    with pytest.raises(InputError, match="wrong password"):
        load_signing_key(files.private, b"wrong")
    with pytest.raises(InputError, match="no password was given"):
        load_signing_key(files.private, None)


def test_bad_key_files(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such key file"):
        load_signing_key(tmp_path / "absent.key", None)
    files = write_key_pair(tmp_path / "k", generate_key(KeyAlgorithm.ED25519), None)
    with pytest.raises(InputError, match="not a PEM private key"):
        load_signing_key(files.public, None)
    with pytest.raises(InputError, match="not a PEM public key"):
        load_public_key(files.private)
    cert_like = tmp_path / "cert.pem"
    cert_like.write_text("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n")
    with pytest.raises(InputError, match="not a PEM private key"):
        load_signing_key(cert_like, None)
    damaged = tmp_path / "damaged.key"
    damaged.write_text("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")
    with pytest.raises(InputError, match="cannot load private key"):
        load_signing_key(damaged, None)


def test_unsupported_key_types(tmp_path: Path) -> None:
    rsa_key = tmp_path / "rsa.key"
    rsa_key.write_bytes(
        rsa.generate_private_key(65537, 2048).private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    with pytest.raises(InputError, match="unsupported key type RSAPrivateKey"):
        load_signing_key(rsa_key, None)
    p384 = tmp_path / "p384.key"
    p384.write_bytes(
        ec.generate_private_key(ec.SECP384R1()).private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    with pytest.raises(InputError, match="secp384r1 is not supported"):
        load_signing_key(p384, None)


def test_hint_matches_cosign_bundles(shared_data: Path) -> None:
    """A cosign-made bundle's publicKey hint is the SHA-256 of the key's DER SPKI."""
    import json

    case = shared_data / CONFORMANCE_KEY
    if not case.is_dir():
        pytest.skip(f"{case} not found")
    key = load_public_key(case / "key.pub")
    bundle = json.loads((case / "bundle.sigstore.json").read_text())
    assert key_hint(key) == bundle["verificationMaterial"]["publicKey"]["hint"]


def test_file_systems_without_hard_links(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import errno
    import os

    def no_links(src: str, dst: object) -> None:
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)
    files = write_key_pair(tmp_path / "k", generate_key(KeyAlgorithm.ED25519), None)
    assert load_signing_key(files.private, None).algorithm is KeyAlgorithm.ED25519
    assert stat.S_IMODE(files.private.stat().st_mode) == 0o600
    with pytest.raises(StockadeError, match="already exists"):
        write_key_pair(tmp_path / "k", generate_key(KeyAlgorithm.ED25519), None)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["k.key", "k.pub"]
