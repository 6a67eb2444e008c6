"""Bad input is reported in the error section, never a crash or an endless loop."""

from __future__ import annotations

import json
from pathlib import Path

from tests.network.graphs import E, N, by_id, run

from sanctionscope.network import AnalysisConfig, analyze_entities


def kinds(result: object) -> list[tuple[str, str | None]]:
    return [(e.kind, e.record) for e in getattr(result, "errors", [])]


def test_shares_out_of_range_are_reported_and_not_counted() -> None:
    nodes = [N("S", sanctioned=True), N("A"), N("B")]
    edges = [
        E("S", "A", "ownership", share=150, id="too-much"),
        E("S", "B", "ownership", share=-10, id="negative"),
    ]
    result = run(nodes, edges)
    assert kinds(result) == [("share_out_of_range", "too-much"), ("share_out_of_range", "negative")]
    assert result.errors[0].message == (
        "ownership too-much has share 150.0 %, outside 0..100; kept as a link without a share"
    )
    found = by_id(result)
    assert found["A"].status == "exposed" and found["B"].status == "exposed"


def test_dangling_references_duplicates_and_self_links() -> None:
    nodes = [N("S", sanctioned=True), N("A"), N("A")]
    edges = [
        E("S", "GHOST", "payment", amount=5, id="p1"),
        E("S", "A", "ownership", share=30, id="o1"),
        E("S", "A", "ownership", share=30, id="o1"),  # same id twice
        E("S", "A", "ownership", share=30, id="o2"),  # same holding under another id
        E("A", "A", "associate", id="self"),
        E("S", "A", "friendship", id="odd"),
    ]
    result = run(nodes, edges)
    assert sorted(kinds(result)) == [
        ("dangling_reference", "p1"),
        ("duplicate_edge", "o1"),
        ("duplicate_edge", "o2"),
        ("duplicate_node", "A"),
        ("self_reference", "self"),
        ("unknown_kind", "odd"),
    ]
    # The holding is counted once: 30 %, not 60 % or 90 %.
    assert by_id(result)["A"].status == "exposed"


def test_shares_adding_up_to_more_than_100_are_reported() -> None:
    nodes = [N("S", sanctioned=True), N("T", sanctioned=True), N("A")]
    edges = [E("S", "A", "ownership", share=70), E("T", "A", "ownership", share=60)]
    result = run(nodes, edges)
    assert kinds(result) == [("share_sum_over_100", "A")]
    assert by_id(result)["A"].status == "blocked_by_ownership"


def test_errors_are_capped_per_kind_with_a_count_of_the_rest() -> None:
    nodes = [N("S", sanctioned=True)]
    edges = [E("S", f"G{i}", "payment", amount=1, id=f"p{i}") for i in range(7)]
    result = run(nodes, edges, max_errors_per_kind=3)
    assert [e.kind for e in result.errors] == ["dangling_reference"] * 3 + ["truncated"]
    assert result.errors[-1].message == "4 more dangling_reference error(s) not listed"


def test_long_ownership_cycles_end(tmp_path: Path) -> None:
    nodes = [N("S", sanctioned=True), *(N(f"C{i}") for i in range(50))]
    edges = [E(f"C{i}", f"C{(i + 1) % 50}", "ownership", share=90) for i in range(50)]
    edges.append(E("S", "C0", "ownership", share=10))
    result = run(nodes, edges)
    assert [e.kind for e in result.errors] == ["ownership_cycle"]
    assert "ownership cycle among 50 entities" in result.errors[0].message
    assert not [f for f in result.findings if f.status == "blocked_by_ownership"]


def test_unreadable_lines_name_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.ftm.json"
    good = {"id": "a", "schema": "Company", "properties": {"name": ["A"]}}
    path.write_text(
        json.dumps(good)
        + "\n{not json\n"
        + json.dumps({"id": "b", "schema": "NoSuchSchema", "properties": {}})
        + "\n"
        + json.dumps({"id": "o", "schema": "Ownership", "properties": {"owner": ["a"]}})
        + "\n"
        + json.dumps(
            {
                "id": "p",
                "schema": "Ownership",
                "properties": {"owner": ["a"], "asset": ["a2"], "percentage": ["lots"]},
            }
        )
        + "\n",
        encoding="utf-8",
    )
    result = analyze_entities([path], AnalysisConfig())
    located = [(e.kind, e.location) for e in result.errors]
    assert located[:4] == [
        ("parse_error", f"{path}, line 2"),
        ("parse_error", f"{path}, line 3"),
        ("dangling_reference", f"{path}, line 4"),
        ("invalid_value", f"{path}, line 5"),
    ]
    assert result.errors[2].message == "Ownership o has no 'asset'"
    assert result.errors[3].message == "ownership percentage 'lots' is not a number"
    assert ("dangling_reference", "p") in [(e.kind, e.record) for e in result.errors]
