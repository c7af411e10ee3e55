"""DSSE: the pre-authentication encoding and envelopes."""

from __future__ import annotations

import base64

import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519

from stockade.errors import InputError
from stockade.provenance.dsse import (
    INTOTO_PAYLOAD_TYPE,
    Envelope,
    pae,
    sign_envelope,
    verify_envelope,
)
from stockade.provenance.keys import KeyAlgorithm, SigningKey, generate_key


def test_pae_matches_the_specification_example() -> None:
    # DSSE protocol.md, "Test case": PAE of "hello world" typed http://example.com/HelloWorld.
    assert (
        pae("http://example.com/HelloWorld", b"hello world")
        == b"DSSEv1 29 http://example.com/HelloWorld 11 hello world"
    )


def test_pae_counts_bytes_not_characters() -> None:
    assert pae("t", "é".encode()) == b"DSSEv1 1 t 2 \xc3\xa9"
    assert pae("", b"") == b"DSSEv1 0  0 "


def test_pae_agrees_with_sigstore_python() -> None:
    from sigstore.dsse import _pae

    payload = b'{"_type":"https://in-toto.io/Statement/v1"}'
    assert pae(INTOTO_PAYLOAD_TYPE, payload) == _pae(INTOTO_PAYLOAD_TYPE, payload)


@pytest.mark.parametrize("algorithm", list(KeyAlgorithm))
def test_envelope_round_trip(algorithm: KeyAlgorithm) -> None:
    key = SigningKey(generate_key(algorithm))
    envelope = sign_envelope(b'{"a":1}', key, keyid="k1")
    data = envelope.to_dict()
    assert data["payloadType"] == INTOTO_PAYLOAD_TYPE
    assert base64.b64decode(data["payload"]) == b'{"a":1}'
    assert data["signatures"][0]["keyid"] == "k1"
    again = Envelope.from_dict(data)
    assert again == envelope
    assert verify_envelope(again, key.public_key)
    # The signature covers the PAE, so another payload type or payload does not verify.
    retyped = Envelope(again.payload, "application/json", again.signatures)
    assert not verify_envelope(retyped, key.public_key)
    changed = Envelope(b'{"a":2}', again.payload_type, again.signatures)
    assert not verify_envelope(changed, key.public_key)
    other = SigningKey(generate_key(algorithm))
    assert not verify_envelope(again, other.public_key)


def test_signature_is_over_pae_not_payload() -> None:
    key = SigningKey(ed25519.Ed25519PrivateKey.generate())
    envelope = sign_envelope(b"body", key, payload_type="text/plain")
    public = key.public_key
    assert isinstance(public, ed25519.Ed25519PublicKey)
    public.verify(envelope.signatures[0].sig, b"DSSEv1 10 text/plain 4 body")


def test_empty_keyid_is_left_out() -> None:
    key = SigningKey(generate_key(KeyAlgorithm.ED25519))
    assert "keyid" not in sign_envelope(b"x", key).to_dict()["signatures"][0]


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"payload": "!!!", "payloadType": "t", "signatures": []},
        {"payload": "eA==", "payloadType": 3, "signatures": []},
        {"payload": "eA==", "payloadType": "t", "signatures": [{"keyid": "k"}]},
    ],
)
def test_malformed_envelopes(data: dict[str, object]) -> None:
    with pytest.raises(InputError, match="not a DSSE envelope"):
        Envelope.from_dict(data)
