"""The in-process candidate index over the active list versions.

Every name of every active list target is analysed once (:mod:`.names`) and its tokens are
posted under their keys: romanisation fold, Korean key, consonant skeleton, business-word
concept. A query's tokens look up the same keys, plus near spellings through a
deletion neighbourhood of the fold keys (edit distance up to about two), and the names that
share the most weighted, rare tokens go to the scorer. Identifiers have their own exact
index, so an ``--id`` alone finds its record.

The built index is cached on disk, keyed by the active versions; a changed list means a new
key and a rebuild.
"""

from __future__ import annotations

import hashlib
import math
import pickle
from collections import defaultdict
from collections.abc import Iterable, Sequence
from itertools import chain, pairwise
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from sanctionscope.matching.compare import ComparisonMemo
from sanctionscope.matching.names import Kind, NameForm, Token, analyze_name, name_variants
from sanctionscope.matching.records import Record, identifier_keys
from sanctionscope.matching.scoring import (
    ALGORITHM_VERSION,
    Query,
    Scored,
    schema_kind,
    schemas_compatible,
    score_record,
)
from sanctionscope.matching.subjects import build_subjects

INDEX_FORMAT = 5
CANDIDATE_NAMES = 10  # records whose retrieved names go to the scorer, per kind of name
NAMES_PER_RECORD = 4  # names looked at per wanted record (aliases of one record crowd)
NEAR_CACHE_SIZE = 50_000  # query words whose near spellings are remembered
TIED_LIMIT = 40  # records scored at most when many names tie with the best
TIE_SHARE = 0.95
MIN_RETRIEVAL_SHARE = 0.2  # Dice share of weighted words below which a name is not scored
RETRIEVAL_FLOOR = 0.4  # ... unless they share less than this share of the best one's weight
MIN_FUZZY_KEY = 4  # fold keys shorter than this are only found exactly
FUZZY_MAX_FREQUENCY = 100  # words on more names than this are looked up by their own spelling


def token_keys(token: Token) -> list[str]:
    keys = ["f:" + token.fold]
    if len(token.korean) >= 3 and token.korean != token.fold:
        keys.append("k:" + token.korean)
    if len(token.skeleton) >= 2:
        keys.append("s:" + token.skeleton)
    keys.extend("c:" + c for c in token.concepts)
    return keys


def joined_tokens(form: NameForm) -> list[Token]:
    """The query's neighbouring words joined, looked up like words of their own."""
    return [
        Token(
            a.text + b.text,
            a.fold + b.fold,
            a.korean + b.korean,
            a.skeleton + b.skeleton,
            frozenset(),
            min(a.weight, b.weight),
            a.script,
            "joined",
        )
        for a, b in zip(form.tokens, form.tokens[1:], strict=False)
        if a.role != "particle" and b.role != "particle"
    ]


def name_keys(form: NameForm) -> set[str]:
    """Keys of the whole name: neighbouring words written as one (Jang Su / Jangsu,
    Kwang-ho / Kwangho), and the initials of every run of 3 to 6 words, so that "DPRK" finds
    "Democratic People's Republic of Korea" (joining words such as "of" are skipped, as
    people do)."""
    keys: set[str] = set()
    for a, b in pairwise(form.tokens):
        keys.add("f:" + a.fold + b.fold)
        keys.add("k:" + a.korean + b.korean)
    initials = form.initials
    count = len(initials)
    for length in range(3, min(6, count) + 1):
        for start in range(count - length + 1):
            keys.add("a:" + initials[start : start + length])
    return keys


def idf(document_frequency: int, total: int) -> float:
    return math.log((total + 1) / (document_frequency + 1)) + 0.1


def deletions(key: str) -> list[str]:
    return [key[:i] + key[i + 1 :] for i in range(len(key))]


def deletion_table(posting_keys: list[str]) -> tuple[NDArray[np.bytes_], NDArray[np.int32]]:
    """Every one-letter deletion of every fold key long enough for near spellings, with the
    posting position of the key it came from (unsorted)."""
    folds = [
        (position, key[2:])
        for position, key in enumerate(posting_keys)
        if key.startswith("f:") and len(key) - 2 >= MIN_FUZZY_KEY
    ]
    variants = [variant for _, fold in folds for variant in deletions(fold)]
    # One encode of the joined text instead of one per variant (fold keys hold no newline).
    encoded = "\n".join(variants).encode().split(b"\n") if variants else []
    targets = np.repeat(
        np.asarray([position for position, _ in folds], dtype=np.int32),
        [len(fold) for _, fold in folds],
    )
    return np.asarray(encoded, dtype=bytes), targets


class ScreeningIndex:
    """Candidate retrieval and scoring over a fixed set of list records.

    The index is stored column-wise (token table, name → token ids, postings as one array
    with offsets, a sorted array of deletion variants) so that loading it from the cache is
    a matter of milliseconds; records and analysed names are rebuilt only when a query
    needs them.
    """

    def __init__(self, records: Sequence[Record], version_key: str = "") -> None:
        tokens: dict[int, int] = {}  # id of a Token object → its row in the token table
        keys_of_token: dict[int, list[str]] = {}  # id of a Token object → its posting keys
        token_objects: list[Token] = []
        names: list[tuple[str, str, str]] = []
        name_offsets = [0]
        name_tokens: list[int] = []
        weak: list[bool] = []
        name_record: list[int] = []
        postings: dict[str, list[int]] = defaultdict(list)
        identifiers: dict[str, list[int]] = defaultdict(list)
        record_forms: list[list[NameForm]] = []
        for record_index, record in enumerate(records):
            kind = schema_kind(record.schema)
            record_forms.append([])
            for name, is_weak in record.names:
                for variant in name_variants(name):
                    form = analyze_name(variant, kind)
                    if not form.tokens:
                        continue
                    if not is_weak:
                        record_forms[-1].append(form)
                    name_index = len(names)
                    names.append((form.original, kind, "|".join(sorted(form.legal_forms))))
                    for token in form.tokens:
                        row = tokens.get(id(token))
                        if row is None:
                            row = tokens[id(token)] = len(token_objects)
                            token_objects.append(token)
                        name_tokens.append(row)
                    name_offsets.append(len(name_tokens))
                    weak.append(is_weak)
                    name_record.append(record_index)
                    keys = name_keys(form)
                    for token in form.tokens:
                        own = keys_of_token.get(id(token))
                        if own is None:
                            own = keys_of_token[id(token)] = token_keys(token)
                        keys.update(own)
                    for key in keys:
                        postings[key].append(name_index)
            for kind_name, values in record.identifiers.items():
                for value in values:
                    for key in identifier_keys(kind_name, value):
                        identifiers[key].append(record_index)
        posting_keys = list(postings)
        lengths = np.fromiter(map(len, postings.values()), dtype=np.int64, count=len(postings))
        token_list = token_objects
        token_idf = np.asarray(
            [t.weight * idf(len(postings.get("f:" + t.fold, ())), len(names)) for t in token_list],
            dtype=np.float64,
        )
        name_token_array = np.asarray(name_tokens, dtype=np.int64)
        owners = np.repeat(
            np.arange(len(names)),
            np.diff(np.asarray(name_offsets, dtype=np.int64)).astype(np.int64),
        )
        name_weights = np.bincount(
            owners, weights=token_idf[name_token_array], minlength=len(names)
        )
        deletion_array, deleted_targets = deletion_table(posting_keys)
        deletion_order = np.argsort(deletion_array, kind="stable")
        subject_of, links = build_subjects(records, record_forms)
        link_reasons: dict[int, list[tuple[int, str]]] = defaultdict(list)
        for link in links:
            link_reasons[link.left].append((link.right, link.reason))
            link_reasons[link.right].append((link.left, link.reason))
        self.__setstate__(
            {
                "version_key": version_key,
                "subject_of": np.asarray(subject_of, dtype=np.int32),
                "link_reasons": dict(link_reasons),
                "records_json": [r.to_json() for r in records],
                "record_schemas": [r.schema for r in records],
                "token_table": [
                    (
                        t.text,
                        t.fold,
                        t.korean,
                        t.skeleton,
                        "|".join(sorted(t.concepts)),
                        t.weight,
                        t.script,
                        t.role,
                    )
                    for t in token_objects
                ],
                "names": names,
                "name_offsets": np.asarray(name_offsets, dtype=np.int64),
                "name_tokens": np.asarray(name_tokens, dtype=np.int32),
                "weak": np.asarray(weak, dtype=bool),
                "name_weights": name_weights.astype(np.float32),
                "name_record": np.asarray(name_record, dtype=np.int32),
                "identifiers": dict(identifiers),
                "posting_keys": posting_keys,
                "posting_offsets": np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64),
                "posting_values": np.fromiter(
                    chain.from_iterable(postings[k] for k in posting_keys),
                    dtype=np.int32,
                    count=int(lengths.sum()),
                ),
                "deletion_keys": deletion_array[deletion_order],
                "deletion_targets": deleted_targets[deletion_order],
            }
        )

    def __getstate__(self) -> dict[str, Any]:
        return self._state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._state = state
        self.version_key: str = state["version_key"]
        self.name_record: NDArray[np.int32] = state["name_record"]
        self.key_index = {key: i for i, key in enumerate(state["posting_keys"])}
        self.record_schemas = np.asarray(state["record_schemas"])
        self._records: dict[int, Record] = {}
        self._forms: dict[int, NameForm] = {}
        self._token_objects: dict[int, Token] = {}
        self._masks: dict[tuple[str | None, Kind], NDArray[np.bool_]] = {}
        self._record_names: dict[int, list[int]] | None = None
        self._subjects: dict[int, list[int]] | None = None
        self._near_cache: dict[str, list[int]] = {}

    # ------------------------------------------------------------------ stored columns

    @property
    def record_count(self) -> int:
        return len(self._state["records_json"])

    @property
    def name_count(self) -> int:
        return len(self._state["names"])

    def record(self, index: int) -> Record:
        record = self._records.get(index)
        if record is None:
            record = Record.from_json(self._state["records_json"][index])
            self._records[index] = record
        return record

    def _token(self, index: int) -> Token:
        token = self._token_objects.get(index)
        if token is None:
            text, fold, korean, skeleton, concepts, weight, script, role = self._state[
                "token_table"
            ][index]
            token = Token(
                text,
                fold,
                korean,
                skeleton,
                frozenset(concepts.split("|")) if concepts else frozenset(),
                weight,
                script,
                role,
            )
            self._token_objects[index] = token
        return token

    def form(self, index: int) -> NameForm:
        form = self._forms.get(index)
        if form is None:
            original, kind, legal = self._state["names"][index]
            start, end = self._state["name_offsets"][index], self._state["name_offsets"][index + 1]
            tokens = tuple(map(self._token, self._state["name_tokens"][start:end].tolist()))
            form = NameForm.build(
                original, kind, tokens, frozenset(legal.split("|")) if legal else frozenset()
            )
            self._forms[index] = form
        return form

    # ------------------------------------------------------------------ retrieval

    def _posting(self, key: str) -> NDArray[np.int32] | None:
        position = self.key_index.get(key)
        return None if position is None else self._posting_at(position)

    def _posting_at(self, position: int) -> NDArray[np.int32]:
        offsets = self._state["posting_offsets"]
        values: NDArray[np.int32] = self._state["posting_values"][
            offsets[position] : offsets[position + 1]
        ]
        return values

    def _near_fold_postings(self, fold: str) -> list[int]:
        """Posted fold keys within about two edits of ``fold`` (shared deletion variants),
        as posting positions."""
        cached = self._near_cache.get(fold)
        if cached is not None:
            return cached
        found = self._find_near_fold_postings(fold)
        if len(self._near_cache) >= NEAR_CACHE_SIZE:
            self._near_cache.clear()
        self._near_cache[fold] = found
        return found

    def _find_near_fold_postings(self, fold: str) -> list[int]:
        exact = self.key_index.get("f:" + fold)
        found = [] if exact is None else [exact]
        if len(fold) >= MIN_FUZZY_KEY:
            table, targets = self._state["deletion_keys"], self._state["deletion_targets"]
            variants = np.asarray([v.encode() for v in [fold, *deletions(fold)]], dtype=bytes)
            starts = np.searchsorted(table, variants, side="left")
            ends = np.searchsorted(table, variants, side="right")
            for start, end in zip(starts.tolist(), ends.tolist(), strict=True):
                if end > start:
                    found.extend(targets[start:end].tolist())
        return found

    def _token_postings(
        self, token: Token, exact: NDArray[np.int32] | None
    ) -> list[NDArray[np.int32]]:
        # A common word is found by its own spelling; near spellings matter for rare words.
        if exact is not None and len(exact) > FUZZY_MAX_FREQUENCY:
            positions = {self.key_index["f:" + token.fold]}
        else:
            positions = set(self._near_fold_postings(token.fold))
        other_keys = token_keys(token)[1:]
        if 3 <= len(token.text) <= 6:
            other_keys.append("a:" + token.text)
        for key in other_keys:
            position = self.key_index.get(key)
            if position is not None:
                positions.add(position)
        return [self._posting_at(position) for position in positions]

    def _name_mask(self, schema: str | None, kind: Kind) -> NDArray[np.bool_]:
        """Names that may answer a query of this schema, analysed as this kind."""
        mask = self._masks.get((schema, kind))
        if mask is None:
            allowed = [
                s
                for s in set(self.record_schemas.tolist())
                if schemas_compatible(schema, s) and schema_kind(s) == kind
            ]
            mask = np.isin(self.record_schemas, allowed)[self.name_record]
            self._masks[(schema, kind)] = mask
        return mask

    def candidate_names(
        self, forms: Iterable[NameForm], schema: str | None, kind: Kind, limit: int
    ) -> list[int]:
        """Names that share the most weighted, rare tokens with the query's names."""
        scores = np.zeros(self.name_count, dtype=np.float64)
        query_weight = 0.0
        found: list[NDArray[np.int32]] = []
        seen: set[str] = set()
        for form in forms:
            for token in (*form.tokens, *joined_tokens(form)):
                if token.fold in seen:
                    continue
                seen.add(token.fold)
                exact = self._posting("f:" + token.fold)
                query_weight += token.weight * idf(
                    0 if exact is None else len(exact), self.name_count
                )
                arrays = self._token_postings(token, exact)
                if not arrays:
                    continue
                hits = np.concatenate(arrays) if len(arrays) > 1 else arrays[0]
                # Fancy-index addition counts a name once even when several keys found it;
                # the frequency may count such a name twice, which idf tolerates.
                scores[hits] += token.weight * idf(len(hits), self.name_count)
                found.append(hits)
        if not found:
            return []
        hits = np.concatenate(found) if len(found) > 1 else found[0]
        # Dice-like share of both names' weight that the shared words carry: shorter names
        # rank first among equals ("Foreign Trade Bank" before "... of Iran"), and names that
        # share only a common word do not reach the scorer. Filtered first, deduplicated after
        # (the survivors are few).
        share = 2 * scores[hits] / (query_weight + self._state["name_weights"][hits])
        touched = np.unique(hits[share >= MIN_RETRIEVAL_SHARE])
        touched = touched[self._name_mask(schema, kind)[touched]]
        if not len(touched):
            return []
        local = 2 * scores[touched] / (query_weight + self._state["name_weights"][touched])
        count = min(TIED_LIMIT * NAMES_PER_RECORD, len(touched))
        top = np.argpartition(-local, count - 1)[:count]
        top = top[np.argsort(-local[top], kind="stable")]
        ranked = local[top].tolist()
        names = touched[top].tolist()
        owners = self.name_record[touched[top]].tolist()
        floor = ranked[0] * RETRIEVAL_FLOOR
        tied = ranked[0] * TIE_SHARE
        chosen: list[int] = []
        records: set[int] = set()
        for share_of_name, name_index, record_index in zip(ranked, names, owners, strict=True):
            if share_of_name < floor:
                break
            if record_index not in records:
                # Past the limit, only names as good as the best still come (many records
                # of one common name, e.g. "Abu Yasir", all deserve a look).
                if len(records) >= limit and (share_of_name < tied or len(records) >= TIED_LIMIT):
                    continue
                records.add(record_index)
            chosen.append(name_index)
        return chosen

    def identifier_records(self, query: Query) -> list[int]:
        found: list[int] = []
        for kind, value in query.identifiers:
            for key in identifier_keys(kind, value):
                for record_index in self._state["identifiers"].get(key, ()):
                    if record_index not in found and schemas_compatible(
                        query.schema, str(self.record_schemas[record_index])
                    ):
                        found.append(record_index)
        return found

    def record_names(self, record_index: int) -> list[tuple[NameForm, bool]]:
        if self._record_names is None:
            grouped: dict[int, list[int]] = defaultdict(list)
            for name_index, owner in enumerate(self.name_record.tolist()):
                grouped[owner].append(name_index)
            self._record_names = dict(grouped)
        weak = self._state["weak"]
        return [(self.form(i), bool(weak[i])) for i in self._record_names.get(record_index, [])]

    # ------------------------------------------------------------------ subjects

    def subject_of(self, record_index: int) -> int:
        return int(self._state["subject_of"][record_index])

    def subject_members(self, record_index: int) -> list[int]:
        """Every record of the subject this record belongs to (itself included)."""
        if self._subjects is None:
            grouped: dict[int, list[int]] = defaultdict(list)
            for index, subject in enumerate(self._state["subject_of"].tolist()):
                grouped[subject].append(index)
            self._subjects = dict(grouped)
        return self._subjects.get(self.subject_of(record_index), [record_index])

    def links_of(self, record_index: int) -> list[tuple[int, str]]:
        """The records this one was linked to, and why."""
        return list(self._state["link_reasons"].get(record_index, []))

    # ------------------------------------------------------------------ scoring

    def query_forms(self, query: Query) -> dict[Kind, list[NameForm]]:
        kinds: list[Kind] = (
            [schema_kind(query.schema)]
            if query.schema and query.schema != "LegalEntity"
            else ["person", "org"]
        )
        return {
            kind: [
                form
                for name in query.names
                for variant in name_variants(name)
                if (form := analyze_name(variant, kind)).tokens
            ]
            for kind in kinds
        }

    def search(self, query: Query, limit: int = 10, threshold: float = 0.0) -> list[Scored]:
        forms = self.query_forms(query)
        # Names retrieved per record: only these are compared; identifier hits compare all.
        candidates: dict[int, list[tuple[NameForm, bool]]] = {}
        for record_index in self.identifier_records(query):
            candidates[record_index] = self.record_names(record_index)
        for kind, kind_forms in forms.items():
            for name_index in self.candidate_names(kind_forms, query.schema, kind, CANDIDATE_NAMES):
                record_index = int(self.name_record[name_index])
                named = candidates.setdefault(record_index, [])
                entry = (self.form(name_index), bool(self._state["weak"][name_index]))
                if entry not in named:
                    named.append(entry)
        results: list[Scored] = []
        memo = ComparisonMemo()
        for record_index, names in candidates.items():
            record = self.record(record_index)
            kind = schema_kind(record.schema)
            scored = score_record(record_index, query, forms.get(kind, []), record, names, memo)
            if scored.score >= threshold and scored.score > 0:
                results.append(scored)
        results.sort(key=lambda s: (-s.score, s.record.id))
        return results[:limit]


def version_key(version_labels: Iterable[str]) -> str:
    text = "|".join(sorted(version_labels)) + f"|{ALGORITHM_VERSION}|{INDEX_FORMAT}"
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def save_index(index: ScreeningIndex, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"index-{index.version_key}.pickle"
    temporary = path.with_suffix(".tmp")
    with temporary.open("wb") as handle:
        pickle.dump(index, handle, protocol=pickle.HIGHEST_PROTOCOL)
    temporary.replace(path)
    for old in folder.glob("index-*.pickle"):
        if old != path:
            old.unlink(missing_ok=True)
    return path


def load_cached_index(folder: Path, key: str) -> ScreeningIndex | None:
    """The cached index for these active versions, if one was saved. The cache lives in the
    user's own data folder, written only by this program."""
    path = folder / f"index-{key}.pickle"
    if not path.exists():
        return None
    try:
        with path.open("rb") as handle:
            index = pickle.load(handle)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
        return None
    return index if isinstance(index, ScreeningIndex) and index.version_key == key else None
