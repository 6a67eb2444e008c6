"""Shared test fixtures.

Tests that read the official files in ../shared/data use the ``shared_data`` fixture (and
carry the ``shared_data`` marker). Where that folder is absent (a user's clone) they skip with
a visible reason; with ``SANCTIONSCOPE_REQUIRE_SHARED=1`` (as in CI) a missing folder fails.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("SANCTIONSCOPE_SHARED_DATA", REPO.parent / "shared" / "data"))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if "shared_data" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.shared_data)


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The folder of official list files; skip (or fail in CI) when it is absent."""
    if not SHARED_DATA.is_dir():
        if os.environ.get("SANCTIONSCOPE_REQUIRE_SHARED") == "1":
            pytest.fail(f"SANCTIONSCOPE_REQUIRE_SHARED=1 but {SHARED_DATA} is missing")
        pytest.skip(f"official list files not found at {SHARED_DATA} (shared/data is absent)")
    return SHARED_DATA


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An empty SANCTIONSCOPE_HOME with its default SQLite database."""
    path = tmp_path / "home"
    monkeypatch.setenv("SANCTIONSCOPE_HOME", str(path))
    monkeypatch.delenv("SANCTIONSCOPE_DATABASE_URL", raising=False)
    yield path


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    """URL of a PostgreSQL server for this test session (skip, or fail in CI, if none)."""
    from tests.pgserver import find_pg_bin, postgres_server

    if not os.environ.get("SANCTIONSCOPE_TEST_DATABASE_URL") and find_pg_bin() is None:
        if os.environ.get("SANCTIONSCOPE_REQUIRE_POSTGRES") == "1":
            pytest.fail("SANCTIONSCOPE_REQUIRE_POSTGRES=1 but no PostgreSQL binaries were found")
        pytest.skip("PostgreSQL is not installed (initdb not found)")
    with postgres_server() as url:
        yield url


_db_counter = iter(range(1_000_000))


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database: a SQLite file, or a fresh database on the test PostgreSQL server."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.db'}"
        return
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from sanctionscope.store.db import normalise_url

    server = normalise_url(request.getfixturevalue("pg_server"))
    name = f"t{os.getpid()}_{next(_db_counter)}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(server).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def settings(home: Path, database_url: str, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """Settings pointing at the per-test home and database (SQLite and PostgreSQL)."""
    from sanctionscope.settings import get_settings

    monkeypatch.setenv("SANCTIONSCOPE_DATABASE_URL", database_url)
    return get_settings()
