"""Tables of the system of record (SQLAlchemy Core; SQLite and PostgreSQL alike).

- ``list_versions``: one row per accepted import of a list (a *version*), with where it came
  from, its publication date, sha256, counts and the importer version.
- ``active_versions``: which version of each source is the one screened against. Switching is
  one row update inside the import transaction, so readers see the old version or the new one,
  never half of one.
- ``entities``: every FtM entity of every version, grouped by the list's own record (``entry``).
- ``import_attempts``: every import tried, accepted or refused, with the reason (audit trail).
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData()

list_versions = Table(
    "list_versions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("source", String(100), nullable=False),
    # Per-source sequence number shown to users: version 1, 2, 3 … of us_ofac_sdn.
    Column("seq", Integer, nullable=False),
    Column("format", String(50), nullable=False),
    Column("path", Text, nullable=False),
    Column("published", Date, nullable=True),
    Column("sha256", String(64), nullable=False),
    Column("entry_count", Integer, nullable=False),
    Column("entity_count", Integer, nullable=False),
    Column("target_counts", Text, nullable=False),  # JSON {schema: n} of list targets
    Column("schema_counts", Text, nullable=False),  # JSON {schema: n} of all entities
    Column("warnings", Text, nullable=False),  # JSON [str]
    Column("importer_version", String(30), nullable=False),
    Column("imported_at", DateTime(timezone=True), nullable=False),
    Index("ix_list_versions_source_seq", "source", "seq", unique=True),
)

active_versions = Table(
    "active_versions",
    metadata,
    Column("source", String(100), primary_key=True),
    Column("version_id", Integer, ForeignKey("list_versions.id"), nullable=False),
    Column("activated_at", DateTime(timezone=True), nullable=False),
)

entities = Table(
    "entities",
    metadata,
    Column("version_id", Integer, ForeignKey("list_versions.id"), primary_key=True),
    Column("id", String(200), primary_key=True),
    Column("schema", String(50), nullable=False),
    Column("entry", String(200), nullable=False),
    Column("is_target", Boolean, nullable=False),
    Column("caption", Text, nullable=False),
    Column("data", Text, nullable=False),  # JSON of the FtM entity
    Index("ix_entities_version_entry", "version_id", "entry"),
)

import_attempts = Table(
    "import_attempts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("source", String(100), nullable=True),
    Column("path", Text, nullable=False),
    Column("sha256", String(64), nullable=True),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("outcome", String(20), nullable=False),  # activated | unchanged | refused
    Column("version_id", Integer, nullable=True),
    Column("message", Text, nullable=False),
)
