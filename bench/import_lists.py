"""Time the import of every recognised list in ../shared/data (parse, then write + activate).

    .venv/bin/python bench/import_lists.py [--data ../shared/data] [--repeat 3] [--database-url URL]

Each repeat imports into a fresh database (a SQLite file in a temporary folder unless
--database-url names an empty PostgreSQL database, whose tables are dropped between repeats).
Prints per publication the median parse and write seconds, entries and entities, and the median
total (wall clock, and CPU seconds of this process, which a busy machine disturbs less). All
repeats run in one process, so the first also pays one-time loading (FtM's country table,
imports); its total is printed on its own. Results go to docs/benchmarks.md by hand, with the
command line.
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import tempfile
import time
from pathlib import Path

from sanctionscope.settings import get_settings
from sanctionscope.sources import parse_path
from sanctionscope.store import open_store
from sanctionscope.store.imports import discover, import_parsed
from sanctionscope.store.schema import metadata

REPO = Path(__file__).resolve().parents[1]


Timings = dict[str, tuple[float, float, int, int]]


def one_run(data: Path, database_url: str | None) -> tuple[Timings, float]:
    """Per publication (parse s, write s, entries, entities), and the CPU seconds spent."""
    cpu_start = time.process_time()
    with tempfile.TemporaryDirectory() as tmp:
        url = database_url or f"sqlite:///{tmp}/bench.db"
        settings = dataclasses.replace(get_settings(), home=Path(tmp), database_url=url)
        engine = open_store(settings)
        metadata.drop_all(engine)
        metadata.create_all(engine)
        timings = {}
        for path, skipped in discover(data):
            if skipped:
                continue
            start = time.perf_counter()
            parsed = parse_path(path)
            parsed_at = time.perf_counter()
            import_parsed(engine, parsed, settings, force=True)
            done = time.perf_counter()
            name = str(path.relative_to(data))
            timings[name] = (
                parsed_at - start,
                done - parsed_at,
                len(parsed.entries),
                parsed.entity_count,
            )
        engine.dispose()
        return timings, time.process_time() - cpu_start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    results = [one_run(args.data, args.database_url) for _ in range(args.repeat)]
    runs = [timings for timings, _ in results]
    print(f"{'publication':60} {'parse s':>8} {'write s':>8} {'entries':>8} {'entities':>9}")
    totals = [sum(p + w for p, w, _, _ in run.values()) for run in runs]
    for name in runs[0]:
        parse = statistics.median(r[name][0] for r in runs)
        write = statistics.median(r[name][1] for r in runs)
        _, _, entries, entities = runs[0][name]
        print(f"{name:60} {parse:8.2f} {write:8.2f} {entries:8,} {entities:9,}")
    print(
        f"median total over {args.repeat} runs: {statistics.median(totals):.2f} s "
        f"(min {min(totals):.2f}, max {max(totals):.2f}); "
        f"CPU {statistics.median(cpu for _, cpu in results):.2f} s"
    )
    print(f"first run (with one-time loading): {totals[0]:.2f} s, CPU {results[0][1]:.2f} s")


if __name__ == "__main__":
    main()
