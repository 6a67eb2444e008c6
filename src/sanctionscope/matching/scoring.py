"""Scoring a query against one list record, feature by feature, with the reasons.

The score starts from the best name comparison (1.0 for the same name) and is then moved by
the other evidence the query carries. Every feature and weight is published in
:data:`FEATURES` (the API's ``/algorithms`` shows them) and every result says what each
feature found and how much it counted.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sanctionscope.matching.compare import ComparisonMemo, NameComparison, compare_forms
from sanctionscope.matching.names import Kind, NameForm
from sanctionscope.matching.records import Record, identifier_keys, normalize_identifier

ALGORITHM = "sanctionscope"
ALGORITHM_VERSION = "1.2"
DEFAULT_THRESHOLD = 0.7
WEAK_NAME_FACTOR = 0.9  # weak aliases and abbreviations prove less than full names


@dataclass(frozen=True)
class Feature:
    name: str
    weight: float
    description: str


FEATURES: dict[str, Feature] = {
    f.name: f
    for f in (
        Feature("name", 1.0, "Best name alignment between any query name and any record name (0..1); the base of the score."),
        Feature("identifier_match", 0.6, "A strong identifier (BIC by its first 8 characters, INN/tax id, OGRN/registration, BIK, LEI, IMO, MMSI, passport, national id) is equal: the score becomes at least this, plus the remaining share times the name score."),
        Feature("identifier_conflict", -0.15, "Both sides carry an identifier of the same kind and none agree."),
        Feature("date_match", 0.05, "A full birth/founding date agrees (a year alone adds half)."),
        Feature("date_conflict", -0.2, "Birth/founding dates disagree (different years, or same year and different days)."),
        Feature("country_match", 0.02, "A country (nationality, jurisdiction, address) agrees."),
        Feature("country_conflict", -0.05, "The query's country is not among the record's countries."),
        Feature("weak_alias", WEAK_NAME_FACTOR, "Multiplier on the name score when the best name is a weak alias or abbreviation."),
    )
}  # fmt: skip

COMPATIBLE_SCHEMAS = {
    "Person": {"Person", "LegalEntity"},
    "Organization": {"Organization", "Company", "LegalEntity", "PublicBody"},
    "Company": {"Organization", "Company", "LegalEntity", "PublicBody"},
    "PublicBody": {"Organization", "PublicBody", "LegalEntity"},
    "LegalEntity": {"Person", "Organization", "Company", "LegalEntity", "PublicBody"},
    "Vessel": {"Vessel"},
    "Airplane": {"Airplane"},
}


def schema_kind(schema: str) -> Kind:
    return "person" if schema == "Person" else "org"


def schemas_compatible(query_schema: str | None, record_schema: str) -> bool:
    if query_schema is None or query_schema == "Thing":
        return True
    return record_schema in COMPATIBLE_SCHEMAS.get(query_schema, {query_schema})


@dataclass(frozen=True)
class Query:
    names: tuple[str, ...] = ()
    schema: str | None = None
    countries: tuple[str, ...] = ()
    dates: tuple[str, ...] = ()
    identifiers: tuple[tuple[str, str], ...] = ()  # (kind or "any", value)

    def to_json(self) -> dict[str, Any]:
        return {
            "names": list(self.names),
            "schema": self.schema,
            "countries": list(self.countries),
            "dates": list(self.dates),
            "identifiers": [{"kind": k, "value": v} for k, v in self.identifiers],
        }


@dataclass
class Scored:
    record: Record
    score: float
    evidence: dict[str, Any]  # what each feature other than the name found
    record_index: int  # position in the index that found it
    name: NameComparison | None = None
    weak_alias: bool = False

    @property
    def explanation(self) -> dict[str, Any]:
        """Every feature's finding, the name first (written when asked for: most scored
        records are never shown)."""
        if self.name is None:
            return self.evidence
        name = {**self.name.explain(), **({"weak_alias": True} if self.weak_alias else {})}
        return {"name": name, **self.evidence}


def _identifier_evidence(query: Query, record: Record) -> tuple[list[str], list[str]]:
    matches: list[str] = []
    conflicts: list[str] = []
    for kind, value in query.identifiers:
        keys = set(identifier_keys(kind, value))
        kinds = record.identifiers if kind == "any" else {kind: record.identifiers.get(kind, set())}
        found = False
        for record_kind, values in kinds.items():
            record_keys = {k for v in values for k in identifier_keys(record_kind, v)}
            if keys & record_keys:
                matches.append(f"{record_kind} {normalize_identifier(value)}")
                found = True
        if not found and kind != "any" and record.identifiers.get(kind):
            conflicts.append(
                f"{kind} {normalize_identifier(value)} vs {', '.join(sorted(record.identifiers[kind]))}"
            )
    return matches, conflicts


def _date_evidence(query: Query, record: Record) -> tuple[float, str]:
    if not query.dates or not record.dates:
        return 0.0, ""
    best = -1.0
    for qd in query.dates:
        for rd in record.dates:
            common = min(len(qd), len(rd))
            if qd[:common] == rd[:common]:
                best = max(best, 1.0 if common >= 10 else 0.5)
            elif qd[:4] == rd[:4]:
                best = max(best, -0.5 if common >= 10 else 0.0)
    if best > 0:
        weight = FEATURES["date_match"].weight * best
        return weight, f"date agrees ({', '.join(query.dates)})"
    if best == 0.0:
        return 0.0, "same year, other details differ"
    weight = FEATURES["date_conflict"].weight * (1.0 if best == -1.0 else 0.5)
    return weight, f"dates differ: {', '.join(query.dates)} vs {', '.join(sorted(record.dates))}"


def _country_evidence(query: Query, record: Record) -> tuple[float, str]:
    if not query.countries or not record.countries:
        return 0.0, ""
    wanted = {c.lower() for c in query.countries}
    if wanted & record.countries:
        return FEATURES[
            "country_match"
        ].weight, f"country {', '.join(sorted(wanted & record.countries))}"
    return FEATURES[
        "country_conflict"
    ].weight, f"country {', '.join(sorted(wanted))} not in {', '.join(sorted(record.countries))}"


def best_name(
    query_forms: list[NameForm],
    record_forms: list[tuple[NameForm, bool]],
    memo: ComparisonMemo | None = None,
) -> tuple[float, NameComparison | None, bool]:
    best_score, best, weak = 0.0, None, False
    memo = ComparisonMemo() if memo is None else memo
    for qf in query_forms:
        for rf, is_weak in record_forms:
            result = compare_forms(qf, rf, memo)
            score = result.score * (WEAK_NAME_FACTOR if is_weak else 1.0)
            if best is None or score > best_score:
                best_score, best, weak = score, result, is_weak
                if score >= 1.0:
                    return best_score, best, weak
    return best_score, best, weak


def score_record(
    record_index: int,
    query: Query,
    query_forms: list[NameForm],
    record: Record,
    record_forms: list[tuple[NameForm, bool]],
    memo: ComparisonMemo | None = None,
) -> Scored:
    """The score of one record for the query, 0 to 1, and why. ``memo``: see
    :func:`~sanctionscope.matching.compare.compare_forms`."""
    features: dict[str, Any] = {}
    name_score, comparison, weak = (
        best_name(query_forms, record_forms, memo) if query_forms else (0.0, None, False)
    )
    score = name_score
    matches, conflicts = _identifier_evidence(query, record)
    if matches:
        floor = FEATURES["identifier_match"].weight
        score = floor + (1.0 - floor) * name_score if query_forms else 1.0
        features["identifier_match"] = matches
    elif conflicts:
        score += FEATURES["identifier_conflict"].weight
        features["identifier_conflict"] = conflicts
    for key, (delta, text) in (
        ("date", _date_evidence(query, record)),
        ("country", _country_evidence(query, record)),
    ):
        if text:
            score += delta
            features[key] = {"effect": round(delta, 3), "detail": text}
    return Scored(record, max(0.0, min(1.0, score)), features, record_index, comparison, weak)
