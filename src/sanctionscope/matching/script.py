"""Writing systems → Latin letters, fast and predictable.

Screening compares names written in Cyrillic, Hangul, Arabic and Latin script. ICU (through
rigour) can romanise anything but costs about 0.5 ms a call, too slow for a query budget of
1 ms, and its Hangul output glues a whole name into one word. The scripts that matter most
here get our own tables: Russian/Ukrainian/Belarusian/Serbian Cyrillic (a BGN/PCGN-like
scheme), Hangul (Revised Romanisation, syllable by syllable, so that names and organisation
words can be segmented), Arabic and Persian (consonants and long vowels: Arabic writes no
short vowels, comparisons then use consonant skeletons). Everything else goes through ICU,
cached per word.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from rigour.text import ascii_text

CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh",
    "з": "z", "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts",
    "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu",
    "я": "ya", "і": "i", "ї": "yi", "є": "ye", "ґ": "g", "ў": "u", "ђ": "dj", "ј": "j",
    "љ": "lj", "њ": "nj", "ћ": "c", "џ": "dz", "ѓ": "g", "ќ": "k", "ѕ": "dz", "қ": "k",
    "ғ": "g", "ү": "u", "ұ": "u", "ң": "n", "һ": "h", "ө": "o", "ә": "a",
}  # fmt: skip

ARABIC = {
    "ا": "a", "أ": "a", "إ": "i", "آ": "a", "ٱ": "a", "ب": "b", "ت": "t", "ث": "th",
    "ج": "j", "ح": "h", "خ": "kh", "د": "d", "ذ": "dh", "ر": "r", "ز": "z", "س": "s",
    "ش": "sh", "ص": "s", "ض": "d", "ط": "t", "ظ": "z", "ع": "", "غ": "gh", "ف": "f",
    "ق": "q", "ك": "k", "ل": "l", "م": "m", "ن": "n", "ه": "h", "و": "w", "ي": "y",
    "ى": "a", "ة": "a", "ء": "", "ئ": "y", "ؤ": "w", "پ": "p", "چ": "ch", "ژ": "zh",
    "ک": "k", "گ": "g", "ی": "y", "ۀ": "h", "ـ": "",
}  # fmt: skip

# Revised Romanisation of Korean: initial consonants, vowels, final consonants.
HANGUL_INITIALS = ["g", "kk", "n", "d", "tt", "r", "m", "b", "pp", "s", "ss", "", "j", "jj", "ch", "k", "t", "p", "h"]  # fmt: skip
HANGUL_VOWELS = ["a", "ae", "ya", "yae", "eo", "e", "yeo", "ye", "o", "wa", "wae", "oe", "yo", "u", "wo", "we", "wi", "yu", "eu", "ui", "i"]  # fmt: skip
HANGUL_FINALS = ["", "k", "k", "k", "n", "n", "n", "t", "l", "k", "m", "l", "l", "l", "p", "l", "m", "p", "p", "t", "t", "ng", "t", "t", "k", "t", "p", "t"]  # fmt: skip
HANGUL_FIRST, HANGUL_LAST = 0xAC00, 0xD7A3


def is_hangul(char: str) -> bool:
    return HANGUL_FIRST <= ord(char) <= HANGUL_LAST


def romanize_hangul_syllable(char: str) -> str:
    index = ord(char) - HANGUL_FIRST
    initial, rest = divmod(index, 21 * 28)
    vowel, final = divmod(rest, 28)
    return HANGUL_INITIALS[initial] + HANGUL_VOWELS[vowel] + HANGUL_FINALS[final]


def romanize_hangul(word: str) -> str:
    return "".join(romanize_hangul_syllable(c) if is_hangul(c) else c for c in word)


def script_of(char: str) -> str:
    """A coarse script class of one letter: Latn, Cyrl, Hang, Arab, Hani or Other."""
    code = ord(char)
    if code < 0x250:
        return "Latn"
    if 0x400 <= code <= 0x52F:
        return "Cyrl"
    if HANGUL_FIRST <= code <= HANGUL_LAST or 0x1100 <= code <= 0x11FF or 0x3130 <= code <= 0x318F:
        return "Hang"
    if 0x600 <= code <= 0x6FF or 0x750 <= code <= 0x77F or 0xFB50 <= code <= 0xFEFF:
        return "Arab"
    if 0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF or 0xF900 <= code <= 0xFAFF:
        return "Hani"
    return "Other"


@lru_cache(maxsize=65536)
def word_script(word: str) -> str:
    """The script of a word: the script of its first non-Latin letter, else Latn."""
    if word.isascii():
        return "Latn"
    for char in word:
        if char.isalpha():
            script = script_of(char)
            if script != "Latn":
                return script
    return "Latn"


def strip_accents(text: str) -> str:
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _table_romanize(word: str, table: dict[str, str]) -> str:
    return "".join(table.get(c, c) for c in word)


@lru_cache(maxsize=65536)
def _icu_romanize(word: str) -> str:
    return ascii_text(word).lower()


@lru_cache(maxsize=262144)
def romanize_word(word: str) -> str:
    """A lower-case ASCII spelling of one word, whatever its script."""
    lowered = word.lower()
    if lowered.isascii():
        return lowered
    script = word_script(lowered)
    if script == "Cyrl":
        lowered = _table_romanize(lowered, CYRILLIC)
    elif script == "Arab":
        lowered = _table_romanize(lowered, ARABIC)
    elif script == "Hang":
        lowered = romanize_hangul(lowered)
    lowered = strip_accents(lowered)
    if lowered.isascii():
        return lowered
    return _icu_romanize(lowered)
