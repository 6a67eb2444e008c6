"""The one way to build an OFAC entry, shared by the legacy CSV and XML parsers.

:mod:`.us_ofac_csv` and :mod:`.us_ofac_xml` read the same records in two layouts. Both
turn a record into an :class:`EntryBuilder` (target via :func:`make_target`, Sanction via
:func:`make_sanction`), put the facts of each interpreted :class:`Remark` on it with
:func:`apply_remark` (identifiers through :func:`add_document` and the
:data:`IDENTIFIER_KINDS` table, wallets through :func:`add_wallet`), and once every entry of
the list is known turn ``Linked To:`` remarks into UnknownLink entities with
:func:`resolve_links`. Ids, properties and notes therefore come out the same whichever
file a party was read from.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path

from followthemoney import EntityProxy, model
from followthemoney.types import registry

from sanctionscope.sources.base import Entry, ParsedList, file_sha256, make_entity, target_id

ID_PREFIX = "ofac"
AUTHORITY = "Office of Foreign Assets Control"
DETAILS_URL = "https://sanctionssearch.ofac.treas.gov/Details.aspx?id={}"
SCHEMA_BY_TYPE = {"individual": "Person", "vessel": "Vessel", "aircraft": "Airplane"}
ENTITY_SCHEMA = "Organization"  # OFAC's null SDN_Type: companies, banks, groups
UNKNOWN_SCHEMA = "LegalEntity"
ALIAS_PROPS = {"aka": "alias", "nka": "alias", "fka": "previousName"}
EXAMPLES = 10  # names quoted in a warning


# --------------------------------------------------------------------------- remarks


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


# --------------------------------------------------------------------------- identifiers


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


# --------------------------------------------------------------------------- values


_ISO_DATE = re.compile(r"\d{4}(?:-\d{2}(?:-\d{2})?)?")


@lru_cache(maxsize=65536)
def _cached_clean(type_name: str, value: str) -> str | None:
    prop_type = registry.get(type_name)
    return prop_type.clean(value) if prop_type is not None else None


@lru_cache(maxsize=4096)
def clean_country(text: str) -> str | None:
    """FtM country code for an OFAC country name (``Korea, North`` → ``kp``), cached."""
    return registry.country.clean(text.strip().rstrip(".").strip())


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


def split_person_name(name: str) -> tuple[str, str] | None:
    """OFAC's ``LAST, First Middle`` → (last, given names); None without a comma."""
    last, sep, given = name.partition(",")
    if not sep or not last.strip() or not given.strip():
        return None
    return last.strip(), given.strip()


def natural_name(name: str) -> str | None:
    """``LAST, First`` → ``First LAST``; None when the name has no such form."""
    parts = split_person_name(name)
    return f"{parts[1]} {parts[0]}" if parts else None


# --------------------------------------------------------------------------- entries


@dataclass
class EntryBuilder:
    """Everything one OFAC record turns into, before links are resolved."""

    record_id: str  # OFAC's record number: ent_num in the CSV, uid in the XML
    target: EntityProxy
    sanction: EntityProxy
    related: dict[str, EntityProxy] = field(default_factory=dict)
    links: list[Remark] = field(default_factory=list)

    def note(self, text: str) -> None:
        """Keep ``text`` in the target's notes."""
        self.target.add("notes", text)

    def relate(self, entity: EntityProxy) -> None:
        """Add a related entity; a remark OFAC repeats (same id) is merged, not doubled."""
        key = entity.id or ""
        if key in self.related:
            self.related[key].merge(entity)
        else:
            self.related[key] = entity

    def add_address(self, address: EntityProxy) -> None:
        """Relate an Address entity and put its text (and, on a LegalEntity, its country)
        on the target."""
        self.relate(address)
        put(self.target, "addressEntity", address.id)
        self.target.add("address", address.get("full"))
        if self.target.schema.is_a("LegalEntity"):
            put(self.target, "country", address.get("country"))

    def entry(self) -> Entry:
        """The finished entry: target, Sanction, then the related entities."""
        return Entry(self.record_id, self.target, [self.sanction, *self.related.values()])


def schema_for(sdn_type: str | None) -> str:
    """The FtM schema for OFAC's SDN type: null → :data:`ENTITY_SCHEMA`, known types from
    :data:`SCHEMA_BY_TYPE`, anything else :data:`UNKNOWN_SCHEMA`."""
    if sdn_type is None:
        return ENTITY_SCHEMA
    return SCHEMA_BY_TYPE.get(sdn_type.strip().lower(), UNKNOWN_SCHEMA)


# (property on a Vessel, label in notes when the value does not fit it)
VESSEL_PROPS = (
    ("callSign", "Call sign"),
    ("type", "Vessel type"),
    ("tonnage", "Tonnage"),
    ("grossRegisteredTonnage", "Gross registered tonnage"),
    ("flag", "Vessel flag"),
)


def apply_columns(
    builder: EntryBuilder,
    title: str | None,
    vessel: Sequence[str | None] = (),
    owner: str | None = None,
) -> None:
    """Title and vessel details of a record: ``vessel`` holds the values for
    :data:`VESSEL_PROPS`, in that order. What does not fit goes to notes, as does the
    vessel owner (a name, not an entity)."""
    if title is not None and not add_value(builder.target, "position", title):
        builder.note(f"Title: {title}")
    for (prop, label), value in zip(VESSEL_PROPS, vessel, strict=False):
        if value is not None and not add_value(builder.target, prop, value):
            builder.note(f"{label}: {value}")
    if owner is not None:
        builder.note(f"Vessel owner: {owner}")


def add_address_country(address: EntityProxy, country: str | None) -> None:
    """The address's country as a code when FtM knows the name, else in its remarks."""
    if country is None:
        return
    code = clean_country(country)
    if code is not None:
        put(address, "country", code)
    else:
        address.add("remarks", f"Country: {country}")


def make_target(
    record_id: str, name: str, schema: str, person_name: tuple[str, str] | None
) -> EntityProxy:
    """The target ``ofac-<record_id>``; a Person with ``person_name`` (last, given names)
    also gets lastName, firstName and the ``Given LAST`` alias."""
    target = model.make_entity(schema)
    target.id = target_id(ID_PREFIX, record_id)
    target.add("name", name)
    put(target, "topics", "sanction")
    if target.schema.is_a("Person") and person_name is not None:
        last, given = person_name
        target.add("lastName", last)
        target.add("firstName", given)
        target.add("alias", f"{given} {last}")
    return target


def make_sanction(record_id: str, target: EntityProxy, programs: list[str]) -> EntityProxy:
    """The Sanction of one record: programs, OFAC as authority, the details URL."""
    sanction = make_entity("Sanction", ID_PREFIX, record_id, "sanction")
    put(sanction, "entity", target.id)
    put(sanction, "authority", AUTHORITY)
    put(sanction, "country", "us")
    put(sanction, "program", programs)
    put(sanction, "programId", programs)
    put(sanction, "recordId", record_id)
    put(sanction, "sourceUrl", DETAILS_URL.format(record_id))
    return sanction


def add_document(builder: EntryBuilder, document: Document) -> bool:
    """Put an identifier on the entry: a dedicated target property, or a Passport /
    Identification entity plus ``passportNumber`` / ``idNumber``. False when some of it
    did not fit (the caller then keeps the remark's words in notes)."""
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
    doc = make_entity(schema, ID_PREFIX, builder.record_id, document.kind, document.number)
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


def add_wallet(builder: EntryBuilder, currency: str, address: str) -> bool:
    """A CryptoWallet held by the target; False when the target cannot hold one."""
    if not builder.target.schema.is_a("LegalEntity"):
        return False
    wallet = make_entity("CryptoWallet", ID_PREFIX, builder.record_id, currency, address)
    wallet.add("publicKey", address)
    wallet.add("currencySymbol", currency)
    put(wallet, "holder", builder.target.id)
    builder.relate(wallet)
    return True


def apply_remark(builder: EntryBuilder, remark: Remark) -> None:
    """Put the facts of one remark on the entities; the words go to notes whenever some
    fact did not fit (so nothing is lost), the remark was not understood, or it asks."""
    placed = remark.kind is not None
    for prop, value in remark.properties:
        placed = add_value(builder.target, prop, value) and placed
    for prop, value in remark.sanction:
        builder.sanction.add(prop, value)
    for document in remark.documents:
        placed = add_document(builder, document) and placed
    for currency, address in remark.wallets:
        placed = add_wallet(builder, currency, address) and placed
    if remark.linked_to is not None:
        builder.links.append(remark)  # resolved once every name of the list is known
    if not placed or remark.keep_text:
        builder.note(remark.text)


# --------------------------------------------------------------------------- links


_NOT_LETTERS = re.compile(r"[\W_]+")


def name_key(name: str) -> str:
    """Case and punctuation folded: ``Co., Ltd.`` and ``CO LTD`` share a key."""
    return _NOT_LETTERS.sub(" ", name.casefold()).strip()


class NameIndex:
    """Names → record ids. With ``exact``, a name is looked up as written (case folded,
    also without a final period) first and by :func:`name_key` only when that fails;
    without it, by :func:`name_key` alone."""

    def __init__(self, exact: bool = True) -> None:
        self._use_exact = exact
        self._exact: dict[str, set[str]] = defaultdict(set)
        self._loose: dict[str, set[str]] = defaultdict(set)

    def add(self, name: str, record_id: str) -> None:
        """Index ``name`` as a name of ``record_id``."""
        if self._use_exact:
            self._exact[name.strip().casefold()].add(record_id)
        self._loose[name_key(name)].add(record_id)

    def find(self, name: str) -> set[str]:
        """The record ids that ``name`` names; empty when none."""
        if self._use_exact:
            for variant in (name.strip(), name.strip().rstrip(".").strip()):
                found = self._exact.get(variant.casefold())
                if found:
                    return found
        return self._loose.get(name_key(name), set())


def resolve_links(
    builders: Mapping[str, EntryBuilder], primary: NameIndex, aliases: NameIndex
) -> list[str]:
    """UnknownLink entities for ``Linked To:`` remarks naming exactly one other entry (by
    its primary name, else by an alias); the others stay in notes. Returns the ``Linked
    To`` names not found."""
    unresolved: list[str] = []
    for builder in builders.values():
        for remark in builder.links:
            name = remark.linked_to or ""
            found = primary.find(name) or aliases.find(name)
            others = sorted(found - {builder.record_id}, key=int)
            if len(others) != 1:
                builder.note(remark.text)
                if remark.link_role == "Linked To":
                    unresolved.append(name)
                continue
            link = make_entity(
                "UnknownLink", ID_PREFIX, builder.record_id, remark.link_key, others[0]
            )
            put(link, "subject", builder.target.id)
            put(link, "object", target_id(ID_PREFIX, others[0]))
            put(link, "role", remark.link_role)
            builder.relate(link)
    return unresolved


def link_warning(unresolved: Iterable[str], where: str) -> list[str]:
    """The parse warning for ``Linked To`` names that no single entry of ``where`` has."""
    names_given = list(unresolved)
    if not names_given:
        return []
    names = sorted(set(names_given))
    examples = "; ".join(names[:EXAMPLES]) + ("; ..." if len(names) > EXAMPLES else "")
    return [
        f"{len(names_given):,} 'Linked To' remarks name no single entry of {where} "
        f"({len(names):,} distinct names, e.g. {examples}); kept in notes"
    ]


def parsed_list(
    builders: Mapping[str, EntryBuilder],
    source: str,
    format_name: str,
    path: Path,
    files: Iterable[Path],
    published: date | None,
    warnings: list[str],
) -> ParsedList:
    """The parse result: one entry per builder, in list order; ``files`` are hashed."""
    return ParsedList(
        source=source,
        format=format_name,
        path=path,
        entries=[builder.entry() for builder in builders.values()],
        published=published,
        sha256=file_sha256(files),
        warnings=warnings,
    )
