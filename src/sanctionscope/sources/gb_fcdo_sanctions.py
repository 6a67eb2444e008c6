"""UK Sanctions List (FCDO) as an OpenDocument spreadsheet (ODS), or the same columns as CSV.

The file has one sheet (``UK_Sanction_List``) with one row per designation and the columns
Unique ID, OFSI Group ID, Name, Regime Name, Type, Designation source, Date Designated and
Sanctions Imposed. The header row is searched for (rows above it, such as a "Report Date"
line, are allowed), never assumed to be the first.

Entity model, one :class:`Entry` per Unique ID:

* target ``gb-fcdo-<Unique ID>``: Individual → Person, Entity → Organization, Ship → Vessel
  (an unknown Type → LegalEntity, with a warning); ``name`` = Name, topic ``sanction``.
  Individuals are written "SURNAME Forenames": when the surname is in capitals and the
  forenames are not, the natural order "Forenames SURNAME" is added as an ``alias`` and the
  surname as ``lastName``.
* a Sanction: authority FCDO, country gb, program = Regime Name, listingDate = Date
  Designated, recordId = Unique ID, provisions = each item of Sanctions Imposed,
  summary = "Designation source: UK|UN".
* the OFSI Group ID, kept twice: in the target's ``notes`` ("OFSI Group ID: 12703") and as an
  Identification (type "OFSI Group ID", holder = target), so that the same person listed
  under several regimes, or in OFSI's consolidated list, can be linked.

A row repeating an earlier Unique ID is merged into that entry (with a warning); a row
without a Unique ID stops the import. ``published`` is a "Report Date"/"Last Updated" found
above the header, else the time stamp of ``content.xml`` in the archive, else ``dc:date`` in
``meta.xml`` (in the 2025-08-11 file meta.xml still says 2024-03-18: it is carried over from
the template, while content.xml is rewritten for each publication).

Reading is defensive and streaming (see :mod:`sanctionscope.sources.spreadsheet`): the
archive is checked (mimetype, member sizes and ratios against zip bombs, CRCs, every XML part
well-formed UTF-8 without DOCTYPE or entities) before ``content.xml`` is read row by row.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from followthemoney import EntityProxy
from lxml import etree

from sanctionscope.sources.base import (
    Entry,
    ParsedList,
    SourceError,
    SourceFormat,
    add_text,
    make_entity,
    new_listing,
)
from sanctionscope.sources.spreadsheet import (
    MAX_COLUMNS,
    ODS_MIMETYPE,
    ZIP_ERRORS,
    OdsSheet,
    ZipLimits,
    check_xml_member,
    check_zip_members,
    iter_ods_rows,
    normalise_space,
    open_zip,
    read_ods_meta_date,
    read_ods_sheets,
)
from sanctionscope.sources.tabular import (
    HeaderSpec,
    SheetRow,
    check_readable,
    csv_records,
    field_reader,
    looks_like_zip,
    one_file_list,
)

FORMAT_NAME = "gb_fcdo_sanctions"
ID_PREFIX = "gb-fcdo"
AUTHORITY = "UK Foreign, Commonwealth & Development Office"
SOURCE_URL = "https://www.gov.uk/government/publications/the-uk-sanctions-list"
OFSI_GROUP_ID_TYPE = "OFSI Group ID"

#: Largest uncompressed member we read; a bigger content.xml is refused as a zip bomb.
MAX_XML_PART_BYTES = 200 * 1024 * 1024
#: Largest sum of uncompressed member sizes.
MAX_ARCHIVE_BYTES = 400 * 1024 * 1024
MAX_ARCHIVE_MEMBERS = 10_000
#: Rows searched for the header.
HEADER_SEARCH_ROWS = 50
#: Bytes of content.xml read when sniffing a file during format detection.
SNIFF_BYTES = 4 * 1024 * 1024

_ODS_XML_PARTS = ("META-INF/manifest.xml", "content.xml", "styles.xml", "meta.xml", "settings.xml")
_DOS_EPOCH = (1980, 1, 1)

# Column header (lower case, single spaces) → field name used below.
_COLUMNS = {
    "unique id": "unique_id",
    "ofsi group id": "group_id",
    "name": "name",
    "regime name": "regime",
    "regime": "regime",
    "type": "type",
    "designation source": "designation_source",
    "date designated": "date_designated",
    "sanctions imposed": "sanctions_imposed",
}
_LABELS = {
    "unique_id": "Unique ID",
    "group_id": "OFSI Group ID",
    "name": "Name",
    "regime": "Regime Name",
    "type": "Type",
    "designation_source": "Designation source",
    "date_designated": "Date Designated",
    "sanctions_imposed": "Sanctions Imposed",
}
_REQUIRED_FIELDS = ("unique_id", "group_id", "name", "type")
_DETECT_FIELDS = ("unique_id", "group_id")

_SCHEMA_BY_TYPE = {"individual": "Person", "entity": "Organization", "ship": "Vessel"}
_FALLBACK_SCHEMA = "LegalEntity"

_PREAMBLE_DATE_LABEL = re.compile(r"report\s+date|last\s+updated|date\s+generated", re.I)
_DATE_TOKENS = re.compile(
    r"\d{4}-\d{2}-\d{2}|\d{1,2}[/.-]\d{1,2}[/.-]\d{4}|\d{1,2}[ -][A-Za-z]{3,9}[ ,-]+\d{4}"
)
_TEXT_DATE_FORMATS = (
    "%Y-%m-%d",
    "%d-%m-%Y",
    "%d/%m/%Y",
    "%d.%m.%Y",
    "%d-%b-%Y",
    "%d %b %Y",
    "%d-%B-%Y",
    "%d %B %Y",
)
_NAME_PARTICLE = re.compile(r"^[A-Za-z]{1,3}['’-](?=\w)")


# ------------------------------------------------------------------------- ODS


@dataclass
class _Archive:
    """What the zip container tells us besides the sheets."""

    sheets: list[OdsSheet]
    content_timestamp: date | None
    meta_date: date | None


def _limits() -> ZipLimits:
    return ZipLimits(MAX_ARCHIVE_MEMBERS, MAX_XML_PART_BYTES, MAX_ARCHIVE_BYTES)


def _read_mimetype(path: Path, archive: zipfile.ZipFile) -> str:
    try:
        info = archive.getinfo("mimetype")
    except KeyError as exc:
        raise SourceError(path, "a zip file, but not an OpenDocument file (no mimetype)") from exc
    if info.file_size > 1024:
        raise SourceError(path, "a zip file, but its mimetype member is not an ODF mimetype")
    try:
        return archive.read(info).decode("ascii", "replace").strip()
    except ZIP_ERRORS as exc:
        raise SourceError(path, f"the ODS archive is damaged ({exc})", location="mimetype") from exc


def _content_timestamp(archive: zipfile.ZipFile) -> date | None:
    """Modification date of content.xml in the zip (None for the 1980-01-01 DOS default)."""
    try:
        stamp = archive.getinfo("content.xml").date_time
    except KeyError:
        return None
    if stamp[:3] == _DOS_EPOCH:
        return None
    try:
        return date(stamp[0], stamp[1], stamp[2])
    except ValueError:
        return None


def _check_ods_archive(path: Path, archive: zipfile.ZipFile) -> None:
    """Everything about the container that must hold before its sheets are read."""
    check_zip_members(path, archive, _limits())
    mimetype = _read_mimetype(path, archive)
    if mimetype != ODS_MIMETYPE:
        raise SourceError(
            path, f"an OpenDocument file, but not a spreadsheet (mimetype {mimetype!r})"
        )
    names = set(archive.namelist())
    for required in ("META-INF/manifest.xml", "content.xml"):
        if required not in names:
            raise SourceError(path, f"the ODS archive has no {required}", location=required)
    for part in _ODS_XML_PARTS:
        if part in names:
            check_xml_member(path, archive, part, "ODS")


def _read_ods(path: Path) -> _Archive:
    with open_zip(path, "ODS") as archive:
        _check_ods_archive(path, archive)
        return _Archive(
            sheets=read_ods_sheets(path, archive),
            content_timestamp=_content_timestamp(archive),
            meta_date=read_ods_meta_date(path, archive, _parse_date_text),
        )


# ------------------------------------------------------------------------- CSV


def _csv_rows(path: Path) -> Iterator[SheetRow]:
    """Rows of a UTF-8 CSV file (BOM allowed) as SheetRows located by line."""
    try:
        with path.open("r", encoding="utf-8-sig", newline="") as fh:
            for line, record in csv_records(path, fh):
                cells = tuple(normalise_space(value) for value in record[:MAX_COLUMNS])
                while cells and not cells[-1]:
                    cells = cells[:-1]
                if cells:
                    yield SheetRow(f"line {line}", cells)
    except OSError as exc:
        raise SourceError(path, f"cannot read the file: {exc}") from exc


# ---------------------------------------------------------------------- header


_HEADER = HeaderSpec(_COLUMNS, _DETECT_FIELDS)


@dataclass
class _Table:
    header: SheetRow
    columns: dict[str, int]
    preamble: list[SheetRow]
    body: Iterator[SheetRow]
    fields: Callable[[tuple[str, ...]], dict[str, str]]


def _find_header(path: Path, rows: Iterator[SheetRow], where: str) -> _Table:
    found = _HEADER.locate(rows, HEADER_SEARCH_ROWS)
    if found is None:
        raise SourceError(
            path,
            f"no header row with 'Unique ID' and 'OFSI Group ID' in the first "
            f"{HEADER_SEARCH_ROWS} rows of {where}",
        )
    missing = found.missing(_REQUIRED_FIELDS)
    if missing:
        labels = ", ".join(_label(name) for name in missing)
        raise SourceError(path, f"header lacks column(s) {labels}", found.header.location)
    return _Table(found.header, found.columns, found.preamble, rows, field_reader(found.columns))


def _label(field_name: str) -> str:
    return repr(_LABELS.get(field_name, field_name))


def _column_letters(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA (spreadsheet column names)."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def _cell_location(table: _Table, row_location: str, field_name: str) -> str:
    column = _column_letters(table.columns[field_name])
    return f"{row_location}, column {column} ({_LABELS.get(field_name, field_name)})"


def _ignored_columns(table: _Table) -> list[str]:
    known = set(table.columns.values())
    return [cell for index, cell in enumerate(table.header.cells) if cell and index not in known]


# ----------------------------------------------------------------------- dates


@lru_cache(maxsize=4096)
def _parse_date_text(text: str) -> date | None:
    cleaned = " ".join(text.replace(",", " ").split())
    for fmt in _TEXT_DATE_FORMATS:
        try:
            return datetime.strptime(cleaned, fmt).date()
        except ValueError:
            continue
    return None


def _preamble_date(rows: Iterable[SheetRow]) -> date | None:
    """A "Report Date: 11-Aug-2025" / "Last Updated,13/04/2018" line above the header."""
    for row in rows:
        text = " ".join(row.cells)
        if not _PREAMBLE_DATE_LABEL.search(text):
            continue
        for token in _DATE_TOKENS.findall(text):
            found = _parse_date_text(token)
            if found is not None:
                return found
    return None


# ------------------------------------------------------------------- entities


def _is_surname_token(token: str) -> bool:
    """``MAMSUROV``, ``AL-HOUTHI``, ``Al-HOUTHI``: capitals, after an optional particle."""
    core = _NAME_PARTICLE.sub("", token)
    letters = [ch for ch in core if ch.isalpha()]
    return len(letters) >= 2 and core.isupper()


def natural_order_name(name: str) -> tuple[str, str] | None:
    """("Forenames SURNAME", "SURNAME") for a "SURNAME Forenames" name, when that is obvious.

    Obvious means: one or more leading tokens in capitals followed only by tokens that are
    not (``MAMSUROV Taimuraz Dzhambekovich``). All-capital names (as the UN writes them)
    and all-title-case names are ambiguous and give None. A comma after the surname is
    dropped (``LAVILLA, JR Ruben Pestano`` → ``Ruben Pestano LAVILLA JR``).
    """
    tokens = name.replace(",", " ").split()
    split_at = 0
    while split_at < len(tokens) and _is_surname_token(tokens[split_at]):
        split_at += 1
    forenames = tokens[split_at:]
    if split_at == 0 or not forenames:
        return None
    if any(_is_surname_token(token) for token in forenames):
        return None
    surname = " ".join(tokens[:split_at])
    return " ".join([*forenames, surname]), surname


def split_provisions(text: str) -> list[str]:
    """ "Asset freeze, Travel Ban" → ["Asset freeze", "Travel Ban"] ("-" means none)."""
    items = (item.strip() for item in re.split(r"[,\n]", text))
    return [item for item in items if item and item != "-"]


@dataclass
class _RowValues:
    location: str
    values: dict[str, str]
    extra: list[str] = field(default_factory=list)

    def get(self, name: str) -> str:
        return self.values.get(name, "")


def _row_values(table: _Table, row: SheetRow) -> _RowValues:
    width = len(table.header.cells)
    extra = [cell for cell in row.cells[width:] if cell]
    return _RowValues(row.location, table.fields(row.cells), extra)


def _target_schema(type_text: str) -> str | None:
    return _SCHEMA_BY_TYPE.get(type_text.strip().lower())


def _new_entry(unique_id: str, schema: str) -> Entry:
    return new_listing(schema, ID_PREFIX, unique_id, AUTHORITY, "gb", SOURCE_URL)


def _add_name(target: EntityProxy, name: str) -> None:
    add_text(target, "name", name)
    if not target.schema.is_a("Person"):
        return
    natural = natural_order_name(name)
    if natural is not None:
        add_text(target, "alias", natural[0])
        add_text(target, "lastName", natural[1])


def _group_identification(entry: Entry, unique_id: str, group_id: str) -> EntityProxy:
    ident = make_entity("Identification", ID_PREFIX, unique_id, "ofsi-group-id", group_id)
    ident.add("holder", entry.target.id)
    add_text(ident, "number", group_id)
    add_text(ident, "type", OFSI_GROUP_ID_TYPE)
    add_text(ident, "country", "gb")
    return ident


def _add_group_id(entry: Entry, unique_id: str, group_id: str) -> None:
    add_text(entry.target, "notes", f"{OFSI_GROUP_ID_TYPE}: {group_id}")
    ident = _group_identification(entry, unique_id, group_id)
    if all(related.id != ident.id for related in entry.related):
        entry.related.append(ident)


def _sanction_of(entry: Entry) -> EntityProxy:
    return entry.related[0]


def _apply_row(entry: Entry, row: _RowValues, warnings: list[str]) -> None:
    """Add what one row says to its entry (first row, or a later row with the same ID)."""
    unique_id = entry.source_id
    name = row.get("name")
    if name:
        _add_name(entry.target, name)
    else:
        warnings.append(f"{row.location}: {unique_id} has no name")
    group_id = row.get("group_id")
    if group_id:
        _add_group_id(entry, unique_id, group_id)
    sanction = _sanction_of(entry)
    add_text(sanction, "program", row.get("regime"))
    for provision in split_provisions(row.get("sanctions_imposed")):
        add_text(sanction, "provisions", provision)
    source = row.get("designation_source")
    if source:
        add_text(sanction, "summary", f"Designation source: {source}")
    _add_listing_date(sanction, row, warnings)
    if row.extra:
        warnings.append(f"{row.location}: values beyond the header ignored: {row.extra!r}")


def _add_listing_date(sanction: EntityProxy, row: _RowValues, warnings: list[str]) -> None:
    text = row.get("date_designated")
    if not text:
        return
    found = _parse_date_text(text)
    if found is None:
        warnings.append(f"{row.location}: Date Designated {text!r} is not a date; not kept")
        return
    add_text(sanction, "listingDate", found.isoformat())


def _schema_for_row(row: _RowValues, warnings: list[str]) -> str:
    type_text = row.get("type")
    schema = _target_schema(type_text)
    if schema is None:
        warnings.append(
            f"{row.location}: unknown Type {type_text!r}; imported as {_FALLBACK_SCHEMA}"
        )
        return _FALLBACK_SCHEMA
    return schema


def _build_entries(path: Path, table: _Table, warnings: list[str]) -> list[Entry]:
    entries: dict[str, Entry] = {}
    first_seen: dict[str, str] = {}
    for sheet_row in table.body:
        row = _row_values(table, sheet_row)
        unique_id = row.get("unique_id")
        if not unique_id:
            location = _cell_location(table, row.location, "unique_id")
            raise SourceError(path, "a designation without a Unique ID", location)
        if sheet_row.repeated > 1:
            warnings.append(f"{row.location}: row repeated {sheet_row.repeated} times; read once")
        entry = entries.get(unique_id)
        if entry is None:
            entry = _new_entry(unique_id, _schema_for_row(row, warnings))
            entries[unique_id] = entry
            first_seen[unique_id] = row.location
        else:
            _note_repeated_id(entry, row, first_seen[unique_id], warnings)
        _apply_row(entry, row, warnings)
    return list(entries.values())


def _note_repeated_id(entry: Entry, row: _RowValues, first: str, warnings: list[str]) -> None:
    warnings.append(
        f"{row.location}: Unique ID {entry.source_id} repeated (first at {first}); merged"
    )
    schema = _target_schema(row.get("type")) or _FALLBACK_SCHEMA
    if schema != entry.target.schema.name:
        warnings.append(
            f"{row.location}: Type {row.get('type')!r} differs from the first row of "
            f"{entry.source_id}; kept {entry.target.schema.name}"
        )


# ------------------------------------------------------------------- detection


class _CappedReader:
    """A file-like view that stops after ``limit`` bytes (for sniffing)."""

    def __init__(self, raw: io.BufferedIOBase | Any, limit: int) -> None:
        self._raw = raw
        self._left = limit

    def read(self, size: int = -1) -> bytes:
        if self._left <= 0:
            return b""
        wanted = self._left if size is None or size < 0 else min(size, self._left)
        data: bytes = self._raw.read(wanted)
        self._left -= len(data)
        return data


_SNIFF_ERRORS = (*ZIP_ERRORS, etree.XMLSyntaxError, KeyError, SourceError)


def _sniff_ods_rows(path: Path) -> Iterator[tuple[str, ...]]:
    """The first non-empty rows, streaming the start of content.xml (for detection)."""
    with zipfile.ZipFile(path) as archive:
        if archive.read("mimetype").decode("ascii", "replace").strip() != ODS_MIMETYPE:
            return
        with archive.open("content.xml") as stream:
            rows = iter_ods_rows(_CappedReader(stream, SNIFF_BYTES), [])
            for count, (_sheet, row) in enumerate(rows):
                yield row.cells
                if count >= HEADER_SEARCH_ROWS:
                    return


def _sniff_csv_rows(path: Path) -> Iterator[tuple[str, ...]]:
    with path.open("rb") as fh:
        head = fh.read(65536)
    text = head.decode("utf-8-sig", "replace")
    for count, (_line, record) in enumerate(csv_records(path, io.StringIO(text))):
        yield tuple(normalise_space(value) for value in record[:64])
        if count >= HEADER_SEARCH_ROWS:
            return


def _any_header(rows: Iterable[tuple[str, ...]]) -> bool:
    return any(_HEADER.matches(row) for row in rows)


def detect(path: Path) -> bool:
    """An ODS (zip with the ODS mimetype) or CSV whose header has Unique ID and OFSI Group ID."""
    if not path.is_file():
        return False
    try:
        if looks_like_zip(path, (".ods",)):
            return _any_header(_sniff_ods_rows(path))
        return _any_header(_sniff_csv_rows(path))
    except _SNIFF_ERRORS:
        return False


# ----------------------------------------------------------------------- parse


def _choose_sheet(path: Path, sheets: list[OdsSheet]) -> OdsSheet:
    """The sheet holding the header: UK_Sanction_List if it has one, else the first that does."""
    if not sheets:
        raise SourceError(path, "the spreadsheet has no sheets", location="content.xml")
    ordered = sorted(sheets, key=lambda sheet: sheet.name != "UK_Sanction_List")
    for sheet in ordered:
        if _any_header(row.cells for row in sheet.rows[:HEADER_SEARCH_ROWS]):
            return sheet
    names = ", ".join(repr(sheet.name) for sheet in sheets)
    raise SourceError(
        path,
        f"no sheet has a header row with 'Unique ID' and 'OFSI Group ID' (sheets: {names})",
    )


def _parse_ods(path: Path, warnings: list[str]) -> tuple[list[Entry], date | None]:
    archive = _read_ods(path)
    sheet = _choose_sheet(path, archive.sheets)
    table = _find_header(path, iter(sheet.rows), f"sheet {sheet.name}")
    _warn_ignored_columns(table, warnings)
    entries = _build_entries(path, table, warnings)
    published = _preamble_date(table.preamble) or archive.content_timestamp or archive.meta_date
    return entries, published


def _parse_csv(path: Path, warnings: list[str]) -> tuple[list[Entry], date | None]:
    table = _find_header(path, _csv_rows(path), "the CSV file")
    _warn_ignored_columns(table, warnings)
    entries = _build_entries(path, table, warnings)
    return entries, _preamble_date(table.preamble)


def _warn_ignored_columns(table: _Table, warnings: list[str]) -> None:
    ignored = _ignored_columns(table)
    if ignored:
        warnings.append(f"{table.header.location}: columns not imported: {ignored!r}")


def parse(path: Path, source: str | None = None) -> ParsedList:
    """Read the UK Sanctions List (ODS, or CSV with the same header) into entries."""
    path = Path(path)
    check_readable(path)
    warnings: list[str] = []
    if looks_like_zip(path, (".ods",)):
        entries, published = _parse_ods(path, warnings)
    else:
        entries, published = _parse_csv(path, warnings)
    return one_file_list(path, FORMAT_NAME, source, entries, published, warnings)


FORMAT = SourceFormat(
    name=FORMAT_NAME,
    detect=detect,
    parse=parse,
    description="UK Sanctions List (FCDO), ODS",
)
