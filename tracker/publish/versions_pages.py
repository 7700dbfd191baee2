"""The bill's own text on the publication: its versions, a version's clauses, a clause's history
across versions, what changed between any two prints, and the changes an amendment made.

Routes:
  /-/bill/<id>/versions                      every print of the bill, and a form to compare two
  /-/bill/<id>/compare?from=V&to=V[&view=inline][&all=1]
                                             what changed between two prints, clause by clause,
                                             side by side (or inline), with the amendment behind each change
  /-/version/<version id>                    one print's clauses
  /-/clause/<clause key>                     one clause's text and its history across the versions

The stored steps (``clause_changes`` between consecutive prints, ``change_amendments``) are read
with :mod:`tracker.versions`' own functions through Datasette's ``execute_fn``; a comparison of any
two prints is computed by :func:`tracker.versions.compare`, as ``tracker diff`` computes it.
A change no agreed amendment explains is named "unexplained", never given an amendment.
"""
import json
import urllib.parse
from types import SimpleNamespace

from markupsafe import Markup

from scrapers.errors import TrackerError
from tracker import versions
from tracker.publish import pages
from tracker.store import schema
from tracker.versions import render as text_render

MAX_CHAIN = 100  # versions a clause's history may step through (a loop in stored steps stops here)


def versions_path(datasette, bill_id) -> str:
    return datasette.urls.path(f"/-/bill/{int(bill_id)}/versions")


def compare_path(datasette, bill_id, from_id, to_id, **options) -> str:
    query = {"from": from_id, "to": to_id, **{k: v for k, v in options.items() if v}}
    return datasette.urls.path(f"/-/bill/{int(bill_id)}/compare") + "?" + urllib.parse.urlencode(query)


def version_path(datasette, version_id) -> str | None:
    return pages.page_path(datasette, schema.table("bill_versions").page, version_id)


def clause_path(datasette, clause_key) -> str | None:
    return pages.page_path(datasette, schema.table("clauses").page, clause_key)


def _as_record(row):
    """A stored clause row as the renderer names it (``kind``, ``number``, ``heading``)."""
    return SimpleNamespace(kind=row["kind"] or "clause", number=row["number"], heading=row["heading"]) if row else None


def _diff_html(diff: dict) -> dict:
    ops = diff.get("ops") or []
    heading = diff.get("heading")
    return {
        "inline_html": Markup(text_render.marked_html(ops, "both")),
        "old_html": Markup(text_render.marked_html(ops, "old")),
        "new_html": Markup(text_render.marked_html(ops, "new")),
        "heading_html": Markup(text_render.marked_html(heading, "both")) if heading else None,
        "number_change": diff.get("number"),
    }


def _made_by(datasette, database, amendment_id, pingpong_item_id, label, confidence, how) -> dict:
    table, item = ("amendments", amendment_id) if amendment_id is not None else ("pingpong_items", pingpong_item_id)
    return {"label": label, "url": pages.record_path(datasette, database, table, item), "confidence": confidence, "how": how}


def computed_step(datasette, database, change) -> dict:
    """A change of :func:`tracker.versions.compare` as the templates show it."""
    return {
        "title": text_render.change_title(change),
        "kind": change.kind,
        "old_url": clause_path(datasette, change.old.key if change.old else None),
        "new_url": clause_path(datasette, change.new.key if change.new else None),
        **_diff_html(change.diff),
        "made_by": [
            _made_by(datasette, database, a.candidate.amendment_id, a.candidate.pingpong_item_id, a.candidate.label, a.confidence, a.how)
            for a in change.attributions
        ],
        "unexplained": None if change.attributions else text_render.unexplained_line(change.kind),
    }


async def stored_steps(datasette, db, rows: list[dict]) -> list[dict]:
    """Stored ``clause_changes`` rows (from :func:`versions.history` or :func:`versions.amendment_changes`)
    as the templates show them: titled by their clauses, each attributed amendment labelled and linked."""
    keys = {k for r in rows for k in (r.get("from_clause"), r.get("to_clause")) if k}
    clauses = {c["clause_key"]: c for c in await pages.many(
        db, "SELECT clause_key, kind, number, heading FROM clauses WHERE clause_key IN (SELECT value FROM json_each(?))",
        [_json_list(keys)])}
    labels = {}
    for table, column in (("amendments", "amendment_id"), ("pingpong_items", "pingpong_item_id")):
        ids = [a[column] for r in rows for a in r.get("amendments") or () if a.get(column) is not None]
        labels[table] = await pages.record_labels(db, table, ids)
    out = []
    for row in rows:
        old, new = _as_record(clauses.get(row.get("from_clause"))), _as_record(clauses.get(row.get("to_clause")))
        made_by = []
        for a in row.get("amendments") or ():
            table, item = ("amendments", a["amendment_id"]) if a.get("amendment_id") is not None else ("pingpong_items", a["pingpong_item_id"])
            made_by.append(_made_by(datasette, db.name, a.get("amendment_id"), a.get("pingpong_item_id"),
                                    labels[table].get(str(item)) or f"{table} {item}", a.get("confidence"), a.get("how")))
        out.append({
            "title": text_render.change_title(SimpleNamespace(kind=row["kind"], old=old, new=new)),
            "kind": row["kind"],
            "from_label": row.get("from_label"), "to_label": row.get("to_label"),
            "from_url": version_path(datasette, row.get("from_version")), "to_url": version_path(datasette, row.get("to_version")),
            "old_url": clause_path(datasette, row.get("from_clause")), "new_url": clause_path(datasette, row.get("to_clause")),
            "confidence": row.get("confidence"), "how": row.get("how"),
            **_diff_html(row.get("diff") or {}),
            "made_by": made_by,
            "unexplained": None if made_by or "amendments" not in row else text_render.unexplained_line(row["kind"]),
        })
    return out


def _json_list(values) -> str:
    return json.dumps(sorted(str(v) for v in values))


# -- loading each page ---------------------------------------------------------------------


async def bill_versions(datasette, db, bill_id):
    bill = await pages.one(db, "SELECT * FROM bills WHERE bill_id = ?", [bill_id])
    if bill is None:
        return None
    found = await db.execute_fn(lambda conn: versions.list_versions(conn, bill_id))
    readable = [v for v in found if not v["error"] and v["clause_count"]]
    previous = None
    for v in found:
        v["url"] = version_path(datasette, v["version_id"])
        v["readable"] = v in readable
        if v["readable"] and previous is not None:
            v["compare_url"] = compare_path(datasette, bill_id, previous["version_id"], v["version_id"])
        if v["readable"]:
            previous = v
    return {
        "bill": bill, "versions": found, "readable": readable,
        "default_from": readable[0]["version_id"] if readable else None,
        "default_to": readable[-1]["version_id"] if readable else None,
    }


async def version(datasette, db, version_id):
    v = await pages.one(db, "SELECT v.*, b.short_title FROM bill_versions v LEFT JOIN bills b ON b.bill_id = v.bill_id WHERE v.version_id = ?",
                        [version_id])
    if v is None:
        return None
    clauses = await pages.many(
        db,
        "SELECT clause_key, kind, number, heading, substr(text, 1, 240) AS excerpt, length(text) AS length, page, line_start,"
        " parent_key FROM clauses WHERE version_id = ? AND removed_at IS NULL ORDER BY position",
        [version_id],
    )
    for c in clauses:
        c["url"] = clause_path(datasette, c["clause_key"])
        c["name"] = text_render.provision_name(_as_record(c))
    found = await db.execute_fn(lambda conn: versions.list_versions(conn, v["bill_id"], readable_only=True))
    ids = [x["version_id"] for x in found]
    at = ids.index(version_id) if version_id in ids else None
    neighbours = {}
    if at is not None:
        if at > 0:
            neighbours["previous"] = {**found[at - 1], "url": version_path(datasette, ids[at - 1]),
                                      "compare_url": compare_path(datasette, v["bill_id"], ids[at - 1], version_id)}
        if at + 1 < len(ids):
            neighbours["next"] = {**found[at + 1], "url": version_path(datasette, ids[at + 1]),
                                  "compare_url": compare_path(datasette, v["bill_id"], version_id, ids[at + 1])}
    counts = await pages.many(db, "SELECT kind, count(*) AS n FROM clause_changes WHERE to_version = ? AND removed_at IS NULL"
                                  " GROUP BY kind ORDER BY kind", [version_id])
    return {"version": v, "clauses": clauses, "neighbours": neighbours, "change_counts": counts,
            "versions_url": versions_path(datasette, v["bill_id"])}


async def clause(datasette, db, clause_key):
    row = await pages.one(
        db,
        "SELECT c.*, v.label AS version_label, v.bill_id, v.date AS version_date FROM clauses c"
        " JOIN bill_versions v ON v.version_id = c.version_id WHERE c.clause_key = ?",
        [clause_key],
    )
    if row is None:
        return None
    first = clause_key
    seen = {first}
    for _ in range(MAX_CHAIN):  # back to the clause's first print, so its whole history shows
        earlier = await pages.one(db, "SELECT from_clause FROM clause_changes WHERE to_clause = ? AND from_clause IS NOT NULL"
                                      " AND removed_at IS NULL", [first])
        if earlier is None or earlier["from_clause"] in seen:
            break
        first = earlier["from_clause"]
        seen.add(first)
    steps = await db.execute_fn(lambda conn: versions.history(conn, row["bill_id"], first))
    fields, mentions = await pages.highlighted_fields(datasette, db, schema.table("clauses"), row, ["heading", "text"])
    children = await pages.many(db, "SELECT clause_key, kind, number, heading FROM clauses WHERE parent_key = ? AND removed_at IS NULL"
                                    " ORDER BY position", [clause_key])
    for c in children:
        c["url"] = clause_path(datasette, c["clause_key"])
        c["name"] = text_render.provision_name(_as_record(c))
    parent = await pages.one(db, "SELECT clause_key, kind, number, heading FROM clauses WHERE clause_key = ?", [row["parent_key"]])
    if parent:
        parent["url"] = clause_path(datasette, parent["clause_key"])
        parent["name"] = text_render.provision_name(_as_record(parent))
    return {
        "clause": row, "name": text_render.provision_name(_as_record(row)), "fields": dict(fields), "mentions": mentions,
        "steps": await stored_steps(datasette, db, steps), "children": children, "parent": parent,
        "version_url": version_path(datasette, row["version_id"]), "versions_url": versions_path(datasette, row["bill_id"]),
    }


async def comparison(datasette, db, bill_id, args):
    listing = await bill_versions(datasette, db, bill_id)
    if listing is None:
        return None
    wanted_from = args.get("from") or listing["default_from"]
    wanted_to = args.get("to") or listing["default_to"]
    view = "inline" if args.get("view") == "inline" else "side"
    show_all = args.get("all") == "1"
    page = {**listing, "view": view, "show_all": show_all, "error": None, "changes": [], "from_id": wanted_from, "to_id": wanted_to}
    if not wanted_from or not wanted_to:
        page["error"] = "This bill has fewer than two readable prints to compare."
        return page
    try:
        compared = await db.execute_fn(lambda conn: versions.compare(conn, bill_id, wanted_from, wanted_to))
    except TrackerError as exc:
        page["error"] = str(exc)
        return page
    counts = compared.counts()
    page.update(
        from_version=compared.from_version, to_version=compared.to_version,
        from_url=version_path(datasette, compared.from_version["version_id"]), to_url=version_path(datasette, compared.to_version["version_id"]),
        counts=sorted(counts.items()), unexplained=len(compared.unexplained()),
        explained=sum(1 for c in compared.changes if c.explained),
        changes=[computed_step(datasette, db.name, c) for c in compared.changes if show_all or c.kind != "unchanged"],
        not_found=[{"label": c.label, "url": _made_by(datasette, db.name, c.amendment_id, c.pingpong_item_id, c.label, None, None)["url"],
                    "first_line": (c.text or "").splitlines()[0] if c.text else ""} for c in compared.not_found],
        inline_url=compare_path(datasette, bill_id, wanted_from, wanted_to, view="inline", all="1" if show_all else None),
        side_url=compare_path(datasette, bill_id, wanted_from, wanted_to, all="1" if show_all else None),
        all_url=compare_path(datasette, bill_id, wanted_from, wanted_to, view="inline" if view == "inline" else None, all="1"),
    )
    return page


async def with_text_changes(datasette, db, page):
    """Add to an amendment's page (or a ping-pong item's) the changes it made to the bill's text."""
    if page is None:
        return None
    column = schema.table(page["table"]).id
    item = page["amendment"][column]
    keyword = {"amendments": "amendment_id", "pingpong_items": "pingpong_item_id"}.get(page["table"])
    rows = await db.execute_fn(lambda conn: versions.amendment_changes(conn, **{keyword: item})) if keyword else []
    page["text_changes"] = await stored_steps(datasette, db, rows)
    return page


async def amendment(datasette, db, amendment_id):
    """The amendment page's record (:func:`pages.amendment`) with the changes it made to the text."""
    return await with_text_changes(datasette, db, await pages.amendment(datasette, db, amendment_id))


# -- routes --------------------------------------------------------------------------------


def _links(datasette, db, record_id, page):
    return {"clause_path": lambda key: clause_path(datasette, key), "version_path": lambda v: version_path(datasette, v)}


# Each page's route, made a view by ``plugin.page_route`` (as every custom page is).
ROUTES = [
    (r"^/-/bill/(?P<bill_id>\d+)/versions$",
     {"load": bill_versions, "template": "tracker_versions.html", "noun": "bill", "url_var": "bill_id", "extra": _links}),
    (r"^/-/bill/(?P<bill_id>\d+)/compare$",
     {"load": comparison, "template": "tracker_compare.html", "noun": "bill", "url_var": "bill_id", "extra": _links, "paged": True}),
    (r"^/-/version/(?P<version_id>.+)$",
     {"load": version, "template": "tracker_version.html", "noun": "version", "url_var": "version_id", "extra": _links, "key": str}),
    (r"^/-/clause/(?P<clause_key>.+)$",
     {"load": clause, "template": "tracker_clause.html", "noun": "clause", "url_var": "clause_key", "extra": _links, "key": str}),
]
