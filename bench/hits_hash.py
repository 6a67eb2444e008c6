"""One hash of every hit the engine gives for a fixed set of bench queries.

A change meant to make screening faster, not different, must leave this hash as it was: it
covers each hit's id, score and explanation (and the brief hits `screen --file` asks for) of
4,000 batch-like queries (half of them repeat a party) and 3,000 distinct ones, the
generators of bench/screen_speed.py. Run it before and after the change, each time under a
few values of PYTHONHASHSEED: an outcome that depends on string hashing shows up as a hash
that changes from one run to the next.

Usage: python bench/hits_hash.py --home HOME  (HOME: lists imported, e.g. by screen_speed.py)
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from sanctionscope.matching import screen
from screen_speed import distinct_queries, home_index, realistic_queries


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--home", type=Path, required=True)
    args = parser.parse_args()
    index = home_index(args.home)
    queries = realistic_queries(index, 4000, seed=11) + distinct_queries(index, 3000, seed=17)
    digest = hashlib.sha256()
    for query in queries:
        for hit in screen(index, query, limit=10):
            digest.update(f"{hit.id}|{hit.score:.12f}|{hit.explanation}".encode())
        for hit in screen(index, query, limit=5, brief=True):
            digest.update(f"{hit.id}|{hit.score:.12f}".encode())
    print(f"{len(queries)} queries: {digest.hexdigest()}")


if __name__ == "__main__":
    main()
