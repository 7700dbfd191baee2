"""Which clause of one print is which clause of the next.

Two prints of a bill number their clauses differently as soon as a clause is
inserted or left out, so numbers cannot pair them. In order of certainty:

1. the GUID, where both prints carry one (LawMaker keeps it from print to print);
2. the same heading and text (a clause only renumbered or moved);
3. the most similar heading and text, best pairs first, above a floor (word-set
   overlap of the text, with the heading counting for parts and chapters and
   helping for clauses; the same number only breaks near-ties).

What is left unpaired was inserted or removed. A paired clause is then
*amended* (its text or heading changed), *moved* (its place among the other
paired clauses changed: not on the longest run that kept its order),
*renumbered*, or *unchanged*.
"""
from dataclasses import dataclass

from tracker.versions.diff import tokens

# Kinds compared with each other: a bill's clause becomes an Act's section.
FAMILY = {"clause": "provision", "section": "provision", "schedule": "schedule", "part": "part", "chapter": "chapter"}
SIMILARITY_FLOOR = 0.5


@dataclass
class Pair:
    old: object | None  # a ClauseRecord (or None: inserted)
    new: object | None  # a ClauseRecord (or None: removed)
    by: str | None  # guid, text, similarity
    score: float = 1.0
    moved: bool = False


def _norm(text) -> str:
    return " ".join(tokens(text)).lower()


# Words every clause has: they say nothing about which clause is which.
_COMMON = frozenset("a an and any are as at be by for if in is it its may must not of on or that the this to under which with".split())


def _words(record) -> frozenset:
    return frozenset(w for w in (t.lower() for t in tokens(record.text) if t.isalnum() and not t.isdigit()) if w not in _COMMON)


def _heading_words(record) -> frozenset:
    return frozenset(w.lower() for w in tokens(record.heading) if w.isalnum() and not w.isdigit())


def _overlap(a: frozenset, b: frozenset) -> float:
    if not a and not b:
        return 1.0
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def _containment(a: frozenset, b: frozenset) -> float:
    return len(a & b) / min(len(a), len(b)) if a and b else 0.0


def similarity(old, new) -> float:
    """How alike two clauses are, 0 to 1.

    Text: the mean of word-set overlap (Jaccard) and containment (shared words over
    the smaller set), so a clause that gained a subsection still resembles itself;
    numbers and the commonest words are left out (renumbering is not a difference
    of substance, and every clause says "the" and "must"). The
    heading adds a quarter; it alone decides for parts and chapters, which have no text.
    """
    heading = _overlap(_heading_words(old), _heading_words(new))
    if not old.text and not new.text:
        return heading
    a, b = _words(old), _words(new)
    text = (_overlap(a, b) + _containment(a, b)) / 2
    return max(text, 0.75 * text + 0.25 * heading)


def align(old: list, new: list) -> list[Pair]:
    """Pair the compared records (not schedule paragraphs) of two prints, in the new print's order,
    each removed record placed after the record that preceded it in the old print."""
    old = [r for r in old if r.kind in FAMILY]
    new = [r for r in new if r.kind in FAMILY]
    pairs: dict[int, Pair] = {}  # id(new record) -> pair
    taken_old: set = set()

    def pair(o, n, by, score=1.0):
        pairs[id(n)] = Pair(o, n, by, score)
        taken_old.add(id(o))

    by_guid = {(FAMILY[r.kind], r.guid): r for r in old if r.guid}
    for n in new:
        o = by_guid.get((FAMILY[n.kind], n.guid)) if n.guid else None
        if o is not None and id(o) not in taken_old:
            pair(o, n, "guid")
    by_content: dict = {}
    for o in old:
        if id(o) not in taken_old and o.text:
            by_content.setdefault((FAMILY[o.kind], _norm(o.heading), _norm(o.text)), []).append(o)
    for n in new:
        if id(n) in pairs or not n.text:
            continue
        same = by_content.get((FAMILY[n.kind], _norm(n.heading), _norm(n.text)))
        while same and id(same[0]) in taken_old:
            same.pop(0)
        if same:
            pair(same.pop(0), n, "text")
    scored = []
    rest_old = [o for o in old if id(o) not in taken_old]
    for n in new:
        if id(n) in pairs:
            continue
        for o in rest_old:
            if FAMILY[o.kind] != FAMILY[n.kind]:
                continue
            score = similarity(o, n)
            if score >= SIMILARITY_FLOOR:
                tie_break = 0.01 if (o.number or "") == (n.number or "") else 0.0
                scored.append((score + tie_break, score, o, n))
    for _, score, o, n in sorted(scored, key=lambda s: -s[0]):
        if id(n) in pairs or id(o) in taken_old:
            continue
        pair(o, n, "similarity", round(score, 3))
    _mark_moves([pairs[id(n)] for n in new if id(n) in pairs], old)
    return _in_print_order(old, new, pairs, taken_old)


def _mark_moves(paired: list[Pair], old: list):
    """Pairs off the longest run whose old order matches the new order moved (per family)."""
    old_index = {id(r): i for i, r in enumerate(old)}
    for family in set(FAMILY.values()):
        run = [p for p in paired if FAMILY[p.new.kind] == family]
        keep = _longest_increasing([old_index[id(p.old)] for p in run])
        for i, p in enumerate(run):
            p.moved = i not in keep


def _longest_increasing(values: list) -> set:
    """Indexes of one longest strictly increasing subsequence of ``values`` (patience sorting)."""
    import bisect

    tails, tail_index, previous = [], [], [-1] * len(values)
    for i, value in enumerate(values):
        at = bisect.bisect_left(tails, value)
        if at == len(tails):
            tails.append(value)
            tail_index.append(i)
        else:
            tails[at] = value
            tail_index[at] = i
        previous[i] = tail_index[at - 1] if at else -1
    keep, i = set(), tail_index[-1] if tail_index else -1
    while i >= 0:
        keep.add(i)
        i = previous[i]
    return keep


def _in_print_order(old, new, pairs, taken_old) -> list[Pair]:
    out: list[Pair] = []
    removed_after: dict = {}  # id(old record before) -> [removed pairs]
    previous = None
    for o in old:
        if id(o) not in taken_old:
            removed_after.setdefault(id(previous) if previous is not None else None, []).append(Pair(o, None, None, 0.0))
        else:
            previous = o
    out.extend(removed_after.pop(None, []))
    for n in new:
        p = pairs.get(id(n)) or Pair(None, n, None, 0.0)
        out.append(p)
        if p.old is not None:
            out.extend(removed_after.pop(id(p.old), []))
    for rest in removed_after.values():
        out.extend(rest)
    return out


def change_kind(pair: Pair) -> str:
    """``inserted``, ``removed``, ``amended``, ``moved``, ``renumbered`` or ``unchanged``."""
    if pair.old is None:
        return "inserted"
    if pair.new is None:
        return "removed"
    if _norm(pair.old.text) != _norm(pair.new.text) or _norm(pair.old.heading) != _norm(pair.new.heading):
        return "amended"
    if pair.moved:
        return "moved"
    if (pair.old.number or "") != (pair.new.number or ""):
        return "renumbered"
    return "unchanged"
