"""Check the canonical tables and encode them for analysis.

From ``nodes`` and ``edges`` this makes ``g_nodes`` (each id once, with a dense integer ``ix``)
and ``g_edges`` (the usable edges, endpoints as ``src``/``dst`` integers, ``kind_code`` as a
small integer). Every edge left out or changed is reported: dangling references, duplicate
ids, unknown kinds, self references, ownership shares outside 0..100 (kept as a link without
a share), and assets whose recorded shares add up to more than 100 %.
"""

from __future__ import annotations

from typing import Any

from sanctionscope.network.model import EDGE_KINDS, InputError, add_row_numbers

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
        self, con: Any, kind: str, sql: str, message: str, count_sql: str | None = None
    ) -> int:
        """Report the rows of ``sql`` (columns: record, detail); returns how many there were.

        ``count_sql`` counts them more cheaply (e.g. without the join that fetches ids).
        """
        if count_sql is not None and not con.execute(count_sql).fetchone()[0]:
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


def encode_nodes(con: Any, log: ErrorLog) -> int:
    add_row_numbers(con)
    total, distinct, missing = con.execute(
        "SELECT count(*), count(DISTINCT id), count(*) - count(id) FROM nodes_rn"
    ).fetchone()
    if missing:
        log.add(InputError("parse_error", f"{missing} node row(s) without an id were left out"))
    if total - missing == distinct:
        # Ids are unique (the usual case): the row number is the dense integer id.
        con.execute(
            """
            CREATE OR REPLACE TABLE g_nodes AS
            SELECT CAST(row_number() OVER (ORDER BY rn) - 1 AS INTEGER) AS ix,
                   id, schema, caption, coalesce(sanctioned, FALSE) AS sanctioned,
                   sanction_reason, founded, country
            FROM nodes_rn WHERE id IS NOT NULL
            """
            if missing
            else """
            CREATE OR REPLACE TABLE g_nodes AS
            SELECT CAST(rn AS INTEGER) AS ix, id, schema, caption,
                   coalesce(sanctioned, FALSE) AS sanctioned, sanction_reason, founded, country
            FROM nodes_rn
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
        CREATE OR REPLACE TABLE g_nodes AS
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
    # Ids are kept as a 64-bit hash here (cheap to group); a duplicate by hash is confirmed
    # on the real ids before anything is dropped.
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE e_raw AS
        SELECT e.rn, hash(e.id) AS h, s.ix AS src, t.ix AS dst,
               TRY_CAST(e.kind AS {_KIND_ENUM}) AS kind, e.share, e.amount, e.currency, e.date
        FROM edges_rn e
        LEFT JOIN g_nodes s ON e.source = s.id
        LEFT JOIN g_nodes t ON e.target = t.id
        """
    )
    log.add_query(
        con,
        "dangling_reference",
        "SELECT e.id, CASE WHEN r.src IS NULL THEN e.source ELSE e.target END "
        "FROM e_raw r JOIN edges_rn e ON e.rn = r.rn WHERE r.src IS NULL OR r.dst IS NULL",
        "edge {record} refers to {detail}, which is not a node; the edge was left out",
        "SELECT count(*) FROM e_raw WHERE src IS NULL OR dst IS NULL",
    )
    log.add_query(
        con,
        "unknown_kind",
        "SELECT e.id, e.kind FROM e_raw r JOIN edges_rn e ON e.rn = r.rn WHERE r.kind IS NULL",
        "edge {record} has unknown kind {detail!r}; the edge was left out",
        "SELECT count(*) FROM e_raw WHERE kind IS NULL",
    )
    log.add_query(
        con,
        "self_reference",
        "SELECT e.id, e.kind FROM e_raw r JOIN edges_rn e ON e.rn = r.rn WHERE r.src = r.dst",
        "{detail} edge {record} links an entity to itself; the edge was left out",
        "SELECT count(*) FROM e_raw WHERE src = dst",
    )
    log.add_query(
        con,
        "share_out_of_range",
        "SELECT e.id, e.share FROM e_raw r JOIN edges_rn e ON e.rn = r.rn "
        "WHERE r.kind = 'ownership' AND (r.share > 100 OR r.share < 0)",
        "ownership {record} has share {detail} %, outside 0..100; kept as a link without a share",
        "SELECT count(*) FROM e_raw WHERE kind = 'ownership' AND (share > 100 OR share < 0)",
    )
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE dup_rows AS
        WITH suspects AS (
            SELECT r.rn, e.id FROM e_raw r
            JOIN (SELECT h FROM e_raw GROUP BY h HAVING count(*) > 1) d ON r.h = d.h
            JOIN edges_rn e ON e.rn = r.rn
        )
        SELECT rn, id, first(rn) OVER w AS keep_rn, row_number() OVER w AS k
        FROM suspects WHERE id IS NOT NULL
        WINDOW w AS (PARTITION BY id ORDER BY rn)
        """
    )
    log.add_query(
        con,
        "duplicate_edge",
        "SELECT id, count(*) FROM dup_rows GROUP BY id",
        "edge id {record} appears {detail} times; the first was kept",
    )
    # Two ownership records of the same owner, asset and share under different ids are the
    # same holding told twice (two sources): counting both would double the share.
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE dup_own AS
        SELECT rn, keep_rn FROM (
            SELECT rn, first(rn) OVER w AS keep_rn, row_number() OVER w AS k
            FROM e_raw WHERE kind = 'ownership' AND src IS NOT NULL AND dst IS NOT NULL
              AND rn NOT IN (SELECT rn FROM dup_rows WHERE k > 1)
            WINDOW w AS (PARTITION BY src, dst, share ORDER BY rn)
        ) WHERE k > 1
        """
    )
    log.add_query(
        con,
        "duplicate_edge",
        "SELECT a.id, b.id FROM dup_own d JOIN edges_rn a ON a.rn = d.rn "
        "JOIN edges_rn b ON b.rn = d.keep_rn",
        "ownership {record} repeats {detail} (same owner, asset and share); counted once",
        "SELECT count(*) FROM dup_own",
    )
    # Few rows are bad: delete them in place rather than copy millions of good ones.
    con.execute(
        """
        DELETE FROM e_raw
        WHERE src IS NULL OR dst IS NULL OR kind IS NULL OR src = dst
           OR rn IN (SELECT rn FROM dup_rows WHERE k > 1) OR rn IN (SELECT rn FROM dup_own)
        """
    )
    con.execute(
        "UPDATE e_raw SET share = NULL "
        "WHERE share IS NOT NULL AND (kind <> 'ownership' OR share < 0 OR share > 100)"
    )
    con.execute("DROP TABLE IF EXISTS g_edges")
    con.execute("ALTER TABLE e_raw RENAME TO g_edges")
    log.add_query(
        con,
        "share_sum_over_100",
        "SELECT n.id, round(sum(e.share), 6) FROM g_edges e JOIN g_nodes n ON e.dst = n.ix "
        "WHERE e.kind = 'ownership' AND e.share IS NOT NULL GROUP BY n.id "
        "HAVING sum(e.share) > 100 + 1e-9",
        "the recorded owners of {record} hold {detail} % in total (more than 100 %)",
    )
    return int(con.execute("SELECT count(*) FROM g_edges").fetchone()[0])
