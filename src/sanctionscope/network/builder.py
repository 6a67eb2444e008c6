"""FtM entities → the canonical ``nodes`` and ``edges`` tables.

Things (people, companies, organisations, vessels, ...) become nodes; FtM relationship
entities become typed edges; Sanction entities and the ``sanction`` topic mark nodes as
sanctioned. UnknownLink and Representation entities whose ``role`` names a banking role become
our own ``correspondent`` and ``intermediary`` edges (see docs/network.md). Addresses, phones,
emails and tax ids shared by a few entities become ``shared_<attribute>`` edges.
"""

from __future__ import annotations

import re
import tempfile
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from itertools import combinations
from pathlib import Path
from typing import Any

import orjson
from followthemoney import EntityProxy

from sanctionscope.network.model import (
    EDGE_COLUMNS,
    EDGE_TYPES,
    NODE_COLUMNS,
    NODE_TYPES,
    InputError,
    create_tables,
)

# FtM relationship schema → our edge kind. Source and target properties come from the schema.
SCHEMA_KINDS = {
    "Ownership": "ownership",
    "Directorship": "directorship",
    "Representation": "representation",
    "Membership": "membership",
    "Employment": "employment",
    "Family": "family",
    "Associate": "associate",
    "UnknownLink": "unknown_link",
    "Payment": "payment",
}
CORRESPONDENT_ROLES = ("correspondent", "nostro", "vostro", "loro")
INTERMEDIARY_ROLES = ("intermediary", "on behalf of", "on behalf", "payment agent", "proxy")
NOT_NODES = frozenset({"Address"})
TAX_ID_PROPS = ("taxNumber", "innCode", "vatCode")
DEFAULT_SHARED_MAX_GROUP = 10


@dataclass
class NodeRow:
    schema: str
    caption: str
    sanctioned: bool
    reasons: list[str]
    founded: str | None
    country: str | None


def first_date(values: list[str]) -> str | None:
    """Earliest ISO date among FtM date values; a partial date takes its first day."""
    found: list[str] = []
    for value in values:
        text = value.strip()[:10]
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            found.append(text)
        elif re.fullmatch(r"\d{4}-\d{2}", text):
            found.append(text + "-01")
        elif re.fullmatch(r"\d{4}", text):
            found.append(text + "-01-01")
    valid = [d for d in found if _is_date(d)]
    return min(valid) if valid else None


def _is_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def parse_number(text: str) -> float | None:
    cleaned = text.strip().replace("%", "").replace(",", "").replace(" ", "")
    try:
        return float(cleaned)
    except ValueError:
        return None


def normalise_address(text: str) -> str:
    return " ".join(re.sub(r"[^\w]+", " ", text.casefold()).split())


def normalise_phone(text: str) -> str:
    digits = re.sub(r"\D", "", text)
    return digits if len(digits) >= 7 else ""


def normalise_tax_id(text: str) -> str:
    value = re.sub(r"[^0-9A-Za-z]", "", text).upper()
    return value if len(value) >= 5 else ""


class GraphBuilder:
    """Collects nodes and edges from FtM entities, then writes the canonical tables."""

    def __init__(self, shared_max_group: int = DEFAULT_SHARED_MAX_GROUP) -> None:
        self.shared_max_group = shared_max_group
        self.nodes: dict[str, NodeRow] = {}
        self.edges: list[
            tuple[str, str, str, str, float | None, float | None, str | None, str | None]
        ] = []
        self.errors: list[InputError] = []
        self.sanctions: dict[str, list[str]] = defaultdict(list)
        self.addresses: dict[str, str] = {}  # Address entity id → normalised full address
        self.address_refs: list[tuple[str, str]] = []  # (node id, Address entity id)
        self.shared: dict[tuple[str, str], set[str]] = defaultdict(set)
        self.ignored: dict[str, int] = defaultdict(int)
        self.shared_too_common: dict[str, int] = defaultdict(int)

    def error(self, kind: str, message: str, record: str | None, location: str | None) -> None:
        self.errors.append(InputError(kind, message, record, location))

    def add(self, proxy: EntityProxy, location: str) -> None:
        schema = proxy.schema
        if proxy.id is None:
            self.error("parse_error", "entity has no id", None, location)
            return
        if schema.name in SCHEMA_KINDS:
            self._add_relation(proxy, location)
        elif schema.name == "Sanction":
            self._add_sanction(proxy, location)
        elif schema.name == "Address":
            full = proxy.first("full") or proxy.caption
            if full:
                self.addresses[proxy.id] = normalise_address(full)
        elif schema.is_a("Thing") and schema.name not in NOT_NODES:
            self._add_node(proxy, location)
        else:
            self.ignored[schema.name] += 1

    def _add_node(self, proxy: EntityProxy, location: str) -> None:
        assert proxy.id is not None
        props = proxy.schema.properties
        founded = (
            first_date(proxy.get("incorporationDate")) if "incorporationDate" in props else None
        )
        country = proxy.first("country") or proxy.first("jurisdiction")
        row = NodeRow(
            schema=proxy.schema.name,
            caption=proxy.caption,
            sanctioned="sanction" in proxy.get("topics"),
            reasons=["topic sanction"] if "sanction" in proxy.get("topics") else [],
            founded=founded,
            country=country,
        )
        existing = self.nodes.get(proxy.id)
        if existing is not None:
            self.error(
                "duplicate_node",
                f"entity {proxy.id} appears more than once; the records were merged",
                proxy.id,
                location,
            )
            existing.sanctioned = existing.sanctioned or row.sanctioned
            existing.reasons.extend(r for r in row.reasons if r not in existing.reasons)
            existing.founded = existing.founded or row.founded
            existing.country = existing.country or row.country
        else:
            self.nodes[proxy.id] = row
        self._collect_shared(proxy)

    def _collect_shared(self, proxy: EntityProxy) -> None:
        assert proxy.id is not None
        props = proxy.schema.properties
        for value in proxy.get("address") if "address" in props else []:
            key = normalise_address(value)
            if key:
                self.shared[("address", key)].add(proxy.id)
        for ref in proxy.get("addressEntity") if "addressEntity" in props else []:
            self.address_refs.append((proxy.id, ref))
        for value in proxy.get("phone") if "phone" in props else []:
            key = normalise_phone(value)
            if key:
                self.shared[("phone", key)].add(proxy.id)
        for value in proxy.get("email") if "email" in props else []:
            key = value.strip().casefold()
            if key:
                self.shared[("email", key)].add(proxy.id)
        for prop in TAX_ID_PROPS:
            for value in proxy.get(prop) if prop in props else []:
                key = normalise_tax_id(value)
                if key:
                    self.shared[("tax_id", key)].add(proxy.id)

    def _add_sanction(self, proxy: EntityProxy, location: str) -> None:
        parts = [
            *proxy.get("authority"),
            *proxy.get("program"),
            *(f"listed {d}" for d in proxy.get("listingDate")[:1]),
        ]
        reason = "Sanction: " + (", ".join(parts) if parts else proxy.id or "")
        targets = proxy.get("entity")
        if not targets:
            self.error("dangling_reference", "Sanction names no entity", proxy.id, location)
        for target in targets:
            self.sanctions[target].append(reason)

    def _add_relation(self, proxy: EntityProxy, location: str) -> None:
        assert proxy.id is not None
        schema = proxy.schema
        kind = SCHEMA_KINDS[schema.name]
        assert schema.edge_source is not None and schema.edge_target is not None
        sources = proxy.get(schema.edge_source)
        targets = proxy.get(schema.edge_target)
        if not sources or not targets:
            missing = schema.edge_source if not sources else schema.edge_target
            self.error(
                "dangling_reference",
                f"{schema.name} {proxy.id} has no '{missing}'",
                proxy.id,
                location,
            )
            return
        share = amount = None
        currency = day = None
        if kind == "ownership":
            share = self._share(proxy, location)
        elif kind == "payment":
            amount, currency = self._amount(proxy, location)
            day = first_date(proxy.get("date")) or first_date(proxy.get("startDate"))
        else:
            kind, sources, targets = self._banking_role(proxy, kind, sources, targets)
        pairs = [(s, t) for s in sources for t in targets]
        for n, (source, target) in enumerate(pairs):
            edge_id = proxy.id if len(pairs) == 1 else f"{proxy.id}#{n}"
            self.edges.append((edge_id, source, target, kind, share, amount, currency, day))

    def _banking_role(
        self, proxy: EntityProxy, kind: str, sources: list[str], targets: list[str]
    ) -> tuple[str, list[str], list[str]]:
        """Correspondent and intermediary roles written as UnknownLink / Representation."""
        if proxy.schema.name not in ("UnknownLink", "Representation"):
            return kind, sources, targets
        role = " ".join(proxy.get("role")).casefold()
        if any(word in role for word in CORRESPONDENT_ROLES):
            # UnknownLink: subject = respondent, object = correspondent. Representation:
            # the agent (correspondent) serves the client (respondent).
            if proxy.schema.name == "Representation":
                return "correspondent", targets, sources
            return "correspondent", sources, targets
        if any(word in role for word in INTERMEDIARY_ROLES):
            return "intermediary", sources, targets
        return kind, sources, targets

    def _share(self, proxy: EntityProxy, location: str) -> float | None:
        values = proxy.get("percentage")
        if not values:
            return None
        share = parse_number(values[0])
        if share is None:
            self.error(
                "invalid_value",
                f"ownership percentage {values[0]!r} is not a number",
                proxy.id,
                location,
            )
        return share

    def _amount(self, proxy: EntityProxy, location: str) -> tuple[float | None, str | None]:
        for prop, currency in (
            ("amount", proxy.first("currency")),
            ("amountUsd", "USD"),
            ("amountEur", "EUR"),
        ):
            values = proxy.get(prop)
            if values:
                amount = parse_number(values[0])
                if amount is None:
                    self.error(
                        "invalid_value",
                        f"payment {prop} {values[0]!r} is not a number",
                        proxy.id,
                        location,
                    )
                return amount, currency
        return None, proxy.first("currency")

    def _apply_sanctions(self) -> None:
        for entity_id, reasons in self.sanctions.items():
            row = self.nodes.get(entity_id)
            if row is None:
                self.error(
                    "dangling_reference",
                    f"a Sanction names entity {entity_id}, which is not in the input",
                    entity_id,
                    None,
                )
                continue
            row.sanctioned = True
            row.reasons.extend(r for r in reasons if r not in row.reasons)

    def _shared_edges(self) -> None:
        for node_id, ref in self.address_refs:
            full = self.addresses.get(ref)
            if full:
                self.shared[("address", full)].add(node_id)
        for (attribute, _value), members in sorted(self.shared.items()):
            if len(members) < 2:
                continue
            if len(members) > self.shared_max_group:
                # A registered-agent address or a switchboard number links nobody.
                self.shared_too_common[attribute] += 1
                continue
            for a, b in combinations(sorted(members), 2):
                kind = f"shared_{attribute}"
                self.edges.append((f"{kind}:{a}:{b}", a, b, kind, None, None, None, None))

    def write(self, con: Any) -> None:
        """Create tables ``nodes`` and ``edges`` in ``con`` from everything added.

        Rows go through a temporary JSON-lines file that DuckDB reads in bulk: handing it
        Python objects row by row (or object arrays) is orders of magnitude slower.
        """
        self._apply_sanctions()
        self._shared_edges()
        create_tables(con)
        with tempfile.TemporaryDirectory(prefix="sanctionscope-build-") as folder:
            nodes_file = Path(folder) / "nodes.jsonl"
            with nodes_file.open("wb") as fh:
                for node_id, row in self.nodes.items():
                    reason = "; ".join(row.reasons) if row.sanctioned and row.reasons else None
                    fh.write(
                        orjson.dumps(
                            [
                                node_id,
                                row.schema,
                                row.caption,
                                row.sanctioned,
                                reason,
                                row.founded,
                                row.country,
                            ]
                        )
                        + b"\n"
                    )
            edges_file = Path(folder) / "edges.jsonl"
            with edges_file.open("wb") as fh:
                for edge in self.edges:
                    fh.write(orjson.dumps(list(edge)) + b"\n")
            self._insert(con, "nodes", nodes_file, NODE_COLUMNS, NODE_TYPES)
            self._insert(con, "edges", edges_file, EDGE_COLUMNS, EDGE_TYPES)

    @staticmethod
    def _insert(
        con: Any, table: str, path: Path, columns: tuple[str, ...], types: dict[str, str]
    ) -> None:
        if path.stat().st_size == 0:
            return
        # Each line is a JSON array in column order; json_extract picks the fields by position.
        fields = ", ".join(
            f"CAST(json_extract{'_string' if types[c] == 'VARCHAR' else ''}(j, '$[{i}]') "
            f"AS {types[c]}) AS {c}"
            for i, c in enumerate(columns)
        )
        con.execute(
            f"INSERT INTO {table} SELECT {fields} FROM "
            f"read_csv('{str(path).replace(chr(39), chr(39) * 2)}', columns = {{'j': 'JSON'}}, "
            "delim = '\x01', quote = '', escape = '', header = false, auto_detect = false)"
        )
