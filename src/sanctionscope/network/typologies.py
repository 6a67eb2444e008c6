"""Evasion typologies: named detectors, each a few joins over ``g_edges``, each hit explained.

"Sanctioned-linked" below means a sanctioned or blocked entity (table ``sl``), or, where said,
an entity that acts for one as an intermediary (table ``slink``: ``ix`` acts for ``s``).

- proxy_correspondent_bank: holds correspondent accounts for a sanctioned bank, routes payments
  on its behalf (intermediary), or (nested) holds accounts for such a proxy.
- front_company: an organisation founded at most ``front_company_days`` before its first funds
  from, or on behalf of, a sanctioned party; or sharing an address, phone, email or tax id, or
  an officer, with one; or directed by one.
- pass_through: funds in from a sanctioned-linked party and out again (or in, and out to one)
  within ``pass_through_days``, for an amount within ``amount_tolerance``.
- round_trip: a cycle of 2..``round_trip_max_length`` payments, dated in order within
  ``round_trip_days`` and of similar amounts, that starts by paying, or being a sanctioned-linked
  party, and comes back to its origin.
- fan_in / fan_out: an entity collects from at least ``fan_min_counterparties`` payers in the
  ``fan_days`` before paying a sanctioned-linked party (fan-in), or pays at least that many
  beneficiaries in the days after receiving from one (fan-out).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
from numpy.typing import NDArray

from sanctionscope.network.config import AnalysisConfig
from sanctionscope.network.exposure import hubs_sql
from sanctionscope.network.ownership import Chain

TYPOLOGIES = (
    "proxy_correspondent_bank",
    "front_company",
    "pass_through",
    "round_trip",
    "fan_in",
    "fan_out",
)


@dataclass
class TypologyHit:
    ix: int
    typology: str
    score: float
    explanation: str  # a format string over ``refs`` (node labels)
    refs: dict[str, int] = field(default_factory=dict)
    paths: list[Chain] = field(default_factory=list)


def run_typologies(
    con: Any,
    config: AnalysisConfig,
    blocked: NDArray[np.int64],
    hubs: NDArray[np.int64] | None = None,
) -> list[TypologyHit]:
    """Every detector's hits. ``hubs``: the nodes with more than ``hub_degree`` distinct
    neighbours, when the caller has them (the in-memory exposure counts them on its arrays)."""
    _prepare(con, blocked, config.hub_degree, hubs)
    hits: list[TypologyHit] = []
    hits += proxy_correspondent_bank(con)
    hits += front_company(con, config)
    hits += pass_through(con, config)
    hits += round_trip(con, config)
    hits += fan_in_out(con, config)
    return hits


def _prepare(
    con: Any, blocked: NDArray[np.int64], hub_degree: int, hubs: NDArray[np.int64] | None
) -> None:
    # Hubs (a clearing bank with thousands of customers) move everyone's money: their
    # ordinary traffic looks like pass-through and fan-in/out, so they are not the middle
    # node of those detectors. They still count as proxy correspondent banks.
    if hubs is not None:
        con.register("_hubs", {"ix": np.asarray(hubs, dtype=np.int32)})
        con.execute("CREATE OR REPLACE TEMP TABLE typology_hubs AS SELECT ix FROM _hubs")
        con.unregister("_hubs")
    else:
        hubs_sql(con, "typology_hubs", "g_edges", hub_degree)
    con.register("_blocked", {"ix": np.asarray(blocked, dtype=np.int64)})
    con.execute(
        "CREATE OR REPLACE TEMP TABLE sl AS SELECT ix FROM g_nodes WHERE sanctioned "
        "UNION SELECT CAST(ix AS INTEGER) FROM _blocked"
    )
    con.unregister("_blocked")
    con.execute(
        """
        CREATE OR REPLACE TEMP VIEW pay AS
        SELECT src, dst, amount, currency, date FROM g_edges WHERE kind = 'payment'
        """
    )
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE slink AS
        SELECT ix, ix AS s, FALSE AS via FROM sl
        UNION SELECT e.src, e.dst, TRUE FROM g_edges e JOIN sl ON e.dst = sl.ix
        WHERE e.kind = 'intermediary' AND e.src NOT IN (SELECT ix FROM sl)
        """
    )


def _money(amount: float | None, currency: str | None) -> str:
    if amount is None:
        return "an unknown amount"
    return f"{amount:,.2f} {currency or ''}".strip()


def _day(value: date | None) -> str:
    return value.isoformat() if value else "an unknown date"


def _with_principal(chain: Chain, payer: int, principal: int, via: bool) -> Chain:
    """Extend a chain ending at ``payer`` with the principal the payer acted for."""
    return [*chain, (principal, "intermediary")] if via and principal != payer else chain


def proxy_correspondent_bank(con: Any) -> list[TypologyHit]:
    hits: list[TypologyHit] = []
    for x, s in con.execute(
        """
        SELECT DISTINCT e.dst, e.src FROM g_edges e JOIN sl ON e.src = sl.ix
        WHERE e.kind = 'correspondent' AND e.dst NOT IN (SELECT ix FROM sl)
        ORDER BY ALL
        """
    ).fetchall():
        hits.append(
            TypologyHit(
                x,
                "proxy_correspondent_bank",
                0.9,
                "holds correspondent account(s) for sanctioned {s}",
                {"s": s},
                [[(x, None), (s, "correspondent")]],
            )
        )
    for x, s in con.execute(
        """
        SELECT DISTINCT e.src, e.dst FROM g_edges e JOIN sl ON e.dst = sl.ix
        WHERE e.kind = 'intermediary' AND e.src NOT IN (SELECT ix FROM sl)
        ORDER BY ALL
        """
    ).fetchall():
        hits.append(
            TypologyHit(
                x,
                "proxy_correspondent_bank",
                0.9,
                "routes payments on behalf of sanctioned {s} (intermediary)",
                {"s": s},
                [[(x, None), (s, "intermediary")]],
            )
        )
    for y, p, s in con.execute(
        """
        SELECT DISTINCT n.dst, n.src, c.src FROM g_edges c JOIN sl ON c.src = sl.ix
        JOIN g_edges n ON n.src = c.dst AND n.kind = 'correspondent'
        WHERE c.kind = 'correspondent' AND c.dst NOT IN (SELECT ix FROM sl)
          AND n.dst NOT IN (SELECT ix FROM sl) AND n.dst <> c.dst
        ORDER BY ALL
        """
    ).fetchall():
        hits.append(
            TypologyHit(
                y,
                "proxy_correspondent_bank",
                0.6,
                "nested correspondent: holds account(s) for {p}, which holds "
                "correspondent account(s) for sanctioned {s}",
                {"p": p, "s": s},
                [[(y, None), (p, "correspondent"), (s, "correspondent")]],
            )
        )
    return hits


def front_company(con: Any, config: AnalysisConfig) -> list[TypologyHit]:
    days = config.typology.front_company_days
    hits: list[TypologyHit] = []
    rows = con.execute(
        f"""
        WITH funds AS (
            SELECT p.dst AS x, p.src AS payer, k.s, k.via, p.date, p.amount, p.currency
            FROM pay p JOIN slink k ON p.src = k.ix WHERE p.date IS NOT NULL
        ),
        firsts AS (
            SELECT * FROM funds
            QUALIFY row_number() OVER (
                PARTITION BY x ORDER BY date, amount DESC, payer, s, via, currency
            ) = 1
        )
        SELECT f.x, f.payer, f.s, f.via, f.date, f.amount, f.currency, n.founded,
               date_diff('day', n.founded, f.date) AS age
        FROM firsts f JOIN g_nodes n ON n.ix = f.x
        WHERE n.schema IS DISTINCT FROM 'Person' AND n.founded IS NOT NULL
          AND f.x NOT IN (SELECT ix FROM sl)
          AND date_diff('day', n.founded, f.date) BETWEEN 0 AND {days}
        ORDER BY f.x
        """
    ).fetchall()
    for x, payer, s, via, day, amount, currency, founded, age in rows:
        how = "from {p} on behalf of sanctioned {s}" if via else "from sanctioned {s}"
        hits.append(
            TypologyHit(
                x,
                "front_company",
                0.8,
                f"founded {_day(founded)}, first received funds {how}: {_money(amount, currency)} "
                f"on {_day(day)}, {age} days later (window {days} days)",
                {"p": payer, "s": s},
                [_with_principal([(x, None), (payer, "payment")], payer, s, via)],
            )
        )
    for x, s, kind in con.execute(
        """
        SELECT DISTINCT x, s, kind FROM (
            SELECT e.src AS x, e.dst AS s, e.kind FROM g_edges e JOIN sl ON e.dst = sl.ix
            WHERE e.kind LIKE 'shared_%'
            UNION ALL
            SELECT e.dst, e.src, e.kind FROM g_edges e JOIN sl ON e.src = sl.ix
            WHERE e.kind LIKE 'shared_%'
        ) t JOIN g_nodes n ON n.ix = t.x
        WHERE n.schema IS DISTINCT FROM 'Person' AND t.x NOT IN (SELECT ix FROM sl)
        ORDER BY ALL
        """
    ).fetchall():
        attribute = kind.removeprefix("shared_").replace("_", " ")
        hits.append(
            TypologyHit(
                x,
                "front_company",
                0.8 if kind == "shared_tax_id" else 0.6,
                f"shares its {attribute} with sanctioned {{s}}",
                {"s": s},
                [[(x, None), (s, kind)]],
            )
        )
    for x, d, s in con.execute(
        """
        WITH officers AS (
            SELECT DISTINCT b.src AS d, b.dst AS s FROM g_edges b SEMI JOIN sl ON b.dst = sl.ix
            WHERE b.kind = 'directorship'
        ),
        boards AS (
            SELECT DISTINCT a.dst AS x, a.src AS d, o.s FROM g_edges a
            JOIN officers o ON a.src = o.d
            WHERE a.kind = 'directorship' AND a.dst <> o.s
        )
        SELECT b.x, b.d, b.s FROM boards b
        SEMI JOIN g_nodes n ON n.ix = b.x AND n.schema IS DISTINCT FROM 'Person'
        ANTI JOIN sl ON sl.ix = b.x
        ORDER BY ALL
        """
    ).fetchall():
        hits.append(
            TypologyHit(
                x,
                "front_company",
                0.6,
                "shares an officer, {d}, with sanctioned {s}",
                {"d": d, "s": s},
                [[(x, None), (d, "directorship"), (s, "directorship")]],
            )
        )
    for x, s, kind in con.execute(
        """
        SELECT DISTINCT e.dst, e.src, e.kind FROM g_edges e JOIN sl ON e.src = sl.ix
        JOIN g_nodes n ON n.ix = e.dst
        WHERE e.kind IN ('directorship', 'representation') AND n.schema IS DISTINCT FROM 'Person'
          AND e.dst NOT IN (SELECT ix FROM sl)
        ORDER BY ALL
        """
    ).fetchall():
        hits.append(
            TypologyHit(
                x,
                "front_company",
                0.7,
                f"sanctioned {{s}} is its {'director' if kind == 'directorship' else 'representative'}",
                {"s": s},
                [[(x, None), (s, kind)]],
            )
        )
    return hits


def pass_through(con: Any, config: AnalysisConfig) -> list[TypologyHit]:
    t = config.typology
    rows = con.execute(
        f"""
        WITH inflow AS (
            SELECT i.dst AS x, i.src AS p, k.s, k.via, i.amount AS ai, i.currency AS ci,
                   i.date AS di
            FROM pay i JOIN slink k ON i.src = k.ix
            ANTI JOIN sl ON sl.ix = i.dst ANTI JOIN typology_hubs h ON h.ix = i.dst
        ),
        outflow AS (
            SELECT o.src AS x, o.dst AS q, k.s, k.via, o.amount AS ao, o.date AS dout
            FROM pay o JOIN slink k ON o.dst = k.ix
            ANTI JOIN sl ON sl.ix = o.src ANTI JOIN typology_hubs h ON h.ix = o.src
        ),
        flows AS (
            SELECT f.x, f.p, o.dst AS q, f.s, f.via, TRUE AS inbound, f.ai, f.ci, f.di,
                   o.amount AS ao, o.date AS dout
            FROM inflow f JOIN pay o ON o.src = f.x
            WHERE o.date BETWEEN f.di AND f.di + {int(t.pass_through_days)}
              AND abs(o.amount - f.ai) <= {t.amount_tolerance} * f.ai AND o.dst <> f.p
            UNION ALL
            SELECT g.x, i.src, g.q, g.s, g.via, FALSE, i.amount, i.currency, i.date, g.ao, g.dout
            FROM outflow g JOIN pay i ON i.dst = g.x
            WHERE g.dout BETWEEN i.date AND i.date + {int(t.pass_through_days)}
              AND abs(g.ao - i.amount) <= {t.amount_tolerance} * i.amount AND g.q <> i.src
        )
        SELECT x, p, q, s, via, inbound, ai, ci, di, ao, dout FROM flows
        QUALIFY row_number() OVER (
            PARTITION BY x ORDER BY ai DESC, di, p, q, dout, ao, s, via, inbound
        ) <= {t.max_paths}
        ORDER BY x, ai DESC, di, p, q, dout, ao, s, via, inbound
        """
    ).fetchall()
    hits: list[TypologyHit] = []
    for x, p, q, s, via, inbound, ai, ci, di, ao, do in rows:
        if inbound:
            side = "in from {p} on behalf of sanctioned {s}" if via else "in from sanctioned {s}"
            chain: Chain = [(p, None), (x, "payment"), (q, "payment")]
            path = [(s, None), (p, "intermediary"), *chain[1:]] if via else chain
            text = f"funds {side}: {_money(ai, ci)} on {_day(di)}, out to {{q}}: {_money(ao, ci)} on {_day(do)}"
        else:
            side = "to {q}, acting for sanctioned {s}" if via else "to sanctioned {s}"
            chain = [(p, None), (x, "payment"), (q, "payment")]
            path = [*chain, (s, "intermediary")] if via else chain
            text = f"funds in from {{p}}: {_money(ai, ci)} on {_day(di)}, out {side}: {_money(ao, ci)} on {_day(do)}"
        hits.append(TypologyHit(x, "pass_through", 0.7, text, {"p": p, "q": q, "s": s}, [path]))
    return hits


def round_trip(con: Any, config: AnalysisConfig, max_walks: int = 2_000_000) -> list[TypologyHit]:
    t = config.typology
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE walk AS
        SELECT p.src AS start, p.dst AS cur, [p.src, p.dst] AS nodes,
               p.date AS first_date, p.date AS last_date, p.amount AS amount0, p.currency
        FROM pay p
        WHERE p.date IS NOT NULL AND p.amount > 0
          AND (p.src IN (SELECT ix FROM sl) OR p.dst IN (SELECT ix FROM sl))
        LIMIT {max_walks}
        """
    )
    cycles: list[tuple[list[int], date, date, float, str | None]] = []
    for _ in range(2, max(2, t.round_trip_max_length) + 1):
        con.execute(
            f"""
            CREATE OR REPLACE TEMP TABLE walk AS
            SELECT w.start, p.dst AS cur, list_append(w.nodes, p.dst) AS nodes,
                   w.first_date, p.date AS last_date, w.amount0, w.currency
            FROM walk w JOIN pay p ON p.src = w.cur
            WHERE p.date >= w.last_date AND p.date <= w.first_date + {int(t.round_trip_days)}
              AND abs(p.amount - w.amount0) <= {t.amount_tolerance} * w.amount0
              AND (p.dst = w.start OR NOT list_contains(w.nodes, p.dst))
            LIMIT {max_walks}
            """
        )
        cycles += con.execute(
            "SELECT nodes, first_date, last_date, amount0, currency FROM walk WHERE cur = start "
            "ORDER BY ALL"  # the same cycle on other days: the earliest is reported
        ).fetchall()
        con.execute("DELETE FROM walk WHERE cur = start")
    sanctioned = (
        {int(r[0]) for r in con.execute("SELECT ix FROM sl").fetchall()} if cycles else set()
    )
    hits: list[TypologyHit] = []
    seen: set[tuple[int, tuple[int, ...]]] = set()
    for nodes, first, last, amount, currency in cycles:
        members = [int(n) for n in nodes]
        linked = [n for n in members if n in sanctioned]
        if not linked:
            continue
        chain: Chain = [(members[0], None), *((n, "payment") for n in members[1:])]
        for x in set(members[:-1]) - sanctioned:
            key = (x, tuple(sorted(members[:-1])))
            if key in seen:
                continue
            seen.add(key)
            hits.append(
                TypologyHit(
                    x,
                    "round_trip",
                    0.7,
                    f"funds of {_money(amount, currency)} went round a cycle of "
                    f"{len(members) - 1} payments back to {{o}} between {_day(first)} and "
                    f"{_day(last)}, through sanctioned {{s}}",
                    {"o": members[0], "s": linked[0]},
                    [chain],
                )
            )
    return hits


def fan_in_out(con: Any, config: AnalysisConfig) -> list[TypologyHit]:
    t = config.typology
    hits: list[TypologyHit] = []
    out_rows = con.execute(
        f"""
        WITH received AS (
            SELECT r.dst, r.src, k.s, k.via, r.date FROM pay r JOIN slink k ON r.src = k.ix
            ANTI JOIN sl ON sl.ix = r.dst ANTI JOIN typology_hubs h ON h.ix = r.dst
        )
        SELECT r.dst, r.src, r.s, r.via, r.date, count(DISTINCT o.dst) AS n,
               list(DISTINCT o.dst ORDER BY o.dst)[1:{t.max_paths}]
        FROM received r
        JOIN pay o ON o.src = r.dst AND o.date BETWEEN r.date AND r.date + {int(t.fan_days)}
        WHERE o.dst <> r.src
        GROUP BY r.dst, r.src, r.s, r.via, r.date
        HAVING count(DISTINCT o.dst) >= {t.fan_min_counterparties}
        QUALIFY row_number() OVER (PARTITION BY r.dst ORDER BY n DESC, r.date, r.src, r.s, r.via) = 1
        ORDER BY ALL
        """
    ).fetchall()
    for x, p, s, via, day, n, sample in out_rows:
        head = [(s, None), (p, "intermediary")] if via and s != p else [(p, None)]
        hits.append(
            TypologyHit(
                x,
                "fan_out",
                0.6,
                f"received funds from {'{p} acting for ' if via else ''}sanctioned {{s}} on "
                f"{_day(day)} and paid {n} different beneficiaries within {t.fan_days} days",
                {"p": p, "s": s},
                [[*head, (x, "payment"), (int(q), "payment")] for q in sample],
            )
        )
    in_rows = con.execute(
        f"""
        WITH paid AS (
            SELECT o.src, o.dst, k.s, k.via, o.date FROM pay o JOIN slink k ON o.dst = k.ix
            ANTI JOIN sl ON sl.ix = o.src ANTI JOIN typology_hubs h ON h.ix = o.src
        )
        SELECT o.src, o.dst, o.s, o.via, o.date, count(DISTINCT i.src) AS n,
               list(DISTINCT i.src ORDER BY i.src)[1:{t.max_paths}]
        FROM paid o
        JOIN pay i ON i.dst = o.src AND i.date BETWEEN o.date - {int(t.fan_days)} AND o.date
        WHERE i.src <> o.dst
        GROUP BY o.src, o.dst, o.s, o.via, o.date
        HAVING count(DISTINCT i.src) >= {t.fan_min_counterparties}
        QUALIFY row_number() OVER (PARTITION BY o.src ORDER BY n DESC, o.date, o.dst, o.s, o.via) = 1
        ORDER BY ALL
        """
    ).fetchall()
    for x, q, s, via, day, n, sample in in_rows:
        tail = [(q, "payment"), (s, "intermediary")] if via and s != q else [(q, "payment")]
        hits.append(
            TypologyHit(
                x,
                "fan_in",
                0.6,
                f"collected funds from {n} different payers in the {t.fan_days} days before "
                f"paying {'{q} acting for ' if via else ''}sanctioned {{s}} on {_day(day)}",
                {"q": q, "s": s},
                [[(int(p), None), (x, "payment"), *tail] for p in sample],
            )
        )
    return hits
