"""C2SP tlog checkpoints (c2sp.org/tlog-checkpoint): a log's signed tree head.

The body is the origin line, the decimal tree size, the base64 root hash and optional
extension lines; it is signed as a note (:mod:`stockade.provenance.log.note`) by the log's key,
whose name is the origin.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from dataclasses import dataclass

from stockade.provenance.log.merkle import HASH_SIZE
from stockade.provenance.log.note import (
    NoteFormatError,
    NoteVerificationError,
    OpenedNote,
    Signer,
    Verifier,
    open_note,
    sign_note,
)


@dataclass(frozen=True)
class Checkpoint:
    """A tree head: which log (origin), how many leaves, and the root hash."""

    origin: str
    size: int
    root_hash: bytes
    extensions: tuple[str, ...] = ()

    def text(self) -> str:
        """The checkpoint body, as signed."""
        if not self.origin or "\n" in self.origin:
            raise NoteFormatError("a checkpoint origin must be one non-empty line")
        if self.size < 0:
            raise NoteFormatError("a checkpoint tree size must not be negative")
        if len(self.root_hash) != HASH_SIZE:
            raise NoteFormatError(f"a checkpoint root hash has {HASH_SIZE} bytes")
        lines = [self.origin, str(self.size), base64.b64encode(self.root_hash).decode()]
        for extension in self.extensions:
            if not extension or "\n" in extension:
                raise NoteFormatError("checkpoint extension lines must be non-empty lines")
            lines.append(extension)
        return "\n".join(lines) + "\n"

    def sign(self, signers: Sequence[Signer]) -> str:
        """The checkpoint as a signed note."""
        return sign_note(self.text(), tuple(signers))


def parse_checkpoint_text(text: str) -> Checkpoint:
    """Parse a checkpoint body (a note's text), rejecting malformed ones with a reason."""
    if not text.endswith("\n"):
        raise NoteFormatError("malformed checkpoint: the body does not end with a newline")
    lines = text[:-1].split("\n")
    if len(lines) < 3:
        raise NoteFormatError("malformed checkpoint: fewer than three lines")
    origin, size_line, root_line, *extensions = lines
    if not origin:
        raise NoteFormatError("malformed checkpoint: empty origin line")
    if not size_line.isascii() or not size_line.isdigit():
        raise NoteFormatError(f"malformed checkpoint: tree size {size_line!r} is not decimal")
    if size_line != "0" and size_line.startswith("0"):
        raise NoteFormatError("malformed checkpoint: tree size has leading zeros")
    try:
        root = base64.b64decode(root_line.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError) as exc:
        raise NoteFormatError("malformed checkpoint: root hash is not base64") from exc
    if len(root) != HASH_SIZE:
        raise NoteFormatError(f"malformed checkpoint: root hash has {len(root)} bytes")
    if any(not line for line in extensions):
        raise NoteFormatError("malformed checkpoint: empty extension line")
    return Checkpoint(origin, int(size_line), root, tuple(extensions))


@dataclass(frozen=True)
class VerifiedCheckpoint:
    """A checkpoint whose note was signed by the log's key (and maybe by others)."""

    checkpoint: Checkpoint
    note: OpenedNote


def open_checkpoint(
    data: bytes | str, verifiers: Sequence[Verifier], *, origin: str | None = None
) -> VerifiedCheckpoint:
    """Verify a signed checkpoint: a valid signature by a known key named as its origin.

    ``origin``, when given, is the log the checkpoint must come from.
    """
    opened = open_note(data, tuple(verifiers))
    checkpoint = parse_checkpoint_text(opened.text)
    if origin is not None and checkpoint.origin != origin:
        raise NoteVerificationError(
            f"checkpoint is from log {checkpoint.origin!r}, expected {origin!r}"
        )
    if not any(sig.name == checkpoint.origin for sig in opened.verified):
        raise NoteVerificationError(
            f"checkpoint of {checkpoint.origin!r} is not signed by a key of that name"
        )
    return VerifiedCheckpoint(checkpoint, opened)


__all__ = ["Checkpoint", "VerifiedCheckpoint", "open_checkpoint", "parse_checkpoint_text"]
