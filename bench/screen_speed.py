"""Screening speed and candidate recall on every official list in ../shared/data.

Measures, on this machine:
- index build from the stored records, cold (every word analysed again, as in a fresh
  process), and the load of those records, and loading the cached index;
- process start to first answer (`sanctionscope screen NAME --json`, cached index);
- single-query latency on one core (p50/p99) for realistic queries: list names with typos,
  reordering, case and script changes, and names that are on no list;
- batch throughput of `screen_file` with 1 and 2 worker processes, each from the cached index
  freshly loaded and no word analysed yet (as `screen --file` starts), and with 2 workers
  forked from an index that has first answered another batch of the same kind (a running
  service). `screen_file` screens each distinct query once; the share of distinct queries in
  the batch is reported, and a batch of distinct queries only is measured too (2 workers,
  cold);
- candidate recall: the share of true matches that reach the scorer. The right-hand names of
  the positive dev pairs (../shared/data/names/name_pairs_dev.tsv) are added to the index as
  extra records among all list records; each left-hand name is queried and we check whether
  its partner is among the candidates handed to the scorer. Reported for all positive pairs,
  the cross-script ones, and the pairs the scorer itself accepts (score >= the match
  threshold): there a retrieval miss is a lost alert.

Usage: python bench/screen_speed.py [--home DIR] [--queries N] [--batch N] [--json OUT]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sanctionscope.demo import demo_settings
from sanctionscope.matching import (
    Query,
    ScreeningIndex,
    compare,
    fold,
    names,
    open_index,
    screen,
    screen_file,
    script,
)
from sanctionscope.matching.index import CANDIDATE_NAMES, load_cached_index, version_key
from sanctionscope.matching.records import Record, load_active_records
from sanctionscope.matching.scoring import schema_kind
from sanctionscope.store import active_versions_list, import_path, open_store

SHARED = Path(
    os.environ.get("SANCTIONSCOPE_SHARED_DATA", Path(__file__).parents[2] / "shared" / "data")
)
FIRST_NAMES = [
    "Anna",
    "Peter",
    "Maria",
    "John",
    "Olga",
    "Ahmed",
    "Li",
    "Carlos",
    "Fatima",
    "Ivan",
    "Sofia",
    "Kenji",
]
LAST_NAMES = [
    "Schmidt",
    "Brown",
    "Garcia",
    "Novak",
    "Rossi",
    "Okafor",
    "Tanaka",
    "Silva",
    "Dubois",
    "Jensen",
]
COMPANY_WORDS = [
    "Alpine",
    "Harbor",
    "Meridian",
    "Nordic",
    "Sunrise",
    "Granite",
    "Blue River",
    "Oakwood",
]
COMPANY_KINDS = [
    "Logistics GmbH",
    "Trading Ltd",
    "Holdings LLC",
    "Foods SA",
    "Textiles Inc",
    "Consulting BV",
]


def cold_caches() -> None:
    """Forget every analysed word and name, so that each index build starts cold."""
    for function in (
        names.analyze_name, names.make_token, script.romanize_word, script.word_script,
        fold.fold_key, fold.korean_key, fold.skeleton_key, fold.east_slavic_key,
    ):  # fmt: skip
        function.cache_clear()


def cold_build(records: list[Record]) -> ScreeningIndex:
    cold_caches()
    return ScreeningIndex(records, "bench")


def median_time(function: object, repeat: int) -> tuple[float, object]:
    assert callable(function)
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def perturb(name: str, rng: random.Random) -> str:
    words = name.split()
    choice = rng.random()
    if choice < 0.25 and len(name) > 6:  # a typo
        i = rng.randrange(1, len(name) - 1)
        return name[:i] + name[i + 1] + name[i] + name[i + 2 :]
    if choice < 0.45 and len(words) > 1:  # another order
        rng.shuffle(words)
        return " ".join(words)
    if choice < 0.6:
        return name.lower()
    if choice < 0.7 and len(words) > 2:  # a word dropped
        words.pop(rng.randrange(len(words)))
        return " ".join(words)
    return name


def realistic_queries(index: ScreeningIndex, count: int, seed: int = 7) -> list[Query]:
    rng = random.Random(seed)
    queries: list[Query] = []
    for _ in range(count):
        if rng.random() < 0.5:
            record = index.record(rng.randrange(index.record_count))
            name = rng.choice(record.names)[0]
            queries.append(
                Query((perturb(name, rng),), record.schema if rng.random() < 0.5 else None)
            )
        elif rng.random() < 0.5:
            queries.append(
                Query((f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",), "Person")
            )
        else:
            queries.append(Query((f"{rng.choice(COMPANY_WORDS)} {rng.choice(COMPANY_KINDS)}",)))
    return queries


def home_index(home: Path) -> ScreeningIndex:
    """The index over the lists imported in ``home`` (its own SQLite store, whatever
    SANCTIONSCOPE_DATABASE_URL says), from its cache when there is one."""
    os.environ.pop("SANCTIONSCOPE_DATABASE_URL", None)
    return open_index(demo_settings(home))


def distinct_queries(index: ScreeningIndex, count: int, seed: int) -> list[Query]:
    """The first ``count`` distinct queries of :func:`realistic_queries`' stream for ``seed``
    (the stream is the same however many are drawn, so these do not depend on how many)."""
    drawn = count
    while True:
        found = list(dict.fromkeys(realistic_queries(index, drawn, seed)))
        if len(found) >= count or drawn > 100 * count:
            return found[:count]
        drawn *= 2


def latency(index: ScreeningIndex, queries: list[Query]) -> dict[str, float]:
    for query in queries[:100]:  # warm the caches the way a running service has them
        screen(index, query, limit=10)
    timings = []
    for query in queries:
        start = time.perf_counter()
        screen(index, query, limit=10)
        timings.append(time.perf_counter() - start)
    timings.sort()
    return {
        "queries": len(timings),
        "p50_ms": 1000 * timings[len(timings) // 2],
        "p99_ms": 1000 * timings[int(len(timings) * 0.99)],
        "mean_ms": 1000 * statistics.fmean(timings),
    }


def batch(index: ScreeningIndex, queries: list[Query], workers: int, folder: Path) -> float:
    source = folder / "batch.csv"
    with source.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["name", "schema"])
        for query in queries:
            writer.writerow([query.names[0], query.schema or ""])
    summary = screen_file(index, source, folder / f"out-{workers}.csv", workers=workers)
    assert summary.reconciled and summary.rows == len(queries)
    return summary.rows / summary.seconds


def start_to_first_answer(home: Path, repeat: int) -> float:
    environment = {**os.environ, "SANCTIONSCOPE_HOME": str(home)}
    environment.pop("SANCTIONSCOPE_DATABASE_URL", None)
    command = [sys.executable, "-m", "sanctionscope.cli", "screen", "Foreign Trade Bank", "--json"]
    seconds, _ = median_time(
        lambda: subprocess.run(command, env=environment, check=True, capture_output=True), repeat
    )
    return seconds


def candidate_recall(records: list[Record]) -> dict[str, float]:
    pairs_path = SHARED / "names" / "name_pairs_dev.tsv"
    with pairs_path.open(encoding="utf-8") as handle:
        rows = [
            r
            for r in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
            if r["label"] == "1"
        ]
    schema = {"person": "Person", "org": "Organization", "vessel": "Vessel"}
    extra = [
        Record(
            f"dev-{i}",
            schema[r["kind"]],
            r["right"],
            "dev",
            str(i),
            "dev@1",
            names=[(r["right"], False)],
        )
        for i, r in enumerate(rows)
    ]
    index = ScreeningIndex([*records, *extra], "recall")
    offset = len(records)
    found = {"all": [0, 0], "cross-script": [0, 0], "pairs the scorer accepts": [0, 0]}
    for i, row in enumerate(rows):
        query = Query((row["left"],), schema[row["kind"]])
        forms = index.query_forms(query)
        kind = schema_kind(schema[row["kind"]])
        names = index.candidate_names(forms.get(kind, []), query.schema, kind, CANDIDATE_NAMES)
        hit = any(int(index.name_record[n]) == offset + i for n in names)
        groups = ["all"] + (["cross-script"] if row["scripts"] != "Latn" else [])
        if compare(row["left"], row["right"], schema[row["kind"]]).match:
            groups.append("pairs the scorer accepts")
        for group in groups:
            found[group][0] += hit
            found[group][1] += 1
    return {group: hit / total for group, (hit, total) in found.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--home",
        type=Path,
        help="a home with the lists imported (default: import into a temp folder)",
    )
    parser.add_argument("--queries", type=int, default=2000)
    parser.add_argument("--batch", type=int, default=10000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="screen-bench-") as temporary:
        folder = Path(temporary)
        home = args.home or folder / "home"
        settings = demo_settings(home)
        engine = open_store(settings)
        if not active_versions_list(engine):
            print(f"importing every list in {SHARED} …", flush=True)
            import_path(engine, SHARED, settings)
        load_seconds, records = median_time(lambda: load_active_records(engine), args.repeat)
        assert isinstance(records, list)
        build_seconds, index = median_time(lambda: cold_build(records), args.repeat)
        assert isinstance(index, ScreeningIndex)
        open_index(settings, rebuild=True)  # writes the cache the CLI will use
        key = version_key(f"{v.source}@{v.seq}:{v.sha256}" for v in active_versions_list(engine))
        cache_seconds, _ = median_time(lambda: load_cached_index(home / "index", key), args.repeat)
        results: dict[str, object] = {
            "records": index.record_count,
            "names": index.name_count,
            "load_records_s": load_seconds,
            "index_build_s": build_seconds,
            "index_cache_load_s": cache_seconds,
            "start_to_first_answer_s": start_to_first_answer(home, args.repeat + 2),
        }
        queries = realistic_queries(index, args.queries)
        results["single_query"] = latency(index, queries)
        batch_queries = realistic_queries(index, args.batch, seed=11)
        for workers in (1, 2):
            # As `screen --file` starts: the cached index just loaded, no word analysed yet
            # (an index that has already answered these queries would flatter the run).
            cold_caches()
            fresh = load_cached_index(home / "index", key)
            assert fresh is not None
            label = f"batch_qps_{workers}_worker" + ("s" if workers > 1 else "")
            results[label] = batch(fresh, batch_queries, workers, folder)
        # A running service: the index has answered another batch of the same kind first
        # (common words analysed, names looked at), then the workers fork from it.
        warm = load_cached_index(home / "index", key)
        assert warm is not None
        for query in realistic_queries(index, args.batch, seed=13):
            screen(warm, query, limit=5)
        results["batch_qps_2_workers_warm_service"] = batch(warm, batch_queries, 2, folder)
        # `screen --file` screens each distinct query once: say how many the batch has, and
        # measure a batch in which no query repeats (cold again).
        results["batch_distinct_share"] = len(set(batch_queries)) / len(batch_queries)
        distinct = distinct_queries(index, args.batch, seed=17)
        cold_caches()
        fresh = load_cached_index(home / "index", key)
        assert fresh is not None
        results["batch_qps_2_workers_all_distinct"] = batch(fresh, distinct, 2, folder)
        results["candidate_recall"] = candidate_recall(records)
    print(json.dumps(results, indent=2))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
