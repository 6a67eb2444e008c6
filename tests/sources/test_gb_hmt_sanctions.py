"""UK OFSI Consolidated List (ConList CSV 2018 / 2022 layouts, XLSX)."""

from __future__ import annotations

import zipfile
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sanctionscope.sources import gb_hmt_sanctions
from sanctionscope.sources.base import Entry, ParsedList, SourceError

CSV_2018 = "uk_ofsi_conlist/ConList_2018-04-13.csv"
XLSX_2025 = "uk_ofsi_conlist/ConList_2025-04-10.xlsx"

HEADER_2022 = (
    "Name 6,Name 1,Name 2,Name 3,Name 4,Name 5,Title,Name Non-Latin Script,"
    "Non-Latin Script Type,Non-Latin Script Language,DOB,Town of Birth,Country of Birth,"
    "Nationality,Passport Number,Passport Details,National Identification Number,"
    "National Identification Details,Position,Address 1,Address 2,Address 3,Address 4,"
    "Address 5,Address 6,Post/Zip Code,Country,Other Information,Group Type,Alias Type,"
    "Alias Quality,Regime,Listed On,UK Sanctions List Date Designated,Last Updated,Group ID"
)


def _row(**values: str) -> str:
    fields = [part.strip() for part in HEADER_2022.split(",")]
    cells = [values.get(f, "") for f in fields]
    return ",".join(f'"{c}"' if "," in c else c for c in cells)


SMALL_2022 = (
    "\n".join(
        [
            "Last Updated,10/04/2025",
            HEADER_2022,
            _row(
                **{
                    "Name 6": "KIM",
                    "Name 1": "Chol",
                    "Name 2": "Su",
                    "DOB": "00/06/1965",
                    "Nationality": "North Korea",
                    "Passport Number": "(1) 12345678 (2) 9876543",
                    "Name Non-Latin Script": "김철수",
                    "Group Type": "Individual",
                    "Alias Type": "Primary name",
                    "Regime": "Democratic People's Republic of Korea",
                    "Listed On": "01/02/2020",
                    "Last Updated": "03/04/2021",
                    "Group ID": "900",
                }
            ),
            _row(
                **{
                    "Name 6": "KIM",
                    "Name 1": "C.",
                    "Group Type": "Individual",
                    "Alias Type": "AKA",
                    "Alias Quality": "Low quality",
                    "Group ID": "900",
                }
            ),
            _row(
                **{
                    "Name 6": "SEA STAR",
                    "Other Information": "(IMO number):1234567",
                    "Group Type": "Ship",
                    "Alias Type": "Primary name",
                    "Group ID": "901",
                }
            ),
        ]
    )
    + "\n"
)


@pytest.fixture(scope="module")
def parsed_2018(shared_data: Path) -> ParsedList:
    return gb_hmt_sanctions.parse(shared_data / CSV_2018)


@pytest.fixture(scope="module")
def parsed_2025(shared_data: Path) -> ParsedList:
    return gb_hmt_sanctions.parse(shared_data / XLSX_2025)


def _by_id(parsed: ParsedList, group_id: str) -> Entry:
    return next(e for e in parsed.entries if e.source_id == group_id)


def test_detect(shared_data: Path, tmp_path: Path) -> None:
    assert gb_hmt_sanctions.detect(shared_data / CSV_2018)
    assert gb_hmt_sanctions.detect(shared_data / XLSX_2025)
    other = tmp_path / "x.csv"
    other.write_text("a,b\n1,2\n")
    assert not gb_hmt_sanctions.detect(other)
    assert gb_hmt_sanctions.FORMAT.name == "gb_hmt_sanctions"


def test_2018_csv(parsed_2018: ParsedList) -> None:
    assert len(parsed_2018.entries) == 2106
    assert parsed_2018.published == date(2018, 4, 13)
    assert parsed_2018.target_counts() == {"Organization": 680, "Person": 1426}
    entry = _by_id(parsed_2018, "13349")
    assert entry.target.id == "gb-hmt-13349"
    assert "Nayef Salam Muhammad Ujaym AL-HABABI" in entry.target.get("name")
    assert "Faruq AL-QAHTANI" in entry.target.get("alias")  # Name 6 had a leading space
    assert set(entry.target.get("birthDate")) == {"1980", "1981"}  # 00/00/1980
    assert set(entry.target.get("nationality")) == {"sa", "qa"}
    passports = [e for e in entry.related if e.schema.name == "Passport"]
    assert [p.first("number") for p in passports] == ["592667"]
    sanction = entry.related[0]
    assert sanction.get("authority") == [gb_hmt_sanctions.AUTHORITY]
    assert sanction.get("listingDate") == ["2016-04-01"]


def test_2025_xlsx(parsed_2025: ParsedList) -> None:
    assert len(parsed_2025.entries) == 4686
    assert parsed_2025.published == date(2025, 4, 10)
    counts = parsed_2025.target_counts()
    assert counts["Vessel"] == 15 and counts["Person"] == 3662
    ftb = _by_id(parsed_2025, "13536")
    assert ftb.target.schema.name == "Organization"
    assert "FOREIGN TRADE BANK (FTB)" in ftb.target.get("name")
    assert {"KOREA TRADING BANK", "MOOYOKBANK"} <= set(ftb.target.get("alias"))
    assert ftb.target.get("country") == ["kp"]
    sanction = ftb.related[0]
    assert sanction.get("program") == ["Democratic People's Republic of Korea"]
    assert sanction.get("country") == ["gb"]


def test_2025_dprk_individual(parsed_2025: ParsedList) -> None:
    holders = [
        e
        for e in parsed_2025.entries
        for rel in e.related
        if rel.schema.name == "Passport" and rel.first("number") == "563410155"
    ]
    assert holders
    person = holders[0].target
    assert person.schema.name == "Person"
    assert "1970-03-14" in person.get("birthDate")


def test_2025_non_latin_alias(parsed_2025: ParsedList) -> None:
    aliases = [a for e in parsed_2025.entries for a in e.target.get("alias")]
    assert "ЗАДАЧИН Андрей Андреевич" in aliases
    assert any("\uac00" <= ch <= "\ud7af" for a in aliases for ch in a)  # Hangul


def test_2025_ship_imo(parsed_2025: ParsedList) -> None:
    ship = _by_id(parsed_2025, "13651")
    assert ship.target.schema.name == "Vessel"
    assert ship.target.get("imoNumber") == ["IMO7408873"]
    assert "AKTIVA" in ship.target.get("alias")


def test_small_2022_csv(tmp_path: Path) -> None:
    path = tmp_path / "ConList.csv"
    path.write_text(SMALL_2022, encoding="utf-8")
    assert gb_hmt_sanctions.detect(path)
    parsed = gb_hmt_sanctions.parse(path)
    assert parsed.published == date(2025, 4, 10)
    person = _by_id(parsed, "900").target
    assert person.get("name") == ["Chol Su KIM"]
    assert person.get("weakAlias") == ["C. KIM"]
    assert "김철수" in person.get("alias")
    assert person.get("birthDate") == ["1965-06"]
    numbers = {
        e.first("number") for e in _by_id(parsed, "900").related if e.schema.name == "Passport"
    }
    assert numbers == {"12345678", "9876543"}
    ship = _by_id(parsed, "901").target
    assert ship.schema.name == "Vessel" and ship.get("imoNumber") == ["IMO1234567"]


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_bad_inputs(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="empty"):
        gb_hmt_sanctions.parse(_write(tmp_path, "e.csv", b""))
    with pytest.raises(SourceError, match="header"):
        gb_hmt_sanctions.parse(_write(tmp_path, "h.csv", b"Last Updated,01/01/2020\na,b\n"))
    no_gid = SMALL_2022.replace(",901\n", ",\n").encode()
    with pytest.raises(SourceError, match="Group ID") as info:
        gb_hmt_sanctions.parse(_write(tmp_path, "g.csv", no_gid))
    assert info.value.location == "line 5"
    short = (SMALL_2022 + "X,Y,Z\n").encode()
    with pytest.raises(SourceError, match="columns") as info:
        gb_hmt_sanctions.parse(_write(tmp_path, "w.csv", short))
    assert info.value.location == "line 6"
    assert "w.csv" in str(info.value)


def test_truncated_xlsx(shared_data: Path, tmp_path: Path) -> None:
    data = (shared_data / XLSX_2025).read_bytes()
    path = _write(tmp_path, "t.xlsx", data[: len(data) // 2])
    assert not gb_hmt_sanctions.detect(path)
    with pytest.raises(SourceError, match=r"t\.xlsx"):
        gb_hmt_sanctions.parse(path)


def test_zip_bomb_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", b"<a/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\x00" * 2_000_000)
    monkeypatch.setattr(gb_hmt_sanctions, "MAX_XLSX_PART_BYTES", 1_000_000)
    with pytest.raises(SourceError, match="zip bomb"):
        gb_hmt_sanctions.parse(path)


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_mutated_csv(tmp_path: Path, data: st.DataObject) -> None:
    raw = bytearray(SMALL_2022.encode("utf-8"))
    for _ in range(data.draw(st.integers(1, 8))):
        index = data.draw(st.integers(0, len(raw) - 1))
        action = data.draw(st.sampled_from(["set", "delete", "insert"]))
        byte = data.draw(st.integers(0, 255))
        if action == "set":
            raw[index] = byte
        elif action == "delete" and len(raw) > 1:
            del raw[index]
        else:
            raw.insert(index, byte)
    path = tmp_path / "mutated.csv"
    path.write_bytes(bytes(raw))
    try:
        result = gb_hmt_sanctions.parse(path)
    except SourceError:
        return
    assert all(entry.target.id for entry in result.entries)
