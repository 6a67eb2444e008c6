"""The reviewed word lists the name analysis uses (files under ``matching/resources``).

They are ours: business vocabulary across languages (``org_terms.tsv``), Korean surnames
and their romanisations (``korean_surnames.tsv``), common English given-name nicknames
(``nicknames.tsv``), the Russian, Ukrainian and Belarusian forms of common given names
(``given_names.tsv``) and the Korean readings of Chinese characters (``hanja_readings.tsv``,
with the words read otherwise than their characters in ``hanja_words.tsv``). Legal forms come
from rigour's organisation-type table; tests check our lists against the GLEIF ELF code list
and rigour's file in ../shared/data/names.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources

from sanctionscope.matching.fold import fold_key
from sanctionscope.matching.script import romanize_word

MAX_INFLECTION = 4  # letters after a stem: Russian case endings, not another word


@dataclass(frozen=True)
class OrgTerm:
    concept: str
    weight: float


@dataclass(frozen=True)
class OrgVocabulary:
    words: dict[str, OrgTerm]  # exact words: English, Hangul, romanised
    stems: dict[str, OrgTerm]  # Cyrillic stems (lower case), e.g. "международн"
    folded_stems: dict[str, OrgTerm]  # the same stems romanised and folded
    min_stem: int
    max_stem: int


@dataclass(frozen=True)
class HanjaReadings:
    first: dict[str, str]  # Traditional character → Hangul reading as a name's first character
    after_first: dict[str, str]  # the reading elsewhere (金: 김 first, 금 after)
    words: dict[str, str]  # words read otherwise than their characters (金剛 금강)
    max_word: int


def _rows(name: str) -> list[list[str]]:
    text = resources.files("sanctionscope.matching").joinpath("resources", name).read_text("utf-8")
    rows = [line.split("\t") for line in text.splitlines() if line and not line.startswith("#")]
    return rows[1:]  # header


@cache
def org_vocabulary() -> OrgVocabulary:
    words: dict[str, OrgTerm] = {}
    stems: dict[str, OrgTerm] = {}
    folded: dict[str, OrgTerm] = {}
    for concept, weight, variants in _rows("org_terms.tsv"):
        term = OrgTerm(concept, float(weight))
        for variant in variants.split("|"):
            if variant.endswith("*"):
                stem = variant[:-1]
                stems.setdefault(stem, term)
                folded.setdefault(fold_key(romanize_word(stem)), term)
            else:
                words.setdefault(variant, term)
    lengths = [len(s) for s in folded] + [len(s) for s in stems]
    return OrgVocabulary(words, stems, folded, min(lengths), max(lengths))


def lookup_org_term(word: str, romanised: str, folded: str) -> OrgTerm | None:
    """The concept of one word of an organisation name, if it is a known business word."""
    vocab = org_vocabulary()
    term = vocab.words.get(word) or vocab.words.get(romanised)
    if term is not None:
        return term
    for table, key in ((vocab.stems, word), (vocab.folded_stems, folded)):
        shortest = max(vocab.min_stem, len(key) - MAX_INFLECTION)
        for end in range(min(len(key), vocab.max_stem), shortest - 1, -1):
            term = table.get(key[:end])
            if term is not None:
                return term
    return None


@cache
def korean_surnames() -> dict[str, tuple[str, ...]]:
    """Hangul surname → its romanisations."""
    return {
        hangul: tuple(spellings.split("|")) for hangul, spellings in _rows("korean_surnames.tsv")
    }


@cache
def korean_surname_groups() -> dict[str, str]:
    """Romanised surname → a group id shared by every spelling of the same Hangul surname."""
    groups: dict[str, str] = {}
    for spellings in korean_surnames().values():
        for spelling in spellings:
            groups.setdefault(spelling, "ks:" + spellings[0])
    return groups


@cache
def korean_org_words() -> dict[str, OrgTerm]:
    """Hangul business words, for splitting names written without spaces."""
    return {w: t for w, t in org_vocabulary().words.items() if any("가" <= c <= "힣" for c in w)}


KOREAN_LEGAL_FORMS = {"주식회사": "jsc", "유한회사": "llc", "합자회사": "lp", "합명회사": "gp"}


@cache
def given_name_groups() -> dict[str, str]:
    """Fold key of a given name in a Russian, Ukrainian or Belarusian form → the group of
    its forms (Mikalai, Mykola, Nikolai)."""
    groups: dict[str, str] = {}
    for name, forms in _rows("given_names.tsv"):
        for form in (name, *forms.split("|")):
            groups.setdefault(fold_key(form), "given:" + name)
    return groups


@cache
def nickname_groups() -> dict[str, str]:
    """Given name or nickname → the formal name it belongs to."""
    groups: dict[str, str] = {}
    for formal, nicknames in _rows("nicknames.tsv"):
        for name in (formal, *nicknames.split("|")):
            groups.setdefault(name, "nick:" + formal)
    return groups


@cache
def hanja_readings() -> HanjaReadings:
    """Sino-Korean readings of Chinese characters, without the South Korean initial-sound law
    (李 리, 龍 룡: the DPRK's spelling; Korean keys make Ri and Yi alike)."""
    first: dict[str, str] = {}
    after_first: dict[str, str] = {}
    for char, reading, *other in _rows("hanja_readings.tsv"):
        first[char] = reading
        after_first[char] = other[0] if other and other[0] else reading
    words = {word: reading for word, reading in _rows("hanja_words.tsv")}
    return HanjaReadings(first, after_first, words, max(len(word) for word in words))
