"""OFAC legacy CSV files → FtM entities.

One publication is a primary file and up to three companions, found in the same folder
(file names compared case-insensitively):

=================  ==================  ===================================================
SDN list           Non-SDN (consol.)   columns
=================  ==================  ===================================================
``sdn.csv``        ``cons_prim.csv``   ent_num, name, type, programs, title, call sign,
                                       vessel type, tonnage, GRT, flag, owner, remarks
``add.csv``        ``cons_add.csv``    ent_num, add_num, address, city/state/postal code,
                                       country, remarks
``alt.csv``        ``cons_alt.csv``    ent_num, alt_num, type (aka/fka/nka), name, remarks
``sdn_comments``   ``cons_comments``   ent_num, continuation of the remarks (OFAC cuts the
                                       remarks column at 1,000 characters)
=================  ==================  ===================================================

Format quirks: no header, CRLF line ends, a trailing Ctrl-Z (0x1A) byte, ``-0-`` (with a
trailing space) for null, programs joined as ``NPWMD] [DPRK3``. Most of what OFAC knows
about a party sits in the free-text remarks (``DOB 08 Nov 1969; Passport 745420176 ...``);
:func:`interpret_remark` turns one remark into FtM facts using the :data:`REMARK_KINDS`
table, and whatever it cannot place lands verbatim in the target's ``notes``: no remark
is ever dropped.

Modelling: one :class:`Entry` per primary row. The target is ``ofac-<ent_num>`` (OFAC
numbers are unique across the SDN and Non-SDN lists): individual → Person (``LAST, First``
also as ``First LAST`` alias, firstName/lastName), vessel → Vessel, aircraft → Airplane,
null type → Organization, anything else → LegalEntity. Each entry carries a Sanction
(programs, OFAC as authority, details URL), its Address entities (add.csv), Passport /
Identification / CryptoWallet entities read from the remarks, and UnknownLink entities
for ``Linked To:`` and ``Aircraft Operator`` names that resolve to another entry.

The reader is strict about structure (column counts, numeric and unique ``ent_num``,
complete final row) and raises :class:`SourceError` with file and line; it is tolerant of
content (stray quotes inside a quoted field, cp1252 bytes, odd control characters).
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from followthemoney import EntityProxy
from followthemoney.types import registry

from sanctionscope.memory import collector_paused
from sanctionscope.sources.base import (
    ParsedList,
    SourceError,
    SourceFormat,
    make_entity,
)
from sanctionscope.sources.ofac_common import (
    ALIAS_PROPS,
    EXAMPLES,
    ID_PREFIX,
    IDENTIFIER_KINDS,
    Document,
    EntryBuilder,
    NameIndex,
    Remark,
    add_address_country,
    apply_columns,
    apply_remark,
    link_warning,
    make_sanction,
    make_target,
    natural_name,
    parsed_list,
    put,
    resolve_links,
    schema_for,
    split_person_name,
)
from sanctionscope.sources.ofac_common import (
    clean_country as clean_country,  # re-exported: other sources use it from here
)

FORMAT_NAME = "us_ofac_csv"
NULL_MARKER = "-0-"
CTRL_Z = "\x1a"
REMARKS_CUT_AT = 1000  # OFAC moves remarks beyond this length into the comments file

PRIMARY_COLUMNS = 12
ADDRESS_COLUMNS = 6
ALIAS_COLUMNS = 5
COMMENT_COLUMNS = 2


# --------------------------------------------------------------------------- files


@dataclass(frozen=True)
class ListLayout:
    """File names of one OFAC publication and the dataset name it imports as."""

    primary: str
    source: str
    addresses: str
    aliases: str
    comments: str


LAYOUTS = (
    ListLayout("sdn.csv", "us_ofac_sdn", "add.csv", "alt.csv", "sdn_comments.csv"),
    ListLayout(
        "cons_prim.csv", "us_ofac_cons", "cons_add.csv", "cons_alt.csv", "cons_comments.csv"
    ),
)


@dataclass(frozen=True)
class Publication:
    """The files found for one publication; companions are optional."""

    layout: ListLayout
    primary: Path
    addresses: Path | None = None
    aliases: Path | None = None
    comments: Path | None = None

    def files(self) -> list[Path]:
        found = [self.primary, self.addresses, self.aliases, self.comments]
        return [p for p in found if p is not None]


def _files_by_lower_name(folder: Path) -> dict[str, Path]:
    try:
        return {p.name.lower(): p for p in folder.iterdir() if p.is_file()}
    except OSError:
        return {}


def locate_publication(path: Path) -> Publication:
    """The primary file and its companions for a folder or a primary file path."""
    path = Path(path)
    if path.is_dir():
        folder, wanted = path, None
    elif path.is_file():
        folder, wanted = path.parent, path.name.lower()
    else:
        raise SourceError(path, "no such file or folder")
    siblings = _files_by_lower_name(folder)
    for layout in LAYOUTS:
        if wanted is not None and wanted != layout.primary:
            continue
        primary = path if wanted is not None else siblings.get(layout.primary)
        if primary is None:
            continue
        return Publication(
            layout=layout,
            primary=primary,
            addresses=siblings.get(layout.addresses),
            aliases=siblings.get(layout.aliases),
            comments=siblings.get(layout.comments),
        )
    names = " or ".join(layout.primary for layout in LAYOUTS)
    raise SourceError(path, f"no OFAC primary file ({names}) found")


def detect(path: Path) -> bool:
    """True for a folder holding sdn.csv / cons_prim.csv, or for such a file."""
    try:
        locate_publication(Path(path))
    except SourceError:
        return False
    return True


# --------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class Row:
    """One CSV record: the line it starts on and its values (``None`` for OFAC's null)."""

    line: int
    values: tuple[str | None, ...]

    @property
    def ent_num(self) -> str:
        return self.values[0] or ""


_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_ENT_NUM = re.compile(r"[0-9]{1,12}")
_MAX_JOINED_LINES = 20  # a quoted field may span lines; beyond this it is a broken quote


def _line_of_offset(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def _decode(path: Path, data: bytes) -> str:
    """UTF-8 if it decodes, else cp1252 (OFAC's historical encoding), else latin-1."""
    if b"\x00" in data:
        line = _line_of_offset(data, data.index(b"\x00"))
        raise SourceError(path, "binary data (NUL byte), not a CSV text file", f"line {line}")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def _check_text(path: Path, text: str) -> None:
    controls = len(_CONTROL_CHARS.findall(text))
    if controls > max(8, len(text) // 100):
        first = _CONTROL_CHARS.search(text)
        line = text.count("\n", 0, first.start() if first else 0) + 1
        raise SourceError(
            path,
            f"binary data ({controls:,} control characters), not a CSV text file",
            f"line {line}",
        )


def _quoted_field(line: str, start: int) -> tuple[str, int, bool]:
    """The quoted field opening at ``line[start]``: (text, index after it, closed?).

    A quote closes the field only when a comma or the end of the line follows it (blanks
    allowed in between); ``""`` is an escaped quote; any other quote is kept as text.
    """
    parts: list[str] = []
    i, n = start + 1, len(line)
    while True:
        j = line.find('"', i)
        if j < 0:
            parts.append(line[i:])
            return "".join(parts), n, False
        parts.append(line[i:j])
        if line.startswith('""', j):
            parts.append('"')
            i = j + 2
            continue
        k = j + 1
        while k < n and line[k] == " ":
            k += 1
        if k >= n or line[k] == ",":
            return "".join(parts), k, True
        parts.append('"')  # a stray quote inside the field
        i = j + 1


def _split_tolerant(line: str) -> tuple[list[str], bool, bool]:
    """Split one line into fields, forgiving stray quotes inside quoted fields.

    Returns the fields (quoted ones without their quotes), whether the line ends inside
    an open quote, and whether the last field was quoted.
    """
    fields: list[str] = []
    i, n = 0, len(line)
    while True:
        quoted = i < n and line[i] == '"'
        if quoted:
            text, i, closed = _quoted_field(line, i)
            fields.append(text)
            if not closed:
                return fields, True, True
        else:
            comma = line.find(",", i)
            end = n if comma < 0 else comma
            fields.append(line[i:end])
            i = end
        if i >= n:
            return fields, False, quoted
        i += 1  # the comma
        if i == n:
            fields.append("")
            return fields, False, False


def _split_fast(line: str) -> list[str] | None:
    """Well-formed lines through the C csv reader; None when it objects."""
    try:
        return next(csv.reader((line,), strict=True))
    except (csv.Error, StopIteration):
        return None


def _clean_value(raw: str) -> str | None:
    value = raw.strip()
    if not value or value == NULL_MARKER:
        return None
    return value


def _fit_columns(fields: list[str], columns: int) -> list[str] | None:
    """Drop empty trailing extras (a stray final comma); None if the count is wrong."""
    while len(fields) > columns and not fields[-1].strip():
        fields = fields[:-1]
    return fields if len(fields) == columns else None


def _logical_lines(text: str) -> list[tuple[int, str, bool]]:
    """(line number, physical line, line had a terminator) for each non-blank line."""
    physical = text.split("\n")
    result: list[tuple[int, str, bool]] = []
    last = len(physical) - 1
    for index, line in enumerate(physical):
        if line.endswith("\r"):
            line = line[:-1]
        if line.strip():
            result.append((index + 1, line, index < last))
    return result


@dataclass
class _RawRecord:
    line_no: int
    line: str
    fields: list[str]
    last_quoted: bool  # the last field was quoted (so it visibly ends)
    terminated: bool  # a line end followed the record


def _split_record(
    path: Path, lines: Sequence[tuple[int, str, bool]], index: int
) -> tuple[_RawRecord, int]:
    """The record starting at ``lines[index]`` (joining lines while a quote is open) and
    the index of the next one."""
    line_no, line, terminated = lines[index]
    index += 1
    fields = _split_fast(line) if '"' in line else line.split(",")
    open_quote, last_quoted = False, line.rstrip().endswith('"')
    if fields is None:
        fields, open_quote, last_quoted = _split_tolerant(line)
    joined = 0
    while open_quote and index < len(lines) and joined < _MAX_JOINED_LINES:
        _, more, terminated = lines[index]
        index, joined = index + 1, joined + 1
        line = f"{line}\n{more}"
        fields, open_quote, last_quoted = _split_tolerant(line)
    if open_quote:
        if index >= len(lines):
            reason = "a quoted field is never closed before the end of the file (truncated?)"
            raise SourceError(path, reason, f"line {line_no}")
        raise SourceError(path, "a quoted field is never closed", f"line {line_no}")
    return _RawRecord(line_no, line, fields, last_quoted, terminated), index


def _record_values(
    path: Path, record: _RawRecord, columns: int, is_last: bool
) -> tuple[str | None, ...]:
    """Checked, cleaned values of one record (``None`` for OFAC's ``-0-``)."""
    fields = _fit_columns(record.fields, columns)
    if fields is None and '"' in record.line:
        fields = _fit_columns(_split_tolerant(record.line)[0], columns)
    where = f"line {record.line_no}"
    if fields is None:
        hint = " (file truncated?)" if is_last else ""
        reason = f"row has {len(record.fields)} columns, expected {columns}{hint}"
        raise SourceError(path, reason, where)
    if is_last and not record.terminated and not _looks_complete(fields[-1], record.last_quoted):
        raise SourceError(path, "the last row is incomplete (file truncated?)", where)
    if _CONTROL_CHARS.search(record.line):
        fields = [_CONTROL_CHARS.sub(" ", v) for v in fields]
    values = tuple(_clean_value(v) for v in fields)
    _check_record_number(path, record.line_no, values[0])
    return values


def read_table(path: Path, columns: int) -> list[Row]:
    """Every record of one OFAC CSV file, checked for structure.

    Raises :class:`SourceError` (with the line) for an empty or binary file, a row with
    the wrong number of columns, a quote left open at the end of the file, an incomplete
    last row, or a first column that is not a record number.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SourceError(path, f"cannot read the file ({exc.strerror or exc})") from exc
    if not data.strip(b"\x1a \t\r\n"):
        raise SourceError(path, "the file is empty")
    text = _decode(path, data).rstrip(CTRL_Z)
    _check_text(path, text)
    lines = _logical_lines(text)
    rows: list[Row] = []
    index = 0
    while index < len(lines):
        record, index = _split_record(path, lines, index)
        values = _record_values(path, record, columns, is_last=index >= len(lines))
        rows.append(Row(record.line_no, values))
    return rows


def _looks_complete(last_field: str, quoted: bool) -> bool:
    """A final row without a line end is whole only if its last field visibly ends."""
    return quoted or last_field.strip() == NULL_MARKER


def _check_record_number(path: Path, line_no: int, value: str | None) -> None:
    if value is None or not _ENT_NUM.fullmatch(value):
        raise SourceError(
            path,
            f"first column {value!r} is not an OFAC record number (ent_num)",
            f"line {line_no}",
        )


def _check_unique(path: Path, rows: Sequence[Row]) -> None:
    seen: dict[str, int] = {}
    for row in rows:
        first = seen.setdefault(row.ent_num, row.line)
        if first != row.line:
            raise SourceError(
                path,
                f"ent_num {row.ent_num} appears twice (first on line {first})",
                f"line {row.line}",
            )


# --------------------------------------------------------------------------- remarks


def split_remarks(remarks: str) -> list[str]:
    """Remarks split on ``;``, keeping a parenthesised aside (which may hold ``;``) whole."""
    parts: list[str] = []
    pending = ""
    for piece in remarks.split(";"):
        pending = f"{pending};{piece}" if pending else piece
        if pending.count("(") > pending.count(")"):
            continue
        if pending.strip():
            parts.append(pending.strip())
        pending = ""
    if pending.strip():
        parts.append(pending.strip())
    if parts:
        parts[-1] = _drop_closing_period(parts[-1])
    return parts


# Words whose own period must stay when they end the remarks ("... CO., LTD.").
_ABBREVIATIONS = frozenset(
    {"LTD", "CO", "INC", "CORP", "SA", "S.A", "LLC", "PLC", "JR", "SR", "ST"}
)


def _drop_closing_period(part: str) -> str:
    """OFAC closes the whole remarks with a period; drop it so that the last remark reads the
    same as when it stands in the middle (otherwise adding a remark looks like a change)."""
    if not part.endswith(".") or part.endswith(".."):
        return part
    last_word = part[:-1].rsplit(" ", 1)[-1].strip("'\"()").upper()
    if len(last_word) <= 1 or last_word in _ABBREVIATIONS:
        return part
    return part[:-1]


_MONTHS = {
    m: i
    for i, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for m in names
}
_DATE = r"(?:\d{1,2}\s+)?(?:[A-Za-z]{3,9}\.?\s+)?\d{4}"
_ONE_DATE = re.compile(
    r"(?:(?P<day>\d{1,2})\s+)?(?:(?P<month>[A-Za-z]{3,9})\.?\s+)?(?P<year>\d{4})"
)
_DATE_RANGE = re.compile(rf"^(?P<start>{_DATE})\s*(?:to|-)\s*(?P<end>{_DATE})$", re.I)
_CIRCA = re.compile(r"^(?:circa|approximately|approx\.)\s+", re.I)
_MAX_YEAR_SPAN = 10


def _one_date(text: str) -> str | None:
    match = _ONE_DATE.fullmatch(text.strip())
    if match is None:
        return None
    year = int(match["year"])
    if not 1000 <= year <= 2100:
        return None
    if match["month"] is None:
        return None if match["day"] else f"{year:04d}"
    month = _MONTHS.get(match["month"].lower())
    if month is None:
        return None
    if match["day"] is None:
        return f"{year:04d}-{month:02d}"
    try:
        day = date(year, month, int(match["day"]))
    except ValueError:
        return None
    return day.isoformat()


def parse_dates(text: str) -> tuple[list[str], bool]:
    """ISO date prefixes for ``20 Feb 1975``, ``Feb 1975``, ``1975``, ``circa 1970`` and
    ranges (``1960 to 1962``: every year of a short year range, else both ends). The flag
    says the value is approximate (circa, range) so the words are worth keeping."""
    value = text.strip().rstrip(".").strip()
    approximate = bool(_CIRCA.match(value))
    value = _CIRCA.sub("", value)
    single = _one_date(value)
    if single is not None:
        return [single], approximate
    match = _DATE_RANGE.match(value)
    if match is None:
        return [], approximate
    start, end = _one_date(match["start"]), _one_date(match["end"])
    if start is None or end is None:
        return [], True
    if len(start) == len(end) == 4 and 0 <= int(end) - int(start) <= _MAX_YEAR_SPAN:
        return [str(y) for y in range(int(start), int(end) + 1)], True
    return [start, end], True


_DOCUMENT = re.compile(
    r"^(?P<number>.*?)"
    r"(?P<parens>(?:\s*\([^()]*\))*)"
    rf"(?:,?\s+issued\s+(?P<issued>{_DATE}))?"
    rf"(?:,?\s+expire[sd]\s+(?P<expires>{_DATE}))?"
    r"[\s.,]*$",
    re.IGNORECASE | re.DOTALL,
)
_PAREN = re.compile(r"\(([^()]*)\)")
_WORDS_IN_NUMBER = re.compile(r"\b(?:issued|expires?|expired|in)\b", re.I)
_MAX_NUMBER_LENGTH = 60


def parse_document(kind: str, value: str) -> tuple[Document | None, bool]:
    """Number, country and dates of an identifier remark; the flag marks left-over text."""
    match = _DOCUMENT.match(value.strip())
    if match is None:
        return None, True
    number = match["number"].strip().strip(".,:").strip()
    if (
        not number
        or len(number) > _MAX_NUMBER_LENGTH
        or not any(ch.isalnum() for ch in number)
        or _WORDS_IN_NUMBER.search(number)
    ):
        return None, True
    leftover = False
    country: str | None = None
    for inner in _PAREN.findall(match["parens"] or ""):
        code = clean_country(inner)
        if code is not None and country is None:
            country = code
        else:
            leftover = True
    issued = _first_date(match["issued"])
    expires = _first_date(match["expires"])
    if (match["issued"] and issued is None) or (match["expires"] and expires is None):
        leftover = True
    return Document(kind, number, country, issued, expires), leftover


def _first_date(text: str | None) -> str | None:
    if not text:
        return None
    dates, _ = parse_dates(text)
    return dates[0] if dates else None


# The handlers: each reads the value after a label and states the facts in a Remark.
_Handler = Callable[[Remark, str, str], bool]  # (remark, label, value) -> understood?


def _text(prop: str, strip_dot: bool = True) -> _Handler:
    def handle(remark: Remark, label: str, value: str) -> bool:
        value = value.strip()
        if strip_dot:
            value = value.rstrip(".").strip()
        if not value:
            return False
        remark.properties.append((prop, value))
        return True

    return handle


def _dates(prop: str) -> _Handler:
    def handle(remark: Remark, label: str, value: str) -> bool:
        dates, approximate = parse_dates(value)
        remark.properties.extend((prop, d) for d in dates)
        remark.keep_text = approximate
        return bool(dates)

    return handle


def _countries(prop: str) -> _Handler:
    def handle(remark: Remark, label: str, value: str) -> bool:
        code = clean_country(value)
        if code is None:
            return False
        remark.properties.append((prop, code))
        return True

    return handle


def _birth_place(remark: Remark, label: str, value: str) -> bool:
    place = value.strip().rstrip(".").strip()
    if not place:
        return False
    remark.properties.append(("birthPlace", place))
    country = clean_country(place.rsplit(",", 1)[-1])
    if country is not None:
        remark.properties.append(("birthCountry", country))
    return True


def _gender(remark: Remark, label: str, value: str) -> bool:
    gender = registry.gender.clean(value.strip().rstrip(".").strip())
    if gender is None:
        return False
    remark.properties.append(("gender", gender))
    return True


_QUOTED_NAME = re.compile(r"^'(?P<name>.+)'$", re.DOTALL)


def _name(prop: str) -> _Handler:
    def handle(remark: Remark, label: str, value: str) -> bool:
        value = value.strip().rstrip(".").strip()
        match = _QUOTED_NAME.match(value)
        name = match["name"].strip() if match else value
        if not name:
            return False
        remark.keep_text = match is None
        remark.properties.append((prop, name))
        return True

    return handle


def _link(role: str, key: str, keep_text: bool = False) -> _Handler:
    """A party named by the remark, linked once every name of the list is known."""

    def handle(remark: Remark, label: str, value: str) -> bool:
        name = value.strip()
        if not name:
            return False
        remark.linked_to = name
        remark.link_role, remark.link_key = role, key
        remark.keep_text = keep_text
        return True

    return handle


_PHONE_DIGITS = re.compile(r"[^\d+]")
_MIN_INTERNATIONAL_DIGITS = 10


def _phone(remark: Remark, label: str, value: str) -> bool:
    """OFAC writes numbers with the country code but without ``+`` (``982188526300``,
    ``009613679153``); offer FtM the international form when it accepts it."""
    raw = value.strip().rstrip(".").strip()
    if not raw:
        return False
    digits = _PHONE_DIGITS.sub("", raw)
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    elif not digits.startswith("+") and len(digits) >= _MIN_INTERNATIONAL_DIGITS:
        digits = "+" + digits
    international = registry.phone.clean(digits)
    remark.properties.append(("phone", international or raw))
    return True


def _sanction(prop: str, keep_text: bool = False) -> _Handler:
    """The whole remark (label included) as a Sanction property: it reads as a sentence."""

    def handle(remark: Remark, label: str, value: str) -> bool:
        remark.sanction.append((prop, remark.text.strip()))
        remark.keep_text = keep_text
        return True

    return handle


_URL = re.compile(r"https?://\S+|www\.\S+", re.I)


def _directives_link(remark: Remark, label: str, value: str) -> bool:
    found = _URL.search(value)
    if found is None:
        return False
    remark.sanction.append(("programUrl", found.group(0).rstrip(".")))
    return True


_WALLET = re.compile(r"^[-\s]*(?P<currency>[A-Za-z0-9]{2,6})\s+(?P<address>[A-Za-z0-9]{8,})\.?$")


def _wallet(remark: Remark, label: str, value: str) -> bool:
    match = _WALLET.match(value.strip())
    if match is None:
        return False
    remark.wallets.append((match["currency"].upper(), match["address"]))
    return True


_IMO = re.compile(r"^IMO\s*(?P<number>\d{7})\.?$", re.I)


def _identifier(remark: Remark, label: str, value: str) -> bool:
    imo = _IMO.match(value.strip())
    if imo is not None:  # "Identification Number IMO 5342883", "Company Number IMO ..."
        remark.properties.append(("imoNumber", f"IMO{imo['number']}"))
        return True
    document, leftover = parse_document(label, value)
    if document is None:
        return False
    remark.documents.append(document)
    remark.keep_text = leftover
    return True


# Remark label (as OFAC prints it, matched case-insensitively, optionally after "alt.")
# → handler. Identifier labels come from IDENTIFIER_KINDS. Anything else goes to notes.
REMARK_KINDS: dict[str, _Handler] = {
    "DOB": _dates("birthDate"),
    "POB": _birth_place,
    "nationality": _countries("nationality"),
    "citizen": _countries("citizenship"),
    "Nationality of Registration": _countries("country"),
    "Gender": _gender,
    "Title": _text("position"),
    "Alternate Title": _text("position"),
    "Website": _text("website"),
    "Email Address": _text("email"),
    "Email": _text("email"),
    "Phone Number": _phone,
    "Telephone": _phone,
    "Telephone No.": _phone,
    "Telephone Number": _phone,
    "PHONE": _phone,
    "Target Type": _text("classification"),
    "Organization Type": _text("sector"),
    "Organization Established Date": _dates("incorporationDate"),
    "Aircraft Model": _text("model", strip_dot=False),
    "Aircraft Manufacture Date": _dates("buildDate"),
    "Vessel Year of Build": _dates("buildDate"),
    "Former Vessel Flag": _countries("pastFlags"),
    "Other Vessel Flag": _countries("flag"),
    "Other Vessel Type": _text("type"),
    "Issuer Name": _text("alias", strip_dot=False),
    "a.k.a.": _name("alias"),
    "n.k.a.": _name("alias"),
    "d.b.a.": _name("alias"),
    "f.k.a.": _name("previousName"),
    "Linked To": _link("Linked To", "linked"),
    "Aircraft Operator": _link("Aircraft Operator", "operator", keep_text=True),
    "Secondary sanctions risk": _sanction("summary", keep_text=True),
    "Transactions Prohibited For Persons Owned or Controlled By U.S. Financial "
    "Institutions": _sanction("provisions"),
    "Additional Sanctions Information": _sanction("provisions"),
    "Executive Order": _sanction("provisions"),
    "CAATSA Section": _sanction("provisions"),
    "IFCA Determination": _sanction("provisions"),
    "PEESA Information": _sanction("provisions"),
    "Listing Date": _sanction("provisions"),
    "Effective Date": _sanction("provisions"),
    "Purchase/Sales For Divestment Date": _sanction("provisions"),
    "For more information on directives, please visit the following link": (_directives_link),
    "Digital Currency Address": _wallet,
    **{label: _identifier for label in IDENTIFIER_KINDS},
}

_ALT_PREFIX = re.compile(r"^alt\.\s*", re.IGNORECASE)
_FIRST_WORD = re.compile(r"[^\s:]*")


def _first_word(text: str) -> str:
    found = _FIRST_WORD.match(text)
    return found.group(0) if found else ""


def _labels_by_first_word() -> dict[str, tuple[str, ...]]:
    """Labels grouped by their first word (lower case), longest label first."""
    groups: dict[str, list[str]] = defaultdict(list)
    for label in sorted(REMARK_KINDS, key=len, reverse=True):
        groups[_first_word(label.lower())].append(label)
    return {word: tuple(labels) for word, labels in groups.items()}


_LABELS_BY_FIRST_WORD = _labels_by_first_word()


def match_label(text: str) -> tuple[str, str] | None:
    """(label, value) when the remark starts with a known label (any case, optionally
    after ``alt.``) followed by a non-alphanumeric character; else None."""
    body = _ALT_PREFIX.sub("", text.strip(), count=1)
    lowered = body.lower()
    for label in _LABELS_BY_FIRST_WORD.get(_first_word(lowered), ()):
        end = len(label)
        if lowered.startswith(label.lower()) and (end == len(body) or not body[end].isalnum()):
            return label, body[end:].lstrip(" \t\r\n:")
    return None


def interpret_remark(text: str) -> Remark:
    """The facts one remark states, read with :data:`REMARK_KINDS`."""
    remark = Remark(text=text)
    matched = match_label(text)
    if matched is None:
        return remark
    label, value = matched
    if REMARK_KINDS[label](remark, label, value):
        remark.kind = label
    else:
        remark = Remark(text=text)
    return remark


def interpret_remarks(remarks: str | None) -> list[Remark]:
    return [interpret_remark(part) for part in split_remarks(remarks or "")]


# --------------------------------------------------------------------------- entities

_PROGRAM_SPLIT = re.compile(r"\]\s*\[")


def split_programs(programs: str | None) -> list[str]:
    """``NPWMD] [DPRK3`` → ``["NPWMD", "DPRK3"]``."""
    if not programs:
        return []
    tags = (p.strip(" []") for p in _PROGRAM_SPLIT.split(programs))
    return [t for t in tags if t]


def _build_entry(row: Row, remarks: str | None) -> EntryBuilder:
    values = row.values
    ent_num, name = row.ent_num, values[1] or ""
    target = make_target(ent_num, name, schema_for(values[2]), split_person_name(name))
    programs = split_programs(values[3])
    put(target, "program", programs)
    sanction = make_sanction(ent_num, target, programs)
    builder = EntryBuilder(ent_num, target, sanction)
    apply_columns(builder, values[4], values[5:10], values[10])
    for remark in interpret_remarks(remarks):
        apply_remark(builder, remark)
    return builder


def _address_parts(city: str | None) -> tuple[str | None, str | None]:
    """``Moscow 127055`` → (``Moscow``, ``127055``); only obvious trailing postal codes."""
    if city is None:
        return None, None
    match = _POSTAL_TAIL.match(city)
    if match is None:
        return city, None
    return match["place"].strip(" ,"), match["postal"]


_POSTAL_TAIL = re.compile(
    r"^(?P<place>.*?[^\d\s,])[\s,]+(?P<postal>"
    r"[A-Z]{1,2}\d[A-Z\d]?\s\d[A-Z]{2}"  # United Kingdom: EC3N 1DY
    r"|\d{4}\s[A-Z]{2}"  # Netherlands: 1077 XX
    r"|(?:[A-Z]{1,3}-)?\d[\d-]{2,}"  # 127055, CH-8022, 02-672
    r")$"
)


def _make_address(ent_num: str, row: Row) -> EntityProxy | None:
    _, add_num, street, city_line, country, remarks = row.values
    full = ", ".join(v for v in (street, city_line, country) if v)
    if not full and not remarks:
        return None
    address = make_entity("Address", ID_PREFIX, ent_num, add_num)
    city, postal = _address_parts(city_line)
    address.add("full", full or None)
    address.add("street", street)
    address.add("city", city)
    address.add("postalCode", postal)
    add_address_country(address, country)
    address.add("remarks", remarks)
    return address


def _attach_addresses(builders: dict[str, EntryBuilder], rows: Iterable[Row]) -> None:
    for row in rows:
        builder = builders.get(row.ent_num)
        if builder is None:
            continue
        address = _make_address(row.ent_num, row)
        if address is None:
            continue
        builder.add_address(address)


def _attach_aliases(builders: dict[str, EntryBuilder], rows: Iterable[Row]) -> None:
    for row in rows:
        builder = builders.get(row.ent_num)
        if builder is None:
            continue
        _, _, alt_type, alt_name, alt_remarks = row.values
        if alt_name is None:
            continue
        prop = ALIAS_PROPS.get((alt_type or "aka").lower(), "alias")
        builder.target.add(prop, alt_name)
        if builder.target.schema.is_a("Person"):
            builder.target.add(prop, natural_name(alt_name))
        if alt_remarks is not None:
            builder.note(f"{alt_name}: {alt_remarks}")


def _comments_by_entry(rows: Iterable[Row]) -> dict[str, str]:
    joined: dict[str, list[str]] = defaultdict(list)
    for row in rows:
        if row.values[1] is not None:
            joined[row.ent_num].append(row.values[1])
    return {ent: "".join(parts) for ent, parts in joined.items()}


# --------------------------------------------------------------------------- parse


@dataclass
class _Tables:
    publication: Publication
    primary: list[Row]
    addresses: list[Row]
    aliases: list[Row]
    comments: list[Row]


def _read_publication(publication: Publication) -> _Tables:
    primary = read_table(publication.primary, PRIMARY_COLUMNS)
    _check_unique(publication.primary, primary)

    def companion(path: Path | None, columns: int) -> list[Row]:
        return read_table(path, columns) if path is not None else []

    return _Tables(
        publication,
        primary,
        companion(publication.addresses, ADDRESS_COLUMNS),
        companion(publication.aliases, ALIAS_COLUMNS),
        companion(publication.comments, COMMENT_COLUMNS),
    )


def _orphans(tables: _Tables) -> dict[str, tuple[int, list[str]]]:
    """Companion file name → (orphan row count, sorted ent_nums missing from primary)."""
    known = {row.ent_num for row in tables.primary}
    found: dict[str, tuple[int, list[str]]] = {}
    companions = (
        (tables.publication.addresses, tables.addresses),
        (tables.publication.aliases, tables.aliases),
        (tables.publication.comments, tables.comments),
    )
    for path, rows in companions:
        if path is None:
            continue
        missing = [row.ent_num for row in rows if row.ent_num not in known]
        if missing:
            found[path.name] = (len(missing), sorted(set(missing), key=int))
    return found


def find_orphans(path: Path) -> dict[str, list[str]]:
    """For each companion file (add/alt/comments), the ent_nums its rows point to that
    are missing from the primary file, sorted numerically. Empty when all match."""
    tables = _read_publication(locate_publication(Path(path)))
    return {name: ids for name, (_, ids) in _orphans(tables).items()}


_ORPHAN_NOUNS = {"add": "address", "alt": "alias", "comments": "comment"}


def _orphan_warnings(tables: _Tables) -> list[str]:
    warnings = []
    primary = tables.publication.primary.name
    for name, (count, ids) in _orphans(tables).items():
        stem = name.lower().removesuffix(".csv").split("_")[-1]
        noun = _ORPHAN_NOUNS.get(stem, "")
        examples = ", ".join(ids[:EXAMPLES]) + (", ..." if len(ids) > EXAMPLES else "")
        warnings.append(
            f"{name}: {count:,} {noun} rows point to {len(ids):,} entries missing from "
            f"{primary} (e.g. {examples}); they were skipped"
        )
    return warnings


def _looks_cut(remarks: str | None) -> bool:
    """Remarks at OFAC's length cut-off (give or take the blanks we strip at the cut) were
    continued in the comments file. Whole remarks stay well short of it."""
    return len(remarks or "") >= REMARKS_CUT_AT - _CUT_SLACK


_CUT_SLACK = 5


def _cut_remarks_warning(tables: _Tables) -> list[str]:
    if tables.publication.comments is not None:
        return []
    cut = [r.ent_num for r in tables.primary if _looks_cut(r.values[11])]
    if not cut:
        return []
    comments = tables.publication.layout.comments
    return [
        f"{len(cut):,} entries have remarks cut at OFAC's {REMARKS_CUT_AT:,}-character limit "
        f"and no {comments} was found to continue them: their remarks are incomplete "
        f"(e.g. {', '.join(cut[:EXAMPLES])})"
    ]


def parse(path: Path, source: str | None = None) -> ParsedList:
    """Read an OFAC CSV publication (folder or primary file) into entries."""
    with collector_paused():
        return _parse(Path(path), source)


def _parse(path: Path, source: str | None) -> ParsedList:
    publication = locate_publication(path)
    tables = _read_publication(publication)
    comments = _comments_by_entry(tables.comments)
    builders: dict[str, EntryBuilder] = {}
    primary_names, alias_names = NameIndex(), NameIndex()
    for row in tables.primary:
        remarks = (row.values[11] or "") + comments.get(row.ent_num, "")
        builders[row.ent_num] = _build_entry(row, remarks or None)
        primary_names.add(row.values[1] or "", row.ent_num)
    for row in tables.aliases:
        if row.ent_num in builders and row.values[3]:
            alias_names.add(row.values[3], row.ent_num)
    _attach_addresses(builders, tables.addresses)
    _attach_aliases(builders, tables.aliases)
    unresolved = resolve_links(builders, primary_names, alias_names)
    warnings = [
        *_orphan_warnings(tables),
        *_cut_remarks_warning(tables),
        *link_warning(unresolved, publication.primary.name),
    ]
    return parsed_list(
        builders,
        source or publication.layout.source,
        FORMAT_NAME,
        path,
        publication.files(),
        None,
        warnings,
    )


FORMAT = SourceFormat(
    name=FORMAT_NAME,
    detect=detect,
    parse=parse,
    description="OFAC legacy CSV (sdn.csv / cons_prim.csv with add, alt, comments)",
)
