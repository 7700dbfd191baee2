"""Campaigners' pages: each member's positions with their evidence, a page per topic, an amendment
family's journey through both Houses, and the Government's commitments.

Routes:
  /-/member/<id>            (the member page) gains its positions section and each vote's marks
  /-/topics                 every topic (amendment family, provision, supplier) with its supporters and opponents
  /-/topic/<topic>          who supports and who opposes a topic, by party, at which stage, with the votes
  /-/family/<family id>     one proposal's steps across stages and Houses, and whether it reached the Act
  /-/commitments[?status=]  the Government's commitments with their deadline, status and evidence

Everything shown is read by :mod:`tracker.positions.views` (run through Datasette's ``execute_fn``);
here each evidence row, step and commitment gets the link to the record it rests on.
"""
import json
import urllib.parse

from scrapers.errors import TrackerError
from tracker.positions import views
from tracker.publish import pages
from tracker.publish.versions_pages import clause_path, stored_steps, version_path

STATUSES = ("overdue", "due", "open", "fulfilled")


def topic_path(datasette, topic) -> str | None:
    return datasette.urls.path("/-/topic/" + urllib.parse.quote(str(topic), safe=":")) if topic else None


def family_path(datasette, family_id) -> str | None:
    return datasette.urls.path("/-/family/" + urllib.parse.quote(str(family_id), safe="")) if family_id else None


def _link_evidence(datasette, database, evidence):
    for e in evidence:
        e["url"] = pages.record_path(datasette, database, e["ref_table"], e["ref_id"])
    return evidence


def _link_commitments(datasette, database, commitments):
    for c in commitments:
        c["url"] = pages.record_path(datasette, database, c["source_table"], c["source_id"])
        c["topic_url"] = topic_path(datasette, c["topic"])
        c["member_url"] = datasette.urls.path(f"/-/member/{c['member_id']}") if c["member_id"] is not None else None
        for f in c.get("followups", ()):
            f["url"] = pages.record_path(datasette, database, f["source_table"], f["source_id"])
    return commitments


def _link_votes(datasette, database, votes):
    for v in votes:
        v["url"] = pages.record_path(datasette, database, "divisions", v["division_id"])
        item = ("amendments", v["amendment_id"]) if v.get("amendment_id") is not None else ("pingpong_items", v.get("pingpong_item_id"))
        v["item_url"] = pages.record_path(datasette, database, *item) if item[1] is not None else None
    return votes


EVIDENCE_SHOWN = 5  # pieces of evidence shown with each of a member's positions; the topic page has the rest
POSITIONS_SHOWN = 20  # positions (and commitments) on a page of the member page: each is a line of links


def _order(column, order) -> str:
    """``CASE column WHEN ... END``: SQL ordering by one of :mod:`views`' orders (the unlisted last)."""
    return "CASE " + column + "".join(f" WHEN '{value}' THEN {rank}" for value, rank in order.items()) + f" ELSE {len(order)} END"


# The member page reads only what it shows, however much a busy member has said and done: a page
# of positions (families, then provisions, then suppliers, as the topic's key names its kind, whose
# alphabetical order is views.KIND_ORDER; supports, opposes, mixed; the best evidenced first: the
# order of the index m0015 declares on these very expressions), the first few pieces of evidence of each (the index (member_id, topic, date, kind,
# ref_id), a few entries per position), the marks of the votes on the page, and a page of their
# commitments. ``views.member_summary`` reads everything, for ``tracker positions member``.
POSITIONS_SQL = (
    "SELECT p.member_id, p.topic, p.stance, p.evidence_count, p.supports, p.opposes, p.neutral, p.last_date, t.kind, t.name"
    " FROM member_positions p LEFT JOIN topics t ON t.topic = p.topic WHERE p.member_id = ? AND p.stance != 'unknown'"
    f" ORDER BY substr(p.topic, 1, instr(p.topic, ':')), {_order('p.stance', views.STANCE_ORDER)}, p.evidence_count DESC, p.topic"
)
EVIDENCE_SQL = (
    "SELECT e.*, s.description AS stage, s.house FROM json_each(?) j"
    " JOIN position_evidence e ON e.id IN (SELECT x.id FROM position_evidence x WHERE x.member_id = ? AND x.topic = j.value"
    " ORDER BY x.date, x.kind, x.ref_id LIMIT ?)"
    " LEFT JOIN bill_stages s ON s.bill_stage_id = e.bill_stage_id ORDER BY e.date, e.kind, e.ref_id"
)
MARKS_SQL = (
    "SELECT a.*, CASE s.passed WHEN 1 THEN 'passed' WHEN 0 THEN 'not passed' END AS result"
    " FROM vote_alignment a LEFT JOIN division_sides s ON s.division_id = a.division_id"
    " WHERE a.member_id = ? AND a.division_id IN (SELECT value FROM json_each(?))"
)
# Commitments not removed; ``{where}`` narrows them (a member's, a topic's, one status's: each an
# index) and ``{order}`` orders them. Their follow-ups: one query a page.
COMMITMENTS_SQL = (
    "SELECT c.commitment_id, c.member_id, m.name AS member, c.department, c.text, c.made_on, c.source_table, c.source_id,"
    " c.deadline, c.deadline_basis, c.status, c.fulfilled_by, c.bill_id, c.topic, t.name AS topic_name"
    " FROM commitments c LEFT JOIN members m ON m.member_id = c.member_id LEFT JOIN topics t ON t.topic = c.topic"
    " WHERE c.removed_at IS NULL{where} ORDER BY {order}"
)
BY_DEADLINE = "c.deadline IS NULL, c.deadline, c.commitment_id"  # one status's: the index (status, removed_at, deadline IS NULL, deadline)
BY_STATUS = _order("c.status", {s: i for i, s in enumerate(STATUSES)}) + ", " + BY_DEADLINE  # overdue first, then due, open, fulfilled
BY_DATE = "c.made_on, c.commitment_id"  # a member's, as they made them: the index (member_id, made_on)
STATUS_COUNTS_SQL = ("SELECT s.value AS status, (SELECT count(*) FROM commitments c WHERE c.status = s.value AND c.removed_at IS NULL) AS n"
                     " FROM json_each(?) s")
FOLLOWUPS_SQL = (
    "SELECT f.commitment_id, f.kind, f.source_table, f.source_id, f.date, f.quote, m.name AS member FROM commitment_followups f"
    " LEFT JOIN members m ON m.member_id = f.member_id WHERE f.commitment_id IN (SELECT value FROM json_each(?)) ORDER BY f.date"
)


async def _followed(datasette, db, found: pages.Listing) -> pages.Listing:
    """The page's commitments, each with its follow-ups and links."""
    followups = {}
    for f in await pages.many(db, FOLLOWUPS_SQL, [json.dumps([c["commitment_id"] for c in found.rows])]):
        followups.setdefault(f["commitment_id"], []).append(f)
    for c in found.rows:
        c["followups"] = followups.get(c["commitment_id"], [])
    _link_commitments(datasette, db.name, found.rows)
    return found


async def commitment_page(datasette, db, where, params, page_no, size=pages.PAGE_SIZE, order=BY_STATUS) -> pages.Listing:
    """A page of commitments (``where``: more conditions on ``c``; ``order``: how they are ordered)."""
    return await _followed(datasette, db, await pages.listing(db, COMMITMENTS_SQL.format(where=where, order=order), params, page_no, size))


async def every_commitment_page(datasette, db, counts, page_no, size=pages.PAGE_SIZE) -> pages.Listing:
    """A page of every commitment in the order of :data:`BY_STATUS`, read status by status through the
    index of each (``counts``: how many each status has, so the statuses before the page are skipped whole)."""
    skip, rows = (page_no - 1) * size, []
    for status in STATUSES:
        if skip >= counts.get(status, 0):
            skip -= counts.get(status, 0)
            continue
        rows += await pages.many(db, COMMITMENTS_SQL.format(where=" AND c.status = ?", order=BY_DEADLINE) + " LIMIT ? OFFSET ?",
                                 [status, size + 1 - len(rows), skip])
        skip = 0
        if len(rows) > size:
            break
    return await _followed(datasette, db, pages.Listing(rows[:size], page_no, len(rows) > size))


async def member(datasette, db, member_id, args=None):
    """The member page's record (:func:`pages.member`, ``args`` naming the page of each list) with a
    page of the member's positions at the top, each with its first pieces of evidence, and each
    vote's marks."""
    page = await pages.member(datasette, db, member_id, args)
    if page is None:
        return None
    positions = await pages.listing(db, POSITIONS_SQL, [member_id], pages.page_number(args, "positions"), POSITIONS_SHOWN)
    evidence = {}
    if positions.rows:
        for e in await pages.many(db, EVIDENCE_SQL, [json.dumps([p["topic"] for p in positions.rows]), member_id, EVIDENCE_SHOWN]):
            evidence.setdefault(e["topic"], []).append(e)
    for p in positions.rows:
        p["url"] = topic_path(datasette, p["topic"])
        p["evidence"] = _link_evidence(datasette, db.name, evidence.get(p["topic"], []))
    page["lists"]["positions"] = positions
    page["positions"] = positions.rows
    divisions = {v["division_id"] for v in page["votes"]} | {e["division_id"] for es in evidence.values() for e in es if e["division_id"]}
    page["vote_marks"] = {v["division_id"]: v for v in await pages.many(db, MARKS_SQL, [member_id, json.dumps(sorted(divisions))])}
    made = await commitment_page(datasette, db, " AND c.member_id = ?", [member_id], pages.page_number(args, "commitments"),
                                 POSITIONS_SHOWN, BY_DATE)
    page["lists"]["commitments"] = made
    page["commitments_made"] = made.rows
    page["commitments_url"] = datasette.urls.path("/-/commitments")
    return page


# Families, then provisions, then suppliers (views.KIND_ORDER, which is also their alphabetical
# order: so the index (kind, name) gives it), each by name.
TOPICS_SQL = "SELECT topic, kind, name, family_id FROM topics ORDER BY kind, name, topic"
# How many members take each side on each of these topics (the index (topic, stance)).
SIDES_SQL = (
    "SELECT topic, stance, count(*) AS n FROM member_positions"
    " WHERE topic IN (SELECT value FROM json_each(?)) AND stance IN ('supports', 'opposes', 'mixed') GROUP BY topic, stance"
)


async def topics(datasette, db, _, args):
    """A page of the topics (families, then provisions, then suppliers), with how many members take each side."""
    found = await pages.listing(db, TOPICS_SQL, [], pages.page_number(args, "topics"))
    sides = {(r["topic"], r["stance"]): r["n"] for r in await pages.many(db, SIDES_SQL, [json.dumps([t["topic"] for t in found.rows])])}
    for t in found.rows:
        t.update({stance: sides.get((t["topic"], stance), 0) for stance in ("supports", "opposes", "mixed")})
        t["url"] = topic_path(datasette, t["topic"])
        t["family_url"] = family_path(datasette, t["family_id"])
    return {"topics": found.rows, "lists": {"topics": found}, "commitments_url": datasette.urls.path("/-/commitments")}


# The topic page reads a page of each side's members (the index (topic, stance); at most one row
# a member), the first few pieces of each one's evidence (the member page's index), the divisions
# from the votes (the index (topic, kind, division_id): a family's few, none for a supplier however
# often it is named) and the stages from the evidence that has one (the covering index (topic,
# bill_stage_id, stance, member_id, date): every such entry of the topic is read, one index
# entry each, to name who took each side at each stage).
BY_PARTY_SQL = (
    "SELECT COALESCE(m.party, 'unknown') AS party, p.stance, count(*) AS n FROM member_positions p"
    " LEFT JOIN members m ON m.member_id = p.member_id WHERE p.topic = ? GROUP BY 1, 2 ORDER BY 1"
)
SIDE_SQL = (
    "SELECT p.member_id, p.topic, p.stance, p.evidence_count, m.name, m.party, m.house FROM member_positions p"
    " LEFT JOIN members m ON m.member_id = p.member_id WHERE p.topic = ? AND p.stance = ? ORDER BY m.party, m.name, p.member_id"
)
MEMBERS_EVIDENCE_SQL = (
    "SELECT e.*, s.description AS stage, s.house FROM json_each(?) j"
    " JOIN position_evidence e ON e.id IN (SELECT x.id FROM position_evidence x WHERE x.member_id = j.value AND x.topic = ?"
    " AND x.stance != 'neutral' ORDER BY x.date, x.kind, x.ref_id LIMIT ?)"
    " LEFT JOIN bill_stages s ON s.bill_stage_id = e.bill_stage_id ORDER BY e.date, e.kind, e.ref_id"
)
STAGES_SQL = (
    "SELECT e.bill_stage_id, s.description AS stage, s.house, min(e.date) AS date, e.stance, group_concat(DISTINCT m.name) AS names"
    " FROM position_evidence e LEFT JOIN bill_stages s ON s.bill_stage_id = e.bill_stage_id"
    " LEFT JOIN members m ON m.member_id = e.member_id"
    " WHERE e.topic = ? AND e.bill_stage_id IS NOT NULL AND e.stance != 'neutral'"
    " GROUP BY e.bill_stage_id, e.stance"
)
TOPIC_VOTES_SQL = (
    "SELECT d.division_id, d.house, d.number, d.date, d.title, d.aye_count, d.no_count, s.passed, s.government_side, s.question_direction,"
    " CASE s.passed WHEN 1 THEN 'passed' WHEN 0 THEN 'not passed' END AS result"
    " FROM divisions d LEFT JOIN division_sides s ON s.division_id = d.division_id"
    " WHERE d.division_id IN (SELECT DISTINCT division_id FROM position_evidence WHERE topic = ? AND kind = 'voted')"
    " ORDER BY d.date, d.division_id"
)
# For each division, its ayes and noes by party, and what an aye meant on this topic.
PARTY_VOTES_SQL = (
    "SELECT division_id, COALESCE(party, 'unknown') AS party, side, count(*) AS n FROM vote_alignment"
    " WHERE division_id IN (SELECT value FROM json_each(?)) GROUP BY 1, 2, 3 ORDER BY 1, 2"
)
AYE_MEANS_SQL = (
    "SELECT j.value AS division_id, (SELECT e.stance FROM position_evidence e JOIN vote_alignment a"
    " ON a.division_id = e.division_id AND a.member_id = e.member_id"
    " WHERE e.topic = ? AND e.kind = 'voted' AND e.division_id = j.value AND a.side = 'aye' LIMIT 1) AS stance FROM json_each(?) j"
)
TOPIC_MARKS_SQL = (
    "SELECT a.* FROM json_each(?) j JOIN vote_alignment a ON a.division_id = json_extract(j.value, '$[0]')"
    " AND a.member_id = json_extract(j.value, '$[1]')"
)


async def topic(datasette, db, topic_key, args):
    """Who supports and who opposes a topic (a page of each side, each member with the first pieces of
    their evidence), by party and by stage, with the divisions about it and the commitments on it."""
    t = await pages.one(db, "SELECT * FROM topics WHERE topic = ?", [topic_key])
    if t is None:
        return None
    found = {"topic": t, "lists": {}}
    by_party = {}
    for r in await pages.many(db, BY_PARTY_SQL, [topic_key]):
        by_party.setdefault(r["party"], dict.fromkeys(views.STANCE_ORDER, 0))[r["stance"]] = r["n"]
    found["by_party"] = [{"party": party, **counts} for party, counts in by_party.items()]
    found["counts"] = {stance: sum(c[stance] for c in by_party.values()) for stance in views.STANCE_ORDER}
    shown = []
    for stance in ("supports", "opposes", "mixed"):
        side = await pages.listing(db, SIDE_SQL, [topic_key, stance], pages.page_number(args, stance))
        found["lists"][stance] = side
        found[stance] = side.rows
        shown += side.rows
    evidence = await pages.many(db, MEMBERS_EVIDENCE_SQL, [json.dumps([m["member_id"] for m in shown]), topic_key, EVIDENCE_SHOWN])
    marks = {(v["division_id"], v["member_id"]): v for v in await pages.many(
        db, TOPIC_MARKS_SQL, [json.dumps([[e["division_id"], e["member_id"]] for e in evidence if e["division_id"]])])}
    by_member = {}
    for e in _link_evidence(datasette, db.name, evidence):
        e["mark"] = marks.get((e["division_id"], e["member_id"]))
        by_member.setdefault(e["member_id"], []).append(e)
    for m in shown:
        m["url"] = datasette.urls.path(f"/-/member/{m['member_id']}")
        m["evidence"] = by_member.get(m["member_id"], [])
    stages = {}
    for r in await pages.many(db, STAGES_SQL, [topic_key]):
        stage = stages.setdefault(r["bill_stage_id"], {"bill_stage_id": r["bill_stage_id"], "stage": r["stage"], "house": r["house"],
                                                        "date": r["date"], "supports": [], "opposes": []})
        stage["date"] = min(filter(None, (stage["date"], r["date"])), default=None)
        stage[r["stance"]] = (r["names"] or "").split(",") if r["names"] else []
    found["stages"] = sorted(stages.values(), key=lambda s: (s["date"] or "", s["bill_stage_id"] or 0))
    listed = await pages.listing(db, TOPIC_VOTES_SQL, [topic_key], pages.page_number(args, "votes"))
    found["lists"]["votes"] = listed
    votes = listed.rows
    division_ids = json.dumps([d["division_id"] for d in votes])
    parties, aye_means = {}, {}
    if votes:
        for r in await pages.many(db, PARTY_VOTES_SQL, [division_ids]):
            parties.setdefault(r["division_id"], {}).setdefault(r["party"], {"aye": 0, "no": 0})[r["side"]] = r["n"]
        aye_means = {r["division_id"]: r["stance"] for r in await pages.many(db, AYE_MEANS_SQL, [topic_key, division_ids])}
    for d in votes:
        d["url"] = pages.record_path(datasette, db.name, "divisions", d["division_id"])
        d["aye_means"] = aye_means.get(d["division_id"])
        d["by_party"] = [{"party": party, **counts} for party, counts in parties.get(d["division_id"], {}).items()]
    found["votes"] = votes
    commitments = await commitment_page(datasette, db, " AND c.topic = ?", [topic_key], pages.page_number(args, "commitments"))
    found["lists"]["commitments"] = commitments
    found["commitments"] = commitments.rows
    if t["kind"] == "family" and t["family_id"]:
        found["family_url"] = family_path(datasette, t["family_id"])
    found["entity_url"] = pages.entity_path(datasette, {"provision": "PROVISION", "supplier": "SUPPLIER"}.get(t["kind"]),
                                            t.get("provision_id") or t.get("supplier_id"))
    found["topics_url"] = datasette.urls.path("/-/topics")
    return found


async def family(datasette, db, family_id):
    try:
        timeline = await db.execute_fn(lambda conn: views.family_timeline(conn, family_id))
    except TrackerError:
        return None
    for step in timeline["steps"]:
        step["url"] = pages.record_path(datasette, db.name, *step["path"].split("/", 1))
        step["shown_changes"] = await stored_steps(datasette, db, step["text_changes"])
        for d in step["divisions"]:
            d["url"] = pages.record_path(datasette, db.name, "divisions", d["division_id"])
    outcome = timeline["text_outcome"]
    if outcome:
        outcome["clause_url"] = clause_path(datasette, outcome["clause_key"])
        outcome["version_url"] = version_path(datasette, outcome["change"]["to_version"])
    _link_commitments(datasette, db.name, timeline["commitments"])
    return {
        "family": timeline, "topic_url": topic_path(datasette, f"family:{family_id}"),
        "act_clause_url": pages.record_path(datasette, db.name, "bill_clauses", timeline["act_clause_id"]) if timeline.get("act_clause_id") else None,
        "topics_url": datasette.urls.path("/-/topics"),
    }


async def commitments(datasette, db, _, args):
    """A page of the Government's commitments, of one status (``?status=``) or all, with each status's count."""
    status = args.get("status") or None
    if status not in STATUSES:
        status = None
    counts = {r["status"]: r["n"] for r in await pages.many(db, STATUS_COUNTS_SQL, [json.dumps(STATUSES)])}
    page_no = pages.page_number(args, "commitments")
    if status:
        found = await commitment_page(datasette, db, " AND c.status = ?", [status], page_no, order=BY_DEADLINE)
    else:
        found = await every_commitment_page(datasette, db, counts, page_no)
    return {
        "commitments": found.rows, "lists": {"commitments": found}, "status": status,
        "statuses": [{"status": s, "n": counts.get(s, 0), "url": datasette.urls.path("/-/commitments") + f"?status={s}"} for s in STATUSES],
        "all_url": datasette.urls.path("/-/commitments"), "topics_url": datasette.urls.path("/-/topics"),
    }


def _links(datasette, db, record_id, page):
    return {"topic_path": lambda t: topic_path(datasette, t), "family_path": lambda f: family_path(datasette, f)}


# Each page's route, made a view by ``plugin.page_route`` (as every custom page is).
ROUTES = [
    (r"^/-/topics$", {"load": topics, "template": "tracker_topics.html", "noun": "topics", "extra": _links, "paged": True}),
    (r"^/-/topic/(?P<topic>[^/]+)$",
     {"load": topic, "template": "tracker_topic.html", "noun": "topic", "url_var": "topic", "extra": _links, "paged": True}),
    (r"^/-/family/(?P<family_id>[^/]+)$",
     {"load": family, "template": "tracker_family.html", "noun": "amendment family", "url_var": "family_id", "extra": _links}),
    (r"^/-/commitments$", {"load": commitments, "template": "tracker_commitments.html", "noun": "commitments", "extra": _links, "paged": True}),
]
