"""Store fixtures: every store test runs on SQLite and on PostgreSQL.

The PostgreSQL server comes from ``STOCKADE_TEST_POSTGRES_URL``; its variant is skipped when the
server cannot be reached. Its Stockade tables are dropped before and after each test.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from stockade.intel.osv.models import Vulnerability
from stockade.store.db import Database, normalize_url
from stockade.store.models import Base
from stockade.store.osv import OSVStore

POSTGRES_URL = os.environ.get(
    "STOCKADE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


@functools.cache
def postgres_unreachable() -> str | None:
    """Why the test PostgreSQL server cannot be used, or None when it can."""
    engine = create_engine(normalize_url(POSTGRES_URL), connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return f"PostgreSQL at STOCKADE_TEST_POSTGRES_URL is unreachable: {first}"
    finally:
        engine.dispose()
    return None


def drop_stockade_tables(url: str) -> None:
    """Remove every Stockade table and the Alembic version table."""
    engine = create_engine(normalize_url(url))
    try:
        with engine.begin() as conn:
            for table in reversed(Base.metadata.sorted_tables):
                conn.execute(text(f'DROP TABLE IF EXISTS "{table.name}" CASCADE'))
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    finally:
        engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A URL of an empty database, on each backend in turn."""
    if request.param == "sqlite":
        folder = tmp_path_factory.mktemp("sqlite")
        yield f"sqlite:///{folder / 'nested' / 'stockade.db'}"
        return
    reason = postgres_unreachable()
    if reason is not None:
        pytest.skip(reason)
    drop_stockade_tables(POSTGRES_URL)
    try:
        yield POSTGRES_URL
    finally:
        drop_stockade_tables(POSTGRES_URL)


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    """An open, migrated database."""
    database = Database.open(db_url)
    try:
        yield database
    finally:
        database.close()


@pytest.fixture
def store(db: Database) -> OSVStore:
    """An empty OSV store."""
    return OSVStore(db)


def make_record(
    vuln_id: str,
    *,
    modified: str = "2024-01-01T00:00:00Z",
    packages: Sequence[tuple[str, str]] = (("PyPI", "demo"),),
    introduced: str = "0",
    fixed: str | None = "2.0",
    aliases: Sequence[str] = (),
    withdrawn: str | None = None,
    summary: str | None = None,
) -> Vulnerability:
    """An OSV record affecting ``packages`` from ``introduced`` up to ``fixed``."""
    events: list[dict[str, str]] = [{"introduced": introduced}]
    if fixed is not None:
        events.append({"fixed": fixed})
    raw: dict[str, Any] = {
        "id": vuln_id,
        "modified": modified,
        "published": "2023-06-01T12:00:00Z",
        "aliases": list(aliases),
        "summary": summary or f"problem in {vuln_id}",
        "affected": [
            {
                "package": {"ecosystem": eco, "name": name},
                "ranges": [{"type": "ECOSYSTEM", "events": events}],
            }
            for eco, name in packages
        ],
        "credits": [{"name": "someone"}],
    }
    if withdrawn is not None:
        raw["withdrawn"] = withdrawn
    return Vulnerability.model_validate(raw)


def parse_time(value: str) -> datetime:
    """An RFC 3339 timestamp."""
    return datetime.fromisoformat(value.replace("Z", "+00:00"))
