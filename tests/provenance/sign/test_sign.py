"""Signing: key-based Sigstore bundles (offline) and keyless signing up to the network."""

from __future__ import annotations

import base64
import hashlib
import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from sigstore_models.bundle.v1 import Bundle as BundleModel

from stockade.errors import InputError
from stockade.provenance.dsse import INTOTO_PAYLOAD_TYPE, pae
from stockade.provenance.intoto import (
    SLSA_PROVENANCE_V1,
    Statement,
    manual_build,
    slsa_predicate,
    subject_for_bytes,
)
from stockade.provenance.keys import KeyAlgorithm, SigningKey, generate_key, key_hint
from stockade.provenance.sign import (
    BUNDLE_V03,
    bundle_json,
    identity_token,
    keyless_sign_blob,
    keyless_sign_statement,
    sign_blob,
    sign_statement,
    signing_context,
    trust_config,
)

ARTIFACT = b"stockade-1.0.0.tar.gz contents\n"


def _verify_raw(key: SigningKey, signature: bytes, message: bytes) -> None:
    public = key.public_key
    if isinstance(public, ed25519.Ed25519PublicKey):
        public.verify(signature, message)
    else:
        public.verify(signature, message, ec.ECDSA(hashes.SHA256()))


@pytest.mark.parametrize("algorithm", list(KeyAlgorithm))
def test_message_signature_bundle(algorithm: KeyAlgorithm) -> None:
    key = SigningKey(generate_key(algorithm))
    text = bundle_json(sign_blob(ARTIFACT, key))
    data = json.loads(text)
    assert data["mediaType"] == BUNDLE_V03
    assert data["verificationMaterial"] == {
        "publicKey": {"hint": key_hint(key.public_key)},
        "tlogEntries": [],
    }
    digest = data["messageSignature"]["messageDigest"]
    assert digest["algorithm"] == "SHA2_256"
    assert base64.b64decode(digest["digest"]) == hashlib.sha256(ARTIFACT).digest()
    # What a verifier holding the key does: check the signature over the artifact.
    _verify_raw(key, base64.b64decode(data["messageSignature"]["signature"]), ARTIFACT)
    # The bundle is a valid Sigstore bundle v0.3 by the protobuf-specs model.
    model = BundleModel.from_json(text)
    assert model.verification_material.public_key is not None
    assert model.message_signature is not None
    assert model.verification_material.certificate is None


@pytest.mark.parametrize("algorithm", list(KeyAlgorithm))
def test_changed_artifact_does_not_verify(algorithm: KeyAlgorithm) -> None:
    key = SigningKey(generate_key(algorithm))
    data = sign_blob(ARTIFACT, key)
    signature = base64.b64decode(data["messageSignature"]["signature"])
    from cryptography.exceptions import InvalidSignature

    with pytest.raises(InvalidSignature):
        _verify_raw(key, signature, ARTIFACT + b"x")


@pytest.mark.parametrize("algorithm", list(KeyAlgorithm))
def test_dsse_bundle(algorithm: KeyAlgorithm) -> None:
    key = SigningKey(generate_key(algorithm))
    statement = Statement(
        (subject_for_bytes("stockade-1.0.0.tar.gz", ARTIFACT),),
        SLSA_PROVENANCE_V1,
        slsa_predicate(manual_build(builder_id="https://ci.example/builder")),
    )
    text = bundle_json(sign_statement(statement, key))
    data = json.loads(text)
    envelope = data["dsseEnvelope"]
    assert envelope["payloadType"] == INTOTO_PAYLOAD_TYPE
    payload = base64.b64decode(envelope["payload"])
    assert json.loads(payload)["subject"][0]["digest"]["sha256"] == (
        hashlib.sha256(ARTIFACT).hexdigest()
    )
    assert len(envelope["signatures"]) == 1
    _verify_raw(
        key, base64.b64decode(envelope["signatures"][0]["sig"]), pae(INTOTO_PAYLOAD_TYPE, payload)
    )
    model = BundleModel.from_json(text)
    assert model.dsse_envelope is not None
    assert model.dsse_envelope.payload_type == INTOTO_PAYLOAD_TYPE


# --- keyless, up to the network ------------------------------------------------------------


def _token(**claims: Any) -> str:
    now = int(time.time())
    body = {
        "iss": "https://token.actions.githubusercontent.com",
        "aud": "sigstore",
        "sub": "repo:octo-org/octo-lib:ref:refs/heads/main",
        "iat": now,
        "nbf": now,
        "exp": now + 600,
        "job_workflow_ref": "octo-org/octo-lib/.github/workflows/release.yml@refs/heads/main",
    }
    body.update(claims)
    return jwt.encode(body, "not-a-real-secret-but-long-enough-for-hs256", algorithm="HS256")


def test_explicit_token_is_used_without_detection() -> None:
    def detect() -> str | None:
        raise AssertionError("detection must not run when a token is given")

    token = identity_token(_token(), detect=detect)
    assert token.issuer == "https://token.actions.githubusercontent.com"
    assert token.identity == "repo:octo-org/octo-lib:ref:refs/heads/main"


def test_ambient_token_is_detected() -> None:
    raw = _token()
    token = identity_token(None, detect=lambda: raw)
    assert str(token) == raw


def test_no_token_anywhere() -> None:
    with pytest.raises(InputError, match="no OIDC identity token"):
        identity_token(None, detect=lambda: None)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("not.a.jwt", "unusable identity token"),
        (None, "unusable identity token"),  # expired
    ],
)
def test_unusable_tokens(raw: str | None, message: str) -> None:
    text = raw or _token(iat=1_600_000_000, nbf=1_600_000_000, exp=1_600_000_600)
    with pytest.raises(InputError, match=message):
        identity_token(text)


def _embedded_trust_config(tmp_path: Path) -> Path:
    """sigstore-python's embedded production trusted root and signing config, as one
    client trust configuration file (no network)."""
    store = resources.files("sigstore") / "_store" / "https%3A%2F%2Ftuf-repo-cdn.sigstore.dev"
    config = {
        "mediaType": "application/vnd.dev.sigstore.clienttrustconfig.v0.1+json",
        "trustedRoot": json.loads((store / "trusted_root.json").read_text()),
        "signingConfig": json.loads((store / "signing_config.v0.2.json").read_text()),
    }
    path = tmp_path / "trust_config.json"
    path.write_text(json.dumps(config))
    return path


class _FakeBundle:
    def __init__(self, kind: str, content: object) -> None:
        self.kind = kind
        self.content = content

    def to_json(self) -> str:
        return json.dumps({"kind": self.kind})


class _FakeSigner:
    """Stands in for sigstore's Signer, which would ask Fulcio and Rekor."""

    def __init__(self) -> None:
        self.signed: list[object] = []

    def sign_artifact(self, input_: bytes) -> _FakeBundle:
        self.signed.append(input_)
        return _FakeBundle("artifact", input_)

    def sign_dsse(self, input_: Any) -> _FakeBundle:
        self.signed.append(input_)
        return _FakeBundle("dsse", input_)


def test_keyless_signing_reaches_the_seam(tmp_path: Path) -> None:
    from sigstore.oidc import IdentityToken
    from sigstore.sign import SigningContext

    config = trust_config(path=_embedded_trust_config(tmp_path))
    context = signing_context(config)
    assert isinstance(context, SigningContext)
    token = identity_token(_token())
    fake = _FakeSigner()
    seen: list[tuple[object, object]] = []

    @contextmanager
    def factory(ctx: SigningContext, tok: IdentityToken) -> Iterator[_FakeSigner]:
        seen.append((ctx, tok))
        yield fake

    assert json.loads(keyless_sign_blob(ARTIFACT, token, context, signer_factory=factory)) == {
        "kind": "artifact"
    }
    statement = Statement((subject_for_bytes("a", ARTIFACT),), SLSA_PROVENANCE_V1, {})
    out = keyless_sign_statement(statement, token, context, signer_factory=factory)
    assert json.loads(out) == {"kind": "dsse"}
    assert seen == [(context, token), (context, token)]
    assert fake.signed[0] == ARTIFACT
    from sigstore import dsse

    assert isinstance(fake.signed[1], dsse.Statement)
    assert fake.signed[1]._contents == statement.to_json()


def test_bad_trust_configs(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"mediaType": "x"}')
    with pytest.raises(InputError, match="not a Sigstore client trust configuration"):
        trust_config(path=bad)
    with pytest.raises(InputError, match="cannot read"):
        trust_config(path=tmp_path / "absent.json")
    with pytest.raises(InputError, match="unknown Sigstore instance"):
        trust_config("elsewhere")


# --- verified by Stockade's own key-based verifier -------------------------------------------


@pytest.mark.parametrize("algorithm", list(KeyAlgorithm))
def test_keyverify_accepts_signed_files(tmp_path: Path, algorithm: KeyAlgorithm) -> None:
    from stockade.errors import VerificationFailed
    from stockade.provenance.bundles import Artifact
    from stockade.provenance.keyverify import key_id, verify_with_key
    from stockade.provenance.trust import shipped_root

    key = SigningKey(generate_key(algorithm))
    artifact = tmp_path / "dist.tar.gz"
    artifact.write_bytes(ARTIFACT)
    bundle = bundle_json(sign_blob(ARTIFACT, key))
    root = shipped_root("production")
    result = verify_with_key(Artifact.of(artifact), bundle, key.public_key, root)
    assert result.kind == "message-signature"
    assert result.artifact_sha256 == hashlib.sha256(ARTIFACT).hexdigest()
    assert result.key_id == key_id(key.public_key)
    assert base64.b64decode(key.hint).hex() == result.key_id
    assert result.log_index is None
    # By digest too, for ECDSA (Ed25519 signs the whole file, so it needs the file).
    if algorithm is KeyAlgorithm.ECDSA_P256:
        digest = Artifact.of("sha256:" + hashlib.sha256(ARTIFACT).hexdigest())
        assert verify_with_key(digest, bundle, key.public_key, root).kind == "message-signature"
    changed = tmp_path / "changed.tar.gz"
    changed.write_bytes(ARTIFACT + b"\0")
    with pytest.raises(VerificationFailed):
        verify_with_key(Artifact.of(changed), bundle, key.public_key, root)
    other = SigningKey(generate_key(algorithm))
    with pytest.raises(VerificationFailed):
        verify_with_key(Artifact.of(artifact), bundle, other.public_key, root)


@pytest.mark.parametrize("algorithm", list(KeyAlgorithm))
def test_keyverify_accepts_signed_statements(tmp_path: Path, algorithm: KeyAlgorithm) -> None:
    from stockade.errors import VerificationFailed
    from stockade.provenance.bundles import Artifact
    from stockade.provenance.keyverify import verify_with_key
    from stockade.provenance.trust import shipped_root

    key = SigningKey(generate_key(algorithm))
    artifact = tmp_path / "dist.tar.gz"
    artifact.write_bytes(ARTIFACT)
    statement = Statement(
        (subject_for_bytes(artifact.name, ARTIFACT),),
        SLSA_PROVENANCE_V1,
        slsa_predicate(manual_build(builder_id="https://ci.example/builder")),
    )
    bundle = bundle_json(sign_statement(statement, key))
    root = shipped_root("production")
    result = verify_with_key(Artifact.of(artifact), bundle, key.public_key, root)
    assert result.kind == "dsse"
    assert result.statement is not None
    other = tmp_path / "other.tar.gz"
    other.write_bytes(b"another artifact")
    with pytest.raises(VerificationFailed):
        verify_with_key(Artifact.of(other), bundle, key.public_key, root)


# --- agreement with other implementations ----------------------------------------------------


def test_dsse_envelope_verifies_with_sigstore_python() -> None:
    """sigstore-python's own DSSE code reads the envelope and checks its ECDSA signature."""
    from sigstore import dsse as sigstore_dsse

    key = SigningKey(generate_key(KeyAlgorithm.ECDSA_P256))
    statement = Statement((subject_for_bytes("a.txt", ARTIFACT),), SLSA_PROVENANCE_V1, {})
    envelope = json.dumps(sign_statement(statement, key)["dsseEnvelope"])
    parsed = sigstore_dsse.Envelope._from_json(envelope)
    public = key.public_key
    assert isinstance(public, ec.EllipticCurvePublicKey)
    assert sigstore_dsse._verify(public, parsed) == statement.to_json()
    other = ec.generate_private_key(ec.SECP256R1()).public_key()
    from sigstore.errors import VerificationError

    with pytest.raises(VerificationError, match="invalid signature"):
        sigstore_dsse._verify(other, parsed)


def test_same_shape_as_a_cosign_key_bundle(shared_data: Path) -> None:
    """The fields of a cosign-made key bundle (conformance managed-key-happy-path) are the
    ones written here, but for the log entry and the TSA timestamp an offline signer cannot
    obtain."""
    case = shared_data / "sigstore-conformance/bundle-verify/managed-key-happy-path"
    if not case.is_dir():
        pytest.skip(f"{case} not found")
    cosign = json.loads((case / "bundle.sigstore.json").read_text())
    ours = sign_blob(ARTIFACT, SigningKey(generate_key(KeyAlgorithm.ECDSA_P256)))
    assert ours["mediaType"] == cosign["mediaType"]
    assert set(ours) == set(cosign)
    assert set(cosign["verificationMaterial"]) - set(ours["verificationMaterial"]) == {
        "timestampVerificationData"
    }
    assert ours["verificationMaterial"]["tlogEntries"] == []
    assert cosign["verificationMaterial"]["tlogEntries"], "cosign's was logged online"
    assert set(ours["messageSignature"]) == set(cosign["messageSignature"])
    assert (
        ours["messageSignature"]["messageDigest"]["algorithm"]
        == cosign["messageSignature"]["messageDigest"]["algorithm"]
    )
    hint_length = len(cosign["verificationMaterial"]["publicKey"]["hint"])
    assert len(ours["verificationMaterial"]["publicKey"]["hint"]) == hint_length


def test_default_signer_asks_the_context_for_a_cached_signer() -> None:
    from sigstore.sign import SigningContext

    calls: list[tuple[object, dict[str, object]]] = []
    fake = _FakeSigner()

    class Context:
        @contextmanager
        def signer(self, token: object, **kwargs: object) -> Iterator[_FakeSigner]:
            calls.append((token, kwargs))
            yield fake

    from stockade.provenance.sign import sigstore_signer

    context: Any = Context()
    token: Any = object()
    with sigstore_signer(context, token) as signer:
        assert signer is fake
    assert calls == [(token, {"cache": True})]
    assert hasattr(SigningContext, "signer")


@pytest.mark.parametrize("algorithm", list(KeyAlgorithm))
def test_sign_file_streams_ecdsa_and_matches_sign_blob(
    tmp_path: Path, algorithm: KeyAlgorithm
) -> None:
    from stockade.provenance.sign import sign_file

    key = SigningKey(generate_key(algorithm))
    data = bytes(range(256)) * 10_000  # 2.5 MB: several read chunks
    path = tmp_path / "big.bin"
    path.write_bytes(data)
    bundle = sign_file(path, key)
    message = bundle["messageSignature"]
    assert base64.b64decode(message["messageDigest"]["digest"]) == hashlib.sha256(data).digest()
    _verify_raw(key, base64.b64decode(message["signature"]), data)
    assert set(bundle) == set(sign_blob(data, key))
    with pytest.raises(InputError, match="no such file"):
        sign_file(tmp_path / "absent", key)
    with pytest.raises(InputError, match="is a folder"):
        sign_file(tmp_path, key)


def test_ed25519_cannot_sign_a_digest() -> None:
    key = SigningKey(generate_key(KeyAlgorithm.ED25519))
    with pytest.raises(TypeError):
        key.sign_sha256(hashlib.sha256(b"x").digest())


# --- ambient credentials, from a local stand-in for the GitHub Actions token service ---------


class _TokenService:
    """Answers GitHub Actions' OIDC token request on 127.0.0.1, recording what was asked."""

    def __init__(self, token: str) -> None:
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        self.requests: list[tuple[str, str | None]] = []
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                service.requests.append((self.path, self.headers.get("Authorization")))
                body = json.dumps({"value": token}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/token?api-version=2.0"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_ambient_github_actions_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    """sigstore's detect_credential, as in a GitHub Actions job with id-token: write."""
    raw = _token()
    service = _TokenService(raw)
    try:
        monkeypatch.setenv("GITHUB_ACTIONS", "true")
        monkeypatch.setenv("ACTIONS_ID_TOKEN_REQUEST_TOKEN", "request-bearer")
        monkeypatch.setenv("ACTIONS_ID_TOKEN_REQUEST_URL", service.url)
        token = identity_token(None)
    finally:
        service.close()
    assert str(token) == raw
    assert token.issuer == "https://token.actions.githubusercontent.com"
    [(path, authorization)] = service.requests
    assert "audience=sigstore" in path
    assert authorization == "bearer request-bearer"


def test_github_actions_without_id_token_permission(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.delenv("ACTIONS_ID_TOKEN_REQUEST_TOKEN", raising=False)
    monkeypatch.delenv("ACTIONS_ID_TOKEN_REQUEST_URL", raising=False)
    with pytest.raises(InputError, match="ambient OIDC credentials could not be read"):
        identity_token(None)
