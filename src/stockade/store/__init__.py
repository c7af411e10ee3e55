"""Stockade's database: SQLAlchemy models, Alembic migrations and the local OSV database."""

from __future__ import annotations

from stockade.store.db import Database
from stockade.store.osv import ImportStats, LocalOSVSource, OSVStore, StoreStats

__all__ = ["Database", "ImportStats", "LocalOSVSource", "OSVStore", "StoreStats"]
