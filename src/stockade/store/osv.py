"""The local OSV database: bulk import of OSV records, lookups, and a vulnerability source.

Records are stored whole (their raw JSON) next to the columns used for lookups: the affected
packages by normalised name, and every alias. Imports are all-or-nothing and upsert by id on
``modified``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from stockade.ecosystems.interface import Ecosystem
from stockade.errors import OSVError, StoreError
from stockade.intel.osv.models import Vulnerability
from stockade.intel.osv.source import PackageQuery
from stockade.store.db import Database
from stockade.store.models import AffectedPackageRow, AliasRow, MetaRow, VulnerabilityRow

_WRITE_CHUNK = 1000
"""Records written per round of bulk inserts."""
_IN_CHUNK = 500
"""Values per ``IN (...)`` clause (well under SQLite's bound-parameter limit)."""
_CACHE_SIZE = 20_000
"""Parsed records kept in memory between lookups."""

_VULNERABILITY = VulnerabilityRow.metadata.tables[VulnerabilityRow.__tablename__]
_AFFECTED = AffectedPackageRow.metadata.tables[AffectedPackageRow.__tablename__]
_ALIAS = AliasRow.metadata.tables[AliasRow.__tablename__]


@dataclass(frozen=True, slots=True)
class ImportStats:
    """What an import did: records added, updated (newer ``modified``) or left unchanged."""

    added: int = 0
    """Records not stored before."""
    updated: int = 0
    """Stored records replaced by a newer version."""
    unchanged: int = 0
    """Records skipped because the stored one is as new or newer."""
    withdrawn: int = 0
    """Records read that are withdrawn (stored, but never matched)."""

    @property
    def total(self) -> int:
        """Every record read."""
        return self.added + self.updated + self.unchanged


@dataclass(frozen=True, slots=True)
class StoreStats:
    """What the local database holds."""

    total: int
    """Stored records."""
    malicious: int
    """Malicious-package records (``MAL-`` ids)."""
    withdrawn: int
    """Withdrawn records."""
    by_ecosystem: Mapping[str, int] = field(default_factory=dict)
    """Records affecting each ecosystem, as OSV spells it."""
    last_imported: datetime | None = None
    """When a record was last written."""


def name_key(ecosystem: str, name: str) -> str:
    """The lookup form of a package name: the ecosystem's normalisation, else lower case."""
    try:
        eco = Ecosystem(ecosystem)
    except ValueError:
        return name.strip().lower()
    from stockade.ecosystems import get

    return get(eco).normalize_name(name)


def _chunks(values: Sequence[str], size: int = _IN_CHUNK) -> Iterator[Sequence[str]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class OSVStore:
    """OSV records in a :class:`~stockade.store.db.Database`."""

    def __init__(self, db: Database) -> None:
        self.db = db
        """The database."""
        self._cache: dict[str, tuple[datetime, Vulnerability]] = {}

    @classmethod
    def open(cls, url: str | None = None) -> OSVStore:
        """The store in the database at ``url`` (default: Stockade's own)."""
        return cls(Database.open(url))

    # -- writing ---------------------------------------------------------------------------

    def import_records(
        self,
        records: Iterable[Vulnerability],
        *,
        source: str,
        progress: Callable[[int], None] | None = None,
    ) -> ImportStats:
        """Upsert ``records`` in one transaction: all are written, or none if one fails.

        A record replaces the stored one with the same id only when its ``modified`` is newer.
        ``progress`` is called with the number of records read so far, every 1,000 records
        and at the end.
        """
        added = updated = unchanged = withdrawn = seen = 0
        imported_at = datetime.now(UTC)
        self._cache.clear()
        try:
            with self.db.session() as session:
                known: dict[str, datetime] = {
                    row_id: _utc(modified)
                    for row_id, modified in session.execute(
                        select(VulnerabilityRow.id, VulnerabilityRow.modified)
                    )
                }
                pending: dict[str, Vulnerability] = {}
                replaced: list[str] = []
                for record in records:
                    seen += 1
                    if record.is_withdrawn:
                        withdrawn += 1
                    modified = _utc(record.modified)
                    stored = known.get(record.id)
                    if stored is not None and modified <= stored:
                        unchanged += 1
                    else:
                        if stored is None:
                            added += 1
                        else:
                            updated += 1
                            if record.id not in pending:
                                replaced.append(record.id)
                        known[record.id] = modified
                        pending[record.id] = record
                    if len(pending) >= _WRITE_CHUNK:
                        self._write(session, pending.values(), replaced, source, imported_at)
                        pending.clear()
                        replaced.clear()
                    if progress is not None and seen % _WRITE_CHUNK == 0:
                        progress(seen)
                self._write(session, pending.values(), replaced, source, imported_at)
        finally:
            self._cache.clear()
        if progress is not None and (seen == 0 or seen % _WRITE_CHUNK):
            progress(seen)
        return ImportStats(added=added, updated=updated, unchanged=unchanged, withdrawn=withdrawn)

    @staticmethod
    def _write(
        session: Session,
        records: Collection[Vulnerability],
        replaced: Sequence[str],
        source: str,
        imported_at: datetime,
    ) -> None:
        for ids in _chunks(replaced):
            session.execute(
                delete(AffectedPackageRow).where(AffectedPackageRow.vulnerability_id.in_(ids))
            )
            session.execute(delete(AliasRow).where(AliasRow.vulnerability_id.in_(ids)))
            session.execute(delete(VulnerabilityRow).where(VulnerabilityRow.id.in_(ids)))
        if not records:
            return
        vulns: list[dict[str, Any]] = []
        affected: list[dict[str, Any]] = []
        aliases: list[dict[str, Any]] = []
        for record in records:
            vulns.append(
                {
                    "id": record.id,
                    "modified": record.modified,
                    "published": record.published,
                    "withdrawn": record.withdrawn,
                    "is_malicious": record.is_malicious,
                    "summary": record.summary,
                    "aliases": list(record.aliases),
                    "raw": record.model_dump(mode="json", exclude_unset=True),
                    "source": source,
                    "imported_at": imported_at,
                }
            )
            packages: dict[tuple[str, str], str] = {}
            for entry in record.affected:
                if entry.package is None:
                    continue
                eco, name = entry.package.ecosystem, entry.package.name
                packages.setdefault((eco, name), name_key(eco, name))
            affected.extend(
                {"vulnerability_id": record.id, "ecosystem": eco, "name": name, "name_key": key}
                for (eco, name), key in packages.items()
            )
            aliases.extend(
                {"alias": alias, "vulnerability_id": record.id}
                for alias in dict.fromkeys(record.aliases)
                if alias != record.id
            )
        session.execute(insert(_VULNERABILITY), vulns)
        if affected:
            session.execute(insert(_AFFECTED), affected)
        if aliases:
            session.execute(insert(_ALIAS), aliases)

    # -- reading ---------------------------------------------------------------------------

    def get(self, id_or_alias: str) -> Vulnerability | None:
        """The record with this id, else one that has it as an alias (``CVE-…``)."""
        with self.db.session() as session:
            row = session.execute(
                select(VulnerabilityRow.id, VulnerabilityRow.modified, VulnerabilityRow.raw).where(
                    VulnerabilityRow.id == id_or_alias
                )
            ).first()
            if row is None:
                row = session.execute(
                    select(VulnerabilityRow.id, VulnerabilityRow.modified, VulnerabilityRow.raw)
                    .join(AliasRow, AliasRow.vulnerability_id == VulnerabilityRow.id)
                    .where(AliasRow.alias == id_or_alias)
                    .order_by(VulnerabilityRow.id)
                    .limit(1)
                ).first()
        if row is None:
            return None
        return self._model(row[0], row[1], row[2])

    def count(self) -> int:
        """How many records are stored."""
        with self.db.session() as session:
            return session.execute(select(func.count()).select_from(VulnerabilityRow)).scalar_one()

    def stats(self) -> StoreStats:
        """Counts of stored records: total, malicious, withdrawn and per ecosystem."""
        with self.db.session() as session:
            total, malicious, withdrawn, last = session.execute(
                select(
                    func.count(),
                    func.count().filter(VulnerabilityRow.is_malicious.is_(True)),
                    func.count(VulnerabilityRow.withdrawn),
                    func.max(VulnerabilityRow.imported_at),
                ).select_from(VulnerabilityRow)
            ).one()
            per_eco = session.execute(
                select(
                    AffectedPackageRow.ecosystem,
                    func.count(AffectedPackageRow.vulnerability_id.distinct()),
                )
                .group_by(AffectedPackageRow.ecosystem)
                .order_by(AffectedPackageRow.ecosystem)
            ).all()
        return StoreStats(
            total=total,
            malicious=malicious,
            withdrawn=withdrawn,
            by_ecosystem={str(eco): int(n) for eco, n in per_eco},
            last_imported=_utc(last) if last is not None else None,
        )

    def candidates(
        self,
        ecosystem: Ecosystem | str,
        names: Collection[str],
        *,
        include_withdrawn: bool = False,
    ) -> dict[str, list[Vulnerability]]:
        """The records naming each package (by normalised name), before any version check.

        Every name given gets a key, with the records sorted by id; withdrawn records are left
        out unless ``include_withdrawn``.
        """
        eco = str(ecosystem)
        wanted: dict[str, list[str]] = defaultdict(list)
        for name in names:
            wanted[name_key(eco, name)].append(name)
        found: dict[str, dict[str, Vulnerability]] = defaultdict(dict)
        with self.db.session() as session:
            for keys in _chunks(sorted(wanted)):
                query = (
                    select(
                        AffectedPackageRow.name_key,
                        VulnerabilityRow.id,
                        VulnerabilityRow.modified,
                        VulnerabilityRow.raw,
                    )
                    .join(
                        VulnerabilityRow, VulnerabilityRow.id == AffectedPackageRow.vulnerability_id
                    )
                    .where(
                        AffectedPackageRow.ecosystem == eco, AffectedPackageRow.name_key.in_(keys)
                    )
                )
                if not include_withdrawn:
                    query = query.where(VulnerabilityRow.withdrawn.is_(None))
                for key, vuln_id, modified, raw in session.execute(query):
                    found[key][vuln_id] = self._model(vuln_id, modified, raw)
        result: dict[str, list[Vulnerability]] = {}
        for key, given in wanted.items():
            records = [found[key][vuln_id] for vuln_id in sorted(found.get(key, {}))]
            for name in given:
                result[name] = list(records)
        return result

    def _model(self, vuln_id: str, modified: datetime, raw: dict[str, Any]) -> Vulnerability:
        """The record rebuilt from its raw JSON (cached by id and ``modified``)."""
        modified = _utc(modified)
        cached = self._cache.get(vuln_id)
        if cached is not None and cached[0] == modified:
            return cached[1]
        record = Vulnerability.model_validate(raw)
        if len(self._cache) >= _CACHE_SIZE:
            self._cache.clear()
        self._cache[vuln_id] = (modified, record)
        return record

    # -- state -----------------------------------------------------------------------------

    def get_meta(self, key: str) -> str | None:
        """A stored state value (sync ETag, last sync time), or ``None``."""
        with self.db.session() as session:
            return session.execute(select(MetaRow.value).where(MetaRow.key == key)).scalar()

    def set_meta(self, key: str, value: str) -> None:
        """Store a state value, replacing any previous one."""
        with self.db.session() as session:
            row = session.get(MetaRow, key)
            now = datetime.now(UTC)
            if row is None:
                session.add(MetaRow(key=key, value=value, updated_at=now))
            else:
                row.value = value
                row.updated_at = now


class LocalOSVSource:
    """The :class:`~stockade.intel.osv.source.VulnerabilitySource` of the local database."""

    def __init__(self, store: OSVStore) -> None:
        self.store = store
        """The store queried."""
        count = store.count()
        self.name = f"local OSV database ({count:,} record{'' if count == 1 else 's'})"
        """A short description for reports."""

    @classmethod
    def open(cls, url: str | None = None) -> LocalOSVSource:
        """The source over the database at ``url`` (default: Stockade's own)."""
        return cls(OSVStore.open(url))

    async def available(self) -> bool:
        """Whether the database holds any record."""
        return self.store.count() > 0

    async def query(
        self, packages: Sequence[PackageQuery]
    ) -> Mapping[PackageQuery, list[Vulnerability]]:
        """The non-withdrawn records affecting each package version (every query gets a key)."""
        from stockade.intel.osv.matching import affects

        result: dict[PackageQuery, list[Vulnerability]] = {pkg: [] for pkg in packages}
        by_ecosystem: dict[Ecosystem, set[str]] = defaultdict(set)
        for pkg in packages:
            by_ecosystem[pkg.ecosystem].add(pkg.name)
        for eco, names in by_ecosystem.items():
            try:
                candidates = self.store.candidates(eco, names)
            except StoreError as exc:
                raise OSVError(
                    f"the local OSV database cannot be read: {exc}", hint=exc.hint
                ) from exc
            for pkg in packages:
                if pkg.ecosystem != eco:
                    continue
                result[pkg] = [
                    record
                    for record in candidates.get(pkg.name, [])
                    if affects(record, eco, pkg.name, pkg.version)
                ]
        return result


__all__ = ["ImportStats", "LocalOSVSource", "OSVStore", "StoreStats", "name_key"]
