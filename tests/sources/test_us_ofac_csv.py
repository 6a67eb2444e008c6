"""OFAC legacy CSV: real files from shared/data, spot checks, lossless remarks, bad input."""

from __future__ import annotations

import random
import re
import tempfile
from collections import Counter
from pathlib import Path

import pytest
from followthemoney import EntityProxy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sanctionscope.sources.base import Entry, ParsedList, SourceError, file_sha256
from sanctionscope.sources.us_ofac_csv import (
    FORMAT,
    PRIMARY_COLUMNS,
    clean_country,
    detect,
    find_orphans,
    interpret_remark,
    interpret_remarks,
    parse,
    parse_dates,
    read_table,
    split_programs,
    split_remarks,
)

SDN = "ofac/sdn_2024-05-03"
CONS = "ofac/non_sdn_consolidated_2025-12-19"
ADD_ALT = "ofac/add_alt_2026-06-02"

# A well-formed row to build small files from (real values of FTB, ent 15603).
FTB_ROW = (
    '15603,"FOREIGN TRADE BANK OF THE DEMOCRATIC PEOPLE\'S REPUBLIC OF KOREA",-0- ,'
    '"NPWMD] [DPRK3",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"SWIFT/BIC FTBDKPPY."'
)


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def sdn(shared_data: Path) -> ParsedList:
    return parse(shared_data / SDN)


@pytest.fixture(scope="module")
def sdn_entries(sdn: ParsedList) -> dict[str, Entry]:
    return {entry.source_id: entry for entry in sdn.entries}


@pytest.fixture(scope="module")
def combined_folder(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The May 2024 sdn.csv with the (later) June 2026 add.csv and alt.csv beside it."""
    folder = tmp_path_factory.mktemp("ofac_combined")
    (folder / "sdn.csv").symlink_to(shared_data / SDN / "sdn.csv")
    (folder / "add.csv").symlink_to(shared_data / ADD_ALT / "add.csv")
    (folder / "alt.csv").symlink_to(shared_data / ADD_ALT / "alt.csv")
    return folder


@pytest.fixture(scope="module")
def combined(combined_folder: Path) -> ParsedList:
    return parse(combined_folder)


@pytest.fixture(scope="module")
def combined_entries(combined: ParsedList) -> dict[str, Entry]:
    return {entry.source_id: entry for entry in combined.entries}


def related(entry: Entry, schema: str) -> list[EntityProxy]:
    return [entity for entity in entry.related if entity.schema.name == schema]


def write(folder: Path, name: str, data: bytes) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(data)
    return path


def lines_of(path: Path, count: int) -> bytes:
    """The first ``count`` records of a real file, with their CRLF line ends."""
    with path.open("rb") as fh:
        return b"".join(fh.readline() for _ in range(count))


# --------------------------------------------------------------------------- counts


def test_sdn_counts(sdn: ParsedList) -> None:
    assert len(sdn.entries) == 14_965
    assert sdn.target_counts() == {
        "Airplane": 376,
        "Organization": 6_884,
        "Person": 6_854,
        "Vessel": 851,
    }
    assert sdn.schema_counts()["Sanction"] == 14_965
    assert sdn.source == "us_ofac_sdn"
    assert sdn.format == "us_ofac_csv"
    assert sdn.published is None


@pytest.mark.parametrize("folder", [SDN, CONS])
def test_entity_ids_are_unique(shared_data: Path, folder: str) -> None:
    """A remark OFAC prints twice (e.g. the same ISIN) must not yield two entities with
    one id: the store keys entities by id."""
    parsed = parse(shared_data / folder)
    ids = Counter(entity.id for entry in parsed.entries for entity in entry.entities())
    assert [i for i, n in ids.items() if n > 1] == []


def test_combined_entity_ids_are_unique(combined: ParsedList) -> None:
    ids = Counter(entity.id for entry in combined.entries for entity in entry.entities())
    assert [i for i, n in ids.items() if n > 1] == []


def test_sdn_sha256_covers_the_files_used(shared_data: Path, sdn: ParsedList) -> None:
    assert sdn.sha256 == file_sha256([shared_data / SDN / "sdn.csv"])


def test_consolidated_list(shared_data: Path) -> None:
    folder = shared_data / CONS
    cons = parse(folder)
    assert len(cons.entries) == 442
    assert cons.source == "us_ofac_cons"
    assert cons.sha256 == file_sha256(sorted(folder.glob("cons_*.csv")))
    assert not [w for w in cons.warnings if "missing from" in w]
    by_id = {entry.source_id: entry for entry in cons.entries}
    # cons_prim.csv cuts the remarks of 17014 at "Registration Numbe"; the rest is in
    # cons_comments.csv and must be read as one text.
    bank = by_id["17014"].target
    assert "1027700342890" in bank.get("registrationNumber")
    assert "1027700342890" in bank.get("ogrnCode")
    assert "RUSAG" in bank.get("alias")
    assert bank.get("addressEntity")


def test_source_name_can_be_overridden(shared_data: Path) -> None:
    assert parse(shared_data / CONS, source="ofac_nonsdn").source == "ofac_nonsdn"


def test_primary_file_path_uses_its_siblings(shared_data: Path) -> None:
    cons = parse(shared_data / CONS / "cons_prim.csv")
    assert len(cons.entries) == 442
    assert cons.schema_counts().get("Address", 0) > 0


def test_format_declaration() -> None:
    assert FORMAT.name == "us_ofac_csv"
    assert FORMAT.parse is parse
    assert FORMAT.detect is detect


# --------------------------------------------------------------------------- spot checks


def test_foreign_trade_bank(sdn_entries: dict[str, Entry]) -> None:
    entry = sdn_entries["15603"]
    ftb = entry.target
    assert entry.source_id == "15603"
    assert ftb.id == "ofac-15603"
    assert ftb.schema.name == "Organization"
    assert ftb.get("swiftBic") == ["FTBDKPPY"]
    assert ftb.get("topics") == ["sanction"]
    (sanction,) = related(entry, "Sanction")
    assert sanction.get("entity") == ["ofac-15603"]
    assert sanction.get("program") == ["NPWMD", "DPRK3"]
    assert sanction.get("programId") == ["NPWMD", "DPRK3"]
    assert sanction.get("authority") == ["Office of Foreign Assets Control"]
    assert sanction.get("country") == ["us"]
    assert sanction.get("recordId") == ["15603"]
    assert sanction.get("sourceUrl") == [
        "https://sanctionssearch.ofac.treas.gov/Details.aspx?id=15603"
    ]
    assert any("510.201" in s for s in sanction.get("summary"))
    assert any("510.214" in p for p in sanction.get("provisions"))


def test_aliases_from_a_later_alt_csv(combined_entries: dict[str, Entry]) -> None:
    ftb = combined_entries["15603"].target
    assert {"NORTH KOREA'S FOREIGN TRADE BANK", "MOOYOKBANK", "KOREA TRADE BANK"} <= set(
        ftb.get("alias")
    )
    kkbc = combined_entries["11581"].target
    assert {"KKBC", "BORDER TRADE SETTLEMENT BANK", "DPRK BORDER TRADE SETTLEMENT BANK"} <= set(
        kkbc.get("alias")
    )


def test_address_of_the_foreign_trade_bank(combined_entries: dict[str, Entry]) -> None:
    entry = combined_entries["15603"]
    (address,) = related(entry, "Address")
    assert address.get("street") == ["FTB Building, Jungsong-dong, Central District"]
    assert address.get("city") == ["Pyongyang"]
    assert address.get("country") == ["kp"]
    assert entry.target.get("addressEntity") == [address.id]
    assert entry.target.get("address") == address.get("full")


def test_address_postal_code_is_split(combined_entries: dict[str, Entry]) -> None:
    (address,) = related(combined_entries["22488"], "Address")  # TSMRBANK, Moscow
    assert address.get("city") == ["Moscow"]
    assert address.get("postalCode") == ["127055"]
    assert address.get("country") == ["ru"]


def test_occupied_georgia_addresses(combined_entries: dict[str, Entry]) -> None:
    """The country Georgia (not the US state); South Ossetia stays in the city line."""
    (address,) = related(combined_entries["23575"], "Address")  # Tskhinval, South Ossetia
    assert address.get("country") == ["ge"]
    assert address.get("city") == ["Tskhinval, South Ossetia"]
    assert combined_entries["23575"].target.get("country") == ["ge"]
    assert clean_country("South Ossetia") not in (None, "ge", "us")


def test_vessel(sdn_entries: dict[str, Entry]) -> None:
    ebano = sdn_entries["4243"].target
    assert ebano.schema.name == "Vessel"
    assert ebano.get("imoNumber") == ["IMO7406784"]
    assert set(ebano.get("previousName")) == {"ANA I", "SAND SWAN"}
    assert ebano.get("type") == ["General Cargo"]
    assert ebano.get("tonnage") == ["2595"]
    assert ebano.get("grossRegisteredTonnage") == ["1865"]
    assert ebano.get("flag") == ["pa"]


def test_person_with_passport(sdn_entries: dict[str, Entry]) -> None:
    entry = sdn_entries["21749"]
    han = entry.target
    assert han.schema.name == "Person"
    assert han.get("name") == ["HAN, Jang Su"]
    assert "Jang Su HAN" in han.get("alias")
    assert han.get("lastName") == ["HAN"]
    assert han.get("firstName") == ["Jang Su"]
    assert han.get("birthDate") == ["1969-11-08"]
    assert han.get("birthPlace") == ["Pyongyang"]
    assert han.get("nationality") == ["kp"]
    assert han.get("gender") == ["male"]
    assert han.get("position") == ["Foreign Trade Bank chief representative"]
    assert han.get("passportNumber") == ["745420176"]
    (passport,) = related(entry, "Passport")
    assert passport.get("holder") == [han.id]
    assert passport.get("number") == ["745420176"]
    assert passport.get("endDate") == ["2020-10-19"]


def test_linked_to_becomes_a_relationship(sdn_entries: dict[str, Entry]) -> None:
    entry = sdn_entries["24518"]  # DANDONG ZHONGSHENG INDUSTRY & TRADE CO., LTD.
    (link,) = related(entry, "UnknownLink")
    assert link.get("subject") == ["ofac-24518"]
    assert link.get("object") == ["ofac-15603"]
    assert link.get("role") == ["Linked To"]
    assert not [n for n in entry.target.get("notes") if n.startswith("Linked To")]


def test_unresolvable_link_is_kept_and_reported(sdn: ParsedList) -> None:
    """Gazprom was not an SDN in May 2024, so "Linked To: ... GAZPROM." resolves to
    nothing: the words stay in notes and the list carries a warning."""
    noted = [
        entry
        for entry in sdn.entries
        if "Linked To: PUBLIC JOINT STOCK COMPANY GAZPROM" in entry.target.get("notes")
    ]
    assert noted
    assert any("'Linked To'" in w and "GAZPROM" in w for w in sdn.warnings)


def test_russian_bank_identifiers(sdn_entries: dict[str, Entry]) -> None:
    rfc = sdn_entries["24026"]  # RUSSIAN FINANCIAL CORPORATION
    assert rfc.target.get("swiftBic") == ["RFCBRUMM"]
    (bik,) = related(rfc, "Identification")
    assert bik.get("type") == ["BIK (RU)"]
    assert bik.get("number") == ["044525257"]
    assert bik.get("country") == ["ru"]
    assert bik.get("holder") == ["ofac-24026"]
    assert "044525257" in rfc.target.get("idNumber")

    tsmr = sdn_entries["22488"].target  # TSMRBANK, OOO
    assert tsmr.get("taxNumber") == ["7750056670"]
    assert tsmr.get("innCode") == ["7750056670"]
    assert tsmr.get("registrationNumber") == ["1157700005759"]
    assert tsmr.get("ogrnCode") == ["1157700005759"]
    assert tsmr.get("email") == ["cmr@cmrbank.ru"]


def test_crypto_wallets(sdn: ParsedList) -> None:
    wallets = [w for e in sdn.entries for w in related(e, "CryptoWallet")]
    assert len(wallets) > 100
    assert {"XBT", "ETH"} <= {w.first("currencySymbol") for w in wallets}
    assert all(w.get("holder") and w.get("publicKey") for w in wallets)


def test_orphans_of_a_later_add_and_alt(combined_folder: Path, combined: ParsedList) -> None:
    orphans = find_orphans(combined_folder)
    assert set(orphans) == {"add.csv", "alt.csv"}
    assert "50604" in orphans["add.csv"]  # MRB BANK, designated after May 2024
    assert "50604" in orphans["alt.csv"]
    assert orphans["add.csv"] == sorted(orphans["add.csv"], key=int)
    add_warnings = [w for w in combined.warnings if w.startswith("add.csv:")]
    alt_warnings = [w for w in combined.warnings if w.startswith("alt.csv:")]
    assert len(add_warnings) == len(alt_warnings) == 1
    assert f"{len(orphans['add.csv']):,} entries missing from sdn.csv" in add_warnings[0]
    assert len(combined.entries) == 14_965
    assert "ofac-50604" not in {entry.target.id for entry in combined.entries}


def test_truncated_remarks_without_comments_are_reported(sdn: ParsedList) -> None:
    assert any("1,000-character limit" in w and "sdn_comments.csv" in w for w in sdn.warnings)


# --------------------------------------------------------------------------- remarks


def _folded(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.casefold())


def test_no_remark_is_lost(shared_data: Path, sdn: ParsedList) -> None:
    """Every remark part of every entry either lands verbatim in the target's notes, or
    is recognised and each value it states is found on one of the entry's entities."""
    rows = {row.ent_num: row for row in read_table(shared_data / SDN / "sdn.csv", 12)}
    total = recognised = 0
    lost: list[tuple[str, str]] = []
    for entry in sdn.entries:
        notes = set(entry.target.get("notes"))
        values = [_folded(v) for e in entry.entities() for _, v in e.itervalues()]
        for remark in interpret_remarks(rows[entry.source_id].values[11]):
            total += 1
            recognised += remark.kind is not None
            if remark.text in notes:
                continue
            facts = [v for _, v in remark.properties + remark.sanction]
            facts += [d.number for d in remark.documents]
            facts += [address for _, address in remark.wallets]
            if remark.linked_to is not None:
                roles = [link.first("role") for link in related(entry, "UnknownLink")]
                if remark.link_role in roles:
                    continue
            found = all(any(_folded(f) in v for v in values) for f in facts)
            if remark.kind is None or not facts or not found:
                lost.append((entry.source_id, remark.text))
    assert lost == []
    assert total == 61_084
    assert recognised / total > 0.95


@pytest.mark.parametrize(
    ("remarks", "parts"),
    [
        ("DOB 1969; POB Xudur, Somalia.", ["DOB 1969", "POB Xudur, Somalia"]),
        ("a; (aside; with; semicolons); b", ["a", "(aside; with; semicolons)", "b"]),
        ("  ;a;;  b ; ", ["a", "b"]),
        ("", []),
    ],
)
def test_split_remarks(remarks: str, parts: list[str]) -> None:
    assert split_remarks(remarks) == parts


@pytest.mark.parametrize(
    ("text", "dates", "approximate"),
    [
        ("20 Feb 1975", ["1975-02-20"], False),
        ("08 Nov 1969.", ["1969-11-08"], False),
        ("Feb 1975", ["1975-02"], False),
        ("1975", ["1975"], False),
        ("circa 1970", ["1970"], True),
        ("1960 to 1962", ["1960", "1961", "1962"], True),
        ("01 Jan 2015 to 31 Dec 2015", ["2015-01-01", "2015-12-31"], True),
        ("circa 1979-1982", ["1979", "1980", "1981", "1982"], True),
        ("10 October 1969", ["1969-10-10"], False),
        ("31 Feb 1975", [], False),
        ("unknown", [], False),
    ],
)
def test_parse_dates(text: str, dates: list[str], approximate: bool) -> None:
    assert parse_dates(text) == (dates, approximate)


@pytest.mark.parametrize(
    ("text", "kind", "properties"),
    [
        ("DOB 20 Feb 1975", "DOB", [("birthDate", "1975-02-20")]),
        ("alt. DOB 1936", "DOB", [("birthDate", "1936")]),
        ("nationality Korea, North", "nationality", [("nationality", "kp")]),
        ("citizen Russia", "citizen", [("citizenship", "ru")]),
        ("POB Moscow, Russia", "POB", [("birthPlace", "Moscow, Russia"), ("birthCountry", "ru")]),
        ("Gender Male.", "Gender", [("gender", "male")]),
        ("Website www.nko-cmr.ru", "Website", [("website", "www.nko-cmr.ru")]),
        ("Email Address cmr@cmrbank.ru", "Email Address", [("email", "cmr@cmrbank.ru")]),
        ("a.k.a. 'BNC'.", "a.k.a.", [("alias", "BNC")]),
        ("a.k.a. 'LLC 'DSD''", "a.k.a.", [("alias", "LLC 'DSD'")]),
        ("f.k.a. 'SAND SWAN'.", "f.k.a.", [("previousName", "SAND SWAN")]),
        ("n.k.a. 'NEW NAME'", "n.k.a.", [("alias", "NEW NAME")]),
        ("MMSI 572469210", "MMSI", []),
        (
            "Target Type Financial Institution",
            "Target Type",
            [("classification", "Financial Institution")],
        ),
        (
            "Organization Type: Central banking",
            "Organization Type",
            [("sector", "Central banking")],
        ),
        (
            "Organization Established Date 15 May 2015",
            "Organization Established Date",
            [("incorporationDate", "2015-05-15")],
        ),
        ("Aircraft Model IL76-TD", "Aircraft Model", [("model", "IL76-TD")]),
        ("Former Vessel Flag Malta", "Former Vessel Flag", [("pastFlags", "mt")]),
        ("Vessel Year of Build 1999", "Vessel Year of Build", [("buildDate", "1999")]),
        ("Phone Number 982188526300", "Phone Number", [("phone", "+982188526300")]),
        (
            "Identification Number IMO 5342883.",
            "Identification Number",
            [("imoNumber", "IMO5342883")],
        ),
        (
            "Vessel Registration Identification IMO 7406784",
            "Vessel Registration Identification",
            [("imoNumber", "IMO7406784")],
        ),
    ],
)
def test_interpret_remark(text: str, kind: str, properties: list[tuple[str, str]]) -> None:
    remark = interpret_remark(text)
    assert remark.kind == kind
    assert remark.properties == properties


@pytest.mark.parametrize(
    "text",
    ["Member of the State Duma.", "nationality possibly Palestinian", "DOB unknown", ""],
)
def test_unrecognised_remark(text: str) -> None:
    remark = interpret_remark(text)
    assert remark.kind is None
    assert remark == type(remark)(text=text)


@pytest.mark.parametrize(
    ("text", "number", "country", "issued", "expires", "keep_text"),
    [
        ("Passport 745420176 expires 19 Oct 2020", "745420176", None, None, "2020-10-19", False),
        (
            "Passport 0310857 (Eritrea) issued 21 Aug 2006 expires 20 Aug 2008",
            "0310857",
            "er",
            "2006-08-21",
            "2008-08-20",
            False,
        ),
        ("Tax ID No. 7750056670 (Russia)", "7750056670", "ru", None, None, False),
        ("Registration Number 1159800030409 (Russia).", "1159800030409", "ru", None, None, False),
        ("National ID No. 4500136712 (Russia)", "4500136712", "ru", None, None, False),
        (
            "Registration Number HRA 738077 (Stuttgart) (Germany)",
            "HRA 738077",
            "de",
            None,
            None,
            True,
        ),
        ("BIK (RU) 044525257.", "044525257", None, None, None, False),
    ],
)
def test_identifier_remarks(
    text: str,
    number: str,
    country: str | None,
    issued: str | None,
    expires: str | None,
    keep_text: bool,
) -> None:
    remark = interpret_remark(text)
    (document,) = remark.documents
    assert (document.number, document.country) == (number, country)
    assert (document.issued, document.expires) == (issued, expires)
    assert remark.keep_text is keep_text


def test_digital_currency_remark() -> None:
    remark = interpret_remark(
        "alt. Digital Currency Address - XBT 1Kuf2Rd8mDyAViwBozGTNYnvWL8uYFrkVo"
    )
    assert remark.wallets == [("XBT", "1Kuf2Rd8mDyAViwBozGTNYnvWL8uYFrkVo")]


def test_sanction_remarks() -> None:
    risk = interpret_remark("Secondary sanctions risk: See Section 11 of Executive Order 14024.")
    assert risk.sanction == [("summary", risk.text)]
    assert risk.keep_text  # also in the target's notes
    info = interpret_remark("Additional Sanctions Information - Subject to Secondary Sanctions")
    assert info.sanction == [("provisions", info.text)]
    assert not info.keep_text


def test_linked_to_remark() -> None:
    remark = interpret_remark("Linked To: TSMRBANK, OOO.")
    assert remark.linked_to == "TSMRBANK, OOO."
    assert remark.link_role == "Linked To"


@pytest.mark.parametrize(
    ("programs", "tags"),
    [("NPWMD] [DPRK3", ["NPWMD", "DPRK3"]), ("SDGT", ["SDGT"]), (None, [])],
)
def test_split_programs(programs: str | None, tags: list[str]) -> None:
    assert split_programs(programs) == tags


# --------------------------------------------------------------------------- detection


@pytest.mark.parametrize(
    ("files", "target", "expected"),
    [
        (["sdn.csv"], ".", True),
        (["SDN.CSV", "ADD.CSV"], ".", True),
        (["cons_prim.csv"], ".", True),
        (["sdn.csv"], "sdn.csv", True),
        (["Cons_Prim.csv"], "Cons_Prim.csv", True),
        (["add.csv", "alt.csv"], ".", False),
        (["add.csv"], "add.csv", False),
        ([], ".", False),
        ([], "missing", False),
    ],
)
def test_detect(tmp_path: Path, files: list[str], target: str, expected: bool) -> None:
    for name in files:
        write(tmp_path, name, (FTB_ROW + "\r\n").encode())
    assert detect(tmp_path / target) is expected


def test_upper_case_file_names_are_read(tmp_path: Path) -> None:
    write(tmp_path, "SDN.CSV", (FTB_ROW + "\r\n\x1a").encode())
    write(tmp_path, "ALT.CSV", b'15603,1,"aka","MOOYOKBANK",-0- \r\n')
    parsed = parse(tmp_path)
    assert parsed.entries[0].target.get("alias") == ["MOOYOKBANK"]


# --------------------------------------------------------------------------- bad input


def assert_source_error(path: Path, file_name: str, *, line: int | None = None) -> SourceError:
    with pytest.raises(SourceError) as caught:
        parse(path)
    error = caught.value
    assert file_name in error.path
    if line is not None:
        assert error.location == f"line {line}"
        assert f"line {line}" in str(error)
    return error


@pytest.mark.parametrize("data", [b"", b"\x1a", b"\r\n\r\n", b"  \r\n\x1a"])
def test_empty_file(tmp_path: Path, data: bytes) -> None:
    write(tmp_path, "sdn.csv", data)
    error = assert_source_error(tmp_path, "sdn.csv")
    assert "empty" in error.reason


def test_garbage_bytes(tmp_path: Path) -> None:
    write(tmp_path, "sdn.csv", random.Random(7).randbytes(4096))
    error = assert_source_error(tmp_path, "sdn.csv")
    assert "binary" in error.reason
    assert error.location is not None and error.location.startswith("line ")


def test_text_that_is_not_a_list(tmp_path: Path) -> None:
    write(tmp_path, "sdn.csv", b"Dear customer,\r\nplease find attached the list.\r\n")
    error = assert_source_error(tmp_path, "sdn.csv", line=1)
    assert "columns" in error.reason


def test_non_numeric_ent_num(tmp_path: Path) -> None:
    bad = FTB_ROW.replace("15603,", "15A03,", 1)
    write(tmp_path, "sdn.csv", f"{FTB_ROW}\r\n{bad}\r\n".encode())
    error = assert_source_error(tmp_path, "sdn.csv", line=2)
    assert "ent_num" in error.reason


def test_duplicate_ent_num(shared_data: Path, tmp_path: Path) -> None:
    head = lines_of(shared_data / SDN / "sdn.csv", 5)
    second = head.split(b"\r\n")[1]
    write(tmp_path, "sdn.csv", head + second + b"\r\n")
    error = assert_source_error(tmp_path, "sdn.csv", line=6)
    assert "twice" in error.reason and "line 2" in error.reason


def test_wrong_column_count(shared_data: Path, tmp_path: Path) -> None:
    head = lines_of(shared_data / SDN / "sdn.csv", 3)
    write(tmp_path, "sdn.csv", head + b'99999,"SHORT ROW",-0- ,"SDGT"\r\n')
    error = assert_source_error(tmp_path, "sdn.csv", line=4)
    assert "4 columns, expected 12" in error.reason


def test_wrong_column_count_in_a_companion_file(tmp_path: Path) -> None:
    write(tmp_path, "sdn.csv", (FTB_ROW + "\r\n").encode())
    write(tmp_path, "add.csv", b'15603,1,"street","Pyongyang"\r\n')
    error = assert_source_error(tmp_path, "add.csv", line=1)
    assert "expected 6" in error.reason


NULL_ENDED_ROW = b'99999,"NULL AT THE END",-0- ,"SDGT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- '


@pytest.mark.parametrize(
    "where", ["inside the quoted name", "after a comma", "inside the remarks", "inside a null"]
)
def test_truncated_copy(shared_data: Path, tmp_path: Path, where: str) -> None:
    """The real file cut in the middle of a row: 100 real rows, then part of FTB's row."""
    data = (shared_data / SDN / "sdn.csv").read_bytes()
    head = lines_of(shared_data / SDN / "sdn.csv", 100)
    ftb = data[data.index(b"\n15603,") + 1 :].split(b"\r\n", 1)[0]
    row, cut = {
        "inside the quoted name": (ftb, ftb.index(b'"') + 3),
        "after a comma": (ftb, ftb.index(b",", ftb.index(b",") + 1) + 1),
        "inside the remarks": (ftb, len(ftb) - 5),
        "inside a null": (NULL_ENDED_ROW, len(NULL_ENDED_ROW) - 2),
    }[where]
    write(tmp_path, "sdn.csv", head + row[:cut])
    error = assert_source_error(tmp_path, "sdn.csv", line=101)
    assert "truncated" in error.reason


def test_unterminated_quote_mid_file(tmp_path: Path) -> None:
    broken = FTB_ROW.replace('"SWIFT/BIC FTBDKPPY."', '"SWIFT/BIC FTBDKPPY.')
    rows = [broken] + [FTB_ROW.replace("15603", str(n)) for n in range(1, 30)]
    write(tmp_path, "sdn.csv", ("\r\n".join(rows) + "\r\n").encode())
    assert_source_error(tmp_path, "sdn.csv", line=1)


# --------------------------------------------------------------------------- tolerance


def test_stray_quotes_inside_a_quoted_field(tmp_path: Path) -> None:
    row = FTB_ROW.replace(
        '"FOREIGN TRADE BANK OF THE DEMOCRATIC PEOPLE\'S REPUBLIC OF KOREA"',
        '"FOREIGN TRADE BANK "FTB" OF KOREA"',
    )
    write(tmp_path, "sdn.csv", (row + "\r\n\x1a").encode())
    (entry,) = parse(tmp_path).entries
    assert entry.target.get("name") == ['FOREIGN TRADE BANK "FTB" OF KOREA']
    assert entry.target.get("swiftBic") == ["FTBDKPPY"]


def test_cp1252_and_a_field_spanning_lines(tmp_path: Path) -> None:
    rows = [
        '36,"AEROCARIBBEAN AIRLINES",-0- ,"CUBA",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ',
        '10,"GONZ\xc1LEZ, Jos\xe9",individual,"SDNTK",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,'
        '"DOB 01 Jan 1960;\r\nPOB Bogot\xe1, Colombia."',
    ]
    write(tmp_path, "sdn.csv", ("\r\n".join(rows) + "\r\n\x1a").encode("cp1252"))
    parsed = parse(tmp_path)
    person = {e.source_id: e for e in parsed.entries}["10"].target
    assert person.get("name") == ["GONZÁLEZ, José"]
    assert person.get("birthDate") == ["1960-01-01"]
    assert person.get("birthPlace") == ["Bogotá, Colombia"]


def test_last_row_without_line_end_is_accepted_when_whole(tmp_path: Path) -> None:
    write(tmp_path, "sdn.csv", FTB_ROW.encode())
    assert len(parse(tmp_path).entries) == 1


def test_other_types_and_columns(tmp_path: Path) -> None:
    rows = [
        '1,"SOME GROUP",-0- ,"SDGT","Chairman",-0- ,-0- ,-0- ,-0- ,-0- ,"OWNER CO",'
        '"Linked To: NOBODY KNOWN."',
        '2,"ODD THING","spaceship","SDGT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ',
    ]
    write(tmp_path, "sdn.csv", ("\r\n".join(rows) + "\r\n").encode())
    parsed = parse(tmp_path)
    group, thing = (e.target for e in parsed.entries)
    assert group.schema.name == "Organization"
    assert {"Title: Chairman", "Vessel owner: OWNER CO", "Linked To: NOBODY KNOWN"} <= set(
        group.get("notes")
    )
    assert thing.schema.name == "LegalEntity"
    assert any("NOBODY KNOWN" in w for w in parsed.warnings)


# --------------------------------------------------------------------------- fuzzing

_SLICE_LINES = 40


@pytest.fixture(scope="module")
def sdn_slice(shared_data: Path) -> bytes:
    """Forty real rows from the middle of the file (people, vessels, remarks), plus the
    file's own ending (CRLF and Ctrl-Z)."""
    data = (shared_data / SDN / "sdn.csv").read_bytes()
    lines = data.split(b"\r\n")
    middle = len(lines) // 2
    return b"\r\n".join(lines[middle : middle + _SLICE_LINES]) + b"\r\n\x1a"


_mutation = st.tuples(
    st.sampled_from(["delete", "insert", "replace"]),
    st.floats(min_value=0, max_value=1, allow_nan=False),
    st.binary(min_size=1, max_size=12),
    st.integers(min_value=1, max_value=40),
)


def _mutate(data: bytes, mutations: list[tuple[str, float, bytes, int]]) -> bytes:
    for kind, where, payload, length in mutations:
        at = int(where * len(data))
        if kind == "delete":
            data = data[:at] + data[at + length :]
        elif kind == "insert":
            data = data[:at] + payload + data[at:]
        else:
            data = data[:at] + payload + data[at + len(payload) :]
    return data


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(mutations=st.lists(_mutation, min_size=1, max_size=4))
def test_mutated_file_parses_or_fails_cleanly(
    sdn_slice: bytes, mutations: list[tuple[str, float, bytes, int]]
) -> None:
    data = _mutate(sdn_slice, mutations)
    with tempfile.TemporaryDirectory() as folder:
        write(Path(folder), "sdn.csv", data)
        try:
            parsed = parse(Path(folder))
        except SourceError as error:
            assert "sdn.csv" in str(error)
            return
    assert isinstance(parsed, ParsedList)
    assert len(parsed.entries) <= _SLICE_LINES + 1
    assert len({e.source_id for e in parsed.entries}) == len(parsed.entries)
    ids = [entity.id for entry in parsed.entries for entity in entry.entities()]
    assert len(set(ids)) == len(ids)


def test_every_real_row_has_twelve_columns(shared_data: Path) -> None:
    rows = read_table(shared_data / SDN / "sdn.csv", PRIMARY_COLUMNS)
    assert len(rows) == 14_965
    assert Counter(len(row.values) for row in rows) == {PRIMARY_COLUMNS: 14_965}
    assert rows[0].line == 1 and rows[-1].line == 14_965
