"""Run an analysis: check and encode the tables, the 50 % rule, exposure, typologies.

Entry points: :func:`analyze` (canonical Parquet tables, the contract with the benchmark and
the synthetic book), :func:`analyze_entities` (FtM JSON lines and the CSV layout) and
:func:`analyze_connection` (tables already in a DuckDB connection).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from sanctionscope.network.builder import GraphBuilder
from sanctionscope.network.config import AnalysisConfig
from sanctionscope.network.exposure import ExposureResult, run_exposure, run_exposure_sql
from sanctionscope.network.model import EDGE_KINDS, InputError, connect, distinct, load_parquet
from sanctionscope.network.ownership import BlockedProof, Chain, run_ownership_rule
from sanctionscope.network.prepare import ErrorLog, prepare_tables
from sanctionscope.network.readers import read_csv_dir, read_ftm_file
from sanctionscope.network.result import (
    STATUS_RANK,
    AnalysisResult,
    Finding,
    FindingList,
    PathStep,
)
from sanctionscope.network.typologies import TypologyHit, run_typologies


def analyze(nodes_parquet: Path, edges_parquet: Path, config: AnalysisConfig) -> AnalysisResult:
    """Analyse the canonical ``nodes``/``edges`` Parquet tables."""
    con = connect(config.memory_limit, config.temp_directory)
    started = time.perf_counter()
    try:
        load_parquet(con, Path(nodes_parquet), Path(edges_parquet))
        load_seconds = time.perf_counter() - started
        result = analyze_connection(con, config)
    except BaseException:
        con.close()
        raise
    result.stats["seconds_load"] = round(load_seconds, 3)
    keep_only_names(con)
    return result


def keep_only_names(con: Any) -> None:
    """Free everything but ``g_nodes`` (a table, or a view over ``nodes``), which the lazy
    exposure findings read their names from."""
    tables = con.execute(
        "SELECT table_name, temporary FROM duckdb_tables() "
        "WHERE table_name NOT IN ('g_nodes', 'nodes')"
    ).fetchall()
    for name, _temporary in tables:
        con.execute(f'DROP TABLE IF EXISTS "{name}"')


def build_graph(
    entity_files: Sequence[Path],
    csv_dir: Path | None,
    con: Any,
    shared_max_group: int = 10,
) -> list[InputError]:
    """Read FtM files and the CSV folder into tables ``nodes``/``edges`` of ``con``."""
    builder = GraphBuilder(shared_max_group=shared_max_group)
    for path in entity_files:
        if not Path(path).is_file():
            builder.error("parse_error", "no such file", None, str(path))
            continue
        for proxy, location in read_ftm_file(Path(path), builder.errors.append):
            builder.add(proxy, location)
    if csv_dir is not None:
        for proxy, location in read_csv_dir(Path(csv_dir), builder.errors.append):
            builder.add(proxy, location)
    builder.write(con)
    return builder.errors


def analyze_entities(
    entity_files: Sequence[Path],
    config: AnalysisConfig,
    csv_dir: Path | None = None,
    linked: Mapping[str, str] | None = None,
    keep_tables: Callable[[Any], None] | None = None,
) -> AnalysisResult:
    """Analyse FtM JSON-lines files and/or a folder in the CSV layout.

    ``linked`` maps entity ids to the reason they count as sanctioned (from
    :func:`sanctionscope.network.linking.find_list_links`, its ``reasons``). ``keep_tables`` is called with the
    connection once the tables are built (e.g. to write them as Parquet).
    """
    con = connect(config.memory_limit, config.temp_directory)
    try:
        build_errors = open_entities(con, entity_files, csv_dir, linked)
        if keep_tables is not None:
            keep_tables(con)
        result = analyze_connection(con, config, build_errors)
    except BaseException:
        con.close()
        raise
    keep_only_names(con)
    return result


def open_entities(
    con: Any,
    entity_files: Sequence[Path],
    csv_dir: Path | None = None,
    linked: Mapping[str, str] | None = None,
) -> list[InputError]:
    """Build tables ``nodes``/``edges`` in ``con`` from the user's files; the read errors."""
    build_errors = build_graph(entity_files, csv_dir, con)
    if linked:
        mark_linked(con, linked)
    return build_errors


def mark_linked(con: Any, linked: Mapping[str, str]) -> None:
    """Mark entities linked to an active list entry as sanctioned, with the link as reason."""
    # NumPy string arrays: DuckDB reads object arrays of Python strings very slowly.
    ids = np.array(list(linked), dtype=str)
    reasons = np.array([f"linked to list: {linked[i]}" for i in linked], dtype=str)
    con.register("_linked", {"id": ids, "reason": reasons})
    con.execute(
        """
        UPDATE nodes SET sanctioned = TRUE,
            sanction_reason = concat_ws('; ', nodes.sanction_reason, l.reason)
        FROM _linked l WHERE nodes.id = l.id
        """
    )
    con.unregister("_linked")


def analyze_connection(
    con: Any, config: AnalysisConfig, input_errors: Iterable[InputError] = ()
) -> AnalysisResult:
    """Analyse tables ``nodes`` and ``edges`` of a DuckDB connection.

    Keep the connection open while the findings are used: exposure-only findings are built
    from it when read or written.
    """
    timings: dict[str, float] = {}
    clock = time.perf_counter()
    cpu_clock = [time.process_time()]

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[f"seconds_{name}"] = round(now - clock, 3)
        timings[f"cpu_{name}"] = round(time.process_time() - cpu_clock[0], 3)
        cpu_clock[0] = time.process_time()
        clock = now

    log = ErrorLog(config.max_errors_per_kind)
    for error in input_errors:
        log.add(error)
    n_nodes, n_edges = prepare_tables(con, log)
    lap("prepare")
    ownership = run_ownership_rule(con, config.rule, config.max_rounds)
    for error in ownership.errors:
        log.add(error)
    lap("ownership")
    seeds = np.zeros(n_nodes, dtype=bool)
    sanctioned = con.execute("SELECT ix FROM g_nodes WHERE sanctioned").fetchnumpy()["ix"]
    seeds[np.asarray(sanctioned, dtype=np.int64)] = True
    blocked_ix = np.fromiter(ownership.blocked, dtype=np.int64, count=len(ownership.blocked))
    seeds[blocked_ix] = True
    in_memory = config.exposure_engine == "memory" or (
        config.exposure_engine == "auto" and n_edges <= config.in_memory_edges
    )
    typology_hubs = None  # the typologies find their hubs in SQL unless given
    if in_memory:
        exposure, typology_hubs = run_exposure(con, config, n_nodes, seeds)
    else:
        exposure = run_exposure_sql(con, config, n_nodes, seeds)
    lap("exposure")
    hits = run_typologies(con, config, blocked_ix, typology_hubs)
    lap("typologies")
    findings = assemble(con, config, ownership.blocked, exposure, hits)
    lap("findings")
    stats: dict[str, Any] = {
        "nodes": n_nodes,
        "edges": n_edges,
        "sanctioned": len(sanctioned),
        "blocked_by_ownership": len(ownership.blocked),
        "ownership_rounds": ownership.rounds,
        "exposed_nodes": len(exposure.nodes),
        "exposure_engine": "memory" if in_memory else "duckdb",
        "typology_hits": len(hits),
        **timings,
    }
    return AnalysisResult(findings=findings, errors=log.finish(), config=config, stats=stats)


class Names:
    """Ids and captions of the nodes a result mentions, fetched in one join, kept as arrays."""

    def __init__(self, con: Any, ixs: np.ndarray[Any, Any]) -> None:
        self.keys = distinct(ixs[ixs >= 0]).astype(np.int64)
        con.register("_wanted", {"ix": self.keys})
        rows = con.execute(
            "SELECT w.ix, n.id, coalesce(n.caption, n.id) AS caption FROM _wanted w "
            "JOIN g_nodes n ON n.ix = w.ix ORDER BY w.ix"
        ).fetchnumpy()
        con.unregister("_wanted")
        self.id_array = np.asarray(rows["id"], dtype=object)
        self.caption_array = np.asarray(rows["caption"], dtype=object)

    def _at(self, ix: int) -> int:
        return int(np.searchsorted(self.keys, ix))

    def id(self, ix: int) -> str:
        return str(self.id_array[self._at(ix)])

    def caption(self, ix: int) -> str:
        return str(self.caption_array[self._at(ix)])

    def label(self, ix: int) -> str:
        at = self._at(ix)
        return f"{self.caption_array[at]} ({self.id_array[at]})"


def chain_path(names: Names, chain: Chain) -> list[PathStep]:
    return [{"node": names.id(ix), "edge": kind} for ix, kind in chain]


def assemble(
    con: Any,
    config: AnalysisConfig,
    blocked: Mapping[int, BlockedProof],
    exposure: ExposureResult,
    hits: Sequence[TypologyHit],
) -> FindingList:
    rich_ix = np.array(sorted({*blocked, *(hit.ix for hit in hits)}), dtype=np.int64)
    in_rich = np.isin(exposure.nodes, rich_ix)
    mentioned = [
        exposure.path_nodes[in_rich].ravel(),
        np.fromiter(blocked, dtype=np.int64, count=len(blocked)),
    ]
    for proof in blocked.values():
        for holding in proof.holdings:
            mentioned.append(np.array([ix for ix, _ in holding.chain], dtype=np.int64))
        for _, _, chain in proof.controllers:
            mentioned.append(np.array([ix for ix, _ in chain], dtype=np.int64))
    for hit in hits:
        chain_ixs = [hit.ix, *(ix for p in hit.paths for ix, _ in p), *hit.refs.values()]
        mentioned.append(np.array(chain_ixs, dtype=np.int64))
    names = Names(con, np.concatenate(mentioned))
    rich: dict[int, Finding] = {}
    for ix, proof in blocked.items():
        rich[ix] = blocked_finding(names, config, proof)
    for hit in hits:
        merge(rich, names, hit, config.typology.max_paths)
    # Exposure of entities that already have a finding is added to it; the others stay
    # columnar and become Finding objects only when read.
    for row in np.flatnonzero(in_rich):
        finding = exposure_finding(names, config, exposure, int(row))
        existing = rich[int(exposure.nodes[row])]
        existing.reasons.extend(finding.reasons)
        existing.paths.extend(p for p in finding.paths if p not in existing.paths)
    ordered = sorted(rich.values(), key=lambda f: (STATUS_RANK[f.status], -f.score, f.id))
    rest = np.flatnonzero(~in_rich)
    rest = rest[np.lexsort((exposure.nodes[rest], -exposure.scores[rest]))]

    lazy = LazyExposure(con, config, exposure, rest)
    return FindingList(ordered, len(rest), lazy.batch, lazy.write)


class LazyExposure:
    """Exposure-only findings, kept as arrays; names are read from ``g_nodes`` when needed.

    The connection stays open for as long as the findings are used (it holds only
    ``g_nodes`` once the analysis is over).
    """

    def __init__(
        self, con: Any, config: AnalysisConfig, exposure: ExposureResult, rows: Any
    ) -> None:
        self.con = con
        self.config = config
        self.exposure = exposure
        self.rows = rows

    def batch(self, start: int, stop: int) -> list[Finding]:
        rows = self.rows[start:stop]
        names = Names(self.con, self.exposure.path_nodes[rows].ravel())
        return [exposure_finding(names, self.config, self.exposure, int(row)) for row in rows]

    def write(self, path: Path) -> None:
        write_exposure_lines(self.con, path, self.config, self.exposure, self.rows)


def write_exposure_lines(
    con: Any, path: Path, config: AnalysisConfig, exposure: ExposureResult, rows: Any
) -> None:
    """Exposure findings as JSON lines, written by DuckDB from the columnar arrays.

    The same lines as ``exposure_finding(...).to_json()`` (a test holds them equal), made by a
    multi-threaded SQL projection instead of a Python loop over millions of rows.
    """
    hops = exposure.path_nodes.shape[1] - 1
    columns: dict[str, Any] = {
        "row": np.arange(len(rows), dtype=np.int64),
        "score": exposure.scores[rows].astype(np.float64),
        "hub": exposure.hubs[rows],
        "degree": exposure.degree[rows],
    }
    for i in range(hops + 1):
        columns[f"p{i}"] = exposure.path_nodes[rows, i]
        columns[f"k{i}"] = exposure.path_kinds[rows, i].astype(np.int64)
    # Copied into a table: a scan of registered NumPy arrays runs on one thread, a table's
    # scan (and so the whole projection to JSON) on all of them.
    con.register("_x_arrays", columns)
    con.execute("CREATE OR REPLACE TEMP TABLE _x AS SELECT * FROM _x_arrays")
    con.unregister("_x_arrays")
    con.register(
        "_kinds",
        {
            "code": np.arange(len(EDGE_KINDS), dtype=np.int64),
            "name": np.array(EDGE_KINDS, dtype=str),
        },
    )
    # The few nodes on the paths, looked up once: each step's join then reads a small table
    # instead of building a hash table over every node.
    wanted = distinct(exposure.path_nodes[rows].ravel())
    con.register("_wanted", {"ix": wanted[wanted >= 0].astype(np.int64)})
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _path_names AS SELECT n.ix, n.id, "
        "coalesce(n.caption, n.id) AS caption FROM g_nodes n SEMI JOIN _wanted w ON n.ix = w.ix"
    )
    con.unregister("_wanted")
    joins = " ".join(
        f"LEFT JOIN _path_names n{i} ON n{i}.ix = x.p{i} "
        f"LEFT JOIN _kinds c{i} ON c{i}.code = x.k{i}"
        for i in range(hops + 1)
    )
    steps = ", ".join(f"struct_pack(node := n{i}.id, edge := c{i}.name)" for i in range(hops + 1))
    seed_ix = "coalesce(" + ", ".join(f"n{i}.ix" for i in range(hops, -1, -1)) + ")"
    kinds = ", ".join(f"c{i}.name" for i in range(1, hops + 1)) or "NULL"
    hub_text = (
        f"'; hub with ' || x.degree || ' neighbours (> {int(config.hub_degree)}): paths are "
        f"not followed through it and its score is multiplied by {config.hub_penalty:g}'"
    )
    try:
        con.execute(
            f"""
            COPY (
                SELECT n0.id AS id, n0.caption AS caption, 'exposed' AS status,
                       round(x.score, 4) AS score,
                       [concat('exposed to ', s.caption, ' (', s.id, ') over ',
                               len(list_filter([{kinds}], k -> k IS NOT NULL)),
                               ' hop(s) (',
                               array_to_string(list_filter([{kinds}], k -> k IS NOT NULL), ', '),
                               '); score ', printf('%.3f', x.score),
                               CASE WHEN x.hub THEN {hub_text} ELSE '' END)] AS reasons,
                       [list_filter([{steps}], s -> s.node IS NOT NULL)] AS paths,
                       CAST([] AS VARCHAR[]) AS typologies
                FROM _x x {joins}
                LEFT JOIN _path_names s ON s.ix = {seed_ix}
                ORDER BY x.row
            ) TO '{str(path).replace("'", "''")}' (FORMAT JSON)
            """
        )
    finally:
        con.execute("DROP TABLE IF EXISTS _x")
        con.unregister("_kinds")
        con.execute("DROP TABLE IF EXISTS _path_names")


def blocked_finding(names: Names, config: AnalysisConfig, proof: BlockedProof) -> Finding:
    rule = config.rule
    ix = proof.ix
    reasons = []
    paths = [chain_path(names, h.chain) for h in proof.holdings[: config.typology.max_paths]]
    if proof.holdings:
        parts = ", ".join(f"{h.share:g} % by {names.label(h.owner)}" for h in proof.holdings)
        if rule.aggregate:
            reasons.append(
                f"{rule.name.upper()} 50 % rule: owned {proof.total:g} % in aggregate by blocked "
                f"persons ({rule.wording}): {parts}"
            )
        else:
            reasons.append(
                f"UK ownership test: owned {proof.total:g} % directly or indirectly by one "
                f"designated person ({rule.wording}); holdings by designated person: {parts}"
            )
    for owner, kind, chain in proof.controllers:
        reasons.append(
            f"EU control: {kind} by blocked {names.label(owner)} (control presumed; rebuttable)"
        )
        if len(paths) < config.typology.max_paths:
            paths.append(chain_path(names, chain))
    return Finding(names.id(ix), names.caption(ix), "blocked_by_ownership", 1.0, reasons, paths)


def merge(findings: dict[int, Finding], names: Names, hit: TypologyHit, max_paths: int) -> None:
    paths = [chain_path(names, p) for p in hit.paths]
    reason = f"{hit.typology}: {hit.explanation.format(**_labels(names, hit))}"
    existing = findings.get(hit.ix)
    if existing is None:
        findings[hit.ix] = Finding(
            names.id(hit.ix),
            names.caption(hit.ix),
            "typology",
            hit.score,
            [reason],
            paths,
            [hit.typology],
        )
        return
    existing.reasons.append(reason)
    for path in paths:
        if path not in existing.paths and len(existing.paths) < max_paths:
            existing.paths.append(path)
    if hit.typology not in existing.typologies:
        existing.typologies.append(hit.typology)
    if existing.status == "typology":
        existing.score = 1 - (1 - existing.score) * (1 - hit.score)


def _labels(names: Names, hit: TypologyHit) -> dict[str, str]:
    return {key: names.label(ix) for key, ix in hit.refs.items()}


def exposure_finding(
    names: Names, config: AnalysisConfig, exposure: ExposureResult, row: int
) -> Finding:
    ix = int(exposure.nodes[row])
    steps = [
        (int(n), int(k))
        for n, k in zip(exposure.path_nodes[row], exposure.path_kinds[row], strict=True)
        if n >= 0
    ]
    seed = steps[-1][0]
    path: list[PathStep] = [
        {"node": names.id(n), "edge": EDGE_KINDS[k] if k >= 0 else None} for n, k in steps
    ]
    score = float(exposure.scores[row])
    kinds = ", ".join(EDGE_KINDS[k] for _, k in steps[1:])
    reason = (
        f"exposed to {names.label(seed)} over {len(steps) - 1} hop(s) ({kinds}); score {score:.3f}"
    )
    if exposure.hubs[row]:
        reason += (
            f"; hub with {int(exposure.degree[row])} neighbours (> {config.hub_degree}): "
            "paths are not followed through it and its score is multiplied by "
            f"{config.hub_penalty:g}"
        )
    return Finding(names.id(ix), names.caption(ix), "exposed", score, [reason], [path])
