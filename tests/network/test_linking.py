"""Linking the user's entities to active list entries: by strong identifiers, or by a
high-confidence name match, through the screening engine."""

from __future__ import annotations

from pathlib import Path

import pytest
from followthemoney import EntityProxy, model

from sanctionscope.network.linking import database_has_lists, find_list_links
from sanctionscope.settings import Settings, get_settings
from sanctionscope.store import import_path, open_store

DEMO = Path(__file__).resolve().parents[2] / "src/sanctionscope/demo/data/ofac_before_2024-09-19"


@pytest.fixture
def settings_with_lists(home: Path) -> Settings:
    settings = get_settings()
    [result] = import_path(open_store(settings), DEMO, settings)
    assert result.ok
    return settings


def company(entity_id: str, **props: str) -> EntityProxy:
    proxy = model.make_entity("Company")
    proxy.id = entity_id
    proxy.add("name", entity_id)
    for prop, value in props.items():
        proxy.add(prop, value)
    return proxy


def test_links_by_bic_branch_and_tax_number(settings_with_lists: Settings) -> None:
    entities = [
        company("my-ftb", swiftBic="FTBDKPPYXXX"),
        company("my-tsmr", innCode="7750056670"),
        company("my-mb", swiftBic="MRBBRUMM"),
        company("innocent", swiftBic="DEUTDEFF"),
    ]
    linked = find_list_links(entities, settings_with_lists).reasons
    assert set(linked) == {"my-ftb", "my-tsmr", "my-mb"}
    assert linked["my-ftb"].startswith("identifier bic FTBDKPPY = us_ofac_sdn 15603 FOREIGN")
    assert linked["my-tsmr"].startswith("identifier tax 7750056670 = us_ofac_sdn 22488")
    assert linked["my-mb"].startswith("identifier bic MRBBRUMM = us_ofac_sdn 25419 MB BANK")


def test_links_by_a_high_confidence_name(settings_with_lists: Settings) -> None:
    entities = [
        company("Korea Kwangson Banking Corporation"),
        company("Korea Kwangsong Trade Co"),  # a look-alike of two list entries: not strong enough
        company("Kazan Grain Export LLC"),
    ]
    linked = find_list_links(entities, settings_with_lists).reasons
    assert list(linked) == ["Korea Kwangson Banking Corporation"]
    assert linked["Korea Kwangson Banking Corporation"].startswith(
        "name match 0.99 with us_ofac_sdn 11581"
    )


def test_database_without_lists(home: Path) -> None:
    assert not database_has_lists(f"sqlite:///{home / 'absent.db'}")
