"""Small hand-built graphs for the network tests: rows in, an analysis result out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np

from sanctionscope.network import AnalysisConfig, AnalysisResult, analyze_connection
from sanctionscope.network.model import connect, create_tables


@dataclass
class N:
    id: str
    schema: str = "Company"
    sanctioned: bool = False
    founded: str | None = None


@dataclass
class E:
    source: str
    target: str
    kind: str
    share: float | None = None
    amount: float | None = None
    date: str | None = None
    id: str | None = None


def load(con: Any, nodes: list[N], edges: list[E]) -> None:
    create_tables(con)
    con.register(
        "_n",
        {
            # NumPy string arrays ('' for none): DuckDB reads object arrays slowly.
            "id": np.array([n.id for n in nodes], dtype=str),
            "schema": np.array([n.schema for n in nodes], dtype=str),
            "sanctioned": np.array([n.sanctioned for n in nodes], dtype=bool),
            "founded": np.array([n.founded or "" for n in nodes], dtype=str),
        },
    )
    con.execute(
        "INSERT INTO nodes SELECT id, schema, 'Caption ' || id, sanctioned, "
        "CASE WHEN sanctioned THEN 'test list' END, CAST(nullif(founded, '') AS DATE), NULL "
        "FROM _n"
    )
    if edges:
        con.register(
            "_e",
            {
                "id": np.array([e.id or f"e{i}" for i, e in enumerate(edges)], dtype=str),
                "source": np.array([e.source for e in edges], dtype=str),
                "target": np.array([e.target for e in edges], dtype=str),
                "kind": np.array([e.kind for e in edges], dtype=str),
                "share": np.array([np.nan if e.share is None else e.share for e in edges]),
                "amount": np.array([np.nan if e.amount is None else e.amount for e in edges]),
                "date": np.array([e.date or "" for e in edges], dtype=str),
            },
        )
        con.execute(
            "INSERT INTO edges SELECT id, source, target, kind, "
            "CASE WHEN isnan(share) THEN NULL ELSE share END, "
            "CASE WHEN isnan(amount) THEN NULL ELSE amount END, 'USD', CAST(nullif(date, '') AS DATE) FROM _e"
        )


def run(nodes: list[N], edges: list[E], **settings: Any) -> AnalysisResult:
    con = connect()  # stays open: exposure findings read their names from it when used
    load(con, nodes, edges)
    return analyze_connection(con, AnalysisConfig(**settings))


def by_id(result: AnalysisResult) -> dict[str, Any]:
    return {f.id: f for f in result.findings}


def day(text: str) -> date:
    return date.fromisoformat(text)
