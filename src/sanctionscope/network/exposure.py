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
from sanctionscope.network.model import EDGE_KINDS, distinct


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
    """src, dst, kind_code and exposure weight of every edge (weight 0: no exposure over it)."""
    result: dict[str, Any] = con.execute(
        f"""
        SELECT src, dst, CAST(enum_code(kind) AS UTINYINT) AS kind_code,
               CAST({weight_sql(config)} AS FLOAT) AS w
        FROM g_edges
        """
    ).fetchnumpy()
    return result


@dataclass
class Hubs:
    """Distinct neighbours of every node that has more than ``hub_degree`` incident edges.

    Incident edges bound the distinct neighbours from above, so only those nodes need the
    exact (distinct) count; parallel edges, e.g. many payments, count once.
    """

    candidates: NDArray[np.int64]  # sorted node ix
    distinct: NDArray[np.int64]  # distinct neighbours of each candidate

    def typology_hubs(self, hub_degree: int) -> NDArray[np.int64]:
        """Nodes with more than ``hub_degree`` distinct neighbours over all edges."""
        return self.candidates[self.distinct > hub_degree]


def find_hubs(
    src: NDArray[np.int64], dst: NDArray[np.int64], incident: NDArray[np.int64], hub_degree: int
) -> Hubs:
    n = len(incident)
    candidates = np.flatnonzero(incident > hub_degree).astype(np.int64)
    if len(candidates) == 0:
        return Hubs(candidates, np.zeros(0, dtype=np.int64))
    is_candidate = np.zeros(n, dtype=bool)
    is_candidate[candidates] = True
    pairs = []
    for u, v in ((src, dst), (dst, src)):
        at = np.flatnonzero(is_candidate[u])
        pairs.append(u[at] * n + v[at])
        del at
    owners = distinct(np.concatenate(pairs)) // n
    del pairs
    neighbours = np.searchsorted(owners, candidates, side="right") - np.searchsorted(
        owners, candidates, side="left"
    )
    return Hubs(candidates, neighbours.astype(np.int64))


def incident_edges(src: NDArray[np.int64], dst: NDArray[np.int64], n: int) -> NDArray[np.int64]:
    """Edges at each node."""
    counts: NDArray[np.int64] = np.bincount(src, minlength=n)
    counts += np.bincount(dst, minlength=n)
    return counts


def run_exposure(
    con: Any, config: AnalysisConfig, n_nodes: int, seeds: NDArray[np.bool_]
) -> tuple[ExposureResult, NDArray[np.int64]]:
    """Exposure on in-memory edge arrays; also the hubs of the typologies (all edges)."""
    arrays = edge_arrays(con, config)
    # 64-bit node numbers: NumPy gathers with 32-bit indices are four times slower (each
    # converts its index array), and every round gathers over all edges.
    src = np.asarray(arrays["src"], dtype=np.int64)
    dst = np.asarray(arrays["dst"], dtype=np.int64)
    w = np.asarray(arrays["w"], dtype=np.float32)
    kind = np.asarray(arrays["kind_code"], dtype=np.int16)
    del arrays
    incident = incident_edges(src, dst, n_nodes)
    hubs = find_hubs(src, dst, incident, config.hub_degree)
    positive = w > 0
    if not positive.all():
        src, dst, w, kind = src[positive], dst[positive], w[positive], kind[positive]
        incident = incident_edges(src, dst, n_nodes)
    del positive
    # Hub degrees over all edges, for the nodes with more incident edges of positive weight
    # than the hub degree (a subset of the candidates over all edges).
    degree = incident
    heavy = np.flatnonzero(incident > config.hub_degree)
    degree[heavy] = hubs.distinct[np.searchsorted(hubs.candidates, heavy)]
    hub = degree > config.hub_degree
    scores, preds = _relax(src, dst, w, kind, seeds, ~hub | seeds, config.max_hops)
    final = scores[-1].copy()
    final[hub & ~seeds] *= config.hub_penalty
    exposed = np.flatnonzero((final > 0) & ~seeds & (final >= config.min_score))
    path_nodes, path_kinds = _paths(exposed, preds, src, dst, kind)
    result = ExposureResult(
        nodes=exposed.astype(np.int64),
        scores=final[exposed],
        path_nodes=path_nodes,
        path_kinds=path_kinds,
        hubs=hub[exposed],
        degree=degree[exposed].astype(np.int64),
    )
    return result, hubs.typology_hubs(config.hub_degree)


def _relax(
    src: NDArray[np.int64],
    dst: NDArray[np.int64],
    w: NDArray[np.float32],
    kind: NDArray[np.int16],
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
        # Only the (few) edges at the frontier are kept between the two passes.
        active = [np.flatnonzero(frontier[u]) for u, _v in directions]
        for (u, v), edges in zip(directions, active, strict=True):
            np.maximum.at(new_score, v[edges], score[u[edges]] * w[edges])
        improved = new_score > score
        new_pred = pred.copy()
        _best_predecessors(new_pred, improved, score, new_score, directions, active, w, kind)
        del active
        score, pred = new_score, new_pred
        scores.append(score)
        preds.append(pred)
        frontier = improved & expandable
    return scores, preds


def _best_predecessors(
    pred: NDArray[Any],
    improved: NDArray[np.bool_],
    score: NDArray[np.float32],
    new_score: NDArray[np.float32],
    directions: tuple[tuple[NDArray[np.int64], NDArray[np.int64]], ...],
    active: list[NDArray[np.intp]],
    w: NDArray[np.float32],
    kind: NDArray[np.int16],
) -> None:
    """Record, for each improved node, an edge that gave it its best score.

    Among equally good edges the one from the lowest node ix, then the lowest kind code, is
    chosen: paths do not depend on the order of the edges (which parallel joins do not keep).
    Equally good parallel edges of one kind between the same two nodes make the same path.
    """
    targets, keys, edges = [], [], []
    for (u, v), at in zip(directions, active, strict=True):
        target = v[at]
        winners = improved[target] & (score[u[at]] * w[at] == new_score[target])
        targets.append(target[winners])
        keys.append(u[at[winners]] * len(EDGE_KINDS) + kind[at[winners]])
        edges.append(at[winners])
    target = np.concatenate(targets)
    key = np.concatenate(keys)
    best = np.full(len(pred), np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(best, target, key)
    chosen = key == best[target]
    pred[target[chosen]] = np.concatenate(edges)[chosen]


def _paths(
    nodes: NDArray[np.int64],
    preds: list[NDArray[Any]],
    src: NDArray[np.int64],
    dst: NDArray[np.int64],
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
    hubs_sql(con, "hubs", "ew", config.hub_degree, exclude="sd")  # seeds are never hubs
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


def hubs_sql(con: Any, table: str, edges: str, hub_degree: int, exclude: str | None = None) -> None:
    """Table ``table``(ix, degree): the nodes with more than ``hub_degree`` distinct
    neighbours over the edge table ``edges``, less the nodes of the table ``exclude``."""
    excluded = f"AND ix NOT IN (SELECT ix FROM {exclude})" if exclude else ""
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE {table} AS
        WITH incident AS (
            SELECT ix FROM (SELECT src AS ix FROM {edges} UNION ALL SELECT dst FROM {edges})
            GROUP BY ix HAVING count(*) > {int(hub_degree)}
        ),
        distinct_degree AS (
            SELECT ix, count(DISTINCT other) AS degree FROM (
                SELECT e.src AS ix, e.dst AS other FROM {edges} e
                SEMI JOIN incident i ON e.src = i.ix
                UNION ALL
                SELECT e.dst, e.src FROM {edges} e SEMI JOIN incident i ON e.dst = i.ix
            ) GROUP BY ix
        )
        SELECT ix, degree FROM distinct_degree WHERE degree > {int(hub_degree)} {excluded}
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
