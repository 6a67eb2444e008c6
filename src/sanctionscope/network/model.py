"""The canonical graph tables every part of the network package reads and writes.

Two tables, the same in DuckDB and in Parquet:

- ``nodes(id, schema, caption, sanctioned, sanction_reason, founded, country)``
- ``edges(id, source, target, kind, share, amount, currency, date)``

``kind`` is one of :data:`EDGE_KINDS`. The direction of each kind is fixed (see
:data:`EDGE_DIRECTIONS`); ``share`` is a percentage (0..100) on ownership edges, ``amount``,
``currency`` and ``date`` describe payments. ``correspondent`` and ``intermediary`` are our own
kinds (FtM has no banking roles); ``shared_<attribute>`` edges are made by the builder when two
entities carry the same address, phone, email or tax id.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
from numpy.typing import NDArray

RELATION_KINDS = (
    "ownership",
    "directorship",
    "representation",
    "membership",
    "employment",
    "family",
    "associate",
    "unknown_link",
    "payment",
    "correspondent",
    "intermediary",
)
SHARED_ATTRIBUTES = ("address", "phone", "email", "tax_id")
SHARED_KINDS = tuple(f"shared_{name}" for name in SHARED_ATTRIBUTES)
EDGE_KINDS = RELATION_KINDS + SHARED_KINDS

EDGE_DIRECTIONS: dict[str, str] = {
    "ownership": "owner → asset (share = percent held)",
    "directorship": "director → organization",
    "representation": "agent → client",
    "membership": "member → organization",
    "employment": "employee → employer",
    "family": "person → relative",
    "associate": "person → associate",
    "unknown_link": "subject → object",
    "payment": "payer → beneficiary (amount, currency, date)",
    "correspondent": "respondent bank (holds an account at) → correspondent bank",
    "intermediary": "intermediary bank → the bank or party it routed payments for",
    "shared_address": "entity ↔ entity with the same normalised address",
    "shared_phone": "entity ↔ entity with the same phone number",
    "shared_email": "entity ↔ entity with the same email address",
    "shared_tax_id": "entity ↔ entity with the same tax identifier",
}

NODES_DDL = """
CREATE TABLE {name} (
    id VARCHAR, schema VARCHAR, caption VARCHAR, sanctioned BOOLEAN,
    sanction_reason VARCHAR, founded DATE, country VARCHAR
)
"""
EDGES_DDL = """
CREATE TABLE {name} (
    id VARCHAR, source VARCHAR, target VARCHAR, kind VARCHAR, share DOUBLE,
    amount DOUBLE, currency VARCHAR, date DATE
)
"""
NODE_COLUMNS = ("id", "schema", "caption", "sanctioned", "sanction_reason", "founded", "country")
EDGE_COLUMNS = ("id", "source", "target", "kind", "share", "amount", "currency", "date")

# Schemas that are organisations (can be owned, be a front company, hold bank accounts).
PERSON_SCHEMAS = frozenset({"Person"})


@dataclass(frozen=True)
class InputError:
    """A bad input record: reported in the output's error section, never a crash.

    ``kind`` is one of: parse_error, invalid_value, share_out_of_range, share_sum_over_100,
    dangling_reference, duplicate_node, duplicate_edge, self_reference, ownership_cycle,
    unknown_kind, truncated (a count of further errors of one kind that were not listed).
    """

    kind: str
    message: str
    record: str | None = None
    location: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "message": self.message,
            "record": self.record,
            "location": self.location,
        }


def connect(memory_limit: str | None = None, temp_directory: str | None = None) -> Any:
    """An in-memory DuckDB connection that spills to ``temp_directory`` when needed."""
    con = duckdb.connect(":memory:")
    if memory_limit:
        con.execute(f"SET memory_limit = '{memory_limit}'")
    spill = temp_directory or str(Path(tempfile.gettempdir()) / "sanctionscope-duckdb")
    con.execute(f"SET temp_directory = '{_quote(Path(spill))}'")
    con.execute("SET preserve_insertion_order = false")
    return con


def create_tables(con: Any, nodes: str = "nodes", edges: str = "edges") -> None:
    con.execute(NODES_DDL.format(name=nodes))
    con.execute(EDGES_DDL.format(name=edges))


def load_parquet(con: Any, nodes_parquet: Path, edges_parquet: Path) -> None:
    """Views ``nodes`` and ``edges`` over the two Parquet files, with the canonical types.

    Views, not tables: the analysis reads each file about once, straight into its encoded
    tables, and a 50-million-edge file is never copied whole. ``nodes_rn`` and ``edges_rn``
    add ``rn``, the row number in the file, by which errors and duplicates are told apart.
    """
    for path in (nodes_parquet, edges_parquet):
        if not Path(path).is_file():
            raise FileNotFoundError(f"{path}: no such Parquet file")
    for name, path, columns, types in (
        ("nodes", nodes_parquet, NODE_COLUMNS, NODE_TYPES),
        ("edges", edges_parquet, EDGE_COLUMNS, EDGE_TYPES),
    ):
        present = _parquet_columns(con, path)
        select = ", ".join(_cast_column(path, present, c, types[c]) for c in columns)
        source = f"read_parquet('{_quote(path)}', file_row_number = true)"
        con.execute(
            f"CREATE OR REPLACE VIEW {name}_rn AS SELECT {select}, file_row_number AS rn FROM {source}"
        )
        con.execute(f"CREATE OR REPLACE VIEW {name} AS SELECT {', '.join(columns)} FROM {name}_rn")


def add_row_numbers(con: Any) -> None:
    """Views ``nodes_rn``/``edges_rn`` over tables ``nodes``/``edges`` (when not from Parquet)."""
    views = {row[0] for row in con.execute("SELECT view_name FROM duckdb_views()").fetchall()}
    for name in ("nodes", "edges"):
        if f"{name}_rn" not in views:
            con.execute(f"CREATE OR REPLACE VIEW {name}_rn AS SELECT *, rowid AS rn FROM {name}")


NODE_TYPES = {
    "id": "VARCHAR",
    "schema": "VARCHAR",
    "caption": "VARCHAR",
    "sanctioned": "BOOLEAN",
    "sanction_reason": "VARCHAR",
    "founded": "DATE",
    "country": "VARCHAR",
}
EDGE_TYPES = {
    "id": "VARCHAR",
    "source": "VARCHAR",
    "target": "VARCHAR",
    "kind": "VARCHAR",
    "share": "DOUBLE",
    "amount": "DOUBLE",
    "currency": "VARCHAR",
    "date": "DATE",
}
_REQUIRED = {"id", "source", "target", "kind"}


def _cast_column(path: Path, present: frozenset[str], column: str, sql_type: str) -> str:
    """A column of the Parquet file cast to its canonical type, NULL when it is absent."""
    if column in present:
        return f'CAST("{column}" AS {sql_type}) AS "{column}"'
    if column in _REQUIRED:
        raise ValueError(f"{path}: required column '{column}' is missing")
    if column == "sanctioned":
        return "FALSE AS sanctioned"
    return f"CAST(NULL AS {sql_type}) AS {column}"


def _parquet_columns(con: Any, path: Path) -> frozenset[str]:
    rows = con.execute("DESCRIBE SELECT * FROM read_parquet(?)", [str(path)]).fetchall()
    return frozenset(str(r[0]) for r in rows)


def write_parquet(con: Any, nodes_parquet: Path, edges_parquet: Path) -> None:
    """Write tables ``nodes`` and ``edges`` of ``con`` as Parquet (zstd)."""
    con.execute(f"COPY nodes TO '{_quote(nodes_parquet)}' (FORMAT PARQUET, COMPRESSION ZSTD)")
    con.execute(f"COPY edges TO '{_quote(edges_parquet)}' (FORMAT PARQUET, COMPRESSION ZSTD)")


def distinct(values: NDArray[Any]) -> NDArray[Any]:
    """The sorted distinct values of an array, by sorting.

    ``np.unique`` is 50 to 70 times slower than a sort on arrays of a million integers with
    the NumPy in use here (2.4: it hashes), which cost seconds per call at 10 million nodes.
    """
    ordered = np.sort(values, axis=None)
    if len(ordered) == 0:
        return ordered
    keep = np.empty(len(ordered), dtype=bool)
    keep[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=keep[1:])
    return ordered[keep]


def _quote(path: Path) -> str:
    return str(path).replace("'", "''")
