"""Connecting to the system of record: SQLite (WAL) by default, PostgreSQL by URL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from sanctionscope.store.schema import metadata


class StoreError(Exception):
    """The database cannot be used; the message says why in the user's words."""


def normalise_url(url: str) -> str:
    """Accept plain ``postgresql://`` URLs and use the psycopg 3 driver for them."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def _enable_sqlite_wal(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def make_engine(url: str) -> Engine:
    """An engine with the schema in place. SQLite folders are created as needed."""
    url = normalise_url(url)
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise StoreError(f"not a database URL: {url!r}") from exc
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:":
            Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url)
        event.listen(engine, "connect", _enable_sqlite_wal)
    elif parsed.get_backend_name() == "postgresql":
        try:
            engine = create_engine(url, pool_pre_ping=True)
        except ModuleNotFoundError as exc:
            raise StoreError(
                "PostgreSQL needs the psycopg driver: pip install 'sanctionscope[postgres]'"
            ) from exc
    else:
        raise StoreError(
            f"unsupported database {parsed.get_backend_name()!r}: use sqlite:/// or postgresql://"
        )
    try:
        metadata.create_all(engine)
    except Exception as exc:
        raise StoreError(f"cannot open the database {parsed.render_as_string()}: {exc}") from exc
    return engine
