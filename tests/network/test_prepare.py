"""Preparing the tables and the in-memory exposure: the shortcuts taken for speed keep the
results exact (hub degrees, distinct values, ties, node ids, reuse of one connection)."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.network.graphs import E, N, by_id, load, run

from sanctionscope.network import AnalysisConfig, analyze, analyze_connection
from sanctionscope.network.exposure import find_hubs, incident_edges
from sanctionscope.network.model import connect, distinct


@settings(max_examples=50, deadline=None)
@given(st.lists(st.integers(min_value=-(2**40), max_value=2**40), max_size=200))
def test_distinct_is_the_sorted_set(values: list[int]) -> None:
    found = distinct(np.array(values, dtype=np.int64))
    assert found.tolist() == sorted(set(values))


def test_hub_degrees_count_distinct_neighbours() -> None:
    rng = np.random.default_rng(3)
    n = 300
    # Node 0 takes many parallel payments; nodes 1 and 2 are real hubs.
    src = np.concatenate([rng.integers(0, n, 2000), np.zeros(500, dtype=np.int64)])
    dst = np.concatenate([rng.integers(0, 3, 2000), np.full(500, 7)])
    keep = src != dst
    src, dst = src[keep].astype(np.int64), dst[keep].astype(np.int64)
    hub_degree = 20
    hubs = find_hubs(src, dst, incident_edges(src, dst, n), hub_degree)
    neighbours: dict[int, set[int]] = {}
    for a, b in zip(src.tolist(), dst.tolist(), strict=True):
        neighbours.setdefault(a, set()).add(b)
        neighbours.setdefault(b, set()).add(a)
    incident = np.bincount(np.concatenate([src, dst]), minlength=n)
    assert hubs.candidates.tolist() == np.flatnonzero(incident > hub_degree).tolist()
    assert hubs.distinct.tolist() == [len(neighbours[c]) for c in hubs.candidates.tolist()]
    expected = sorted(c for c, others in neighbours.items() if len(others) > hub_degree)
    assert hubs.typology_hubs(hub_degree).tolist() == expected


def test_equally_good_paths_do_not_depend_on_edge_order() -> None:
    # A reaches S over B or over C with the same score: the node listed first (B) is chosen,
    # whatever the order of the edges.
    nodes = [N("S", sanctioned=True), N("B"), N("C"), N("A")]
    edges = [
        E("A", "B", "associate"),
        E("A", "C", "associate"),
        E("B", "S", "associate"),
        E("C", "S", "associate"),
    ]
    forward = by_id(run(nodes, edges))["A"]
    backward = by_id(run(nodes, edges[::-1]))["A"]
    assert forward.paths == backward.paths
    assert [step["node"] for step in forward.paths[0]] == ["A", "B", "S"]


def test_one_connection_analyses_a_table_of_nodes_then_a_view(tmp_path: Path) -> None:
    con = connect()
    # Duplicate node ids: g_nodes is built as a table (each id once).
    load(con, [N("S", sanctioned=True), N("A"), N("A")], [E("S", "A", "ownership", share=60)])
    first = analyze_connection(con, AnalysisConfig())
    assert [e.kind for e in first.errors] == ["duplicate_node"]
    assert by_id(first)["A"].status == "blocked_by_ownership"
    con.execute("DROP TABLE nodes")
    con.execute("DROP TABLE edges")
    # Unique ids: g_nodes becomes a view over the nodes.
    load(con, [N("S", sanctioned=True), N("B")], [E("S", "B", "ownership", share=40)])
    second = analyze_connection(con, AnalysisConfig())
    assert second.errors == []
    assert [(f.id, f.status) for f in second.findings] == [("B", "exposed")]
    con.close()


def test_node_rows_without_an_id_are_left_out(tmp_path: Path) -> None:
    con = duckdb.connect()
    con.execute(
        "COPY (SELECT * FROM (VALUES ('S', TRUE), (NULL, FALSE), ('A', FALSE)) t(id, sanctioned)) "
        f"TO '{tmp_path / 'nodes.parquet'}' (FORMAT PARQUET)"
    )
    con.execute(
        "COPY (SELECT * FROM (VALUES ('e1', 'S', 'A', 'ownership', 50.0, 'USD'), "
        "('e1', 'S', 'A', 'ownership', 50.0, 'USD'), ('e2', 'A', 'S', 'payment', NULL, 'EUR'))"
        " t(id, source, target, kind, share, currency)) "
        f"TO '{tmp_path / 'edges.parquet'}' (FORMAT PARQUET)"
    )
    result = analyze(tmp_path / "nodes.parquet", tmp_path / "edges.parquet", AnalysisConfig())
    assert [(e.kind, e.record) for e in result.errors] == [
        ("parse_error", None),
        ("duplicate_edge", "e1"),
    ]
    assert result.errors[0].message == "1 node row(s) without an id were left out"
    assert [(f.id, f.status) for f in result.findings] == [("A", "blocked_by_ownership")]
    out = tmp_path / "out.jsonl"
    result.write_jsonl(out)
    assert [json.loads(line)["id"] for line in out.read_text(encoding="utf-8").splitlines()] == [
        "A"
    ]
