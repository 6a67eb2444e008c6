"""`sanctionscope network …`: analyse a bank's own data for network exposure, show a finding."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from rich.console import Console

from sanctionscope.network.config import REGIMES, AnalysisConfig
from sanctionscope.settings import get_settings

if TYPE_CHECKING:
    from sanctionscope.network.linking import ListLinks
    from sanctionscope.network.lists import ListEdges
    from sanctionscope.network.model import InputError
    from sanctionscope.network.result import AnalysisResult

# The engine (DuckDB, followthemoney) is imported by the commands that use it, so that the
# rest of the command line starts fast.

network_app = typer.Typer(
    help="Ownership (50 % rule), exposure paths and evasion typologies in your own data.",
    no_args_is_help=True,
)
console = Console(stderr=True)

EntitiesOption = Annotated[
    list[Path] | None,
    typer.Option("--entities", help="FtM JSON-lines file (repeat for more).", dir_okay=False),
]
CsvDirOption = Annotated[
    Path | None,
    typer.Option(
        "--csv-dir",
        help="Folder in the CSV layout (customers.csv, ownership.csv…).",
        file_okay=False,
    ),
]
NodesOption = Annotated[
    Path | None, typer.Option("--nodes", help="Canonical nodes table (Parquet).", dir_okay=False)
]
EdgesOption = Annotated[
    Path | None, typer.Option("--edges", help="Canonical edges table (Parquet).", dir_okay=False)
]
RegimeOption = Annotated[
    str, typer.Option("--regime", help=f"Ownership rule: {', '.join(REGIMES)}.")
]
HopsOption = Annotated[
    int, typer.Option("--max-hops", help="Longest exposure path.", min=0, max=10)
]
HubOption = Annotated[
    int, typer.Option("--hub-degree", help="More neighbours than this makes a hub.", min=1)
]
ListsOption = Annotated[
    bool | None,
    typer.Option(
        "--lists/--no-lists",
        help="Link entities to the active lists by identifier or strong name match, and add "
        "the lists' relationships around them (default: on when lists exist).",
    ),
]
ListHopsOption = Annotated[
    int,
    typer.Option(
        "--list-hops",
        help="How far to follow the lists' own relationships from a linked entry.",
        min=0,
        max=4,
    ),
]


def fail(message: str) -> NoReturn:
    console.print(f"[bold red]error:[/] {message}", highlight=False)
    raise typer.Exit(1)


def _config(regime: str, max_hops: int, hub_degree: int, min_score: float) -> AnalysisConfig:
    if regime not in REGIMES:
        fail(f"unknown regime {regime!r}: use one of {', '.join(REGIMES)}")
    return AnalysisConfig(
        regime=regime,  # type: ignore[arg-type]
        max_hops=max_hops,
        hub_degree=hub_degree,
        min_score=min_score,
    )


def _user_entities(entities: list[Path], csv_dir: Path | None) -> Any:
    """The user's entities, streamed again for linking (errors were reported by the build)."""
    from sanctionscope.network.readers import read_csv_dir, read_ftm_file

    def ignore(_error: InputError) -> None:
        return None

    for path in entities:
        if path.is_file():
            for proxy, _location in read_ftm_file(path, ignore):
                yield proxy
    if csv_dir is not None:
        for proxy, _location in read_csv_dir(csv_dir, ignore):
            yield proxy


def _links(entities: list[Path], csv_dir: Path | None, use_lists: bool | None) -> ListLinks | None:
    """The user's entities linked to the active lists (None when lists are not used)."""
    from sanctionscope.network.linking import database_has_lists, find_list_links

    settings = get_settings()
    available = database_has_lists(settings.database_url)
    if use_lists is None:
        use_lists = available
    if not use_lists:
        return None
    if not available:
        fail("--lists: the database has no active list version (run `sanctionscope lists import`)")
    with console.status("Linking entities to the active lists …"):
        links = find_list_links(_user_entities(entities, csv_dir), settings)
    console.print(
        f"{len(links.reasons)} entities linked to active list entries (identifier or name)"
    )
    return links


def _open_with_lists(
    con: Any, entities: list[Path], csv_dir: Path | None, links: ListLinks, list_hops: int
) -> tuple[list[InputError], ListEdges]:
    """Build the graph from the user's files and the lists' relationships around the linked
    entries."""
    from sanctionscope.network.lists import open_entities_with_lists
    from sanctionscope.store.db import make_engine

    engine = make_engine(get_settings().database_url)
    with console.status("Reading entities and the lists' relationships …"):
        errors, list_edges, graph = open_entities_with_lists(
            con, entities, csv_dir, links, engine, list_hops
        )
    left_out = (
        f"; {len(graph.left_out)} naming something that is not on an active list left out, "
        "see the errors"
        if graph.left_out
        else ""
    )
    console.print(
        f"the lists' relationships add {graph.edges} edges and {graph.nodes} list entries "
        f"(up to {list_hops} list hops from a linked entry{left_out})",
        highlight=False,
    )
    return errors, list_edges


def _open(
    con: Any,
    entities: list[Path],
    csv_dir: Path | None,
    nodes: Path | None,
    edges: Path | None,
    use_lists: bool | None,
    list_hops: int,
) -> tuple[list[InputError], ListEdges | None]:
    from sanctionscope.network.engine import open_entities
    from sanctionscope.network.model import load_parquet

    if (nodes is None) != (edges is None):
        fail("--nodes and --edges go together")
    if nodes is not None and edges is not None:
        if entities or csv_dir:
            fail("use either --nodes/--edges (Parquet) or --entities/--csv-dir, not both")
        try:
            load_parquet(con, nodes, edges)
        except (FileNotFoundError, ValueError) as exc:
            fail(str(exc))
        return [], None
    if not entities and csv_dir is None:
        fail("nothing to analyse: give --entities FILE, --csv-dir DIR or --nodes/--edges")
    links = _links(entities, csv_dir, use_lists)
    if links is not None:
        return _open_with_lists(con, entities, csv_dir, links, list_hops)
    with console.status("Reading entities …"):
        return open_entities(con, entities, csv_dir), None


def _analyse(
    entities: list[Path] | None,
    csv_dir: Path | None,
    nodes: Path | None,
    edges: Path | None,
    config: AnalysisConfig,
    use_lists: bool | None,
    list_hops: int,
    save_parquet: Path | None = None,
) -> tuple[Any, AnalysisResult]:
    from sanctionscope.network.engine import analyze_connection
    from sanctionscope.network.model import connect, write_parquet

    con = connect(config.memory_limit, config.temp_directory)
    errors, list_edges = _open(
        con, list(entities or []), csv_dir, nodes, edges, use_lists, list_hops
    )
    if save_parquet is not None:
        save_parquet.mkdir(parents=True, exist_ok=True)
        write_parquet(con, save_parquet / "nodes.parquet", save_parquet / "edges.parquet")
    with console.status("Analysing …"):
        result = analyze_connection(con, config, errors)
    if list_edges is not None:
        list_edges.annotate_result(result)
    return con, result


@network_app.command("analyze")
def analyze_command(
    out: Annotated[Path, typer.Option("--out", help="Findings, one JSON line per entity.")],
    entities: EntitiesOption = None,
    csv_dir: CsvDirOption = None,
    nodes: NodesOption = None,
    edges: EdgesOption = None,
    regime: RegimeOption = "ofac",
    max_hops: HopsOption = 3,
    hub_degree: HubOption = 1000,
    min_score: Annotated[
        float, typer.Option("--min-score", help="Drop exposure findings scoring below this.")
    ] = 0.0,
    errors_out: Annotated[
        Path | None,
        typer.Option("--errors", help="Bad input records, JSON lines (default: OUT.errors.jsonl)."),
    ] = None,
    use_lists: ListsOption = None,
    list_hops: ListHopsOption = 2,
    save_parquet: Annotated[
        Path | None,
        typer.Option(
            "--save-parquet", help="Also write the built nodes/edges tables to this folder."
        ),
    ] = None,
) -> None:
    """Find entities blocked by ownership, exposed to sanctioned parties, or matching a typology."""
    config = _config(regime, max_hops, hub_degree, min_score)
    con, result = _analyse(
        entities, csv_dir, nodes, edges, config, use_lists, list_hops, save_parquet
    )
    written = result.write_jsonl(out)
    con.close()
    errors_path = errors_out or out.with_name(out.name.removesuffix(".jsonl") + ".errors.jsonl")
    result.write_errors(errors_path)
    counts = result.counts()
    console.print(
        f"{written} findings → {out}: {counts['blocked_by_ownership']} blocked by ownership, "
        f"{counts['typology']} typology, {counts['exposed']} exposed "
        f"({result.stats['nodes']} entities, {result.stats['edges']} edges, "
        f"{result.stats['sanctioned']} sanctioned, regime {config.regime})",
        highlight=False,
    )
    if result.errors:
        console.print(
            f"[yellow]{len(result.errors)} input problem(s)[/] → {errors_path}", highlight=False
        )


@network_app.command("show")
def show_command(
    entity_id: Annotated[str, typer.Argument(metavar="ID", help="Id of the entity to show.")],
    out: Annotated[Path, typer.Option("--out", help="The HTML file to write.")],
    entities: EntitiesOption = None,
    csv_dir: CsvDirOption = None,
    nodes: NodesOption = None,
    edges: EdgesOption = None,
    regime: RegimeOption = "ofac",
    max_hops: HopsOption = 3,
    hub_degree: HubOption = 1000,
    radius: Annotated[
        int, typer.Option("--radius", help="Hops of neighbourhood drawn.", min=1, max=4)
    ] = 2,
    use_lists: ListsOption = None,
    list_hops: ListHopsOption = 2,
) -> None:
    """Write a self-contained HTML view of ID's neighbourhood with its proof paths."""
    from sanctionscope.network.render import entity_page

    config = _config(regime, max_hops, hub_degree, 0.0)
    con, result = _analyse(entities, csv_dir, nodes, edges, config, use_lists, list_hops)
    try:
        page = entity_page(con, result, entity_id, radius)
    except KeyError:
        fail(f"no entity with id {entity_id!r} in the input")
    finally:
        con.close()
    out.write_text(page.html, encoding="utf-8")
    console.print(f"{entity_id} ({page.status}): {page.drawn} entities drawn → {out}")
