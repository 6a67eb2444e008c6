"""Command line: parse arguments, call the packages, render. No logic of its own."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.table import Table

from sanctionscope import __version__, store
from sanctionscope.network.cli import network_app
from sanctionscope.settings import get_settings
from sanctionscope.store import StoreError, open_store

if TYPE_CHECKING:
    from sanctionscope.store import ImportResult, ListDiff, ListVersion

app = typer.Typer(
    name="sanctionscope",
    help="Find where customers and payments touch sanctioned parties.",
    no_args_is_help=True,
    add_completion=False,
)
lists_app = typer.Typer(
    help="Import, update and inspect official sanctions lists.", no_args_is_help=True
)
app.add_typer(lists_app, name="lists")
app.add_typer(network_app, name="network")

console = Console()
err_console = Console(stderr=True)

ForceOption = Annotated[
    bool,
    typer.Option(
        "--force", help="Accept a list whose entry count dropped sharply, or an older publication."
    ),
]


def fail(message: str, code: int = 1) -> NoReturn:
    err_console.print(f"[bold red]error:[/] {message}", highlight=False)
    raise typer.Exit(code)


def _version_callback(value: bool) -> None:
    if value:
        console.print(f"sanctionscope {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version_callback, is_eager=True, help="Show the version."
        ),
    ] = False,
) -> None:
    """sanctionscope: lists, screening, payments and networks in one tool."""


def _engine() -> Any:
    try:
        return open_store(get_settings())
    except (StoreError, ValueError) as exc:
        fail(str(exc))


def render_import_result(result: ImportResult, out: Console | None = None) -> None:
    """One line per import; refusals go to standard error unless ``out`` is given."""
    if out is None:
        out = err_console if result.outcome == "refused" else console
    style = {"activated": "green", "unchanged": "yellow", "refused": "bold red"}[result.outcome]
    out.print(f"[{style}]{result.outcome}[/] {result.message}", highlight=False)
    for warning in result.warnings:
        out.print(f"  [yellow]warning:[/] {warning}", highlight=False)


@lists_app.command("import")
def lists_import(
    path: Annotated[Path, typer.Argument(help="A list file, or a folder of list files.")],
    source: Annotated[
        str | None, typer.Option("--source", help="Dataset name (default: chosen by the format).")
    ] = None,
    force: ForceOption = False,
) -> None:
    """Import a list file or folder as a new version; the format is detected."""
    settings = get_settings()
    engine = _engine()

    def skipped(found: Path, reason: str) -> None:
        err_console.print(f"[dim]skipped {found}: {reason}[/]", highlight=False)

    try:
        with console.status(f"Importing {path} …"):
            results = store.import_path(
                engine, path, settings, source=source, force=force, on_skip=skipped
            )
    except store.SourceError as exc:
        fail(str(exc))
    for result in results:
        render_import_result(result)
    if any(not r.ok for r in results):
        raise typer.Exit(1)


def _status_table(versions: list[ListVersion]) -> Table:
    table = Table(title="Active list versions")
    for column in ("source", "version", "published", "entries", "by schema", "imported", "sha256"):
        table.add_column(column)
    for v in versions:
        table.add_row(
            v.source,
            str(v.seq),
            v.published.isoformat() if v.published else "-",
            f"{v.entry_count:,}",
            ", ".join(f"{k} {n:,}" for k, n in v.target_counts.items()),
            v.imported_at.strftime("%Y-%m-%d %H:%M"),
            v.sha256[:12],
        )
    return table


@lists_app.command("status")
def lists_status(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Per source: active version, publication date, entry counts and sha256."""
    versions = store.active_versions_list(_engine())
    if as_json:
        sys.stdout.write(json.dumps({"sources": [v.to_json() for v in versions]}, indent=2) + "\n")
        return
    if not versions:
        console.print("No list imported yet: run `sanctionscope lists import PATH`.")
        return
    console.print(_status_table(versions))


def _pick_version(
    versions: list[ListVersion], seq: int | None, default: ListVersion
) -> ListVersion:
    if seq is None:
        return default
    for v in versions:
        if v.seq == seq:
            return v
    known = ", ".join(str(v.seq) for v in versions)
    fail(f"{default.source} has no version {seq} (versions: {known})")


def resolve_diff_versions(
    versions: list[ListVersion], source: str, from_seq: int | None, to_seq: int | None
) -> tuple[ListVersion, ListVersion]:
    if not versions:
        fail(f"no version of {source!r} imported")
    active = next((v for v in versions if v.active), versions[-1])
    new = _pick_version(versions, to_seq, active)
    earlier = [v for v in versions if v.seq < new.seq]
    if from_seq is None and not earlier:
        fail(f"{source} version {new.seq} is the first one; nothing to compare it with")
    old = _pick_version(versions, from_seq, earlier[-1] if earlier else new)
    return old, new


def render_diff(diff: ListDiff, out: Console = console) -> None:
    out.print(
        f"[bold]{diff.source}[/]: version {diff.old.seq} ({_published(diff.old)}) → "
        f"version {diff.new.seq} ({_published(diff.new)}): "
        f"[green]{len(diff.added)} added[/], [red]{len(diff.removed)} removed[/], "
        f"[yellow]{len(diff.changed)} changed[/]",
        highlight=False,
    )
    for change in diff.added:
        out.print(
            f"  [green]+[/] {change.entry}  {change.caption}  ({change.schema})", highlight=False
        )
    for change in diff.removed:
        out.print(
            f"  [red]-[/] {change.entry}  {change.caption}  ({change.schema})", highlight=False
        )
    for change in diff.changed:
        out.print(f"  [yellow]~[/] {change.entry}  {change.caption}", highlight=False)
        for f in change.fields:
            parts = [f"+{v!r}" for v in f.added] + [f"-{v!r}" for v in f.removed]
            out.print(f"      {f.field}: {', '.join(parts)}", highlight=False, soft_wrap=True)


def _published(version: ListVersion) -> str:
    return version.published.isoformat() if version.published else "no date"


@lists_app.command("diff")
def lists_diff(
    source: Annotated[str, typer.Argument(help="Source name, e.g. us_ofac_sdn.")],
    from_seq: Annotated[
        int | None, typer.Option("--from", help="Old version (default: the one before --to).")
    ] = None,
    to_seq: Annotated[
        int | None, typer.Option("--to", help="New version (default: the active one).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Entries added, removed and changed between two versions, with the changed fields."""
    engine = _engine()
    old, new = resolve_diff_versions(
        store.source_versions(engine, source), source, from_seq, to_seq
    )
    diff = store.diff_versions(engine, old, new)
    if as_json:
        sys.stdout.write(json.dumps(diff.to_json(), indent=2, ensure_ascii=False) + "\n")
        return
    render_diff(diff)


@lists_app.command("update")
def lists_update(
    source: Annotated[
        list[str] | None,
        typer.Option("--source", help="Source to update (repeatable; default: all configured)."),
    ] = None,
    force: ForceOption = False,
) -> None:
    """Download the official files of each source and import them (fail closed)."""
    from sanctionscope.store.update import update_sources

    settings = get_settings()
    engine = _engine()

    with console.status("Downloading official lists …"):
        results = update_sources(
            engine, settings, source, force=force, on_result=render_import_result
        )
    if any(not r.ok for r in results):
        raise typer.Exit(1)


def _screen_table(hits: list[Any]) -> Table:
    table = Table(show_lines=False)
    for column in ("score", "match", "name on the list", "schema", "list", "record", "why"):
        table.add_column(column, overflow="fold")
    for hit in hits:
        table.add_row(
            f"{hit.score:.2f}",
            "[bold red]yes[/]" if hit.match else "no",
            hit.caption,
            hit.schema,
            hit.source,
            hit.source_id,
            explain_briefly(hit.explanation),
        )
    return table


def explain_briefly(explanation: dict[str, Any]) -> str:
    """One line of why: the aligned words, identifiers, dates and countries."""
    parts: list[str] = []
    name = explanation.get("name")
    if isinstance(name, dict):
        aligned = ", ".join(
            f"{a['query']}={a['candidate']}" + (f" ({a['how']})" if a["how"] != "same word" else "")
            for a in name.get("aligned", [])
        )
        parts.append(f"name {name.get('score', 0):.2f}: {aligned or 'no common words'}")
        extra = name.get("unmatched_candidate_words") or []
        if extra:
            parts.append("list only: " + " ".join(extra))
    for key in ("identifier_match", "identifier_conflict"):
        if explanation.get(key):
            parts.append(key.replace("_", " ") + ": " + "; ".join(explanation[key]))
    for key in ("date", "country"):
        if isinstance(explanation.get(key), dict):
            parts.append(explanation[key]["detail"])
    if "ofac_name_score" in explanation:
        parts.append(
            f"OFAC score {explanation['ofac_name_score']['score']:.2f} on {explanation['ofac_name_score']['matched_name']}"
        )
    return "; ".join(parts)


@app.command("screen")
def screen_command(
    name: Annotated[str | None, typer.Argument(help="The name to screen (any script).")] = None,
    schema: Annotated[
        str | None,
        typer.Option(
            "--schema", help="Person, Organization, Company, LegalEntity, Vessel or Airplane."
        ),
    ] = None,
    country: Annotated[
        list[str] | None, typer.Option("--country", help="ISO country code (repeatable).")
    ] = None,
    birth_date: Annotated[
        str | None,
        typer.Option("--birth-date", help="Birth or founding date: YYYY, YYYY-MM or YYYY-MM-DD."),
    ] = None,
    identifier: Annotated[
        list[str] | None,
        typer.Option(
            "--id", help="An identifier: BIC, INN, OGRN, BIK, LEI, IMO, passport… (repeatable)."
        ),
    ] = None,
    threshold: Annotated[
        float | None,
        typer.Option(
            "--threshold",
            help="Report results scoring at least this, 0 to 1 (default: 0.5 for one query, the match threshold 0.7 for a file).",
        ),
    ] = None,
    limit: Annotated[int, typer.Option("--limit", help="At most this many results.")] = 10,
    algorithm: Annotated[
        str, typer.Option("--algorithm", help="sanctionscope (default) or ofac.")
    ] = "sanctionscope",
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    file: Annotated[
        Path | None,
        typer.Option(
            "--file",
            help="Screen every row of this CSV (columns: name, and optionally schema, country, birth_date, id_number…).",
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="With --file: write one result row per input row here."),
    ] = None,
    workers: Annotated[int, typer.Option("--workers", help="With --file: worker processes.")] = 1,
    per_list: Annotated[
        bool,
        typer.Option("--per-list", help="One result per list record instead of one per party."),
    ] = False,
    rebuild_index: Annotated[
        bool,
        typer.Option(
            "--rebuild-index", help="Rebuild the candidate index even if a cached one fits."
        ),
    ] = False,
) -> None:
    """Screen a name or identifier (or a CSV file of them) against the active lists."""
    from sanctionscope.matching import (
        DEFAULT_THRESHOLD,
        Query,
        ScreeningError,
        open_index,
        screen,
    )

    settings = get_settings()
    try:
        if file is not None:
            if out is None:
                fail("--file needs --out (where to write the results)")
            index = open_index(settings, rebuild=rebuild_index)
            _screen_file(
                index,
                file,
                out,
                DEFAULT_THRESHOLD if threshold is None else threshold,
                algorithm,
                workers,
            )
            return
        query = Query(
            names=(name,) if name else (),
            schema=schema,
            countries=tuple(c.lower() for c in country or []),
            dates=(birth_date,) if birth_date else (),
            identifiers=tuple(("any", v) for v in identifier or []),
        )
        index = open_index(settings, rebuild=rebuild_index)
        shown = 0.5 if threshold is None else threshold
        hits = screen(
            index, query, limit=limit, threshold=shown, algorithm=algorithm, per_list=per_list
        )
    except ScreeningError as error:
        fail(str(error))
    if as_json:
        payload = {
            "query": query.to_json(),
            "algorithm": algorithm,
            "results": [h.to_json() for h in hits],
        }
        sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
        return
    if not hits:
        console.print(f"No list entry scores {shown:.2f} or more.")
        return
    console.print(_screen_table(hits))


def _screen_file(
    index: Any, file: Path, out: Path, threshold: float, algorithm: str, workers: int
) -> None:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from sanctionscope.matching import screen_file

    with Progress(
        TextColumn("screening"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
    ) as bar:
        task = bar.add_task("rows", total=None)
        summary = screen_file(index, file, out, threshold=threshold, algorithm=algorithm, workers=workers,
                              progress=lambda n: bar.advance(task, n))  # fmt: skip
    rate = summary.rows / summary.seconds if summary.seconds else 0.0
    console.print(
        f"{summary.rows:,} rows: {summary.screened:,} screened ({summary.with_hits:,} with hits), "
        f"{summary.errors:,} errors; {rate:,.0f} rows/s → {out}"
    )
    if summary.errors:
        console.print(f"errors: {out.with_name(out.stem + '.errors.csv')}")
        raise typer.Exit(1)


@app.command("compare")
def compare_command(
    left: Annotated[str | None, typer.Argument(help="First name.")] = None,
    right: Annotated[str | None, typer.Argument(help="Second name.")] = None,
    schema: Annotated[
        str, typer.Option("--schema", help="Person, Organization, Vessel… (default: either).")
    ] = "LegalEntity",
    algorithm: Annotated[
        str, typer.Option("--algorithm", help="sanctionscope (default) or ofac.")
    ] = "sanctionscope",
    pairs: Annotated[
        Path | None,
        typer.Option("--pairs", help="TSV with columns left, right and optionally kind or schema."),
    ] = None,
    out: Annotated[Path | None, typer.Option("--out", help="With --pairs: the scored TSV.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Score how alike two names are, or every pair of a TSV file."""
    from sanctionscope.matching import ScreeningError, compare
    from sanctionscope.matching.pairs import compare_pairs_file

    try:
        if pairs is not None:
            if out is None:
                fail("--pairs needs --out (where to write the scores)")
            summary = compare_pairs_file(pairs, out, algorithm=algorithm)
            console.print(
                f"{summary.rows:,} pairs: {summary.scored:,} scored, {summary.errors:,} errors → {out}"
            )
            if summary.errors:
                console.print(f"errors: {out.with_name(out.stem + '.errors.tsv')}")
                raise typer.Exit(1)
            return
        if left is None or right is None:
            fail("give two names, or --pairs FILE --out FILE")
        result = compare(left, right, schema, algorithm)
    except ScreeningError as error:
        fail(str(error))
    if as_json:
        sys.stdout.write(
            json.dumps(
                {
                    "score": round(result.score, 4),
                    "match": result.match,
                    "explanation": result.explanation,
                },
                ensure_ascii=False,
                indent=2,
            )
            + "\n"
        )
        return
    console.print(f"score {result.score:.2f} ({'match' if result.match else 'no match'})")
    if "aligned" in result.explanation:
        console.print(explain_briefly({"name": result.explanation}))


@app.command("demo")
def demo(
    home: Annotated[
        Path | None,
        typer.Option("--home", help="Keep the demo database here (default: a temporary folder)."),
    ] = None,
) -> None:
    """Run the story of 19 Sep 2024 on the bundled demo list, offline."""
    from sanctionscope.demo import run_demo

    run_demo(console, home)


if __name__ == "__main__":  # pragma: no cover
    app()
