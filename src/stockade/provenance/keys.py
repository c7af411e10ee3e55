"""Signing keys for offline signing: generate, write, load, sign.

Two algorithms, the ones cosign and sigstore-python verify with a public key: Ed25519 (the
signature covers the message itself) and ECDSA P-256 with SHA-256 (a DER signature over the
message's SHA-256). Private keys are PKCS#8 PEM, encrypted with a password unless the caller
explicitly asks for a plain key; public keys are SubjectPublicKeyInfo PEM.
"""

from __future__ import annotations

import base64
import contextlib
import errno
import hashlib
import os
import tempfile
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, utils

from stockade.errors import InputError, StockadeError

PrivateKey = ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey
"""A private key Stockade signs with."""
PublicKey = ed25519.Ed25519PublicKey | ec.EllipticCurvePublicKey
"""A public key Stockade's signatures verify with."""

MAX_KEY_FILE = 64 * 1024
"""Largest key file read (a PEM key is a few hundred bytes)."""


class KeyAlgorithm(StrEnum):
    """The key types ``stockade keygen`` makes."""

    ED25519 = "ed25519"
    ECDSA_P256 = "ecdsa-p256"


def generate_key(algorithm: KeyAlgorithm) -> PrivateKey:
    """A new private key of ``algorithm``."""
    if algorithm is KeyAlgorithm.ED25519:
        return ed25519.Ed25519PrivateKey.generate()
    return ec.generate_private_key(ec.SECP256R1())


def algorithm_of(key: PrivateKey | PublicKey) -> KeyAlgorithm:
    """The algorithm of a supported key."""
    if isinstance(key, ed25519.Ed25519PrivateKey | ed25519.Ed25519PublicKey):
        return KeyAlgorithm.ED25519
    return KeyAlgorithm.ECDSA_P256


def private_pem(key: PrivateKey, password: bytes | None) -> bytes:
    """The key as PKCS#8 PEM, encrypted with ``password`` (plain when it is ``None``)."""
    if password is not None and not password:
        raise InputError("an empty password cannot encrypt a key")
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(password)
        if password is not None
        else serialization.NoEncryption()
    )
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
    )


def public_pem(key: PublicKey) -> bytes:
    """The public key as SubjectPublicKeyInfo PEM."""
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def public_der(key: PublicKey) -> bytes:
    """The public key as DER SubjectPublicKeyInfo."""
    return key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def key_hint(key: PublicKey) -> str:
    """The key's hint as cosign writes it in a bundle: base64 of the SHA-256 of its DER
    SubjectPublicKeyInfo."""
    return base64.b64encode(hashlib.sha256(public_der(key)).digest()).decode("ascii")


@dataclass(frozen=True, slots=True)
class SigningKey:
    """A loaded private key that signs bytes."""

    private_key: PrivateKey
    """The key itself."""

    @property
    def algorithm(self) -> KeyAlgorithm:
        """Ed25519 or ECDSA P-256."""
        return algorithm_of(self.private_key)

    @property
    def public_key(self) -> PublicKey:
        """The matching public key."""
        return self.private_key.public_key()

    @property
    def hint(self) -> str:
        """The public key's hint (see :func:`key_hint`)."""
        return key_hint(self.public_key)

    def sign(self, message: bytes) -> bytes:
        """Sign ``message``: Ed25519 over the message, ECDSA P-256 over its SHA-256 (DER)."""
        if isinstance(self.private_key, ed25519.Ed25519PrivateKey):
            return self.private_key.sign(message)
        return self.private_key.sign(message, ec.ECDSA(hashes.SHA256()))

    def sign_sha256(self, digest: bytes) -> bytes:
        """ECDSA P-256 only: sign a message by its SHA-256 (the same signature as
        :meth:`sign` over the message), so large files need not be held in memory."""
        if isinstance(self.private_key, ed25519.Ed25519PrivateKey):
            raise TypeError("Ed25519 signs the message itself, not its digest")
        return self.private_key.sign(digest, ec.ECDSA(utils.Prehashed(hashes.SHA256())))


def verify_signature(key: PublicKey, signature: bytes, message: bytes) -> bool:
    """Whether ``signature`` over ``message`` verifies with ``key`` (the inverse of
    :meth:`SigningKey.sign`)."""
    try:
        if isinstance(key, ed25519.Ed25519PublicKey):
            key.verify(signature, message)
        else:
            key.verify(signature, message, ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        return False
    return True


def _read_key_file(path: Path) -> bytes:
    try:
        if path.stat().st_size > MAX_KEY_FILE:
            raise InputError(f"too large for a key file (over {MAX_KEY_FILE} bytes)", path=path)
        return path.read_bytes()
    except FileNotFoundError:
        raise InputError("no such key file", path=path) from None
    except IsADirectoryError:
        raise InputError("is a folder, not a key file", path=path) from None
    except OSError as exc:
        raise InputError(f"cannot read key file: {exc.strerror or exc}", path=path) from None


def _check_supported(key: object, path: Path) -> PrivateKey | PublicKey:
    if isinstance(
        key,
        ed25519.Ed25519PrivateKey
        | ed25519.Ed25519PublicKey
        | ec.EllipticCurvePrivateKey
        | ec.EllipticCurvePublicKey,
    ):
        if isinstance(key, ec.EllipticCurvePrivateKey | ec.EllipticCurvePublicKey) and not (
            isinstance(key.curve, ec.SECP256R1)
        ):
            raise InputError(
                f"ECDSA curve {key.curve.name} is not supported (use P-256)", path=path
            )
        return key
    raise InputError(
        f"unsupported key type {type(key).__name__.lstrip('_')} (use Ed25519 or ECDSA P-256)",
        path=path,
    )


def is_encrypted(pem: bytes) -> bool:
    """Whether a PEM private key is encrypted (PKCS#8 or traditional)."""
    return b"ENCRYPTED PRIVATE KEY" in pem or b"Proc-Type: 4,ENCRYPTED" in pem


def load_signing_key(path: Path, password: bytes | None) -> SigningKey:
    """Read a PEM private key; ``password`` decrypts an encrypted one.

    Raises :class:`~stockade.errors.InputError` for a missing file, a file that is not a PEM
    private key, a wrong or missing password, or an unsupported key type.
    """
    data = _read_key_file(path)
    if b"PRIVATE KEY-----" not in data:
        raise InputError("not a PEM private key", path=path)
    encrypted = is_encrypted(data)
    if encrypted and not password:
        raise InputError(
            "the key is encrypted and no password was given",
            path=path,
            hint="set STOCKADE_KEY_PASSWORD or type it when asked",
        )
    try:
        key = serialization.load_pem_private_key(data, password if encrypted else None)
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        reason = "wrong password, or the key is damaged" if encrypted else "not a readable key"
        raise InputError(f"cannot load private key: {reason}", path=path) from exc
    checked = _check_supported(key, path)
    if isinstance(checked, ed25519.Ed25519PublicKey | ec.EllipticCurvePublicKey):
        raise InputError("not a private key", path=path)  # pragma: no cover - PEM says private
    return SigningKey(checked)


def load_public_key(path: Path) -> PublicKey:
    """Read a PEM public key (Ed25519 or ECDSA P-256)."""
    data = _read_key_file(path)
    if b"-----BEGIN PUBLIC KEY-----" not in data:
        raise InputError("not a PEM public key", path=path)
    try:
        key = serialization.load_pem_public_key(data)
    except (ValueError, UnsupportedAlgorithm) as exc:
        raise InputError("cannot load public key: the PEM is damaged", path=path) from exc
    checked = _check_supported(key, path)
    if isinstance(checked, ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey):
        raise InputError("not a public key", path=path)  # pragma: no cover - PEM says public
    return checked


def write_new_file(path: Path, data: bytes, *, mode: int, force: bool) -> None:
    """Write ``data`` to ``path`` atomically with permissions ``mode``.

    Without ``force``, an existing file is never replaced (the final step is a hard link,
    which fails if the name exists). Raises :class:`~stockade.errors.StockadeError`.
    """
    path = path.expanduser()
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise StockadeError(f"{path}: folder {folder} does not exist")
    if path.exists() and not force:
        raise StockadeError(f"{path}: already exists", hint="use --force to replace it")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=folder)
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        if force:
            os.replace(tmp, path)
        else:
            _link_new(tmp, path)
    except FileExistsError:
        raise StockadeError(f"{path}: already exists", hint="use --force to replace it") from None
    except OSError as exc:
        raise StockadeError(f"{path}: cannot write: {exc.strerror or exc}") from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


def _link_new(tmp: str, path: Path) -> None:
    """Give ``tmp`` the name ``path`` unless that exists: a hard link, or where the file
    system has none, a rename after a last check."""
    try:
        os.link(tmp, path)
    except FileExistsError:
        raise
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV):
            raise
        if path.exists():
            raise FileExistsError(str(path)) from None
        os.replace(tmp, path)


@dataclass(frozen=True, slots=True)
class KeyFiles:
    """Where :func:`write_key_pair` put a key pair."""

    private: Path
    """The private key (mode 0600)."""
    public: Path
    """The public key (mode 0644)."""


def write_key_pair(
    prefix: Path, key: PrivateKey, password: bytes | None, *, force: bool = False
) -> KeyFiles:
    """Write ``PREFIX.key`` (0600; encrypted unless ``password`` is ``None``) and
    ``PREFIX.pub`` (0644), as cosign names them. Neither is replaced without ``force``."""
    files = KeyFiles(
        private=prefix.with_name(prefix.name + ".key"),
        public=prefix.with_name(prefix.name + ".pub"),
    )
    if not force:
        for path in (files.private, files.public):
            if path.exists():
                raise StockadeError(f"{path}: already exists", hint="use --force to replace it")
    write_new_file(files.private, private_pem(key, password), mode=0o600, force=force)
    write_new_file(files.public, public_pem(key.public_key()), mode=0o644, force=force)
    return files
