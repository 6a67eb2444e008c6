"""`sanctionscope screen` and `sanctionscope compare` as a user runs them."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from sanctionscope.demo import AFTER
from tests.test_cli import run

DEMO_AFTER = Path(__file__).parents[1] / "src" / "sanctionscope" / "demo" / "data" / AFTER


@pytest.fixture(scope="module")
def demo_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("screen-home")
    result = run("lists", "import", str(DEMO_AFTER), "--source", "us_ofac_sdn", home=home)
    assert result.returncode == 0, result.stderr
    return home


def test_screen_json_in_hangul(demo_home: Path) -> None:
    result = run("screen", "조선무역은행", "--json", home=demo_home)
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["query"]["names"] == ["조선무역은행"]
    top = payload["results"][0]
    assert (top["source"], top["source_id"], top["match"]) == ("us_ofac_sdn", "15603", True)
    assert top["list_version"] == "us_ofac_sdn@1"
    assert top["explanation"]["name"]["aligned"]


def test_screen_by_identifier_alone(demo_home: Path) -> None:
    result = run("screen", "--id", "7750056670", "--json", home=demo_home)
    assert result.returncode == 0, result.stderr
    [top, *_] = json.loads(result.stdout)["results"]
    assert top["source_id"] == "22488" and top["score"] == 1.0


def test_screen_table_shows_why(demo_home: Path) -> None:
    result = run("screen", "Никулин Дмитрий Юрьевич", "--schema", "Person", home=demo_home)
    assert result.returncode == 0, result.stderr
    assert "NIKULIN, Dmitry Yuryevich" in result.stdout
    assert "nikulin=nikulin" in result.stdout


def test_screen_without_a_name_or_id_is_an_error(demo_home: Path) -> None:
    result = run("screen", home=demo_home)
    assert result.returncode == 1
    assert "nothing to screen" in result.stderr


def test_screen_with_no_active_list_is_an_error(tmp_path: Path) -> None:
    result = run("screen", "Foreign Trade Bank", home=tmp_path)
    assert result.returncode == 1
    assert "no list is active yet" in result.stderr


def test_screen_file_accounts_for_every_row(demo_home: Path, tmp_path: Path) -> None:
    customers = tmp_path / "customers.csv"
    customers.write_text(
        "customer_id,name,schema,country,birth_date,id_number\n"
        "C1,Timer Bank,org,ru,,\n"
        "C2,Dmitry Nikulin,person,ru,1975-02-20,\n"
        "C3,Anna Schmidt,person,de,1980-01-01,\n"
        "C4,,,,,FTBDKPPY\n"
        "C5,,,,,\n"
        "C6,Too,many,fields,here,x,y\n"
        "C7,ООО Стройтрейд,org,ru,,\n",
        encoding="utf-8",
    )
    out = tmp_path / "hits.csv"
    result = run("screen", "--file", str(customers), "--out", str(out), home=demo_home)
    assert result.returncode == 1  # errors were found, and reported
    assert "7 rows: 5 screened (4 with hits), 2 errors" in result.stdout
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [r["customer_id"] for r in rows] == ["C1", "C2", "C3", "C4", "C7"]
    by_id = {r["customer_id"]: r for r in rows}
    assert by_id["C1"]["best_source_id"] == "50610"
    assert by_id["C2"]["best_source_id"] == "50603"
    assert by_id["C3"]["status"] == "no_hit"
    assert by_id["C4"]["best_source_id"] == "15603"
    assert by_id["C7"]["best_source_id"] == "50607"
    errors = list(csv.DictReader((tmp_path / "hits.errors.csv").open(encoding="utf-8")))
    assert [(e["line"], e["customer_id"]) for e in errors] == [("6", "C5"), ("7", "C6")]
    assert "nothing to screen" in errors[0]["reason"]
    assert "more fields than the header" in errors[1]["reason"]


def test_screen_file_in_two_worker_processes_gives_the_same_rows(
    demo_home: Path, tmp_path: Path
) -> None:
    customers = tmp_path / "many.csv"
    names = ["Timer Bank", "MRB Bank", "Stroytreyd", "Anna Schmidt", "Korea Trade Bank"] * 40
    customers.write_text("name\n" + "\n".join(names) + "\n", encoding="utf-8")
    one, two = tmp_path / "one.csv", tmp_path / "two.csv"
    assert (
        run("screen", "--file", str(customers), "--out", str(one), home=demo_home).returncode == 0
    )
    assert (
        run(
            "screen", "--file", str(customers), "--out", str(two), "--workers", "2", home=demo_home
        ).returncode
        == 0
    )
    assert one.read_text(encoding="utf-8") == two.read_text(encoding="utf-8")
    assert len(one.read_text(encoding="utf-8").splitlines()) == 201


def test_screen_file_without_a_name_column_is_refused(demo_home: Path, tmp_path: Path) -> None:
    customers = tmp_path / "bad.csv"
    customers.write_text("customer,city\nX,Y\n", encoding="utf-8")
    result = run(
        "screen", "--file", str(customers), "--out", str(tmp_path / "o.csv"), home=demo_home
    )
    assert result.returncode == 1
    assert "line 1: no name column" in result.stderr


def test_compare_two_names(tmp_path: Path) -> None:
    result = run(
        "compare",
        "MEZHDUNARODNYI RASCHETNYI BANK",
        "Международный расчётный банк",
        "--json",
        home=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["match"] is True and payload["score"] >= 0.9


def test_compare_pairs_file(tmp_path: Path) -> None:
    pairs = tmp_path / "pairs.tsv"
    pairs.write_text(
        "left\tright\tkind\tnote\n"
        "KOREA TRADE BANK\t조선무역은행\torg\tsame\n"
        "MB BANK\tMRB BANK\torg\tlook-alike\n"
        "HAN, Jang Su\t한장수\tperson\tsame\n"
        "broken row without tabs\n",
        encoding="utf-8",
    )
    out = tmp_path / "scored.tsv"
    result = run("compare", "--pairs", str(pairs), "--out", str(out), home=tmp_path)
    assert result.returncode == 1
    assert "4 pairs: 3 scored, 1 errors" in result.stdout
    lines = [line.split("\t") for line in out.read_text(encoding="utf-8").splitlines()]
    assert lines[0] == ["left", "right", "kind", "note", "score", "match"]
    assert [(row[3], row[5]) for row in lines[1:]] == [
        ("same", "true"),
        ("look-alike", "false"),
        ("same", "true"),
    ]
    assert (
        (tmp_path / "scored.errors.tsv")
        .read_text(encoding="utf-8")
        .splitlines()[1]
        .startswith("5\t1 fields")
    )


def test_compare_pairs_without_the_columns_is_refused(tmp_path: Path) -> None:
    pairs = tmp_path / "pairs.tsv"
    pairs.write_text("a\tb\nx\ty\n", encoding="utf-8")
    result = run("compare", "--pairs", str(pairs), "--out", str(tmp_path / "o.tsv"), home=tmp_path)
    assert result.returncode == 1
    assert "line 1: missing column(s) left, right" in result.stderr
