"""A bill's story as pages: the bill (stages drawn as a timeline, amendments, divisions, debates,
versions, Act), a debate read in order, and a division with every vote; and the home page's
member finder.

Each loader takes a Datasette ``Database`` and returns the page's context, or None when there
is no such record. Links come from :func:`pages.record_path` (the schema's pages, else row
pages); Parliament's own pages from each table's ``human_url`` (:func:`human_urls`).
"""
from __future__ import annotations

import datetime as dt
import json
import re

from markupsafe import Markup

from tracker.publish.pages import highlighted_fields, many, one, record_labels, record_path
from tracker.store import schema
from tracker.vocab import Decision, House, NameKind

# A stage's amendments listed on the bill page before it points to the full list.
AMENDMENTS_PER_STAGE = 200
MEMBER_MATCHES = 10


def readable(code: str | None) -> str | None:
    return Decision.readable_name(code)


async def human_urls(db, table: str, ids) -> dict[str, str]:
    """``{str(id): url}``: each record's page on Parliament's own website (the table's ``human_url``).

    One indexed query, the ids compared with the key as it is stored (as :func:`pages.record_labels`
    does): a cast of the key would read every row (86 ms an amendment page at 100,000 amendments)."""
    declared = schema.TABLES.get(table)
    ids = sorted({str(i) for i in ids if i not in (None, "")})
    if declared is None or declared.human_url is None or not ids:
        return {}
    rows = await many(
        db,
        f"SELECT t.[{declared.id}] AS id, {declared.human_url} AS url FROM [{table}] t"
        f" WHERE t.[{declared.id}] IN (SELECT value FROM json_each(?))",
        [json.dumps(ids)],
    )
    return {str(r["id"]): r["url"] for r in rows if r["url"]}


async def human_url(db, table: str, record_id) -> str | None:
    return (await human_urls(db, table, [record_id])).get(str(record_id))


def has_route(datasette, path: str) -> bool:
    """Whether a plugin serves ``path`` (a page links only to pages that exist)."""
    from datasette.plugins import pm

    return any(re.match(regex, path) for routes in pm.hook.register_routes(datasette=datasette) for regex, _ in routes)


def _date(value) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def timeline_svg(stages: list[dict], *, width: int = 760) -> Markup:
    """The stages as an inline SVG chart: one lane per House, each stage a mark from its first
    to its last sitting, labelled by its abbreviation, years along the bottom. Scales to the
    page's width (``viewBox``); each mark has a ``<title>`` with the stage's name and dates."""
    dated = [(s, _date(s.get("first_sitting") or s.get("last_sitting")), _date(s.get("last_sitting") or s.get("first_sitting")))
             for s in stages]
    dated = [(s, a, b) for s, a, b in dated if a and b]
    if not dated:
        return Markup("")
    start = min(a for _, a, _ in dated)
    end = max(b for _, _, b in dated)
    span = max((end - start).days, 1)
    left, right, lane_h, top = 80, 20, 46, 10
    lanes = [h.value for h in House] + sorted({s.get("house") or "Other" for s, _, _ in dated} - {h.value for h in House})
    lanes = [lane for lane in lanes if any((s.get("house") or "Other") == lane for s, _, _ in dated)]
    height = top + lane_h * len(lanes) + 30

    def x(day: dt.date) -> float:
        return left + (width - left - right) * (day - start).days / span

    out = [Markup('<svg class="stage-timeline" role="img" viewBox="0 0 {} {}" width="100%" preserveAspectRatio="xMinYMin meet"'
                  ' xmlns="http://www.w3.org/2000/svg"><title>Stages of the bill by House and date</title>').format(width, height)]
    for i, lane in enumerate(lanes):
        y = top + i * lane_h
        colour = "#006e46" if lane == House.COMMONS else "#b50938" if lane == House.LORDS else "#555"
        named = {s.get("description") for s, _, _ in dated if (s.get("house") or "Other") == lane}
        # A lane of no House (the API's "Unassigned" for Royal Assent) is named by its one stage.
        name = lane if lane in tuple(House) or len(named) != 1 else str(next(iter(named)))
        out.append(Markup('<text x="4" y="{}" font-size="13" fill="{}">{}</text>').format(y + 27, colour, name[:11]))
        out.append(Markup('<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="#ddd"/>').format(left, width - right, y + 22, y + 22))
        for n, (s, a, b) in enumerate([d for d in dated if (d[0].get("house") or "Other") == lane]):
            x0, x1 = x(a), x(b)
            label = s.get("abbreviation") or (s.get("description") or "")[:3]
            tip = f"{s.get('description')}, {lane}: {a.isoformat()}" + (f" to {b.isoformat()}" if b != a else "")
            out.append(Markup('<g class="stage-mark"><title>{}</title><rect x="{:.1f}" y="{}" width="{:.1f}" height="12" rx="3" fill="{}"/>'
                              '<text x="{:.1f}" y="{}" font-size="10" text-anchor="middle" fill="#333">{}</text></g>').format(
                tip, x0 - 3, y + 16, max(x1 - x0, 0) + 6, colour, (x0 + x1) / 2, y + (12 if n % 2 else 44), label))
    axis_y = top + lane_h * len(lanes) + 8
    for year in range(start.year, end.year + 2):
        for month in (1, 7):
            tick = dt.date(year, month, 1)
            if start <= tick <= end:
                out.append(Markup('<line x1="{0:.1f}" x2="{0:.1f}" y1="{1}" y2="{2}" stroke="#999"/>'
                                  '<text x="{0:.1f}" y="{3}" font-size="11" text-anchor="middle" fill="#555">{4}</text>').format(
                    x(tick), top, axis_y, axis_y + 14, tick.strftime("%b %Y")))
    out.append(Markup("</svg>"))
    return Markup("").join(out)


def bill_status(bill: dict) -> str:
    if bill.get("is_act"):
        return "Act of Parliament: received Royal Assent"
    if bill.get("is_defeated"):
        return "Defeated"
    if bill.get("withdrawn"):
        return f"Withdrawn on {bill['withdrawn']}"
    house = bill.get("current_house")
    return f"In progress{', in the ' + house if house in tuple(House) else ''}"


def division_result(d: dict) -> dict:
    """``{passed, text}``: whether the question was agreed, said as each House says it."""
    ayes, noes = d.get("aye_count") or 0, d.get("no_count") or 0
    lords = d.get("house") == House.LORDS
    yes, no = ("Contents", "Not contents") if lords else ("Ayes", "Noes")
    if ayes == noes:
        return {"passed": None, "text": f"Tied, {ayes} to {noes}", "yes": yes, "no": no}
    passed = ayes > noes
    side = yes if passed else no
    return {"passed": passed, "text": f"{'Agreed' if passed else 'Not agreed'}: the {side} have it, {max(ayes, noes)} to {min(ayes, noes)}",
            "yes": yes, "no": no}


async def bill(datasette, db, bill_id):
    """A bill's story: status, stages (and their chart), amendments by stage, divisions, debates, versions, Act."""
    b = await one(db, "SELECT * FROM bills WHERE bill_id = ?", [bill_id])
    if b is None:
        return None
    page = {"bill": b, "status": bill_status(b)}
    stages = await many(db, "SELECT * FROM bill_stages WHERE bill_id = ? ORDER BY sort_order, first_sitting, bill_stage_id", [bill_id])
    stage_urls = await human_urls(db, "bill_stages", [s["bill_stage_id"] for s in stages])
    for s in stages:
        s["url"] = record_path(datasette, db.name, "bill_stages", s["bill_stage_id"])
        s["human_url"] = stage_urls.get(str(s["bill_stage_id"]))
        s["tabled"] = []
        s["more"] = 0
    page["stages"] = stages
    page["timeline"] = timeline_svg(stages)
    by_stage = {s["bill_stage_id"]: s for s in stages}
    for table in schema.tabled():
        stage_column = table.column_to("bill_stages")
        rows = await many(
            db,
            f"SELECT * FROM (SELECT t.[{table.id}] AS id, t.[{stage_column}] AS stage_id, {table.tabled.noun} AS noun, t.number,"
            f" t.decision, t.summary, t.lead_sponsor_id, m.name AS lead_sponsor,"
            f" row_number() OVER (PARTITION BY t.[{stage_column}] ORDER BY t.[{table.id}]) AS n"
            f" FROM [{table.name}] t LEFT JOIN members m ON m.member_id = t.lead_sponsor_id WHERE t.[{table.bill}] = ?)"
            f" WHERE n <= ?",
            [bill_id, AMENDMENTS_PER_STAGE + 1],
        )
        for r in rows:
            stage = by_stage.get(r["stage_id"])
            if stage is None:  # tabled at a stage the tracker has not recorded: still the bill's
                stage = by_stage.setdefault(None, {"bill_stage_id": "unrecorded", "description": "Stage not recorded", "house": None,
                                                   "tabled": [], "more": 0})
            if r["n"] > AMENDMENTS_PER_STAGE:
                at = f"{stage_column}={r['stage_id']}" if r["stage_id"] is not None else f"{stage_column}__isnull=1"
                stage["more"] = datasette.urls.table(db.name, table.name) + f"?{at}&{table.bill}={int(bill_id)}"
                continue
            r["url"] = record_path(datasette, db.name, table.name, r["id"])
            r["decision_text"] = readable(r["decision"])
            r["sponsor_url"] = record_path(datasette, db.name, "members", r["lead_sponsor_id"]) if r["lead_sponsor_id"] else None
            stage["tabled"].append(r)
    page["unstaged"] = [by_stage[None]] if None in by_stage else []
    for s in stages + page["unstaged"]:
        s["decisions"] = {}
        for item in s["tabled"]:
            key = item["decision_text"] or "No decision recorded"
            s["decisions"][key] = s["decisions"].get(key, 0) + 1
    divisions = await many(db, "SELECT * FROM divisions WHERE bill_id = ? ORDER BY date, division_id", [bill_id])
    for d in divisions:
        d["url"] = record_path(datasette, db.name, "divisions", d["division_id"])
        d["result"] = division_result(d)
        d["stage"] = by_stage.get(d.get("bill_stage_id"))
    page["divisions"] = divisions
    debates = await many(
        db,
        "SELECT d.debate_id, d.title, d.date, d.house, d.location, d.bill_stage_id, d.parent_debate_id,"
        " (SELECT count(*) FROM contributions c WHERE c.debate_id = d.debate_id) AS speeches"
        " FROM debates d WHERE d.bill_id = ? ORDER BY d.date, d.parent_debate_id IS NOT NULL, d.debate_id",
        [bill_id],
    )
    for d in debates:
        d["url"] = record_path(datasette, db.name, "debates", d["debate_id"])
        d["stage"] = by_stage.get(d.get("bill_stage_id"))
    page["debates"] = debates
    page["versions"] = await many(db, "SELECT version_id, label, bill_stage_id FROM bill_versions WHERE bill_id = ? ORDER BY rowid", [bill_id])
    # The versions pages are another room's route: linked once it is served.
    page["versions_url"] = datasette.urls.path(f"/-/bill/{int(bill_id)}/versions") if has_route(datasette, f"/-/bill/{int(bill_id)}/versions") else None
    acts = [v for v in page["versions"] if str(v["version_id"]).startswith("legislation/")]
    page["act"] = None
    if b.get("is_act") or acts:
        path = str(acts[0]["version_id"]).removeprefix("legislation/") if acts else None
        page["act"] = {
            "title": b.get("short_title") if b.get("is_act") else None,
            "url": f"https://www.legislation.gov.uk/{path}" if path else None,
            "label": acts[0]["label"] if acts else None,
            "clauses_url": datasette.urls.table(db.name, "bill_clauses") + f"?bill_id={int(bill_id)}",
        }
    page["human_url"] = await human_url(db, "bills", bill_id)
    return page


async def debate(datasette, db, debate_id):
    """A debate read in order: every contribution, speakers and referenced amendments linked."""
    d = await one(db, "SELECT * FROM debates WHERE debate_id = ?", [debate_id])
    if d is None:
        return None
    page = {"debate": d, "human_url": await human_url(db, "debates", debate_id)}
    page["bill_url"] = record_path(datasette, db.name, "bills", d["bill_id"]) if d.get("bill_id") else None
    page["bill"] = await one(db, "SELECT bill_id, short_title FROM bills WHERE bill_id = ?", [d.get("bill_id")])
    page["stage"] = await one(db, "SELECT * FROM bill_stages WHERE bill_stage_id = ?", [d.get("bill_stage_id")])
    if page["stage"]:
        page["stage"]["url"] = record_path(datasette, db.name, "bill_stages", page["stage"]["bill_stage_id"])
    page["parent"] = await one(db, "SELECT debate_id, title FROM debates WHERE debate_id = ?", [d.get("parent_debate_id")])
    if page["parent"]:
        page["parent"]["url"] = record_path(datasette, db.name, "debates", page["parent"]["debate_id"])
    page["sections"] = await many(db, "SELECT debate_id, title FROM debates WHERE parent_debate_id = ? ORDER BY debate_id", [debate_id])
    for s in page["sections"]:
        s["url"] = record_path(datasette, db.name, "debates", s["debate_id"])
    contributions = await many(
        db,
        "SELECT c.contribution_id, c.member_id, c.attributed_to, c.item_type, c.order_in_section, c.timecode, c.hansard_column,"
        " c.text, m.party FROM contributions c LEFT JOIN members m ON m.member_id = c.member_id"
        " WHERE c.debate_id = ? ORDER BY c.order_in_section, c.contribution_id",
        [debate_id],
    )
    references = await many(
        db,
        "SELECT ca.contribution_id, ca.amendment_id, ca.pingpong_item_id, ca.how, ca.reference"
        " FROM contribution_amendments ca JOIN contributions c ON c.contribution_id = ca.contribution_id"
        " WHERE c.debate_id = ? ORDER BY ca.rowid",
        [debate_id],
    )
    mentioned = await many(
        db,
        "SELECT CAST(m.doc_id AS TEXT) AS contribution_id, m.amendment_id, m.pingpong_item_id, m.text AS reference"
        " FROM mentions m WHERE m.doc_table = 'contributions' AND m.label = 'REFERENCE'"
        " AND (m.amendment_id IS NOT NULL OR m.pingpong_item_id IS NOT NULL)"
        " AND CAST(m.doc_id AS TEXT) IN (SELECT CAST(contribution_id AS TEXT) FROM contributions WHERE debate_id = ?)",
        [debate_id],
    )
    linked: dict[str, list[dict]] = {}
    for r in references + mentioned:
        table = "amendments" if r.get("amendment_id") is not None else "pingpong_items"
        target = r.get("amendment_id") if table == "amendments" else r.get("pingpong_item_id")
        entry = {"table": table, "id": target, "how": r.get("how"), "reference": r.get("reference")}
        bucket = linked.setdefault(str(r["contribution_id"]), [])
        if not any(e["table"] == table and str(e["id"]) == str(target) for e in bucket):
            bucket.append(entry)
    labels = {t: await record_labels(db, t, [e["id"] for es in linked.values() for e in es if e["table"] == t])
              for t in ("amendments", "pingpong_items")}
    for es in linked.values():
        for e in es:
            e["url"] = record_path(datasette, db.name, e["table"], e["id"])
            e["label"] = labels[e["table"]].get(str(e["id"])) or e["reference"] or f"{e['table']} {e['id']}"
    speeches = await human_urls(db, "contributions", [c["contribution_id"] for c in contributions])
    for c in contributions:
        c["member_url"] = record_path(datasette, db.name, "members", c["member_id"]) if c.get("member_id") else None
        c["row_url"] = record_path(datasette, db.name, "contributions", c["contribution_id"])
        c["amendments"] = linked.get(str(c["contribution_id"]), [])
        c["human_url"] = speeches.get(str(c["contribution_id"]))
        # The speech with its tagged mentions linked: references to amendments, members, suppliers.
        fields, _ = await highlighted_fields(datasette, db, schema.table("contributions"), c, ["text"])
        c["text_html"] = fields[0][1] if fields else None
    page["contributions"] = contributions
    page["divisions"] = await many(
        db, "SELECT division_id, title, date FROM divisions WHERE bill_stage_id = ? AND date = ? ORDER BY division_id",
        [d.get("bill_stage_id"), d.get("date")],
    )
    for div in page["divisions"]:
        div["url"] = record_path(datasette, db.name, "divisions", div["division_id"])
    return page


async def division(datasette, db, division_id):
    """A division: its result and counts, each vote with the member's party, and a party-by-vote summary."""
    d = await one(db, "SELECT * FROM divisions WHERE division_id = ?", [division_id])
    if d is None:
        return None
    page = {"division": d, "result": division_result(d), "human_url": await human_url(db, "divisions", division_id)}
    page["bill"] = await one(db, "SELECT bill_id, short_title FROM bills WHERE bill_id = ?", [d.get("bill_id")])
    page["bill_url"] = record_path(datasette, db.name, "bills", d["bill_id"]) if d.get("bill_id") else None
    page["stage"] = await one(db, "SELECT * FROM bill_stages WHERE bill_stage_id = ?", [d.get("bill_stage_id")])
    if page["stage"]:
        page["stage"]["url"] = record_path(datasette, db.name, "bill_stages", page["stage"]["bill_stage_id"])
    on = None
    for table in schema.tabled():
        target = d.get(schema.table("divisions").column_to(table.name))
        if target is not None:
            row = await one(db, f"SELECT t.number, t.decision, t.summary, {table.label} AS label FROM [{table.name}] t WHERE t.[{table.id}] = ?", [target])
            if row:
                on = {**row, "url": record_path(datasette, db.name, table.name, target), "decision_text": readable(row["decision"])}
    page["on"] = on
    votes = await many(
        db,
        "SELECT v.member_id, v.vote, v.is_teller, v.proxy_name, m.name, m.party FROM division_votes v"
        " LEFT JOIN members m ON m.member_id = v.member_id WHERE v.division_id = ? ORDER BY v.vote, m.name, v.member_id",
        [division_id],
    )
    for v in votes:
        v["url"] = record_path(datasette, db.name, "members", v["member_id"])
        v["side"] = vote_side(v["vote"])
    page["votes"] = votes
    parties: dict[str, dict[str, int]] = {}
    for v in votes:
        counts = parties.setdefault(v["party"] or "Unknown", {"aye": 0, "no": 0})
        if v["side"]:
            counts[v["side"]] += 1
    page["parties"] = sorted(parties.items(), key=lambda item: -(item[1]["aye"] + item[1]["no"]))
    return page


def vote_side(vote: str | None) -> str | None:
    """``aye`` or ``no`` for the Commons' and the Lords' words."""
    text = (vote or "").lower()
    if text in ("aye", "content"):
        return "aye"
    if text in ("no", "not-content", "not content"):
        return "no"
    return None


# A member matched by another name shows it ("formerly David Maclean"): a former name first, never a list form.
MEMBERS_LIKE_SQL = (
    "SELECT m.member_id, m.name, m.party, m.house, m.constituency,"
    " (SELECT n.name FROM member_names n WHERE n.member_id = m.member_id AND n.name LIKE :like AND m.name NOT LIKE :like"
    f"  AND n.kind = '{NameKind.FORMER}' ORDER BY n.name LIKE '%,%', n.name LIKE 'Rt Hon %' OR n.name LIKE 'The %'"
    " OR n.name LIKE 'Mr %' OR n.name LIKE 'Mrs %' OR n.name LIKE 'Ms %' OR n.name LIKE 'Miss %', length(n.name) LIMIT 1) AS matched_name"
    " FROM members m WHERE m.name LIKE :like"
    " OR m.member_id IN (SELECT n.member_id FROM member_names n WHERE n.name LIKE :like)"
    " ORDER BY m.name LIKE :prefix DESC, m.name LIMIT :limit"
)


async def find_members(datasette, db, q: str, limit: int = MEMBER_MATCHES) -> list[dict]:
    """Members whose name, or any name they have had, contains ``q``: the home page's finder."""
    q = " ".join(q.split())
    if len(q) < 2:
        return []
    escaped = q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    sql = MEMBERS_LIKE_SQL.replace("LIKE :like", "LIKE :like ESCAPE '\\'").replace("LIKE :prefix", "LIKE :prefix ESCAPE '\\'")
    rows = await many(db, sql, {"like": f"%{escaped}%", "prefix": f"{escaped}%", "limit": limit})
    for r in rows:
        r["url"] = record_path(datasette, db.name, "members", r["member_id"])
    return rows
