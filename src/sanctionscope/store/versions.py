"""List versions: write a parsed list as a new version and switch it active atomically."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, func, insert, select, update

from sanctionscope.store.schema import active_versions, entities, import_attempts, list_versions

if TYPE_CHECKING:
    from sanctionscope.sources.base import ParsedList

_INSERT_CHUNK = 5000


@dataclass(frozen=True)
class ListVersion:
    id: int
    source: str
    seq: int
    format: str
    path: str
    published: date | None
    sha256: str
    entry_count: int
    entity_count: int
    target_counts: dict[str, int]
    schema_counts: dict[str, int]
    warnings: list[str]
    importer_version: str
    imported_at: datetime
    active: bool = False

    @property
    def label(self) -> str:
        return f"{self.source}@{self.seq}"

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "version": self.seq,
            "active": self.active,
            "format": self.format,
            "path": self.path,
            "published": self.published.isoformat() if self.published else None,
            "sha256": self.sha256,
            "entries": self.entry_count,
            "entities": self.entity_count,
            "targets_by_schema": self.target_counts,
            "entities_by_schema": self.schema_counts,
            "warnings": self.warnings,
            "importer_version": self.importer_version,
            "imported_at": self.imported_at.isoformat(),
        }


def _row_to_version(row: Any, active_ids: set[int]) -> ListVersion:
    imported_at = row.imported_at
    if imported_at.tzinfo is None:
        imported_at = imported_at.replace(tzinfo=UTC)
    return ListVersion(
        id=row.id,
        source=row.source,
        seq=row.seq,
        format=row.format,
        path=row.path,
        published=row.published,
        sha256=row.sha256,
        entry_count=row.entry_count,
        entity_count=row.entity_count,
        target_counts=json.loads(row.target_counts),
        schema_counts=json.loads(row.schema_counts),
        warnings=json.loads(row.warnings),
        importer_version=row.importer_version,
        imported_at=imported_at,
        active=row.id in active_ids,
    )


def _active_ids(conn: Connection) -> set[int]:
    return {r.version_id for r in conn.execute(select(active_versions.c.version_id))}


def active_versions_list(engine: Engine) -> list[ListVersion]:
    """The active version of every source, by source name."""
    with engine.connect() as conn:
        query = (
            select(list_versions)
            .join(active_versions, active_versions.c.version_id == list_versions.c.id)
            .order_by(list_versions.c.source)
        )
        ids = _active_ids(conn)
        return [_row_to_version(row, ids) for row in conn.execute(query)]


def active_version(conn: Connection, source: str) -> ListVersion | None:
    query = (
        select(list_versions)
        .join(active_versions, active_versions.c.version_id == list_versions.c.id)
        .where(active_versions.c.source == source)
    )
    row = conn.execute(query).first()
    return _row_to_version(row, {row.id}) if row else None


def source_versions(engine: Engine, source: str) -> list[ListVersion]:
    """Every accepted version of a source, oldest first."""
    with engine.connect() as conn:
        ids = _active_ids(conn)
        query = select(list_versions).where(list_versions.c.source == source)
        rows = conn.execute(query.order_by(list_versions.c.seq))
        return [_row_to_version(row, ids) for row in rows]


def _entity_rows(version_id: int, parsed: ParsedList) -> Iterator[dict[str, Any]]:
    for entry in parsed.entries:
        for entity in entry.entities():
            yield {
                "version_id": version_id,
                "id": entity.id,
                "schema": entity.schema.name,
                "entry": entry.source_id,
                "is_target": entity is entry.target,
                "caption": entity.caption,
                "data": json.dumps(entity.to_dict(), ensure_ascii=False, sort_keys=True),
            }


def write_version(conn: Connection, parsed: ParsedList, importer_version: str) -> ListVersion:
    """Insert ``parsed`` as the next version of its source and make it active.

    Runs inside the caller's transaction: if anything fails, nothing of it is visible and the
    previous version stays active.
    """
    now = datetime.now(UTC)
    next_seq = (
        conn.execute(
            select(func.max(list_versions.c.seq)).where(list_versions.c.source == parsed.source)
        ).scalar_one_or_none()
        or 0
    ) + 1
    values = {
        "source": parsed.source,
        "seq": next_seq,
        "format": parsed.format,
        "path": str(parsed.path),
        "published": parsed.published,
        "sha256": parsed.sha256,
        "entry_count": len(parsed.entries),
        "entity_count": parsed.entity_count,
        "target_counts": json.dumps(parsed.target_counts()),
        "schema_counts": json.dumps(parsed.schema_counts()),
        "warnings": json.dumps(parsed.warnings, ensure_ascii=False),
        "importer_version": importer_version,
        "imported_at": now,
    }
    inserted = conn.execute(insert(list_versions).values(**values)).inserted_primary_key
    assert inserted is not None
    version_id = int(inserted[0])
    batch: list[dict[str, Any]] = []
    for entity_row in _entity_rows(version_id, parsed):
        batch.append(entity_row)
        if len(batch) >= _INSERT_CHUNK:
            conn.execute(insert(entities), batch)
            batch = []
    if batch:
        conn.execute(insert(entities), batch)
    _switch_active(conn, parsed.source, version_id, now)
    row = conn.execute(select(list_versions).where(list_versions.c.id == version_id)).one()
    return _row_to_version(row, {version_id})


def _switch_active(conn: Connection, source: str, version_id: int, now: datetime) -> None:
    updated = conn.execute(
        update(active_versions)
        .where(active_versions.c.source == source)
        .values(version_id=version_id, activated_at=now)
    )
    if updated.rowcount == 0:
        conn.execute(
            insert(active_versions).values(source=source, version_id=version_id, activated_at=now)
        )


def log_attempt(
    engine: Engine,
    *,
    path: str,
    source: str | None,
    sha256: str | None,
    outcome: str,
    message: str,
    version_id: int | None = None,
) -> None:
    with engine.begin() as conn:
        conn.execute(
            insert(import_attempts).values(
                source=source,
                path=path,
                sha256=sha256,
                started_at=datetime.now(UTC),
                outcome=outcome,
                version_id=version_id,
                message=message,
            )
        )


def load_entities(engine: Engine, version_id: int) -> dict[str, list[dict[str, Any]]]:
    """All entities of a version as FtM dicts, grouped by list record (entry)."""
    grouped: dict[str, list[dict[str, Any]]] = {}
    with engine.connect() as conn:
        query = (
            select(entities.c.entry, entities.c.is_target, entities.c.data)
            .where(entities.c.version_id == version_id)
            .order_by(entities.c.entry, entities.c.is_target.desc(), entities.c.id)
        )
        for row in conn.execute(query):
            grouped.setdefault(row.entry, []).append(json.loads(row.data))
    return grouped
