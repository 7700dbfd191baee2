"""Amendment families: one proposal followed across stages and Houses.

The same proposal comes back under new numbers: a Lords amendment in Committee, again
on Report, a Commons new clause, then a motion and an amendment in lieu in
ping-pong. Grouping, for one bill:

1. **Explicit references** join ping-pong items: a motion and the amendment it agrees
   or disagrees with, an amendment in lieu and the amendment it replaces, the same
   amendment carried to the next stage ("Lords Amendment 47A"). The references are
   the tagger's (one reference resolver); a number that names no item of its own
   stage is looked for among the amendments between the Houses of earlier stages.
2. **Likeness** joins the rest, pair by pair, on a score of
   ``TEXT`` x TF-IDF cosine of the text (new clause headings counted twice, explanatory
   statements included) + ``BACKERS`` x weighted overlap of the sponsors who are not
   ministers (a minister signs Government amendments by office, which says nothing
   about which proposal it is) + ``TAGS`` x weighted overlap of the provisions and
   suppliers tagged in the texts (rarer ones weigh more).
3. Pairs are taken best first and families merged (single linkage) while the score
   is at least ``THRESHOLD`` and no two of the merged items sit in the same stage: a
   proposal appears once a stage. A title amendment or one its statement calls
   consequential may share its stage with the clause it follows.

Only groups of two or more are families. Each member gets a ``polarity``: the family's
*anchor* (its first item a backbencher sponsored, else its first item) is +1 and the
references' directions spread from it (a motion to disagree with a +1 amendment is
-1, an amendment it proposes in lieu takes the motion's sign). A vote or a speech for
a -1 step is a position against the proposal.

Whether the proposal reached the Act: an agreed member carrying the proposal (or a
Government concession) whose inserted words match a section of the Act in
``bill_clauses`` (TF-IDF cosine of at least ``ACT_MATCH``). The versions room's
attribution of Act text to amendments will replace this when it lands.
"""
import itertools
import math
import re
from collections import Counter, defaultdict, deque
from dataclasses import dataclass, field

from tracker.positions.records import AGREED, PINGPONG, Item, load_items, rows
from tracker.positions.rules import compiled
from tracker.positions.text import TfIdf, weighted_overlap

TEXT, BACKERS, TAGS = 0.6, 0.2, 0.2
THRESHOLD = 0.3
KEY_TERMS = 15
ACT_MATCH = 0.3

_EXPLANATORY = re.compile(r"^(?:Member's|Minister's)?\s*explanatory\s+statement\s*", re.IGNORECASE)
_HEADING = re.compile(r"(?:Clause|Schedule)\s*[\u2014-]+\s*\n\s*[\u201c\"]([^\n\u201d\"]{3,160})\n")
_STATEMENT_OPENING = re.compile(r"^This (?:new clause|new schedule|amendment)\s+(?:would\s+)?", re.IGNORECASE)
_INSERTED = re.compile(r"[\u2014-]\s*\n?\s*[\u201c\"](.+)", re.DOTALL)


@dataclass
class Member:
    item: Item
    step: int = 0
    polarity: int = 1
    role: str = "proposal"
    grouped_by: str = ""


@dataclass
class Family:
    family_id: str
    bill_id: int
    title: str
    topic: str
    members: list = field(default_factory=list)
    outcome: str = None
    act_clause_id: str = None
    outcome_note: str = None


def heading(item: Item) -> str:
    match = _HEADING.search(item.text or "")
    return match.group(1).strip() if match else ""


def inserted_words(item: Item) -> str:
    """What an amendment would put in the Bill (its text after the location words)."""
    match = _INSERTED.search(item.text or "")
    return match.group(1) if match else ""


def _is_motion(item):
    return item.is_pingpong and (item.item_type or "").lower() == "motion"


def _is_consequential(item):
    return (item.text or "").lstrip().lower().startswith("title") or "consequential" in (item.explanatory or "").lower()


@dataclass(frozen=True)
class Edge:
    a: tuple
    b: tuple
    score: float
    reason: str
    sign: int = None  # for references: +1 same proposal, -1 one undoes the other, 0 no direction
    rule: str = None  # the relation rule that read the reference


def reference_edges(db, items: dict) -> list:
    """Edges between ping-pong items from the references in their texts, and the same amendment in the next stage."""
    relations = compiled("motions", "relation")
    edges = []
    by_number = defaultdict(list)  # amendment number -> ping-pong amendment items
    for item in items.values():
        if item.is_pingpong and not _is_motion(item):
            by_number[(item.bill_id, (item.number or "").upper())].append(item)
    for found in by_number.values():
        found.sort(key=lambda i: i.stage_order)
        for earlier, later in itertools.pairwise(found):
            if earlier.stage_id != later.stage_id:
                edges.append(Edge(earlier.key, later.key, 1.0, f"{later.label} carried to {later.stage}", 1, "carried"))
    for m in rows(db, """SELECT m.doc_id, m.field, m.start, m.value, m.pingpong_item_id, p.summary, p.text
                         FROM mentions m JOIN pingpong_items p ON p.pingpong_item_id = CAST(m.doc_id AS INTEGER)
                         WHERE m.doc_table = 'pingpong_items' AND m.label = 'REFERENCE'"""):
        source = items.get((PINGPONG, int(m["doc_id"])))
        if source is None:
            continue
        target = _referenced_item(items, source, m)
        if target is None or target.key == source.key:
            continue
        before = (m[m["field"]] or "")[: m["start"]]
        rule = next((r for r, regex in relations if regex.search(before[-80:])), None)
        sign = rule["sign"] if rule else 0
        reason = f"{source.label} names {target.label}" + (f" ({rule['id']})" if rule else "")
        edges.append(Edge(source.key, target.key, 1.0, reason, sign, rule["id"] if rule else None))
    return edges


def _referenced_item(items, source, mention):
    if mention["pingpong_item_id"] is not None:
        return items.get((PINGPONG, mention["pingpong_item_id"]))
    kind, _, number = (mention["value"] or "").partition(":")
    if kind != "amendment" or not number:
        return None
    earlier = [i for i in items.values() if i.is_pingpong and not _is_motion(i) and i.bill_id == source.bill_id
               and (i.number or "").upper() == number.upper() and i.stage_order < source.stage_order]
    return max(earlier, key=lambda i: i.stage_order) if earlier else None


def likeness_edges(items: dict, government, born_in_pingpong=frozenset()) -> list:
    """Scored pairs of substantive items (amendments, and amendments between the Houses).

    An amendment made in ping-pong (proposed in lieu, or carried from the last stage) is
    joined by its references only: it has no earlier life at the amending stages.
    """
    substantive = {k: i for k, i in items.items() if not _is_motion(i) and k not in born_in_pingpong}
    if len(substantive) < 2:
        return []
    texts = {}
    for key, item in substantive.items():
        head = heading(item)
        texts[key] = " ".join([head, head, item.text, _EXPLANATORY.sub("", item.explanatory or ""),
                               item.summary if item.is_pingpong else ""])
    tfidf = TfIdf(texts)
    backers = {k: {m for m in i.sponsors if not government.is_minister(m, i.date)} for k, i in substantive.items()}
    backer_weight = rarity(Counter(m for found in backers.values() for m in found), len(substantive))
    tag_weight = rarity(Counter(t for i in substantive.values() for t in i.tags), len(substantive))

    edges = []
    for a, b in _candidate_pairs(substantive, tfidf, backers):
        if substantive[a].stage_id == substantive[b].stage_id or _is_consequential(substantive[a]) or _is_consequential(substantive[b]):
            continue
        text = tfidf.similarity(a, b)
        shared_backers = weighted_overlap(backers[a], backers[b], backer_weight)
        shared_tags = weighted_overlap(substantive[a].tags, substantive[b].tags, tag_weight)
        score = TEXT * text + BACKERS * shared_backers + TAGS * shared_tags
        if score >= THRESHOLD:
            edges.append(Edge(a, b, score, f"text {text:.2f}, sponsors {shared_backers:.2f}, tags {shared_tags:.2f}"))
    edges += _consequential_edges(substantive, tfidf)
    return edges


def rarity(counts: Counter, total: int):
    """The weight of a sponsor or tag by how few of ``total`` items carry it (an IDF)."""
    return lambda value: math.log((1 + total) / (1 + counts[value]))


def _candidate_pairs(items, tfidf, backers):
    """The pairs worth scoring: those sharing a backer, a tag or one of their ``KEY_TERMS`` weightiest terms.

    Scoring every pair is quadratic (a bill of 2,000 amendments is two million pairs);
    two texts of one proposal share their distinctive words, so a pair sharing none of
    them, nor a sponsor nor a tag, could only reach the threshold by chance overlap of
    common words.
    """
    index = defaultdict(set)
    for key, item in items.items():
        vector = tfidf.vectors[key]
        for term in sorted(vector, key=lambda t: (-vector[t], t))[:KEY_TERMS]:
            index[("term", term)].add(key)
        for member in backers[key]:
            index[("backer", member)].add(key)
        for tag in item.tags:
            index[("tag", tag)].add(key)
    pairs = set()
    for keys in index.values():
        pairs.update(itertools.combinations(sorted(keys), 2))
    return sorted(pairs)


def _consequential_edges(items, tfidf):
    """A consequential amendment's likeness to the clauses of its own stage (the pairs skipped above)."""
    edges = []
    for key, item in items.items():
        if not _is_consequential(item):
            continue
        same_stage = [k for k, other in items.items() if other.stage_id == item.stage_id and k != key and not _is_consequential(other)]
        scored = sorted(((tfidf.similarity(key, k), k) for k in same_stage), reverse=True)
        if scored and scored[0][0] * TEXT >= THRESHOLD / 2:
            edges.append(Edge(key, scored[0][1], scored[0][0], f"consequential on it (text {scored[0][0]:.2f})"))
    return edges


def group(items: dict, edges: list) -> list:
    """Single-linkage groups of item keys from ``edges`` (best first), one item a stage per group."""
    family_of = {key: key for key in items}
    members = {key: {key} for key in items}
    reasons = defaultdict(list)

    def stages(root):
        return {items[k].stage_id for k in members[root] if not _is_consequential(items[k]) and not items[k].is_pingpong}

    for edge in sorted(edges, key=lambda e: (e.sign is None, -e.score, e.a, e.b)):
        if edge.a not in items or edge.b not in items:
            continue
        ra, rb = family_of[edge.a], family_of[edge.b]
        if ra == rb:
            reasons[edge.b].append(edge.reason)
            continue
        # ping-pong items of one stage are distinct proposals unless a reference joins them
        if edge.sign is None and (stages(ra) & stages(rb) or _pingpong_stages(items, members[ra]) & _pingpong_stages(items, members[rb])):
            continue
        for key in members[rb]:
            family_of[key] = ra
        members[ra] |= members.pop(rb)
        reasons[edge.b].append(edge.reason)
        reasons[edge.a].append(edge.reason)
    return [(sorted(found, key=lambda k: (items[k].stage_order, k[1])), reasons) for found in members.values() if len(found) > 1]


def _pingpong_stages(items, keys):
    return {items[k].stage_id for k in keys if items[k].is_pingpong}


def polarities(keys: list, items: dict, edges: list, government) -> dict:
    """+1/-1 for each member: the anchor +1, spread through the references' signs."""
    links = defaultdict(list)
    wanted = set(keys)
    for edge in edges:
        if edge.sign in (1, -1) and edge.a in wanted and edge.b in wanted:
            links[edge.a].append((edge.b, edge.sign))
            links[edge.b].append((edge.a, edge.sign))
    out = {}
    for start in keys:
        if start in out:
            continue
        component = _component(start, links)
        backed = [k for k in keys if k in component and any(not government.is_minister(m, items[k].date) for m in items[k].sponsors)]
        anchor = backed[0] if backed else start
        out[anchor] = 1
        queue = deque([anchor])
        while queue:
            key = queue.popleft()
            for other, sign in links[key]:
                if other not in out:
                    out[other] = out[key] * sign
                    queue.append(other)
    return out


def _component(start, links):
    seen, queue = {start}, deque([start])
    while queue:
        for other, _ in links[queue.popleft()]:
            if other not in seen:
                seen.add(other)
                queue.append(other)
    return seen


def _role(item, polarity, government, proposed_in_lieu):
    if _is_motion(item):
        return "motion"
    if _is_consequential(item):
        return "consequential"
    by_minister = bool(item.sponsors) and government.is_minister(item.sponsors[0], item.date)
    if by_minister and item.key in proposed_in_lieu:
        return "concession"
    if by_minister:
        return "government"
    return "proposal" if polarity > 0 else "counter"


def _title(members):
    for member in members:
        head = heading(member.item)
        if head and member.polarity > 0:
            return head
    for member in members:
        summary = member.item.summary or ""
        if member.item.is_pingpong and not _is_motion(member.item) and member.polarity > 0 and ":" in summary:
            text = summary.split(":", 1)[1].strip().rstrip(".")
            return text[:1].upper() + text[1:]
    for member in members:
        statement = _STATEMENT_OPENING.sub("", _EXPLANATORY.sub("", member.item.explanatory or "").strip())
        if statement:
            text = statement.split(". ")[0].rstrip(".")[:160]
            return text[:1].upper() + text[1:]
    return (members[0].item.summary or members[0].item.label)[:160]


def _topic(members, tag_weight):
    counts = Counter(t for m in members for t in m.item.tags)
    if not counts:
        return None
    return max(counts, key=lambda t: (t.startswith("provision:"), counts[t] * tag_weight(t), t))


def find_families(db, government, bill_id=None) -> list:
    """The amendment families of each bill (or of ``bill_id``), members in order with their polarity and role."""
    items = load_items(db, bill_id)
    families = []
    for bill in sorted({i.bill_id for i in items.values()}):
        bill_items = {k: i for k, i in items.items() if i.bill_id == bill}
        references = reference_edges(db, bill_items)
        in_lieu = {e.b for e in references if e.rule == "propose"} | {e.a for e in references if e.rule == "in-lieu-of"}
        carried = {e.b for e in references if e.rule == "carried"}
        edges = references + likeness_edges(bill_items, government, in_lieu | carried)
        tag_weight = rarity(Counter(t for i in bill_items.values() for t in i.tags), len(bill_items))
        clauses = act_clauses(db, bill)
        for keys, reasons in group(bill_items, edges):
            signs = polarities(keys, bill_items, edges, government)
            members = []
            for step, key in enumerate(keys, 1):
                item = bill_items[key]
                members.append(Member(item, step, signs.get(key, 1), _role(item, signs.get(key, 1), government, in_lieu),
                                      "; ".join(dict.fromkeys(reasons.get(key, [])))))
            role = {m.item.key: m for m in members}
            for edge in references:  # an amendment carried to the next stage keeps its role (a concession stays one)
                if edge.rule == "carried" and edge.a in role and edge.b in role and role[edge.a].role == "concession":
                    role[edge.b].role = "concession"
            first = members[0].item
            family = Family(f"{'p' if first.is_pingpong else 'a'}{first.item_id}", bill, _title(members),
                            _topic(members, tag_weight), members)
            family.outcome, family.act_clause_id, family.outcome_note = act_outcome(members, clauses, bill_items)
            families.append(family)
    return families


def act_clauses(db, bill_id) -> dict:
    """The Act's sections and schedules in ``bill_clauses`` (``{clause_id: row}``)."""
    return {r["clause_id"]: r for r in rows(db, "SELECT clause_id, kind, number, heading, text FROM bill_clauses WHERE bill_id = ? AND removed_at IS NULL", [bill_id])}


def act_outcome(members: list, clauses: dict, background: dict | None = None) -> tuple:
    """``(outcome, clause_id, note)``: whether the proposal, or a Government concession on it, is in the Act's text.

    ``background`` (the bill's items by key) only steadies the word weights.
    """
    if not clauses:
        return "no Act text", None, "the Act's text is not in the database"
    candidates = [m for m in members if m.item.decision in AGREED and not _is_motion(m.item)
                  and (m.polarity > 0 or m.role == "concession") and inserted_words(m.item)]
    if not candidates:
        return "not in the Act", None, "no step carrying the proposal was agreed"
    corpus = {("clause", cid): f"{c['heading'] or ''} {c['text'] or ''}" for cid, c in clauses.items()}
    corpus.update({("member", key): inserted_words(item) for key, item in (background or {}).items()})
    corpus.update({("member", m.item.key): inserted_words(m.item) for m in candidates})
    tfidf = TfIdf(corpus)
    best = max(((tfidf.similarity(("member", m.item.key), ("clause", cid)), m, cid) for m in candidates for cid in clauses),
               key=lambda found: found[0])
    score, member, clause_id = best
    clause = clauses[clause_id]
    where = f"{clause['kind'] or 'section'} {clause['number']}".strip()
    if score < ACT_MATCH:
        return "not in the Act", None, f"closest: {member.item.label} ({member.item.stage}) and {where} of the Act, {score:.2f}"
    outcome = "concession in the Act" if member.role in ("government", "concession") else "in the Act"
    return outcome, clause_id, f"{member.item.label} ({member.item.house} {member.item.stage}) matches {where} of the Act ({score:.2f})"
