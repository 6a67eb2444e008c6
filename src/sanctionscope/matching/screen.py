"""Screening: queries against the active lists, one at a time or a file at a time.

:func:`open_index` returns the candidate index for the active list versions (from the cache
when the versions have not changed). :func:`screen` answers one :class:`Query`;
:func:`screen_file` streams a CSV of customers through it, in worker processes when asked,
and accounts for every input row in the output or the error file.
"""

from __future__ import annotations

import contextlib
import csv
import itertools
import multiprocessing
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sanctionscope.matching.index import ScreeningIndex, load_cached_index, save_index, version_key
from sanctionscope.matching.names import clean_text
from sanctionscope.matching.records import (
    COUNTRY_PROPS,
    DATE_PROPS,
    IDENTIFIER_PROPS,
    NAME_PROPS,
    Record,
    load_active_records,
)
from sanctionscope.matching.scoring import (
    ALGORITHM,
    DEFAULT_THRESHOLD,
    Query,
    Scored,
)
from sanctionscope.memory import collector_relaxed, objects_frozen
from sanctionscope.settings import Settings
from sanctionscope.store.db import make_engine
from sanctionscope.store.versions import active_versions_list

# The score from which each algorithm calls a result a match. OFAC's own search starts at 80.
MATCH_THRESHOLDS = {ALGORITHM: DEFAULT_THRESHOLD, "ofac": 0.8}
ALGORITHMS = tuple(MATCH_THRESHOLDS)
KNOWN_SCHEMAS = (
    "Person",
    "Organization",
    "Company",
    "LegalEntity",
    "Vessel",
    "Airplane",
    "PublicBody",
)


class ScreeningError(Exception):
    """A query or input file that cannot be screened, in the user's words."""


@dataclass
class Hit:
    id: str
    source: str
    source_id: str
    caption: str
    schema: str
    score: float
    match: bool
    explanation: dict[str, Any]
    list_version: str
    programs: list[str] = field(default_factory=list)
    datasets: list[str] = field(default_factory=list)
    listings: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "source": self.source,
            "source_id": self.source_id,
            "caption": self.caption,
            "schema": self.schema,
            "score": round(self.score, 4),
            "match": self.match,
            "explanation": self.explanation,
            "list_version": self.list_version,
            "programs": self.programs,
            "datasets": self.datasets,
            "listings": self.listings,
        }


def open_index(settings: Settings, rebuild: bool = False) -> ScreeningIndex:
    """The index over the active list versions, cached in the home folder."""
    engine = make_engine(settings.database_url)
    labels = [f"{v.source}@{v.seq}:{v.sha256}" for v in active_versions_list(engine)]
    if not labels:
        raise ScreeningError(
            "no list is active yet: import one with `sanctionscope lists import PATH`"
        )
    key = version_key(labels)
    folder = settings.home / "index"
    index = None if rebuild else load_cached_index(folder, key)
    if index is None:
        index = ScreeningIndex(load_active_records(engine), key)
        with contextlib.suppress(OSError):  # a read-only home still screens; it rebuilds next time
            save_index(index, folder)
    return index


def _ofac_rescore(query: Query, scored: Scored) -> Scored:
    from sanctionscope.matching.ofac import ofac_score

    best, best_name = 0.0, ""
    for name in query.names:
        for candidate, _weak in scored.record.names:
            value = ofac_score(name, candidate)
            if value > best:
                best, best_name = value, candidate
    return Scored(
        scored.record,
        best,
        {"ofac_name_score": {"score": round(best, 4), "matched_name": best_name}},
        scored.record_index,
    )


def query_from_entity(schema: str, properties: Mapping[str, Sequence[str]]) -> Query:
    """A query from an FtM-shaped entity (``schema`` and ``properties``), as a KYC file,
    a payment party or the API's ``/match`` give it."""
    names = tuple(
        dict.fromkeys(v for prop in NAME_PROPS for v in properties.get(prop, ()) if v.strip())
    )
    identifiers = tuple(
        (kind, value)
        for prop, kind in IDENTIFIER_PROPS.items()
        for value in properties.get(prop, ())
        if value.strip()
    )
    return Query(
        names=names,
        schema=schema if schema in KNOWN_SCHEMAS else None,
        countries=tuple(
            dict.fromkeys(v.lower() for prop in COUNTRY_PROPS for v in properties.get(prop, ()))
        ),
        dates=tuple(dict.fromkeys(v for prop in DATE_PROPS for v in properties.get(prop, ()))),
        identifiers=identifiers,
    )


def validate_query(query: Query) -> Query:
    names = tuple(n for n in (clean_text(n) for n in query.names) if n)
    identifiers = tuple((k, v.strip()) for k, v in query.identifiers if v.strip())
    if not names and not identifiers:
        raise ScreeningError("nothing to screen: give a name or an identifier (--id)")
    if query.schema is not None and query.schema not in KNOWN_SCHEMAS:
        raise ScreeningError(
            f"unknown schema {query.schema!r} (use one of {', '.join(KNOWN_SCHEMAS)})"
        )
    return Query(names, query.schema, query.countries, query.dates, identifiers)


def _listing(record: Record) -> dict[str, Any]:
    return {
        "id": record.id,
        "source": record.source,
        "source_id": record.source_id,
        "caption": record.caption,
        "programs": sorted(record.programs),
        "listed": sorted(record.listed),
        "list_version": record.list_version,
    }


def _hit(
    scored: Scored, match_threshold: float, members: list[Record], explanation: dict[str, Any]
) -> Hit:
    """A result: the scored record, and the listings of ``members`` (every record of its
    subject; itself alone when the results are per list; none for a brief hit)."""
    record = scored.record
    return Hit(
        id=record.id,
        source=record.source,
        source_id=record.source_id,
        caption=record.caption,
        schema=record.schema,
        score=scored.score,
        match=scored.score >= match_threshold,
        explanation=explanation,
        list_version=record.list_version,
        programs=sorted(record.programs),
        datasets=sorted({m.source for m in members}),
        listings=[_listing(m) for m in sorted(members, key=lambda m: (m.source, m.source_id))],
    )


def _subject_hit(index: ScreeningIndex, scored: Scored, match_threshold: float) -> Hit:
    """The best-scoring record of a subject, with every listing of the subject and the links
    that joined them."""
    member_indexes = index.subject_members(scored.record_index)
    members = [index.record(i) for i in member_indexes]
    links = [
        {"from": index.record(a).id, "to": index.record(b).id, "reason": reason}
        for a in member_indexes
        for b, reason in index.links_of(a)
        if a < b
    ]
    explanation = {**scored.explanation, "subject_links": links} if links else scored.explanation
    return _hit(scored, match_threshold, members, explanation)


def screen(
    index: ScreeningIndex,
    query: Query,
    limit: int = 10,
    threshold: float = 0.5,
    algorithm: str = ALGORITHM,
    match_threshold: float | None = None,
    per_list: bool = False,
    brief: bool = False,
) -> list[Hit]:
    """The parties on the lists that may be the queried party, best first: one hit per
    subject (every list that names it in ``datasets``), or one per list record. ``brief``
    hits carry no explanation and no listings (a file's output row needs neither)."""
    if algorithm not in ALGORITHMS:
        raise ScreeningError(
            f"unknown algorithm {algorithm!r} (use one of {', '.join(ALGORITHMS)})"
        )
    query = validate_query(query)
    if match_threshold is None:
        match_threshold = MATCH_THRESHOLDS[algorithm]
    wanted = limit if per_list else limit * 4
    if algorithm == "ofac":
        found = [_ofac_rescore(query, s) for s in index.search(query, limit=max(wanted * 3, 30))]
        found = sorted(
            (s for s in found if s.score >= threshold), key=lambda s: (-s.score, s.record.id)
        )[:wanted]
    else:
        found = index.search(query, limit=wanted, threshold=threshold)
    if per_list:
        return [
            _hit(s, match_threshold, [], {})
            if brief
            else _hit(s, match_threshold, [s.record], s.explanation)
            for s in found[:limit]
        ]
    hits: list[Hit] = []
    seen: set[int] = set()
    for scored in found:
        subject = index.subject_of(scored.record_index)
        if subject in seen:
            continue
        seen.add(subject)
        hits.append(
            _hit(scored, match_threshold, [], {})
            if brief
            else _subject_hit(index, scored, match_threshold)
        )
        if len(hits) >= limit:
            break
    return hits


# ---------------------------------------------------------------------------- files

NAME_COLUMNS = ("name", "full_name", "customer_name")
COLUMN_ALIASES = {
    "schema": ("schema", "type", "kind"),
    "country": ("country", "nationality", "jurisdiction"),
    "birth_date": ("birth_date", "dob", "date_of_birth", "founded", "incorporation_date"),
    "id": (
        "id_number",
        "identifier",
        "bic",
        "swift",
        "inn",
        "ogrn",
        "lei",
        "imo",
        "passport",
        "tax_id",
    ),
}
OUTPUT_COLUMNS = (
    "row",
    "status",
    "hits",
    "best_score",
    "best_id",
    "best_source",
    "best_source_id",
    "best_caption",
    "all_hits",
)
KIND_SCHEMAS = {"person": "Person", "individual": "Person", "org": "Organization", "organization": "Organization",
                "company": "Company", "entity": "LegalEntity", "vessel": "Vessel", "aircraft": "Airplane", "airplane": "Airplane"}  # fmt: skip


@dataclass
class FileSummary:
    rows: int = 0
    screened: int = 0
    with_hits: int = 0
    errors: int = 0
    seconds: float = 0.0

    @property
    def reconciled(self) -> bool:
        return self.rows == self.screened + self.errors


@dataclass(frozen=True)
class InputColumns:
    """Which column of a customer file holds what, found once from its header."""

    name: str | None
    schema: str | None
    country: str | None
    birth_date: str | None
    ids: tuple[str, ...]

    @classmethod
    def from_header(cls, header: list[str]) -> InputColumns:
        lowered = {h.strip().lower(): h for h in header}

        def find(candidates: tuple[str, ...]) -> str | None:
            return next((lowered[c] for c in candidates if c in lowered), None)

        return cls(
            name=find(NAME_COLUMNS),
            schema=find(COLUMN_ALIASES["schema"]),
            country=find(COLUMN_ALIASES["country"]),
            birth_date=find(COLUMN_ALIASES["birth_date"]),
            ids=tuple(h for h in header if h.strip().lower() in COLUMN_ALIASES["id"]),
        )

    def _value(self, row: dict[str, str], column: str | None) -> str:
        return (row.get(column) or "").strip() if column else ""

    def query(self, row: dict[str, str]) -> Query:
        written = self._value(row, self.schema)
        country = self._value(row, self.country).lower()
        birth_date = self._value(row, self.birth_date)
        name = self._value(row, self.name)
        return Query(
            names=(name,) if name else (),
            schema=KIND_SCHEMAS.get(written.lower(), written) or None,
            countries=(country,) if country else (),
            dates=(birth_date,) if birth_date else (),
            identifiers=tuple(("any", row[c]) for c in self.ids if self._value(row, c)),
        )


@dataclass(frozen=True)
class FileJob:
    """What every row of one customer file is screened with (held by each worker once)."""

    index: ScreeningIndex
    threshold: float
    algorithm: str


RowTask = tuple[int, dict[str, str], str | None]  # line, row, problem reading it
# The problem with a query, or the output columns after the row number (status, hits...).
Answer = tuple[str | None, list[str]]

_WORKER_JOB: FileJob | None = None


def _init_worker(job: FileJob) -> None:
    global _WORKER_JOB
    _WORKER_JOB = job


def _hit_columns(hits: list[Hit]) -> list[str]:
    if not hits:
        return ["no_hit", "0", "", "", "", "", "", ""]
    best = hits[0]
    return [
        "hit",
        str(len(hits)),
        f"{best.score:.4f}",
        best.id,
        best.source,
        best.source_id,
        best.caption,
        "; ".join(f"{h.id} ({h.score:.2f})" for h in hits),
    ]


def _answer(query: Query) -> Answer:
    job = _WORKER_JOB
    assert job is not None, "the worker was started without a job"
    try:
        hits = screen(
            job.index, query, limit=5, threshold=job.threshold, algorithm=job.algorithm, brief=True
        )
    except ScreeningError as error:
        return str(error), []
    return None, _hit_columns(hits)


def _input_rows(reader: Any) -> Iterator[RowTask]:
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            yield reader.line_num, {}, f"unreadable CSV row: {error}"
            continue
        problem = "more fields than the header has" if None in row else None
        yield reader.line_num, row, problem


def screen_file(
    index: ScreeningIndex,
    in_path: Path,
    out_path: Path,
    errors_path: Path | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    algorithm: str = ALGORITHM,
    workers: int = 1,
    progress: Callable[[int], None] | None = None,
) -> FileSummary:
    """Screen every row of a CSV; one output row per input row, errors to their own file."""
    errors_path = (
        errors_path
        if errors_path is not None
        else out_path.with_name(out_path.stem + ".errors.csv")
    )
    summary = FileSummary()
    started = time.perf_counter()
    try:
        source = in_path.open(newline="", encoding="utf-8-sig")
    except OSError as error:
        raise ScreeningError(f"{in_path}: cannot read: {error.strerror or error}") from error
    with (
        source,
        out_path.open("w", newline="", encoding="utf-8") as out,
        errors_path.open("w", newline="", encoding="utf-8") as err,
        collector_relaxed(),
    ):
        reader = csv.DictReader(source)
        header = list(reader.fieldnames or [])
        if not header:
            raise ScreeningError(f"{in_path}: the file is empty (a header row is needed)")
        columns = InputColumns.from_header(header)
        if columns.name is None and not columns.ids:
            raise ScreeningError(
                f"{in_path}, line 1: no name column ({', '.join(NAME_COLUMNS)}) and no identifier column ({', '.join(COLUMN_ALIASES['id'])})"
            )
        writer = csv.writer(out)
        writer.writerow([*header, *OUTPUT_COLUMNS])
        error_writer = csv.writer(err)
        error_writer.writerow(["line", "reason", *header])
        output = FileOutput(header, columns, writer, error_writer, summary, progress)
        job = FileJob(index, threshold, algorithm)
        _init_worker(job)
        rows = _input_rows(reader)
        if workers > 1:
            context = multiprocessing.get_context("fork")
            with (
                objects_frozen(),
                context.Pool(workers, initializer=_init_worker, initargs=(job,)) as pool,
            ):
                output.write_all(
                    rows,
                    lambda queries: pool.imap(
                        _answer, queries, chunksize=_chunk(len(queries), workers)
                    ),
                )
        else:
            output.write_all(rows, lambda queries: map(_answer, queries))
    summary.seconds = time.perf_counter() - started
    return summary


FEED_ROWS = 16_384  # rows read at a time: memory stays flat for any file size
ANSWERS_REMEMBERED = 100_000  # distinct queries whose answers are kept for later rows


def _chunk(count: int, workers: int) -> int:
    """Rows per task: large enough to keep messages few, small enough that no worker waits
    long for the others at the end of a slice."""
    return max(1, min(64, count // (workers * 16)))


@dataclass
class FileOutput:
    """Writes the answers of a customer file in its own order. A file names many parties
    more than once (a payments file its regular counterparties): each distinct query is
    screened once, and its later rows reuse the answer."""

    header: list[str]
    columns: InputColumns
    writer: Any
    error_writer: Any
    summary: FileSummary
    progress: Callable[[int], None] | None
    answers: dict[Query, Answer] = field(default_factory=dict)

    def write_all(
        self, rows: Iterator[RowTask], answer_all: Callable[[list[Query]], Iterable[Answer]]
    ) -> None:
        while True:
            tasks = list(itertools.islice(rows, FEED_ROWS))
            if not tasks:
                return
            queries = [None if problem else self.columns.query(row) for _, row, problem in tasks]
            if len(self.answers) >= ANSWERS_REMEMBERED:
                self.answers.clear()
            fresh = list(
                dict.fromkeys(q for q in queries if q is not None and q not in self.answers)
            )
            self.answers.update(zip(fresh, answer_all(fresh), strict=True))
            for (line, row, problem), query in zip(tasks, queries, strict=True):
                answer = (problem, []) if query is None else self.answers[query]
                self._write(line, [row.get(h) or "" for h in self.header], answer)

    def _write(self, line: int, values: list[str], answer: Answer) -> None:
        problem, hit_columns = answer
        self.summary.rows += 1
        if problem is not None:
            self.summary.errors += 1
            self.error_writer.writerow([str(line), problem, *values])
        else:
            self.summary.screened += 1
            self.summary.with_hits += hit_columns[0] == "hit"
            self.writer.writerow([*values, str(line), *hit_columns])
        if self.progress is not None:
            self.progress(1)
