"""OFAC Sanctions List Standard ("advanced") XML: sdn_advanced.xml and cons_advanced.xml.

The layout (namespace ``http://www.un.org/sanctions/1.0``, schema sdn_advanced.xsd)::

    Sanctions
      DateOfIssue (Year, Month, Day)
      ReferenceValueSets / <Kind>Values / <Kind ID="...">text</Kind>     (AliasType, Country, ...)
      Locations / Location ID (LocationCountry, LocationAreaCode, LocationPart/.../Value)
      IDRegDocuments / IDRegDocument (IDRegDocTypeID, IdentityID, IssuedBy-CountryID,
                       IDRegistrationNo, IssuingAuthority, DocumentDate/DatePeriod)
      DistinctParties / DistinctParty FixedRef (Comment = the remarks)
        Profile ID PartySubTypeID
          Identity ID / Alias (AliasTypeID, Primary, LowQuality) / DocumentedName /
                        DocumentedNamePart / NamePartValue (NamePartGroupID, ScriptID);
                        NamePartGroups / MasterNamePartGroup / NamePartGroup (NamePartTypeID)
          Feature FeatureTypeID / FeatureVersion (ReliabilityID) /
                        VersionDetail (text or DetailReferenceID) | DatePeriod | VersionLocation
      ProfileRelationships / ProfileRelationship (From-ProfileID, To-ProfileID, RelationTypeID)
      SanctionsEntries / SanctionsEntry (ProfileID, ListID) / EntryEvent (Date, LegalBasisID),
                        SanctionsMeasure (SanctionsTypeID; the "Program" type's Comment is the
                        program code)

Every ``...ID`` attribute naming a reference value is resolved against ReferenceValueSets; an
id that is not defined there (and a Location, Identity or Profile id that the file does not
hold) is a :class:`SourceError` naming the element, its line and the id.

Modelling follows the legacy formats so that a party gets the same entities from every OFAC
file: DistinctParty ``FixedRef`` is OFAC's ent_num / uid, so the target is ``ofac-<FixedRef>``;
the Sanction, Address (keyed by Location ID, which is the legacy address uid), Passport and
Identification ids are made as :mod:`.ofac_common` makes them. Names are assembled from their
parts in the documented order; a person's primary name reads ``LAST, Given`` as in the CSV
and legacy XML, with lastName / firstName / middleName / fatherName / motherName from the
part types, and each Latin alias is also added in natural order. Names in a non-Latin script
are kept as aliases (or previous names), never as the primary name. Feature values that the
legacy XML prints as an id (``Website``, ``SWIFT/BIC``, ``Executive Order 13662 Directive
Determination - Subject to Directive 2``...) are read by the legacy remark interpreter
(:func:`.us_ofac_csv.interpret_remark`), so they land on the same properties; dates
(DatePeriod), countries (VersionLocation) and addresses are read from their structure.
IDRegDocuments become Passport or Identification entities; a number that FtM also has a
property for (taxNumber, registrationNumber, leiCode... with innCode / ogrnCode for Russian
numbers) goes to that property and, unlike in the legacy formats, to an Identification too,
which keeps the issuing country and dates.

Dataset name: ``us_ofac_sdn`` when every SanctionsEntry is on the "SDN List", ``us_ofac_cons``
as soon as one is on another list (Consolidated, SSI, FSE, NS-PLC, CAPTA...). A file without
SanctionsEntries falls back to its name ("cons" in it means ``us_ofac_cons``).

ProfileRelationships become FtM relationship entities (:data:`RELATIONS`), read as "From
<relation> To": ``Owned or Controlled By`` → Ownership (owner = To, asset = From), ``Acting for
or on behalf of`` → Representation (agent = From, client = To), leader / official / executive
officer of → Directorship, member of → Membership, family member → Family, associate →
Associate; anything else, or endpoints whose schema the relationship cannot hold, →
UnknownLink with the OFAC relation name in ``role``. The relationship is placed in the entry of
its From party, the party whose listing states it (OFAC ties each relationship to that party's
SanctionsEntry). A relationship naming a profile that is not in the file is left out with a
parse warning.
"""

from __future__ import annotations

import calendar
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from followthemoney import EntityProxy, model
from lxml import etree

from sanctionscope.sources import ofac_common as ofac
from sanctionscope.sources.base import ParsedList, SourceError, SourceFormat, make_entity
from sanctionscope.sources.us_ofac_csv import interpret_remark, parse_dates, split_remarks
from sanctionscope.sources.xmlsafe import read_document, sniff_root_tag

FORMAT_NAME = "us_ofac_advanced_xml"
ROOT_TAG = "Sanctions"
NAMESPACE = "http://www.un.org/sanctions/1.0"
SDN_SOURCE = "us_ofac_sdn"
CONS_SOURCE = "us_ofac_cons"
SDN_LIST = "SDN List"
PROGRAM_MEASURE = "program"  # the SanctionsType whose measure Comment is a program code
MAX_YEAR_SPAN = 10  # a birth year range up to this long becomes every year in it
EXAMPLES = 5  # relationships quoted in a warning
_FIXED_REF = re.compile(r"[0-9]{1,12}")
_IMO = re.compile(r"^IMO\s*\d{7}\.?$", re.IGNORECASE)
_SNIFF_BYTES = 4096


def detect(path: Path) -> bool:
    """True for a file whose root is ``Sanctions`` in the advanced namespace (or, without a
    namespace, followed by ``ReferenceValueSets``)."""
    path = Path(path)
    if not path.is_file() or sniff_root_tag(path) != ROOT_TAG:
        return False
    with path.open("rb") as fh:
        head = fh.read(_SNIFF_BYTES)
    return NAMESPACE.encode("ascii") in head or b"<ReferenceValueSets" in head


# --------------------------------------------------------------------------- XML access


def _where(element: etree._Element) -> str | None:
    return f"line {element.sourceline}" if element.sourceline else None


def _text(element: etree._Element | None) -> str | None:
    """Stripped text of ``element`` and its children; None when absent or blank."""
    if element is None:
        return None
    if len(element) == 0:  # a leaf, as nearly every element read here is
        value = (element.text or "").strip()
    else:
        value = "".join(element.itertext()).strip()
    return value or None


def _child_text(element: etree._Element, name: str) -> str | None:
    return _text(element.find(name))


def _is_true(element: etree._Element, attribute: str) -> bool:
    return (element.get(attribute) or "").strip().lower() == "true"


def _key(label: str) -> str:
    """A reference value as a lookup key: ``Organization Type:`` → ``organization type``."""
    return label.strip().rstrip(":-").strip().casefold()


# --------------------------------------------------------------------------- references


# Attributes that name a reference value → the kind of value (element name in
# ReferenceValueSets). Every one of them, anywhere in the file, must resolve.
REFERENCE_ATTRIBUTES = {
    name: name.removesuffix("ID")
    for name in (
        "AliasTypeID",
        "AreaCodeID",
        "AreaCodeTypeID",
        "CalendarTypeID",
        "CountryRelevanceID",
        "DecisionMakingBodyID",
        "DetailReferenceID",
        "DetailTypeID",
        "DocNameStatusID",
        "EntryEventTypeID",
        "EntryLinkTypeID",
        "ExRefTypeID",
        "FeatureTypeGroupID",
        "FeatureTypeID",
        "IDRegDocDateTypeID",
        "IDRegDocTypeID",
        "IdentityFeatureLinkTypeID",
        "LegalBasisID",
        "LegalBasisTypeID",
        "ListID",
        "LocPartTypeID",
        "LocPartValueStatusID",
        "LocPartValueTypeID",
        "NamePartTypeID",
        "OrganisationID",
        "PartySubTypeID",
        "PartyTypeID",
        "RelationQualityID",
        "RelationTypeID",
        "ReliabilityID",
        "SanctionsProgramID",
        "SanctionsTypeID",
        "ScriptID",
        "ScriptStatusID",
        "SubsidiaryBodyID",
        "SupInfoTypeID",
        "TargetTypeID",
        "ValidityID",
    )
} | {"CountryID": "Country", "IssuedBy-CountryID": "Country"}


@dataclass(frozen=True)
class Country:
    name: str
    code: str | None  # FtM country code, None when FtM has none (e.g. "undetermined")


class References:
    """ReferenceValueSets: kind (``AliasType``, ``Country``...) → ID → value element."""

    def __init__(self, path: Path, root: etree._Element) -> None:
        self.path = path
        self._values: dict[str, dict[str, etree._Element]] = defaultdict(dict)
        self._texts: dict[tuple[str, str], str] = {}
        self._countries: dict[str, Country] = {}
        sets = root.find("ReferenceValueSets")
        if sets is None:
            raise SourceError(path, "no ReferenceValueSets: not a complete OFAC advanced XML file")
        for group in sets.iterchildren("*"):
            for value in group.iterchildren("*"):
                ref_id = value.get("ID")
                if ref_id is not None:
                    self._values[str(value.tag)][ref_id.strip()] = value
                    self._texts[(str(value.tag), ref_id.strip())] = _text(value) or ""

    def check_all(self, root: etree._Element) -> None:
        """Every reference attribute in the file (:data:`REFERENCE_ATTRIBUTES`) resolves."""
        for element in root.iter("*"):
            for attribute, value in element.attrib.items():
                kind = REFERENCE_ATTRIBUTES.get(str(attribute))
                if kind is not None and (kind, str(value).strip()) not in self._texts:
                    self.element(kind, element, str(attribute))  # raises, naming element and id

    def element(
        self, kind: str, user: etree._Element, attribute: str | None = None
    ) -> etree._Element:
        """The ``kind`` value that ``user`` names in ``attribute`` (default ``<kind>ID``)."""
        attribute = attribute or f"{kind}ID"
        ref_id = user.get(attribute)
        if ref_id is None:
            raise SourceError(self.path, f"<{user.tag}> has no {attribute}", _where(user))
        found = self._values.get(kind, {}).get(ref_id.strip())
        if found is None:
            raise SourceError(
                self.path,
                f"<{user.tag}> {attribute}={ref_id!r}: no {kind} with that ID in "
                "ReferenceValueSets (damaged or incomplete file)",
                _where(user),
            )
        return found

    def text(self, kind: str, user: etree._Element, attribute: str | None = None) -> str:
        found = self._texts.get((kind, (user.get(attribute or f"{kind}ID") or "").strip()))
        if found is not None:
            return found
        return _text(self.element(kind, user, attribute)) or ""  # raises for an unknown id

    def optional_text(
        self, kind: str, user: etree._Element, attribute: str | None = None
    ) -> str | None:
        """Like :meth:`text`, None when ``user`` does not carry the attribute at all."""
        if user.get(attribute or f"{kind}ID") is None:
            return None
        return self.text(kind, user, attribute)

    def country(self, user: etree._Element, attribute: str = "CountryID") -> Country | None:
        """The Country ``user`` names in ``attribute``; None without the attribute."""
        if user.get(attribute) is None:
            return None
        element = self.element("Country", user, attribute)
        ref_id = element.get("ID") or ""
        if ref_id not in self._countries:
            name = _text(element) or ""
            iso2 = (element.get("ISO2") or "").strip()
            code = ofac.clean_country(iso2) if iso2 else None
            self._countries[ref_id] = Country(name, code or ofac.clean_country(name))
        return self._countries[ref_id]

    def area_country(self, user: etree._Element) -> Country | None:
        """The country of the AreaCode ``user`` names (AreaCode carries a CountryID)."""
        if user.get("AreaCodeID") is None:
            return None
        area = self.element("AreaCode", user)
        return self.country(area) if area.get("CountryID") is not None else None


# --------------------------------------------------------------------------- dates


@dataclass(frozen=True)
class Period:
    """A DatePeriod: earliest and latest day it allows, and whether OFAC says circa."""

    start: date
    end: date
    approximate: bool

    def values(self) -> list[str]:
        """ISO date prefixes: ``1962`` for a whole year, ``1962-05`` for a whole month,
        every year of a short year range, else the two ends."""
        start, end = self.start, self.end
        if start == end:
            return [start.isoformat()]
        if (start.month, start.day, end.month, end.day) == (1, 1, 12, 31):
            if 0 <= end.year - start.year <= MAX_YEAR_SPAN:
                return [str(year) for year in range(start.year, end.year + 1)]
            return [str(start.year), str(end.year)]
        last_day = calendar.monthrange(end.year, end.month)[1]
        if (start.year, start.month, start.day) == (end.year, end.month, 1) and end.day == last_day:
            return [f"{start.year:04d}-{start.month:02d}"]
        return [start.isoformat(), end.isoformat()]

    def describe(self) -> str:
        values = self.values()
        text = values[0] if len(values) == 1 else f"{values[0]} to {values[-1]}"
        return f"circa {text}" if self.approximate else text

    @property
    def exact(self) -> bool:
        return len(self.values()) == 1 and not self.approximate


def _number(path: Path, element: etree._Element, name: str, default: int | None) -> int:
    text = _child_text(element, name)
    if text is None:
        if default is None:
            raise SourceError(path, f"<{element.tag}> has no {name}", _where(element))
        return default
    if not text.isascii() or not text.isdigit():
        raise SourceError(path, f"<{element.tag}> {name} {text!r} is not a number", _where(element))
    return int(text)


def _calendar_date(path: Path, element: etree._Element, earliest: bool = True) -> date:
    """A Year / Month / Day element; a missing month or day means the first (or last)."""
    year = _number(path, element, "Year", None)
    month = _number(path, element, "Month", 1 if earliest else 12)
    try:
        last_day = calendar.monthrange(year, month)[1]
        return date(year, month, _number(path, element, "Day", 1 if earliest else last_day))
    except (ValueError, calendar.IllegalMonthError) as exc:
        reason = f"<{element.tag}> is not a calendar date ({exc})"
        raise SourceError(path, reason, _where(element)) from exc


def _boundary(path: Path, side: etree._Element, earliest: bool) -> date:
    """The From (earliest) or To (latest) day of a Start or End element."""
    preferred, other = ("From", "To") if earliest else ("To", "From")
    found = side.find(preferred)
    found = found if found is not None else side.find(other)
    if found is None:
        raise SourceError(path, f"<{side.tag}> has neither From nor To", _where(side))
    return _calendar_date(path, found, earliest)


def _period(path: Path, element: etree._Element | None) -> Period | None:
    """A DatePeriod; None when it is absent or states no date (as on SanctionsMeasure)."""
    if element is None:
        return None
    start, end = element.find("Start"), element.find("End")
    if start is None and end is None:
        return None
    first = start if start is not None else end
    last = end if end is not None else start
    assert first is not None and last is not None
    approximate = _is_true(first, "Approximate") or _is_true(last, "Approximate")
    return Period(_boundary(path, first, True), _boundary(path, last, False), approximate)


# --------------------------------------------------------------------------- locations


# LocPartType (upper case) → where the part goes in a legacy-style address
_STREET_PARTS = ("ADDRESS1", "ADDRESS2", "ADDRESS3")


@dataclass
class Place:
    """A Location: its parts by LocPartType (upper case) and its country."""

    location_id: str
    parts: dict[str, list[str]]
    country: Country | None

    def part(self, kind: str) -> str | None:
        values = self.parts.get(kind)
        return ", ".join(values) if values else None

    @property
    def country_name(self) -> str | None:
        if self.country is not None and self.country.code is not None:
            return self.country.name
        # Countries written as an untyped part ("Unknown": "Russia"), as for citizenship.
        return self.part("UNKNOWN")

    @property
    def country_code(self) -> str | None:
        if self.country is not None and self.country.code is not None:
            return self.country.code
        name = self.part("UNKNOWN")
        return ofac.clean_country(name) if name else None

    @property
    def street(self) -> str | None:
        lines = [self.part(kind) for kind in _STREET_PARTS]
        return ", ".join(line for line in lines if line) or None

    @property
    def city_line(self) -> str | None:
        """The legacy CSV's city column: ``City, State Postal``."""
        city_state = ", ".join(p for p in (self.part("CITY"), self.part("STATE/PROVINCE")) if p)
        return " ".join(p for p in (city_state, self.part("POSTAL CODE")) if p) or None

    @property
    def full(self) -> str:
        parts = (self.street, self.city_line, self.part("REGION"), self.country_name)
        return ", ".join(p for p in parts if p)


def _read_place(refs: References, location: etree._Element) -> Place:
    parts: dict[str, list[str]] = defaultdict(list)
    for part in location.iterfind("LocationPart"):
        kind = refs.text("LocPartType", part).upper()
        values = sorted(
            part.iterfind("LocationPartValue"), key=lambda v: not _is_true(v, "Primary")
        )
        for value in values:
            text = _child_text(value, "Value")
            if text is not None:
                parts[kind].append(text)
    country: Country | None = None
    located = location.find("LocationCountry")
    if located is not None:
        refs.optional_text("CountryRelevance", located)
        country = refs.country(located)
    area = location.find("LocationAreaCode")
    if country is None and area is not None:
        country = refs.area_country(area)
    return Place(location.get("ID") or "", dict(parts), country)


class PlaceIndex:
    """Locations by ID, read when first used."""

    def __init__(self, refs: References, root: etree._Element) -> None:
        self._refs = refs
        self._elements = {
            location.get("ID") or "": location for location in root.iterfind("Locations/Location")
        }
        self._places: dict[str, Place] = {}

    def get(self, user: etree._Element, attribute: str = "LocationID") -> Place:
        location_id = (user.get(attribute) or "").strip()
        if location_id not in self._places:
            element = self._elements.get(location_id)
            if element is None:
                raise SourceError(
                    self._refs.path,
                    f"<{user.tag}> {attribute}={location_id!r}: no Location with that ID",
                    _where(user),
                )
            self._places[location_id] = _read_place(self._refs, element)
        return self._places[location_id]


# --------------------------------------------------------------------------- names


@dataclass(frozen=True)
class Name:
    """One DocumentedName: its (part type, value) pairs in documented order."""

    parts: tuple[tuple[str, str], ...]
    latin: bool

    def of_type(self, *kinds: str) -> list[str]:
        return [value for kind, value in self.parts if kind in kinds]

    def given(self) -> list[str]:
        return [value for kind, value in self.parts if kind != "last name"]

    @property
    def written(self) -> str:
        """The name as OFAC lists it: ``LAST, Given`` for a person's Latin name, else the
        parts joined in documented order."""
        last, given = self.of_type("last name"), self.given()
        if self.latin and last and given:
            return f"{' '.join(last)}, {' '.join(given)}"
        return " ".join(value for _, value in self.parts)

    @property
    def natural(self) -> str | None:
        """``Given LAST`` for a name with both; None otherwise."""
        last, given = self.of_type("last name"), self.given()
        if self.latin and last and given:
            return f"{' '.join(given)} {' '.join(last)}"
        return None


@dataclass(frozen=True)
class AliasName:
    name: Name
    prop: str  # alias, weakAlias or previousName
    primary: bool


# Alias types (lower case, dots dropped) → property; "name" is the primary name's type.
ALIAS_PROPS = {"aka": "alias", "fka": "previousName", "nka": "alias", "name": "alias"}
# Person name part types → Person property
PERSON_PARTS = {
    "last name": "lastName",
    "first name": "firstName",
    "middle name": "middleName",
    "patronymic": "fatherName",
    "matronymic": "motherName",
}


def _part_groups(refs: References, identity: etree._Element) -> dict[str, str]:
    """NamePartGroup ID → name part type (lower case) for one Identity."""
    groups: dict[str, str] = {}
    for group in identity.iterfind("NamePartGroups/MasterNamePartGroup/NamePartGroup"):
        groups[group.get("ID") or ""] = refs.text("NamePartType", group).casefold()
    return groups


def _read_name(refs: References, groups: dict[str, str], documented: etree._Element) -> Name | None:
    refs.optional_text("DocNameStatus", documented)
    parts: list[tuple[str, str]] = []
    latin = True
    for value in documented.iterfind("DocumentedNamePart/NamePartValue"):
        group_id = value.get("NamePartGroupID") or ""
        if group_id not in groups:
            raise SourceError(
                refs.path,
                f"<NamePartValue> NamePartGroupID={group_id!r}: no such NamePartGroup in "
                "its Identity",
                _where(value),
            )
        if value.get("ScriptID") is not None:
            latin = latin and _is_latin(refs.element("Script", value))
        text = _text(value)
        if text is not None:
            parts.append((groups[group_id], text))
    return Name(tuple(parts), latin) if parts else None


_LATIN = frozenset({"latin", "latn"})  # the Script's name, or its ScriptCode (ISO 15924)


def _is_latin(script: etree._Element) -> bool:
    names = (script.get("ScriptCode"), _text(script))
    return any((name or "").strip().casefold() in _LATIN for name in names)


def _alias_prop(refs: References, alias: etree._Element) -> str:
    kind = refs.text("AliasType", alias).replace(".", "").strip().casefold()
    prop = ALIAS_PROPS.get(kind, "alias")
    if prop == "alias" and _is_true(alias, "LowQuality"):
        return "weakAlias"
    return prop


def _read_aliases(refs: References, identity: etree._Element) -> Iterator[AliasName]:
    groups = _part_groups(refs, identity)
    for alias in identity.iterfind("Alias"):
        prop, primary = _alias_prop(refs, alias), _is_true(alias, "Primary")
        for documented in alias.iterfind("DocumentedName"):
            name = _read_name(refs, groups, documented)
            if name is not None:
                yield AliasName(name, prop, primary)


def _primary_name(aliases: list[AliasName]) -> Name | None:
    """The primary alias's Latin name; else the first Latin name; else any name."""
    for test in (
        lambda a: a.primary and a.name.latin,
        lambda a: a.name.latin and a.prop != "weakAlias",
        lambda a: True,
    ):
        for alias in aliases:
            if test(alias):
                return alias.name
    return None


def _add_person_parts(target: EntityProxy, name: Name) -> None:
    for kind, prop in PERSON_PARTS.items():
        values = name.of_type(kind)
        if values:
            target.add(prop, " ".join(values))
    natural = name.natural
    if natural is not None:
        target.add("alias", natural)


def _add_alias(target: EntityProxy, alias: AliasName, primary: Name) -> None:
    if alias.name == primary:
        return
    target.add(alias.prop, alias.name.written)
    natural = alias.name.natural
    if natural is not None and target.schema.is_a("Person"):
        target.add(alias.prop, natural)


# --------------------------------------------------------------------------- features

# Feature type (see _key) → target property for values that are dates.
DATE_FEATURES = {
    "birthdate": "birthDate",
    "organization established date": "incorporationDate",
    "vessel year of build": "buildDate",
    "aircraft manufacture date": "buildDate",
}
# Feature type → target property for values that are countries (VersionLocation or text).
COUNTRY_FEATURES = {
    "nationality country": "nationality",
    "citizenship country": "citizenship",
    "nationality of registration": "country",
    "vessel flag": "flag",
    "other vessel flag": "flag",
    "former vessel flag": "pastFlags",
}
# Feature type → (target property, label in notes when the value does not fit); the
# legacy formats carry these as columns (ofac_common.apply_columns).
COLUMN_FEATURES = {
    "title": ("position", "Title"),
    "vessel call sign": ("callSign", "Call sign"),
    "vessel type": ("type", "Vessel type"),
    "vessel tonnage": ("tonnage", "Tonnage"),
    "vessel gross registered tonnage": ("grossRegisteredTonnage", "Gross registered tonnage"),
}
NOTE_FEATURES = {"vessel owner": "Vessel owner"}  # a name, not an entity (as in the legacy)
ADDRESS_FEATURE = "location"
BIRTH_PLACE_FEATURE = "place of birth"


@dataclass
class Party:
    """Everything needed while one DistinctParty is read."""

    refs: References
    places: PlaceIndex
    builder: ofac.EntryBuilder

    @property
    def path(self) -> Path:
        return self.refs.path

    def note(self, text: str) -> None:
        self.builder.note(text)


def _add_fact(party: Party, type_name: str, value: str) -> None:
    """A feature value the legacy XML prints as an id: same handling as there."""
    builder, key = party.builder, _key(type_name)
    if key in COLUMN_FEATURES:
        prop, label = COLUMN_FEATURES[key]
        if not ofac.add_value(builder.target, prop, value):
            party.note(f"{label}: {value}")
    elif key in NOTE_FEATURES:
        party.note(f"{NOTE_FEATURES[key]}: {value}")
    elif key == BIRTH_PLACE_FEATURE:
        ofac.apply_remark(builder, interpret_remark(f"POB {value}"))
    elif type_name.strip() in ofac.IDENTIFIER_KINDS and not _IMO.match(value):
        document = ofac.Document(type_name.strip(), value)
        if not ofac.add_document(builder, document):
            party.note(f"{type_name.strip()} {value}")
    else:
        ofac.apply_remark(builder, interpret_remark(f"{type_name.strip()} {value}"))


def _add_dates(party: Party, type_name: str, period: Period | None, texts: list[str]) -> None:
    prop = DATE_FEATURES[_key(type_name)]
    target = party.builder.target
    if period is not None:
        for value in period.values():
            ofac.add_value(target, prop, value)
        if not period.exact:
            party.note(f"{type_name}: {period.describe()}")
    for text in texts:
        values, approximate = parse_dates(text)
        placed = [v for v in values if ofac.add_value(target, prop, v)]
        if not placed or approximate:
            party.note(f"{type_name}: {text}")


def _add_countries(party: Party, type_name: str, places: list[Place], texts: list[str]) -> None:
    prop = COUNTRY_FEATURES[_key(type_name)]
    named = [(p.country_code, p.country_name or p.full) for p in places]
    named += [(ofac.clean_country(t), t) for t in texts]
    for code, name in named:
        if not (code and ofac.add_value(party.builder.target, prop, code)) and name:
            party.note(f"{type_name}: {name}")


def _add_address(party: Party, place: Place) -> None:
    """A Location feature: an Address entity like the legacy address with that uid."""
    if not place.full:
        return  # e.g. "undetermined": no place at all
    address = make_entity("Address", ofac.ID_PREFIX, party.builder.record_id, place.location_id)
    address.add("full", place.full)
    address.add("street", place.street)
    address.add("city", place.part("CITY"))
    address.add("region", place.part("STATE/PROVINCE"))
    address.add("region", place.part("REGION"))
    address.add("postalCode", place.part("POSTAL CODE"))
    code = place.country_code
    if code is not None:
        ofac.put(address, "country", code)
    elif place.country_name:
        address.add("remarks", f"Country: {place.country_name}")
    party.builder.add_address(address)


def _detail_values(refs: References, version: etree._Element) -> list[str]:
    values: list[str] = []
    for detail in version.iterfind("VersionDetail"):
        refs.optional_text("DetailType", detail)
        text = refs.optional_text("DetailReference", detail) or _text(detail)
        if text:
            values.append(text)
    return values


def _apply_feature(party: Party, feature: etree._Element) -> None:
    refs = party.refs
    type_name = refs.text("FeatureType", feature)
    key = _key(type_name)
    for version in feature.iterfind("FeatureVersion"):
        refs.optional_text("Reliability", version)
        texts = _detail_values(refs, version)
        places = [party.places.get(v) for v in version.iterfind("VersionLocation")]
        period = _period(party.path, version.find("DatePeriod"))
        comment = _child_text(version, "Comment")
        if comment:
            party.note(f"{type_name}: {comment}")
        if key == ADDRESS_FEATURE:
            for place in places:
                _add_address(party, place)
            for text in texts:
                party.note(f"{type_name}: {text}")
        elif key in COUNTRY_FEATURES:
            _add_countries(party, type_name, places, texts)
        elif key in DATE_FEATURES:
            _add_dates(party, type_name, period, texts)
        else:
            values = texts + [p.full for p in places if p.full]
            if period is not None:
                values.append(period.describe())
            for value in values:
                _add_fact(party, type_name, value)


# --------------------------------------------------------------------------- documents


def _document_dates(path: Path, refs: References, doc: etree._Element) -> dict[str, str]:
    """``issued`` / ``expires`` (ISO prefixes) from the DocumentDate elements."""
    dates: dict[str, str] = {}
    for item in doc.iterfind("DocumentDate"):
        kind = refs.text("IDRegDocDateType", item).casefold()
        period = _period(path, item.find("DatePeriod"))
        if period is None:
            continue
        slot = "expires" if "expir" in kind else "issued" if "issu" in kind else kind
        dates.setdefault(slot, period.values()[0])
    return dates


def _document_text(kind: str, number: str, country: Country | None, dates: dict[str, str]) -> str:
    """The document as the legacy remarks print it: ``Passport 123 (Russia) issued ...``."""
    text = f"{kind} {number}"
    if country is not None:
        text += f" ({country.name})"
    for slot, value in dates.items():
        text += f" {slot} {value}"
    return text


def _apply_document(party: Party, doc: etree._Element) -> None:
    refs, builder = party.refs, party.builder
    kind = refs.text("IDRegDocType", doc)
    number = _child_text(doc, "IDRegistrationNo")
    country = refs.country(doc, "IssuedBy-CountryID")
    dates = _document_dates(party.path, refs, doc)
    if number is None:
        party.note(f"{_document_text(kind, '(no number)', country, dates)}")
        return
    text = _document_text(kind, number, country, dates)
    if kind in ofac.IDENTIFIER_KINDS and not _IMO.match(number):
        code = country.code if country is not None else None
        document = ofac.Document(kind, number, code, dates.get("issued"), dates.get("expires"))
        placed = ofac.add_document(builder, document)
        if ofac.IDENTIFIER_KINDS[kind].prop is not None:
            _add_identification(builder, document)
        other_dates = set(dates) - {"issued", "expires"}
        if not placed or (country is not None and code is None) or other_dates:
            party.note(text)
    else:
        ofac.apply_remark(builder, interpret_remark(text))
    _note_document_extras(party, doc, text, country)


def _add_identification(builder: ofac.EntryBuilder, document: ofac.Document) -> None:
    """An Identification entity for a number that also went to its own property (tax,
    registration, LEI...): the property cannot say who issued it or when. The legacy
    formats, which print these numbers without structure, make only the property."""
    if not builder.target.schema.is_a("LegalEntity"):
        return
    doc = make_entity(
        "Identification", ofac.ID_PREFIX, builder.record_id, document.kind, document.number
    )
    ofac.put(doc, "holder", builder.target.id)
    doc.add("type", document.kind)
    doc.add("number", document.number)
    ofac.put(doc, "country", document.country)
    ofac.put(doc, "startDate", document.issued)
    ofac.put(doc, "endDate", document.expires)
    builder.relate(doc)


def _note_document_extras(
    party: Party, doc: etree._Element, text: str, country: Country | None
) -> None:
    """Validity other than Valid, issuing authority, place of issue and comment: notes."""
    validity = party.refs.optional_text("Validity", doc)
    if validity and validity.casefold() != "valid":
        party.note(f"{text}: {validity}")
    authority = _child_text(doc, "IssuingAuthority")
    if authority:
        party.note(f"{text}: issued by {authority}")
    if doc.get("IssuedIn-LocationID") is not None:
        place = party.places.get(doc, "IssuedIn-LocationID").full
        if place and (country is None or place != country.name):
            party.note(f"{text}: issued in {place}")
    comment = _child_text(doc, "Comment")
    if comment:
        party.note(f"{text}: {comment}")


# --------------------------------------------------------------------------- sanctions


@dataclass
class Listing:
    """What the SanctionsEntries of one profile say."""

    programs: list[str] = field(default_factory=list)
    lists: list[str] = field(default_factory=list)
    legal_bases: list[str] = field(default_factory=list)
    measures: list[str] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)
    dates: list[str] = field(default_factory=list)


def _add_once(values: list[str], value: str | None) -> None:
    if value and value not in values:
        values.append(value)


def _read_listing(path: Path, refs: References, entries: Iterable[etree._Element]) -> Listing:
    listing = Listing()
    for entry in entries:
        _add_once(listing.lists, refs.text("List", entry))
        for event in entry.iterfind("EntryEvent"):
            refs.optional_text("EntryEventType", event)
            basis = refs.optional_text("LegalBasis", event)
            if basis and basis.casefold() != "unknown":
                _add_once(listing.legal_bases, basis)
            when = event.find("Date")
            if when is not None:
                _add_once(listing.dates, _calendar_date(path, when).isoformat())
        for measure in entry.iterfind("SanctionsMeasure"):
            kind = refs.text("SanctionsType", measure)
            comment = _child_text(measure, "Comment")
            if kind.casefold() == PROGRAM_MEASURE:
                _add_once(listing.programs, comment)
                continue
            _add_once(listing.measures, kind)
            _add_once(listing.comments, comment)
    return listing


def _apply_listing(builder: ofac.EntryBuilder, listing: Listing) -> None:
    sanction = builder.sanction
    if listing.dates:
        ofac.put(sanction, "listingDate", min(listing.dates))
    ofac.put(sanction, "reason", listing.legal_bases)
    sanction.add("provisions", listing.measures)
    sanction.add("description", [f"Listed on the {name}" for name in listing.lists])
    for comment in listing.comments:
        for part in split_remarks(comment):
            ofac.apply_remark(builder, interpret_remark(part))


# --------------------------------------------------------------------------- parties


def _schema(refs: References, profile: etree._Element) -> str:
    """PartySubType (Vessel, Aircraft) or else its PartyType (Individual, Entity)."""
    sub_type = refs.element("PartySubType", profile)
    party_type = refs.text("PartyType", sub_type).casefold()
    by_sub_type = ofac.SCHEMA_BY_TYPE.get((_text(sub_type) or "").casefold())
    if by_sub_type is not None:
        return by_sub_type
    if party_type == "entity":
        return ofac.ENTITY_SCHEMA
    return ofac.SCHEMA_BY_TYPE.get(party_type, ofac.UNKNOWN_SCHEMA)


@dataclass
class Indexes:
    """The parts of the file a party refers to, by the id the party uses."""

    refs: References
    places: PlaceIndex
    entries: dict[str, list[etree._Element]]  # ProfileID → SanctionsEntry
    documents: dict[str, list[etree._Element]]  # IdentityID → IDRegDocument


def _group_by(
    elements: Iterable[etree._Element], attribute: str
) -> dict[str, list[etree._Element]]:
    grouped: dict[str, list[etree._Element]] = defaultdict(list)
    for element in elements:
        grouped[(element.get(attribute) or "").strip()].append(element)
    return grouped


def _new_builder(
    refs: References, uid: str, party: etree._Element, listing: Listing
) -> ofac.EntryBuilder:
    """The party's builder: the target with its names and programs, and its Sanction."""
    profiles = list(party.iterfind("Profile"))
    if not profiles:
        raise SourceError(refs.path, f"DistinctParty {uid} has no Profile", _where(party))
    identities = party.iterfind("Profile/Identity")
    aliases = [a for identity in identities for a in _read_aliases(refs, identity)]
    primary = _primary_name(aliases)
    if primary is None:
        raise SourceError(refs.path, f"DistinctParty {uid} has no name", _where(party))
    target = ofac.make_target(uid, primary.written, _schema(refs, profiles[0]), None)
    if target.schema.is_a("Person"):
        _add_person_parts(target, primary)
    for alias in aliases:
        _add_alias(target, alias, primary)
    ofac.put(target, "program", listing.programs)
    return ofac.EntryBuilder(uid, target, ofac.make_sanction(uid, target, listing.programs))


def _build_party(
    indexes: Indexes, uid: str, party: etree._Element, used: set[str]
) -> tuple[ofac.EntryBuilder, list[str]]:
    """The entry of one DistinctParty and its Profile IDs. ``used`` collects the profile
    and identity ids whose SanctionsEntries and IDRegDocuments were read."""
    refs = indexes.refs
    profile_ids = [(p.get("ID") or "").strip() for p in party.iterfind("Profile")]
    entries = (e for p in profile_ids for e in indexes.entries.get(p, []))
    listing = _read_listing(refs.path, refs, entries)
    builder = _new_builder(refs, uid, party, listing)
    state = Party(refs, indexes.places, builder)
    for part in split_remarks(_child_text(party, "Comment") or ""):
        ofac.apply_remark(builder, interpret_remark(part))
    for feature in party.iterfind("Profile/Feature"):
        _apply_feature(state, feature)
    for identity in party.iterfind("Profile/Identity"):
        identity_id = (identity.get("ID") or "").strip()
        used.add(f"identity:{identity_id}")
        for doc in indexes.documents.get(identity_id, []):
            _apply_document(state, doc)
    _apply_listing(builder, listing)
    used.update(f"profile:{p}" for p in profile_ids)
    return builder, profile_ids


def _party_uid(path: Path, party: etree._Element, seen: dict[str, int]) -> str:
    uid = (party.get("FixedRef") or "").strip()
    if not _FIXED_REF.fullmatch(uid):
        raise SourceError(
            path, f"DistinctParty FixedRef {uid!r} is not an OFAC record number", _where(party)
        )
    if uid in seen:
        raise SourceError(
            path, f"DistinctParty {uid} appears twice (first on line {seen[uid]})", _where(party)
        )
    seen[uid] = party.sourceline or 0
    return uid


def _check_all_used(
    path: Path, grouped: dict[str, list[etree._Element]], prefix: str, used: set[str], what: str
) -> None:
    """A SanctionsEntry or IDRegDocument whose party is not in the file is damage."""
    for key, elements in grouped.items():
        if f"{prefix}:{key}" not in used:
            element = elements[0]
            raise SourceError(
                path,
                f"<{element.tag}> refers to {what} {key!r}, which no DistinctParty holds",
                _where(element),
            )


# --------------------------------------------------------------------------- relationships


@dataclass(frozen=True)
class Relation:
    """How one OFAC relation type becomes an FtM relationship: the schema, the property
    holding the From party and the one holding the To party."""

    schema: str
    from_prop: str
    to_prop: str


UNKNOWN_RELATION = Relation("UnknownLink", "subject", "object")
# (words found in the relation name, lower case) → relationship; first match wins.
RELATIONS: tuple[tuple[tuple[str, ...], Relation], ...] = (
    (
        ("owned or controlled by", "owned by", "controlled by"),
        Relation("Ownership", "asset", "owner"),
    ),
    (("on behalf of",), Relation("Representation", "agent", "client")),
    (
        ("leader", "official of", "executive officer", "director of"),
        Relation("Directorship", "director", "organization"),
    ),
    (("family",), Relation("Family", "person", "relative")),
    (("member of",), Relation("Membership", "member", "organization")),
    (("associate",), Relation("Associate", "person", "associate")),
)


def relation_for(name: str) -> Relation:
    """The FtM relationship for an OFAC relation type name (UnknownLink if none fits)."""
    lowered = name.casefold()
    for words, relation in RELATIONS:
        if any(word in lowered for word in words):
            return relation
    return UNKNOWN_RELATION


def _fits(relation: Relation, prop: str, party: EntityProxy) -> bool:
    """Can ``party`` stand in ``prop``? OFAC's "Entity" (Organization) is taken as an
    ownable asset; a person is not."""
    schema = model.get(relation.schema)
    rng = schema.properties[prop].range if schema is not None else None
    if rng is None:
        return True
    if rng.name == "Asset":
        return not party.schema.is_a("Person")
    return party.schema.is_a(rng)


def _relationship(
    refs: References, element: etree._Element, source: EntityProxy, other: EntityProxy, uid: str
) -> EntityProxy:
    name = refs.text("RelationType", element)
    relation = relation_for(name)
    if not (
        _fits(relation, relation.from_prop, source) and _fits(relation, relation.to_prop, other)
    ):
        relation = UNKNOWN_RELATION
    entity = make_entity(relation.schema, ofac.ID_PREFIX, uid, "relation", element.get("ID"))
    ofac.put(entity, relation.from_prop, source.id)
    ofac.put(entity, relation.to_prop, other.id)
    entity.add("relationship" if entity.schema.get("relationship") else "role", name)
    quality = refs.optional_text("RelationQuality", element)
    if quality and quality.casefold() != "unknown":
        entity.add("description", f"Relation quality: {quality}")
    if _is_true(element, "Former"):
        entity.add("description", "Former relationship")
    entity.add("description", _child_text(element, "Comment"))
    return entity


def _apply_relationships(
    root: etree._Element,
    refs: References,
    builders: dict[str, ofac.EntryBuilder],
    profile_uid: dict[str, str],
) -> list[str]:
    """Relationship entities into the From party's entry; returns the parse warnings."""
    missing: list[str] = []
    for element in root.iterfind("ProfileRelationships/ProfileRelationship"):
        ends = [(element.get(a) or "").strip() for a in ("From-ProfileID", "To-ProfileID")]
        refs.text("RelationType", element)  # an unknown type is an error even when skipped
        uids = [profile_uid.get(end) for end in ends]
        if uids[0] is None or uids[1] is None:
            missing.append(f"{element.get('ID')} ({ends[0]} → {ends[1]})")
            continue
        source, other = builders[uids[0]], builders[uids[1]]
        source.relate(_relationship(refs, element, source.target, other.target, uids[0]))
    if not missing:
        return []
    examples = "; ".join(missing[:EXAMPLES]) + ("; ..." if len(missing) > EXAMPLES else "")
    return [
        f"{len(missing):,} ProfileRelationships name a profile that is not in this file "
        f"(e.g. {examples}); not imported"
    ]


# --------------------------------------------------------------------------- parse


def _date_of_issue(path: Path, root: etree._Element) -> date | None:
    element = root.find("DateOfIssue")
    return _calendar_date(path, element) if element is not None else None


def default_source(path: Path, lists: set[str]) -> str:
    """``us_ofac_sdn`` when every entry is on the SDN List, ``us_ofac_cons`` when one is on
    another list; without entries, "cons" in the file name means ``us_ofac_cons``."""
    if lists:
        return SDN_SOURCE if lists == {SDN_LIST} else CONS_SOURCE
    return CONS_SOURCE if "cons" in Path(path).name.lower() else SDN_SOURCE


def _read_root(path: Path) -> etree._Element:
    return read_document(path, ROOT_TAG, "an OFAC advanced XML file")


def _read_parties(
    indexes: Indexes, parties: etree._Element
) -> tuple[dict[str, ofac.EntryBuilder], dict[str, str]]:
    """Builders by FixedRef, and FixedRef by Profile ID. A SanctionsEntry or IDRegDocument
    that no party reads is an error."""
    path = indexes.refs.path
    builders: dict[str, ofac.EntryBuilder] = {}
    profile_uid: dict[str, str] = {}
    seen: dict[str, int] = {}
    used: set[str] = set()
    for party in parties.iterfind("DistinctParty"):
        uid = _party_uid(path, party, seen)
        builders[uid], profile_ids = _build_party(indexes, uid, party, used)
        profile_uid.update((profile_id, uid) for profile_id in profile_ids)
    _check_all_used(path, indexes.entries, "profile", used, "ProfileID")
    _check_all_used(path, indexes.documents, "identity", used, "IdentityID")
    return builders, profile_uid


def _resolve_remark_links(builders: dict[str, ofac.EntryBuilder]) -> list[str]:
    """``Linked To:`` in the remarks, as the legacy parsers resolve them."""
    primary_names, alias_names = ofac.NameIndex(exact=False), ofac.NameIndex(exact=False)
    for uid, builder in builders.items():
        for name in builder.target.get("name"):
            primary_names.add(name, uid)
        for prop in ("alias", "weakAlias", "previousName"):
            for name in builder.target.get(prop):
                alias_names.add(name, uid)
    unresolved = ofac.resolve_links(builders, primary_names, alias_names)
    return ofac.link_warning(unresolved, "the list")


def parse(path: Path, source: str | None = None) -> ParsedList:
    """Read an OFAC advanced XML file (sdn_advanced.xml or cons_advanced.xml) into entries."""
    path = Path(path)
    root = _read_root(path)
    refs = References(path, root)
    refs.check_all(root)
    published = _date_of_issue(path, root)
    parties = root.find("DistinctParties")
    if parties is None:
        raise SourceError(path, "no DistinctParties: not a complete OFAC advanced XML file")
    entries = list(root.iterfind("SanctionsEntries/SanctionsEntry"))
    indexes = Indexes(
        refs,
        PlaceIndex(refs, root),
        _group_by(entries, "ProfileID"),
        _group_by(root.iterfind("IDRegDocuments/IDRegDocument"), "IdentityID"),
    )
    builders, profile_uid = _read_parties(indexes, parties)
    warnings = _resolve_remark_links(builders)
    warnings.extend(_apply_relationships(root, refs, builders, profile_uid))
    lists = {refs.text("List", entry) for entry in entries}
    return ofac.parsed_list(
        builders,
        source or default_source(path, lists),
        FORMAT_NAME,
        path,
        [path],
        published,
        warnings,
    )


FORMAT = SourceFormat(
    name=FORMAT_NAME,
    detect=detect,
    parse=parse,
    description="OFAC advanced XML, Sanctions List Standard (sdn_advanced.xml / cons_advanced.xml)",
)
