"""UN Security Council consolidated list: the real files, the changes between two of them, and
files that must be refused."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

import pytest
from followthemoney.types import registry
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from sanctionscope.sources import Entry, ParsedList, SourceError
from sanctionscope.sources.un_sc_sanctions import FORMAT, IGNORED_ELEMENTS, detect, parse
from sanctionscope.sources.xmlsafe import safe_parser
from tests.sources.helpers import related_of, write_file

NEW = "consolidated_2026-02-27.xml"
OLD = "consolidated_2025-11-20.xml"


@pytest.fixture(scope="module")
def parsed(shared_data: Path) -> dict[str, ParsedList]:
    """Both real files, parsed once for the whole module."""
    return {name: parse(shared_data / "un" / name) for name in (NEW, OLD)}


@pytest.fixture(scope="module")
def new_entries(parsed: dict[str, ParsedList]) -> dict[str, Entry]:
    return {entry.source_id: entry for entry in parsed[NEW].entries}


def write(tmp_path: Path, text: str | bytes, name: str = "list.xml") -> Path:
    return write_file(tmp_path, name, text)


def minimal_list(records: str, root: str = "CONSOLIDATED_LIST") -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<{root} dateGenerated="2026-01-02T00:00:00.000Z">\n'
        f"<INDIVIDUALS>\n{records}\n</INDIVIDUALS>\n<ENTITIES/>\n</{root}>\n"
    )


ONE_PERSON = """<INDIVIDUAL>
  <DATAID>1</DATAID>
  <VERSIONNUM>3</VERSIONNUM>
  <FIRST_NAME>JOHN</FIRST_NAME>
  <SECOND_NAME>DOE</SECOND_NAME>
  <UN_LIST_TYPE>DPRK</UN_LIST_TYPE>
  <REFERENCE_NUMBER>KPi.999</REFERENCE_NUMBER>
  <LISTED_ON>2020-01-01</LISTED_ON>
  <SORT_KEY/>
</INDIVIDUAL>"""


# --- the real files ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "entries", "targets", "published"),
    [
        (NEW, 1003, {"Organization": 273, "Person": 730}, date(2026, 2, 27)),
        (OLD, 1000, {"Organization": 273, "Person": 727}, date(2025, 11, 20)),
    ],
)
def test_counts_and_publication_date(
    parsed: dict[str, ParsedList],
    name: str,
    entries: int,
    targets: dict[str, int],
    published: date,
) -> None:
    result = parsed[name]
    assert len(result.entries) == entries
    assert result.target_counts() == targets
    assert result.published == published
    assert result.source == "un_sc_sanctions"
    assert result.format == "un_sc_sanctions"
    assert len(result.sha256) == 64
    assert result.schema_counts()["Sanction"] == entries
    assert len({entry.source_id for entry in result.entries}) == entries


def test_source_name_can_be_overridden(shared_data: Path) -> None:
    assert parse(shared_data / "un" / NEW, source="un_sc_test").source == "un_sc_test"


def test_dprk_programme_count(parsed: dict[str, ParsedList]) -> None:
    dprk = [e for e in parsed[NEW].entries if "DPRK" in e.related[0].get("program")]
    assert len(dprk) == 155
    assert all(e.target.get("program") == ["DPRK"] for e in dprk)
    assert all(e.related[0].get("programId") == ["UNSC-DPRK"] for e in dprk)


def test_detect(shared_data: Path, tmp_path: Path) -> None:
    assert detect(shared_data / "un" / NEW)
    assert FORMAT.detect(shared_data / "un" / OLD)
    assert not detect(write(tmp_path, "<sdnList></sdnList>"))
    assert not detect(write(tmp_path, "name,address\n", "list.csv"))
    assert not detect(tmp_path)
    assert FORMAT.name == "un_sc_sanctions"
    assert FORMAT.description == "UN Security Council consolidated list XML"


@pytest.mark.parametrize(
    ("reference", "schema", "name", "aliases", "previous", "address"),
    [
        (
            "KPe.047",
            "Organization",
            "FOREIGN TRADE BANK (FTB)",
            {"Mooyokbank", "Korea Trading Bank", "FOREIGN TRADE BANK"},
            set(),
            "FTB Building, Jungsong-dong, Central District, Pyongyang, "
            "Democratic People's Republic of Korea",
        ),
        (
            "KPe.025",
            "Organization",
            "KOREA KWANGSON BANKING CORPORATION (KKBC)",
            {"KKBC", "KOREA KWANGSON BANKING CORPORATION"},
            set(),
            "Jungson-dong, Sungri Street, Central District, Pyongyang, "
            "Democratic People's Republic of Korea",
        ),
        (
            "KPe.029",
            "Organization",
            "NATIONAL AEROSPACE TECHNOLOGY ADMINISTRATION",
            {"NATA"},
            {"NATIONAL AEROSPACE DEVELOPMENT ADMINISTRATION", "NADA"},
            "Democratic People's Republic of Korea",
        ),
        (
            "CDi.030",
            "Person",
            "BOSCO TAGANDA",
            {"Bosco Ntaganda", "Bosco Ntagenda", "General Taganda"},
            set(),
            "Belgium",
        ),
    ],
)
def test_spot_checks(
    new_entries: dict[str, Entry],
    reference: str,
    schema: str,
    name: str,
    aliases: set[str],
    previous: set[str],
    address: str,
) -> None:
    entry = new_entries[reference]
    target = entry.target
    assert target.schema.name == schema
    assert target.get("name") == [name]
    assert aliases <= set(target.get("alias"))
    assert set(target.get("previousName")) == previous
    assert "sanction" in target.get("topics")
    assert address in target.get("address")
    (address_entity,) = (a for a in related_of(entry, "Address") if address in a.get("full"))
    assert address_entity.id in target.get("addressEntity")


def test_foreign_trade_bank_details(new_entries: dict[str, Entry]) -> None:
    ftb = new_entries["KPe.047"]
    assert ftb.target.id == "unsc-6908622"
    assert ftb.target.get("abbreviation") == ["FTB"]
    assert ftb.target.get("swiftBic") == ["FTBDKPPY"]
    assert ftb.target.get("country") == ["kp"]
    (address,) = related_of(ftb, "Address")
    assert address.get("city") == ["Pyongyang"]
    assert address.get("street") == ["FTB Building, Jungsong-dong, Central District"]
    assert address.get("country") == ["kp"]
    (sanction,) = related_of(ftb, "Sanction")
    assert sanction.get("entity") == ["unsc-6908622"]
    assert sanction.get("authority") == ["United Nations Security Council"]
    assert sanction.get("listingDate") == ["2017-08-05"]
    assert sanction.get("modifiedAt") == ["2022-07-26"]
    assert sanction.get("unscId") == ["KPe.047"]
    assert sanction.get("recordId") == ["KPe.047"]
    assert sanction.get("sourceUrl")[0].startswith("https://main.un.org/")
    assert "List type: UN List" in sanction.get("description")
    assert "primary foreign exchange bank" in sanction.get("reason")[0]
    assert "primary foreign exchange bank" in ftb.target.get("notes")[0]


def test_kkbc_aliases(new_entries: dict[str, Entry]) -> None:
    kkbc = new_entries["KPe.025"].target
    assert kkbc.get("abbreviation") == ["KKBC"]
    assert set(kkbc.get("alias")) == {"KKBC", "KOREA KWANGSON BANKING CORPORATION"}
    assert kkbc.get("weakAlias") == []


def test_dprk_individual_birth_date_and_passport(new_entries: dict[str, Entry]) -> None:
    """KPi.008 RA KY'ONG-SU: DOB 1954-06-04; passport 645120196 written three times (English,
    French, Spanish TYPE_OF_DOCUMENT), which is one Passport entity."""
    entry = new_entries["KPi.008"]
    person = entry.target
    assert person.get("name") == ["RA KY'ONG-SU"]
    assert person.get("firstName") == ["RA"]
    assert person.get("secondName") == ["KY'ONG-SU"]
    assert person.get("birthDate") == ["1954-06-04"]
    assert person.get("nationality") == ["kp"]
    assert person.get("passportNumber") == ["645120196"]
    assert person.get("position") == ["Tanchon Commercial Bank (TCB) official"]
    (passport,) = related_of(entry, "Passport")
    assert passport.get("number") == ["645120196"]
    assert passport.get("holder") == [person.id]
    assert passport.get("country") == ["kp"]
    assert set(passport.get("type")) == {"Passport", "Numéro de passeport", "Número de pasaporte"}
    (sanction,) = related_of(entry, "Sanction")
    assert sanction.get("modifiedAt") == ["2023-06-29"]
    assert "Updated on: 2016-03-02, 2022-07-26, 2023-06-29" in sanction.get("description")


def test_identification_document(new_entries: dict[str, Entry]) -> None:
    entry = new_entries["QDi.068"]
    (fiscal_code,) = (
        i for i in related_of(entry, "Identification") if "BNSDLA70L14Z352B" in i.get("number")
    )
    assert fiscal_code.get("type") == ["Italian Fiscal Code"]
    assert fiscal_code.get("holder") == [entry.target.id]
    assert "BNSDLA70L14Z352B" in entry.target.get("idNumber")


@pytest.mark.parametrize(
    ("reference", "birth_dates"),
    [
        ("CDi.030", {"1973", "1974"}),  # BETWEEN 1973 and 1974
        ("TAi.167", {"1970", "1971", "1972", "1973", "1974", "1975"}),
        ("CDi.036", {"1977"}),  # APPROXIMATELY, YEAR 1977
    ],
)
def test_birth_dates(new_entries: dict[str, Entry], reference: str, birth_dates: set[str]) -> None:
    assert set(new_entries[reference].target.get("birthDate")) == birth_dates


def test_alias_qualities(new_entries: dict[str, Entry]) -> None:
    bosco = new_entries["CDi.030"].target
    assert {"Lydia", "Terminator", "Tango Romeo", "Romeo", "Major"} == set(bosco.get("weakAlias"))
    assert "Alias Lydia: When he was part of APR." in bosco.get("notes")
    adf = new_entries["CDe.001"].target
    assert {"ADF/NALU", "NALU"} <= set(adf.get("previousName"))


@pytest.mark.parametrize(
    ("reference", "original"),
    [
        ("QDi.290", "Умаров Доку Хаматович"),  # NAME_ORIGINAL_SCRIPT, Cyrillic
        ("QDe.131", "Эмират Кавказ"),
        ("QDi.363", "Абу Банат"),  # alias NOTE "original script: Абу Банат"
        ("QDi.001", "سيف العدل"),  # alias NOTE "In Arabic: ..."
    ],
)
def test_names_in_original_script(
    new_entries: dict[str, Entry], reference: str, original: str
) -> None:
    assert original in new_entries[reference].target.get("alias")


def test_relationships_from_comments(new_entries: dict[str, Entry]) -> None:
    """CDi.036 SEKA BALUKU: 'Longtime member of the ADF (CDe.001), ... second in command to ADF
    founder Jamil Mukulu (CDi.015)', and his DESIGNATION cites CDe.001 again."""
    entry = new_entries["CDi.036"]
    links = {link.get("object")[0]: link for link in related_of(entry, "UnknownLink")}
    adf, mukulu = "unsc-6908402", "unsc-6908005"
    assert new_entries["CDe.001"].target.id == adf
    assert new_entries["CDi.015"].target.id == mukulu
    assert set(links) == {adf, mukulu}
    assert all(link.get("subject") == [entry.target.id] for link in links.values())
    assert set(links[adf].get("role")) == {
        "Mentioned in UN comments",
        "Mentioned in UN designation",
    }
    assert any("(CDi.015)" in d for d in links[mukulu].get("description"))


def test_links_only_to_records_in_the_file(parsed: dict[str, ParsedList]) -> None:
    result = parsed[NEW]
    targets = {entry.target.id for entry in result.entries}
    links = [e for entry in result.entries for e in related_of(entry, "UnknownLink")]
    assert len(links) > 400
    assert all(link.get("object")[0] in targets for link in links)
    assert all(link.get("object") != link.get("subject") for link in links)
    # QDi.317 is cited in comments but is not on this list: a warning, not a link.
    assert any("QDi.317" in warning for warning in result.warnings)


def test_every_related_entity_is_valid_ftm(parsed: dict[str, ParsedList]) -> None:
    for entry in parsed[NEW].entries:
        for entity in entry.entities():
            assert entity.id
            for prop in entity.schema.required:
                assert entity.get(prop), (entry.source_id, entity.schema.name, prop)


def test_ignored_bookkeeping_never_in_notes(tmp_path: Path) -> None:
    result = parse(write(tmp_path, minimal_list(ONE_PERSON)))
    (entry,) = result.entries
    assert entry.target.get("notes") == []
    assert result.warnings == []
    assert {"VERSIONNUM", "SORT_KEY", "SORT_KEY_LAST_MOD"} == IGNORED_ELEMENTS


def test_unknown_elements_are_kept_in_notes(tmp_path: Path) -> None:
    record = ONE_PERSON.replace(
        "<SORT_KEY/>",
        "<COMMENTS2>Second comment</COMMENTS2>"
        "<INDIVIDUAL_ADDRESS><CITY>Pyongyang</CITY><BUILDING>Tower 3</BUILDING>"
        "</INDIVIDUAL_ADDRESS>",
    )
    result = parse(write(tmp_path, minimal_list(record)))
    notes = result.entries[0].target.get("notes")
    assert "COMMENTS2: Second comment" in notes
    assert "INDIVIDUAL_ADDRESS/BUILDING: Tower 3" in notes
    assert len(result.warnings) == 2


def test_performance(shared_data: Path) -> None:
    registry.country.clean("Democratic People's Republic of Korea")  # one-time table load
    started = time.perf_counter()
    parse(shared_data / "un" / NEW)
    assert time.perf_counter() - started < 2.0


# --- what changed between 2025-11-20 and 2026-02-27 ----------------------------------------


def test_changes_between_versions(parsed: dict[str, ParsedList]) -> None:
    """Found by comparing the two files record by record (REFERENCE_NUMBER), raw XML and parsed:

    * added (Sudan regime, all listed 2026-02-24): SDi.007 GEDO HAMDAN AHMED (DATAID 6909526),
      SDi.008 ABDUL RAHIM HAMDAN DAGALO (6909527), SDi.009 AL-FATEH ABDULLAH IDRIS (6909528),
      SDi.010 TIJANI IBRAHIM MOUSSA MOHAMED (6909529);
    * removed: IQi.074 MUNIR AL QUBAYSI (DATAID 6908121, Iraq regime, listed 2004-04-26);
    * changed: HTi.006 PROPHANE VICTOR and SOi.022 ABDULLAHI OSMAN MOHAMED CADDOW. In both only
      COMMENTS1 changed: "Gender: Male.  INTERPOL-UN Security Council Special Notice web
      link:https://www.interpol.int/..." became "Gender: Male.". Parsed, that is the target's
      ``notes`` and the Sanction's ``reason``; nothing else.

    The other 996 common records are byte-identical in the XML, VERSIONNUM and LAST_DAY_UPDATED
    included; only the root's dateGenerated (→ ``published``) and the file hash differ.
    No comment cites an added or removed record, so no UnknownLink appears or disappears.
    """
    old = {entry.source_id: entry for entry in parsed[OLD].entries}
    new = {entry.source_id: entry for entry in parsed[NEW].entries}
    assert set(new) - set(old) == {"SDi.007", "SDi.008", "SDi.009", "SDi.010"}
    assert set(old) - set(new) == {"IQi.074"}

    changed: dict[str, set[tuple[str, str]]] = {}
    for reference in set(old) & set(new):
        before = {e.id: e.to_dict() for e in old[reference].entities()}
        after = {e.id: e.to_dict() for e in new[reference].entities()}
        assert before.keys() == after.keys(), reference  # ids are stable across versions
        if before == after:
            continue
        changed[reference] = {
            (after[entity_id]["schema"], prop)
            for entity_id in after
            for prop in set(before[entity_id]["properties"]) | set(after[entity_id]["properties"])
            if before[entity_id]["properties"].get(prop) != after[entity_id]["properties"].get(prop)
        }
    assert changed == {
        "HTi.006": {("Person", "notes"), ("Sanction", "reason")},
        "SOi.022": {("Person", "notes"), ("Sanction", "reason")},
    }
    for reference in changed:
        assert old[reference].target.get("notes")[0].startswith("Gender: Male. INTERPOL-UN")
        assert new[reference].target.get("notes") == ["Gender: Male."]
        assert new[reference].related[0].get("reason") == ["Gender: Male."]


# --- files that must be refused ------------------------------------------------------------

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE CONSOLIDATED_LIST [
  <!ENTITY lol "lol">
  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<CONSOLIDATED_LIST dateGenerated="2026-01-01T00:00:00Z"><INDIVIDUALS><INDIVIDUAL>
<DATAID>1</DATAID><REFERENCE_NUMBER>KPi.001</REFERENCE_NUMBER>
<FIRST_NAME>&lol4;</FIRST_NAME></INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>
"""

EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE CONSOLIDATED_LIST [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<CONSOLIDATED_LIST dateGenerated="2026-01-01T00:00:00Z"><INDIVIDUALS><INDIVIDUAL>
<DATAID>1</DATAID><REFERENCE_NUMBER>KPi.001</REFERENCE_NUMBER>
<FIRST_NAME>&xxe;</FIRST_NAME></INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>
"""

EXTERNAL_DTD = """<?xml version="1.0"?>
<!DOCTYPE CONSOLIDATED_LIST SYSTEM "http://127.0.0.1:9/evil.dtd">
<CONSOLIDATED_LIST dateGenerated="2026-01-01T00:00:00Z"><INDIVIDUALS/></CONSOLIDATED_LIST>
"""

PARAMETER_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE CONSOLIDATED_LIST [<!ENTITY % remote SYSTEM "http://127.0.0.1:9/x.dtd"> %remote;]>
<CONSOLIDATED_LIST dateGenerated="2026-01-01T00:00:00Z"><INDIVIDUALS/></CONSOLIDATED_LIST>
"""


@pytest.mark.parametrize(
    ("text", "reason", "location"),
    [
        ("", "empty", None),
        ("   \n\n  ", "empty", None),
        ("<CONSOLIDATED_LIST><INDIVIDUALS>", "truncated", "line"),
        ("<CONSOLIDATED_LIST><INDIVIDUALS></ENTITIES></CONSOLIDATED_LIST>", "malformed", "line"),
        ("this is not xml", "malformed", "line"),
        (BILLION_LAUGHS, "refused", "line 3"),
        (EXTERNAL_ENTITY, "refused", "line 2"),
        (EXTERNAL_DTD, "refused", "line 2"),
        (PARAMETER_ENTITY, "refused", "line 2"),
        (minimal_list(ONE_PERSON, root="sdnList"), "expected <CONSOLIDATED_LIST>", "line 2"),
        (minimal_list(""), "no INDIVIDUAL or ENTITY records", None),
        (
            minimal_list(ONE_PERSON).replace("<ENTITIES/>", "<VESSELS/>"),
            "unexpected element <VESSELS>",
            "<VESSELS> at line 15",
        ),
        (
            minimal_list(ONE_PERSON.replace("<REFERENCE_NUMBER>KPi.999</REFERENCE_NUMBER>", "")),
            "record without REFERENCE_NUMBER",
            "<INDIVIDUAL> at line 4",
        ),
        (
            minimal_list(ONE_PERSON.replace("<DATAID>1</DATAID>", "<DATAID> </DATAID>")),
            "record without DATAID",
            "<INDIVIDUAL> at line 4",
        ),
        (
            minimal_list(ONE_PERSON + "\n" + ONE_PERSON.replace("<DATAID>1<", "<DATAID>2<")),
            "KPi.999 is used twice",
            "<INDIVIDUAL> at line 14",
        ),
        (
            minimal_list(ONE_PERSON.replace("INDIVIDUAL>", "ENTITY>")),
            "unexpected element <ENTITY> in <INDIVIDUALS>",
            "<ENTITY> at line 4",
        ),
    ],
)
def test_bad_input_is_refused(tmp_path: Path, text: str, reason: str, location: str | None) -> None:
    path = write(tmp_path, text)
    with pytest.raises(SourceError) as caught:
        parse(path)
    error = caught.value
    assert reason in error.reason
    assert error.path == str(path)
    if location is None:
        assert error.location is None
    else:
        assert error.location is not None and location in error.location
    assert "root:" not in str(error)  # nothing of /etc/passwd leaked into the message


@pytest.mark.parametrize("fraction", [0.0001, 0.05, 0.37, 0.5, 0.81, 0.999])
def test_truncated_real_file_is_refused(shared_data: Path, tmp_path: Path, fraction: float) -> None:
    data = (shared_data / "un" / NEW).read_bytes()
    path = write(tmp_path, data[: int(len(data) * fraction)])
    with pytest.raises(SourceError) as caught:
        parse(path)
    assert "truncated" in caught.value.reason or "malformed" in caught.value.reason
    assert caught.value.location is not None and caught.value.location.startswith("line")


def test_file_cut_inside_closing_tag_is_refused(shared_data: Path, tmp_path: Path) -> None:
    data = (shared_data / "un" / NEW).read_bytes().rstrip()
    assert data.endswith(b"</CONSOLIDATED_LIST>")
    with pytest.raises(SourceError):
        parse(write(tmp_path, data[:-3]))


# --- mutated bytes: parse or SourceError, nothing else -------------------------------------


@pytest.fixture(scope="module")
def small_real_slice(shared_data: Path) -> bytes:
    """The first three INDIVIDUAL records of the real file, re-wrapped in CONSOLIDATED_LIST."""
    tree = etree.parse(str(shared_data / "un" / NEW), safe_parser())
    root = tree.getroot()
    wrapper = etree.Element("CONSOLIDATED_LIST", dateGenerated=root.get("dateGenerated"))
    individuals = etree.SubElement(wrapper, "INDIVIDUALS")
    for record in root.find("INDIVIDUALS")[:3]:
        individuals.append(record)
    etree.SubElement(wrapper, "ENTITIES")
    return bytes(etree.tostring(wrapper, xml_declaration=True, encoding="UTF-8"))


def test_small_real_slice_parses(small_real_slice: bytes, tmp_path: Path) -> None:
    result = parse(write(tmp_path, small_real_slice))
    assert [e.source_id for e in result.entries] == ["CDi.001", "CDi.002", "CDi.003"]


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_mutated_bytes_parse_or_raise_source_error(
    small_real_slice: bytes, tmp_path: Path, data: st.DataObject
) -> None:
    size = len(small_real_slice)
    mutations = data.draw(
        st.lists(st.tuples(st.integers(0, size - 1), st.integers(0, 255)), min_size=1, max_size=8)
    )
    cut = data.draw(st.one_of(st.none(), st.integers(0, size)))
    mutated = bytearray(small_real_slice)
    for position, value in mutations:
        mutated[position] = value
    path = write(tmp_path, bytes(mutated[:cut]), "mutated.xml")
    try:
        result = parse(path)
    except SourceError as error:
        assert error.reason
    else:
        assert all(entry.target.id for entry in result.entries)
