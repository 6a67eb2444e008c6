"""The synthetic bank-book generator: deterministic, consistent with its truth, and scored
end to end through the network engine."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path

import duckdb
import pytest
from followthemoney import model

from sanctionscope.network import AnalysisConfig, analyze
from sanctionscope.network.synthetic import (
    STATUSES,
    TYPOLOGIES,
    Book,
    evaluate,
    generate_book,
)


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> Book:
    return generate_book(7, "tiny", tmp_path_factory.mktemp("book"))


def rows(query: str) -> list[tuple[object, ...]]:
    return duckdb.sql(query).fetchall()


def book_files(book: Book) -> list[Path]:
    assert book.entities_path is not None and book.csv_dir is not None
    return [
        book.entities_path,
        book.csv_dir / "accounts.csv",
        book.csv_dir / "relationships.csv",
        book.truth_path,
        book.nodes_parquet,
        book.edges_parquet,
    ]


def test_same_seed_writes_the_same_bytes(book: Book, tmp_path: Path) -> None:
    again = generate_book(7, "tiny", tmp_path / "again")
    for first, second in zip(book_files(book), book_files(again), strict=True):
        assert first.read_bytes() == second.read_bytes(), first.name
    other = generate_book(8, "tiny", tmp_path / "other")
    assert other.entities_path is not None and book.entities_path is not None
    assert other.entities_path.read_bytes() != book.entities_path.read_bytes()


def test_every_planted_id_exists_and_statuses_are_known(book: Book) -> None:
    truth = book.truth()
    node_ids = {r[0] for r in rows(f"SELECT id FROM '{book.nodes_parquet}'")}
    assert len(node_ids) == book.node_count
    assert {record.id for record in truth} <= node_ids
    assert len({record.id for record in truth}) == len(truth)
    for record in truth:
        assert record.status in STATUSES
        assert set(record.typologies) <= set(TYPOLOGIES)
        assert bool(record.typologies) == (record.status == "typology"), record
    sanctioned = {r[0] for r in rows(f"SELECT id FROM '{book.nodes_parquet}' WHERE sanctioned")}
    assert sanctioned == {r.id for r in truth if r.status == "sanctioned"}
    counts = Counter(record.status for record in truth)
    # tiny book: the 19 Sep 2024 case plus one instance of every other scenario
    assert counts["blocked_by_ownership"] == 9
    assert counts["typology"] == 17
    assert counts["sanctioned"] == 20
    assert counts["clean"] == 1200 + 11  # hub customers and decoys


def test_edges_reference_nodes_and_shares_are_valid(book: Book) -> None:
    nodes, edges = book.nodes_parquet, book.edges_parquet
    assert rows(
        f"SELECT count(*) FROM '{edges}' e WHERE e.source NOT IN (SELECT id FROM '{nodes}') "
        f"OR e.target NOT IN (SELECT id FROM '{nodes}')"
    ) == [(0,)]
    assert rows(f"SELECT count(*) - count(DISTINCT id) FROM '{edges}'") == [(0,)]
    assert rows(f"SELECT count(*) FROM '{edges}' WHERE source = target") == [(0,)]
    shares = rows(f"SELECT share FROM '{edges}' WHERE kind = 'ownership'")
    assert shares and all(s is not None and 0 < float(s) <= 100 for (s,) in shares)  # type: ignore[arg-type]
    over = rows(
        f"SELECT target, sum(share) FROM '{edges}' WHERE kind = 'ownership' "
        "GROUP BY target HAVING sum(share) > 100 + 1e-9"
    )
    assert over == []


def test_ftm_lines_are_valid_entities_with_resolvable_references(book: Book) -> None:
    assert book.entities_path is not None
    ids: set[str] = set()
    references: list[str] = []
    schemas: Counter[str] = Counter()
    with book.entities_path.open(encoding="utf-8") as handle:
        for line in handle:
            proxy = model.get_proxy(json.loads(line))
            assert proxy.id is not None
            ids.add(proxy.id)
            schemas[proxy.schema.name] += 1
            for prop, value in proxy.itervalues():
                if prop.type.name == "entity":
                    references.append(value)
    assert set(references) <= ids
    for schema in ("Person", "Company", "Organization", "Ownership", "Directorship"):
        assert schemas[schema] > 0, schema
    for schema in ("Employment", "Representation", "UnknownLink", "Payment", "Membership"):
        assert schemas[schema] > 0, schema


def test_the_19_september_2024_case_follows_the_fact_sheet(book: Book) -> None:
    assert book.entities_path is not None and book.csv_dir is not None
    entities = {}
    with book.entities_path.open(encoding="utf-8") as handle:
        for line in handle:
            data = json.loads(line)
            if data["id"].startswith("sep24-"):
                entities[data["id"]] = data["properties"]
    stroytreyd = entities["sep24-stroytreyd"]
    assert stroytreyd["incorporationDate"] == ["2023-10-17"]
    assert stroytreyd["innCode"] == ["9728108831"]
    assert entities["sep24-nikulin"]["address"] == entities["sep24-tsmr"]["address"]
    assert entities["sep24-ftb"]["topics"] == ["sanction"]
    assert "topics" not in entities["sep24-mrb"]
    accounts = (book.csv_dir / "accounts.csv").read_text(encoding="utf-8")
    assert "sep24-ftb,sep24-mrb" in accounts and "sep24-kkbc,sep24-mrb" in accounts
    edges = book.edges_parquet
    payments = rows(
        f"SELECT min(date), count(*) FROM '{edges}' WHERE kind = 'payment' "
        "AND source = 'sep24-timer' AND target = 'sep24-stroytreyd'"
    )
    assert payments == [(date(2024, 1, 20), 4)]
    assert rows(
        f"SELECT kind FROM '{edges}' WHERE source = 'sep24-nikulin' AND target = 'sep24-tsmr' "
        "ORDER BY kind"
    ) == [("employment",), ("shared_address",)]
    truth = {record.id: record for record in book.truth()}
    assert truth["sep24-mrb"].typologies == ("proxy_correspondent_bank",)
    assert truth["sep24-stroytreyd"].typologies == ("front_company",)
    assert truth["sep24-nikulin"].status == "exposed"


def test_fifty_percent_cases_are_planted_with_the_right_status(book: Book) -> None:
    truth = {record.id: record.status for record in book.truth()}
    shares = defaultdict(float)
    for _source, target, share in rows(
        f"SELECT source, target, share FROM '{book.edges_parquet}' WHERE kind = 'ownership' "
        "AND target LIKE 'own0-%'"
    ):
        shares[target] += float(share)  # type: ignore[arg-type]
    assert truth["own0-agg-x"] == "blocked_by_ownership"
    assert rows(
        f"SELECT source, share FROM '{book.edges_parquet}' WHERE target = 'own0-agg-x' "
        "AND source LIKE 'own0-agg-s%' ORDER BY source"
    ) == [("own0-agg-s1", 30.0), ("own0-agg-s2", 25.0)]
    assert truth["own0-edge-499"] == "exposed"
    assert truth["own0-edge-500"] == "blocked_by_ownership"
    assert truth["own0-decoy-49"] == "exposed"
    assert truth["own0-sub-g"] == "blocked_by_ownership"
    assert truth["own0-sub-g2"] == "exposed"
    assert truth["own0-cyc-h"] == truth["own0-cyc-i"] == "blocked_by_ownership"
    assert truth["own0-cyc-j"] == truth["own0-cyc-k"] == "exposed"
    assert truth["own0-layer-3"] == "blocked_by_ownership"
    assert truth["own0-pass-m"] == "exposed"


def test_scale_background_is_power_law_and_well_formed(tmp_path: Path) -> None:
    book = generate_book(3, 60_000, tmp_path / "scale", planted="tiny")
    assert (book.node_count, book.edge_count) == (60_000, 300_000)
    assert book.entities_path is None
    nodes, edges = book.nodes_parquet, book.edges_parquet
    assert rows(f"SELECT count(*) - count(DISTINCT id) FROM '{nodes}'") == [(0,)]
    assert rows(f"SELECT count(*) - count(DISTINCT id) FROM '{edges}'") == [(0,)]
    assert rows(f"SELECT count(*) FROM '{edges}' WHERE source = target") == [(0,)]
    assert rows(f"SELECT count(*) FROM '{edges}' e ANTI JOIN '{nodes}' n ON e.source = n.id") == [
        (0,)
    ]
    assert rows(f"SELECT count(*) FROM '{edges}' e ANTI JOIN '{nodes}' n ON e.target = n.id") == [
        (0,)
    ]
    seeds = rows(f"SELECT count(*) FROM '{nodes}' WHERE sanctioned AND id LIKE 'b%'")[0][0]
    assert 90 <= int(seeds) <= 150  # type: ignore[call-overload]
    # background ownership is a DAG (owner id below asset id), at most 100 % per asset
    assert rows(
        f"SELECT count(*) FROM '{edges}' WHERE kind = 'ownership' AND id LIKE 'e%' "
        "AND CAST(source[2:] AS BIGINT) >= CAST(target[2:] AS BIGINT)"
    ) == [(0,)]
    assert rows(
        f"SELECT count(*) FROM (SELECT target FROM '{edges}' WHERE kind = 'ownership' "
        "GROUP BY target HAVING sum(share) > 100 + 1e-9)"
    ) == [(0,)]
    top, median = rows(
        f"SELECT max(d), median(d) FROM (SELECT target, count(*) AS d FROM '{edges}' "
        "WHERE kind = 'payment' GROUP BY target)"
    )[0]
    assert int(top) > 100 * float(median)  # type: ignore[call-overload, arg-type]


def test_tiny_book_end_to_end_meets_the_targets(book: Book) -> None:
    truth = book.truth()
    config = AnalysisConfig(max_hops=book.max_hops, hub_degree=book.hub_degree)
    result = analyze(book.nodes_parquet, book.edges_parquet, config)
    evaluation = evaluate([finding.to_json() for finding in result.findings], truth)
    overall = evaluation.overall()
    assert overall.recall >= 0.95 and overall.precision >= 0.90, evaluation
    assert evaluation.flagged_hub_customers == ()
    assert evaluation.flagged_seeds == 0
    by_label = {score.label: score for score in evaluation.scores}
    assert by_label["status blocked_by_ownership"].precision == 1.0
    assert by_label["status blocked_by_ownership"].recall == 1.0
