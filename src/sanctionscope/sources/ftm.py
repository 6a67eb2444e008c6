"""FollowTheMoney JSON lines: one entity per line, as OpenSanctions, yente and ``ftm`` write them.

Any export works; the dataset name is chosen by ``--source``. Without it, the name is the file
name without its FtM suffix: ``yente_zala_entities.ftm.json`` → ``yente_zala_entities``
(suffixes ``.ftm.jsonl``, ``.ftm.json``, ``.ijson``, ``.jsonl``, ``.json``, in that order).

Entities are read as they are: every property the schema knows is kept verbatim (values are
not re-validated, so that nothing the exporter kept is lost, e.g. a phone field holding
three numbers), and statement-style fields around the properties (``datasets``,
``referents``, ``first_seen``, ``last_change``, ``target``, ``caption``) stay in the proxy's
context and are written back out by ``to_dict()``. Properties the schema does not know are
dropped with a warning. An id seen twice is merged into one entity (FtM merge), with a warning.

Grouping into entries:

* every Thing except Address (Person, Company, Vessel, …) is a *target*: one Entry each,
  ``source_id`` = the entity id;
* every other entity (Sanction, Ownership, Family, Passport, Identification, …) joins the
  Entry of a target it references: an edge through its source side first
  (``schema.edge_source``: Ownership.owner, Family.person, Directorship.director), then through
  its other entity properties in schema order (Sanction.entity, Identification.holder,
  Ownership.asset);
* an Address (a Thing in FtM, but a fact about a party rather than a party) and any other
  entity that references no target joins the first target, in file order, that references
  *it* (Thing.addressEntity);
* an entity linked to no target either way becomes its own Entry, so nothing is lost; each
  such case is reported in ``warnings``.

Entries are in file order of their targets, followed by those unlinked entities in file order.
``published`` is the latest ``last_change`` in the file, if any.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from followthemoney import EntityProxy, model, registry
from followthemoney.exc import InvalidData
from followthemoney.schema import Schema

from sanctionscope.sources.base import Entry, ParsedList, SourceError, SourceFormat, file_sha256

FORMAT_NAME = "ftm"
#: Longest line read (one entity); a longer one is refused rather than held in memory.
MAX_LINE_BYTES = 64 * 1024 * 1024
#: Longest first line looked at during format detection.
DETECT_LINE_BYTES = 8 * 1024 * 1024
#: Blank lines skipped at the start of a file during detection.
DETECT_BLANK_LINES = 100
FTM_SUFFIXES = (".ftm.jsonl", ".ftm.json", ".ijson", ".jsonl", ".json")


@dataclass
class LoadedEntity:
    """An entity of the file and the line it first appeared on (for messages)."""

    entity: EntityProxy
    line: int

    @property
    def location(self) -> str:
        return f"line {self.line}"


def default_source_name(path: Path) -> str:
    """``yente_zala_entities.ftm.json`` → ``yente_zala_entities``."""
    name = path.name
    for suffix in FTM_SUFFIXES:
        if name.lower().endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return path.stem or name


# ---------------------------------------------------------------------- lines


def _raw_lines(path: Path, limit: int) -> Iterator[tuple[int, bytes]]:
    """(line number, bytes) for each line, refusing a line longer than ``limit``."""
    with path.open("rb") as fh:
        number = 0
        while True:
            raw = fh.readline(limit + 1)
            if not raw:
                return
            number += 1
            if len(raw) > limit and not raw.endswith(b"\n"):
                raise SourceError(
                    path, f"line longer than {limit:,} bytes; refused", location=f"line {number}"
                )
            yield number, raw


def _decode_json_line(path: Path, number: int, raw: bytes) -> object:
    location = f"line {number}"
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SourceError(path, f"not UTF-8 text ({exc.reason})", location) from exc
    if number == 1:
        text = text.removeprefix("\ufeff")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        reason = f"invalid JSON ({exc.msg}, column {exc.colno})"
        raise SourceError(path, reason, location) from exc
    except RecursionError as exc:
        raise SourceError(path, "invalid JSON (nested too deeply)", location) from exc


def _json_records(path: Path) -> Iterator[tuple[int, object]]:
    """Decoded JSON value of every non-blank line, with its line number."""
    for number, raw in _raw_lines(path, MAX_LINE_BYTES):
        if raw.strip():
            yield number, _decode_json_line(path, number, raw)


# -------------------------------------------------------------------- records


def _record_id(path: Path, location: str, record: dict[str, Any]) -> str:
    value = record.get("id")
    if not isinstance(value, str) or not value.strip():
        raise SourceError(path, "entity without an id", location)
    return value.strip()


def _record_schema(path: Path, location: str, record: dict[str, Any]) -> Schema:
    name = record.get("schema")
    if not isinstance(name, str) or not name:
        raise SourceError(path, "entity without a schema", location)
    schema = model.get(name)
    if schema is None:
        raise SourceError(path, f"unknown schema {name!r}", location)
    if schema.abstract:
        raise SourceError(path, f"schema {name!r} is abstract; no entity can have it", location)
    return schema


def _property_values(path: Path, location: str, prop: str, values: object) -> list[str]:
    if isinstance(values, str):
        values = [values]
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise SourceError(path, f"property {prop!r} must be a list of strings", location)
    return [value for value in values if value.strip()]


def _record_properties(
    path: Path, location: str, schema: Schema, record: dict[str, Any], warnings: list[str]
) -> dict[str, list[str]]:
    """The record's properties, checked for shape; unknown ones dropped with a warning."""
    raw = record.get("properties", {})
    if not isinstance(raw, dict):
        raise SourceError(path, "'properties' must be a JSON object", location)
    properties: dict[str, list[str]] = {}
    unknown: list[str] = []
    for prop, values in raw.items():
        if prop not in schema.properties:
            unknown.append(prop)
            continue
        kept = _property_values(path, location, prop, values)
        if kept:
            properties[prop] = kept
    if unknown:
        warnings.append(f"{location}: {schema.name} has no property {sorted(unknown)!r}; dropped")
    return properties


def entity_from_record(
    path: Path, location: str, record: object, warnings: list[str]
) -> EntityProxy:
    """One FtM entity from one decoded JSON line, or a SourceError saying what is wrong."""
    if not isinstance(record, dict):
        kind = type(record).__name__
        raise SourceError(path, f"expected a JSON object (an entity), found {kind}", location)
    entity_id = _record_id(path, location, record)
    schema = _record_schema(path, location, record)
    data = dict(record)
    data["id"] = entity_id
    data["schema"] = schema.name
    data["properties"] = _record_properties(path, location, schema, record, warnings)
    return model.get_proxy(data, cleaned=True)


def _merge_repeated(
    path: Path, first: LoadedEntity, entity: EntityProxy, line: int, warnings: list[str]
) -> None:
    try:
        first.entity.merge(entity)
    except InvalidData as exc:
        reason = (
            f"entity {entity.id} appears again as {entity.schema.name}, which cannot merge "
            f"with {first.entity.schema.name} from {first.location} ({exc})"
        )
        raise SourceError(path, reason, location=f"line {line}") from exc
    except TypeError as exc:  # FtM merges context values as list items; nested JSON cannot be
        reason = f"entity {entity.id} appears again and its fields cannot be merged ({exc})"
        raise SourceError(path, reason, location=f"line {line}") from exc
    warnings.append(f"line {line}: entity {entity.id} repeated (first at {first.location}); merged")


def load_entities(path: Path, warnings: list[str]) -> list[LoadedEntity]:
    """Every entity of the file in order of first appearance, repeated ids merged."""
    by_id: dict[str, LoadedEntity] = {}
    for number, record in _json_records(path):
        entity = entity_from_record(path, f"line {number}", record, warnings)
        entity_id = str(entity.id)
        first = by_id.get(entity_id)
        if first is None:
            by_id[entity_id] = LoadedEntity(entity, number)
        else:
            _merge_repeated(path, first, entity, number, warnings)
    return list(by_id.values())


# ------------------------------------------------------------------- grouping


def is_target(entity: EntityProxy) -> bool:
    """A party a list is about: a Thing, but not an Address (a fact about a party)."""
    return entity.schema.is_a("Thing") and not entity.schema.is_a("Address")


def _linking_properties(schema: Schema) -> list[str]:
    """Entity-valued properties, the edge's source side first, then in schema order."""
    names = [prop.name for prop in schema.properties.values() if prop.type == registry.entity]
    if schema.edge and schema.edge_source in names:
        names.remove(schema.edge_source)
        names.insert(0, schema.edge_source)
    return names


def _referenced_ids(entity: EntityProxy) -> Iterator[str]:
    for prop in _linking_properties(entity.schema):
        yield from entity.get(prop, quiet=True)


def _first_referenced_target(entity: EntityProxy, targets: dict[str, Entry]) -> str | None:
    return next((ref for ref in _referenced_ids(entity) if ref in targets), None)


def _claims_by_targets(
    loaded: Iterable[LoadedEntity], dependents: set[str], linked: dict[str, str]
) -> dict[str, str]:
    """Dependent id → first target (file order) that references it, for unlinked dependents."""
    claims: dict[str, str] = {}
    for item in loaded:
        if not is_target(item.entity):
            continue
        for ref in _referenced_ids(item.entity):
            if ref in dependents and ref not in linked and ref not in claims:
                claims[ref] = str(item.entity.id)
    return claims


def group_entries(loaded: list[LoadedEntity], warnings: list[str]) -> list[Entry]:
    """Targets with the entities that hang off them; unlinked entities as their own entries."""
    targets: dict[str, Entry] = {}
    for item in loaded:
        if is_target(item.entity):
            entity_id = str(item.entity.id)
            targets[entity_id] = Entry(source_id=entity_id, target=item.entity)
    dependents = [item for item in loaded if not is_target(item.entity)]
    linked: dict[str, str] = {}
    for item in dependents:
        owner = _first_referenced_target(item.entity, targets)
        if owner is not None:
            linked[str(item.entity.id)] = owner
    dependent_ids = {str(item.entity.id) for item in dependents}
    linked.update(_claims_by_targets(loaded, dependent_ids, linked))
    unlinked: list[Entry] = []
    for item in dependents:
        entity_id = str(item.entity.id)
        owner = linked.get(entity_id)
        if owner is not None:
            targets[owner].related.append(item.entity)
            continue
        warnings.append(
            f"{item.location}: {item.entity.schema.name} {entity_id} is linked to no "
            "Thing in this file; kept as its own entry"
        )
        unlinked.append(Entry(source_id=entity_id, target=item.entity))
    return [*targets.values(), *unlinked]


def latest_change(entities: Iterable[EntityProxy]) -> date | None:
    """The latest ``last_change`` (statement-style exports) among the entities, if any."""
    days: list[date] = []
    for entity in entities:
        value = entity.context.get("last_change")
        # A merged entity holds a list (one value per merged line).
        for text in value if isinstance(value, list) else [value]:
            day = _iso_day(text)
            if day is not None:
                days.append(day)
    return max(days, default=None)


def _iso_day(value: object) -> date | None:
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


# ------------------------------------------------------------------ detection


def _first_record(path: Path) -> object:
    for number, raw in _raw_lines(path, DETECT_LINE_BYTES):
        if raw.strip():
            return _decode_json_line(path, number, raw)
        if number >= DETECT_BLANK_LINES:
            break
    return None


def detect(path: Path) -> bool:
    """A file whose first non-blank line is a JSON object with "schema" and "id"."""
    if not path.is_file():
        return False
    try:
        record = _first_record(path)
    except (SourceError, OSError):
        return False
    return isinstance(record, dict) and isinstance(record.get("schema"), str) and "id" in record


# ---------------------------------------------------------------------- parse


def parse(path: Path, source: str | None = None) -> ParsedList:
    """Read FtM JSON lines; ``source`` defaults to the file name without its FtM suffix."""
    path = Path(path)
    if not path.is_file():
        raise SourceError(path, "no such file")
    warnings: list[str] = []
    try:
        loaded = load_entities(path, warnings)
    except OSError as exc:
        raise SourceError(path, f"cannot read the file: {exc}") from exc
    if not loaded:
        raise SourceError(path, "the file holds no entities (it is empty or blank)")
    entries = group_entries(loaded, warnings)
    return ParsedList(
        source=source or default_source_name(path),
        format=FORMAT_NAME,
        path=path,
        entries=entries,
        published=latest_change(item.entity for item in loaded),
        sha256=file_sha256([path]),
        warnings=warnings,
    )


FORMAT = SourceFormat(
    name=FORMAT_NAME,
    detect=detect,
    parse=parse,
    description="FollowTheMoney JSON lines",
)
