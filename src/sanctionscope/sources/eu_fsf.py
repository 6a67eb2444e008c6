"""EU Financial Sanctions Files, CSV v1.1 (``csvFullSanctionsList_1_1``).

Semicolon-separated, UTF-8 (a BOM is allowed), a header of 118 columns, then one row per item
of a designation: a name alias, an address, a birth date, an identification or a citizenship.
Every row repeats the designation's own fields (``Entity_LogicalId``, reference numbers,
subject type, regulation), so the rows of one ``Entity_LogicalId`` are one designation. The
entities built from it are described in :mod:`sanctionscope.sources.eu_fsf_common`.

A file that stops part-way must never become the active list. The reader refuses, naming the
line and the ``Entity_LogicalId`` cut off, a file whose last row is shorter than the header
(cut mid-field), ends inside a quoted field, or does not end with a newline. A cut that falls
exactly between two rows leaves no trace in the file itself (the format has no trailer or
row count). Only the importer's entry-drop check against an already active version can
catch such a cut; a first import of a file cut that way is accepted.

``published`` is the ``fileGenerationDate`` of the rows (dd/mm/yyyy); without one, the latest
regulation publication date, with a warning.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sanctionscope.sources.base import ParsedList, SourceError, SourceFormat
from sanctionscope.sources.eu_fsf_common import (
    Address,
    BirthDate,
    Citizenship,
    Document,
    NameAlias,
    Record,
    Regulation,
    append_new,
    iso_date,
    parse_date,
    parse_with,
    truthy,
)

FORMAT_NAME = "eu_fsf_csv"
DELIMITER = ";"
SNIFF_BYTES = 65536
MAX_COLUMNS = 512

LOGICAL_ID = "Entity_LogicalId"
REQUIRED_COLUMNS = (LOGICAL_ID, "Entity_SubjectType", "NameAlias_WholeName")

_REGULATION_FIELDS = (
    "Regulation_Type",
    "Regulation_OrganisationType",
    "Regulation_PublicationDate",
    "Regulation_EntryIntoForceDate",
    "Regulation_NumberTitle",
    "Regulation_Programme",
    "Regulation_PublicationUrl",
)
_ITEM_COMMON = ("LogicalId", "RegulationLanguage", "Remark", *_REGULATION_FIELDS)
_GROUP_FIELDS = {
    "NameAlias": (
        "LastName",
        "FirstName",
        "MiddleName",
        "WholeName",
        "NameLanguage",
        "Gender",
        "Title",
        "Function",
    ),
    "Address": (
        "City",
        "Street",
        "PoBox",
        "ZipCode",
        "Region",
        "Place",
        "AsAtListingTime",
        "ContactInfo",
        "CountryIso2Code",
        "CountryDescription",
    ),
    "BirthDate": (
        "BirthDate",
        "Day",
        "Month",
        "Year",
        "YearRangeFrom",
        "YearRangeTo",
        "Circa",
        "CalendarType",
        "ZipCode",
        "Region",
        "Place",
        "City",
        "CountryIso2Code",
        "CountryDescription",
    ),
    "Identification": (
        "Number",
        "Diplomatic",
        "KnownExpired",
        "KnownFalse",
        "ReportedLost",
        "RevokedByIssuer",
        "IssuedBy",
        "IssuedDate",
        "ValidFrom",
        "ValidTo",
        "LatinNumber",
        "NameOnDocument",
        "TypeCode",
        "TypeDescription",
        "Region",
        "CountryIso2Code",
        "CountryDescription",
    ),
    "Citizenship": ("Region", "CountryIso2Code", "CountryDescription"),
}
_ENTITY_COLUMNS = (
    "fileGenerationDate",
    LOGICAL_ID,
    "Entity_EU_ReferenceNumber",
    "Entity_UnitedNationId",
    "Entity_DesignationDate",
    "Entity_DesignationDetails",
    "Entity_Remark",
    "Entity_SubjectType",
    "Entity_SubjectType_ClassificationCode",
    *(f"Entity_{name}" for name in _REGULATION_FIELDS),
)
#: The columns of CSV v1.1, in the published order.
COLUMNS_V1_1 = (
    *_ENTITY_COLUMNS,
    *(
        f"{group}_{name}"
        for group, fields in _GROUP_FIELDS.items()
        for name in (*fields, *_ITEM_COMMON)
    ),
)


# ------------------------------------------------------------------------ rows


@dataclass(frozen=True)
class _Row:
    line: int
    cells: tuple[str, ...]


@dataclass
class _Header:
    index: dict[str, int]  # lower-case column name → position
    width: int
    unknown: list[str]

    def __post_init__(self) -> None:
        # v1.1 column name (as published) → position, and each item group's positions:
        # rows are many and columns few, so the lookups are resolved once here.
        self.position = {
            name: self.index[name.lower()] for name in COLUMNS_V1_1 if name.lower() in self.index
        }
        self.group_positions = {
            group: tuple(
                self.position[f"{group}_{name}"]
                for name in (*fields, "LogicalId", "Remark")
                if f"{group}_{name}" in self.position
            )
            for group, fields in _GROUP_FIELDS.items()
        }

    def get(self, row: _Row, column: str) -> str:
        at = self.position.get(column)
        if at is None or at >= len(row.cells):
            return ""
        return row.cells[at].strip()


def _decode(path: Path, data: bytes) -> str:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise SourceError(
            path, f"not UTF-8 text (byte {exc.start}); the EU FSF CSV is UTF-8", f"line {line}"
        ) from exc
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise SourceError(path, "the file holds NUL bytes; not a CSV text file", f"line {line}")
    return text


def _read_rows(path: Path, text: str) -> Iterator[_Row]:
    """Records with the line each starts on; a quoted field left open at the end of the file
    is reported as a cut-off row."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=DELIMITER, strict=True)
    start = 1
    try:
        for record in reader:
            if len(record) > MAX_COLUMNS:
                raise SourceError(path, f"row has {len(record)} fields", f"line {start}")
            yield _Row(start, tuple(record))
            start = reader.line_num + 1
    except csv.Error as exc:
        if "unexpected end of data" in str(exc):
            what = "the header" if start == 1 else _cut_entity(_loose_cells(text, start))
            raise SourceError(
                path,
                f"the file ends inside a quoted field: the last row is cut off ({what})",
                f"line {start}",
            ) from exc
        raise SourceError(path, f"malformed CSV ({exc})", f"line {reader.line_num}") from exc


def _loose_cells(text: str, line: int) -> tuple[str, ...]:
    """The fields of the (damaged) record starting at ``line``, read without strict quoting."""
    # Split as the csv reader does, so that ``line`` counts the same lines.
    tail = "".join(io.StringIO(text, newline="").readlines()[line - 1 :])
    record = next(csv.reader(io.StringIO(tail, newline=""), delimiter=DELIMITER), [])
    return tuple(record)


_LOGICAL_ID_AT = 1  # Entity_LogicalId is the second column of v1.1


def _cut_entity(cells: Sequence[str], at: int = _LOGICAL_ID_AT) -> str:
    """Which designation a cut row belongs to, as precisely as its fields allow."""
    if len(cells) > at + 1:
        return f"Entity_LogicalId {cells[at].strip()} is cut off"
    if len(cells) == at + 1:
        return f"the row ends inside its Entity_LogicalId ({cells[at].strip()!r}...)"
    return "the row ends before its Entity_LogicalId"


def _read_header(path: Path, row: _Row) -> _Header:
    cells = [cell.strip() for cell in row.cells]
    if len(cells) == 1:
        for other in (",", "\t", "|"):
            if cells[0].count(other) >= 2 and LOGICAL_ID.lower() in cells[0].lower():
                raise SourceError(
                    path,
                    f"the header is separated by {other!r}, not by ';' (EU FSF CSV v1.1 is "
                    "semicolon-separated): wrong delimiter",
                    f"line {row.line}",
                )
    index: dict[str, int] = {}
    for at, cell in enumerate(cells):
        index.setdefault(cell.lower(), at)
    missing = [name for name in REQUIRED_COLUMNS if name.lower() not in index]
    if missing:
        raise SourceError(
            path,
            f"not an EU FSF CSV v1.1 header: required column(s) missing: {', '.join(missing)}",
            f"line {row.line}",
        )
    known = {name.lower() for name in COLUMNS_V1_1}
    unknown = [cell for cell in cells if cell and cell.lower() not in known]
    return _Header(index, len(cells), unknown)


def _check_width(path: Path, header: _Header, row: _Row, last: bool, ends_cleanly: bool) -> None:
    at = header.index[LOGICAL_ID.lower()]
    if len(row.cells) < header.width:
        where = "the last row" if last else "a row"
        raise SourceError(
            path,
            f"{where} has {len(row.cells)} of the header's {header.width} fields "
            f"({_cut_entity(row.cells, at)})",
            f"line {row.line}",
        )
    if len(row.cells) > header.width and any(c.strip() for c in row.cells[header.width :]):
        raise SourceError(
            path,
            f"row has {len(row.cells)} fields, the header {header.width} (a ';' inside an "
            "unquoted value?)",
            f"line {row.line}",
        )
    if last and not ends_cleanly:
        raise SourceError(
            path,
            "the file does not end with a newline: its last row may be cut off "
            f"({_cut_entity(row.cells, at)})",
            f"line {row.line}",
        )


# --------------------------------------------------------------------- records


def _values(header: _Header, row: _Row, group: str, names: Sequence[str]) -> dict[str, str]:
    return {name: header.get(row, f"{group}_{name}") for name in names}


def _present(header: _Header, row: _Row, group: str) -> bool:
    """Whether the row holds an item of ``group`` (rows are as wide as the header here)."""
    cells = row.cells
    return any(cells[at] for at in header.group_positions[group])


def _regulation(header: _Header, row: _Row) -> Regulation | None:
    v = _values(header, row, "Entity", _REGULATION_FIELDS)
    regulation = Regulation(
        regulation_type=v["Regulation_Type"],
        organisation_type=v["Regulation_OrganisationType"],
        publication_date=v["Regulation_PublicationDate"],
        entry_into_force_date=v["Regulation_EntryIntoForceDate"],
        number_title=v["Regulation_NumberTitle"],
        programme=v["Regulation_Programme"],
        publication_url=v["Regulation_PublicationUrl"],
    )
    return regulation if any(v.values()) else None


def _name(header: _Header, row: _Row) -> NameAlias:
    v = _values(header, row, "NameAlias", (*_GROUP_FIELDS["NameAlias"], "Remark"))
    return NameAlias(
        whole_name=v["WholeName"],
        first_name=v["FirstName"],
        middle_name=v["MiddleName"],
        last_name=v["LastName"],
        language=v["NameLanguage"],
        gender=v["Gender"],
        title=v["Title"],
        function=v["Function"],
        remark=v["Remark"],
    )


def _address(header: _Header, row: _Row) -> Address:
    v = _values(header, row, "Address", (*_GROUP_FIELDS["Address"], "Remark"))
    return Address(
        street=v["Street"],
        po_box=v["PoBox"],
        zip_code=v["ZipCode"],
        city=v["City"],
        place=v["Place"],
        region=v["Region"],
        country_iso2=v["CountryIso2Code"],
        country_description=v["CountryDescription"],
        as_at_listing_time=truthy(v["AsAtListingTime"]),
        contact_info=v["ContactInfo"],
        remark=v["Remark"],
    )


def _birth_date(header: _Header, row: _Row) -> BirthDate:
    v = _values(header, row, "BirthDate", (*_GROUP_FIELDS["BirthDate"], "Remark"))
    return BirthDate(
        birth_date=v["BirthDate"],
        day=v["Day"],
        month=v["Month"],
        year=v["Year"],
        year_from=v["YearRangeFrom"],
        year_to=v["YearRangeTo"],
        circa=truthy(v["Circa"]),
        calendar_type=v["CalendarType"],
        place=v["Place"],
        city=v["City"],
        zip_code=v["ZipCode"],
        region=v["Region"],
        country_iso2=v["CountryIso2Code"],
        country_description=v["CountryDescription"],
        remark=v["Remark"],
    )


def _document(header: _Header, row: _Row) -> Document:
    v = _values(header, row, "Identification", (*_GROUP_FIELDS["Identification"], "Remark"))
    return Document(
        number=v["Number"],
        type_code=v["TypeCode"],
        type_description=v["TypeDescription"],
        issued_by=v["IssuedBy"],
        issued_date=v["IssuedDate"],
        valid_from=v["ValidFrom"],
        valid_to=v["ValidTo"],
        latin_number=v["LatinNumber"],
        name_on_document=v["NameOnDocument"],
        region=v["Region"],
        country_iso2=v["CountryIso2Code"],
        country_description=v["CountryDescription"],
        diplomatic=truthy(v["Diplomatic"]),
        known_expired=truthy(v["KnownExpired"]),
        known_false=truthy(v["KnownFalse"]),
        reported_lost=truthy(v["ReportedLost"]),
        revoked_by_issuer=truthy(v["RevokedByIssuer"]),
        remark=v["Remark"],
    )


def _citizenship(header: _Header, row: _Row) -> Citizenship:
    v = _values(header, row, "Citizenship", (*_GROUP_FIELDS["Citizenship"], "Remark"))
    return Citizenship(
        country_iso2=v["CountryIso2Code"],
        country_description=v["CountryDescription"],
        region=v["Region"],
        remark=v["Remark"],
    )


def _new_record(header: _Header, row: _Row, logical_id: str) -> Record:
    return Record(
        logical_id=logical_id,
        location=f"line {row.line}",
        eu_reference=header.get(row, "Entity_EU_ReferenceNumber"),
        un_id=header.get(row, "Entity_UnitedNationId"),
        designation_date=header.get(row, "Entity_DesignationDate"),
        designation_details=header.get(row, "Entity_DesignationDetails"),
        subject_classification=header.get(row, "Entity_SubjectType"),
        subject_code=header.get(row, "Entity_SubjectType_ClassificationCode"),
    )


def _apply_row(record: Record, header: _Header, row: _Row) -> None:
    remark = header.get(row, "Entity_Remark")
    if remark:
        append_new(record.remarks, remark)
    regulation = _regulation(header, row)
    if regulation is not None:
        append_new(record.regulations, regulation)
    if _present(header, row, "NameAlias"):
        append_new(record.names, _name(header, row))
    if _present(header, row, "Address"):
        append_new(record.addresses, _address(header, row))
    if _present(header, row, "BirthDate"):
        append_new(record.birth_dates, _birth_date(header, row))
    if _present(header, row, "Identification"):
        append_new(record.documents, _document(header, row))
    if _present(header, row, "Citizenship"):
        append_new(record.citizenships, _citizenship(header, row))


@dataclass
class _Table:
    header: _Header
    records: list[Record]
    generation_dates: set[str]

    def column_warnings(self) -> list[str]:
        warnings = []
        if self.header.unknown:
            warnings.append(f"line 1: columns not imported: {self.header.unknown!r}")
        missing = [name for name in COLUMNS_V1_1 if name.lower() not in self.header.index]
        if missing:
            warnings.append(f"line 1: CSV v1.1 columns absent (read as empty): {missing!r}")
        return warnings


def _read_records(path: Path, text: str) -> _Table:
    rows = [row for row in _read_rows(path, text) if any(cell.strip() for cell in row.cells)]
    if not rows:
        raise SourceError(path, "the file holds no CSV rows (blank)")
    header = _read_header(path, rows[0])
    body = rows[1:]
    if not body:
        raise SourceError(path, "the header is there but no designation follows it", "line 2")
    ends_cleanly = text.endswith("\n")
    records: dict[str, Record] = {}
    dates: set[str] = set()
    for number, row in enumerate(body, start=1):
        _check_width(path, header, row, last=number == len(body), ends_cleanly=ends_cleanly)
        logical_id = header.get(row, LOGICAL_ID)
        if not logical_id:
            raise SourceError(path, "a row without an Entity_LogicalId", f"line {row.line}")
        record = records.get(logical_id)
        if record is None:
            record = records[logical_id] = _new_record(header, row, logical_id)
        _apply_row(record, header, row)
        generated = header.get(row, "fileGenerationDate")
        if generated:
            dates.add(generated)
    return _Table(header, list(records.values()), dates)


def _published(table: _Table, warnings: list[str]) -> date | None:
    stated = [d for d in (parse_date(text) for text in table.generation_dates) if d is not None]
    if len(set(stated)) > 1:
        warnings.append(
            f"rows carry {len(set(stated))} different fileGenerationDate values; the latest "
            "is taken as the publication date"
        )
    if stated:
        return max(stated)
    regulation_dates = [
        d
        for record in table.records
        for regulation in record.regulations
        if (d := parse_date(regulation.publication_date)) is not None
    ]
    if regulation_dates:
        warnings.append(
            "no fileGenerationDate; the latest regulation publication date is taken as the "
            "publication date"
        )
        return max(regulation_dates)
    return None


# ------------------------------------------------------------------- detection


def detect(path: Path) -> bool:
    """A text file whose first line names ``Entity_LogicalId`` and ``NameAlias_WholeName``
    (whatever the separator, so that a wrong one is reported by :func:`parse`)."""
    path = Path(path)
    try:
        if not path.is_file() or path.stat().st_size == 0:
            return False
        with path.open("rb") as fh:
            head = fh.read(SNIFF_BYTES)
    except OSError:
        return False
    first = head.decode("utf-8-sig", "replace").split("\n", 1)[0].lower()
    return LOGICAL_ID.lower() in first and "namealias_wholename" in first


# ----------------------------------------------------------------------- parse


def read_records(path: Path) -> tuple[list[Record], date | None, list[str]]:
    """The designations of an EU FSF CSV file, its publication date and the warnings."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SourceError(path, f"cannot read the file: {exc}") from exc
    if not data.strip():
        raise SourceError(path, "the file is empty")
    text = _decode(path, data)
    table = _read_records(path, text)
    warnings = table.column_warnings()
    return table.records, _published(table, warnings), warnings


def parse(path: Path, source: str | None = None) -> ParsedList:
    """Read an EU FSF CSV v1.1 file completely, or refuse it with a SourceError."""
    return parse_with(path, source, FORMAT_NAME, read_records)


__all__ = ["FORMAT", "detect", "iso_date", "parse", "read_records"]

FORMAT = SourceFormat(
    name=FORMAT_NAME,
    detect=detect,
    parse=parse,
    description="EU Financial Sanctions Files, CSV v1.1 (semicolon-separated)",
)
