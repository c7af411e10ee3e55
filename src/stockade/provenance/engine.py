"""sigstore-python's ``Verifier`` with the three conformance gaps closed.

sigstore-python 4.5.1 misses three things the Sigstore client specification and the
sigstore-conformance suite require; this subclass overrides the private steps involved (and
only those), keeping every other check of the upstream verifier:

- an RFC 3161 timestamp equal to the END of its TSA's validity period is accepted (the trusted
  root's ``validFor`` is a closed interval; upstream compares ``gen_time < end``);
- Rekor v1 ``intoto/0.0.2`` entries (DSSE envelopes logged before the ``dsse`` kind existed)
  provide an integrated time like ``dsse``/``hashedrekord`` 0.0.1 entries do, and their body is
  checked for consistency with the bundle's envelope and certificate;
- (key-based verification is in :mod:`stockade.provenance.keyverify`).
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
from datetime import UTC, datetime
from typing import Any, cast

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509 import load_pem_x509_certificate
from rfc3161_client import TimeStampResponse, VerifierBuilder
from rfc3161_client import VerificationError as Rfc3161VerificationError
from sigstore import dsse
from sigstore._internal.timestamp import TimestampSource, TimestampVerificationResult
from sigstore.errors import VerificationError
from sigstore.models import Bundle
from sigstore.verify import Verifier
from sigstore.verify.policy import VerificationPolicy

_logger = logging.getLogger(__name__)

_INTEGRATED_TIME_KINDS = {("dsse", "0.0.1"), ("hashedrekord", "0.0.1"), ("intoto", "0.0.2")}


class ConformantVerifier(Verifier):
    """``sigstore.verify.Verifier`` with a closed TSA validity interval and intoto/0.0.2 entries.

    ``established`` keeps the signed times found by the last verification (to report them
    without verifying the timestamps twice).
    """

    established: tuple[datetime, ...] = ()

    def _verify_signed_timestamp(
        self, timestamp_response: TimeStampResponse, message: bytes
    ) -> TimestampVerificationResult | None:
        """Verify a signed timestamp against the trusted root's TSAs (validity end inclusive)."""
        gen_time = timestamp_response.tst_info.gen_time
        for authority in self._trusted_root.get_timestamp_authorities():
            certificates = authority.certificates(allow_expired=True)
            if len(certificates) < 2:
                continue
            builder = (
                VerifierBuilder()
                .tsa_certificate(certificates[0])
                .add_root_certificate(certificates[-1])
            )
            for certificate in certificates[1:-1]:
                builder = builder.add_intermediate_certificate(certificate)
            try:
                builder.build().verify_message(timestamp_response, message)
            except Rfc3161VerificationError:
                continue
            end = authority.validity_period_end
            if authority.validity_period_start <= gen_time and (end is None or gen_time <= end):
                return TimestampVerificationResult(
                    source=TimestampSource.TIMESTAMP_AUTHORITY, time=gen_time
                )
        return None

    def _establish_time(self, bundle: Bundle) -> list[TimestampVerificationResult]:
        """Signed times of `bundle`: verified TSA timestamps and the log's integrated time."""
        verified: list[TimestampVerificationResult] = []
        if bundle.verification_material.timestamp_verification_data:
            if not self._trusted_root.get_timestamp_authorities():
                raise VerificationError(
                    "the bundle has a signed timestamp but the trusted root has no "
                    "timestamp authority"
                )
            verified.extend(self._verify_timestamp_authority(bundle))
        entry = bundle.log_entry._inner
        if entry.integrated_time and entry.inclusion_promise:
            kind = (entry.kind_version.kind, entry.kind_version.version)
            if kind not in _INTEGRATED_TIME_KINDS:
                raise VerificationError(
                    f"integrated time is not supported for {kind[0]}/{kind[1]} log entries"
                )
            verified.append(
                TimestampVerificationResult(
                    source=TimestampSource.TRANSPARENCY_SERVICE,
                    time=datetime.fromtimestamp(entry.integrated_time, tz=UTC),
                )
            )
        self.established = tuple(v.time for v in verified)
        return verified

    def verify_dsse(self, bundle: Bundle, policy: VerificationPolicy) -> tuple[str, bytes]:
        """Verify a DSSE bundle, including Rekor v1 ``intoto/0.0.2`` log entries."""
        kind = bundle.log_entry._inner.kind_version
        if (kind.kind, kind.version) != ("intoto", "0.0.2"):
            return super().verify_dsse(bundle, policy)
        self._verify_common_signing_cert(bundle, policy)
        envelope = bundle._dsse_envelope
        if envelope is None:
            raise VerificationError("the bundle has no DSSE envelope")
        key = cast(ec.EllipticCurvePublicKey, bundle.signing_certificate.public_key())
        dsse._verify(key, envelope)
        validate_intoto_v002_entry(bundle)
        return (envelope._inner.payload_type, envelope._inner.payload)


def validate_intoto_v002_entry(bundle: Bundle) -> None:
    """Check that a Rekor ``intoto/0.0.2`` entry records this bundle's envelope.

    The entry holds the envelope with its signatures (and, when Rekor kept it, its payload)
    base64-encoded once more, the payload's SHA-256 and the signer's certificate (PEM, base64)
    with each signature.
    The envelope hash it also holds covers Rekor's own serialisation and cannot be recomputed.
    """
    envelope = bundle._dsse_envelope
    if envelope is None:
        raise VerificationError("the bundle has no DSSE envelope")
    inner = envelope._inner
    try:
        body: Any = json.loads(bundle.log_entry._inner.canonicalized_body)
        content = body["spec"]["content"]
        logged = content["envelope"]
        payload_hash = content["payloadHash"]
    except (ValueError, KeyError, TypeError):
        raise VerificationError("malformed intoto/0.0.2 log entry body") from None
    if not isinstance(payload_hash, dict) or payload_hash.get("algorithm") != "sha256":
        raise VerificationError("intoto log entry lacks a SHA-256 payload hash")
    if payload_hash.get("value") != hashlib.sha256(inner.payload).hexdigest():
        raise VerificationError("log entry payload hash does not match the bundle's envelope")
    if not isinstance(logged, dict) or logged.get("payloadType") != inner.payload_type:
        raise VerificationError("log entry payload type does not match the bundle's envelope")
    # Rekor keeps the payload out of stored intoto entries (only its hash, checked above, binds
    # it); when an entry does carry it, it must be this envelope's.
    logged_payload = logged.get("payload")
    expected_payload = base64.b64encode(base64.b64encode(inner.payload)).decode()
    if logged_payload is not None and logged_payload != expected_payload:
        raise VerificationError("log entry payload does not match the bundle's envelope")
    signatures = logged.get("signatures")
    if not isinstance(signatures, list) or not all(isinstance(s, dict) for s in signatures):
        raise VerificationError("malformed signatures in intoto log entry")
    expected = [base64.b64encode(base64.b64encode(s.sig)).decode() for s in inner.signatures]
    if [s.get("sig") for s in signatures] != expected:
        raise VerificationError("log entry signatures do not match the bundle's envelope")
    signer = bundle.signing_certificate.public_bytes(serialization.Encoding.DER)
    if not all(_logged_cert_der(s.get("publicKey")) == signer for s in signatures):
        raise VerificationError("log entry signer does not match the bundle's certificate")


def _logged_cert_der(value: object) -> bytes | None:
    """The DER form of a base64 PEM certificate recorded in a log entry (None if malformed)."""
    if not isinstance(value, str):
        return None
    try:
        return load_pem_x509_certificate(base64.b64decode(value)).public_bytes(
            serialization.Encoding.DER
        )
    except ValueError:
        return None
