"""XML reading that cannot be turned against us.

Entity resolution, DTD loading and network access are off in the parser, and a document
that declares entities or an external DTD at all is refused before parsing: official list
files never need them, so their presence means a damaged or hostile file.
"""

from __future__ import annotations

import re
from pathlib import Path

from lxml import etree

from sanctionscope.sources.base import SourceError

_PROLOG_LIMIT = 1 << 20
_DANGEROUS = re.compile(rb"<!ENTITY|<!DOCTYPE[^>\[]*(SYSTEM|PUBLIC)", re.IGNORECASE)
_FIRST_ELEMENT = re.compile(rb"<[A-Za-z_]")


def _check_prolog(path: Path) -> None:
    """Refuse entity declarations and external DTDs in the prolog (before the root)."""
    with path.open("rb") as fh:
        head = fh.read(_PROLOG_LIMIT)
    if not head.strip():
        raise SourceError(path, "the file is empty")
    root_at = _FIRST_ELEMENT.search(head)
    prolog = head[: root_at.start()] if root_at else head
    found = _DANGEROUS.search(prolog)
    if found:
        line = prolog[: found.start()].count(b"\n") + 1
        raise SourceError(
            path,
            "XML declares entities or an external DTD; refused (entity-expansion or "
            "external-entity attack, or not an official list file)",
            location=f"line {line}",
        )


def safe_parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def parse_xml(path: Path) -> etree._Element:
    """Parse a whole XML file safely; errors name the file, the line and the reason."""
    _check_prolog(path)
    try:
        tree = etree.parse(str(path), safe_parser())
    except etree.XMLSyntaxError as exc:
        line = exc.lineno if exc.lineno else None
        reason = str(exc.msg or exc).strip()
        if "Premature end" in reason or "EndTag" in reason or "expected '>'" in reason:
            reason = f"XML is truncated or malformed ({reason})"
        else:
            reason = f"XML is malformed ({reason})"
        raise SourceError(path, reason, location=f"line {line}" if line else None) from exc
    except OSError as exc:
        # lxml reports some damage (e.g. an unreadable encoding declaration) as an I/O error.
        raise SourceError(path, f"XML cannot be read ({exc})") from exc
    root = tree.getroot()
    if tree.docinfo.internalDTD is not None:
        raise SourceError(path, "XML carries an internal DTD; refused", location="prolog")
    return root


def read_document(path: Path, root_tag: str, what: str) -> etree._Element:
    """The root of a whole XML list file, checked to be ``<root_tag>``, with element names
    read without their namespace (official files declare a default namespace on the root).
    ``what`` names the format in the error, e.g. "an OFAC legacy XML file"."""
    if not path.is_file():
        raise SourceError(path, "no such file")
    root = parse_xml(path)
    if not isinstance(root.tag, str) or etree.QName(root).localname != root_tag:
        raise SourceError(path, f"root element is not <{root_tag}>: not {what}")
    for element in root.iter():
        if isinstance(element.tag, str):
            element.tag = etree.QName(element).localname
    return root


def sniff_root_tag(path: Path) -> str | None:
    """Local name of the root element, read from the first kilobytes; None if not XML."""
    try:
        with path.open("rb") as fh:
            head = fh.read(65536)
    except OSError:
        return None
    for match in re.finditer(rb"<([A-Za-z_][\w.\-]*(?::[\w.\-]+)?)", head):
        name = match.group(1).decode("ascii", "replace")
        return name.split(":")[-1]
    return None
