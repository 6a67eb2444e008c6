"""EU Financial Sanctions Files: CSV v1.1 (eu_fsf) and XML 1.1 (eu_fsf_xml).

Data used here:

* the real CSV v1.1 excerpt ``shared/data/eu_fsf/fsf_csv_1_1_head_2024-10-02.csv`` (the first
  19 lines of the official file: designations 13, 20, 23 complete, 25 cut after its three
  name rows), and copies of it cut or damaged in the ways a download can be;
* ``tests/sources/data/eu_fsf/fsf_xml_1_1_sample_2024-10-02.xml``: no official XML file is at
  hand, so this sample was WRITTEN FOR THESE TESTS in the published XML 1.1 layout, from the
  facts (names, dates, numbers, logical ids) of the three complete designations of the real
  CSV excerpt; see the comment at its top;
* :data:`FICTIONAL`: an invented enterprise and person (not real parties), written both as
  CSV rows and as XML in this module, for what the real excerpt lacks: organisations,
  passports and other identifiers, addresses, a UN reference, a non-Latin name, partial and
  ranged birth dates, weak aliases.
"""

from __future__ import annotations

import json
import time
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from followthemoney import EntityProxy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sanctionscope.sources import detect_format, eu_fsf, eu_fsf_xml
from sanctionscope.sources.base import Entry, ParsedList, SourceError

EXCERPT = "eu_fsf/fsf_csv_1_1_head_2024-10-02.csv"
XML_SAMPLE = Path(__file__).parent / "data" / "eu_fsf" / "fsf_xml_1_1_sample_2024-10-02.xml"
#: Lines 17-19 of the excerpt are designation 25, cut off by the uploader.
COMPLETE_LINES = 16
EU_NS = "http://eu.europa.ec/fpi/fsd/export"


# ------------------------------------------------------------------------ helpers


def _by_id(parsed: ParsedList, logical_id: str) -> Entry:
    return next(e for e in parsed.entries if e.source_id == logical_id)


def _related(entry: Entry, schema: str) -> list[EntityProxy]:
    return [e for e in entry.related if e.schema.name == schema]


def _dicts(parsed: ParsedList) -> dict[str, dict[str, Any]]:
    """Every entity as sorted JSON-able data, by id (order of values does not matter)."""
    out: dict[str, dict[str, Any]] = {}
    for entry in parsed.entries:
        for entity in entry.entities():
            props = {k: sorted(v) for k, v in entity.to_dict()["properties"].items()}
            out[str(entity.id)] = {"schema": entity.schema.name, "properties": props}
    return out


def _write(tmp_path: Path, name: str, data: bytes | str) -> Path:
    path = tmp_path / name
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)
    return path


@pytest.fixture(scope="module")
def excerpt_bytes(shared_data: Path) -> bytes:
    return (shared_data / EXCERPT).read_bytes()


@pytest.fixture(scope="module")
def excerpt_lines(excerpt_bytes: bytes) -> list[bytes]:
    return excerpt_bytes.splitlines(keepends=True)


@pytest.fixture
def complete_csv(tmp_path: Path, excerpt_lines: list[bytes]) -> Path:
    """The excerpt without the rows of the cut-off designation 25."""
    return _write(tmp_path, "complete.csv", b"".join(excerpt_lines[:COMPLETE_LINES]))


# ------------------------------------------------------------------- detection


def test_detect(shared_data: Path, tmp_path: Path) -> None:
    assert eu_fsf.detect(shared_data / EXCERPT)
    assert detect_format(shared_data / EXCERPT).name == "eu_fsf_csv"
    assert eu_fsf_xml.detect(XML_SAMPLE)
    assert detect_format(XML_SAMPLE).name == "eu_fsf_xml"
    assert not eu_fsf_xml.detect(shared_data / EXCERPT)
    assert not eu_fsf.detect(XML_SAMPLE)
    other = _write(tmp_path, "x.csv", "a;b\n1;2\n")
    assert not eu_fsf.detect(other)
    assert not eu_fsf_xml.detect(_write(tmp_path, "x.xml", "<export><other/></export>"))
    assert not eu_fsf.detect(shared_data / "un" / "consolidated_2026-02-27.xml")
    assert not eu_fsf_xml.detect(shared_data / "un" / "consolidated_2026-02-27.xml")


# ------------------------------------------------- the cut-off real excerpt


def test_excerpt_cut_between_rows_is_read_as_it_stands(shared_data: Path) -> None:
    """The uploader cut the official file after a whole line: the last row (line 19) has all
    118 fields and ends with a newline, so nothing in the file shows that designation 25 had
    more rows. It reads as four designations, 25 with its three names only."""
    data = (shared_data / EXCERPT).read_bytes()
    assert data.endswith(b"\n") and data.splitlines()[-1].count(b";") == 117
    parsed = eu_fsf.parse(shared_data / EXCERPT)
    assert [e.source_id for e in parsed.entries] == ["13", "20", "23", "25"]
    cut = _by_id(parsed, "25").target
    assert cut.get("name") == ["Abid Hamid Mahmud Al-Tikriti"]
    assert not cut.has("birthDate") and not cut.has("nationality")


@pytest.mark.parametrize(
    ("cut", "reason", "entity"),
    [
        ("mid_field", "has 24 of the header's 118 fields", "Entity_LogicalId 25 is cut off"),
        ("no_newline", "does not end with a newline", "Entity_LogicalId 25 is cut off"),
        ("mid_quote", "ends inside a quoted field", "Entity_LogicalId 25 is cut off"),
        ("in_id", "has 2 of the header's 118 fields", "ends inside its Entity_LogicalId ('2'"),
    ],
)
def test_truncated_copies_are_refused_naming_line_and_entity(
    tmp_path: Path, excerpt_lines: list[bytes], cut: str, reason: str, entity: str
) -> None:
    head, last = b"".join(excerpt_lines[:-1]), excerpt_lines[-1]
    if cut == "mid_field":  # stops inside NameAlias_Function ("Saddam's Presid")
        data = head + last[: last.index(b"Presidential") + 6]
    elif cut == "no_newline":
        data = head + last.rstrip(b"\n")
    elif cut == "mid_quote":
        data = head + last.replace(b";Saddam's", b";\"Saddam's").split(b"Key")[0]
    else:
        data = head + b"02/10/2024;2"
    path = _write(tmp_path, f"{cut}.csv", data)
    with pytest.raises(SourceError) as info:
        eu_fsf.parse(path)
    assert info.value.location == "line 19"
    assert reason in info.value.reason and entity in info.value.reason
    assert str(path) in str(info.value)


def test_complete_part_of_the_excerpt(complete_csv: Path) -> None:
    parsed = eu_fsf.parse(complete_csv)
    assert parsed.source == "eu_fsf" and parsed.format == "eu_fsf_csv"
    assert parsed.published == date(2024, 10, 2)
    assert parsed.warnings == []
    assert len(parsed.entries) == 3
    assert parsed.target_counts() == {"Person": 3}  # no organisation in the excerpt
    assert parsed.schema_counts() == {"Person": 3, "Sanction": 3}
    saddam = _by_id(parsed, "13")
    person = saddam.target
    assert person.id == "eu-fsf-13"
    assert person.get("name") == ["Saddam Hussein Al-Tikriti"]
    assert set(person.get("alias")) == {"Abu Ali", "Abou Ali"}
    assert person.get("firstName") == ["Saddam"]
    assert person.get("lastName") == ["Hussein Al-Tikriti"]
    assert person.get("gender") == ["male"]
    assert person.get("birthDate") == ["1937-04-28"]
    assert person.get("birthPlace") == ["al-Awja, near Tikrit, IRAQ"]
    assert person.get("birthCountry") == ["iq"]
    assert person.get("nationality") == ["iq"]
    assert person.get("notes") == ["(UNSC RESOLUTION 1483)"]
    sanction = saddam.related[0]
    assert sanction.schema.name == "Sanction"
    assert sanction.get("authorityId") == ["EU.27.28"]
    assert sanction.get("country") == ["eu"]
    assert sanction.get("program") == ["IRQ"] and sanction.get("programId") == ["EU-IRQ"]
    assert sanction.get("date") == ["2003-07-08"]
    assert sanction.get("startDate") == ["2003-07-07"]
    assert sanction.get("summary") == ["Commission regulation 1210/2003 (OJ L169)"]
    assert sanction.get("programUrl") == [
        "http://eur-lex.europa.eu/LexUriServ/LexUriServ.do?uri=OJ:L:2003:169:0006:0023:EN:PDF"
    ]
    assert not sanction.has("unscId")  # the excerpt has no UN reference; see FICTIONAL
    qusay = _by_id(parsed, "20").target
    assert set(qusay.get("birthDate")) == {"1965", "1966"}  # year only
    assert qusay.get("birthPlace") == ["Baghdad"]  # country "00"/UNKNOWN left out
    assert not qusay.has("birthCountry")
    assert qusay.get("alias") == ["Qoussaï Saddam Hussein Al-Tikriti"]
    assert qusay.get("position") == [
        "Oversaw Special Republican Guard, Special Security Organisation, and Republican Guard"
    ]


def test_bom_and_crlf_are_accepted(tmp_path: Path, excerpt_lines: list[bytes]) -> None:
    body = b"".join(line.rstrip(b"\n") + b"\r\n" for line in excerpt_lines[:COMPLETE_LINES])
    parsed = eu_fsf.parse(_write(tmp_path, "bom.csv", b"\xef\xbb\xbf" + body))
    assert len(parsed.entries) == 3
    assert _by_id(parsed, "13").target.get("birthDate") == ["1937-04-28"]


# ------------------------------------------------------------ XML sample = CSV


def test_xml_sample(tmp_path: Path) -> None:
    parsed = eu_fsf_xml.parse(XML_SAMPLE)
    assert parsed.source == "eu_fsf" and parsed.format == "eu_fsf_xml"
    assert parsed.published == date(2024, 10, 2)  # generationDate of the root
    assert parsed.warnings == []
    assert [e.source_id for e in parsed.entries] == ["13", "20", "23"]


def test_xml_sample_gives_the_same_entities_as_the_csv(complete_csv: Path) -> None:
    from_csv = _dicts(eu_fsf.parse(complete_csv))
    from_xml = _dicts(eu_fsf_xml.parse(XML_SAMPLE))
    assert sorted(from_xml) == sorted(from_csv)
    for entity_id, data in from_csv.items():
        assert from_xml[entity_id] == data, entity_id


# --------------------------------------------- fictional records, both layouts

FICTIONAL: list[dict[str, str]] = [
    # An invented enterprise: names in Latin and Cyrillic, identifiers, two addresses.
    {
        "Entity_LogicalId": "900001",
        "Entity_EU_ReferenceNumber": "EU.9999.01",
        "Entity_UnitedNationId": "KPe.999",
        "Entity_DesignationDate": "2024-09-19",
        "Entity_DesignationDetails": "Invented for tests",
        "Entity_Remark": "Fictional trading company.",
        "Entity_SubjectType": "E",
        "Entity_SubjectType_ClassificationCode": "enterprise",
        "NameAlias_WholeName": "EXAMPLE TRADING LLC",
        "NameAlias_LogicalId": "1",
    },
    {"NameAlias_WholeName": "ООО ПРИМЕР ТРЕЙДИНГ", "NameAlias_NameLanguage": "RU"},
    {
        "Identification_Number": "1234567890123",
        "Identification_TypeCode": "regnumber",
        "Identification_TypeDescription": "Registration Number",
        "Identification_CountryIso2Code": "RU",
    },
    {
        "Identification_Number": "EXAMRUMM",
        "Identification_TypeCode": "swiftbic",
        "Identification_TypeDescription": "SWIFT BIC",
    },
    {
        "Identification_Number": "7700000009",
        "Identification_TypeCode": "other",
        "Identification_TypeDescription": "Tax Identification Number (INN)",
    },
    {
        "Identification_Number": "7700000001",
        "Identification_TypeCode": "other",
        "Identification_TypeDescription": "INN",
    },
    {
        "Address_Street": "1 Example Street",
        "Address_ZipCode": "101000",
        "Address_City": "Moscow",
        "Address_CountryIso2Code": "RU",
        "Address_CountryDescription": "RUSSIAN FEDERATION",
        "Address_ContactInfo": "PHONE: +7 000 000 0000",
    },
    {"Address_City": "Tskhinvali", "Address_CountryDescription": "GEORGIA"},
    # An invented person: passport, year-month and ranged birth dates, two citizenships.
    {
        "Entity_LogicalId": "900002",
        "Entity_EU_ReferenceNumber": "EU.9999.02",
        "Entity_SubjectType": "P",
        "Entity_SubjectType_ClassificationCode": "person",
        "NameAlias_FirstName": "Ivan",
        "NameAlias_LastName": "Examplov",
        "NameAlias_WholeName": "Ivan Examplov",
        "NameAlias_Gender": "M",
        "NameAlias_Title": "Dr",
        "NameAlias_Function": "Vice-president",
    },
    {"NameAlias_WholeName": "Иван Примеров", "NameAlias_NameLanguage": "RU"},
    {"BirthDate_Month": "6", "BirthDate_Year": "1971", "BirthDate_City": "Vladivostok"},
    {"BirthDate_YearRangeFrom": "1972", "BirthDate_YearRangeTo": "1974", "BirthDate_Circa": "YES"},
    {
        "Identification_Number": "P0000001",
        "Identification_TypeCode": "passport",
        "Identification_TypeDescription": "National passport",
        "Identification_IssuedDate": "2015-03-01",
        "Identification_ValidTo": "2025-03-01",
        "Identification_KnownExpired": "YES",
        "Identification_CountryIso2Code": "RU",
    },
    {"Citizenship_CountryIso2Code": "RU"},
    {"Citizenship_CountryIso2Code": "KP"},
]
_ENTITY_FIELDS = ("Entity_", "fileGenerationDate")


def _fictional_csv() -> str:
    columns = eu_fsf.COLUMNS_V1_1
    lines = [";".join(columns)]
    entity: dict[str, str] = {}
    for values in FICTIONAL:
        if "Entity_LogicalId" in values:
            entity = {k: v for k, v in values.items() if k.startswith(_ENTITY_FIELDS)}
            entity["fileGenerationDate"] = "19/09/2024"
            entity["Entity_Regulation_Programme"] = "RUS"
            entity["Entity_Regulation_PublicationDate"] = "2024-09-19"
        row = {**entity, **values}
        lines.append(";".join(row.get(column, "") for column in columns))
    return "\n".join(lines) + "\n"


FICTIONAL_XML = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<export xmlns="{EU_NS}" generationDate="2024-09-19T10:00:00.000+02:00">
  <sanctionEntity designationDate="2024-09-19" designationDetails="Invented for tests"
      unitedNationId="KPe.999" euReferenceNumber="EU.9999.01" logicalId="900001">
    <remark>Fictional trading company.</remark>
    <regulation programme="RUS" publicationDate="2024-09-19"/>
    <subjectType code="enterprise" classificationCode="E"/>
    <nameAlias wholeName="EXAMPLE TRADING LLC" strong="true" logicalId="1"/>
    <nameAlias wholeName="ООО ПРИМЕР ТРЕЙДИНГ" nameLanguage="RU" strong="true"/>
    <nameAlias wholeName="EXAMPLE TRADE" strong="false"/>
    <identification number="1234567890123" identificationTypeCode="regnumber"
      identificationTypeDescription="Registration Number" countryIso2Code="RU"/>
    <identification number="EXAMRUMM" identificationTypeCode="swiftbic"
      identificationTypeDescription="SWIFT BIC"/>
    <identification number="7700000009" identificationTypeCode="other"
      identificationTypeDescription="Tax Identification Number (INN)"/>
    <identification number="7700000001" identificationTypeCode="other"
      identificationTypeDescription="INN"/>
    <address street="1 Example Street" zipCode="101000" city="Moscow" countryIso2Code="RU"
      countryDescription="RUSSIAN FEDERATION">
      <contactInfo key="PHONE" value="+7 000 000 0000"/>
    </address>
    <address city="Tskhinvali" countryDescription="GEORGIA"/>
  </sanctionEntity>
  <sanctionEntity euReferenceNumber="EU.9999.02" logicalId="900002">
    <regulation programme="RUS" publicationDate="2024-09-19"/>
    <subjectType code="person" classificationCode="P"/>
    <nameAlias firstName="Ivan" lastName="Examplov" wholeName="Ivan Examplov" gender="M"
      title="Dr" function="Vice-president" strong="true"/>
    <nameAlias wholeName="Иван Примеров" nameLanguage="RU" strong="true"/>
    <birthdate monthOfYear="6" year="1971" city="Vladivostok" circa="false"/>
    <birthdate yearRangeFrom="1972" yearRangeTo="1974" circa="true"/>
    <identification number="P0000001" identificationTypeCode="passport"
      identificationTypeDescription="National passport" issuedDate="2015-03-01"
      validTo="2025-03-01" knownExpired="true" countryIso2Code="RU"/>
    <citizenship countryIso2Code="RU"/>
    <citizenship countryIso2Code="KP"/>
  </sanctionEntity>
</export>
"""


@pytest.fixture
def fictional(tmp_path: Path) -> tuple[ParsedList, ParsedList]:
    csv_list = eu_fsf.parse(_write(tmp_path, "fictional.csv", _fictional_csv()))
    xml_list = eu_fsf_xml.parse(_write(tmp_path, "fictional.xml", FICTIONAL_XML))
    return csv_list, xml_list


def test_fictional_enterprise(fictional: tuple[ParsedList, ParsedList]) -> None:
    for parsed in fictional:
        entry = _by_id(parsed, "900001")
        org = entry.target
        assert org.schema.name == "Organization" and org.id == "eu-fsf-900001"
        assert org.get("name") == ["EXAMPLE TRADING LLC"]
        assert "ООО ПРИМЕР ТРЕЙДИНГ" in org.get("alias")  # non-Latin script → alias
        assert org.get("registrationNumber") == ["1234567890123"]
        assert org.get("swiftBic") == ["EXAMRUMM"]
        assert org.get("innCode") == ["7700000009"]
        assert org.get("taxNumber") == ["7700000001"]  # fails the INN checksum
        assert set(org.get("country")) == {"ru", "ge"}
        ids = _related(entry, "Identification")
        assert sorted(i.first("number") or "" for i in ids) == [
            "1234567890123",
            "7700000001",
            "7700000009",
            "EXAMRUMM",
        ]
        assert all(i.get("holder") == [org.id] for i in ids)
        addresses = {a.first("full"): a for a in _related(entry, "Address")}
        assert set(addresses) == {
            "1 Example Street, 101000 Moscow, RUSSIAN FEDERATION",
            "Tskhinvali, GEORGIA",
        }
        moscow = addresses["1 Example Street, 101000 Moscow, RUSSIAN FEDERATION"]
        assert moscow.get("remarks") == ["PHONE: +7 000 000 0000"]
        assert set(org.get("addressEntity")) == {a.id for a in addresses.values()}
        sanction = entry.related[0]
        assert sanction.get("unscId") == ["KPe.999"]  # kept: links the EU and UN records
        assert sanction.get("authorityId") == ["EU.9999.01"]
        assert sanction.get("listingDate") == ["2024-09-19"]
        assert sanction.get("reason") == ["Invented for tests"]
        assert org.get("notes") == ["Fictional trading company."]
        assert parsed.published == date(2024, 9, 19)
    _, from_xml = fictional
    assert _by_id(from_xml, "900001").target.get("weakAlias") == ["EXAMPLE TRADE"]


def test_fictional_person(fictional: tuple[ParsedList, ParsedList]) -> None:
    for parsed in fictional:
        entry = _by_id(parsed, "900002")
        person = entry.target
        assert person.get("name") == ["Ivan Examplov"]
        assert person.get("alias") == ["Иван Примеров"]
        assert set(person.get("birthDate")) == {"1971-06", "1972", "1973", "1974"}
        assert set(person.get("nationality")) == {"ru", "kp"}
        assert person.get("title") == ["Dr"] and person.get("position") == ["Vice-president"]
        assert person.get("passportNumber") == ["P0000001"]
        [passport] = _related(entry, "Passport")
        assert passport.get("number") == ["P0000001"]
        assert passport.get("country") == ["ru"]
        assert passport.get("startDate") == ["2015-03-01"]
        assert passport.get("endDate") == ["2025-03-01"]
        assert passport.get("description") == ["known to be expired"]
        assert passport.get("holder") == [person.id]


def test_fictional_csv_and_xml_agree(fictional: tuple[ParsedList, ParsedList]) -> None:
    from_csv, from_xml = _dicts(fictional[0]), _dicts(fictional[1])
    assert sorted(from_csv) == sorted(from_xml)
    org = "eu-fsf-900001"
    del from_xml[org]["properties"]["weakAlias"]  # the CSV has no "strong" column
    assert from_csv == from_xml


# -------------------------------------------------------------------- bad input


def test_bad_csv_inputs(tmp_path: Path, excerpt_lines: list[bytes]) -> None:
    header = excerpt_lines[0]
    body = b"".join(excerpt_lines[1:COMPLETE_LINES])
    cases: list[tuple[bytes, str, str | None]] = [
        (b"", "empty", None),
        (b"\n\n", "empty", None),
        (header, "no designation follows", "line 2"),
        (header.replace(b";", b",") + body.replace(b";", b","), "wrong delimiter", "line 1"),
        (
            header.replace(b"Entity_LogicalId;", b"Entity_Id;").replace(
                b"NameAlias_WholeName", b"NameAlias_Whole"
            )
            + body,
            "required column(s) missing: Entity_LogicalId, NameAlias_WholeName",
            "line 1",
        ),
        (header + b"02/10/2024;;" + excerpt_lines[1][13:], "without an Entity_LogicalId", "line 2"),
        (header + body.replace(b"Qoussa\xc3\xaf", b"Qoussa\xef"), "not UTF-8", "line 8"),
        (header + body + b'02/10/2024;99;"x"y;' + b";" * 115 + b"\n", "malformed CSV", "line 17"),
        (header + b"\x00" + body, "NUL", "line 2"),
    ]
    for number, (data, reason, location) in enumerate(cases):
        with pytest.raises(SourceError) as info:
            eu_fsf.parse(_write(tmp_path, f"bad{number}.csv", data))
        assert reason in info.value.reason, (number, info.value)
        assert info.value.location == location, (number, info.value)


def test_too_many_fields_is_refused(tmp_path: Path, excerpt_lines: list[bytes]) -> None:
    data = b"".join(excerpt_lines[:3]) + excerpt_lines[3].rstrip(b"\n") + b";extra\n"
    with pytest.raises(SourceError, match="119 fields, the header 118") as info:
        eu_fsf.parse(_write(tmp_path, "wide.csv", data))
    assert info.value.location == "line 4"


def test_bad_xml_inputs(tmp_path: Path) -> None:
    sample = XML_SAMPLE.read_text(encoding="utf-8")
    bomb = (
        '<?xml version="1.0"?>\n<!DOCTYPE export [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>\n'
        f'<export xmlns="{EU_NS}"><sanctionEntity logicalId="1">'
        '<nameAlias wholeName="&b;"/></sanctionEntity></export>'
    )
    external = (
        '<?xml version="1.0"?>\n<!DOCTYPE export SYSTEM "http://example.invalid/x.dtd">\n'
        f'<export xmlns="{EU_NS}"/>'
    )
    cases: list[tuple[str, str, str | None]] = [
        ("", "empty", None),
        (sample[: len(sample) // 2], "XML is", "line 42"),
        (bomb, "declares entities", "line 2"),
        (external, "external DTD", "line 2"),
        ("<other/>", "not <export>", "line 1"),
        (
            f'<export xmlns="{EU_NS}" generationDate="2024-10-02"/>',
            "holds no <sanctionEntity>",
            None,
        ),
        (
            f'<export xmlns="{EU_NS}"><sanctionEntity><nameAlias wholeName="X"/>'
            "</sanctionEntity></export>",
            "without a logicalId",
            "sanctionEntity 1 (line 1)",
        ),
    ]
    for number, (text, reason, location) in enumerate(cases):
        with pytest.raises(SourceError) as info:
            eu_fsf_xml.parse(_write(tmp_path, f"bad{number}.xml", text))
        assert reason in info.value.reason, (number, info.value)
        if location is not None:
            assert info.value.location == location, (number, info.value)


def test_unknown_subject_type_and_nameless_entity_are_reported(tmp_path: Path) -> None:
    xml = (
        f'<export xmlns="{EU_NS}" generationDate="2024-10-02">'
        '<sanctionEntity logicalId="1"><subjectType code="vessel"/>'
        '<nameAlias wholeName="SEA EXAMPLE"/></sanctionEntity>'
        '<sanctionEntity logicalId="2"><subjectType code="person"/></sanctionEntity></export>'
    )
    parsed = eu_fsf_xml.parse(_write(tmp_path, "odd.xml", xml))
    assert [e.target.schema.name for e in parsed.entries] == ["LegalEntity"]
    assert any("unknown subject type 'vessel'" in w for w in parsed.warnings)
    assert any("Entity_LogicalId 2: no name" in w for w in parsed.warnings)


def _parse_or_source_error(parser: Any, path: Path) -> None:
    try:
        result = parser(path)
    except SourceError as exc:
        assert exc.reason
        return
    assert isinstance(result, ParsedList) and result.entries
    json.dumps([e.to_dict() for entry in result.entries for e in entry.entities()])


_edits = st.lists(
    st.tuples(
        st.floats(min_value=0, max_value=1, exclude_max=True),
        st.sampled_from([b"", b";", b'"', b"\n", b"\r", b"<", b">", b"&", b"\xff", b"00", b"x"]),
        st.integers(0, 12),
    ),
    min_size=1,
    max_size=5,
)


def _mutate(data: bytes, edits: list[tuple[float, bytes, int]]) -> bytes:
    out = bytearray(data)
    for where, insert, remove in edits:
        at = int(where * len(out))
        out[at : at + remove] = insert
    return bytes(out)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(edits=_edits)
def test_mutated_csv_parses_or_raises_source_error(
    shared_data: Path, tmp_path_factory: pytest.TempPathFactory, edits: Any
) -> None:
    data = _mutate((shared_data / EXCERPT).read_bytes(), edits)
    path = tmp_path_factory.mktemp("mut") / "m.csv"
    path.write_bytes(data)
    _parse_or_source_error(eu_fsf.parse, path)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(edits=_edits)
def test_mutated_xml_parses_or_raises_source_error(
    tmp_path_factory: pytest.TempPathFactory, edits: Any
) -> None:
    data = _mutate(XML_SAMPLE.read_bytes(), edits)
    path = tmp_path_factory.mktemp("mut") / "m.xml"
    path.write_bytes(data)
    _parse_or_source_error(eu_fsf_xml.parse, path)


# ------------------------------------------------------------------ end to end


def test_import_end_to_end(home: Path, tmp_path: Path, excerpt_lines: list[bytes]) -> None:
    from sanctionscope.settings import get_settings
    from sanctionscope.store import active_versions_list, import_path, open_store

    settings_ = get_settings()
    engine = open_store(settings_)
    complete = _write(tmp_path, "complete.csv", b"".join(excerpt_lines[:COMPLETE_LINES]))
    started = time.perf_counter()
    [first] = import_path(engine, complete, settings_)
    assert first.outcome == "activated", first.message
    assert time.perf_counter() - started < 10

    cut = b"".join(excerpt_lines[:-1]) + excerpt_lines[-1][:300]
    [refused] = import_path(engine, _write(tmp_path, "cut.csv", cut), settings_)
    assert refused.outcome == "refused"
    assert "line 19" in refused.message and "Entity_LogicalId 25" in refused.message

    [from_xml] = import_path(engine, XML_SAMPLE, settings_)
    assert from_xml.outcome == "activated", from_xml.message
    [active] = active_versions_list(engine)
    assert (active.source, active.seq, active.entry_count) == ("eu_fsf", 2, 3)
    assert active.published == date(2024, 10, 2)
    assert active.target_counts == {"Person": 3}
