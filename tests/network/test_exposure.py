"""Exposure: best paths of at most max_hops typed, weighted edges; hubs stop paths."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import numpy as np
import pytest
from tests.network.graphs import E, N, by_id, run

from sanctionscope.network import AnalysisConfig, analyze

CHAIN_NODES = [N("S", sanctioned=True), N("A"), N("B"), N("C", "Person"), N("D", "Person")]
CHAIN_EDGES = [
    E("S", "A", "payment", amount=1_000_000, date="2024-01-01"),  # weight 0.6
    E("A", "B", "ownership", share=100),  # 0.9
    E("C", "B", "family"),  # 0.6
    E("D", "C", "associate"),  # 0.5
]


def test_scores_are_path_products_within_max_hops() -> None:
    found = by_id(run(CHAIN_NODES, CHAIN_EDGES))
    assert {i: round(f.score, 4) for i, f in found.items()} == {"A": 0.6, "B": 0.54, "C": 0.324}
    assert found["C"].status == "exposed"
    assert found["C"].paths == [
        [
            {"node": "C", "edge": None},
            {"node": "B", "edge": "family"},
            {"node": "A", "edge": "ownership"},
            {"node": "S", "edge": "payment"},
        ]
    ]
    assert found["C"].reasons == [
        "exposed to Caption S (S) over 3 hop(s) (family, ownership, payment); score 0.324"
    ]


def test_max_hops_bounds_the_paths() -> None:
    assert set(by_id(run(CHAIN_NODES, CHAIN_EDGES, max_hops=1))) == {"A"}
    four = by_id(run(CHAIN_NODES, CHAIN_EDGES, max_hops=4))
    assert round(four["D"].score, 4) == 0.162


def test_the_best_path_wins() -> None:
    nodes = [N("S", sanctioned=True), N("A"), N("B")]
    edges = [
        E("A", "S", "associate"),
        E("A", "B", "ownership", share=100),
        E("B", "S", "correspondent"),
    ]
    a = by_id(run(nodes, edges))["A"]
    assert round(a.score, 4) == 0.81
    assert [s["node"] for s in a.paths[0]] == ["A", "B", "S"]


def test_payment_weight_grows_with_the_amount() -> None:
    nodes = [N("S", sanctioned=True), N("SMALL"), N("BIG")]
    edges = [
        E("S", "SMALL", "payment", amount=100, date="2024-01-01"),
        E("S", "BIG", "payment", amount=5_000_000, date="2024-01-01"),
    ]
    found = by_id(run(nodes, edges))
    assert found["BIG"].score == pytest.approx(0.6)
    assert found["SMALL"].score == pytest.approx(0.6 * (0.5 + 0.5 * 2.0043 / 6.0), abs=1e-3)


HUB_NODES = [N("S", sanctioned=True), N("H"), *(N(f"X{i}") for i in range(5)), N("Y")]
HUB_EDGES = [
    E("S", "H", "payment", amount=1_000_000),
    *(E("H", f"X{i}", "payment", amount=1_000_000) for i in range(5)),
    E("X0", "Y", "ownership", share=100),
]


def test_a_hub_is_reached_shown_and_not_expanded() -> None:
    found = by_id(run(HUB_NODES, HUB_EDGES, hub_degree=3))
    assert set(found) == {"H"}
    hub = found["H"]
    assert hub.score == pytest.approx(0.6 * 0.2)
    assert "hub with 6 neighbours (> 3)" in hub.reasons[0]
    assert hub.paths == [[{"node": "H", "edge": None}, {"node": "S", "edge": "payment"}]]


def test_below_the_hub_degree_paths_go_through() -> None:
    found = by_id(run(HUB_NODES, HUB_EDGES, hub_degree=10))
    assert set(found) == {"H", "X0", "X1", "X2", "X3", "X4", "Y"}
    assert [s["node"] for s in found["Y"].paths[0]] == ["Y", "X0", "H", "S"]


def test_many_payments_between_two_parties_do_not_make_a_hub() -> None:
    nodes = [N("S", sanctioned=True), N("A"), N("B")]
    edges = [E("A", "B", "payment", amount=10, date="2024-01-01") for _ in range(10)]
    edges.append(E("S", "A", "ownership", share=10))
    found = by_id(run(nodes, edges, hub_degree=3))
    assert "hub" not in found["A"].reasons[0]
    assert "B" in found


def test_a_sanctioned_hub_exposes_its_counterparties() -> None:
    nodes = [N("S", sanctioned=True), *(N(f"C{i}") for i in range(5))]
    edges = [E("S", f"C{i}", "correspondent") for i in range(5)]
    found = by_id(run(nodes, edges, hub_degree=2))
    assert {i for i, f in found.items() if f.status == "exposed"} == set()
    assert all(f.status == "typology" for f in found.values())
    assert len(found) == 5


def test_min_score_drops_weak_exposure() -> None:
    assert set(by_id(run(CHAIN_NODES, CHAIN_EDGES, min_score=0.5))) == {"A", "B"}


def test_analyze_reads_canonical_parquet(tmp_path: Path) -> None:
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE n AS SELECT * FROM (VALUES ('S', 'Company', 'Sanctioned', TRUE, 'x', "
        "NULL::DATE, 'ru'), ('A', 'Company', 'A Ltd', FALSE, NULL, NULL, NULL)) "
        "t(id, schema, caption, sanctioned, sanction_reason, founded, country)"
    )
    # Columns in another order and an absent optional column (currency) are accepted.
    con.execute(
        "CREATE TABLE e AS SELECT * FROM (VALUES ('S', 'A', 'e1', 'ownership', 60.0, NULL::DOUBLE, "
        "NULL::DATE)) t(source, target, id, kind, share, amount, date)"
    )
    con.execute(f"COPY n TO '{tmp_path / 'nodes.parquet'}' (FORMAT PARQUET)")
    con.execute(f"COPY e TO '{tmp_path / 'edges.parquet'}' (FORMAT PARQUET)")
    result = analyze(tmp_path / "nodes.parquet", tmp_path / "edges.parquet", AnalysisConfig())
    [finding] = result.findings
    assert (finding.id, finding.caption, finding.status) == ("A", "A Ltd", "blocked_by_ownership")
    assert result.stats["nodes"] == 2 and result.stats["edges"] == 1


@pytest.mark.parametrize("hub_degree", [4, 1000])
def test_the_duckdb_join_engine_agrees_with_the_in_memory_one(hub_degree: int) -> None:
    rng = np.random.default_rng(5)
    nodes = [N(f"n{i}", sanctioned=bool(i % 50 == 0)) for i in range(400)]
    kinds = ["payment", "ownership", "associate", "correspondent", "family"]
    edges = [
        # No dates: the payment typologies have nothing to do, only exposure is compared.
        E(f"n{a}", f"n{b}", kinds[k], share=float(s), amount=float(m))
        for a, b, k, s, m in zip(
            rng.integers(0, 400, 900),
            rng.integers(0, 400, 900),
            rng.integers(0, 5, 900),
            rng.integers(1, 40, 900),
            rng.integers(10, 10**7, 900),
            strict=True,
        )
        if a != b
    ]
    memory = run(nodes, edges, hub_degree=hub_degree, exposure_engine="memory")
    joins = run(nodes, edges, hub_degree=hub_degree, exposure_engine="duckdb")
    assert memory.stats["exposure_engine"] == "memory"
    assert joins.stats["exposure_engine"] == "duckdb"
    left = {f.id: f for f in memory.findings if f.status == "exposed"}
    right = {f.id: f for f in joins.findings if f.status == "exposed"}
    assert len(left) > 50
    assert set(left) == set(right)
    for entity, finding in left.items():
        assert right[entity].score == pytest.approx(finding.score, rel=1e-6)
        assert len(right[entity].paths[0]) == len(finding.paths[0])
        assert right[entity].paths[0][-1]["node"] in {f"n{i}" for i in range(0, 400, 50)}


def test_written_lines_are_the_findings_as_json(tmp_path: Path) -> None:
    odd = 'Ω "quoted" \\ id'
    nodes = [*CHAIN_NODES, N(odd, "Person"), N("H"), *(N(f"X{i}") for i in range(4))]
    edges = [*CHAIN_EDGES, E(odd, "C", "family"), E("H", "A", "payment", amount=5)]
    edges += [E("H", f"X{i}", "payment", amount=5) for i in range(4)]
    result = run(nodes, edges, hub_degree=3, max_hops=4)
    out = tmp_path / "out.jsonl"
    assert result.write_jsonl(out) == len(result.findings) == 6
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert lines == [f.to_json() for f in result.findings]
    assert {line["id"] for line in lines} == {"A", "B", "C", "D", odd, "H"}
