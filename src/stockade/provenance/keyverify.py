"""Key-based ("managed key") verification of Sigstore bundles, which sigstore-python lacks.

The bundle's verification material holds a public-key hint instead of a certificate; the
caller supplies the PEM public key (Ed25519, ECDSA P-256/P-384/P-521 or RSA). Checked, in order:

1. the signature: over the artifact's SHA-256 (message signatures; Ed25519 over the whole file)
   or over the DSSE pre-authentication encoding, whose in-toto statement must name the artifact;
2. the transparency log entry, when the bundle has one: its inclusion proof and signed
   checkpoint, and its signed entry timestamp, against the trusted root's Rekor keys
   (sigstore-python's own entry verification), and that the entry records this signature,
   this key and this artifact (hashedrekord 0.0.1/0.0.2, dsse 0.0.1);
3. RFC 3161 timestamps, when present: at least one must verify against the root's TSAs.

A bundle without a log entry (offline key signing) verifies on its signature alone; the result
then has no log index.
"""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa, utils
from sigstore._internal.trust import KeyringPurpose
from sigstore.dsse import _pae
from sigstore.errors import Error as SigstoreError
from sigstore.models import TimestampVerificationData, TransparencyLogEntry, TrustedRoot
from sigstore_models.bundle.v1 import Bundle as _BundleModel

from stockade.errors import InputError, VerificationFailed
from stockade.provenance.bundles import Artifact, Statement, Verification, check_statement
from stockade.provenance.engine import ConformantVerifier

PublicKey = ed25519.Ed25519PublicKey | ec.EllipticCurvePublicKey | rsa.RSAPublicKey

MAX_KEY_BYTES = 64 * 1024
MAX_ED25519_ARTIFACT_BYTES = 1 << 30


def load_public_key(path: Path) -> PublicKey:
    """Read a PEM public key (Ed25519, ECDSA or RSA); ``InputError`` when unusable."""
    try:
        if path.stat().st_size > MAX_KEY_BYTES:
            raise InputError("key file too large to be a public key", path=path)
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError("no such file", path=path) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", path=path) from None
    try:
        key = serialization.load_pem_public_key(data)
    except (ValueError, TypeError):
        raise InputError("not a PEM public key", path=path) from None
    if not isinstance(key, ed25519.Ed25519PublicKey | ec.EllipticCurvePublicKey | rsa.RSAPublicKey):
        raise InputError(f"unsupported key type {type(key).__name__}", path=path)
    return key


def key_id(key: PublicKey) -> str:
    """The SHA-256 of the key's DER SubjectPublicKeyInfo, hex (the usual Sigstore key hint)."""
    return hashlib.sha256(_spki(key)).hexdigest()


def verify_with_key(
    artifact: Artifact, raw_bundle: str, key: PublicKey, root: TrustedRoot
) -> Verification:
    """Verify a key-signed bundle (its JSON text) over `artifact` with `key` (see the module)."""
    try:
        model = _BundleModel.from_json(raw_bundle)
    except ValueError as exc:
        raise InputError(f"malformed bundle: {str(exc).splitlines()[0]}") from None
    material = model.verification_material
    statement: Statement | None = None
    if model.dsse_envelope is not None:
        envelope = model.dsse_envelope
        if not envelope.signatures:
            raise VerificationFailed("the DSSE envelope has no signature")
        pae = _pae(envelope.payload_type, envelope.payload)
        signature = envelope.signatures[0].sig
        if not any(_verifies(key, s.sig, pae, prehashed=False) for s in envelope.signatures):
            raise VerificationFailed("the DSSE signature does not verify with the given key")
        statement = check_statement(envelope.payload_type, envelope.payload, artifact)
    elif model.message_signature is not None:
        message = model.message_signature
        signature = message.signature
        if message.message_digest is not None and message.message_digest.digest != artifact.sha256:
            raise VerificationFailed("artifact digest does not match the bundle's message digest")
        if isinstance(key, ed25519.Ed25519PublicKey):
            valid = _verifies(key, signature, _whole_file(artifact), prehashed=False)
        else:
            valid = _verifies(key, signature, artifact.sha256, prehashed=True)
        if not valid:
            raise VerificationFailed("the signature does not verify with the given key")
    else:
        raise InputError("malformed bundle: neither a message signature nor a DSSE envelope")

    entries = material.tlog_entries or []
    if len(entries) > 1:
        raise VerificationFailed("expected at most one transparency log entry in the bundle")
    log_index: int | None = None
    log_id: str | None = None
    integrated: datetime | None = None
    if entries:
        try:
            entry = TransparencyLogEntry(entries[0])
            entry._verify(root.rekor_keyring(KeyringPurpose.VERIFY))
        except SigstoreError as exc:
            raise VerificationFailed(f"invalid log entry: {exc}") from None
        inner = entry._inner
        _check_entry_body(
            inner.kind_version.kind,
            inner.kind_version.version,
            inner.canonicalized_body,
            model,
            key,
            artifact,
            signature,
        )
        log_index, log_id = inner.log_index, inner.log_id.key_id.hex()
        if inner.integrated_time and inner.inclusion_promise:
            integrated = datetime.fromtimestamp(inner.integrated_time, tz=UTC)
    times = _verified_timestamps(model, signature, root)
    return Verification(
        artifact_sha256=artifact.hexdigest,
        kind="dsse" if statement is not None else "message-signature",
        bundle_media_type=model.media_type,
        signer=None,
        key_id=key_id(key),
        log_index=log_index,
        log_id=log_id,
        integrated_time=integrated,
        signed_times=times + ((integrated,) if integrated else ()),
        statement=statement,
    )


def _verified_timestamps(
    model: _BundleModel, signature: bytes, root: TrustedRoot
) -> tuple[datetime, ...]:
    data = model.verification_material.timestamp_verification_data
    if data is None or not data.rfc3161_timestamps:
        return ()
    try:
        responses = TimestampVerificationData(data).rfc3161_timestamps
    except SigstoreError as exc:
        raise VerificationFailed(f"invalid signed timestamp: {exc}") from None
    verifier = ConformantVerifier(trusted_root=root)
    results = [verifier._verify_signed_timestamp(r, signature) for r in responses]
    verified = tuple(r.time for r in results if r is not None)
    if not verified:
        raise VerificationFailed(
            "no signed timestamp verifies against the trusted root's timestamp authorities"
        )
    return verified


def _check_entry_body(
    kind: str,
    version: str,
    body_bytes: bytes,
    model: _BundleModel,
    key: PublicKey,
    artifact: Artifact,
    signature: bytes,
) -> None:
    """The log entry must record this signature by this key over this artifact."""
    try:
        body: Any = json.loads(body_bytes)
        spec = body["spec"]
    except (ValueError, KeyError, TypeError):
        raise VerificationFailed("malformed transparency log entry body") from None
    mismatch = VerificationFailed("transparency log entry is inconsistent with other materials")
    try:
        if (kind, version) == ("hashedrekord", "0.0.1"):
            if model.message_signature is None:
                raise mismatch
            ok = (
                spec["data"]["hash"]["algorithm"] == "sha256"
                and spec["data"]["hash"]["value"] == artifact.hexdigest
                and base64.b64decode(spec["signature"]["content"]) == signature
                and _same_key(base64.b64decode(spec["signature"]["publicKey"]["content"]), key)
            )
        elif (kind, version) == ("hashedrekord", "0.0.2"):
            record = spec["hashedRekordV002"]
            if model.dsse_envelope is not None:
                env = model.dsse_envelope
                digest = hashlib.sha256(_pae(env.payload_type, env.payload)).digest()
            else:
                digest = artifact.sha256
            raw_key = base64.b64decode(record["signature"]["verifier"]["publicKey"]["rawBytes"])
            ok = (
                base64.b64decode(record["data"]["digest"]) == digest
                and base64.b64decode(record["signature"]["content"]) == signature
                and raw_key == _spki(key)
            )
        elif (kind, version) == ("dsse", "0.0.1"):
            dsse_env = model.dsse_envelope
            if dsse_env is None:
                raise mismatch
            logged = [(base64.b64decode(s["signature"]), s["verifier"]) for s in spec["signatures"]]
            ok = (
                spec["payloadHash"]["value"] == hashlib.sha256(dsse_env.payload).hexdigest()
                and [sig for sig, _ in logged] == [s.sig for s in dsse_env.signatures]
                and all(_same_key(base64.b64decode(v), key) for _, v in logged)
            )
        else:
            raise VerificationFailed(f"unsupported log entry kind {kind}/{version} for a key")
    except (KeyError, TypeError, ValueError):
        raise mismatch from None
    if not ok:
        raise mismatch


def _verifies(key: PublicKey, signature: bytes, data: bytes, *, prehashed: bool) -> bool:
    try:
        if isinstance(key, ed25519.Ed25519PublicKey):
            key.verify(signature, data)
        elif isinstance(key, ec.EllipticCurvePublicKey):
            algorithm = hashes.SHA256() if prehashed else _curve_hash(key)
            chosen = utils.Prehashed(algorithm) if prehashed else algorithm
            key.verify(signature, data, ec.ECDSA(chosen))
        else:
            rsa_hash = utils.Prehashed(hashes.SHA256()) if prehashed else hashes.SHA256()
            key.verify(signature, data, padding.PKCS1v15(), rsa_hash)
    except InvalidSignature:
        return False
    return True


def _curve_hash(key: ec.EllipticCurvePublicKey) -> hashes.HashAlgorithm:
    size = key.curve.key_size
    if size > 384:
        return hashes.SHA512()
    return hashes.SHA384() if size > 256 else hashes.SHA256()


def _whole_file(artifact: Artifact) -> bytes:
    if artifact.path is None:
        raise InputError(
            "an Ed25519 signature covers the whole file: give the artifact's path, not its digest"
        )
    if artifact.path.stat().st_size > MAX_ED25519_ARTIFACT_BYTES:
        raise InputError("artifact too large for Ed25519 verification", path=artifact.path)
    data = artifact.path.read_bytes()
    if hashlib.sha256(data).digest() != artifact.sha256:
        raise InputError("the artifact changed while it was being verified", path=artifact.path)
    return data


def _spki(key: PublicKey) -> bytes:
    return key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def _same_key(pem_or_cert: bytes, key: PublicKey) -> bool:
    """Whether a logged PEM public key (or certificate) is `key`."""
    try:
        logged = serialization.load_pem_public_key(pem_or_cert)
    except ValueError:
        return False
    return logged.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    ) == _spki(key)
