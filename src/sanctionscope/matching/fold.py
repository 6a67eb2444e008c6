"""Keys that make spelling variants of one romanised word equal.

Transliteration is not one-to-one: one Russian name is written Yuryevich, Yurievich,
Iourievitch; Mezhdunarodnyi, Mezhdunarodnyy, Mejdunarodny. One Korean word is Kwangson in
McCune-Reischauer and Gwangseon in Revised Romanisation. Arabic names carry no short vowels
(محمد is "mhmd"). Each key below collapses one family of such variants; the comparison says
which key made two words equal.
"""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import groupby

# Order matters: longer spellings first ("tch" before "ch", "shch" before "sh").
_FOLD_RULES = [
    ("shch", "sc"), ("sch", "s"), ("dzh", "j"), ("zh", "j"), ("kh", "h"), ("tch", "c"),
    ("ch", "c"), ("sh", "s"), ("ts", "c"), ("tz", "c"), ("ph", "f"), ("ck", "k"),
    ("gh", "g"), ("x", "ks"), ("q", "k"), ("w", "v"), ("ou", "u"), ("y", "i"), ("ie", "e"),
]  # fmt: skip

_KOREAN_RULES = [
    ("tch", "c"), ("ch", "c"), ("j", "c"), ("sh", "s"), ("gh", "k"), ("g", "k"), ("q", "k"), ("d", "t"), ("b", "p"),
    ("r", "l"), ("yeo", "yo"), ("eo", "o"), ("eu", "u"), ("oo", "u"), ("ee", "i"), ("ae", "e"),
    ("oe", "e"), ("wo", "o"),
]  # fmt: skip

_VOWELS = re.compile(r"[aeiouyw]")


def _single(word: str) -> str:
    """Each run of one letter written once: mezhdunarodnyy → mezhdunarodny."""
    return "".join(letter for letter, _ in groupby(word))


def _apply(word: str, rules: list[tuple[str, str]]) -> str:
    for old, new in rules:
        if old in word:
            word = word.replace(old, new)
    return _single(word)


@lru_cache(maxsize=262144)
def fold_key(word: str) -> str:
    """Russian/European romanisation variants: yuryevich, yurievich, iourievitch → iurevic."""
    return _apply(word, _FOLD_RULES)


@lru_cache(maxsize=262144)
def korean_key(word: str) -> str:
    """McCune-Reischauer and Revised Romanisation variants: kwangson, gwangseon → kwanson."""
    return _apply(word, _KOREAN_RULES)


_VOWEL_RUNS = re.compile(r"[aeiou]+")
EAST_SLAVIC_MIN = 5  # shorter words have too many neighbours under the East Slavic key


@lru_cache(maxsize=262144)
def east_slavic_key(folded: str) -> str:
    """Russian, Ukrainian and Belarusian spellings of one name, from its fold key: unstressed
    o written a (Rogashchuk, Ragashchuk), дз for д (Rudenko, Rudzenka), -ov written -ou/-aw
    (Beliakov, Beliakou), ia/e (Aleksandr, Aliaksandr): sviridov, svirydau → svarada."""
    word = folded.replace("dz", "d")
    if word.endswith(("ov", "ev")):
        word = word[:-2] + "u"
    return _single(_VOWEL_RUNS.sub("a", word))


@lru_cache(maxsize=262144)
def skeleton_key(word: str) -> str:
    """Consonants only, for names read from Arabic script: muhammad, mohammed, mhmd → mhmd."""
    word = word.replace("kh", "h").replace("sh", "s").replace("th", "t").replace("dh", "d")
    word = word.replace("gh", "g").replace("q", "k").replace("ou", "u")
    return _single(_VOWELS.sub("", word))
