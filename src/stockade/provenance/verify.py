"""Verify a Sigstore bundle over an artifact: the library API behind ``stockade verify``.

:func:`verify_bundle` checks a bundle (v0.1 to v0.3) holding a message signature or a DSSE
envelope with an in-toto statement, keyless (a Fulcio certificate checked against an
:mod:`identity policy <stockade.provenance.policy>`) or, with ``key=``, signed by a known key
(:mod:`stockade.provenance.keyverify`). The artifact is a file or ``sha256:HEX``; the two give
the same answer, except for Ed25519 key signatures, which cover the whole file.

Outcomes: a :class:`~stockade.provenance.bundles.Verification`; ``VerificationFailed`` (exit 1)
when the evidence was examined and does not hold; ``InputError`` (exit 2) when the input cannot
be used at all (a missing or oversized file, malformed JSON, an unknown bundle media type, an
unusable trusted root or key).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from cryptography.x509 import load_der_x509_certificate
from sigstore._utils import cert_is_root_ca
from sigstore.errors import Error as SigstoreError
from sigstore.hashes import Hashed
from sigstore.models import Bundle, InvalidBundle, TrustedRoot
from sigstore_models.bundle.v1 import Bundle as _BundleModel
from sigstore_models.common.v1 import HashAlgorithm

from stockade.errors import InputError, VerificationFailed
from stockade.provenance import keyverify
from stockade.provenance.bundles import (
    Artifact,
    Verification,
    check_not_future,
    check_statement,
    parse_bundle_document,
    read_bundle_document,
)
from stockade.provenance.engine import ConformantVerifier
from stockade.provenance.policy import Policy, certificate_facts
from stockade.provenance.trust import shipped_root

__all__ = ["Artifact", "Verification", "verify_bundle", "verify_bundle_json"]


def verify_bundle(
    artifact: Path | str | Artifact,
    bundle: Path,
    policy: Policy | None = None,
    trusted_root: TrustedRoot | None = None,
    key: Path | None = None,
    now: datetime | None = None,
) -> Verification:
    """Verify the bundle file `bundle` over `artifact` (a path or ``"sha256:HEX"``).

    Keyless bundles need a `policy` (who must have signed); with `key` (a PEM public key) the
    bundle must have been signed by that key instead. `trusted_root` defaults to the shipped
    production root. Signed times later than `now` (default: the clock) are refused. Raises
    ``VerificationFailed`` or ``InputError`` (see the module).
    """
    target = artifact if isinstance(artifact, Artifact) else Artifact.of(artifact)
    raw, _ = read_bundle_document(bundle)
    return verify_bundle_json(target, raw, policy, trusted_root, key, now, where=bundle)


def verify_bundle_json(
    artifact: Path | str | Artifact,
    raw: str | bytes,
    policy: Policy | None = None,
    trusted_root: TrustedRoot | None = None,
    key: Path | None = None,
    now: datetime | None = None,
    *,
    where: str | Path = "bundle",
) -> Verification:
    """:func:`verify_bundle` for a bundle given as JSON text (e.g. from a registry response);
    `where` names it in error messages."""
    target = artifact if isinstance(artifact, Artifact) else Artifact.of(artifact)
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
    document = parse_bundle_document(text, where)
    root = trusted_root if trusted_root is not None else shipped_root("production")
    material = document.get("verificationMaterial")
    has_key = isinstance(material, dict) and "publicKey" in material
    if key is not None:
        public_key = keyverify.load_public_key(key)
        if not has_key:
            raise VerificationFailed(
                "a key was given but the bundle is signed with a certificate (keyless)"
            )
        result = keyverify.verify_with_key(target, text, public_key, root)
    elif has_key:
        raise VerificationFailed(
            "the bundle is signed with a key, not a certificate: verify it with --key"
        )
    elif policy is None:
        raise InputError("keyless verification needs an identity policy (identity and issuer)")
    else:
        media_type = str(document["mediaType"])
        result = _verify_keyless(target, text, media_type, policy, root, where)
    check_not_future(result.signed_times, now)
    return result


def _verify_keyless(
    artifact: Artifact,
    raw: str,
    media_type: str,
    policy: Policy,
    root: TrustedRoot,
    where: str | Path,
) -> Verification:
    try:
        model = _BundleModel.from_json(raw)
    except ValueError as exc:
        raise InputError(f"malformed bundle: {_first_line(exc)}", path=where) from None
    _reject_embedded_root(model)
    try:
        loaded = Bundle(model)
    except InvalidBundle as exc:
        raise VerificationFailed(f"incomplete bundle: {_first_line(exc)}") from None
    except SigstoreError as exc:
        raise VerificationFailed(_first_line(exc)) from None
    except ValueError as exc:
        raise InputError(
            f"malformed certificate in bundle: {_first_line(exc)}", path=where
        ) from None
    verifier = ConformantVerifier(trusted_root=root)
    statement = None
    try:
        if loaded._dsse_envelope is not None:
            payload_type, payload = verifier.verify_dsse(loaded, policy)
            statement = check_statement(payload_type, payload, artifact)
        else:
            hashed = Hashed(algorithm=HashAlgorithm.SHA2_256, digest=artifact.sha256)
            verifier.verify_artifact(hashed, loaded, policy)
    except VerificationFailed:
        raise
    except SigstoreError as exc:
        raise VerificationFailed(_first_line(exc)) from None
    except Exception as exc:
        raise VerificationFailed(f"does not verify: {_first_line(exc)}") from None
    entry = loaded.log_entry._inner
    return Verification(
        artifact_sha256=artifact.hexdigest,
        kind="dsse" if statement is not None else "message-signature",
        bundle_media_type=media_type,
        signer=certificate_facts(loaded.signing_certificate),
        key_id=None,
        log_index=entry.log_index,
        log_id=entry.log_id.key_id.hex(),
        integrated_time=(
            datetime.fromtimestamp(entry.integrated_time, tz=UTC) if entry.integrated_time else None
        ),
        signed_times=verifier.established,
        statement=statement,
    )


def _reject_embedded_root(model: _BundleModel) -> None:
    """A v0.1/v0.2 certificate chain must not carry a root CA (the client specification:
    trust anchors come from the trusted root, never from the bundle). sigstore-python only
    logs a warning for this."""
    chain = model.verification_material.x509_certificate_chain
    if chain is None:
        return
    for cert in chain.certificates[1:]:
        try:
            is_root = cert_is_root_ca(load_der_x509_certificate(cert.raw_bytes))
        except ValueError:
            raise VerificationFailed("the bundle's certificate chain is malformed") from None
        if is_root:
            raise VerificationFailed(
                "the bundle's certificate chain contains a root CA certificate "
                "(trust anchors must come from the trusted root)"
            )


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return " ".join(line.strip() for line in text.splitlines()[:2])
