"""What every list parser returns, and the helpers they share.

A parser reads one official file (or a folder of files that form one publication) and
returns a :class:`ParsedList`: one :class:`Entry` per record of the list, each holding the
sanctioned target entity and the FtM entities that hang off it (Sanction, Address,
Identification, relationships). Parsers never touch the store: the import pipeline decides
what becomes active.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Protocol

from followthemoney import EntityProxy, model
from followthemoney.property import Property
from followthemoney.util import sanitize_text


class SourceError(Exception):
    """A list file that cannot be imported, with where and why, in the user's words."""

    def __init__(self, path: Path | str, reason: str, location: str | None = None) -> None:
        self.path = str(path)
        self.reason = reason
        self.location = location
        where = f"{self.path}, {location}" if location else self.path
        super().__init__(f"{where}: {reason}")


@dataclass
class Entry:
    """One record of a sanctions list: the target and everything the record says about it."""

    source_id: str
    target: EntityProxy
    related: list[EntityProxy] = field(default_factory=list)

    def entities(self) -> Iterator[EntityProxy]:
        yield self.target
        yield from self.related


@dataclass
class ParsedList:
    source: str
    format: str
    path: Path
    entries: list[Entry]
    published: date | None = None
    sha256: str = ""
    # Things the parser noticed but could import around (orphan rows, unknown remarks).
    warnings: list[str] = field(default_factory=list)

    def schema_counts(self) -> dict[str, int]:
        counts: Counter[str] = Counter()
        for entry in self.entries:
            for entity in entry.entities():
                counts[entity.schema.name] += 1
        return dict(sorted(counts.items()))

    def target_counts(self) -> dict[str, int]:
        return dict(sorted(Counter(e.target.schema.name for e in self.entries).items()))

    @property
    def entity_count(self) -> int:
        return sum(1 + len(e.related) for e in self.entries)


class Parser(Protocol):
    """Read ``path`` (a file or a folder). ``source`` overrides the dataset name the
    format would choose itself (e.g. ``us_ofac_sdn`` for a folder holding sdn.csv)."""

    def __call__(self, path: Path, source: str | None = None) -> ParsedList: ...


@dataclass(frozen=True)
class SourceFormat:
    """A list format: its name, the default dataset name, how to recognise and read it."""

    name: str
    detect: Callable[[Path], bool]
    parse: Parser
    description: str = ""


def make_entity(schema: str, prefix: str, *key_parts: object) -> EntityProxy:
    """An FtM entity whose id is stable across list versions: ``prefix-<hash of key_parts>``.

    Targets use their list record number directly (see :func:`target_id`) so that an id
    means the same party in every version of the list.
    """
    entity = model.make_entity(schema)
    parts = [str(p) for p in key_parts if p is not None and str(p) != ""]
    digest = hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()
    entity.id = f"{prefix}-{digest}"
    return entity


#: FtM types whose cleaning looks at the entity (an entity may not point at itself).
_ENTITY_AWARE_TYPES = frozenset({"entity", "phone"})
#: Longer values (notes, remarks) rarely repeat: not worth a cache slot.
_CACHED_VALUE_CHARS = 200


@lru_cache(maxsize=32768)
def _cleaned(prop: Property, value: str) -> str | None:
    """What ``EntityProxy.add`` stores for one text value (None: nothing)."""
    text = sanitize_text(value)
    if not text:
        return None
    return prop.type.clean_text(text, fuzzy=False, format=prop.format, proxy=None)


def add_text(entity: EntityProxy, prop_name: str, value: str | None) -> None:
    """``entity.add(prop_name, value)`` for one cell's text, with FtM's cleaning cached:
    regimes, dates, countries and document types come back thousands of times in a list."""
    if not value:
        return
    prop = entity.schema.properties[prop_name]
    if prop.stub or prop.type.name in _ENTITY_AWARE_TYPES or len(value) > _CACHED_VALUE_CHARS:
        entity.add(prop, value)
        return
    cleaned = _cleaned(prop, value)
    if cleaned is not None:
        entity.unsafe_add(prop, cleaned, cleaned=True)


def new_listing(
    schema: str, prefix: str, record_id: str, authority: str, country: str, source_url: str
) -> Entry:
    """A list record's Entry: the sanctioned target (topic ``sanction``) and its Sanction."""
    target = model.make_entity(schema)
    target.id = target_id(prefix, record_id)
    add_text(target, "topics", "sanction")
    add_text(target, "sourceUrl", source_url)
    sanction = make_entity("Sanction", prefix, record_id, "sanction")
    sanction.add("entity", target.id)
    add_text(sanction, "authority", authority)
    add_text(sanction, "country", country)
    add_text(sanction, "recordId", record_id)
    add_text(sanction, "sourceUrl", source_url)
    return Entry(source_id=record_id, target=target, related=[sanction])


def target_id(prefix: str, record_id: str) -> str:
    """Id of a list target, readable and stable: ``ofac-15603``, ``unsc-6908555``."""
    slug = "".join(ch if ch.isalnum() or ch in ".-_" else "-" for ch in record_id.strip())
    return f"{prefix}-{slug}"


def file_sha256(paths: Iterable[Path]) -> str:
    """sha256 of one file, or of several files (sorted by name) taken as one publication."""
    digest = hashlib.sha256()
    ordered = sorted(paths, key=lambda p: p.name)
    for path in ordered:
        if len(ordered) > 1:
            digest.update(path.name.encode("utf-8") + b"\x00")
        with path.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()
