"""Government commitments: what ministers undertook, by when, and whether it was done.

Where: the sentences of ministers' speeches (a speaker who was a minister that day,
see :mod:`tracker.positions.government`), written statements and written answers.
What (``rules/commitments.jsonl``): a *commit* cue ("the Government will publish",
"will be laid", "remain committed to publishing", "undertook to remove") not
negated and not hedged ("will consider", "under review") in its clause.

**Deadline**: the first deadline rule that matches the sentence. "within six months
of Royal Assent" (or of the Act being passed) counts from the bill's Royal Assent
stage; "within three months" from the day the words were said; "by March 2024" is
the month's last day, "by summer 2024" the season's. Months are added calendar-wise
(31 August + six months is 28 or 29 February). A deadline counted from something not
yet dated (Royal Assent still to come, commencement) is left empty with its words
kept in ``deadline_basis``.

**Follow-ups**: a later commitment sentence, or a *done* sentence ("have published",
"was laid"), at least ``FOLLOW_UP`` alike (TF-IDF cosine) an earlier commitment is
that commitment's follow-up, not a new one: *restated*, or *fulfilled* for a done
sentence. **Status** on ``today``: fulfilled once a fulfilling follow-up exists;
otherwise overdue after the deadline, due within ``DUE_DAYS`` of it, else open (and
always open without a deadline). Statuses are written through the store with change
tracking, so a commitment turning overdue is one ``changes`` row (``status``) that
the alerts room can deliver to watchers of the bill or the topic.
"""
import calendar
import hashlib
import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from tracker.positions.government import speech_department
from tracker.positions.records import (
    AMENDMENTS,
    PINGPONG,
    family_topic,
    rows,
    stage_dates,
    tag_topic,
)
from tracker.positions.rules import compiled
from tracker.positions.text import TfIdf, clause_start, sentences

FOLLOW_UP = 0.35
DUE_DAYS = 30
NUMBER_WORDS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
                "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "eighteen": 18, "twenty-four": 24}
MONTHS = {name.lower(): number for number, name in enumerate(calendar.month_name) if name}
SEASON_ENDS = {"spring": (5, 31), "summer": (8, 31), "autumn": (11, 30)}  # winter ends on the last day of the next February
_ROYAL_ASSENT = re.compile(r"royal\s+assent|act\s+(?:is|being)\s+passed|passing\s+of\s+this\s+act", re.IGNORECASE)
_SAID_DAY = re.compile(r"today|this\s+statement", re.IGNORECASE)


def add_months(day: date, months: int) -> date:
    """``day`` plus calendar months, clamped to the month's last day."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def add_period(day: date, n: int, unit: str) -> date:
    unit = unit.lower().rstrip("s")
    if unit == "day":
        return day + timedelta(days=n)
    if unit == "week":
        return day + timedelta(weeks=n)
    if unit == "year":
        return add_months(day, 12 * n)
    return add_months(day, n)


@dataclass(frozen=True)
class Deadline:
    on: str  # YYYY-MM-DD, or None when counted from an undated event
    basis: str  # the words it was read from
    rule: str


def read_deadline(text: str, made_on: str, royal_assent: str | None = None) -> Deadline:
    """The deadline a commitment's words give or imply, or None when they give none."""
    for rule, regex in compiled("commitments", "deadline"):
        match = regex.search(text)
        if match is None:
            continue
        found = match.groupdict()
        basis = match.group(0)
        if "n" in found:
            n = int(found["n"]) if found["n"].isdigit() else NUMBER_WORDS[found["n"].lower()]
            anchor_words = found.get("anchor")
            if anchor_words is None or _SAID_DAY.search(anchor_words):
                anchor = made_on
            elif _ROYAL_ASSENT.search(anchor_words):
                anchor = royal_assent
            else:
                anchor = None
            on = add_period(date.fromisoformat(anchor[:10]), n, found["unit"]).isoformat() if anchor else None
            return Deadline(on, basis, rule["id"])
        year = int(found["year"])
        if found.get("day"):
            return Deadline(date(year, MONTHS[found["month"].lower()], int(found["day"])).isoformat(), basis, rule["id"])
        if found.get("month"):
            month = MONTHS[found["month"].lower()]
            return Deadline(date(year, month, calendar.monthrange(year, month)[1]).isoformat(), basis, rule["id"])
        if found.get("season"):
            season = found["season"].lower()
            if season == "winter":
                return Deadline(date(year + 1, 2, calendar.monthrange(year + 1, 2)[1]).isoformat(), basis, rule["id"])
            month, day = SEASON_ENDS[season]
            return Deadline(date(year, month, day).isoformat(), basis, rule["id"])
        return Deadline(date(year, 12, 31).isoformat(), basis, rule["id"])
    return None


def status(deadline: str, fulfilled: bool, today: str) -> str:
    """open, due, overdue or fulfilled on ``today`` (YYYY-MM-DD)."""
    if fulfilled:
        return "fulfilled"
    if not deadline:
        return "open"
    days_left = (date.fromisoformat(deadline) - date.fromisoformat(today[:10])).days
    if days_left < 0:
        return "overdue"
    return "due" if days_left <= DUE_DAYS else "open"


def classify(sentence: str) -> tuple:
    """``(kind, rule id, cue span)``: ``commit`` or ``done`` for a commitment or a report of one met, else None."""
    negator = [regex for _, regex in compiled("commitments", "negator")]
    hedges = [regex for _, regex in compiled("commitments", "hedge")]
    for rule, regex in compiled("commitments", "commit"):
        for match in regex.finditer(sentence):
            clause = clause_start(sentence, match.start())
            if any(n.search(sentence, clause, match.end()) for n in negator):
                continue
            if any(h.search(sentence, clause, match.end()) for h in hedges):
                continue
            return "commit", rule["id"], (match.start(), match.end())
    for rule, regex in compiled("commitments", "done"):
        match = regex.search(sentence)
        if match:
            return "done", rule["id"], (match.start(), match.end())
    return None, None, None


@dataclass
class Statement:
    """A minister's sentence that undertakes something (or reports it done)."""

    source_table: str
    source_id: str
    member_id: int
    department: str
    text: str
    made_on: str
    kind: str
    rule: str
    bill_id: int = None
    topic: str = None
    deadline: Deadline = None
    followups: list = field(default_factory=list)  # (kind, Statement)

    @property
    def commitment_id(self) -> str:
        digest = hashlib.sha256(self.text.encode("utf-8")).hexdigest()[:8]
        return f"{self.source_table}/{self.source_id}/{digest}"


def _documents(db, government):
    """``(table, id, member, department, date, text, bill_id, mentions key, speech's items)`` of every ministerial text."""
    docs = []
    for r in rows(db, """SELECT c.contribution_id, c.member_id, c.attributed_to, c.text, d.date, d.bill_id
                         FROM contributions c JOIN debates d ON d.debate_id = c.debate_id
                         WHERE c.member_id IS NOT NULL AND c.removed_at IS NULL AND d.removed_at IS NULL"""):
        if government.is_minister(r["member_id"], r["date"]):
            department = speech_department(r["attributed_to"]) or government.department(r["member_id"], r["date"])
            docs.append(("contributions", str(r["contribution_id"]), r["member_id"], department, r["date"], r["text"], r["bill_id"], "text"))
    for r in rows(db, "SELECT statement_id, member_id, answering_body, date, text, bill_id FROM written_statements WHERE removed_at IS NULL"):
        docs.append(("written_statements", str(r["statement_id"]), r["member_id"], r["answering_body"], r["date"], r["text"], r["bill_id"], "text"))
    for r in rows(db, """SELECT question_id, answering_member_id, answering_body, date_answered, answer_text, bill_id FROM written_questions
                         WHERE answer_text IS NOT NULL AND removed_at IS NULL"""):
        docs.append(("written_questions", str(r["question_id"]), r["answering_member_id"], r["answering_body"], r["date_answered"],
                     r["answer_text"], r["bill_id"], "answer_text"))
    return docs


def find_statements(db, government, families=()) -> list:
    """Every commitment and done sentence of ministers' texts, in date order, with deadline and topic."""
    assent = stage_dates(db)
    only_bill = next(iter(assent)) if len(assent) == 1 else None
    family_of = {(m.item.table, m.item.item_id): family for family in families for m in family.members}
    refs = {}
    for r in rows(db, "SELECT contribution_id, amendment_id, pingpong_item_id FROM contribution_amendments"):
        key = (AMENDMENTS, r["amendment_id"]) if r["amendment_id"] is not None else (PINGPONG, r["pingpong_item_id"])
        refs.setdefault(str(r["contribution_id"]), []).append(key)
    tags = {}
    for r in rows(db, """SELECT doc_table, doc_id, field, start, "end", label, entity_id FROM mentions
                         WHERE label IN ('PROVISION', 'SUPPLIER') AND entity_id IS NOT NULL
                         AND doc_table IN ('contributions', 'written_statements', 'written_questions')"""):
        tags.setdefault((r["doc_table"], str(r["doc_id"]), r["field"]), []).append(r)
    found = []
    for table, doc_id, member_id, department, made_on, text, bill_id, field_name in _documents(db, government):
        for sentence in sentences(text or ""):
            kind, rule, cue = classify(sentence.text)
            if kind is None:
                continue
            bill = bill_id if bill_id is not None else only_bill
            statement = Statement(table, doc_id, member_id, department, sentence.text, (made_on or "")[:10] or None, kind, rule, bill)
            statement.deadline = read_deadline(sentence.text, statement.made_on, assent.get(bill)) if statement.made_on else None
            statement.topic = _topic(sentence, cue, tags.get((table, doc_id, field_name), ()), refs.get(doc_id, ()) if table == "contributions" else (), family_of)
            found.append(statement)
    return sorted(found, key=lambda s: (s.made_on or "", s.source_table, s.source_id))


def _topic(sentence, cue, mentions, speech_refs, families):
    """What a commitment is about: the family of an amendment its speech names when the sentence names that
    family's topic, else the provision (or supplier) nearest its cue, else the family of the speech's amendment."""
    inside = [m for m in mentions if sentence.start <= m["start"] and m["end"] <= sentence.end]
    named = {tag_topic(m["label"], m["entity_id"]) for m in inside}
    speech_families = [families[key] for key in speech_refs if key in families]
    for family in speech_families:
        if family.topic in named:
            return family_topic(family.family_id)
    if inside:
        at = sentence.start + cue[1]
        nearest = min(inside, key=lambda m: (m["label"] != "PROVISION", abs(m["start"] - at)))
        return tag_topic(nearest["label"], nearest["entity_id"])
    return family_topic(speech_families[0].family_id) if speech_families else None


def link_followups(statements: list) -> list:
    """The commitments among ``statements`` (date order), each with its later follow-ups attached."""
    if not statements:
        return []
    tfidf = TfIdf({i: s.text for i, s in enumerate(statements)})
    commitments = []  # (index, Statement)
    following = {}  # document -> ids of the commitments it already follows up
    for i, statement in enumerate(statements):
        document = (statement.source_table, statement.source_id)
        earlier = []
        for j, c in commitments:
            if (c.made_on or "") > (statement.made_on or ""):
                continue
            # a document already following a commitment up goes on about it: half the likeness will do
            needed = FOLLOW_UP / 2 if c.commitment_id in following.get(document, ()) else FOLLOW_UP
            score = tfidf.similarity(i, j)
            if score >= needed:
                earlier.append((score, c))
        best = max(earlier, key=lambda found: found[0], default=(0.0, None))
        if best[1] is not None:
            commitment = best[1]
            if document != (commitment.source_table, commitment.source_id):
                commitment.followups.append(("fulfilled" if statement.kind == "done" else "restated", statement))
                following.setdefault(document, set()).add(commitment.commitment_id)
            continue
        if statement.kind == "commit":
            commitments.append((i, statement))
    return [c for _, c in commitments]


def commitment_rows(commitments: list, today: str) -> tuple:
    """``(commitments rows, commitment_followups rows)`` with each status as of ``today``."""
    out, followups = [], []
    typed = {"contributions": "contribution_id", "written_statements": "statement_id", "written_questions": "question_id"}
    for c in commitments:
        fulfilled = next((f for kind, f in c.followups if kind == "fulfilled"), None)
        row = {
            "commitment_id": c.commitment_id, "member_id": c.member_id, "department": c.department, "text": c.text,
            "made_on": c.made_on, "source_table": c.source_table, "source_id": c.source_id,
            "deadline": c.deadline.on if c.deadline else None, "deadline_basis": c.deadline.basis if c.deadline else None,
            "status": status(c.deadline.on if c.deadline else None, fulfilled is not None, today),
            "fulfilled_by": f"{fulfilled.source_table}/{fulfilled.source_id}" if fulfilled else None,
            "bill_id": c.bill_id, "topic": c.topic, "contribution_id": None, "statement_id": None, "question_id": None,
        }
        row[typed[c.source_table]] = int(c.source_id)
        out.append(row)
        seen = set()
        for kind, f in c.followups:
            if (kind, f.source_table, f.source_id) in seen:
                continue
            seen.add((kind, f.source_table, f.source_id))
            followups.append({"commitment_id": c.commitment_id, "kind": kind, "source_table": f.source_table,
                              "source_id": f.source_id, "member_id": f.member_id, "date": f.made_on, "quote": f.text})
    return out, followups
