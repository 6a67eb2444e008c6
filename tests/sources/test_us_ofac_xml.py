"""OFAC legacy XML: the real consolidated.xml, small hand-written files, and files that
must be refused."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sanctionscope.sources.base import Entry, ParsedList, SourceError
from sanctionscope.sources.us_ofac_xml import FORMAT, detect, parse
from tests.sources.helpers import related_of, write_file

REAL = "ofac_legacy_xml/consolidated_2025-03-28.xml"
NS = "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/XML"


@pytest.fixture(scope="module")
def real(shared_data: Path) -> ParsedList:
    return parse(shared_data / REAL)


@pytest.fixture(scope="module")
def real_entries(real: ParsedList) -> dict[str, Entry]:
    return {entry.source_id: entry for entry in real.entries}


def write(tmp_path: Path, text: str | bytes, name: str = "sdn.xml") -> Path:
    return write_file(tmp_path, name, text)


# --------------------------------------------------------------------------- real file


def test_real_file_counts(real: ParsedList, shared_data: Path) -> None:
    assert detect(shared_data / REAL)
    assert real.format == "us_ofac_xml"
    assert real.source == "us_ofac_cons"
    assert real.published == date(2025, 3, 28)
    assert len(real.entries) == 443
    assert real.target_counts() == {"Organization": 363, "Person": 80}
    counts = real.schema_counts()
    assert counts["Sanction"] == 443
    assert counts["Address"] > 500
    assert counts["Identification"] > 300
    assert counts["UnknownLink"] > 200
    assert len(real.sha256) == 64


def test_real_entity_aliases_and_ids(real_entries: dict[str, Entry]) -> None:
    bank = real_entries["17017"]
    target = bank.target
    assert target.id == "ofac-17017"
    assert target.schema.name == "Organization"
    assert target.get("name") == ["BM BANK JSC"]
    assert "PAO BM BANK" in target.get("alias")
    assert "BANK OF MOSCOW" in target.get("previousName")
    assert target.get("swiftBic") == ["MOSWRUMM"]
    assert "1027700159497" in target.get("registrationNumber")
    assert "Financial Institution" in target.get("classification")
    assert set(target.get("program")) == {"UKRAINE-EO13662", "RUSSIA-EO14024"}
    (sanction,) = related_of(bank, "Sanction")
    assert sanction.get("entity") == ["ofac-17017"]
    assert sanction.get("recordId") == ["17017"]
    # "(Linked To: ...)" in the remarks becomes a link to another entry of the list.
    links = [e for entry in real_entries.values() for e in related_of(entry, "UnknownLink")]
    assert any(link.get("object") == ["ofac-17017"] for link in links)


def test_real_weak_aliases(real_entries: dict[str, Entry]) -> None:
    weak = [e.target for e in real_entries.values() if e.target.get("weakAlias")]
    assert weak
    zahar = next(t for t in weak if "ZAHAR, Mahmoud" in t.get("weakAlias"))
    assert "Mahmoud ZAHAR" in zahar.get("weakAlias")  # natural order for a Person


def test_real_individual(real_entries: dict[str, Entry]) -> None:
    person = real_entries["9639"].target
    assert person.schema.name == "Person"
    assert person.get("name") == ["HANIYA, Ismail Abdul Salah"]
    assert person.get("firstName") == ["Ismail Abdul Salah"]
    assert person.get("lastName") == ["HANIYA"]
    assert person.get("birthDate") == ["1962"]
    assert person.get("birthPlace") == ["Shati"]
    assert "Ismail Abdul Salah HANIYA" in person.get("alias")
    assert "HANIYYA, Ismaeel" in person.get("alias")
    assert "Ismaeel HANIYYA" in person.get("alias")


def test_format_object() -> None:
    assert FORMAT.name == "us_ofac_xml"
    assert FORMAT.parse is parse
    assert FORMAT.detect is detect


# --------------------------------------------------------------------------- small files


def document(entries: str, count: int | None = None, date_text: str = "03/28/2025") -> str:
    n = entries.count("<sdnEntry>") if count is None else count
    return f"""<?xml version="1.0" standalone="yes"?>
<sdnList xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns="{NS}">
  <publshInformation>
    <Publish_Date>{date_text}</Publish_Date>
    <Record_Count>{n}</Record_Count>
  </publshInformation>
{entries}
</sdnList>
"""


PERSON = """  <sdnEntry>
    <uid>100</uid>
    <firstName>John</firstName>
    <lastName>DOE</lastName>
    <title>Minister</title>
    <sdnType>Individual</sdnType>
    <programList><program>SDGT</program><program>IRAN</program></programList>
    <idList>
      <id><uid>1</uid><idType>Passport</idType><idNumber>AB123</idNumber>
        <idCountry>Iran</idCountry><issueDate>01 Jan 2015</issueDate>
        <expirationDate>01 Jan 2025</expirationDate></id>
      <id><uid>2</uid><idType>Gender</idType><idNumber>Male</idNumber></id>
      <id><uid>3</uid><idType>Email Address</idType><idNumber>jd@example.com</idNumber></id>
    </idList>
    <akaList>
      <aka><uid>5</uid><type>a.k.a.</type><category>strong</category>
        <lastName>DOH</lastName><firstName>Jon</firstName></aka>
      <aka><uid>6</uid><type>a.k.a.</type><category>weak</category>
        <lastName>ABU JAHL</lastName></aka>
      <aka><uid>7</uid><type>f.k.a.</type><category>strong</category>
        <lastName>SMITH</lastName><firstName>John</firstName></aka>
    </akaList>
    <addressList>
      <address><uid>900</uid><address1>1 Main St</address1><address2>Floor 2</address2>
        <city>Tehran</city><stateOrProvince>Tehran Prov</stateOrProvince>
        <postalCode>12345</postalCode><country>Iran</country></address>
    </addressList>
    <nationalityList><nationality><uid>8</uid><country>Iran</country>
      <mainEntry>true</mainEntry></nationality></nationalityList>
    <citizenshipList><citizenship><uid>9</uid><country>Iraq</country>
      <mainEntry>true</mainEntry></citizenship></citizenshipList>
    <dateOfBirthList>
      <dateOfBirthItem><uid>10</uid><dateOfBirth>08 Nov 1969</dateOfBirth></dateOfBirthItem>
    </dateOfBirthList>
    <placeOfBirthList>
      <placeOfBirthItem><uid>11</uid><placeOfBirth>Tehran, Iran</placeOfBirth></placeOfBirthItem>
    </placeOfBirthList>
  </sdnEntry>
"""

COMPANY = """  <sdnEntry>
    <uid>200</uid>
    <lastName>ACME TRADING CO</lastName>
    <sdnType>Entity</sdnType>
    <remarks>Some free text; (Linked To: DOE, John)</remarks>
    <programList><program>SDGT</program></programList>
    <idList>
      <id><uid>20</uid><idType>SWIFT/BIC</idType><idNumber>ACMEIRTH</idNumber></id>
      <id><uid>21</uid><idType>Tax ID No.</idType><idNumber>7702070139</idNumber>
        <idCountry>Russia</idCountry></id>
      <id><uid>22</uid><idType>Registration ID</idType><idNumber>R-77</idNumber></id>
      <id><uid>23</uid><idType>Secondary sanctions risk:</idType>
        <idNumber>section 1(b) of Executive Order 13224</idNumber></id>
    </idList>
  </sdnEntry>
"""

VESSEL = """  <sdnEntry>
    <uid>300</uid>
    <lastName>SEA STAR</lastName>
    <sdnType>Vessel</sdnType>
    <programList><program>IRAN</program></programList>
    <vesselInfo><callSign>9BAB1</callSign><vesselType>Crude Oil Tanker</vesselType>
      <vesselFlag>Iran</vesselFlag><vesselOwner>NITC</vesselOwner>
      <tonnage>1000</tonnage><grossRegisteredTonnage>2000</grossRegisteredTonnage></vesselInfo>
  </sdnEntry>
"""


@pytest.fixture
def small(tmp_path: Path) -> ParsedList:
    return parse(write(tmp_path, document(PERSON + COMPANY + VESSEL)))


def test_small_person(small: ParsedList) -> None:
    assert small.source == "us_ofac_sdn"
    assert small.published == date(2025, 3, 28)
    entries = {e.source_id: e for e in small.entries}
    person = entries["100"]
    target = person.target
    assert target.id == "ofac-100"
    assert target.get("name") == ["DOE, John"]
    assert set(target.get("alias")) >= {"John DOE", "DOH, Jon", "Jon DOH"}
    assert target.get("weakAlias") == ["ABU JAHL"]
    assert set(target.get("previousName")) == {"SMITH, John", "John SMITH"}
    assert target.get("birthDate") == ["1969-11-08"]
    assert target.get("birthPlace") == ["Tehran, Iran"]
    assert target.get("nationality") == ["ir"]
    assert target.get("citizenship") == ["iq"]
    assert target.get("gender") == ["male"]
    assert target.get("email") == ["jd@example.com"]
    assert target.get("position") == ["Minister"]
    assert target.get("passportNumber") == ["AB123"]
    (passport,) = related_of(person, "Passport")
    assert passport.get("number") == ["AB123"]
    assert passport.get("country") == ["ir"]
    assert passport.get("startDate") == ["2015-01-01"]
    assert passport.get("endDate") == ["2025-01-01"]
    (address,) = related_of(person, "Address")
    assert address.get("full") == ["1 Main St, Floor 2, Tehran, Tehran Prov 12345, Iran"]
    assert address.get("city") == ["Tehran"]
    assert address.get("postalCode") == ["12345"]
    assert address.get("country") == ["ir"]
    (sanction,) = related_of(person, "Sanction")
    assert sanction.get("program") == ["SDGT", "IRAN"]


def test_small_company_and_vessel(small: ParsedList) -> None:
    entries = {e.source_id: e for e in small.entries}
    company = entries["200"]
    target = company.target
    assert target.schema.name == "Organization"
    assert target.get("swiftBic") == ["ACMEIRTH"]
    assert target.get("taxNumber") == ["7702070139"]
    assert target.get("innCode") == ["7702070139"]
    assert target.get("registrationNumber") == ["R-77"]
    assert "Some free text" in target.get("notes")
    (link,) = related_of(company, "UnknownLink")
    assert link.get("object") == ["ofac-100"]
    (sanction,) = related_of(company, "Sanction")
    assert sanction.get("summary")
    vessel = entries["300"].target
    assert vessel.schema.name == "Vessel"
    assert vessel.get("callSign") == ["9BAB1"]
    assert vessel.get("flag") == ["ir"]
    assert vessel.get("type") == ["Crude Oil Tanker"]
    assert "Vessel owner: NITC" in vessel.get("notes")


def test_same_ids_as_csv(tmp_path: Path, small: ParsedList) -> None:
    """The same party parsed from the CSV files gets the same entity ids."""
    from sanctionscope.sources.us_ofac_csv import parse as parse_csv

    folder = tmp_path / "csv"
    folder.mkdir()
    (folder / "sdn.csv").write_text(
        '200,"ACME TRADING CO",-0- ,"SDGT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,'
        '"SWIFT/BIC ACMEIRTH; Tax ID No. 7702070139 (Russia); Registration ID R-77."\r\n'
    )
    (folder / "add.csv").write_text('200,900,"1 Main St","Tehran","Iran",-0- \r\n')
    csv_target = parse_csv(folder).entries[0].target
    xml_entry = next(e for e in small.entries if e.source_id == "200")
    assert csv_target.id == xml_entry.target.id
    for prop in ("swiftBic", "taxNumber", "registrationNumber", "name"):
        assert csv_target.get(prop) == xml_entry.target.get(prop)


def test_source_override_and_cons_name(tmp_path: Path) -> None:
    path = write(tmp_path, document(COMPANY), name="consolidated.xml")
    assert parse(path).source == "us_ofac_cons"
    assert parse(path, source="mine").source == "mine"


def test_detect(tmp_path: Path) -> None:
    assert detect(write(tmp_path, document(COMPANY)))
    assert not detect(write(tmp_path, "<other/>", name="x.xml"))
    assert not detect(tmp_path)


def test_bad_publish_date_is_a_warning(tmp_path: Path) -> None:
    parsed = parse(write(tmp_path, document(COMPANY, date_text="someday")))
    assert parsed.published is None
    assert any("Publish_Date" in w for w in parsed.warnings)


# --------------------------------------------------------------------------- refused


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
<!ENTITY lol "lol">
<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<sdnList><sdnEntry><uid>1</uid><lastName>&lol3;</lastName></sdnEntry></sdnList>
"""

XXE = """<?xml version="1.0"?>
<!DOCTYPE sdnList [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<sdnList><sdnEntry><uid>1</uid><lastName>&xxe;</lastName></sdnEntry></sdnList>
"""


@pytest.mark.parametrize(
    ("text", "words", "location"),
    [
        ("", "empty", None),
        (BILLION_LAUGHS, "refused", "line 3"),
        (XXE, "refused", "line 2"),
        (document(PERSON + COMPANY).rsplit("</sdnEntry>", 1)[0], "truncated", "line"),
        (document(PERSON + COMPANY)[:-200], "XML is", "line "),
        (document(PERSON + COMPANY, count=3), "Record_Count", "line 5"),
        (document(PERSON + COMPANY, count=1), "truncated or incomplete", "line 5"),
        (document(COMPANY.replace("<uid>200</uid>", "<uid>x1</uid>")), "uid", "line"),
        (document(COMPANY + COMPANY), "twice", "line"),
        (document(COMPANY.replace("<lastName>ACME TRADING CO</lastName>", "")), "no name", "line"),
        (
            "<sdnList><publshInformation><Record_Count>a</Record_Count></publshInformation>"
            "</sdnList>",
            "not a number",
            "line 1",
        ),
        ("<sdnSomething/>", "root element", None),
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
    data = (shared_data / REAL).read_bytes()
    path = write(tmp_path, data[: len(data) // 2])
    with pytest.raises(SourceError) as info:
        parse(path)
    assert "truncated" in info.value.reason
    assert info.value.location is not None and info.value.location.startswith("line ")


SEED = document(PERSON + COMPANY + VESSEL).encode("utf-8")


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    edits=st.lists(
        st.tuples(
            st.integers(min_value=0, max_value=len(SEED) - 1),
            st.integers(min_value=0, max_value=8),
            st.binary(max_size=8),
        ),
        min_size=1,
        max_size=5,
    )
)
def test_mutations_parse_or_refuse(tmp_path: Path, edits: list[tuple[int, int, bytes]]) -> None:
    """Damaged files either parse or raise SourceError: never another exception."""
    data = SEED
    for at, cut, insert in edits:
        at = min(at, len(data))
        data = data[:at] + insert + data[at + cut :]
    path = write(tmp_path, data, name="mutated_sdn.xml")
    try:
        parsed = parse(path)
    except SourceError:
        return
    assert len(parsed.entries) <= 3
