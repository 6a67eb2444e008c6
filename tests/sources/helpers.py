"""Small helpers shared by the list-format tests."""

from __future__ import annotations

from pathlib import Path

from followthemoney import EntityProxy

from sanctionscope.sources import Entry


def related_of(entry: Entry, schema: str) -> list[EntityProxy]:
    """The entities of an entry's record that have this schema."""
    return [entity for entity in entry.related if entity.schema.name == schema]


def write_file(folder: Path, name: str, text: str | bytes) -> Path:
    """A test file written as UTF-8 (text) or as given (bytes)."""
    path = folder / name
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return path
