"""One subject per real-world party: linking the records of different lists.

FTB stands on the OFAC, UN and UK lists; an analyst wants one hit with every listing, not
four hits. Records of *different* lists are linked when they share

1. a cross-list reference: the UN reference number that UN, UK and EU records carry or cite
   ("un:KPe.047"), or the OFSI group id shared by the two UK lists ("ofsi:13536");
2. a strong identifier: BIC (first 8 characters), IMO, LEI, INN/tax id, OGRN/registration,
   BIK, MMSI; a passport number only together with agreeing birth dates;
3. the same name (word for word after romanisation and business-word translation) plus
   agreeing attributes: for persons an agreeing birth date; for organisations a shared
   country, or, when neither record states a country or date, a strong organisation name
   (at least one distinctive word and enough weight) with no conflicting identifier.

A person is never linked by name alone, and two records of the same list are never put in
one subject (a list's own records are distinct listings). Every link is kept with its
reason, so a subject can be explained and undone (``--per-list`` shows records unlinked).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

from sanctionscope.matching.names import NameForm
from sanctionscope.matching.records import Record

LINKING_IDENTIFIERS = ("bic", "imo", "lei", "tax", "registration", "bik", "mmsi")
MAX_NAME_GROUP = 40
STRONG_NAME_WEIGHT = 1.5  # total token weight of an organisation name linked without attributes


@dataclass(frozen=True)
class Link:
    left: int
    right: int
    reason: str


class LinkName(NamedTuple):
    """What linking needs of one full (not weak) name of a record (a plain tuple: the
    index build sends every record's link names from one process to the other)."""

    key: str  # kind and order-free words, business words by their concept (корпорация = corp)
    original: str
    distinctive: bool  # enough distinctive weight to link an organisation by name alone


def link_name(form: NameForm) -> LinkName:
    words = sorted(min(t.concepts) if t.concepts else t.fold for t in form.tokens)
    weights = [t.weight for t in form.tokens]
    distinctive = sum(weights) >= STRONG_NAME_WEIGHT and max(weights, default=0.0) >= 1.0
    return LinkName(f"{form.kind}|{' '.join(words)}", form.original, distinctive)


def _dates_agree(a: Record, b: Record) -> bool:
    for x in a.dates:
        for y in b.dates:
            common = min(len(x), len(y))
            if common >= 4 and x[:common] == y[:common]:
                return True
    return False


def _identifier_conflict(a: Record, b: Record) -> bool:
    if not a.identifiers or not b.identifiers:
        return False
    for kind in LINKING_IDENTIFIERS:
        x, y = a.identifiers.get(kind), b.identifiers.get(kind)
        if x and y:
            if kind == "bic":
                x, y = {v[:8] for v in x}, {v[:8] for v in y}
            if not x & y:
                return True
    return False


def _name_link_reason(a: Record, b: Record, form: LinkName) -> str | None:
    if _identifier_conflict(a, b):
        return None
    if a.dates and b.dates and not _dates_agree(a, b):
        return None
    if a.schema == "Person" or b.schema == "Person":
        return f"same name '{form.original}' and birth date" if _dates_agree(a, b) else None
    if a.countries and b.countries:
        shared = a.countries & b.countries
        return (
            f"same name '{form.original}' and country {', '.join(sorted(shared))}"
            if shared
            else None
        )
    if form.distinctive and (not a.countries or not b.countries):
        return f"same distinctive organisation name '{form.original}', no conflicting details"
    return None


class _Components:
    """Union-find that refuses to join two components holding records of the same list."""

    def __init__(self, records: Sequence[Record]) -> None:
        self.parent = list(range(len(records)))
        self.sources: list[set[str]] = [{r.source} for r in records]

    def find(self, item: int) -> int:
        while self.parent[item] != item:
            self.parent[item] = self.parent[self.parent[item]]
            item = self.parent[item]
        return item

    def join(self, a: int, b: int) -> bool:
        ra, rb = self.find(a), self.find(b)
        if ra == rb or self.sources[ra] & self.sources[rb]:
            return False
        self.parent[rb] = ra
        self.sources[ra] |= self.sources[rb]
        return True


def _candidate_pairs(
    records: Sequence[Record], names: Sequence[Sequence[LinkName]]
) -> list[tuple[int, int, str]]:
    """Pairs to consider, strongest evidence first: references, identifiers, names."""
    pairs: list[tuple[int, int, str]] = []
    by_reference: dict[str, list[int]] = defaultdict(list)
    by_identifier: dict[str, list[int]] = defaultdict(list)
    by_name: dict[str, list[tuple[int, LinkName]]] = defaultdict(list)
    for index, record in enumerate(records):
        for reference in record.references:
            by_reference[reference].append(index)
        # Sorted: a set's order changes from one process to the next, and the first shared
        # value is the one a link names.
        if record.identifiers:
            for kind in LINKING_IDENTIFIERS:
                for value in sorted(record.identifiers.get(kind, ())):
                    by_identifier[f"{kind}:{value[:8] if kind == 'bic' else value}"].append(index)
            for value in sorted(record.identifiers.get("passport", ())):
                by_identifier[f"passport:{value}"].append(index)
        for name in names[index]:
            by_name[name.key].append((index, name))
    for reference, members in by_reference.items():
        kind, _, value = reference.partition(":")
        label = "UN reference" if kind == "un" else "OFSI group id"
        pairs.extend((members[0], other, f"same {label} {value}") for other in members[1:])
    for key, members in by_identifier.items():
        kind, _, value = key.partition(":")
        for other in members[1:]:
            if kind == "passport" and not _dates_agree(records[members[0]], records[other]):
                continue
            reason = (
                f"same passport {value} and birth date"
                if kind == "passport"
                else f"same {kind} {value}"
            )
            pairs.append((members[0], other, reason))
    for members_forms in by_name.values():
        if len(members_forms) < 2 or len(members_forms) > MAX_NAME_GROUP:
            continue  # a name shared by very many records is too common to link by
        for position, (first, form) in enumerate(members_forms):
            source = records[first].source
            for other, _ in members_forms[position + 1 :]:
                if other == first or records[other].source == source:
                    continue  # never one subject: skip the costly checks
                name_reason = _name_link_reason(records[first], records[other], form)
                if name_reason:
                    pairs.append((first, other, name_reason))
    return pairs


def build_subjects(
    records: Sequence[Record], names: Sequence[Sequence[LinkName]]
) -> tuple[list[int], list[Link]]:
    """The subject (a representative record index) of every record, and the links made."""
    components = _Components(records)
    links: list[Link] = []
    for left, right, reason in _candidate_pairs(records, names):
        if records[left].source != records[right].source and components.join(left, right):
            links.append(Link(left, right, reason))
    return [components.find(i) for i in range(len(records))], links
