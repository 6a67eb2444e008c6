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
import gc
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path

from followthemoney import EntityProxy, model
from followthemoney.types import registry

from sanctionscope.sources.base import (
    Entry,
    ParsedList,
    SourceError,
    SourceFormat,
    file_sha256,
    make_entity,
    target_id,
)

FORMAT_NAME = "us_ofac_csv"
ID_PREFIX = "ofac"
AUTHORITY = "Office of Foreign Assets Control"
DETAILS_URL = "https://sanctionssearch.ofac.treas.gov/Details.aspx?id={}"
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


@dataclass(frozen=True)
class Document:
    """An identifier printed in the remarks: ``Passport 745420176 (Korea, North) ...``."""

    kind: str
    number: str
    country: str | None = None  # ISO code as FtM cleans it
    issued: str | None = None  # ISO date prefix
    expires: str | None = None


@dataclass
class Remark:
    """One remark and the facts it states. ``kind`` None means "not understood"."""

    text: str
    kind: str | None = None
    properties: list[tuple[str, str]] = field(default_factory=list)  # on the target
    sanction: list[tuple[str, str]] = field(default_factory=list)  # on the Sanction
    documents: list[Document] = field(default_factory=list)
    wallets: list[tuple[str, str]] = field(default_factory=list)  # (currency, address)
    linked_to: str | None = None  # a party named in the remark, e.g. "Linked To: X"
    link_role: str = "Linked To"
    link_key: str = "linked"
    keep_text: bool = False  # approximate or partly read: keep the words in notes too


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


@lru_cache(maxsize=4096)
def clean_country(text: str) -> str | None:
    """FtM country code for an OFAC country name (``Korea, North`` → ``kp``), cached."""
    return registry.country.clean(text.strip().rstrip(".").strip())


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


@dataclass(frozen=True)
class IdentifierKind:
    """Where a labelled number goes: a dedicated target property (``taxNumber``), or an
    Identification entity plus ``idNumber`` when ``prop`` is None; passports become
    Passport entities. ``russian`` is an extra property for Russian numbers of the right
    length (INN: 10/12 digits, OGRN: 13/15 digits)."""

    prop: str | None = None
    passport: bool = False
    russian: str | None = None
    country: str | None = None  # implied by the label, e.g. "BIK (RU)"


_TAX = IdentifierKind("taxNumber")
_REGISTRATION = IdentifierKind("registrationNumber", russian="ogrnCode")
_LICENSE = IdentifierKind("licenseNumber")
_PASSPORT = IdentifierKind(passport=True)
_OTHER_ID = IdentifierKind()

IDENTIFIER_KINDS: dict[str, IdentifierKind] = {
    "Tax ID No.": IdentifierKind("taxNumber", russian="innCode"),
    "SWIFT/BIC": IdentifierKind("swiftBic"),
    "Legal Entity Number": IdentifierKind("leiCode"),
    "D-U-N-S Number": IdentifierKind("dunsCode"),
    "V.A.T. Number": IdentifierKind("vatCode"),
    "SSN": IdentifierKind("socialSecurityNumber"),
    "Unified Social Credit Code (USCC)": IdentifierKind("uscCode"),
    "United Social Credit Code Certificate (USCCC)": IdentifierKind("uscCode"),
    "MMSI": IdentifierKind("mmsi"),
    "Aircraft Manufacturer's Serial Number (MSN)": IdentifierKind("serialNumber"),
    "Aircraft Construction Number (also called L/N or S/N or F/N)": IdentifierKind("serialNumber"),
    "Aircraft Serial Identification": IdentifierKind("serialNumber"),
    "Aircraft Tail Number": IdentifierKind("registrationNumber"),
    "Vessel Registration Identification": IdentifierKind("registrationNumber"),
    "Other Vessel Call Sign": IdentifierKind("callSign"),
    "US FEIN": _TAX,
    "C.U.I.T.": _TAX,
    "RTN": _TAX,
    "R.F.C.": _TAX,
    "R.F.C. #": _TAX,
    "RFC": _TAX,
    "NIT #": _TAX,
    "RUC #": _TAX,
    "RIF #": _TAX,
    "C.I.F.": _TAX,
    "Italian Fiscal Code": _TAX,
    "Fiscal Code": _TAX,
    "Romanian Tax Registration": _TAX,
    "Paraguayan tax identification number": _TAX,
    "Numero Unico de Identificacao Tributaria (NUIT)": _TAX,
    "Registration Number": _REGISTRATION,
    "Registration ID": _REGISTRATION,
    "Public Registration Number": _REGISTRATION,
    "Business Registration Number": _REGISTRATION,
    "Business Registration Document #": _REGISTRATION,
    "Company Number": _REGISTRATION,
    "UK Company Number": _REGISTRATION,
    "Commercial Registry Number": _REGISTRATION,
    "C.R. No.": _REGISTRATION,
    "Romanian C.R.": _REGISTRATION,
    "Certificate of Incorporation Number": _REGISTRATION,
    "Chamber of Commerce Number": _REGISTRATION,
    "Istanbul Chamber of Comm. No.": _REGISTRATION,
    "Dubai Chamber of Commerce Membership No.": _REGISTRATION,
    "Central Registration System Number": _REGISTRATION,
    "Economic Register Number (CBLS)": _REGISTRATION,
    "Enterprise Number": _REGISTRATION,
    "Branch Unit Number": _REGISTRATION,
    "Business Number": _REGISTRATION,
    "Folio Mercantil No.": _REGISTRATION,
    "Matricula Mercantil No": _REGISTRATION,
    "Registered Charity No.": _REGISTRATION,
    "License": _LICENSE,
    "Trade License No.": _LICENSE,
    "Permit Number": _LICENSE,
    "Pilot License Number": _LICENSE,
    "Afghan Money Service Provider License Number": _LICENSE,
    "Passport": _PASSPORT,
    "Passport No.": _PASSPORT,
    "Passport Booklet": _PASSPORT,
    "Diplomatic Passport": _PASSPORT,
    "British National Overseas Passport": _PASSPORT,
    "Stateless Person Passport": _PASSPORT,
    "National ID No.": _OTHER_ID,
    "Identification Number": _OTHER_ID,
    "Government Gazette Number": _OTHER_ID,
    "BIK (RU)": IdentifierKind(country="ru"),
    "Cedula No.": _OTHER_ID,
    "C.U.R.P.": _OTHER_ID,
    "C.U.R.P. #": _OTHER_ID,
    "C.U.I.": _OTHER_ID,
    "C.U.I.P.": _OTHER_ID,
    "D.N.I.": _OTHER_ID,
    "N.I.E.": _OTHER_ID,
    "I.F.E.": _OTHER_ID,
    "Credencial electoral": _OTHER_ID,
    "Electoral Registry No.": _OTHER_ID,
    "Cartilla de Servicio Militar Nacional": _OTHER_ID,
    "Birth Certificate Number": _OTHER_ID,
    "Driver's License No.": _OTHER_ID,
    "Residency Number": _OTHER_ID,
    "Chinese Commercial Code": _OTHER_ID,
    "Turkish Identification Number": _OTHER_ID,
    "Numero de Identidad": _OTHER_ID,
    "Citizen's Card Number": _OTHER_ID,
    "Kenyan ID No.": _OTHER_ID,
    "VisaNumberID": _OTHER_ID,
    "SRE Permit No.": _OTHER_ID,
    "File Number": _OTHER_ID,
    "Refugee ID Card": _OTHER_ID,
    "Tazkira National ID Card": _OTHER_ID,
    "Military Registration Number": _OTHER_ID,
    "Personal ID Card": _OTHER_ID,
    "National Foreign ID Number": _OTHER_ID,
    "Bosnian Personal ID No.": _OTHER_ID,
    "Moroccan Personal ID No.": _OTHER_ID,
    "CNP (Personal Numerical Code)": _OTHER_ID,
    "Romanian Permanent Resident CAN": _OTHER_ID,
    "UAE Identification": _OTHER_ID,
    "Stateless Person ID Card": _OTHER_ID,
    "Immigration No.": _OTHER_ID,
    "Public Security and Immigration No.": _OTHER_ID,
    "Travel Document Number": _OTHER_ID,
    "Organization Code": _OTHER_ID,
    "LE Number": _OTHER_ID,
    "ISIN": _OTHER_ID,
    "Equity Ticker": _OTHER_ID,
    "Aircraft Mode S Transponder Code": _OTHER_ID,
    "Serial No.": _OTHER_ID,
}

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

SCHEMA_BY_TYPE = {"individual": "Person", "vessel": "Vessel", "aircraft": "Airplane"}
ENTITY_SCHEMA = "Organization"  # OFAC's null SDN_Type: companies, banks, groups
UNKNOWN_SCHEMA = "LegalEntity"
ALIAS_PROPS = {"aka": "alias", "nka": "alias", "fka": "previousName"}
# (column index, property on a Vessel, label in notes when it does not fit)
VESSEL_COLUMNS = (
    (5, "callSign", "Call sign"),
    (6, "type", "Vessel type"),
    (7, "tonnage", "Tonnage"),
    (8, "grossRegisteredTonnage", "Gross registered tonnage"),
    (9, "flag", "Vessel flag"),
)
_OWNER_COLUMN = 10
_PROGRAM_SPLIT = re.compile(r"\]\s*\[")


_ISO_DATE = re.compile(r"\d{4}(?:-\d{2}(?:-\d{2})?)?")


@lru_cache(maxsize=65536)
def _cached_clean(type_name: str, value: str) -> str | None:
    prop_type = registry.get(type_name)
    return prop_type.clean(value) if prop_type is not None else None


def add_value(entity: EntityProxy, prop_name: str, value: str | None) -> bool:
    """Add ``value`` if the schema has the property and FtM accepts the value.

    Cleaning goes through a cache (country names and dates repeat thousands of times and
    FtM's cleaning of them is slow); dates already in ISO form are taken as they are.
    """
    prop = entity.schema.get(prop_name)
    if prop is None or value is None:
        return False
    if prop.type == registry.date and _ISO_DATE.fullmatch(value):
        cleaned: str | None = value
    elif prop.type == registry.phone:
        cleaned = prop.type.clean(value, proxy=entity)
    else:
        cleaned = _cached_clean(prop.type.name, value)
    if cleaned is None:
        return False
    entity.unsafe_add(prop, cleaned, cleaned=True)
    return True


def put(entity: EntityProxy, prop_name: str, values: str | Iterable[str] | None) -> None:
    """Add values that are already clean (ids, codes, constants), skipping FtM's cleaning
    and argument handling: ~100,000 such values per list make that worth it."""
    if values is None:
        return
    prop = entity.schema.properties[prop_name]
    for value in [values] if isinstance(values, str) else values:
        entity.unsafe_add(prop, value, cleaned=True)


def split_programs(programs: str | None) -> list[str]:
    """``NPWMD] [DPRK3`` → ``["NPWMD", "DPRK3"]``."""
    if not programs:
        return []
    tags = (p.strip(" []") for p in _PROGRAM_SPLIT.split(programs))
    return [t for t in tags if t]


def split_person_name(name: str) -> tuple[str, str] | None:
    """OFAC's ``LAST, First Middle`` → (last, given names); None without a comma."""
    last, sep, given = name.partition(",")
    if not sep or not last.strip() or not given.strip():
        return None
    return last.strip(), given.strip()


def natural_name(name: str) -> str | None:
    parts = split_person_name(name)
    return f"{parts[1]} {parts[0]}" if parts else None


@dataclass
class _Builder:
    """Everything one sdn row turns into, before links are resolved."""

    ent_num: str
    target: EntityProxy
    sanction: EntityProxy
    related: dict[str, EntityProxy] = field(default_factory=dict)
    links: list[Remark] = field(default_factory=list)

    def note(self, text: str) -> None:
        self.target.add("notes", text)

    def relate(self, entity: EntityProxy) -> None:
        """Add a related entity; a remark OFAC repeats (same id) is merged, not doubled."""
        key = entity.id or ""
        if key in self.related:
            self.related[key].merge(entity)
        else:
            self.related[key] = entity

    def entry(self) -> Entry:
        return Entry(self.ent_num, self.target, [self.sanction, *self.related.values()])


def _schema_for(sdn_type: str | None) -> str:
    if sdn_type is None:
        return ENTITY_SCHEMA
    return SCHEMA_BY_TYPE.get(sdn_type.strip().lower(), UNKNOWN_SCHEMA)


def _make_target(ent_num: str, name: str, schema: str) -> EntityProxy:
    target = model.make_entity(schema)
    target.id = target_id(ID_PREFIX, ent_num)
    target.add("name", name)
    put(target, "topics", "sanction")
    if target.schema.is_a("Person"):
        parts = split_person_name(name)
        if parts is not None:
            target.add("lastName", parts[0])
            target.add("firstName", parts[1])
            target.add("alias", f"{parts[1]} {parts[0]}")
    return target


def _make_sanction(ent_num: str, target: EntityProxy, programs: list[str]) -> EntityProxy:
    sanction = make_entity("Sanction", ID_PREFIX, ent_num, "sanction")
    put(sanction, "entity", target.id)
    put(sanction, "authority", AUTHORITY)
    put(sanction, "country", "us")
    put(sanction, "program", programs)
    put(sanction, "programId", programs)
    put(sanction, "recordId", ent_num)
    put(sanction, "sourceUrl", DETAILS_URL.format(ent_num))
    return sanction


def _apply_columns(builder: _Builder, values: tuple[str | None, ...]) -> None:
    """Title and vessel columns of an sdn row."""
    title = values[4]
    if title is not None and not add_value(builder.target, "position", title):
        builder.note(f"Title: {title}")
    for index, prop, label in VESSEL_COLUMNS:
        value = values[index]
        if value is not None and not add_value(builder.target, prop, value):
            builder.note(f"{label}: {value}")
    owner = values[_OWNER_COLUMN]
    if owner is not None:
        builder.note(f"Vessel owner: {owner}")


def _add_document(builder: _Builder, document: Document) -> bool:
    target = builder.target
    kind = IDENTIFIER_KINDS.get(document.kind, _OTHER_ID)
    if kind.prop is not None:
        if not add_value(target, kind.prop, document.number):
            return False
        if kind.russian and document.country == "ru" and document.number.isdigit():
            _add_russian_code(target, kind.russian, document.number)
        # A property holds no issue or expiry date: if the remark has one, keep its words.
        return document.issued is None and document.expires is None
    if not target.schema.is_a("LegalEntity"):
        return False
    schema = "Passport" if kind.passport else "Identification"
    doc = make_entity(schema, ID_PREFIX, builder.ent_num, document.kind, document.number)
    put(doc, "holder", target.id)
    doc.add("type", document.kind)
    doc.add("number", document.number)
    put(doc, "country", document.country or kind.country)
    put(doc, "startDate", document.issued)
    put(doc, "endDate", document.expires)
    builder.relate(doc)
    if kind.passport and target.schema.is_a("Person"):
        target.add("passportNumber", document.number)
    else:
        target.add("idNumber", document.number)
    return True


_RUSSIAN_LENGTHS = {"innCode": (10, 12), "ogrnCode": (13, 15)}


def _add_russian_code(target: EntityProxy, prop: str, number: str) -> None:
    if len(number) in _RUSSIAN_LENGTHS.get(prop, ()):
        add_value(target, prop, number)


def _add_wallet(builder: _Builder, currency: str, address: str) -> bool:
    if not builder.target.schema.is_a("LegalEntity"):
        return False
    wallet = make_entity("CryptoWallet", ID_PREFIX, builder.ent_num, currency, address)
    wallet.add("publicKey", address)
    wallet.add("currencySymbol", currency)
    put(wallet, "holder", builder.target.id)
    builder.relate(wallet)
    return True


def _apply_remark(builder: _Builder, remark: Remark) -> None:
    """Put the facts of one remark on the entities; the words go to notes whenever some
    fact did not fit (so nothing is lost), the remark was not understood, or it asks."""
    placed = remark.kind is not None
    for prop, value in remark.properties:
        placed = add_value(builder.target, prop, value) and placed
    for prop, value in remark.sanction:
        builder.sanction.add(prop, value)
    for document in remark.documents:
        placed = _add_document(builder, document) and placed
    for currency, address in remark.wallets:
        placed = _add_wallet(builder, currency, address) and placed
    if remark.linked_to is not None:
        builder.links.append(remark)  # resolved once every name of the list is known
    if not placed or remark.keep_text:
        builder.note(remark.text)


def _build_entry(row: Row, remarks: str | None) -> _Builder:
    values = row.values
    ent_num, name = row.ent_num, values[1] or ""
    target = _make_target(ent_num, name, _schema_for(values[2]))
    programs = split_programs(values[3])
    put(target, "program", programs)
    sanction = _make_sanction(ent_num, target, programs)
    builder = _Builder(ent_num, target, sanction)
    _apply_columns(builder, values)
    for remark in interpret_remarks(remarks):
        _apply_remark(builder, remark)
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
    if country is not None:
        code = clean_country(country)
        if code is not None:
            put(address, "country", code)
        else:
            address.add("remarks", f"Country: {country}")
    address.add("remarks", remarks)
    return address


def _attach_addresses(builders: dict[str, _Builder], rows: Iterable[Row]) -> None:
    for row in rows:
        builder = builders.get(row.ent_num)
        if builder is None:
            continue
        address = _make_address(row.ent_num, row)
        if address is None:
            continue
        builder.relate(address)
        put(builder.target, "addressEntity", address.id)
        builder.target.add("address", address.get("full"))
        if builder.target.schema.is_a("LegalEntity"):
            put(builder.target, "country", address.get("country"))


def _attach_aliases(builders: dict[str, _Builder], rows: Iterable[Row]) -> None:
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


# --------------------------------------------------------------------------- links


_NOT_LETTERS = re.compile(r"[\W_]+")


def _name_key(name: str) -> str:
    """Case and punctuation folded: ``Co., Ltd.`` and ``CO LTD`` share a key."""
    return _NOT_LETTERS.sub(" ", name.casefold()).strip()


class _NameIndex:
    """SDN names (then alias names) → ent_nums, exact first and then punctuation-free."""

    def __init__(self) -> None:
        self._exact: dict[str, set[str]] = defaultdict(set)
        self._loose: dict[str, set[str]] = defaultdict(set)

    def add(self, name: str, ent_num: str) -> None:
        self._exact[name.strip().casefold()].add(ent_num)
        self._loose[_name_key(name)].add(ent_num)

    def find(self, name: str) -> set[str]:
        variants = [name.strip(), name.strip().rstrip(".").strip()]
        for variant in variants:
            found = self._exact.get(variant.casefold())
            if found:
                return found
        return self._loose.get(_name_key(name), set())


def _resolve_links(
    builders: dict[str, _Builder], primary: _NameIndex, aliases: _NameIndex
) -> list[str]:
    """UnknownLink entities for ``Linked To:`` remarks; returns the names not found."""
    unresolved: list[str] = []
    for builder in builders.values():
        for remark in builder.links:
            name = remark.linked_to or ""
            found = primary.find(name) or aliases.find(name)
            others = sorted(found - {builder.ent_num}, key=int)
            if len(others) != 1:
                builder.note(remark.text)
                if remark.link_role == "Linked To":
                    unresolved.append(name)
                continue
            link = make_entity(
                "UnknownLink", ID_PREFIX, builder.ent_num, remark.link_key, others[0]
            )
            put(link, "subject", builder.target.id)
            put(link, "object", target_id(ID_PREFIX, others[0]))
            put(link, "role", remark.link_role)
            builder.relate(link)
    return unresolved


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
_EXAMPLES = 10


def _orphan_warnings(tables: _Tables) -> list[str]:
    warnings = []
    primary = tables.publication.primary.name
    for name, (count, ids) in _orphans(tables).items():
        stem = name.lower().removesuffix(".csv").split("_")[-1]
        noun = _ORPHAN_NOUNS.get(stem, "")
        examples = ", ".join(ids[:_EXAMPLES]) + (", ..." if len(ids) > _EXAMPLES else "")
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
        f"(e.g. {', '.join(cut[:_EXAMPLES])})"
    ]


def _link_warning(unresolved: list[str], primary: str) -> list[str]:
    if not unresolved:
        return []
    names = sorted(set(unresolved))
    examples = "; ".join(names[:_EXAMPLES]) + ("; ..." if len(names) > _EXAMPLES else "")
    return [
        f"{len(unresolved):,} 'Linked To' remarks name no single entry of {primary} "
        f"({len(names):,} distinct names, e.g. {examples}); kept in notes"
    ]


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while building ~100,000 entities: its repeated
    passes over the growing heap would otherwise take about as long as the parse."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def parse(path: Path, source: str | None = None) -> ParsedList:
    """Read an OFAC CSV publication (folder or primary file) into entries."""
    with _collector_paused():
        return _parse(Path(path), source)


def _parse(path: Path, source: str | None) -> ParsedList:
    publication = locate_publication(path)
    tables = _read_publication(publication)
    comments = _comments_by_entry(tables.comments)
    builders: dict[str, _Builder] = {}
    primary_names, alias_names = _NameIndex(), _NameIndex()
    for row in tables.primary:
        remarks = (row.values[11] or "") + comments.get(row.ent_num, "")
        builders[row.ent_num] = _build_entry(row, remarks or None)
        primary_names.add(row.values[1] or "", row.ent_num)
    for row in tables.aliases:
        if row.ent_num in builders and row.values[3]:
            alias_names.add(row.values[3], row.ent_num)
    _attach_addresses(builders, tables.addresses)
    _attach_aliases(builders, tables.aliases)
    unresolved = _resolve_links(builders, primary_names, alias_names)
    warnings = [
        *_orphan_warnings(tables),
        *_cut_remarks_warning(tables),
        *_link_warning(unresolved, publication.primary.name),
    ]
    return ParsedList(
        source=source or publication.layout.source,
        format=FORMAT_NAME,
        path=path,
        entries=[builder.entry() for builder in builders.values()],
        published=None,
        sha256=file_sha256(publication.files()),
        warnings=warnings,
    )


FORMAT = SourceFormat(
    name=FORMAT_NAME,
    detect=detect,
    parse=parse,
    description="OFAC legacy CSV (sdn.csv / cons_prim.csv with add, alt, comments)",
)
