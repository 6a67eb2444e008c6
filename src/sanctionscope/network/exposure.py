"""Hop-limited exposure: the best path of at most ``max_hops`` edges to a sanctioned party.

Edges are undirected for exposure (paying a sanctioned party exposes you as much as being paid
by one) and each kind has a weight; a path scores the product of its weights and an entity the
best of its paths (a max-product Bellman-Ford bounded to ``max_hops`` rounds). Parallel edges
between two entities are first collapsed to the strongest (a DuckDB GROUP BY), then the
rounds run on a SciPy CSR adjacency in memory: each round relaxes only the edges out of the
entities whose score improved in the previous round (the frontier).

Hubs (more than ``hub_degree`` distinct neighbours, e.g. a large clearing bank) are reached
but never expanded through, unless sanctioned themselves; their own score is down-weighted
and the finding says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.sparse import csr_matrix

from sanctionscope.network.config import AnalysisConfig
from sanctionscope.network.model import EDGE_KINDS


@dataclass
class ExposureResult:
    """Scores and best paths of the exposed nodes (columnar, aligned by position)."""

    nodes: NDArray[np.int64]  # exposed node ix
    scores: NDArray[np.float32]  # best path score (hubs already down-weighted)
    path_nodes: NDArray[np.int64]  # (n, max_hops + 1): node, ..., sanctioned; -1 padded
    path_kinds: NDArray[np.int16]  # (n, max_hops + 1): kind code of the step's edge; -1 none
    hubs: NDArray[np.bool_]  # is the exposed node a hub
    degree: NDArray[np.int64]  # distinct neighbours of the exposed node


def weight_sql(config: AnalysisConfig) -> str:
    """SQL expression for the exposure weight of one edge of ``g_edges``."""
    weights = config.edge_weights
    full = max(config.payment_full_amount, 1.0)
    cases = []
    for kind in EDGE_KINDS:
        base = float(weights.get(kind, 0.0))
        if kind == "payment":
            expr = (
                f"{base} * CASE WHEN amount IS NULL OR amount <= 0 THEN 0.75 ELSE "
                f"0.5 + 0.5 * least(1.0, log10(1 + amount) / log10(1 + {full})) END"
            )
        elif kind == "ownership":
            expr = f"{base} * CASE WHEN share IS NULL THEN 0.75 ELSE 0.5 + 0.5 * share / 100 END"
        else:
            expr = f"{base}"
        cases.append(f"WHEN '{kind}' THEN {expr}")
    return "CASE kind " + " ".join(cases) + " ELSE 0 END"


def collapse_pairs(con: Any, config: AnalysisConfig) -> dict[str, Any]:
    """Undirected entity pairs with the strongest edge between them: a, b, w, kind_code."""
    result: dict[str, Any] = con.execute(
        f"""
        SELECT least(src, dst) AS a, greatest(src, dst) AS b,
               CAST(max(w) AS FLOAT) AS w, arg_max(kind_code, w) AS kind_code
        FROM (SELECT src, dst, kind_code, {weight_sql(config)} AS w FROM g_edges)
        WHERE w > 0
        GROUP BY 1, 2
        """
    ).fetchnumpy()
    return result


def run_exposure(
    con: Any, config: AnalysisConfig, n_nodes: int, seeds: NDArray[np.bool_]
) -> ExposureResult:
    pairs = collapse_pairs(con, config)
    a = np.asarray(pairs["a"], dtype=np.int32)
    b = np.asarray(pairs["b"], dtype=np.int32)
    w = np.asarray(pairs["w"], dtype=np.float32)
    kind = np.asarray(pairs["kind_code"], dtype=np.int16)
    del pairs
    degree = np.bincount(a, minlength=n_nodes) + np.bincount(b, minlength=n_nodes)
    hub = degree > config.hub_degree
    adjacency = _adjacency(a, b, n_nodes)
    scores, preds = _relax(adjacency, w, seeds, ~hub | seeds, config.max_hops)
    final = scores[-1].copy()
    final[hub & ~seeds] *= config.hub_penalty
    exposed = np.nonzero((final > 0) & ~seeds & (final >= config.min_score))[0]
    path_nodes, path_kinds = _paths(exposed, preds, a, b, kind)
    return ExposureResult(
        nodes=exposed.astype(np.int64),
        scores=final[exposed],
        path_nodes=path_nodes,
        path_kinds=path_kinds,
        hubs=hub[exposed],
        degree=degree[exposed].astype(np.int64),
    )


def _adjacency(a: NDArray[np.int32], b: NDArray[np.int32], n: int) -> csr_matrix:
    """CSR over both directions; the stored value is the pair's index (+1, kept non-zero)."""
    pair = np.arange(1, len(a) + 1, dtype=np.int64)
    return csr_matrix(
        (np.concatenate([pair, pair]), (np.concatenate([a, b]), np.concatenate([b, a]))),
        shape=(n, n),
    )


def _relax(
    adjacency: csr_matrix,
    w: NDArray[np.float32],
    seeds: NDArray[np.bool_],
    expandable: NDArray[np.bool_],
    max_hops: int,
) -> tuple[list[NDArray[np.float32]], list[NDArray[np.int64]]]:
    """Scores and predecessor pairs after 0..max_hops rounds (one array per round)."""
    n = len(seeds)
    score = np.where(seeds, 1.0, 0.0).astype(np.float32)
    pred = np.full(n, -1, dtype=np.int64)
    scores, preds = [score], [pred]
    frontier = np.nonzero(seeds)[0]
    indptr, indices, data = adjacency.indptr, adjacency.indices, adjacency.data
    for _ in range(max_hops):
        frontier = frontier[expandable[frontier]]
        if len(frontier) == 0:
            scores.append(score)
            preds.append(pred)
            continue
        starts = indptr[frontier]
        counts = indptr[frontier + 1] - starts
        total = int(counts.sum())
        offsets = np.repeat(starts - np.cumsum(counts) + counts, counts)
        positions = offsets + np.arange(total)
        origin = np.repeat(frontier, counts)
        target = indices[positions]
        pair = data[positions] - 1
        candidate = score[origin] * w[pair]
        new_score = score.copy()
        np.maximum.at(new_score, target, candidate)
        improved = new_score > score
        winners = improved[target] & (candidate == new_score[target])
        new_pred = pred.copy()
        new_pred[target[winners]] = pair[winners]
        score, pred = new_score, new_pred
        scores.append(score)
        preds.append(pred)
        frontier = np.nonzero(improved)[0]
    return scores, preds


def _paths(
    nodes: NDArray[np.int64],
    preds: list[NDArray[np.int64]],
    a: NDArray[np.int32],
    b: NDArray[np.int32],
    kind: NDArray[np.int16],
) -> tuple[NDArray[np.int64], NDArray[np.int16]]:
    """Walk back from each node along the recorded predecessor pairs to a sanctioned node."""
    hops = len(preds) - 1
    path_nodes = np.full((len(nodes), hops + 1), -1, dtype=np.int64)
    path_kinds = np.full((len(nodes), hops + 1), -1, dtype=np.int16)
    current = nodes.copy()
    path_nodes[:, 0] = current
    for step, rnd in enumerate(range(hops, 0, -1), start=1):
        pair = preds[rnd][np.maximum(current, 0)]
        live = (current >= 0) & (pair >= 0)
        safe = np.where(live, pair, 0)
        other = np.where(a[safe] == current, b[safe], a[safe]).astype(np.int64)
        current = np.where(live, other, -1)
        path_nodes[:, step] = current
        path_kinds[:, step] = np.where(live, kind[safe], -1)
    return path_nodes, path_kinds
