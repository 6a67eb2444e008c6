"""Name-matching quality, side by side: this engine against reference matchers, in one run.

    .venv/bin/python bench/match_quality.py [--data ../shared/data] [--quick] [--json PATH]

Matchers: sanctionscope's `compare` (its column appears once `sanctionscope.matching.compare`
imports), its OFAC-compatible mode, nomenklatura's logic-v2, logic-v1 and ofac matchers (a
bench-only dependency) and a plain rapidfuzz baseline (token_sort_ratio of casefolded ASCII
names). Data: names/name_pairs_dev.tsv (labelled pairs) and external_cases/ (OFAC Sanctions
List Search scores; watchman's test vectors). Per matcher: ROC-AUC, best F1 and its threshold,
recall at precision >= 0.95 and >= 0.99, overall and on cross-script pairs, and scored pairs per
second (wall clock, one process, after one warm-up call). For our engine also the operating
points (precision, recall, F1) at thresholds 0.50..0.95 and at its default `match`. --quick
scores every sixth dev pair only. Results go to docs/benchmarks.md by hand, with the command.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import importlib
import itertools
import json
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO.parent / "shared" / "data"
DEV_PAIRS = Path("names") / "name_pairs_dev.tsv"
OFAC_OBSERVED = Path("external_cases") / "ofac_sls_observed_scores.tsv"
WATCHMAN_CASES = Path("external_cases") / "watchman_cases.tsv"

KIND_SCHEMA = {"person": "Person", "org": "Organization", "vessel": "Vessel"}
DEV_COLUMNS = ["left", "right", "label", "kind", "source", "scripts"]
OPERATING_THRESHOLDS = [round(0.5 + 0.05 * step, 2) for step in range(10)]
PRECISION_TARGETS = (0.95, 0.99)
# watchman test levels that compare two plain names (the others test addresses, dates, parsers).
WATCHMAN_NAME_LEVELS = {
    "token_pair_jw",
    "token_pair_jw_combo",
    "legacy_jw",
    "ofac_portal_compare",
    "cross_script_embedding",
}
WATCHMAN_NUMERIC_COMPARATORS = {"abs_delta", "ge", "gt", "lt"}

Scorer = Callable[[str, str, str], float]
FloatArray = NDArray[np.float64]


class DataError(ValueError):
    """A benchmark input file has a row that cannot be used: names the file, line and reason."""


# ---------------------------------------------------------------- metrics


def _as_arrays(labels: Sequence[int], scores: Sequence[float]) -> tuple[FloatArray, FloatArray]:
    if len(labels) != len(scores):
        raise ValueError(f"{len(labels)} labels but {len(scores)} scores")
    return np.asarray(labels, dtype=np.float64), np.asarray(scores, dtype=np.float64)


def average_ranks(values: FloatArray) -> FloatArray:
    """1-based ranks of `values`, tied values sharing the mean of their ranks."""
    order = np.argsort(values, kind="mergesort")
    sorted_values = values[order]
    ranks = np.empty(len(values), dtype=np.float64)
    start = 0
    while start < len(values):
        end = start
        while end + 1 < len(values) and sorted_values[end + 1] == sorted_values[start]:
            end += 1
        ranks[order[start : end + 1]] = (start + end) / 2 + 1
        start = end + 1
    return ranks


def roc_auc(labels: Sequence[int], scores: Sequence[float]) -> float:
    """Probability that a random positive outscores a random negative (ties count half)."""
    y, s = _as_arrays(labels, scores)
    positives = int(y.sum())
    negatives = len(y) - positives
    if positives == 0 or negatives == 0:
        return float("nan")
    ranks = average_ranks(s)
    positive_rank_sum = float(ranks[y == 1].sum())
    return (positive_rank_sum - positives * (positives + 1) / 2) / (positives * negatives)


def _counts_at_thresholds(
    labels: Sequence[int], scores: Sequence[float]
) -> tuple[FloatArray, FloatArray, FloatArray, int]:
    """For each distinct score t (descending): thresholds, true and false positives at >= t."""
    y, s = _as_arrays(labels, scores)
    order = np.argsort(-s, kind="mergesort")
    y_sorted, s_sorted = y[order], s[order]
    true_positives = np.cumsum(y_sorted)
    false_positives = np.cumsum(1 - y_sorted)
    # Keep the last index of each run of equal scores: predicting ">= t" takes the whole run.
    last_of_run = np.r_[s_sorted[1:] != s_sorted[:-1], True]
    return (
        s_sorted[last_of_run],
        true_positives[last_of_run],
        false_positives[last_of_run],
        int(y.sum()),
    )


def best_f1(labels: Sequence[int], scores: Sequence[float]) -> tuple[float, float]:
    """The highest F1 over thresholds (predict a match when score >= threshold), and that threshold."""
    thresholds, tp, fp, positives = _counts_at_thresholds(labels, scores)
    if positives == 0 or len(thresholds) == 0:
        return 0.0, float("nan")
    f1 = 2 * tp / (tp + fp + positives)
    best = int(np.argmax(f1))
    return float(f1[best]), float(thresholds[best])


def recall_at_precision(
    labels: Sequence[int], scores: Sequence[float], min_precision: float
) -> tuple[float, float]:
    """The highest recall of any threshold whose precision is >= min_precision, and that threshold.

    (0.0, nan) when no threshold reaches the precision.
    """
    thresholds, tp, fp, positives = _counts_at_thresholds(labels, scores)
    if positives == 0:
        return 0.0, float("nan")
    precision = tp / (tp + fp)
    eligible = np.flatnonzero(precision >= min_precision - 1e-12)
    if len(eligible) == 0:
        return 0.0, float("nan")
    best = int(eligible[np.argmax(tp[eligible])])
    return float(tp[best] / positives), float(thresholds[best])


def precision_recall_f1(
    labels: Sequence[int], predicted: Sequence[bool]
) -> tuple[float, float, float]:
    """Precision, recall and F1 of boolean predictions (precision 1.0 when nothing is predicted)."""
    y = np.asarray(labels, dtype=bool)
    p = np.asarray(predicted, dtype=bool)
    tp = int((y & p).sum())
    predicted_count, positives = int(p.sum()), int(y.sum())
    precision = tp / predicted_count if predicted_count else 1.0
    recall = tp / positives if positives else 0.0
    f1 = 2 * tp / (predicted_count + positives) if predicted_count + positives else 0.0
    return precision, recall, f1


def spearman(left: Sequence[float], right: Sequence[float]) -> float:
    """Spearman rank correlation (Pearson correlation of average ranks)."""
    a, b = np.asarray(left, dtype=np.float64), np.asarray(right, dtype=np.float64)
    if len(a) != len(b) or len(a) < 2:
        return float("nan")
    ra, rb = average_ranks(a), average_ranks(b)
    if ra.std() == 0 or rb.std() == 0:
        return float("nan")
    return float(np.corrcoef(ra, rb)[0, 1])


# ---------------------------------------------------------------- data


@dataclass(frozen=True)
class Pair:
    left: str
    right: str
    label: int
    schema: str
    source: str
    scripts: str

    @property
    def cross_script(self) -> bool:
        return "|" in self.scripts or self.scripts != "Latn"


def _rows(path: Path) -> list[tuple[int, list[str]]]:
    """(line number, cells) of a tab-separated file without quoting, header excluded."""
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
            return [(reader.line_num, row) for row in reader][1:]
    except FileNotFoundError as error:
        raise DataError(f"{path}: file not found") from error
    except UnicodeDecodeError as error:
        raise DataError(f"{path}: not UTF-8 ({error.reason} at byte {error.start})") from error


def _header(path: Path) -> list[str]:
    with path.open(encoding="utf-8", newline="") as handle:
        return next(csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE), [])


def load_dev_pairs(path: Path) -> list[Pair]:
    """Labelled name pairs; a bad row raises DataError naming its line."""
    rows = _rows(path)
    if _header(path) != DEV_COLUMNS:
        raise DataError(f"{path}:1: header is not {', '.join(DEV_COLUMNS)}")
    pairs = []
    for line, cells in rows:
        if len(cells) != len(DEV_COLUMNS):
            raise DataError(f"{path}:{line}: {len(cells)} columns, expected {len(DEV_COLUMNS)}")
        left, right, label, kind, source, scripts = cells
        if label not in ("0", "1"):
            raise DataError(f"{path}:{line}: label {label!r} is not 0 or 1")
        if kind not in KIND_SCHEMA:
            raise DataError(f"{path}:{line}: kind {kind!r} is not one of {sorted(KIND_SCHEMA)}")
        if not left.strip() or not right.strip():
            raise DataError(f"{path}:{line}: empty name")
        pairs.append(Pair(left, right, int(label), KIND_SCHEMA[kind], source, scripts))
    return pairs


@dataclass(frozen=True)
class OfacObservation:
    query: str
    result: str
    score: int  # OFAC points; -1 = not returned at OFAC's minimum score of 80


def load_ofac_observed(path: Path) -> list[OfacObservation]:
    observations = []
    for line, cells in _rows(path):
        if len(cells) < 3:
            raise DataError(f"{path}:{line}: {len(cells)} columns, expected at least 3")
        try:
            score = int(cells[2])
        except ValueError as error:
            raise DataError(f"{path}:{line}: score {cells[2]!r} is not an integer") from error
        observations.append(OfacObservation(cells[0], cells[1], score))
    return observations


@dataclass(frozen=True)
class WatchmanCase:
    case_id: str
    level: str
    query: str
    candidate: str
    expected: float
    tolerance: float
    comparator: str


def load_watchman_name_cases(path: Path) -> list[WatchmanCase]:
    """watchman's vectors that compare two non-empty plain names with a numeric expectation."""
    header = _header(path)
    cases = []
    for line, cells in _rows(path):
        if len(cells) != len(header):
            raise DataError(f"{path}:{line}: {len(cells)} columns, expected {len(header)}")
        row = dict(zip(header, cells, strict=True))
        if row["level"] not in WATCHMAN_NAME_LEVELS:
            continue
        if row["comparator"] not in WATCHMAN_NUMERIC_COMPARATORS:
            continue
        if not row["query"].strip() or not row["candidate"].strip():
            continue
        try:
            expected, tolerance = float(row["expected"]), float(row["tolerance"] or 0)
        except ValueError as error:
            raise DataError(f"{path}:{line}: expected/tolerance is not a number") from error
        cases.append(
            WatchmanCase(
                row["case_id"],
                row["level"],
                row["query"],
                row["candidate"],
                expected,
                tolerance,
                row["comparator"],
            )
        )
    return cases


def watchman_case_holds(case: WatchmanCase, score: float) -> bool:
    if case.comparator == "abs_delta":
        return abs(score - case.expected) <= case.tolerance + 1e-9
    if case.comparator == "ge":
        return score >= case.expected
    if case.comparator == "gt":
        return score > case.expected
    return score < case.expected


# ---------------------------------------------------------------- matchers


@dataclass
class Matcher:
    name: str
    score: Scorer
    origin: str
    predicts: Callable[[str, str, str], bool] | None = None
    default_threshold: float | None = None


def engine_matchers() -> tuple[list[Matcher], list[str]]:
    """Our engine and its OFAC mode; the engine column only once `compare` imports."""
    from sanctionscope.matching.ofac import ofac_score

    matching: Any = importlib.import_module("sanctionscope.matching")
    compare: Any = getattr(matching, "compare", None)
    direct_ofac = Matcher(
        "sanctionscope-ofac",
        lambda left, right, schema: ofac_score(left, right),
        "sanctionscope.matching.ofac.ofac_score",
    )
    if not callable(compare):  # absent, or still only the submodule of that name
        return [direct_ofac], ["sanctionscope engine not benchmarked: no callable compare yet"]

    ours = Matcher(
        "sanctionscope",
        lambda left, right, schema: float(compare(left, right, schema=schema).score),
        "sanctionscope.matching.compare",
        predicts=lambda left, right, schema: bool(compare(left, right, schema=schema).match),
        default_threshold=_declared_threshold(matching),
    )
    try:
        compare("PUTIN, Vladimir", "VLADIMIR PUTIN", schema="Person", algorithm="ofac")
    except (TypeError, ValueError, KeyError) as error:
        note = f'compare(algorithm="ofac") failed ({error!r}): OFAC mode called directly'
        return [ours, direct_ofac], [note]
    ofac_mode = Matcher(
        "sanctionscope-ofac",
        lambda left, right, schema: float(
            compare(left, right, schema=schema, algorithm="ofac").score
        ),
        'sanctionscope.matching.compare(algorithm="ofac")',
    )
    return [ours, ofac_mode], []


def _declared_threshold(matching: Any) -> float | None:
    """The engine's published default threshold, if it publishes one."""
    candidates = [matching]
    with contextlib.suppress(ImportError):
        candidates.append(importlib.import_module("sanctionscope.matching.scoring"))
    for module in candidates:
        value = getattr(module, "DEFAULT_THRESHOLD", None)
        if isinstance(value, int | float):
            return float(value)
    return None


def nomenklatura_matchers() -> list[Matcher]:
    """nomenklatura's logic-v2, logic-v1 and ofac: each side becomes an FtM entity with a name."""
    from followthemoney import model
    from nomenklatura.matching import LogicV1, LogicV2, OFACMatcher, ScoringConfig

    config = ScoringConfig.defaults()
    # logic-v2 caches name analysis by entity id: every entity needs an id of its own.
    serial = itertools.count()

    def scorer(algorithm: Any) -> Scorer:
        def score(left: str, right: str, schema: str) -> float:
            query = model.make_entity(schema)
            query.id = f"query-{next(serial)}"
            query.add("name", left)
            result = model.make_entity(schema)
            result.id = f"result-{next(serial)}"
            result.add("name", right)
            return float(algorithm.compare(query, result, config).score)

        return score

    return [
        Matcher(algorithm.NAME, scorer(algorithm), f"nomenklatura {algorithm.__name__}")
        for algorithm in (LogicV2, LogicV1, OFACMatcher)
    ]


def rapidfuzz_matcher() -> Matcher:
    from normality import ascii_text
    from rapidfuzz import fuzz

    def score(left: str, right: str, schema: str) -> float:
        a = (ascii_text(left) or "").casefold()
        b = (ascii_text(right) or "").casefold()
        return float(fuzz.token_sort_ratio(a, b)) / 100

    return Matcher("rapidfuzz", score, "rapidfuzz token_sort_ratio on casefolded ASCII")


# ---------------------------------------------------------------- evaluation


@dataclass
class SliceMetrics:
    pairs: int
    positives: int
    roc_auc: float
    best_f1: float
    best_f1_threshold: float
    recall_at_p95: float
    recall_at_p95_threshold: float
    recall_at_p99: float
    recall_at_p99_threshold: float


def slice_metrics(labels: Sequence[int], scores: Sequence[float]) -> SliceMetrics:
    f1, f1_threshold = best_f1(labels, scores)
    r95, t95 = recall_at_precision(labels, scores, PRECISION_TARGETS[0])
    r99, t99 = recall_at_precision(labels, scores, PRECISION_TARGETS[1])
    return SliceMetrics(
        len(labels), int(sum(labels)), roc_auc(labels, scores), f1, f1_threshold, r95, t95, r99, t99
    )


@dataclass
class MatcherReport:
    name: str
    origin: str
    pairs_per_second: float
    overall: SliceMetrics
    cross_script: SliceMetrics
    ofac_rank_correlation: float
    watchman_rank_correlation: float
    operating_points: list[dict[str, float]] = field(default_factory=list)
    default_match: dict[str, float] | None = None


def timed_scores(matcher: Matcher, pairs: Sequence[Pair]) -> tuple[list[float], float]:
    """Scores of all pairs and pairs per second (after one untimed warm-up call)."""
    matcher.score(pairs[0].left, pairs[0].right, pairs[0].schema)
    start = time.perf_counter()
    scores = [matcher.score(p.left, p.right, p.schema) for p in pairs]
    elapsed = time.perf_counter() - start
    return scores, len(pairs) / elapsed if elapsed > 0 else float("inf")


def operating_points(labels: Sequence[int], scores: Sequence[float]) -> list[dict[str, float]]:
    points = []
    for threshold in OPERATING_THRESHOLDS:
        precision, recall, f1 = precision_recall_f1(labels, [s >= threshold for s in scores])
        points.append({"threshold": threshold, "precision": precision, "recall": recall, "f1": f1})
    return points


def evaluate_matcher(
    matcher: Matcher,
    pairs: Sequence[Pair],
    ofac: Sequence[OfacObservation],
    watchman: Sequence[WatchmanCase],
) -> tuple[MatcherReport, list[float]]:
    scores, rate = timed_scores(matcher, pairs)
    labels = [p.label for p in pairs]
    cross = [i for i, p in enumerate(pairs) if p.cross_script]
    returned = [o for o in ofac if o.score >= 0]
    ofac_scores = [matcher.score(o.query, o.result, "LegalEntity") for o in returned]
    watchman_scores = [matcher.score(c.query, c.candidate, "LegalEntity") for c in watchman]
    report = MatcherReport(
        name=matcher.name,
        origin=matcher.origin,
        pairs_per_second=rate,
        overall=slice_metrics(labels, scores),
        cross_script=slice_metrics([labels[i] for i in cross], [scores[i] for i in cross]),
        ofac_rank_correlation=spearman(ofac_scores, [o.score for o in returned]),
        watchman_rank_correlation=spearman(watchman_scores, [c.expected for c in watchman]),
    )
    if matcher.predicts is not None:
        report.operating_points = operating_points(labels, scores)
        predicted = [matcher.predicts(p.left, p.right, p.schema) for p in pairs]
        precision, recall, f1 = precision_recall_f1(labels, predicted)
        threshold = matcher.default_threshold
        if threshold is None:  # not declared: the lowest score the engine called a match
            matched = [s for s, m in zip(scores, predicted, strict=True) if m]
            threshold = min(matched) if matched else float("nan")
        report.default_match = {
            "threshold": threshold,
            "precision": precision,
            "recall": recall,
            "f1": f1,
        }
    return report, scores


def ofac_agreement(ofac: Sequence[OfacObservation], scorer: Scorer) -> dict[str, float]:
    """How close a matcher's points come to OFAC's: -1 rows agree when we score below 80."""
    returned = [o for o in ofac if o.score >= 0]
    errors = [
        abs(round(scorer(o.query, o.result, "LegalEntity") * 100) - o.score) for o in returned
    ]
    not_returned = [o for o in ofac if o.score < 0]
    below = sum(scorer(o.query, o.result, "LegalEntity") < 0.80 for o in not_returned)
    return {
        "returned_rows": len(returned),
        "mae_points": statistics.mean(errors),
        "exact_share": sum(e == 0 for e in errors) / len(errors),
        "within_2_share": sum(e <= 2 for e in errors) / len(errors),
        "within_5_share": sum(e <= 5 for e in errors) / len(errors),
        "max_error_points": max(errors),
        "not_returned_rows": len(not_returned),
        "not_returned_scored_below_80": below,
    }


def watchman_agreement(cases: Sequence[WatchmanCase], scorer: Scorer) -> dict[str, float]:
    scores = [scorer(c.query, c.candidate, "LegalEntity") for c in cases]
    return {
        "cases": len(cases),
        "within_watchman_tolerance_share": sum(
            watchman_case_holds(c, s) for c, s in zip(cases, scores, strict=True)
        )
        / len(cases),
        "within_0.10_share": sum(
            abs(s - c.expected) <= 0.10 for c, s in zip(cases, scores, strict=True)
        )
        / len(cases),
        "rank_correlation": spearman(scores, [c.expected for c in cases]),
    }


# ---------------------------------------------------------------- output


def _fmt(value: float) -> str:
    return "-" if value != value else f"{value:.3f}"


def render(result: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(width=None if sys.stdout.isatty() else 132)
    reports: list[dict[str, Any]] = result["matchers"]
    for slice_name in ("overall", "cross_script"):
        first = reports[0][slice_name]
        table = Table(
            title=f"Dev pairs, {slice_name.replace('_', '-')} "
            f"({first['pairs']} pairs, {first['positives']} positive)"
        )
        for column in ("matcher", "ROC-AUC", "best F1 (thr)", "R@P>=.95 (thr)", "R@P>=.99 (thr)"):
            table.add_column(
                column, justify="left" if column == "matcher" else "right", no_wrap=True
            )
        table.add_column("pairs/s" if slice_name == "overall" else "", justify="right")
        for report in reports:
            m = report[slice_name]
            table.add_row(
                report["name"],
                _fmt(m["roc_auc"]),
                f"{_fmt(m['best_f1'])} ({_fmt(m['best_f1_threshold'])})",
                f"{_fmt(m['recall_at_p95'])} ({_fmt(m['recall_at_p95_threshold'])})",
                f"{_fmt(m['recall_at_p99'])} ({_fmt(m['recall_at_p99_threshold'])})",
                f"{report['pairs_per_second']:,.0f}" if slice_name == "overall" else "",
            )
        console.print(table)

    for report in reports:
        if not report["operating_points"]:
            continue
        default = report["default_match"]
        table = Table(title=f"{report['name']}: operating points on the dev pairs")
        for column in ("threshold", "precision", "recall", "F1"):
            table.add_column(column, justify="right")
        for point in report["operating_points"]:
            is_default = abs(point["threshold"] - default["threshold"]) < 1e-9
            table.add_row(
                f"{point['threshold']:.2f}" + (" (default)" if is_default else ""),
                _fmt(point["precision"]),
                _fmt(point["recall"]),
                _fmt(point["f1"]),
                style="bold" if is_default else None,
            )
        table.add_row(
            f"match=True ({_fmt(default['threshold'])})",
            _fmt(default["precision"]),
            _fmt(default["recall"]),
            _fmt(default["f1"]),
            style="bold",
        )
        console.print(table)

    table = Table(title="External cases: rank correlation (Spearman) with each reference's score")
    for column in ("matcher", "OFAC SLS (returned rows)", "watchman name vectors"):
        table.add_column(column, justify="left" if column == "matcher" else "right")
    for report in reports:
        table.add_row(
            report["name"],
            _fmt(report["ofac_rank_correlation"]),
            _fmt(report["watchman_rank_correlation"]),
        )
    console.print(table)
    console.print("OFAC-compatible mode against OFAC's observed scores:", result["ofac_agreement"])
    if result.get("watchman_agreement"):
        console.print(
            "Our engine against watchman's expected scores:", result["watchman_agreement"]
        )
    for note in result["notes"]:
        console.print(f"[yellow]note:[/yellow] {note}")


def _finite(value: Any) -> Any:
    """JSON has no NaN: write null instead."""
    if isinstance(value, float) and value != value:
        return None
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_finite(item) for item in value]
    return value


def run(data: Path, quick: bool) -> dict[str, Any]:
    pairs = load_dev_pairs(data / DEV_PAIRS)
    if quick:
        pairs = pairs[::6]
    ofac = load_ofac_observed(data / OFAC_OBSERVED)
    watchman = load_watchman_name_cases(data / WATCHMAN_CASES)
    engine, notes = engine_matchers()
    matchers = [*engine, *nomenklatura_matchers(), rapidfuzz_matcher()]
    reports = [evaluate_matcher(matcher, pairs, ofac, watchman)[0] for matcher in matchers]
    ofac_mode = next(m for m in matchers if m.name == "sanctionscope-ofac")
    ours = next((m for m in matchers if m.name == "sanctionscope"), None)
    matching: Any = importlib.import_module("sanctionscope.matching")
    return {
        "command": "bench/match_quality.py" + (" --quick" if quick else ""),
        "date_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "engine_algorithm_version": getattr(matching, "ALGORITHM_VERSION", None),
        "data": str(data),
        "dev_pairs": len(pairs),
        "matchers": [asdict(report) for report in reports],
        "ofac_agreement": ofac_agreement(ofac, ofac_mode.score),
        "nomenklatura_ofac_agreement": ofac_agreement(
            ofac, next(m for m in matchers if m.name == "ofac").score
        ),
        "watchman_agreement": watchman_agreement(watchman, ours.score) if ours else None,
        "notes": notes,
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--quick", action="store_true", help="every sixth dev pair only")
    parser.add_argument("--json", type=Path, default=None, help="write all figures to this file")
    args = parser.parse_args(argv)
    try:
        result = run(args.data, args.quick)
    except DataError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    render(result)
    if args.json is not None:
        args.json.write_text(json.dumps(_finite(result), indent=2, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
