"""Importing the whole ../shared/data folder: every recognised publication becomes a version,
unrecognised files are skipped with a reason, and the newest UN file ends up active."""

from __future__ import annotations

from pathlib import Path

from sanctionscope.settings import Settings
from sanctionscope.store import active_versions_list, import_path, open_store


def test_import_every_list_in_shared_data(home: Path, shared_data: Path) -> None:
    from sanctionscope.settings import get_settings

    settings: Settings = get_settings()
    engine = open_store(settings)
    skipped: list[Path] = []
    results = import_path(engine, shared_data, settings, on_skip=lambda p, _: skipped.append(p))
    refused = {r.path.name: r.message for r in results if not r.ok}
    # The advanced XML of 2020 holds 375 consolidated entries, 15 % fewer than the CSV of
    # 2025-12-19 imported before it: refused as a suspicious drop, the CSV stays active.
    assert list(refused) == ["cons_advanced_2020-03-17.xml"], refused
    assert "drop of 15.2%" in refused["cons_advanced_2020-03-17.xml"]
    active = {v.source: v for v in active_versions_list(engine)}
    assert {name: v.entry_count for name, v in active.items()} == {
        # The EU excerpt is cut between two whole rows (designation 25 keeps only its names):
        # nothing in the file shows it, so it loads; cuts inside a row are refused.
        "eu_fsf": 4,
        "gb_fcdo_sanctions": 5302,
        "gb_hmt_sanctions": 4686,
        "un_sc_sanctions": 1003,
        # OFAC enhanced XML exports filtered by program: datasets of their own.
        "us_ofac_all_irgc": 293,
        "us_ofac_all_yemen": 10,
        "us_ofac_cons": 443,
        "us_ofac_sdn": 14965,
        "yente_t1_entities": 7,
        "yente_zala_entities": 17,
    }
    assert str(active["un_sc_sanctions"].published) == "2026-02-27"
    # OFAC consolidated: the CSV of 2025-12-19 (442) and then the XML of 2025-03-28 (443).
    assert active["us_ofac_cons"].seq == 2
    skipped_names = {p.name for p in skipped}
    assert {"add.csv", "alt.csv", "name_pairs_dev.tsv"} <= skipped_names
