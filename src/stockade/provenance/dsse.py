"""DSSE envelopes (Dead Simple Signing Envelope, v1.0).

A signature covers the pre-authentication encoding (PAE) of the payload type and the payload,
never the payload alone, so a signed in-toto statement cannot be replayed as another type.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from stockade.errors import InputError
from stockade.provenance.keys import PublicKey, SigningKey, verify_signature

INTOTO_PAYLOAD_TYPE = "application/vnd.in-toto+json"
"""The payload type of an in-toto statement."""


def pae(payload_type: str, payload: bytes) -> bytes:
    """``PAE(type, body) = "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body``, lengths in
    bytes as ASCII decimal."""
    encoded_type = payload_type.encode("utf-8")
    return b"DSSEv1 %d %b %d %b" % (len(encoded_type), encoded_type, len(payload), payload)


@dataclass(frozen=True, slots=True)
class Signature:
    """One signature of an envelope."""

    sig: bytes
    """The raw signature."""
    keyid: str = ""
    """An optional, unauthenticated hint of the key (omitted from JSON when empty)."""


@dataclass(frozen=True, slots=True)
class Envelope:
    """A DSSE envelope."""

    payload: bytes
    """The signed bytes (an in-toto statement's JSON)."""
    payload_type: str
    """How to read ``payload``."""
    signatures: tuple[Signature, ...]
    """Its signatures (Sigstore bundles hold exactly one)."""

    @property
    def pae(self) -> bytes:
        """The bytes every signature covers."""
        return pae(self.payload_type, self.payload)

    def to_dict(self) -> dict[str, Any]:
        """The envelope's JSON form (``payload`` and ``sig`` in standard base64)."""
        sigs: list[dict[str, str]] = []
        for s in self.signatures:
            entry = {"sig": base64.b64encode(s.sig).decode("ascii")}
            if s.keyid:
                entry["keyid"] = s.keyid
            sigs.append(entry)
        return {
            "payload": base64.b64encode(self.payload).decode("ascii"),
            "payloadType": self.payload_type,
            "signatures": sigs,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Envelope:
        """Read an envelope's JSON form. Raises :class:`~stockade.errors.InputError`."""
        try:
            payload = base64.b64decode(str(data["payload"]), validate=True)
            payload_type = data["payloadType"]
            raw_sigs = data["signatures"]
            if not isinstance(payload_type, str) or not isinstance(raw_sigs, list):
                raise TypeError("payloadType must be a string and signatures a list")
            sigs = tuple(
                Signature(
                    sig=base64.b64decode(str(s["sig"]), validate=True),
                    keyid=str(s.get("keyid", "")),
                )
                for s in raw_sigs
            )
        except (KeyError, TypeError, AttributeError, binascii.Error) as exc:
            raise InputError(f"not a DSSE envelope: {exc}") from None
        return cls(payload=payload, payload_type=payload_type, signatures=sigs)


def sign_envelope(
    payload: bytes, key: SigningKey, *, payload_type: str = INTOTO_PAYLOAD_TYPE, keyid: str = ""
) -> Envelope:
    """An envelope over ``payload`` with one signature by ``key``."""
    signature = key.sign(pae(payload_type, payload))
    return Envelope(
        payload=payload, payload_type=payload_type, signatures=(Signature(signature, keyid),)
    )


def verify_envelope(envelope: Envelope, key: PublicKey) -> bool:
    """Whether some signature of ``envelope`` verifies with ``key``."""
    message = envelope.pae
    return any(verify_signature(key, s.sig, message) for s in envelope.signatures)
