"""Screening against the lists: the 19 Sep 2024 parties in Latin, Cyrillic and Hangul and
by identifier, look-alikes kept apart, one subject per real-world party across lists."""

from __future__ import annotations

import contextlib
import csv
import gc
import importlib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sanctionscope.matching import Query, ScreeningError, ScreeningIndex, query_from_entity, screen
from sanctionscope.matching.records import Record
from sanctionscope.matching.screen import Hit
from sanctionscope.memory import RELAXED_THRESHOLDS

STORY = [
    # (query, schema, expected OFAC ent_num)
    ("MRB BANK", None, "50604"),
    ("International Settlement Bank", None, "50604"),
    ("Международный расчетный банк", None, "50604"),
    ("Mezhdunarodnyy Raschetnyy Bank", "Organization", "50604"),
    ("TSMRBANK", None, "22488"),
    ("ЦМРБанк", None, "22488"),
    ("Bank Center for International Settlements", None, "22488"),
    ("Russian Financial Corporation", None, "24026"),
    ("Российская финансовая корпорация", None, "24026"),
    ("RFC Bank", None, "24026"),
    ("Timer Bank", None, "50610"),
    ("Тимер Банк", None, "50610"),
    ("Aktsionernoe Obshchestvo Timer Bank", None, "50610"),
    ("STROYTREYD", None, "50607"),
    ("ООО «Стройтрейд»", None, "50607"),
    ("Stroytrade LLC", None, "50607"),
    ("Dmitry Nikulin", "Person", "50603"),
    ("Никулин Дмитрий Юрьевич", "Person", "50603"),
    ("Dmitri Iourievitch Nikulin", None, "50603"),
    ("Foreign Trade Bank of the DPRK", None, "15603"),
    ("조선무역은행", None, "15603"),
    ("Korea Trade Bank", None, "15603"),
    ("조선광선은행", None, "11581"),
    ("Korea Kwangson Banking Corporation", None, "11581"),
    ("한장수", "Person", "21749"),
    ("Han Jang-su", "Person", "21749"),
    ("김경남", "Person", "18554"),
]

IDENTIFIERS = [
    ("FTBDKPPY", "15603"),
    ("FTBDKPPYXXX", "15603"),  # with a branch code
    ("RFCBRUMM", "24026"),
    ("TIMERU2K", "50610"),
    ("7750056670", "22488"),  # INN / tax id
    ("1157700005759", "22488"),  # OGRN
    ("044525059", "22488"),  # BIK
    ("1237700700665", "50607"),  # OGRN of Stroytreyd
    ("9728108831", "50607"),  # INN of Stroytreyd
    ("2534006KGFLPAAXC1X76", "50610"),  # LEI
    ("772043761", "50603"),  # passport
]

LOOK_ALIKES = [
    # (query, the entries it may be, the look-alike that must not be a match)
    ("KOREA KWANGSONG TRADING CORPORATION", {"9523"}, "11581"),
    ("KOREA KWANGSON BANKING CORP", {"11581"}, "9523"),
    ("MB BANK", {"25419"}, "50604"),
    ("MRB BANK", {"50604"}, "25419"),
    ("STROYTRANSGAZ LLC", {"16831", "16834"}, "50607"),  # the group's alias is STROYTRANSGAZ
    ("STROYTREYD LLC", {"50607"}, "16834"),
]


def _top(index: ScreeningIndex, query: Query, n: int = 3) -> list[str]:
    return [h.source_id for h in screen(index, query, limit=n, threshold=0.3)]


@pytest.mark.parametrize(("name", "schema", "expected"), STORY)
def test_story_parties_are_found_in_any_script(
    demo_index: ScreeningIndex, name: str, schema: str | None, expected: str
) -> None:
    assert expected in _top(demo_index, Query((name,), schema))


@pytest.mark.parametrize(("value", "expected"), IDENTIFIERS)
def test_story_parties_are_found_by_identifier_alone(
    demo_index: ScreeningIndex, value: str, expected: str
) -> None:
    hits = screen(demo_index, Query(identifiers=(("any", value),)), limit=3)
    assert hits and hits[0].source_id == expected
    assert hits[0].score == 1.0 and hits[0].match
    assert hits[0].explanation["identifier_match"]


def test_the_bic_of_mb_bank_is_not_mrb_bank(demo_index: ScreeningIndex) -> None:
    assert [h.source_id for h in screen(demo_index, Query(identifiers=(("any", "MRBBRUMM"),)))] == [
        "25419"
    ]


@pytest.mark.parametrize(("name", "entry", "other"), LOOK_ALIKES)
def test_look_alikes_are_not_confused(
    demo_index: ScreeningIndex, name: str, entry: set[str], other: str
) -> None:
    hits = screen(demo_index, Query((name,)), limit=10, threshold=0.0)
    assert hits[0].source_id in entry
    assert all(not h.match for h in hits if h.source_id == other)


def test_a_result_explains_itself(demo_index: ScreeningIndex) -> None:
    hit = screen(
        demo_index,
        Query(("Никулин Дмитрий Юрьевич",), "Person", dates=("1975-02-20",), countries=("ru",)),
    )[0]
    payload = hit.to_json()
    assert payload["source_id"] == "50603" and payload["list_version"] == "us_ofac_sdn@1"
    assert payload["explanation"]["name"]["aligned"]
    assert payload["explanation"]["date"]["effect"] > 0
    assert set(payload) >= {
        "id",
        "source",
        "source_id",
        "caption",
        "schema",
        "score",
        "match",
        "explanation",
        "list_version",
    }


def test_a_conflicting_birth_date_lowers_the_score(demo_index: ScreeningIndex) -> None:
    same = screen(
        demo_index, Query(("Dmitry Yuryevich Nikulin",), "Person", dates=("1975-02-20",))
    )[0]
    other = screen(
        demo_index, Query(("Dmitry Yuryevich Nikulin",), "Person", dates=("1988-06-01",))
    )[0]
    assert same.source_id == other.source_id == "50603"
    assert other.score < same.score


def test_schema_filters_candidates(demo_index: ScreeningIndex) -> None:
    hits = screen(demo_index, Query(("TIMER BANK",), "Person"), threshold=0.0)
    assert all(h.schema == "Person" for h in hits)


@pytest.mark.parametrize(
    "query", [Query(), Query(("   ",)), Query((), identifiers=(("any", " "),))]
)
def test_an_empty_query_is_a_clear_error(demo_index: ScreeningIndex, query: Query) -> None:
    with pytest.raises(ScreeningError, match="nothing to screen"):
        screen(demo_index, query)


def test_an_unknown_schema_is_a_clear_error(demo_index: ScreeningIndex) -> None:
    with pytest.raises(ScreeningError, match="unknown schema 'Bank'"):
        screen(demo_index, Query(("X",), "Bank"))


@settings(max_examples=40, deadline=None)
@given(st.text(max_size=2000))
def test_any_text_query_returns_results_or_a_clear_error(
    demo_index: ScreeningIndex, text: str
) -> None:
    try:
        hits = screen(demo_index, Query((text,)), threshold=0.0)
    except ScreeningError as error:
        assert "nothing to screen" in str(error)
    else:
        assert all(0.0 <= h.score <= 1.0 for h in hits)


# ------------------------------------------------------------------ every official list


@pytest.mark.parametrize(("name", "sources"), [
    ("Foreign Trade Bank", {"us_ofac_sdn", "un_sc_sanctions", "gb_hmt_sanctions", "gb_fcdo_sanctions"}),
    ("Korea Kwangson Banking Corporation", {"us_ofac_sdn", "un_sc_sanctions", "gb_hmt_sanctions", "gb_fcdo_sanctions"}),
    ("Vladimir Putin", {"us_ofac_sdn", "gb_hmt_sanctions", "gb_fcdo_sanctions"}),  # same name and birth date
])  # fmt: skip
def test_one_subject_with_every_listing(
    all_lists_index: ScreeningIndex, name: str, sources: set[str]
) -> None:
    hit = screen(all_lists_index, Query((name,)), limit=3)[0]
    assert sources <= set(hit.datasets)
    assert {listing["source"] for listing in hit.listings} >= sources
    assert all(link["reason"] for link in hit.explanation["subject_links"])


def test_per_list_results_show_each_record(all_lists_index: ScreeningIndex) -> None:
    hits = screen(all_lists_index, Query(("Foreign Trade Bank",)), limit=10, per_list=True)
    assert {h.source for h in hits if "FOREIGN TRADE BANK" in h.caption.upper() and "MYANMA" not in h.caption} >= {
        "un_sc_sanctions", "gb_hmt_sanctions", "gb_fcdo_sanctions"
    }  # fmt: skip


def test_look_alike_parties_stay_separate_subjects(all_lists_index: ScreeningIndex) -> None:
    kkbc = screen(all_lists_index, Query(("KOREA KWANGSON BANKING CORP",)), limit=1)[0]
    kwangsong = screen(all_lists_index, Query(("KOREA KWANGSONG TRADING CORPORATION",)), limit=1)[0]
    assert not {listing["id"] for listing in kkbc.listings} & {
        listing["id"] for listing in kwangsong.listings
    }
    fcdo_ftb = screen(all_lists_index, Query(("Foreign Trade Bank",)), limit=5)
    assert not any("MYANMA" in listing["caption"] for listing in fcdo_ftb[0].listings)


def test_a_common_name_gives_subjects_of_one_record_per_list(
    all_lists_index: ScreeningIndex,
) -> None:
    """Many people are called KIM Chol: each result's listings come from different lists,
    never two records of one list merged into one person."""
    hits = screen(all_lists_index, Query(("KIM Chol",), "Person"), limit=10, threshold=0.0)
    assert len(hits) >= 3
    for hit in hits:
        sources = [listing["source"] for listing in hit.listings]
        assert len(sources) == len(set(sources)), hit.listings


def test_a_query_from_an_ftm_entity(demo_index: ScreeningIndex) -> None:
    query = query_from_entity(
        "Company",
        {
            "name": ["Stroytreyd OOO"],
            "innCode": ["9728108831"],
            "incorporationDate": ["2023-10-17"],
            "country": ["RU"],
        },
    )
    assert query.identifiers == (("tax", "9728108831"),) and query.countries == ("ru",)
    hit = screen(demo_index, query, limit=1)[0]
    assert hit.source_id == "50607" and hit.score == 1.0
    assert hit.explanation["identifier_match"] == ["tax 9728108831"]


TEMPTING_LOOK_ALIKES = [
    # (record, record): distinct parties whose names are close; never one subject
    (
        "ofac-11581",
        "ofac-9523",
    ),  # KOREA KWANGSON BANKING CORP / KOREA KWANGSONG TRADING CORPORATION
    ("unsc-6908518", "unsc-6908519"),  # the same two on the UN list
    ("gb-hmt-13536", "ofac-42796"),  # FOREIGN TRADE BANK (FTB) / MYANMA FOREIGN TRADE BANK
    ("ofac-15603", "ofac-42796"),
]


@pytest.mark.parametrize(("left", "right"), TEMPTING_LOOK_ALIKES)
def test_tempting_look_alikes_are_not_one_subject(
    all_lists_index: ScreeningIndex, left: str, right: str
) -> None:
    positions = {all_lists_index.record(i).id: i for i in range(all_lists_index.record_count)}
    assert all_lists_index.subject_of(positions[left]) != all_lists_index.subject_of(
        positions[right]
    )


def test_subject_invariants_hold_on_every_list(all_lists_index: ScreeningIndex) -> None:
    """No subject holds two records of one list; a person linked by name has an agreeing
    birth date; every link has a reason."""
    subjects: dict[int, list[int]] = {}
    for i in range(all_lists_index.record_count):
        subjects.setdefault(all_lists_index.subject_of(i), []).append(i)
    for members in subjects.values():
        sources = [all_lists_index.record(i).source for i in members]
        assert len(sources) == len(set(sources))
    for i in range(all_lists_index.record_count):
        record = all_lists_index.record(i)
        for other, reason in all_lists_index.links_of(i):
            assert reason
            if reason.startswith("same name") and record.schema == "Person":
                partner = all_lists_index.record(other)
                assert any(a[:4] == b[:4] for a in record.dates for b in partner.dates), (
                    record.id,
                    partner.id,
                )


def test_the_ofac_mode_also_gives_one_subject_per_party(all_lists_index: ScreeningIndex) -> None:
    hit = screen(
        all_lists_index, Query(("KOREA KWANGSON BANKING CORP",)), limit=1, algorithm="ofac"
    )[0]
    assert hit.score == 1.0 and hit.match
    assert {"us_ofac_sdn", "un_sc_sanctions", "gb_hmt_sanctions"} <= set(hit.datasets)


def test_a_file_screens_each_distinct_party_once_and_answers_every_row(
    demo_index: ScreeningIndex, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Repeated parties reuse the first answer, across reading slices and after the
    remembered answers are dropped, and every row still gets its own output row."""
    # The package's `screen` is the function; the module is reached by its full name.
    screening = importlib.import_module("sanctionscope.matching.screen")
    parties = ["Timer Bank", "MRB Bank", "Anna Schmidt", "", "Korea Trade Bank"]
    rows = [parties[i % len(parties)] for i in range(23)]
    source = tmp_path / "repeats.csv"
    lines_written = [f"C{i},{name}" for i, name in enumerate(rows)]
    source.write_text("customer_id,name\n" + "\n".join(lines_written) + "\n", encoding="utf-8")
    screened: list[Query] = []
    real_screen = screening.screen

    def counting_screen(index: ScreeningIndex, query: Query, **options: object) -> list[Hit]:
        screened.append(query)
        return real_screen(index, query, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(screening, "screen", counting_screen)
    monkeypatch.setattr(screening, "FEED_ROWS", 7)
    monkeypatch.setattr(screening, "ANSWERS_REMEMBERED", 4)
    out = tmp_path / "out.csv"
    summary = screening.screen_file(demo_index, source, out)
    assert (summary.rows, summary.screened, summary.errors) == (23, 19, 4)
    lines = {r["row"]: r for r in csv.DictReader(out.open(encoding="utf-8"))}
    assert len(lines) == 19
    timer = [r for r in lines.values() if r["name"] == "Timer Bank"]
    assert len(timer) == 5
    assert {(r["status"], r["best_id"], r["best_score"]) for r in timer} == {
        ("hit", lines["2"]["best_id"], lines["2"]["best_score"])
    }
    errors = list(csv.DictReader(out.with_name("out.errors.csv").open(encoding="utf-8")))
    assert [e["line"] for e in errors] == ["5", "10", "15", "20"]
    # Slices of 7, 7, 7 and 2 rows, each naming 5, 5, 5 and 2 distinct parties; the answers
    # remembered (more than 4) are dropped before each new slice.
    assert len(screened) == 17


def test_a_file_is_screened_with_the_collector_relaxed_and_left_as_found(
    demo_index: ScreeningIndex, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    screening = importlib.import_module("sanctionscope.matching.screen")
    seen: set[tuple[int, ...]] = set()
    real_screen = screening.screen

    def recording_screen(index: ScreeningIndex, query: Query, **options: object) -> list[Hit]:
        seen.add(gc.get_threshold())
        return real_screen(index, query, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(screening, "screen", recording_screen)
    source = tmp_path / "in.csv"
    source.write_text("name\nTimer Bank\nMRB Bank\n", encoding="utf-8")
    before = gc.get_threshold()
    summary = screening.screen_file(demo_index, source, tmp_path / "out.csv")
    assert summary.screened == 2
    assert seen == {RELAXED_THRESHOLDS}
    assert gc.get_threshold() == before


def test_screening_leaves_no_reference_cycles(demo_index: ScreeningIndex) -> None:
    """What lets `screen --file` relax the collector: the garbage screening makes is freed by
    reference counting alone, so a full collection afterwards finds nothing."""
    queries = [Query((name,)) for name, _schema, _ent_num in STORY]
    queries += [Query(("Anna Schmidt",), "Person"), Query(("",)), Query(("\x00 🙂",))]
    gc.collect()
    gc.disable()
    try:
        for query in queries:
            for brief in (True, False):
                with contextlib.suppress(ScreeningError):
                    screen(demo_index, query, limit=5, brief=brief)
        assert gc.collect() == 0
    finally:
        gc.enable()


def test_brief_hits_have_the_same_parties_and_scores_without_explanations(
    demo_index: ScreeningIndex,
) -> None:
    for query in (Query(("Korea Trade Bank",)), Query(("Timer Bank",), "Organization")):
        full = screen(demo_index, query, limit=5)
        brief = screen(demo_index, query, limit=5, brief=True)
        assert [(h.id, h.score, h.match) for h in brief] == [(h.id, h.score, h.match) for h in full]
        assert all(h.explanation == {} and h.listings == [] for h in brief)
        assert full[0].explanation and full[0].listings


@pytest.mark.parametrize(
    ("listed", "query"),
    [
        ("SEPANIR", "SEPAHNIR"),  # the query has one letter more than the listed word
        ("SEPAHNIR", "SEPANIR"),  # one letter less
        ("SEPANIR", "SEPAMIR"),  # one letter changed
    ],
)
def test_a_word_one_letter_away_is_found(listed: str, query: str) -> None:
    records = [
        Record(f"t-{i}", "Organization", name, "test", str(i), "test@1", names=[(name, False)])
        for i, name in enumerate([listed, "Unrelated Trading", "Other Holding"])
    ]
    hits = screen(ScreeningIndex(records), Query((query,), "Organization"), limit=3)
    assert [h.id for h in hits] == ["t-0"]
    assert hits[0].match
