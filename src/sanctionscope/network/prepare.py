"""Check the canonical tables and encode them for analysis.

From ``nodes`` and ``edges`` this makes ``g_nodes`` (each id once, with a dense integer ``ix``)
and ``g_edges`` (the usable edges, endpoints as ``src``/``dst`` integers, ``kind_code`` as a
small integer). Every edge left out or changed is reported: dangling references, duplicate
ids, unknown kinds, self references, ownership shares outside 0..100 (kept as a link without
a share), and assets whose recorded shares add up to more than 100 %.
"""

from __future__ import annotations

from typing import Any

from sanctionscope.network.model import EDGE_KINDS, InputError

KIND_CODE = {kind: code for code, kind in enumerate(EDGE_KINDS)}
_KIND_CASE = "CASE kind " + " ".join(f"WHEN '{k}' THEN {c}" for k, c in KIND_CODE.items()) + " END"


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

    def add_query(self, con: Any, kind: str, sql: str, message: str) -> int:
        """Report the rows of ``sql`` (columns: record, detail); returns how many there were."""
        total = int(con.execute(f"SELECT count(*) FROM ({sql})").fetchone()[0])
        if total == 0:
            return 0
        for record, detail in con.execute(f"{sql} LIMIT {self.limit}").fetchall():
            self.add(InputError(kind, message.format(record=record, detail=detail), record))
        self.counts[kind] = self.counts.get(kind, 0) + total - min(total, self.limit)
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
    log.add_query(
        con,
        "duplicate_node",
        "SELECT id, count(*) FROM nodes WHERE id IS NOT NULL GROUP BY id HAVING count(*) > 1",
        "node {record} appears {detail} times; one node kept (sanctioned if any copy is)",
    )
    log.add_query(
        con,
        "parse_error",
        "SELECT NULL, count(*) FROM nodes WHERE id IS NULL HAVING count(*) > 0",
        "{detail} node row(s) without an id were left out",
    )
    con.execute(
        """
        CREATE OR REPLACE TABLE g_nodes AS
        SELECT CAST(row_number() OVER () - 1 AS INTEGER) AS ix, *
        FROM (
            SELECT id, first(schema) AS schema, first(caption) AS caption,
                   bool_or(coalesce(sanctioned, FALSE)) AS sanctioned,
                   string_agg(DISTINCT sanction_reason, '; ') AS sanction_reason,
                   min(founded) AS founded, first(country) AS country
            FROM nodes WHERE id IS NOT NULL GROUP BY id
        )
        """
    )
    return int(con.execute("SELECT count(*) FROM g_nodes").fetchone()[0])


def encode_edges(con: Any, log: ErrorLog) -> int:
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE e_raw AS
        SELECT row_number() OVER () AS rn, e.id, e.source, e.target, e.kind,
               CAST({_KIND_CASE} AS UTINYINT) AS kind_code,
               e.share, e.amount, e.currency, e.date, s.ix AS src, t.ix AS dst
        FROM edges e
        LEFT JOIN g_nodes s ON e.source = s.id
        LEFT JOIN g_nodes t ON e.target = t.id
        """
    )
    log.add_query(
        con,
        "dangling_reference",
        "SELECT id, CASE WHEN src IS NULL THEN source ELSE target END FROM e_raw "
        "WHERE src IS NULL OR dst IS NULL",
        "edge {record} refers to {detail}, which is not a node; the edge was left out",
    )
    log.add_query(
        con,
        "unknown_kind",
        "SELECT id, kind FROM e_raw WHERE kind_code IS NULL",
        "edge {record} has unknown kind {detail!r}; the edge was left out",
    )
    log.add_query(
        con,
        "self_reference",
        "SELECT id, kind FROM e_raw WHERE src = dst",
        "{detail} edge {record} links an entity to itself; the edge was left out",
    )
    log.add_query(
        con,
        "share_out_of_range",
        "SELECT id, share FROM e_raw WHERE kind = 'ownership' AND (share > 100 OR share < 0)",
        "ownership {record} has share {detail} %, outside 0..100; kept as a link without a share",
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE dup_ids AS "
        "SELECT id, min(rn) AS keep FROM e_raw WHERE id IS NOT NULL GROUP BY id HAVING count(*) > 1"
    )
    log.add_query(
        con,
        "duplicate_edge",
        "SELECT d.id, count(*) FROM e_raw e JOIN dup_ids d ON e.id = d.id GROUP BY d.id",
        "edge id {record} appears {detail} times; the first was kept",
    )
    # Two ownership records of the same owner, asset and share under different ids are the
    # same holding told twice (two sources): counting both would double the share.
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE dup_own AS
        SELECT rn, id, keep_id FROM (
            SELECT rn, id, first(id) OVER w AS keep_id, row_number() OVER w AS k
            FROM e_raw WHERE kind = 'ownership' AND src IS NOT NULL AND dst IS NOT NULL
            WINDOW w AS (PARTITION BY src, dst, share ORDER BY rn)
        ) WHERE k > 1
        """
    )
    log.add_query(
        con,
        "duplicate_edge",
        "SELECT id, keep_id FROM dup_own",
        "ownership {record} repeats {detail} (same owner, asset and share); counted once",
    )
    con.execute(
        """
        CREATE OR REPLACE TABLE g_edges AS
        SELECT e.id, CAST(e.src AS INTEGER) AS src, CAST(e.dst AS INTEGER) AS dst, e.kind,
               e.kind_code,
               CASE WHEN e.kind = 'ownership' AND e.share BETWEEN 0 AND 100 THEN e.share END
                   AS share,
               e.amount, e.currency, e.date
        FROM e_raw e
        LEFT JOIN dup_ids d ON e.id = d.id
        WHERE e.src IS NOT NULL AND e.dst IS NOT NULL AND e.kind_code IS NOT NULL
          AND e.src <> e.dst AND (d.id IS NULL OR e.rn = d.keep)
          AND e.rn NOT IN (SELECT rn FROM dup_own)
        """
    )
    con.execute("DROP TABLE e_raw")
    log.add_query(
        con,
        "share_sum_over_100",
        "SELECT n.id, round(sum(e.share), 6) FROM g_edges e JOIN g_nodes n ON e.dst = n.ix "
        "WHERE e.kind = 'ownership' AND e.share IS NOT NULL GROUP BY n.id "
        "HAVING sum(e.share) > 100 + 1e-9",
        "the recorded owners of {record} hold {detail} % in total (more than 100 %)",
    )
    return int(con.execute("SELECT count(*) FROM g_edges").fetchone()[0])
