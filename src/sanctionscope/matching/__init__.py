"""Name analysis, candidate index, scoring and explanations: screening against the active lists.

Public surface:

- :func:`compare`: two written names → :class:`Comparison` (score 0..1, match, explanation).
- :class:`Query`, :func:`screen`, :func:`open_index`, :class:`Hit`: screening against the
  active list versions through the in-process :class:`ScreeningIndex`.
- :func:`screen_file`: a CSV of customers, streamed.
- :func:`algorithms`: the published features and weights.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sanctionscope.matching.compare import compare_names
from sanctionscope.matching.index import ScreeningIndex
from sanctionscope.matching.names import Kind
from sanctionscope.matching.scoring import (
    ALGORITHM,
    ALGORITHM_VERSION,
    DEFAULT_THRESHOLD,
    FEATURES,
    Query,
    schema_kind,
)
from sanctionscope.matching.screen import (
    ALGORITHMS,
    KIND_SCHEMAS,
    MATCH_THRESHOLDS,
    FileSummary,
    Hit,
    ScreeningError,
    open_index,
    query_from_entity,
    screen,
    screen_file,
)

__all__ = [
    "ALGORITHM",
    "ALGORITHMS",
    "ALGORITHM_VERSION",
    "DEFAULT_THRESHOLD",
    "Comparison",
    "FileSummary",
    "Hit",
    "Query",
    "ScreeningError",
    "ScreeningIndex",
    "algorithms",
    "compare",
    "open_index",
    "query_from_entity",
    "screen",
    "screen_file",
]


@dataclass(frozen=True)
class Comparison:
    score: float
    match: bool
    explanation: dict[str, Any]


def _kinds_for(schema: str) -> list[Kind]:
    if schema in ("LegalEntity", "Thing", ""):
        return ["person", "org"]
    return [schema_kind(KIND_SCHEMAS.get(schema.lower(), schema))]


def compare(
    left: str, right: str, schema: str = "LegalEntity", algorithm: str = ALGORITHM
) -> Comparison:
    """How likely two written names denote the same party (names only), 0 to 1."""
    if algorithm == "ofac":
        from sanctionscope.matching.ofac import ofac_score

        score = ofac_score(left, right)
        return Comparison(
            score,
            score >= MATCH_THRESHOLDS["ofac"],
            {"algorithm": "ofac", "score": round(score, 4)},
        )
    if algorithm != ALGORITHM:
        raise ScreeningError(
            f"unknown algorithm {algorithm!r} (use one of {', '.join(ALGORITHMS)})"
        )
    best = max(
        (compare_names(left, right, kind) for kind in _kinds_for(schema)), key=lambda c: c.score
    )
    return Comparison(best.score, best.score >= DEFAULT_THRESHOLD, best.explain())


def algorithms() -> list[dict[str, Any]]:
    """The scoring algorithms with their features and weights (the API's ``/algorithms``)."""
    return [
        {
            "name": ALGORITHM,
            "version": ALGORITHM_VERSION,
            "default": True,
            "default_threshold": DEFAULT_THRESHOLD,
            "features": [
                {"name": f.name, "weight": f.weight, "description": f.description}
                for f in FEATURES.values()
            ],
        },
        {
            "name": "ofac",
            "version": "1",
            "default": False,
            "default_threshold": MATCH_THRESHOLDS["ofac"],
            "description": "Reproduces OFAC Sanctions List Search name scoring (Jaro-Winkler and Soundex); names only.",
        },
    ]
