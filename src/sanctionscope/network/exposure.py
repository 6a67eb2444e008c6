"""Hop-limited exposure: the best path of at most ``max_hops`` edges to a sanctioned party.

Edges are undirected for exposure (paying a sanctioned party exposes you as much as being paid
by one) and each kind has a weight; a path scores the product of its weights and an entity the
best of its paths (a max-product Bellman-Ford bounded to ``max_hops`` rounds). The weights are
computed in SQL, the rounds run in memory on NumPy edge arrays: each round relaxes only the
edges out of the entities whose score improved in the previous round (the frontier). In join
terms a round is ``frontier JOIN edges ON src GROUP BY dst max(score * w)``: the same plan
runs on DuckDB or Spark when the arrays do not fit in memory.

Hubs (more than ``hub_degree`` distinct neighbours, e.g. a large clearing bank) are reached
but never expanded through, unless sanctioned themselves; their own score is down-weighted
and the finding says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

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


def edge_arrays(con: Any, config: AnalysisConfig) -> dict[str, Any]:
    """src, dst, kind_code and exposure weight of every edge with a positive weight."""
    result: dict[str, Any] = con.execute(
        f"""
        SELECT src, dst, kind_code, w FROM (
            SELECT src, dst, CAST(enum_code(kind) AS UTINYINT) AS kind_code,
                   CAST({weight_sql(config)} AS FLOAT) AS w
            FROM g_edges
        ) WHERE w > 0
        """
    ).fetchnumpy()
    return result


def distinct_degree(con: Any, candidates: NDArray[np.int64]) -> NDArray[np.int64]:
    """Distinct neighbours of each candidate (parallel edges, e.g. many payments, count once)."""
    if len(candidates) == 0:
        return np.zeros(0, dtype=np.int64)
    con.register("_hub_candidates", {"ix": candidates.astype(np.int32)})
    rows = con.execute(
        """
        SELECT ix, count(DISTINCT other) FROM (
            SELECT c.ix, e.dst AS other FROM g_edges e JOIN _hub_candidates c ON e.src = c.ix
            UNION ALL
            SELECT c.ix, e.src FROM g_edges e JOIN _hub_candidates c ON e.dst = c.ix
        ) GROUP BY ix
        """
    ).fetchall()
    con.unregister("_hub_candidates")
    found = dict(rows)
    return np.array([found.get(int(ix), 0) for ix in candidates], dtype=np.int64)


def run_exposure(
    con: Any, config: AnalysisConfig, n_nodes: int, seeds: NDArray[np.bool_]
) -> ExposureResult:
    arrays = edge_arrays(con, config)
    src = np.asarray(arrays["src"], dtype=np.int32)
    dst = np.asarray(arrays["dst"], dtype=np.int32)
    w = np.asarray(arrays["w"], dtype=np.float32)
    kind = np.asarray(arrays["kind_code"], dtype=np.int16)
    del arrays
    # Incident edges bound the distinct neighbours from above: only nodes above the hub
    # degree by that bound need the exact (distinct) count.
    degree = np.bincount(src, minlength=n_nodes) + np.bincount(dst, minlength=n_nodes)
    candidates = np.flatnonzero(degree > config.hub_degree)
    degree[candidates] = distinct_degree(con, candidates)
    hub = degree > config.hub_degree
    scores, preds = _relax(src, dst, w, seeds, ~hub | seeds, config.max_hops)
    final = scores[-1].copy()
    final[hub & ~seeds] *= config.hub_penalty
    exposed = np.flatnonzero((final > 0) & ~seeds & (final >= config.min_score))
    path_nodes, path_kinds = _paths(exposed, preds, src, dst, kind)
    return ExposureResult(
        nodes=exposed.astype(np.int64),
        scores=final[exposed],
        path_nodes=path_nodes,
        path_kinds=path_kinds,
        hubs=hub[exposed],
        degree=degree[exposed].astype(np.int64),
    )


def _relax(
    src: NDArray[np.int32],
    dst: NDArray[np.int32],
    w: NDArray[np.float32],
    seeds: NDArray[np.bool_],
    expandable: NDArray[np.bool_],
    max_hops: int,
) -> tuple[list[NDArray[np.float32]], list[NDArray[Any]]]:
    """Scores and predecessor edges after 0..max_hops rounds (one array per round).

    Each round relaxes, in both directions, only the edges leaving a node whose score
    improved in the previous round (the frontier) and that may be expanded (not a hub).
    """
    n = len(seeds)
    score = np.where(seeds, 1.0, 0.0).astype(np.float32)
    pred = np.full(n, -1, dtype=np.int32 if len(src) < 2**31 else np.int64)
    scores, preds = [score], [pred]
    frontier = seeds & expandable
    directions = ((src, dst), (dst, src))
    for _ in range(max_hops):
        new_score = score.copy()
        for u, v in directions:
            active = np.flatnonzero(frontier[u])
            np.maximum.at(new_score, v[active], score[u[active]] * w[active])
            del active
        improved = new_score > score
        new_pred = pred.copy()
        # A second pass finds the edges that gave each improved node its best score; it
        # recomputes the candidates rather than keep both directions' arrays in memory.
        for u, v in directions:
            active = np.flatnonzero(frontier[u])
            target = v[active]
            candidate = score[u[active]] * w[active]
            winners = improved[target] & (candidate == new_score[target])
            new_pred[target[winners]] = active[winners]
            del active, target, candidate, winners
        score, pred = new_score, new_pred
        scores.append(score)
        preds.append(pred)
        frontier = improved & expandable
    return scores, preds


def _paths(
    nodes: NDArray[np.int64],
    preds: list[NDArray[Any]],
    src: NDArray[np.int32],
    dst: NDArray[np.int32],
    kind: NDArray[np.int16],
) -> tuple[NDArray[np.int64], NDArray[np.int16]]:
    """Walk back from each node along the recorded predecessor edges to a sanctioned node."""
    hops = len(preds) - 1
    path_nodes = np.full((len(nodes), hops + 1), -1, dtype=np.int64)
    path_kinds = np.full((len(nodes), hops + 1), -1, dtype=np.int16)
    current = nodes.copy()
    path_nodes[:, 0] = current
    for step, rnd in enumerate(range(hops, 0, -1), start=1):
        edge = preds[rnd][np.maximum(current, 0)]
        live = (current >= 0) & (edge >= 0)
        safe = np.where(live, edge, 0)
        other = np.where(src[safe] == current, dst[safe], src[safe]).astype(np.int64)
        current = np.where(live, other, -1)
        path_nodes[:, step] = current
        path_kinds[:, step] = np.where(live, kind[safe], -1)
    return path_nodes, path_kinds


def run_exposure_sql(
    con: Any, config: AnalysisConfig, n_nodes: int, seeds: NDArray[np.bool_]
) -> ExposureResult:
    """The same exposure as :func:`run_exposure`, every round a DuckDB join (out of core).

    Used when the edge arrays would not fit in memory; it is also the plan a Spark job runs.
    """
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE ew AS
        SELECT * FROM (
            SELECT rn AS eid, src, dst, CAST(enum_code(kind) AS UTINYINT) AS kind_code,
                   CAST({weight_sql(config)} AS FLOAT) AS w
            FROM g_edges
        ) WHERE w > 0
        """
    )
    con.register("_seeds", {"ix": np.flatnonzero(seeds).astype(np.int32)})
    con.execute("CREATE OR REPLACE TEMP TABLE sd AS SELECT ix FROM _seeds")
    con.unregister("_seeds")
    _hubs_sql(con, config.hub_degree)
    con.execute(
        "CREATE OR REPLACE TEMP TABLE sc0 AS "
        "SELECT ix, CAST(1.0 AS FLOAT) AS score, CAST(-1 AS BIGINT) AS pred FROM sd"
    )
    con.execute("CREATE OR REPLACE TEMP TABLE fr AS SELECT ix FROM sd")
    for r in range(1, config.max_hops + 1):
        con.execute(
            f"""
            CREATE OR REPLACE TEMP TABLE best AS
            SELECT ix, max(s) AS s, arg_max(eid, s) AS eid FROM (
                SELECT e.dst AS ix, p.score * e.w AS s, e.eid
                FROM fr JOIN sc{r - 1} p ON p.ix = fr.ix JOIN ew e ON e.src = fr.ix
                UNION ALL
                SELECT e.src, p.score * e.w, e.eid
                FROM fr JOIN sc{r - 1} p ON p.ix = fr.ix JOIN ew e ON e.dst = fr.ix
            ) GROUP BY ix
            """
        )
        con.execute(
            f"""
            CREATE OR REPLACE TEMP TABLE sc{r} AS
            SELECT coalesce(p.ix, b.ix) AS ix,
                   CASE WHEN b.s > coalesce(p.score, 0) THEN b.s ELSE p.score END AS score,
                   CASE WHEN b.s > coalesce(p.score, 0) THEN b.eid ELSE p.pred END AS pred
            FROM sc{r - 1} p FULL OUTER JOIN best b ON p.ix = b.ix
            """
        )
        con.execute(
            f"""
            CREATE OR REPLACE TEMP TABLE fr AS
            SELECT b.ix FROM best b LEFT JOIN sc{r - 1} p ON p.ix = b.ix
            WHERE b.s > coalesce(p.score, 0) AND b.ix NOT IN (SELECT ix FROM hubs)
            """
        )
    return _exposure_from_sql(con, config)


def _hubs_sql(con: Any, hub_degree: int) -> None:
    """Table hubs(ix, degree): more than ``hub_degree`` distinct neighbours, not seeds."""
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE hubs AS
        WITH incident AS (
            SELECT ix FROM (SELECT src AS ix FROM ew UNION ALL SELECT dst FROM ew)
            GROUP BY ix HAVING count(*) > {hub_degree}
        ),
        distinct_degree AS (
            SELECT ix, count(DISTINCT other) AS degree FROM (
                SELECT e.src AS ix, e.dst AS other FROM ew e SEMI JOIN incident i ON e.src = i.ix
                UNION ALL
                SELECT e.dst, e.src FROM ew e SEMI JOIN incident i ON e.dst = i.ix
            ) GROUP BY ix
        )
        SELECT ix, degree FROM distinct_degree
        WHERE degree > {hub_degree} AND ix NOT IN (SELECT ix FROM sd)
        """
    )


def _exposure_from_sql(con: Any, config: AnalysisConfig) -> ExposureResult:
    hops = config.max_hops
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE walk AS
        SELECT s.ix AS node, s.ix AS cur, CAST(s.score AS FLOAT) AS score
        FROM sc{hops} s WHERE s.ix NOT IN (SELECT ix FROM sd)
        """
    )
    # Walk back along the predecessors, one join per round, as the in-memory path does.
    for step, rnd in enumerate(range(hops, 0, -1), start=1):
        con.execute(
            f"""
            CREATE OR REPLACE TEMP TABLE walk AS
            SELECT w.*,
                   CASE WHEN e.eid IS NULL THEN -1
                        WHEN e.src = w.cur THEN e.dst ELSE e.src END AS p{step},
                   coalesce(CAST(e.kind_code AS SMALLINT), -1) AS k{step},
                   CASE WHEN e.eid IS NULL THEN -1
                        WHEN e.src = w.cur THEN e.dst ELSE e.src END AS next_cur
            FROM walk w
            LEFT JOIN sc{rnd} s ON s.ix = w.cur AND w.cur >= 0
            LEFT JOIN ew e ON e.eid = s.pred
            """
        )
        con.execute("ALTER TABLE walk DROP COLUMN cur")
        con.execute("ALTER TABLE walk RENAME COLUMN next_cur TO cur")
    columns = ", ".join([f"p{i}, k{i}" for i in range(1, hops + 1)] or ["1 AS none"])
    data = con.execute(
        f"""
        SELECT w.node, w.score, coalesce(h.degree, 0) AS degree, h.ix IS NOT NULL AS hub, {columns}
        FROM walk w LEFT JOIN hubs h ON h.ix = w.node ORDER BY w.node
        """
    ).fetchnumpy()
    nodes = np.asarray(data["node"], dtype=np.int64)
    scores = np.asarray(data["score"], dtype=np.float32)
    hub = np.asarray(data["hub"], dtype=bool)
    scores[hub] *= config.hub_penalty
    keep = (scores > 0) & (scores >= config.min_score)
    path_nodes = np.full((len(nodes), hops + 1), -1, dtype=np.int64)
    path_kinds = np.full((len(nodes), hops + 1), -1, dtype=np.int16)
    path_nodes[:, 0] = nodes
    for i in range(1, hops + 1):
        path_nodes[:, i] = np.asarray(data[f"p{i}"], dtype=np.int64)
        path_kinds[:, i] = np.asarray(data[f"k{i}"], dtype=np.int16)
    return ExposureResult(
        nodes=nodes[keep],
        scores=scores[keep],
        path_nodes=path_nodes[keep],
        path_kinds=path_kinds[keep],
        hubs=hub[keep],
        degree=np.asarray(data["degree"], dtype=np.int64)[keep],
    )
