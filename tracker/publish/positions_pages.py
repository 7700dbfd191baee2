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
# of positions (from the member's rows of member_positions, as many as the topics they took a
# side on), the first few pieces of evidence of each (the index (member_id, topic, date, kind,
# ref_id), a few entries per position), the marks of the votes on the page, and a page of their
# commitments. ``views.member_summary`` reads everything, for ``tracker positions member``.
POSITIONS_SQL = (
    "SELECT p.member_id, p.topic, p.stance, p.evidence_count, p.supports, p.opposes, p.neutral, p.last_date, t.kind, t.name"
    " FROM member_positions p LEFT JOIN topics t ON t.topic = p.topic WHERE p.member_id = ? AND p.stance != 'unknown'"
    f" ORDER BY {_order('t.kind', views.KIND_ORDER)}, {_order('p.stance', views.STANCE_ORDER)}, p.evidence_count DESC, p.topic"
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
MEMBER_COMMITMENTS_SQL = (
    "SELECT commitment_id, member_id, made_on, status, deadline, source_table, source_id, topic FROM commitments"
    " WHERE member_id = ? AND removed_at IS NULL ORDER BY made_on, commitment_id"
)


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
    made = await pages.listing(db, MEMBER_COMMITMENTS_SQL, [member_id], pages.page_number(args, "commitments"), POSITIONS_SHOWN)
    page["lists"]["commitments"] = made
    page["commitments_made"] = _link_commitments(datasette, db.name, made.rows)
    page["commitments_url"] = datasette.urls.path("/-/commitments")
    return page


async def topics(datasette, db, _):
    found = await pages.many(
        db,
        "SELECT t.topic, t.kind, t.name, t.family_id,"
        " (SELECT count(*) FROM member_positions p WHERE p.topic = t.topic AND p.stance = 'supports') AS supports,"
        " (SELECT count(*) FROM member_positions p WHERE p.topic = t.topic AND p.stance = 'opposes') AS opposes,"
        " (SELECT count(*) FROM member_positions p WHERE p.topic = t.topic AND p.stance = 'mixed') AS mixed"
        " FROM topics t ORDER BY CASE t.kind WHEN 'family' THEN 0 WHEN 'provision' THEN 1 ELSE 2 END, t.name",
    )
    for t in found:
        t["url"] = topic_path(datasette, t["topic"])
        t["family_url"] = family_path(datasette, t["family_id"])
    return {"topics": found, "commitments_url": datasette.urls.path("/-/commitments")}


async def topic(datasette, db, topic_key):
    try:
        found = await db.execute_fn(lambda conn: views.topic_positions(conn, topic_key))
    except TrackerError:
        return None
    for group in ("supports", "opposes", "mixed", "unknown"):
        for m in found[group]:
            m["url"] = datasette.urls.path(f"/-/member/{m['member_id']}")
    evidence = await db.execute_fn(lambda conn: views.topic_evidence(conn, topic_key))
    marks = {(v["division_id"], v["member_id"]): v for v in await pages.many(
        db, "SELECT * FROM vote_alignment WHERE division_id IN (SELECT value FROM json_each(?))",
        [json.dumps(sorted({e["division_id"] for e in evidence if e["division_id"]}))])}
    by_member = {}
    for e in _link_evidence(datasette, db.name, evidence):
        e["mark"] = marks.get((e["division_id"], e["member_id"]))
        by_member.setdefault(e["member_id"], []).append(e)
    for group in ("supports", "opposes", "mixed"):
        for m in found[group]:
            m["evidence"] = by_member.get(m["member_id"], [])
    for d in found["votes"]:
        d["url"] = pages.record_path(datasette, db.name, "divisions", d["division_id"])
    _link_commitments(datasette, db.name, found["commitments"])
    if found.get("family"):
        found["family_url"] = family_path(datasette, found["family"]["family_id"])
    t = found["topic"]
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
    status = args.get("status") or None
    if status not in STATUSES:
        status = None
    found = await db.execute_fn(lambda conn: views.list_commitments(conn, status=status))
    found.sort(key=lambda c: (STATUSES.index(c["status"]) if c["status"] in STATUSES else len(STATUSES), c["deadline"] or "9999"))
    counts = {r["status"]: r["n"] for r in await pages.many(
        db, "SELECT status, count(*) AS n FROM commitments WHERE removed_at IS NULL GROUP BY status")}
    return {
        "commitments": _link_commitments(datasette, db.name, found), "status": status,
        "statuses": [{"status": s, "n": counts.get(s, 0), "url": datasette.urls.path("/-/commitments") + f"?status={s}"} for s in STATUSES],
        "all_url": datasette.urls.path("/-/commitments"), "topics_url": datasette.urls.path("/-/topics"),
    }


def _links(datasette, db, record_id, page):
    return {"topic_path": lambda t: topic_path(datasette, t), "family_path": lambda f: family_path(datasette, f)}


# Each page's route, made a view by ``plugin.page_route`` (as every custom page is).
ROUTES = [
    (r"^/-/topics$", {"load": topics, "template": "tracker_topics.html", "noun": "topics", "extra": _links}),
    (r"^/-/topic/(?P<topic>[^/]+)$", {"load": topic, "template": "tracker_topic.html", "noun": "topic", "url_var": "topic", "extra": _links}),
    (r"^/-/family/(?P<family_id>[^/]+)$",
     {"load": family, "template": "tracker_family.html", "noun": "amendment family", "url_var": "family_id", "extra": _links}),
    (r"^/-/commitments$", {"load": commitments, "template": "tracker_commitments.html", "noun": "commitments", "extra": _links, "paged": True}),
]
