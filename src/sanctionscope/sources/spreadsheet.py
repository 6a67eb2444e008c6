"""Reading spreadsheet lists (ODS, XLSX) fast and without trusting the file.

Before any reader sees a workbook, the zip container is checked here:

* member count, each member's declared size, the sum of the sizes and each large member's
  compression ratio are bounded (zip bombs are refused from the central directory, before
  anything is inflated);
* every XML member is inflated by our own bounded loop, which proves that it inflates to
  exactly its declared size with the declared CRC (so a reader that trusts the declared sizes
  cannot be made to inflate more), and is checked with expat: UTF-8, well-formed, no DOCTYPE,
  no entity declarations, nesting bounded.

Then ODS sheets are read by a streaming lxml parse of ``content.xml`` (safe settings: no
entities, no network, no huge trees) and XLSX sheets by python-calamine (a maintained Rust
reader). Errors name the file, the member (and line) and the reason.
"""

from __future__ import annotations

import codecs
import io
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Any, Protocol
from xml.parsers import expat

from lxml import etree

from sanctionscope.sources.base import SourceError
from sanctionscope.sources.tabular import SheetRow

#: Cells kept per row (the UK lists have 8 and 36 columns).
MAX_COLUMNS = 256
#: Deepest element nesting accepted in an XML member (real ODS/XLSX files stay under 15).
MAX_XML_DEPTH = 200
#: Members smaller than this are not held to the compression-ratio limit.
RATIO_CHECK_FLOOR = 1 << 20

ODS_MIMETYPE = "application/vnd.oasis.opendocument.spreadsheet"

# What zipfile (and zlib under it) raise on damaged, truncated or exotic archives.
ZIP_ERRORS = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    EOFError,
    OSError,
    RuntimeError,  # encrypted member
    NotImplementedError,  # unknown compression method or zip version
    ValueError,
    struct.error,
)

_BLOCK = 1 << 20
_LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")
_LOCAL_HEADER_MAGIC = b"PK\x03\x04"


class ByteStream(Protocol):
    """Anything with ``read(size)`` returning bytes (a zip member, a capped view of one)."""

    def read(self, size: int = -1, /) -> bytes: ...


@dataclass(frozen=True)
class ZipLimits:
    """Bounds on a workbook's zip container, checked on the declared sizes."""

    max_members: int
    max_member_bytes: int
    max_total_bytes: int
    #: Largest uncompressed/compressed ratio of a member over RATIO_CHECK_FLOOR bytes.
    #: The real lists reach 45:1 (a pretty-printed content.xml); deflate bombs reach 1000:1.
    max_ratio: int = 200


# ------------------------------------------------------------------ the container


def open_zip(path: Path, kind: str) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(path)
    except ZIP_ERRORS as exc:
        raise SourceError(
            path, f"not a readable {kind} (zip) file, damaged or truncated: {exc}"
        ) from exc


def check_zip_members(path: Path, archive: zipfile.ZipFile, limits: ZipLimits) -> None:
    """Refuse zip bombs from the central directory, before anything is inflated."""
    members = archive.infolist()
    if len(members) > limits.max_members:
        raise SourceError(path, f"the archive has {len(members)} members; refused as a zip bomb")
    total = 0
    for info in members:
        _check_member_size(path, info, limits)
        total += info.file_size
    if total > limits.max_total_bytes:
        raise SourceError(
            path,
            f"the archive would inflate to {total:,} bytes (limit {limits.max_total_bytes:,}); "
            "refused as a zip bomb",
        )


def _check_member_size(path: Path, info: zipfile.ZipInfo, limits: ZipLimits) -> None:
    if info.file_size > limits.max_member_bytes:
        raise SourceError(
            path,
            f"{info.filename} would inflate to {info.file_size:,} bytes (limit "
            f"{limits.max_member_bytes:,}); refused as a zip bomb",
            location=info.filename,
        )
    if info.file_size > RATIO_CHECK_FLOOR:
        ratio = info.file_size / max(info.compress_size, 1)
        if ratio > limits.max_ratio:
            raise SourceError(
                path,
                f"{info.filename} would inflate {ratio:,.0f} times its compressed size (limit "
                f"{limits.max_ratio}:1); refused as a zip bomb",
                location=info.filename,
            )


def _damaged(path: Path, kind: str, name: str, reason: object) -> SourceError:
    return SourceError(path, f"the {kind} archive is damaged or truncated ({reason})", name)


def inflate_member(path: Path, archive: zipfile.ZipFile, name: str, kind: str) -> Iterator[bytes]:
    """The member's bytes in blocks, proven to be exactly its declared size and CRC.

    ``zipfile`` itself stops at the declared size, but other readers (calamine) may not:
    a member whose data inflate beyond its declared size is refused here.
    """
    info = archive.getinfo(name)
    if info.flag_bits & 0x1:
        raise SourceError(path, f"{name} is encrypted", name)
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise SourceError(path, f"{name} uses zip compression method {info.compress_type}", name)
    try:
        with path.open("rb") as fh:
            _seek_member_data(path, fh, info, kind)
            yield from _bounded_blocks(path, fh, info, kind)
    except ZIP_ERRORS as exc:
        raise _damaged(path, kind, name, exc) from exc


def _seek_member_data(path: Path, fh: IO[bytes], info: zipfile.ZipInfo, kind: str) -> None:
    fh.seek(info.header_offset)
    header = fh.read(_LOCAL_HEADER.size)
    if len(header) != _LOCAL_HEADER.size:
        raise _damaged(path, kind, info.filename, "local header cut off")
    fields = _LOCAL_HEADER.unpack(header)
    if fields[0] != _LOCAL_HEADER_MAGIC:
        raise _damaged(path, kind, info.filename, "bad local header")
    fh.seek(fields[10] + fields[11], 1)  # file name and extra field


def _bounded_blocks(path: Path, fh: IO[bytes], info: zipfile.ZipInfo, kind: str) -> Iterator[bytes]:
    inflater = zlib.decompressobj(-15) if info.compress_type == zipfile.ZIP_DEFLATED else None
    left_in, produced, crc = info.compress_size, 0, 0
    while left_in > 0:
        raw = fh.read(min(_BLOCK, left_in))
        if not raw:
            raise _damaged(path, kind, info.filename, "member data cut off")
        left_in -= len(raw)
        for block in _inflate(inflater, raw):
            produced += len(block)
            if produced > info.file_size:
                raise SourceError(
                    path,
                    f"{info.filename} inflates beyond its declared {info.file_size:,} bytes; "
                    "refused as a zip bomb",
                    info.filename,
                )
            crc = zlib.crc32(block, crc)
            yield block
    if inflater is not None and not inflater.eof:
        raise _damaged(path, kind, info.filename, "compressed data end early")
    if produced != info.file_size or crc != info.CRC:
        raise _damaged(path, kind, info.filename, "size or CRC differs from the directory")


def _inflate(inflater: Any, raw: bytes) -> Iterator[bytes]:
    """Inflate ``raw`` in blocks of at most _BLOCK bytes (stored data pass through)."""
    if inflater is None:
        yield raw
        return
    data = raw
    while data and not inflater.eof:
        block = inflater.decompress(data, _BLOCK)
        if block:
            yield block
        elif len(inflater.unconsumed_tail) == len(data):
            break  # no progress: the size check after the loop reports it
        data = inflater.unconsumed_tail


# --------------------------------------------------------------------- XML checks


class _RefusedXml(Exception):
    """An XML member that is well-formed but that no reader will be given."""


class _XmlGuard:
    """Expat handlers that refuse DTDs and entity declarations and, if asked, bound nesting
    depth (a Python call per element: 3 times the cost of the parse on an XLSX sheet)."""

    def __init__(self, bound_depth: bool) -> None:
        self.depth = 0
        self.parser = expat.ParserCreate(namespace_separator=" ")
        if bound_depth:
            self.parser.StartElementHandler = self.start
            self.parser.EndElementHandler = self.end
        self.parser.StartDoctypeDeclHandler = self.doctype
        self.parser.EntityDeclHandler = self.entity

    def start(self, name: str, attributes: dict[str, str]) -> None:
        self.depth += 1
        if self.depth > MAX_XML_DEPTH:
            raise _RefusedXml(f"elements nested deeper than {MAX_XML_DEPTH} levels")

    def end(self, name: str) -> None:
        self.depth -= 1

    def doctype(self, *args: object) -> None:
        raise _RefusedXml("XML declares a DOCTYPE (entities or DTD)")

    def entity(self, *args: object) -> None:
        raise _RefusedXml("XML declares entities")


def check_xml_member(
    path: Path, archive: zipfile.ZipFile, name: str, kind: str, bound_depth: bool = True
) -> None:
    """Inflate one XML member (bounded, CRC checked); it must be UTF-8, well-formed XML
    without DOCTYPE or entity declarations. ``bound_depth=False`` skips the nesting bound,
    for members read by a parser that does not recurse (calamine's quick-xml)."""
    guard = _XmlGuard(bound_depth)
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        for block in inflate_member(path, archive, name, kind):
            decoder.decode(block)
            guard.parser.Parse(block, False)
        decoder.decode(b"", True)
        guard.parser.Parse(b"", True)
    except expat.ExpatError as exc:
        reason = expat.ErrorString(exc.code) if exc.code else str(exc)
        raise SourceError(
            path,
            f"{name} is not well-formed XML ({reason})",
            location=f"{name}, line {exc.lineno}, column {exc.offset + 1}",
        ) from exc
    except UnicodeDecodeError as exc:
        raise SourceError(path, f"{name} is not UTF-8 ({exc.reason})", location=name) from exc
    except LookupError as exc:  # expat, for an encoding declaration it does not know
        raise SourceError(
            path, f"{name} declares an unknown encoding ({exc})", location=name
        ) from exc
    except _RefusedXml as exc:
        raise SourceError(path, f"{name} refused: {exc}", location=name) from exc


def _xml_syntax_error(path: Path, name: str, exc: etree.XMLSyntaxError) -> SourceError:
    line = f", line {exc.lineno}" if exc.lineno else ""
    return SourceError(path, f"{name} cannot be read ({exc.msg})", location=f"{name}{line}")


# ---------------------------------------------------------------------------- ODS

_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
_DC_DATE = "{http://purl.org/dc/elements/1.1/}date"
_TABLE_TAG = f"{_TABLE}table"
_ROW_TAG = f"{_TABLE}table-row"
_CELL_TAGS = frozenset({f"{_TABLE}table-cell", f"{_TABLE}covered-table-cell"})
_ROW_GROUP_TAGS = frozenset(
    {f"{_TABLE}table-header-rows", f"{_TABLE}table-rows", f"{_TABLE}table-row-group"}
)
_SPACE_TAGS = frozenset({f"{_TEXT}s", f"{_TEXT}tab", f"{_TEXT}line-break"})
_PARAGRAPH_TAG = f"{_TEXT}p"
_SAFE_PARSE: dict[str, Any] = {
    "resolve_entities": False,
    "no_network": True,
    "load_dtd": False,
    "huge_tree": False,
    "remove_comments": True,
    "remove_pis": True,
}


@dataclass
class OdsSheet:
    """A sheet's name and its non-empty rows (filled by :func:`read_ods_sheets`); rows are
    numbered as the spreadsheet numbers them, empty and repeated rows included."""

    name: str
    rows: list[SheetRow] = field(default_factory=list)
    next_number: int = 1


def normalise_space(text: str) -> str:
    return " ".join(text.split())


def _number_text(value: str) -> str | None:
    try:
        number = Decimal(value)
    except InvalidOperation:
        return None
    if number.is_finite() and number == number.to_integral_value():
        return str(int(number))
    return value


def _inline_text(element: Any) -> str:
    """Text under ``element``, with <text:s/>, <text:tab/> and <text:line-break/> as spaces."""
    parts = [element.text or ""]
    for child in element:
        parts.append(" " if child.tag in _SPACE_TAGS else _inline_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _cell_value(cell: Any) -> str:
    """A cell as text: typed values (dates, numbers) from their attribute, else the text."""
    value_type = cell.get(f"{_OFFICE}value-type")
    if value_type == "date":
        date_value = cell.get(f"{_OFFICE}date-value")
        if date_value:
            return str(date_value)[:10]
    if value_type in ("float", "percentage", "currency"):
        number = cell.get(f"{_OFFICE}value")
        formatted = _number_text(number) if number else None
        if formatted is not None:
            return formatted
    paragraphs = [normalise_space(_inline_text(p)) for p in cell if p.tag == _PARAGRAPH_TAG]
    return "\n".join(p for p in paragraphs if p)


def _repeat_count(element: Any, attribute: str) -> int:
    raw = element.get(f"{_TABLE}{attribute}")
    try:
        count = int(raw) if raw else 1
    except ValueError:
        return 1
    return max(count, 1)


def _row_cells(row: Any) -> tuple[str, ...]:
    """Cell texts of a row, expanding number-columns-repeated, up to MAX_COLUMNS."""
    cells: list[str] = []
    empty_run = 0  # empty cells not yet written: trailing ones (often 16,000+) never are
    for cell in row:
        if cell.tag not in _CELL_TAGS:
            continue
        repeat = _repeat_count(cell, "number-columns-repeated")
        value = _cell_value(cell)
        if not value:
            empty_run += repeat
            continue
        cells.extend([""] * min(empty_run, MAX_COLUMNS - len(cells)))
        cells.extend([value] * min(repeat, MAX_COLUMNS - len(cells)))
        empty_run = 0
        if len(cells) >= MAX_COLUMNS:
            break
    return tuple(cells)


def _owning_table(row: Any) -> Any | None:
    """The table a row belongs to: its parent, or the table above its row groups."""
    parent = row.getparent()
    while parent is not None and parent.tag in _ROW_GROUP_TAGS:
        parent = parent.getparent()
    return parent if parent is not None and parent.tag == _TABLE_TAG else None


def _drop_read_rows(row: Any) -> None:
    """Free a row once read, and what came before it under the same parent."""
    row.clear(keep_tail=True)
    parent = row.getparent()
    while row.getprevious() is not None:
        del parent[0]


def iter_ods_rows(
    stream: ByteStream, sheets: list[OdsSheet]
) -> Iterator[tuple[OdsSheet, SheetRow]]:
    """(sheet, row) for each non-empty row of an ODS ``content.xml`` stream, in document
    order, read as it streams; each sheet met is appended to ``sheets``, empty ones too.
    lxml errors propagate (callers name the member)."""
    by_table: dict[Any, OdsSheet] = {}
    events = etree.iterparse(
        stream, events=("start", "end"), tag=(_TABLE_TAG, _ROW_TAG), **_SAFE_PARSE
    )
    for event, element in events:
        if element.tag == _TABLE_TAG:
            if event == "start":
                by_table[element] = OdsSheet(str(element.get(f"{_TABLE}name") or ""))
                sheets.append(by_table[element])
            continue
        if event != "end":
            continue
        sheet = by_table.get(_owning_table(element))
        if sheet is not None:
            row = _sheet_row(sheet, element)
            if row is not None:
                yield sheet, row
        _drop_read_rows(element)


def _sheet_row(sheet: OdsSheet, element: Any) -> SheetRow | None:
    """The row as a SheetRow (None when empty); advances the sheet's row number."""
    repeated = _repeat_count(element, "number-rows-repeated")
    cells = _row_cells(element)
    number = sheet.next_number
    sheet.next_number += repeated
    if not cells:
        return None
    return SheetRow(f"sheet {sheet.name}, row {number}", cells, repeated)


def read_ods_sheets(path: Path, archive: zipfile.ZipFile) -> list[OdsSheet]:
    """All sheets of a checked ODS archive (see :func:`check_xml_member`)."""
    sheets: list[OdsSheet] = []
    try:
        with archive.open("content.xml") as stream:
            for sheet, row in iter_ods_rows(stream, sheets):
                sheet.rows.append(row)
    except etree.XMLSyntaxError as exc:
        raise _xml_syntax_error(path, "content.xml", exc) from exc
    except ZIP_ERRORS as exc:
        raise _damaged(path, "ODS", "content.xml", exc) from exc
    return sheets


def read_ods_meta_date(
    path: Path, archive: zipfile.ZipFile, parse_date: Callable[[str], date | None]
) -> date | None:
    """``dc:date`` of meta.xml (the last save of the document), if there is one."""
    if "meta.xml" not in archive.namelist():
        return None
    try:
        with archive.open("meta.xml") as stream:
            root = etree.parse(stream, etree.XMLParser(**_SAFE_PARSE)).getroot()
    except etree.XMLSyntaxError as exc:
        raise _xml_syntax_error(path, "meta.xml", exc) from exc
    except ZIP_ERRORS as exc:
        raise _damaged(path, "ODS", "meta.xml", exc) from exc
    for meta in root.iter(f"{_OFFICE}meta"):
        for child in meta:
            if child.tag == _DC_DATE:
                return parse_date(_inline_text(child)[:10])
    return None


# --------------------------------------------------------------------------- XLSX

_SHARED_STRINGS = "xl/sharedStrings.xml"
_SHARED_STRING_TAG = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}si"


def xlsx_first_shared_strings(path: Path, count: int, max_bytes: int) -> list[str] | None:
    """The first ``count`` shared strings of an XLSX, from at most ``max_bytes`` of
    sharedStrings.xml, for format detection: Excel stores strings in the order they are first
    used, so a header's come early. None when there are none to read or the part declares a
    DOCTYPE or entities (the caller then does a full, checked read)."""
    with zipfile.ZipFile(path) as archive:
        if _SHARED_STRINGS not in archive.namelist():
            return None
        with archive.open(_SHARED_STRINGS) as stream:
            head = stream.read(max_bytes)
    if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
        return None
    strings: list[str] = []
    try:
        for _event, item in etree.iterparse(
            io.BytesIO(head), tag=_SHARED_STRING_TAG, **_SAFE_PARSE
        ):
            strings.append("".join(item.itertext()))
            if len(strings) >= count:
                break
    except etree.XMLSyntaxError:
        pass  # where ``max_bytes`` cut the part
    return strings


def read_xlsx_rows(
    path: Path, clean_cell: Callable[[object], str], limit: int | None = None
) -> list[SheetRow]:
    """Non-empty rows of the first worksheet of a checked XLSX (python-calamine), numbered
    from row 1 as Excel numbers them; ``limit`` stops after that many sheet rows."""
    from python_calamine import CalamineWorkbook, SheetTypeEnum

    rows: list[SheetRow] = []
    try:
        with CalamineWorkbook.from_path(str(path)) as workbook:
            names = [m.name for m in workbook.sheets_metadata if m.typ == SheetTypeEnum.WorkSheet]
            if not names:
                raise SourceError(path, "the workbook has no worksheet")
            sheet = workbook.get_sheet_by_name(names[0])
            values = sheet.to_python(skip_empty_area=False, nrows=limit)
    except SourceError:
        raise
    except Exception as exc:  # calamine raises its own kinds, and OSError/ValueError
        raise SourceError(path, f"calamine could not read the workbook ({exc!r})") from exc
    for number, record in enumerate(values, start=1):
        cells = tuple(map(clean_cell, record[:MAX_COLUMNS]))
        if any(cells):
            rows.append(SheetRow(f"sheet {sheet.name}, row {number}", cells))
    return rows
