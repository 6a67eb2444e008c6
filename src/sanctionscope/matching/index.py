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
import pickle
from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from sanctionscope.matching.build import build_state
from sanctionscope.matching.compare import ComparisonMemo
from sanctionscope.matching.keys import (
    MIN_FUZZY_KEY,
    deletions,
    idf,
    joined_tokens,
    lookup_keys,
    token_from_row,
)
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
from sanctionscope.memory import collector_paused

INDEX_FORMAT = 7
CANDIDATE_NAMES = 10  # records whose retrieved names go to the scorer, per kind of name
NAMES_PER_RECORD = 4  # names looked at per wanted record (aliases of one record crowd)
NEAR_CACHE_SIZE = 50_000  # query words whose near spellings are remembered
HITS_CACHE_VALUES = 4_000_000  # name positions remembered for recent query words (16 MB)
MEMO_ENTRIES = 300_000  # token and name comparisons remembered across queries (about 80 MB)
TIED_LIMIT = 40  # records scored at most when many names tie with the best
TIE_SHARE = 0.95
MIN_RETRIEVAL_SHARE = 0.2  # Dice share of weighted words below which a name is not scored
RETRIEVAL_FLOOR = 0.4  # ... unless they share less than this share of the best one's weight
VARIANT_CREDIT = 0.9  # share of a word's weight a name gets for a variant spelling of it
FUZZY_MAX_FREQUENCY = 100  # words on more names than this are looked up by their own spelling


# The names a query word finds by any key, and those that carry it as written.
WordHits = tuple[NDArray[np.int32] | None, NDArray[np.int32] | None]


def sorted_distinct(values: NDArray[np.int32]) -> NDArray[np.int32]:
    """``np.unique`` by sorting: NumPy 2 hashes small integer arrays, several times slower
    for the few hundred values a query touches."""
    ordered = np.sort(values)
    if len(ordered) < 2:
        return ordered
    keep = np.empty(len(ordered), dtype=bool)
    keep[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=keep[1:])
    return ordered[keep]


class ScreeningIndex:
    """Candidate retrieval and scoring over a fixed set of list records.

    The index is stored column-wise (token table, name → token ids, postings as one array
    with offsets, a sorted array of deletion variants) so that loading it from the cache is
    a matter of milliseconds; records and analysed names are rebuilt only when a query
    needs them.
    """

    def __init__(self, records: Sequence[Record], version_key: str = "") -> None:
        self.__setstate__(build_state(records, version_key))

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
        self._hits_cache: dict[tuple[str | frozenset[str], ...], WordHits] = {}
        self._hits_cached = 0
        self._memo = ComparisonMemo(MEMO_ENTRIES)
        weights = state["name_weights"]
        # The lightest name's weight bounds what common query words can give any name.
        self._lightest = float(weights.min()) if len(weights) else 0.0

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
            token = self._token_objects[index] = token_from_row(self._state["token_table"][index])
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
        if len(fold) < MIN_FUZZY_KEY:
            exact = self.key_index.get("f:" + fold)
            return [] if exact is None else [exact]
        shorter = deletions(fold)
        # By their own fold keys: the word as written and, when they are long enough to be
        # found by near spellings, listed words with one letter less (muamad for muhamad).
        as_written = [fold, *shorter] if len(fold) > MIN_FUZZY_KEY else [fold]
        positions = map(self.key_index.get, ["f:" + v for v in as_written])
        found = [position for position in positions if position is not None]
        # Through the deletion table: listed words with one letter more, or one changed.
        table, targets = self._state["deletion_keys"], self._state["deletion_targets"]
        variants = np.asarray([v.encode() for v in [fold, *shorter]], dtype=bytes)
        starts = np.searchsorted(table, variants, side="left")
        ends = np.searchsorted(table, variants, side="right")
        for start, end in zip(starts.tolist(), ends.tolist(), strict=True):
            if end > start:
                found.extend(targets[start:end].tolist())
        return found

    def _word_hits(self, token: Token, kind: Kind) -> WordHits:
        """The names a query word finds (by any of its keys or a near spelling) and those
        that carry it as written; remembered, since customer files repeat their words."""
        # What the lookup reads of the word (a plain tuple hashes far faster than a Token).
        key = (
            token.text,
            token.fold,
            token.korean,
            token.skeleton,
            token.concepts,
            token.role,
            kind,
        )
        known = self._hits_cache.get(key)
        if known is not None:
            return known
        exact = self._posting("f:" + token.fold)
        arrays = self._token_postings(token, exact, kind)
        hits = (np.concatenate(arrays) if len(arrays) > 1 else arrays[0]) if arrays else None
        found = (hits, exact)
        size = (0 if hits is None else len(hits)) + (0 if exact is None else len(exact))
        if self._hits_cached + size > HITS_CACHE_VALUES:
            self._hits_cache.clear()
            self._hits_cached = 0
        self._hits_cache[key] = found
        self._hits_cached += size
        return found

    def _token_postings(
        self, token: Token, exact: NDArray[np.int32] | None, kind: Kind
    ) -> list[NDArray[np.int32]]:
        # A common word is found by its own spelling; near spellings matter for rare words.
        if exact is not None and len(exact) > FUZZY_MAX_FREQUENCY:
            positions = {self.key_index["f:" + token.fold]}
        else:
            positions = set(self._near_fold_postings(token.fold))
        for key in lookup_keys(token, kind):
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
        """Names that share the most weighted, rare tokens with one of the query's names.
        Each form of the query is looked up on its own: a name read two ways (金正恩 in
        Mandarin and in Korean) must not have the words of one reading count against the
        other."""
        chosen: dict[int, None] = {}
        for form in forms:
            chosen.update(dict.fromkeys(self._form_candidates(form, schema, kind, limit)))
        return list(chosen)

    def _form_candidates(
        self, form: NameForm, schema: str | None, kind: Kind, limit: int
    ) -> list[int]:
        query_weight = 0.0
        looked_up: list[tuple[NDArray[np.int32], NDArray[np.int32] | None, float]] = []
        seen: set[str] = set()
        for token in (*form.tokens, *joined_tokens(form)):
            if token.fold in seen:
                continue
            seen.add(token.fold)
            hits, exact = self._word_hits(token, kind)
            query_weight += token.weight * idf(0 if exact is None else len(exact), self.name_count)
            if hits is None:
                continue
            # Fancy-index addition counts a name once even when several keys found it;
            # the frequency may count such a name twice, which idf tolerates.
            looked_up.append((hits, exact, token.weight * idf(len(hits), self.name_count)))
        alone_too_weak = self._weak_tokens([credit for _, _, credit in looked_up], query_weight)
        scores = np.zeros(self.name_count, dtype=np.float64)
        found: list[NDArray[np.int32]] = []
        for position, (hits, exact, credit) in enumerate(looked_up):
            scores[hits] += VARIANT_CREDIT * credit
            if exact is not None:  # the word as written ranks above its variants
                scores[exact] += (1.0 - VARIANT_CREDIT) * credit
            if position not in alone_too_weak:
                found.append(hits)
        if not found:
            return []
        hits = np.concatenate(found) if len(found) > 1 else found[0]
        # Dice-like share of both names' weight that the shared words carry: shorter names
        # rank first among equals ("Foreign Trade Bank" before "... of Iran"), and names that
        # share only a common word do not reach the scorer. Filtered first, deduplicated after
        # (the survivors are few).
        share = 2 * scores[hits] / (query_weight + self._state["name_weights"][hits])
        touched = sorted_distinct(hits[share >= MIN_RETRIEVAL_SHARE])
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

    def _weak_tokens(self, credits: list[float], query_weight: float) -> set[int]:
        """Positions of the query words whose names need not be gathered: together they
        cannot give any name the retrieval share on their own (names that also share a
        stronger word are gathered through it). Common words (bank, al) have long postings."""
        ceiling = MIN_RETRIEVAL_SHARE * (query_weight + self._lightest) / 2
        weak: set[int] = set()
        total = 0.0
        for position in sorted(range(len(credits)), key=credits.__getitem__):
            total += credits[position]
            if total >= ceiling:
                break
            weak.add(position)
        return weak

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
        memo = self._memo = self._memo.bounded()
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
        with path.open("rb") as handle, collector_paused():
            index = pickle.load(handle)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
        return None
    return index if isinstance(index, ScreeningIndex) and index.version_key == key else None
