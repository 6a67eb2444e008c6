"""UK OFSI (HM Treasury) Consolidated List: ConList CSV (2018 and 2022 layouts) and XLSX.

Both layouts have a "Last Updated" line above the header and one row per name of a
designated person, entity or ship; rows sharing a ``Group ID`` are one designation.

* 2018 layout (29 columns): Name 6, Name 1..5, Title, DOB, Town of Birth, Country of Birth,
  Nationality, Passport Details, NI Number, Position, Address 1..6, Post/Zip Code, Country,
  Other Information, Group Type, Alias Type ("Prime Alias"/"AKA"/"FKA"), Regime, Listed On,
  Last Updated, Group ID. Published in Windows-1252.
* 2022 layout (36 columns) adds Name Non-Latin Script (+ type, language), Passport Number,
  National Identification Number/Details, Alias Quality and UK Sanctions List Date
  Designated; Alias Type is "Primary name"/"Primary name variation"/"AKA"/"FKA".

Entity model, one :class:`Entry` per Group ID:

* target ``gb-hmt-<Group ID>``: Individual → Person, Entity → Organization, Ship → Vessel
  (else LegalEntity with a warning). Name 1–5 are given names and Name 6 the surname (or
  the whole name of an entity): the full name is the given names followed by the surname.
  "Primary name"/"Prime Alias" → ``name``; "AKA", "Alias", "Primary name variation" →
  ``alias`` (``weakAlias`` when Alias Quality is low); "FKA" → ``previousName``; a name in
  non-Latin script → ``alias``.
* Person details: DOB (``dd/mm/yyyy`` with ``00`` for unknown parts → ISO prefixes), town
  and country of birth, nationality, title, position.
* Passport / Identification entities for passport and national id numbers, Address
  entities (Address 1–6, Post/Zip Code, Country), Other Information → ``notes`` and the IMO
  number of ships → ``imoNumber``.
* one Sanction: authority OFSI, country gb, program = Regime, listingDate = Listed On,
  startDate = UK Sanctions List Date Designated, modifiedAt = Last Updated.

``published`` is the date on the "Last Updated" line above the header.

An XLSX is checked first (zip-bomb limits, member sizes and CRCs, no DOCTYPE or entity
declarations in any XML member; see :mod:`sanctionscope.sources.spreadsheet`), then read by
python-calamine.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path

from followthemoney import EntityProxy

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
    ZIP_ERRORS,
    ZipLimits,
    check_xml_member,
    check_zip_members,
    open_zip,
    read_xlsx_rows,
    xlsx_first_shared_strings,
)
from sanctionscope.sources.tabular import (
    HeaderSpec,
    SheetRow,
    check_readable,
    csv_records,
    field_reader,
    header_key,
    looks_like_zip,
    one_file_list,
)
from sanctionscope.sources.us_ofac_csv import clean_country

FORMAT_NAME = "gb_hmt_sanctions"
ID_PREFIX = "gb-hmt"
AUTHORITY = "HM Treasury – Office of Financial Sanctions Implementation"
SOURCE_URL = (
    "https://www.gov.uk/government/publications/financial-sanctions-consolidated-list-of-targets"
)

#: Rows searched for the header (the list has one "Last Updated" line above it).
HEADER_SEARCH_ROWS = 3
#: Zip-bomb limits for XLSX, checked on the declared sizes before calamine reads anything.
MAX_XLSX_PART_BYTES = 300 * 1024 * 1024
MAX_XLSX_TOTAL_BYTES = 500 * 1024 * 1024
MAX_XLSX_MEMBERS = 10_000
SNIFF_BYTES = 65536
#: Shared strings looked at first when detecting an XLSX (the header's are among them).
SNIFF_SHARED_STRINGS = 500

_XLSX_SUFFIXES = (".xlsx", ".xlsm")

# Header text (lower case, single spaces) → field name.
_COLUMNS = {
    "name 6": "name6",
    "name 1": "name1",
    "name 2": "name2",
    "name 3": "name3",
    "name 4": "name4",
    "name 5": "name5",
    "title": "title",
    "name non-latin script": "non_latin",
    "non-latin script type": "non_latin_type",
    "non-latin script language": "non_latin_language",
    "dob": "dob",
    "town of birth": "town_of_birth",
    "country of birth": "country_of_birth",
    "nationality": "nationality",
    "passport number": "passport_number",
    "passport details": "passport_details",
    "ni number": "ni_number",
    "national identification number": "national_id_number",
    "national identification details": "national_id_details",
    "position": "position",
    "address 1": "address1",
    "address 2": "address2",
    "address 3": "address3",
    "address 4": "address4",
    "address 5": "address5",
    "address 6": "address6",
    "post/zip code": "postcode",
    "country": "country",
    "other information": "other_information",
    "group type": "group_type",
    "alias type": "alias_type",
    "alias quality": "alias_quality",
    "regime": "regime",
    "listed on": "listed_on",
    "uk sanctions list date designated": "date_designated",
    "last updated": "last_updated",
    "group id": "group_id",
}
_DETECT_FIELDS = ("name6", "group_type", "group_id")
_REQUIRED_FIELDS = ("name6", "group_type", "alias_type", "group_id")
_GIVEN_NAMES = ("name1", "name2", "name3", "name4", "name5")
_ADDRESS_LINES = ("address1", "address2", "address3", "address4", "address5", "address6")

_SCHEMA_BY_TYPE = {"individual": "Person", "entity": "Organization", "ship": "Vessel"}
_FALLBACK_SCHEMA = "LegalEntity"

_PRIMARY = frozenset({"primary name", "prime alias", "primary"})
_ALIASES = frozenset({"aka", "alias", "primary name variation"})
_PREVIOUS = frozenset({"fka"})

_DMY = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")
_MY = re.compile(r"(\d{1,2})[/.-](\d{4})")
_Y = re.compile(r"(\d{4})")
_PREAMBLE_DATE = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})|(\d{4})-(\d{2})-(\d{2})")
_IMO = re.compile(r"\bIMO(?:\s*(?:number|no\.?))?\)?\s*[:.]?\s*(\d{7})\b", re.I)
# "(1) 223611 (2) C00146605", "1) Saudi Arabia 2) Qatar", "(a) ... (b) ..."
_ENUMERATION = re.compile(r"(?:^|\s)\(?(?:\d{1,2}|[a-h])\)\s*")
_DOC_NUMBER = re.compile(r"\b(?=[A-Z0-9/-]*\d)[A-Z0-9][A-Z0-9/-]{3,}[A-Z0-9]\b")


# ------------------------------------------------------------------------ rows


@dataclass
class _Table:
    columns: dict[str, int]
    preamble: list[SheetRow]
    header: SheetRow
    body: list[SheetRow]


def _clean_cell(value: object) -> str:
    if value is None or value == "":
        return ""
    if type(value) is str:
        return value.strip() if "  " not in value and "\n" not in value else " ".join(value.split())
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return " ".join(str(value).split())


_HEADER = HeaderSpec(_COLUMNS, _DETECT_FIELDS)


def _find_header(path: Path, rows: Iterable[SheetRow], strict_width: bool) -> _Table:
    iterator = iter(rows)
    found = _HEADER.locate(iterator, HEADER_SEARCH_ROWS)
    if found is None:
        raise SourceError(
            path,
            f"no OFSI ConList header (Name 6, Group Type, Group ID) in the first "
            f"{HEADER_SEARCH_ROWS} rows",
        )
    missing = found.missing(_REQUIRED_FIELDS)
    if missing:
        raise SourceError(path, f"header lacks column(s) {missing!r}", found.header.location)
    body = list(iterator)
    if strict_width:
        _check_widths(path, found.header, body)
    return _Table(found.columns, found.preamble, found.header, body)


def _check_widths(path: Path, header: SheetRow, body: list[SheetRow]) -> None:
    width = len(header.cells)
    for row in body:
        if len(row.cells) < width or any(row.cells[width:]):
            raise SourceError(
                path, f"row has {len(row.cells)} columns, the header {width}", row.location
            )


# ------------------------------------------------------------------------- CSV


def _decode(data: bytes) -> str:
    """UTF-8 (BOM allowed), else Windows-1252 (the 2018 list), else Latin-1."""
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def _csv_rows(path: Path, text: str) -> Iterator[SheetRow]:
    for line, record in csv_records(path, io.StringIO(text, newline="")):
        if len(record) > MAX_COLUMNS:
            raise SourceError(path, f"row has {len(record)} columns", f"line {line}")
        cells = tuple(_clean_cell(value) for value in record)
        if any(cells):
            yield SheetRow(f"line {line}", cells)


def _read_csv(path: Path) -> _Table:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SourceError(path, f"cannot read the file: {exc}") from exc
    text = _decode(data)
    if "\x00" in text:
        raise SourceError(path, "the file holds NUL bytes; not a CSV text file")
    return _find_header(path, _csv_rows(path, text), strict_width=True)


# ------------------------------------------------------------------------ XLSX


def _check_xlsx_archive(path: Path) -> None:
    """Refuse damaged archives, zip bombs and XML with DOCTYPE or entities, before calamine."""
    limits = ZipLimits(MAX_XLSX_MEMBERS, MAX_XLSX_PART_BYTES, MAX_XLSX_TOTAL_BYTES)
    with open_zip(path, "XLSX") as archive:
        check_zip_members(path, archive, limits)
        names = archive.namelist()
        if "xl/workbook.xml" not in names:
            raise SourceError(path, "a zip file, but not an XLSX workbook (no xl/workbook.xml)")
        for name in names:
            if name.endswith((".xml", ".rels")):
                check_xml_member(path, archive, name, "XLSX", bound_depth=False)


def _xlsx_rows(path: Path, limit: int | None = None) -> list[SheetRow]:
    """Non-empty rows of the first worksheet (``limit``: of its first rows only)."""
    _check_xlsx_archive(path)
    return read_xlsx_rows(path, _clean_cell, limit)


def _read_xlsx(path: Path) -> _Table:
    return _find_header(path, _xlsx_rows(path), strict_width=False)


# ----------------------------------------------------------------------- dates


@lru_cache(maxsize=8192)
def _iso_date(text: str) -> str | None:
    """``14/03/1970`` → 1970-03-14; ``00/03/1970`` → 1970-03; ``00/00/1970``/``1970`` → 1970."""
    value = text.strip()
    match = _DMY.fullmatch(value)
    if match is not None:
        day, month, year = (int(part) for part in match.groups())
    else:
        match = _MY.fullmatch(value)
        if match is not None:
            day, month, year = 0, int(match[1]), int(match[2])
        elif _Y.fullmatch(value):
            day, month, year = 0, 0, int(value)
        else:
            return None
    if not 1000 <= year <= 2100 or year == 0:
        return None
    if month == 0:
        return f"{year:04d}" if day == 0 else None
    if not 1 <= month <= 12:
        return None
    if day == 0:
        return f"{year:04d}-{month:02d}"
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def _published(rows: Iterable[SheetRow]) -> date | None:
    for row in rows:
        text = " ".join(row.cells)
        if "last updated" not in text.lower():
            continue
        match = _PREAMBLE_DATE.search(text)
        if match is None:
            continue
        try:
            if match[1]:
                return date(int(match[3]), int(match[2]), int(match[1]))
            return date(int(match[4]), int(match[5]), int(match[6]))
        except ValueError:
            continue
    return None


# -------------------------------------------------------------------- entities


@dataclass
class _Values:
    location: str
    values: dict[str, str]

    def get(self, name: str) -> str:
        return self.values.get(name, "")


@dataclass
class _Group:
    entry: Entry
    related: dict[str, EntityProxy] = field(default_factory=dict)
    aliases: list[str] = field(default_factory=list)
    seen: set[tuple[str, str, str]] = field(default_factory=set)

    def put(self, entity: EntityProxy, prop: str, value: str | None) -> None:
        """``entity.add`` once per value: rows of a group repeat most of their cells, and
        FtM's cleaning is the expensive part of the parse."""
        if not value:
            return
        key = (entity.id or "", prop, value)
        if key in self.seen:
            return
        self.seen.add(key)
        prop_type = entity.schema.properties[prop].type.name
        if prop_type == "country":
            code = clean_country(value)
            if code is not None:
                entity.unsafe_add(entity.schema.properties[prop], code, cleaned=True)
        elif prop_type == "date":  # already ISO (see _iso_date)
            entity.unsafe_add(entity.schema.properties[prop], value, cleaned=True)
        else:
            add_text(entity, prop, value)


def _enumerated(text: str) -> list[str]:
    """ "(1) A (2) B" → ["A", "B"]; text without numbering → [text]."""
    parts = [part.strip(" ,;.") for part in _ENUMERATION.split(text)]
    return [part for part in parts if part] or [text]


def full_name(values: _Values) -> str:
    given = [values.get(name) for name in _GIVEN_NAMES if values.get(name)]
    surname = values.get("name6")
    return " ".join(" ".join([*given, surname]).split())


def _new_group(group_id: str, schema: str) -> _Group:
    return _Group(new_listing(schema, ID_PREFIX, group_id, AUTHORITY, "gb", SOURCE_URL))


def _add_related(group: _Group, entity: EntityProxy) -> None:
    if entity.id is not None and entity.id not in group.related:
        group.related[entity.id] = entity
        group.entry.related.append(entity)


def _add_names(group: _Group, row: _Values, warnings: list[str]) -> None:
    target = group.entry.target
    name = full_name(row)
    alias_type = header_key(row.get("alias_type"))
    low = row.get("alias_quality").lower().startswith("low")
    if name:
        if alias_type in _PRIMARY:
            group.put(target, "name", name)
            if target.schema.is_a("Person"):
                group.put(target, "firstName", row.get("name1") or None)
                middle = [row.get(n) for n in _GIVEN_NAMES[1:] if row.get(n)]
                group.put(target, "middleName", " ".join(middle) or None)
                group.put(target, "lastName", row.get("name6") or None)
        elif alias_type in _PREVIOUS:
            group.put(target, "previousName", name)
        else:
            if alias_type not in _ALIASES:
                warnings.append(
                    f"{row.location}: unknown Alias Type {row.get('alias_type')!r}; "
                    "read as an alias"
                )
            group.put(target, "weakAlias" if low else "alias", name)
            group.aliases.append(name)
    non_latin = row.get("non_latin")
    if non_latin:
        group.put(target, "alias", non_latin)
        group.aliases.append(non_latin)


def _add_person(group: _Group, row: _Values, warnings: list[str]) -> None:
    target = group.entry.target
    group.put(target, "title", row.get("title") or None)
    dob = row.get("dob")
    if dob:
        iso = _iso_date(dob)
        if iso is None:
            warnings.append(f"{row.location}: DOB {dob!r} is not a date; not kept")
        else:
            group.put(target, "birthDate", iso)
    town, country = row.get("town_of_birth"), row.get("country_of_birth")
    if town:
        group.put(target, "birthPlace", ", ".join(part for part in (town, country) if part))
    elif country:
        group.put(target, "birthPlace", country)
    for item in _enumerated(country) if country else []:
        group.put(target, "birthCountry", item)
    nationality = row.get("nationality")
    for item in _enumerated(nationality) if nationality else []:
        group.put(target, "nationality", item)
    group.put(target, "position", row.get("position") or None)


def _document_numbers(text: str) -> list[tuple[str, str]]:
    """(number, the text around it) for each enumerated item holding a document number."""
    found: list[tuple[str, str]] = []
    for item in _enumerated(text):
        match = _DOC_NUMBER.search(item.upper())
        if match is not None:
            found.append((match.group(0), item))
    return found


def _add_documents(group: _Group, row: _Values) -> None:
    gid = group.entry.source_id
    holder = group.entry.target
    number_text, details = row.get("passport_number"), row.get("passport_details")
    if number_text:
        pairs = [(n, details) for n in _enumerated(number_text)]
    else:
        pairs = _document_numbers(details) if details else []
        if details and not pairs:
            group.put(holder, "notes", f"Passport: {details}")
    for number, summary in pairs:
        _add_related(group, _document(gid, "Passport", "passport", holder, number, summary))
    for number_col, details_col, label in (
        ("national_id_number", "national_id_details", "National identification"),
        ("ni_number", "", "NI Number"),
    ):
        text = row.get(number_col)
        if not text:
            continue
        extra = row.get(details_col) if details_col else ""
        items = (
            [(n, extra) for n in _enumerated(text)]
            if details_col
            else (_document_numbers(text) or [(text, "")])
        )
        for number, summary in items:
            ident = _document(gid, "Identification", "id", holder, number, summary)
            add_text(ident, "type", label)
            _add_related(group, ident)


def _document(
    gid: str, schema: str, kind: str, holder: EntityProxy, number: str, summary: str
) -> EntityProxy:
    doc = make_entity(schema, ID_PREFIX, gid, kind, number)
    doc.add("holder", holder.id)
    add_text(doc, "number", number)
    add_text(doc, "summary", summary)
    return doc


def _add_address(group: _Group, row: _Values) -> None:
    lines = [row.get(name) for name in _ADDRESS_LINES if row.get(name)]
    postcode, country = row.get("postcode"), row.get("country")
    parts = [*lines, postcode, country]
    full = ", ".join(part for part in parts if part)
    if not full:
        return
    address = make_entity("Address", ID_PREFIX, group.entry.source_id, "address", full)
    if address.id in group.related:
        return
    add_text(address, "full", full)
    add_text(address, "postalCode", postcode)
    if lines:
        add_text(address, "city", lines[-1])
    code = clean_country(country) if country else None
    if code is not None:
        address.add("country", code, cleaned=True)
    _add_related(group, address)
    group.put(group.entry.target, "addressEntity", address.id)
    group.put(group.entry.target, "country", country or None)


def _add_dates(group: _Group, row: _Values, warnings: list[str]) -> None:
    target = group.entry.target
    sanction = group.entry.related[0]
    for column, prop in (
        ("listed_on", "listingDate"),
        ("date_designated", "startDate"),
        ("last_updated", "modifiedAt"),
    ):
        text = row.get(column)
        if not text:
            continue
        iso = _iso_date(text)
        if iso is None:
            warnings.append(f"{row.location}: {column} {text!r} is not a date; not kept")
            continue
        group.put(sanction, prop, iso)
        if prop == "modifiedAt":
            group.put(target, "modifiedAt", iso)


def _apply_row(group: _Group, row: _Values, warnings: list[str]) -> None:
    target = group.entry.target
    _add_names(group, row, warnings)
    if target.schema.is_a("Person"):
        _add_person(group, row, warnings)
    else:
        position = row.get("position")
        if position:
            group.put(target, "notes", position)
    _add_documents(group, row)
    _add_address(group, row)
    other = row.get("other_information")
    if other:
        group.put(target, "notes", other)
        if "imoNumber" in target.schema.properties:
            for number in _IMO.findall(other):
                group.put(target, "imoNumber", f"IMO{number}")
    sanction = group.entry.related[0]
    group.put(sanction, "program", row.get("regime") or None)
    _add_dates(group, row, warnings)


def _schema_for(row: _Values, warnings: list[str]) -> str:
    text = row.get("group_type")
    schema = _SCHEMA_BY_TYPE.get(text.strip().lower())
    if schema is None:
        warnings.append(f"{row.location}: unknown Group Type {text!r}; read as {_FALLBACK_SCHEMA}")
        return _FALLBACK_SCHEMA
    return schema


def _build_entries(path: Path, table: _Table, warnings: list[str]) -> list[Entry]:
    groups: dict[str, _Group] = {}
    fields = field_reader(table.columns)
    for raw in table.body:
        row = _Values(raw.location, fields(raw.cells))
        group_id = row.get("group_id")
        if not group_id:
            raise SourceError(path, "a row without a Group ID", raw.location)
        group = groups.get(group_id)
        if group is None:
            group = groups[group_id] = _new_group(group_id, _schema_for(row, warnings))
        _apply_row(group, row, warnings)
    entries: list[Entry] = []
    for group_id, group in groups.items():
        target = group.entry.target
        if not target.has("name"):
            fallback = group.aliases[0] if group.aliases else None
            if fallback is None:
                warnings.append(f"Group ID {group_id} has no name; skipped")
                continue
            warnings.append(f"Group ID {group_id} has no primary name; used {fallback!r}")
            target.add("name", fallback)
        entries.append(group.entry)
    return entries


# ------------------------------------------------------------------- detection


def _sniff_csv(path: Path) -> bool:
    with path.open("rb") as fh:
        head = fh.read(SNIFF_BYTES)
    records = csv_records(path, io.StringIO(_decode(head), newline=""))
    for count, (_line, record) in enumerate(records):
        if _HEADER.matches([_clean_cell(value) for value in record[:MAX_COLUMNS]]):
            return True
        if count + 1 >= HEADER_SEARCH_ROWS:
            break
    return False


def detect(path: Path) -> bool:
    """A .csv or .xlsx whose header (in the first 3 rows) has Name 6, Group Type, Group ID."""
    path = Path(path)
    try:
        if not path.is_file() or path.stat().st_size == 0:
            return False
        suffix = path.suffix.lower()
        if suffix in _XLSX_SUFFIXES or (suffix != ".csv" and looks_like_zip(path, ())):
            return _sniff_xlsx(path)
        return _sniff_csv(path)
    except (SourceError, OSError, csv.Error, UnicodeError, *ZIP_ERRORS):
        return False


def _sniff_xlsx(path: Path) -> bool:
    """The header's columns among the first shared strings (cheap), else a full, checked read
    of the first rows. Parsing checks the archive and finds the header row either way."""
    strings = xlsx_first_shared_strings(path, SNIFF_SHARED_STRINGS, SNIFF_BYTES * 16)
    if strings and _HEADER.matches(strings):
        return True
    rows = _xlsx_rows(path, limit=HEADER_SEARCH_ROWS)
    return any(_HEADER.matches(row.cells) for row in rows)


# ----------------------------------------------------------------------- parse


def parse(path: Path, source: str | None = None) -> ParsedList:
    """Read an OFSI ConList (CSV in the 2018 or 2022 layout, or XLSX) into entries."""
    path = Path(path)
    check_readable(path)
    warnings: list[str] = []
    table = _read_xlsx(path) if looks_like_zip(path, _XLSX_SUFFIXES) else _read_csv(path)
    ignored = [
        cell
        for index, cell in enumerate(table.header.cells)
        if cell and index not in set(table.columns.values())
    ]
    if ignored:
        warnings.append(f"{table.header.location}: columns not imported: {ignored!r}")
    entries = _build_entries(path, table, warnings)
    return one_file_list(path, FORMAT_NAME, source, entries, _published(table.preamble), warnings)


FORMAT = SourceFormat(
    name=FORMAT_NAME,
    detect=detect,
    parse=parse,
    description="UK OFSI consolidated list (CSV 2018 / 2022 layouts, XLSX)",
)
