"""Position evidence and the positions it adds up to.

Evidence is of three kinds, each pointing at its record:

* **sponsored** / **added name**: the member's name on an amendment or motion
  (``amendments``/``pingpong_items``); a sponsor supports what they sign.
* **spoke**: a speech (``contributions``) with the stance :mod:`tracker.positions.stance`
  reads from its sentences (supports, opposes, or neutral when it only names the topic).
* **voted**: a vote in a division (``divisions``) on an amendment or motion: an aye
  (content) supports the item voted on, unless the question undoes it.

Evidence about an amendment or motion counts for its topics: its family (turned
round for a step of polarity -1: backing a motion to disagree opposes the proposal)
and the provisions and suppliers tagged in its text. A member's position on a
topic is *supports* or *opposes* when all their evidence with a stance agrees,
*mixed* when it does not, and *unknown* when they only spoke about it; a stance is
never stated without a row of evidence behind it.
"""
from collections import defaultdict
from dataclasses import dataclass
from datetime import date as Date

from tracker.positions.families import heading
from tracker.positions.records import (
    AMENDMENTS,
    PINGPONG,
    family_topic,
    load_items,
    rows,
)
from tracker.positions.stance import speech_stances
from tracker.positions.votes import side_of

TURN = {"supports": "opposes", "opposes": "supports", "neutral": "neutral"}


@dataclass
class Evidence:
    member_id: int
    topic: str
    kind: str
    ref_table: str
    ref_id: str
    stance: str
    quote: str
    date: str
    detail: str
    rule: str = None
    bill_stage_id: int = None
    amendment_id: int = None
    pingpong_item_id: int = None
    contribution_id: int = None
    division_id: str = None


def item_topics(families: list, items: dict) -> dict:
    """``{item key: [(topic, polarity)]}``: a family's step counts for the family and the family's main
    provision or supplier (with the step's polarity); an item in no family for every tag of its text."""
    out = defaultdict(list)
    for family in families:
        for member in family.members:
            out[member.item.key].append((family_topic(family.family_id), member.polarity))
            if family.topic:
                out[member.item.key].append((family.topic, member.polarity))
    for key, item in items.items():
        if key not in out:
            out[key] = [(tag, 1) for tag in sorted(item.tags)]
    return out


def _key(ref: str) -> tuple:
    table, _, item_id = ref.partition("/")
    return (table, int(item_id))


def _item_columns(item):
    return {"amendment_id": item.item_id if item.table == AMENDMENTS else None,
            "pingpong_item_id": item.item_id if item.table == PINGPONG else None}


def collect(db, families: list, sides: dict) -> list:
    """Every piece of position evidence, one row per member, topic and record."""
    items = load_items(db)
    topics = item_topics(families, items)
    found = []
    for item in items.values():
        for position, member_id in enumerate(item.sponsors):
            kind = "sponsored" if position == 0 else "added name"
            for topic, polarity in topics.get(item.key, ()):
                found.append(Evidence(member_id, topic, kind, item.table, str(item.item_id), _turn("supports", polarity),
                                      f"{item.label}: {_gist(item)}", item.date, f"{kind} {item.label} ({item.house} {item.stage})",
                                      None, item.stage_id, **_item_columns(item)))
    for speech in speech_stances(db):
        if speech.key.startswith((AMENDMENTS + "/", PINGPONG + "/")):
            item = items.get(_key(speech.key))
            expanded = topics.get(item.key, ()) if item else ()
            columns = _item_columns(item) if item else {}
        else:
            expanded, columns = [(speech.key, 1)], {}
        for topic, polarity in expanded:
            found.append(Evidence(speech.member_id, topic, "spoke", "contributions", str(speech.contribution_id),
                                  _turn(speech.stance, polarity), speech.quote, speech.date, f"spoke {_day(speech.date)}",
                                  speech.rule, speech.bill_stage_id, contribution_id=speech.contribution_id, **columns))
    for division in rows(db, """SELECT division_id, date, title, bill_stage_id, amendment_id, pingpong_item_id
                                FROM divisions WHERE removed_at IS NULL"""):
        key = (AMENDMENTS, division["amendment_id"]) if division["amendment_id"] is not None else (PINGPONG, division["pingpong_item_id"])
        item = items.get(key)
        if item is None:
            continue
        direction = sides[division["division_id"]].question_direction if division["division_id"] in sides else 1
        for vote in rows(db, "SELECT member_id, vote FROM division_votes WHERE division_id = ?", [division["division_id"]]):
            stance = "supports" if (side_of(vote["vote"]) == "aye") == (direction > 0) else "opposes"
            for topic, polarity in topics.get(item.key, ()):
                found.append(Evidence(vote["member_id"], topic, "voted", "divisions", division["division_id"], _turn(stance, polarity),
                                      division["title"], division["date"],
                                      f"voted {vote['vote']} on division {division['division_id']}",
                                      f"vote {side_of(vote['vote'])}, question direction {direction:+d}", division["bill_stage_id"],
                                      division_id=division["division_id"], **_item_columns(item)))
    return _merge(found)


def _turn(stance, polarity):
    return TURN[stance] if polarity < 0 else stance


def _gist(item):
    return heading(item) or (item.summary or item.text or "").split("\n")[0][:160]


def _day(iso):
    if not iso:
        return "on an unknown day"
    day = Date.fromisoformat(iso[:10])
    return f"{day.day} {day:%b %Y}"


def _merge(found):
    """One row per member, topic, kind, record and stance: a speech naming a topic twice is one piece of
    evidence, and a record that cuts both ways (a minister resisting a clause while promising its aim) is two."""
    merged = {}
    for evidence in found:
        key = (evidence.member_id, evidence.topic, evidence.kind, evidence.ref_table, evidence.ref_id)
        merged.setdefault(key, {}).setdefault(evidence.stance, evidence)
    out = []
    for by_stance in merged.values():
        with_stance = [e for stance, e in by_stance.items() if stance != "neutral"]
        out += with_stance or [by_stance["neutral"]]
    return sorted(out, key=lambda e: (e.member_id, e.topic, e.date or "", e.kind, e.ref_table, e.ref_id, e.stance))


def positions(evidence: list) -> list:
    """``member_positions`` rows: each member's stance on each topic, from their evidence."""
    grouped = defaultdict(list)
    for e in evidence:
        grouped[(e.member_id, e.topic)].append(e)
    out = []
    for (member_id, topic), found in sorted(grouped.items()):
        supports = sum(e.stance == "supports" for e in found)
        opposes = sum(e.stance == "opposes" for e in found)
        stance = "mixed" if supports and opposes else "supports" if supports else "opposes" if opposes else "unknown"
        out.append({
            "member_id": member_id, "topic": topic, "stance": stance, "evidence_count": len(found),
            "supports": supports, "opposes": opposes, "neutral": len(found) - supports - opposes,
            "last_date": max((e.date for e in found if e.date), default=None),
            "summary": summary(found),
        })
    return out


def summary(found: list) -> str:
    """"sponsored NC2 (Commons Report stage), spoke 13 Jun 2023, voted aye on Commons division 1555"."""
    ordered = sorted(found, key=lambda e: (e.date or "", e.kind))
    return ", ".join(dict.fromkeys(e.detail for e in ordered))
