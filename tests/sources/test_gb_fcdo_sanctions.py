"""UK Sanctions List (FCDO) ODS/CSV: the real 2025-08-11 file, and files broken on purpose."""

from __future__ import annotations

import tempfile
import zipfile
from collections import Counter
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from sanctionscope.sources import detect_format
from sanctionscope.sources.base import Entry, ParsedList, SourceError
from sanctionscope.sources.gb_fcdo_sanctions import (
    FORMAT,
    MAX_XML_PART_BYTES,
    natural_order_name,
    parse,
    split_provisions,
)

ODS_NAME = "uk/fcdo_uk_sanctions_list_2025-08-11.ods"
ODS_SHA256 = "0104617a113970a350a5ad0d47b49eac07764a4bb598dababa6365c111cd35b4"
DPRK = "Democratic People's Republic of Korea"
TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
HEADER = (
    "Unique ID,OFSI Group ID,Name,Regime Name,Type,Designation source,Date Designated,"
    "Sanctions Imposed"
)


@pytest.fixture(scope="module")
def ods_path(shared_data: Path) -> Path:
    return shared_data / ODS_NAME


@pytest.fixture(scope="module")
def uk_list(ods_path: Path) -> ParsedList:
    return parse(ods_path)


def entry_by_id(parsed: ParsedList, unique_id: str) -> Entry:
    return next(entry for entry in parsed.entries if entry.source_id == unique_id)


def related_of(entry: Entry, schema: str) -> list[str]:
    return [str(e.id) for e in entry.related if e.schema.name == schema]


def sanction_of(entry: Entry) -> dict[str, list[str]]:
    sanction = next(e for e in entry.related if e.schema.name == "Sanction")
    return dict(sanction.properties)


# ------------------------------------------------------------------ the real file


def test_the_real_file_is_detected(ods_path: Path) -> None:
    assert FORMAT.detect(ods_path)
    assert detect_format(ods_path).name == "gb_fcdo_sanctions"


def test_one_entry_per_designation_row(uk_list: ParsedList) -> None:
    # The sheet has 5,304 row elements: the header, 5,302 designations and one empty row
    # repeated 1,043,268 times to the end of the sheet. (The brief said 5,303.)
    assert len(uk_list.entries) == 5302
    assert len({entry.source_id for entry in uk_list.entries}) == 5302
    assert uk_list.target_counts() == {"Organization": 1087, "Person": 3754, "Vessel": 461}
    assert uk_list.schema_counts()["Sanction"] == 5302
    # 447 rows have no OFSI Group ID (mostly ships).
    assert uk_list.schema_counts()["Identification"] == 5302 - 447


def test_list_metadata(uk_list: ParsedList, ods_path: Path) -> None:
    assert uk_list.source == "gb_fcdo_sanctions"
    assert uk_list.format == "gb_fcdo_sanctions"
    assert uk_list.path == ods_path
    assert uk_list.sha256 == ODS_SHA256
    # content.xml's time stamp in the archive; meta.xml's dc:date (2024-03-18) is stale.
    assert uk_list.published == date(2025, 8, 11)


def test_regime_counts(uk_list: ParsedList) -> None:
    programs = Counter(sanction_of(entry)["program"][0] for entry in uk_list.entries)
    assert programs["Russia"] == 2710
    assert programs[DPRK] == 261
    assert len(programs) == 31


@pytest.mark.parametrize(
    ("unique_id", "name", "group_id", "listed"),
    [
        ("DPR0134", "FOREIGN TRADE BANK (FTB)", "13536", "2017-08-05"),
        ("DPR0155", "KOREA KWANGSON BANKING CORPORATION (KKBC)", "12452", "2016-03-02"),
    ],
)
def test_dprk_banks(
    uk_list: ParsedList, unique_id: str, name: str, group_id: str, listed: str
) -> None:
    entry = entry_by_id(uk_list, unique_id)
    target = entry.target
    assert target.id == f"gb-fcdo-{unique_id}"
    assert target.schema.name == "Organization"
    assert target.get("name") == [name]
    assert target.get("topics") == ["sanction"]
    assert f"OFSI Group ID: {group_id}" in target.get("notes")
    sanction = sanction_of(entry)
    assert sanction["entity"] == [target.id]
    assert sanction["program"] == [DPRK]
    assert sanction["listingDate"] == [listed]
    assert sanction["recordId"] == [unique_id]
    assert sanction["authority"] == ["UK Foreign, Commonwealth & Development Office"]
    assert sanction["country"] == ["gb"]
    assert sanction["summary"] == ["Designation source: UN"]
    assert "Asset freeze" in sanction["provisions"]
    assert "Prohibition of port entry" in sanction["provisions"]
    ident = next(e for e in entry.related if e.schema.name == "Identification")
    assert ident.get("number") == [group_id]
    assert ident.get("type") == ["OFSI Group ID"]
    assert ident.get("holder") == [target.id]


def test_a_ship_is_a_vessel(uk_list: ParsedList) -> None:
    entry = entry_by_id(uk_list, "DPR0075")
    assert entry.target.schema.name == "Vessel"
    assert entry.target.get("name") == ["Petrel 8"]
    assert related_of(entry, "Identification") == []  # no OFSI Group ID for this ship
    assert sanction_of(entry)["provisions"] == ["Prohibition of port entry"]


def test_person_gets_natural_order_alias(uk_list: ParsedList) -> None:
    person = entry_by_id(uk_list, "RUS0881").target
    assert person.schema.name == "Person"
    assert person.get("name") == ["MAMSUROV Taimuraz Dzhambekovich"]
    assert person.get("alias") == ["Taimuraz Dzhambekovich MAMSUROV"]
    assert person.get("lastName") == ["MAMSUROV"]


def test_nameless_rows_are_kept_and_reported(uk_list: ParsedList) -> None:
    for unique_id in ("BEL0174", "RUS1467"):
        assert entry_by_id(uk_list, unique_id).target.get("name") == []
        assert any(unique_id in warning and "no name" in warning for warning in uk_list.warnings)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("MAMSUROV Taimuraz Dzhambekovich", ("Taimuraz Dzhambekovich MAMSUROV", "MAMSUROV")),
        ("Al-HOUTHI Ali Hussein Badr Al Din", ("Ali Hussein Badr Al Din Al-HOUTHI", "Al-HOUTHI")),
        ("ABDUL QADER Abdul Hai Hazem", ("Abdul Hai Hazem ABDUL QADER", "ABDUL QADER")),
        ("LAVILLA, JR Ruben Pestano", ("Ruben Pestano LAVILLA JR", "LAVILLA JR")),
        ("KIM Jong Un", ("Jong Un KIM", "KIM")),
        ("AGHA AHMAD ZIA", None),  # UN style, all capitals: order unknown
        ("Tyurina Natalya Aleksandrovna", None),  # all title case: order unknown
        ("Barsukov ALEXANDER", None),
        ("", None),
    ],
)
def test_natural_order_name(name: str, expected: tuple[str, str] | None) -> None:
    assert natural_order_name(name) == expected


def test_split_provisions() -> None:
    assert split_provisions("Asset freeze, Travel Ban") == ["Asset freeze", "Travel Ban"]
    assert split_provisions('Shipping sanctions: (see "Other information")') == [
        'Shipping sanctions: (see "Other information")'
    ]
    assert split_provisions("-") == []
    assert split_provisions("") == []


# ------------------------------------------------------------------------- CSV


def write_csv(path: Path, *rows: str, preamble: str = "") -> Path:
    lines = ([preamble] if preamble else []) + [HEADER, *rows]
    path.write_bytes(("\n".join(lines) + "\n").encode("utf-8-sig"))
    return path


FTB_CSV = (
    'DPR0134,13536,FOREIGN TRADE BANK (FTB),"Democratic People\'s Republic of Korea",'
    'Entity,UN,05-08-2017,"Asset freeze, Prohibition of port entry"'
)
PERSON_CSV = 'RUS0881,14832,MAMSUROV Taimuraz Dzhambekovich,Russia,Individual,UK,15-03-2022,"Asset freeze, Travel Ban"'


def test_csv_with_the_same_columns(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "uk.csv", FTB_CSV, PERSON_CSV, preamble="Report Date: 11-Aug-2025")
    assert FORMAT.detect(path)
    parsed = parse(path, source="gb_fcdo_test")
    assert parsed.source == "gb_fcdo_test"
    assert parsed.published == date(2025, 8, 11)
    assert [entry.source_id for entry in parsed.entries] == ["DPR0134", "RUS0881"]
    assert sanction_of(parsed.entries[0])["listingDate"] == ["2017-08-05"]
    assert parsed.entries[1].target.get("alias") == ["Taimuraz Dzhambekovich MAMSUROV"]
    assert parsed.warnings == []


def test_csv_row_without_unique_id_names_line_and_column(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "uk.csv", FTB_CSV, ",1,NO ID,Russia,Individual,UK,01-01-2024,-")
    with pytest.raises(SourceError) as caught:
        parse(path)
    assert caught.value.location == "line 3, column A (Unique ID)"
    assert "without a Unique ID" in caught.value.reason


def test_repeated_unique_id_is_merged_with_warning(tmp_path: Path) -> None:
    second = 'DPR0134,13536,FTB,"Democratic People\'s Republic of Korea",Entity,UK,05-08-2017,-'
    parsed = parse(write_csv(tmp_path / "uk.csv", FTB_CSV, second))
    assert len(parsed.entries) == 1
    assert parsed.entries[0].target.get("name") == ["FOREIGN TRADE BANK (FTB)", "FTB"]
    assert any("repeated" in warning for warning in parsed.warnings)


def test_unknown_type_becomes_legal_entity_with_warning(tmp_path: Path) -> None:
    row = "XXX0001,1,SOMETHING,Russia,Aircraft,UK,01-01-2024,Asset freeze"
    parsed = parse(write_csv(tmp_path / "uk.csv", row))
    assert parsed.entries[0].target.schema.name == "LegalEntity"
    assert any("unknown Type" in warning for warning in parsed.warnings)


def test_csv_without_header(tmp_path: Path) -> None:
    path = tmp_path / "uk.csv"
    path.write_text("a,b,c\n1,2,3\n", encoding="utf-8")
    assert not FORMAT.detect(path)
    with pytest.raises(SourceError, match="no header row"):
        parse(path)


def test_csv_that_is_not_utf8(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "uk.csv", FTB_CSV)
    path.write_bytes(path.read_bytes() + b"RUS0002,2,\xff\xfe,Russia,Entity,UK,01-01-2024,-\n")
    with pytest.raises(SourceError, match="not UTF-8"):
        parse(path)


# ------------------------------------------------------------- ODS built from the real one


def rebuild_ods(
    source: Path,
    dest: Path,
    keep_rows: int = 5,
    edit: Callable[[etree._Element], None] | None = None,
    members: dict[str, bytes] | None = None,
    content_time: tuple[int, int, int, int, int, int] | None = None,
) -> Path:
    """A copy of the real ODS with only its first ``keep_rows`` designations, optionally
    edited (``edit`` gets the <table:table>) or with members replaced."""
    with zipfile.ZipFile(source) as original:
        root = etree.fromstring(original.read("content.xml"))
        sheet = root.find(f".//{TABLE}table")
        assert sheet is not None
        rows = sheet.findall(f"{TABLE}table-row")
        for row in rows[keep_rows + 1 : -1]:
            sheet.remove(row)
        if edit is not None:
            edit(sheet)
        content = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
        replaced = {"content.xml": content, **(members or {})}
        with zipfile.ZipFile(dest, "w") as out:
            for info in original.infolist():
                data = replaced.get(info.filename, original.read(info))
                if info.filename == "content.xml" and content_time is not None:
                    info.date_time = content_time
                method = zipfile.ZIP_STORED if info.filename == "mimetype" else zipfile.ZIP_DEFLATED
                out.writestr(info, data, compress_type=method)
    return dest


def data_rows(sheet: etree._Element) -> list[etree._Element]:
    return list(sheet.iterchildren(f"{TABLE}table-row"))


def set_cell_text(row: etree._Element, column: int, text: str) -> None:
    paragraph = row.findall(f"{TABLE}table-cell")[column].find(f"{TEXT}p")
    assert paragraph is not None
    paragraph.text = text


def test_small_ods_parses(ods_path: Path, tmp_path: Path) -> None:
    parsed = parse(rebuild_ods(ods_path, tmp_path / "small.ods"))
    assert [e.source_id for e in parsed.entries] == [f"AFG000{i}" for i in range(1, 6)]
    assert parsed.published == date(2025, 8, 11)


def test_published_falls_back_to_meta_date(ods_path: Path, tmp_path: Path) -> None:
    # A content.xml stamped with the zip default (1980-01-01) says nothing; meta.xml's
    # dc:date (2024-03-18T12:13:54Z in this file) is used instead.
    path = rebuild_ods(ods_path, tmp_path / "old.ods", content_time=(1980, 1, 1, 0, 0, 0))
    assert parse(path).published == date(2024, 3, 18)


def test_header_is_found_below_a_report_date_row(ods_path: Path, tmp_path: Path) -> None:
    def add_preamble(sheet: etree._Element) -> None:
        header = data_rows(sheet)[0]
        preamble = etree.Element(f"{TABLE}table-row")
        cell = etree.SubElement(preamble, f"{TABLE}table-cell")
        etree.SubElement(cell, f"{TEXT}p").text = "Report Date: 12-Aug-2025"
        header.addprevious(preamble)
        header.addprevious(etree.Element(f"{TABLE}table-row"))  # an empty row

    parsed = parse(rebuild_ods(ods_path, tmp_path / "pre.ods", edit=add_preamble))
    assert len(parsed.entries) == 5
    assert parsed.published == date(2025, 8, 12)


def repeat_cells_and_rows(sheet: etree._Element) -> None:
    rows = data_rows(sheet)  # [header, AFG0001, AFG0002, AFG0003, ...]
    # AFG0001: "Name" and "Regime Name" written as one cell repeated twice.
    cells = rows[1].findall(f"{TABLE}table-cell")
    cells[2].set(f"{TABLE}number-columns-repeated", "2")
    set_cell_text(rows[1], 2, "Afghanistan")
    rows[1].remove(cells[3])
    # AFG0002: one row element standing for 3 identical rows (sheet rows 3-5).
    rows[2].set(f"{TABLE}number-rows-repeated", "3")
    # Then 10 empty rows (sheet rows 6-15), so AFG0003 is sheet row 16.
    gap = etree.Element(f"{TABLE}table-row", {f"{TABLE}number-rows-repeated": "10"})
    etree.SubElement(gap, f"{TABLE}table-cell", {f"{TABLE}number-columns-repeated": "99"})
    rows[3].addprevious(gap)


def test_repeated_cells_and_rows(ods_path: Path, tmp_path: Path) -> None:
    parsed = parse(rebuild_ods(ods_path, tmp_path / "rep.ods", edit=repeat_cells_and_rows))
    assert [e.source_id for e in parsed.entries] == [f"AFG000{i}" for i in range(1, 6)]
    first = parsed.entries[0]
    assert first.target.get("name") == ["Afghanistan"]
    assert sanction_of(first)["program"] == ["Afghanistan"]
    assert sanction_of(first)["summary"] == ["Designation source: UN"]
    assert parsed.warnings == ["sheet UK_Sanction_List, row 3: row repeated 3 times; read once"]


def test_row_numbers_count_repeated_rows(ods_path: Path, tmp_path: Path) -> None:
    def repeat_then_drop_an_id(sheet: etree._Element) -> None:
        afg0003 = data_rows(sheet)[3]
        repeat_cells_and_rows(sheet)
        set_cell_text(afg0003, 0, "")

    path = rebuild_ods(ods_path, tmp_path / "noid.ods", edit=repeat_then_drop_an_id)
    with pytest.raises(SourceError) as caught:
        parse(path)
    assert caught.value.location == "sheet UK_Sanction_List, row 16, column A (Unique ID)"
    assert str(path) in str(caught.value)


def test_ods_without_header(ods_path: Path, tmp_path: Path) -> None:
    def drop_header(sheet: etree._Element) -> None:
        sheet.remove(data_rows(sheet)[0])

    path = rebuild_ods(ods_path, tmp_path / "nohead.ods", edit=drop_header)
    assert not FORMAT.detect(path)
    with pytest.raises(SourceError) as caught:
        parse(path)
    assert caught.value.path == str(path)
    assert "no sheet has a header row with 'Unique ID' and 'OFSI Group ID'" in caught.value.reason


def test_ods_header_without_name_column(ods_path: Path, tmp_path: Path) -> None:
    def rename(sheet: etree._Element) -> None:
        set_cell_text(data_rows(sheet)[0], 2, "Full name")

    with pytest.raises(SourceError) as caught:
        parse(rebuild_ods(ods_path, tmp_path / "noname.ods", edit=rename))
    assert "'Name'" in caught.value.reason
    assert caught.value.location == "sheet UK_Sanction_List, row 1"


def test_ods_with_a_doctype_is_refused(ods_path: Path, tmp_path: Path) -> None:
    bomb = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>'
    path = rebuild_ods(ods_path, tmp_path / "dtd.ods", members={"styles.xml": bomb})
    with pytest.raises(SourceError) as caught:
        parse(path)
    assert "DOCTYPE" in caught.value.reason
    assert caught.value.location == "styles.xml"


def test_ods_with_malformed_content_names_the_line(ods_path: Path, tmp_path: Path) -> None:
    path = rebuild_ods(ods_path, tmp_path / "bad.ods", members={"content.xml": b"<a>\n<b>\n</a>"})
    with pytest.raises(SourceError) as caught:
        parse(path)
    assert "not well-formed" in caught.value.reason
    assert caught.value.location is not None
    assert caught.value.location.startswith("content.xml, line 3")


# ---------------------------------------------------------------------- bad files


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.ods"
    path.write_bytes(b"")
    assert not FORMAT.detect(path)
    with pytest.raises(SourceError, match="empty"):
        parse(path)


def test_zip_that_is_not_ods(tmp_path: Path) -> None:
    path = tmp_path / "list.ods"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "hello")
    assert not FORMAT.detect(path)
    with pytest.raises(SourceError, match="not an OpenDocument file"):
        parse(path)


def test_opendocument_text_is_not_a_spreadsheet(tmp_path: Path) -> None:
    path = tmp_path / "letter.odt"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
    with pytest.raises(SourceError, match="not a spreadsheet"):
        parse(path)


@pytest.mark.parametrize("keep", [0.5, 0.9, 0.999])
def test_truncated_ods(ods_path: Path, tmp_path: Path, keep: float) -> None:
    data = ods_path.read_bytes()
    path = tmp_path / "cut.ods"
    path.write_bytes(data[: int(len(data) * keep)])
    with pytest.raises(SourceError) as caught:
        parse(path)
    assert caught.value.path == str(path)
    assert "damaged or truncated" in caught.value.reason


def test_zip_bomb_is_refused_before_inflating(tmp_path: Path) -> None:
    path = tmp_path / "bomb.ods"
    info = zipfile.ZipInfo("content.xml")
    info.compress_type = zipfile.ZIP_DEFLATED
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("META-INF/manifest.xml", "<manifest/>")
        with archive.open(info, "w", force_zip64=True) as member:
            block = b" " * (1 << 20)
            for _ in range(MAX_XML_PART_BYTES // len(block) + 1):
                member.write(block)
    assert path.stat().st_size < 1_000_000
    with pytest.raises(SourceError) as caught:
        parse(path)
    assert "zip bomb" in caught.value.reason
    assert caught.value.location == "content.xml"


def test_ftm_and_ofac_files_are_not_taken_for_uk(shared_data: Path) -> None:
    assert not FORMAT.detect(shared_data / "opensanctions/yente_t1_entities.ftm.json")
    assert not FORMAT.detect(shared_data / "ofac/sdn_2024-05-03/sdn.csv")
    assert not FORMAT.detect(shared_data / "uk_ofsi_conlist/ConList_2018-04-13.csv")
    assert not FORMAT.detect(shared_data / "uk")


# ------------------------------------------------------------------------ fuzzing


def parse_or_source_error(data: bytes, suffix: str = ".ods") -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"mutated{suffix}"
        path.write_bytes(data)
        try:
            parsed = parse(path)
        except SourceError as exc:
            assert exc.path == str(path)
            assert exc.reason
            return
        assert parsed.entries


mutations = st.lists(
    st.tuples(st.floats(min_value=0, max_value=1, exclude_max=True), st.integers(0, 255)),
    min_size=1,
    max_size=8,
)


@pytest.mark.slow  # each mutation that leaves the file readable costs a full parse (~1 s)
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(changes=mutations)
def test_mutated_real_ods_parses_or_raises_source_error(
    shared_data: Path, changes: list[tuple[float, int]]
) -> None:
    data = bytearray((shared_data / ODS_NAME).read_bytes())
    for where, value in changes:
        data[int(where * len(data))] = value
    parse_or_source_error(bytes(data))


@pytest.fixture(scope="module")
def small_ods_parts(ods_path: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    small = rebuild_ods(ods_path, tmp_path_factory.mktemp("small") / "small.ods", keep_rows=8)
    with zipfile.ZipFile(small) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def zip_parts(parts: dict[str, bytes]) -> bytes:
    with tempfile.TemporaryFile() as fh:
        with zipfile.ZipFile(fh, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, data in parts.items():
                archive.writestr(name, data)
        fh.seek(0)
        return fh.read()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    part=st.sampled_from(["content.xml", "content.xml", "meta.xml", "META-INF/manifest.xml"]),
    changes=st.lists(
        st.tuples(
            st.floats(min_value=0, max_value=1, exclude_max=True),
            st.binary(max_size=6) | st.sampled_from([b"<", b">", b"/", b'"', b"&", b"\xff"]),
            st.integers(0, 8),
        ),
        min_size=1,
        max_size=4,
    ),
)
def test_mutated_xml_inside_a_valid_zip(
    small_ods_parts: dict[str, bytes], part: str, changes: list[tuple[float, bytes, int]]
) -> None:
    """The zip is intact (CRCs right), the XML inside it is damaged: the sheet reader must
    never skip it silently, and the parser must answer with entries or a SourceError."""
    data = bytearray(small_ods_parts[part])
    for where, insert, delete in changes:
        at = int(where * len(data))
        data[at : at + delete] = insert
    parse_or_source_error(zip_parts({**small_ods_parts, part: bytes(data)}))
