"""OFAC "enhanced" XML (Sanctions List Service exports) → FtM entities.

The Sanctions List Service (SLS) publishes the SDN and Consolidated lists as
``SDN_ENHANCED.XML`` / ``CONS_ENHANCED.XML`` and lets anyone export a custom selection
(some lists, some programs) in the same layout::

    sanctionsData (xmlns .../exports/ENHANCED_XML)
      publicationInfo: dataAsOf, filters/sanctionsLists, filters/sanctionsPrograms
      referenceValues/referenceValue[@refId]: type, value, code, isoCode
      featureTypes/featureType[@featureTypeId]: type, detailType, publishDescription
      entities/entity[@id]
        generalInfo: entityType, title, remarks
        sanctionsLists/sanctionsList[@datePublished], sanctionsPrograms, sanctionsTypes,
        legalAuthorities
        names/name: isPrimary, aliasType, isLowQuality,
                    translations/translation: script, formatted*Name, nameParts
        addresses/address: country, translations/translation/addressParts
        features/feature: type[@featureTypeId], value, valueRefId, valueDate, reliability
        identityDocuments/identityDocument: type, documentNumber, issuingCountry,
                    issueDate, expirationDate, isValid, issuingAuthority, comments
        relationships/relationship: type, relatedEntity[@entityId], quality

Every coded value (entity, name-part, script, document, relationship and sanctions
types, countries, programs, legal authorities, feature types) is resolved through the
file's own reference tables by its ``refId``; the text printed next to it is used only
when the reference is missing (counted in the warnings).

**Dataset name.** Decided from the file content, never from its name:

* the scope is ``sdn`` when the export's list filter is exactly the SDN List, ``cons``
  when it names only non-SDN lists, ``all`` when it names both; without a list filter,
  the lists the entities are on decide the same way;
* a whole-list export (no program filter) is ``us_ofac_sdn`` / ``us_ofac_cons``, like the
  legacy CSV and XML, or ``us_ofac_all`` for a custom export of every list;
* an export filtered by program is a dataset of its own: ``us_ofac_<scope>_<programs>``
  (program codes in lower case, ``-`` and blanks as ``_``, sorted, joined by ``_``), e.g.
  ``us_ofac_all_irgc`` for the IRGC program across all lists. It must not import as the
  whole list: 293 IRGC entries against ~15,000 SDN entries would be refused as a 98 %
  drop, or with ``--force`` would replace the list screened against.

**Modelling** follows the legacy formats so a party gets the same ids from every OFAC
file (the SLS entity id is the legacy ``uid`` / ``ent_num``, the address id its
``add_num``): target ``ofac-<id>`` and Sanction via :func:`.ofac_common.make_target` /
:func:`.ofac_common.make_sanction`, Addresses as ``ofac`` + entity id + address id,
identifiers through :func:`.ofac_common.add_document` and
:data:`.ofac_common.IDENTIFIER_KINDS` (Passport / Identification entities or a target
property such as ``swiftBic``, ``taxNumber``, ``innCode``, ``serialNumber``), and the
remaining features read as the remark the CSV prints for them with
:func:`.us_ofac_csv.interpret_remark` (``Additional Sanctions Information - ...``,
``Website ...``, ``Digital Currency Address - XBT ...``). What the enhanced file adds:

* dates come from the structured ``valueDate`` (a whole year → ``1986``, a month →
  ``1961-04``, a short year range → every year), approximate dates and ranges also keep
  their words in notes, as in the CSV;
* names in other scripts (Arabic, Cyrillic, ...) become aliases of the same kind as the
  Latin name (``alias``, ``weakAlias`` for low-quality a.k.a., ``previousName`` for
  f.k.a.); name parts give ``middleName``, ``fatherName``, ``motherName``;
* the Sanction carries the earliest listing date (``listingDate``), the lists (``status``), the
  sanctions types (``provisions``) and the legal authorities (``reason``);
* relationships become FtM links with OFAC's relation name as ``role``: Ownership
  (``Owned or Controlled By``, ``Owns, controls, or operates``, ``Property in the
  interest of``), Representation (``Acting for or on behalf of``), Directorship
  (``Leader or official of``, ``Principal Executive Officer``), Family and Associate
  (between people), UnknownLink for anything else or where the schemas do not fit.
  OFAC's "Entity" type is an Organization, which FtM's Ownership range (Asset) does not
  include; any party but a person is taken as an asset, as in the advanced XML parser. A related
  entity outside a filtered export keeps its ``ofac-<id>`` (the same id as in the whole
  list) and is counted in the warnings.

Parsing goes through :func:`.xmlsafe.parse_xml` only. A root other than
``sanctionsData``, a missing ``entities`` element, entity ids that are missing, not
numeric or repeated, and entities without a name are :class:`SourceError` with the line.
"""

from __future__ import annotations

import re
from calendar import monthrange
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from followthemoney import EntityProxy, model
from followthemoney.types import registry
from lxml import etree

from sanctionscope.sources import ofac_common as ofac
from sanctionscope.sources.base import (
    ParsedList,
    SourceError,
    SourceFormat,
    make_entity,
    target_id,
)
from sanctionscope.sources.us_ofac_csv import interpret_remark, split_remarks
from sanctionscope.sources.xmlsafe import read_document, sniff_root_tag

FORMAT_NAME = "us_ofac_enhanced_xml"
ROOT_TAG = "sanctionsData"
NAMESPACE_MARK = b"ENHANCED_XML"
SDN_LIST = "SDN List"
SOURCE_PREFIX = "us_ofac"
LATIN = "Latin"
MAX_YEAR_SPAN = 10  # a year range up to this long lists every year, as in the CSV parser
_ID = re.compile(r"[0-9]{1,12}")
_IMO = re.compile(r"^IMO\s*(?P<number>\d{7})\.?$", re.I)
_BIDI_MARKS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_NOT_SLUG = re.compile(r"[^a-z0-9]+")
_HEAD_BYTES = 4096


def detect(path: Path) -> bool:
    """True for a file whose root is ``sanctionsData`` in the ENHANCED_XML namespace."""
    path = Path(path)
    if not path.is_file() or sniff_root_tag(path) != ROOT_TAG:
        return False
    try:
        with path.open("rb") as fh:
            return NAMESPACE_MARK in fh.read(_HEAD_BYTES)
    except OSError:
        return False


# --------------------------------------------------------------------------- XML access


def _clean(text: str | None) -> str | None:
    """Stripped text without the bidi marks OFAC wraps right-to-left names in."""
    if text is None:
        return None
    value = _BIDI_MARKS.sub("", text).strip()
    return value or None


def _own_text(element: etree._Element | None) -> str | None:
    if element is None:
        return None
    return _clean("".join(element.itertext()))


def _text(element: etree._Element | None, name: str) -> str | None:
    """Cleaned text of the child ``name``; None when absent or blank."""
    if element is None:
        return None
    return _own_text(element.find(name))


def _flag(element: etree._Element | None, name: str) -> bool:
    return (_text(element, name) or "").lower() == "true"


def _where(element: etree._Element | None) -> str | None:
    if element is None or not element.sourceline:
        return None
    return f"line {element.sourceline}"


# --------------------------------------------------------------------------- reference data


@dataclass(frozen=True)
class Reference:
    """One ``referenceValue``: its type (``COUNTRY``, ``SCRIPT``...) and value."""

    type: str
    value: str
    code: str | None = None
    iso_code: str | None = None


@dataclass(frozen=True)
class FeatureType:
    """One ``featureType``; ``label`` is how the legacy remarks print it (``DOB``)."""

    name: str
    detail: str | None
    label: str


@dataclass
class ReferenceData:
    """The file's reference tables, and how often a reference could not be resolved."""

    values: dict[str, Reference] = field(default_factory=dict)
    features: dict[str, FeatureType] = field(default_factory=dict)
    unresolved: Counter[str] = field(default_factory=Counter)
    # OFAC's country names (casefolded) → FtM code, from the COUNTRY values' isoCode
    country_codes: dict[str, str] = field(default_factory=dict)

    @classmethod
    def read(cls, root: etree._Element) -> ReferenceData:
        data = cls()
        for item in root.iterfind("referenceValues/referenceValue"):
            ref_id, kind, value = item.get("refId"), _text(item, "type"), _text(item, "value")
            if ref_id and kind and value:
                code, iso = _text(item, "code"), _text(item, "isoCode")
                data.values[ref_id] = Reference(kind, value, code, iso)
                if kind == "COUNTRY" and iso and iso.lower() in registry.country.names:
                    data.country_codes[value.casefold()] = iso.lower()
        for item in root.iterfind("featureTypes/featureType"):
            type_id, name = item.get("featureTypeId"), _text(item, "type")
            if type_id and name:
                label = _text(item, "publishDescription") or name
                data.features[type_id] = FeatureType(name, _text(item, "detailType"), label)
        return data

    def reference(self, ref_id: str | None, kind: str) -> Reference | None:
        """The reference value ``ref_id`` if it is one of ``kind``."""
        found = self.values.get(ref_id or "")
        return found if found is not None and found.type == kind else None

    def resolve(self, element: etree._Element | None, kind: str) -> str | None:
        """The value of the ``kind`` reference named by ``element``'s refId; its printed
        text when the file's tables lack it."""
        if element is None:
            return None
        found = self.reference(element.get("refId"), kind)
        if found is not None:
            return found.value
        self.unresolved[kind] += 1
        return _own_text(element)

    def country(self, element: etree._Element | None) -> tuple[str | None, str | None]:
        """(FtM country code, country name) of a country reference."""
        if element is None:
            return None, None
        name = self.resolve(element, "COUNTRY")
        found = self.reference(element.get("refId"), "COUNTRY")
        return self.country_code(found.iso_code if found else None, name), name

    def country_code(self, iso_code: str | None, name: str | None) -> str | None:
        """FtM code from OFAC's ISO code, else from the country name: OFAC's own names
        first (the same vocabulary as the rest of the file), then FtM's cleaning."""
        if iso_code and iso_code.lower() in registry.country.names:
            return iso_code.lower()
        if not name:
            return None
        return self.country_codes.get(name.strip().casefold()) or ofac.clean_country(name)

    def feature_type(self, feature: etree._Element) -> FeatureType | None:
        element = feature.find("type")
        if element is None:
            return None
        found = self.features.get(element.get("featureTypeId") or "")
        if found is not None:
            return found
        self.unresolved["feature type"] += 1
        name = _own_text(element)
        return FeatureType(name, None, name) if name else None

    def warnings(self) -> list[str]:
        if not self.unresolved:
            return []
        kinds = ", ".join(f"{kind} {n:,}" for kind, n in sorted(self.unresolved.items()))
        return [f"references missing from the file's reference tables ({kinds}); read as printed"]


# --------------------------------------------------------------------------- dates


def _day(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


def _span(begin: date | None, end: date | None) -> str | None:
    """ISO prefix for the interval: one day, one whole month or one whole year."""
    if begin is None or end is None:
        return None
    if begin == end:
        return begin.isoformat()
    same_month = (begin.year, begin.month) == (end.year, end.month)
    if same_month and begin.day == 1 and end.day == monthrange(end.year, end.month)[1]:
        return f"{begin.year:04d}-{begin.month:02d}"
    if (begin.month, begin.day, end.month, end.day) == (1, 1, 12, 31) and begin.year == end.year:
        return f"{begin.year:04d}"
    return None


@dataclass(frozen=True)
class Dates:
    values: list[str]
    approximate: bool  # circa or a range: keep the printed words too


def read_dates(element: etree._Element | None) -> Dates | None:
    """Dates of an SLS date element (``valueDate``, ``issueDate``...); None if unreadable."""
    if element is None:
        return None
    from_begin, from_end, to_begin, to_end = (
        _day(_text(element, name))
        for name in ("fromDateBegin", "fromDateEnd", "toDateBegin", "toDateEnd")
    )
    approximate = _flag(element, "isApproximate")
    if not _flag(element, "isDateRange"):
        single = _span(from_begin, to_end or to_begin)
        return Dates([single], approximate) if single else None
    start, end = _span(from_begin, from_end), _span(to_begin, to_end)
    if start is None or end is None:
        return None
    if len(start) == len(end) == 4 and 0 <= int(end) - int(start) <= MAX_YEAR_SPAN:
        return Dates([str(year) for year in range(int(start), int(end) + 1)], True)
    return Dates([start, end], True)


# --------------------------------------------------------------------------- names


def _schema_for(entity_type: str | None) -> str:
    """Individual → Person, Entity → Organization, Vessel, Aircraft → Airplane; a missing
    or unknown type → LegalEntity (the CSV's null type is an Organization, this is not)."""
    if entity_type is None:
        return ofac.UNKNOWN_SCHEMA
    if entity_type.strip().lower() == "entity":
        return ofac.ENTITY_SCHEMA
    return ofac.schema_for(entity_type)


@dataclass(frozen=True)
class Translation:
    script: str | None
    full: str
    first: str | None
    last: str | None
    parts: tuple[tuple[str, str], ...]  # (name part type, value)


@dataclass(frozen=True)
class Name:
    primary: bool
    prop: str  # alias, weakAlias or previousName when not primary
    translations: tuple[Translation, ...]

    def latin(self) -> Translation | None:
        """The name as OFAC prints it: the primary (Latin) translation."""
        for translation in self.translations:
            if translation.script in (LATIN, None):
                return translation
        return self.translations[0] if self.translations else None


def _translation(refs: ReferenceData, element: etree._Element) -> Translation | None:
    full = _text(element, "formattedFullName")
    first, last = _text(element, "formattedFirstName"), _text(element, "formattedLastName")
    if full is None:
        full = ", ".join(p for p in (last, first) if p) or None
    if full is None:
        return None
    parts = []
    for part in element.iterfind("nameParts/namePart"):
        kind, value = refs.resolve(part.find("type"), "NAME PART TYPE"), _text(part, "value")
        if kind and value:
            parts.append((kind, value))
    script = refs.resolve(element.find("script"), "SCRIPT")
    return Translation(script, full, first, last, tuple(parts))


def _alias_prop(refs: ReferenceData, name: etree._Element) -> str:
    """a.k.a./n.k.a. → alias (weakAlias when low quality), f.k.a. → previousName."""
    alias_type = refs.resolve(name.find("aliasType"), "ALIAS TYPE") or "a.k.a."
    prop = ofac.ALIAS_PROPS.get(alias_type.replace(".", "").strip().lower(), "alias")
    if prop == "alias" and _flag(name, "isLowQuality"):
        return "weakAlias"
    return prop


def read_names(refs: ReferenceData, entity: etree._Element) -> list[Name]:
    names = []
    for element in entity.iterfind("names/name"):
        translations: list[Translation] = []
        for item in element.iterfind("translations/translation"):
            translation = _translation(refs, item)
            if translation is not None:
                # The primary translation first: it is the name as printed.
                translations.insert(
                    0 if _flag(item, "isPrimary") else len(translations), translation
                )
        if translations:
            primary = _flag(element, "isPrimary")
            names.append(Name(primary, _alias_prop(refs, element), tuple(translations)))
    return names


def _primary_name(path: Path, uid: str, entity: etree._Element, names: list[Name]) -> Name:
    for name in names:
        if name.primary:
            return name
    if names:  # no name flagged primary: OFAC's first name is the one it prints
        return names[0]
    raise SourceError(path, f"entity {uid} has no name", _where(entity))


# Name part type → Person property, for the parts of the primary name.
_PART_PROPS = {
    "Middle Name": "middleName",
    "Patronymic": "fatherName",
    "Matronymic": "motherName",
    "Nickname": "weakAlias",
}
# Parts that are not a name by themselves: kept in notes with their type.
_NOTED_PARTS = frozenset({"Maiden Name"})


def _apply_names(builder: ofac.EntryBuilder, names: list[Name], primary: Name) -> list[str]:
    """Every name but the printed primary one onto the target; returns the Latin alias
    names as written (for resolving names given in features)."""
    target = builder.target
    is_person = target.schema.is_a("Person")
    alias_names: list[str] = []
    for name in names:
        prop = "alias" if name is primary else name.prop
        for index, translation in enumerate(name.translations):
            if name is primary and index == 0:
                continue  # the target's name, set by make_target
            target.add(prop, translation.full)
            if translation.script in (LATIN, None):
                alias_names.append(translation.full)
                if is_person and translation.first and translation.last:
                    target.add(prop, f"{translation.first} {translation.last}")
        for kind, value in _parts_of(name, primary):
            part_prop = _PART_PROPS.get(kind)
            if part_prop is not None and is_person:
                target.add(part_prop, value)
            elif kind == "Nickname":
                target.add("weakAlias", value)
            elif kind in _NOTED_PARTS:
                builder.note(f"{kind}: {value}")
    return alias_names


def _parts_of(name: Name, primary: Name) -> Iterator[tuple[str, str]]:
    """Parts worth a property or a note: all parts of the primary name, nicknames and
    maiden names of any name."""
    for translation in name.translations:
        for kind, value in translation.parts:
            if name is primary or kind == "Nickname" or kind in _NOTED_PARTS:
                yield kind, value


# --------------------------------------------------------------------------- documents


def _document_entity(builder: ofac.EntryBuilder, kind: str, number: str) -> EntityProxy | None:
    """The Passport / Identification :func:`.ofac_common.add_document` made for
    (kind, number): it keys them by ``ofac`` + record id + kind + number."""
    for schema in ("Passport", "Identification"):
        key = make_entity(schema, ofac.ID_PREFIX, builder.record_id, kind, number).id
        found = builder.related.get(key or "")
        if found is not None:
            return found
    return None


def _document_words(kind: str, number: str, country: str | None, dates: list[str]) -> str:
    text = f"{kind} {number}"
    if country:
        text += f" ({country})"
    return " ".join([text, *dates])


def _add_imo(builder: ofac.EntryBuilder, words: str, number: str) -> bool:
    """``IMO 9187629`` as OFAC writes it in any identifier: the vessel's IMO number."""
    imo = _IMO.match(number)
    if imo is None:
        return False
    if not ofac.add_value(builder.target, "imoNumber", f"IMO{imo['number']}"):
        builder.note(words)
    return True


def apply_document(
    refs: ReferenceData, builder: ofac.EntryBuilder, element: etree._Element
) -> None:
    kind = refs.resolve(element.find("type"), "ID DOCUMENT TYPE")
    number = _text(element, "documentNumber")
    country, country_name = refs.country(element.find("issuingCountry"))
    issued = read_dates(element.find("issueDate"))
    expires = read_dates(element.find("expirationDate"))
    printed = [
        f"{label} {dates.values[0]}"
        for label, dates in (("issued", issued), ("expires", expires))
        if dates is not None
    ]
    if kind is None or number is None:
        words = " ".join(p for p in (kind, number, country_name, *printed) if p)
        if words:
            builder.note(words)
        return
    words = _document_words(kind, number, country_name, printed)
    if _add_imo(builder, words, number):
        return
    document = ofac.Document(
        kind,
        number,
        country,
        issued.values[0] if issued else None,
        expires.values[0] if expires else None,
    )
    placed = ofac.add_document(builder, document)
    if country_name and country is None:
        placed = False
    authority, extras = _text(element, "issuingAuthority"), _document_extras(element)
    entity = _document_entity(builder, kind, number) if placed else None
    if entity is not None:
        entity.add("authority", authority)
        for extra in extras:
            entity.add("description", extra)
    elif authority or extras or not placed:
        issuer = [f"issued by {authority}"] if authority else []
        builder.note("; ".join([words, *issuer, *extras]))


def _document_extras(element: etree._Element) -> list[str]:
    """What a document says beyond number, country and dates, in words."""
    extras = []
    if (_text(element, "isValid") or "true").lower() == "false":
        extras.append("not valid")
    for name, label in (("issuingLocation", "issued in"), ("comments", "")):
        value = _text(element, name)
        if value:
            extras.append(f"{label} {value}".strip())
    for feature in element.iterfind("idFeatures/idFeature"):
        value = _own_text(feature)
        if value:
            extras.append(value)
    return extras


# --------------------------------------------------------------------------- features

_DATE_FEATURES = {
    "Birthdate": "birthDate",
    "Organization Established Date": "incorporationDate",
    "Aircraft Manufacture Date": "buildDate",
    "Vessel Year of Build": "buildDate",
}
_COUNTRY_FEATURES = {
    "Nationality Country": "nationality",
    "Citizenship Country": "citizenship",
    "Nationality of Registration": "country",
    "Registration Country": "jurisdiction",
}
# feature type → index into ofac_common.VESSEL_PROPS (property, label in notes)
_VESSEL_FEATURES = {
    "Vessel Call Sign": 0,
    "VESSEL TYPE": 1,
    "Vessel Tonnage": 2,
    "Vessel Gross Registered Tonnage": 3,
    "Vessel Flag": 4,
}


def _identifier_kind(name: str) -> str | None:
    """The IDENTIFIER_KINDS label for a feature type (OFAC types some with a ’)."""
    label = name.replace("\u2019", "'")
    return label if label in ofac.IDENTIFIER_KINDS else None


@dataclass(frozen=True)
class Feature:
    """One ``feature`` with its type resolved; ``words`` is the remark the CSV prints."""

    kind: FeatureType
    value: str | None
    value_ref: Reference | None
    element: etree._Element

    @property
    def words(self) -> str:
        return f"{self.kind.label} {self.value}" if self.value else self.kind.label


def read_feature(refs: ReferenceData, element: etree._Element) -> Feature | None:
    kind = refs.feature_type(element)
    if kind is None:
        return None
    value_ref = refs.values.get(_text(element, "valueRefId") or "")
    value = _text(element, "value") or (value_ref.value if value_ref else None)
    return Feature(kind, value, value_ref, element)


def _apply_date_feature(builder: ofac.EntryBuilder, prop: str, feature: Feature) -> bool:
    dates = read_dates(feature.element.find("valueDate"))
    if dates is None:
        return False
    placed = all([ofac.add_value(builder.target, prop, value) for value in dates.values])
    if dates.approximate or not placed:
        builder.note(feature.words)
    return True


def _apply_country_feature(
    refs: ReferenceData, builder: ofac.EntryBuilder, prop: str, feature: Feature
) -> bool:
    ref = feature.value_ref
    if ref is not None and ref.type == "COUNTRY":
        code = refs.country_code(ref.iso_code, ref.value)
    else:
        code = refs.country_code(None, feature.value)
    if code is None:
        return False
    if not ofac.add_value(builder.target, prop, code):
        builder.note(feature.words)
    return True


def _apply_vessel_feature(
    refs: ReferenceData, builder: ofac.EntryBuilder, index: int, feature: Feature
) -> None:
    prop, label = ofac.VESSEL_PROPS[index]
    value = feature.value
    if value is not None and prop == "flag":
        value = refs.country_code(None, value) or value
    if value is not None and not ofac.add_value(builder.target, prop, value):
        builder.note(f"{label}: {feature.value}")


def _apply_birth_place(refs: ReferenceData, builder: ofac.EntryBuilder, feature: Feature) -> None:
    """``POB Razih District, Sana'a, Yemen``: the place, and its last part as the country
    when it is one of the file's country names (a town there is no country: asking FtM
    would only load its whole territory-name table, seconds, to say so)."""
    place = feature.value
    if place is None:
        builder.note(feature.words)
        return
    if not ofac.add_value(builder.target, "birthPlace", place):
        builder.note(feature.words)  # not a person
        return
    country = refs.country_codes.get(place.rsplit(",", 1)[-1].strip().casefold())
    ofac.add_value(builder.target, "birthCountry", country)


def _apply_identifier_feature(builder: ofac.EntryBuilder, kind: str, feature: Feature) -> None:
    value = feature.value
    if value is None:
        builder.note(feature.words)
        return
    if _add_imo(builder, feature.words, value):
        return
    if not ofac.add_document(builder, ofac.Document(kind, value)):
        builder.note(feature.words)


def apply_feature(refs: ReferenceData, builder: ofac.EntryBuilder, feature: Feature) -> None:
    """Put one feature on the entry; its words go to notes whenever it does not fit."""
    name = feature.kind.name
    reliability = _own_text(feature.element.find("reliability"))
    if reliability is not None and reliability.lower() == "false":
        builder.note(f"{feature.words} (reliability: {reliability})")
        return
    if name in _DATE_FEATURES and _apply_date_feature(builder, _DATE_FEATURES[name], feature):
        return
    if name in _COUNTRY_FEATURES and _apply_country_feature(
        refs, builder, _COUNTRY_FEATURES[name], feature
    ):
        return
    if name in _VESSEL_FEATURES:
        _apply_vessel_feature(refs, builder, _VESSEL_FEATURES[name], feature)
        return
    if name == "Place of Birth":
        _apply_birth_place(refs, builder, feature)
        return
    if name == "Vessel Owner":  # a name, not an entity: in notes, as the legacy XML does
        builder.note(f"Vessel owner: {feature.value}" if feature.value else feature.words)
        return
    identifier = _identifier_kind(name)
    if identifier is not None:
        _apply_identifier_feature(builder, identifier, feature)
        return
    ofac.apply_remark(builder, interpret_remark(feature.words))


# --------------------------------------------------------------------------- addresses

_STREET_PARTS = ("ADDRESS1", "ADDRESS2", "ADDRESS3")


def _address_parts(refs: ReferenceData, translation: etree._Element) -> dict[str, list[str]]:
    parts: dict[str, list[str]] = {}
    for part in translation.iterfind("addressParts/addressPart"):
        kind = refs.resolve(part.find("type"), "LOCATION PART TYPE")
        value = _text(part, "value")
        if kind and value:
            parts.setdefault(kind.upper(), []).append(value)
    return parts


def _address_full(parts: dict[str, list[str]], country: str | None) -> str | None:
    """As the legacy files print it: ``street, City, State Postal, Country``."""

    def joined(*kinds: str) -> str | None:
        return ", ".join(v for kind in kinds for v in parts.get(kind, [])) or None

    street = joined(*_STREET_PARTS)
    place = joined("CITY", "STATE/PROVINCE", "REGION")
    city_line = " ".join(p for p in (place, joined("POSTAL CODE")) if p) or None
    return ", ".join(v for v in (street, city_line, country) if v) or None


def make_address(
    refs: ReferenceData, uid: str, element: etree._Element, index: int
) -> EntityProxy | None:
    """The Address entity (``ofac`` + entity id + address id, as from the CSV's add.csv)."""
    code, country = refs.country(element.find("country"))
    translations = sorted(
        element.iterfind("translations/translation"), key=lambda t: not _flag(t, "isPrimary")
    )
    all_parts = [_address_parts(refs, t) for t in translations]
    parts = all_parts[0] if all_parts else {}
    full = _address_full(parts, country)
    if full is None:
        return None
    address = make_entity("Address", ofac.ID_PREFIX, uid, element.get("id") or f"#{index}")
    address.add("full", full)
    for other in all_parts[1:]:  # the same address in another script
        address.add("full", _address_full(other, None))
    address.add("street", ", ".join(v for k in _STREET_PARTS for v in parts.get(k, [])) or None)
    address.add("city", parts.get("CITY"))
    address.add("region", parts.get("STATE/PROVINCE"))
    address.add("region", parts.get("REGION"))
    address.add("postalCode", parts.get("POSTAL CODE"))
    if code is not None:
        ofac.put(address, "country", code)
    elif country is not None:
        address.add("remarks", f"Country: {country}")
    return address


# --------------------------------------------------------------------------- relationships


@dataclass(frozen=True)
class LinkKind:
    """How an OFAC relation becomes an FtM link: the entity's side and the other side."""

    schema: str
    subject: str
    object: str
    role_prop: str = "role"
    either_way: bool = False  # the schemas, not OFAC's direction, say who is who


LINK_KINDS: dict[str, LinkKind] = {
    "Owned or Controlled By": LinkKind("Ownership", "asset", "owner"),
    "Owns, controls, or operates": LinkKind("Ownership", "owner", "asset"),
    "Property in the interest of": LinkKind("Ownership", "asset", "owner"),
    "Acting for or on behalf of": LinkKind("Representation", "agent", "client"),
    "Leader or official of": LinkKind("Directorship", "director", "organization"),
    "Principal Executive Officer": LinkKind(
        "Directorship", "director", "organization", either_way=True
    ),
    "Family member of": LinkKind("Family", "person", "relative", "relationship"),
    "Associate Of": LinkKind("Associate", "person", "associate", "relationship"),
}
_FALLBACK_LINK = LinkKind("UnknownLink", "subject", "object")


def _fits(schema_name: str | None, link: LinkKind, prop: str) -> bool:
    """Whether an entity of ``schema_name`` (None: outside this file) can take ``prop``.
    Any party but a person is taken as an ownable asset (as the advanced XML parser does):
    OFAC lists companies with the type "Entity" (Organization, not an FtM Asset)."""
    if schema_name is None:
        return True
    expected, schema = model.get(link.schema), model.get(schema_name)
    if expected is None or schema is None:
        return False
    prop_range = expected.properties[prop].range
    if prop_range is None:
        return True
    if prop_range.name == "Asset":
        return not schema.is_a("Person")
    return schema.is_a(prop_range)


def link_kind(relation: str, subject: str | None, other: str | None) -> tuple[LinkKind, bool]:
    """The link for ``relation`` between schemas, and whether its ends are swapped."""
    kind = LINK_KINDS.get(relation)
    if kind is not None:
        if _fits(subject, kind, kind.subject) and _fits(other, kind, kind.object):
            return kind, False
        if (
            kind.either_way
            and _fits(other, kind, kind.subject)
            and _fits(subject, kind, kind.object)
        ):
            return kind, True
    return _FALLBACK_LINK, False


@dataclass
class _Relations:
    outside: int = 0  # related entities missing from this file
    unreadable: int = 0


def apply_relationships(
    refs: ReferenceData,
    builders: dict[str, ofac.EntryBuilder],
    elements: dict[str, etree._Element],
) -> _Relations:
    counts = _Relations()
    for uid, element in elements.items():
        builder = builders[uid]
        for item in element.iterfind("relationships/relationship"):
            relation = refs.resolve(item.find("type"), "RELATIONSHIP TYPE")
            related = item.find("relatedEntity")
            other = related.get("entityId") if related is not None else None
            if relation is None or other is None or not _ID.fullmatch(other):
                counts.unreadable += 1
                words = " ".join(p for p in (relation, _own_text(related)) if p)
                builder.note(f"Relationship: {words}" if words else "Relationship (unreadable)")
                continue
            if other not in builders:
                counts.outside += 1
            builder.relate(_make_link(refs, builder, builders.get(other), other, relation, item))
    return counts


def _make_link(
    refs: ReferenceData,
    builder: ofac.EntryBuilder,
    other_builder: ofac.EntryBuilder | None,
    other: str,
    relation: str,
    item: etree._Element,
) -> EntityProxy:
    other_schema = other_builder.target.schema.name if other_builder else None
    kind, swapped = link_kind(relation, builder.target.schema.name, other_schema)
    key = item.get("id") or f"{relation}-{other}"
    link = make_entity(kind.schema, ofac.ID_PREFIX, builder.record_id, "relationship", key)
    ends = (builder.target.id or "", target_id(ofac.ID_PREFIX, other))
    subject, obj = (ends[1], ends[0]) if swapped else ends
    ofac.put(link, kind.subject, subject)
    ofac.put(link, kind.object, obj)
    link.add(kind.role_prop, relation)
    quality = refs.resolve(item.find("quality"), "RELATIONSHIP QUALITY")
    if quality:
        link.add("description", f"Relation quality: {quality}")
    return link


# --------------------------------------------------------------------------- entries


def _resolved_all(refs: ReferenceData, entity: etree._Element, path: str, kind: str) -> list[str]:
    values = (refs.resolve(item, kind) for item in entity.iterfind(path))
    return list(dict.fromkeys(v for v in values if v))


def _listing_date(entity: etree._Element) -> str | None:
    """The earliest date the entity was published on one of its lists."""
    dates = (_day(item.get("datePublished")) for item in entity.iterfind("sanctionsLists/*"))
    found = [d for d in dates if d is not None]
    return min(found).isoformat() if found else None


def entry_lists(refs: ReferenceData, entity: etree._Element) -> list[str]:
    """The lists an entity is on (``SDN List``, ``Consolidated List``...)."""
    return _resolved_all(refs, entity, "sanctionsLists/sanctionsList", "ENTITY LISTING TYPE")


def _make_sanction(
    refs: ReferenceData, uid: str, target: EntityProxy, entity: etree._Element
) -> EntityProxy:
    programs = _resolved_all(refs, entity, "sanctionsPrograms/sanctionsProgram", "PROGRAM")
    ofac.put(target, "program", programs)
    sanction = ofac.make_sanction(uid, target, programs)
    ofac.put(sanction, "listingDate", _listing_date(entity))
    sanction.add("status", entry_lists(refs, entity))
    types = "sanctionsTypes/sanctionsType"
    sanction.add("provisions", _resolved_all(refs, entity, types, "SANCTIONS TYPE"))
    authorities = "legalAuthorities/legalAuthority"
    sanction.add("reason", _resolved_all(refs, entity, authorities, "LEGAL AUTHORITY"))
    return sanction


def build_entry(
    path: Path, refs: ReferenceData, uid: str, entity: etree._Element
) -> tuple[ofac.EntryBuilder, list[str]]:
    """The entry's builder and its Latin alias names."""
    info = entity.find("generalInfo")
    schema = _schema_for(
        refs.resolve(info.find("entityType") if info is not None else None, "SDN TYPE")
    )
    names = read_names(refs, entity)
    primary = _primary_name(path, uid, entity, names)
    printed = primary.translations[0]
    person_name = (printed.last, printed.first) if printed.last and printed.first else None
    target = ofac.make_target(uid, printed.full, schema, person_name)
    builder = ofac.EntryBuilder(uid, target, _make_sanction(refs, uid, target, entity))
    alias_names = _apply_names(builder, names, primary)
    ofac.apply_columns(builder, _text(info, "title"))
    for part in split_remarks(_text(info, "remarks") or ""):
        ofac.apply_remark(builder, interpret_remark(part))
    for index, item in enumerate(entity.iterfind("addresses/address")):
        address = make_address(refs, uid, item, index)
        if address is not None:
            builder.add_address(address)
    for item in entity.iterfind("features/feature"):
        feature = read_feature(refs, item)
        if feature is not None:
            apply_feature(refs, builder, feature)
        elif (value := _text(item, "value")) is not None:
            builder.note(value)
    for item in entity.iterfind("identityDocuments/identityDocument"):
        apply_document(refs, builder, item)
    return builder, alias_names


# --------------------------------------------------------------------------- publication


@dataclass(frozen=True)
class Publication:
    """What ``publicationInfo`` says: date of the data and the export's filters."""

    published: date | None
    lists: list[str] | None  # None: no list filter
    programs: list[str]


def read_publication(refs: ReferenceData, root: etree._Element) -> tuple[Publication, list[str]]:
    info = root.find("publicationInfo")
    warnings: list[str] = []
    raw = _text(info, "dataAsOf")
    published = _day(raw)
    if published is None:
        warnings.append(
            f"dataAsOf {raw!r} is not a date; publication date unknown"
            if raw
            else "no publicationInfo/dataAsOf: publication date unknown"
        )
    filters = info.find("filters") if info is not None else None
    lists: list[str] | None = None
    programs: list[str] = []
    if filters is not None:
        lists = _resolved_all(refs, filters, "sanctionsLists/sanctionsList", "ENTITY LISTING TYPE")
        programs = _resolved_all(refs, filters, "sanctionsPrograms/sanctionsProgram", "PROGRAM")
    return Publication(published, lists or None, programs), warnings


def _scope(lists: Iterable[Iterable[str]]) -> str:
    """``sdn``, ``cons`` or ``all`` for groups of list names (a filter, or the entries)."""
    on_sdn = [SDN_LIST in group for group in (set(g) for g in lists)]
    if all(on_sdn):
        return "sdn"
    return "cons" if not any(on_sdn) else "all"


def dataset_name(publication: Publication, entries_lists: Iterable[list[str]]) -> str:
    """The dataset an export belongs to (the rule is in the module docstring)."""
    if publication.lists is not None:
        names = set(publication.lists)
        scope = _scope([[name] for name in names])
    else:
        scope = _scope(entries_lists)
    source = f"{SOURCE_PREFIX}_{scope}"
    slugs = sorted({_NOT_SLUG.sub("_", p.lower()).strip("_") for p in publication.programs})
    slugs = [slug for slug in slugs if slug]
    return "_".join([source, *slugs])


def _entity_id(path: Path, entity: etree._Element, seen: dict[str, int]) -> str:
    uid = (entity.get("id") or "").strip()
    if not _ID.fullmatch(uid):
        raise SourceError(path, f"entity id {uid!r} is not an OFAC record number", _where(entity))
    line = entity.sourceline or 0
    first = seen.setdefault(uid, line)
    if first != line:
        raise SourceError(
            path, f"entity id {uid} appears twice (first on line {first})", _where(entity)
        )
    return uid


def _relation_warnings(counts: _Relations) -> list[str]:
    warnings = []
    if counts.outside:
        warnings.append(
            f"{counts.outside:,} relationships point to entities outside this export; they "
            "keep OFAC's id (ofac-<id>), the same as in the whole list"
        )
    if counts.unreadable:
        warnings.append(
            f"{counts.unreadable:,} relationships without a type or related entity; kept in notes"
        )
    return warnings


def parse(path: Path, source: str | None = None) -> ParsedList:
    """Read an OFAC enhanced XML export (whole list or filtered) into entries."""
    path = Path(path)
    root = read_document(path, ROOT_TAG, "an OFAC enhanced XML file")
    refs = ReferenceData.read(root)
    publication, warnings = read_publication(refs, root)
    container = root.find("entities")
    if container is None:
        raise SourceError(
            path, "no <entities> element: not a complete OFAC enhanced XML export", _where(root)
        )
    builders: dict[str, ofac.EntryBuilder] = {}
    elements: dict[str, etree._Element] = {}
    primary_names, alias_names = ofac.NameIndex(exact=False), ofac.NameIndex(exact=False)
    seen: dict[str, int] = {}
    for entity in container.iterfind("entity"):
        uid = _entity_id(path, entity, seen)
        builders[uid], aliases = build_entry(path, refs, uid, entity)
        elements[uid] = entity
        for name in builders[uid].target.get("name"):
            primary_names.add(name, uid)
        for name in aliases:
            alias_names.add(name, uid)
    relations = apply_relationships(refs, builders, elements)
    unresolved = ofac.resolve_links(builders, primary_names, alias_names)
    warnings += [
        *_relation_warnings(relations),
        *ofac.link_warning(unresolved, "this export"),
        *refs.warnings(),
    ]
    lists = (entry_lists(refs, element) for element in elements.values())
    return ofac.parsed_list(
        builders,
        source or dataset_name(publication, lists),
        FORMAT_NAME,
        path,
        [path],
        publication.published,
        warnings,
    )


FORMAT = SourceFormat(
    name=FORMAT_NAME,
    detect=detect,
    parse=parse,
    description="OFAC enhanced XML (Sanctions List Service export, whole list or filtered)",
)
