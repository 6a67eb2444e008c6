"""OFAC advanced XML (Sanctions List Standard): the real cons_advanced.xml, a small hand-written
SDN file covering vessels, aircraft, scripts and every relationship kind, and files that must
be refused."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from followthemoney import EntityProxy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sanctionscope.sources import detect_format
from sanctionscope.sources.base import Entry, ParsedList, SourceError
from sanctionscope.sources.us_ofac_advanced_xml import FORMAT, detect, parse, relation_for
from tests.sources.helpers import related_of, write_file

REAL = "ofac_advanced_xml/cons_advanced_2020-03-17.xml"
LEGACY = "ofac_legacy_xml/consolidated_2025-03-28.xml"
NS = "http://www.un.org/sanctions/1.0"


@pytest.fixture(scope="module")
def real(shared_data: Path) -> ParsedList:
    return parse(shared_data / REAL)


@pytest.fixture(scope="module")
def real_entries(real: ParsedList) -> dict[str, Entry]:
    return {entry.source_id: entry for entry in real.entries}


def write(tmp_path: Path, text: str | bytes, name: str = "sdn_advanced.xml") -> Path:
    return write_file(tmp_path, name, text)


# --------------------------------------------------------------------------- real file


def test_real_file_counts(real: ParsedList, shared_data: Path) -> None:
    assert detect(shared_data / REAL)
    assert detect_format(shared_data / REAL) is FORMAT
    assert real.format == "us_ofac_advanced_xml"
    assert real.source == "us_ofac_cons"  # entries on the Consolidated, SSI, NS-PLC... lists
    assert real.published == date(2020, 3, 17)
    assert len(real.entries) == 375
    assert real.target_counts() == {"Organization": 293, "Person": 82}
    assert real.schema_counts() == {
        "Address": 407,
        "Identification": 573,  # 570 IDRegDocuments (not passports) and 3 BIK (RU) features
        "Organization": 293,
        "Ownership": 276,
        "Passport": 3,
        "Person": 82,
        "Sanction": 375,
    }
    assert real.warnings == []
    assert len(real.sha256) == 64


def test_real_person(real_entries: dict[str, Entry]) -> None:
    person = real_entries["9639"].target
    assert person.schema.name == "Person"
    assert person.get("name") == ["HANIYA, Ismail Abdul Salah"]
    assert person.get("lastName") == ["HANIYA"]
    assert person.get("firstName") == ["Ismail Abdul Salah"]
    assert person.get("birthDate") == ["1962"]  # DatePeriod 1962-01-01 .. 1962-12-31
    assert person.get("birthPlace") == ["Shati"]
    assert set(person.get("alias")) == {
        "Ismail Abdul Salah HANIYA",
        "HANIYA, Ismail",
        "Ismail HANIYA",
        "HANIYYA, Ismaeel",
        "Ismaeel HANIYYA",
    }
    (sanction,) = related_of(real_entries["9639"], "Sanction")
    assert sanction.get("program") == ["NS-PLC"]
    assert sanction.get("listingDate") == ["2006-04-12"]
    assert sanction.get("reason") == ["General License 4 Under EO 13224 (Terrorism)"]


def test_real_documents(real_entries: dict[str, Entry]) -> None:
    (passport,) = related_of(real_entries["17526"], "Passport")
    assert passport.get("number") == ["X0906223"]
    assert passport.get("country") == ["ch"]
    assert passport.get("holder") == ["ofac-17526"]
    assert real_entries["17526"].target.get("passportNumber") == ["X0906223"]
    bank = real_entries["17013"].target
    assert bank.get("name") == ["VTB BANK OAO"]
    assert bank.get("registrationNumber") == ["1027739609391"]
    assert bank.get("ogrnCode") == ["1027739609391"]
    assert bank.get("taxNumber") == ["7702070139"]
    assert bank.get("innCode") == ["7702070139"]
    assert bank.get("swiftBic") == ["VTBRRUMM"]
    assert "VNESHTORGBANK" in bank.get("previousName")
    (gazette,) = [
        doc
        for doc in related_of(real_entries["17013"], "Identification")
        if doc.get("type") == ["Government Gazette Number"]
    ]
    assert gazette.get("number") == ["00032520"]
    assert gazette.get("country") == ["ru"]


def test_real_relationship_and_program(real_entries: dict[str, Entry]) -> None:
    entry = real_entries["18267"]
    assert entry.target.get("name") == ["OJSC ORENBURGNEFT"]
    (ownership,) = related_of(entry, "Ownership")
    assert ownership.get("asset") == ["ofac-18267"]
    assert ownership.get("owner") == ["ofac-17022"]
    assert ownership.get("role") == ["Owned or Controlled By"]
    assert real_entries["17022"].target.get("name") == [
        "Open Joint-Stock Company Rosneft Oil Company"
    ]
    (sanction,) = related_of(entry, "Sanction")
    assert sanction.get("program") == ["UKRAINE-EO13662"]
    assert set(sanction.get("provisions")) == {
        "Executive Order 13662 Directive Determination - Subject to Directive 2",
        "Executive Order 13662 Directive Determination - Subject to Directive 4",
        "13662 Sectoral Directive 2",
        "13662 Sectoral Directive 4",
    }
    assert sanction.get("description") == [
        "Listed on the Consolidated List",
        "Listed on the Sectoral Sanctions Identifications List",
    ]
    (address, _) = related_of(entry, "Address")
    assert address.get("full") == [
        "Magistralnaya St., 2, Buzuluk, the Orenburg Region 461040, Russia"
    ]
    assert entry.target.get("email") == ["orenburgneft@rosneft.ru"]


def test_same_party_as_legacy_xml(real_entries: dict[str, Entry], shared_data: Path) -> None:
    """FixedRef is OFAC's uid: the party gets the same ids as from the legacy XML (366 of
    the 375 parties are in the 2025 legacy file too)."""
    from sanctionscope.sources.us_ofac_xml import parse as parse_legacy

    legacy = {e.source_id: e for e in parse_legacy(shared_data / LEGACY).entries}
    assert len(set(legacy) & set(real_entries)) == 366
    for uid in ("9639", "18267"):
        ours, theirs = real_entries[uid], legacy[uid]
        assert ours.target.id == theirs.target.id == f"ofac-{uid}"
        assert ours.target.get("name") == theirs.target.get("name")
        assert related_of(ours, "Sanction")[0].id == related_of(theirs, "Sanction")[0].id
        assert {a.id for a in related_of(ours, "Address")} == {
            a.id for a in related_of(theirs, "Address")
        }
    for prop in ("firstName", "lastName", "birthDate", "birthPlace", "alias"):
        assert set(real_entries["9639"].target.get(prop)) == set(legacy["9639"].target.get(prop))


def test_import_end_to_end(home: Path, shared_data: Path) -> None:
    from sanctionscope.settings import get_settings
    from sanctionscope.store import active_versions_list, import_path, open_store

    settings = get_settings()
    engine = open_store(settings)
    (result,) = import_path(engine, shared_data / REAL, settings)
    assert result.outcome == "activated", result.message
    (active,) = active_versions_list(engine)
    assert (active.source, active.entry_count) == ("us_ofac_cons", 375)
    assert str(active.published) == "2020-03-17"
    assert active.schema_counts["Ownership"] == 276


# --------------------------------------------------------------------------- small files


REFERENCES = """  <ReferenceValueSets>
    <AliasTypeValues>
      <AliasType ID="1400">A.K.A.</AliasType>
      <AliasType ID="1401">F.K.A.</AliasType>
      <AliasType ID="1402">N.K.A.</AliasType>
      <AliasType ID="1403">Name</AliasType>
    </AliasTypeValues>
    <AreaCodeValues>
      <AreaCode ID="11171" CountryID="11171" Description="Russia" AreaCodeTypeID="1">RU</AreaCode>
    </AreaCodeValues>
    <AreaCodeTypeValues><AreaCodeType ID="1">ISO 3166 (2)</AreaCodeType></AreaCodeTypeValues>
    <CalendarTypeValues><CalendarType ID="1">Gregorian</CalendarType></CalendarTypeValues>
    <CountryValues>
      <Country ID="11109" ISO2="IR">Iran</Country>
      <Country ID="11171" ISO2="RU">Russia</Country>
      <Country ID="11291">undetermined</Country>
    </CountryValues>
    <CountryRelevanceValues><CountryRelevance ID="1413">PRIMARY</CountryRelevance>
    </CountryRelevanceValues>
    <DetailReferenceValues><DetailReference ID="91526">Male</DetailReference>
    </DetailReferenceValues>
    <DetailTypeValues>
      <DetailType ID="1430">DATE</DetailType>
      <DetailType ID="1431">LOOKUP</DetailType>
      <DetailType ID="1432">TEXT</DetailType>
      <DetailType ID="1433">COUNTRY</DetailType>
    </DetailTypeValues>
    <DocNameStatusValues><DocNameStatus ID="1">Primary Latin</DocNameStatus>
      <DocNameStatus ID="2">Others</DocNameStatus></DocNameStatusValues>
    <EntryEventTypeValues><EntryEventType ID="1">Created</EntryEventType></EntryEventTypeValues>
    <FeatureTypeValues>
      <FeatureType ID="8">Birthdate</FeatureType>
      <FeatureType ID="9">Place of Birth</FeatureType>
      <FeatureType ID="10">Nationality Country</FeatureType>
      <FeatureType ID="25">Location</FeatureType>
      <FeatureType ID="26">Title</FeatureType>
      <FeatureType ID="224">Gender</FeatureType>
      <FeatureType ID="1">Vessel Call Sign</FeatureType>
      <FeatureType ID="2">VESSEL TYPE</FeatureType>
      <FeatureType ID="3">Vessel Flag</FeatureType>
      <FeatureType ID="4">Vessel Owner</FeatureType>
      <FeatureType ID="5">Vessel Tonnage</FeatureType>
      <FeatureType ID="64">Aircraft Model</FeatureType>
      <FeatureType ID="65">Aircraft Manufacture Date</FeatureType>
      <FeatureType ID="66">Organization Established Date</FeatureType>
      <FeatureType ID="504">Secondary sanctions risk:</FeatureType>
      <FeatureType ID="13">SWIFT/BIC</FeatureType>
      <FeatureType ID="14">Website</FeatureType>
    </FeatureTypeValues>
    <IDRegDocDateTypeValues>
      <IDRegDocDateType ID="1480">Issue Date</IDRegDocDateType>
      <IDRegDocDateType ID="1481">Expiration Date</IDRegDocDateType>
    </IDRegDocDateTypeValues>
    <IDRegDocTypeValues>
      <IDRegDocType ID="1571">Passport</IDRegDocType>
      <IDRegDocType ID="1626">Vessel Registration Identification</IDRegDocType>
      <IDRegDocType ID="1596">Tax ID No.</IDRegDocType>
      <IDRegDocType ID="91264">Aircraft Manufacturer's Serial Number (MSN)</IDRegDocType>
      <IDRegDocType ID="91265">MMSI</IDRegDocType>
    </IDRegDocTypeValues>
    <LegalBasisValues>
      <LegalBasis ID="1828" LegalBasisShortRef="EO 13224" LegalBasisTypeID="1"
        SanctionsProgramID="211">Executive Order 13224 (Terrorism)</LegalBasis>
    </LegalBasisValues>
    <LegalBasisTypeValues><LegalBasisType ID="1">Unknown</LegalBasisType>
    </LegalBasisTypeValues>
    <ListValues><List ID="1550">SDN List</List></ListValues>
    <LocPartTypeValues>
      <LocPartType ID="1">Unknown</LocPartType>
      <LocPartType ID="1451">ADDRESS1</LocPartType>
      <LocPartType ID="1454">CITY</LocPartType>
      <LocPartType ID="1456">POSTAL CODE</LocPartType>
    </LocPartTypeValues>
    <NamePartTypeValues>
      <NamePartType ID="1520">Last Name</NamePartType>
      <NamePartType ID="1521">First Name</NamePartType>
      <NamePartType ID="1522">Middle Name</NamePartType>
      <NamePartType ID="1525">Entity Name</NamePartType>
      <NamePartType ID="1526">Vessel Name</NamePartType>
      <NamePartType ID="1528">Aircraft Name</NamePartType>
    </NamePartTypeValues>
    <PartySubTypeValues>
      <PartySubType ID="1" PartyTypeID="4">Vessel</PartySubType>
      <PartySubType ID="2" PartyTypeID="4">Aircraft</PartySubType>
      <PartySubType ID="3" PartyTypeID="2">Unknown</PartySubType>
      <PartySubType ID="4" PartyTypeID="1">Unknown</PartySubType>
    </PartySubTypeValues>
    <PartyTypeValues>
      <PartyType ID="1">Individual</PartyType>
      <PartyType ID="2">Entity</PartyType>
      <PartyType ID="4">Transport</PartyType>
    </PartyTypeValues>
    <RelationQualityValues><RelationQuality ID="1">Unknown</RelationQuality>
      <RelationQuality ID="1540">High</RelationQuality></RelationQualityValues>
    <RelationTypeValues>
      <RelationType ID="15001">Associate Of</RelationType>
      <RelationType ID="15002">Family member of</RelationType>
      <RelationType ID="15003">Owned or Controlled By</RelationType>
      <RelationType ID="15004">Acting for or on behalf of</RelationType>
      <RelationType ID="91725">Leader or official of</RelationType>
      <RelationType ID="1555">Providing support to</RelationType>
    </RelationTypeValues>
    <ReliabilityValues><Reliability ID="1">Unknown</Reliability>
      <Reliability ID="1560">Confirmed</Reliability></ReliabilityValues>
    <SanctionsProgramValues><SanctionsProgram ID="211">SDGT</SanctionsProgram>
    </SanctionsProgramValues>
    <SanctionsTypeValues><SanctionsType ID="1">Program</SanctionsType>
      <SanctionsType ID="1705">Block</SanctionsType></SanctionsTypeValues>
    <ScriptValues>
      <Script ID="215" ScriptCode="Latn">Latin</Script>
      <Script ID="220" ScriptCode="Cyrl">Cyrillic</Script>
    </ScriptValues>
    <ScriptStatusValues><ScriptStatus ID="1">Unknown</ScriptStatus></ScriptStatusValues>
    <ValidityValues><Validity ID="1">Valid</Validity><Validity ID="2">Fraudulent</Validity>
    </ValidityValues>
  </ReferenceValueSets>
"""

LOCATIONS = """  <Locations>
    <Location ID="900">
      <LocationAreaCode AreaCodeID="11171" />
      <LocationCountry CountryID="11171" CountryRelevanceID="1413" />
      <LocationPart LocPartTypeID="1451"><LocationPartValue Primary="true">
        <Value>1 Tverskaya St</Value></LocationPartValue></LocationPart>
      <LocationPart LocPartTypeID="1454"><LocationPartValue Primary="true">
        <Value>Moscow</Value></LocationPartValue></LocationPart>
      <LocationPart LocPartTypeID="1456"><LocationPartValue Primary="true">
        <Value>125009</Value></LocationPartValue></LocationPart>
    </Location>
    <Location ID="901">
      <LocationPart LocPartTypeID="1"><LocationPartValue Primary="true">
        <Value>Iran</Value></LocationPartValue></LocationPart>
    </Location>
    <Location ID="902"><LocationAreaCode AreaCodeID="11171" /></Location>
  </Locations>
"""

DOCUMENTS = """  <IDRegDocuments>
    <IDRegDocument ID="1" IDRegDocTypeID="1571" IdentityID="1100" IssuedBy-CountryID="11109"
        ValidityID="1">
      <IDRegistrationNo>AB123</IDRegistrationNo>
      <DocumentDate IDRegDocDateTypeID="1480"><DatePeriod CalendarTypeID="1">
        <Start><From><Year>2015</Year><Month>1</Month><Day>2</Day></From>
          <To><Year>2015</Year><Month>1</Month><Day>2</Day></To></Start>
        <End><From><Year>2015</Year><Month>1</Month><Day>2</Day></From>
          <To><Year>2015</Year><Month>1</Month><Day>2</Day></To></End>
      </DatePeriod></DocumentDate>
      <DocumentDate IDRegDocDateTypeID="1481"><DatePeriod CalendarTypeID="1">
        <Start><From><Year>2025</Year><Month>1</Month><Day>1</Day></From>
          <To><Year>2025</Year><Month>1</Month><Day>1</Day></To></Start>
        <End><From><Year>2025</Year><Month>1</Month><Day>1</Day></From>
          <To><Year>2025</Year><Month>1</Month><Day>1</Day></To></End>
      </DatePeriod></DocumentDate>
    </IDRegDocument>
    <IDRegDocument ID="2" IDRegDocTypeID="1571" IdentityID="1100" ValidityID="2">
      <IDRegistrationNo>FAKE99</IDRegistrationNo>
    </IDRegDocument>
    <IDRegDocument ID="3" IDRegDocTypeID="1626" IdentityID="1300" ValidityID="1">
      <IDRegistrationNo>IMO 9187629</IDRegistrationNo>
    </IDRegDocument>
    <IDRegDocument ID="4" IDRegDocTypeID="91265" IdentityID="1300" ValidityID="1">
      <IDRegistrationNo>422026000</IDRegistrationNo>
    </IDRegDocument>
    <IDRegDocument ID="5" IDRegDocTypeID="1596" IdentityID="1200" IssuedBy-CountryID="11171"
        ValidityID="1"><IDRegistrationNo>7702070139</IDRegistrationNo>
      <IssuingAuthority>FNS</IssuingAuthority></IDRegDocument>
    <IDRegDocument ID="6" IDRegDocTypeID="91264" IdentityID="1400" ValidityID="1">
      <IDRegistrationNo>1234</IDRegistrationNo>
    </IDRegDocument>
  </IDRegDocuments>
"""


def name_part(group: int, value: str, script: int = 215) -> str:
    return (
        f'<DocumentedNamePart><NamePartValue NamePartGroupID="{group}" ScriptID="{script}" '
        f'ScriptStatusID="1" Acronym="false">{value}</NamePartValue></DocumentedNamePart>'
    )


def alias(kind: int, parts: str, primary: bool = False, weak: bool = False) -> str:
    return (
        f'<Alias AliasTypeID="{kind}" Primary="{str(primary).lower()}" '
        f'LowQuality="{str(weak).lower()}"><DocumentedName DocNameStatusID="1">{parts}'
        "</DocumentedName></Alias>"
    )


def groups(*pairs: tuple[int, int]) -> str:
    inner = "".join(
        f'<MasterNamePartGroup><NamePartGroup ID="{g}" NamePartTypeID="{t}" />'
        "</MasterNamePartGroup>"
        for g, t in pairs
    )
    return f"<NamePartGroups>{inner}</NamePartGroups>"


def year_period(first: int, last: int, approximate: bool = False) -> str:
    approx = str(approximate).lower()
    return (
        f'<DatePeriod CalendarTypeID="1"><Start Approximate="{approx}">'
        f"<From><Year>{first}</Year><Month>1</Month><Day>1</Day></From>"
        f"<To><Year>{first}</Year><Month>1</Month><Day>1</Day></To></Start>"
        f'<End Approximate="{approx}"><From><Year>{last}</Year><Month>12</Month><Day>31</Day>'
        f"</From><To><Year>{last}</Year><Month>12</Month><Day>31</Day></To></End></DatePeriod>"
    )


def feature(kind: int, body: str) -> str:
    return (
        f'<Feature ID="{kind}" FeatureTypeID="{kind}"><FeatureVersion ReliabilityID="1">'
        f"{body}</FeatureVersion></Feature>"
    )


def text_feature(kind: int, value: str) -> str:
    return feature(kind, f'<VersionDetail DetailTypeID="1432">{value}</VersionDetail>')


def party(ref: int, sub_type: int, identity: int, body: str) -> str:
    return (
        f'<DistinctParty FixedRef="{ref}"><Comment />'
        f'<Profile ID="{ref}" PartySubTypeID="{sub_type}">'
        f'<Identity ID="{identity}" FixedRef="{ref}" Primary="true" False="false">{body}'
        "</Profile></DistinctParty>"
    )


PERSON = party(
    100,
    4,
    1100,
    alias(1403, name_part(1, "DOE") + name_part(2, "John") + name_part(3, "Paul"), primary=True)
    + alias(1400, name_part(4, "DOH") + name_part(5, "Jon"))
    + alias(1400, name_part(6, "ABU JAHL"), weak=True)
    + alias(1401, name_part(7, "SMITH") + name_part(8, "John"))
    + alias(1400, name_part(9, "Иван Петров", script=220))
    + groups((1, 1520), (2, 1521), (3, 1522), (4, 1520), (5, 1521), (6, 1520), (7, 1520))
    + groups((8, 1521), (9, 1521))
    + "</Identity>"
    + feature(8, year_period(1960, 1962, approximate=True))
    + text_feature(9, "Tehran, Iran")
    + feature(10, '<VersionDetail DetailTypeID="1433" /><VersionLocation LocationID="901" />')
    + feature(224, '<VersionDetail DetailTypeID="1431" DetailReferenceID="91526" />')
    + text_feature(26, "Minister")
    + feature(25, '<VersionLocation LocationID="900" />')
    + feature(25, '<VersionLocation LocationID="902" />'),
)

COMPANY = party(
    200,
    3,
    1200,
    alias(1403, name_part(21, "ACME TRADING CO"), primary=True)
    + alias(1400, name_part(22, "АКМЕ", script=220))
    + groups((21, 1525), (22, 1525))
    + "</Identity>"
    + text_feature(13, "ACMEIRTH")
    + text_feature(14, "www.acme.example")
    + text_feature(504, "Section 1(b) of Executive Order 13224")
    + feature(66, year_period(1999, 1999))
    + feature(25, '<VersionLocation LocationID="900" />'),
)

VESSEL = party(
    300,
    1,
    1300,
    alias(1403, name_part(31, "SEA STAR"), primary=True)
    + groups((31, 1526))
    + "</Identity>"
    + text_feature(1, "9BAB1")
    + text_feature(2, "Crude Oil Tanker")
    + feature(3, '<VersionLocation LocationID="901" />')
    + text_feature(4, "NITC")
    + text_feature(5, "1,000"),
)

AIRCRAFT = party(
    400,
    2,
    1400,
    alias(1403, name_part(41, "EP-ABC"), primary=True)
    + groups((41, 1528))
    + "</Identity>"
    + text_feature(64, "Airbus A340-313X")
    + feature(65, year_period(1997, 1997)),
)


def relation(rel_id: int, source: int, target: int, kind: int, former: bool = False) -> str:
    return (
        f'<ProfileRelationship ID="{rel_id}" From-ProfileID="{source}" To-ProfileID="{target}" '
        f'RelationTypeID="{kind}" RelationQualityID="1" Former="{str(former).lower()}" />'
    )


RELATIONS = (
    relation(1, 300, 200, 15003)  # vessel owned by the company
    + relation(2, 200, 100, 15004)  # company acting for the person
    + relation(3, 100, 200, 91725)  # person leads the company
    + relation(4, 100, 100, 15002)  # (a person related to themselves: Family still fits)
    + relation(5, 200, 100, 15001)  # associate, but a company: UnknownLink
    + relation(6, 100, 300, 1555, former=True)
    + relation(7, 100, 999, 15001)  # not in the file: a warning
)


def entry(profile: int, program: str, list_id: int = 1550) -> str:
    return (
        f'<SanctionsEntry ID="{profile}0" ProfileID="{profile}" ListID="{list_id}">'
        f'<EntryEvent EntryEventTypeID="1" LegalBasisID="1828"><Date CalendarTypeID="1">'
        "<Year>2019</Year><Month>5</Month><Day>17</Day></Date></EntryEvent>"
        f'<SanctionsMeasure ID="{profile}1" SanctionsTypeID="1"><Comment>{program}</Comment>'
        '<DatePeriod CalendarTypeID="1" /></SanctionsMeasure>'
        f'<SanctionsMeasure ID="{profile}2" SanctionsTypeID="1705"><Comment />'
        "</SanctionsMeasure></SanctionsEntry>"
    )


def document(
    parties: str = PERSON + COMPANY + VESSEL + AIRCRAFT,
    relations: str = RELATIONS,
    entries: str = entry(100, "SDGT")
    + entry(200, "IRAN")
    + entry(300, "IRAN")
    + entry(400, "SDGT"),
    references: str = REFERENCES,
    documents: str = DOCUMENTS,
    issued: str = "<Year>2024</Year><Month>9</Month><Day>19</Day>",
) -> str:
    return f"""<?xml version="1.0" encoding="utf-8"?>
<Sanctions xmlns="{NS}" Version="3">
  <DateOfIssue CalendarTypeID="1">{issued}</DateOfIssue>
{references}{LOCATIONS}{documents}
  <DistinctParties>
{parties}
  </DistinctParties>
  <ProfileRelationships>{relations}</ProfileRelationships>
  <SanctionsEntries>{entries}</SanctionsEntries>
  <SanctionsEntryLinks />
</Sanctions>
"""


@pytest.fixture
def small(tmp_path: Path) -> ParsedList:
    return parse(write(tmp_path, document()))


def entries_of(parsed: ParsedList) -> dict[str, Entry]:
    return {e.source_id: e for e in parsed.entries}


def test_small_list(small: ParsedList) -> None:
    assert small.source == "us_ofac_sdn"  # every entry on the SDN List
    assert small.published == date(2024, 9, 19)
    assert small.target_counts() == {
        "Airplane": 1,
        "Organization": 1,
        "Person": 1,
        "Vessel": 1,
    }
    assert len(small.warnings) == 1
    assert "1 ProfileRelationships name a profile that is not in this file" in small.warnings[0]
    assert "7 (100 → 999)" in small.warnings[0]


def test_small_person(small: ParsedList) -> None:
    person = entries_of(small)["100"]
    target = person.target
    assert target.id == "ofac-100"
    assert target.get("name") == ["DOE, John Paul"]
    assert target.get("lastName") == ["DOE"]
    assert target.get("firstName") == ["John"]
    assert target.get("middleName") == ["Paul"]
    assert set(target.get("alias")) == {"John Paul DOE", "DOH, Jon", "Jon DOH", "Иван Петров"}
    assert target.get("weakAlias") == ["ABU JAHL"]
    assert set(target.get("previousName")) == {"SMITH, John", "John SMITH"}
    assert target.get("birthDate") == ["1960", "1961", "1962"]
    assert "Birthdate: circa 1960 to 1962" in target.get("notes")
    assert target.get("birthPlace") == ["Tehran, Iran"]
    assert target.get("birthCountry") == ["ir"]
    assert target.get("nationality") == ["ir"]
    assert target.get("gender") == ["male"]
    assert target.get("position") == ["Minister"]
    assert set(target.get("passportNumber")) == {"AB123", "FAKE99"}
    passports = {p.get("number")[0]: p for p in related_of(person, "Passport")}
    assert passports["AB123"].get("country") == ["ir"]
    assert passports["AB123"].get("startDate") == ["2015-01-02"]
    assert passports["AB123"].get("endDate") == ["2025-01-01"]
    assert "Passport FAKE99: Fraudulent" in target.get("notes")
    # Location 902 names only a country (its area code): an Address of the country alone.
    street, country_only = related_of(person, "Address")
    assert street.get("full") == ["1 Tverskaya St, Moscow 125009, Russia"]
    assert street.get("city") == ["Moscow"]
    assert street.get("postalCode") == ["125009"]
    assert street.get("country") == ["ru"]
    assert country_only.get("full") == ["Russia"]
    assert target.get("addressEntity") == [street.id, country_only.id]
    (sanction,) = related_of(person, "Sanction")
    assert sanction.get("program") == ["SDGT"]
    assert sanction.get("listingDate") == ["2019-05-17"]
    assert sanction.get("reason") == ["Executive Order 13224 (Terrorism)"]
    assert sanction.get("provisions") == ["Block"]


def test_small_company_vessel_aircraft(small: ParsedList) -> None:
    entries = entries_of(small)
    company = entries["200"].target
    assert company.get("swiftBic") == ["ACMEIRTH"]
    assert company.get("website") == ["http://www.acme.example/"]  # as FtM cleans it
    assert company.get("taxNumber") == ["7702070139"]
    assert company.get("innCode") == ["7702070139"]
    assert company.get("incorporationDate") == ["1999"]
    assert company.get("alias") == ["АКМЕ"]  # Cyrillic kept as written
    assert "Tax ID No. 7702070139 (Russia): issued by FNS" in company.get("notes")
    (tax,) = related_of(entries["200"], "Identification")  # who issued it: beyond taxNumber
    assert (tax.get("type"), tax.get("number")) == (["Tax ID No."], ["7702070139"])
    assert (tax.get("country"), tax.get("holder")) == (["ru"], ["ofac-200"])
    (sanction,) = related_of(entries["200"], "Sanction")
    assert sanction.get("summary") == [
        "Secondary sanctions risk: Section 1(b) of Executive Order 13224"
    ]
    vessel = entries["300"].target
    assert vessel.schema.name == "Vessel"
    assert vessel.get("callSign") == ["9BAB1"]
    assert vessel.get("type") == ["Crude Oil Tanker"]
    assert vessel.get("flag") == ["ir"]
    assert vessel.get("imoNumber") == ["IMO9187629"]
    assert vessel.get("mmsi") == ["422026000"]
    assert vessel.get("tonnage") == ["1,000"]
    assert "Vessel owner: NITC" in vessel.get("notes")
    plane = entries["400"].target
    assert plane.schema.name == "Airplane"
    assert plane.get("model") == ["Airbus A340-313X"]
    assert plane.get("buildDate") == ["1997"]
    assert plane.get("serialNumber") == ["1234"]


def test_small_relationships(small: ParsedList) -> None:
    entries = entries_of(small)

    def only(uid: str, schema: str) -> EntityProxy:
        (found,) = related_of(entries[uid], schema)
        return found

    ownership = only("300", "Ownership")
    assert (ownership.get("asset"), ownership.get("owner")) == (["ofac-300"], ["ofac-200"])
    representation = only("200", "Representation")
    assert representation.get("agent") == ["ofac-200"]
    assert representation.get("client") == ["ofac-100"]
    directorship = only("100", "Directorship")
    assert directorship.get("director") == ["ofac-100"]
    assert directorship.get("organization") == ["ofac-200"]
    assert directorship.get("role") == ["Leader or official of"]
    family = only("100", "Family")
    assert family.get("relationship") == ["Family member of"]
    link = only("200", "UnknownLink")  # "Associate Of" between a company and a person
    assert (link.get("subject"), link.get("object")) == (["ofac-200"], ["ofac-100"])
    assert link.get("role") == ["Associate Of"]
    support = only("100", "UnknownLink")
    assert support.get("object") == ["ofac-300"]
    assert support.get("role") == ["Providing support to"]
    assert support.get("description") == ["Former relationship"]


@pytest.mark.parametrize(
    ("name", "schema"),
    [
        ("Owned or Controlled By", "Ownership"),
        ("Acting for or on behalf of", "Representation"),
        ("Leader or official of", "Directorship"),
        ("Principal Executive Officer", "Directorship"),
        ("Family member of", "Family"),
        ("Associate Of", "Associate"),
        ("Member of", "Membership"),
        ("Playing a significant role in", "UnknownLink"),
    ],
)
def test_relation_table(name: str, schema: str) -> None:
    assert relation_for(name).schema == schema


def test_source_from_lists_and_name(tmp_path: Path) -> None:
    cons = REFERENCES.replace(
        '<List ID="1550">SDN List</List>',
        '<List ID="1550">SDN List</List><List ID="91512">Consolidated List</List>',
    )
    two_lists = entry(200, "IRAN") + entry(200, "IRAN", list_id=91512)
    path = write(
        tmp_path,
        document(PERSON + COMPANY, "", two_lists, references=cons, documents="<IDRegDocuments />"),
    )
    assert parse(path).source == "us_ofac_cons"
    bare = document(COMPANY, "", "", documents="<IDRegDocuments />")
    assert parse(write(tmp_path, bare, "cons_advanced.xml")).source == "us_ofac_cons"
    assert parse(write(tmp_path, bare, "sdn_advanced.xml")).source == "us_ofac_sdn"
    assert parse(write(tmp_path, bare), source="mine").source == "mine"


def test_detect(tmp_path: Path, shared_data: Path) -> None:
    assert detect(write(tmp_path, document()))
    assert not detect(shared_data / LEGACY)
    assert not detect(write(tmp_path, "<Sanctions><Other/></Sanctions>", "x.xml"))
    assert not detect(tmp_path)
    assert FORMAT.parse is parse and FORMAT.name == "us_ofac_advanced_xml"


# --------------------------------------------------------------------------- refused


BILLION_LAUGHS = f"""<?xml version="1.0"?>
<!DOCTYPE lolz [
<!ENTITY lol "lol">
<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
]>
<Sanctions xmlns="{NS}"><DistinctParties>&lol2;</DistinctParties></Sanctions>
"""

XXE = f"""<?xml version="1.0"?>
<!DOCTYPE Sanctions SYSTEM "http://example.com/evil.dtd">
<Sanctions xmlns="{NS}"><DistinctParties/></Sanctions>
"""

FULL = document()


@pytest.mark.parametrize(
    ("text", "words", "location"),
    [
        ("", "empty", None),
        (BILLION_LAUGHS, "refused", "line 3"),
        (XXE, "refused", "line 2"),
        (FULL.rsplit("</DistinctParties>", 1)[0], "truncated", "line "),
        (FULL[: len(FULL) // 2], "XML is", "line "),
        (FULL.replace('AliasTypeID="1401"', 'AliasTypeID="7777"'), "AliasTypeID='7777'", "line"),
        (FULL.replace('RelationTypeID="1555"', 'RelationTypeID="42"'), "no RelationType", "line"),
        (FULL.replace('FeatureTypeID="224"', 'FeatureTypeID="225"'), "FeatureType", "line"),
        # references the parser never reads for a fact are checked all the same
        (FULL.replace('ScriptStatusID="1"', 'ScriptStatusID="5"', 1), "ScriptStatus", "line"),
        (FULL.replace('SanctionsProgramID="211"', 'SanctionsProgramID="2"'), "Program", "line"),
        (FULL.replace('IssuedBy-CountryID="11109"', 'IssuedBy-CountryID="1"'), "Country", "line"),
        (FULL.replace('LocationID="901"', 'LocationID="77"'), "no Location", "line"),
        (FULL.replace('IdentityID="1400"', 'IdentityID="1401"'), "IdentityID '1401'", "line"),
        (FULL.replace('ProfileID="400" ListID', 'ProfileID="401" ListID'), "ProfileID", "line"),
        (FULL.replace('NamePartGroupID="41"', 'NamePartGroupID="40"'), "NamePartGroup", "line"),
        (FULL.replace('FixedRef="400">', 'FixedRef="x4">'), "not an OFAC record", "line"),
        (FULL.replace('FixedRef="400">', 'FixedRef="300">'), "appears twice", "line"),
        (FULL.replace("<Month>9</Month>", "<Month>13</Month>"), "calendar date", "line 3"),
        (FULL.replace("<Year>1997</Year>", "<Year>x</Year>"), "not a number", "line"),
        (document(references=""), "no ReferenceValueSets", None),
        (f'<Sanctions xmlns="{NS}"><ReferenceValueSets/></Sanctions>', "no DistinctParties", None),
        ("<sdnList/>", "root element", None),
    ],
)
def test_refused(tmp_path: Path, text: str, words: str, location: str | None) -> None:
    path = write(tmp_path, text)
    with pytest.raises(SourceError) as info:
        parse(path)
    assert words in info.value.reason
    assert info.value.path == str(path)
    if location is not None:
        assert info.value.location is not None
        assert info.value.location.startswith(location)


def test_no_name_refused(tmp_path: Path) -> None:
    nameless = party(500, 3, 1500, groups((51, 1525)) + "</Identity>")
    with pytest.raises(SourceError, match="DistinctParty 500 has no name"):
        parse(write(tmp_path, document(PERSON + nameless, "", "", documents="<IDRegDocuments/>")))


def test_truncated_real_file(tmp_path: Path, shared_data: Path) -> None:
    data = (shared_data / REAL).read_bytes()
    path = write(tmp_path, data[: len(data) // 2])
    with pytest.raises(SourceError) as info:
        parse(path)
    assert "truncated" in info.value.reason
    assert info.value.location is not None and info.value.location.startswith("line ")


EDITS = st.lists(
    st.tuples(
        st.floats(min_value=0, max_value=1, allow_nan=False),
        st.integers(min_value=0, max_value=12),
        st.sampled_from([b"", b"<", b">", b'"', b"9", b"x", b"</", b"&", b"\xff", b" ID="]),
    ),
    min_size=1,
    max_size=4,
)


def mutate(data: bytes, edits: list[tuple[float, int, bytes]]) -> bytes:
    for where, cut, insert in edits:
        at = int(where * (len(data) - 1))
        data = data[:at] + insert + data[at + cut :]
    return data


def parse_or_refuse(path: Path) -> ParsedList | None:
    try:
        return parse(path)
    except SourceError:
        return None


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(edits=EDITS)
def test_small_mutations_parse_or_refuse(
    tmp_path: Path, edits: list[tuple[float, int, bytes]]
) -> None:
    """Damaged files either parse or raise SourceError: never another exception."""
    parsed = parse_or_refuse(write(tmp_path, mutate(FULL.encode("utf-8"), edits)))
    assert parsed is None or len(parsed.entries) <= 4


@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(edits=EDITS)
def test_real_mutations_parse_or_refuse(
    tmp_path: Path, shared_data: Path, edits: list[tuple[float, int, bytes]]
) -> None:
    parsed = parse_or_refuse(write(tmp_path, mutate((shared_data / REAL).read_bytes(), edits)))
    assert parsed is None or len(parsed.entries) <= 375
