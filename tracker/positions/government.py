"""Who was in the Government when: the ministers and whips whose votes show the
Government's side of a division, and whose words can be Government commitments.

Two kinds of evidence, both dated:

* the office holders of ``nlp/data/offices.jsonl`` (an office held from one date to another);
* ministerial acts in the database: a written statement made, a written question
  answered, or a speech under a ministerial title ("The Minister of State, Cabinet
  Office (Baroness Neville-Rolfe)"; the titles are in ``rules/government.jsonl``).
  One act says only that the member was a minister that day, so acts count for
  ``ACT_MARGIN_DAYS`` either side of the first and last of them.
"""
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from nlp.components import DATA_DIR, read_jsonl
from nlp.matcher import surface_key
from nlp.members import resolve_offices
from tracker.positions.records import rows, table_names
from tracker.positions.rules import load_rules

ACT_MARGIN_DAYS = 183


@dataclass(frozen=True)
class Term:
    """A span of days a member was a minister, and what says so."""

    member_id: int
    start: str  # YYYY-MM-DD, or None: since ever
    end: str  # exclusive, or None: still
    basis: str
    department: str = None


class Government:
    """Ministers (and whips) by date, from office holders and ministerial acts."""

    def __init__(self, terms):
        self.terms = defaultdict(list)
        for term in terms:
            self.terms[term.member_id].append(term)

    @classmethod
    def from_db(cls, db, data_dir=None) -> "Government":
        return cls(list(office_terms(db, data_dir)) + list(act_terms(db)))

    def is_minister(self, member_id, on: str) -> bool:
        return self.term(member_id, on) is not None

    def term(self, member_id, on: str):
        """The term that makes ``member_id`` a minister on ``on`` (YYYY-MM-DD), or None."""
        if member_id is None or not on:
            return None
        on = on[:10]
        for term in self.terms.get(member_id, ()):
            if (term.start is None or term.start <= on) and (term.end is None or on < term.end):
                return term
        return None

    def department(self, member_id, on: str | None = None):
        """The member's department on ``on`` (or in any term), when an act names it."""
        terms = [t for t in self.terms.get(member_id, ()) if t.department]
        dated = [t for t in terms if on and (t.start is None or t.start <= on[:10]) and (t.end is None or on[:10] < t.end)]
        chosen = dated or terms
        return chosen[0].department if chosen else None


def office_terms(db, data_dir=None):
    """Terms of the office holders named in ``offices.jsonl`` who are members in ``db``."""
    path = (data_dir or DATA_DIR) / "offices.jsonl"
    if not path.exists():
        return
    by_name = defaultdict(set)
    names = rows(db, "SELECT member_id, name FROM members")
    if "member_names" in table_names(db):
        names += rows(db, "SELECT member_id, name FROM member_names")
    for r in names:
        if r["name"]:
            by_name[surface_key(r["name"])].add(r["member_id"])
    offices = read_jsonl(path)
    names_of = {o["office_id"]: o["name"] for o in offices}
    for office_id, holders in resolve_offices(offices, by_name).items():
        for member_id, start, end, _name in holders:
            if member_id is not None:
                yield Term(member_id, start, end, f"office: {names_of[office_id]}")


def _ministerial_title():
    patterns = [r["regex"] for r in load_rules("government") if r.get("kind") == "title"]
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)


_DEPARTMENT = re.compile(r"^[^,(]+,\s*([^(]+?)\s*\(")


def speech_department(attributed_to: str):
    """The department in a ministerial attribution ("The Minister of State, Cabinet Office (...)")."""
    match = _DEPARTMENT.match(attributed_to or "")
    return match.group(1).strip() if match else None


def is_ministerial_title(attributed_to: str) -> bool:
    return bool(attributed_to) and _ministerial_title().match(attributed_to) is not None


def act_terms(db):
    """Terms spanning each member's dated ministerial acts, widened by ``ACT_MARGIN_DAYS``."""
    tables = table_names(db)
    acts = []  # (member_id, date, basis, department)
    if "written_statements" in tables:
        acts += [(r["member_id"], r["date"], "written statement", r["answering_body"])
                 for r in rows(db, "SELECT member_id, date, answering_body FROM written_statements WHERE member_id IS NOT NULL AND removed_at IS NULL")]
    if "written_questions" in tables:
        acts += [(r["answering_member_id"], r["date_answered"], "written answer", r["answering_body"])
                 for r in rows(db, """SELECT answering_member_id, date_answered, answering_body FROM written_questions
                                      WHERE answering_member_id IS NOT NULL AND date_answered IS NOT NULL AND removed_at IS NULL""")]
    if {"contributions", "debates"} <= tables:
        title = _ministerial_title()
        for r in rows(db, """SELECT c.member_id, d.date, c.attributed_to FROM contributions c JOIN debates d ON d.debate_id = c.debate_id
                             WHERE c.member_id IS NOT NULL AND c.removed_at IS NULL"""):
            if title.match(r["attributed_to"] or ""):
                acts.append((r["member_id"], r["date"], "speech as a minister", speech_department(r["attributed_to"])))
    by_member = defaultdict(list)
    for member_id, on, basis, department in acts:
        if on:
            by_member[member_id].append((on[:10], basis, department))
    margin = timedelta(days=ACT_MARGIN_DAYS)
    for member_id, found in by_member.items():
        found.sort()
        first, last = date.fromisoformat(found[0][0]), date.fromisoformat(found[-1][0])
        kinds = ", ".join(sorted({basis for _, basis, _ in found}))
        department = next((d for _, _, d in reversed(found) if d), None)
        yield Term(member_id, (first - margin).isoformat(), (last + margin + timedelta(days=1)).isoformat(),
                   f"{kinds} {found[0][0]} to {found[-1][0]}", department)
