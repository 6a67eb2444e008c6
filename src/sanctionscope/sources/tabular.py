"""Row-by-row list files (UK FCDO, UK OFSI, EU FSF, …): rows with their place in the file, CSV records,
and finding the header row."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from operator import itemgetter
from pathlib import Path

from sanctionscope.sources.base import Entry, ParsedList, SourceError, file_sha256

#: Zip archives (ODS, XLSX) start with a local file header.
ZIP_MAGIC = b"PK\x03\x04"


@dataclass(frozen=True)
class SheetRow:
    """One non-empty row as text cells, with where it is in the file (for messages).

    ``repeated`` is how many identical sheet rows it stands for (ODS number-rows-repeated).
    """

    location: str
    cells: tuple[str, ...]
    repeated: int = 1


def check_readable(path: Path) -> None:
    """A clear refusal for a missing or empty file, before any format-specific reading."""
    if not path.is_file():
        raise SourceError(path, "no such file")
    if path.stat().st_size == 0:
        raise SourceError(path, "the file is empty")


def looks_like_zip(path: Path, suffixes: tuple[str, ...]) -> bool:
    """A zip by its first bytes or by its suffix, so that a truncated one is reported as such."""
    with path.open("rb") as fh:
        return fh.read(len(ZIP_MAGIC)) == ZIP_MAGIC or path.suffix.lower() in suffixes


def one_file_list(
    path: Path,
    format_name: str,
    source: str | None,
    entries: list[Entry],
    published: date | None,
    warnings: list[str],
    empty_reason: str = "the header is there but no designation follows it",
) -> ParsedList:
    """The ParsedList of a one-file publication; one without a designation is refused."""
    if not entries:
        raise SourceError(path, empty_reason)
    return ParsedList(
        source=source or format_name,
        format=format_name,
        path=path,
        entries=entries,
        published=published,
        sha256=file_sha256([path]),
        warnings=warnings,
    )


def csv_records(path: Path, lines: Iterable[str]) -> Iterator[tuple[int, list[str]]]:
    """(line number where the record starts, record) for each CSV record; a malformed record,
    or text that is not in the encoding ``lines`` decode from, is a SourceError naming its line."""
    reader = csv.reader(lines)
    line = 1
    try:
        for record in reader:
            yield line, record
            line = reader.line_num + 1
    except csv.Error as exc:
        raise SourceError(path, f"malformed CSV ({exc})", f"line {line}") from exc
    except UnicodeDecodeError as exc:
        raise SourceError(path, f"not {exc.encoding.upper()} text", f"line {line}") from exc


def field_reader(columns: Mapping[str, int]) -> Callable[[tuple[str, ...]], dict[str, str]]:
    """A function from a row's cells to field name → cell text ("" past the row's end), for
    the columns a header gave; built once per file, as rows are read by the thousand."""
    names = tuple(columns)
    width = max(columns.values(), default=-1) + 1
    pick = itemgetter(*columns.values()) if len(columns) > 1 else None

    def read(cells: tuple[str, ...]) -> dict[str, str]:
        if len(cells) < width:
            cells = cells + ("",) * (width - len(cells))
        if pick is None:
            return {name: cells[columns[name]] for name in names}
        return dict(zip(names, pick(cells), strict=True))

    return read


def header_key(cell: str) -> str:
    """A header cell as compared: lower case, runs of white space collapsed."""
    return " ".join(cell.lower().split())


@dataclass(frozen=True)
class HeaderFound:
    """The header row, the rows above it, and field name → column index."""

    header: SheetRow
    preamble: list[SheetRow]
    columns: dict[str, int]

    def missing(self, required: Iterable[str]) -> list[str]:
        """The fields of ``required`` that this header lacks."""
        return [name for name in required if name not in self.columns]


@dataclass(frozen=True)
class HeaderSpec:
    """The columns a format knows (normalised header text → field name) and the fields whose
    presence marks a row as that format's header."""

    columns: Mapping[str, str]
    required: tuple[str, ...]

    def fields(self, cells: Sequence[str]) -> dict[str, int]:
        """Field name → column index for the known columns in a row (first occurrence wins)."""
        found: dict[str, int] = {}
        for index, cell in enumerate(cells):
            name = self.columns.get(header_key(cell))
            if name is not None and name not in found:
                found[name] = index
        return found

    def matches(self, cells: Sequence[str]) -> bool:
        fields = self.fields(cells)
        return all(name in fields for name in self.required)

    def locate(self, rows: Iterator[SheetRow], search_rows: int) -> HeaderFound | None:
        """Read ``rows`` up to the header (within the first ``search_rows`` rows); the rows
        after it are left in the iterator. None when no header turns up."""
        preamble: list[SheetRow] = []
        for row in rows:
            if self.matches(row.cells):
                return HeaderFound(row, preamble, self.fields(row.cells))
            preamble.append(row)
            if len(preamble) >= search_rows:
                break
        return None
