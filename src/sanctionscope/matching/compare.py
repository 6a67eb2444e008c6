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

from rapidfuzz.distance import Levenshtein

from sanctionscope.matching.fold import EAST_SLAVIC_MIN, east_slavic_key
from sanctionscope.matching.names import (
    ACRONYM_SKIP,
    Kind,
    NameForm,
    Token,
    acronym_initials,
    analyze_name,
    make_token,
    may_be_acronym,
    name_variants,
    token_spellings,
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


Pair = tuple[int, int, float, str]  # left token position, right token position, similarity, why


class NameComparison:
    """The score of two names and the alignment behind it; the explanation is written only
    when asked for (most comparisons of a query are never shown)."""

    __slots__ = ("_left_tokens", "_pairs", "_right_tokens", "left", "note", "right", "score")

    def __init__(
        self,
        score: float,
        left: str,
        right: str,
        tokens: tuple[tuple[Token, ...], tuple[Token, ...]],
        pairs: list[Pair],
        note: str = "",
    ) -> None:
        self.score = score
        self.left = left
        self.right = right
        self._left_tokens, self._right_tokens = tokens
        self._pairs = pairs
        self.note = note

    def for_names(self, left: str, right: str) -> NameComparison:
        """The same comparison, shown for other spellings with the same tokens."""
        tokens = (self._left_tokens, self._right_tokens)
        return NameComparison(self.score, left, right, tokens, self._pairs, self.note)

    def explain(self) -> dict[str, object]:
        used_left = {i for i, _, _, _ in self._pairs}
        used_right = {j for _, j, _, _ in self._pairs}
        return {
            "score": round(self.score, 4),
            "query_name": self.left,
            "matched_name": self.right,
            "aligned": [
                {
                    "query": self._left_tokens[i].text,
                    "candidate": self._right_tokens[j].text,
                    "similarity": round(similarity, 3),
                    "how": reason,
                }
                for i, j, similarity, reason in sorted(self._pairs)
            ],
            "unmatched_query_words": [
                t.text for k, t in enumerate(self._left_tokens) if k not in used_left
            ],
            "unmatched_candidate_words": [
                t.text for k, t in enumerate(self._right_tokens) if k not in used_right
            ],
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
    allowed = _allowed_edits(written_length)
    if allowed == 0 or abs(len(a) - len(b)) > allowed:
        return 0.0
    distance = Levenshtein.distance(a, b, score_cutoff=allowed)
    if distance > allowed:
        return 0.0
    return 1.0 - distance / max(len(a), len(b))


def _concept_similarity(concept: str) -> tuple[float, str]:
    if concept.startswith("ks:"):
        return 0.95, "same Korean surname"
    if concept.startswith("nick:"):
        return 0.85, "nickname of the same given name"
    if concept.startswith("given:"):
        return 0.9, "same given name, Russian/Ukrainian/Belarusian form"
    return 0.95, f"same word in another language ({concept})"


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
            # The best of the concepts both words share (Alexander and Aleksandr are both
            # one given name and nicknames of one another), not whichever a set yields first.
            return max(map(_concept_similarity, shared))
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
    if written >= EAST_SLAVIC_MIN and east_slavic_key(a.fold) == east_slavic_key(b.fold):
        return 0.88, "same word, Russian/Ukrainian/Belarusian spelling"
    similarity = _fuzzy(a.fold, b.fold, written)
    if not similarity and (a.korean != a.fold or b.korean != b.fold):
        similarity = _fuzzy(a.korean, b.korean, written) * 0.95
    if similarity:
        return similarity, "similar spelling"
    return 0.0, ""


def _merge_adjacent(
    tokens: tuple[Token, ...], targets: frozenset[str], kind: Kind
) -> tuple[Token, ...]:
    """Join neighbours written as one word on the other side (Kwang Ho / Kwangho,
    Pricewaterhouse Coopers / PricewaterhouseCoopers); ``targets``: the other side's
    spellings (:func:`~sanctionscope.matching.names.token_spellings`)."""
    if len(tokens) < 2:
        return tokens
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
    return tokens if len(merged) == len(tokens) else tuple(merged)


def _expand_acronyms(tokens: tuple[Token, ...], other: tuple[Token, ...]) -> tuple[Token, ...]:
    """Replace a run of words whose initials spell a word of the other name (Democratic
    People's Republic of Korea / DPRK, Foreign Trade Bank / FTB) by one token that aligns with
    it. Single letters in a row (U. S.) count as one acronym too."""
    acronyms = {t.fold: t for t in other if may_be_acronym(t.text)}
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


class ComparisonMemo:
    """What comparisons have already worked out, by the identities of the objects compared:
    token similarities (most token pairs come back with every candidate name, and a file's
    common words with the same candidates) and whole name comparisons (the same name is often
    on several lists). ``alive`` holds every object whose identity is a key, so that no
    identity can be reused while the memo lives; the similarities themselves are plain
    numbers and words, which the garbage collector does not need to visit. :meth:`bounded`
    starts afresh when the memo has grown past ``max_entries``."""

    __slots__ = ("alive", "max_entries", "names", "pairs")

    def __init__(self, max_entries: int = 0) -> None:
        self.max_entries = max_entries
        self.pairs: dict[tuple[int, int], tuple[float, str]] = {}
        self.names: dict[tuple[int, tuple[int, ...], frozenset[str]], NameComparison] = {}
        self.alive: dict[int, object] = {}

    def __len__(self) -> int:
        return len(self.pairs) + len(self.names)

    def bounded(self) -> ComparisonMemo:
        """This memo, or an empty one when this one has grown too large to keep."""
        if len(self) > self.max_entries:
            return ComparisonMemo(self.max_entries)
        return self


def _alignment(
    left: tuple[Token, ...], right: tuple[Token, ...], memo: ComparisonMemo
) -> tuple[list[Pair], set[int], set[int]]:
    known_pairs, alive = memo.pairs, memo.alive
    pairs: list[tuple[float, int, int, str]] = []
    for i, a in enumerate(left):
        first = id(a)
        for j, b in enumerate(right):
            known = known_pairs.get((first, id(b)))
            if known is None:
                known = known_pairs[(first, id(b))] = token_similarity(a, b)
                alive[first] = a
                alive[id(b)] = b
            if known[0] >= ALIGN_MIN:
                pairs.append((known[0], i, j, known[1]))
    if len(pairs) > 1:
        pairs.sort(key=lambda p: (-p[0], p[1], p[2]))
    used_left: set[int] = set()
    used_right: set[int] = set()
    chosen: list[Pair] = []
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
    alignment: tuple[list[Pair], set[int], set[int]],
    kind: Kind,
) -> float:
    chosen, used_left, used_right = alignment
    matched = 0.0
    aligned_weight = 0.0
    for i, j, similarity, _ in chosen:
        weight = (lt[i].weight + rt[j].weight) / 2
        matched += similarity * weight
        aligned_weight += weight
    rest_left = rest_right = 0.0
    for k, t in enumerate(lt):
        if k not in used_left:
            rest_left += t.weight
    for k, t in enumerate(rt):
        if k not in used_right:
            rest_right += t.weight
    conflict = min(rest_left, rest_right)
    one_sided = max(rest_left, rest_right) - conflict
    penalty = 2 * conflict + one_sided * ONE_SIDED_PENALTY[kind]
    return matched / (aligned_weight + penalty) if aligned_weight + penalty else 0.0


def _may_hold_acronym(tokens: tuple[Token, ...], used: set[int], initials: str) -> bool:
    """Whether a leftover word could be the initials of words of the other name, whose
    ``initials`` are given (a cheap test before the real expansion)."""
    if len(initials) < 2:
        return False
    letters: list[str] = []
    for k, token in enumerate(tokens):
        if k in used:
            continue
        length = len(token.text)
        if length == 1:
            letters.append(token.text)
        elif may_be_acronym(token.text) and token.fold in initials:
            return True
    return len(letters) >= 2 and "".join(letters) in initials


def _initials(tokens: tuple[Token, ...], form: NameForm) -> str:
    return form.initials if tokens is form.tokens else acronym_initials(tokens)


def compare_forms(
    left: NameForm, right: NameForm, memo: ComparisonMemo | None = None
) -> NameComparison:
    """Score how well two analysed names of the same kind agree, 0 to 1; ``memo`` carries
    what is known from one comparison of a query to the next."""
    if memo is None:
        memo = ComparisonMemo()
    key = (id(left), tuple(map(id, right.tokens)), right.legal_forms)
    known = memo.names.get(key)
    if known is not None:
        return known.for_names(left.original, right.original)
    result = memo.names[key] = _compare_forms(left, right, memo)
    memo.alive[id(left)] = left
    memo.alive.update((id(t), t) for t in right.tokens)
    return result


def _compare_forms(
    left: NameForm,
    right: NameForm,
    memo: ComparisonMemo,
) -> NameComparison:
    if left.key and left.key == right.key:
        same = [(k, k, 1.0, "same word") for k in range(len(left.tokens))]
        return NameComparison(1.0, left.original, right.original, (left.tokens, right.tokens), same)
    lt, rt = left.tokens, right.tokens
    if len(lt) != len(rt):
        # Most names have no neighbours written as one word on the other side.
        if not left.joined.isdisjoint(right.spellings):
            lt = _merge_adjacent(lt, right.spellings, left.kind)
        if lt is not left.tokens:
            rt = _merge_adjacent(rt, token_spellings(lt), left.kind)
        elif not right.joined.isdisjoint(left.spellings):
            rt = _merge_adjacent(rt, left.spellings, left.kind)
    alignment = _alignment(lt, rt, memo)
    chosen, used_left, used_right = alignment
    score = _weighted_score(lt, rt, alignment, left.kind) if chosen else 0.0
    # Words left over on both sides may be an acronym and its spelled-out words (DPRK).
    leftovers = len(used_left) < len(lt) and len(used_right) < len(rt)
    if leftovers and (
        _may_hold_acronym(lt, used_left, _initials(rt, right))
        or _may_hold_acronym(rt, used_right, _initials(lt, left))
    ):
        ax = _expand_acronyms(lt, rt)
        ay = _expand_acronyms(rt, ax)
        if (ax, ay) != (lt, rt):
            other = _alignment(ax, ay, memo)
            other_score = _weighted_score(ax, ay, other, left.kind)
            if other_score > score:
                lt, rt, score = ax, ay, other_score
                chosen, used_left, used_right = other
    note = ""
    # Numbers differ only where words are left over on both sides.
    both_left_over = len(used_left) < len(lt) and len(used_right) < len(rt)
    if both_left_over and _numbers_differ(lt, rt, used_left, used_right):
        score = min(score, NUMBER_CONFLICT_CAP)
        note = "different numbers"
    if left.legal_forms and right.legal_forms and not (left.legal_forms & right.legal_forms):
        score -= LEGAL_FORM_CONFLICT
        note = f"different legal forms: {', '.join(sorted(left.legal_forms))} / {', '.join(sorted(right.legal_forms))}"
    return NameComparison(
        max(0.0, min(1.0, score)), left.original, right.original, (lt, rt), chosen, note
    )


def compare_names(left: str, right: str, kind: Kind) -> NameComparison:
    """The best comparison of two written names over their variants (with and without
    bracketed parts)."""
    best: NameComparison | None = None
    memo = ComparisonMemo()
    for lv in name_variants(left):
        lf = analyze_name(lv, kind)
        for rv in name_variants(right):
            result = compare_forms(lf, analyze_name(rv, kind), memo)
            if best is None or result.score > best.score:
                best = result
    assert best is not None
    return best
