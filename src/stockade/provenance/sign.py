"""Signing: Sigstore bundles with a local key (offline) or keyless with sigstore-python.

Key-based bundles are Sigstore bundle v0.3 with a ``publicKey`` hint (base64 SHA-256 of the
key's DER SubjectPublicKeyInfo, as cosign writes it), a ``messageSignature`` (a file) or a
``dsseEnvelope`` (an in-toto statement), and no transparency-log entry: the verifier holds the
public key and skips the log (cosign's ``verify-blob --key --insecure-ignore-tlog``).

Keyless signing needs an OIDC identity token (given, or detected from the CI's ambient
credentials by sigstore's ``detect_credential``) and reaches Fulcio, Rekor and any timestamp
authority. The reach happens only inside the signer that ``signer_factory`` makes, the seam
tests replace.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from stockade.errors import InputError, StockadeError
from stockade.provenance.dsse import INTOTO_PAYLOAD_TYPE, sign_envelope
from stockade.provenance.intoto import Statement
from stockade.provenance.keys import KeyAlgorithm, SigningKey

if TYPE_CHECKING:
    from sigstore import dsse
    from sigstore.models import ClientTrustConfig
    from sigstore.oidc import IdentityToken
    from sigstore.sign import SigningContext

BUNDLE_V03 = "application/vnd.dev.sigstore.bundle.v0.3+json"
"""Media type of the bundles written."""


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _key_material(key: SigningKey) -> dict[str, Any]:
    return {"publicKey": {"hint": key.hint}, "tlogEntries": []}


def sign_blob(data: bytes, key: SigningKey) -> dict[str, Any]:
    """A Sigstore bundle with a message signature over ``data`` by ``key`` (no log entry)."""
    return _message_bundle(key, hashlib.sha256(data).digest(), key.sign(data))


def _message_bundle(key: SigningKey, digest: bytes, signature: bytes) -> dict[str, Any]:
    return {
        "mediaType": BUNDLE_V03,
        "verificationMaterial": _key_material(key),
        "messageSignature": {
            "messageDigest": {"algorithm": "SHA2_256", "digest": _b64(digest)},
            "signature": _b64(signature),
        },
    }


def sign_file(path: Path, key: SigningKey) -> dict[str, Any]:
    """:func:`sign_blob` over a file. With ECDSA the file is read in chunks and signed by its
    digest; Ed25519 signs the whole message, so the file is read at once."""
    if key.algorithm is KeyAlgorithm.ED25519:
        return sign_blob(_read_file(path), key)
    digest = hashlib.sha256()
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(1 << 20):
                digest.update(chunk)
    except OSError as exc:
        raise _read_error(path, exc) from None
    return _message_bundle(key, digest.digest(), key.sign_sha256(digest.digest()))


def _read_file(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise _read_error(path, exc) from None


def _read_error(path: Path, exc: OSError) -> InputError:
    if isinstance(exc, FileNotFoundError):
        return InputError("no such file", path=path)
    if isinstance(exc, IsADirectoryError):
        return InputError("is a folder, not a file", path=path)
    return InputError(f"cannot read: {exc.strerror or exc}", path=path)


def sign_statement(statement: Statement, key: SigningKey) -> dict[str, Any]:
    """A Sigstore bundle with a DSSE envelope over ``statement`` signed by ``key``."""
    envelope = sign_envelope(statement.to_json(), key, payload_type=INTOTO_PAYLOAD_TYPE)
    return {
        "mediaType": BUNDLE_V03,
        "verificationMaterial": _key_material(key),
        "dsseEnvelope": envelope.to_dict(),
    }


def bundle_json(bundle: dict[str, Any]) -> str:
    """A bundle as the JSON text written to a ``.sigstore.json`` file."""
    return json.dumps(bundle, indent=2) + "\n"


# --- keyless ---------------------------------------------------------------------------------


class SignedBundle(Protocol):
    """What a keyless signer returns (sigstore's ``Bundle``)."""

    def to_json(self) -> str:
        """The bundle's JSON."""
        ...


class KeylessSigner(Protocol):
    """sigstore-python's ``Signer``: the two operations Stockade uses."""

    def sign_artifact(self, input_: bytes) -> SignedBundle:
        """Sign bytes (a hashedrekord entry)."""
        ...

    def sign_dsse(self, input_: dsse.Statement) -> SignedBundle:
        """Sign a ``sigstore.dsse.Statement`` (a DSSE entry)."""
        ...


SignerFactory = Callable[["SigningContext", "IdentityToken"], AbstractContextManager[KeylessSigner]]
"""Makes a signer from a ``SigningContext`` and an ``IdentityToken``: the network seam."""


@contextmanager
def sigstore_signer(context: SigningContext, token: IdentityToken) -> Iterator[KeylessSigner]:
    """sigstore-python's signer (asks Fulcio for a certificate, then logs in Rekor)."""
    with context.signer(token, cache=True) as signer:
        yield signer


def identity_token(
    explicit: str | None = None, *, detect: Callable[[], str | None] | None = None
) -> IdentityToken:
    """The OIDC identity token to sign with: ``explicit`` if given, else the CI's ambient
    credential (sigstore's ``detect_credential``). Returns a ``sigstore.oidc.IdentityToken``.

    Raises :class:`~stockade.errors.InputError` when there is none or it is unusable
    (malformed, expired, missing the claims Fulcio needs).
    """
    from sigstore.oidc import IdentityError, IdentityToken, detect_credential

    raw = explicit.strip() if explicit else None
    if not raw:
        try:
            raw = (detect or detect_credential)()
        except IdentityError as exc:
            raise InputError(f"ambient OIDC credentials could not be read: {exc}") from None
    if not raw:
        raise InputError(
            "no OIDC identity token: none given and no ambient CI credentials found",
            hint="pass --identity-token, run in a CI with OIDC (GitHub Actions: "
            "permissions id-token: write), or sign with --key",
        )
    try:
        return IdentityToken(raw)
    except IdentityError as exc:
        raise InputError(f"unusable identity token: {exc}") from None


def trust_config(instance: str = "production", path: Path | None = None) -> ClientTrustConfig:
    """The Sigstore instance to sign with, as a ``sigstore.models.ClientTrustConfig``:
    a client trust configuration file (a private instance), else ``production`` or
    ``staging`` (refreshed from their TUF repositories)."""
    from sigstore.models import ClientTrustConfig

    if path is not None:
        try:
            return ClientTrustConfig.from_json(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise InputError(f"cannot read: {exc.strerror or exc}", path=path) from None
        except Exception as exc:  # the model's validation errors have no common base
            raise InputError(
                f"not a Sigstore client trust configuration: {_first_line(exc)}", path=path
            ) from None
    if instance not in ("production", "staging"):
        raise InputError(f"unknown Sigstore instance {instance!r} (production or staging)")
    try:
        if instance == "staging":
            return ClientTrustConfig.staging()
        return ClientTrustConfig.production()
    except Exception as exc:  # TUF and network errors
        raise StockadeError(
            f"cannot load the Sigstore {instance} trust configuration: {_first_line(exc)}"
        ) from None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def signing_context(config: ClientTrustConfig) -> SigningContext:
    """A ``sigstore.sign.SigningContext`` for a ``ClientTrustConfig`` (no network yet)."""
    from sigstore.sign import SigningContext

    try:
        return SigningContext.from_trust_config(config)
    except Exception as exc:  # a signing config without usable services
        raise InputError(f"unusable signing configuration: {_first_line(exc)}") from None


def keyless_sign_blob(
    data: bytes,
    token: IdentityToken,
    context: SigningContext,
    *,
    signer_factory: SignerFactory = sigstore_signer,
) -> str:
    """Sign ``data`` keylessly; the bundle's JSON."""
    with _signing_errors(), signer_factory(context, token) as signer:
        return signer.sign_artifact(data).to_json()


def keyless_sign_statement(
    statement: Statement,
    token: IdentityToken,
    context: SigningContext,
    *,
    signer_factory: SignerFactory = sigstore_signer,
) -> str:
    """Sign ``statement`` keylessly in a DSSE envelope; the bundle's JSON."""
    from sigstore import dsse

    try:
        sigstore_statement = dsse.Statement(statement.to_json())
    except Exception as exc:  # sigstore's own statement validation
        raise InputError(f"sigstore rejects the statement: {_first_line(exc)}") from None
    with _signing_errors(), signer_factory(context, token) as signer:
        return signer.sign_dsse(sigstore_statement).to_json()


@contextmanager
def _signing_errors() -> Iterator[None]:
    from sigstore.errors import Error as SigstoreError
    from sigstore.oidc import ExpiredIdentity

    try:
        yield
    except ExpiredIdentity:
        raise InputError("the identity token expired before signing finished") from None
    except SigstoreError as exc:
        raise StockadeError(f"keyless signing failed: {_first_line(exc)}") from None
