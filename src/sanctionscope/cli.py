"""Command line: parse arguments, call the packages, render. No logic of its own."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.table import Table

from sanctionscope import __version__
from sanctionscope.network.cli import network_app
from sanctionscope.settings import get_settings
from sanctionscope.sources import SourceError
from sanctionscope.store import (
    ImportResult,
    ListDiff,
    ListVersion,
    StoreError,
    active_versions_list,
    diff_versions,
    import_path,
    open_store,
    source_versions,
)

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
            results = import_path(
                engine, path, settings, source=source, force=force, on_skip=skipped
            )
    except SourceError as exc:
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
    versions = active_versions_list(_engine())
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
    old, new = resolve_diff_versions(source_versions(engine, source), source, from_seq, to_seq)
    diff = diff_versions(engine, old, new)
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
