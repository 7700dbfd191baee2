"""Which agreed amendment made each change between two prints.

An amendment says where it acts and what it does, in a fixed grammar: "Clause
28, page 19, line 34, leave out “may” and insert “must”", "Schedule 7, page 134,
line 20, at end insert— “16A ...”", "After Clause 54, insert the following new
Clause— “Debarment list: investigations / (1) ...”", "Page 44, line 1, leave out
Clause 59"; a Lords "notice of ... opposing the Question that Clause 55 stand
part" decided "NotStoodPart" leaves the clause out. :func:`read_instruction`
reads that grammar into an :class:`Instruction`.

A change is explained by an amendment when the amendment's words are the
change's words (what it leaves out is among the deleted words, what it inserts
among the inserted ones; a new clause's heading and text are the inserted
clause's), backed by the place (its clause or schedule number and page and line
fall in the changed clause of the earlier print). Each amendment explains at most
the one change it fits best; a change nothing fits is *unexplained* (a reprint's
correction, a consequential renumbering) and an agreed amendment that fits no
change is *not found*. Nothing is forced: below :data:`THRESHOLD` there is no link.
"""
import re
from collections import Counter
from dataclasses import dataclass, field

from tracker.versions.align import FAMILY, similarity
from tracker.versions.diff import token_ops, tokens, words_of

AGREED = {"Agreed", "AgreedOnDivision"}
LEFT_OUT = "NotStoodPart"  # a stand-part question negatived: the clause is left out
THRESHOLD = 0.5
WORDS_FLOOR = 0.8  # how much of an amendment's wording a change must show

_QUOTED = r"[“\"](.+?)[”\"]"
_LEAVE_OUT = re.compile(r"leave out\s+" + _QUOTED, re.S)
_REPLACE = re.compile(r"leave out\s+" + _QUOTED + r"\s+and insert\s+" + _QUOTED, re.S)
_INSERT_WORDS = re.compile(r"insert\s+" + _QUOTED, re.S)
_INSERT_BLOCK = re.compile(r"insert\s*[—–-]\s*[“\"](.+)[”\"]", re.S)
_NEW_PROVISION = re.compile(r"(?:new|following)\s+(Clause|Schedule)\s*[—–-]\s*[“\"](.+)[”\"]", re.S | re.I)
_LEAVE_OUT_PROVISION = re.compile(r"leave out\s+(Clause|Schedule)\s+(\d+[A-Z]*)", re.I)
_LEAVE_OUT_PART = re.compile(r"leave out\s+(subsection|paragraph|sub-paragraph)\s+(\([0-9A-Za-z]+\))", re.I)
_STAND_PART = re.compile(r"(Clause|Schedule)\s+(\d+[A-Z]*)\s+stand part", re.I)
_WHERE = re.compile(r"^\s*(?:(Clause|Schedule)\s+(\d+[A-Z]*)\s*,\s*)?page\s+(\d+)\s*,\s*line\s+(\d+)", re.I)
_WHERE_PROVISION = re.compile(r"^\s*(Clause|Schedule)\s+(\d+[A-Z]*)\b", re.I)


@dataclass
class Instruction:
    """What an amendment's text says it does."""

    clause: str | None = None
    schedule: str | None = None
    page: int | None = None
    line: int | None = None
    leave_out: list = field(default_factory=list)  # token lists
    insert: list = field(default_factory=list)  # token lists
    replace: list = field(default_factory=list)  # (left-out tokens, inserted tokens): both must be seen
    new_provision: tuple | None = None  # (kind, heading, text)
    remove_provision: tuple | None = None  # (kind, number)

    @property
    def words(self) -> bool:
        return bool(self.leave_out or self.insert or self.replace)


@dataclass
class Candidate:
    """An agreed amendment (or ping-pong amendment) that may have changed the text."""

    label: str
    text: str
    decision: str | None
    amendment_id: int | None = None
    pingpong_item_id: int | None = None
    clause: str | None = None
    schedule: str | None = None
    page: int | None = None
    line: int | None = None
    amendment_type: str | None = None

    def instruction(self) -> Instruction:
        found = read_instruction(self.text, self.decision)
        found.clause = found.clause or self.clause
        found.schedule = found.schedule or self.schedule
        found.page = found.page or self.page
        found.line = found.line or self.line
        return found


@dataclass
class Attribution:
    candidate: Candidate
    confidence: float
    how: str


def read_instruction(text: str | None, decision: str | None = None) -> Instruction:
    """An amendment's text to its :class:`Instruction`."""
    text = text or ""
    found = Instruction()
    where = _WHERE.match(text)
    if where:
        kind, number, page, line = where.groups()
        if kind:
            setattr(found, kind.lower(), number)
        found.page, found.line = int(page), int(line)
    else:
        provision = _WHERE_PROVISION.match(text)
        if provision:
            setattr(found, provision.group(1).lower(), provision.group(2))
    new = _NEW_PROVISION.search(text)
    if new:
        kind, body = new.group(1).lower(), new.group(2)
        heading, _, rest = body.strip().partition("\n")
        found.new_provision = (kind, heading.strip(), rest.strip())
        return found
    left_out = _LEAVE_OUT_PROVISION.search(text)
    stand_part = _STAND_PART.search(text) if decision == LEFT_OUT else None
    if left_out or stand_part:
        match = left_out or stand_part
        found.remove_provision = (match.group(1).lower(), match.group(2))
        return found
    for match in _REPLACE.finditer(text):
        # Only what differs between the two quoted texts changes ("leave out “Welsh Ministers”
        # and insert “Welsh Ministers or a Northern Ireland department”" inserts four words).
        ops = token_ops(tokens(match.group(1)), tokens(match.group(2)))
        left = [w for op, run in ops if op == "delete" for w in run]
        put = [w for op, run in ops if op == "insert" for w in run]
        if left and put:
            found.replace.append((left, put))
        elif put:
            found.insert.append(put)
        elif left:
            found.leave_out.append(left)
    text = _REPLACE.sub(" ", text)
    block = _INSERT_BLOCK.search(text)
    if block:
        found.insert.append(tokens(block.group(1)))
    else:
        found.insert.extend(tokens(m.group(1)) for m in _INSERT_WORDS.finditer(text))
    found.leave_out.extend(tokens(m.group(1)) for m in _LEAVE_OUT.finditer(text))
    part = _LEAVE_OUT_PART.search(text)
    if part:
        found.leave_out.append(tokens(part.group(2)))
    return found


def _contains(run: list, phrase: list) -> bool:
    n = len(phrase)
    return any(run[i : i + n] == phrase for i in range(len(run) - n + 1))


def _found_in(phrase: list, runs: list) -> float:
    """1 when ``phrase`` is within one changed run (in order); else the share of its words
    among the changed words when that share is high (a long inserted text reprinted with a
    small correction), else 0."""
    phrase = [w.lower() for w in phrase]
    lowered = [[w.lower() for w in run] for run in runs]
    if not phrase:
        return 0.0
    if any(_contains(run, phrase) for run in lowered):
        return 1.0
    pool = Counter(w for run in lowered for w in run)
    wanted = Counter(phrase)
    share = sum(min(count, pool[w]) for w, count in wanted.items()) / len(phrase)
    return share if share >= WORDS_FLOOR else 0.0


def _place(instruction: Instruction, old) -> tuple[float, str]:
    """How well the amendment's place fits the changed clause of the earlier print."""
    if old is None:
        return 0.0, ""
    family = FAMILY.get(old.kind)
    number = instruction.clause if family == "provision" else instruction.schedule if family == "schedule" else None
    named = number is not None and number == old.number
    within = False
    if instruction.page is not None and old.page is not None:
        start = (old.page, old.line_start or 0)
        end = (old.page_end or old.page, old.line_end or 10**6)
        within = start <= (instruction.page, instruction.line or 0) <= end
    where = ", ".join(filter(None, [
        f"{'clause' if family == 'provision' else 'schedule'} {number}" if named else None,
        f"page {instruction.page}, line {instruction.line}" if within else None,
    ]))
    if named and within:
        return 1.0, where
    if named or within:
        return 0.75 if named else 0.5, where
    return 0.0, ""


def score(candidate: Candidate, instruction: Instruction, kind: str, old, new, ops) -> tuple[float, str]:
    """``(confidence, how)`` that ``candidate`` made this change (0 when it cannot have)."""
    if kind == "inserted":
        if not instruction.new_provision:
            return 0.0, ""
        _, heading, text = instruction.new_provision
        proposed = type("Proposed", (), {"heading": heading, "text": text})()
        alike = similarity(proposed, new)
        return (round(alike, 3), "new clause's heading and text") if alike >= THRESHOLD else (0.0, "")
    if kind == "removed":
        if instruction.remove_provision and old is not None:
            family, number = instruction.remove_provision
            wanted = "provision" if family == "clause" else "schedule"
            if FAMILY.get(old.kind) == wanted and number == old.number:
                return 0.95, f"leaves out {family} {number}"
        return 0.0, ""
    if kind != "amended" or not instruction.words:
        return 0.0, ""
    deleted, inserted = words_of(ops, "delete"), words_of(ops, "insert")
    checks = [_found_in(p, deleted) for p in instruction.leave_out] + [_found_in(p, inserted) for p in instruction.insert]
    checks += [min(_found_in(left, deleted), _found_in(put, inserted)) for left, put in instruction.replace]
    words = sum(checks) / len(checks)
    if words < WORDS_FLOOR:
        return 0.0, ""
    place, where = _place(instruction, old)
    confidence = round(0.65 * words + 0.35 * place, 3)
    left_out = instruction.leave_out or instruction.replace
    put_in = instruction.insert or instruction.replace
    what = "words left out and inserted" if left_out and put_in else "words left out" if left_out else "words inserted"
    return confidence, "; ".join(filter(None, [where, what]))


def attribute(changes: list, candidates: list) -> tuple[dict, list]:
    """Link each candidate to the one change it fits best.

    ``changes``: objects with ``kind``, ``old``, ``new`` and ``diff["ops"]``.
    Returns ``({index of change: [Attribution]}, [candidates not found])``.
    """
    links: dict = {}
    unfound = []
    for candidate in candidates:
        instruction = candidate.instruction()
        best = (0.0, "", None)
        for index, change in enumerate(changes):
            confidence, how = score(candidate, instruction, change.kind, change.old, change.new, change.diff.get("ops") or [])
            if confidence > best[0]:
                best = (confidence, how, index)
        confidence, how, index = best
        if index is None or confidence < THRESHOLD:
            unfound.append(candidate)
            continue
        links.setdefault(index, []).append(Attribution(candidate, confidence, how))
    return links, unfound
