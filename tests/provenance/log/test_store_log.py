"""The log in the store, on SQLite and PostgreSQL: appends, roots, proofs, checkpoints,
tampering and concurrent appenders."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text, update

from stockade.errors import InputError, VerificationFailed
from stockade.provenance.log import merkle
from stockade.provenance.log.checkpoint import open_checkpoint
from stockade.provenance.log.note import Signer
from stockade.store.db import Database
from stockade.store.log import LogEntry, LogEntryError, LogStore
from stockade.store.models import LogEntryRow, LogNodeRow
from tests.store.conftest import db, db_url  # noqa: F401  (fixtures on both backends)

WHEN = datetime(2026, 11, 22, 3, 0, tzinfo=UTC)


def _entries(start: int, count: int) -> list[LogEntry]:
    return [
        LogEntry(
            "policy-decision" if i % 3 else "attestation",
            f"pkg:pypi/demo-{i}@1.0",
            {"decision": "allow" if i % 2 else "deny", "score": i % 11},
            WHEN,
        )
        for i in range(start, start + count)
    ]


@pytest.fixture
def log(db: Database) -> Iterator[LogStore]:  # noqa: F811
    yield LogStore(db)


def test_empty_log_has_the_empty_root(log: LogStore) -> None:
    head = log.head()
    assert (head.size, head.root_hash) == (0, merkle.EMPTY_ROOT)
    with pytest.raises(InputError, match="outside a tree of 0"):
        log.inclusion_proof(0)


def test_batches_build_the_rfc_9162_tree(log: LogStore) -> None:
    tree = merkle.MemoryTree()
    start = 0
    for count in (1, 1, 3, 8, 21, 1, 30):
        entries = _entries(start, count)
        result = log.append_many(entries)
        assert (result.first_index, result.count) == (start, count)
        for entry in entries:
            tree.append(merkle.leaf_hash(entry.body()))
        start += count
        assert result.head.size == tree.size
        assert result.head.root_hash == tree.root()
    for size in range(1, tree.size + 1):
        assert log.root(size) == tree.root(size)
    stored = log.entry(9)
    assert stored.entry_json()["subject"] == "pkg:pypi/demo-9@1.0"
    assert stored.entry_json()["timestamp"] == "2026-11-22T03:00:00.000000Z"
    assert merkle.leaf_hash(stored.body) == stored.leaf_hash == tree.levels[0][9]


GROWN = 333


@pytest.fixture
def grown(log: LogStore) -> tuple[LogStore, merkle.MemoryTree]:
    """A log of 333 entries appended in uneven batches, and the same tree in memory."""
    tree = merkle.MemoryTree()
    start = 0
    for count in (1, 2, 5, 64, 7, 128, 3, 100, 23):
        entries = _entries(start, count)
        log.append_many(entries)
        for entry in entries:
            tree.append(merkle.leaf_hash(entry.body()))
        start += count
    assert start == GROWN
    return log, tree


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.data())
def test_store_proofs_verify_for_random_sizes(
    grown: tuple[LogStore, merkle.MemoryTree], data: st.DataObject
) -> None:
    log, tree = grown
    size = data.draw(st.integers(1, GROWN), label="size")
    index = data.draw(st.integers(0, size - 1), label="index")
    proof = log.inclusion_proof(index, size)
    assert proof.root_hash == log.root(size) == tree.root(size)
    assert proof.leaf_hash == tree.levels[0][index]
    proof.verify()
    old = data.draw(st.integers(1, size), label="old")
    consistency = log.consistency_proof(old, size)
    assert (consistency.old_root, consistency.new_root) == (tree.root(old), tree.root(size))
    consistency.verify()
    latest = log.consistency_proof(old)
    assert latest.new_root == tree.root()
    latest.verify()


def test_checkpoints_are_signed_kept_and_verify(log: LogStore) -> None:
    signer = Signer.generate("example.test/log")
    log.append_many(_entries(0, 5))
    first = log.save_checkpoint(signer)
    log.append_many(_entries(5, 6))
    second = log.save_checkpoint(signer)
    assert log.checkpoint() == second
    assert log.checkpoint(5) == first
    old = open_checkpoint(first, [signer.verifier()]).checkpoint
    new = open_checkpoint(second, [signer.verifier()], origin="example.test/log").checkpoint
    assert (old.size, new.size) == (5, 11)
    proof = log.consistency_proof(old.size, new.size)
    merkle.verify_consistency(old.size, new.size, old.root_hash, new.root_hash, proof.hashes)
    other = Signer.generate("example.test/log")
    with pytest.raises(VerificationFailed, match="no verifiable signatures"):
        open_checkpoint(second, [other.verifier()])


def test_tampering_with_a_stored_leaf_is_detected(log: LogStore, db: Database) -> None:  # noqa: F811
    log.append_many(_entries(0, 13))
    head = log.head()
    log.verify_entry(6, head.size, head.root_hash)
    with db.session() as session:  # rewrite the body only
        session.execute(
            update(LogEntryRow).where(LogEntryRow.idx == 6).values(body='{"kind":"forged"}')
        )
    with pytest.raises(merkle.ProofError, match="altered"):
        log.verify_entry(6, head.size, head.root_hash)
    forged = LogEntry("policy-decision", "pkg:pypi/evil@1.0", {"decision": "allow"}, WHEN)
    with db.session() as session:  # rewrite body and leaf hash together
        session.execute(
            update(LogEntryRow)
            .where(LogEntryRow.idx == 6)
            .values(body=forged.body().decode(), leaf_hash=merkle.leaf_hash(forged.body()))
        )
    with pytest.raises(merkle.ProofError, match="gives root"):
        log.verify_entry(6, head.size, head.root_hash)
    with db.session() as session:  # an interior node rewritten: other leaves' proofs break
        session.execute(
            update(LogNodeRow)
            .where(LogNodeRow.level == 1, LogNodeRow.idx == 0)
            .values(hash=merkle.leaf_hash(b"x"))
        )
    with pytest.raises(merkle.ProofError):
        log.verify_entry(2, head.size, head.root_hash)  # (1, 0) is on its audit path


def test_concurrent_appenders_do_not_corrupt_the_tree(log: LogStore, db: Database) -> None:  # noqa: F811
    url = db.engine.url.render_as_string(hide_password=False)
    errors: list[BaseException] = []

    def appender(worker: int) -> None:
        try:
            with Database.open(url) as own:
                store = LogStore(own)
                for batch in range(6):
                    store.append_many(_entries(worker * 1000 + batch * 10, 10))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=appender, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    with db.session() as session:
        rows = session.execute(text("SELECT idx, leaf_hash, body FROM log_entry ORDER BY idx"))
        leaves = [(int(i), bytes(h), b) for i, h, b in rows]
    assert [i for i, _, _ in leaves] == list(range(240))
    assert all(merkle.leaf_hash(body.encode()) == value for _, value, body in leaves)
    tree = merkle.MemoryTree(value for _, value, _ in leaves)
    head = log.head()
    assert (head.size, head.root_hash) == (240, tree.root())
    for index in (0, 77, 239):
        log.verify_entry(index, head.size, head.root_hash)


def test_bad_entries_are_refused() -> None:
    with pytest.raises(LogEntryError, match="kind"):
        LogEntry.from_json({"kind": "Policy Decision"})
    with pytest.raises(LogEntryError, match="unknown entry field"):
        LogEntry.from_json({"kind": "attestation", "extra": 1})
    with pytest.raises(LogEntryError, match="no time zone"):
        LogEntry.from_json({"kind": "attestation", "timestamp": "2026-01-01T00:00:00"})
    with pytest.raises(LogEntryError, match="JSON object"):
        LogEntry.from_json(["attestation"])
    with pytest.raises(LogEntryError, match="plain JSON"):
        LogEntry("attestation", None, {"x": float("nan")}).body()
    entry = LogEntry.from_json(
        {"kind": "attestation", "subject": "sha256:ab", "timestamp": "2026-11-22T03:00:00Z"}
    )
    assert entry.timestamp == WHEN
    assert entry.body() == (
        b'{"data":{},"kind":"attestation","subject":"sha256:ab",'
        b'"timestamp":"2026-11-22T03:00:00.000000Z"}'
    )


def test_audit_recomputes_the_root_from_the_entries(log: LogStore, db: Database) -> None:  # noqa: F811
    log.append_many(_entries(0, 45))
    head = log.head()
    assert log.audit(chunk=7) == head
    assert log.audit(20, chunk=7).root_hash == log.root(20)
    forged = LogEntry("policy-decision", "pkg:pypi/evil@1.0", {"decision": "allow"}, WHEN)
    with db.session() as session:  # body and leaf rewritten: the nodes still give the old root
        session.execute(
            update(LogEntryRow)
            .where(LogEntryRow.idx == 30)
            .values(body=forged.body().decode(), leaf_hash=merkle.leaf_hash(forged.body()))
        )
    assert log.root() == head.root_hash
    assert log.audit(chunk=7).root_hash != head.root_hash
    assert log.audit(30).root_hash == log.root(30)  # the prefix before it is intact
    with db.session() as session:
        session.execute(text("DELETE FROM log_entry WHERE idx >= 40"))
    with pytest.raises(merkle.ProofError, match="entry 40 is missing"):
        log.audit(chunk=100)
    with db.session() as session:
        session.execute(update(LogEntryRow).where(LogEntryRow.idx == 3).values(body="{}"))
    with pytest.raises(merkle.ProofError, match="entry 3 was altered"):
        log.audit(chunk=7)
    with db.session() as session:
        session.execute(text("DELETE FROM log_entry WHERE idx = 2"))
    with pytest.raises(merkle.ProofError, match="entry 2 is missing"):
        log.audit(chunk=7)
