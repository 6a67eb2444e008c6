"""Linking the user's entities to active list entries by strong identifiers."""

from __future__ import annotations

from pathlib import Path

import pytest
from followthemoney import EntityProxy, model

from sanctionscope.network.linking import database_has_lists, identifier_key, link_to_lists
from sanctionscope.settings import get_settings
from sanctionscope.store import import_path, open_store

DEMO = Path(__file__).resolve().parents[2] / "src/sanctionscope/demo/data/ofac_before_2024-09-19"


@pytest.fixture
def database(home: Path) -> str:
    settings = get_settings()
    [result] = import_path(open_store(settings), DEMO, settings)
    assert result.ok
    return settings.database_url


def company(entity_id: str, **props: str) -> EntityProxy:
    proxy = model.make_entity("Company")
    proxy.id = entity_id
    proxy.add("name", entity_id)
    for prop, value in props.items():
        proxy.add(prop, value)
    return proxy


def test_identifier_keys() -> None:
    assert identifier_key("swiftBic", "FTBD KP PY XXX") == ("swiftBic", "FTBDKPPY")
    assert identifier_key("swiftBic", "FTB") is None
    assert identifier_key("innCode", "7750056670") == identifier_key("taxNumber", "7750056670")
    assert identifier_key("imoNumber", "IMO 9187629") == ("imoNumber", "9187629")
    assert identifier_key("idNumber", "00000") is None  # too little information


def test_links_by_bic_branch_and_tax_number(database: str) -> None:
    entities = [
        company("my-ftb", swiftBic="FTBDKPPYXXX"),
        company("my-tsmr", innCode="7750056670"),
        company("my-mb", swiftBic="MRBBRUMM"),
        company("innocent", swiftBic="DEUTDEFF"),
    ]
    linked = link_to_lists(entities, database)
    assert set(linked) == {"my-ftb", "my-tsmr", "my-mb"}
    assert linked["my-ftb"].startswith("identifier swiftBic FTBDKPPY = us_ofac_sdn 15603 FOREIGN")
    assert "(listed as FTBDKPPY)" in linked["my-ftb"]
    assert linked["my-tsmr"].startswith("identifier innCode 7750056670 = us_ofac_sdn 22488")


def test_name_matcher_seam(database: str) -> None:
    def matcher(proxy: EntityProxy) -> list[tuple[str, float, str]]:
        if proxy.id == "by-name":
            return [("ofac-15603", 0.97, "name 'Foreign Trade Bank' ~ 'FOREIGN TRADE BANK…'")]
        return [("ofac-15603", 0.5, "weak")]

    linked = link_to_lists([company("by-name"), company("weak")], database, name_matcher=matcher)
    assert list(linked) == ["by-name"]
    assert linked["by-name"].startswith("name match 0.97 with us_ofac_sdn 15603 FOREIGN TRADE")


def test_database_without_lists(home: Path) -> None:
    assert not database_has_lists(f"sqlite:///{home / 'absent.db'}")
