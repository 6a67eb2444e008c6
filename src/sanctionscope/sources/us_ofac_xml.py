"""OFAC legacy XML (``sdn.xml`` / ``consolidated.xml``) → FtM entities.

The XML carries the same records as the legacy CSV files (:mod:`.us_ofac_csv`), with the
remarks already split into structured lists::

    sdnList
      publshInformation / Publish_Date (MM/DD/YYYY), Record_Count
      sdnEntry: uid, firstName, lastName, title, sdnType, remarks,
                programList/program, idList/id (idType, idNumber, idCountry, issueDate,
                expirationDate), akaList/aka (uid, type, category, lastName, firstName),
                addressList/address (uid, address1-3, city, stateOrProvince, postalCode,
                country), nationalityList, citizenshipList, dateOfBirthList,
                placeOfBirthList, vesselInfo (callSign, vesselType, vesselFlag,
                vesselOwner, tonnage, grossRegisteredTonnage)

Modelling follows the CSV parser so that a party read from either format gets the same
ids and comparable properties: the target is ``ofac-<uid>``, each entry carries a
Sanction, its Address entities (``ofac`` + uid + address uid, as from add.csv), and the
Passport / Identification entities of its idList. Entries are built with the same code
as the CSV's (:mod:`.ofac_common`: :class:`~.ofac_common.EntryBuilder`,
:func:`~.ofac_common.apply_remark`, :data:`~.ofac_common.IDENTIFIER_KINDS`,
:func:`~.ofac_common.resolve_links`, ...) and the CSV module's helpers
(:func:`~.us_ofac_csv.interpret_remark`, :func:`~.us_ofac_csv.parse_dates`,
:func:`~.us_ofac_csv.clean_country`, ...) do the interpreting: an ``id`` whose type is not an identifier (``Website``, ``Secondary sanctions
risk:``, ``Listing Date (CMIC)``...) is read as the remark the CSV would print for it.
Strong aliases become ``alias``, weak ones ``weakAlias``, f.k.a. ``previousName``.

Parsing goes through :func:`.xmlsafe.parse_xml` only. A ``Record_Count`` that disagrees
with the number of ``sdnEntry`` elements means a truncated or incomplete file and is a
:class:`SourceError`, as are missing or duplicate uids and entries without a name.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path

from followthemoney import EntityProxy
from lxml import etree

from sanctionscope.sources import ofac_common as ofac
from sanctionscope.sources.base import (
    ParsedList,
    SourceError,
    SourceFormat,
    make_entity,
)
from sanctionscope.sources.us_ofac_csv import (
    interpret_remark,
    match_label,
    parse_dates,
    split_remarks,
)
from sanctionscope.sources.xmlsafe import read_document, sniff_root_tag

FORMAT_NAME = "us_ofac_xml"
ROOT_TAG = "sdnList"
SDN_SOURCE = "us_ofac_sdn"
CONS_SOURCE = "us_ofac_cons"
PUBLISH_DATE_FORMAT = "%m/%d/%Y"
_UID = re.compile(r"[0-9]{1,12}")
# vesselInfo children holding the values of ofac_common.VESSEL_PROPS, in its order
VESSEL_CHILDREN = ("callSign", "vesselType", "tonnage", "grossRegisteredTonnage", "vesselFlag")


def detect(path: Path) -> bool:
    """True for a file whose root element is ``sdnList`` (any namespace)."""
    path = Path(path)
    return path.is_file() and sniff_root_tag(path) == ROOT_TAG


def default_source(path: Path) -> str:
    """``us_ofac_cons`` for consolidated.xml (name contains "cons"), else ``us_ofac_sdn``."""
    return CONS_SOURCE if "cons" in Path(path).name.lower() else SDN_SOURCE


# --------------------------------------------------------------------------- XML access


def _text(element: etree._Element | None, name: str) -> str | None:
    """Stripped text of the child ``name``; None when absent or blank."""
    if element is None:
        return None
    child = element.find(name)
    if child is None:
        return None
    value = "".join(child.itertext()).strip()
    return value or None


def _items(element: etree._Element, path: str) -> list[etree._Element]:
    return list(element.iterfind(path))


def _where(element: etree._Element) -> str | None:
    return f"line {element.sourceline}" if element.sourceline else None


# --------------------------------------------------------------------------- building


def _schema_for(sdn_type: str | None) -> str:
    """OFAC's ``Entity`` is the CSV's null type (Organization)."""
    if sdn_type is not None and sdn_type.strip().lower() == "entity":
        return ofac.ENTITY_SCHEMA
    return ofac.schema_for(sdn_type)


def _person_name(last: str | None, first: str | None) -> str | None:
    """The CSV's ``LAST, First`` form."""
    if last and first:
        return f"{last}, {first}"
    return last or first


def _make_target(path: Path, uid: str, entry: etree._Element) -> EntityProxy:
    last, first = _text(entry, "lastName"), _text(entry, "firstName")
    name = _person_name(last, first)
    if name is None:
        raise SourceError(path, f"sdnEntry {uid} has no name (lastName)", _where(entry))
    person_name = (last, first) if last and first else None
    return ofac.make_target(uid, name, _schema_for(_text(entry, "sdnType")), person_name)


def _first_date(text: str | None) -> str | None:
    if not text:
        return None
    dates, _ = parse_dates(text)
    return dates[0] if dates else None


def _id_text(id_type: str, number: str, country: str | None, item: etree._Element) -> str:
    """The id as the CSV remarks print it: ``Passport 123 (Russia), issued 01 Jan 2020``."""
    text = f"{id_type} {number}"
    if country:
        text += f" ({country})"
    issued, expires = _text(item, "issueDate"), _text(item, "expirationDate")
    if issued:
        text += f" issued {issued}"
    if expires:
        text += f" expires {expires}"
    return text


def _apply_ids(builder: ofac.EntryBuilder, entry: etree._Element) -> None:
    for item in _items(entry, "idList/id"):
        id_type, number = _text(item, "idType"), _text(item, "idNumber")
        country_name = _text(item, "idCountry")
        if id_type is None or number is None:
            parts = [p for p in (id_type, number, country_name) if p]
            if parts:
                builder.note(" ".join(parts))
            continue
        text = _id_text(id_type, number, country_name, item)
        kind = id_type.strip()
        if kind in ofac.IDENTIFIER_KINDS and not number.upper().startswith("IMO"):
            country = ofac.clean_country(country_name) if country_name else None
            issued = _first_date(_text(item, "issueDate"))
            expires = _first_date(_text(item, "expirationDate"))
            document = ofac.Document(kind, number, country, issued, expires)
            placed = ofac.add_document(builder, document)
            if country_name and country is None:
                placed = False
            if not placed:
                builder.note(text)
            continue
        ofac.apply_remark(builder, interpret_remark(text))


def _apply_aliases(builder: ofac.EntryBuilder, entry: etree._Element) -> list[str]:
    """Alias names onto the target; returns them as written (for link resolution)."""
    names: list[str] = []
    is_person = builder.target.schema.is_a("Person")
    for aka in _items(entry, "akaList/aka"):
        last, first = _text(aka, "lastName"), _text(aka, "firstName")
        name = _person_name(last, first)
        if name is None:
            continue
        kind = (_text(aka, "type") or "a.k.a.").replace(".", "").strip().lower()
        prop = ofac.ALIAS_PROPS.get(kind, "alias")
        if prop == "alias" and (_text(aka, "category") or "").lower() == "weak":
            prop = "weakAlias"
        builder.target.add(prop, name)
        names.append(name)
        if is_person:
            natural = f"{first} {last}" if last and first else ofac.natural_name(name)
            builder.target.add(prop, natural)
    return names


def _make_address(uid: str, address: etree._Element) -> EntityProxy | None:
    lines = [_text(address, f"address{i}") for i in (1, 2, 3)]
    street = ", ".join(line for line in lines if line) or None
    city, state = _text(address, "city"), _text(address, "stateOrProvince")
    postal, country = _text(address, "postalCode"), _text(address, "country")
    # The CSV's city column: "City, State Postal".
    city_line = " ".join(p for p in (", ".join(p for p in (city, state) if p), postal) if p)
    full = ", ".join(v for v in (street, city_line, country) if v)
    if not full:
        return None
    entity = make_entity("Address", ofac.ID_PREFIX, uid, _text(address, "uid"))
    entity.add("full", full)
    entity.add("street", street)
    entity.add("city", city)
    entity.add("region", state)
    entity.add("postalCode", postal)
    ofac.add_address_country(entity, country)
    return entity


def _apply_addresses(builder: ofac.EntryBuilder, entry: etree._Element) -> None:
    for item in _items(entry, "addressList/address"):
        address = _make_address(builder.record_id, item)
        if address is None:
            continue
        builder.add_address(address)


# (list path, child holding the value, remark label the CSV uses for it)
_PERSONAL_LISTS = (
    ("dateOfBirthList/dateOfBirthItem", "dateOfBirth", "DOB"),
    ("placeOfBirthList/placeOfBirthItem", "placeOfBirth", "POB"),
    ("nationalityList/nationality", "country", "nationality"),
    ("citizenshipList/citizenship", "country", "citizen"),
)


def _apply_personal(builder: ofac.EntryBuilder, entry: etree._Element) -> None:
    for path, child, label in _PERSONAL_LISTS:
        for item in _items(entry, path):
            value = _text(item, child)
            if value is not None:
                ofac.apply_remark(builder, interpret_remark(f"{label} {value}"))


def _apply_columns(builder: ofac.EntryBuilder, entry: etree._Element) -> None:
    vessel = entry.find("vesselInfo")
    values = [_text(vessel, child) for child in VESSEL_CHILDREN] if vessel is not None else []
    ofac.apply_columns(builder, _text(entry, "title"), values, _text(vessel, "vesselOwner"))


def _build_entry(
    path: Path, uid: str, entry: etree._Element
) -> tuple[ofac.EntryBuilder, list[str]]:
    """The entry's builder and its alias names."""
    target = _make_target(path, uid, entry)
    programs = [
        text for item in _items(entry, "programList/program") if (text := _element_text(item))
    ]
    ofac.put(target, "program", programs)
    builder = ofac.EntryBuilder(uid, target, ofac.make_sanction(uid, target, programs))
    _apply_columns(builder, entry)
    _apply_ids(builder, entry)
    alias_names = _apply_aliases(builder, entry)
    _apply_addresses(builder, entry)
    _apply_personal(builder, entry)
    for part in split_remarks(_text(entry, "remarks") or ""):
        ofac.apply_remark(builder, interpret_remark(_unwrap(part)))
    return builder, alias_names


def _unwrap(part: str) -> str:
    """The XML remarks wrap a link in parentheses, ``(Linked To: X)``; the CSV does not."""
    inner = part[1:-1].strip() if part.startswith("(") and part.endswith(")") else ""
    if inner and inner.count("(") == inner.count(")") and match_label(inner) is not None:
        return inner
    return part


def _element_text(element: etree._Element) -> str | None:
    value = "".join(element.itertext()).strip()
    return value or None


# --------------------------------------------------------------------------- parse


def _publication(path: Path, root: etree._Element) -> tuple[date | None, int | None, list[str]]:
    """Publish date, Record_Count and warnings from ``publshInformation``."""
    info = root.find("publshInformation")
    if info is None:
        return None, None, ["no publshInformation: publication date and record count unknown"]
    warnings: list[str] = []
    published: date | None = None
    raw_date = _text(info, "Publish_Date")
    if raw_date is not None:
        try:
            published = datetime.strptime(raw_date, PUBLISH_DATE_FORMAT).date()
        except ValueError:
            warnings.append(f"Publish_Date {raw_date!r} is not a MM/DD/YYYY date; ignored")
    count: int | None = None
    raw_count = _text(info, "Record_Count")
    if raw_count is not None:
        element = info.find("Record_Count")
        if not raw_count.isascii() or not raw_count.isdigit():
            where = _where(element) if element is not None else None
            raise SourceError(path, f"Record_Count {raw_count!r} is not a number", where)
        count = int(raw_count)
    return published, count, warnings


def _entry_uid(path: Path, entry: etree._Element, seen: dict[str, int]) -> str:
    uid = _text(entry, "uid")
    if uid is None or not _UID.fullmatch(uid):
        raise SourceError(path, f"sdnEntry uid {uid!r} is not an OFAC record number", _where(entry))
    line = entry.sourceline or 0
    first = seen.setdefault(uid, line)
    if first != line:
        raise SourceError(
            path, f"sdnEntry uid {uid} appears twice (first on line {first})", _where(entry)
        )
    return uid


def parse(path: Path, source: str | None = None) -> ParsedList:
    """Read an OFAC legacy XML file (sdn.xml or consolidated.xml) into entries."""
    path = Path(path)
    root = read_document(path, ROOT_TAG, "an OFAC legacy XML file")
    published, record_count, warnings = _publication(path, root)
    entries = root.findall("sdnEntry")
    if record_count is not None and record_count != len(entries):
        info = root.find("publshInformation")
        element = info.find("Record_Count") if info is not None else None
        raise SourceError(
            path,
            f"Record_Count says {record_count:,} entries but the file holds {len(entries):,} "
            "sdnEntry elements (truncated or incomplete file)",
            _where(element) if element is not None else None,
        )
    builders: dict[str, ofac.EntryBuilder] = {}
    # Names are matched with case and punctuation folded only (no exact pass).
    primary_names, alias_names = ofac.NameIndex(exact=False), ofac.NameIndex(exact=False)
    seen: dict[str, int] = {}
    for entry in entries:
        uid = _entry_uid(path, entry, seen)
        builders[uid], aliases = _build_entry(path, uid, entry)
        for name in aliases:
            alias_names.add(name, uid)
    for uid, builder in builders.items():
        for name in builder.target.get("name"):
            primary_names.add(name, uid)
    warnings.extend(
        ofac.link_warning(ofac.resolve_links(builders, primary_names, alias_names), "the list")
    )
    return ofac.parsed_list(
        builders, source or default_source(path), FORMAT_NAME, path, [path], published, warnings
    )


FORMAT = SourceFormat(
    name=FORMAT_NAME,
    detect=detect,
    parse=parse,
    description="OFAC legacy XML (sdn.xml / consolidated.xml)",
)
