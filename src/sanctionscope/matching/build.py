"""Building the screening index's columns from the list records.

Analysing every name (romanisation, keys, legal forms) is most of the work, and each record's
names are analysed on their own, so a large list set is analysed in two halves at once: this
process takes the first half while a forked child takes the second and sends its columns
back. The halves are then joined into the columns :class:`~.index.ScreeningIndex` stores:
the token table, names and their tokens, postings, the deletion table for near spellings,
and the subjects (one per real-world party, :mod:`.subjects`).

Where forking is not available or not safe (another thread running, e.g. in a web server)
the whole set is analysed here, with the same result.
"""

from __future__ import annotations

import multiprocessing
import pickle
import threading
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

import numpy as np

from sanctionscope.matching.keys import (
    TokenRow,
    deletion_table,
    deletion_variants,
    fuzzy_fold_keys,
    idf,
    name_keys,
    token_keys,
    token_row,
)
from sanctionscope.matching.names import Kind, NameForm, analyze_name, name_variants
from sanctionscope.matching.records import Record, identifier_keys
from sanctionscope.matching.scoring import schema_kind
from sanctionscope.matching.subjects import LinkName, build_subjects, link_name
from sanctionscope.memory import collector_paused

PARALLEL_MIN_RECORDS = 5_000  # below this a second process costs more than it saves


@dataclass
class Part:
    """The analysed names of a run of records; token rows and name numbers are local to the
    part, record numbers are global."""

    tokens: list[TokenRow] = field(default_factory=list)
    names: list[tuple[str, Kind, str]] = field(default_factory=list)  # original, kind, legal forms
    name_offsets: list[int] = field(default_factory=lambda: [0])
    name_tokens: list[int] = field(default_factory=list)
    weak: list[bool] = field(default_factory=list)
    name_record: list[int] = field(default_factory=list)
    # Postings as pairs: every key a name is posted under, by key number (the keys numbered
    # in the order first seen), made arrays at the end of the part: they cross between
    # processes and join far faster than a dictionary of lists.
    posting_keys: dict[str, int] = field(default_factory=dict)
    pair_keys: Any = field(default_factory=list)  # list[int], then NDArray[np.int32]
    pair_names: Any = field(default_factory=list)
    identifiers: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    records_json: list[bytes] = field(default_factory=list)
    fold_keys: list[str] = field(default_factory=list)  # found by near spellings too
    # Their deletion variants, sorted, with the number of the fold key each came from: one
    # sorted run per part (the runs are merged once the parts are joined).
    variant_runs: list[tuple[Any, Any]] = field(default_factory=list)
    link_names: list[list[LinkName]] = field(default_factory=list)  # per record, for subjects


def analyse_records(records: Sequence[Record], start: int, end: int) -> Part:
    """Every name of ``records[start:end]`` analysed, posted under its keys."""
    part = Part()
    rows: dict[int, int] = {}  # id of a Token object → its row in the part's token table
    keys_of_token: dict[int, list[int]] = {}
    for record_index in range(start, end):
        record = records[record_index]
        kind = schema_kind(record.schema)
        link_names: list[LinkName] = []
        for name, is_weak in record.names:
            for variant in name_variants(name):
                form = analyze_name(variant, kind)
                if form.tokens:
                    _add_name(part, form, is_weak, record_index, rows, keys_of_token)
                    if not is_weak:
                        link_names.append(link_name(form))
        part.link_names.append(link_names)
        for kind_name, values in record.identifiers.items():
            for value in values:
                for key in identifier_keys(kind_name, value):
                    part.identifiers[key].append(record_index)
        part.records_json.append(record.to_json())
    part.pair_keys = np.asarray(part.pair_keys, dtype=np.int32)
    part.pair_names = np.asarray(part.pair_names, dtype=np.int32)
    part.identifiers = dict(part.identifiers)
    part.fold_keys = fuzzy_fold_keys(part.posting_keys)
    part.variant_runs = [deletion_variants(part.fold_keys)]
    return part


def _add_name(
    part: Part,
    form: NameForm,
    is_weak: bool,
    record_index: int,
    rows: dict[int, int],
    keys_of_token: dict[int, list[int]],
) -> None:
    name_index = len(part.names)
    part.names.append((form.original, form.kind, "|".join(sorted(form.legal_forms))))
    numbers = part.posting_keys
    keys = {numbers.setdefault(key, len(numbers)) for key in name_keys(form)}
    for token in form.tokens:
        row = rows.get(id(token))
        if row is None:
            row = rows[id(token)] = len(part.tokens)
            part.tokens.append(token_row(token))
            keys_of_token[id(token)] = [
                numbers.setdefault(key, len(numbers)) for key in token_keys(token)
            ]
        part.name_tokens.append(row)
        keys.update(keys_of_token[id(token)])
    part.name_offsets.append(len(part.name_tokens))
    part.weak.append(is_weak)
    part.name_record.append(record_index)
    part.pair_keys.extend(keys)
    part.pair_names.extend([name_index] * len(keys))


def _can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1


def _analyse_in_child(records: Sequence[Record], start: int, end: int, out: Connection) -> None:
    out.send_bytes(pickle.dumps(analyse_records(records, start, end), pickle.HIGHEST_PROTOCOL))
    out.close()


def analyse_in_parts(records: Sequence[Record]) -> list[Part]:
    """The records analysed in two halves at once when there are many, else in one go."""
    count = len(records)
    if count < PARALLEL_MIN_RECORDS or not _can_fork():
        return [analyse_records(records, 0, count)]
    half = count // 2
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_analyse_in_child, args=(records, half, count, sender))
    child.start()
    sender.close()
    first = analyse_records(records, 0, half)
    try:
        second: Part = pickle.loads(receiver.recv_bytes())
    except (EOFError, OSError):  # the child died (killed, out of memory): do its half here
        second = analyse_records(records, half, count)
    finally:
        receiver.close()
        child.join()
    return [first, second]


def join_parts(parts: list[Part]) -> Part:
    """One part for all: token rows shared by value, name numbers shifted, postings of a key
    concatenated in name order (the first part is extended in place)."""
    joined, *rest = parts
    known_folds = set(joined.fold_keys)
    token_rows = {row: position for position, row in enumerate(joined.tokens)}
    numbers = joined.posting_keys
    pair_keys, pair_names = [joined.pair_keys], [joined.pair_names]
    for part in rest:
        renumber: list[int] = []
        for row in part.tokens:
            position = token_rows.get(row)
            if position is None:
                position = token_rows[row] = len(joined.tokens)
                joined.tokens.append(row)
            renumber.append(position)
        shift, token_shift = len(joined.names), len(joined.name_tokens)
        joined.names.extend(part.names)
        joined.name_offsets.extend(offset + token_shift for offset in part.name_offsets[1:])
        joined.name_tokens.extend(renumber[row] for row in part.name_tokens)
        joined.weak.extend(part.weak)
        joined.name_record.extend(part.name_record)
        renumber_keys = np.fromiter(
            (numbers.setdefault(key, len(numbers)) for key in part.posting_keys),
            dtype=np.int32,
            count=len(part.posting_keys),
        )
        pair_keys.append(renumber_keys[part.pair_keys])
        pair_names.append(part.pair_names + np.int32(shift))
        for key, found in part.identifiers.items():
            joined.identifiers.setdefault(key, []).extend(found)
        joined.records_json.extend(part.records_json)
        joined.link_names.extend(part.link_names)
        # A word in both parts keeps the first part's variants.
        renumber_folds = np.full(len(part.fold_keys), -1, dtype=np.int32)
        for number, key in enumerate(part.fold_keys):
            if key not in known_folds:
                known_folds.add(key)
                renumber_folds[number] = len(joined.fold_keys)
                joined.fold_keys.append(key)
        for variants, sources in part.variant_runs:
            kept = renumber_folds[sources]
            keep = kept >= 0
            joined.variant_runs.append((variants[keep], kept[keep]))
    if rest:
        joined.pair_keys, joined.pair_names = np.concatenate(pair_keys), np.concatenate(pair_names)
    return joined


def _subjects(
    records: Sequence[Record], columns: Part
) -> tuple[list[int], dict[int, list[tuple[int, str]]]]:
    """The subject of every record and the links that made them."""
    subject_of, links = build_subjects(records, columns.link_names)
    link_reasons: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for link in links:
        link_reasons[link.left].append((link.right, link.reason))
        link_reasons[link.right].append((link.left, link.reason))
    return subject_of, dict(link_reasons)


def build_state(records: Sequence[Record], version_key: str) -> dict[str, Any]:
    """Everything :class:`~.index.ScreeningIndex` stores, for these records."""
    with collector_paused():
        return _build_state(records, version_key)


def _build_state(records: Sequence[Record], version_key: str) -> dict[str, Any]:
    columns = join_parts(analyse_in_parts(records))
    name_count = len(columns.names)
    key_index = columns.posting_keys
    posting_keys = list(key_index)
    # Postings in key order, each key's names in name order (the pairs are in name order).
    order = np.argsort(columns.pair_keys, kind="stable")
    lengths = np.bincount(columns.pair_keys, minlength=len(posting_keys))
    frequency = lengths.tolist()
    token_weights = np.asarray(
        [
            weight * idf(frequency[key_index["f:" + fold]], name_count)
            for _text, fold, _k, _s, _c, weight, _script, _role in columns.tokens
        ],
        dtype=np.float64,
    )
    name_tokens = np.asarray(columns.name_tokens, dtype=np.int32)
    name_offsets = np.asarray(columns.name_offsets, dtype=np.int64)
    owners = np.repeat(np.arange(name_count), np.diff(name_offsets))
    name_weights = np.bincount(owners, weights=token_weights[name_tokens], minlength=name_count)
    deletion_keys, deletion_targets = deletion_table(
        columns.fold_keys, columns.variant_runs, key_index
    )
    subject_of, link_reasons = _subjects(records, columns)
    return {
        "version_key": version_key,
        "subject_of": np.asarray(subject_of, dtype=np.int32),
        "link_reasons": link_reasons,
        "records_json": columns.records_json,
        "record_schemas": [r.schema for r in records],
        "token_table": columns.tokens,
        "names": columns.names,
        "name_offsets": name_offsets,
        "name_tokens": name_tokens,
        "weak": np.asarray(columns.weak, dtype=bool),
        "name_weights": name_weights.astype(np.float32),
        "name_record": np.asarray(columns.name_record, dtype=np.int32),
        "identifiers": columns.identifiers,
        "posting_keys": posting_keys,
        "posting_offsets": np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64),
        "posting_values": columns.pair_names[order],
        "deletion_keys": deletion_keys,
        "deletion_targets": deletion_targets,
    }
