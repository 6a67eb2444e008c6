"""Precision and recall of the network analysis on synthetic books with planted truth.

    .venv/bin/python bench/network_quality.py [--seeds 1 2 3] [--size small] [--via cli|api|both]
        [--regime ofac] [--max-hops 3] [--hub-degree 1000] [--workdir DIR]

For each seed, sanctionscope.network.synthetic writes a book (FtM JSON lines, the bank CSV
folder, canonical Parquet and truth.jsonl). ``--via cli`` runs the command a user would run,
``sanctionscope network analyze --entities … --csv-dir … --out exposure.jsonl`` (a subprocess,
list linking off), and also checks that the tables the CLI built from FtM + CSV equal the
canonical Parquet the generator wrote; ``--via api`` calls ``analyze`` on that Parquet.

Prints per seed and pooled over seeds: precision and recall of flagged entities overall (any
status), per status and per typology, the misses and false alarms, and whether any of the hub's
clean customers was flagged. Exits 1 when the pooled overall recall is below 0.95 or precision
below 0.90, when a hub customer is flagged, or when the CLI's tables differ from the book's.
Results go to docs/benchmarks.md by hand, with the command line.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from sanctionscope.network import AnalysisConfig, analyze
from sanctionscope.network.synthetic import (
    Book,
    Evaluation,
    Score,
    evaluate,
    generate_book,
    iter_findings,
    table_differences,
)

RECALL_TARGET = 0.95
PRECISION_TARGET = 0.90


def run_cli(book: Book, out: Path, args: argparse.Namespace) -> tuple[list[dict[str, Any]], float]:
    """``sanctionscope network analyze`` on the book's FtM and CSV files, as a user runs it."""
    assert book.entities_path is not None and book.csv_dir is not None
    executable = Path(sys.executable).with_name("sanctionscope")
    command = [
        str(executable),
        "network",
        "analyze",
        "--entities",
        str(book.entities_path),
        "--csv-dir",
        str(book.csv_dir),
        "--regime",
        args.regime,
        "--max-hops",
        str(args.max_hops),
        "--hub-degree",
        str(args.hub_degree),
        "--no-lists",
        "--save-parquet",
        str(out.parent / "built"),
        "--out",
        str(out),
    ]
    env = {**os.environ, "SANCTIONSCOPE_HOME": str(out.parent / "home")}
    env.pop("SANCTIONSCOPE_DATABASE_URL", None)
    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({done.returncode}):\n{done.stderr}")
    print(f"  $ sanctionscope {' '.join(command[1:])}")
    print("   ", done.stderr.strip().replace("\n", "\n    "))
    return list(iter_findings(out)), seconds


def run_api(book: Book, args: argparse.Namespace) -> tuple[list[dict[str, Any]], float]:
    config = AnalysisConfig(regime=args.regime, max_hops=args.max_hops, hub_degree=args.hub_degree)
    started = time.perf_counter()
    result = analyze(book.nodes_parquet, book.edges_parquet, config)
    seconds = time.perf_counter() - started
    return [finding.to_json() for finding in result.findings], seconds


def format_score(score: Score) -> str:
    low = score.recall < RECALL_TARGET or score.precision < PRECISION_TARGET
    return (
        f"  {score.label:<36} {score.expected:>6} {score.found:>6} {score.correct:>6}"
        f"  {score.precision:>9.3f} {score.recall:>6.3f}{'  <' if low else ''}"
    )


def print_evaluation(title: str, evaluation: Evaluation) -> None:
    print(f"{title}")
    print(f"  {'':<36} {'truth':>6} {'found':>6} {'right':>6}  precision recall")
    for score in evaluation.scores:
        print(format_score(score))
    for label, items in (
        ("missed", evaluation.false_negatives),
        ("false alarms", evaluation.false_positives),
        ("status differs (id, truth, found)", evaluation.wrong_status),
        ("hub customers flagged", evaluation.flagged_hub_customers),
    ):
        if items:
            shown = ", ".join(str(item) for item in items[:8])
            more = f" … (+{len(items) - 8})" if len(items) > 8 else ""
            print(f"  {label}: {len(items)}: {shown}{more}")
    if evaluation.flagged_seeds:
        print(f"  (sanctioned seeds reported as findings: {evaluation.flagged_seeds})")


def pooled(evaluations: list[Evaluation]) -> Evaluation:
    """Counts summed over seeds (micro-averaged precision and recall)."""
    scores = []
    for rows in zip(*(e.scores for e in evaluations), strict=True):
        scores.append(
            Score(
                rows[0].label,
                sum(r.expected for r in rows),
                sum(r.found for r in rows),
                sum(r.correct for r in rows),
            )
        )

    def joined(name: str) -> tuple[Any, ...]:
        return tuple(item for e in evaluations for item in getattr(e, name))

    return Evaluation(
        scores=tuple(scores),
        false_positives=joined("false_positives"),
        false_negatives=joined("false_negatives"),
        wrong_status=joined("wrong_status"),
        flagged_hub_customers=joined("flagged_hub_customers"),
        flagged_seeds=sum(e.flagged_seeds for e in evaluations),
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--size", default="small", help="tiny or small (planted books)")
    parser.add_argument("--via", choices=("cli", "api", "both"), default="both")
    parser.add_argument("--regime", default="ofac", choices=("ofac",))
    parser.add_argument("--max-hops", type=int, default=3)
    parser.add_argument("--hub-degree", type=int, default=1000)
    parser.add_argument("--workdir", type=Path, help="keep the books here (default: temporary)")
    args = parser.parse_args()

    routes = ("cli", "api") if args.via == "both" else (args.via,)
    results: dict[str, list[Evaluation]] = {route: [] for route in routes}
    failures: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        root = args.workdir or Path(tmp)
        for seed in args.seeds:
            started = time.perf_counter()
            book = generate_book(
                seed,
                args.size,
                root / f"book-{args.size}-{seed}",
                max_hops=args.max_hops,
                hub_degree=args.hub_degree,
            )
            truth = book.truth()
            print(
                f"seed {seed}: {book.node_count:,} entities, {book.edge_count:,} edges, "
                f"{len(truth):,} truth records, generated in "
                f"{time.perf_counter() - started:.1f} s"
            )
            for route in routes:
                if route == "cli":
                    out = book.directory / "cli" / "exposure.jsonl"
                    out.parent.mkdir(exist_ok=True)
                    findings, seconds = run_cli(book, out, args)
                    built = out.parent / "built"
                    differences = table_differences(
                        (book.nodes_parquet, book.edges_parquet),
                        (built / "nodes.parquet", built / "edges.parquet"),
                    )
                    for line in differences:
                        failures.append(f"seed {seed}: CLI tables differ: {line}")
                    verdict = "same rows" if not differences else f"{len(differences)} differences"
                    print(f"  tables built by the CLI vs the book's Parquet: {verdict}")
                else:
                    findings, seconds = run_api(book, args)
                evaluation = evaluate(findings, truth)
                results[route].append(evaluation)
                print_evaluation(
                    f"  via {route}: {len(findings)} findings in {seconds:.2f} s", evaluation
                )
    for route, evaluations in results.items():
        total = pooled(evaluations)
        print_evaluation(f"pooled over seeds {args.seeds}, via {route}", total)
        overall = total.overall()
        print(
            json.dumps(
                {
                    "route": route,
                    "precision": round(overall.precision, 4),
                    "recall": round(overall.recall, 4),
                    "hub_customers_flagged": len(total.flagged_hub_customers),
                }
            )
        )
        if overall.recall < RECALL_TARGET or overall.precision < PRECISION_TARGET:
            failures.append(f"{route}: overall precision/recall below target")
        if total.flagged_hub_customers:
            failures.append(f"{route}: hub customers flagged")
    for failure in failures:
        print(f"FAIL {failure}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
