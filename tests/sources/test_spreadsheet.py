"""The spreadsheet reader under the UK parsers: zip checks, XML checks, ODS and XLSX rows.

Hostile archives are built here; well-formed ones start from the real OFSI XLSX (its small
members, with a sheet written here) so that calamine sees the layout Excel exports have.
"""

from __future__ import annotations

import io
import struct
import tempfile
import zipfile
import zlib
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from followthemoney import model
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sanctionscope.sources import gb_hmt_sanctions
from sanctionscope.sources.base import SourceError, add_text
from sanctionscope.sources.gb_hmt_sanctions import _clean_cell
from sanctionscope.sources.spreadsheet import (
    ZipLimits,
    check_xml_member,
    check_zip_members,
    inflate_member,
    iter_ods_rows,
    read_xlsx_rows,
)
from sanctionscope.sources.tabular import field_reader

XLSX_2025 = "uk_ofsi_conlist/ConList_2025-04-10.xlsx"
SHEET = "xl/worksheets/sheet1.xml"
STRINGS = "xl/sharedStrings.xml"
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
LIMITS = ZipLimits(max_members=100, max_member_bytes=50 << 20, max_total_bytes=80 << 20)


def zip_bytes(members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


# ------------------------------------------------------------------ small XLSX files


def column_name(index: int) -> str:
    return "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[index]


def sheet_parts(rows: list[list[str]]) -> dict[str, bytes]:
    """sheet1.xml (shared-string cells) and sharedStrings.xml for ``rows``."""
    strings: list[str] = []
    xml_rows = []
    for number, row in enumerate(rows, start=1):
        cells = []
        for index, value in enumerate(row):
            if value:
                strings.append(value)
                ref = f"{column_name(index)}{number}"
                cells.append(f'<c r="{ref}" t="s"><v>{len(strings) - 1}</v></c>')
        xml_rows.append(f'<row r="{number}">{"".join(cells)}</row>')
    sheet = (
        f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN_NS}">'
        f"<sheetData>{''.join(xml_rows)}</sheetData></worksheet>"
    )
    items = "".join(f"<si><t>{escape(s)}</t></si>" for s in strings)
    shared = (
        f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN_NS}" '
        f'count="{len(strings)}" uniqueCount="{len(strings)}">{items}</sst>'
    )
    return {SHEET: sheet.encode(), STRINGS: shared.encode()}


@pytest.fixture(scope="module")
def xlsx_frame(shared_data: Path) -> dict[str, bytes]:
    """The real workbook's small members (content types, rels, workbook, styles)."""
    with zipfile.ZipFile(shared_data / XLSX_2025) as archive:
        return {
            info.filename: archive.read(info)
            for info in archive.infolist()
            if info.filename not in (SHEET, STRINGS)
        }


HEADER = gb_hmt_sanctions.HEADER_SEARCH_ROWS
CONLIST_HEADER = ["Name 6", "Name 1", "Group Type", "Alias Type", "Regime", "Group ID"]
CONLIST_ROWS = [
    ["Last Updated", "10/04/2025"],
    CONLIST_HEADER,
    ["KIM", "Chol", "Individual", "Primary name", "DPRK", "900"],
    ["SEA STAR", "", "Ship", "Primary name", "DPRK", "901"],
]


def small_xlsx(frame: dict[str, bytes], rows: list[list[str]]) -> bytes:
    return zip_bytes({**frame, **sheet_parts(rows)})


def test_small_workbook_parses(xlsx_frame: dict[str, bytes], tmp_path: Path) -> None:
    path = write(tmp_path, "small.xlsx", small_xlsx(xlsx_frame, CONLIST_ROWS))
    assert gb_hmt_sanctions.detect(path)
    parsed = gb_hmt_sanctions.parse(path)
    assert [e.source_id for e in parsed.entries] == ["900", "901"]
    assert parsed.entries[0].target.get("name") == ["Chol KIM"]


def test_detection_by_shared_strings_or_by_rows(
    xlsx_frame: dict[str, bytes], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path, "small.xlsx", small_xlsx(xlsx_frame, CONLIST_ROWS))
    other = write(tmp_path, "other.xlsx", small_xlsx(xlsx_frame, [["Name", "Group"], ["a", "b"]]))
    assert gb_hmt_sanctions.detect(path) and not gb_hmt_sanctions.detect(other)
    monkeypatch.setattr(gb_hmt_sanctions, "SNIFF_SHARED_STRINGS", 1)  # header not among them
    assert gb_hmt_sanctions.detect(path) and not gb_hmt_sanctions.detect(other)


def test_xlsx_rows_keep_sheet_row_numbers(xlsx_frame: dict[str, bytes], tmp_path: Path) -> None:
    rows = [[], ["", "b2"], [], [], ["a5", "", "c5"]]
    path = write(tmp_path, "gaps.xlsx", small_xlsx(xlsx_frame, rows))
    read = read_xlsx_rows(path, _clean_cell)
    assert [(r.location, r.cells) for r in read] == [
        ("sheet Data, row 2", ("", "b2", "")),
        ("sheet Data, row 5", ("a5", "", "c5")),
    ]
    assert len(read_xlsx_rows(path, _clean_cell, limit=3)) == 1


def test_real_xlsx_rows(shared_data: Path) -> None:
    rows = read_xlsx_rows(shared_data / XLSX_2025, _clean_cell)
    assert len(rows) == 18_798  # "Last Updated", the header, 18,796 name rows
    assert rows[0].cells[:2] == ("Last Updated", "10/04/2025")
    assert rows[1].location == "sheet Data, row 2"
    assert rows[1].cells[0] == "Name 6" and rows[1].cells[-1] == "Group ID"
    assert all(len(row.cells) == 36 for row in rows)


@pytest.mark.parametrize(
    ("member", "prefix"),
    [
        (SHEET, b'<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY a "aaaa">]>'),
        (STRINGS, b'<?xml version="1.0"?><!DOCTYPE sst SYSTEM "http://example.invalid/x.dtd">'),
    ],
)
def test_doctype_in_xlsx_is_refused_before_calamine(
    xlsx_frame: dict[str, bytes], tmp_path: Path, member: str, prefix: bytes
) -> None:
    parts = sheet_parts(CONLIST_ROWS)
    body = parts[member].split(b"?>", 1)[1]
    data = zip_bytes({**xlsx_frame, **parts, member: prefix + body})
    path = write(tmp_path, "dtd.xlsx", data)
    with pytest.raises(SourceError) as caught:
        gb_hmt_sanctions.parse(path)
    assert "DOCTYPE" in caught.value.reason
    assert caught.value.location == member


def test_malformed_sheet_xml_is_a_source_error(
    xlsx_frame: dict[str, bytes], tmp_path: Path
) -> None:
    parts = sheet_parts(CONLIST_ROWS)
    broken = parts[SHEET].replace(b"</row>", b"</rw>", 2)
    path = write(tmp_path, "bad.xlsx", zip_bytes({**xlsx_frame, **parts, SHEET: broken}))
    with pytest.raises(SourceError) as caught:
        gb_hmt_sanctions.parse(path)
    assert "not well-formed XML (mismatched tag)" in caught.value.reason
    column = broken.index(b"</rw>") + 3  # expat points at the tag name
    assert caught.value.location == f"{SHEET}, line 1, column {column}"


@pytest.mark.parametrize("keep", [0.3, 0.9, 0.999])
def test_truncated_real_xlsx(shared_data: Path, tmp_path: Path, keep: float) -> None:
    data = (shared_data / XLSX_2025).read_bytes()
    path = write(tmp_path, "cut.xlsx", data[: int(len(data) * keep)])
    assert not gb_hmt_sanctions.detect(path)
    with pytest.raises(SourceError) as caught:
        gb_hmt_sanctions.parse(path)
    assert caught.value.path == str(path)
    assert "damaged or truncated" in caught.value.reason


# ------------------------------------------------------------------------ zip bombs


def check(path: Path, limits: ZipLimits = LIMITS) -> None:
    with zipfile.ZipFile(path) as archive:
        check_zip_members(path, archive, limits)


def test_huge_member_is_refused_from_its_declared_size(tmp_path: Path) -> None:
    path = write(tmp_path, "big.xlsx", zip_bytes({SHEET: bytes(range(256)) * 8192}))  # 2 MiB
    small = ZipLimits(max_members=10, max_member_bytes=1 << 20, max_total_bytes=10 << 20)
    with pytest.raises(SourceError) as caught:
        check(path, small)
    assert "would inflate to 2,097,152 bytes" in caught.value.reason
    assert "zip bomb" in caught.value.reason
    assert caught.value.location == SHEET


def test_high_compression_ratio_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "ratio.xlsx", zip_bytes({SHEET: b" " * (8 << 20)}))
    assert path.stat().st_size < 20_000  # about 1000:1
    with pytest.raises(SourceError) as caught:
        check(path)
    assert "times its compressed size" in caught.value.reason
    assert caught.value.location == SHEET


def test_ratio_is_not_held_against_small_members(tmp_path: Path) -> None:
    check(write(tmp_path, "small.xlsx", zip_bytes({STRINGS: b" " * 100_000})))


def test_total_size_and_member_count_are_bounded(tmp_path: Path) -> None:
    parts = {f"part{i}.xml": bytes(range(256)) * 1024 for i in range(5)}  # 5 x 256 KiB
    path = write(tmp_path, "many.xlsx", zip_bytes(parts))
    with pytest.raises(SourceError, match="would inflate to 1,310,720 bytes"):
        check(path, ZipLimits(max_members=10, max_member_bytes=1 << 20, max_total_bytes=1 << 20))
    with pytest.raises(SourceError, match="has 5 members"):
        check(path, ZipLimits(max_members=4, max_member_bytes=1 << 20, max_total_bytes=8 << 20))


def understate_size(data: bytes, declared: bytes) -> bytes:
    """A one-member zip whose headers declare ``declared`` (size and CRC) though its
    compressed data inflate to more: what a reader trusting the directory would be fooled by."""
    out = bytearray(data)
    crc, size = zlib.crc32(declared), len(declared)
    local = out.index(b"PK\x03\x04")
    struct.pack_into("<L", out, local + 14, crc)
    struct.pack_into("<L", out, local + 22, size)
    central = out.index(b"PK\x01\x02")
    struct.pack_into("<L", out, central + 16, crc)
    struct.pack_into("<L", out, central + 24, size)
    return bytes(out)


def test_member_inflating_beyond_its_declared_size_is_refused(tmp_path: Path) -> None:
    real = b"<sst>" + b"<si><t>x</t></si>" * 50_000 + b"</sst>"
    path = write(tmp_path, "liar.xlsx", understate_size(zip_bytes({STRINGS: real}), real[:100]))
    with zipfile.ZipFile(path) as archive:
        assert archive.read(STRINGS) == real[:100]  # zipfile alone is fooled
        with pytest.raises(SourceError) as caught:
            list(inflate_member(path, archive, STRINGS, "XLSX"))
    assert "inflates beyond its declared 100 bytes" in caught.value.reason
    assert caught.value.location == STRINGS


@pytest.mark.parametrize("method", [zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED])
def test_damaged_member_data(tmp_path: Path, method: int) -> None:
    data = bytearray(
        zip_bytes({STRINGS: b"<sst>" + b"<si><t>abc</t></si>" * 500 + b"</sst>"}, method)
    )
    data[60] ^= 0xFF  # inside the member's data
    path = write(tmp_path, "crc.xlsx", bytes(data))
    with zipfile.ZipFile(path) as archive, pytest.raises(SourceError) as caught:
        list(inflate_member(path, archive, STRINGS, "XLSX"))
    assert "damaged or truncated" in caught.value.reason


def test_stored_and_deflated_members_inflate_to_their_bytes(tmp_path: Path) -> None:
    payload = bytes(range(256)) * 10_000  # several blocks
    for method in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        path = write(tmp_path, f"ok{method}.zip", zip_bytes({"a.xml": payload}, method))
        with zipfile.ZipFile(path) as archive:
            assert b"".join(inflate_member(path, archive, "a.xml", "XLSX")) == payload


# ------------------------------------------------------------------------- XML checks


def xml_member_error(tmp_path: Path, data: bytes, bound_depth: bool = True) -> SourceError:
    path = write(tmp_path, "x.zip", zip_bytes({"content.xml": data}))
    with zipfile.ZipFile(path) as archive, pytest.raises(SourceError) as caught:
        check_xml_member(path, archive, "content.xml", "ODS", bound_depth)
    return caught.value


def test_xml_check_refuses_doctype_entities_and_depth(tmp_path: Path) -> None:
    error = xml_member_error(tmp_path, b'<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>')
    assert "DOCTYPE" in error.reason and error.location == "content.xml"
    deep = b"<a>" * 300 + b"</a>" * 300
    assert "nested deeper" in xml_member_error(tmp_path, deep).reason
    bad = xml_member_error(tmp_path, b"<a>\n<b></a>")
    assert "not well-formed" in bad.reason and bad.location == "content.xml, line 2, column 6"
    assert "not UTF-8" in xml_member_error(tmp_path, b"<a>\xff</a>").reason


def test_unbounded_depth_still_refuses_doctype(tmp_path: Path) -> None:
    prolog = b'<?xml version="1.0"?>'
    filler = b" " * ((1 << 20) - len(prolog) - 4)  # "<!DOCTYPE" straddles the first MiB
    error = xml_member_error(tmp_path, prolog + filler + b"<!DOCTYPE a><a/>", bound_depth=False)
    assert "DOCTYPE" in error.reason


# ------------------------------------------------------------------------------ ODS

TABLE_NS = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
TEXT_NS = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
OFFICE_NS = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"


def content_xml(tables: str) -> bytes:
    return (
        f'<office:document-content xmlns:office="{OFFICE_NS}" xmlns:table="{TABLE_NS}" '
        f'xmlns:text="{TEXT_NS}"><office:body><office:spreadsheet>{tables}'
        "</office:spreadsheet></office:body></office:document-content>"
    ).encode()


def test_ods_rows_cells_and_sheets() -> None:
    tables = (
        '<table:table table:name="Notes"/>'
        '<table:table table:name="List">'
        "<table:table-header-rows><table:table-row>"
        "<table:table-cell><text:p>Unique<text:s/>ID</text:p></table:table-cell>"
        '<table:covered-table-cell office:value-type="float" office:value="12703.0"/>'
        "</table:table-row></table:table-header-rows>"
        '<table:table-row table:number-rows-repeated="3"/>'
        "<table:table-row-group><table:table-row>"
        '<table:table-cell office:value-type="date" office:date-value="2022-03-15T00:00:00">'
        "<text:p>15/03/2022</text:p></table:table-cell>"
        '<table:table-cell table:number-columns-repeated="2"/>'
        "<table:table-cell><text:p>A <text:span>B</text:span><text:line-break/>C</text:p>"
        "<text:p/><text:p>  D  </text:p></table:table-cell>"
        '<table:table-cell table:number-columns-repeated="16000"/>'
        "</table:table-row></table:table-row-group>"
        "</table:table>"
    )
    sheets: list = []
    rows = [
        (sheet.name, row) for sheet, row in iter_ods_rows(io.BytesIO(content_xml(tables)), sheets)
    ]
    assert [sheet.name for sheet in sheets] == ["Notes", "List"]
    assert [(name, row.location, row.cells, row.repeated) for name, row in rows] == [
        ("List", "sheet List, row 1", ("Unique ID", "12703"), 1),
        ("List", "sheet List, row 5", ("2022-03-15", "", "", "A B C\nD"), 1),
    ]


def test_ods_rows_stop_at_a_truncated_stream() -> None:
    data = content_xml("<table:table><table:table-row><table:table-cell><text:p>x")
    rows = iter_ods_rows(io.BytesIO(data[:-60]), [])
    with pytest.raises(Exception) as caught:  # lxml's error; the parsers name the member
        list(rows)
    assert type(caught.value).__name__ == "XMLSyntaxError"


# --------------------------------------------------------------------------- fuzzing


def parse_or_source_error(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "mutated.xlsx"
        path.write_bytes(data)
        try:
            parsed = gb_hmt_sanctions.parse(path)
        except SourceError as exc:
            assert exc.path == str(path)
            assert exc.reason
            return
        assert all(entry.target.id for entry in parsed.entries)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    changes=st.lists(
        st.tuples(st.floats(min_value=0, max_value=1, exclude_max=True), st.integers(0, 255)),
        min_size=1,
        max_size=6,
    )
)
def test_mutated_real_xlsx_parses_or_raises_source_error(
    shared_data: Path, changes: list[tuple[float, int]]
) -> None:
    data = bytearray((shared_data / XLSX_2025).read_bytes())
    for where, value in changes:
        data[int(where * len(data))] = value
    parse_or_source_error(bytes(data))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    part=st.sampled_from([SHEET, SHEET, STRINGS, "xl/workbook.xml", "[Content_Types].xml"]),
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
def test_mutated_xml_inside_a_valid_xlsx(
    xlsx_frame: dict[str, bytes], part: str, changes: list[tuple[float, bytes, int]]
) -> None:
    """The zip is intact (CRCs right), the XML inside it is damaged: calamine must answer
    with rows or an error that becomes a SourceError."""
    parts = {**xlsx_frame, **sheet_parts(CONLIST_ROWS)}
    data = bytearray(parts[part])
    for where, insert, delete in changes:
        at = int(where * len(data))
        data[at : at + delete] = insert
    parse_or_source_error(zip_bytes({**parts, part: bytes(data)}))


# ----------------------------------------------------------- cell values into entities

ADD_TEXT_CASES = [
    ("Person", "name"),
    ("Person", "nationality"),
    ("Person", "birthDate"),
    ("Person", "notes"),
    ("Person", "sourceUrl"),
    ("Passport", "number"),
    ("Sanction", "program"),
    ("Address", "postalCode"),
]


@settings(max_examples=50, deadline=None)
@given(
    case=st.sampled_from(ADD_TEXT_CASES),
    values=st.lists(
        st.text(max_size=12)
        | st.sampled_from(
            ["Russia", "kp", "1970-03-14", "  KIM  Chol ", "\x00x", "-", "https://x.org/a"]
        )
        | st.text(min_size=190, max_size=260),
        min_size=1,
        max_size=4,
    ),
)
def test_add_text_stores_what_entity_add_stores(case: tuple[str, str], values: list[str]) -> None:
    """The cached path of add_text gives the entity exactly what FtM's own add gives it."""
    schema, prop = case
    with_add, with_add_text = model.make_entity(schema), model.make_entity(schema)
    for value in values:
        with_add.add(prop, value)
        add_text(with_add_text, prop, value)
    assert with_add_text.to_dict() == with_add.to_dict()


def test_field_reader_pads_short_rows() -> None:
    read = field_reader({"b": 1, "a": 0, "d": 3})
    assert read(("x", "y")) == {"b": "y", "a": "x", "d": ""}
    assert field_reader({"only": 2})(("p", "q", "r")) == {"only": "r"}
