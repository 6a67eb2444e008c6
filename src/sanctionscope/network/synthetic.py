"""Seeded synthetic bank books with planted ground truth, for the network analysis benchmarks.

``generate_book(seed, size, directory)`` writes one book:

* ``entities.ftm.json``: FtM JSON lines (Person, Company, Ownership, Directorship, Employment,
  Representation, Membership, Family, Associate, UnknownLink, Payment), sanctioned parties
  carrying the topic ``sanction``; written for the small sizes only;
* ``csv/accounts.csv`` and ``csv/relationships.csv``: correspondent accounts and intermediary
  roles, which FtM has no schema for (the engine's CSV layout, see docs/network.md);
* ``nodes.parquet`` / ``edges.parquet``: the canonical tables of network/model.py, including the
  ``shared_<attribute>`` edges the builder would derive from shared addresses, phones, emails
  and tax ids;
* ``truth.jsonl``: one line per planted entity: its expected status (``sanctioned`` for the
  seeds, ``blocked_by_ownership``, ``typology``, ``exposed`` or ``clean``), expected typologies,
  the scenario it comes from and its role in it.

Planted scenarios (each repeated per size, with seeded variation): the 19 Sep 2024 OFAC case
(facts from the shared scenario sheet), 50 %-rule chains, proxy and nested correspondent banks,
front companies, pass-through, round trip, fan-in and fan-out, a hub clearing bank with
thousands of clean customers, and clean decoys that look similar. The rest of the book is a
clean background that never touches a sanctioned party except through the hub.

Exposure truth is derived, not guessed: every non-seed entity within ``max_hops`` (undirected,
any edge kind, never passing *through* a hub) of a seed or a blocked entity is ``exposed``
unless planted with a stronger status; everything else is ``clean``. The generator refuses to
write a book where a planted ``clean`` decoy is reachable, or where blocked entities would
reach anything the seeds do not (so the truth does not depend on whether an engine treats
blocked entities as seeds).

The scale sizes (``"1M"``, ``"10M"`` or an int node count, five edges per node) add a
background generated in DuckDB SQL from a counter hash, so that 10M nodes / 50M edges stream
to Parquet without holding them in Python: clusters of 60 entities (corporate groups and
their trading partners) with skewed local degrees, ``locality`` (85 %) of payments and
employments inside the cluster and the rest to a power law over a few hub companies (one per
5,000 entities), correspondent accounts toward big correspondent banks, ownership as a DAG.
"""

from __future__ import annotations

import csv
import itertools
import json
import random
from collections import defaultdict, deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import duckdb

STATUSES = ("sanctioned", "blocked_by_ownership", "typology", "exposed", "clean")
TYPOLOGIES = (
    "proxy_correspondent_bank",
    "front_company",
    "pass_through",
    "round_trip",
    "fan_in",
    "fan_out",
)
NODE_COLUMNS = ("id", "schema", "caption", "sanctioned", "sanction_reason", "founded", "country")
EDGE_COLUMNS = ("id", "source", "target", "kind", "share", "amount", "currency", "date")
NODE_TYPES = (
    "VARCHAR",
    "VARCHAR",
    "VARCHAR",
    "BOOLEAN",
    "VARCHAR",
    "DATE",
    "VARCHAR",
)
EDGE_TYPES = ("VARCHAR", "VARCHAR", "VARCHAR", "VARCHAR", "DOUBLE", "DOUBLE", "VARCHAR", "DATE")
SHARED_ATTRIBUTES = ("address", "phone", "email", "tax_id")
SHARED_MAX_GROUP = 10
FTM_EDGE_SCHEMAS = {
    "ownership": ("Ownership", "owner", "asset"),
    "directorship": ("Directorship", "director", "organization"),
    "employment": ("Employment", "employee", "employer"),
    "representation": ("Representation", "agent", "client"),
    "membership": ("Membership", "member", "organization"),
    "family": ("Family", "person", "relative"),
    "associate": ("Associate", "person", "associate"),
    "unknown_link": ("UnknownLink", "subject", "object"),
    "payment": ("Payment", "payer", "beneficiary"),
}
SCALE_EDGES_PER_NODE = 5
SCALE_SIZES = {"1M": 1_000_000, "10M": 10_000_000}


@dataclass(frozen=True)
class Shape:
    """How much of each scenario a planted book holds."""

    instances: int
    background: int
    hub_customers: int


SHAPES = {
    "tiny": Shape(instances=1, background=600, hub_customers=1200),
    "small": Shape(instances=4, background=4000, hub_customers=3000),
}


@dataclass
class Node:
    id: str
    schema: str
    caption: str
    sanctioned: bool = False
    sanction_reason: str | None = None
    founded: date | None = None
    country: str | None = None
    address: str | None = None
    phone: str | None = None
    email: str | None = None
    tax_id: str | None = None
    extra: dict[str, list[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Edge:
    id: str
    source: str
    target: str
    kind: str
    share: float | None = None
    amount: float | None = None
    currency: str | None = None
    date: date | None = None


@dataclass(frozen=True)
class TruthRecord:
    """What a correct analysis says about one planted entity."""

    id: str
    status: str
    typologies: tuple[str, ...]
    scenario: str
    role: str

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["typologies"] = list(self.typologies)
        return data


@dataclass(frozen=True)
class Book:
    """Where a generated book was written, and what it holds."""

    directory: Path
    seed: int
    size: str
    nodes_parquet: Path
    edges_parquet: Path
    truth_path: Path
    entities_path: Path | None
    csv_dir: Path | None
    node_count: int
    edge_count: int
    hub_ids: tuple[str, ...]
    max_hops: int
    hub_degree: int

    def truth(self) -> list[TruthRecord]:
        return load_truth(self.truth_path)


class BookError(ValueError):
    """The planted scenarios contradict each other (a generator bug, never bad luck)."""


# --- names and attributes ---------------------------------------------------------------------

_STEMS = (
    "Volga", "Ural", "Baltic", "Sever", "Orion", "Delta", "Amur", "Neva", "Kama", "Altai",
    "Sokol", "Vega", "Polar", "Taiga", "Irtysh", "Onega", "Ladoga", "Yenisei", "Pechora",
    "Oka", "Selenga", "Angara", "Kolyma", "Vyatka", "Sura", "Mezen", "Tobol", "Ishim",
)  # fmt: skip
_TRADES = (
    "Trade", "Invest", "Logistics", "Energo", "Stroy", "Metal", "Agro", "Tech", "Capital",
    "Resurs", "Transit", "Export", "Holding", "Service", "Chem", "Port", "Neft", "Les",
)  # fmt: skip
_FORMS = ("LLC", "OOO", "JSC", "AO", "Ltd", "GmbH", "FZE", "Limited")
_BANK_FORMS = ("Bank", "Commercial Bank", "Kredit Bank", "Trust Bank", "Settlement Bank")
_FIRST = (
    "Ivan", "Sergei", "Olga", "Anna", "Dmitry", "Elena", "Pavel", "Irina", "Mikhail", "Natalia",
    "Alexei", "Tatiana", "Kim", "Li", "Ahmed", "Maria", "Viktor", "Yulia", "Oleg", "Svetlana",
)  # fmt: skip
_LAST = (
    "Ivanov", "Petrova", "Sidorov", "Smirnova", "Kuznetsov", "Popova", "Volkov", "Morozova",
    "Lebedev", "Kozlova", "Novikov", "Sokolova", "Pak", "Choi", "Rahimov", "Orlova", "Zaitsev",
)  # fmt: skip
_CITIES = ("Moscow", "Kazan", "Dubai", "Limassol", "Almaty", "Yerevan", "Istanbul", "Riga")
_STREETS = ("Lenina", "Mira", "Sadovaya", "Tverskaya", "Gagarina", "Pushkina", "Nevsky")
_COUNTRIES = ("ru", "ae", "cy", "kz", "am", "tr", "lv", "hk")


class _Names:
    """Seeded names and unique contact attributes (shared only where a scenario shares them)."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.counter = 0

    def next_number(self) -> int:
        self.counter += 1
        return self.counter

    def company(self) -> str:
        r = self.rng
        return f"{r.choice(_STEMS)} {r.choice(_TRADES)} {r.choice(_FORMS)}"

    def bank(self) -> str:
        return f"{self.rng.choice(_STEMS)} {self.rng.choice(_BANK_FORMS)}"

    def person(self) -> str:
        return f"{self.rng.choice(_FIRST)} {self.rng.choice(_LAST)}"

    def address(self) -> str:
        r = self.rng
        return f"{self.next_number()} {r.choice(_STREETS)} St, {r.choice(_CITIES)}"

    def phone(self) -> str:
        return f"+7 495 {self.next_number():07d}"

    def email(self, caption: str) -> str:
        local = "".join(ch for ch in caption.lower() if ch.isalnum())[:12]
        return f"{local}{self.next_number()}@example.org"

    def tax_id(self) -> str:
        return f"77{self.next_number():08d}"


# --- planting -----------------------------------------------------------------------------------


class _Planter:
    """Collects planted nodes, edges and expectations while the scenarios are built."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.names = _Names(self.rng)
        self.nodes: dict[str, Node] = {}
        self.edges: list[Edge] = []
        self.expected: dict[str, TruthRecord] = {}
        self.scenario_of: dict[str, tuple[str, str]] = {}
        self.hubs: list[str] = []

    # nodes
    def party(
        self,
        node_id: str,
        schema: str,
        caption: str,
        scenario: str,
        role: str,
        *,
        sanctioned: bool = False,
        founded: date | None = None,
        country: str | None = "ru",
        contact: bool = True,
        **extra: str,
    ) -> str:
        if node_id in self.nodes:
            raise BookError(f"planted id {node_id} twice")
        node = Node(
            id=node_id,
            schema=schema,
            caption=caption,
            sanctioned=sanctioned,
            sanction_reason=f"synthetic designation ({scenario})" if sanctioned else None,
            founded=founded,
            country=country,
            extra={key: [value] for key, value in extra.items()},
        )
        if contact:
            node.address = self.names.address()
            if schema != "Person":
                node.phone = self.names.phone()
                node.tax_id = self.names.tax_id()
        self.nodes[node_id] = node
        self.scenario_of[node_id] = (scenario, role)
        return node_id

    def company(self, node_id: str, scenario: str, role: str, **kwargs: Any) -> str:
        kwargs.setdefault("founded", self.old_date())
        caption = kwargs.pop("caption", None) or self.names.company()
        return self.party(node_id, "Company", caption, scenario, role, **kwargs)

    def bank(self, node_id: str, scenario: str, role: str, **kwargs: Any) -> str:
        kwargs.setdefault("founded", self.old_date())
        caption = kwargs.pop("caption", None) or self.names.bank()
        return self.party(node_id, "Company", caption, scenario, role, **kwargs)

    def person(self, node_id: str, scenario: str, role: str, **kwargs: Any) -> str:
        caption = kwargs.pop("caption", None) or self.names.person()
        kwargs.setdefault("founded", None)
        return self.party(node_id, "Person", caption, scenario, role, **kwargs)

    def seed_party(self, node_id: str, scenario: str, schema: str = "Company") -> str:
        if schema == "Person":
            return self.person(node_id, scenario, "sanctioned seed", sanctioned=True)
        return self.company(node_id, scenario, "sanctioned seed", sanctioned=True)

    # edges
    def link(self, kind: str, source: str, target: str, **values: Any) -> None:
        edge_id = f"{kind[:3]}-{len(self.edges) + 1:06d}"
        self.edges.append(Edge(edge_id, source, target, kind, **values))

    def own(self, owner: str, asset: str, share: float) -> None:
        self.link("ownership", owner, asset, share=share)

    def pay(self, payer: str, beneficiary: str, amount: float, when: date) -> None:
        self.link("payment", payer, beneficiary, amount=round(amount, 2), currency="USD", date=when)

    # expectations
    def expect(self, node_id: str, status: str, *typologies: str) -> None:
        scenario, role = self.scenario_of[node_id]
        self.expected[node_id] = TruthRecord(node_id, status, tuple(typologies), scenario, role)

    # seeded variation
    def old_date(self) -> date:
        return date(1992, 1, 1) + timedelta(days=self.rng.randrange(0, 9000))

    def day_2024(self) -> date:
        return date(2024, 1, 10) + timedelta(days=self.rng.randrange(0, 250))

    def amount(self, low: float = 20_000, high: float = 2_000_000) -> float:
        return self.rng.uniform(low, high)


def _plant_scheme_2024_09_19(p: _Planter) -> None:
    """The OFAC action of 19 Sep 2024 as a bank would see it the day before (FACTS sheet §3).

    Seeds are the parties already listed then (FTB, KKBC, TSMRBank, RFC); the analysis must
    find MRB Bank and Timer Bank (proxy correspondent banks), Stroytreyd (front company) and
    Nikulin (TSMRBank's vice-president at the same address).
    """
    sc = "scheme_2024_09_19"
    palikha = "ul. Palikha, d. 10, Str. 7, Moscow 127055"
    for node_id, caption, extra in (
        ("sep24-ftb", "Foreign Trade Bank of the DPRK", {"swiftBic": "FTBDKPPY"}),
        ("sep24-kkbc", "Korea Kwangson Banking Corp", {}),
        ("sep24-rfc", "Russian Financial Corporation", {"swiftBic": "RFCBRUMM"}),
    ):
        p.bank(node_id, sc, "sanctioned seed", caption=caption, sanctioned=True, **extra)
    p.nodes["sep24-ftb"].country = "kp"
    p.nodes["sep24-kkbc"].country = "kp"
    p.bank(
        "sep24-tsmr",
        sc,
        "sanctioned seed",
        caption="TSMRBank OOO",
        sanctioned=True,
        founded=date(2015, 1, 1),
        innCode="7750056670",
    )
    p.nodes["sep24-tsmr"].address = palikha
    p.nodes["sep24-tsmr"].tax_id = "7750056670"
    p.bank(
        "sep24-mrb",
        sc,
        "proxy bank holding correspondent accounts for FTB and KKBC",
        caption="MRB Bank",
        founded=date(2015, 5, 15),
        country="ge",
        registrationNumber="1159800030409",
    )
    p.nodes["sep24-mrb"].address = "Stalin Street 20, Tskhinvali, South Ossetia"
    p.bank(
        "sep24-timer",
        sc,
        "bank paying Stroytreyd on behalf of FTB",
        caption="Timer Bank AO",
        founded=date(1991, 10, 3),
        swiftBic="TIMERU2K",
    )
    p.company(
        "sep24-stroytreyd",
        sc,
        "front company founded 17 Oct 2023, paid on behalf of FTB",
        caption="Stroytreyd LLC",
        founded=date(2023, 10, 17),
        innCode="9728108831",
    )
    p.nodes["sep24-stroytreyd"].tax_id = "9728108831"
    p.person(
        "sep24-nikulin",
        sc,
        "TSMRBank vice-president at the bank's address",
        caption="Dmitry Yuryevich Nikulin",
        birthDate="1975-02-20",
    )
    p.nodes["sep24-nikulin"].address = palikha
    p.party(
        "sep24-cbr",
        "Organization",
        "Central Bank of the Russian Federation",
        sc,
        "central bank that used MRB (not an SDN)",
        founded=date(1990, 7, 13),
    )
    p.company("sep24-fuel", sc, "fuel exporter paid from the DPRK accounts at MRB")

    p.link("correspondent", "sep24-ftb", "sep24-mrb")
    p.link("correspondent", "sep24-kkbc", "sep24-mrb")
    p.link("representation", "sep24-mrb", "sep24-tsmr")
    p.link("employment", "sep24-nikulin", "sep24-tsmr")
    p.link("unknown_link", "sep24-timer", "sep24-rfc")
    p.link("unknown_link", "sep24-cbr", "sep24-mrb")
    p.link("intermediary", "sep24-timer", "sep24-ftb")
    for month in (1, 3, 5):
        p.pay("sep24-tsmr", "sep24-mrb", p.amount(500_000, 3_000_000), date(2024, month, 12))
    for month in (1, 2, 4, 6):
        p.pay("sep24-timer", "sep24-stroytreyd", p.amount(1e6, 4e6), date(2024, month, 20))
    p.pay("sep24-mrb", "sep24-fuel", p.amount(200_000, 900_000), date(2024, 7, 2))

    p.expect("sep24-mrb", "typology", "proxy_correspondent_bank")
    p.expect("sep24-timer", "typology", "proxy_correspondent_bank")
    p.expect("sep24-stroytreyd", "typology", "front_company")


def _plant_ownership(p: _Planter, i: int) -> None:
    """50 %-rule chains (OFAC: aggregate across blocked owners, 50 % or more, through layers)."""
    sc = "ownership_50_percent"
    k = f"own{i}"
    first = i == 0
    # aggregation: two blocked owners, each below 50 %, together at or above it
    a = 30.0 if first else float(p.rng.randint(20, 40))
    b = 25.0 if first else float(p.rng.randint(50 - int(a), 45))
    s1 = p.seed_party(f"{k}-agg-s1", sc, "Person")
    s2 = p.seed_party(f"{k}-agg-s2", sc)
    x = p.company(f"{k}-agg-x", sc, f"owned {a:g} + {b:g} % by two blocked owners")
    p.own(s1, x, a)
    p.own(s2, x, b)
    p.own(p.person(f"{k}-agg-minority", sc, "clean minority owner"), x, 100 - a - b)
    p.expect(x, "blocked_by_ownership")
    # three layers of majority ownership
    s3 = p.seed_party(f"{k}-layer-s", sc)
    chain = [s3]
    for depth in (1, 2, 3):
        chain.append(p.company(f"{k}-layer-{depth}", sc, f"layer {depth} of majority chain"))
        p.own(chain[-2], chain[-1], float(p.rng.choice((50, 51, 60, 75, 100))))
        p.expect(chain[-1], "blocked_by_ownership")
    # 49.9 against 50.0, and a 49 % decoy
    s4 = p.seed_party(f"{k}-edge-s", sc)
    for suffix, share, status in (("499", 49.9, "exposed"), ("500", 50.0, "blocked_by_ownership")):
        asset = p.company(f"{k}-edge-{suffix}", sc, f"owned {share} % by a blocked owner")
        p.own(s4, asset, share)
        p.expect(asset, status)
    decoy = p.company(f"{k}-decoy-49", sc, "decoy: 49 % owned by a blocked owner")
    p.own(s4, decoy, 49.0)
    p.expect(decoy, "exposed")
    # a blocked subsidiary adds to its parent's share; an unblocked one does not
    s5 = p.seed_party(f"{k}-sub-s", sc)
    sub = p.company(f"{k}-sub-f", sc, "60 % owned, blocked subsidiary")
    p.own(s5, sub, 60.0)
    p.expect(sub, "blocked_by_ownership")
    target = p.company(f"{k}-sub-g", sc, "30 % direct + 25 % via blocked subsidiary")
    p.own(s5, target, 30.0)
    p.own(sub, target, 25.0)
    p.expect(target, "blocked_by_ownership")
    weak = p.company(f"{k}-sub-f2", sc, "40 % owned, not blocked subsidiary")
    p.own(s5, weak, 40.0)
    p.expect(weak, "exposed")
    unblocked = p.company(f"{k}-sub-g2", sc, "30 % direct + 25 % via an unblocked subsidiary")
    p.own(s5, unblocked, 30.0)
    p.own(weak, unblocked, 25.0)
    p.expect(unblocked, "exposed")
    # ownership cycles: one that becomes blocked, one that stays below the threshold
    s6 = p.seed_party(f"{k}-cyc-s", sc)
    h = p.company(f"{k}-cyc-h", sc, "50 % owned, in an ownership cycle")
    c = p.company(f"{k}-cyc-i", sc, "60 % owned by a blocked cycle member")
    p.own(s6, h, 50.0)
    p.own(h, c, 60.0)
    p.own(c, h, 20.0)
    p.expect(h, "blocked_by_ownership")
    p.expect(c, "blocked_by_ownership")
    j = p.company(f"{k}-cyc-j", sc, "30 % owned, in a cycle of unblocked companies")
    m = p.company(f"{k}-cyc-k", sc, "owned only by an unblocked cycle member")
    p.own(s6, j, 30.0)
    p.own(j, m, 60.0)
    p.own(m, j, 40.0)
    p.expect(j, "exposed")
    p.expect(m, "exposed")
    # ownership passes only through blocked entities
    s7 = p.seed_party(f"{k}-pass-s", sc)
    mid = p.company(f"{k}-pass-l", sc, "40 % owned (not blocked)")
    leaf = p.company(f"{k}-pass-m", sc, "100 % owned by a 40 %-owned company")
    p.own(s7, mid, 40.0)
    p.own(mid, leaf, 100.0)
    p.expect(mid, "exposed")
    p.expect(leaf, "exposed")


def _plant_proxies(p: _Planter, i: int) -> None:
    """A bank holding accounts for a sanctioned bank, a bank routing its payments, and a bank
    holding accounts for the proxy (nested correspondent)."""
    sc = "proxy_bank"
    k = f"prx{i}"
    sanctioned_bank = p.bank(f"{k}-sb", sc, "sanctioned seed", sanctioned=True)
    proxy = p.bank(f"{k}-proxy", sc, "holds a correspondent account for a sanctioned bank")
    p.link("correspondent", sanctioned_bank, proxy)
    p.expect(proxy, "typology", "proxy_correspondent_bank")
    nested = p.bank(f"{k}-nested", sc, "routes payments of a sanctioned bank")
    p.link("intermediary", nested, sanctioned_bank)
    paid = p.company(f"{k}-paid", sc, "old company paid by the nested bank")
    p.pay(nested, paid, p.amount(), p.day_2024())
    p.expect(nested, "typology", "proxy_correspondent_bank")
    behind = p.bank(f"{k}-nested-corr", sc, "holds accounts for the proxy bank (nested)")
    p.link("correspondent", proxy, behind)
    p.expect(behind, "typology", "proxy_correspondent_bank")
    agent = p.person(f"{k}-agent", sc, "represents the sanctioned bank")
    p.link("representation", agent, sanctioned_bank)
    # decoy: an ordinary correspondent relationship between clean banks
    clean_respondent = p.bank(f"{k}-decoy-resp", sc, "decoy: account at a clean bank")
    clean_correspondent = p.bank(f"{k}-decoy-corr", sc, "decoy: clean correspondent bank")
    p.link("correspondent", clean_respondent, clean_correspondent)
    p.expect(clean_respondent, "clean")
    p.expect(clean_correspondent, "clean")


def _plant_fronts(p: _Planter, i: int) -> None:
    """New companies funded by sanctioned parties or sharing their contact details."""
    sc = "front_company"
    k = f"frt{i}"
    seed = p.seed_party(f"{k}-s", sc)
    first_payment = p.day_2024()
    founded = first_payment - timedelta(days=p.rng.randint(20, 200))
    funded = p.company(
        f"{k}-funded", sc, "new company funded by a sanctioned party", founded=founded
    )
    p.pay(seed, funded, p.amount(), first_payment)
    p.pay(seed, funded, p.amount(), first_payment + timedelta(days=p.rng.randint(5, 40)))
    p.expect(funded, "typology", "front_company")

    twin_seed = p.seed_party(f"{k}-s2", sc)
    twin = p.company(
        f"{k}-twin",
        sc,
        "new company sharing tax id and phone with a sanctioned party",
        founded=p.day_2024() - timedelta(days=p.rng.randint(30, 150)),
    )
    p.nodes[twin].tax_id = p.nodes[twin_seed].tax_id
    p.nodes[twin].phone = p.nodes[twin_seed].phone
    p.expect(twin, "typology", "front_company")

    officer_seed = p.seed_party(f"{k}-s3", sc)
    officer = p.person(f"{k}-officer", sc, "director of a sanctioned company and of a new one")
    shell = p.company(
        f"{k}-shell",
        sc,
        "new company sharing its director with a sanctioned company",
        founded=p.day_2024() - timedelta(days=p.rng.randint(30, 150)),
    )
    p.link("directorship", officer, officer_seed)
    p.link("directorship", officer, shell)
    p.expect(shell, "typology", "front_company")

    routing_bank = p.bank(f"{k}-router", sc, "pays a new company on behalf of a sanctioned party")
    p.link("intermediary", routing_bank, seed)
    p.expect(routing_bank, "typology", "proxy_correspondent_bank")
    first_payment = p.day_2024()
    routed = p.company(
        f"{k}-routed",
        sc,
        "new company paid on behalf of a sanctioned party",
        founded=first_payment - timedelta(days=p.rng.randint(20, 300)),
    )
    p.pay(routing_bank, routed, p.amount(), first_payment)
    p.expect(routed, "typology", "front_company")

    # decoys: an old company paid once by a sanctioned party (exposed, not a front), a new
    # company paid by clean parties, and two clean companies at one address
    old = p.company(f"{k}-decoy-old", sc, "decoy: old company paid once by a sanctioned party")
    p.pay(seed, old, p.amount(5_000, 40_000), p.day_2024())
    p.expect(old, "exposed")
    clean_payer = p.company(f"{k}-decoy-payer", sc, "decoy: clean payer")
    newco = p.company(
        f"{k}-decoy-new",
        sc,
        "decoy: new company paid by a clean party",
        founded=date(2024, 1, 5),
    )
    p.pay(clean_payer, newco, p.amount(), date(2024, 3, 1))
    neighbour = p.company(f"{k}-decoy-neighbour", sc, "decoy: shares an address with a clean one")
    p.nodes[neighbour].address = p.nodes[newco].address
    for node_id in (clean_payer, newco, neighbour):
        p.expect(node_id, "clean")


def _plant_flows(p: _Planter, i: int) -> None:
    """Pass-through, round trip, fan-in and fan-out around sanctioned parties."""
    sc = "payment_flows"
    k = f"flw{i}"
    seed = p.seed_party(f"{k}-pt-s", sc)
    conduit = p.company(f"{k}-pt-conduit", f"{sc}:pass_through", "passes funds straight on")
    onward = p.company(f"{k}-pt-onward", f"{sc}:pass_through", "receives the passed-on funds")
    amount, day = p.amount(100_000, 900_000), p.day_2024()
    p.pay(seed, conduit, amount, day)
    p.pay(conduit, onward, amount * p.rng.uniform(0.95, 0.99), day + timedelta(p.rng.randint(1, 4)))
    p.expect(conduit, "typology", "pass_through")
    slow = p.company(f"{k}-pt-decoy", f"{sc}:pass_through", "decoy: small payment months later")
    later = p.company(f"{k}-pt-decoy-payee", f"{sc}:pass_through", "decoy payee")
    p.pay(seed, slow, amount, day)
    p.pay(slow, later, amount * 0.08, day + timedelta(days=150))
    p.expect(slow, "exposed")

    origin = p.seed_party(f"{k}-rt-s", sc)
    first = p.company(f"{k}-rt-a", f"{sc}:round_trip", "first leg of a round trip")
    second = p.company(f"{k}-rt-b", f"{sc}:round_trip", "second leg of a round trip")
    amount, day = p.amount(200_000, 900_000), date(2024, 2, 1) + timedelta(p.rng.randrange(120))
    p.pay(origin, first, amount, day)
    # legs more than a week apart (not a pass-through), closing within four weeks
    p.pay(first, second, amount * 0.97, day + timedelta(days=p.rng.randint(8, 10)))
    p.pay(second, origin, amount * 0.94, day + timedelta(days=p.rng.randint(20, 27)))
    p.expect(first, "typology", "round_trip")
    p.expect(second, "typology", "round_trip")

    fan_in_seed = p.seed_party(f"{k}-fan-in-s", sc)
    fan_out_seed = p.seed_party(f"{k}-fan-out-s", sc)
    collector = p.company(f"{k}-fan-in", f"{sc}:fan_in", "collects many payments for a seed")
    spreader = p.company(f"{k}-fan-out", f"{sc}:fan_out", "spreads a seed's funds to many")
    day = p.day_2024()
    total = 0.0
    for n in range(12):
        payer = p.company(f"{k}-fan-in-{n}", f"{sc}:fan_in", "one of many payers")
        part = p.amount(9_000, 9_900)
        total += part
        p.pay(payer, collector, part, day + timedelta(days=n % 5))
    p.pay(collector, fan_in_seed, total * 0.98, day + timedelta(days=6))
    p.expect(collector, "typology", "fan_in")
    p.pay(fan_out_seed, spreader, 150_000, day)
    for n in range(12):
        payee = p.company(f"{k}-fan-out-{n}", f"{sc}:fan_out", "one of many payees")
        p.pay(spreader, payee, p.amount(9_000, 9_900), day + timedelta(days=1 + n % 5))
    p.expect(spreader, "typology", "fan_out")

    feeder = p.company(f"{k}-pt-out-payer", f"{sc}:pass_through", "clean payer of a conduit")
    outbound = p.company(f"{k}-pt-out", f"{sc}:pass_through", "passes funds on to a seed")
    amount, day = p.amount(100_000, 900_000), p.day_2024()
    p.pay(feeder, outbound, amount, day)
    p.pay(outbound, seed, amount * p.rng.uniform(0.92, 0.99), day + timedelta(p.rng.randint(1, 6)))
    p.expect(outbound, "typology", "pass_through")

    # decoys: a collector with too few payers, a payment cycle that takes months
    few = p.company(f"{k}-fan-decoy", f"{sc}:fan_in", "decoy: three payers, then a seed")
    total = 0.0
    for n in range(3):
        payer = p.company(f"{k}-fan-decoy-{n}", f"{sc}:fan_in", "one of three payers")
        part = p.amount(9_000, 9_900)
        total += part
        p.pay(payer, few, part, day + timedelta(days=n))
    p.pay(few, fan_in_seed, total, day + timedelta(days=4))
    p.expect(few, "exposed")
    slow_a = p.company(f"{k}-rt-decoy-a", f"{sc}:round_trip", "decoy: slow cycle, first leg")
    slow_b = p.company(f"{k}-rt-decoy-b", f"{sc}:round_trip", "decoy: slow cycle, second leg")
    amount, day = p.amount(200_000, 900_000), date(2024, 2, 1) + timedelta(p.rng.randrange(120))
    p.pay(origin, slow_a, amount, day)
    p.pay(slow_a, slow_b, amount * 0.97, day + timedelta(days=p.rng.randint(25, 35)))
    p.pay(slow_b, origin, amount * 0.95, day + timedelta(days=p.rng.randint(70, 90)))
    p.expect(slow_a, "exposed")
    p.expect(slow_b, "exposed")


def _plant_hub(p: _Planter, customers: int) -> None:
    """A clearing bank with thousands of clean customers and one sanctioned counterparty."""
    sc = "hub_clearing_bank"
    hub = p.bank("hub-bank", sc, "clearing bank with one sanctioned counterparty")
    p.hubs.append(hub)
    counterparty = p.seed_party("hub-sanctioned", sc)
    p.pay(hub, counterparty, 48_000.0, date(2024, 4, 2))
    for n in range(customers):
        if n % 3 == 0:
            customer = p.person(f"hub-cust-{n:05d}", sc, "hub customer", contact=False)
        else:
            customer = p.company(f"hub-cust-{n:05d}", sc, "hub customer", contact=False)
        p.pay(customer, hub, p.amount(100, 50_000), p.day_2024())
        p.expect(customer, "clean")


def _plant_lookalikes(p: _Planter, i: int) -> None:
    """Clean parties whose names resemble listed ones; nothing links them to a seed."""
    sc = "lookalike_names"
    k = f"look{i}"
    for n, caption in enumerate(
        (
            "Stroytrade Invest LLC",
            "International Settlements Group Ltd",
            "Timer Logistics OOO",
            "Kwangsong Trading Ltd",
            "MRB Consulting GmbH",
            "Stroytransgaz Service AO",
        )
    ):
        node_id = p.company(f"{k}-{n}", sc, f"decoy: similar name ({caption})", caption=caption)
        p.expect(node_id, "clean")


def _plant_background(p: _Planter, count: int, hub_customers: int) -> None:
    """Ordinary customers: ownership trees, officers, payments (no cycles), a few shared
    addresses and hub accounts. Nothing here reaches a seed except through the hub."""
    sc = "background"
    ids: list[str] = []
    for n in range(count):
        if n % 3 == 0:
            ids.append(p.person(f"bg-{n:06d}", sc, "clean customer"))
        else:
            ids.append(p.company(f"bg-{n:06d}", sc, "clean customer"))
    companies = [node_id for node_id in ids if p.nodes[node_id].schema == "Company"]
    people = [node_id for node_id in ids if p.nodes[node_id].schema == "Person"]
    position = 0
    for index, asset in enumerate(ids):
        if p.nodes[asset].schema != "Company" or index == 0:
            continue
        position += 1
        owners = p.rng.sample(ids[:index], k=min(2, index))
        shares = (float(p.rng.randint(30, 70)), float(p.rng.randint(5, 30)))
        for owner, share in zip(owners, shares, strict=False):
            p.own(owner, asset, share)
        if position % 4 == 0:
            p.link("directorship", p.rng.choice(people), asset)
        if position % 9 == 0:
            p.link("employment", p.rng.choice(people), asset)
        if position % 15 == 0:
            p.link("membership", asset, p.rng.choice([c for c in companies[:50] if c != asset]))
    for n in range(0, len(people) - 1, 7):
        p.link("family", people[n], people[n + 1])
    for _ in range(count * 2):
        left, right = sorted(p.rng.sample(range(count), 2))
        p.pay(ids[left], ids[right], p.amount(100, 80_000), p.day_2024())
    for n in range(0, len(companies) - 5, 97):
        for neighbour in companies[n + 1 : n + 4]:
            p.nodes[neighbour].address = p.nodes[companies[n]].address
    for node_id in ids[: min(count, hub_customers // 10)]:
        p.pay(node_id, "hub-bank", p.amount(100, 20_000), p.day_2024())


def plant(seed: int, shape: Shape) -> _Planter:
    """Build every planted scenario for one seed (no files written)."""
    p = _Planter(seed)
    _plant_scheme_2024_09_19(p)
    for i in range(shape.instances):
        _plant_ownership(p, i)
        _plant_proxies(p, i)
        _plant_fronts(p, i)
        _plant_flows(p, i)
        _plant_lookalikes(p, i)
    _plant_hub(p, shape.hub_customers)
    _plant_background(p, shape.background, shape.hub_customers)
    return p


# --- derived edges and truth -------------------------------------------------------------------


def shared_attribute_edges(nodes: Iterable[Node], max_group: int = SHARED_MAX_GROUP) -> list[Edge]:
    """``shared_<attribute>`` edges as network/builder.py makes them: every pair of holders of
    one value (values held by more than ``max_group`` entities link nobody)."""
    holders: dict[tuple[str, str], set[str]] = defaultdict(set)
    for node in nodes:
        for attribute in SHARED_ATTRIBUTES:
            value = getattr(node, attribute)
            if value:
                holders[(attribute, value)].add(node.id)
    edges: list[Edge] = []
    for (attribute, _value), members in sorted(holders.items()):
        if 2 <= len(members) <= max_group:
            kind = f"shared_{attribute}"
            for left, right in itertools.combinations(sorted(members), 2):
                edges.append(Edge(f"{kind}:{left}:{right}", left, right, kind))
    return edges


def _adjacency(edges: Sequence[Edge]) -> dict[str, set[str]]:
    neighbours: dict[str, set[str]] = defaultdict(set)
    for edge in edges:
        neighbours[edge.source].add(edge.target)
        neighbours[edge.target].add(edge.source)
    return neighbours


def reachable(
    starts: Iterable[str],
    neighbours: dict[str, set[str]],
    hubs: set[str],
    max_hops: int,
) -> set[str]:
    """Nodes within ``max_hops`` of any start, never expanding through a hub."""
    seen = set(starts)
    frontier: deque[tuple[str, int]] = deque((node_id, 0) for node_id in seen)
    while frontier:
        node_id, hops = frontier.popleft()
        if hops == max_hops or (hops > 0 and node_id in hubs):
            continue
        for other in sorted(neighbours.get(node_id, ())):
            if other not in seen:
                seen.add(other)
                frontier.append((other, hops + 1))
    return seen


def derive_truth(
    p: _Planter, edges: Sequence[Edge], max_hops: int, hub_degree: int
) -> list[TruthRecord]:
    """Seeds, planted statuses, and ``exposed`` for everything else within reach."""
    neighbours = _adjacency(edges)
    hubs = {node_id for node_id, others in neighbours.items() if len(others) > hub_degree}
    if hubs != set(p.hubs):
        raise BookError(f"hubs by degree {sorted(hubs)[:5]} differ from planted {p.hubs}")
    seeds = sorted(node_id for node_id, node in p.nodes.items() if node.sanctioned)
    blocked = sorted(k for k, t in p.expected.items() if t.status == "blocked_by_ownership")
    from_seeds = reachable(seeds, neighbours, hubs, max_hops)
    if reachable(seeds + blocked, neighbours, hubs, max_hops) != from_seeds:
        raise BookError("blocked entities reach beyond the seeds' reach: ambiguous truth")
    records: list[TruthRecord] = []
    for node_id in sorted(p.nodes):
        scenario, role = p.scenario_of[node_id]
        planted = p.expected.get(node_id)
        if p.nodes[node_id].sanctioned:
            records.append(TruthRecord(node_id, "sanctioned", (), scenario, role))
        elif planted is not None and planted.status == "clean":
            if node_id in from_seeds:
                raise BookError(f"clean decoy {node_id} is within {max_hops} hops of a seed")
            records.append(planted)
        elif planted is not None:
            if node_id not in from_seeds:
                raise BookError(f"{node_id} planted as {planted.status} but out of reach")
            records.append(planted)
        elif node_id in from_seeds:
            records.append(TruthRecord(node_id, "exposed", (), scenario, role))
        elif scenario != "background":
            records.append(TruthRecord(node_id, "clean", (), scenario, role))
    return records


def load_truth(path: Path) -> list[TruthRecord]:
    records = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            data = json.loads(line)
            records.append(
                TruthRecord(
                    id=data["id"],
                    status=data["status"],
                    typologies=tuple(data["typologies"]),
                    scenario=data["scenario"],
                    role=data["role"],
                )
            )
    return records


# --- writers ----------------------------------------------------------------------------------


def _ftm_entity(schema: str, entity_id: str, props: dict[str, list[str]]) -> dict[str, Any]:
    return {"id": entity_id, "schema": schema, "properties": props}


def _ftm_party(node: Node) -> dict[str, Any]:
    props: dict[str, list[str]] = {"name": [node.caption]}
    if node.country:
        props["country"] = [node.country]
    if node.founded and node.schema != "Person":
        props["incorporationDate"] = [node.founded.isoformat()]
    if node.sanctioned:
        props["topics"] = ["sanction"]
    for attribute, prop in (
        ("address", "address"),
        ("phone", "phone"),
        ("email", "email"),
        ("tax_id", "taxNumber"),
    ):
        value = getattr(node, attribute)
        if value:
            props[prop] = [value]
    for prop, values in node.extra.items():
        props.setdefault(prop, values)
    return _ftm_entity(node.schema, node.id, props)


def _ftm_edge(edge: Edge) -> dict[str, Any]:
    schema, source_prop, target_prop = FTM_EDGE_SCHEMAS[edge.kind]
    props: dict[str, list[str]] = {source_prop: [edge.source], target_prop: [edge.target]}
    if edge.share is not None:
        props["percentage"] = [f"{edge.share:g}"]
    if edge.amount is not None:
        props["amount"] = [f"{edge.amount:.2f}"]
    if edge.currency:
        props["currency"] = [edge.currency]
    if edge.date:
        props["date"] = [edge.date.isoformat()]
    return _ftm_entity(schema, edge.id, props)


def _compact(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def write_ftm(path: Path, nodes: Iterable[Node], edges: Iterable[Edge]) -> int:
    """FtM JSON lines: parties first, then relationship and payment entities."""
    count = 0
    with path.open("w", encoding="utf-8") as handle:
        for node in nodes:
            handle.write(_compact(_ftm_party(node)) + "\n")
            count += 1
        for edge in edges:
            if edge.kind in FTM_EDGE_SCHEMAS:
                handle.write(_compact(_ftm_edge(edge)) + "\n")
                count += 1
    return count


def write_bank_csv(directory: Path, edges: Iterable[Edge]) -> int:
    """The banking roles FtM lacks, in the engine's CSV layout (docs/network.md):
    ``accounts.csv`` (holder_id holds a correspondent account at servicer_id) and
    ``relationships.csv`` rows of kind ``intermediary`` (source routes payments for target)."""
    accounts = [e for e in edges if e.kind == "correspondent"]
    routed = [e for e in edges if e.kind == "intermediary"]
    with (directory / "accounts.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(("id", "holder_id", "servicer_id"))
        writer.writerows((e.id, e.source, e.target) for e in accounts)
    with (directory / "relationships.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(("id", "source_id", "target_id", "kind"))
        writer.writerows((e.id, e.source, e.target, e.kind) for e in routed)
    return len(accounts) + len(routed)


def _create_tables(con: duckdb.DuckDBPyConnection) -> None:
    node_cols = ", ".join(f'"{c}" {t}' for c, t in zip(NODE_COLUMNS, NODE_TYPES, strict=True))
    edge_cols = ", ".join(f'"{c}" {t}' for c, t in zip(EDGE_COLUMNS, EDGE_TYPES, strict=True))
    con.execute(f"CREATE TABLE planted_nodes ({node_cols})")
    con.execute(f"CREATE TABLE planted_edges ({edge_cols})")


def _json_value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def _load_planted(
    con: duckdb.DuckDBPyConnection,
    nodes: Sequence[Node],
    edges: Sequence[Edge],
    scratch: Path,
) -> None:
    """Planted rows into DuckDB through a JSON-lines scratch file (passing Python lists as
    parameters costs a module lookup per value)."""
    _create_tables(con)
    for table, columns, types, rows in (
        ("planted_nodes", NODE_COLUMNS, NODE_TYPES, nodes),
        ("planted_edges", EDGE_COLUMNS, EDGE_TYPES, edges),
    ):
        path = scratch / f"{table}.jsonl"
        with path.open("w", encoding="utf-8") as handle:
            for row in rows:
                values = {column: _json_value(getattr(row, column)) for column in columns}
                handle.write(json.dumps(values, separators=(",", ":")) + "\n")
        spec = ", ".join(f"'{c}': '{t}'" for c, t in zip(columns, types, strict=True))
        con.execute(f"INSERT INTO {table} SELECT * FROM read_json('{path}', columns={{{spec}}})")
        path.unlink()


def _copy(con: duckdb.DuckDBPyConnection, query: str, path: Path) -> None:
    con.execute(f"COPY ({query}) TO '{path}' (FORMAT parquet, COMPRESSION zstd)")


# --- scale background (DuckDB SQL) -----------------------------------------------------------


def _uniform(expr: str, seed: int, salt: int) -> str:
    """A uniform [0, 1) double from a hash of (expr, seed, salt): reproducible and parallel."""
    return f"((hash({expr}, {seed}::BIGINT, {salt}::BIGINT) >> 11)::DOUBLE / 9007199254740992.0)"


def _pick(expr: str, seed: int, salt: int, n: str, skew: float) -> str:
    """An index in [0, n) skewed toward 0 (power law: index ~ n * u^skew), so that a few
    low ids become hubs."""
    return f"LEAST({n} - 1, floor({n} * pow({_uniform(expr, seed, salt)}, {skew}))::BIGINT)"


def _sql_list(values: Sequence[str]) -> str:
    return "[" + ", ".join("'" + value.replace("'", "''") + "'" for value in values) + "]"


def _choice(values: Sequence[str], expr: str, seed: int, salt: int) -> str:
    return f"{_sql_list(values)}[1 + (hash({expr}, {seed}::BIGINT, {salt}::BIGINT) % {len(values)})::BIGINT]"


def _company_count(nodes: int) -> int:
    """Background ids i with i % 20 >= 7 are companies (65 %), the rest people."""
    return nodes // 20 * 13 + max(0, nodes % 20 - 7)


def _coprime_multiplier(modulus: int) -> int:
    candidate = 2_654_435_761
    while _gcd(candidate, modulus) != 1:
        candidate += 2
    return candidate


def _gcd(a: int, b: int) -> int:
    while b:
        a, b = b, a % b
    return a


CLUSTER = 60  # background ids in blocks of 60: 21 people and 39 companies each
DEFAULT_LOCALITY = 0.85


def hub_count(nodes: int) -> int:
    """Background hubs (large merchants, employers, holding companies): the lowest company
    ids, one per 5,000 entities and at least 100."""
    return max(100, nodes // 5000)


def background_nodes_sql(count: int, seed: int, sanctioned: int) -> str:
    """Background nodes ``b<i>``: 35 % people (``i % 20 < 7``), 65 % companies of which one
    in 1,000 a bank; about ``sanctioned`` seeds, never among the hubs."""
    first = hub_count(count)
    every = max(1, (count - first) // max(1, sanctioned))
    person = "(i % 20 < 7)"
    bank = "(i % 1000 = 999)"
    seed_test = f"(i >= {first} AND hash(i, {seed}::BIGINT, 2::BIGINT) % {every} = 0)"
    company_name = (
        f"{_choice(_STEMS, 'i', seed, 11)} || ' ' || {_choice(_TRADES, 'i', seed, 12)}"
        f" || ' ' || {_choice(_FORMS, 'i', seed, 13)}"
    )
    bank_name = f"{_choice(_STEMS, 'i', seed, 11)} || ' ' || {_choice(_BANK_FORMS, 'i', seed, 12)}"
    person_name = f"{_choice(_FIRST, 'i', seed, 14)} || ' ' || {_choice(_LAST, 'i', seed, 15)}"
    return f"""
        SELECT 'b' || i AS id,
               CASE WHEN {person} THEN 'Person' ELSE 'Company' END AS schema,
               CASE WHEN {person} THEN {person_name} WHEN {bank} THEN {bank_name}
                    ELSE {company_name} END AS caption,
               {seed_test} AS sanctioned,
               CASE WHEN {seed_test} THEN 'synthetic designation (background)' END
                   AS sanction_reason,
               CASE WHEN {person} THEN NULL
                    ELSE DATE '1990-01-01' + (hash(i, {seed}::BIGINT, 3::BIGINT) % 12400)::INTEGER
               END AS founded,
               {_choice(_COUNTRIES, "i", seed, 4)} AS country
        FROM range({count}) t(i)
    """


def _distinct(first: str, second: str, n: int | str) -> str:
    """``second`` unless it equals ``first`` (then the next index): no self-loops."""
    return f"CASE WHEN ({second}) = ({first}) THEN (({first}) + 1) % {n} ELSE ({second}) END"


def _company_id(index: str) -> str:
    return f"(({index}) // 13 * 20 + 7 + ({index}) % 13)"


def _uniform_index(n: int | str, seed: int, salt: int, var: str = "k") -> str:
    return f"floor({n} * {_uniform(var, seed, salt)})::BIGINT"


def _edge_select(start: int, kind: str, source: str, target: str, values: str, rows: str) -> str:
    return (
        f"SELECT 'e' || (k + {start}) AS id, 'b' || ({source}) AS source,"
        f" 'b' || ({target}) AS target, '{kind}' AS kind, {values} FROM {rows}"
    )


_NO_VALUES = (
    "NULL::DOUBLE AS share, NULL::DOUBLE AS amount, NULL::VARCHAR AS currency, NULL::DATE AS date"
)


class _Cluster:
    """SQL for ids inside the cluster ``c`` of the current row (``c * 60`` … ``c * 60 + 59``);
    ``skew`` > 1 favours a few members, so each cluster has its own local centre."""

    def __init__(self, seed: int) -> None:
        self.seed = seed

    def person(self, salt: int, skew: float = 1.0) -> str:
        block = _uniform_index(3, self.seed, salt)
        offset = f"floor(7 * pow({_uniform('k', self.seed, salt + 100)}, {skew}))::BIGINT"
        return f"(c * {CLUSTER} + 20 * {block} + {offset})"

    def company(self, salt: int, skew: float = 1.0) -> str:
        block = _uniform_index(3, self.seed, salt)
        offset = f"floor(13 * pow({_uniform('k', self.seed, salt + 100)}, {skew}))::BIGINT"
        return f"(c * {CLUSTER} + 20 * {block} + 7 + {offset})"

    def member(self, salt: int, skew: float = 1.0) -> str:
        return f"(c * {CLUSTER} + floor({CLUSTER} * pow({_uniform('k', self.seed, salt)}, {skew}))::BIGINT)"


def background_edges_sql(
    nodes: int, edges: int, seed: int, locality: float = DEFAULT_LOCALITY
) -> str:
    """Background edges ``e<k>``. Entities live in clusters of 60 consecutive ids (a corporate
    group, a neighbourhood of trading partners); a ``locality`` share of payments and
    employments stays inside the row's cluster, the rest goes to the hubs (power law over
    ``hub_count`` large companies), and a few banks hold correspondent accounts at big
    correspondent banks. Officers, family and associates stay inside a cluster. Ownership is a
    DAG (owner id < asset id), two owners per asset with shares summing to at most 100, the
    owners in the asset's cluster or (one in ten) a hub holding company."""
    clusters = nodes // CLUSTER
    companies = _company_count(nodes)
    hubs = hub_count(nodes)
    hub_companies = hubs // 20 * 13
    banks = max(2, nodes // 1000)
    counts = {
        "ownership": min(edges * 12 // 100 // 2 * 2, 2 * (companies - 1)),
        "directorship": edges * 6 // 100,
        "employment": edges * 5 // 100,
        "family": edges * 2 // 100,
        "associate": edges * 2 // 100,
        "correspondent": min(edges // 200, banks * 20),
    }
    counts["payment"] = edges - sum(counts.values())
    local = _Cluster(seed)
    hub = _company_id(f"floor({hub_companies} * pow({_uniform('k', seed, 51)}, 2))::BIGINT")
    stays = f"{_uniform('k', seed, 52)} < {locality}"

    # ownership: pair p of rows owns asset company 1 + (p * mult) % (companies - 1), a
    # permutation, so each asset has exactly the two owners of its pair
    mult = _coprime_multiplier(companies - 1)
    asset = _company_id(f"1 + (p * {mult}) % {companies - 1}")
    base = f"({asset} // {CLUSTER} * {CLUSTER})"
    holding = _company_id(f"floor({hub_companies} * {_uniform('p', seed, 25)})::BIGINT")

    def owner(salt: int) -> str:
        near = f"{base} + floor(({asset} - {base}) * pow({_uniform('p', seed, salt)}, 2))::BIGINT"
        far = f"{_uniform('p', seed, salt + 10)} < 0.1 AND {holding} < {asset}"
        return f"(CASE WHEN {far} THEN {holding} ELSE {near} END)"

    owner0, owner1 = owner(21), owner(22)
    share0 = f"round(10 + 80 * {_uniform('p', seed, 23)}, 1)"
    share1 = f"greatest(0.1, round((100 - {share0}) * {_uniform('p', seed, 24)}, 1))"
    ownership_source = (
        f"CASE WHEN k % 2 = 0 THEN {owner0} ELSE {_distinct(owner0, owner1, asset)} END"
    )
    ownership_values = (
        f"CASE WHEN k % 2 = 0 THEN {share0} ELSE {share1} END AS share,"
        " NULL::DOUBLE AS amount, NULL::VARCHAR AS currency, NULL::DATE AS date"
    )
    bank_a = _uniform_index(banks, seed, 37)
    bank_b = _distinct(bank_a, _pick("k", seed, 38, str(banks), 3.0), banks)
    payer = local.member(41)
    payee = (
        f"CASE WHEN {stays} THEN {_distinct(payer, local.member(42, 2.0), nodes)} ELSE {hub} END"
    )
    payment_values = (
        f"NULL::DOUBLE AS share, round(exp(4 + 9 * {_uniform('k', seed, 43)}), 2) AS amount,"
        f" {_choice(('USD', 'EUR', 'RUB', 'AED'), 'k', seed, 44)} AS currency,"
        f" DATE '2023-01-01' + (hash(k, {seed}::BIGINT, 45::BIGINT) % 730)::INTEGER AS date"
    )
    relative = local.person(35)
    associate = local.person(47)
    # (source, target, values): expressions over the row's k, p and cluster c
    specs = {
        "ownership": (ownership_source, asset, ownership_values),
        "directorship": (local.person(31, 2.0), local.company(32), _NO_VALUES),
        "employment": (
            local.person(33),
            f"CASE WHEN {stays} THEN {local.company(34, 2.0)} ELSE {hub} END",
            _NO_VALUES,
        ),
        "family": (relative, _distinct(relative, local.person(36), nodes), _NO_VALUES),
        "associate": (associate, _distinct(associate, local.person(48), nodes), _NO_VALUES),
        "correspondent": (f"({bank_a}) * 1000 + 999", f"({bank_b}) * 1000 + 999", _NO_VALUES),
        "payment": (payer, payee, payment_values),
    }
    selects, start = [], 0
    for kind, (source, target, values) in specs.items():
        count = counts[kind]
        cluster = _uniform_index(clusters, seed, 30, var=f"(k + {start})")
        rows = f"(SELECT k, k // 2 AS p, {cluster} AS c FROM range({count}) r(k)) t"
        selects.append(_edge_select(start, kind, source, target, values, rows))
        start += count
    return " UNION ALL ".join(selects)


# --- the public entry point -------------------------------------------------------------------


def parse_size(size: str | int, planted: str = "small") -> tuple[str, Shape, int]:
    """(label, planted shape, total node count or 0 for a planted-only book)."""
    if isinstance(size, int):
        if size < 50_000:
            raise ValueError(f"a scale book needs at least 50,000 nodes, not {size}")
        return f"{size}", SHAPES[planted], size
    if size in SHAPES:
        return size, SHAPES[size], 0
    if size in SCALE_SIZES:
        return size, SHAPES[planted], SCALE_SIZES[size]
    raise ValueError(f"unknown size {size!r}: use {sorted(SHAPES) + sorted(SCALE_SIZES)} or an int")


def generate_book(
    seed: int,
    size: str | int,
    directory: Path,
    *,
    max_hops: int = 3,
    hub_degree: int = 1000,
    write_ftm_json: bool | None = None,
    sanctioned_background: int | None = None,
    planted: str = "small",
    locality: float = DEFAULT_LOCALITY,
) -> Book:
    """Write a book (see the module docstring) into ``directory`` and describe it.

    ``size``: ``"tiny"`` (tests), ``"small"`` (quality runs), ``"1M"``, ``"10M"`` or a node
    count (scale runs: the ``planted`` book, ``small`` by default, inside a power-law
    background with five edges per node; about ``sanctioned_background`` background seeds,
    by default 2,000 for 1M nodes, one per 2,000 above and one per 500 below). ``max_hops`` and ``hub_degree`` define the exposure truth and must match
    the analysis configuration. FtM JSON and the accounts CSV are written for planted-only
    books unless ``write_ftm_json`` says otherwise.
    """
    label, shape, total_nodes = parse_size(size, planted)
    directory.mkdir(parents=True, exist_ok=True)
    planter = plant(seed, shape)
    nodes = [planter.nodes[node_id] for node_id in sorted(planter.nodes)]
    input_edges = planter.edges
    all_edges = [*input_edges, *shared_attribute_edges(nodes)]
    truth = derive_truth(planter, all_edges, max_hops, hub_degree)

    truth_path = directory / "truth.jsonl"
    with truth_path.open("w", encoding="utf-8") as handle:
        for record in truth:
            handle.write(_compact(record.to_json()) + "\n")

    entities_path: Path | None = None
    csv_dir: Path | None = None
    if write_ftm_json if write_ftm_json is not None else total_nodes == 0:
        entities_path = directory / "entities.ftm.json"
        write_ftm(entities_path, nodes, input_edges)
        csv_dir = directory / "csv"
        csv_dir.mkdir(exist_ok=True)
        write_bank_csv(csv_dir, input_edges)

    nodes_path, edges_path = directory / "nodes.parquet", directory / "edges.parquet"
    con = duckdb.connect()
    try:
        _load_planted(con, nodes, all_edges, directory)
        node_query, edge_query = "SELECT * FROM planted_nodes", "SELECT * FROM planted_edges"
        if total_nodes:
            background = total_nodes - len(nodes)
            edge_total = total_nodes * SCALE_EDGES_PER_NODE - len(all_edges)
            seeds = sanctioned_background or min(total_nodes // 500, max(2000, total_nodes // 2000))
            node_query += " UNION ALL " + background_nodes_sql(background, seed, seeds)
            edge_query += " UNION ALL " + background_edges_sql(
                background, edge_total, seed, locality
            )
        _copy(con, node_query, nodes_path)
        _copy(con, edge_query, edges_path)
        node_count = _count(con, nodes_path)
        edge_count = _count(con, edges_path)
    finally:
        con.close()
    return Book(
        directory=directory,
        seed=seed,
        size=label,
        nodes_parquet=nodes_path,
        edges_parquet=edges_path,
        truth_path=truth_path,
        entities_path=entities_path,
        csv_dir=csv_dir,
        node_count=node_count,
        edge_count=edge_count,
        hub_ids=tuple(planter.hubs),
        max_hops=max_hops,
        hub_degree=hub_degree,
    )


def _count(con: duckdb.DuckDBPyConnection, path: Path) -> int:
    row = con.execute(f"SELECT count(*) FROM read_parquet('{path}')").fetchone()
    return int(row[0]) if row else 0


# --- checking tables and scoring findings against the truth --------------------------------------------------------


def table_differences(
    expected: tuple[Path, Path], actual: tuple[Path, Path], limit: int = 5
) -> list[str]:
    """Rows of one pair of canonical (nodes, edges) Parquet tables missing from the other, as
    readable lines (empty when they hold the same rows; edge ids and captions are not compared,
    nor sanction reasons, which each writer words its own way)."""
    keys = {
        "nodes": "id, schema, sanctioned, founded, country",
        "edges": "source, target, kind, share, amount, currency, date",
    }
    problems: list[str] = []
    con = duckdb.connect()
    try:
        for position, table in enumerate(("nodes", "edges")):
            left, right = expected[position], actual[position]
            for a, b, label in ((left, right, "only in"), (right, left, "only in")):
                query = (
                    f"SELECT {keys[table]} FROM read_parquet('{a}') EXCEPT ALL "
                    f"SELECT {keys[table]} FROM read_parquet('{b}')"
                )
                row = con.execute(f"SELECT count(*) FROM ({query})").fetchone()
                missing = int(row[0]) if row else 0
                if missing:
                    sample = con.execute(f"{query} ORDER BY ALL LIMIT {limit}").fetchall()
                    problems.append(f"{missing} {table} rows {label} {a}: {sample}")
    finally:
        con.close()
    return problems


@dataclass(frozen=True)
class Score:
    label: str
    expected: int
    found: int
    correct: int

    @property
    def precision(self) -> float:
        return self.correct / self.found if self.found else 1.0

    @property
    def recall(self) -> float:
        return self.correct / self.expected if self.expected else 1.0


@dataclass(frozen=True)
class Evaluation:
    scores: tuple[Score, ...]
    false_positives: tuple[str, ...]
    false_negatives: tuple[str, ...]
    wrong_status: tuple[tuple[str, str, str], ...]
    flagged_hub_customers: tuple[str, ...]
    flagged_seeds: int

    def overall(self) -> Score:
        return self.scores[0]


def finding_typologies(finding: dict[str, Any]) -> set[str]:
    """Typology names a finding claims: a ``typologies`` field if present, else the names
    mentioned in its reasons."""
    named = finding.get("typologies")
    if isinstance(named, list):
        return {str(name) for name in named}
    text = " ".join(str(reason) for reason in finding.get("reasons", ()))
    return {name for name in TYPOLOGIES if name in text}


def _score(label: str, expected: set[str], found: set[str]) -> Score:
    return Score(label, len(expected), len(found), len(expected & found))


def evaluate(findings: Sequence[dict[str, Any]], truth: Sequence[TruthRecord]) -> Evaluation:
    """Precision and recall of flagged entities: overall (any status), per status, and per
    typology. Seeds are input, not findings: they count neither way."""
    by_id = {record.id: record for record in truth}
    seeds = {record.id for record in truth if record.status == "sanctioned"}
    flagged_truth = {r.id for r in truth if r.status not in ("sanctioned", "clean")}
    found = {str(f["id"]): f for f in findings if str(f["id"]) not in seeds}
    scores = [_score("overall (any status)", flagged_truth, set(found))]
    for status in ("blocked_by_ownership", "typology", "exposed"):
        scores.append(
            _score(
                f"status {status}",
                {r.id for r in truth if r.status == status},
                {i for i, f in found.items() if f.get("status") == status},
            )
        )
    for typology in TYPOLOGIES:
        scores.append(
            _score(
                f"typology {typology}",
                {r.id for r in truth if typology in r.typologies},
                {i for i, f in found.items() if typology in finding_typologies(f)},
            )
        )
    wrong = tuple(
        (i, by_id[i].status, str(f.get("status")))
        for i, f in sorted(found.items())
        if i in by_id and by_id[i].status in STATUSES[1:4] and by_id[i].status != f.get("status")
    )
    hub_customers = tuple(
        sorted(
            i
            for i in found
            if i in by_id
            and by_id[i].scenario == "hub_clearing_bank"
            and by_id[i].role == "hub customer"
        )
    )
    return Evaluation(
        scores=tuple(scores),
        false_positives=tuple(sorted(set(found) - flagged_truth)),
        false_negatives=tuple(sorted(flagged_truth - set(found))),
        wrong_status=wrong,
        flagged_hub_customers=hub_customers,
        flagged_seeds=sum(1 for f in findings if str(f["id"]) in seeds),
    )


def iter_findings(path: Path) -> Iterator[dict[str, Any]]:
    """Findings from an exposure JSON-lines file (lines without an ``id`` are skipped)."""
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                data = json.loads(line)
                if isinstance(data, dict) and "id" in data:
                    yield data
