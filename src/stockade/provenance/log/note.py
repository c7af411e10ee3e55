"""C2SP signed notes (c2sp.org/signed-note) with Ed25519 keys.

A note is UTF-8 text ending in a newline, a blank line, and signature lines
``— <key name> base64(key id || signature)``. Keys are written as in golang.org/x/mod/sumdb/note:
verifier keys ``name+hexid+base64(0x01 || public key)`` and signer keys
``PRIVATE+KEY+name+hexid+base64(0x01 || seed)``; the key id is the first four bytes of
``SHA-256(name || "\\n" || 0x01 || public key)``. Opening a note ignores signatures by unknown
keys and needs at least one valid signature by a known key.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import unicodedata
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from stockade.errors import InputError, VerificationFailed

ALG_ED25519 = 0x01
"""The signature type byte of Ed25519 note keys."""

MAX_SIGNATURES = 100
"""Notes with more signature lines are rejected (as golang.org/x/mod/sumdb/note does)."""

MAX_NOTE_BYTES = 1 << 20
"""Notes larger than this are rejected before parsing."""

SIG_PREFIX = "\u2014 "
"""Every signature line starts with an em dash and a space."""


class NoteFormatError(InputError):
    """A note or a key is malformed (unusable input)."""


class NoteVerificationError(VerificationFailed):
    """A note's signatures do not verify with the given keys."""


def _valid_name(name: str) -> bool:
    return bool(name) and "+" not in name and not any(ch.isspace() for ch in name)


def key_id(name: str, algorithm: int, public_key: bytes) -> int:
    """The 32-bit id of a key: the first four bytes of SHA-256(name, newline, alg, key)."""
    digest = hashlib.sha256(name.encode() + b"\n" + bytes([algorithm]) + public_key).digest()
    return int.from_bytes(digest[:4], "big")


def _b64decode(value: str, what: str) -> bytes:
    try:
        return base64.b64decode(value.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError) as exc:
        raise NoteFormatError(f"{what} is not valid base64") from exc


def _raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


@dataclass(frozen=True)
class Verifier:
    """An Ed25519 verifier key of a note signer."""

    name: str
    key_id: int
    public_key: bytes

    @classmethod
    def from_vkey(cls, vkey: str) -> Verifier:
        """Parse ``name+hexid+base64(0x01 || key)``, checking the id against the key."""
        parts = vkey.strip().split("+", 2)
        if len(parts) != 3:
            raise NoteFormatError("verifier key is not name+id+key")
        name, hex_id, encoded = parts
        if not _valid_name(name):
            raise NoteFormatError(f"verifier key has an invalid name {name!r}")
        if len(hex_id) != 8 or any(ch not in "0123456789abcdef" for ch in hex_id):
            raise NoteFormatError("verifier key id is not 8 lowercase hex digits")
        raw = _b64decode(encoded, "verifier key")
        if not raw or raw[0] != ALG_ED25519:
            raise NoteFormatError("verifier key is not an Ed25519 key (unknown algorithm)")
        if len(raw) != 33:
            raise NoteFormatError(f"Ed25519 verifier key has {len(raw) - 1} bytes, not 32")
        computed = key_id(name, ALG_ED25519, raw[1:])
        if computed != int(hex_id, 16):
            raise NoteFormatError(f"verifier key id {hex_id} does not match its key")
        return cls(name, computed, raw[1:])

    @property
    def vkey(self) -> str:
        """This key in ``name+hexid+base64`` form."""
        encoded = base64.b64encode(bytes([ALG_ED25519]) + self.public_key).decode()
        return f"{self.name}+{self.key_id:08x}+{encoded}"

    @property
    def label(self) -> str:
        """``name+hexid``, as notes and errors name the key."""
        return f"{self.name}+{self.key_id:08x}"

    def verify(self, message: bytes, signature: bytes) -> bool:
        """Whether ``signature`` is this key's Ed25519 signature of ``message``."""
        if len(signature) != 64:
            return False
        try:
            Ed25519PublicKey.from_public_bytes(self.public_key).verify(signature, message)
        except InvalidSignature:
            return False
        return True


@dataclass(frozen=True)
class Signer:
    """An Ed25519 signer key (its 32-byte seed) with its name."""

    name: str
    seed: bytes = field(repr=False)

    @classmethod
    def generate(cls, name: str) -> Signer:
        """A new random key named ``name``."""
        if not _valid_name(name):
            raise NoteFormatError(f"invalid key name {name!r} (no spaces or '+')")
        private = Ed25519PrivateKey.generate()
        seed = private.private_bytes(
            serialization.Encoding.Raw,
            serialization.PrivateFormat.Raw,
            serialization.NoEncryption(),
        )
        return cls(name, seed)

    @classmethod
    def from_skey(cls, skey: str) -> Signer:
        """Parse ``PRIVATE+KEY+name+hexid+base64(0x01 || seed)``, checking the id."""
        parts = skey.strip().split("+", 4)
        if len(parts) != 5 or parts[0] != "PRIVATE" or parts[1] != "KEY":
            raise NoteFormatError("signer key is not PRIVATE+KEY+name+id+key")
        _, _, name, hex_id, encoded = parts
        if not _valid_name(name):
            raise NoteFormatError(f"signer key has an invalid name {name!r}")
        if len(hex_id) != 8 or any(ch not in "0123456789abcdef" for ch in hex_id):
            raise NoteFormatError("signer key id is not 8 lowercase hex digits")
        raw = _b64decode(encoded, "signer key")
        if len(raw) != 33 or raw[0] != ALG_ED25519:
            raise NoteFormatError("signer key is not an Ed25519 seed")
        signer = cls(name, raw[1:])
        if signer.key_id != int(hex_id, 16):
            raise NoteFormatError(f"signer key id {hex_id} does not match its key")
        return signer

    @property
    def _private(self) -> Ed25519PrivateKey:
        return Ed25519PrivateKey.from_private_bytes(self.seed)

    @property
    def public_key(self) -> bytes:
        """The raw 32-byte Ed25519 public key."""
        return _raw_public(self._private.public_key())

    @property
    def key_id(self) -> int:
        """The 32-bit key id."""
        return key_id(self.name, ALG_ED25519, self.public_key)

    @property
    def skey(self) -> str:
        """This key in ``PRIVATE+KEY+name+hexid+base64`` form (a secret)."""
        encoded = base64.b64encode(bytes([ALG_ED25519]) + self.seed).decode()
        return f"PRIVATE+KEY+{self.name}+{self.key_id:08x}+{encoded}"

    def verifier(self) -> Verifier:
        """The matching verifier key."""
        return Verifier(self.name, self.key_id, self.public_key)

    def sign(self, message: bytes) -> bytes:
        """The Ed25519 signature of ``message``."""
        return self._private.sign(message)


@dataclass(frozen=True)
class Signature:
    """One signature line: the key name, the key id and the signature bytes."""

    name: str
    key_id: int
    signature: bytes

    @property
    def label(self) -> str:
        """``name+hexid``."""
        return f"{self.name}+{self.key_id:08x}"

    def line(self) -> str:
        """The signature line, with its final newline."""
        encoded = base64.b64encode(self.key_id.to_bytes(4, "big") + self.signature).decode()
        return f"{SIG_PREFIX}{self.name} {encoded}\n"


@dataclass(frozen=True)
class Note:
    """A parsed note: its text (ending in a newline) and its signatures, in order."""

    text: str
    signatures: tuple[Signature, ...]

    def format(self) -> str:
        """The note as written: text, blank line, signature lines."""
        return self.text + "\n" + "".join(sig.line() for sig in self.signatures)


@dataclass(frozen=True)
class OpenedNote:
    """A note whose signatures were checked: those by known keys and the others."""

    text: str
    verified: tuple[Signature, ...]
    unverified: tuple[Signature, ...]


def _check_text(text: str) -> None:
    if not text.endswith("\n"):
        raise NoteFormatError("malformed note: the text does not end with a newline")
    for ch in text:
        if ch != "\n" and (ord(ch) < 0x20 or unicodedata.category(ch) == "Cc"):
            raise NoteFormatError(f"malformed note: control character U+{ord(ch):04X}")


def parse_note(data: bytes | str) -> Note:
    """Parse a signed note, rejecting malformed ones with a reason."""
    if isinstance(data, bytes):
        if len(data) > MAX_NOTE_BYTES:
            raise NoteFormatError(f"malformed note: larger than {MAX_NOTE_BYTES} bytes")
        try:
            message = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise NoteFormatError("malformed note: not valid UTF-8") from exc
    else:
        message = data
        if len(message.encode("utf-8", "surrogatepass")) > MAX_NOTE_BYTES:
            raise NoteFormatError(f"malformed note: larger than {MAX_NOTE_BYTES} bytes")
    if any(0xD800 <= ord(ch) <= 0xDFFF for ch in message):
        raise NoteFormatError("malformed note: not valid UTF-8")
    split = message.rfind("\n\n")
    if split < 0:
        raise NoteFormatError("malformed note: no blank line before the signatures")
    text, rest = message[: split + 1], message[split + 2 :]
    _check_text(text)
    if not rest:
        raise NoteFormatError("malformed note: no signature lines")
    if not rest.endswith("\n"):
        raise NoteFormatError("malformed note: the last signature line has no final newline")
    lines = rest[:-1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise NoteFormatError(f"malformed note: more than {MAX_SIGNATURES} signatures")
    signatures = tuple(_parse_signature_line(number, line) for number, line in enumerate(lines))
    return Note(text, signatures)


def _parse_signature_line(number: int, line: str) -> Signature:
    where = f"malformed note: signature line {number + 1}"
    if not line.startswith(SIG_PREFIX):
        raise NoteFormatError(f"{where} does not start with an em dash and a space")
    name, _, encoded = line[len(SIG_PREFIX) :].partition(" ")
    if not _valid_name(name):
        raise NoteFormatError(f"{where} has an invalid key name")
    try:
        raw = _b64decode(encoded, "signature") if encoded else b""
    except NoteFormatError as exc:
        raise NoteFormatError(f"{where}: the signature is not base64") from exc
    if len(raw) < 5:
        raise NoteFormatError(f"{where}: the signature is too short")
    return Signature(name, int.from_bytes(raw[:4], "big"), raw[4:])


def sign_note(text: str, signers: list[Signer] | tuple[Signer, ...]) -> str:
    """``text`` (which must end in a newline) signed by each of ``signers``."""
    _check_text(text)
    if text.endswith("\n\n"):
        raise NoteFormatError("malformed note: the text ends with a blank line")
    if not signers:
        raise NoteFormatError("a note needs at least one signer")
    message = text.encode()
    sigs = tuple(Signature(s.name, s.key_id, s.sign(message)) for s in signers)
    return Note(text, sigs).format()


def open_note(data: bytes | str, verifiers: list[Verifier] | tuple[Verifier, ...]) -> OpenedNote:
    """Parse ``data`` and check its signatures against ``verifiers``.

    Signatures by unknown keys are returned as unverified; a signature by a known key that
    does not verify, or a key known twice under one name and id, is an error, and so is a
    note with no valid signature by a known key.
    """
    note = parse_note(data)
    message = note.text.encode()
    verified: list[Signature] = []
    unverified: list[Signature] = []
    seen: set[tuple[str, int]] = set()
    for sig in note.signatures:
        key = (sig.name, sig.key_id)
        matches = [v for v in verifiers if (v.name, v.key_id) == key]
        if not matches:
            unverified.append(sig)
            continue
        if len(matches) > 1:
            raise NoteVerificationError(f"ambiguous key {sig.label}")
        if key in seen:
            continue
        if not matches[0].verify(message, sig.signature):
            raise NoteVerificationError(f"invalid signature for key {sig.label}")
        seen.add(key)
        verified.append(sig)
    if not verified:
        names = ", ".join(sig.label for sig in unverified) or "none"
        raise NoteVerificationError(
            f"note has no verifiable signatures (signed by: {names})",
            hint="pass the signer's verifier key",
        )
    return OpenedNote(note.text, tuple(verified), tuple(unverified))


__all__ = [
    "ALG_ED25519",
    "MAX_SIGNATURES",
    "Note",
    "NoteFormatError",
    "NoteVerificationError",
    "OpenedNote",
    "Signature",
    "Signer",
    "Verifier",
    "key_id",
    "open_note",
    "parse_note",
    "sign_note",
]
