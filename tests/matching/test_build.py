"""The index build: analysed in two processes or in one, the index answers the same."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from sanctionscope.matching import Query, ScreeningIndex
from sanctionscope.matching import build as build_module
from sanctionscope.matching.records import Record


def _records(index: ScreeningIndex) -> list[Record]:
    return [index.record(i) for i in range(index.record_count)]


def _by_value(state: dict[str, Any]) -> dict[str, Any]:
    """The state with token rows written out, so that two builds numbering their token
    rows differently compare equal when they hold the same names."""
    table, offsets, tokens = state["token_table"], state["name_offsets"], state["name_tokens"]
    keys = state["posting_keys"]
    values, posting_offsets = state["posting_values"], state["posting_offsets"]
    return {
        "names": state["names"],
        "name_tokens": [
            tuple(table[t] for t in tokens[offsets[i] : offsets[i + 1]])
            for i in range(len(state["names"]))
        ],
        "name_record": state["name_record"].tolist(),
        "weak": state["weak"].tolist(),
        "name_weights": state["name_weights"].tolist(),
        "postings": {
            key: values[posting_offsets[i] : posting_offsets[i + 1]].tolist()
            for i, key in enumerate(keys)
        },
        "deletions": sorted(
            zip(
                state["deletion_keys"].tolist(),
                [keys[t] for t in state["deletion_targets"].tolist()],
                strict=True,
            )
        ),
        "identifiers": state["identifiers"],
        "subject_of": state["subject_of"].tolist(),
        "link_reasons": state["link_reasons"],
        "records_json": state["records_json"],
    }


@pytest.fixture
def records(demo_index: ScreeningIndex) -> list[Record]:
    return _records(demo_index)


def test_two_halves_build_the_same_index_as_one_process(
    records: list[Record], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(build_module, "PARALLEL_MIN_RECORDS", 10**9)
    one = build_module.build_state(records, "v")
    monkeypatch.setattr(build_module, "PARALLEL_MIN_RECORDS", 2)
    assert len(build_module.analyse_in_parts(records)) == 2
    two = build_module.build_state(records, "v")
    assert _by_value(one) == _by_value(two)
    # The second half's token rows join the first half's where they are the same word.
    assert len(two["token_table"]) == len(set(two["token_table"]))


def test_a_child_that_dies_leaves_its_half_to_this_process(
    records: list[Record], monkeypatch: pytest.MonkeyPatch
) -> None:
    def die(*_args: object) -> None:
        raise SystemExit(3)

    monkeypatch.setattr(build_module, "PARALLEL_MIN_RECORDS", 2)
    monkeypatch.setattr(build_module, "_analyse_in_child", die)
    parts = build_module.analyse_in_parts(records)
    assert [len(p.records_json) for p in parts] == [
        len(records) // 2,
        len(records) - len(records) // 2,
    ]
    index = ScreeningIndex(records, "v")
    hits = index.search(Query(("Foreign Trade Bank",), "Organization"), limit=3)
    assert hits and hits[0].record.id == "ofac-15603"


def test_no_fork_while_another_thread_runs(
    records: list[Record], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(build_module, "PARALLEL_MIN_RECORDS", 2)
    stop = threading.Event()
    worker = threading.Thread(target=stop.wait)
    worker.start()
    try:
        assert len(build_module.analyse_in_parts(records)) == 1
    finally:
        stop.set()
        worker.join()
    assert len(build_module.analyse_in_parts(records)) == 2


def test_the_build_leaves_the_garbage_collector_as_it_found_it(records: list[Record]) -> None:
    import gc

    assert gc.isenabled()
    build_module.build_state(records, "v")
    assert gc.isenabled()
    gc.disable()
    try:
        build_module.build_state(records, "v")
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_deletion_table_is_sorted_and_points_at_fold_keys() -> None:
    from sanctionscope.matching.keys import deletion_table, deletion_variants, fuzzy_fold_keys

    keys = ["f:kwangson", "k:kwanson", "f:bank", "f:abc"]
    folds = fuzzy_fold_keys(keys)
    assert folds == ["f:kwangson", "f:bank"]
    run = deletion_variants(folds)
    assert run[0].tolist() == sorted(run[0].tolist())
    variants, targets = deletion_table(folds, [run], {k: i for i, k in enumerate(keys)})
    assert len(variants) == len("kwangson") + len("bank")
    assert variants.tolist() == sorted(variants.tolist())
    assert {keys[t] for t in targets.tolist()} == {"f:kwangson", "f:bank"}
    assert targets[variants.tolist().index(b"wangson")] == 0
    assert targets[variants.tolist().index(b"bnk")] == 2


def test_sorted_runs_of_two_parts_merge_with_the_first_parts_variants_first() -> None:
    """An equal variant of two keys keeps the keys' order (first part first), as one sort of
    all variants would."""
    from sanctionscope.matching.keys import deletion_table, deletion_variants

    first, second = ["f:kwanh", "f:bank"], ["f:kwang"]
    keys = [*first, *second]
    second_run = deletion_variants(second)
    runs = [deletion_variants(first), (second_run[0], second_run[1] + len(first))]
    variants, targets = deletion_table(keys, runs, {k: i for i, k in enumerate(keys)})
    assert variants.tolist() == sorted(variants.tolist())
    assert len(variants) == len("kwanh") + len("bank") + len("kwang")
    pairs = list(zip(variants.tolist(), (keys[t] for t in targets.tolist()), strict=True))
    assert [k for v, k in pairs if v == b"kwan"] == ["f:kwanh", "f:kwang"]
    assert [k for v, k in pairs if v == b"ban"] == ["f:bank"]
