"""FollowTheMoney JSON lines: the yente fixtures, and lines broken on purpose."""

from __future__ import annotations

import json
import tempfile
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sanctionscope.sources import detect_format
from sanctionscope.sources.base import ParsedList, SourceError
from sanctionscope.sources.ftm import FORMAT, default_source_name, is_target, parse

T1 = "opensanctions/yente_t1_entities.ftm.json"
ZALA = "opensanctions/yente_zala_entities.ftm.json"

# Counted from the files (one entity per line). t1 has 7 lines; its last line has no final
# newline, so `wc -l` says 6.
T1_SCHEMATA = {"Address": 1, "Organization": 2, "Person": 4}
ZALA_SCHEMATA = {
    "Address": 11,
    "Company": 11,
    "Directorship": 3,
    "Family": 4,
    "Ownership": 14,
    "Passport": 1,
    "Person": 6,
    "Sanction": 41,
}


@pytest.fixture(scope="module")
def t1(shared_data: Path) -> ParsedList:
    return parse(shared_data / T1)


@pytest.fixture(scope="module")
def zala(shared_data: Path) -> ParsedList:
    return parse(shared_data / ZALA)


def fixture_lines(shared_data: Path, name: str = ZALA) -> list[str]:
    return (shared_data / name).read_text(encoding="utf-8").splitlines()


def write_lines(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def record(entity_id: str, schema: str, **properties: list[str]) -> str:
    return json.dumps({"id": entity_id, "schema": schema, "properties": properties})


# ------------------------------------------------------------------ the fixtures


def test_fixtures_are_detected(shared_data: Path) -> None:
    for name in (T1, ZALA):
        assert FORMAT.detect(shared_data / name)
        assert detect_format(shared_data / name).name == "ftm"


def test_other_files_are_not_detected(shared_data: Path, tmp_path: Path) -> None:
    assert not FORMAT.detect(shared_data / "uk/fcdo_uk_sanctions_list_2025-08-11.ods")
    assert not FORMAT.detect(shared_data / "ofac/sdn_2024-05-03/sdn.csv")
    assert not FORMAT.detect(shared_data / "un/consolidated_2026-02-27.xml")
    assert not FORMAT.detect(shared_data / "opensanctions")
    pretty = tmp_path / "pretty.json"
    pretty.write_text(json.dumps({"id": "x", "schema": "Person"}, indent=2), encoding="utf-8")
    assert not FORMAT.detect(pretty)
    array = tmp_path / "array.json"
    array.write_text('[{"id": "x", "schema": "Person"}]\n', encoding="utf-8")
    assert not FORMAT.detect(array)


def test_schema_counts(t1: ParsedList, zala: ParsedList) -> None:
    assert t1.schema_counts() == T1_SCHEMATA
    assert t1.entity_count == 7
    assert zala.schema_counts() == ZALA_SCHEMATA
    assert zala.entity_count == 91


def test_every_line_is_an_entity_once(shared_data: Path, zala: ParsedList) -> None:
    ids = [json.loads(line)["id"] for line in fixture_lines(shared_data) if line.strip()]
    parsed = [str(e.id) for entry in zala.entries for e in entry.entities()]
    assert sorted(parsed) == sorted(ids)


def test_zala_groups_around_its_17_parties(zala: ParsedList) -> None:
    assert zala.target_counts() == {"Company": 11, "Person": 6}
    assert len(zala.entries) == 17
    assert zala.warnings == []
    for entry in zala.entries:
        assert entry.source_id == entry.target.id
        assert is_target(entry.target)


def test_dependents_join_the_party_they_are_about(zala: ParsedList) -> None:
    for entry in zala.entries:
        for entity in entry.related:
            schema = entity.schema
            if schema.name in ("Sanction",):
                assert entity.get("entity") == [entry.target.id]
            elif schema.name in ("Passport",):
                assert entity.get("holder") == [entry.target.id]
            elif schema.edge:
                assert schema.edge_source is not None
                # The source side when it is a party of the file, else the other side.
                assert entry.target.id in entity.get(schema.edge_source) + entity.get(
                    str(schema.edge_target)
                )
            elif schema.name == "Address":
                assert entity.id in entry.target.get("addressEntity")


def test_ownership_joins_its_owner(zala: ParsedList) -> None:
    owners = Counter[str]()
    for entry in zala.entries:
        for entity in entry.related:
            if entity.schema.name == "Ownership" and entry.target.id in entity.get("owner"):
                owners[str(entry.target.caption)] += 1
    assert owners["Aleksandr Vyacheslavovich Zakharov"] == 10


def test_t1_address_no_one_points_to_is_kept_as_its_own_entry(t1: ParsedList) -> None:
    assert len(t1.entries) == 7
    assert t1.target_counts() == T1_SCHEMATA
    address = t1.entries[-1]
    assert address.target.schema.name == "Address"
    assert address.related == []
    assert t1.warnings == [
        "line 4: Address NK-2MQE6AmhAk4tqhENJAMUG9 is linked to no Thing in this file; "
        "kept as its own entry"
    ]


def test_source_name_and_published(t1: ParsedList, zala: ParsedList, shared_data: Path) -> None:
    assert t1.source == "yente_t1_entities"
    assert zala.source == "yente_zala_entities"
    assert zala.format == "ftm"
    assert t1.published == date(2024, 3, 28)  # latest last_change
    assert zala.published == date(2026, 4, 29)
    assert parse(shared_data / T1, source="eu_fsf").source == "eu_fsf"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("yente_zala_entities.ftm.json", "yente_zala_entities"),
        ("entities.ftm.jsonl", "entities"),
        ("export.ijson", "export"),
        ("export.JSON", "export"),
        ("export", "export"),
    ],
)
def test_default_source_name(name: str, expected: str) -> None:
    assert default_source_name(Path(name)) == expected


def test_statement_fields_and_topics_are_kept(t1: ParsedList, shared_data: Path) -> None:
    original = json.loads(fixture_lines(shared_data, T1)[0])
    entity = t1.entries[0].target
    assert entity.id == original["id"]
    data = entity.to_dict()
    for key in ("datasets", "referents", "first_seen", "last_seen", "last_change", "target"):
        assert data[key] == original[key]
    assert entity.get("topics") == ["sanction"]
    assert entity.properties == original["properties"]


def test_ownership_round_trip(zala: ParsedList, tmp_path: Path) -> None:
    entities = [e for entry in zala.entries for e in entry.entities()]
    ownership = next(e for e in entities if e.schema.name == "Ownership" and e.get("percentage"))
    path = write_lines(tmp_path / "again.ftm.json", [json.dumps(e.to_dict()) for e in entities])
    again = parse(path)
    assert again.schema_counts() == ZALA_SCHEMATA
    by_id = {e.id: e for entry in again.entries for e in entry.entities()}
    copy = by_id[ownership.id]
    assert copy.get("percentage") == ownership.get("percentage")
    assert copy.get("owner") == ownership.get("owner")
    assert copy.get("asset") == ownership.get("asset")
    for entity in entities:
        assert by_id[entity.id].to_dict() == entity.to_dict()


# -------------------------------------------------------------------- modelling


def test_sanction_without_its_party_becomes_its_own_entry(tmp_path: Path) -> None:
    lines = [
        record("p1", "Person", name=["Ivan"]),
        record("s1", "Sanction", entity=["p1"], program=["X"]),
        record("s2", "Sanction", entity=["elsewhere"], program=["Y"]),
    ]
    parsed = parse(write_lines(tmp_path / "x.ftm.json", lines))
    assert [(e.source_id, [r.id for r in e.related]) for e in parsed.entries] == [
        ("p1", ["s1"]),
        ("s2", []),
    ]
    assert parsed.warnings == [
        "line 3: Sanction s2 is linked to no Thing in this file; kept as its own entry"
    ]


def test_edge_joins_its_source_side_first(tmp_path: Path) -> None:
    lines = [
        record("c1", "Company", name=["Asset Co"]),
        record("o1", "Ownership", asset=["c1"], owner=["p1"], percentage=["51"]),
        record("p1", "Person", name=["Owner"]),
        record("o2", "Ownership", asset=["c1"], owner=["abroad"]),
    ]
    parsed = parse(write_lines(tmp_path / "x.ftm.json", lines))
    related = {e.source_id: [r.id for r in e.related] for e in parsed.entries}
    assert related == {"c1": ["o2"], "p1": ["o1"]}


def test_repeated_id_is_merged_with_warning(tmp_path: Path) -> None:
    lines = [
        record("p1", "Person", name=["Ivan Petrov"]),
        record("p1", "Person", name=["Иван Петров"], birthDate=["1970"]),
    ]
    parsed = parse(write_lines(tmp_path / "x.ftm.json", lines))
    assert len(parsed.entries) == 1
    person = parsed.entries[0].target
    assert person.get("name") == ["Ivan Petrov", "Иван Петров"]
    assert person.get("birthDate") == ["1970"]
    assert parsed.warnings == ["line 2: entity p1 repeated (first at line 1); merged"]


def test_repeated_statement_entity_keeps_latest_change(tmp_path: Path) -> None:
    first = {"id": "p1", "schema": "Person", "last_change": "2024-01-01T10:00:00"}
    second = {**first, "last_change": "2025-02-02T10:00:00", "datasets": ["b"]}
    parsed = parse(write_lines(tmp_path / "x.ftm.json", [json.dumps(first), json.dumps(second)]))
    assert parsed.published == date(2025, 2, 2)
    assert parsed.entries[0].target.context["datasets"] == ["b"]


def test_repeated_id_with_unmergeable_fields(tmp_path: Path) -> None:
    first = {"id": "p1", "schema": "Person", "datasets": {"nested": True}}
    error = errors_for(tmp_path, [json.dumps(first), json.dumps(first)])
    assert error.location == "line 2"
    assert "cannot be merged" in error.reason


def test_repeated_id_with_incompatible_schema(tmp_path: Path) -> None:
    lines = [record("x1", "Person", name=["A"]), record("x1", "Vessel", name=["A"])]
    with pytest.raises(SourceError) as caught:
        parse(write_lines(tmp_path / "x.ftm.json", lines))
    assert caught.value.location == "line 2"
    assert "cannot merge" in caught.value.reason


def test_unknown_property_is_dropped_with_warning(tmp_path: Path) -> None:
    lines = [record("p1", "Person", name=["A"], shoeSize=["44"])]
    parsed = parse(write_lines(tmp_path / "x.ftm.json", lines))
    assert parsed.entries[0].target.properties == {"name": ["A"]}
    assert parsed.warnings == ["line 1: Person has no property ['shoeSize']; dropped"]


# ---------------------------------------------------------------------- errors


def errors_for(tmp_path: Path, lines: list[str]) -> SourceError:
    path = write_lines(tmp_path / "bad.ftm.json", lines)
    with pytest.raises(SourceError) as caught:
        parse(path)
    assert caught.value.path == str(path)
    return caught.value


def test_invalid_json_names_the_line(shared_data: Path, tmp_path: Path) -> None:
    lines = fixture_lines(shared_data)
    lines[6] = lines[6][:-5]  # cut the end of line 7
    error = errors_for(tmp_path, lines)
    assert error.location == "line 7"
    assert "invalid JSON" in error.reason
    assert "line 7" in str(error)


@pytest.mark.parametrize(
    ("line", "location", "reason"),
    [
        (record("x", "Spaceship"), "line 2", "unknown schema 'Spaceship'"),
        (record("x", "Thing"), "line 2", "schema 'Thing' is abstract"),
        ('{"schema": "Person", "properties": {}}', "line 2", "entity without an id"),
        ('{"id": "  ", "schema": "Person"}', "line 2", "entity without an id"),
        ('{"id": "x", "properties": {}}', "line 2", "entity without a schema"),
        ('["x", "Person"]', "line 2", "expected a JSON object (an entity), found list"),
        ('{"id": "x", "schema": "Person", "properties": []}', "line 2", "must be a JSON object"),
        (
            '{"id": "x", "schema": "Person", "properties": {"name": [1]}}',
            "line 2",
            "property 'name' must be a list of strings",
        ),
    ],
)
def test_bad_entities(tmp_path: Path, line: str, location: str, reason: str) -> None:
    error = errors_for(tmp_path, [record("ok", "Person", name=["A"]), line])
    assert error.location == location
    assert reason in error.reason


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "bad.ftm.json"
    path.write_bytes(record("ok", "Person").encode() + b"\n" + b'{"id": "\xff"}\n')
    with pytest.raises(SourceError) as caught:
        parse(path)
    assert caught.value.location == "line 2"
    assert "UTF-8" in caught.value.reason


def test_deeply_nested_json(tmp_path: Path) -> None:
    error = errors_for(tmp_path, ["[" * 100_000 + "]" * 100_000])
    assert error.location == "line 1"


@pytest.mark.parametrize("content", ["", "\n\n   \n"])
def test_empty_file(tmp_path: Path, content: str) -> None:
    path = tmp_path / "empty.ftm.json"
    path.write_text(content, encoding="utf-8")
    assert not FORMAT.detect(path)
    with pytest.raises(SourceError, match="no entities"):
        parse(path)


def test_blank_lines_and_bom_are_fine(tmp_path: Path) -> None:
    path = tmp_path / "x.ftm.json"
    path.write_text("\ufeff" + record("p1", "Person", name=["A"]) + "\n\n\n", encoding="utf-8")
    assert FORMAT.detect(path)
    assert len(parse(path).entries) == 1


# -------------------------------------------------------------------- fuzzing


def parse_or_source_error(lines: list[str]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = write_lines(Path(folder) / "mutated.ftm.json", lines)
        try:
            parse(path)
        except SourceError as exc:
            assert exc.path == str(path)
            assert exc.reason
            if exc.location is not None:
                assert exc.location.startswith("line ")


json_bits = st.sampled_from(
    ['"', "{", "}", "[", "]", ":", ",", "null", "1", '"schema"', '"id"', '"Person"', "\\"]
)


@settings(max_examples=60, deadline=None)
@given(
    line_at=st.floats(min_value=0, max_value=1, exclude_max=True),
    edits=st.lists(
        st.tuples(
            st.floats(min_value=0, max_value=1, exclude_max=True),
            st.integers(0, 12),
            st.text(max_size=4) | json_bits,
        ),
        min_size=1,
        max_size=4,
    ),
)
def test_mutated_lines_parse_or_raise_source_error(
    shared_data: Path, line_at: float, edits: list[tuple[float, int, str]]
) -> None:
    lines = fixture_lines(shared_data)
    index = int(line_at * len(lines))
    line = lines[index]
    for where, delete, insert in edits:
        at = int(where * (len(line) + 1))
        line = line[:at] + insert + line[at + delete :]
    lines[index] = line
    parse_or_source_error(lines)


def test_mutation_helper_sees_the_real_file(shared_data: Path) -> None:
    data: list[dict[str, Any]] = [json.loads(line) for line in fixture_lines(shared_data)]
    assert len(data) == 91
