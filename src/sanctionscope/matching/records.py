"""What screening needs to know about one list entry, read straight from the store.

A :class:`Record` is a flat, picklable summary of a list target and the entities of its
entry (identification documents, addresses, sanctions): names, identifiers by kind, birth or
founding dates, countries, programmes. It is built from the stored FtM JSON without making
FtM proxies, which keeps building the index over every active list fast.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson
from sqlalchemy import Engine, select

from sanctionscope.store.schema import active_versions, entities, list_versions

NAME_PROPS = ("name", "alias", "previousName", "weakAlias", "abbreviation")
WEAK_NAME_PROPS = frozenset({"weakAlias", "abbreviation"})
# FtM property → identifier kind. Kinds are what must agree for two numbers to be "the same".
IDENTIFIER_PROPS = {
    "swiftBic": "bic",
    "innCode": "tax",
    "taxNumber": "tax",
    "vatCode": "tax",
    "ogrnCode": "registration",
    "registrationNumber": "registration",
    "leiCode": "lei",
    "imoNumber": "imo",
    "mmsi": "mmsi",
    "passportNumber": "passport",
    "idNumber": "id",
    "okpoCode": "id",
    "bikCode": "bik",
    "callSign": "callsign",
    "registrationNumberAircraft": "registration",
    "serialNumber": "serial",
    "icaoCode": "icao",
}
# Identification.type values (as the parsers write them) that name a known kind.
DOCUMENT_TYPE_KINDS = {"bik (ru)": "bik", "bik": "bik", "swift/bic": "bic", "lei": "lei"}
DATE_PROPS = ("birthDate", "incorporationDate", "buildDate")
UN_REFERENCE_IN_NOTES = re.compile(r"\(UN Ref\)\s*:\s*([A-Z]{2}[ie]\.\d{3})")
OFSI_GROUP_TYPE = "ofsi group id"
# The list whose record number is itself a cross-list reference.
OWN_REFERENCE = {"un_sc_sanctions": "un", "gb_hmt_sanctions": "ofsi"}
COUNTRY_PROPS = ("country", "nationality", "citizenship", "jurisdiction", "birthCountry", "flag")
PROGRAM_PROPS = ("program", "programId")
_NOT_ALNUM = re.compile(r"[^0-9A-Za-z]")
BIC_PATTERN = re.compile(r"^[A-Z]{6}[A-Z0-9]{2}([A-Z0-9]{3})?$")


def normalize_identifier(value: str) -> str:
    return _NOT_ALNUM.sub("", value).upper()


def identifier_keys(kind: str, value: str) -> list[str]:
    """The lookup keys of one identifier: BICs also by their first 8 characters, so that a
    branch code (11) finds the institution (8) and the reverse."""
    normal = normalize_identifier(value)
    if len(normal) < 4:
        return []
    keys = [normal]
    if kind in ("bic", "any") and BIC_PATTERN.match(normal) and len(normal) == 11:
        keys.append(normal[:8])
    return keys


@dataclass(slots=True)
class Record:
    id: str
    schema: str
    caption: str
    source: str
    source_id: str
    list_version: str  # source@seq
    names: list[tuple[str, bool]] = field(default_factory=list)  # (name, weak)
    identifiers: dict[str, set[str]] = field(default_factory=dict)  # kind → normalised values
    dates: set[str] = field(default_factory=set)
    countries: set[str] = field(default_factory=set)
    programs: set[str] = field(default_factory=set)
    listed: set[str] = field(default_factory=set)  # listing dates
    # Cross-list references: "un:KPe.047" (a UN reference number), "ofsi:13536" (an OFSI
    # group id). A record carries its own and the ones its remarks cite.
    references: set[str] = field(default_factory=set)

    def to_json(self) -> bytes:
        return orjson.dumps(
            [
                self.id, self.schema, self.caption, self.source, self.source_id, self.list_version,
                self.names, {k: sorted(v) for k, v in self.identifiers.items()},
                sorted(self.dates), sorted(self.countries), sorted(self.programs), sorted(self.listed),
                sorted(self.references),
            ],
        )  # fmt: skip

    @classmethod
    def from_json(cls, text: bytes | str) -> Record:
        (
            id_,
            schema,
            caption,
            source,
            source_id,
            version,
            names,
            ids,
            dates,
            countries,
            programs,
            listed,
            references,
        ) = orjson.loads(text)
        return cls(
            id_, schema, caption, source, source_id, version,
            list(map(tuple, names)), {k: set(v) for k, v in ids.items()},  # [name, weak] pairs
            set(dates), set(countries), set(programs), set(listed), set(references),
        )  # fmt: skip

    def add_identifier(self, kind: str, value: str) -> None:
        normal = normalize_identifier(value)
        if len(normal) >= 4:
            self.identifiers.setdefault(kind, set()).add(normal)


def _values(props: Mapping[str, Any], name: str) -> list[str]:
    values = props.get(name) or []
    return [v for v in values if isinstance(v, str) and v.strip()]


def _apply_target(record: Record, props: Mapping[str, Any]) -> None:
    seen: set[str] = set()
    for prop in NAME_PROPS:
        for value in _values(props, prop):
            if value not in seen:
                seen.add(value)
                record.names.append((value, prop in WEAK_NAME_PROPS))
    for prop, kind in IDENTIFIER_PROPS.items():
        for value in _values(props, prop):
            record.add_identifier(kind, value)
    for prop in DATE_PROPS:
        record.dates.update(_values(props, prop))
    for prop in COUNTRY_PROPS:
        record.countries.update(v.lower() for v in _values(props, prop))
    for prop in PROGRAM_PROPS:
        record.programs.update(_values(props, prop))
    for note in _values(props, "notes"):
        record.references.update("un:" + ref for ref in UN_REFERENCE_IN_NOTES.findall(note))


def _apply_related(record: Record, schema: str, props: Mapping[str, Any]) -> None:
    if schema == "Identification" and OFSI_GROUP_TYPE in {
        t.lower() for t in _values(props, "type")
    }:
        record.references.update("ofsi:" + n.strip() for n in _values(props, "number"))
    elif schema in ("Identification", "Passport"):
        kinds = [DOCUMENT_TYPE_KINDS.get(t.lower(), "") for t in _values(props, "type")]
        kind = "passport" if schema == "Passport" else next((k for k in kinds if k), "id")
        for number in _values(props, "number"):
            record.add_identifier(kind, number)
        record.countries.update(v.lower() for v in _values(props, "country"))
    elif schema == "Address":
        record.countries.update(v.lower() for v in _values(props, "country"))
    elif schema == "Sanction":
        for prop in PROGRAM_PROPS:
            record.programs.update(_values(props, prop))
        record.listed.update(_values(props, "listingDate") or _values(props, "startDate"))
        record.references.update("un:" + ref.strip() for ref in _values(props, "unscId"))


def records_from_rows(rows: Iterable[Any]) -> Iterator[Record]:
    """Rows of (source, seq, entry, id, schema, is_target, caption, data) ordered by source
    and entry → one Record per list target."""
    current_key: tuple[str, str] | None = None
    targets: list[Record] = []
    related: list[tuple[str, Mapping[str, Any]]] = []

    def flush() -> Iterator[Record]:
        for record in targets:
            for schema, props in related:
                _apply_related(record, schema, props)
            yield record

    for row in rows:
        key = (row.source, row.entry)
        if key != current_key:
            yield from flush()
            current_key, targets, related = key, [], []
        props = orjson.loads(row.data).get("properties", {})
        if row.is_target:
            record = Record(
                id=row.id,
                schema=row.schema,
                caption=row.caption,
                source=row.source,
                source_id=row.entry,
                list_version=f"{row.source}@{row.seq}",
            )
            _apply_target(record, props)
            if row.source in OWN_REFERENCE:
                record.references.add(f"{OWN_REFERENCE[row.source]}:{row.entry}")
            if record.names or record.identifiers:
                targets.append(record)
        else:
            related.append((row.schema, props))
    yield from flush()


def load_active_records(engine: Engine) -> list[Record]:
    """Every target of every active list version."""
    query = (
        select(
            list_versions.c.source,
            list_versions.c.seq,
            entities.c.entry,
            entities.c.id,
            entities.c.schema,
            entities.c.is_target,
            entities.c.caption,
            entities.c.data,
        )
        .select_from(entities)
        .join(active_versions, active_versions.c.version_id == entities.c.version_id)
        .join(list_versions, list_versions.c.id == entities.c.version_id)
        .order_by(list_versions.c.source, entities.c.entry)
    )
    with engine.connect() as conn:
        return list(records_from_rows(conn.execute(query)))
