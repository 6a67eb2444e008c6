"""EU Financial Sanctions Files (FSF): one record model for both layouts, and its FtM entities.

The EU consolidated list is published as CSV v1.1 (:mod:`sanctionscope.sources.eu_fsf`, one
row per item) and as XML 1.1 (:mod:`sanctionscope.sources.eu_fsf_xml`, one ``sanctionEntity``
element per designation). Both readers fill the same :class:`Record`, so the same designation
gives the same entities whichever file it came from.

Entity model, one :class:`Entry` per ``Entity_LogicalId`` / ``logicalId``:

* target ``eu-fsf-<logical id>``: subject type person → Person, enterprise → Organization,
  anything else → LegalEntity (with a warning).
* names: the first strong name in Latin script with no language (or EN) is ``name``; every
  other strong name, including names in other scripts and languages, is ``alias``; names the
  XML marks ``strong="false"`` are ``weakAlias``. First, middle and last names, gender, title
  and function (``position``) of persons; name remarks → ``notes``.
* birth dates: full dates, year-month and year only; a year range gives each year (up to
  :data:`MAX_YEAR_RANGE` years, else its two ends). Birth place from place, city, zip code,
  region and country; ``birthCountry`` from the ISO code (``00`` means unknown).
* citizenships → ``nationality`` of persons (``country`` of others), from the ISO codes.
* identifications: passports → Passport entities (and ``passportNumber``); others →
  Identification entities plus the FtM property of that kind where one exists
  (:data:`IDENTIFIER_PROPERTIES`, or keywords of the type description).
* addresses → Address entities; the target gets ``addressEntity`` and ``country``.
* one Sanction: authority the EU, country ``eu``, ``authorityId`` = EU reference number,
  ``unscId`` = UN reference (kept: it links the EU and UN records of one party), program and
  ``programId`` ``EU-<programme>``, regulation title, publication date and URL, entry into
  force (``startDate``), designation date (``listingDate``) and details (``reason``).
* entity remarks → ``notes`` of the target.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import TypeVar

from followthemoney import EntityProxy, registry
from rigour.text.scripts import is_latin

from sanctionscope.sources.base import (
    Entry,
    ParsedList,
    make_entity,
    new_listing,
)
from sanctionscope.sources.ofac_common import add_value
from sanctionscope.sources.tabular import check_readable, one_file_list

_T = TypeVar("_T")

DATASET = "eu_fsf"
ID_PREFIX = "eu-fsf"
AUTHORITY = "European Union"
SOURCE_URL = (
    "https://data.europa.eu/data/datasets/consolidated-list-of-persons-groups-and-entities-"
    "subject-to-eu-financial-sanctions"
)

#: A birth year range wider than this is kept as its two ends only.
MAX_YEAR_RANGE = 10
UNKNOWN_COUNTRY_CODES = frozenset({"", "00"})
_UNKNOWN_TEXT = frozenset({"", "unknown", "undetermined", "00"})

_SCHEMA_BY_SUBJECT = {
    "person": "Person",
    "p": "Person",
    "enterprise": "Organization",
    "e": "Organization",
}
_FALLBACK_SCHEMA = "LegalEntity"
_PRIMARY_LANGUAGES = frozenset({"", "en"})

#: Identification type codes of the FSF → FtM property of the target.
IDENTIFIER_PROPERTIES = {
    "id": "idNumber",
    "nationalid": "idNumber",
    "regnumber": "registrationNumber",
    "fiscalcode": "taxNumber",
    "tin": "taxNumber",
    "swiftbic": "swiftBic",
    "bic": "swiftBic",
    "imo": "imoNumber",
    "ssn": "socialSecurityNumber",
}
#: For codes like ``other``: keywords of the type description → FtM property.
_DESCRIPTION_PROPERTIES = (
    (re.compile(r"\bINN\b"), "innCode"),
    (re.compile(r"\bOGRN\b"), "ogrnCode"),
    (re.compile(r"\b(tax|fiscal|TIN)\b", re.I), "taxNumber"),
    (re.compile(r"\bregist(ration|ry|er)\b", re.I), "registrationNumber"),
    (re.compile(r"\b(SWIFT|BIC)\b"), "swiftBic"),
    (re.compile(r"\bIMO\b"), "imoNumber"),
    (re.compile(r"\b(national identi|identity card|id card)", re.I), "idNumber"),
)
_FALLBACK_PROPERTIES = {"innCode": "taxNumber", "ogrnCode": "registrationNumber"}
_PASSPORT = re.compile(r"passport", re.I)

_ISO = re.compile(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")
_DMY = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")


# ------------------------------------------------------------------------ model


@dataclass(frozen=True)
class Regulation:
    regulation_type: str = ""
    organisation_type: str = ""
    publication_date: str = ""
    entry_into_force_date: str = ""
    number_title: str = ""
    programme: str = ""
    publication_url: str = ""


@dataclass(frozen=True)
class NameAlias:
    whole_name: str = ""
    first_name: str = ""
    middle_name: str = ""
    last_name: str = ""
    language: str = ""
    gender: str = ""
    title: str = ""
    function: str = ""
    strong: bool = True
    remark: str = ""

    @property
    def text(self) -> str:
        if self.whole_name:
            return self.whole_name
        return " ".join(p for p in (self.first_name, self.middle_name, self.last_name) if p)


@dataclass(frozen=True)
class Address:
    street: str = ""
    po_box: str = ""
    zip_code: str = ""
    city: str = ""
    place: str = ""
    region: str = ""
    country_iso2: str = ""
    country_description: str = ""
    as_at_listing_time: bool = False
    contact_info: str = ""
    remark: str = ""


@dataclass(frozen=True)
class BirthDate:
    birth_date: str = ""
    day: str = ""
    month: str = ""
    year: str = ""
    year_from: str = ""
    year_to: str = ""
    circa: bool = False
    calendar_type: str = ""
    place: str = ""
    city: str = ""
    zip_code: str = ""
    region: str = ""
    country_iso2: str = ""
    country_description: str = ""
    remark: str = ""


@dataclass(frozen=True)
class Document:
    number: str = ""
    type_code: str = ""
    type_description: str = ""
    issued_by: str = ""
    issued_date: str = ""
    valid_from: str = ""
    valid_to: str = ""
    latin_number: str = ""
    name_on_document: str = ""
    region: str = ""
    country_iso2: str = ""
    country_description: str = ""
    diplomatic: bool = False
    known_expired: bool = False
    known_false: bool = False
    reported_lost: bool = False
    revoked_by_issuer: bool = False
    remark: str = ""


@dataclass(frozen=True)
class Citizenship:
    country_iso2: str = ""
    country_description: str = ""
    region: str = ""
    remark: str = ""


@dataclass
class Record:
    """One designation (``sanctionEntity``) as the list states it; ``location`` says where it
    starts in the file (``line 7``, ``sanctionEntity 3``)."""

    logical_id: str
    location: str
    eu_reference: str = ""
    un_id: str = ""
    designation_date: str = ""
    designation_details: str = ""
    subject_code: str = ""
    subject_classification: str = ""
    remarks: list[str] = field(default_factory=list)
    regulations: list[Regulation] = field(default_factory=list)
    names: list[NameAlias] = field(default_factory=list)
    addresses: list[Address] = field(default_factory=list)
    birth_dates: list[BirthDate] = field(default_factory=list)
    documents: list[Document] = field(default_factory=list)
    citizenships: list[Citizenship] = field(default_factory=list)

    def merge(self, other: Record) -> None:
        """Take in the items of another block of the same designation (same logical id)."""
        for remark in other.remarks:
            append_new(self.remarks, remark)
        for regulation in other.regulations:
            append_new(self.regulations, regulation)
        for name in other.names:
            append_new(self.names, name)
        for address in other.addresses:
            append_new(self.addresses, address)
        for birth_date in other.birth_dates:
            append_new(self.birth_dates, birth_date)
        for document in other.documents:
            append_new(self.documents, document)
        for citizenship in other.citizenships:
            append_new(self.citizenships, citizenship)


def append_new(items: list[_T], item: _T) -> None:
    """Add ``item`` unless an equal one is there (CSV rows repeat the entity's fields)."""
    if item not in items:
        items.append(item)


def truthy(text: str) -> bool:
    """The list's booleans: ``true``/``false`` in the XML, ``YES``/``NO`` in the CSV."""
    return text.strip().lower() in ("true", "yes", "y", "1")


# ------------------------------------------------------------------------ dates


@lru_cache(maxsize=4096)
def iso_date(text: str) -> str | None:
    """``2003-07-08``, ``2003-07``, ``2003``, ``08/07/2003`` (or an ISO date-time) → ISO
    (prefix) date; None if it is not a valid date."""
    value = text.strip()
    match = _DMY.fullmatch(value)
    if match is not None:
        day, month, year = (int(part) for part in match.groups())
        return _checked(year, month, day)
    match = _ISO.match(value)
    if match is None or (match.end() < len(value) and value[match.end()] not in "T "):
        return None
    year = int(match[1])
    month = int(match[2]) if match[2] else 0
    day = int(match[3]) if match[3] else 0
    return _checked(year, month, day)


def _checked(year: int, month: int, day: int) -> str | None:
    if not 1000 <= year <= 2999:
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


def parse_date(text: str) -> date | None:
    iso = iso_date(text)
    if iso is None or len(iso) != 10:
        return None
    return date.fromisoformat(iso)


def _small_int(text: str) -> int:
    value = text.strip()
    return int(value) if value.isdigit() and len(value) <= 4 else 0


def birth_date_values(item: BirthDate) -> list[str]:
    """ISO (prefix) dates a birth-date item stands for; [] when it states none."""
    full = iso_date(item.birth_date) if item.birth_date else None
    if full is not None:
        return [full]
    year = _small_int(item.year)
    if year:
        found = _checked(year, _small_int(item.month), _small_int(item.day))
        if found is None:
            found = _checked(year, 0, 0)
        return [found] if found else []
    start, end = _small_int(item.year_from), _small_int(item.year_to)
    if start and end and start <= end:
        if end - start <= MAX_YEAR_RANGE:
            years = range(start, end + 1)
        else:
            years = range(start, end + 1, end - start)
        return [y for y in (_checked(year, 0, 0) for year in years) if y]
    single = _checked(start or end, 0, 0) if (start or end) else None
    return [single] if single else []


# ---------------------------------------------------------------------- builder


def country_code(iso2: str, description: str = "") -> str | None:
    code = iso2.strip()
    if code.upper() not in UNKNOWN_COUNTRY_CODES:
        cleaned = _clean_country(code)
        if cleaned is not None:
            return cleaned
    text = description.strip()
    if text.lower() in _UNKNOWN_TEXT:
        return None
    return _clean_country(text)


@lru_cache(maxsize=2048)
def _clean_country(text: str) -> str | None:
    return registry.country.clean(text)


def _known(text: str) -> str:
    return "" if text.strip().lower() in _UNKNOWN_TEXT else text.strip()


@dataclass
class _Builder:
    record: Record
    entry: Entry
    warnings: list[str]
    related_ids: set[str] = field(default_factory=set)

    @property
    def target(self) -> EntityProxy:
        return self.entry.target

    @property
    def sanction(self) -> EntityProxy:
        return self.entry.related[0]

    @property
    def is_person(self) -> bool:
        return self.target.schema.is_a("Person")

    def put(self, entity: EntityProxy, prop: str, value: str | None) -> None:
        """Add a value if the schema has the property and FtM's (cached) cleaning accepts it."""
        if not value:
            return
        found = entity.schema.properties.get(prop)
        if found is not None and found.format is not None:
            entity.add(prop, value)  # FtM checks identifier formats (INN, BIC, IMO) here
        else:
            add_value(entity, prop, value)

    def put_country(self, entity: EntityProxy, prop: str, code: str | None) -> None:
        if code is not None and prop in entity.schema.properties:
            entity.add(prop, code, cleaned=True)

    def relate(self, entity: EntityProxy) -> None:
        if entity.id is not None and entity.id not in self.related_ids:
            self.related_ids.add(entity.id)
            self.entry.related.append(entity)

    def warn(self, message: str) -> None:
        self.warnings.append(
            f"{self.record.location}: Entity_LogicalId {self.record.logical_id}: {message}"
        )


def schema_for(record: Record) -> str | None:
    for value in (record.subject_code, record.subject_classification):
        schema = _SCHEMA_BY_SUBJECT.get(value.strip().lower())
        if schema is not None:
            return schema
    return None


def build_entry(record: Record, warnings: list[str]) -> Entry | None:
    """The Entry of one designation; None (with a warning) when it has no name at all."""
    schema = schema_for(record)
    entry = new_listing(
        schema or _FALLBACK_SCHEMA, ID_PREFIX, record.logical_id, AUTHORITY, "eu", SOURCE_URL
    )
    builder = _Builder(record, entry, warnings)
    if schema is None:
        builder.warn(
            f"unknown subject type {record.subject_code or record.subject_classification!r}; "
            f"read as {_FALLBACK_SCHEMA}"
        )
    if not _add_names(builder):
        builder.warn("no name; the designation was not imported")
        return None
    for remark in record.remarks:
        builder.put(builder.target, "notes", remark)
    for item in record.birth_dates:
        _add_birth_date(builder, item)
    for citizenship in record.citizenships:
        _add_citizenship(builder, citizenship)
    for document in record.documents:
        _add_document(builder, document)
    for address in record.addresses:
        _add_address(builder, address)
    _add_sanction(builder)
    return entry


def _primary_name(names: list[NameAlias]) -> NameAlias | None:
    strong = [n for n in names if n.strong and n.text]
    for candidates in (
        [n for n in strong if n.language.lower() in _PRIMARY_LANGUAGES and is_latin(n.text)],
        [n for n in strong if is_latin(n.text)],
        strong,
        [n for n in names if n.text],
    ):
        if candidates:
            return candidates[0]
    return None


def _add_names(builder: _Builder) -> bool:
    primary = _primary_name(builder.record.names)
    if primary is None:
        return False
    target = builder.target
    target.add("name", primary.text)
    for alias in builder.record.names:
        if alias is not primary and alias.text and alias.text != primary.text:
            builder.put(target, "alias" if alias.strong else "weakAlias", alias.text)
        if builder.is_person:
            builder.put(target, "firstName", alias.first_name)
            builder.put(target, "middleName", alias.middle_name)
            builder.put(target, "lastName", alias.last_name)
            builder.put(target, "title", alias.title)
            builder.put(target, "position", alias.function)
            if alias.gender:
                builder.put(target, "gender", registry.gender.clean(alias.gender))
        else:
            builder.put(target, "notes", alias.function)
        builder.put(target, "notes", alias.remark)
    return True


def _add_birth_date(builder: _Builder, item: BirthDate) -> None:
    values = birth_date_values(item)
    stated = any((item.birth_date, item.day, item.month, item.year, item.year_from, item.year_to))
    if stated and not values:
        builder.warn(f"birth date {item.birth_date or item.year!r} is not a date; not kept")
    place = ", ".join(
        part
        for part in (
            item.place,
            item.city,
            item.zip_code,
            item.region,
            _known(item.country_description),
        )
        if part
    )
    if not builder.is_person:
        if values or place:
            summary = ", ".join(p for p in (" / ".join(values), place) if p)
            builder.put(builder.target, "notes", f"Birth date given for a non-person: {summary}")
        return
    for value in values:
        builder.target.add("birthDate", value, cleaned=True)
        if item.circa:
            builder.put(builder.target, "notes", f"Birth date {value} is approximate (circa)")
    builder.put(builder.target, "birthPlace", place)
    builder.put_country(
        builder.target, "birthCountry", country_code(item.country_iso2, item.country_description)
    )
    builder.put(builder.target, "notes", item.remark)


def _add_citizenship(builder: _Builder, item: Citizenship) -> None:
    code = country_code(item.country_iso2, item.country_description)
    prop = "nationality" if builder.is_person else "country"
    if code is None and (item.country_iso2 or item.country_description).strip().upper() not in (
        UNKNOWN_COUNTRY_CODES | {"UNKNOWN"}
    ):
        builder.warn(f"citizenship {item.country_iso2 or item.country_description!r} not known")
    builder.put_country(builder.target, prop, code)
    builder.put(builder.target, "notes", item.remark)


def identifier_property(item: Document) -> str | None:
    prop = IDENTIFIER_PROPERTIES.get(item.type_code.strip().lower())
    if prop is not None:
        return prop
    for pattern, name in _DESCRIPTION_PROPERTIES:
        if pattern.search(item.type_description):
            return name
    return None


def _is_passport(item: Document) -> bool:
    code = item.type_code.strip().lower()
    return code == "passport" or (
        code in ("", "other") and bool(_PASSPORT.search(item.type_description))
    )


def _document_flags(item: Document) -> str:
    flags = [
        label
        for label, on in (
            ("diplomatic", item.diplomatic),
            ("known to be expired", item.known_expired),
            ("known to be false", item.known_false),
            ("reported lost", item.reported_lost),
            ("revoked by the issuer", item.revoked_by_issuer),
        )
        if on
    ]
    return "; ".join(flags)


def _add_document(builder: _Builder, item: Document) -> None:
    number = item.number.strip() or item.latin_number.strip()
    if not number:
        if item.remark or item.type_description:
            builder.put(
                builder.target,
                "notes",
                ": ".join(p for p in (item.type_description, item.remark) if p),
            )
        return
    passport = _is_passport(item)
    schema = "Passport" if passport else "Identification"
    kind = "passport" if passport else "id"
    doc = make_entity(schema, ID_PREFIX, builder.record.logical_id, kind, number)
    doc.add("holder", builder.target.id)
    doc.add("number", number)
    if item.latin_number and item.latin_number.strip() != number:
        doc.add("number", item.latin_number.strip())
    builder.put(doc, "type", item.type_description or item.type_code)
    builder.put_country(doc, "country", country_code(item.country_iso2, item.country_description))
    builder.put(doc, "authority", item.issued_by)
    builder.put(doc, "startDate", iso_date(item.issued_date or item.valid_from))
    builder.put(doc, "endDate", iso_date(item.valid_to))
    builder.put(doc, "namesMentioned", item.name_on_document)
    builder.put(doc, "summary", item.remark)
    builder.put(doc, "description", _document_flags(item))
    builder.relate(doc)
    prop = "passportNumber" if passport else identifier_property(item)
    if prop is not None:
        builder.put(builder.target, prop, number)
        fallback = _FALLBACK_PROPERTIES.get(prop)
        if fallback is not None and number not in builder.target.get(prop):
            # FtM refuses an INN/OGRN that fails its checksum; keep it as a plain number.
            builder.put(builder.target, fallback, number)


def address_text(item: Address) -> str:
    post_box = f"P.O. Box {item.po_box}" if item.po_box else ""
    town = " ".join(p for p in (item.zip_code, item.city) if p)
    parts = (item.street, post_box, town, item.place, item.region, _known(item.country_description))
    return ", ".join(p for p in parts if p)


def _add_address(builder: _Builder, item: Address) -> None:
    full = address_text(item)
    code = country_code(item.country_iso2, item.country_description)
    if not full:
        builder.put_country(builder.target, "country", code)
        return
    address = make_entity("Address", ID_PREFIX, builder.record.logical_id, "address", full)
    address.add("full", full)
    builder.put(address, "street", item.street)
    builder.put(address, "postOfficeBox", item.po_box)
    builder.put(address, "postalCode", item.zip_code)
    builder.put(address, "city", item.city)
    builder.put(address, "region", item.region)
    builder.put_country(address, "country", code)
    builder.put(address, "remarks", item.remark)
    builder.put(address, "remarks", item.contact_info)
    if item.as_at_listing_time:
        address.add("remarks", "Address as at the time of listing")
    builder.relate(address)
    builder.target.add("addressEntity", address.id)
    builder.put_country(builder.target, "country", code)


def _add_sanction(builder: _Builder) -> None:
    record, sanction = builder.record, builder.sanction
    builder.put(sanction, "authorityId", record.eu_reference)
    builder.put(sanction, "unscId", record.un_id)
    builder.put(sanction, "listingDate", iso_date(record.designation_date))
    builder.put(sanction, "reason", record.designation_details)
    for regulation in record.regulations:
        if regulation.programme:
            sanction.add("program", regulation.programme)
            sanction.add("programId", f"EU-{regulation.programme}")
        summary = " ".join(
            p
            for p in (
                regulation.organisation_type.capitalize(),
                regulation.regulation_type,
                regulation.number_title,
            )
            if p
        )
        builder.put(sanction, "summary", summary)
        builder.put(sanction, "date", iso_date(regulation.publication_date))
        builder.put(sanction, "startDate", iso_date(regulation.entry_into_force_date))
        builder.put(sanction, "programUrl", regulation.publication_url)


def build_entries(records: list[Record], warnings: list[str]) -> list[Entry]:
    entries: list[Entry] = []
    for record in records:
        entry = build_entry(record, warnings)
        if entry is not None:
            entries.append(entry)
    return entries


RecordReader = Callable[[Path], tuple[list[Record], date | None, list[str]]]


def parse_with(
    path: Path, source: str | None, format_name: str, read_records: RecordReader
) -> ParsedList:
    """Read an EU FSF file completely with one layout's record reader (CSV or XML), or refuse
    it with a SourceError."""
    path = Path(path)
    check_readable(path)
    records, published, warnings = read_records(path)
    entries = build_entries(records, warnings)
    return one_file_list(
        path,
        format_name,
        source or DATASET,
        entries,
        published,
        warnings,
        empty_reason="no designation with a name in the file",
    )
