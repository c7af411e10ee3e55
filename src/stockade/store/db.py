"""Opening the store: SQLite (default) or PostgreSQL, migrated to the newest schema on open.

Opening is cheap when the schema is current: one read of ``alembic_version`` compared with
:data:`~stockade.store.migrations.HEAD_REVISION`; Alembic is imported and run only otherwise.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, inspect, text
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from stockade.errors import StoreError
from stockade.store.migrations import HEAD_REVISION

_URL_HINT = "check STOCKADE_DATABASE_URL (sqlite:///path/to/file.db or postgresql://user@host/db)"
_BUSY_TIMEOUT_MS = 30_000
_CONNECT_TIMEOUT_S = 10


class Database:
    """An open store: an engine, migrated to the newest schema, and sessions on it."""

    def __init__(self, engine: Engine, *, migrated: bool = False) -> None:
        self.engine = engine
        """The SQLAlchemy engine."""
        self.migrated = migrated
        """Whether opening had to run Alembic (False when the schema was already current)."""
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @property
    def url(self) -> URL:
        """The database URL (its password hidden when shown)."""
        return self.engine.url

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self.engine.dialect.name

    @classmethod
    def open(cls, url: str | None = None) -> Database:
        """Open (creating and migrating as needed) the store at ``url`` or the default one."""
        if url is None:
            from stockade.paths import database_url

            url = database_url()
        engine = _create_engine(url)
        try:
            migrated = _migrate(engine)
        except StoreError:
            engine.dispose()
            raise
        except SQLAlchemyError as exc:
            engine.dispose()
            raise _store_error("cannot open the database", engine.url, exc) from exc
        return cls(engine, migrated=migrated)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session in one transaction: committed on success, rolled back on error."""
        session = self._sessions()
        try:
            yield session
            session.commit()
        except DBAPIError as exc:
            session.rollback()
            raise _store_error("database error", self.engine.url, exc) from exc
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def revision(self) -> str | None:
        """The schema revision recorded in the database (``None`` when unmigrated)."""
        with self.engine.connect() as conn:
            return _current_revision(conn)

    def close(self) -> None:
        """Release the connections."""
        self.engine.dispose()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Database({self.engine.url!r})"


def normalize_url(url: str) -> URL:
    """Parse ``url``; plain ``postgresql://`` (or ``postgres://``) uses the psycopg driver."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise StoreError(f"invalid database URL {url!r}: {exc}", hint=_URL_HINT) from exc
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    backend = parsed.get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise StoreError(
            f"unsupported database {backend!r} in {parsed.render_as_string(hide_password=True)}",
            hint="Stockade stores its data in SQLite or PostgreSQL",
        )
    return parsed


def _create_engine(url: str) -> Engine:
    parsed = normalize_url(url)
    kwargs: dict[str, Any] = {}
    if parsed.get_backend_name() == "sqlite":
        _prepare_sqlite_folder(parsed)
    elif "connect_timeout" not in parsed.query:
        kwargs["connect_args"] = {"connect_timeout": _CONNECT_TIMEOUT_S}
    try:
        engine = create_engine(parsed, **kwargs)
    except (ArgumentError, ImportError) as exc:
        raise StoreError(f"cannot use database URL: {exc}", hint=_URL_HINT) from exc
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _prepare_sqlite_folder(url: URL) -> None:
    database = url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    folder = Path(database).expanduser().parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(
            f"cannot create the database folder {folder}: {exc.strerror or exc}",
            hint="choose a writable place with STOCKADE_DATA_DIR or STOCKADE_DATABASE_URL",
        ) from exc


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
    finally:
        cursor.close()


def _current_revision(conn: Connection) -> str | None:
    if not inspect(conn).has_table("alembic_version"):
        return None
    rows = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    if len(rows) > 1:
        raise StoreError(
            f"the database has several schema revisions ({', '.join(sorted(rows))})",
            hint="it was not created by Stockade; use another STOCKADE_DATABASE_URL",
        )
    return rows[0] if rows else None


def _migrate(engine: Engine) -> bool:
    """Bring the schema to head; True when Alembic had to run."""
    with engine.connect() as conn:
        current = _current_revision(conn)
    if current == HEAD_REVISION:
        return False

    from alembic.util.exc import CommandError

    from stockade.store import migrations

    if current is not None:
        try:
            migrations.script_directory().get_revision(current)
        except CommandError as exc:
            raise StoreError(
                f"the database {engine.url.render_as_string(hide_password=True)} has schema "
                f"revision {current!r}, newer than this Stockade knows",
                hint="upgrade Stockade, or point STOCKADE_DATABASE_URL at another database",
            ) from exc
    try:
        with engine.begin() as conn:
            migrations.upgrade(conn)
    except CommandError as exc:
        raise StoreError(f"cannot migrate the database: {exc}") from exc
    return True


def _store_error(what: str, url: URL, exc: SQLAlchemyError) -> StoreError:
    shown = url.render_as_string(hide_password=True)
    detail = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    message = f"{what} ({shown}): {detail[0] if detail else type(exc).__name__}"
    if url.get_backend_name() == "sqlite":
        hint = "check that the file and its folder are writable and not used by another program"
    else:
        hint = "check that the server is running and reachable, and STOCKADE_DATABASE_URL"
    return StoreError(message, hint=hint)


__all__ = ["Database", "normalize_url"]
