"""Screening indexes shared by the matching tests: the bundled demo list (the 19 Sep 2024
story, hand-written) and every official list in ../shared/data."""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path

import pytest

from sanctionscope.demo import AFTER, demo_list_path, demo_settings
from sanctionscope.matching import ScreeningIndex, open_index
from sanctionscope.store import import_path, open_store


@pytest.fixture(scope="session")
def demo_index(tmp_path_factory: pytest.TempPathFactory) -> ScreeningIndex:
    settings = demo_settings(tmp_path_factory.mktemp("demo-home"))
    with ExitStack() as stack:
        results = import_path(
            open_store(settings), demo_list_path(AFTER, stack), settings, source="us_ofac_sdn"
        )
    assert all(r.ok for r in results)
    return open_index(settings)


@pytest.fixture(scope="session")
def all_lists_index(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> ScreeningIndex:
    settings = demo_settings(tmp_path_factory.mktemp("all-lists-home"))
    import_path(open_store(settings), shared_data, settings)
    return open_index(settings)
