"""OFAC-compatible scoring: what OFAC's Sanctions List Search would show for a name pair.

OFAC FAQ 249 says the tool first keeps candidates whose name parts share the first letter of an
input name part and are at least 50 % similar by edit distance, then scores with Jaro-Winkler
and Soundex in two ways (the whole name string, and name part by name part) and shows the
higher of the two. The details below were fitted on 170 observed (query, result, score) triples
(../shared/data/external_cases/ofac_sls_observed_scores.tsv); see docs/benchmarks.md:

* Names are compared upper-cased and accent-folded.
* Whole string: the two names as written, punctuation included ("PUTIN, Vladimir" keeps its
  comma, "AL-QAEDA" its hyphen) and surname first as listed, so "VLADIMIR PUTIN" against
  "PUTIN, Vladimir" reaches 100 only through the part-by-part technique. Jaro-Winkler whose
  prefix bonus is applied whatever the Jaro value (no 0.7 boost threshold), counted over at
  most 5 leading characters.
* Name parts: apostrophes are deleted (O'BRIEN = OBRIEN) and every other punctuation mark
  separates parts (BASHIR-UD-DIN = BASHIR UD DIN).
* Part by part: input parts of one or two letters are ignored (KIM JONG UN = KIM JONG) unless
  nothing else is left; each remaining input part takes its best Jaro-Winkler (prefix up to 6
  characters) over the listed name's parts, a best below 0.5 counts as 0, and the parts are
  averaged, so input order and extra listed parts do not matter.
* Soundex only widens the first-letter candidate filter (a part that sounds the same passes
  even when its spelling is less than 50 % similar); no way of adding it to the score itself
  improved agreement with the observed scores.
* The displayed score is truncated to whole points.
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass

from rapidfuzz.distance import Jaro, Levenshtein

WHOLE_STRING_PREFIX = 5
NAME_PART_PREFIX = 6
WINKLER_SCALE = 0.1
NAME_PART_FLOOR = 0.5
SHORT_PART_MAX_LEN = 2
CANDIDATE_MIN_EDIT_SIMILARITY = 0.5

_SOUNDEX_CODES = {
    **dict.fromkeys("BFPV", "1"),
    **dict.fromkeys("CGJKQSXZ", "2"),
    **dict.fromkeys("DT", "3"),
    "L": "4",
    **dict.fromkeys("MN", "5"),
    "R": "6",
}


@dataclass(frozen=True)
class OfacExplanation:
    """The two technique scores behind an OFAC-compatible score, each in 0..1."""

    retrieved: bool
    whole_string: float
    name_parts: float
    score: float


def _fold_accents(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def as_written(name: str) -> str:
    """Upper-case and fold accents, keeping punctuation; collapse runs of spaces."""
    return " ".join(_fold_accents(name).upper().split())


def normalize_name(name: str) -> str:
    """Upper-case, fold accents, delete apostrophes, turn other punctuation into spaces."""
    chars = [
        char.upper() if char.isalnum() else " "
        for char in _fold_accents(name)
        if char not in "'’`ʼ"
    ]
    return " ".join("".join(chars).split())


def name_parts(name: str) -> list[str]:
    """The name parts (tokens) of a name, after `normalize_name`."""
    return normalize_name(name).split()


def soundex(word: str) -> str:
    """American Soundex of a Latin-letter word (e.g. ROBERT -> R163); "" when it has none."""
    letters = [char for char in word.upper() if "A" <= char <= "Z"]
    if not letters:
        return ""
    code = letters[0]
    previous = _SOUNDEX_CODES.get(letters[0], "")
    for char in letters[1:]:
        digit = _SOUNDEX_CODES.get(char, "")
        if digit and digit != previous:
            code += digit
            if len(code) == 4:
                break
        # H and W do not separate two letters of the same code; vowels do.
        if char not in "HW":
            previous = digit
    return code.ljust(4, "0")


def winkler_unconditional(left: str, right: str, max_prefix: int) -> float:
    """Jaro-Winkler with the common-prefix bonus applied even when Jaro is below 0.7."""
    if not left or not right:
        return 0.0
    jaro = Jaro.similarity(left, right)
    prefix = 0
    for left_char, right_char in zip(left[:max_prefix], right[:max_prefix], strict=False):
        if left_char != right_char:
            break
        prefix += 1
    return jaro + prefix * WINKLER_SCALE * (1.0 - jaro)


def _query_parts_to_score(parts: list[str]) -> list[str]:
    kept = [part for part in parts if len(part) > SHORT_PART_MAX_LEN]
    return kept or parts


def _parts_may_match(query_part: str, candidate_part: str) -> bool:
    if query_part[0] != candidate_part[0]:
        return False
    similarity = Levenshtein.normalized_similarity(query_part, candidate_part)
    if similarity >= CANDIDATE_MIN_EDIT_SIMILARITY:
        return True
    query_code = soundex(query_part)
    return query_code != "" and query_code == soundex(candidate_part)


def is_retrieved(query_parts: list[str], candidate_parts: list[str]) -> bool:
    """FAQ 249's candidate filter: some input part resembles some listed part."""
    return any(
        _parts_may_match(query_part, candidate_part)
        for query_part in _query_parts_to_score(query_parts)
        for candidate_part in candidate_parts
    )


def whole_string_score(query: str, candidate: str) -> float:
    """Jaro-Winkler of the two whole names as written (punctuation kept)."""
    return winkler_unconditional(as_written(query), as_written(candidate), WHOLE_STRING_PREFIX)


def name_part_score(query_parts: list[str], candidate_parts: list[str]) -> float:
    """Mean over input parts of the best Jaro-Winkler against any listed part (0 below 0.5)."""
    scored = _query_parts_to_score(query_parts)
    if not scored or not candidate_parts:
        return 0.0
    total = 0.0
    for query_part in scored:
        best = max(
            winkler_unconditional(query_part, candidate_part, NAME_PART_PREFIX)
            for candidate_part in candidate_parts
        )
        total += best if best >= NAME_PART_FLOOR else 0.0
    return total / len(scored)


def _truncate_to_points(score: float) -> float:
    # The small epsilon keeps 0.94999999 (float noise for 95) from dropping a point.
    return math.floor(score * 100 + 1e-9) / 100


def explain_ofac_score(query: str, candidate: str) -> OfacExplanation:
    """Both technique scores and the resulting OFAC-compatible score of a name pair."""
    query_parts, candidate_parts = name_parts(query), name_parts(candidate)
    if not query_parts or not candidate_parts:
        return OfacExplanation(False, 0.0, 0.0, 0.0)
    if not is_retrieved(query_parts, candidate_parts):
        return OfacExplanation(False, 0.0, 0.0, 0.0)
    whole = whole_string_score(query, candidate)
    parts = name_part_score(query_parts, candidate_parts)
    return OfacExplanation(True, whole, parts, _truncate_to_points(max(whole, parts)))


def ofac_score(query: str, candidate: str) -> float:
    """The score OFAC Sanctions List Search would show for `candidate`, as a fraction (0..1).

    Multiply by 100 for OFAC's points. 0.0 means OFAC would not return the name at all.
    """
    return explain_ofac_score(query, candidate).score
