"""Names written in Chinese characters are also read in Korean (金正恩 → 김정은 = Kim Jong Un),
while their Mandarin reading stays (王伟 = Wang Wei): the reading table's form, the readings,
comparisons, screening of the UN list, the command line, and any mixed text."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sanctionscope.demo import demo_settings
from sanctionscope.matching import Query, ScreeningIndex, open_index, screen
from sanctionscope.matching.compare import compare_names
from sanctionscope.matching.names import (
    analyze_name,
    hangul_reading,
    korean_reading,
    name_variants,
)
from sanctionscope.matching.resources import hanja_readings, korean_surnames
from sanctionscope.matching.script import is_hangul, script_of
from sanctionscope.store import import_path, open_store
from tests.test_cli import run

UN_LIST = Path("un") / "consolidated_2026-02-27.xml"


def _resource_lines(name: str) -> list[str]:
    path = resources.files("sanctionscope.matching").joinpath("resources", name)
    return path.read_text("utf-8").splitlines()


def _data_rows(name: str) -> list[list[str]]:
    lines = [line for line in _resource_lines(name) if line and not line.startswith("#")]
    return [line.split("\t") for line in lines[1:]]


# ------------------------------------------------------------------ the table's form


def test_the_reading_table_has_one_han_character_and_one_syllable_per_row() -> None:
    lines = _resource_lines("hanja_readings.tsv")
    assert lines[0].startswith("#") and any("Written for sanctionscope" in x for x in lines)
    assert next(x for x in lines if x and not x.startswith("#")) == "hanja\treading\tafter_first"
    rows = _data_rows("hanja_readings.tsv")
    for row in rows:
        assert len(row) in (2, 3), row
        char, *readings = row
        assert len(char) == 1 and script_of(char) == "Hani", row
        assert all(len(r) == 1 and is_hangul(r) for r in readings), row
    chars = [row[0] for row in rows]
    assert len(chars) == len(set(chars)), "a character is listed twice"
    assert 600 <= len(chars) <= 2000


def test_the_word_readings_have_one_syllable_per_character() -> None:
    rows = _data_rows("hanja_words.tsv")
    words = [word for word, _ in rows]
    assert len(words) == len(set(words))
    table = hanja_readings()
    for word, reading in rows:
        assert len(word) >= 2 and all(script_of(c) == "Hani" for c in word), word
        assert len(reading) == len(word) and all(is_hangul(c) for c in reading), word
        per_character = table.first.get(word[0], "?") + "".join(
            table.after_first.get(c, "?") for c in word[1:]
        )
        assert reading != per_character, f"{word}: the characters already read {reading}"


@pytest.mark.parametrize(
    ("char", "reading"),
    [
        ("金", "김"), ("李", "리"), ("朴", "박"), ("崔", "최"), ("鄭", "정"), ("林", "림"),
        ("柳", "류"), ("劉", "류"), ("梁", "량"), ("盧", "로"), ("龍", "룡"), ("勞", "로"),
        ("呂", "려"), ("廉", "렴"), ("陸", "륙"), ("羅", "라"), ("宮", "궁"), ("女", "녀"),
        ("年", "년"), ("寧", "녕"),
    ],
)  # fmt: skip
def test_readings_are_the_original_ones_without_the_initial_sound_law(
    char: str, reading: str
) -> None:
    assert hanja_readings().first[char] == reading


def test_every_korean_surname_syllable_is_read_from_some_character() -> None:
    readings = set(hanja_readings().first.values())
    syllables = {s for surname in korean_surnames() for s in surname}
    assert syllables <= readings, sorted(syllables - readings)


# ------------------------------------------------------------------ readings


def test_kim_is_the_surname_first_and_kum_after() -> None:
    assert hangul_reading("金正恩") == "김정은"
    assert hangul_reading("李金順") == "리금순"
    assert hangul_reading("金剛山") == "금강산"  # a word read whole
    assert hangul_reading("朝鮮金剛銀行") == "조선금강은행"


def test_simplified_characters_read_as_traditional() -> None:
    assert hangul_reading("金铁三") == hangul_reading("金鐵三") == "김철삼"
    assert hangul_reading("朝鲜联合机械贸易会社") == "조선련합기계무역회사"
    assert hangul_reading("朝鮮聯合機械貿易會社") == "조선련합기계무역회사"
    assert hangul_reading("于洋") == "우양"  # the surname as written, not Hans-Hant's 於


def test_a_name_with_a_character_missing_from_the_table_keeps_its_mandarin_reading() -> None:
    assert "鑫" not in hanja_readings().first
    assert hangul_reading("王鑫") is None
    assert name_variants("王鑫") == ["王鑫"]
    assert compare_names("王鑫", "Wang Xin", "person").score >= 0.7


def test_only_the_chinese_characters_of_a_mixed_name_are_replaced() -> None:
    assert korean_reading("KIM Jong Un 金正恩") == "KIM Jong Un 김정은"
    assert korean_reading("Kim Jong Un") is None
    assert name_variants("Jin Tiesan (金铁三)") == [
        "Jin Tiesan (金铁三)",
        "Jin Tiesan",
        "Jin Tiesan (김철삼)",
    ]
    assert "김정은" in name_variants("KIM Jong Un 金正恩")


def test_names_without_chinese_characters_are_not_read() -> None:
    before = hangul_reading.cache_info()
    for name in ("Kim Jong Un", "Никулин Дмитрий", "김정은", "محمد علي"):
        name_variants(name)
    after = hangul_reading.cache_info()
    assert (after.hits, after.misses) == (before.hits, before.misses)


# ------------------------------------------------------------------ comparisons


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("金正恩", "Kim Jong Un"),
        ("金铁三", "KIM CHOL SAM"),
        ("金鐵三", "Kim Chol Sam"),
        ("朴成哲", "Pak Song Chol"),
        ("朴成哲", "Park Seong Cheol"),
        ("李哲", "Ri Chol"),
        ("李哲", "Lee Chol"),
        ("李明浩", "Lee Myongho"),
        ("崔成哲", "Choe Song Chol"),
        ("崔成哲", "Choi Song Chol"),
        ("崔龍海", "Choe Ryong Hae"),
        ("韓長洙", "Han Jang Su"),
    ],
)
def test_korean_names_in_chinese_characters_match_their_romanisations(
    left: str, right: str
) -> None:
    assert compare_names(left, right, "person").score >= 0.7


@pytest.mark.parametrize(
    ("left", "right"), [("王伟", "Wang Wei"), ("习近平", "Xi Jinping"), ("李明", "Li Ming")]
)
def test_chinese_names_still_match_their_pinyin(left: str, right: str) -> None:
    assert compare_names(left, right, "person").score >= 0.7


def test_a_different_korean_name_does_not_match() -> None:
    assert compare_names("金正恩", "Kim Jong Nam", "person").score < 0.7
    assert compare_names("朴成哲", "Choe Song Chol", "person").score < 0.7


def test_organisation_names_are_read_as_korean_business_words() -> None:
    assert compare_names("朝鮮貿易銀行", "Korea Trade Bank", "org").score >= 0.7
    assert compare_names("朝鮮貿易銀行", "조선무역은행", "org").score == 1.0
    assert compare_names("朝鲜贸易银行", "Korea Trade Bank", "org").score >= 0.7
    assert compare_names("朝鮮光鮮銀行", "Korea Kwangson Banking Corp", "org").score >= 0.7
    # "Foreign" is not in the Korean name: the words in common are generic ones.
    assert compare_names("朝鮮貿易銀行", "Foreign Trade Bank", "org").score < 0.7
    assert compare_names("朝鮮貿易銀行", "Korea Kwangson Banking Corp", "org").score < 0.7
    form = analyze_name("조선련합기계무역회사", "org")
    assert [t.text for t in form.tokens] == ["korea", "association", "machine", "trade", "company"]
    assert (
        compare_names("朝鲜联合机械贸易会社", "Korea Union Machinery Trading Company", "org").score
        >= 0.9
    )


# ------------------------------------------------------------------ screening


@pytest.fixture(scope="module")
def un_index(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> ScreeningIndex:
    settings = demo_settings(tmp_path_factory.mktemp("un-home"))
    results = import_path(open_store(settings), shared_data / UN_LIST, settings)
    assert all(r.ok for r in results)
    return open_index(settings)


@pytest.mark.shared_data
@pytest.mark.parametrize("query", ["金铁三", "金鐵三", "김철삼"])
def test_screening_the_un_list_finds_kim_chol_sam(un_index: ScreeningIndex, query: str) -> None:
    hits = screen(un_index, Query((query,), "Person"), limit=3)
    assert hits[0].source_id == "KPi.035"
    assert hits[0].caption == "KIM CHOL SAM"
    assert hits[0].match


@pytest.mark.shared_data
def test_the_un_alias_in_chinese_characters_is_found_by_its_korean_reading(
    un_index: ScreeningIndex,
) -> None:
    """KPe.016 lists 朝鲜联合机械贸易会社 among its aliases; the index holds it as 조선련합기계무역회사
    too."""
    hits = screen(un_index, Query(("조선련합기계무역회사",), "Organization"), limit=3)
    assert hits[0].source_id == "KPe.016"
    assert hits[0].score == 1.0


@pytest.mark.parametrize("query", ["朝鮮貿易銀行", "朝鲜贸易银行"])
def test_a_korean_bank_in_chinese_characters_is_found_by_its_korean_reading(
    demo_index: ScreeningIndex, query: str
) -> None:
    """The Mandarin reading's rare syllables do not drown the Korean one: each reading of a
    query is looked up on its own."""
    hits = screen(demo_index, Query((query,), "Organization"), limit=3)
    assert hits[0].caption.startswith("FOREIGN TRADE BANK")
    assert hits[0].match


def test_korean_people_of_the_demo_list_are_found_in_chinese_characters(
    demo_index: ScreeningIndex,
) -> None:
    assert screen(demo_index, Query(("韓長洙",), "Person"), limit=1)[0].source_id == "21749"
    assert screen(demo_index, Query(("金京男",), "Person"), limit=1)[0].source_id == "18554"


def test_the_command_line_compares_a_name_in_chinese_characters(tmp_path: Path) -> None:
    result = run("compare", "金正恩", "Kim Jong Un", "--schema", "Person", home=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("score 0.95 (match)")


# ------------------------------------------------------------------ any text

_MIXED = st.text(
    alphabet=st.sampled_from(
        list("金正恩铁三朝鮮鲜貿易銀行鑫王伟习近平李朴崔剛山")
        + list("김정은조선무역은행철삼")
        + list("Kim Jong Un()[] -.,'")
        + ["\u3400", "\uf900", "あ", "д"]
    ),
    max_size=40,
)


@settings(max_examples=50, deadline=None)
@given(_MIXED)
def test_any_mix_of_han_hangul_and_latin_is_analysed(text: str) -> None:
    variants = name_variants(text)
    assert variants[0] == text
    for variant in variants:
        for kind in ("person", "org"):
            form = analyze_name(variant, kind)
            assert all(t.text.isascii() for t in form.tokens)
