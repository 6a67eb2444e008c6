"""OFAC enhanced XML (Sanctions List Service exports): the two real program-filtered
exports, a small hand-written export, the dataset-name rule, import into a store, and
files that must be refused."""

from __future__ import annotations

import copy
import re
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from sanctionscope.sources import detect_format
from sanctionscope.sources.base import Entry, ParsedList, SourceError
from sanctionscope.sources.us_ofac_enhanced_xml import (
    FORMAT,
    Publication,
    dataset_name,
    detect,
    parse,
)
from tests.sources.helpers import related_of, write_file

IRGC = "ofac_enhanced_xml/enhanced_IRGC_2024-08-28.xml"
YEMEN = "ofac_enhanced_xml/enhanced_YEMEN_2024-05-24.xml"
NS = "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/ENHANCED_XML"


@pytest.fixture(scope="module")
def irgc(shared_data: Path) -> ParsedList:
    return parse(shared_data / IRGC)


@pytest.fixture(scope="module")
def yemen(shared_data: Path) -> ParsedList:
    return parse(shared_data / YEMEN)


def by_id(parsed: ParsedList) -> dict[str, Entry]:
    return {entry.source_id: entry for entry in parsed.entries}


def write(tmp_path: Path, text: str | bytes, name: str = "export.xml") -> Path:
    return write_file(tmp_path, name, text)


# --------------------------------------------------------------------------- real files


def test_irgc_counts(irgc: ParsedList, shared_data: Path) -> None:
    assert detect(shared_data / IRGC)
    assert irgc.format == "us_ofac_enhanced_xml"
    # Filtered to program IRGC across all lists: a dataset of its own, not the SDN list.
    assert irgc.source == "us_ofac_all_irgc"
    assert irgc.published == date(2024, 8, 28)
    assert len(irgc.entries) == 293
    assert irgc.target_counts() == {"Airplane": 44, "Organization": 84, "Person": 165}
    assert irgc.schema_counts() == {
        "Address": 278,
        "Airplane": 44,
        "CryptoWallet": 7,
        "Directorship": 7,
        "Identification": 103,
        "Organization": 84,
        "Ownership": 68,
        "Passport": 81,
        "Person": 165,
        "Representation": 112,
        "Sanction": 293,
        "UnknownLink": 85,
    }
    assert irgc.warnings == [
        "28 relationships point to entities outside this export; they keep OFAC's id "
        "(ofac-<id>), the same as in the whole list"
    ]
    assert len(irgc.sha256) == 64


def test_yemen_counts(yemen: ParsedList) -> None:
    assert yemen.source == "us_ofac_all_yemen"
    assert yemen.published == date(2024, 5, 24)
    assert len(yemen.entries) == 10
    assert yemen.target_counts() == {"Person": 10}
    assert yemen.schema_counts() == {
        "Address": 8,
        "Identification": 3,
        "Passport": 2,
        "Person": 10,
        "Sanction": 10,
    }
    assert yemen.warnings == []


def test_yemen_person(yemen: ParsedList) -> None:
    entry = by_id(yemen)["30624"]
    person = entry.target
    assert person.id == "ofac-30624"
    assert person.schema.name == "Person"
    assert person.get("name") == ["ZABIN, Sultan"]
    assert person.get("lastName") == ["ZABIN"]
    assert person.get("firstName") == ["Sultan"]
    assert person.get("birthDate") == ["1986"]  # a year, not 1986-01-01
    assert person.get("birthPlace") == ["Razih District, Sana\u2019a, Yemen"]
    assert person.get("birthCountry") == ["ye"]
    assert person.get("nationality") == ["ye"]
    assert person.get("gender") == ["male"]
    assert person.get("middleName") == []  # the primary name has no middle name
    assert "Sultan Saleh Aida Aida ZABIN" in person.get("alias")
    # The Arabic translation of an a.k.a., without the bidi marks OFAC wraps it in.
    assert "سلطان صالح عیضة عیضة زابن" in person.get("alias")
    assert set(person.get("weakAlias")) == {"SAQAR, Abu", "Abu SAQAR", "SAGAR, Abu", "Abu SAGAR"}
    ids = {e.get("type")[0]: e for e in related_of(entry, "Identification")}
    assert ids["National ID No."].get("number") == ["10010095104"]
    assert ids["National ID No."].get("country") == ["ye"]
    assert ids["Identification Number"].get("authority") == ["Military"]
    (sanction,) = related_of(entry, "Sanction")
    assert sanction.get("program") == ["GLOMAG", "YEMEN"]
    assert sanction.get("listingDate") == ["2020-12-10"]
    assert sanction.get("status") == ["SDN List"]
    assert sanction.get("provisions") == ["Block"]
    assert sanction.get("reason") == [
        "Executive Order 13611 (Yemen)",
        "Executive Order 13818 (Global Magnitsky)",
    ]
    (address,) = related_of(entry, "Address")
    assert address.get("full") == ["Sana'a, Yemen"]
    assert address.get("city") == ["Sana'a"]
    assert address.get("country") == ["ye"]


def test_yemen_passport(yemen: ParsedList) -> None:
    entry = by_id(yemen)["17387"]
    (passport,) = related_of(entry, "Passport")
    assert passport.get("number") == ["00016161"]
    assert passport.get("country") == ["ye"]
    assert passport.get("startDate") == ["2012-06-19"]
    assert passport.get("endDate") == ["2018-06-18"]
    assert entry.target.get("passportNumber") == ["00016161"]


def test_irgc_relationships_have_both_ends(irgc: ParsedList) -> None:
    entries = by_id(irgc)
    (owned,) = related_of(entries["26527"], "Ownership")
    assert owned.get("asset") == ["ofac-26527"]  # IRANIAN ATLAS COMPANY
    assert owned.get("owner") == ["ofac-12478"]
    assert owned.get("role") == ["Owned or Controlled By"]
    assert entries["12478"].target.get("name") == ["ANSAR BANK"]
    (director,) = related_of(entries["27255"], "Directorship")
    assert director.get("director") == ["ofac-27255"]
    assert director.get("organization") == ["ofac-10465"]
    assert director.get("role") == ["Leader or official of"]
    (agent,) = related_of(entries["26526"], "Representation")
    assert agent.get("agent") == ["ofac-26526"]
    assert agent.get("client") == ["ofac-12478"]


def test_irgc_aircraft(irgc: ParsedList) -> None:
    entry = by_id(irgc)["24475"]
    plane = entry.target
    assert plane.schema.name == "Airplane"
    assert plane.get("name") == ["EP-PUL"]
    assert plane.get("model") == ["IL-76"]
    assert plane.get("serialNumber") == ["33448393"]  # "Manufacturer’s Serial Number (MSN)"
    assert plane.get("buildDate") == ["1983"]
    (owner,) = related_of(entry, "Ownership")
    assert owner.get("owner") == ["ofac-13109"]  # POUYA AIR
    (operator,) = related_of(entry, "UnknownLink")
    assert operator.get("role") == ["Aircraft Operator"]
    assert operator.get("object") == ["ofac-13109"]
    (sanction,) = related_of(entry, "Sanction")
    assert "Additional Sanctions Information - Subject to Secondary Sanctions" in sanction.get(
        "provisions"
    )


def test_irgc_identifiers_and_scripts(irgc: ParsedList) -> None:
    entries = by_id(irgc)
    assert entries["24545"].target.get("swiftBic") == ["AIIFIQBA"]
    assert entries["47234"].target.get("leiCode") == ["875500573TJOLWAOJL18"]
    assert "中國中油股份有限公司" in entries["47234"].target.get("alias")
    group = entries["26119"].target
    assert "ООО ГКГ" in group.get("weakAlias")  # low-quality a.k.a. in Cyrillic
    assert "LLC GKG" in group.get("weakAlias")
    (passport,) = related_of(entries["26126"], "Passport")
    assert passport.get("number") == ["G9342868"]
    assert passport.get("startDate") == ["2016-03-16"]
    assert passport.get("endDate") == ["2021-03-16"]
    assert passport.get("description") == ["Gender: Male"]
    wallets = related_of(entries["38420"], "CryptoWallet")
    assert len(wallets) == 4
    assert {w.get("currencySymbol")[0] for w in wallets} == {"XBT"}


def test_irgc_partial_and_approximate_dates(irgc: ParsedList) -> None:
    naqdi = by_id(irgc)["12057"].target
    assert naqdi.get("birthDate") == ["1951", "1952", "1953", "1960", "1961", "1962", "1961-04"]
    assert "DOB 1951 to 1953" in naqdi.get("notes")
    forouzandeh = by_id(irgc)["10659"].target
    assert "1960" in forouzandeh.get("birthDate")
    assert "DOB circa 1960" in forouzandeh.get("notes")


def test_same_ids_as_csv(tmp_path: Path, yemen: ParsedList) -> None:
    """A party read from the legacy CSV gets the same target, Address and
    Identification ids (the SLS entity id is ent_num, the address id add_num)."""
    from sanctionscope.sources.us_ofac_csv import parse as parse_csv

    folder = tmp_path / "csv"
    folder.mkdir()
    (folder / "sdn.csv").write_text(
        '30624,"ZABIN, Sultan","individual","YEMEN] [GLOMAG",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,'
        "-0- ,\"DOB 1986; POB Razih District, Sana'a, Yemen; nationality Yemen; Gender Male; "
        'National ID No. 10010095104 (Yemen); Identification Number 20322 (Yemen)."\r\n'
    )
    (folder / "add.csv").write_text('30624,46328,-0- ,"Sana\'a","Yemen",-0- \r\n')
    csv_entry = parse_csv(folder).entries[0]
    xml_entry = by_id(yemen)["30624"]
    assert csv_entry.target.id == xml_entry.target.id
    for prop in ("name", "birthDate", "nationality", "gender", "idNumber"):
        assert sorted(csv_entry.target.get(prop)) == sorted(xml_entry.target.get(prop)), prop
    for schema in ("Address", "Identification", "Sanction"):
        csv_ids = {e.id for e in related_of(csv_entry, schema)}
        assert csv_ids == {e.id for e in related_of(xml_entry, schema)}, schema


def test_format_and_detection(shared_data: Path) -> None:
    assert FORMAT.name == "us_ofac_enhanced_xml"
    assert FORMAT.parse is parse
    assert FORMAT.detect is detect
    assert detect_format(shared_data / YEMEN) is FORMAT
    assert not detect(shared_data / "ofac_legacy_xml/consolidated_2025-03-28.xml")
    assert not detect(shared_data / "ofac_advanced_xml/cons_advanced_2020-03-17.xml")
    assert not detect(shared_data / "ofac_enhanced_xml")


# --------------------------------------------------------------------------- small export

REFS = """  <referenceValues>
    <referenceValue refId="1400"><type>ALIAS TYPE</type><value>A.K.A.</value></referenceValue>
    <referenceValue refId="1401"><type>ALIAS TYPE</type><value>F.K.A.</value></referenceValue>
    <referenceValue refId="1550"><type>ENTITY LISTING TYPE</type><value>SDN List</value>
      </referenceValue>
    <referenceValue refId="91512"><type>ENTITY LISTING TYPE</type>
      <value>Consolidated List</value></referenceValue>
    <referenceValue refId="11109"><type>COUNTRY</type><value>Iran</value>
      <isoCode>IR</isoCode></referenceValue>
    <referenceValue refId="11170"><type>COUNTRY</type><value>Russia</value>
      <isoCode>RU</isoCode></referenceValue>
    <referenceValue refId="1571"><type>ID DOCUMENT TYPE</type><value>Passport</value>
      </referenceValue>
    <referenceValue refId="1596"><type>ID DOCUMENT TYPE</type><value>Tax ID No.</value>
      </referenceValue>
    <referenceValue refId="1626"><type>ID DOCUMENT TYPE</type>
      <value>Vessel Registration Identification</value></referenceValue>
    <referenceValue refId="91411"><type>ID DOCUMENT TYPE</type><value>MMSI</value>
      </referenceValue>
    <referenceValue refId="1454"><type>LOCATION PART TYPE</type><value>CITY</value>
      </referenceValue>
    <referenceValue refId="1451"><type>LOCATION PART TYPE</type><value>ADDRESS1</value>
      </referenceValue>
    <referenceValue refId="1456"><type>LOCATION PART TYPE</type><value>POSTAL CODE</value>
      </referenceValue>
    <referenceValue refId="1520"><type>NAME PART TYPE</type><value>Last Name</value>
      </referenceValue>
    <referenceValue refId="1521"><type>NAME PART TYPE</type><value>First Name</value>
      </referenceValue>
    <referenceValue refId="1522"><type>NAME PART TYPE</type><value>Middle Name</value>
      </referenceValue>
    <referenceValue refId="91708"><type>NAME PART TYPE</type><value>Patronymic</value>
      </referenceValue>
    <referenceValue refId="1523"><type>NAME PART TYPE</type><value>Maiden Name</value>
      </referenceValue>
    <referenceValue refId="205"><type>PROGRAM</type><value>IRAN</value></referenceValue>
    <referenceValue refId="91862"><type>PROGRAM</type><value>IRAN-EO13876</value>
      </referenceValue>
    <referenceValue refId="91025"><type>LEGAL AUTHORITY</type>
      <value>Executive Order 13846</value></referenceValue>
    <referenceValue refId="1555"><type>RELATIONSHIP TYPE</type><value>Associate Of</value>
      </referenceValue>
    <referenceValue refId="15003"><type>RELATIONSHIP TYPE</type>
      <value>Owned or Controlled By</value></referenceValue>
    <referenceValue refId="15004"><type>RELATIONSHIP TYPE</type><value>Family member of</value>
      </referenceValue>
    <referenceValue refId="91900"><type>RELATIONSHIP TYPE</type>
      <value>Principal Executive Officer</value></referenceValue>
    <referenceValue refId="1540"><type>RELATIONSHIP QUALITY</type><value>High</value>
      </referenceValue>
    <referenceValue refId="20100"><type>SCRIPT</type><value>Arabic</value></referenceValue>
    <referenceValue refId="20122"><type>SCRIPT</type><value>Latin</value></referenceValue>
    <referenceValue refId="1705"><type>SANCTIONS TYPE</type><value>Block</value>
      </referenceValue>
    <referenceValue refId="600"><type>SDN TYPE</type><value>Individual</value>
      </referenceValue>
    <referenceValue refId="601"><type>SDN TYPE</type><value>Entity</value></referenceValue>
    <referenceValue refId="602"><type>SDN TYPE</type><value>Vessel</value></referenceValue>
  </referenceValues>
  <featureTypes>
    <featureType featureTypeId="8"><type>Birthdate</type><detailType refId="1430">DATE</detailType>
      <publishDescription>DOB</publishDescription></featureType>
    <featureType featureTypeId="10"><type>Nationality Country</type>
      <detailType refId="1433">COUNTRY</detailType>
      <publishDescription>nationality</publishDescription></featureType>
    <featureType featureTypeId="224"><type>Gender</type>
      <detailType refId="1431">LOOKUP</detailType></featureType>
    <featureType featureTypeId="1"><type>Vessel Call Sign</type>
      <detailType refId="1432">TEXT</detailType></featureType>
    <featureType featureTypeId="3"><type>Vessel Flag</type>
      <detailType refId="1432">TEXT</detailType></featureType>
    <featureType featureTypeId="4"><type>Vessel Owner</type>
      <detailType refId="1432">TEXT</detailType></featureType>
    <featureType featureTypeId="13"><type>SWIFT/BIC</type>
      <detailType refId="1432">TEXT</detailType></featureType>
    <featureType featureTypeId="14"><type>Website</type>
      <detailType refId="1432">TEXT</detailType></featureType>
    <featureType featureTypeId="21"><type>Email Address</type>
      <detailType refId="1432">TEXT</detailType></featureType>
    <featureType featureTypeId="646"><type>Organization Established Date</type>
      <detailType refId="1430">DATE</detailType></featureType>
    <featureType featureTypeId="504"><type>Secondary sanctions risk:</type>
      <detailType refId="1431">LOOKUP</detailType></featureType>
  </featureTypes>
"""


def header(lists: tuple[str, ...] = ("1550",), programs: tuple[str, ...] = ()) -> str:
    list_items = "".join(f'<sanctionsList refId="{ref}">x</sanctionsList>' for ref in lists)
    program_items = "".join(
        f'<sanctionsProgram refId="{ref}">x</sanctionsProgram>' for ref in programs
    )
    return f"""<?xml version="1.0" encoding="utf-8"?>
<sanctionsData xmlns="{NS}">
  <publicationInfo>
    <dataAsOf>2024-09-19T00:00:00</dataAsOf>
    <filters><sanctionsLists>{list_items}</sanctionsLists>
      <sanctionsPrograms>{program_items}</sanctionsPrograms></filters>
  </publicationInfo>
{REFS}"""


def export(entities: str, **kwargs: tuple[str, ...]) -> str:
    return f"{header(**kwargs)}  <entities>\n{entities}  </entities>\n</sanctionsData>\n"


def latin_name(
    name_id: str, full: str, first: str | None = None, last: str | None = None, extra: str = ""
) -> str:
    first_el = f"<formattedFirstName>{first}</formattedFirstName>" if first else ""
    last_el = f"<formattedLastName>{last}</formattedLastName>" if last else ""
    return f"""<translation id="t{name_id}"><isPrimary>true</isPrimary>
            <script refId="20122">Latin</script>{first_el}{last_el}
            <formattedFullName>{full}</formattedFullName>{extra}</translation>"""


SANCTION = """<sanctionsLists><sanctionsList refId="1550" id="1"
        datePublished="2019-04-08">SDN List</sanctionsList></sanctionsLists>
      <sanctionsPrograms><sanctionsProgram refId="205" id="2">IRAN</sanctionsProgram>
      </sanctionsPrograms>
      <sanctionsTypes><sanctionsType refId="1705" id="3">Block</sanctionsType></sanctionsTypes>
      <legalAuthorities><legalAuthority refId="91025" id="4">Executive Order 13846</legalAuthority>
      </legalAuthorities>"""

PERSON = f"""    <entity id="100">
      <generalInfo><identityId>1</identityId><entityType refId="600">Individual</entityType>
        <title>Minister</title></generalInfo>
      {SANCTION}
      <names>
        <name id="11"><isPrimary>true</isPrimary><isLowQuality>false</isLowQuality>
          <translations>{
    latin_name(
        "11",
        "DOE, John",
        "John",
        "DOE",
        '<nameParts><namePart id="1"><type refId="1522">Middle Name</type>'
        '<value>Q</value></namePart><namePart id="2"><type refId="91708">Patronymic</type>'
        "<value>Ivanovich</value></namePart></nameParts>",
    )
}
            <translation id="a11"><isPrimary>false</isPrimary>
              <script refId="20100">Arabic</script>
              <formattedFullName>\u202bجون دو\u202c</formattedFullName></translation>
          </translations></name>
        <name id="12"><isPrimary>false</isPrimary><aliasType refId="1401">F.K.A.</aliasType>
          <isLowQuality>false</isLowQuality>
          <translations>{latin_name("12", "SMITH, John", "John", "SMITH")}</translations></name>
      </names>
      <addresses><address id="900"><country refId="11109">Iran</country>
        <translations><translation id="1"><isPrimary>true</isPrimary>
          <script refId="20122">Latin</script><addressParts>
          <addressPart id="1"><type refId="1451">ADDRESS1</type><value>1 Main St</value>
            </addressPart>
          <addressPart id="2"><type refId="1454">CITY</type><value>Tehran</value></addressPart>
          <addressPart id="3"><type refId="1456">POSTAL CODE</type><value>12345</value>
            </addressPart>
        </addressParts></translation></translations></address></addresses>
      <features>
        <feature id="1"><type featureTypeId="8">Birthdate</type><value>Apr 1961</value>
          <valueDate id="1"><fromDateBegin>1961-04-01</fromDateBegin>
            <fromDateEnd>1961-04-01</fromDateEnd><toDateBegin>1961-04-30</toDateBegin>
            <toDateEnd>1961-04-30</toDateEnd><isApproximate>false</isApproximate>
            <isDateRange>false</isDateRange></valueDate><isPrimary>true</isPrimary></feature>
        <feature id="2"><type featureTypeId="8">Birthdate</type><value>circa 1955</value>
          <valueDate id="2"><fromDateBegin>1955-01-01</fromDateBegin>
            <fromDateEnd>1955-01-01</fromDateEnd><toDateBegin>1955-12-31</toDateBegin>
            <toDateEnd>1955-12-31</toDateEnd><isApproximate>true</isApproximate>
            <isDateRange>false</isDateRange></valueDate><isPrimary>false</isPrimary></feature>
        <feature id="3"><type featureTypeId="10">Nationality Country</type><value>Iran</value>
          <valueRefId>11109</valueRefId><isPrimary>true</isPrimary></feature>
        <feature id="4"><type featureTypeId="224">Gender</type><value>Male</value>
          <isPrimary>true</isPrimary></feature>
        <feature id="5"><type featureTypeId="21">Email Address</type>
          <value>jd@example.com</value><isPrimary>true</isPrimary></feature>
      </features>
      <identityDocuments>
        <identityDocument id="1"><type refId="1571">Passport</type>
          <documentNumber>AB123</documentNumber><isValid>false</isValid>
          <issuingCountry refId="11109">Iran</issuingCountry>
          <issueDate id="9"><fromDateBegin>2015-01-01</fromDateBegin>
            <fromDateEnd>2015-01-01</fromDateEnd><toDateBegin>2015-01-01</toDateBegin>
            <toDateEnd>2015-01-01</toDateEnd><isApproximate>false</isApproximate>
            <isDateRange>false</isDateRange></issueDate>
        </identityDocument>
      </identityDocuments>
      <relationships>
        <relationship id="501"><type refId="15004">Family member of</type>
          <relatedEntity entityId="101">DOE, Jane</relatedEntity></relationship>
        <relationship id="502"><type refId="1555">Associate Of</type>
          <relatedEntity entityId="200">ACME</relatedEntity></relationship>
      </relationships>
    </entity>
"""

RELATIVE = f"""    <entity id="101">
      <generalInfo><entityType refId="600">Individual</entityType></generalInfo>
      {SANCTION}
      <names><name id="21"><isPrimary>true</isPrimary>
        <translations>{
    latin_name(
        "21",
        "DOE, Jane",
        "Jane",
        "DOE",
        '<nameParts><namePart id="3"><type refId="1523">Maiden Name</type>'
        "<value>ROE</value></namePart></nameParts>",
    )
}</translations></name>
      </names>
    </entity>
"""

COMPANY = f"""    <entity id="200">
      <generalInfo><entityType refId="601">Entity</entityType></generalInfo>
      {SANCTION}
      <names><name id="31"><isPrimary>true</isPrimary>
        <translations>{latin_name("31", "ACME TRADING CO")}</translations></name></names>
      <features>
        <feature id="6"><type featureTypeId="13">SWIFT/BIC</type><value>ACMEIRTH</value>
          <isPrimary>true</isPrimary></feature>
        <feature id="7"><type featureTypeId="14">Website</type><value>www.acme.example</value>
          <isPrimary>true</isPrimary></feature>
        <feature id="8"><type featureTypeId="646">Organization Established Date</type>
          <value>01 Jan 2001</value><valueDate id="8"><fromDateBegin>2001-01-01</fromDateBegin>
            <fromDateEnd>2001-01-01</fromDateEnd><toDateBegin>2001-01-01</toDateBegin>
            <toDateEnd>2001-01-01</toDateEnd><isApproximate>false</isApproximate>
            <isDateRange>false</isDateRange></valueDate><isPrimary>true</isPrimary></feature>
        <feature id="9"><type featureTypeId="504">Secondary sanctions risk:</type>
          <value>section 1(b) of Executive Order 13224</value><isPrimary>true</isPrimary>
        </feature>
      </features>
      <identityDocuments>
        <identityDocument id="2"><type refId="1596">Tax ID No.</type>
          <documentNumber>7702070139</documentNumber><isValid>true</isValid>
          <issuingCountry refId="11170">Russia</issuingCountry></identityDocument>
      </identityDocuments>
      <relationships>
        <relationship id="503"><type refId="15003">Owned or Controlled By</type>
          <relatedEntity entityId="100">DOE, John</relatedEntity>
          <quality refId="1540">High</quality></relationship>
        <relationship id="504"><type refId="91900">Principal Executive Officer</type>
          <relatedEntity entityId="101">DOE, Jane</relatedEntity></relationship>
        <relationship id="505"><type refId="15003">Owned or Controlled By</type>
          <relatedEntity entityId="999">ELSEWHERE LTD</relatedEntity></relationship>
      </relationships>
    </entity>
"""

VESSEL = f"""    <entity id="300">
      <generalInfo><entityType refId="602">Vessel</entityType></generalInfo>
      {SANCTION}
      <names><name id="41"><isPrimary>true</isPrimary>
        <translations>{latin_name("41", "SEA STAR")}</translations></name></names>
      <features>
        <feature id="10"><type featureTypeId="1">Vessel Call Sign</type><value>9BAB1</value>
          <isPrimary>true</isPrimary></feature>
        <feature id="11"><type featureTypeId="3">Vessel Flag</type><value>Iran</value>
          <isPrimary>true</isPrimary></feature>
        <feature id="12"><type featureTypeId="4">Vessel Owner</type><value>NITC</value>
          <isPrimary>true</isPrimary></feature>
      </features>
      <identityDocuments>
        <identityDocument id="3"><type refId="1626">Vessel Registration Identification</type>
          <documentNumber>IMO 9187629</documentNumber><isValid>true</isValid></identityDocument>
        <identityDocument id="4"><type refId="91411">MMSI</type>
          <documentNumber>422026600</documentNumber><isValid>true</isValid></identityDocument>
      </identityDocuments>
    </entity>
"""

ALL = PERSON + RELATIVE + COMPANY + VESSEL


@pytest.fixture
def small(tmp_path: Path) -> ParsedList:
    return parse(write(tmp_path, export(ALL)))


def test_small_person(small: ParsedList) -> None:
    assert small.source == "us_ofac_sdn"  # a whole-list export of the SDN list
    assert small.published == date(2024, 9, 19)
    entry = by_id(small)["100"]
    person = entry.target
    assert person.get("name") == ["DOE, John"]
    assert person.get("middleName") == ["Q"]
    assert person.get("fatherName") == ["Ivanovich"]
    assert person.get("position") == ["Minister"]
    assert set(person.get("alias")) == {"John DOE", "جون دو"}
    assert set(person.get("previousName")) == {"SMITH, John", "John SMITH"}
    assert person.get("birthDate") == ["1961-04", "1955"]
    assert person.get("notes") == ["DOB circa 1955"]
    assert person.get("nationality") == ["ir"]
    assert person.get("gender") == ["male"]
    assert person.get("email") == ["jd@example.com"]
    (passport,) = related_of(entry, "Passport")
    assert passport.get("number") == ["AB123"]
    assert passport.get("country") == ["ir"]
    assert passport.get("startDate") == ["2015-01-01"]
    assert passport.get("description") == ["not valid"]
    (address,) = related_of(entry, "Address")
    assert address.get("full") == ["1 Main St, Tehran 12345, Iran"]
    assert address.get("postalCode") == ["12345"]
    (sanction,) = related_of(entry, "Sanction")
    assert sanction.get("listingDate") == ["2019-04-08"]
    assert sanction.get("reason") == ["Executive Order 13846"]
    (family,) = related_of(entry, "Family")
    assert family.get("person") == ["ofac-100"]
    assert family.get("relative") == ["ofac-101"]
    assert family.get("relationship") == ["Family member of"]
    # "Associate Of" a company: Associate links people only, so an UnknownLink.
    (link,) = related_of(entry, "UnknownLink")
    assert (link.get("subject"), link.get("object")) == (["ofac-100"], ["ofac-200"])
    assert link.get("role") == ["Associate Of"]


def test_small_company(small: ParsedList) -> None:
    entry = by_id(small)["200"]
    company = entry.target
    assert company.schema.name == "Organization"
    assert company.get("swiftBic") == ["ACMEIRTH"]
    assert company.get("website") == ["http://www.acme.example/"]
    assert company.get("incorporationDate") == ["2001-01-01"]
    assert company.get("taxNumber") == ["7702070139"]
    assert company.get("innCode") == ["7702070139"]
    (sanction,) = related_of(entry, "Sanction")
    assert sanction.get("summary") == [
        "Secondary sanctions risk: section 1(b) of Executive Order 13224"
    ]
    owners = {o.get("owner")[0]: o for o in related_of(entry, "Ownership")}
    assert set(owners) == {"ofac-100", "ofac-999"}  # 999 is not in the export: id kept
    assert owners["ofac-100"].get("asset") == ["ofac-200"]
    assert owners["ofac-100"].get("description") == ["Relation quality: High"]
    # The officer is the person, whichever way OFAC wrote the relation.
    assert by_id(small)["101"].target.get("notes") == ["Maiden Name: ROE"]
    (officer,) = related_of(entry, "Directorship")
    assert officer.get("director") == ["ofac-101"]
    assert officer.get("organization") == ["ofac-200"]
    assert small.warnings == [
        "1 relationships point to entities outside this export; they keep OFAC's id "
        "(ofac-<id>), the same as in the whole list"
    ]


def test_small_vessel(small: ParsedList) -> None:
    vessel = by_id(small)["300"].target
    assert vessel.schema.name == "Vessel"
    assert vessel.get("imoNumber") == ["IMO9187629"]
    assert vessel.get("mmsi") == ["422026600"]
    assert vessel.get("callSign") == ["9BAB1"]
    assert vessel.get("flag") == ["ir"]
    assert vessel.get("notes") == ["Vessel owner: NITC"]


def test_unknown_reference_is_read_as_printed(tmp_path: Path) -> None:
    text = export(RELATIVE.replace('refId="600">Individual', 'refId="7">Individual'))
    parsed = parse(write(tmp_path, text))
    assert parsed.entries[0].target.schema.name == "Person"
    assert parsed.warnings == [
        "references missing from the file's reference tables (SDN TYPE 1); read as printed"
    ]


@pytest.mark.parametrize(
    ("lists", "programs", "expected"),
    [
        (["SDN List"], [], "us_ofac_sdn"),
        (["Consolidated List", "Non-SDN CMIC List"], [], "us_ofac_cons"),
        (["SDN List", "Consolidated List"], [], "us_ofac_all"),
        (["SDN List"], ["IRGC"], "us_ofac_sdn_irgc"),
        (["SDN List", "FSE List"], ["YEMEN", "IRAN-EO13876"], "us_ofac_all_iran_eo13876_yemen"),
        (None, ["CAATSA - IRAN"], "us_ofac_sdn_caatsa_iran"),
    ],
)
def test_dataset_name(lists: list[str] | None, programs: list[str], expected: str) -> None:
    publication = Publication(date(2024, 1, 1), lists, programs)
    assert dataset_name(publication, [["SDN List"], ["SDN List", "FSE List"]]) == expected


def test_dataset_name_without_filters_reads_the_entries() -> None:
    publication = Publication(None, None, [])
    assert dataset_name(publication, [["SDN List"]]) == "us_ofac_sdn"
    assert dataset_name(publication, [["Consolidated List"]]) == "us_ofac_cons"
    assert dataset_name(publication, [["SDN List"], ["FSE List"]]) == "us_ofac_all"


def test_filtered_small_export_and_override(tmp_path: Path) -> None:
    path = write(tmp_path, export(ALL, lists=("1550",), programs=("91862", "205")))
    assert parse(path).source == "us_ofac_sdn_iran_iran_eo13876"
    assert parse(path, source="mine").source == "mine"
    cons = write(tmp_path, export(RELATIVE, lists=("91512",)), name="cons.xml")
    assert parse(cons).source == "us_ofac_cons"


# --------------------------------------------------------------------------- store


def test_import_into_store(home: Path, shared_data: Path, tmp_path: Path) -> None:
    """Each real export imports as its own dataset and leaves the whole SDN list alone."""
    from sanctionscope.settings import get_settings
    from sanctionscope.store import active_versions_list, import_path, open_store

    settings = get_settings()
    engine = open_store(settings)
    whole = write(tmp_path, export(ALL), name="sdn_enhanced.xml")
    results = [
        *import_path(engine, whole, settings),
        *import_path(engine, shared_data / IRGC, settings),
        *import_path(engine, shared_data / YEMEN, settings),
    ]
    assert [r.outcome for r in results] == ["activated"] * 3, [r.message for r in results]
    active = {v.source: v for v in active_versions_list(engine)}
    assert {name: v.entry_count for name, v in active.items()} == {
        "us_ofac_all_irgc": 293,
        "us_ofac_all_yemen": 10,
        "us_ofac_sdn": 4,
    }
    assert str(active["us_ofac_all_irgc"].published) == "2024-08-28"
    assert active["us_ofac_all_irgc"].target_counts == {
        "Airplane": 44,
        "Organization": 84,
        "Person": 165,
    }


# --------------------------------------------------------------------------- refused


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
<!ENTITY lol "lol">
<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<sanctionsData><entities><entity id="1">&lol3;</entity></entities></sanctionsData>
"""

XXE = """<?xml version="1.0"?>
<!DOCTYPE sanctionsData SYSTEM "http://example.com/evil.dtd">
<sanctionsData><entities/></sanctionsData>
"""


@pytest.mark.parametrize(
    ("text", "words", "location"),
    [
        ("", "empty", None),
        (BILLION_LAUGHS, "refused", "line 3"),
        (XXE, "refused", "line 2"),
        (export(ALL).rsplit("</entity>", 1)[0], "truncated", "line"),
        (export(ALL)[:-300], "XML is", "line "),
        (header() + "</sanctionsData>\n", "no <entities>", "line 2"),
        (export(RELATIVE.replace('id="101"', 'id="x1"')), "not an OFAC record number", "line"),
        (export(RELATIVE.replace('id="101"', "")), "not an OFAC record number", "line"),
        (export(RELATIVE + RELATIVE), "appears twice", "line"),
        (export(re.sub(r"(?s)<names>.*</names>", "", RELATIVE)), "has no name", "line"),
        ("<sanctionsInfo/>", "root element", None),
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


def test_truncated_real_file(tmp_path: Path, shared_data: Path) -> None:
    data = (shared_data / IRGC).read_bytes()
    path = write(tmp_path, data[: len(data) * 2 // 3])
    with pytest.raises(SourceError) as info:
        parse(path)
    assert "truncated" in info.value.reason
    assert info.value.location is not None and info.value.location.startswith("line ")


@pytest.fixture(scope="module")
def yemen_tree(shared_data: Path) -> etree._ElementTree:
    return etree.parse(str(shared_data / YEMEN))


def _entities_start(data: bytes) -> int:
    return max(data.find(b"<entities>"), 0)


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    edits=st.lists(
        st.tuples(
            st.floats(min_value=0, max_value=1, exclude_max=True),
            st.integers(min_value=0, max_value=12),
            st.binary(max_size=8),
        ),
        min_size=1,
        max_size=5,
    )
)
def test_byte_mutations_parse_or_refuse(
    tmp_path: Path, shared_data: Path, edits: list[tuple[float, int, bytes]]
) -> None:
    """Bytes cut and inserted in the entities of the real Yemen export: the file parses
    or raises SourceError, never another exception."""
    data = (shared_data / YEMEN).read_bytes()
    start = _entities_start(data)
    for fraction, cut, insert in edits:
        at = start + int(fraction * (len(data) - start))
        data = data[:at] + insert + data[at + cut :]
    try:
        parsed = parse(write(tmp_path, data, name="mutated.xml"))
    except SourceError:
        return
    assert len(parsed.entries) <= 10


_ATTRIBUTES = ("refId", "id", "entityId", "featureTypeId", "datePublished")


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    edits=st.lists(
        st.tuples(
            st.floats(min_value=0, max_value=1, exclude_max=True),
            st.sampled_from(["text", "attribute", "remove", "duplicate"]),
            st.text(max_size=12),
        ),
        min_size=1,
        max_size=6,
    )
)
def test_element_mutations_parse_or_refuse(
    tmp_path: Path, yemen_tree: etree._ElementTree, edits: list[tuple[float, str, str]]
) -> None:
    """Well-formed but damaged copies of the real Yemen export (values replaced, elements
    removed or repeated): a ParsedList or a SourceError, never another exception."""
    root = copy.deepcopy(yemen_tree.getroot())
    for fraction, action, value in edits:
        elements = [e for e in root.iter() if isinstance(e.tag, str)]
        element = elements[int(fraction * len(elements))]
        clean = "".join(ch for ch in value if ch.isprintable())
        if action == "text":
            element.text = clean
        elif action == "attribute":
            element.set(_ATTRIBUTES[len(value) % len(_ATTRIBUTES)], clean)
        elif element.getparent() is not None:
            parent = element.getparent()
            if action == "remove":
                parent.remove(element)
            else:
                parent.append(copy.deepcopy(element))
    path = write(tmp_path, etree.tostring(root, xml_declaration=True, encoding="utf-8"))
    try:
        parsed = parse(path)
    except SourceError:
        return
    assert len(parsed.entries) <= 10
