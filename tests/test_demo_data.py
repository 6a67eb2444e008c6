"""Checks on the hand-written demo OFAC list (src/sanctionscope/demo/data).

Plain Python on purpose: the files are read with the csv module only, so these tests pin the
file format and the expected before/after diff independently of sanctionscope's own parser.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[1] / "src" / "sanctionscope" / "demo" / "data"
BEFORE = DATA / "ofac_before_2024-09-19"
AFTER = DATA / "ofac_after_2024-09-19"
VERSIONS = [BEFORE, AFTER]
COLUMNS = {"sdn.csv": 12, "add.csv": 6, "alt.csv": 5}
ID_COLUMNS = {"sdn.csv": 1, "add.csv": 2, "alt.csv": 2}  # leading unquoted integer ids
NULL = "-0- "

NEW_ENTS = {"50603", "50604", "50607", "50610"}
REMOVED_ENTS = {"36"}
CHANGED_ENTS = {"11581", "22488", "24026"}


class OfacDialect(csv.Dialect):
    """The legacy OFAC CSV layout: comma-separated, double-quoted, CRLF rows."""

    delimiter = ","
    quotechar = '"'
    doublequote = True
    skipinitialspace = False
    lineterminator = "\r\n"
    quoting = csv.QUOTE_MINIMAL


def _raw(path: Path) -> bytes:
    return path.read_bytes()


def _text(path: Path) -> str:
    raw = _raw(path)
    assert raw.endswith(b"\x1a"), f"{path} does not end with 0x1A"
    return raw[:-1].decode("ascii")


def read_rows(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(_text(path), newline=""), dialect=OfacDialect))


def sdn_by_ent(version: Path) -> dict[str, list[str]]:
    return {row[0]: row for row in read_rows(version / "sdn.csv")}


def nullable(value: str) -> str | None:
    return None if value == NULL else value


FILES = [(v, name) for v in VERSIONS for name in COLUMNS]
FILE_IDS = [f"{v.name}/{name}" for v, name in FILES]


@pytest.mark.parametrize(("version", "name"), FILES, ids=FILE_IDS)
def test_crlf_and_eof_marker(version: Path, name: str) -> None:
    raw = _raw(version / name)
    assert raw.endswith(b"\r\n\x1a"), "file must end with CRLF then 0x1A"
    body = raw[:-1]
    # Every LF is preceded by CR and every CR is followed by LF: no bare line endings.
    assert body.count(b"\n") == body.count(b"\r\n") == body.count(b"\r")
    assert b"\x1a" not in body
    assert body.count(b"\r\n") >= 1


@pytest.mark.parametrize(("version", "name"), FILES, ids=FILE_IDS)
def test_column_counts(version: Path, name: str) -> None:
    rows = read_rows(version / name)
    assert rows, f"{name} is empty"
    for row in rows:
        assert len(row) == COLUMNS[name], row


@pytest.mark.parametrize(("version", "name"), FILES, ids=FILE_IDS)
def test_field_quoting(version: Path, name: str) -> None:
    """Ids are bare integers; every other field is either "quoted" or the null -0- (with space)."""
    n_ids = ID_COLUMNS[name]
    for line in _text(version / name).split("\r\n")[:-1]:
        # Split outside quotes; no demo value contains a double quote.
        fields = re.findall(r'"[^"]*"|[^,]+', line)
        assert len(fields) == COLUMNS[name], line
        for i, field in enumerate(fields):
            if i < n_ids:
                assert field.isdigit(), (line, field)
            else:
                assert field == NULL or (
                    len(field) >= 2 and field.startswith('"') and field.endswith('"')
                ), (line, field)


@pytest.mark.parametrize("version", VERSIONS, ids=lambda v: v.name)
def test_ids_unique_and_referenced(version: Path) -> None:
    sdn = read_rows(version / "sdn.csv")
    ents = [row[0] for row in sdn]
    assert len(ents) == len(set(ents)), "duplicate ent_num in sdn.csv"
    for name in ("add.csv", "alt.csv"):
        rows = read_rows(version / name)
        sub_ids = [row[1] for row in rows]
        assert len(sub_ids) == len(set(sub_ids)), f"duplicate id in {name}"
        missing = {row[0] for row in rows} - set(ents)
        assert not missing, f"{name} rows for ent_nums absent from sdn.csv: {missing}"


@pytest.mark.parametrize("version", VERSIONS, ids=lambda v: v.name)
def test_field_values(version: Path) -> None:
    for row in read_rows(version / "sdn.csv"):
        assert nullable(row[2]) in {None, "individual", "vessel", "aircraft"}, row
        assert nullable(row[1]) and nullable(row[3]), row  # name and program always present
        assert "[" not in row[3][:1] and "]" not in row[3][-1:], row  # outer brackets stripped
    for row in read_rows(version / "alt.csv"):
        assert row[2] in {"aka", "fka", "nka"}, row
        assert nullable(row[3]), row


def test_new_records_only_after() -> None:
    before, after = sdn_by_ent(BEFORE), sdn_by_ent(AFTER)
    assert after.keys() >= NEW_ENTS
    assert not NEW_ENTS & before.keys()
    assert after["50604"][1] == "MRB BANK"
    assert after["50610"][1] == "TIMER BANK, AO"
    assert after["50607"][1] == "STROYTREYD LLC"
    nikulin = after["50603"]
    assert nikulin[1] == "NIKULIN, Dmitry Yuryevich"
    assert nikulin[2] == "individual"
    assert nikulin[4] == "Vice-President, TSMRBANK, OOO"
    assert "Linked To: TSMRBANK, OOO." in nikulin[11]
    assert "Linked To: RUSSIAN FINANCIAL CORPORATION." in after["50610"][11]
    for ent in NEW_ENTS:
        assert after[ent][3] == "DPRK3] [RUSSIA-EO14024"


def test_tsmrbank_programs_change() -> None:
    before, after = sdn_by_ent(BEFORE), sdn_by_ent(AFTER)
    assert before["22488"][3] == "UKRAINE-EO13660"
    assert after["22488"][3] == "UKRAINE-EO13660] [DPRK3] [RUSSIA-EO14024"
    assert before["22488"][1] == after["22488"][1] == "TSMRBANK, OOO"


def test_rfc_programs_change() -> None:
    before, after = sdn_by_ent(BEFORE), sdn_by_ent(AFTER)
    assert before["24026"][3] == "SYRIA"
    assert after["24026"][3] == "DPRK3] [RUSSIA-EO14024"
    assert "SWIFT/BIC RFCBRUMM" in before["24026"][11]
    assert "SWIFT/BIC RFCBRUMM" in after["24026"][11]


def test_kkbc_aliases_added() -> None:
    def aliases(version: Path) -> set[str]:
        return {row[3] for row in read_rows(version / "alt.csv") if row[0] == "11581"}

    assert aliases(BEFORE) == {"KKBC"}
    assert aliases(AFTER) == {
        "KKBC",
        "BORDER TRADE SETTLEMENT BANK",
        "DPRK BORDER TRADE SETTLEMENT BANK",
    }
    assert "BTSB" not in sdn_by_ent(BEFORE)["11581"][11]
    assert "a.k.a. 'BTSB'" in sdn_by_ent(AFTER)["11581"][11]


def test_expected_diff() -> None:
    """The diff documented in demo/data/README.md: added, removed and changed ent_nums."""
    before, after = sdn_by_ent(BEFORE), sdn_by_ent(AFTER)
    assert after.keys() - before.keys() == NEW_ENTS
    assert before.keys() - after.keys() == REMOVED_ENTS
    changed = {ent for ent in before.keys() & after.keys() if before[ent] != after[ent]}
    assert changed == CHANGED_ENTS
    # 11581 changes only in remarks; 22488 and 24026 in program and remarks.
    assert [i for i in range(12) if before["11581"][i] != after["11581"][i]] == [11]
    for ent in ("22488", "24026"):
        assert [i for i in range(12) if before[ent][i] != after[ent][i]] == [3, 11]

    # add.csv / alt.csv: rows of unchanged records are identical in both versions.
    for name in ("add.csv", "alt.csv"):
        rows_before = {tuple(r) for r in read_rows(BEFORE / name)}
        rows_after = {tuple(r) for r in read_rows(AFTER / name)}
        assert {r[0] for r in rows_before - rows_after} <= REMOVED_ENTS
        # NIKULIN (50603) has no aliases; KKBC (11581) gains two.
        expected_new = NEW_ENTS if name == "add.csv" else (NEW_ENTS - {"50603"}) | {"11581"}
        assert {r[0] for r in rows_after - rows_before} == expected_new


def test_no_sdn_comments_file_needed() -> None:
    # sdn_comments.csv is optional; if present it must follow the same framing.
    for version in VERSIONS:
        path = version / "sdn_comments.csv"
        if path.exists():
            assert _raw(path).endswith(b"\r\n\x1a")
