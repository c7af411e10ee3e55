"""``stockade log``: the tamper-evident log (append, checkpoint, prove, verify).

Exit codes: 0 verified, 1 does not verify (a signature, a proof, the store against a
checkpoint), 2 unusable input.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from stockade.errors import InputError, VerificationFailed

MAX_INPUT_BYTES = 16 << 20
"""Largest entry file (or standard input) ``log append`` reads."""

log_app = typer.Typer(
    help="The tamper-evident log: an append-only Merkle tree (RFC 9162) of attestations and "
    "policy decisions, with signed checkpoints (C2SP signed notes).",
    no_args_is_help=True,
)

KeyOption = Annotated[
    Path | None,
    typer.Option(
        "--key",
        help="Signer key file (PRIVATE+KEY+...); default: the log's own key in the data "
        "folder, made on first use.",
    ),
]


def _read_input(source: str, what: str, limit: int | None = None) -> bytes:
    """The bytes of a file, or of standard input for ``-``, within ``limit`` (default
    :data:`MAX_INPUT_BYTES`)."""
    limit = MAX_INPUT_BYTES if limit is None else limit
    if source == "-":
        data = sys.stdin.buffer.read(limit + 1)
        where = "<stdin>"
    else:
        path = Path(source)
        try:
            with path.open("rb") as handle:
                data = handle.read(limit + 1)
        except OSError as exc:
            raise InputError(f"cannot read {what}: {exc.strerror or exc}", path=path) from exc
        where = source
    if len(data) > limit:
        raise InputError(f"{what} is larger than {limit} bytes", path=where)
    return data


def _signer(key: Path | None) -> Any:
    from stockade.provenance.log.keys import load_or_create_signer, load_signer

    return load_signer(key) if key is not None else load_or_create_signer()


def _store() -> Any:
    from stockade.store.db import Database
    from stockade.store.log import LogStore

    return LogStore(Database.open())


def append(
    source: Annotated[
        str,
        typer.Argument(
            help="JSON file with one entry or a list of entries ({kind, subject, data, "
            "timestamp}), or - for standard input.",
            metavar="FILE|-",
        ),
    ],
    key: KeyOption = None,
) -> None:
    """Append entries; print their indexes and the new signed checkpoint."""
    from stockade.store.log import LogEntry

    raw = _read_input(source, "entry file")
    try:
        value = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        line = getattr(exc, "lineno", None)
        raise InputError(f"not valid JSON: {exc}", path=source, line=line) from exc
    items = value if isinstance(value, list) else [value]
    if not items:
        raise InputError("no entries to append", path=source)
    entries = []
    for position, item in enumerate(items):
        try:
            entries.append(LogEntry.from_json(item))
        except InputError as exc:
            where = f"entry {position}: " if isinstance(value, list) else ""
            raise InputError(f"{where}{exc.reason}", path=source) from exc
    signer = _signer(key)
    store = _store()
    result = store.append_many(entries)
    note = store.save_checkpoint(signer)
    last = result.first_index + result.count - 1
    if result.count == 1:
        typer.echo(f"index {result.first_index}")
    else:
        typer.echo(f"indexes {result.first_index}-{last}")
    typer.echo(note, nl=False)


def checkpoint(key: KeyOption = None) -> None:
    """Print the signed checkpoint of the log's current head (signing one if needed)."""
    from stockade.provenance.log.checkpoint import parse_checkpoint_text
    from stockade.provenance.log.note import parse_note

    store = _store()
    head = store.head()
    note = store.checkpoint(head.size)
    if note is not None and key is None:
        stored = parse_checkpoint_text(parse_note(note).text)
        if stored.root_hash == head.root_hash:
            typer.echo(note, nl=False)
            return
    typer.echo(store.save_checkpoint(_signer(key)), nl=False)


def prove(
    index: Annotated[
        int | None, typer.Option("--index", help="Inclusion proof of this entry (0-based).")
    ] = None,
    size: Annotated[
        int | None,
        typer.Option("--size", help="Tree size the inclusion proof is for (default: now)."),
    ] = None,
    consistency: Annotated[
        tuple[int, int] | None,
        typer.Option(
            "--consistency",
            help="Consistency proof between two tree sizes OLD NEW.",
            metavar="OLD NEW",
        ),
    ] = None,
) -> None:
    """Print an inclusion or a consistency proof from the store as JSON."""
    if (index is None) == (consistency is None):
        raise InputError("give either --index N [--size M] or --consistency OLD NEW")
    store = _store()
    if consistency is not None:
        if size is not None:
            raise InputError("--size goes with --index, not with --consistency")
        proof: Any = store.consistency_proof(consistency[0], consistency[1])
    else:
        assert index is not None
        proof = store.inclusion_proof(index, size)
    proof.verify()
    typer.echo(json.dumps(proof.to_json(), indent=2))


def verify(
    checkpoint_file: Annotated[
        str, typer.Argument(help="Signed checkpoint file, or - for standard input.")
    ],
    old: Annotated[
        str | None,
        typer.Option("--old", help="An older signed checkpoint this one must extend."),
    ] = None,
    vkey: Annotated[
        list[str] | None,
        typer.Option(
            "--key",
            help="Verifier key (name+id+key) or a file holding one; repeatable. Default: the "
            "log's own key.",
        ),
    ] = None,
    full: Annotated[
        bool,
        typer.Option(
            "--full",
            help="Also recompute the tree from every stored entry (reads the whole log).",
        ),
    ] = False,
) -> None:
    """Verify a checkpoint: its signature, the log against it, and (--old) consistency.

    The stored log must hold the checkpoint's root at its size; with --old, a consistency
    proof from the store must lead from the old checkpoint's root to the new one's.
    """
    from stockade.provenance.log import merkle
    from stockade.provenance.log.checkpoint import open_checkpoint
    from stockade.provenance.log.keys import load_verifier, own_verifier

    verifiers = [load_verifier(value) for value in vkey or []]
    if not verifiers:
        own = own_verifier()
        if own is None:
            raise InputError(
                "no verifier key: pass --key (the log has no key of its own yet)",
            )
        verifiers = [own]
    new = open_checkpoint(_read_input(checkpoint_file, "checkpoint", 1 << 20), verifiers)
    cp = new.checkpoint
    store = _store()
    head = store.head()
    if cp.size > head.size:
        raise VerificationFailed(
            f"the checkpoint has {cp.size} entries but the log only {head.size} "
            "(entries were removed, or this is another log)"
        )
    if cp.size and store.root(cp.size) != cp.root_hash:
        raise VerificationFailed(f"the log's root at size {cp.size} differs from the checkpoint")
    if full and store.audit(cp.size).root_hash != cp.root_hash:
        raise VerificationFailed(
            f"the stored entries hash to another root at size {cp.size} than the checkpoint's"
        )
    message = f"checkpoint verified: {cp.origin}, size {cp.size}, root {cp.root_hash.hex()}"
    if full:
        message += f"; all {cp.size} entries checked"
    if old is not None:
        previous = open_checkpoint(_read_input(old, "old checkpoint", 1 << 20), verifiers)
        before = previous.checkpoint
        if before.origin != cp.origin:
            raise VerificationFailed(
                f"the checkpoints are of different logs ({before.origin!r}, {cp.origin!r})"
            )
        if before.size > cp.size:
            raise VerificationFailed(
                f"the old checkpoint ({before.size} entries) is larger than the new one "
                f"({cp.size}): pass the older one with --old"
            )
        if before.size == 0:
            if before.root_hash != merkle.EMPTY_ROOT:
                raise VerificationFailed("the old checkpoint of size 0 has a non-empty root")
        else:
            proof = store.consistency_proof(before.size, cp.size)
            merkle.verify_consistency(
                before.size, cp.size, before.root_hash, cp.root_hash, proof.hashes
            )
        message += f"; consistent with size {before.size}"
    typer.echo(message)


def register(app: typer.Typer) -> None:
    """Add the ``log`` sub-app to ``app``."""
    from stockade.cli.main import _handle_errors

    def command(name: str, func: Callable[..., None]) -> None:
        log_app.command(name)(_handle_errors(func))

    command("append", append)
    command("checkpoint", checkpoint)
    command("prove", prove)
    command("verify", verify)
    app.add_typer(log_app, name="log")
