"""Where Stockade keeps its files: the user's data and cache folders (platformdirs).

``STOCKADE_DATA_DIR`` and ``STOCKADE_CACHE_DIR`` override them; ``STOCKADE_DATABASE_URL``
overrides the database (default: SQLite in the data folder).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import platformdirs

APP = "stockade"


def data_dir(env: Mapping[str, str] | None = None) -> Path:
    """The folder for the database and other lasting data."""
    env = os.environ if env is None else env
    override = env.get("STOCKADE_DATA_DIR")
    return Path(override) if override else Path(platformdirs.user_data_dir(APP))


def cache_dir(env: Mapping[str, str] | None = None) -> Path:
    """The folder for caches that may be deleted at any time (HTTP responses)."""
    env = os.environ if env is None else env
    override = env.get("STOCKADE_CACHE_DIR")
    return Path(override) if override else Path(platformdirs.user_cache_dir(APP))


def database_url(env: Mapping[str, str] | None = None) -> str:
    """The SQLAlchemy URL of the store."""
    env = os.environ if env is None else env
    url = env.get("STOCKADE_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{data_dir(env) / 'stockade.db'}"
