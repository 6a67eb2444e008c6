"""The sanctions lists' own relationships in the network graph.

The lists state relationships between their entries: OFAC "Linked To:" remarks (UnknownLink)
and the advanced XML's ProfileRelationships (Ownership, Representation, Directorship,
Membership, Family, Associate, UnknownLink), stored as FtM entities with each list version.
Around the list entries the user's entities are linked to (:mod:`.linking`), they join the graph:

- the relationships touching a linked entry, then those touching the entries these reach, up to
  ``max_list_hops`` (default :data:`MAX_LIST_HOPS`) relationships away from a linked entry;
- a user entity linked to a list entry stands for it: the entry's relationships are attached to
  the entity's id, and the entry is not a second node for the same party;
- any other entry reached becomes a node with the id ``<dataset>:<list entity id>``
  (``us_ofac_sdn:ofac-18554``; the dataset prefix keeps it apart from the user's ids), with its
  names, country and founding date; sanctioned, with the reason ``Sanction: us_ofac_sdn 18554,
  NPWMD``, when its list sanctions it (every entry of the official lists; an FtM export also
  holds unsanctioned companies its sanctioned parties own, which the 50 % rule may block).

They are made as FtM entities and read by the one builder, like any ``--entities`` file
(:meth:`ListGraph.entities_file`). Each edge keeps where it came from (``us_ofac_sdn 18554:
Linked To``): :class:`ListEdges` adds it to the findings' paths (``"list"`` on the step that
follows the edge) and reasons.
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any

import orjson
from followthemoney import model
from sqlalchemy import Engine, Select, select

from sanctionscope.network.builder import SCHEMA_KINDS
from sanctionscope.network.engine import open_entities
from sanctionscope.network.linking import ListLinks
from sanctionscope.network.model import InputError
from sanctionscope.network.result import AnalysisResult, Finding, FindingList
from sanctionscope.store.schema import active_versions, entities, list_versions

MAX_LIST_HOPS = 2
NODE_PROPS = ("name", "country", "jurisdiction", "incorporationDate")
_CHUNK = 500  # ids per IN (...) query

Key = tuple[str, str]  # (dataset, list entity id)


@dataclass(frozen=True)
class ListRelation:
    """A relationship entity of an active list version, with its ends."""

    source: str
    record: str  # the list record that states it
    data: dict[str, Any]
    from_ends: tuple[str, ...]
    to_ends: tuple[str, ...]

    @property
    def key(self) -> Key:
        return (self.source, self.data["id"])

    @property
    def ends(self) -> tuple[str, ...]:
        return self.from_ends + self.to_ends

    @property
    def provenance(self) -> str:
        """``us_ofac_sdn 18554: Linked To``: the list, its record and the relation it names."""
        props = self.data.get("properties", {})
        named = [*props.get("relationship", []), *props.get("role", [])]
        return f"{self.source} {self.record}: {named[0] if named else self.data['schema']}"


@dataclass(frozen=True)
class ListNode:
    """A list entry reached through relationships, to be a node of its own."""

    source: str
    record: str
    data: dict[str, Any]
    sanctioned: bool  # a Sanction of its list names it, or it carries the topic "sanction"
    programs: tuple[str, ...]
    listed: tuple[str, ...]

    @property
    def node_id(self) -> str:
        return list_node_id((self.source, self.data["id"]))

    @property
    def label(self) -> str:
        return f"{self.source} {self.record}"


def list_node_id(key: Key) -> str:
    return f"{key[0]}:{key[1]}"


def _active(query: Select[Any]) -> Select[Any]:
    return (
        query.select_from(entities)
        .join(active_versions, active_versions.c.version_id == entities.c.version_id)
        .join(list_versions, list_versions.c.id == entities.c.version_id)
    )


def _relation(source: str, record: str, data: dict[str, Any]) -> ListRelation | None:
    schema = model.get(data.get("schema", ""))
    if schema is None or schema.edge_source is None or schema.edge_target is None:
        return None
    props = data.get("properties", {})
    return ListRelation(
        source,
        record,
        data,
        tuple(props.get(schema.edge_source, [])),
        tuple(props.get(schema.edge_target, [])),
    )


def load_relations(engine: Engine) -> dict[Key, list[ListRelation]]:
    """Every relationship entity of the active list versions, by the entries at its ends."""
    query = _active(select(list_versions.c.source, entities.c.entry, entities.c.data)).where(
        entities.c.schema.in_(tuple(SCHEMA_KINDS))
    )
    by_end: dict[Key, list[ListRelation]] = {}
    with engine.connect() as conn:
        for row in conn.execute(query):
            relation = _relation(row.source, row.entry, orjson.loads(row.data))
            if relation is None:
                continue
            for end in dict.fromkeys(relation.ends):
                by_end.setdefault((relation.source, end), []).append(relation)
    return by_end


def reach(
    anchors: Iterable[Key], by_end: dict[Key, list[ListRelation]], max_list_hops: int
) -> tuple[list[ListRelation], set[Key]]:
    """The relationships within ``max_list_hops`` of the anchors, and every entry they touch.

    Hop 1 takes the relationships of the anchors; hop k those of the entries first reached at
    hop k - 1.
    """
    seen = set(anchors)
    frontier = sorted(seen)
    taken: dict[Key, ListRelation] = {}
    for _hop in range(max_list_hops):
        reached: list[Key] = []
        for key in frontier:
            for relation in by_end.get(key, ()):
                taken.setdefault(relation.key, relation)
                for end in relation.ends:
                    other = (relation.source, end)
                    if other not in seen:
                        seen.add(other)
                        reached.append(other)
        frontier = sorted(reached)
    return sorted(taken.values(), key=lambda r: r.key), seen


def _chunks(values: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]


def load_nodes(engine: Engine, keys: set[Key]) -> dict[Key, ListNode]:
    """The list entities behind ``keys`` (those still in an active version and things, not
    addresses or documents), with the programs and listing dates of their Sanction entities."""
    found: dict[Key, tuple[str, dict[str, Any]]] = {}
    columns = (list_versions.c.source, entities.c.entry, entities.c.data)
    with engine.connect() as conn:
        for chunk in _chunks(sorted({entity_id for _source, entity_id in keys})):
            for row in conn.execute(_active(select(*columns)).where(entities.c.id.in_(chunk))):
                data = orjson.loads(row.data)
                schema = model.get(data.get("schema", ""))
                key = (row.source, data["id"])
                if key in keys and schema is not None and schema.is_a("Thing"):
                    found[key] = (row.entry, data)
        sanctions: dict[Key, list[dict[str, Any]]] = {}
        for chunk in _chunks(sorted({entry for entry, _data in found.values()})):
            query = _active(select(*columns)).where(
                entities.c.entry.in_(chunk), entities.c.schema == "Sanction"
            )
            for row in conn.execute(query):
                data = orjson.loads(row.data)
                for target in data.get("properties", {}).get("entity", []):
                    sanctions.setdefault((row.source, target), []).append(data)
    nodes: dict[Key, ListNode] = {}
    for key, (record, data) in found.items():
        props = [s.get("properties", {}) for s in sanctions.get(key, [])]
        topics = data.get("properties", {}).get("topics", [])
        nodes[key] = ListNode(
            key[0],
            record,
            data,
            bool(props) or "sanction" in topics,
            tuple(dict.fromkeys(p for x in props for p in x.get("program", []))),
            tuple(sorted({d for x in props for d in x.get("listingDate", [])})),
        )
    return nodes


@dataclass
class ListGraph:
    """The lists' relationships around the linked entries, as FtM entity dicts for the builder."""

    entities: list[dict[str, Any]] = field(default_factory=list)
    provenance: dict[str, str] = field(default_factory=dict)  # edge id → where it came from
    nodes: int = 0  # list entries added as nodes of their own
    # Relationships with an end that is not a thing of an active list, as errors to report.
    left_out: list[InputError] = field(default_factory=list)

    @contextlib.contextmanager
    def entities_file(self) -> Iterator[Path | None]:
        """A temporary FtM JSON-lines file of :attr:`entities` (None when there are none)."""
        if not self.entities:
            yield None
            return
        with tempfile.TemporaryDirectory(prefix="sanctionscope-lists-") as folder:
            path = Path(folder) / "list-relationships.ftm.json"
            with path.open("wb") as fh:
                for entity in self.entities:
                    fh.write(orjson.dumps(entity) + b"\n")
            yield path

    @property
    def edges(self) -> int:
        return len(self.provenance)


def _node_entity(node: ListNode) -> list[dict[str, Any]]:
    """The node, and a Sanction naming its list record (the reason it is sanctioned) when the
    list sanctions it: an FtM export also holds e.g. companies its sanctioned parties own."""
    schema = model.get(node.data["schema"])
    assert schema is not None
    props = node.data.get("properties", {})
    kept = {p: props[p] for p in NODE_PROPS if p in props and p in schema.properties}
    entity = {"id": node.node_id, "schema": schema.name, "properties": kept}
    if not node.sanctioned:
        return [entity]
    sanction: dict[str, list[str]] = {"entity": [node.node_id], "authority": [node.label]}
    if node.programs:
        sanction["program"] = list(node.programs)
    if node.listed:
        sanction["listingDate"] = [node.listed[0]]
    return [
        entity,
        {"id": f"{node.node_id}:sanction", "schema": "Sanction", "properties": sanction},
    ]


def _edge_entities(
    relation: ListRelation, ids_of: Callable[[Key], list[str]]
) -> list[dict[str, Any]]:
    """The relationship with its ends replaced by graph ids: one entity per pair of ends."""
    schema = model.get(relation.data["schema"])
    assert schema is not None and schema.edge_source and schema.edge_target
    sources = sorted({i for end in relation.from_ends for i in ids_of((relation.source, end))})
    targets = sorted({i for end in relation.to_ends for i in ids_of((relation.source, end))})
    pairs = [(s, t) for s in sources for t in targets if s != t]
    props = relation.data.get("properties", {})
    base = f"{relation.source}:{relation.data['id']}"
    made = []
    for n, (source, target) in enumerate(pairs):
        made.append(
            {
                "id": base if len(pairs) == 1 else f"{base}#{n}",
                "schema": schema.name,
                "properties": {
                    **props,
                    schema.edge_source: [source],
                    schema.edge_target: [target],
                },
            }
        )
    return made


def _left_out(relation: ListRelation, ids_of: Callable[[Key], list[str]]) -> InputError:
    missing = sorted({end for end in relation.ends if not ids_of((relation.source, end))})
    return InputError(
        "dangling_reference",
        f"the list's relationship {relation.provenance} names {', '.join(missing)}, which is "
        "not a person, company or other thing of an active list; left out",
        relation.data["id"],
        f"list {relation.source}, record {relation.record}",
    )


def list_graph(engine: Engine, links: ListLinks, max_list_hops: int = MAX_LIST_HOPS) -> ListGraph:
    """The lists' relationships around the entries ``links`` found, ready for the builder."""
    stands_for: dict[Key, set[str]] = {}
    for entity_id, entries in links.entries.items():
        for entry in entries:
            stands_for.setdefault((entry.source, entry.entity_id), set()).add(entity_id)
    graph = ListGraph()
    if not stands_for or max_list_hops <= 0:
        return graph
    relations, touched = reach(stands_for, load_relations(engine), max_list_hops)
    nodes = load_nodes(engine, touched - set(stands_for))

    def ids_of(key: Key) -> list[str]:
        if key in stands_for:
            return sorted(stands_for[key])
        return [nodes[key].node_id] if key in nodes else []

    used: set[Key] = set()
    for relation in relations:
        if not all(ids_of((relation.source, end)) for end in relation.ends):
            graph.left_out.append(_left_out(relation, ids_of))
            continue
        for entity in _edge_entities(relation, ids_of):
            graph.entities.append(entity)
            graph.provenance[entity["id"]] = relation.provenance
        used.update((relation.source, end) for end in relation.ends)
    for key in sorted(used & set(nodes)):
        graph.entities.extend(_node_entity(nodes[key]))
        graph.nodes += 1
    return graph


def open_entities_with_lists(
    con: Any,
    entity_files: Sequence[Path],
    csv_dir: Path | None,
    links: ListLinks,
    engine: Engine,
    max_list_hops: int = MAX_LIST_HOPS,
) -> tuple[list[InputError], ListEdges, ListGraph]:
    """Build tables ``nodes``/``edges`` in ``con`` from the user's files, the entities linked to
    the lists marked sanctioned, and the lists' relationships around them; the read errors,
    the provenance of the list edges (:meth:`ListEdges.annotate_result` puts it in the
    findings) and the list graph that was added.
    """
    graph = list_graph(engine, links, max_list_hops)
    with graph.entities_file() as extra:
        files = [*entity_files, extra] if extra is not None else list(entity_files)
        errors = relocate_errors(open_entities(con, files, csv_dir, links.reasons), extra)
    return [*errors, *graph.left_out], ListEdges.from_tables(con, graph), graph


def relocate_errors(errors: list[InputError], path: Path | None) -> list[InputError]:
    """Errors met in the temporary list file name the active lists, not a deleted file."""
    if path is None:
        return errors
    where = "the active lists' relationships (network/lists.py)"
    return [
        InputError(e.kind, e.message, e.record, where)
        if e.location and e.location.startswith(str(path))
        else e
        for e in errors
    ]


@dataclass
class ListEdges:
    """Where the list-made edges of a built graph came from, keyed by their two ends (in
    either order) and kind, as a finding's path shows them."""

    by_pair: dict[tuple[str, str, str], str] = field(default_factory=dict)

    @classmethod
    def from_tables(cls, con: Any, graph: ListGraph) -> ListEdges:
        """Read the edges the builder made from ``graph`` (their kinds are the builder's)."""
        edges = cls()
        if not graph.provenance:
            return edges
        ids = list(graph.provenance)
        rows = con.execute(
            "SELECT id, source, target, kind FROM edges WHERE id IN (SELECT unnest(?))", [ids]
        ).fetchall()
        for edge_id, source, target, kind in rows:
            a, b = sorted((source, target))
            edges.by_pair[(a, b, kind)] = graph.provenance[edge_id]
        return edges

    @property
    def kinds(self) -> set[str]:
        return {kind for _a, _b, kind in self.by_pair}

    def annotate(self, reasons: list[str], paths: list[list[dict[str, Any]]]) -> bool:
        """Mark the steps of ``paths`` that follow a list edge and say so in ``reasons``."""
        changed = False
        for path in paths:
            for before, step in pairwise(path):
                kind = step.get("edge")
                a, b = sorted((before["node"], step["node"]))
                provenance = self.by_pair.get((a, b, kind)) if kind else None
                if provenance is None:
                    continue
                step["list"] = provenance
                reason = (
                    f"{before['node']} – {step['node']} ({kind}) is stated by the list: "
                    f"{provenance}"
                )
                if reason not in reasons:
                    reasons.append(reason)
                changed = True
        return changed

    def annotate_finding(self, finding: Finding) -> Finding:
        self.annotate(finding.reasons, finding.paths)
        return finding

    def annotate_line(self, line: bytes, markers: tuple[bytes, ...]) -> bytes:
        """A finding's JSON line, annotated (parsed only when it may cross a list edge)."""
        if not any(marker in line for marker in markers):
            return line
        data = orjson.loads(line)
        if not self.annotate(data["reasons"], data["paths"]):
            return line
        return orjson.dumps(data) + b"\n"

    def annotate_result(self, result: AnalysisResult) -> None:
        """Annotate every finding of ``result``: the rich ones now, the columnar exposure
        findings when they are built or written."""
        if not self.by_pair:
            return
        findings = result.findings
        if not isinstance(findings, FindingList):
            for finding in findings:
                self.annotate_finding(finding)
            return
        for finding in findings.rich:
            self.annotate_finding(finding)
        make, write = findings.make, findings.write_lazy
        if make is not None:
            findings.make = lambda start, stop: [
                self.annotate_finding(f) for f in make(start, stop)
            ]
        if write is not None:
            findings.write_lazy = lambda path: self._write_annotated(write, path)

    def _write_annotated(self, write: Callable[[Path], None], path: Path) -> None:
        markers = tuple(orjson.dumps(kind) for kind in sorted(self.kinds))
        raw = path.with_name(path.name + ".raw")
        try:
            write(raw)
            with raw.open("rb") as src, path.open("wb") as out:
                for line in src:
                    out.write(self.annotate_line(line, markers))
        finally:
            raw.unlink(missing_ok=True)
