"""The tamper-evident log in the store: append-only entries, every complete subtree's hash,
the head, and signed checkpoints.

Each append writes the entry's leaf and the hash of every subtree the leaf completes, so a root
or a proof reads O(log n) nodes (:mod:`stockade.provenance.log.merkle`). Appenders are
serialised by updating the one ``log_state`` row first: a row lock on PostgreSQL, the write lock
on SQLite.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Table, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from stockade.errors import InputError, StoreError, VerificationFailed
from stockade.provenance.log import merkle
from stockade.provenance.log.checkpoint import Checkpoint
from stockade.provenance.log.note import Signer
from stockade.store.db import Database
from stockade.store.models import LogCheckpointRow, LogEntryRow, LogNodeRow, LogStateRow

_ENTRY_TABLE: Table = LogEntryRow.__table__  # type: ignore[assignment]
_NODE_TABLE: Table = LogNodeRow.__table__  # type: ignore[assignment]
_KIND = re.compile(r"^[a-z][a-z0-9-]{0,63}$")
_STATE_ID = 1
MAX_ENTRY_BYTES = 1 << 20
"""Largest entry body accepted (canonical JSON bytes)."""


class LogEntryError(InputError):
    """An entry given to the log is malformed."""


@dataclass(frozen=True)
class LogEntry:
    """What the log records: a kind (``attestation``, ``policy-decision``...), a subject,
    a timestamp and free JSON data. Its canonical JSON is the leaf's data."""

    kind: str
    subject: str | None
    data: Mapping[str, Any] = field(default_factory=dict)
    timestamp: datetime = field(default_factory=lambda: datetime.now(UTC))

    def to_json(self) -> dict[str, Any]:
        """The entry as a JSON object."""
        ts = self.timestamp.astimezone(UTC)
        return {
            "kind": self.kind,
            "subject": self.subject,
            "timestamp": ts.isoformat(timespec="microseconds").replace("+00:00", "Z"),
            "data": dict(self.data),
        }

    def body(self) -> bytes:
        """The canonical JSON bytes hashed into the leaf (sorted keys, no spaces, UTF-8)."""
        try:
            text = json.dumps(
                self.to_json(),
                sort_keys=True,
                separators=(",", ":"),
                ensure_ascii=False,
                allow_nan=False,
            )
        except (TypeError, ValueError) as exc:
            raise LogEntryError(f"entry data is not plain JSON: {exc}") from exc
        return text.encode()

    @classmethod
    def from_json(cls, value: object, *, now: datetime | None = None) -> LogEntry:
        """An entry from a JSON object (``timestamp`` defaults to ``now``)."""
        if not isinstance(value, dict):
            raise LogEntryError("a log entry must be a JSON object")
        unknown = set(value) - {"kind", "subject", "timestamp", "data"}
        if unknown:
            raise LogEntryError(f"unknown entry field(s): {', '.join(sorted(unknown))}")
        kind = value.get("kind")
        if not isinstance(kind, str) or not _KIND.match(kind):
            raise LogEntryError(
                "entry kind must be lowercase letters, digits and '-' (e.g. 'policy-decision')"
            )
        subject = value.get("subject")
        if subject is not None and not isinstance(subject, str):
            raise LogEntryError("entry subject must be a string")
        data = value.get("data", {})
        if not isinstance(data, dict):
            raise LogEntryError("entry data must be a JSON object")
        raw_ts = value.get("timestamp")
        if raw_ts is None:
            timestamp = now or datetime.now(UTC)
        elif isinstance(raw_ts, str):
            try:
                timestamp = datetime.fromisoformat(raw_ts.replace("Z", "+00:00"))
            except ValueError as exc:
                raise LogEntryError(f"entry timestamp {raw_ts!r} is not RFC 3339") from exc
            if timestamp.tzinfo is None:
                raise LogEntryError(f"entry timestamp {raw_ts!r} has no time zone")
        else:
            raise LogEntryError("entry timestamp must be an RFC 3339 string")
        return cls(kind, subject, data, timestamp)


@dataclass(frozen=True)
class TreeHead:
    """The log's size and root hash."""

    size: int
    root_hash: bytes


@dataclass(frozen=True)
class StoredEntry:
    """An entry as stored: its index, leaf hash and exact body."""

    index: int
    leaf_hash: bytes
    body: bytes

    def entry_json(self) -> Any:
        """The entry's JSON (parsed from the body)."""
        return json.loads(self.body)


@dataclass(frozen=True)
class InclusionProof:
    """An audit path of one leaf in the tree of ``size`` leaves."""

    index: int
    size: int
    leaf_hash: bytes
    hashes: tuple[bytes, ...]
    root_hash: bytes

    def verify(self) -> None:
        """Check the path against the root; raise ``ProofError`` when it does not match."""
        merkle.verify_inclusion(self.index, self.size, self.leaf_hash, self.hashes, self.root_hash)

    def to_json(self) -> dict[str, Any]:
        """The proof as JSON (hashes in hex)."""
        return {
            "type": "inclusion",
            "index": self.index,
            "tree_size": self.size,
            "leaf_hash": self.leaf_hash.hex(),
            "root_hash": self.root_hash.hex(),
            "proof": [value.hex() for value in self.hashes],
        }


@dataclass(frozen=True)
class ConsistencyProof:
    """A proof that the tree of ``new_size`` leaves extends the tree of ``old_size``."""

    old_size: int
    new_size: int
    old_root: bytes
    new_root: bytes
    hashes: tuple[bytes, ...]

    def verify(self) -> None:
        """Check the proof against both roots; raise ``ProofError`` when it does not hold."""
        merkle.verify_consistency(
            self.old_size, self.new_size, self.old_root, self.new_root, self.hashes
        )

    def to_json(self) -> dict[str, Any]:
        """The proof as JSON (hashes in hex)."""
        return {
            "type": "consistency",
            "old_size": self.old_size,
            "new_size": self.new_size,
            "old_root_hash": self.old_root.hex(),
            "new_root_hash": self.new_root.hex(),
            "proof": [value.hex() for value in self.hashes],
        }


@dataclass(frozen=True)
class AppendResult:
    """Where a batch went: the first index, how many, and the new head."""

    first_index: int
    count: int
    head: TreeHead


class LogStore:
    """The append-only Merkle log kept in a :class:`~stockade.store.db.Database`."""

    def __init__(self, db: Database) -> None:
        self.db = db

    # ------------------------------------------------------------------ writing

    def append(self, entry: LogEntry) -> AppendResult:
        """Append one entry."""
        return self.append_many([entry])

    def append_many(self, entries: Iterable[LogEntry]) -> AppendResult:
        """Append entries in order, in one transaction; they get consecutive indexes."""
        batch = list(entries)
        bodies = [entry.body() for entry in batch]
        for position, body in enumerate(bodies):
            if len(body) > MAX_ENTRY_BYTES:
                raise LogEntryError(f"entry {position} is larger than {MAX_ENTRY_BYTES} bytes")
        hashes = [merkle.leaf_hash(body) for body in bodies]
        with self.db.session() as session:
            size = self._lock(session)
            stack = self._compact_range(session, size)
            node_rows: list[dict[str, Any]] = []
            for offset, hashed in enumerate(hashes):
                _push(stack, size + offset, hashed, node_rows)
            entry_rows = [
                {
                    "idx": size + offset,
                    "leaf_hash": hashed,
                    "kind": entry.kind,
                    "subject": entry.subject,
                    "created_at": entry.timestamp,
                    "body": body.decode(),
                }
                for offset, (entry, body, hashed) in enumerate(
                    zip(batch, bodies, hashes, strict=True)
                )
            ]
            new_size = size + len(bodies)
            root = merkle.fold_nodes([value for _level, value in stack])
            _insert_rows(session, _ENTRY_TABLE, entry_rows)
            _insert_rows(session, _NODE_TABLE, node_rows)
            session.execute(
                update(LogStateRow)
                .where(LogStateRow.id == _STATE_ID)
                .values(size=new_size, root_hash=root, updated_at=datetime.now(UTC))
            )
        return AppendResult(size, len(bodies), TreeHead(new_size, root))

    def _lock(self, session: Session) -> int:
        """Take the appenders' lock (the first statement of the transaction); the size."""
        locked = session.execute(
            update(LogStateRow).where(LogStateRow.id == _STATE_ID).values(size=LogStateRow.size)
        )
        if getattr(locked, "rowcount", 1) != 1:
            raise StoreError(
                "the log's state row is missing", hint="the database was not created by Stockade"
            )
        size = session.execute(
            select(LogStateRow.size).where(LogStateRow.id == _STATE_ID)
        ).scalar_one()
        return int(size)

    def _compact_range(self, session: Session, size: int) -> list[tuple[int, bytes]]:
        nodes = merkle.compact_range(size)
        found = _read_nodes(session, nodes)
        missing = [node for node in nodes if node not in found]
        if missing:
            raise StoreError(f"the log is damaged: {len(missing)} tree node(s) are missing")
        return [(level, found[(level, index)]) for level, index in nodes]

    def save_checkpoint(self, signer: Signer, *, origin: str | None = None) -> str:
        """Sign the current head with ``signer`` (origin: the key's name), keep and return it."""
        with self.db.session() as session:
            head = _head(session)
            existing = session.get(LogCheckpointRow, head.size)
            checkpoint = Checkpoint(origin or signer.name, head.size, head.root_hash)
            note = checkpoint.sign([signer])
            if existing is not None:
                if existing.root_hash != head.root_hash:
                    raise VerificationFailed(
                        f"the log's root at size {head.size} differs from its checkpoint"
                    )
                existing.note = note
                existing.created_at = datetime.now(UTC)
            else:
                session.add(
                    LogCheckpointRow(
                        size=head.size,
                        root_hash=head.root_hash,
                        note=note,
                        created_at=datetime.now(UTC),
                    )
                )
        return note

    # ------------------------------------------------------------------ reading

    def head(self) -> TreeHead:
        """The current size and root hash."""
        with self.db.engine.connect() as connection:
            return _head(connection)

    def checkpoint(self, size: int | None = None) -> str | None:
        """The stored signed checkpoint at ``size`` (default: the newest), if any."""
        with self.db.session() as session:
            query = select(LogCheckpointRow.note)
            if size is None:
                query = query.order_by(LogCheckpointRow.size.desc()).limit(1)
            else:
                query = query.where(LogCheckpointRow.size == size)
            return session.execute(query).scalar_one_or_none()

    def root(self, size: int | None = None) -> bytes:
        """The root hash at ``size`` leaves (default: the current size), from O(log n) nodes."""
        with self.db.session() as session:
            head = _head(session)
            size = head.size if size is None else size
            _check_size(size, head.size)
            if size == head.size:
                return head.root_hash
            return merkle.root_from_nodes(size, _reader(session))

    def entry(self, index: int) -> StoredEntry:
        """The stored entry at ``index``."""
        with self.db.session() as session:
            row = session.get(LogEntryRow, index)
            if row is None:
                size = _head(session).size
                raise merkle.MerkleInputError(
                    f"the log has no entry {index} (it has {size} entries)"
                )
            return StoredEntry(row.idx, row.leaf_hash, row.body.encode())

    def inclusion_proof(self, index: int, size: int | None = None) -> InclusionProof:
        """The audit path of entry ``index`` in the tree of ``size`` leaves (default: now)."""
        with self.db.engine.connect() as connection:
            head = _head(connection)
            size = head.size if size is None else size
            _check_size(size, head.size)
            if not 0 <= index < size:
                raise merkle.MerkleInputError(
                    f"entry index {index} is outside a tree of {size} entries"
                )
            wanted = merkle.nodes_of(merkle.inclusion_ranges(index, size))
            wanted.append((0, index))
            if size != head.size:
                wanted.extend(merkle.compact_range(size))
            found = _read_nodes(connection, wanted)
        leaf = found.get((0, index))
        if leaf is None:
            raise StoreError(f"the log is damaged: entry {index} is missing")
        hashes = merkle.inclusion_proof(index, size, _fixed(found))
        root = head.root_hash if size == head.size else merkle.root_from_nodes(size, _fixed(found))
        return InclusionProof(index, size, leaf, tuple(hashes), root)

    def consistency_proof(self, old_size: int, new_size: int | None = None) -> ConsistencyProof:
        """The proof that the tree at ``new_size`` (default: now) extends the one at
        ``old_size``."""
        with self.db.engine.connect() as connection:
            head = _head(connection)
            new_size = head.size if new_size is None else new_size
            _check_size(new_size, head.size)
            wanted = merkle.nodes_of(merkle.consistency_ranges(old_size, new_size))
            wanted.extend(merkle.compact_range(old_size))
            if new_size != head.size:
                wanted.extend(merkle.compact_range(new_size))
            found = _read_nodes(connection, wanted)
        read = _fixed(found)
        hashes = merkle.consistency_proof(old_size, new_size, read)
        old_root = merkle.root_from_nodes(old_size, read)
        new_root = (
            head.root_hash if new_size == head.size else merkle.root_from_nodes(new_size, read)
        )
        return ConsistencyProof(old_size, new_size, old_root, new_root, tuple(hashes))

    def audit(self, size: int | None = None, *, chunk: int = 10_000) -> TreeHead:
        """Recompute the tree at ``size`` (default: now) from the stored entry bodies alone.

        Reads every entry once, in index order, checking that each body hashes to its stored
        leaf and that no index is missing; the returned head's root is what the entries really
        hash to, whatever the stored nodes say. O(n) reads: for a full check against a
        checkpoint, where :meth:`verify_entry` checks one entry in O(log n).
        """
        stack: list[tuple[int, bytes]] = []
        discarded: list[dict[str, Any]] = []
        with self.db.engine.connect() as connection:
            current = _head(connection).size
            size = current if size is None else size
            _check_size(size, current)
            mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
            query = (
                "SELECT idx, leaf_hash, body FROM log_entry "
                f"WHERE idx >= {mark} AND idx < {mark} ORDER BY idx"
            )
            start = 0
            while start < size:
                end = min(start + chunk, size)
                for index, stored, body in connection.exec_driver_sql(query, (start, end)):
                    if int(index) != start:
                        raise merkle.ProofError(f"the log is damaged: entry {start} is missing")
                    hashed = merkle.leaf_hash(str(body).encode())
                    if hashed != bytes(stored):
                        raise merkle.ProofError(
                            f"entry {start} was altered: its body does not hash to its leaf"
                        )
                    _push(stack, start, hashed, discarded)
                    discarded.clear()
                    start += 1
                if start < end:
                    raise merkle.ProofError(f"the log is damaged: entry {start} is missing")
        return TreeHead(size, merkle.fold_nodes([value for _level, value in stack]))

    def verify_entry(self, index: int, size: int, root_hash: bytes) -> StoredEntry:
        """Check that entry ``index`` as stored is in the tree of ``size`` leaves with root
        ``root_hash`` (from a verified checkpoint): its body hashes to its leaf, and the
        audit path from the store leads to that root."""
        stored = self.entry(index)
        if merkle.leaf_hash(stored.body) != stored.leaf_hash:
            raise merkle.ProofError(
                f"entry {index} was altered: its body does not hash to its leaf"
            )
        proof = self.inclusion_proof(index, size)
        merkle.verify_inclusion(index, size, stored.leaf_hash, proof.hashes, root_hash)
        return stored


def _insert_rows(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert ``rows`` in the session's transaction: with COPY on PostgreSQL (psycopg runs an
    executemany as one statement per row), with an executemany elsewhere."""
    if not rows:
        return
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        connection.execute(insert(table), rows)
        return
    columns = list(rows[0])
    driver = connection.connection.driver_connection
    if driver is None:  # pragma: no cover - a pooled connection always has its driver's
        connection.execute(insert(table), rows)
        return
    with driver.cursor() as cursor:
        statement = f"COPY {table.name} ({', '.join(columns)}) FROM STDIN"
        with cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row([row[column] for column in columns])


def _push(
    stack: list[tuple[int, bytes]], index: int, hashed: bytes, node_rows: list[dict[str, Any]]
) -> None:
    """Add leaf ``index`` to the compact range, recording every node it completes."""
    stack.append((0, hashed))
    level = 0
    while len(stack) >= 2 and stack[-2][0] == level:
        (_, left), (_, right) = stack[-2], stack[-1]
        del stack[-2:]
        level += 1
        value = merkle.node_hash(left, right)
        stack.append((level, value))
        node_rows.append({"level": level, "idx": ((index + 1) >> level) - 1, "hash": value})


def _head(source: Session | Connection) -> TreeHead:
    connection = source.connection() if isinstance(source, Session) else source
    row = connection.exec_driver_sql(
        f"SELECT size, root_hash FROM log_state WHERE id = {_STATE_ID}"
    ).first()
    if row is None:
        raise StoreError(
            "the log's state row is missing", hint="the database was not created by Stockade"
        )
    return TreeHead(int(row[0]), bytes(row[1]))


def _check_size(size: int, current: int) -> None:
    if not 0 <= size <= current:
        raise merkle.MerkleInputError(f"tree size {size} is outside 0..{current} (the log's size)")


def _read_nodes(
    source: Session | Connection, nodes: Iterable[merkle.Node]
) -> dict[merkle.Node, bytes]:
    """The stored hashes of ``nodes`` (leaves from log_entry, others from log_node), in one
    query written for the driver: an ORM expression would cost more than the reads."""
    leaves = sorted({index for level, index in nodes if level == 0})
    inner = sorted({(level, index) for level, index in nodes if level > 0})
    if not leaves and not inner:
        return {}
    connection = source.connection() if isinstance(source, Session) else source
    mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    parts: list[str] = []
    params: list[int] = []
    if leaves:
        marks = ", ".join([mark] * len(leaves))
        parts.append(f"SELECT 0, idx, leaf_hash FROM log_entry WHERE idx IN ({marks})")
        params.extend(leaves)
    if inner:
        condition = " OR ".join([f"(level = {mark} AND idx = {mark})"] * len(inner))
        parts.append(f"SELECT level, idx, hash FROM log_node WHERE {condition}")
        for level, index in inner:
            params.extend((level, index))
    rows = connection.exec_driver_sql(" UNION ALL ".join(parts), tuple(params))
    return {(int(level), int(index)): bytes(value) for level, index, value in rows}


def _fixed(found: Mapping[merkle.Node, bytes]) -> merkle.NodeReader:
    """A reader over hashes already read."""

    def read(nodes: Sequence[merkle.Node]) -> Mapping[merkle.Node, bytes]:
        return found

    return read


def _reader(session: Session) -> merkle.NodeReader:
    def read(nodes: Sequence[merkle.Node]) -> Mapping[merkle.Node, bytes]:
        return _read_nodes(session, nodes)

    return read


__all__ = [
    "MAX_ENTRY_BYTES",
    "AppendResult",
    "ConsistencyProof",
    "InclusionProof",
    "LogEntry",
    "LogEntryError",
    "LogStore",
    "StoredEntry",
    "TreeHead",
]
