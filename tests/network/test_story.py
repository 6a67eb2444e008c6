"""The 19 Sep 2024 network, found by following relationships, not names."""

from __future__ import annotations

from pathlib import Path

from tests.network.story import write_story

from sanctionscope.network import AnalysisConfig, analyze_entities


def test_the_story_is_found(tmp_path: Path) -> None:
    result = analyze_entities([write_story(tmp_path / "story.ftm.json")], AnalysisConfig())
    assert result.errors == []
    found = {f.id: f for f in result.findings}
    assert set(found) == {"mrb", "timer", "stroytreyd", "nikulin"}

    mrb = found["mrb"]
    assert (mrb.status, mrb.typologies) == ("typology", ["proxy_correspondent_bank"])
    assert mrb.reasons[:2] == [
        "proxy_correspondent_bank: holds correspondent account(s) for sanctioned "
        "Foreign Trade Bank of the DPRK (ftb)",
        "proxy_correspondent_bank: holds correspondent account(s) for sanctioned "
        "Korea Kwangson Banking Corp (kkbc)",
    ]
    assert [{"node": "mrb", "edge": None}, {"node": "ftb", "edge": "correspondent"}] in mrb.paths

    stroytreyd = found["stroytreyd"]
    assert stroytreyd.status == "typology"
    assert stroytreyd.typologies == ["front_company"]
    assert stroytreyd.reasons[0] == (
        "front_company: founded 2023-10-17, first received funds from Timer Bank AO (timer) on "
        "behalf of sanctioned Foreign Trade Bank of the DPRK (ftb): 2,500,000.00 USD on "
        "2024-03-12, 147 days later (window 365 days)"
    )
    assert stroytreyd.paths[0] == [
        {"node": "stroytreyd", "edge": None},
        {"node": "timer", "edge": "payment"},
        {"node": "ftb", "edge": "intermediary"},
    ]

    assert found["timer"].typologies == ["proxy_correspondent_bank"]
    nikulin = found["nikulin"]
    assert nikulin.status == "exposed"
    assert nikulin.paths == [
        [{"node": "nikulin", "edge": None}, {"node": "tsmr", "edge": "employment"}]
    ]
    assert result.stats["sanctioned"] == 3


def test_the_shared_address_is_an_edge(tmp_path: Path) -> None:
    import duckdb

    from sanctionscope.network.engine import open_entities

    con = duckdb.connect()
    open_entities(con, [write_story(tmp_path / "story.ftm.json")])
    rows = con.execute(
        "SELECT id, source, target FROM edges WHERE kind = 'shared_address'"
    ).fetchall()
    assert rows == [("shared_address:nikulin:tsmr", "nikulin", "tsmr")]
