"""Opening the database: creation, migration on open, cheap re-open, errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from stockade.errors import StoreError
from stockade.store import migrations
from stockade.store.db import Database, normalize_url
from stockade.store.models import Base, MetaRow

TABLES = {
    "vulnerability",
    "affected_package",
    "alias",
    "meta",
    "package",
    "package_term",
    "package_facts",
    "trust_report",
    "log_entry",
    "log_node",
    "log_state",
    "log_checkpoint",
    "alembic_version",
}


def test_open_migrates_an_empty_database(db_url: str) -> None:
    with Database.open(db_url) as db:
        assert db.migrated is True
        assert db.revision() == migrations.HEAD_REVISION
        assert set(inspect(db.engine).get_table_names()) >= TABLES


def test_reopen_at_head_does_not_run_alembic(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    Database.open(db_url).close()

    def fail(*args: object, **kwargs: object) -> None:
        raise AssertionError("Alembic ran on a database already at head")

    monkeypatch.setattr(migrations, "upgrade", fail)
    monkeypatch.setattr(migrations, "script_directory", fail)
    with Database.open(db_url) as again:
        assert again.migrated is False
        assert again.revision() == migrations.HEAD_REVISION


def test_head_revision_constant_is_the_scripts_head() -> None:
    assert migrations.script_directory().get_current_head() == migrations.HEAD_REVISION


def test_downgrade_to_base_and_upgrade_again(db: Database) -> None:
    with db.engine.begin() as conn:
        migrations.downgrade(conn, "base")
    assert not set(inspect(db.engine).get_table_names()) & (TABLES - {"alembic_version"})
    assert db.revision() is None
    with Database.open(db.engine.url.render_as_string(hide_password=False)) as again:
        assert again.migrated is True
        assert again.revision() == migrations.HEAD_REVISION


def test_database_newer_than_stockade_is_refused(db: Database) -> None:
    url = db.engine.url.render_as_string(hide_password=False)
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    with pytest.raises(StoreError, match="newer than this Stockade") as info:
        Database.open(url)
    assert info.value.hint is not None
    assert "upgrade Stockade" in info.value.hint


def test_session_commits_on_success_and_rolls_back_on_error(db: Database) -> None:
    from datetime import UTC, datetime

    now = datetime.now(UTC)
    with db.session() as session:
        session.add(MetaRow(key="kept", value="1", updated_at=now))
    with pytest.raises(ValueError, match="boom"), db.session() as session:
        session.add(MetaRow(key="dropped", value="2", updated_at=now))
        session.flush()
        raise ValueError("boom")
    with db.session() as session:
        keys = set(session.scalars(text("SELECT key FROM meta")).all())
    assert keys == {"kept"}


def test_database_errors_in_a_session_become_store_errors(db: Database) -> None:
    with pytest.raises(StoreError, match="database error"), db.session() as session:
        session.execute(text("SELECT * FROM no_such_table"))


def test_default_url_is_in_the_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STOCKADE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("STOCKADE_DATABASE_URL", raising=False)
    with Database.open() as db:
        assert db.dialect == "sqlite"
        assert db.migrated is True
    assert (tmp_path / "data" / "stockade.db").is_file()


def test_sqlite_pragmas(tmp_path: Path) -> None:
    with Database.open(f"sqlite:///{tmp_path / 'p.db'}") as db, db.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar_one() >= 1000


def test_deleting_a_record_cascades(db: Database) -> None:
    from datetime import UTC, datetime

    from stockade.store.models import AffectedPackageRow, AliasRow, VulnerabilityRow

    now = datetime.now(UTC)
    with db.session() as session:
        session.add(
            VulnerabilityRow(
                id="X-1",
                modified=now,
                is_malicious=False,
                aliases=["CVE-1"],
                raw={"id": "X-1"},
                source="test",
                imported_at=now,
                affected=[AffectedPackageRow(ecosystem="PyPI", name="a", name_key="a")],
                alias_rows=[AliasRow(alias="CVE-1")],
            )
        )
    with db.session() as session:
        session.execute(text("DELETE FROM vulnerability"))
    with db.session() as session:
        assert session.execute(text("SELECT count(*) FROM affected_package")).scalar() == 0
        assert session.execute(text("SELECT count(*) FROM alias")).scalar() == 0


@pytest.mark.parametrize(
    ("url", "driver"),
    [
        ("postgresql://u@db.example/x", "postgresql+psycopg"),
        ("postgres://u@db.example/x", "postgresql+psycopg"),
        ("postgresql+psycopg://u@db.example/x", "postgresql+psycopg"),
        ("sqlite:///x.db", "sqlite"),
    ],
)
def test_normalize_url(url: str, driver: str) -> None:
    assert normalize_url(url).drivername == driver


@pytest.mark.parametrize("url", ["mysql://u@h/x", "not a url"])
def test_unusable_urls_are_store_errors(url: str) -> None:
    with pytest.raises(StoreError) as info:
        Database.open(url)
    assert info.value.hint


def test_unreachable_postgres_is_a_store_error() -> None:
    with pytest.raises(StoreError, match="cannot open the database") as info:
        Database.open("postgresql://stockade:secret@127.0.0.1:1/none")
    assert "secret" not in str(info.value)
    assert info.value.hint is not None
    assert "server is running" in info.value.hint


def test_unwritable_sqlite_location_is_a_store_error(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(StoreError, match="cannot create the database folder") as info:
        Database.open(f"sqlite:///{blocker / 'sub' / 'stockade.db'}")
    assert info.value.hint is not None


def test_models_and_metadata_agree_on_tables() -> None:
    assert set(Base.metadata.tables) == TABLES - {"alembic_version"}


def test_alembic_api_without_ini_on_a_url(tmp_path: Path) -> None:
    from alembic import command

    url = f"sqlite:///{tmp_path / 'cli-free.db'}"
    command.upgrade(migrations.config(url=url), "head")
    with Database.open(url) as db:
        assert db.migrated is False
        assert db.revision() == migrations.HEAD_REVISION


def test_opening_a_current_database_does_not_import_alembic(tmp_path: Path) -> None:
    import subprocess
    import sys

    url = f"sqlite:///{tmp_path / 'fast.db'}"
    Database.open(url).close()
    code = (
        "import sys; from stockade.store import Database; "
        f"db = Database.open({url!r}); "
        "print(db.migrated, 'alembic' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.split() == ["False", "False"]


def test_a_file_that_is_not_a_database_is_a_store_error(tmp_path: Path) -> None:
    path = tmp_path / "garbage.db"
    path.write_bytes(b"this is not an SQLite file" * 100)
    with pytest.raises(StoreError, match="cannot open the database") as info:
        Database.open(f"sqlite:///{path}")
    assert info.value.hint is not None
