"""Every case of ../shared/data/signed-note/vectors.json (golang.org/x/mod/sumdb/note and C2SP
examples): keys, signing, opening, malformed notes and checkpoint bodies."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from stockade.provenance.log.checkpoint import parse_checkpoint_text
from stockade.provenance.log.note import (
    NoteFormatError,
    NoteVerificationError,
    Signer,
    Verifier,
    open_note,
    parse_note,
    sign_note,
)
from tests.provenance.log.conftest import TALLIES


@pytest.fixture
def vectors(shared_data: Path) -> dict[str, Any]:
    path = shared_data / "signed-note" / "vectors.json"
    if not path.is_file():
        pytest.skip(f"signed-note vectors not found at {path}")
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _note_bytes(case: dict[str, Any]) -> bytes:
    if "note_hex" in case:
        return bytes.fromhex(case["note_hex"])
    return str(case["note"]).encode()


def _check_key_cases(vectors: dict[str, Any]) -> list[str]:
    wrong: list[str] = []
    for case in vectors["verifier_keys"]:
        key = Verifier.from_vkey(case["vkey"])
        if (key.name, f"{key.key_id:08x}", key.public_key.hex(), key.vkey) != (
            case["name"],
            case["key_id_hex"],
            case["public_key_hex"],
            case["vkey"],
        ):
            wrong.append(f"verifier key {case['vkey']} read back differently")
    for case in vectors["bad_verifier_keys"]:
        try:
            Verifier.from_vkey(case["vkey"])
            wrong.append(f"bad verifier key accepted ({case['reason']})")
        except NoteFormatError:
            pass
    for case in vectors["signer_keys"]:
        signer = Signer.from_skey(case["skey"])
        if signer.seed.hex() != case["ed25519_seed_hex"] or signer.skey != case["skey"]:
            wrong.append("signer key read back differently")
        if signer.verifier().vkey != case["matches_vkey"]:
            wrong.append("signer key does not give its verifier key")
    return wrong


def _check_note_case(case: dict[str, Any]) -> str | None:
    verifiers = [Verifier.from_vkey(vkey) for vkey in case["verifier_vkeys"]]
    expect = case["expect"]
    try:
        opened = open_note(_note_bytes(case), verifiers)
    except NoteVerificationError as exc:
        if expect["ok"]:
            return f"{case.get('id')}: rejected ({exc})"
        reason = expect["error"].split(" (")[0]  # the Go message, without the comment
        if reason not in str(exc):
            return f"{case.get('id')}: rejected for another reason: {exc} (want {reason})"
        return None
    if not expect["ok"]:
        return f"{case.get('id')}: accepted, want {expect['error']}"
    got = ([s.label for s in opened.verified], [s.label for s in opened.unverified])
    if got != (expect["verified"], expect["unverified"]) or opened.text != case["text"]:
        return f"{case.get('id')}: got {got}"
    return None


def test_every_signed_note_vector(vectors: dict[str, Any]) -> None:
    wrong = _check_key_cases(vectors)
    keys = len(vectors["verifier_keys"]) + len(vectors["bad_verifier_keys"])
    keys += len(vectors["signer_keys"])
    ok_notes = rejected = 0
    for case in vectors["notes"]:
        problem = _check_note_case(case)
        if problem:
            wrong.append(problem)
        elif case["expect"]["ok"]:
            ok_notes += 1
        else:
            rejected += 1
    malformed = 0
    for case in vectors["malformed_notes"]:
        verifiers = [Verifier.from_vkey(vkey) for vkey in case["verifier_vkeys"]]
        try:
            open_note(_note_bytes(case), verifiers)
            wrong.append(f"malformed note accepted: {case['reason']}")
        except NoteFormatError as exc:
            assert str(exc).startswith("malformed note")
            malformed += 1
        except NoteVerificationError as exc:
            wrong.append(f"malformed note not seen as malformed ({case['reason']}): {exc}")
    parsed = 0
    for case in vectors["unverifiable_examples"]:
        note = parse_note(case["note"])
        assert note.text == case["text"]
        assert [(s.name, f"{s.key_id:08x}", len(s.signature)) for s in note.signatures] == [
            (s["name"], s["key_id_hex"], s["signature_bytes"]) for s in case["signatures"]
        ]
        with pytest.raises(NoteVerificationError, match="no verifiable signatures"):
            open_note(case["note"], [Verifier.from_vkey(vectors["verifier_keys"][0]["vkey"])])
        if "checkpoint" in case:
            want = case["checkpoint"]
            checkpoint = parse_checkpoint_text(note.text)
            assert (checkpoint.origin, checkpoint.size, list(checkpoint.extensions)) == (
                want["origin"],
                want["tree_size"],
                want["extension_lines"],
            )
            assert checkpoint.root_hash == base64.b64decode(want["root_hash_b64"])
            assert checkpoint.text() == note.text
        parsed += 1
    total = keys + len(vectors["notes"]) + len(vectors["malformed_notes"]) + parsed
    tally = (
        f"{total - len(wrong)}/{total} as expected; keys {keys}, notes {ok_notes} verified + "
        f"{rejected} rejected, malformed {malformed} rejected, unverifiable examples {parsed} "
        f"parsed"
    )
    TALLIES["signed-note"] = tally
    print(f"signed-note: {tally}")
    assert not wrong, f"{tally}\n" + "\n".join(wrong)
    assert ok_notes >= 4 and rejected >= 3 and malformed == 8


def test_signing_reproduces_the_published_signature(vectors: dict[str, Any]) -> None:
    signer = Signer.from_skey(vectors["signer_keys"][0]["skey"])
    case = vectors["notes"][0]
    assert sign_note(case["text"], [signer]) == case["note"]
    tampered = case["note"].replace("problem,", "problem;")
    with pytest.raises(NoteVerificationError, match="invalid signature"):
        open_note(tampered, [signer.verifier()])


def test_sumdb_tree_note_bodies(vectors: dict[str, Any]) -> None:
    tree = vectors["sumdb_tree_note"]
    checkpoint = parse_checkpoint_text(tree["good"]["text"])
    assert checkpoint.origin == "go.sum database tree"
    assert checkpoint.size == tree["good"]["tree_size"]
    assert checkpoint.root_hash.hex() == tree["good"]["hash_hex"]
    for bad in tree["bad"]:
        if bad["reason"] == "wrong first line":
            assert parse_checkpoint_text(bad["text"]).origin != "go.sum database tree"
            continue
        with pytest.raises(NoteFormatError, match="malformed checkpoint"):
            parse_checkpoint_text(bad["text"])
