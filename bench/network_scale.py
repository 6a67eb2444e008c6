"""Time and memory of the network analysis on large synthetic books.

    .venv/bin/python bench/network_scale.py --size 1M [--repeat 3] [--seed 1] [--workdir DIR]
        [--hub-degree 1000] [--memory-limit 6GB]
    .venv/bin/python bench/network_scale.py --size 10M --repeat 3

``--size`` is 1M (1,000,000 entities / 5,000,000 edges), 10M (10M / 50M) or an entity count
(five edges per entity). The book (sanctionscope.network.synthetic: the planted ``small``
scenarios inside a power-law background with a few hub nodes and 2,000+ sanctioned seeds) is
generated once into ``--workdir`` and reused by later runs with the same size and seed;
generation time is reported separately and not counted.

Each repeat runs, in a fresh child process, ``sanctionscope.network.analyze`` on the book's
Parquet tables and then writes every finding as a JSON line (as ``network analyze --out``
does; the engine builds exposure findings lazily, so the call alone leaves that work undone).
The child reports both wall times and its own peak RSS (``getrusage``: everything the process
held, DuckDB included). Prints the median, min and max of analyze + write, each part's median,
the largest peak RSS, the engine's per-stage timings of the median run, and the targets
(checked on analyze + write): 1M/5M in at most 10 s; 10M/50M in at most 2 min within 8 GB.
Exits 1 when a target is missed.
Results go to docs/benchmarks.md by hand, with the command line.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

TARGETS = {"1M": (10.0, None), "10M": (120.0, 8 * 1024**3)}  # seconds, bytes


def peak_rss_bytes() -> int:
    """This process's peak resident set size (Linux reports kilobytes)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def child_generate(args: argparse.Namespace) -> dict[str, Any]:
    from sanctionscope.network.synthetic import generate_book

    size: str | int = int(args.size) if args.size.isdigit() else args.size
    started = time.perf_counter()
    book = generate_book(args.seed, size, args.book, hub_degree=args.hub_degree)
    return {
        "seconds": time.perf_counter() - started,
        "peak_rss": peak_rss_bytes(),
        "nodes": book.node_count,
        "edges": book.edge_count,
    }


def child_analyze(args: argparse.Namespace) -> dict[str, Any]:
    """``analyze``, then writing every finding as a JSON line (what the CLI does): the engine
    builds exposure findings lazily, so the call alone does not include making them."""
    from sanctionscope.network import AnalysisConfig, analyze

    spill = args.book / "spill"
    spill.mkdir(exist_ok=True)
    # the engine's own memory limit unless one is asked for
    limit = {"memory_limit": args.memory_limit} if args.memory_limit else {}
    config = AnalysisConfig(hub_degree=args.hub_degree, temp_directory=str(spill), **limit)
    started = time.perf_counter()
    result = analyze(args.book / "nodes.parquet", args.book / "edges.parquet", config)
    analyzed = time.perf_counter()
    out = spill / "exposure.jsonl"
    written = result.write_jsonl(out)
    finished = time.perf_counter()
    counts: Counter[str] = Counter()
    with out.open(encoding="utf-8") as handle:
        for line in handle:
            counts[json.loads(line)["status"]] += 1
    assert sum(counts.values()) == written
    out.unlink()
    return {
        "analyze_seconds": analyzed - started,
        "write_seconds": finished - analyzed,
        "seconds": finished - started,
        "peak_rss": peak_rss_bytes(),
        "counts": dict(counts),
        "errors": len(result.errors),
        "stats": result.stats,
    }


def in_child(step: str, args: argparse.Namespace) -> dict[str, Any]:
    """Run one step in a fresh interpreter; its last stdout line is the JSON report."""
    command = [
        sys.executable,
        __file__,
        "--child",
        step,
        "--size",
        args.size,
        "--seed",
        str(args.seed),
        "--hub-degree",
        str(args.hub_degree),
        "--book",
        str(args.book),
    ]
    if args.memory_limit:
        command += ["--memory-limit", args.memory_limit]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{step} failed ({done.returncode}):\n{done.stderr[-4000:]}")
    report: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    report["process_seconds"] = time.perf_counter() - started
    return report


def generator_version() -> str:
    """A digest of the generator's source: a changed generator means a new book."""
    from sanctionscope.network import synthetic

    return hashlib.sha256(Path(synthetic.__file__).read_bytes()).hexdigest()[:16]


def book_is_ready(book: Path, marker: dict[str, Any]) -> bool:
    path = book / "book.json"
    if not path.is_file() or not (book / "edges.parquet").is_file():
        return False
    saved: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return all(saved.get(key) == value for key, value in marker.items())


def gigabytes(value: float) -> str:
    return f"{value / 1024**3:.2f} GB"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="1M", help="1M, 10M or an entity count")
    parser.add_argument("--repeat", type=int, default=3, help="0: only generate the book")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--hub-degree", type=int, default=1000)
    parser.add_argument(
        "--memory-limit", help="DuckDB memory_limit (default: AnalysisConfig's), e.g. 6GB"
    )
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/sanctionscope-bench"))
    parser.add_argument("--child", choices=("generate", "analyze"), help=argparse.SUPPRESS)
    parser.add_argument("--book", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        step = child_generate if args.child == "generate" else child_analyze
        print(json.dumps(step(args)))
        return 0

    args.book = args.workdir / f"book-{args.size}-seed{args.seed}"
    marker = {
        "size": args.size,
        "seed": args.seed,
        "hub_degree": args.hub_degree,
        "generator": generator_version(),
    }
    if book_is_ready(args.book, marker):
        generated = json.loads((args.book / "book.json").read_text(encoding="utf-8"))
        print(f"reusing {args.book} (generated in {generated['seconds']:.1f} s)")
    else:
        print(f"generating {args.size} book (seed {args.seed}) into {args.book} …", flush=True)
        generated = {**in_child("generate", args), **marker}
        (args.book / "book.json").write_text(json.dumps(generated), encoding="utf-8")
        print(
            f"generated {generated['nodes']:,} entities, {generated['edges']:,} edges in "
            f"{generated['seconds']:.1f} s (peak RSS {gigabytes(generated['peak_rss'])})"
        )
    sizes = sum(path.stat().st_size for path in args.book.glob("*.parquet"))
    print(f"Parquet on disk: {gigabytes(sizes)}; cores: {os.cpu_count()}", flush=True)

    if args.repeat < 1:
        return 0  # generate only
    runs = []
    for number in range(1, args.repeat + 1):
        run = in_child("analyze", args)
        runs.append(run)
        print(
            f"run {number}: {run['seconds']:.2f} s = analyze {run['analyze_seconds']:.2f} s + "
            f"write findings {run['write_seconds']:.2f} s (process {run['process_seconds']:.1f}"
            f" s), peak RSS {gigabytes(run['peak_rss'])}, findings {run['counts']}, "
            f"input errors {run['errors']}",
            flush=True,
        )
    times = [run["seconds"] for run in runs]
    median = statistics.median(times)
    peak = max(run["peak_rss"] for run in runs)
    middle = sorted(runs, key=lambda run: run["seconds"])[len(runs) // 2]
    stages = {k: v for k, v in middle["stats"].items() if k.startswith("seconds_")}
    print(
        json.dumps(
            {
                "size": args.size,
                "nodes": generated["nodes"],
                "edges": generated["edges"],
                "generate_seconds": round(generated["seconds"], 1),
                "median_seconds": round(median, 2),
                "min_seconds": round(min(times), 2),
                "max_seconds": round(max(times), 2),
                "median_analyze_call_seconds": round(
                    statistics.median(run["analyze_seconds"] for run in runs), 2
                ),
                "median_write_findings_seconds": round(
                    statistics.median(run["write_seconds"] for run in runs), 2
                ),
                "peak_rss_gb": round(peak / 1024**3, 2),
                "repeat": args.repeat,
                "stages_of_median_run": stages,
                "findings": middle["counts"],
            }
        )
    )
    limit_seconds, limit_rss = TARGETS.get(args.size, (None, None))
    failed = False
    if limit_seconds is not None:
        ok = median <= limit_seconds
        failed |= not ok
        print(f"target time <= {limit_seconds:g} s: {'met' if ok else 'MISSED'} ({median:.2f} s)")
    if limit_rss is not None:
        ok = peak <= limit_rss
        failed |= not ok
        print(
            f"target RSS <= {gigabytes(limit_rss)}: {'met' if ok else 'MISSED'} ({gigabytes(peak)})"
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
