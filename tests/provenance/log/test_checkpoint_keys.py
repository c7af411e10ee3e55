"""Checkpoint bodies and signing, and the log's key files."""

from __future__ import annotations

import base64
import os
import stat
from pathlib import Path

import pytest

from stockade.errors import InputError
from stockade.provenance.log import merkle
from stockade.provenance.log.checkpoint import Checkpoint, open_checkpoint, parse_checkpoint_text
from stockade.provenance.log.keys import (
    DEFAULT_NAME,
    load_or_create_signer,
    load_signer,
    load_verifier,
    own_verifier,
)
from stockade.provenance.log.note import NoteFormatError, NoteVerificationError, Signer

ROOT = merkle.leaf_hash(b"hello world")
ROOT_B64 = base64.b64encode(ROOT).decode()


def test_checkpoint_text_round_trips_with_extensions() -> None:
    checkpoint = Checkpoint("example.test/log", 12, ROOT, ("timestamp 1700000000",))
    body = checkpoint.text()
    assert body == f"example.test/log\n12\n{ROOT_B64}\ntimestamp 1700000000\n"
    assert parse_checkpoint_text(body) == checkpoint


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (f"log\n012\n{ROOT_B64}\n", "leading zeros"),
        (f"log\n-1\n{ROOT_B64}\n", "not decimal"),
        (f"log\n\uff11\uff12\n{ROOT_B64}\n", "not decimal"),  # fullwidth digits
        ("log\n1\nAAAA\n", "has 3 bytes"),
        ("log\n1\n!!!!\n", "not base64"),
        (f"\n1\n{ROOT_B64}\n", "empty origin"),
        ("log\n1\n", "fewer than three"),
        (f"log\n1\n{ROOT_B64}\n\n", "empty extension"),
        (f"log\n1\n{ROOT_B64}", "does not end with a newline"),
    ],
)
def test_malformed_checkpoint_bodies(body: str, reason: str) -> None:
    with pytest.raises(NoteFormatError, match=reason):
        parse_checkpoint_text(body)


def test_checkpoint_must_be_signed_by_its_origin() -> None:
    log_key = Signer.generate("example.test/log")
    witness = Signer.generate("witness.test/w1")
    note = Checkpoint("example.test/log", 3, ROOT).sign([log_key, witness])
    opened = open_checkpoint(note, [witness.verifier(), log_key.verifier()])
    assert opened.checkpoint.size == 3
    assert [s.name for s in opened.note.verified] == ["example.test/log", "witness.test/w1"]
    with pytest.raises(NoteVerificationError, match="not signed by a key of that name"):
        open_checkpoint(note, [witness.verifier()])
    with pytest.raises(NoteVerificationError, match=r"expected 'other\.test/log'"):
        open_checkpoint(note, [log_key.verifier()], origin="other.test/log")


def test_log_key_is_made_once_with_private_permissions(tmp_path: Path) -> None:
    folder = tmp_path / "log"
    assert own_verifier(folder) is None
    signer = load_or_create_signer(folder)
    assert signer.name == DEFAULT_NAME
    assert stat.S_IMODE(os.stat(folder / "log.skey").st_mode) == 0o600
    assert load_or_create_signer(folder) == signer
    verifier = own_verifier(folder)
    assert verifier == signer.verifier()
    assert load_verifier(str(folder / "log.vkey")) == verifier
    assert load_verifier(signer.verifier().vkey) == verifier


def test_bad_key_files_are_input_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.skey"
    bad.write_text("PRIVATE+KEY+name+00000000+AAAA\n")
    with pytest.raises(InputError, match=r"bad\.skey: signer key is not an Ed25519 seed"):
        load_signer(bad)
    with pytest.raises(InputError, match="cannot read verifier key"):
        load_verifier(str(tmp_path / "missing.vkey"))
    (tmp_path / "empty.vkey").write_text("\n")
    with pytest.raises(InputError, match="empty"):
        load_verifier(str(tmp_path / "empty.vkey"))
