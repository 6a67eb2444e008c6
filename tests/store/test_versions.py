"""Versioned store: each import is a version, the active one switches atomically, and a
refused or failing import leaves the previous version in force. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from followthemoney import model
from sqlalchemy import func, select

from sanctionscope.settings import Settings
from sanctionscope.sources.base import Entry, ParsedList, target_id
from sanctionscope.store import active_versions_list, diff_versions, open_store, source_versions
from sanctionscope.store.imports import SuspiciousListError, import_parsed
from sanctionscope.store.schema import entities, import_attempts


def make_list(
    records: dict[str, dict[str, list[str]]], sha: str, source: str = "test_list"
) -> ParsedList:
    """A parsed list from ``{record_id: {property: values}}`` (Organizations with a Sanction)."""
    entries = []
    for record_id, props in records.items():
        target = model.make_entity("Organization")
        target.id = target_id("t", record_id)
        programs = props.get("program", [])
        for name, values in props.items():
            if name != "program":
                target.add(name, values)
        sanction = model.make_entity("Sanction")
        sanction.id = f"{target.id}-sanction"
        sanction.add("entity", target.id)
        sanction.add("program", programs)
        entries.append(Entry(record_id, target, [sanction]))
    return ParsedList(source, "test", Path("mem"), entries, published=date(2024, 9, 19), sha256=sha)


BASE = {str(i): {"name": [f"Company {i}"], "program": ["SDGT"]} for i in range(1, 21)}


def test_first_import_becomes_active(settings: Settings) -> None:
    engine = open_store(settings)
    result = import_parsed(engine, make_list(BASE, "a" * 64), settings)
    assert result.outcome == "activated"
    [active] = active_versions_list(engine)
    assert (active.source, active.seq, active.entry_count, active.entity_count) == (
        "test_list",
        1,
        20,
        40,
    )
    assert active.target_counts == {"Organization": 20}
    assert active.schema_counts == {"Organization": 20, "Sanction": 20}
    assert active.published == date(2024, 9, 19)
    assert active.sha256 == "a" * 64


def test_same_file_twice_is_unchanged(settings: Settings) -> None:
    engine = open_store(settings)
    import_parsed(engine, make_list(BASE, "a" * 64), settings)
    again = import_parsed(engine, make_list(BASE, "a" * 64), settings)
    assert again.outcome == "unchanged"
    assert [v.seq for v in source_versions(engine, "test_list")] == [1]


def test_drop_over_ten_percent_is_refused_and_previous_stays_active(settings: Settings) -> None:
    engine = open_store(settings)
    import_parsed(engine, make_list(BASE, "a" * 64), settings)
    smaller = {k: v for k, v in BASE.items() if int(k) <= 17}  # 15 % fewer entries
    with pytest.raises(SuspiciousListError, match=r"17 entries against 20 .* drop of 15\.0%"):
        import_parsed(engine, make_list(smaller, "b" * 64), settings)
    [active] = active_versions_list(engine)
    assert (active.seq, active.entry_count) == (1, 20)
    forced = import_parsed(engine, make_list(smaller, "b" * 64), settings, force=True)
    assert forced.outcome == "activated" and forced.version is not None
    assert forced.version.seq == 2


def test_drop_within_limit_is_accepted(settings: Settings) -> None:
    engine = open_store(settings)
    import_parsed(engine, make_list(BASE, "a" * 64), settings)
    smaller = {k: v for k, v in BASE.items() if int(k) <= 18}  # exactly 10 % fewer
    assert import_parsed(engine, make_list(smaller, "b" * 64), settings).outcome == "activated"


def test_failure_while_writing_rolls_back_everything(settings: Settings) -> None:
    engine = open_store(settings)
    import_parsed(engine, make_list(BASE, "a" * 64), settings)
    broken = make_list(BASE, "c" * 64)
    # Two records sharing an entity id: the database refuses the second insert mid-way.
    broken.entries[5].target.id = broken.entries[4].target.id
    with pytest.raises(Exception):  # noqa: B017 - any driver error; what matters is the state
        import_parsed(engine, broken, settings)
    [active] = active_versions_list(engine)
    assert active.seq == 1
    assert [v.seq for v in source_versions(engine, "test_list")] == [1]
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(entities)).scalar_one() == 40


def test_diff_reports_added_removed_and_changed_fields(settings: Settings) -> None:
    engine = open_store(settings)
    import_parsed(engine, make_list(BASE, "a" * 64), settings)
    after = {k: dict(v) for k, v in BASE.items() if k != "3"}
    after["21"] = {"name": ["Company 21"], "program": ["DPRK3"]}
    after["7"] = {"name": ["Company 7"], "program": ["SDGT", "DPRK3", "RUSSIA-EO14024"]}
    after["9"] = {"name": ["Company 9"], "alias": ["C9 LLC"], "program": ["SDGT"]}
    import_parsed(engine, make_list(after, "d" * 64), settings)
    old, new = source_versions(engine, "test_list")
    diff = diff_versions(engine, old, new)
    assert [c.entry for c in diff.added] == ["21"]
    assert [c.entry for c in diff.removed] == ["3"]
    assert [c.entry for c in diff.changed] == ["7", "9"]
    [program] = diff.changed[0].fields
    assert (program.field, program.added, program.removed) == (
        "Sanction.program",
        ("DPRK3", "RUSSIA-EO14024"),
        (),
    )
    [alias] = diff.changed[1].fields
    assert (alias.field, alias.added) == ("alias", ("C9 LLC",))
    summary = diff.to_json()["summary"]
    assert summary == {"added": 1, "removed": 1, "changed": 2}


def test_every_attempt_is_logged(settings: Settings) -> None:
    engine = open_store(settings)
    import_parsed(engine, make_list(BASE, "a" * 64), settings)
    import_parsed(engine, make_list(BASE, "a" * 64), settings)
    with engine.connect() as conn:
        outcomes = [r.outcome for r in conn.execute(select(import_attempts.c.outcome))]
    assert outcomes == ["activated", "unchanged"]


def test_older_publication_is_refused_unless_forced(settings: Settings) -> None:
    engine = open_store(settings)
    import_parsed(engine, make_list(BASE, "a" * 64), settings)
    older = make_list(BASE, "b" * 64)
    older.published = date(2024, 5, 3)
    with pytest.raises(SuspiciousListError, match=r"published 2024-05-03, before the active"):
        import_parsed(engine, older, settings)
    assert active_versions_list(engine)[0].seq == 1
    assert import_parsed(engine, older, settings, force=True).outcome == "activated"
