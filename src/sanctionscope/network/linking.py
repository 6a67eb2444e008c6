"""Link the user's entities to active sanctions-list entries.

An entity counts as sanctioned when it carries the FtM topic ``sanction`` or when it is linked
to an active list entry. This module does the linking by strong identifiers, which it indexes
itself (SWIFT/BIC on its first 8 characters, IMO, INN, OGRN, tax and registration numbers,
LEI, passport and national id numbers). Name matching belongs to ``sanctionscope.matching``:
pass it as ``name_matcher`` (the seam for it), a function that returns, for one entity, the
list entries it matches as ``(list entity id, score, explanation)``; those links are shown as
name matches, never as identifier links.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from followthemoney import EntityProxy, model
from sqlalchemy.engine import make_url

from sanctionscope.store.db import StoreError, make_engine
from sanctionscope.store.versions import active_versions_list, load_entities

NameMatcher = Callable[[EntityProxy], list[tuple[str, float, str]]]

# FtM property → the label shown in a reason. Values are compared after normalisation.
IDENTIFIER_PROPS: dict[str, str] = {
    "swiftBic": "swiftBic",
    "imoNumber": "imoNumber",
    "innCode": "innCode",
    "ogrnCode": "ogrnCode",
    "taxNumber": "taxNumber",
    "registrationNumber": "registrationNumber",
    "leiCode": "leiCode",
    "passportNumber": "passportNumber",
    "idNumber": "idNumber",
}
# Identifiers of different kinds that are the same number in Russian practice.
EQUIVALENT = {"innCode": "tax", "taxNumber": "tax", "ogrnCode": "reg", "registrationNumber": "reg"}
MIN_NAME_SCORE = 0.9  # name matches below this are not strong enough to call an entity listed


def identifier_key(prop: str, value: str) -> tuple[str, str] | None:
    """The index key of one identifier value, or None when it is too short to be strong."""
    text = re.sub(r"[^0-9A-Za-z]", "", value).upper()
    if prop == "swiftBic":
        # A BIC's first 8 characters name the institution; the branch code does not matter.
        return ("swiftBic", text[:8]) if len(text) >= 8 else None
    if prop == "imoNumber":
        text = text.removeprefix("IMO")
    if len(text) < 5 or len(set(text)) < 3:
        return None
    return (EQUIVALENT.get(prop, prop), text)


class ListIndex:
    """Identifier → list entries, over the active version of every source."""

    def __init__(self) -> None:
        self.entries: dict[tuple[str, str], set[tuple[str, str]]] = defaultdict(set)

    def add(self, label: str, proxy: EntityProxy) -> None:
        for prop in IDENTIFIER_PROPS:
            if prop not in proxy.schema.properties:
                continue
            for value in proxy.get(prop):
                key = identifier_key(prop, value)
                if key is not None:
                    self.entries[key].add((label, value))

    def lookup(self, proxy: EntityProxy) -> list[str]:
        reasons = []
        for prop, shown in IDENTIFIER_PROPS.items():
            if prop not in proxy.schema.properties:
                continue
            for value in proxy.get(prop):
                key = identifier_key(prop, value)
                for label, listed in sorted(self.entries.get(key, ())) if key else ():
                    reasons.append(f"identifier {shown} {value} = {label} (listed as {listed})")
        return reasons


def database_has_lists(database_url: str) -> bool:
    """Whether the database exists and has at least one active list version."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and (
        not url.database or not Path(url.database).expanduser().is_file()
    ):
        return False
    try:
        return bool(active_versions_list(make_engine(database_url)))
    except StoreError:
        return False


def build_list_index(database_url: str) -> tuple[ListIndex, dict[str, str]]:
    """The identifier index, and a label per list entity id (for name matches)."""
    engine = make_engine(database_url)
    index = ListIndex()
    labels: dict[str, str] = {}
    for version in active_versions_list(engine):
        for entry, entities in load_entities(engine, version.id).items():
            for data in entities:
                proxy = model.get_proxy(data)
                if proxy.schema.name in ("Sanction", "Address") or proxy.schema.edge:
                    continue
                label = f"{version.source} {entry} {proxy.caption}"
                if proxy.id:
                    labels[proxy.id] = label
                index.add(label, _with_identifications(proxy, entities))
    engine.dispose()
    return index, labels


def _with_identifications(proxy: EntityProxy, entities: list[dict[str, Any]]) -> EntityProxy:
    """Copy numbers of the record's Identification/Passport entities onto the holder."""
    for data in entities:
        if data.get("schema") not in ("Identification", "Passport"):
            continue
        props = data.get("properties", {})
        if proxy.id not in props.get("holder", []):
            continue
        for number in props.get("number", []):
            prop = "passportNumber" if data.get("schema") == "Passport" else "idNumber"
            if prop in proxy.schema.properties:
                proxy.add(prop, number)
    return proxy


def link_to_lists(
    entities: Iterable[EntityProxy],
    database_url: str,
    name_matcher: NameMatcher | None = None,
) -> dict[str, str]:
    """Entity id → why it is linked to an active list entry, e.g.
    ``"identifier swiftBic FTBDKPPY = us_ofac_sdn 15603 FOREIGN TRADE BANK… (listed as FTBDKPPY)"``.

    ``entities`` is read once, as a stream. Identifier links come first; ``name_matcher``
    (from sanctionscope.matching) adds high-confidence name matches, marked as such.
    """
    index, labels = build_list_index(database_url)
    linked: dict[str, str] = {}
    for proxy in entities:
        linkable = proxy.schema.is_a("LegalEntity") or proxy.schema.is_a("Vessel")
        if proxy.id is None or not linkable:
            continue
        reasons = index.lookup(proxy)
        if not reasons and name_matcher is not None:
            reasons = [
                f"name match {score:.2f} with {labels.get(list_id, list_id)}: {why}"
                for list_id, score, why in name_matcher(proxy)
                if score >= MIN_NAME_SCORE
            ]
        if reasons:
            linked[proxy.id] = "; ".join(reasons)
    return linked
