"""Link the user's entities to active sanctions-list entries, through the screening engine.

An entity counts as sanctioned when it carries the FtM topic ``sanction`` (the builder reads
that) or when screening finds it on an active list (:mod:`sanctionscope.matching`, the same
index and scores as ``sanctionscope screen``): by a strong identifier (SWIFT/BIC on its first
8 characters, IMO, INN, OGRN, tax and registration numbers, LEI, passport and national id
numbers), or by a name match scoring at least :data:`MIN_NAME_SCORE`, shown as such.

:func:`find_list_links` also says which list entries each linked entity stands for (every
listing of the matched subject), so that :mod:`sanctionscope.network.lists` can bring the
lists' own relationships into the graph.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from followthemoney import EntityProxy
from sqlalchemy.engine import make_url

from sanctionscope.matching import Hit, open_index, query_from_entity, screen
from sanctionscope.settings import Settings
from sanctionscope.store.db import StoreError, make_engine
from sanctionscope.store.versions import active_versions_list

MIN_NAME_SCORE = 0.9  # name matches below this are not strong enough to call an entity listed


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


def _reason(hit: Hit) -> str | None:
    listed = f"{hit.source} {hit.source_id} {hit.caption}"
    identifiers = hit.explanation.get("identifier_match")
    if identifiers:
        return f"identifier {', '.join(identifiers)} = {listed}"
    if hit.score >= MIN_NAME_SCORE:
        return f"name match {hit.score:.2f} with {listed}"
    return None


@dataclass(frozen=True)
class ListEntry:
    """A list record's target entity: ``source`` (the dataset, e.g. ``us_ofac_sdn``), the
    FtM ``entity_id`` stored with the list version, and the list's own ``record`` number."""

    source: str
    entity_id: str
    record: str

    @property
    def label(self) -> str:
        return f"{self.source} {self.record}"


@dataclass
class ListLinks:
    """The user's entities linked to active list entries."""

    reasons: dict[str, str] = field(default_factory=dict)  # entity id → why it is linked
    entries: dict[str, list[ListEntry]] = field(default_factory=dict)  # entity id → entries


def _entries(hit: Hit) -> list[ListEntry]:
    """Every listing of the hit's subject (the same party on several lists), or the hit."""
    listings = hit.listings or [{"source": hit.source, "id": hit.id, "source_id": hit.source_id}]
    return [ListEntry(x["source"], x["id"], x["source_id"]) for x in listings]


def find_list_links(entities: Iterable[EntityProxy], settings: Settings) -> ListLinks:
    """Link each entity to the active list entries it is, by identifier or strong name match.

    ``entities`` is read once, as a stream.
    """
    index = open_index(settings)
    links = ListLinks()
    for proxy in entities:
        linkable = proxy.schema.is_a("LegalEntity") or proxy.schema.is_a("Vessel")
        if proxy.id is None or not linkable:
            continue
        query = query_from_entity(proxy.schema.name, proxy.properties)
        if not query.names and not query.identifiers:
            continue
        reasons: list[str] = []
        entries: list[ListEntry] = []
        for hit in screen(index, query, limit=3, threshold=0.5):
            reason = _reason(hit)
            if reason:
                reasons.append(reason)
                entries.extend(e for e in _entries(hit) if e not in entries)
        if reasons:
            links.reasons[proxy.id] = "; ".join(reasons)
            links.entries[proxy.id] = entries
    return links
