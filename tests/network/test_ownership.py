"""The 50 % rule, table-driven and exact, in the three regimes."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from tests.network.graphs import E, N, by_id, run


@dataclass
class Case:
    name: str
    sanctioned: list[str]
    holdings: list[tuple[str, str, float]]  # owner, asset, percent
    blocked: dict[str, dict[str, float]]  # regime → {entity: total share in its proof}
    people: list[str] = field(default_factory=list)
    control: list[tuple[str, str]] = field(default_factory=list)  # director → organisation


CASES = [
    Case(
        "aggregation 30 + 25",
        ["S1", "S2"],
        [("S1", "A", 30), ("S2", "A", 25)],
        {"ofac": {"A": 55}, "eu": {"A": 55}, "uk": {}},
    ),
    Case(
        "three layers at exactly 50",
        ["S"],
        [("S", "A", 50), ("A", "B", 50), ("B", "C", 50)],
        {"ofac": {"A": 50, "B": 50, "C": 50}, "eu": {}, "uk": {}},
    ),
    Case(
        "three layers at 60",
        ["S"],
        [("S", "A", 60), ("A", "B", 60), ("B", "C", 60)],
        {
            "ofac": {"A": 60, "B": 60, "C": 60},
            "eu": {"A": 60, "B": 60, "C": 60},
            "uk": {"A": 60, "B": 60, "C": 60},
        },
    ),
    Case(
        "49.9 is not 50",
        ["S"],
        [("S", "A", 49.9), ("S", "B", 50)],
        {"ofac": {"B": 50}, "eu": {}, "uk": {}},
    ),
    Case(
        "30.1 + 19.9 is exactly 50",
        ["S1", "S2"],
        [("S1", "A", 30.1), ("S2", "A", 19.9)],
        {"ofac": {"A": 50}, "eu": {}, "uk": {}},
    ),
    Case(
        "a 40 % company passes nothing on",
        ["S"],
        [("S", "A", 40), ("A", "B", 100)],
        {"ofac": {}, "eu": {}, "uk": {}},
    ),
    Case(
        "a blocked subsidiary adds to its parent's share",
        ["S"],
        [("S", "A", 30), ("S", "B", 100), ("B", "A", 25)],
        {"ofac": {"A": 55, "B": 100}, "eu": {"A": 55, "B": 100}, "uk": {"A": 55, "B": 100}},
    ),
    Case(
        "ownership cycle through a blocked entity",
        ["S"],
        [("S", "A", 60), ("A", "B", 60), ("B", "A", 30)],
        {"ofac": {"A": 90, "B": 60}, "eu": {"A": 90, "B": 60}, "uk": {"A": 90, "B": 60}},
    ),
    Case(
        "ownership cycle with no sanctioned owner",
        ["S"],
        [("X", "Y", 60), ("Y", "X", 60), ("S", "Z", 10)],
        {"ofac": {}, "eu": {}, "uk": {}},
    ),
    Case(
        "UK: two designated persons at 30 each are not aggregated",
        ["S1", "S2"],
        [("S1", "A", 30), ("S2", "A", 30)],
        {"ofac": {"A": 60}, "eu": {"A": 60}, "uk": {}},
    ),
    Case(
        "UK: one person's direct and indirect holdings add up",
        ["S1"],
        [("S1", "B", 60), ("B", "A", 30), ("S1", "A", 25)],
        {"ofac": {"A": 55, "B": 60}, "eu": {"A": 55, "B": 60}, "uk": {"A": 55, "B": 60}},
    ),
    Case(
        "EU: 50.5 is more than 50",
        ["S"],
        [("S", "A", 50.5), ("S", "B", 50)],
        {"ofac": {"A": 50.5, "B": 50}, "eu": {"A": 50.5}, "uk": {"A": 50.5}},
    ),
    Case(
        "EU: a sanctioned director controls; OFAC and UK do not count it",
        ["P"],
        [("P", "Z", 10)],
        {"ofac": {}, "eu": {"A": 0}, "uk": {}},
        people=["P"],
        control=[("P", "A")],
    ),
    Case(
        "a self-owned company is not blocked by itself",
        ["S"],
        [("S", "A", 20), ("A", "A", 80)],
        {"ofac": {}, "eu": {}, "uk": {}},
    ),
]


def build(case: Case) -> tuple[list[N], list[E]]:
    ids = sorted(
        {
            *case.sanctioned,
            *(h[0] for h in case.holdings),
            *(h[1] for h in case.holdings),
            *(c[0] for c in case.control),
            *(c[1] for c in case.control),
        }
    )
    nodes = [
        N(i, "Person" if i in case.people else "Company", sanctioned=i in case.sanctioned)
        for i in ids
    ]
    edges = [E(o, a, "ownership", share=s) for o, a, s in case.holdings]
    edges += [E(d, o, "directorship") for d, o in case.control]
    return nodes, edges


@pytest.mark.parametrize("regime", ["ofac", "eu", "uk"])
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_fifty_percent_rule(case: Case, regime: str) -> None:
    nodes, edges = build(case)
    result = run(nodes, edges, regime=regime)
    blocked = {f.id: f for f in result.findings if f.status == "blocked_by_ownership"}
    assert set(blocked) == set(case.blocked[regime])
    for entity, total in case.blocked[regime].items():
        reasons = " ".join(blocked[entity].reasons)
        if total:
            assert f"owned {total:g} %" in reasons


def test_proof_lists_the_chains_and_the_sum() -> None:
    nodes, edges = build(CASES[2])  # three layers at 60
    found = by_id(run(nodes, edges, regime="ofac"))
    c = found["C"]
    assert c.score == 1.0
    assert c.reasons == [
        "OFAC 50 % rule: owned 60 % in aggregate by blocked persons (>= 50 % in aggregate): "
        "60 % by Caption B (B)"
    ]
    assert c.paths == [
        [
            {"node": "C", "edge": None},
            {"node": "B", "edge": "ownership"},
            {"node": "A", "edge": "ownership"},
            {"node": "S", "edge": "ownership"},
        ]
    ]


def test_aggregate_proof_names_every_blocked_owner() -> None:
    nodes, edges = build(CASES[6])  # blocked subsidiary adds to the parent's share
    a = by_id(run(nodes, edges, regime="ofac"))["A"]
    assert "owned 55 % in aggregate" in a.reasons[0]
    assert "30 % by Caption S (S), 25 % by Caption B (B)" in a.reasons[0]
    assert a.paths == [
        [{"node": "A", "edge": None}, {"node": "S", "edge": "ownership"}],
        [
            {"node": "A", "edge": None},
            {"node": "B", "edge": "ownership"},
            {"node": "S", "edge": "ownership"},
        ],
    ]


def test_uk_proof_follows_the_designated_persons_chain() -> None:
    nodes, edges = build(CASES[10])  # S1 → B 60 → A 30, S1 → A 25
    a = by_id(run(nodes, edges, regime="uk"))["A"]
    assert a.reasons[0].startswith("UK ownership test: owned 55 % directly or indirectly")
    assert "55 % by Caption S1 (S1)" in a.reasons[0]
    assert a.paths == [
        [
            {"node": "A", "edge": None},
            {"node": "B", "edge": "ownership"},
            {"node": "S1", "edge": "ownership"},
        ]
    ]


def test_eu_control_reason_and_path() -> None:
    nodes, edges = build(CASES[12])
    a = by_id(run(nodes, edges, regime="eu"))["A"]
    assert a.reasons == [
        "EU control: directorship by blocked Caption P (P) (control presumed; rebuttable)"
    ]
    assert a.paths == [[{"node": "A", "edge": None}, {"node": "P", "edge": "directorship"}]]


def test_cycles_are_reported_and_end() -> None:
    nodes, edges = build(CASES[7])
    result = run(nodes, edges, regime="ofac")
    cycles = [e for e in result.errors if e.kind == "ownership_cycle"]
    assert [e.message for e in cycles] == [
        "ownership cycle among 2 entities: A, B (handled: the 50 % rule stops at its fixpoint)"
    ]
    assert result.stats["ownership_rounds"] == 3
