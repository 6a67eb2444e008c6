"""Versioned system of record for sanctions lists (SQLAlchemy Core: SQLite or PostgreSQL)."""

from __future__ import annotations

from sqlalchemy import Engine

from sanctionscope.settings import Settings
from sanctionscope.store.db import StoreError, make_engine
from sanctionscope.store.diff import ListDiff, diff_versions
from sanctionscope.store.imports import ImportResult, SuspiciousListError, import_path
from sanctionscope.store.versions import ListVersion, active_versions_list, source_versions

__all__ = [
    "ImportResult",
    "ListDiff",
    "ListVersion",
    "StoreError",
    "SuspiciousListError",
    "active_versions_list",
    "diff_versions",
    "import_path",
    "open_store",
    "source_versions",
]


def open_store(settings: Settings) -> Engine:
    """The engine of the configured database, schema created if missing."""
    return make_engine(settings.database_url)
