"""The benchmark's metric functions and loaders, on tiny hand-made examples with known answers."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from bench.match_quality import (
    DEV_PAIRS,
    DataError,
    OfacObservation,
    WatchmanCase,
    average_ranks,
    best_f1,
    load_dev_pairs,
    load_ofac_observed,
    load_watchman_name_cases,
    ofac_agreement,
    precision_recall_f1,
    recall_at_precision,
    roc_auc,
    spearman,
    watchman_case_holds,
)
from hypothesis import given, settings
from hypothesis import strategies as st


def test_average_ranks_share_ties() -> None:
    ranks = average_ranks(np.array([0.3, 0.1, 0.3, 0.9]))
    assert ranks.tolist() == [2.5, 1.0, 2.5, 4.0]


@pytest.mark.parametrize(
    ("labels", "scores", "auc"),
    [
        ([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9], 1.0),  # perfectly separated
        ([1, 1, 0, 0], [0.1, 0.2, 0.8, 0.9], 0.0),  # perfectly inverted
        ([0, 1, 0, 1], [0.5, 0.5, 0.5, 0.5], 0.5),  # all tied: ties count half
        # positives 0.35, 0.8; negatives 0.1, 0.4: pairs won 1 + 2 out of 4
        ([0, 1, 0, 1], [0.1, 0.35, 0.4, 0.8], 0.75),
        ([0, 1, 1], [0.5, 0.5, 0.9], 0.75),  # one tie (half) and one win
    ],
)
def test_roc_auc(labels: list[int], scores: list[float], auc: float) -> None:
    assert roc_auc(labels, scores) == pytest.approx(auc)


def test_roc_auc_of_one_class_is_undefined() -> None:
    assert math.isnan(roc_auc([1, 1], [0.2, 0.4]))


def test_best_f1_picks_the_threshold() -> None:
    # >= 0.8: tp 2, fp 0, fn 1 -> F1 0.8;  >= 0.4: tp 3, fp 1 -> F1 6/7 (best);  >= 0.1: 3/4 prec.
    labels = [1, 1, 0, 1, 0]
    scores = [0.9, 0.8, 0.5, 0.4, 0.1]
    f1, threshold = best_f1(labels, scores)
    assert f1 == pytest.approx(6 / 7)
    assert threshold == pytest.approx(0.4)


def test_best_f1_takes_tied_scores_together() -> None:
    # A positive and a negative tied at 0.7 cannot be split by any threshold.
    f1, threshold = best_f1([1, 0, 1], [0.7, 0.7, 0.2])
    assert (f1, threshold) == (pytest.approx(0.8), pytest.approx(0.2))


def test_recall_at_precision() -> None:
    labels = [1, 1, 0, 1, 1, 0]
    scores = [0.9, 0.8, 0.7, 0.6, 0.5, 0.4]
    # >= 0.8: precision 1, recall 0.5;  >= 0.5: precision 4/5, recall 1.0
    assert recall_at_precision(labels, scores, 0.95) == (pytest.approx(0.5), pytest.approx(0.8))
    assert recall_at_precision(labels, scores, 0.8) == (pytest.approx(1.0), pytest.approx(0.5))


def test_recall_at_precision_when_no_threshold_reaches_it() -> None:
    recall, threshold = recall_at_precision([0, 1], [0.9, 0.1], 0.99)
    assert recall == 0.0
    assert math.isnan(threshold)


def test_precision_recall_f1_of_predictions() -> None:
    assert precision_recall_f1([1, 1, 0, 0], [True, False, True, False]) == (0.5, 0.5, 0.5)
    assert precision_recall_f1([1, 0], [False, False]) == (1.0, 0.0, 0.0)


def test_spearman() -> None:
    assert spearman([1, 2, 3, 4], [10, 20, 30, 40]) == pytest.approx(1.0)
    assert spearman([1, 2, 3, 4], [40, 30, 20, 10]) == pytest.approx(-1.0)
    assert math.isnan(spearman([1, 1, 1], [1, 2, 3]))


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 1), st.floats(0, 1)), min_size=2, max_size=40))
def test_roc_auc_agrees_with_counting_pairs(rows: list[tuple[int, float]]) -> None:
    labels = [label for label, _ in rows]
    scores = [score for _, score in rows]
    positives = [s for label, s in rows if label == 1]
    negatives = [s for label, s in rows if label == 0]
    if not positives or not negatives:
        assert math.isnan(roc_auc(labels, scores))
        return
    wins = sum((p > n) + 0.5 * (p == n) for p in positives for n in negatives)
    assert roc_auc(labels, scores) == pytest.approx(wins / (len(positives) * len(negatives)))


def test_bad_dev_row_names_file_line_and_reason(tmp_path: Path) -> None:
    path = tmp_path / "pairs.tsv"
    path.write_text(
        "left\tright\tlabel\tkind\tsource\tscripts\n"
        "A\tB\t1\tperson\ts\tLatn\n"
        "A\tB\tyes\tperson\ts\tLatn\n",
        encoding="utf-8",
    )
    with pytest.raises(DataError, match=r"pairs\.tsv:3: label 'yes' is not 0 or 1"):
        load_dev_pairs(path)
    path.write_text("left\tright\tlabel\tkind\tsource\tscripts\nA\tB\t1\tplane\ts\tLatn\n")
    with pytest.raises(DataError, match=r"pairs\.tsv:2: kind 'plane'"):
        load_dev_pairs(path)
    with pytest.raises(DataError, match="file not found"):
        load_dev_pairs(tmp_path / "missing.tsv")


@pytest.mark.shared_data
def test_shared_benchmark_files_load(shared_data: Path) -> None:
    pairs = load_dev_pairs(shared_data / DEV_PAIRS)
    assert len(pairs) == 956
    assert sum(p.label for p in pairs) == 468
    assert sum(p.cross_script for p in pairs) == 319
    assert {p.schema for p in pairs} == {"Person", "Organization", "Vessel"}
    observed = load_ofac_observed(shared_data / "external_cases" / "ofac_sls_observed_scores.tsv")
    assert len(observed) == 170
    assert sum(o.score < 0 for o in observed) == 6
    cases = load_watchman_name_cases(shared_data / "external_cases" / "watchman_cases.tsv")
    assert len(cases) == 190
    assert all(c.query and c.candidate for c in cases)


def test_ofac_agreement_counts_not_returned_rows_below_80() -> None:
    observed = [
        OfacObservation("A", "A", 100),
        OfacObservation("A", "B", 90),
        OfacObservation("A", "C", -1),
        OfacObservation("A", "D", -1),
    ]
    points = {"A": 1.0, "B": 0.87, "C": 0.5, "D": 0.85}
    agreement = ofac_agreement(observed, lambda query, result, schema: points[result])
    assert agreement["mae_points"] == pytest.approx(1.5)
    assert agreement["within_2_share"] == 0.5
    assert agreement["within_5_share"] == 1.0
    assert (agreement["not_returned_rows"], agreement["not_returned_scored_below_80"]) == (2, 1)


@pytest.mark.parametrize(
    ("comparator", "score", "holds"),
    [("abs_delta", 0.75, True), ("abs_delta", 0.9, False), ("ge", 0.8, True), ("lt", 0.8, False)],
)
def test_watchman_case_holds(comparator: str, score: float, holds: bool) -> None:
    case = WatchmanCase("wm", "token_pair_jw", "a", "b", 0.8, 0.05, comparator)
    assert watchman_case_holds(case, score) is holds
