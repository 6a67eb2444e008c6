"""UN Security Council consolidated list (XML) → FtM entities.

The file has one ``<CONSOLIDATED_LIST dateGenerated=...>`` root holding ``<INDIVIDUALS>`` and
``<ENTITIES>``; each ``<INDIVIDUAL>`` / ``<ENTITY>`` becomes one :class:`Entry`:

* the target: a ``Person`` (INDIVIDUAL) or ``Organization`` (ENTITY) with id
  ``unsc-<DATAID>``, topic ``sanction``, names, aliases, identity facts and the comments;
* a ``Sanction`` (authority, committee programme, listing date, UN reference number);
* ``Address``, ``Passport`` and ``Identification`` entities for the addresses and documents;
* ``UnknownLink`` entities where the record's text cites another record of the same file by
  its UN reference number, e.g. "Associated with Al-Qaida (QDe.004)".

Modelling choices worth knowing:

* FIRST..FOURTH_NAME joined are the name; for a person they are also firstName, secondName
  and middleName (the list never says which part is the family name). An entity name ending
  in a bracketed short form, "FOREIGN TRADE BANK (FTB)", stays the name as written and adds
  the long form as an alias and the short form as ``abbreviation``.
* Alias QUALITY Good / a.k.a. / empty → alias, Low → weakAlias, f.k.a. → previousName.
  NAME_ORIGINAL_SCRIPT and "original script: ..." / "In Arabic: ..." in notes → alias.
* Birth dates: DATE, YEAR, every year of a BETWEEN range (its bounds when wider than
  :data:`MAX_YEARS_IN_RANGE`), or the year found in a date NOTE ("Nov. 1973").
  APPROXIMATELY and the notes are kept in the target's notes.
* Documents: TYPE_OF_DOCUMENT in any of the three languages decides Passport or
  Identification; a document whose number is only in free text goes to notes.
* "SWIFT/BIC: ..." and "IMO number: ..." in comments → swiftBic / imoNumber (entities only).
* The Sanction carries UN_LIST_TYPE as program, LISTED_ON as listingDate, COMMENTS1 as reason,
  the latest LAST_DAY_UPDATED as modifiedAt; LIST_TYPE and all update dates in description.

Nothing is dropped silently: a value FtM cannot hold in its property (a country it does not
know, a property the schema lacks) and any element this parser does not know are written
into the target's ``notes`` (and unknown elements into :attr:`ParsedList.warnings`). Only the
bookkeeping elements in :data:`IGNORED_ELEMENTS` are skipped on purpose.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from followthemoney import EntityProxy, model
from lxml import etree

from sanctionscope.sources.base import (
    Entry,
    ParsedList,
    SourceError,
    SourceFormat,
    file_sha256,
    make_entity,
    target_id,
)
from sanctionscope.sources.xmlsafe import parse_xml, sniff_root_tag

FORMAT_NAME = "un_sc_sanctions"
ID_PREFIX = "unsc"
ROOT_TAG = "CONSOLIDATED_LIST"
AUTHORITY = "United Nations Security Council"
SOURCE_URL = "https://main.un.org/securitycouncil/en/content/un-sc-consolidated-list"

# Bookkeeping of the UN's database, not facts about the listed party: skipped on purpose.
IGNORED_ELEMENTS = frozenset({"VERSIONNUM", "SORT_KEY", "SORT_KEY_LAST_MOD"})

# Which record each container holds, and which FtM schema a record becomes.
RECORD_CONTAINERS = {"INDIVIDUALS": "INDIVIDUAL", "ENTITIES": "ENTITY"}
RECORD_SCHEMAS = {"INDIVIDUAL": "Person", "ENTITY": "Organization"}

NAME_PARTS = ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")
# The list does not say which part is the family name, so none is claimed as ``lastName``.
NAME_PART_PROPS = {
    "FIRST_NAME": "firstName",
    "SECOND_NAME": "secondName",
    "THIRD_NAME": "middleName",
    "FOURTH_NAME": "middleName",
}

ALIAS_QUALITY_PROPS = {
    "": "alias",
    "good": "alias",
    "a.k.a.": "alias",
    "low": "weakAlias",
    "f.k.a.": "previousName",
}

# A UN permanent reference number: regime, i(ndividual)/e(ntity), number (QDe.004, KPe.047).
REFERENCE_NUMBER = re.compile(r"\b[A-Z]{2}[ie]\.\d{3}\b")
# "FOREIGN TRADE BANK (FTB)": a trailing all-capitals short form in brackets.
TRAILING_ABBREVIATION = re.compile(r"^(?P<base>.+?)\s*\((?P<abbr>[A-Z0-9][A-Z0-9&.\-]{1,11})\)$")
# Identifiers the DPRK committee writes into the comments of companies and banks.
SWIFT_IN_TEXT = re.compile(r"\bSWIFT(?:/BIC)?\s*:\s*([A-Z]{6}[A-Z0-9]{2}(?:[A-Z0-9]{3})?)\b")
IMO_IN_TEXT = re.compile(r"\bIMO\)?\s+(?:number\s*|no\.?\s*)?:?\s*(\d{7})\b", re.IGNORECASE)
SCRIPT_NAME_IN_TEXT = re.compile(
    r"(?:original script|in arabic(?: script)?)\s*:\s*([^;.()]+)", re.IGNORECASE
)
YEAR_IN_TEXT = re.compile(r"\b(19\d\d|20\d\d)\b")
TRAILING_NUMBER = re.compile(r"(\d[\d /.\-]*\d|\d)\s*$")
SENTENCE_BREAK = re.compile(r"(?<=[.;])\s+(?=[A-Z\"“(])")
# A birth-year range wider than this is kept as its two bounds, not as every year.
MAX_YEARS_IN_RANGE = 10


def detect(path: Path) -> bool:
    """A file whose root element is ``CONSOLIDATED_LIST``."""
    return path.is_file() and sniff_root_tag(path) == ROOT_TAG


def parse(path: Path, source: str | None = None) -> ParsedList:
    """Read a UN consolidated list file completely, or raise :class:`SourceError`."""
    path = Path(path)
    root = parse_xml(path)
    check_root(path, root)
    warnings: list[str] = []
    elements = list(iter_records(path, root))
    if not elements:
        raise SourceError(path, "the list holds no INDIVIDUAL or ENTITY records")
    index = index_records(path, elements)
    entries = [build_entry(record, index, warnings) for record in index.values()]
    return ParsedList(
        source=source or FORMAT_NAME,
        format=FORMAT_NAME,
        path=path,
        entries=entries,
        published=published_date(root, warnings),
        sha256=file_sha256([path]),
        warnings=warnings,
    )


# --- the file: root, containers, records ---------------------------------------------------


@dataclass(frozen=True)
class Record:
    """One INDIVIDUAL or ENTITY element with the two values that identify it."""

    element: etree._Element
    kind: str
    dataid: str
    reference: str

    @property
    def target_id(self) -> str:
        return target_id(ID_PREFIX, self.dataid)


def where(element: etree._Element) -> str:
    """``<INDIVIDUAL> at line 12``: a location a person can open the file at."""
    return f"<{element.tag}> at line {element.sourceline or '?'}"


def check_root(path: Path, root: etree._Element) -> None:
    if root.tag != ROOT_TAG:
        raise SourceError(
            path,
            f"root element is <{root.tag}>, expected <{ROOT_TAG}>: not a UN consolidated list",
            location=where(root),
        )


def published_date(root: etree._Element, warnings: list[str]) -> date | None:
    """The date part of the root's ``dateGenerated`` (``2026-02-27T00:00:09.554Z``)."""
    generated = (root.get("dateGenerated") or "").strip()
    try:
        return date.fromisoformat(generated[:10])
    except ValueError:
        warnings.append(f"dateGenerated {generated!r} on <{ROOT_TAG}> is not a date")
        return None


def element_children(element: etree._Element) -> Iterator[etree._Element]:
    """Child elements only (comments and processing instructions are not elements)."""
    for child in element:
        if isinstance(child.tag, str):
            yield child


def iter_records(path: Path, root: etree._Element) -> Iterator[etree._Element]:
    """Every INDIVIDUAL and ENTITY; anything else at these two levels stops the import."""
    for container in element_children(root):
        record_tag = RECORD_CONTAINERS.get(container.tag)
        if record_tag is None:
            raise SourceError(
                path, f"unexpected element <{container.tag}> in <{ROOT_TAG}>", where(container)
            )
        for element in element_children(container):
            if element.tag != record_tag:
                raise SourceError(
                    path,
                    f"unexpected element <{element.tag}> in <{container.tag}>",
                    where(element),
                )
            yield element


def leaf_text(element: etree._Element) -> str:
    """The element's text with runs of whitespace (line breaks of the file) made one space."""
    return " ".join("".join(element.itertext()).split())


def required_value(path: Path, element: etree._Element, tag: str) -> str:
    found = element.find(tag)
    value = leaf_text(found) if found is not None else ""
    if not value:
        raise SourceError(path, f"record without {tag}", location=where(element))
    return value


def index_records(path: Path, elements: list[etree._Element]) -> dict[str, Record]:
    """Records by REFERENCE_NUMBER; a record without one, or a number used twice, is an error."""
    index: dict[str, Record] = {}
    dataids: set[str] = set()
    for element in elements:
        record = Record(
            element=element,
            kind=element.tag,
            dataid=required_value(path, element, "DATAID"),
            reference=required_value(path, element, "REFERENCE_NUMBER"),
        )
        if record.reference in index:
            raise SourceError(
                path, f"REFERENCE_NUMBER {record.reference} is used twice", where(element)
            )
        if record.dataid in dataids:
            raise SourceError(path, f"DATAID {record.dataid} is used twice", where(element))
        index[record.reference] = record
        dataids.add(record.dataid)
    return index


def sub_fields(element: etree._Element) -> dict[str, list[str]]:
    """``{child tag: [non-empty texts]}`` of a container such as INDIVIDUAL_ADDRESS."""
    fields: dict[str, list[str]] = {}
    for child in element_children(element):
        text = leaf_text(child)
        if text:
            fields.setdefault(child.tag, []).append(text)
    return fields


def first(fields: dict[str, list[str]], tag: str) -> str:
    values = fields.get(tag)
    return values[0] if values else ""


def joined(fields: dict[str, list[str]], tags: tuple[str, ...]) -> str:
    return ", ".join(value for tag in tags for value in fields.get(tag, []))


# --- one record → one entry ----------------------------------------------------------------


@dataclass
class EntryBuilder:
    """Collects what one record says while its elements are read, then makes the Entry."""

    record: Record
    index: dict[str, Record]
    warnings: list[str]
    target: EntityProxy
    sanction: EntityProxy
    related: dict[str, EntityProxy] = field(default_factory=dict)
    name_parts: dict[str, list[str]] = field(default_factory=dict)
    update_dates: list[str] = field(default_factory=list)
    # (what the text is, the text) for every text that may cite other records.
    citing_texts: list[tuple[str, str]] = field(default_factory=list)

    def add(self, entity: EntityProxy, prop: str, value: str, label: str) -> None:
        """Add ``value``; if FtM cannot hold it there, keep it in the target's notes."""
        if not value:
            return
        schema_prop = entity.schema.get(prop)
        if schema_prop is not None and entity.unsafe_add(schema_prop, value) is not None:
            return
        self.note(f"{label}: {value}")

    def note(self, text: str) -> None:
        self.target.add("notes", text)

    def warn(self, text: str) -> None:
        message = f"{self.record.reference}: {text}"
        if message not in self.warnings:
            self.warnings.append(message)

    def attach(self, entity: EntityProxy) -> None:
        """Keep a related entity; the same id twice (one passport in three languages) merges."""
        key = str(entity.id)
        existing = self.related.get(key)
        if existing is None:
            self.related[key] = entity
        else:
            existing.merge(entity)

    def unknown(self, element: etree._Element, context: str) -> None:
        text = leaf_text(element)
        label = f"{context}/{element.tag}" if context else element.tag
        self.warn(f"unknown element <{label}> kept in notes ({where(element)})")
        if text:
            self.note(f"{label}: {text}")


def build_entry(record: Record, index: dict[str, Record], warnings: list[str]) -> Entry:
    builder = EntryBuilder(
        record=record,
        index=index,
        warnings=warnings,
        target=new_target(record),
        sanction=new_sanction(record),
    )
    for child in element_children(record.element):
        handler = RECORD_HANDLERS.get(child.tag)
        if handler is None:
            builder.unknown(child, "")
        else:
            handler(builder, child)
    finish_names(builder)
    finish_sanction(builder)
    add_identifiers_from_comments(builder)
    add_citation_links(builder)
    related = [builder.sanction, *builder.related.values()]
    return Entry(source_id=record.reference, target=builder.target, related=related)


def new_target(record: Record) -> EntityProxy:
    target = model.make_entity(RECORD_SCHEMAS[record.kind])
    target.id = record.target_id
    target.add("topics", "sanction")
    return target


def new_sanction(record: Record) -> EntityProxy:
    sanction = make_entity("Sanction", ID_PREFIX, record.dataid, "sanction")
    sanction.add("entity", record.target_id)
    sanction.add("authority", AUTHORITY)
    sanction.add("recordId", record.reference)
    sanction.add("unscId", record.reference)
    sanction.add("sourceUrl", SOURCE_URL)
    return sanction


# --- handlers for the children of INDIVIDUAL / ENTITY --------------------------------------


def handled_elsewhere(builder: EntryBuilder, element: etree._Element) -> None:
    """DATAID and REFERENCE_NUMBER are read before the record is built."""


def ignore(builder: EntryBuilder, element: etree._Element) -> None:
    """An element of :data:`IGNORED_ELEMENTS`."""


def collect_name_part(builder: EntryBuilder, element: etree._Element) -> None:
    text = leaf_text(element)
    if text:
        builder.name_parts.setdefault(element.tag, []).append(text)


def read_list_type(builder: EntryBuilder, element: etree._Element) -> None:
    """UN_LIST_TYPE: the sanctions regime (committee), e.g. ``DPRK``, ``Al-Qaida``."""
    regime = leaf_text(element)
    if not regime:
        return
    program_id = "UNSC-" + re.sub(r"[^A-Z0-9]+", "-", regime.upper()).strip("-")
    for entity in (builder.sanction, builder.target):
        entity.add("program", regime)
        entity.add("programId", program_id)


def read_listed_on(builder: EntryBuilder, element: etree._Element) -> None:
    builder.add(builder.sanction, "listingDate", leaf_text(element), "Listed on")


def read_gender(builder: EntryBuilder, element: etree._Element) -> None:
    builder.add(builder.target, "gender", leaf_text(element).lower(), "Gender")


def read_comments(builder: EntryBuilder, element: etree._Element) -> None:
    text = leaf_text(element)
    if text:
        builder.target.add("notes", text)
        builder.sanction.add("reason", text)
        builder.citing_texts.append(("comments", text))


def read_original_script_name(builder: EntryBuilder, element: etree._Element) -> None:
    builder.add(builder.target, "alias", leaf_text(element), "Name in original script")


def value_reader(prop: str, label: str) -> Callable[[EntryBuilder, etree._Element], None]:
    """A handler for ``<TAG><VALUE>..</VALUE>...</TAG>`` lists (TITLE, NATIONALITY...)."""

    def read_values(builder: EntryBuilder, element: etree._Element) -> None:
        for child in element_children(element):
            if child.tag != "VALUE":
                builder.unknown(child, element.tag)
                continue
            value = leaf_text(child)
            builder.add(builder.target, prop, value, label)
            if prop == "position" and value:
                builder.citing_texts.append(("designation", value))

    return read_values


def read_list_kind(builder: EntryBuilder, element: etree._Element) -> None:
    """LIST_TYPE (``UN List``): which UN list publication carries the record."""
    for child in element_children(element):
        if child.tag != "VALUE":
            builder.unknown(child, element.tag)
        elif value := leaf_text(child):
            builder.sanction.add("description", f"List type: {value}")


def read_update_dates(builder: EntryBuilder, element: etree._Element) -> None:
    for child in element_children(element):
        if child.tag != "VALUE":
            builder.unknown(child, element.tag)
        elif value := leaf_text(child):
            builder.update_dates.append(value)


def read_alias(builder: EntryBuilder, element: etree._Element) -> None:
    """INDIVIDUAL_ALIAS / ENTITY_ALIAS: QUALITY decides alias, weakAlias or previousName."""
    fields = checked_fields(builder, element, ALIAS_FIELDS)
    name = first(fields, "ALIAS_NAME")
    quality = first(fields, "QUALITY")
    prop = ALIAS_QUALITY_PROPS.get(quality.lower())
    if prop is None:
        prop = "alias"
        builder.warn(f"alias quality {quality!r} unknown, read as alias")
    if name:
        builder.add(builder.target, prop, name, "Alias")
    for birth_date in fields.get("DATE_OF_BIRTH", []):
        builder.add(builder.target, "birthDate", birth_date, f"Date of birth of alias {name}")
    birth_place = joined(fields, ("CITY_OF_BIRTH", "COUNTRY_OF_BIRTH"))
    builder.add(builder.target, "birthPlace", birth_place, f"Place of birth of alias {name}")
    for country in fields.get("COUNTRY_OF_BIRTH", []):
        builder.add(builder.target, "birthCountry", country, f"Birth country of alias {name}")
    for note in fields.get("NOTE", []):
        builder.note(f"Alias {name}: {note}" if name else f"Alias: {note}")
        builder.citing_texts.append(("alias note", note))
        add_script_names(builder, note)


def read_address(builder: EntryBuilder, element: etree._Element) -> None:
    """INDIVIDUAL_ADDRESS / ENTITY_ADDRESS → an Address entity linked from the target."""
    fields = checked_fields(builder, element, ADDRESS_FIELDS)
    full = joined(fields, ("STREET", "CITY", "STATE_PROVINCE", "ZIP_CODE", "COUNTRY"))
    notes = fields.get("NOTE", [])
    if not full:
        # Some addresses are only a sentence ("Located in Yemen since Nov. 2008").
        full = "; ".join(notes)
        notes = []
    if not full:
        return
    address = make_entity("Address", ID_PREFIX, builder.record.dataid, full)
    address.add("full", full)
    for tag, prop in ADDRESS_PARTS.items():
        for value in fields.get(tag, []):
            builder.add(address, prop, value, f"Address {tag.lower()}")
    address.add("remarks", notes)
    builder.attach(address)
    builder.target.add("addressEntity", address.id)
    builder.target.add("address", full)
    for country in fields.get("COUNTRY", []):
        builder.add(builder.target, "country", country, "Address country")


def read_birth_date(builder: EntryBuilder, element: etree._Element) -> None:
    """INDIVIDUAL_DATE_OF_BIRTH: an exact date, a year, or a BETWEEN range of years."""
    fields = checked_fields(builder, element, BIRTH_DATE_FIELDS)
    kind = first(fields, "TYPE_OF_DATE").upper()
    values = [*fields.get("DATE", []), *fields.get("YEAR", []), *year_range(fields)]
    notes = fields.get("NOTE", [])
    if not values:
        # "Nov. 1973", "Between Aug. and Sep. 1977": the year is still worth matching on.
        values = [year for note in notes for year in YEAR_IN_TEXT.findall(note)]
    for value in values:
        builder.add(builder.target, "birthDate", value, "Date of birth")
    if kind == "APPROXIMATELY" and values:
        builder.note(f"Date of birth approximately: {', '.join(values)}")
    for note in notes:
        builder.note(f"Date of birth: {note}")


def year_range(fields: dict[str, list[str]]) -> list[str]:
    """FROM_YEAR..TO_YEAR as every year in between, or as the two bounds when wide."""
    start, end = first(fields, "FROM_YEAR"), first(fields, "TO_YEAR")
    if start.isdigit() and end.isdigit() and 0 <= int(end) - int(start) <= MAX_YEARS_IN_RANGE:
        return [str(year) for year in range(int(start), int(end) + 1)]
    return [bound for bound in (start, end) if bound]


def read_birth_place(builder: EntryBuilder, element: etree._Element) -> None:
    fields = checked_fields(builder, element, BIRTH_PLACE_FIELDS)
    place = joined(fields, ("STREET", "CITY", "STATE_PROVINCE", "COUNTRY"))
    notes = fields.get("NOTE", [])
    if place:
        builder.add(builder.target, "birthPlace", place, "Place of birth")
        for note in notes:
            builder.note(f"Place of birth {place}: {note}")
    else:
        for note in notes:
            builder.add(builder.target, "birthPlace", note, "Place of birth")
    for country in fields.get("COUNTRY", []):
        builder.add(builder.target, "birthCountry", country, "Birth country")


def read_document(builder: EntryBuilder, element: etree._Element) -> None:
    """INDIVIDUAL_DOCUMENT → Passport or Identification, and its number on the target."""
    fields = checked_fields(builder, element, DOCUMENT_FIELDS)
    if not fields:
        return
    kind = first(fields, "TYPE_OF_DOCUMENT")
    detail = first(fields, "TYPE_OF_DOCUMENT2").rstrip(" :")  # "Italian Fiscal Code:"
    number = first(fields, "NUMBER") or number_in_label(detail)
    countries = [*fields.get("ISSUING_COUNTRY", []), *fields.get("COUNTRY_OF_ISSUE", [])]
    if not number:
        builder.note("Document: " + "; ".join(v for vs in fields.values() for v in vs))
        return
    passport = is_passport(kind)
    schema = "Passport" if passport else "Identification"
    issued = first(fields, "DATE_OF_ISSUE")
    key_country = countries[0] if countries else ""
    document = make_entity(schema, ID_PREFIX, builder.record.dataid, schema, number, key_country)
    document.add("holder", builder.record.target_id)
    document.add("number", number)
    document.add("type", [detail or kind])
    for country in countries:
        builder.add(document, "country", country, "Document country")
    builder.add(document, "startDate", issued, f"Document {number} issued")
    for city in fields.get("CITY_OF_ISSUE", []):
        document.add("description", f"Issued in {city}")
    for note in fields.get("NOTE", []):
        document.add("summary", note)
        add_script_names(builder, note)
    builder.attach(document)
    builder.target.add("passportNumber" if passport else "idNumber", number)


def add_script_names(builder: EntryBuilder, note: str) -> None:
    """Names a note gives in another script: 'original script: Абу Банат', 'In Arabic: ...'."""
    for name in SCRIPT_NAME_IN_TEXT.findall(note):
        builder.add(builder.target, "alias", name.strip(), "Name in original script")


def is_passport(kind: str) -> bool:
    """TYPE_OF_DOCUMENT in English, French or Spanish ("Numéro de passeport")."""
    lowered = kind.lower()
    return any(word in lowered for word in ("passport", "passeport", "pasaporte"))


def number_in_label(label: str) -> str:
    """'Afghan national identification card (tazkira) number 545167' → '545167'."""
    found = TRAILING_NUMBER.search(label)
    return found.group(1).strip() if found else ""


def checked_fields(
    builder: EntryBuilder, element: etree._Element, known: frozenset[str]
) -> dict[str, list[str]]:
    """The sub-fields of a container; sub-elements this parser does not know go to notes."""
    for child in element_children(element):
        if child.tag not in known:
            builder.unknown(child, element.tag)
    return {tag: values for tag, values in sub_fields(element).items() if tag in known}


ALIAS_FIELDS = frozenset(
    {"QUALITY", "ALIAS_NAME", "DATE_OF_BIRTH", "CITY_OF_BIRTH", "COUNTRY_OF_BIRTH", "NOTE"}
)
ADDRESS_PARTS = {
    "STREET": "street",
    "CITY": "city",
    "STATE_PROVINCE": "state",
    "ZIP_CODE": "postalCode",
    "COUNTRY": "country",
}
ADDRESS_FIELDS = frozenset({*ADDRESS_PARTS, "NOTE"})
BIRTH_DATE_FIELDS = frozenset({"TYPE_OF_DATE", "DATE", "YEAR", "FROM_YEAR", "TO_YEAR", "NOTE"})
BIRTH_PLACE_FIELDS = frozenset({"STREET", "CITY", "STATE_PROVINCE", "COUNTRY", "NOTE"})
DOCUMENT_FIELDS = frozenset(
    {
        "TYPE_OF_DOCUMENT",
        "TYPE_OF_DOCUMENT2",
        "NUMBER",
        "ISSUING_COUNTRY",
        "COUNTRY_OF_ISSUE",
        "DATE_OF_ISSUE",
        "CITY_OF_ISSUE",
        "NOTE",
    }
)

RECORD_HANDLERS: dict[str, Callable[[EntryBuilder, etree._Element], None]] = {
    "DATAID": handled_elsewhere,
    "REFERENCE_NUMBER": handled_elsewhere,
    **{tag: ignore for tag in IGNORED_ELEMENTS},
    **{tag: collect_name_part for tag in NAME_PARTS},
    "UN_LIST_TYPE": read_list_type,
    "LISTED_ON": read_listed_on,
    "GENDER": read_gender,
    "COMMENTS1": read_comments,
    "NAME_ORIGINAL_SCRIPT": read_original_script_name,
    "TITLE": value_reader("title", "Title"),
    "DESIGNATION": value_reader("position", "Designation"),
    "NATIONALITY": value_reader("nationality", "Nationality"),
    "LIST_TYPE": read_list_kind,
    "LAST_DAY_UPDATED": read_update_dates,
    "INDIVIDUAL_ALIAS": read_alias,
    "ENTITY_ALIAS": read_alias,
    "INDIVIDUAL_ADDRESS": read_address,
    "ENTITY_ADDRESS": read_address,
    "INDIVIDUAL_DATE_OF_BIRTH": read_birth_date,
    "INDIVIDUAL_PLACE_OF_BIRTH": read_birth_place,
    "INDIVIDUAL_DOCUMENT": read_document,
}


# --- after all elements are read -----------------------------------------------------------


def finish_names(builder: EntryBuilder) -> None:
    """The name is the parts in order; a person also gets them as name parts."""
    parts = [value for tag in NAME_PARTS for value in builder.name_parts.get(tag, [])]
    name = " ".join(parts)
    if not name:
        builder.warn("record without a name")
        return
    target = builder.target
    target.add("name", name)
    if target.schema.is_a("Person"):
        for tag, prop in NAME_PART_PROPS.items():
            target.add(prop, builder.name_parts.get(tag, []))
        return
    short = TRAILING_ABBREVIATION.match(name)
    if short:
        target.add("alias", short.group("base"))
        target.add("abbreviation", short.group("abbr"))


def finish_sanction(builder: EntryBuilder) -> None:
    """modifiedAt is the latest LAST_DAY_UPDATED; the whole history stays in description."""
    dates = sorted(set(builder.update_dates))
    if not dates:
        return
    builder.add(builder.sanction, "modifiedAt", dates[-1], "Last updated")
    builder.sanction.add("description", "Updated on: " + ", ".join(dates))


def add_identifiers_from_comments(builder: EntryBuilder) -> None:
    """SWIFT/BIC and IMO company numbers written in the comments, where the schema has them."""
    target = builder.target
    for _, text in builder.citing_texts:
        if target.schema.get("swiftBic") is not None:
            target.add("swiftBic", SWIFT_IN_TEXT.findall(text))
        if target.schema.get("imoNumber") is not None:
            target.add("imoNumber", IMO_IN_TEXT.findall(text))


def add_citation_links(builder: EntryBuilder) -> None:
    """An UnknownLink to every other record of this file that the record's text cites."""
    own = builder.record
    for label, text in builder.citing_texts:
        for reference in REFERENCE_NUMBER.findall(text):
            if reference == own.reference:
                continue
            cited = builder.index.get(reference)
            if cited is None:
                builder.warn(f"{reference}, cited in the {label}, is not in this list")
                continue
            link = make_entity("UnknownLink", ID_PREFIX, own.dataid, "cites", cited.dataid)
            link.add("subject", own.target_id)
            link.add("object", cited.target_id)
            link.add("role", f"Mentioned in UN {label}")
            link.add("description", sentence_with(text, reference))
            link.add("recordId", own.reference)
            builder.attach(link)


def sentence_with(text: str, needle: str) -> str:
    for sentence in SENTENCE_BREAK.split(text):
        if needle in sentence:
            return sentence.strip()
    return text


FORMAT = SourceFormat(
    name=FORMAT_NAME,
    detect=detect,
    parse=parse,
    description="UN Security Council consolidated list XML",
)
