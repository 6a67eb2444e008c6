"""Building the canonical tables from FtM entities and from the bank CSV layout."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb

from sanctionscope.network import AnalysisConfig, analyze_entities
from sanctionscope.network.engine import open_entities
from sanctionscope.network.model import write_parquet

CUSTOMERS = """id,schema,name,country,founded,address,tax_id,swift_bic,sanctioned,sanction_reason
FTB,Company,Foreign Trade Bank,kp,,,,FTBDKPPY,true,OFAC SDN 15603
MRB,Company,MRB Bank,ge,2015-05-15,"Stalin Street 20, Tskhinvali",,,,
STR,Company,Stroytreyd LLC,ru,2023-10-17,,9728108831,,false,
TIMER,Company,Timer Bank,ru,1991-10-03,,,TIMERU2K,,
SUB,Company,FTB Subsidiary,kp,,,,,,
,Company,No id,,,,,,,
X,Spaceship,Not a schema,,,,,,,
"""
OWNERSHIP = "owner_id,asset_id,share\nFTB,SUB,75\nFTB,MRB,120\n"
PAYMENTS = (
    "id,payer_id,beneficiary_id,amount,currency,date,on_behalf_of_id\n"
    "p1,TIMER,STR,2500000,USD,2024-03-12,FTB\n"
)
ACCOUNTS = "id,holder_id,servicer_id,currency\nacc1,FTB,MRB,RUB\n"
RELATIONSHIPS = "source_id,target_id,kind,role\nMRB,TIMER,friendship,\n"


def write_csv_dir(folder: Path) -> Path:
    folder.mkdir()
    for name, text in (
        ("customers.csv", CUSTOMERS),
        ("ownership.csv", OWNERSHIP),
        ("payments.csv", PAYMENTS),
        ("accounts.csv", ACCOUNTS),
        ("relationships.csv", RELATIONSHIPS),
    ):
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def test_csv_layout_builds_the_canonical_tables(tmp_path: Path) -> None:
    con = duckdb.connect()
    errors = open_entities(con, [], write_csv_dir(tmp_path / "bank"))
    assert [(e.kind, e.location) for e in errors] == [
        ("parse_error", f"{tmp_path / 'bank' / 'customers.csv'}, line 7"),
        ("parse_error", f"{tmp_path / 'bank' / 'customers.csv'}, line 8"),
        ("parse_error", f"{tmp_path / 'bank' / 'relationships.csv'}, line 2"),
    ]
    assert errors[0].message == "empty id"
    assert "is not a legal entity schema" in errors[1].message
    assert con.execute(
        "SELECT id, schema, sanctioned, sanction_reason, CAST(founded AS VARCHAR) FROM nodes "
        "ORDER BY id"
    ).fetchall() == [
        ("FTB", "Company", True, "topic sanction; Sanction: OFAC SDN 15603", None),
        ("MRB", "Company", False, None, "2015-05-15"),
        ("STR", "Company", False, None, "2023-10-17"),
        ("SUB", "Company", False, None, None),
        ("TIMER", "Company", False, None, "1991-10-03"),
    ]
    assert con.execute(
        "SELECT id, source, target, kind, share, amount, currency, CAST(date AS VARCHAR) "
        "FROM edges ORDER BY id"
    ).fetchall() == [
        ("acc1", "FTB", "MRB", "correspondent", None, None, None, None),
        ("ownership-2", "FTB", "SUB", "ownership", 75.0, None, None, None),
        ("ownership-3", "FTB", "MRB", "ownership", 120.0, None, None, None),
        ("p1", "TIMER", "STR", "payment", None, 2500000.0, "USD", "2024-03-12"),
        ("p1-on-behalf-of", "TIMER", "FTB", "intermediary", None, None, None, None),
    ]


def test_csv_analysis_finds_the_scheme(tmp_path: Path) -> None:
    result = analyze_entities([], AnalysisConfig(), csv_dir=write_csv_dir(tmp_path / "bank"))
    found = {f.id: f for f in result.findings}
    assert found["SUB"].status == "blocked_by_ownership"
    assert found["MRB"].typologies == ["proxy_correspondent_bank"]
    assert found["STR"].typologies == ["front_company"]
    assert found["TIMER"].typologies == ["proxy_correspondent_bank"]
    assert ("share_out_of_range", "ownership-3") in [(e.kind, e.record) for e in result.errors]


def test_ftm_relationships_map_to_edge_kinds(tmp_path: Path) -> None:
    rows = [
        {"id": "p", "schema": "Person", "properties": {"name": ["P"]}},
        {"id": "c", "schema": "Company", "properties": {"name": ["C"], "addressEntity": ["addr"]}},
        {"id": "d", "schema": "Company", "properties": {"name": ["D"], "address": ["1 Main St."]}},
        {"id": "addr", "schema": "Address", "properties": {"full": ["1 Main St"]}},
        {
            "id": "s",
            "schema": "Sanction",
            "properties": {"entity": ["p"], "authority": ["OFAC"], "program": ["DPRK3"]},
        },
        {
            "id": "r1",
            "schema": "Directorship",
            "properties": {"director": ["p"], "organization": ["c"]},
        },
        {"id": "r2", "schema": "Family", "properties": {"person": ["p"], "relative": ["p2"]}},
        {
            "id": "r3",
            "schema": "Representation",
            "properties": {"agent": ["c"], "client": ["d"], "role": ["Correspondent"]},
        },
        {
            "id": "r4",
            "schema": "Payment",
            "properties": {
                "payer": ["c"],
                "beneficiary": ["d"],
                "amountUsd": ["12.5"],
                "date": ["2024-02"],
            },
        },
    ]
    path = tmp_path / "in.ftm.json"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    con = duckdb.connect()
    errors = open_entities(con, [path])
    assert errors == []
    assert con.execute(
        "SELECT id, sanctioned, sanction_reason FROM nodes ORDER BY id"
    ).fetchall() == [
        ("c", False, None),
        ("d", False, None),
        ("p", True, "Sanction: OFAC, DPRK3"),
    ]
    assert con.execute(
        "SELECT id, source, target, kind, amount, currency, CAST(date AS VARCHAR) FROM edges "
        "ORDER BY id"
    ).fetchall() == [
        ("r1", "p", "c", "directorship", None, None, None),
        ("r2", "p", "p2", "family", None, None, None),
        ("r3", "d", "c", "correspondent", None, None, None),
        ("r4", "c", "d", "payment", 12.5, "USD", "2024-02-01"),
        ("shared_address:c:d", "c", "d", "shared_address", None, None, None),
    ]
    write_parquet(con, tmp_path / "nodes.parquet", tmp_path / "edges.parquet")
    assert duckdb.sql(f"SELECT count(*) FROM '{tmp_path / 'edges.parquet'}'").fetchone() == (5,)
