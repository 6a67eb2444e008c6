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
