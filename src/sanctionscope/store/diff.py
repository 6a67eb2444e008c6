"""What changed between two versions of a list, record by record and field by field.

Each list record (entry) is flattened into fields: the target's own properties (``name``,
``alias``, ``swiftBic``…) and those of the entities hanging off it, prefixed by their schema
(``Sanction.program``, ``Address.full``, ``Passport.number``…). Links between entities of the
same record are internal wiring and left out; links to other records (``UnknownLink.object``)
are kept, because "now linked to X" is a real change.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from followthemoney import model
from sqlalchemy import Engine

from sanctionscope.store.versions import ListVersion, load_entities

Fields = dict[str, frozenset[str]]


@dataclass(frozen=True)
class FieldChange:
    field: str
    added: tuple[str, ...]
    removed: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {"field": self.field, "added": list(self.added), "removed": list(self.removed)}


@dataclass(frozen=True)
class EntryChange:
    entry: str
    caption: str
    schema: str
    kind: str  # added | removed | changed
    fields: tuple[FieldChange, ...] = ()

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "source_id": self.entry,
            "caption": self.caption,
            "schema": self.schema,
        }
        if self.kind == "changed":
            data["fields"] = [f.to_json() for f in self.fields]
        return data


@dataclass
class ListDiff:
    source: str
    old: ListVersion
    new: ListVersion
    added: list[EntryChange] = field(default_factory=list)
    removed: list[EntryChange] = field(default_factory=list)
    changed: list[EntryChange] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "from": {
                "version": self.old.seq,
                "published": _iso(self.old),
                "sha256": self.old.sha256,
            },
            "to": {"version": self.new.seq, "published": _iso(self.new), "sha256": self.new.sha256},
            "summary": {
                "added": len(self.added),
                "removed": len(self.removed),
                "changed": len(self.changed),
            },
            "added": [c.to_json() for c in self.added],
            "removed": [c.to_json() for c in self.removed],
            "changed": [c.to_json() for c in self.changed],
        }


def _iso(version: ListVersion) -> str | None:
    return version.published.isoformat() if version.published else None


def entry_fields(entities: list[dict[str, Any]]) -> Fields:
    """Flatten one list record (target first) into ``field -> values``."""
    own_ids = {e["id"] for e in entities}
    target_id = entities[0]["id"]
    collected: dict[str, set[str]] = {}
    for data in entities:
        schema = model.get(data["schema"])
        prefix = "" if data["id"] == target_id else f"{data['schema']}."
        for name, values in data.get("properties", {}).items():
            prop = schema.get(name) if schema else None
            is_link = prop is not None and prop.type.name == "entity"
            kept = [v for v in values if not (is_link and v in own_ids)]
            if kept:
                collected.setdefault(prefix + name, set()).update(kept)
    return {key: frozenset(values) for key, values in collected.items()}


def _caption(entities: list[dict[str, Any]]) -> str:
    names = entities[0].get("properties", {}).get("name", [])
    return str(names[0]) if names else str(entities[0]["id"])


def compare_entry(
    entry: str, old: list[dict[str, Any]], new: list[dict[str, Any]]
) -> EntryChange | None:
    before, after = entry_fields(old), entry_fields(new)
    changes = []
    for key in sorted(set(before) | set(after)):
        was, now = before.get(key, frozenset()), after.get(key, frozenset())
        if was != now:
            changes.append(FieldChange(key, tuple(sorted(now - was)), tuple(sorted(was - now))))
    if not changes:
        return None
    return EntryChange(entry, _caption(new), new[0]["schema"], "changed", tuple(changes))


def diff_versions(engine: Engine, old: ListVersion, new: ListVersion) -> ListDiff:
    before = load_entities(engine, old.id)
    after = load_entities(engine, new.id)
    result = ListDiff(new.source, old, new)
    for entry in sorted(after.keys() - before.keys()):
        ents = after[entry]
        result.added.append(EntryChange(entry, _caption(ents), ents[0]["schema"], "added"))
    for entry in sorted(before.keys() - after.keys()):
        ents = before[entry]
        result.removed.append(EntryChange(entry, _caption(ents), ents[0]["schema"], "removed"))
    for entry in sorted(before.keys() & after.keys()):
        change = compare_entry(entry, before[entry], after[entry])
        if change is not None:
            result.changed.append(change)
    return result
