"""Each division's result and the Government's side; each vote with or against the
member's party and the Government.

* **Result**: passed when the ayes (contents) outnumber the noes (not-contents).
* **Government side**: the side most of the ministers and whips who voted took
  (:mod:`tracker.positions.government` says who they were that day); when none voted,
  the side of the question if the Government moved the amendment or motion divided on
  (the aye side, or the no side when the question undoes it); otherwise unknown.
* **Party**: a vote is with the party when it is on the side most of the party's
  members voting in that division took (tellers count: they vote too). A vote
  against that majority by a member of a whipped party is a rebellion; crossbench,
  non-affiliated and independent members have no whip to rebel against.
  ``members.party`` is the member's latest party (the Members API's), which is the
  party of the time for nearly everyone; a member who changed party since is
  compared with their new one.
* **Direction**: a question that undoes the linked item ("That this House disagrees
  with Lords Amendment 47A") has direction -1, so an aye there is a vote against
  the amendment.
"""
from collections import Counter
from dataclasses import dataclass

from tracker.positions.records import rows
from tracker.positions.rules import compiled

AYE_VOTES = frozenset({"aye", "content"})
UNWHIPPED = frozenset({"crossbench", "non-affiliated", "independent", "bishops", "speaker", "lord speaker", "deputy speaker"})


def side_of(vote: str) -> str:
    """``aye`` for aye/content, ``no`` for no/not-content."""
    return "aye" if (vote or "").lower() in AYE_VOTES else "no"


def question_direction(title: str) -> int:
    """-1 when the division's question undoes the item it is linked to, else +1."""
    for rule, regex in compiled("motions", "question"):
        if regex.search(title or ""):
            return rule["direction"]
    return 1


@dataclass(frozen=True)
class DivisionSide:
    division_id: str
    passed: int
    government_side: str
    government_basis: str
    question_direction: int


def _majority(sides) -> str:
    counts = Counter(sides)
    if not counts:
        return None
    (top, n), *rest = counts.most_common()
    return None if rest and rest[0][1] == n else top


def division_sides(db, government) -> dict:
    """``{division_id: DivisionSide}`` for every division not removed upstream."""
    divisions = rows(db, """SELECT d.division_id, d.date, d.title, d.aye_count, d.no_count,
                                   COALESCE(a.lead_sponsor_id, p.lead_sponsor_id) AS mover_id, m.name AS mover
                            FROM divisions d
                            LEFT JOIN amendments a ON a.amendment_id = d.amendment_id
                            LEFT JOIN pingpong_items p ON p.pingpong_item_id = d.pingpong_item_id
                            LEFT JOIN members m ON m.member_id = COALESCE(a.lead_sponsor_id, p.lead_sponsor_id)
                            WHERE d.removed_at IS NULL""")
    votes = {}
    for v in rows(db, "SELECT v.division_id, v.member_id, v.vote, m.name FROM division_votes v LEFT JOIN members m USING (member_id)"):
        votes.setdefault(v["division_id"], []).append(v)
    out = {}
    for d in divisions:
        direction = question_direction(d["title"])
        ministers = [v for v in votes.get(d["division_id"], []) if government.is_minister(v["member_id"], d["date"])]
        side = _majority(side_of(v["vote"]) for v in ministers)
        if side:
            names = ", ".join(sorted(v["name"] or str(v["member_id"]) for v in ministers))
            basis = f"ministers and whips voting: {names}"
        elif d["mover_id"] is not None and government.is_minister(d["mover_id"], d["date"]):
            side = "aye" if direction > 0 else "no"
            basis = f"moved by the Government ({d['mover'] or d['mover_id']})"
        else:
            basis = "no minister voted and the Government did not move it"
        passed = None if d["aye_count"] is None or d["no_count"] is None else int(d["aye_count"] > d["no_count"])
        out[d["division_id"]] = DivisionSide(d["division_id"], passed, side, basis, direction)
    return out


def vote_alignment(db, sides: dict) -> list:
    """One row per division vote: the member's party, with or against its majority and the Government, rebellion."""
    votes = rows(db, """SELECT v.division_id, v.member_id, v.vote, m.party FROM division_votes v
                        LEFT JOIN members m ON m.member_id = v.member_id ORDER BY v.division_id, v.member_id""")
    majority = {}
    by_party = {}
    for v in votes:
        if v["party"]:
            by_party.setdefault((v["division_id"], v["party"]), []).append(side_of(v["vote"]))
    for key, found in by_party.items():
        majority[key] = _majority(found)
    out = []
    for v in votes:
        side = side_of(v["vote"])
        division = sides.get(v["division_id"])
        party_majority = majority.get((v["division_id"], v["party"])) if v["party"] else None
        with_party = None if party_majority is None else int(side == party_majority)
        government_side = division.government_side if division else None
        out.append({
            "division_id": v["division_id"], "member_id": v["member_id"], "vote": v["vote"], "side": side,
            "party": v["party"], "party_majority": party_majority, "with_party": with_party,
            "government_side": government_side,
            "with_government": None if government_side is None else int(side == government_side),
            "rebellion": int(with_party == 0 and (v["party"] or "").lower() not in UNWHIPPED),
        })
    return out
