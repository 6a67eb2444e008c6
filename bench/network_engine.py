"""Profile the network engine on a random graph (not the evaluation book: see network_*.py).

    .venv/bin/python bench/network_engine.py --nodes 1000000 --edges 5000000

Writes random canonical tables (0.5 % sanctioned, 10 % ownership, 60 % payments, a few hubs)
to a temporary folder with DuckDB, then times ``analyze`` and reports peak RSS.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

import duckdb

from sanctionscope.network import AnalysisConfig, analyze


def write_random_tables(folder: Path, n_nodes: int, n_edges: int, seed: int) -> None:
    con = duckdb.connect()
    con.execute(f"SELECT setseed({seed / 1000})")
    con.execute(
        f"""
        COPY (
            SELECT 'n' || i AS id,
                   CASE WHEN i % 3 = 0 THEN 'Person' ELSE 'Company' END AS schema,
                   'Entity ' || i AS caption,
                   random() < 0.005 AS sanctioned,
                   NULL::VARCHAR AS sanction_reason,
                   DATE '2015-01-01' + CAST(random() * 3000 AS INTEGER) AS founded,
                   'xx' AS country
            FROM range({n_nodes}) t(i)
        ) TO '{folder}/nodes.parquet' (FORMAT PARQUET)
        """
    )
    # A few hubs (a clearing bank) take 2 % of the payments.
    con.execute(
        f"""
        COPY (
            SELECT 'e' || i AS id,
                   'n' || CAST(floor(random() * {n_nodes}) AS BIGINT) AS source,
                   'n' || CASE WHEN r < 0.02 THEN CAST(floor(random() * 5) AS BIGINT)
                               ELSE CAST(floor(random() * {n_nodes}) AS BIGINT) END AS target,
                   CASE WHEN r < 0.70 THEN 'payment' WHEN r < 0.80 THEN 'ownership'
                        WHEN r < 0.88 THEN 'directorship' WHEN r < 0.92 THEN 'employment'
                        WHEN r < 0.95 THEN 'associate' WHEN r < 0.97 THEN 'correspondent'
                        ELSE 'shared_address' END AS kind,
                   CASE WHEN r >= 0.70 AND r < 0.80 THEN round(random() * 100, 1) END AS share,
                   CASE WHEN r < 0.70 THEN round(random() * 1e6, 2) END AS amount,
                   CASE WHEN r < 0.70 THEN 'USD' END AS currency,
                   CASE WHEN r < 0.70 THEN DATE '2024-01-01' + CAST(random() * 365 AS INTEGER) END AS date
            FROM (SELECT i, random() AS r FROM range({n_edges}) t(i))
        ) TO '{folder}/edges.parquet' (FORMAT PARQUET)
        """
    )
    con.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--nodes", type=int, default=1_000_000)
    parser.add_argument("--edges", type=int, default=5_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--memory-limit", default=None)
    parser.add_argument("--folder", type=Path, default=None, help="Reuse/keep tables here.")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.folder or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        if not (folder / "edges.parquet").exists():
            started = time.perf_counter()
            write_random_tables(folder, args.nodes, args.edges, args.seed)
            print(f"tables written in {time.perf_counter() - started:.1f} s", file=sys.stderr)
        config = AnalysisConfig(
            memory_limit=args.memory_limit, temp_directory=str(folder / "spill")
        )
        started = time.perf_counter()
        cpu_started = time.process_time()
        result = analyze(folder / "nodes.parquet", folder / "edges.parquet", config)
        seconds = time.perf_counter() - started
        cpu = time.process_time() - cpu_started
        written = result.write_jsonl(folder / "exposure.jsonl")
        total = time.perf_counter() - started
        total_cpu = time.process_time() - cpu_started
        rss_gb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024
        print(
            f"analyze: {args.nodes:,} nodes / {args.edges:,} edges in {seconds:.1f} s "
            f"(CPU {cpu:.0f} s); with {written:,} findings written: {total:.1f} s "
            f"(CPU {total_cpu:.0f} s); peak RSS {rss_gb:.2f} GB; findings {result.counts()}; "
            f"errors {len(result.errors)}"
        )
        print({k: v for k, v in result.stats.items() if k.startswith(("seconds", "cpu"))})
        (folder / "exposure.jsonl").unlink()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
