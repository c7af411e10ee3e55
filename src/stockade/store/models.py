"""The store's tables as typed SQLAlchemy 2 declarative models.

Portable types only (``JSON``, ``DateTime(timezone=True)``), so that the same models serve
SQLite and PostgreSQL. The Alembic revisions under ``migrations/versions`` create exactly these.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
    String,
    Text,
    TypeDecorator,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
"""Deterministic constraint names, shared by the models and the migrations."""


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware timestamp stored in UTC; naive values read back are taken as UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    """The declarative base of every store table."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON(), list[str]: JSON()}


class VulnerabilityRow(Base):
    """One OSV record, with its raw JSON and where it was imported from."""

    __tablename__ = "vulnerability"

    id: Mapped[str] = mapped_column(String(255), primary_key=True)
    modified: Mapped[datetime]
    published: Mapped[datetime | None]
    withdrawn: Mapped[datetime | None]
    is_malicious: Mapped[bool] = mapped_column(Boolean)
    summary: Mapped[str | None] = mapped_column(Text)
    aliases: Mapped[list[str]]
    raw: Mapped[dict[str, Any]]
    source: Mapped[str] = mapped_column(Text)
    imported_at: Mapped[datetime]

    affected: Mapped[list[AffectedPackageRow]] = relationship(
        back_populates="vulnerability", cascade="all, delete-orphan", passive_deletes=True
    )
    alias_rows: Mapped[list[AliasRow]] = relationship(
        back_populates="vulnerability", cascade="all, delete-orphan", passive_deletes=True
    )


class AffectedPackageRow(Base):
    """One package a record affects; ``name_key`` is the normalised name used for lookups."""

    __tablename__ = "affected_package"
    __table_args__ = (Index("ix_affected_package_ecosystem_name_key", "ecosystem", "name_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    vulnerability_id: Mapped[str] = mapped_column(
        String(255), ForeignKey("vulnerability.id", ondelete="CASCADE"), index=True
    )
    ecosystem: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(Text)
    name_key: Mapped[str] = mapped_column(Text)

    vulnerability: Mapped[VulnerabilityRow] = relationship(back_populates="affected")


class AliasRow(Base):
    """Another id of a record (``CVE-…``, ``GHSA-…``), for finding it by any of its ids.

    The primary key (alias, vulnerability_id) is the index for lookups by alias.
    """

    __tablename__ = "alias"

    alias: Mapped[str] = mapped_column(String(255), primary_key=True)
    vulnerability_id: Mapped[str] = mapped_column(
        String(255),
        ForeignKey("vulnerability.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    )

    vulnerability: Mapped[VulnerabilityRow] = relationship(back_populates="alias_rows")


class MetaRow(Base):
    """A key/value pair of store state (sync ETags, last sync time per source)."""

    __tablename__ = "meta"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime]


class PackageRow(Base):
    """A package seen by scoring, described by the facts of its latest version seen.

    ``repository_key`` is the normalised source repository
    (:func:`stockade.store.scores.normalize_repository`), indexed for the same-origin question.
    """

    __tablename__ = "package"

    ecosystem: Mapped[str] = mapped_column(String(255), primary_key=True)
    name: Mapped[str] = mapped_column(Text, primary_key=True)
    version: Mapped[str] = mapped_column(Text)
    """The version whose facts describe the package: the latest seen."""
    latest: Mapped[str | None] = mapped_column(Text)
    """The version the registry called latest in those facts."""
    repository_key: Mapped[str | None] = mapped_column(Text, index=True)
    summary: Mapped[str | None] = mapped_column(Text)
    popularity: Mapped[int | None] = mapped_column(BigInteger)
    updated_at: Mapped[datetime]
    """When the facts describing the package were gathered."""

    terms: Mapped[list[PackageTermRow]] = relationship(
        back_populates="package", cascade="all, delete-orphan", passive_deletes=True
    )


class PackageTermRow(Base):
    """A keyword (lower case) or classifier of a package's latest facts, for similar packages.

    Indexed by (ecosystem, term) for the look-up of packages sharing terms.
    """

    __tablename__ = "package_term"
    __table_args__ = (
        ForeignKeyConstraint(
            ["ecosystem", "name"],
            ["package.ecosystem", "package.name"],
            ondelete="CASCADE",
        ),
        Index("ix_package_term_ecosystem_term", "ecosystem", "term"),
    )

    ecosystem: Mapped[str] = mapped_column(String(255), primary_key=True)
    name: Mapped[str] = mapped_column(Text, primary_key=True)
    term: Mapped[str] = mapped_column(Text, primary_key=True)

    package: Mapped[PackageRow] = relationship(back_populates="terms")


class PackageFactsRow(Base):
    """The facts gathered for one package version (``PackageFacts.to_json()``)."""

    __tablename__ = "package_facts"

    ecosystem: Mapped[str] = mapped_column(String(255), primary_key=True)
    name: Mapped[str] = mapped_column(Text, primary_key=True)
    version: Mapped[str] = mapped_column(Text, primary_key=True)
    facts: Mapped[dict[str, Any]]
    fetched_at: Mapped[datetime]
    """``PackageFacts.as_of``."""


class TrustReportRow(Base):
    """The trust report of one package version (``TrustReport.to_json()``) and its score.

    Indexed on ``computed_at`` so that an interrupted run can resume.
    """

    __tablename__ = "trust_report"

    ecosystem: Mapped[str] = mapped_column(String(255), primary_key=True)
    name: Mapped[str] = mapped_column(Text, primary_key=True)
    version: Mapped[str] = mapped_column(Text, primary_key=True)
    score: Mapped[float | None] = mapped_column(Float)
    report: Mapped[dict[str, Any]]
    computed_at: Mapped[datetime] = mapped_column(index=True)


LOG_INDEX = BigInteger().with_variant(Integer(), "sqlite")
"""A log position: BIGINT, but SQLite's INTEGER so that it is the table's rowid."""


class LogEntryRow(Base):
    """One entry of the tamper-evident log (:mod:`stockade.store.log`).

    ``body`` holds the exact bytes hashed into the leaf (canonical JSON of kind, subject,
    timestamp and data); ``kind``, ``subject`` and ``created_at`` repeat them for queries.
    """

    __tablename__ = "log_entry"

    idx: Mapped[int] = mapped_column(LOG_INDEX, primary_key=True, autoincrement=False)
    leaf_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    kind: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    body: Mapped[str] = mapped_column(Text)


class LogNodeRow(Base):
    """The hash of a complete subtree of the log above the leaves: ``2**level`` leaves
    starting at leaf ``idx * 2**level``. Written once, when its last leaf is appended."""

    __tablename__ = "log_node"

    level: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    idx: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    hash: Mapped[bytes] = mapped_column(LargeBinary(32))


class LogStateRow(Base):
    """The log's head (one row, id 1): its size and root; appenders lock this row."""

    __tablename__ = "log_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    size: Mapped[int] = mapped_column(BigInteger)
    root_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    updated_at: Mapped[datetime]


class LogCheckpointRow(Base):
    """A signed checkpoint (C2SP signed note) of the log at one size."""

    __tablename__ = "log_checkpoint"

    size: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    root_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    note: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]


__all__ = [
    "AffectedPackageRow",
    "AliasRow",
    "Base",
    "LogCheckpointRow",
    "LogEntryRow",
    "LogNodeRow",
    "LogStateRow",
    "MetaRow",
    "PackageFactsRow",
    "PackageRow",
    "PackageTermRow",
    "TrustReportRow",
    "UTCDateTime",
    "VulnerabilityRow",
]
