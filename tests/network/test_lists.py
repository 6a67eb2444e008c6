"""The sanctions lists' own relationships in the network graph (network/lists.py).

On the official OFAC lists every entry is sanctioned, so a "Linked To:" edge joins two
sanctioned parties and an exposure path (which ends at the first sanctioned party) never
crosses it: those tests check the graph itself. A path through a list relationship is checked
on a real FtM export (OpenSanctions' yente fixture), whose sanctioned owner holds unlisted
companies.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import duckdb
import pytest
from tests.network.story import entity
from tests.test_cli import run as cli

from sanctionscope.network import AnalysisConfig, analyze_connection
from sanctionscope.network.linking import ListEntry, ListLinks, find_list_links
from sanctionscope.network.lists import list_graph, open_entities_with_lists
from sanctionscope.network.model import connect
from sanctionscope.network.readers import read_ftm_file
from sanctionscope.network.result import AnalysisResult
from sanctionscope.settings import Settings, get_settings
from sanctionscope.store import import_path, open_store

DEMO = Path(__file__).resolve().parents[2] / "src/sanctionscope/demo/data"
FTB = "FOREIGN TRADE BANK OF THE DEMOCRATIC PEOPLE'S REPUBLIC OF KOREA"
ZAKHAROV = "NK-aU5ybkbRFJucf8YMwsJvDw"  # Aleksandr Vyacheslavovich Zakharov in the fixture


def write_entities(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def imported(path: Path, home: Path) -> Settings:
    """Settings of ``home`` with the list at ``path`` imported and active."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SANCTIONSCOPE_HOME", str(home))
        patch.delenv("SANCTIONSCOPE_DATABASE_URL", raising=False)
        settings = get_settings()
    [result] = import_path(open_store(settings), path, settings)
    assert result.ok
    return settings


@pytest.fixture(scope="module")
def sdn(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The full SDN list of 2024-05-03, imported once for this module."""
    return imported(shared_data / "ofac/sdn_2024-05-03/sdn.csv", tmp_path_factory.mktemp("sdn"))


def bank_book(path: Path) -> Path:
    """A bank holding FTB by its BIC, a person by the name of an SDN 'Linked To' FTB, and an
    ordinary customer paying FTB."""
    return write_entities(
        path,
        [
            entity("bank-ftb", "Company", name="FTB Pyongyang", swiftBic="FTBDKPPYXXX"),
            entity("person-kim", "Person", name="Kim Kyong Nam", birthDate="1976-07-11"),
            entity("cust-u", "Company", name="Harbour Logistics Ltd"),
            entity("pay-1", "Payment", payer="cust-u", beneficiary="bank-ftb", amount="9000"),
        ],
    )


def links_of(path: Path, settings: Settings) -> ListLinks:
    return find_list_links((p for p, _ in read_ftm_file(path, lambda _e: None)), settings)


def test_the_sdn_csv_states_a_linked_to_pair(shared_data: Path) -> None:
    with (shared_data / "ofac/sdn_2024-05-03/sdn.csv").open(encoding="latin-1") as fh:
        rows = {row[0]: row for row in csv.reader(fh) if len(row) > 11}
    assert rows["15603"][1] == FTB
    assert rows["18554"][1] == "KIM, Kyong Nam"
    assert f"Linked To: {FTB}." in rows["18554"][11]


def test_linked_entities_stand_for_their_entries(sdn: Settings, tmp_path: Path) -> None:
    links = links_of(bank_book(tmp_path / "book.ftm.json"), sdn)
    assert links.entries == {
        "bank-ftb": [ListEntry("us_ofac_sdn", "ofac-15603", "15603")],
        "person-kim": [ListEntry("us_ofac_sdn", "ofac-18554", "18554")],
    }
    graph = list_graph(open_store(sdn), links)
    edges = {
        (e["properties"]["subject"][0], e["properties"]["object"][0])
        for e in graph.entities
        if e["schema"] == "UnknownLink"
    }
    # KIM's "Linked To" FTB joins the two customers; FTB's other links bring three entries,
    # and at the second list hop the link between two of them.
    assert edges == {
        ("person-kim", "bank-ftb"),
        ("us_ofac_sdn:ofac-22583", "bank-ftb"),
        ("us_ofac_sdn:ofac-22623", "bank-ftb"),
        ("us_ofac_sdn:ofac-24518", "bank-ftb"),
        ("us_ofac_sdn:ofac-22583", "us_ofac_sdn:ofac-22623"),
    }
    assert sorted(graph.provenance.values()) == [
        "us_ofac_sdn 18554: Linked To",
        "us_ofac_sdn 22583: Linked To",
        "us_ofac_sdn 22583: Linked To",
        "us_ofac_sdn 22623: Linked To",
        "us_ofac_sdn 24518: Linked To",
    ]
    things = sorted(e["id"] for e in graph.entities if e["schema"] in ("Person", "Organization"))
    assert things == ["us_ofac_sdn:ofac-22583", "us_ofac_sdn:ofac-22623", "us_ofac_sdn:ofac-24518"]
    assert (graph.nodes, graph.edges, graph.left_out) == (3, 5, [])

    one_hop = list_graph(open_store(sdn), links, max_list_hops=1)
    assert (one_hop.nodes, one_hop.edges) == (3, 4)
    assert list_graph(open_store(sdn), links, max_list_hops=0).entities == []


def test_the_built_graph_has_one_node_per_party(sdn: Settings, tmp_path: Path) -> None:
    book = bank_book(tmp_path / "book.ftm.json")
    con = connect()
    errors, list_edges, _graph = open_entities_with_lists(
        con, [book], None, links_of(book, sdn), open_store(sdn)
    )
    assert errors == []
    nodes = dict(con.execute("SELECT id, sanction_reason FROM nodes").fetchall())
    # The identifier as screening reports it (FTBDKPPY or the full BIC), then the entry.
    assert nodes.pop("bank-ftb").startswith("linked to list: identifier bic FTBDKPPY")
    assert nodes == {
        "person-kim": "linked to list: name match 1.00 with us_ofac_sdn 18554 KIM, Kyong Nam",
        "cust-u": None,
        "us_ofac_sdn:ofac-22583": "Sanction: us_ofac_sdn 22583, NPWMD",
        "us_ofac_sdn:ofac-22623": "Sanction: us_ofac_sdn 22623, NPWMD",
        "us_ofac_sdn:ofac-24518": "Sanction: us_ofac_sdn 24518, NPWMD",
    }
    kinds = con.execute("SELECT kind, count(*) FROM edges GROUP BY kind ORDER BY kind").fetchall()
    assert kinds == [("payment", 1), ("unknown_link", 5)]
    assert list_edges.by_pair[("bank-ftb", "person-kim", "unknown_link")] == (
        "us_ofac_sdn 18554: Linked To"
    )
    result = analyze_connection(con, AnalysisConfig())
    list_edges.annotate_result(result)
    assert result.stats["sanctioned"] == 5
    [finding] = result.findings
    assert finding.id == "cust-u"
    assert finding.paths == [
        [{"node": "cust-u", "edge": None}, {"node": "bank-ftb", "edge": "payment"}]
    ]


@pytest.fixture
def zala(shared_data: Path, tmp_path: Path) -> Settings:
    return imported(shared_data / "opensanctions/yente_zala_entities.ftm.json", tmp_path / "home")


def zakharov_book(path: Path) -> Path:
    return write_entities(
        path,
        [
            entity("cust-z", "Person", name="Aleksandr Vyacheslavovich Zakharov"),
            entity("cust-anna", "Person", name="Anna Petrova"),
            entity("pay-1", "Payment", payer="cust-anna", beneficiary="cust-z", amount="5000"),
        ],
    )


def analysed_with_lists(book: Path, settings: Settings) -> tuple[Any, AnalysisResult]:
    con = connect()
    errors, list_edges, graph = open_entities_with_lists(
        con, [book], None, links_of(book, settings), open_store(settings)
    )
    assert (graph.nodes, graph.edges, graph.left_out) == (16, 21, [])
    result = analyze_connection(con, AnalysisConfig(), errors)
    list_edges.annotate_result(result)
    return con, result


def test_a_finding_path_runs_through_a_list_ownership(zala: Settings, tmp_path: Path) -> None:
    con, result = analysed_with_lists(zakharov_book(tmp_path / "book.ftm.json"), zala)
    found = {f.id: f for f in result.findings}
    sps = found["yente_zala_entities:NK-9Xa4Kg7Y7nfccE7VcZt6Q6"]
    assert sps.status == "blocked_by_ownership"
    stated = f"yente_zala_entities {ZAKHAROV}: Ownership"
    assert sps.paths == [
        [
            {"node": "yente_zala_entities:NK-9Xa4Kg7Y7nfccE7VcZt6Q6", "edge": None},
            {"node": "cust-z", "edge": "ownership", "list": stated},
        ]
    ]
    assert sps.reasons == [
        "OFAC 50 % rule: owned 75 % in aggregate by blocked persons (>= 50 % in aggregate): "
        "75 % by Aleksandr Vyacheslavovich Zakharov (cust-z)",
        "yente_zala_entities:NK-9Xa4Kg7Y7nfccE7VcZt6Q6 – cust-z (ownership) is stated by the "
        f"list: {stated}",
    ]
    assert [(f.id, f.status) for f in result.findings] == [
        ("yente_zala_entities:NK-9Xa4Kg7Y7nfccE7VcZt6Q6", "blocked_by_ownership"),
        ("yente_zala_entities:ru-inn-5920040846", "blocked_by_ownership"),
        ("yente_zala_entities:NK-SiYwWfxwLVrVeFswsvAvsm", "typology"),
        ("yente_zala_entities:NK-56Edov9bas9puzaChH5pBy", "exposed"),
        ("cust-anna", "exposed"),
    ]
    # The exposure-only findings are written by DuckDB; the list's word is added to them too.
    out = tmp_path / "out.jsonl"
    assert result.write_jsonl(out) == 5
    lines = {x["id"]: x for x in map(json.loads, out.read_text(encoding="utf-8").splitlines())}
    assert lines["yente_zala_entities:NK-56Edov9bas9puzaChH5pBy"]["paths"][0][1] == {
        "node": "cust-z",
        "edge": "ownership",
        "list": stated,
    }
    assert lines["cust-anna"]["paths"] == [
        [{"node": "cust-anna", "edge": None}, {"node": "cust-z", "edge": "payment"}]
    ]
    con.close()


def table_ids(folder: Path, table: str) -> set[str]:
    rows = duckdb.sql(f"SELECT id FROM '{folder / table}.parquet'").fetchall()
    return {row[0] for row in rows}


def test_analyze_adds_the_lists_relationships_unless_told_not_to(tmp_path: Path) -> None:
    home = tmp_path / "home"
    imported(DEMO / "ofac_before_2024-09-19", home)
    book = DEMO / "bank_book/book.ftm.json"
    book_ids = {json.loads(line)["id"] for line in book.read_text().splitlines()}
    out = tmp_path / "out.jsonl"
    done = cli(
        "network", "analyze", "--entities", str(book), "--out", str(out),
        "--save-parquet", str(tmp_path / "on"), home=home,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "the lists' relationships add 4 edges and 4 list entries" in done.stderr
    assert table_ids(tmp_path / "on", "nodes") - book_ids == {
        "us_ofac_sdn:ofac-18554",  # KIM Kyong Nam, Linked To FTB (the book's cp-ftb)
        "us_ofac_sdn:ofac-24518",  # Dandong Zhongsheng, Linked To FTB
        "us_ofac_sdn:ofac-21744",  # JO Chol Song, Linked To KKBC (the book's cp-kkbc)
        "us_ofac_sdn:ofac-42498",  # SIM Hyon Sop, Linked To KKBC
    }
    listed = [i for i in table_ids(tmp_path / "on", "edges") if i.startswith("us_ofac_sdn:")]
    assert len(listed) == 4
    assert (tmp_path / "out.errors.jsonl").read_text() == ""

    done = cli(
        "network", "analyze", "--entities", str(book), "--out", str(out), "--no-lists",
        "--save-parquet", str(tmp_path / "off"), home=home,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "lists' relationships" not in done.stderr
    off = table_ids(tmp_path / "off", "nodes") | table_ids(tmp_path / "off", "edges")
    assert not [i for i in off if i.startswith("us_ofac_sdn:")]
    assert len(table_ids(tmp_path / "off", "nodes")) == 10


def test_a_list_relationship_to_nothing_listed_is_reported(home: Path, tmp_path: Path) -> None:
    listed = write_entities(
        tmp_path / "exported.ftm.json",
        [
            entity(
                "p-1", "Person", name="Ivan Ghostov", topics="sanction", passportNumber="AB7654321"
            ),
            entity("c-1", "Company", name="Ghostov Holdings"),
            entity("l-1", "UnknownLink", subject="p-1", object="nobody-here", role="Linked To"),
            entity("o-1", "Ownership", owner="p-1", asset="c-1", percentage="60"),
        ],
    )
    settings = imported(listed, home)
    book = write_entities(
        tmp_path / "book.ftm.json",
        [entity("cust-1", "Person", name="I. Ghostov", passportNumber="AB7654321")],
    )
    con = connect()
    errors, _edges, graph = open_entities_with_lists(
        con, [book], None, links_of(book, settings), open_store(settings)
    )
    assert [e.to_json() for e in errors] == [
        {
            "kind": "dangling_reference",
            "message": "the list's relationship exported p-1: Linked To names nobody-here, which is "
            "not a person, company or other thing of an active list; left out",
            "record": "l-1",
            "location": "list exported, record p-1",
        }
    ]
    # The unlisted company the listed person owns is blocked through the list's ownership.
    result = analyze_connection(con, AnalysisConfig(), errors)
    [finding] = result.findings
    assert (finding.id, finding.status) == ("exported:c-1", "blocked_by_ownership")
    assert (graph.nodes, graph.edges) == (1, 1)


def test_advanced_xml_relationships_hang_under_the_linked_owner(
    shared_data: Path, tmp_path: Path
) -> None:
    settings = imported(
        shared_data / "ofac_advanced_xml/cons_advanced_2020-03-17.xml", tmp_path / "home"
    )
    book = write_entities(
        tmp_path / "book.ftm.json",
        [entity("cust-rn", "Company", name="Rosneft PJSC", innCode="7706107510")],
    )
    links = links_of(book, settings)
    assert links.entries == {"cust-rn": [ListEntry("us_ofac_cons", "ofac-17022", "17022")]}
    graph = list_graph(open_store(settings), links)
    # "<subsidiary> Owned or Controlled By Rosneft": 18 subsidiaries, each a node of its own.
    owned = [e for e in graph.entities if e["schema"] == "Ownership"]
    assert len(owned) == 18
    assert {e["properties"]["owner"][0] for e in owned} == {"cust-rn"}
    assets = {e["properties"]["asset"][0]: graph.provenance[e["id"]] for e in owned}
    assert assets["us_ofac_cons:ofac-18269"] == "us_ofac_cons 18269: Owned or Controlled By"
    assert (graph.nodes, graph.edges, graph.left_out) == (18, 18, [])
