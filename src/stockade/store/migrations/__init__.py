"""The store's Alembic migrations, usable without an ``alembic.ini`` or the ``alembic`` CLI.

:data:`HEAD_REVISION` lets :class:`~stockade.store.db.Database` see whether a database is up
to date without importing Alembic; a test keeps it equal to the scripts' real head.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.script import ScriptDirectory
    from sqlalchemy.engine import Connection

HEAD_REVISION = "0003"
"""The id of the newest revision under ``versions/``."""

SCRIPT_LOCATION = Path(__file__).resolve().parent
"""The folder holding ``env.py`` and ``versions/``."""


def config(*, connection: Connection | None = None, url: str | None = None) -> Config:
    """An Alembic configuration for the store, on an open connection or a URL."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(SCRIPT_LOCATION))
    if url is not None:
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def script_directory() -> ScriptDirectory:
    """The revision scripts."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(config())


def upgrade(connection: Connection, revision: str = "head") -> None:
    """Apply the migrations up to ``revision`` on ``connection``."""
    from alembic import command

    command.upgrade(config(connection=connection), revision)


def downgrade(connection: Connection, revision: str) -> None:
    """Revert the migrations down to ``revision`` (``base`` for an empty database)."""
    from alembic import command

    command.downgrade(config(connection=connection), revision)


__all__ = ["HEAD_REVISION", "SCRIPT_LOCATION", "config", "downgrade", "script_directory", "upgrade"]
