"""The keys a name is posted under in the screening index, and how tokens are stored.

Shared by the index build (:mod:`.build`) and the queries (:mod:`.index`): a word is found by
its romanisation fold (``f:``), Korean key (``k:``), East Slavic key (``e:``), consonant
skeleton (``s:``), business or given-name concept (``c:``); a whole name also by neighbouring words written as one and by the initials
of runs of words (``a:``). Near spellings go through one-letter deletions of the fold keys.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from itertools import pairwise

import numpy as np
from numpy.typing import NDArray

from sanctionscope.matching.fold import EAST_SLAVIC_MIN, east_slavic_key
from sanctionscope.matching.names import (
    ACRONYM_MAX,
    ACRONYM_MIN,
    Kind,
    NameForm,
    Token,
    may_be_acronym,
)

MIN_FUZZY_KEY = 4  # fold keys shorter than this are only found exactly

# A token as the index stores it: text, fold, korean, skeleton, concepts joined by "|",
# weight, script, role.
TokenRow = tuple[str, str, str, str, str, float, str, str]


def token_row(token: Token) -> TokenRow:
    return (
        token.text,
        token.fold,
        token.korean,
        token.skeleton,
        "|".join(sorted(token.concepts)),
        token.weight,
        token.script,
        token.role,
    )


def token_from_row(row: TokenRow) -> Token:
    text, fold, korean, skeleton, concepts, weight, script, role = row
    concept_set = frozenset(concepts.split("|")) if concepts else frozenset()
    return Token(text, fold, korean, skeleton, concept_set, weight, script, role)


def token_keys(token: Token) -> list[str]:
    keys = ["f:" + token.fold]
    if len(token.korean) >= 3 and token.korean != token.fold:
        keys.append("k:" + token.korean)
    if len(token.fold) >= EAST_SLAVIC_MIN and token.role != "number":
        keys.append("e:" + east_slavic_key(token.fold))
    if len(token.skeleton) >= 2:
        keys.append("s:" + token.skeleton)
    keys.extend("c:" + c for c in token.concepts)
    return keys


def lookup_keys(token: Token, kind: Kind) -> list[str]:
    """The keys a query word is looked up by besides its fold key (whose near spellings are
    found through the deletion table): a word of an organisation's name may also be the
    initials of a listed name."""
    keys = token_keys(token)[1:]
    if kind == "org" and may_be_acronym(token.text):
        keys.append("a:" + token.text)
    return keys


def joined_tokens(form: NameForm) -> list[Token]:
    """The query's neighbouring words joined, looked up like words of their own."""
    return [
        Token(
            a.text + b.text,
            a.fold + b.fold,
            a.korean + b.korean,
            a.skeleton + b.skeleton,
            frozenset(),
            min(a.weight, b.weight),
            a.script,
            "joined",
        )
        for a, b in pairwise(form.tokens)
        if a.role != "particle" and b.role != "particle"
    ]


def name_keys(form: NameForm) -> set[str]:
    """Keys of the whole name: neighbouring words written as one (Jang Su / Jangsu,
    Kwang-ho / Kwangho), and the initials of every run of 3 to 6 words, so that "DPRK" finds
    "Democratic People's Republic of Korea" (joining words such as "of" are skipped, as
    people do)."""
    keys: set[str] = set()
    for a, b in pairwise(form.tokens):
        keys.add("f:" + a.fold + b.fold)
        keys.add("k:" + a.korean + b.korean)
    if form.kind == "person":  # people are not searched by their initials
        return keys
    initials = form.initials
    count = len(initials)
    for length in range(ACRONYM_MIN, min(ACRONYM_MAX, count) + 1):
        for start in range(count - length + 1):
            keys.add("a:" + initials[start : start + length])
    return keys


def idf(document_frequency: int, total: int) -> float:
    return math.log((total + 1) / (document_frequency + 1)) + 0.1


def deletions(key: str) -> list[str]:
    return [key[:i] + key[i + 1 :] for i in range(len(key))]


def fuzzy_fold_keys(posting_keys: Iterable[str]) -> list[str]:
    """The fold keys whose words are long enough to be found by near spellings."""
    return [k for k in posting_keys if k.startswith("f:") and len(k) - 2 >= MIN_FUZZY_KEY]


def deletion_variants(fold_keys: list[str]) -> tuple[NDArray[np.bytes_], NDArray[np.int32]]:
    """Every one-letter deletion of each key's word, sorted, each with the number of the key
    it came from (its place in ``fold_keys``); equal variants keep the keys' order."""
    variants = [variant for key in fold_keys for variant in deletions(key[2:])]
    if not variants:
        return np.asarray([], dtype=bytes), np.asarray([], dtype=np.int32)
    # One encode of the joined text instead of one per variant (fold keys hold no newline).
    encoded = np.asarray("\n".join(variants).encode().split(b"\n"), dtype=bytes)
    sources = np.repeat(
        np.arange(len(fold_keys), dtype=np.int32), [len(key) - 2 for key in fold_keys]
    )
    order = np.argsort(encoded, kind="stable")
    return encoded[order], sources[order]


def deletion_table(
    fold_keys: list[str],
    runs: list[tuple[NDArray[np.bytes_], NDArray[np.int32]]],
    key_index: Mapping[str, int],
) -> tuple[NDArray[np.bytes_], NDArray[np.int32]]:
    """The deletion variants of the fold keys, sorted, each with the posting position of
    the key it came from. ``runs``: sorted variants with their fold key numbers (from
    :func:`deletion_variants`, renumbered to ``fold_keys``); a stable sort of sorted runs
    is a merge."""
    positions = np.asarray([key_index[key] for key in fold_keys], dtype=np.int32)
    encoded = np.concatenate([variants for variants, _ in runs])
    sources = np.concatenate([numbers for _, numbers in runs])
    order = np.argsort(encoded, kind="stable")
    return encoded[order], positions[sources[order]]
