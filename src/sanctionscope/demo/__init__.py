"""The offline demo: the 19 Sep 2024 Russia–DPRK action on a small hand-written OFAC list.

Two versions of the list (before and after the action) ship in ``demo/data``. The demo imports
both into a fresh database and shows what changed. Later capabilities extend it.
"""

from __future__ import annotations

import dataclasses
import tempfile
from contextlib import ExitStack
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.rule import Rule

from sanctionscope.settings import Settings, get_settings
from sanctionscope.store import diff_versions, import_path, open_store, source_versions

if TYPE_CHECKING:
    from sanctionscope.matching import ScreeningIndex

BEFORE = "ofac_before_2024-09-19"
AFTER = "ofac_after_2024-09-19"


def demo_list_path(name: str, stack: ExitStack) -> Path:
    """Filesystem path of a bundled demo list folder."""
    return Path(
        stack.enter_context(resources.as_file(resources.files(__package__) / "data" / name))
    )


def demo_settings(home: Path) -> Settings:
    return dataclasses.replace(
        get_settings(), home=home, database_url=f"sqlite:///{home / 'sanctionscope.db'}"
    )


BOOK = "bank_book"
GRAPH_FILE = "sanctionscope-demo-network.html"


def run_demo(console: Console, home: Path | None = None, graph_folder: Path | None = None) -> None:
    # Imported here: the CLI renderers live with the CLI, the demo only tells the story.
    from sanctionscope.cli import render_diff, render_import_result

    # The graph is written where the user can open it: the demo home if one was given.
    graph = (graph_folder or home or Path.cwd()) / GRAPH_FILE
    with ExitStack() as stack:
        if home is None:
            home = Path(
                stack.enter_context(tempfile.TemporaryDirectory(prefix="sanctionscope-demo-"))
            )
        settings = demo_settings(home)
        engine = open_store(settings)
        console.print(Rule("sanctionscope demo: OFAC action of 19 Sep 2024 (Russia–DPRK payments)"))
        console.print(
            "A Moscow bank, a bank in occupied South Ossetia and a one-year-old Moscow company "
            "moved money for North Korea's Foreign Trade Bank. OFAC designated them on "
            "19 Sep 2024. We load the SDN list as it stood the day before, then after.\n"
        )
        for name, label in ((BEFORE, "before"), (AFTER, "after")):
            path = demo_list_path(name, stack)
            console.print(f"[bold]Importing the list {label} the action[/] ({name})")
            for result in import_path(engine, path, settings, source="us_ofac_sdn"):
                render_import_result(result, console)
            if name == BEFORE:
                console.print()
                book = demo_list_path(BOOK, stack) / "book.ftm.json"
                flagged = network_story(console, settings, book, graph)
        console.print()
        console.print(Rule("What changed on 19 Sep 2024"))
        versions = source_versions(engine, "us_ofac_sdn")
        diff = diff_versions(engine, versions[-2], versions[-1])
        render_diff(diff, console)
        engine.dispose()
        console.print()
        from sanctionscope.matching import open_index

        index = open_index(settings)  # the list after the action, for both parts below
        designated_since(console, index, flagged, {change.entry for change in diff.added})
        console.print()
        screen_story(console, index)


# Names as a payment or a customer file might carry them: Latin, Cyrillic, Hangul, Chinese
# characters, numbers.
STORY_QUERIES = [
    ("Timer Bank", None, (), "Latin, as a Kazan payment might name it"),
    ("Никулин Дмитрий Юрьевич", "Person", (), "Cyrillic, name order as in a Russian passport"),
    ("조선무역은행", None, (), "Hangul: 'Korea Trade Bank', North Korea's Foreign Trade Bank"),
    ("金京男", "Person", (), "Chinese characters, read in Korean: 김경남, Kim Kyong Nam"),
    ("Международный расчетный банк", None, (), "Cyrillic: MRB Bank's Russian name"),
    ("", None, ("FTBDKPPYXXX",), "a BIC with a branch code, no name at all"),
    ("MB BANK", None, (), "look-alike: the Syrian-program MB BANK is not MRB BANK"),
]


def screen_story(console: Console, index: ScreeningIndex) -> None:
    """Screen names from the story against the list as it stood after the action."""
    from sanctionscope.cli import explain_briefly
    from sanctionscope.matching import Query, screen

    console.print(Rule("Screening names from the story against the list after the action"))
    for name, schema, identifiers, note in STORY_QUERIES:
        query = Query(
            (name,) if name else (), schema, identifiers=tuple(("any", i) for i in identifiers)
        )
        shown = name or "--id " + " ".join(identifiers)
        hits = screen(index, query, limit=2, threshold=0.5)
        console.print(f"[bold]{shown}[/]  [dim]({note})[/]")
        if not hits:
            console.print("   no list entry scores 0.50 or more")
        for hit in hits:
            verdict = "[bold red]MATCH[/]" if hit.match else "[yellow]review[/]"
            console.print(
                f"   {hit.score:.2f} {verdict} {hit.caption} (OFAC {hit.source_id})",
                highlight=False,
            )
            console.print(
                f"        {explain_briefly(hit.explanation)}", highlight=False, style="dim"
            )


def network_story(
    console: Console, settings: Settings, book: Path, graph: Path
) -> list[tuple[str, str]]:
    """The bank's book against the list of 18 Sep 2024: who is exposed, and why."""
    from sanctionscope.network import AnalysisConfig, analyze_connection
    from sanctionscope.network.linking import find_list_links
    from sanctionscope.network.lists import open_entities_with_lists
    from sanctionscope.network.model import connect
    from sanctionscope.network.readers import read_ftm_file
    from sanctionscope.network.render import entity_page
    from sanctionscope.store import open_store

    console.print(Rule("The bank's own book, the day before the action (18 Sep 2024)"))
    console.print(
        "A bank's customers, counterparties, correspondent accounts and payments "
        f"({book.name}, hand-written from the fact sheet). Nothing in it says 'sanctioned': "
        "the book is linked to the list above by BIC, INN and name, then followed through its "
        "relationships.\n"
    )
    links = find_list_links(
        (proxy for proxy, _ in read_ftm_file(book, lambda _error: None)), settings
    )
    for entity_id, reason in sorted(links.reasons.items()):
        console.print(f"  linked [bold]{entity_id}[/]: {reason}", highlight=False)
    config = AnalysisConfig()
    con = connect(config.memory_limit, config.temp_directory)
    try:
        errors, list_edges, _graph = open_entities_with_lists(
            con, [book], None, links, open_store(settings)
        )
        result = analyze_connection(con, config, errors)
        list_edges.annotate_result(result)
        console.print()
        for finding in sorted(result.findings, key=lambda f: (-f.score, f.id)):
            console.print(
                f"  [bold red]{finding.status}[/] {finding.caption} ({finding.id}), score {finding.score:.2f}",
                highlight=False,
            )
            for reason in finding.reasons[:3]:
                console.print(f"      {reason}", style="dim", highlight=False)
        page = entity_page(con, result, "cust-mrb")
        flagged = [(f.caption, f.status) for f in result.findings if f.score >= FLAG_SCORE]
    finally:
        con.close()
    graph.write_text(page.html, encoding="utf-8")
    console.print(f"\n  Graph of MRB Bank's neighbourhood with the proof paths: {graph}")
    return flagged


FLAG_SCORE = 0.55  # findings an analyst would open first


def designated_since(
    console: Console, index: ScreeningIndex, flagged: list[tuple[str, str]], added: set[str]
) -> None:
    """Which of the customers flagged on 18 Sep were designated on 19 Sep."""
    from sanctionscope.matching import Query, screen

    console.print(Rule("Flagged the day before, designated on 19 Sep 2024"))
    for caption, status in flagged:
        hits = [
            h for h in screen(index, Query((caption,)), limit=1) if h.match and h.source_id in added
        ]
        outcome = (
            f"designated: {hits[0].caption} (OFAC {hits[0].source_id})"
            if hits
            else "not designated"
        )
        console.print(f"  {caption} ({status}) → {outcome}", highlight=False)
