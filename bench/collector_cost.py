"""What Python's cyclic garbage collector costs while distinct queries are screened.

Screens the same distinct realistic queries (bench/screen_speed.py's generator) from a freshly
loaded index, as `screen --file` starts, once with the collector's default thresholds and
once with the relaxed ones `screen --file` uses (memory.RELAXED_THRESHOLDS), each in its own
process, alternating. Reports per run: wall time, time inside collector passes (timed by a
gc callback) and the passes per generation; then the medians.

Usage: python bench/collector_cost.py --home HOME [--queries 4000] [--rounds 3]
(HOME: lists imported, e.g. by screen_speed.py)
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

from sanctionscope.matching import screen
from sanctionscope.memory import RELAXED_THRESHOLDS
from screen_speed import cold_caches, distinct_queries, home_index

SETTINGS = {"default": None, "relaxed": RELAXED_THRESHOLDS}


def one_run(home: Path, queries: int, setting: str) -> dict[str, Any]:
    """Screen the queries with the collector set as named; timings of the run."""
    index = home_index(home)
    batch = distinct_queries(index, queries, seed=17)
    cold_caches()
    index = home_index(home)  # loaded again: nothing decoded or compared yet
    gc.collect()
    gc.freeze()  # as screen --file's workers start: what was loaded is left out of passes
    thresholds = SETTINGS[setting]
    if thresholds is not None:
        gc.set_threshold(*thresholds)
    spent = [0.0, 0.0, 0.0]
    passes = [0, 0, 0]
    started = [0.0]

    def timed(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            started[0] = time.perf_counter()
        else:
            spent[info["generation"]] += time.perf_counter() - started[0]
            passes[info["generation"]] += 1

    gc.callbacks.append(timed)
    start = time.perf_counter()
    for query in batch:
        screen(index, query, limit=5, brief=True)
    wall = time.perf_counter() - start
    gc.callbacks.remove(timed)
    return {
        "setting": setting,
        "thresholds": list(gc.get_threshold()),
        "queries": len(batch),
        "wall_s": wall,
        "collector_s": sum(spent),
        "collector_share": sum(spent) / wall,
        "passes_by_generation": passes,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--home", type=Path, required=True)
    parser.add_argument("--queries", type=int, default=4000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--one", choices=sorted(SETTINGS), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one_run(args.home, args.queries, args.one)))
        return
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in SETTINGS}
    for _ in range(args.rounds):
        for name in SETTINGS:
            command = [sys.executable, __file__, "--home", str(args.home)]
            command += ["--queries", str(args.queries), "--one", name]
            result = json.loads(subprocess.run(command, check=True, capture_output=True).stdout)
            runs[name].append(result)
            print(json.dumps(result), flush=True)
    for name, results in runs.items():
        wall = statistics.median(r["wall_s"] for r in results)
        spent = statistics.median(r["collector_s"] for r in results)
        print(
            f"{name}: median wall {wall:.2f} s, in the collector {spent:.2f} s ({spent / wall:.0%})"
        )
    ratio = statistics.median(r["wall_s"] for r in runs["relaxed"]) / statistics.median(
        r["wall_s"] for r in runs["default"]
    )
    print(f"relaxed / default wall time: {ratio:.2f}")


if __name__ == "__main__":
    main()
