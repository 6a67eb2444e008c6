"""Memory of the screening index's comparison memo when it is full.

Screens distinct realistic queries (bench/screen_speed.py's generator) against an index over
every list in HOME until the memo holds ``MEMO_ENTRIES`` token and name comparisons, and
reports what was allocated in compare.py while tracing (the memo's entries and the objects they
keep: similarities, name comparisons, merged tokens).

Usage: python bench/memo_size.py --home HOME  (HOME: lists imported, e.g. by screen_speed.py)
"""

from __future__ import annotations

import argparse
import os
import sys
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from sanctionscope.matching import screen
from sanctionscope.matching.index import MEMO_ENTRIES
from screen_speed import distinct_queries, home_index


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--home", type=Path, required=True)
    args = parser.parse_args()
    index = home_index(args.home)
    queries = distinct_queries(index, 20_000, seed=5)  # the memo fills after about 10,700
    tracemalloc.start()
    screened = 0
    for query in queries:
        screen(index, query)
        screened += 1
        if len(index._memo) >= MEMO_ENTRIES:  # the index's own memo, read for the bench
            break
    snapshot = tracemalloc.take_snapshot()
    allocated = sum(
        stat.size
        for stat in snapshot.statistics("filename")
        if stat.traceback[0].filename.endswith(os.path.join("matching", "compare.py"))
    )
    print(
        f"{screened} distinct queries, {len(index._memo):,} memo entries: "
        f"{allocated / 1e6:.0f} MB allocated in compare.py"
    )


if __name__ == "__main__":
    main()
