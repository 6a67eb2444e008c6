"""Finding the header row of a spreadsheet-style list (UK FCDO, UK OFSI, …)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass


def header_key(cell: str) -> str:
    """A header cell as compared: lower case, runs of white space collapsed."""
    return " ".join(cell.lower().split())


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
