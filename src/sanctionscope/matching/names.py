"""Name analysis: one written name → comparable tokens.

A name becomes a :class:`NameForm`: its legal forms (canonical, language-neutral: ООО, OOO,
LLC and "Obshchestvo s ogranichennoy otvetstvennostyu" are all ``llc``) and a tuple of
:class:`Token`. Each token keeps its romanised spelling plus the keys that make spelling
variants equal (:mod:`.fold`), the concepts it stands for (a business word in any language:
"банк", "은행", "banking" → bank; a Korean surname group: Ri, Lee, Yi; a nickname group) and
the weight it carries: generic words weigh less than distinctive ones.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import pairwise
from typing import Literal, TypeVar

from icu import Transliterator  # PyICU, installed with normality (a rigour dependency)
from rigour.names.org_types import extract_org_types

from sanctionscope.matching.fold import fold_key, korean_key, skeleton_key
from sanctionscope.matching.resources import (
    KOREAN_LEGAL_FORMS,
    given_name_groups,
    hanja_readings,
    korean_org_words,
    korean_surname_groups,
    korean_surnames,
    lookup_org_term,
    nickname_groups,
)
from sanctionscope.matching.script import is_hangul, romanize_hangul, romanize_word, word_script

Kind = Literal["person", "org"]

MAX_NAME_CHARS = 500  # longer input is cut: no real name is longer, and cost stays bounded
MAX_TOKENS = 24
_APOSTROPHES = re.compile(r"[''`ʼʻ’‘´]")
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_BRACKETS = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_HANGUL_RUN = re.compile(r"([\uac00-\ud7a3]+)")  # captured: split keeps the Korean runs
_HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
PATRONYMIC_ENDINGS = ("vic", "vna", "icna", "ogli", "oglu", "kizi")
PERSON_PARTICLES = {
    "bin", "ibn", "bint", "ben", "al", "el", "abu", "abd", "ould", "de", "da", "del", "der",
    "di", "du", "la", "le", "van", "von", "y", "mr", "mrs", "ms", "dr", "haji", "hajji",
    "sheikh", "shaykh", "bn", "abn",
}  # fmt: skip
PARTICLE_WEIGHT = 0.2
PATRONYMIC_WEIGHT = 0.6
INITIAL_WEIGHT = 0.4
ACRONYM_SKIP = frozenset({"of", "the", "and", "for", "de", "i", "и"})  # not part of an acronym
# Acronyms are 3 to 6 letters: two letters are too ambiguous, longer ones are words.
ACRONYM_MIN, ACRONYM_MAX = 3, 6
_T = TypeVar("_T")


def may_be_acronym(word: str) -> bool:
    return ACRONYM_MIN <= len(word) <= ACRONYM_MAX


@dataclass(frozen=True, slots=True)
class Token:
    text: str  # romanised, lower case: what explanations show
    fold: str
    korean: str
    skeleton: str
    concepts: frozenset[str]
    weight: float
    script: str  # the script the word was written in
    role: str = "name"  # name, particle, patronymic, initial, surname, number


@dataclass(frozen=True, slots=True)
class NameForm:
    original: str
    kind: Kind
    tokens: tuple[Token, ...]
    legal_forms: frozenset[str]
    key: str = ""  # the folded tokens, for a quick equality test
    # Derived from the tokens when first asked for (most forms are never compared in detail).
    _initials: str | None = field(default=None, compare=False, repr=False)
    _spellings: frozenset[str] | None = field(default=None, compare=False, repr=False)
    _joined: frozenset[str] | None = field(default=None, compare=False, repr=False)

    @classmethod
    def build(
        cls, original: str, kind: Kind, tokens: tuple[Token, ...], legal_forms: frozenset[str]
    ) -> NameForm:
        return cls(original, kind, tokens, legal_forms, " ".join(t.fold for t in tokens))

    def _derived(self, slot: str, derive: Callable[[tuple[Token, ...]], _T]) -> _T:
        """A value derived from the tokens, worked out when first asked for."""
        value: _T | None = getattr(self, slot)
        if value is None:
            value = derive(self.tokens)
            object.__setattr__(self, slot, value)
        return value

    @property
    def initials(self) -> str:
        """First letters of the words an acronym may stand for."""
        return self._derived("_initials", acronym_initials)

    @property
    def spellings(self) -> frozenset[str]:
        """Fold and Korean keys of the tokens."""
        return self._derived("_spellings", token_spellings)

    @property
    def joined(self) -> frozenset[str]:
        """The same keys of neighbouring tokens written as one word."""
        return self._derived("_joined", joined_spellings)


def acronym_initials(tokens: tuple[Token, ...]) -> str:
    return "".join(t.text[0] for t in tokens if t.text and t.text not in ACRONYM_SKIP)


def token_spellings(tokens: tuple[Token, ...]) -> frozenset[str]:
    return frozenset(t.fold for t in tokens) | frozenset(t.korean for t in tokens)


def joined_spellings(tokens: tuple[Token, ...]) -> frozenset[str]:
    pairs = list(pairwise(tokens))
    return frozenset(a.fold + b.fold for a, b in pairs) | frozenset(
        a.korean + b.korean for a, b in pairs
    )


def clean_text(text: str) -> str:
    """Unicode-normalised text without control characters, cut to a sane length."""
    text = unicodedata.normalize("NFC", text[: MAX_NAME_CHARS * 2])
    if not text.isprintable():
        text = "".join(c if c.isprintable() else " " for c in text)
    return " ".join(text.split())[:MAX_NAME_CHARS]


def _person_role(folded: str) -> tuple[str, float]:
    if folded in PERSON_PARTICLES:
        return "particle", PARTICLE_WEIGHT
    if len(folded) == 1:
        return "initial", INITIAL_WEIGHT
    if len(folded) >= 7 and folded.endswith(PATRONYMIC_ENDINGS):
        return "patronymic", PATRONYMIC_WEIGHT
    return "name", 1.0


@lru_cache(maxsize=262144)
def make_token(romanised: str, original: str, kind: Kind, script: str) -> Token:
    folded = fold_key(romanised)
    concepts: set[str] = set()
    if romanised.isdigit():
        role, weight = "number", 0.6
    elif kind == "org":
        term = lookup_org_term(original, romanised, folded)
        role, weight = "name", 1.0
        if term is not None:
            concepts.add(term.concept)
            weight = term.weight
        if len(romanised) == 1:
            weight = min(weight, 0.3)
    else:
        role, weight = _person_role(folded)
        for group in (
            korean_surname_groups().get(romanised),
            nickname_groups().get(romanised),
            given_name_groups().get(folded),
        ):
            if group:
                concepts.add(group)
    return Token(
        text=romanised,
        fold=folded,
        korean=korean_key(romanised),
        skeleton=skeleton_key(romanised),
        concepts=frozenset(concepts),
        weight=weight,
        script=script,
        role=role,
    )


def _concept_tokens(concept: str, weight: float, script: str) -> list[Token]:
    """A business word translated: one token per English word of its concept."""
    return [
        Token(w, fold_key(w), korean_key(w), skeleton_key(w), frozenset({w}), weight, script)
        for w in concept.split()
    ]


def _split_korean_org(word: str) -> list[tuple[str, str | None]]:
    """Korean organisation names are written without spaces (조선무역은행): split them at
    known business words, longest first. Returns (piece, legal form or None)."""
    words = korean_org_words()
    pieces: list[tuple[str, str | None]] = []
    rest = ""
    i = 0
    while i < len(word):
        for end in range(len(word), i, -1):
            piece = word[i:end]
            if piece in KOREAN_LEGAL_FORMS or (end - i >= 1 and piece in words):
                if rest:
                    pieces.append((rest, None))
                    rest = ""
                pieces.append((piece, KOREAN_LEGAL_FORMS.get(piece)))
                i = end
                break
        else:
            rest += word[i]
            i += 1
    if rest:
        pieces.append((rest, None))
    return pieces


def _split_korean_person(word: str) -> list[str]:
    """김정은 → 김 + 정은: the surname (one syllable, or one of the few two-syllable ones)."""
    if len(word) >= 3 and word[:2] in korean_surnames():
        return [word[:2], word[2:]]
    if len(word) >= 2 and word[0] in korean_surnames():
        return [word[0], word[1:]]
    return [word]


def _hangul_tokens(word: str, kind: Kind, legal: set[str]) -> list[Token]:
    tokens: list[Token] = []
    if kind == "person":
        parts = _split_korean_person(word)
        for index, part in enumerate(parts):
            if index == 0 and len(parts) > 1:
                spellings = korean_surnames()[part]
                token = make_token(spellings[0], part, kind, "Hang")
                group = korean_surname_groups()[spellings[0]]
                tokens.append(
                    Token(
                        token.text,
                        token.fold,
                        token.korean,
                        token.skeleton,
                        frozenset({group}),
                        1.0,
                        "Hang",
                        "surname",
                    )
                )
            else:
                tokens.append(make_token(romanize_hangul(part), part, kind, "Hang"))
        return tokens
    org_words = korean_org_words()
    for piece, legal_form in _split_korean_org(word):
        if legal_form:
            legal.add(legal_form)
        elif piece in org_words:
            term = org_words[piece]
            tokens.extend(_concept_tokens(term.concept, term.weight, "Hang"))
        elif all(is_hangul(c) for c in piece):
            tokens.append(make_token(romanize_hangul(piece), piece, kind, "Hang"))
    return tokens


def _strip_legal_forms(latin: str, legal: set[str]) -> str:
    found = extract_org_types(latin, generic=True)
    for text, generic in found:
        legal.add(generic)
        latin = latin.replace(text, " ")
    return latin


def _romanised_words(text: str) -> list[tuple[str, str, str]]:
    """(original word, romanised word, script) for each word of a non-Hangul text."""
    if text.isascii():  # most listed names: each word is its own romanisation
        return [(word, word, "Latn") for word in _WORD.findall(text.lower())]
    words: list[tuple[str, str, str]] = []
    for match in _WORD.finditer(text):
        original = match.group(0)
        script = word_script(original)
        romanised = romanize_word(original)
        if romanised.isalnum():
            words.append((original.lower(), romanised, script))
            continue
        for part in _WORD.findall(romanised):
            words.append((original.lower(), part.lower(), script))
    return words


@lru_cache(maxsize=65536)
def analyze_name(text: str, kind: Kind) -> NameForm:
    """Analyse one name as a person's or an organisation's name."""
    cleaned = clean_text(text)
    body = _APOSTROPHES.sub("", cleaned)
    legal: set[str] = set()
    tokens: list[Token] = []
    chunks = [body] if body.isascii() else _HANGUL_RUN.split(body)
    for chunk in chunks:
        if not chunk:
            continue
        if is_hangul(chunk[0]):
            tokens.extend(_hangul_tokens(chunk, kind, legal))
            continue
        words = _romanised_words(chunk)
        if kind == "org" and words:
            latin = " ".join(w[1] for w in words)
            stripped = _strip_legal_forms(latin, legal)
            if stripped != latin:
                kept = stripped.split()
                words = _align_kept(words, kept)
        tokens.extend(make_token(rom, orig, kind, script) for orig, rom, script in words)
    return NameForm.build(cleaned, kind, tuple(tokens[:MAX_TOKENS]), frozenset(legal))


def _align_kept(words: list[tuple[str, str, str]], kept: list[str]) -> list[tuple[str, str, str]]:
    """The words that survive legal-form removal, keeping their original spelling."""
    result: list[tuple[str, str, str]] = []
    position = 0
    for word in kept:
        while position < len(words) and words[position][1] != word:
            position += 1
        if position < len(words):
            result.append(words[position])
            position += 1
        else:
            result.append((word, word, "Latn"))
    return result


def _script_parts(text: str) -> list[str]:
    """A name written twice, in Latin and another script ("KIM Ho Kyu 김호규"), split by script."""
    if text.isascii():
        return []
    parts: dict[str, list[str]] = {}
    for word in text.split():
        parts.setdefault(word_script(word) if any(c.isalpha() for c in word) else "", []).append(
            word
        )
    scripts = [s for s in parts if s]
    if len(scripts) < 2:
        return []
    return [" ".join(parts[s] + parts.get("", [])) for s in scripts]


@lru_cache(maxsize=1)
def _hans_to_hant() -> Transliterator:
    return Transliterator.createInstance("Hans-Hant")


@lru_cache(maxsize=65536)
def hangul_reading(run: str) -> str | None:
    """A run of Chinese characters read in Korean (金正恩 → 김정은, 金铁三 → 김철삼), or None
    when a character has no reading. Simplified characters are read as their Traditional
    forms; words read otherwise than their characters (金剛 금강) are read whole first."""
    readings = hanja_readings()
    traditional = str(_hans_to_hant().transliterate(run))
    if len(traditional) != len(run):
        traditional = run
    hangul: list[str] = []
    i = 0
    while i < len(run):
        for end in range(min(len(run), i + readings.max_word), i + 1, -1):
            word = readings.words.get(traditional[i:end])
            if word is not None:
                hangul.append(word)
                i = end
                break
        else:
            # The character as written first: simplified text keeps some characters that
            # Hans-Hant would change (于 is the surname 우, not 於 어).
            table = readings.first if i == 0 else readings.after_first
            reading = table.get(run[i]) or table.get(traditional[i])
            if reading is None:
                return None
            hangul.append(reading)
            i += 1
    return "".join(hangul)


def korean_reading(text: str) -> str | None:
    """The text with each run of Chinese characters replaced by its Korean reading, or None
    when it has no Chinese characters or one of them has no reading."""
    runs = _HAN_RUN.findall(text)
    if not runs:
        return None
    read = [hangul_reading(run) for run in runs]
    if any(r is None for r in read):
        return None
    readings = iter(read)
    return _HAN_RUN.sub(lambda _: next(readings) or "", text)


def name_variants(text: str) -> list[str]:
    """The name as written and, when it has bracketed parts or mixes scripts, its parts; a
    name in Chinese characters also as read in Korean (its Mandarin reading stays)."""
    variants = [text]
    bracketed = "(" in text or "[" in text
    without = " ".join((_BRACKETS.sub(" ", text) if bracketed else text).split())
    if without and without != text.strip():
        variants.append(without)
    if text.isascii():  # most listed names: one script, no Chinese characters
        return variants
    variants.extend(_script_parts(without or text))
    if _HAN_RUN.search(text):
        for variant in list(variants):
            read = korean_reading(variant)
            if read is not None and read not in variants:
                variants.append(read)
    return variants
