"""The 50 % rule as iterated joins to a fixpoint, with a proof for every blocked entity.

Aggregating regimes (OFAC, EU): the blocked set B starts as the sanctioned nodes; each round,
for every asset held by an owner that joined B in the previous round, the shares held by all
owners in B are summed, and the asset joins B when the sum passes the regime's threshold.
Ownership passes only through blocked entities: a 40 %-owned company is not blocked, so what
it owns is not reached by that route. EU control: a blocked director or representative of an
organisation also puts it in B.

UK (no aggregation across designated persons): for each designated person P the set C(P) of
entities P owns directly or indirectly starts as {P}; an entity joins C(P) when the members of
C(P) together hold more than 50 % of it. An entity is blocked when it is in some C(P).

Both only ever add to a set, so they reach a fixpoint; cycles of ownership end there too.
The rounds are bounded by ``max_rounds`` all the same. Every step is a join and a GROUP BY,
so the same algorithm runs on Spark.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from sanctionscope.network.config import RegimeRule
from sanctionscope.network.model import InputError

Chain = list[tuple[int, str | None]]  # (node ix, edge kind from the previous step)


@dataclass
class Holding:
    owner: int  # a blocked owner, or the designated person (UK) whose group holds the share
    share: float
    chain: Chain  # from the blocked entity up to a sanctioned node


@dataclass
class BlockedProof:
    ix: int
    round: int
    total: float = 0.0
    holdings: list[Holding] = field(default_factory=list)
    controllers: list[tuple[int, str, Chain]] = field(default_factory=list)  # EU control


@dataclass
class OwnershipResult:
    blocked: dict[int, BlockedProof]
    rounds: int
    errors: list[InputError]


def _threshold_sql(rule: RegimeRule, column: str) -> str:
    if rule.inclusive:
        return f"{column} >= {rule.threshold} - 1e-9"
    return f"{column} > {rule.threshold} + 1e-9"


def prepare_ownership(con: Any, rule: RegimeRule) -> None:
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE own AS
        SELECT src, dst, sum(share) AS share FROM g_edges
        WHERE kind = 'ownership' AND share > 0 GROUP BY src, dst
        """
    )
    if not rule.control_kinds:  # OFAC and UK: ownership only (no scan of every edge)
        con.execute(
            "CREATE OR REPLACE TEMP TABLE ctl AS SELECT src, dst, kind FROM g_edges WHERE FALSE"
        )
        return
    kinds = ", ".join(f"'{k}'" for k in rule.control_kinds)
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE ctl AS
        SELECT DISTINCT e.src, e.dst, e.kind FROM g_edges e JOIN g_nodes n ON e.dst = n.ix
        WHERE e.kind IN ({kinds}) AND n.schema IS DISTINCT FROM 'Person'
        """
    )


def run_ownership_rule(con: Any, rule: RegimeRule, max_rounds: int) -> OwnershipResult:
    prepare_ownership(con, rule)
    errors = ownership_cycles(con)
    if rule.aggregate:
        rounds = _aggregate_fixpoint(con, rule, max_rounds)
        blocked = _aggregate_proofs(con)
    else:
        rounds = _per_person_fixpoint(con, rule, max_rounds)
        blocked = _per_person_proofs(con)
    if rounds >= max_rounds:
        errors.append(
            InputError("truncated", f"the 50 % rule stopped after {max_rounds} rounds (max_rounds)")
        )
    return OwnershipResult(blocked, rounds, errors)


def _aggregate_fixpoint(con: Any, rule: RegimeRule, max_rounds: int) -> int:
    con.execute(
        "CREATE OR REPLACE TEMP TABLE blocked AS "
        "SELECT ix, 0 AS round FROM g_nodes WHERE sanctioned"
    )
    rounds = 0
    for r in range(1, max_rounds + 1):
        rounds = r
        con.execute(
            f"""
            INSERT INTO blocked
            WITH fresh AS (SELECT ix FROM blocked WHERE round = {r - 1}),
            touched AS (
                SELECT DISTINCT o.dst FROM own o JOIN fresh f ON o.src = f.ix
                UNION SELECT DISTINCT c.dst FROM ctl c JOIN fresh f ON c.src = f.ix
            ),
            open AS (SELECT dst FROM touched WHERE dst NOT IN (SELECT ix FROM blocked)),
            totals AS (
                SELECT o.dst, sum(o.share) AS total
                FROM own o JOIN blocked b ON o.src = b.ix JOIN open ON o.dst = open.dst
                GROUP BY o.dst
            ),
            controlled AS (
                SELECT DISTINCT c.dst FROM ctl c JOIN blocked b ON c.src = b.ix
                JOIN open ON c.dst = open.dst
            )
            SELECT dst, {r} FROM totals WHERE {_threshold_sql(rule, "total")}
            UNION SELECT dst, {r} FROM controlled
            """
        )
        added = con.execute(f"SELECT count(*) FROM blocked WHERE round = {r}").fetchone()[0]
        if added == 0:
            break
    return rounds


def _aggregate_proofs(con: Any) -> dict[int, BlockedProof]:
    rounds = dict(con.execute("SELECT ix, round FROM blocked").fetchall())
    holders: dict[int, list[tuple[int, float]]] = defaultdict(list)
    for src, dst, share in con.execute(
        """
        SELECT o.src, o.dst, o.share FROM own o
        JOIN blocked s ON o.src = s.ix JOIN blocked d ON o.dst = d.ix WHERE d.round > 0
        """
    ).fetchall():
        holders[dst].append((src, float(share)))
    controllers: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for src, dst, kind in con.execute(
        """
        SELECT c.src, c.dst, c.kind FROM ctl c
        JOIN blocked s ON c.src = s.ix JOIN blocked d ON c.dst = d.ix WHERE d.round > 0
        """
    ).fetchall():
        controllers[dst].append((src, kind))

    def chain_up(ix: int) -> Chain:
        # Follow, from a blocked entity, the largest holding (or control) by an owner that was
        # blocked in an earlier round: rounds strictly fall, so the chain ends at a sanctioned node.
        chain: Chain = []
        current = ix
        while rounds.get(current, 0) > 0:
            earlier = [
                (share, owner)
                for owner, share in holders.get(current, [])
                if rounds[owner] < rounds[current]
            ]
            if earlier:
                _share, owner = max(earlier)
                chain.append((owner, "ownership"))
            else:
                owner, kind = min(
                    (c for c in controllers[current] if rounds[c[0]] < rounds[current]),
                    key=lambda c: rounds[c[0]],
                )
                chain.append((owner, kind))
            current = owner
        return chain

    proofs: dict[int, BlockedProof] = {}
    for ix, round_ in rounds.items():
        if round_ == 0:
            continue
        owned = sorted(holders.get(ix, []), key=lambda h: (-h[1], h[0]))
        proof = BlockedProof(ix, round_, total=round(sum(s for _, s in owned), 6))
        proof.holdings = [
            Holding(owner, share, [(ix, None), (owner, "ownership"), *chain_up(owner)])
            for owner, share in owned
        ]
        proof.controllers = [
            (owner, kind, [(ix, None), (owner, kind), *chain_up(owner)])
            for owner, kind in sorted(controllers.get(ix, []))
        ]
        proofs[ix] = proof
    return proofs


def _per_person_fixpoint(con: Any, rule: RegimeRule, max_rounds: int) -> int:
    con.execute(
        "CREATE OR REPLACE TEMP TABLE ctrl AS "
        "SELECT ix AS p, ix AS v, 0 AS round FROM g_nodes WHERE sanctioned"
    )
    rounds = 0
    for r in range(1, max_rounds + 1):
        rounds = r
        con.execute(
            f"""
            INSERT INTO ctrl
            WITH touched AS (
                SELECT DISTINCT c.p, o.dst FROM own o JOIN ctrl c ON o.src = c.v
                WHERE c.round = {r - 1}
            ),
            open AS (
                SELECT t.p, t.dst FROM touched t
                ANTI JOIN ctrl x ON x.p = t.p AND x.v = t.dst
            ),
            totals AS (
                SELECT c.p, o.dst, sum(o.share) AS total
                FROM own o JOIN ctrl c ON o.src = c.v
                JOIN open ON open.p = c.p AND open.dst = o.dst
                GROUP BY c.p, o.dst
            )
            SELECT p, dst, {r} FROM totals WHERE {_threshold_sql(rule, "total")}
            """
        )
        added = con.execute(f"SELECT count(*) FROM ctrl WHERE round = {r}").fetchone()[0]
        if added == 0:
            break
    return rounds


def _per_person_proofs(con: Any) -> dict[int, BlockedProof]:
    rounds: dict[tuple[int, int], int] = {
        (p, v): r for p, v, r in con.execute("SELECT p, v, round FROM ctrl").fetchall()
    }
    sanctioned = {p for (p, v), r in rounds.items() if r == 0}
    # holdings[(p, v)]: members of P's group holding v, with their shares.
    holdings: dict[tuple[int, int], list[tuple[int, float]]] = defaultdict(list)
    for p, src, dst, share in con.execute(
        """
        SELECT c.p, o.src, o.dst, o.share FROM own o
        JOIN ctrl c ON o.src = c.v
        JOIN ctrl d ON d.p = c.p AND d.v = o.dst
        WHERE d.round > 0
        """
    ).fetchall():
        holdings[(p, dst)].append((src, float(share)))

    def chain_up(p: int, ix: int) -> Chain:
        chain: Chain = []
        current = ix
        while current != p:
            here = rounds[(p, current)]
            _share, holder = max(
                (share, holder)
                for holder, share in holdings[(p, current)]
                if rounds[(p, holder)] < here
            )
            chain.append((holder, "ownership"))
            current = holder
        return chain

    proofs: dict[int, BlockedProof] = {}
    for (p, v), round_ in sorted(rounds.items(), key=lambda item: item[1]):
        if round_ == 0 or v in sanctioned:
            continue
        proof = proofs.setdefault(v, BlockedProof(v, round_))
        group_total = round(sum(share for _, share in holdings[(p, v)]), 6)
        # The designated person holding most (directly or through entities it owns) proves it.
        if group_total > proof.total:
            proof.total = group_total
        proof.holdings.append(Holding(p, group_total, [(v, None), *chain_up(p, v)]))
    for proof in proofs.values():
        proof.holdings.sort(key=lambda h: (-h.share, h.owner))
    return proofs


def ownership_cycles(con: Any, limit: int = 20) -> list[InputError]:
    """Ownership cycles (A owns B owns A): reported as information, handled by the fixpoint."""
    rows = con.execute("SELECT src, dst FROM own").fetchnumpy()
    if len(rows["src"]) == 0:
        return []
    src = np.asarray(rows["src"], dtype=np.int64)
    dst = np.asarray(rows["dst"], dtype=np.int64)
    # Node ix as matrix index: components of nodes without holdings are single nodes.
    n = int(max(src.max(), dst.max())) + 1
    graph = coo_matrix((np.ones(len(src), dtype=np.int8), (src, dst)), shape=(n, n)).tocsr()
    count, labels = connected_components(graph, directed=True, connection="strong")
    sizes = np.bincount(labels, minlength=count)
    in_cycle = np.flatnonzero(sizes[labels] > 1)
    if len(in_cycle) == 0:
        return []
    members: dict[int, list[int]] = defaultdict(list)
    for ix in in_cycle:
        members[int(labels[ix])].append(int(ix))
    wanted = sorted({ix for group in members.values() for ix in group[:10]})
    con.register("_cycle_ix", {"ix": np.array(wanted, dtype=np.int64)})
    ids = dict(
        con.execute("SELECT n.ix, n.id FROM g_nodes n JOIN _cycle_ix c ON n.ix = c.ix").fetchall()
    )
    con.unregister("_cycle_ix")
    errors = []
    for label in sorted(members, key=lambda lab: min(members[lab]))[:limit]:
        group = sorted(members[label])
        names = ", ".join(ids[ix] for ix in group[:10]) + (" …" if len(group) > 10 else "")
        errors.append(
            InputError(
                "ownership_cycle",
                f"ownership cycle among {len(group)} entities: {names} "
                "(handled: the 50 % rule stops at its fixpoint)",
                ids[group[0]],
            )
        )
    if len(members) > limit:
        errors.append(InputError("truncated", f"{len(members) - limit} more ownership cycles"))
    return errors
