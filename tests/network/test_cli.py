"""`sanctionscope network analyze` and `network show` as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

from tests.network.story import entity, story_entities, write_story
from tests.test_cli import run as cli

DEMO = Path(__file__).resolve().parents[2] / "src/sanctionscope/demo/data/ofac_before_2024-09-19"


def read_lines(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_analyze_writes_one_line_per_flagged_entity(tmp_path: Path) -> None:
    story = write_story(tmp_path / "story.ftm.json")
    out = tmp_path / "exposure.jsonl"
    done = cli(
        "network",
        "analyze",
        "--entities",
        str(story),
        "--out",
        str(out),
        "--save-parquet",
        str(tmp_path / "tables"),
        home=tmp_path / "home",
    )
    assert done.returncode == 0, done.stderr
    assert "4 findings" in done.stderr
    lines = read_lines(out)
    assert [(x["id"], x["status"]) for x in lines] == [
        ("mrb", "typology"),
        ("timer", "typology"),
        ("stroytreyd", "typology"),
        ("nikulin", "exposed"),
    ]
    assert set(lines[0]) == {"id", "caption", "status", "score", "reasons", "paths", "typologies"}
    assert (tmp_path / "exposure.errors.jsonl").read_text() == ""

    # The saved canonical tables give the same findings through the Parquet entry point.
    again = tmp_path / "again.jsonl"
    done = cli(
        "network",
        "analyze",
        "--nodes",
        str(tmp_path / "tables/nodes.parquet"),
        "--edges",
        str(tmp_path / "tables/edges.parquet"),
        "--out",
        str(again),
        home=tmp_path / "home",
    )
    assert done.returncode == 0, done.stderr
    assert read_lines(again) == lines


def test_analyze_reports_bad_input_and_goes_on(tmp_path: Path) -> None:
    path = tmp_path / "bad.ftm.json"
    rows = [
        *story_entities(),
        entity("o-bad", "Ownership", owner="ftb", asset="mrb", percentage="140"),
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows) + "{broken\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    done = cli(
        "network",
        "analyze",
        "--entities",
        str(path),
        "--out",
        str(out),
        "--errors",
        str(tmp_path / "errors.jsonl"),
        "--regime",
        "uk",
        home=tmp_path / "home",
    )
    assert done.returncode == 0, done.stderr
    errors = read_lines(tmp_path / "errors.jsonl")
    assert [(e["kind"], e["location"]) for e in errors] == [
        ("parse_error", f"{path}, line 14"),
        ("share_out_of_range", None),
    ]
    assert "2 input problem(s)" in done.stderr


def test_analyze_refuses_unusable_arguments(tmp_path: Path) -> None:
    done = cli("network", "analyze", "--out", str(tmp_path / "x.jsonl"), home=tmp_path)
    assert done.returncode == 1
    assert "nothing to analyse" in done.stderr
    done = cli(
        "network",
        "analyze",
        "--entities",
        str(tmp_path / "x.json"),
        "--regime",
        "us",
        "--out",
        str(tmp_path / "x.jsonl"),
        home=tmp_path,
    )
    assert done.returncode == 1
    assert "unknown regime 'us'" in done.stderr


def test_lists_link_entities_by_identifier(tmp_path: Path) -> None:
    home = tmp_path / "home"
    imported = cli("lists", "import", str(DEMO), home=home)
    assert imported.returncode == 0, imported.stderr
    path = tmp_path / "bank.ftm.json"
    rows = [
        entity("my-ftb", "Company", name="Korea Trade Bank", swiftBic="FTBDKPPY"),
        entity("my-bank", "Company", name="My Bank"),
        entity("acct", "UnknownLink", subject="my-ftb", object="my-bank", role="correspondent"),
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    done = cli("network", "analyze", "--entities", str(path), "--out", str(out), home=home)
    assert done.returncode == 0, done.stderr
    assert "1 entities linked to active list entries (identifier or name)" in done.stderr
    [finding] = read_lines(out)
    assert finding["id"] == "my-bank"
    assert finding["typologies"] == ["proxy_correspondent_bank"]
    off = cli(
        "network", "analyze", "--entities", str(path), "--out", str(out), "--no-lists", home=home
    )
    assert off.returncode == 0 and read_lines(out) == []


def test_show_writes_a_self_contained_page_with_the_paths(tmp_path: Path) -> None:
    story = write_story(tmp_path / "story.ftm.json")
    page = tmp_path / "graph.html"
    done = cli(
        "network",
        "show",
        "stroytreyd",
        "--entities",
        str(story),
        "--out",
        str(page),
        home=tmp_path / "home",
    )
    assert done.returncode == 0, done.stderr
    html = page.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert "http://" not in html.replace("http://www.w3.org/2000/svg", "")
    assert "https://" not in html
    for node in ("stroytreyd", "timer", "ftb"):
        assert f'data-id="{node}"' in html
    assert html.count('class="edge path"') == 2
    assert "front_company: founded 2023-10-17" in html

    missing = cli(
        "network",
        "show",
        "nobody",
        "--entities",
        str(story),
        "--out",
        str(page),
        home=tmp_path / "home",
    )
    assert missing.returncode == 1
    assert "no entity with id 'nobody'" in missing.stderr
