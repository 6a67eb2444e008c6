"""Name analysis: romanisation, variant keys, legal forms, business words, Korean names."""

from __future__ import annotations

import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sanctionscope.matching.fold import east_slavic_key, fold_key, korean_key, skeleton_key
from sanctionscope.matching.names import Kind, analyze_name, name_variants
from sanctionscope.matching.script import romanize_hangul, romanize_word


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("Никулин", "nikulin"),
        ("Юрьевич", "yurevich"),
        ("Щукин", "shchukin"),
        ("Уладзіслаў", "uladzislau"),
        ("محمد", "mhmd"),
        ("Öztürk", "ozturk"),
        ("TIMER", "timer"),
    ],
)
def test_romanize_word(word: str, expected: str) -> None:
    assert romanize_word(word) == expected


def test_hangul_is_romanised_syllable_by_syllable() -> None:
    assert romanize_hangul("광선") == "gwangseon"
    assert romanize_hangul("무역") == "muyeok"


@pytest.mark.parametrize(
    ("variants", "key"),
    [
        (["yuryevich", "yurievich", "iourievitch", "yurevich"], fold_key),
        (["mezhdunarodnyi", "mezhdunarodnyy", "mejdunarodny"], fold_key),
        (["kwangson", "gwangseon"], korean_key),
        (["muhammad", "mohammed", "mhmd"], skeleton_key),
    ],
)
def test_spelling_variants_share_a_key(variants: list[str], key: object) -> None:
    assert callable(key)
    assert len({key(v) for v in variants}) == 1


@pytest.mark.parametrize(
    "name",
    [
        "ООО Стройтрейд",
        "OOO Stroytreyd",
        "Stroytreyd LLC",
        "Obshchestvo s ogranichennoy otvetstvennostyu Stroytreyd",
        "Общество с ограниченной ответственностью Стройтрейд",
    ],
)
def test_legal_forms_are_canonical_across_languages(name: str) -> None:
    form = analyze_name(name, "org")
    assert form.legal_forms == {"llc"}
    assert [t.text for t in form.tokens] == ["stroytreyd"]


@pytest.mark.parametrize(
    "name",
    [
        "TIMER BANK, AO",
        "Aktsionernoe obshchestvo Timer bank",
        "TIMER BANK PAO",
        "TIMER BANK JOINT-STOCK COMPANY",
    ],
)
def test_joint_stock_forms(name: str) -> None:
    assert analyze_name(name, "org").legal_forms == {"jsc"}


def test_korean_organisation_name_is_split_into_words_and_translated() -> None:
    tokens = analyze_name("조선무역은행", "org").tokens
    assert [sorted(t.concepts) for t in tokens] == [["korea"], ["trade"], ["bank"]]


def test_korean_person_name_is_split_at_the_surname() -> None:
    tokens = analyze_name("김정은", "person").tokens
    assert [t.text for t in tokens] == ["kim", "jeongeun"]
    assert tokens[0].role == "surname"


def test_russian_business_words_are_translated() -> None:
    tokens = analyze_name("Российская финансовая корпорация", "org").tokens
    assert [sorted(t.concepts) for t in tokens] == [["russia"], ["financial"], ["corporation"]]


def test_generic_words_weigh_less_than_distinctive_ones() -> None:
    weights = {t.text: t.weight for t in analyze_name("Korea Kwangson Banking Corp", "org").tokens}
    assert weights["kwangson"] == 1.0
    assert weights["banking"] < 0.5


def test_patronymic_and_particles_are_marked() -> None:
    roles = {t.text: t.role for t in analyze_name("Dmitry Yuryevich NIKULIN", "person").tokens}
    assert roles == {"dmitry": "name", "yuryevich": "patronymic", "nikulin": "name"}


def test_name_variants_split_brackets_and_scripts() -> None:
    assert name_variants("FOREIGN TRADE BANK (FTB)") == [
        "FOREIGN TRADE BANK (FTB)",
        "FOREIGN TRADE BANK",
    ]
    assert "KIM Ho Kyu" in name_variants("KIM Ho Kyu 김호규")
    assert "김호규" in name_variants("KIM Ho Kyu 김호규")


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("sviridov", "svirydau"),
        ("rogashchuk", "ragashchuk"),
        ("rudenko", "rudzenka"),
        ("beliakov", "belyakou"),
        ("aleksandr", "aliaksandr"),
    ],
)
def test_east_slavic_key_joins_russian_and_belarusian_spellings(left: str, right: str) -> None:
    assert east_slavic_key(fold_key(left)) == east_slavic_key(fold_key(right))


def test_east_slavic_key_keeps_endings_apart() -> None:
    assert east_slavic_key(fold_key("ivanov")) != east_slavic_key(fold_key("ivanova"))


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=string.printable, max_size=60), st.sampled_from(["person", "org"]))
def test_ascii_names_analyse_as_the_general_path_would(text: str, kind: Kind) -> None:
    """Names in ASCII take a fast path; a non-ASCII word added at the end sends the same
    words down the general one, which must read them the same."""
    fast = analyze_name(text, kind).tokens
    general = analyze_name(text + " é", kind).tokens
    assert general[: len(fast)] == fast
