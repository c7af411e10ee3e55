"""``stockade log``: append, checkpoint, prove, verify (exit 0 / 1 / 2) on a local store."""

from __future__ import annotations

import base64
import json
import os
import stat
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from stockade.cli.main import app
from stockade.provenance.log import merkle
from stockade.provenance.log.checkpoint import Checkpoint
from stockade.provenance.log.note import Signer

ENTRIES = [
    {"kind": "attestation", "subject": "sha256:" + "ab" * 32, "data": {"predicate": "slsa"}},
    {
        "kind": "policy-decision",
        "subject": "pkg:npm/left-pad@1.3.0",
        "timestamp": "2026-11-22T03:00:00Z",
        "data": {"decision": "deny", "score": 2.5},
    },
]


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.delenv("STOCKADE_DATABASE_URL", raising=False)
    monkeypatch.setenv("STOCKADE_DATA_DIR", str(tmp_path / "data"))
    return CliRunner()


def _append(runner: CliRunner, tmp_path: Path, value: object, name: str) -> tuple[str, str]:
    path = tmp_path / name
    path.write_text(json.dumps(value))
    result = runner.invoke(app, ["log", "append", str(path)])
    assert result.exit_code == 0, result.output
    first, _, note = result.stdout.partition("\n")
    checkpoint = tmp_path / f"{name}.checkpoint"
    checkpoint.write_text(note)
    return first, str(checkpoint)


def test_round_trip(runner: CliRunner, tmp_path: Path) -> None:
    first, cp1 = _append(runner, tmp_path, ENTRIES, "two.json")
    assert first == "indexes 0-1"
    assert Path(cp1).read_text().splitlines()[:2] == ["stockade.local/log", "2"]
    key_file = tmp_path / "data" / "log" / "log.skey"
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600

    result = runner.invoke(app, ["log", "append", "-"], input=json.dumps(ENTRIES[1]))
    assert result.exit_code == 0, result.output
    first, _, note = result.stdout.partition("\n")
    assert first == "index 2"
    cp2 = tmp_path / "cp2"
    cp2.write_text(note)

    shown = runner.invoke(app, ["log", "checkpoint"])
    assert shown.exit_code == 0 and shown.stdout == note

    ok = runner.invoke(app, ["log", "verify", str(cp2), "--old", cp1])
    assert ok.exit_code == 0, ok.output
    assert "size 3" in ok.stdout and "consistent with size 2" in ok.stdout

    proof = runner.invoke(app, ["log", "prove", "--index", "1", "--size", "2"])
    assert proof.exit_code == 0, proof.output
    inclusion = json.loads(proof.stdout)
    assert (inclusion["index"], inclusion["tree_size"]) == (1, 2)
    checkpoint_root = Path(cp1).read_text().splitlines()[2]
    assert bytes.fromhex(inclusion["root_hash"]).hex() == _b64hex(checkpoint_root)
    merkle.verify_inclusion(
        1,
        2,
        bytes.fromhex(inclusion["leaf_hash"]),
        [bytes.fromhex(value) for value in inclusion["proof"]],
        bytes.fromhex(inclusion["root_hash"]),
    )

    consistency = runner.invoke(app, ["log", "prove", "--consistency", "2", "3"])
    assert consistency.exit_code == 0, consistency.output
    body = json.loads(consistency.stdout)
    merkle.verify_consistency(
        2,
        3,
        bytes.fromhex(body["old_root_hash"]),
        bytes.fromhex(body["new_root_hash"]),
        [bytes.fromhex(value) for value in body["proof"]],
    )


def _b64hex(value: str) -> str:
    return base64.b64decode(value).hex()


def test_tampered_checkpoints_do_not_verify(runner: CliRunner, tmp_path: Path) -> None:
    _, cp1 = _append(runner, tmp_path, ENTRIES, "two.json")
    _, cp2 = _append(runner, tmp_path, ENTRIES[:1], "one.json")
    lines = Path(cp2).read_text().split("\n")
    lines[1] = "2"  # claims another size under the same signature
    forged = tmp_path / "forged"
    forged.write_text("\n".join(lines))
    result = runner.invoke(app, ["log", "verify", str(forged)])
    assert result.exit_code == 1
    assert "invalid signature" in result.output
    assert "Traceback" not in result.output

    swapped = runner.invoke(app, ["log", "verify", cp1, "--old", cp2])
    assert swapped.exit_code == 1
    assert "larger than the new one" in swapped.output

    stranger = Signer.generate("stockade.local/log").verifier().vkey
    unknown = runner.invoke(app, ["log", "verify", cp2, "--key", stranger])
    assert unknown.exit_code == 1
    assert "no verifiable signatures" in unknown.output


def test_a_checkpoint_of_another_log_state_fails(runner: CliRunner, tmp_path: Path) -> None:
    # A correctly signed checkpoint whose root the store does not have: the store was rewritten.
    _append(runner, tmp_path, ENTRIES, "two.json")
    signer_file = tmp_path / "data" / "log" / "log.skey"
    signer = Signer.from_skey(signer_file.read_text())
    other = Checkpoint("stockade.local/log", 2, merkle.leaf_hash(b"rewritten")).sign([signer])
    path = tmp_path / "other"
    path.write_text(other)
    result = runner.invoke(app, ["log", "verify", str(path)])
    assert result.exit_code == 1
    assert "differs from the checkpoint" in result.output
    bigger = Checkpoint("stockade.local/log", 9, merkle.leaf_hash(b"x")).sign([signer])
    path.write_text(bigger)
    result = runner.invoke(app, ["log", "verify", str(path)])
    assert result.exit_code == 1
    assert "only 2" in result.output


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["log", "verify", "GARBAGE"], None, "malformed note"),
        (["log", "verify", "MISSING"], None, "cannot read checkpoint"),
        (["log", "append", "-"], "{not json", "not valid JSON"),
        (["log", "append", "-"], "[]", "no entries"),
        (["log", "append", "-"], '[{"kind": "attestation"}, {"kind": 3}]', "entry 1: "),
        (["log", "prove", "--index", "7"], None, "outside a tree of 2"),
        (["log", "prove", "--consistency", "0", "2"], None, "meaningless"),
        (["log", "prove"], None, "give either --index"),
        (["log", "verify", "CP", "--key", "not+a+key"], None, "verifier key"),
    ],
)
def test_unusable_input_exits_2(
    runner: CliRunner, tmp_path: Path, args: list[str], stdin: str | None, message: str
) -> None:
    _, cp1 = _append(runner, tmp_path, ENTRIES, "two.json")
    garbage = tmp_path / "garbage"
    garbage.write_text("this is not a note\n")
    replaced = [
        {"GARBAGE": str(garbage), "MISSING": str(tmp_path / "nope"), "CP": cp1}.get(a, a)
        for a in args
    ]
    result = runner.invoke(app, replaced, input=stdin)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) <= 2  # the message, maybe a hint


def test_verify_without_any_key_and_oversized_input_exit_2(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    note = Checkpoint("stockade.local/log", 0, merkle.EMPTY_ROOT).sign(
        [Signer.generate("stockade.local/log")]
    )
    path = tmp_path / "cp"
    path.write_text(note)
    result = runner.invoke(app, ["log", "verify", str(path)])
    assert result.exit_code == 2
    assert "no verifier key" in result.output

    import stockade.cli.provenance_log as module

    monkeypatch.setattr(module, "MAX_INPUT_BYTES", 64)
    result = runner.invoke(app, ["log", "append", "-"], input=json.dumps(ENTRIES))
    assert result.exit_code == 2
    assert "larger than 64 bytes" in result.output


def test_full_verify_catches_a_rewritten_entry(runner: CliRunner, tmp_path: Path) -> None:
    many = [dict(ENTRIES[1], subject=f"pkg:npm/p{i}@1.0.0") for i in range(13)]
    _, cp = _append(runner, tmp_path, many, "many.json")
    ok = runner.invoke(app, ["log", "verify", cp, "--full"])
    assert ok.exit_code == 0, ok.output
    assert "all 13 entries checked" in ok.stdout
    forged = (
        b'{"data":{"decision":"allow"},"kind":"policy-decision","subject":"x",'
        b'"timestamp":"2026-11-22T03:00:00.000000Z"}'
    )
    engine = create_engine(f"sqlite:///{tmp_path / 'data' / 'stockade.db'}")
    with engine.begin() as conn:
        conn.execute(
            text("UPDATE log_entry SET body = :body, leaf_hash = :leaf WHERE idx = 6"),
            {"body": forged.decode(), "leaf": merkle.leaf_hash(forged)},
        )
    engine.dispose()
    quick = runner.invoke(app, ["log", "verify", cp])
    assert quick.exit_code == 0  # the stored nodes still give the signed root
    full = runner.invoke(app, ["log", "verify", cp, "--full"])
    assert full.exit_code == 1
    assert "another root" in full.output
