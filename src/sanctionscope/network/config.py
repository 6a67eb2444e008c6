"""Analysis settings: the sanctions regime, exposure weights, hubs and typology thresholds."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

Regime = Literal["ofac", "eu", "uk"]
REGIMES: tuple[Regime, ...] = ("ofac", "eu", "uk")


@dataclass(frozen=True)
class RegimeRule:
    """How one regime decides that ownership by blocked persons blocks an entity.

    ``inclusive``: the threshold itself blocks (OFAC: "50 percent or more"); otherwise only
    more than the threshold does (EU and UK: "more than 50 %"). ``aggregate``: shares of
    different blocked owners are added up (OFAC, EU); the UK counts each designated person's
    direct and indirect holding on its own. ``control_kinds``: relations from a blocked person
    to an organisation that count as control (EU: a listed director or representative).
    """

    name: Regime
    threshold: float
    inclusive: bool
    aggregate: bool
    control_kinds: tuple[str, ...] = ()

    def passes(self, total: float) -> bool:
        # Shares are decimals written in percent: compare with a tolerance so that
        # 30.1 + 19.9 counts as 50 and 49.9 does not.
        if self.inclusive:
            return total >= self.threshold - 1e-9
        return total > self.threshold + 1e-9

    @property
    def wording(self) -> str:
        op = ">=" if self.inclusive else ">"
        how = "in aggregate" if self.aggregate else "by a single designated person"
        return f"{op} {self.threshold:g} % {how}"


REGIME_RULES: dict[Regime, RegimeRule] = {
    "ofac": RegimeRule("ofac", 50.0, inclusive=True, aggregate=True),
    "eu": RegimeRule(
        "eu",
        50.0,
        inclusive=False,
        aggregate=True,
        control_kinds=("directorship", "representation"),
    ),
    "uk": RegimeRule("uk", 50.0, inclusive=False, aggregate=False),
}

# Exposure weight of one hop over an edge of each kind (1.0 = as strong as being the party).
# Payments are weighted by amount (see payment_weight); ownership by share (share_weight).
DEFAULT_EDGE_WEIGHTS: Mapping[str, float] = {
    "ownership": 0.9,
    "directorship": 0.8,
    "representation": 0.7,
    "correspondent": 0.9,
    "intermediary": 0.9,
    "employment": 0.6,
    "family": 0.6,
    "membership": 0.5,
    "associate": 0.5,
    "unknown_link": 0.4,
    "payment": 0.6,
    "shared_tax_id": 0.8,
    "shared_address": 0.5,
    "shared_phone": 0.6,
    "shared_email": 0.6,
}


@dataclass(frozen=True)
class TypologyConfig:
    front_company_days: int = 365  # founded at most this long before first sanctioned funds
    pass_through_days: int = 7  # funds out at most this long after funds in
    amount_tolerance: float = 0.1  # "similar amount": within 10 % of the incoming amount
    round_trip_days: int = 30  # a payment cycle closes within this window
    round_trip_max_length: int = 4  # payments in a cycle (2..4)
    fan_min_counterparties: int = 5  # distinct counterparties for fan-in / fan-out
    fan_days: int = 7  # window around the payment to or from the sanctioned party
    max_paths: int = 5  # paths kept per finding


@dataclass(frozen=True)
class AnalysisConfig:
    regime: Regime = "ofac"
    max_hops: int = 3
    hub_degree: int = 1000  # more distinct neighbours than this makes a node a hub
    hub_penalty: float = 0.2  # a hub's own exposure score is multiplied by this
    min_score: float = 0.0  # exposure findings scoring below are not reported
    edge_weights: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_EDGE_WEIGHTS))
    payment_full_amount: float = 1_000_000.0  # payments this large get the full payment weight
    typology: TypologyConfig = field(default_factory=TypologyConfig)
    # Exposure rounds run on in-memory NumPy arrays ("memory", about 22 bytes per edge and
    # direction) or as DuckDB joins that spill to disk ("duckdb"); "auto" picks memory up to
    # in_memory_edges edges (about 4.4 GB of arrays at the limit).
    exposure_engine: Literal["auto", "memory", "duckdb"] = "auto"
    in_memory_edges: int = 100_000_000
    max_rounds: int = 1000  # bound on 50 %-rule rounds (a fixpoint is reached far earlier)
    max_errors_per_kind: int = 100
    # DuckDB's share of memory; the in-memory arrays of the exposure step come on top, so
    # the default keeps a 50-million-edge run within 8 GB. DuckDB spills to temp_directory.
    memory_limit: str | None = "3GB"
    temp_directory: str | None = None  # default: <system temp>/sanctionscope-duckdb

    def __post_init__(self) -> None:
        if self.regime not in REGIME_RULES:
            raise ValueError(f"unknown regime {self.regime!r}: use one of {', '.join(REGIMES)}")
        if self.max_hops < 0 or self.max_hops > 10:
            raise ValueError("max_hops must be between 0 and 10")
        if self.hub_degree < 1:
            raise ValueError("hub_degree must be at least 1")

    @property
    def rule(self) -> RegimeRule:
        return REGIME_RULES[self.regime]
