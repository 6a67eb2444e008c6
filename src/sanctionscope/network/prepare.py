"""Check the canonical tables and encode them for analysis.

From ``nodes`` and ``edges`` this makes ``g_nodes`` (each id once, with a dense integer ``ix``)
and ``g_edges`` (the usable edges, endpoints as ``src``/``dst`` integers, ``kind_code`` as a
small integer). Every edge left out or changed is reported: dangling references, duplicate
ids, unknown kinds, self references, ownership shares outside 0..100 (kept as a link without
a share), and assets whose recorded shares add up to more than 100 %.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from sanctionscope.network.model import EDGE_KINDS, InputError, add_row_numbers, distinct

KIND_CODE = {kind: code for code, kind in enumerate(EDGE_KINDS)}
_KIND_ENUM = "ENUM(" + ", ".join(f"'{k}'" for k in EDGE_KINDS) + ")"


class ErrorLog:
    """Errors by kind, at most ``limit`` listed per kind and a count of the rest."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.items: list[InputError] = []
        self.counts: dict[str, int] = {}

    def add(self, error: InputError) -> None:
        seen = self.counts.get(error.kind, 0)
        self.counts[error.kind] = seen + 1
        if seen < self.limit:
            self.items.append(error)

    def add_query(
        self, con: Any, kind: str, sql: str, message: str, known_count: int | None = None
    ) -> int:
        """Report the rows of ``sql`` (columns: record, detail); returns how many there were.

        ``known_count``, when the caller has counted the rows more cheaply (e.g. without the
        join that fetches ids): ``sql`` is not run when it is 0.
        """
        if known_count == 0:
            return 0
        rows = con.execute(f"SELECT *, count(*) OVER () FROM ({sql}) LIMIT {self.limit}").fetchall()
        if not rows:
            return 0
        total = int(rows[0][-1])
        for record, detail, _total in rows:
            self.add(InputError(kind, message.format(record=record, detail=detail), record))
        self.counts[kind] = self.counts.get(kind, 0) + total - len(rows)
        return total

    def finish(self) -> list[InputError]:
        listed: dict[str, int] = {}
        for item in self.items:
            listed[item.kind] = listed.get(item.kind, 0) + 1
        result = list(self.items)
        for kind, count in sorted(self.counts.items()):
            rest = count - listed.get(kind, 0)
            if rest > 0:
                result.append(InputError("truncated", f"{rest} more {kind} error(s) not listed"))
        return result


def prepare_tables(con: Any, log: ErrorLog) -> tuple[int, int]:
    """Make ``g_nodes`` and ``g_edges`` from ``nodes`` and ``edges``; their row counts."""
    add_row_numbers(con)
    total, missing = con.execute("SELECT count(*), count(*) - count(id) FROM nodes_rn").fetchone()
    if missing:
        log.add(InputError("parse_error", f"{missing} node row(s) without an id were left out"))
    drop_relation(con, "g_nodes")
    if not missing and node_ids_are_unique(con):
        # The usual case: the row number is the dense integer id, and g_nodes is a view
        # over the input. A copy would hold 10 million nodes in 0.8 GB that the edges need
        # more (DuckDB stores each column of each row group in whole 256 kB blocks).
        con.execute(
            """
            CREATE VIEW g_nodes AS
            SELECT CAST(rn AS INTEGER) AS ix, id, schema, caption,
                   coalesce(sanctioned, FALSE) AS sanctioned, sanction_reason, founded, country
            FROM nodes_rn
            """
        )
        n_edges = encode_edges(con, log)
        check_share_sums(con, log)
        return int(total), n_edges
    n_nodes = encode_nodes(con, log)
    n_edges = encode_edges(con, log)
    check_share_sums(con, log)
    return n_nodes, n_edges


def drop_relation(con: Any, name: str) -> None:
    """Drop table or view ``name`` of an earlier analysis on this connection."""
    kinds = con.execute(
        "SELECT 'TABLE' FROM duckdb_tables() WHERE table_name = ? "
        "UNION ALL SELECT 'VIEW' FROM duckdb_views() WHERE view_name = ?",
        [name, name],
    ).fetchall()
    for (kind,) in kinds:
        con.execute(f'DROP {kind} IF EXISTS "{name}"')


def repeated_hashes(con: Any, sql: str) -> np.ndarray[Any, np.dtype[np.uint64]]:
    """The 64-bit hashes (column ``h`` of ``sql``) that occur more than once, sorted.

    Sorting integers in NumPy is several times cheaper than grouping millions of strings;
    a repeated hash is only a suspect (two ids may share one), to be confirmed on the ids.
    """
    h = np.asarray(con.execute(sql).fetchnumpy()["h"], dtype=np.uint64)
    h.sort()
    repeated: np.ndarray[Any, np.dtype[np.uint64]] = distinct(h[1:][h[1:] == h[:-1]])
    return repeated


def node_ids_are_unique(con: Any) -> bool:
    suspects = repeated_hashes(con, "SELECT hash(id) AS h FROM nodes_rn WHERE id IS NOT NULL")
    if len(suspects) == 0:
        return True
    con.register("_suspects", {"h": suspects})
    repeated = con.execute(
        "SELECT count(*) FROM (SELECT id FROM nodes_rn WHERE hash(id) IN (SELECT h FROM _suspects)"
        " GROUP BY id HAVING count(*) > 1)"
    ).fetchone()[0]
    con.unregister("_suspects")
    return not repeated


def encode_nodes(con: Any, log: ErrorLog) -> int:
    """``g_nodes`` when some rows have no id or share one: each id once, numbered in order
    of its first row (a node is sanctioned if any of its rows says so)."""
    total, distinct, missing = con.execute(
        "SELECT count(*), count(DISTINCT id), count(*) - count(id) FROM nodes_rn"
    ).fetchone()
    if total - missing == distinct:
        con.execute(
            """
            CREATE TABLE g_nodes AS
            SELECT CAST(row_number() OVER (ORDER BY rn) - 1 AS INTEGER) AS ix,
                   id, schema, caption, coalesce(sanctioned, FALSE) AS sanctioned,
                   sanction_reason, founded, country
            FROM nodes_rn WHERE id IS NOT NULL
            """
        )
        return int(distinct)
    log.add_query(
        con,
        "duplicate_node",
        "SELECT id, count(*) FROM nodes WHERE id IS NOT NULL GROUP BY id HAVING count(*) > 1",
        "node {record} appears {detail} times; one node kept (sanctioned if any copy is)",
    )
    con.execute(
        """
        CREATE TABLE g_nodes AS
        SELECT CAST(row_number() OVER (ORDER BY first_rn) - 1 AS INTEGER) AS ix,
               id, schema, caption, sanctioned, sanction_reason, founded, country
        FROM (
            SELECT id, min(rn) AS first_rn, arg_min(schema, rn) AS schema,
                   arg_min(caption, rn) AS caption,
                   bool_or(coalesce(sanctioned, FALSE)) AS sanctioned,
                   string_agg(DISTINCT sanction_reason, '; ') AS sanction_reason,
                   min(founded) AS founded, arg_min(country, rn) AS country
            FROM nodes_rn WHERE id IS NOT NULL GROUP BY id
        )
        """
    )
    return int(distinct)


def encode_edges(con: Any, log: ErrorLog) -> int:
    """Table ``g_edges``: the usable edges, endpoints looked up in ``g_nodes``."""
    duplicate_ids = duplicate_edge_ids(con)
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE e_raw AS
        SELECT CAST(e.rn AS {rn_type(con)}) AS rn, s.ix AS src, t.ix AS dst,
               TRY_CAST(e.kind AS {_KIND_ENUM}) AS kind, e.share, e.amount,
               CAST(e.currency AS {currency_type(con)}) AS currency, e.date
        FROM edges_rn e
        LEFT JOIN g_nodes s ON e.source = s.id
        LEFT JOIN g_nodes t ON e.target = t.id
        """
    )
    counts = count_bad_edges(con)
    log.add_query(
        con,
        "dangling_reference",
        "SELECT e.id, CASE WHEN r.src IS NULL THEN e.source ELSE e.target END "
        "FROM e_raw r JOIN edges_rn e ON e.rn = r.rn WHERE r.src IS NULL OR r.dst IS NULL",
        "edge {record} refers to {detail}, which is not a node; the edge was left out",
        known_count=counts["dangling"],
    )
    log.add_query(
        con,
        "unknown_kind",
        "SELECT e.id, e.kind FROM e_raw r JOIN edges_rn e ON e.rn = r.rn WHERE r.kind IS NULL",
        "edge {record} has unknown kind {detail!r}; the edge was left out",
        known_count=counts["unknown_kind"],
    )
    log.add_query(
        con,
        "self_reference",
        "SELECT e.id, e.kind FROM e_raw r JOIN edges_rn e ON e.rn = r.rn WHERE r.src = r.dst",
        "{detail} edge {record} links an entity to itself; the edge was left out",
        known_count=counts["self_reference"],
    )
    log.add_query(
        con,
        "share_out_of_range",
        "SELECT e.id, e.share FROM e_raw r JOIN edges_rn e ON e.rn = r.rn "
        "WHERE r.kind = 'ownership' AND (r.share > 100 OR r.share < 0)",
        "ownership {record} has share {detail} %, outside 0..100; kept as a link without a share",
        known_count=counts["share_out_of_range"],
    )
    if duplicate_ids:
        log.add_query(
            con,
            "duplicate_edge",
            "SELECT id, count(*) FROM dup_rows GROUP BY id HAVING count(*) > 1",
            "edge id {record} appears {detail} times; the first was kept",
        )
    repeated_holdings = find_repeated_holdings(con, duplicate_ids)
    if repeated_holdings:
        log.add_query(
            con,
            "duplicate_edge",
            "SELECT a.id, b.id FROM dup_own d JOIN edges_rn a ON a.rn = d.rn "
            "JOIN edges_rn b ON b.rn = d.keep_rn",
            "ownership {record} repeats {detail} (same owner, asset and share); counted once",
            known_count=repeated_holdings,
        )
    drop_bad_edges(con, counts, duplicate_ids, repeated_holdings)
    con.execute("DROP TABLE IF EXISTS g_edges")
    con.execute("ALTER TABLE e_raw RENAME TO g_edges")
    return int(con.execute("SELECT count(*) FROM g_edges").fetchone()[0])


def check_share_sums(con: Any, log: ErrorLog) -> None:
    log.add_query(
        con,
        "share_sum_over_100",
        "SELECT n.id, o.total FROM ("
        "  SELECT dst, round(sum(share), 6) AS total FROM g_edges"
        "  WHERE kind = 'ownership' AND share IS NOT NULL GROUP BY dst"
        "  HAVING sum(share) > 100 + 1e-9"
        ") o JOIN g_nodes n ON n.ix = o.dst",
        "the recorded owners of {record} hold {detail} % in total (more than 100 %)",
    )


def rn_type(con: Any) -> str:
    """The narrowest integer type for edge row numbers (4 bytes less per edge below 2**31)."""
    total = int(con.execute("SELECT count(*) FROM edges_rn").fetchone()[0])
    return "INTEGER" if total < 2**31 else "BIGINT"


def currency_type(con: Any, max_values: int = 10_000) -> str:
    """An ENUM of the currencies in use: one byte per edge instead of a 16-byte string."""
    values = con.execute(
        f"SELECT DISTINCT currency FROM edges_rn WHERE currency IS NOT NULL LIMIT {max_values + 1}"
    ).fetchall()
    if not values or len(values) > max_values:
        return "VARCHAR"
    quoted = ", ".join("'" + str(v[0]).replace("'", "''") + "'" for v in sorted(values))
    return f"ENUM({quoted})"


def count_bad_edges(con: Any) -> dict[str, int]:
    """How many edges of ``e_raw`` each check rejects or changes, in one scan."""
    row = con.execute(
        """
        SELECT count(*) FILTER (src IS NULL OR dst IS NULL),
               count(*) FILTER (kind IS NULL),
               count(*) FILTER (src = dst),
               count(*) FILTER (kind = 'ownership' AND (share > 100 OR share < 0)),
               count(*) FILTER (share IS NOT NULL AND (kind <> 'ownership' OR share < 0
                                                      OR share > 100))
        FROM e_raw
        """
    ).fetchone()
    names = ("dangling", "unknown_kind", "self_reference", "share_out_of_range", "share_reset")
    return {name: int(value) for name, value in zip(names, row, strict=True)}


def duplicate_edge_ids(con: Any) -> bool:
    """Find edge ids used more than once; table ``dup_rows`` (rn, id, keep_rn, k) when any."""
    repeated = repeated_hashes(con, "SELECT hash(id) AS h FROM edges_rn WHERE id IS NOT NULL")
    if len(repeated) == 0:
        return False
    con.register("_dup_hashes", {"h": repeated})
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE dup_rows AS
        SELECT rn, id, first(rn) OVER w AS keep_rn, row_number() OVER w AS k
        FROM edges_rn WHERE id IS NOT NULL AND hash(id) IN (SELECT h FROM _dup_hashes)
        WINDOW w AS (PARTITION BY id ORDER BY rn)
        """
    )
    con.unregister("_dup_hashes")
    return bool(con.execute("SELECT count(*) FROM dup_rows WHERE k > 1").fetchone()[0])


def find_repeated_holdings(con: Any, duplicate_ids: bool) -> int:
    """Table ``dup_own`` (rn, keep_rn): ownership records repeating an earlier one's owner,
    asset and share under another id (the same holding told by two sources); how many.

    Counting both would double the share. Candidate groups are found by a GROUP BY; the
    ordering window runs only over the few rows in a repeated group.
    """
    not_dropped = "AND rn NOT IN (SELECT rn FROM dup_rows WHERE k > 1)" if duplicate_ids else ""
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE dup_own AS
        WITH holdings AS (
            SELECT rn, src, dst, share FROM e_raw
            WHERE kind = 'ownership' AND src IS NOT NULL AND dst IS NOT NULL {not_dropped}
        ),
        repeated AS (
            SELECT src, dst, share FROM holdings GROUP BY src, dst, share HAVING count(*) > 1
        )
        SELECT rn, keep_rn FROM (
            SELECT h.rn, first(h.rn) OVER w AS keep_rn, row_number() OVER w AS k
            FROM holdings h SEMI JOIN repeated r
              ON h.src = r.src AND h.dst = r.dst AND h.share IS NOT DISTINCT FROM r.share
            WINDOW w AS (PARTITION BY h.src, h.dst, h.share ORDER BY h.rn)
        ) WHERE k > 1
        """
    )
    return int(con.execute("SELECT count(*) FROM dup_own").fetchone()[0])


def drop_bad_edges(
    con: Any, counts: dict[str, int], duplicate_ids: bool, repeated_holdings: int
) -> None:
    """Delete the rejected edges and clear the shares that do not count, in place.

    Few rows are bad: deleting them is cheaper than copying millions of good ones, and when
    none is bad the table is not scanned again.
    """
    conditions = []
    if counts["dangling"] or counts["unknown_kind"] or counts["self_reference"]:
        conditions.append("src IS NULL OR dst IS NULL OR kind IS NULL OR src = dst")
    if duplicate_ids:
        conditions.append("rn IN (SELECT rn FROM dup_rows WHERE k > 1)")
    if repeated_holdings:
        conditions.append("rn IN (SELECT rn FROM dup_own)")
    if conditions:
        con.execute(f"DELETE FROM e_raw WHERE {' OR '.join(conditions)}")
    if counts["share_reset"]:
        con.execute(
            "UPDATE e_raw SET share = NULL "
            "WHERE share IS NOT NULL AND (kind <> 'ownership' OR share < 0 OR share > 100)"
        )
