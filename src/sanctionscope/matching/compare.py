"""Comparing two analysed names: token alignment with an explanation.

Two names are compared token by token. Each pair of tokens gets a similarity and the reason
for it (same spelling, same romanisation family, same business word in another language,
same Korean surname, same consonant skeleton from Arabic, an initial, a near spelling). The
best one-to-one alignment is chosen greedily, and the score is the weighted share of both
names that aligned: generic words (bank, trading) weigh less than distinctive ones, and
words left over on both sides (a conflict: PAK Kwang Ho vs PAK Kwang Hun) cost more than
extra words on one side only (a middle name, a branch suffix).
"""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz.distance import Levenshtein

from sanctionscope.matching.names import (
    Kind,
    NameForm,
    Token,
    analyze_name,
    make_token,
    name_variants,
)

ALIGN_MIN = 0.6  # token pairs below this similarity are not aligned
# How much words left over on one side only count against the score, per kind of name.
ONE_SIDED_PENALTY = {"person": 0.45, "org": 0.7}
LEGAL_FORM_CONFLICT = 0.05
NUMBER_CONFLICT_CAP = 0.5  # "322 Aircraft Repair Plant" is not "121 Aircraft Repair Plant"


def _numbers_differ(
    left: tuple[Token, ...], right: tuple[Token, ...], used_left: set[int], used_right: set[int]
) -> bool:
    return any(t.role == "number" for k, t in enumerate(left) if k not in used_left) and any(
        t.role == "number" for k, t in enumerate(right) if k not in used_right
    )


@dataclass(frozen=True, slots=True)
class TokenMatch:
    left: str
    right: str
    similarity: float
    reason: str


@dataclass(frozen=True, slots=True)
class NameComparison:
    score: float
    left: str
    right: str
    aligned: tuple[TokenMatch, ...]
    unmatched_left: tuple[str, ...]
    unmatched_right: tuple[str, ...]
    note: str = ""

    def explain(self) -> dict[str, object]:
        return {
            "score": round(self.score, 4),
            "query_name": self.left,
            "matched_name": self.right,
            "aligned": [
                {
                    "query": m.left,
                    "candidate": m.right,
                    "similarity": round(m.similarity, 3),
                    "how": m.reason,
                }
                for m in self.aligned
            ],
            "unmatched_query_words": list(self.unmatched_left),
            "unmatched_candidate_words": list(self.unmatched_right),
            **({"note": self.note} if self.note else {}),
        }


def _allowed_edits(length: int) -> int:
    if length <= 3:
        return 0
    if length <= 6:
        return 1
    if length <= 10:
        return 2
    return 3


def _fuzzy(a: str, b: str, written_length: int) -> float:
    longest = max(len(a), len(b))
    allowed = _allowed_edits(written_length)
    if allowed == 0 or abs(len(a) - len(b)) > allowed:
        return 0.0
    distance = Levenshtein.distance(a, b, score_cutoff=allowed)
    if distance > allowed:
        return 0.0
    return 1.0 - distance / longest


def token_similarity(a: Token, b: Token) -> tuple[float, str]:
    """How alike two tokens are, and why."""
    if a.text == b.text:
        return 1.0, "same word"
    if a.fold == b.fold:
        if a.role == "acronym" or b.role == "acronym":
            return 0.95, "initials"
        return 0.97, "same word, other romanisation"
    if a.concepts and b.concepts:
        shared = a.concepts & b.concepts
        if shared:
            concept = next(iter(shared))
            if concept.startswith("ks:"):
                return 0.95, "same Korean surname"
            if concept.startswith("nick:"):
                return 0.85, "nickname of the same given name"
            return 0.95, f"same word in another language ({concept})"
    if len(a.korean) > 2 and a.korean == b.korean:
        return 0.9, "same word, Korean romanisation variant"
    if (
        (a.script == "Arab") != (b.script == "Arab")
        and len(a.skeleton) >= 2
        and a.skeleton == b.skeleton
    ):
        return 0.9, "same consonants (Arabic script)"
    if a.role == "initial" or b.role == "initial":
        if a.role == b.role:
            return 0.0, ""
        initial, full = (a, b) if a.role == "initial" else (b, a)
        if full.text.startswith(initial.text):
            return 0.75, "initial"
        return 0.0, ""
    written = min(len(a.text), len(b.text))
    if written <= 3:
        return 0.0, ""
    similarity = _fuzzy(a.fold, b.fold, written)
    if not similarity and (a.korean != a.fold or b.korean != b.fold):
        similarity = _fuzzy(a.korean, b.korean, written) * 0.95
    if similarity:
        return similarity, "similar spelling"
    return 0.0, ""


def _merge_adjacent(
    tokens: tuple[Token, ...], other: tuple[Token, ...], kind: Kind
) -> tuple[Token, ...]:
    """Join neighbours written as one word on the other side (Kwang Ho / Kwangho,
    Pricewaterhouse Coopers / PricewaterhouseCoopers)."""
    if len(tokens) < 2:
        return tokens
    targets = {t.fold for t in other} | {t.korean for t in other}
    merged: list[Token] = []
    index = 0
    while index < len(tokens):
        if index + 1 < len(tokens):
            a, b = tokens[index], tokens[index + 1]
            joined = a.fold + b.fold
            if joined in targets or (a.korean + b.korean) in targets:
                merged.append(make_token(a.text + b.text, a.text + b.text, kind, a.script))
                index += 2
                continue
        merged.append(tokens[index])
        index += 1
    return tuple(merged)


ACRONYM_SKIP = frozenset({"of", "the", "and", "for", "de", "i", "и"})


def _expand_acronyms(tokens: tuple[Token, ...], other: tuple[Token, ...]) -> tuple[Token, ...]:
    """Replace a run of words whose initials spell a word of the other name (Democratic
    People's Republic of Korea / DPRK, Foreign Trade Bank / FTB) by one token that aligns with
    it. Single letters in a row (U. S.) count as one acronym too."""
    acronyms = {t.fold: t for t in other if 3 <= len(t.text) <= 6}  # two letters are too ambiguous
    letters = [t for t in other if len(t.text) == 1]
    if len(letters) >= 2:
        joined = "".join(t.text for t in letters)
        acronyms.setdefault(joined, letters[0])
    if not acronyms or len(tokens) < 2:
        return tokens
    words = [(i, t) for i, t in enumerate(tokens) if t.text not in ACRONYM_SKIP]
    initials = "".join(t.text[0] for _, t in words)
    for acronym in sorted(acronyms, key=len, reverse=True):
        start = initials.find(acronym)
        if start < 0 or len(acronym) < 2:
            continue
        run = words[start : start + len(acronym)]
        first, last = run[0][0], run[-1][0]
        spelled = " ".join(t.text for t in tokens[first : last + 1])
        weight = min(1.0, sum(t.weight for t in tokens[first : last + 1]))
        merged = Token(
            spelled, acronym, acronym, acronym, frozenset(), weight, tokens[first].script, "acronym"
        )
        return (*tokens[:first], merged, *tokens[last + 1 :])
    return tokens


def _alignment(
    left: tuple[Token, ...], right: tuple[Token, ...]
) -> tuple[list[tuple[int, int, float, str]], set[int], set[int]]:
    pairs: list[tuple[float, int, int, str]] = []
    for i, a in enumerate(left):
        for j, b in enumerate(right):
            similarity, reason = token_similarity(a, b)
            if similarity >= ALIGN_MIN:
                pairs.append((similarity, i, j, reason))
    pairs.sort(key=lambda p: (-p[0], p[1], p[2]))
    used_left: set[int] = set()
    used_right: set[int] = set()
    chosen: list[tuple[int, int, float, str]] = []
    for similarity, i, j, reason in pairs:
        if i in used_left or j in used_right:
            continue
        used_left.add(i)
        used_right.add(j)
        chosen.append((i, j, similarity, reason))
    return chosen, used_left, used_right


def _weighted_score(
    lt: tuple[Token, ...],
    rt: tuple[Token, ...],
    chosen: list[tuple[int, int, float, str]],
    kind: Kind,
) -> float:
    used_left = {i for i, _, _, _ in chosen}
    used_right = {j for _, j, _, _ in chosen}
    matched = 0.0
    aligned_weight = 0.0
    for i, j, similarity, _ in chosen:
        weight = (lt[i].weight + rt[j].weight) / 2
        matched += similarity * weight
        aligned_weight += weight
    rest_left = sum(t.weight for k, t in enumerate(lt) if k not in used_left)
    rest_right = sum(t.weight for k, t in enumerate(rt) if k not in used_right)
    conflict = min(rest_left, rest_right)
    one_sided = max(rest_left, rest_right) - conflict
    penalty = 2 * conflict + one_sided * ONE_SIDED_PENALTY[kind]
    return matched / (aligned_weight + penalty) if aligned_weight + penalty else 0.0


def _may_hold_acronym(tokens: tuple[Token, ...], used: set[int], other: tuple[Token, ...]) -> bool:
    """Whether a leftover word could be the initials of words of the other name (a cheap
    test before the real expansion)."""
    initials = "".join(t.text[0] for t in other if t.text and t.text not in ACRONYM_SKIP)
    letters = "".join(t.text for k, t in enumerate(tokens) if k not in used and len(t.text) == 1)
    if len(letters) >= 2 and letters in initials:
        return True
    return any(
        k not in used and 3 <= len(t.text) <= 6 and t.fold in initials for k, t in enumerate(tokens)
    )


def compare_forms(left: NameForm, right: NameForm) -> NameComparison:
    """Score how well two analysed names of the same kind agree, 0 to 1."""
    if left.key and left.key == right.key:
        return NameComparison(1.0, left.original, right.original, tuple(
            TokenMatch(t.text, u.text, 1.0, "same word") for t, u in zip(left.tokens, right.tokens, strict=True)
        ), (), ())  # fmt: skip
    lt, rt = left.tokens, right.tokens
    if len(lt) != len(rt):
        lt = _merge_adjacent(lt, rt, left.kind)
        rt = _merge_adjacent(rt, lt, left.kind)
    chosen, used_left, used_right = _alignment(lt, rt)
    score = _weighted_score(lt, rt, chosen, left.kind)
    # Words left over on both sides may be an acronym and its spelled-out words (DPRK).
    leftovers = len(used_left) < len(lt) and len(used_right) < len(rt)
    if leftovers and (
        _may_hold_acronym(lt, used_left, rt) or _may_hold_acronym(rt, used_right, lt)
    ):
        ax = _expand_acronyms(lt, rt)
        ay = _expand_acronyms(rt, ax)
        if (ax, ay) != (lt, rt):
            other, other_left, other_right = _alignment(ax, ay)
            other_score = _weighted_score(ax, ay, other, left.kind)
            if other_score > score:
                lt, rt, chosen, used_left, used_right, score = (
                    ax,
                    ay,
                    other,
                    other_left,
                    other_right,
                    other_score,
                )
    note = ""
    if _numbers_differ(lt, rt, used_left, used_right):
        score = min(score, NUMBER_CONFLICT_CAP)
        note = "different numbers"
    if left.legal_forms and right.legal_forms and not (left.legal_forms & right.legal_forms):
        score -= LEGAL_FORM_CONFLICT
        note = f"different legal forms: {', '.join(sorted(left.legal_forms))} / {', '.join(sorted(right.legal_forms))}"
    return NameComparison(
        max(0.0, min(1.0, score)),
        left.original,
        right.original,
        tuple(TokenMatch(lt[i].text, rt[j].text, s, r) for i, j, s, r in sorted(chosen)),
        tuple(t.text for k, t in enumerate(lt) if k not in used_left),
        tuple(t.text for k, t in enumerate(rt) if k not in used_right),
        note,
    )


def compare_names(left: str, right: str, kind: Kind) -> NameComparison:
    """The best comparison of two written names over their variants (with and without
    bracketed parts)."""
    best: NameComparison | None = None
    for lv in name_variants(left):
        lf = analyze_name(lv, kind)
        for rv in name_variants(right):
            result = compare_forms(lf, analyze_name(rv, kind))
            if best is None or result.score > best.score:
                best = result
    assert best is not None
    return best
