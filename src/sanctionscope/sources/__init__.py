"""Official list formats → FtM entities. One module per format, registered here.

To add a format: write ``sources/<name>.py`` exposing ``FORMAT = SourceFormat(...)`` and add
the module to ``_FORMAT_MODULES`` below. Detection tries formats in this order.
"""

from __future__ import annotations

import importlib
from functools import cache
from pathlib import Path

from sanctionscope.sources.base import Entry, ParsedList, SourceError, SourceFormat

__all__ = [
    "Entry",
    "ParsedList",
    "SourceError",
    "SourceFormat",
    "detect_format",
    "formats",
    "get_format",
    "parse_path",
]

_FORMAT_MODULES = [
    "sanctionscope.sources.us_ofac_csv",
    "sanctionscope.sources.us_ofac_xml",
    "sanctionscope.sources.us_ofac_enhanced_xml",
    "sanctionscope.sources.us_ofac_advanced_xml",
    "sanctionscope.sources.un_sc_sanctions",
    "sanctionscope.sources.gb_fcdo_sanctions",
    "sanctionscope.sources.gb_hmt_sanctions",
    "sanctionscope.sources.eu_fsf",
    "sanctionscope.sources.eu_fsf_xml",
    "sanctionscope.sources.ftm",
]


@cache
def formats() -> tuple[SourceFormat, ...]:
    found: list[SourceFormat] = []
    for name in _FORMAT_MODULES:
        module = importlib.import_module(name)
        found.append(module.FORMAT)
    return tuple(found)


def get_format(name: str) -> SourceFormat:
    for fmt in formats():
        if fmt.name == name:
            return fmt
    known = ", ".join(f.name for f in formats())
    raise SourceError(name, f"unknown list format {name!r} (known: {known})")


def detect_format(path: Path) -> SourceFormat:
    if not path.exists():
        raise SourceError(path, "no such file or folder")
    if path.is_file() and path.stat().st_size == 0:
        raise SourceError(path, "the file is empty")
    for fmt in formats():
        if fmt.detect(path):
            return fmt
    known = ", ".join(f"{f.name} ({f.description})" for f in formats())
    raise SourceError(path, f"not a list format sanctionscope recognises; known formats: {known}")


def parse_path(path: Path, source: str | None = None, format_name: str | None = None) -> ParsedList:
    """Detect the format of ``path`` (or use ``format_name``) and parse it completely."""
    fmt = get_format(format_name) if format_name else detect_format(path)
    return fmt.parse(path, source)
