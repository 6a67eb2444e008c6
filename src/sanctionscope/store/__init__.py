"""Versioned system of record for sanctions lists (SQLAlchemy Core: SQLite or PostgreSQL)."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine

from sanctionscope.settings import Settings
from sanctionscope.store.db import StoreError, make_engine

if TYPE_CHECKING:
    from sanctionscope.sources.base import SourceError
    from sanctionscope.store.diff import ListDiff, diff_versions
    from sanctionscope.store.imports import ImportResult, SuspiciousListError, import_path
    from sanctionscope.store.versions import ListVersion, active_versions_list, source_versions

# Imported on first use: importing and diffing need the list parsers (and followthemoney),
# screening from the cached index does not, and should start fast.
_LAZY = {
    "SourceError": "imports",
    "ListDiff": "diff",
    "diff_versions": "diff",
    "ImportResult": "imports",
    "SuspiciousListError": "imports",
    "import_path": "imports",
    "ListVersion": "versions",
    "active_versions_list": "versions",
    "source_versions": "versions",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)


__all__ = [
    "ImportResult",
    "ListDiff",
    "ListVersion",
    "SourceError",
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
