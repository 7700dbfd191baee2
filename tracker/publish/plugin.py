"""The Datasette plugin: search page, amendment/member/supplier/provision pages, Atom feeds.

Loaded with ``--plugins-dir tracker/publish/plugins`` (see ``server.py``), whose
one module imports these hook implementations.

Routes (all read-only):
  /-/search?q=...[&kind=amendments][&page=2]   ranked search across every FTS table
  /-/amendment/<id>                             text with linked mentions, sponsors, history, divisions, debates
  /-/member/<id>                                a member's record
  /-/supplier/<id>, /-/provision/<id>           the record and every mention in context
  /-/feeds/changes.atom                         all changes
  /-/feeds/bill/<id>.atom                       one bill's changes
  <any query or table selecting changes>.atom   the output renderer
"""
import urllib.parse

from datasette import hookimpl
from datasette.utils import tilde_encode
from datasette.utils.asgi import NotFound, Response
from markupsafe import Markup, escape

from tracker.publish import feeds, pages, search

FEED_LIMIT = 200
SEARCH_PER_KIND = 20
SEARCH_MAX_PAGE = 100


async def tracker_db(datasette):
    """The tracker database: the first attached database holding ``amendments`` or ``bills``."""
    fallback = None
    for name, db in datasette.databases.items():
        if name.startswith("_"):
            continue
        fallback = fallback or db
        names = await db.table_names()
        if "amendments" in names or "bills" in names:
            return db
    if fallback is None:
        raise NotFound("No database is attached")
    return fallback


async def check_view(datasette, request, db):
    allowed = await datasette.permission_allowed(request.actor, "view-database", db.name, default=True)
    if not allowed:
        from datasette.utils.asgi import Forbidden

        raise Forbidden("You may not view this database")


def feed_path(datasette, bill_id=None):
    if bill_id is None:
        return datasette.urls.path("/-/feeds/changes.atom")
    return datasette.urls.path(f"/-/feeds/bill/{int(bill_id)}.atom")


def record_path(datasette, database, table, record_id):
    if table == "amendments" and str(record_id).isdigit():
        return datasette.urls.path(f"/-/amendment/{record_id}")
    if table == "members" and str(record_id).isdigit():
        return datasette.urls.path(f"/-/member/{record_id}")
    if table in ("suppliers", "provisions"):
        return datasette.urls.path(f"/-/{table[:-1]}/{urllib.parse.quote(str(record_id), safe='')}")
    return datasette.urls.row(database, table, ",".join(tilde_encode(p) for p in str(record_id).split("/")))


async def render(datasette, request, template, context):
    return Response.html(await datasette.render_template(template, context, request=request))


# --- search ---------------------------------------------------------------


async def search_page(request, datasette):
    db = await tracker_db(datasette)
    await check_view(datasette, request, db)
    q = (request.args.get("q") or "").strip()
    kind = request.args.get("kind") or ""
    try:
        page_no = max(1, min(int(request.args.get("page") or 1), SEARCH_MAX_PAGE))
    except ValueError:
        page_no = 1
    tables = set(await db.table_names())
    pks = {t: ((await db.primary_keys(t)) or ["rowid"])[0] for t in search.KINDS if t in tables}
    queries = search.kind_queries(tables, pks)
    results, counts, error, windowed = [], {}, None, []
    exact = request.args.get("exact") == "1"
    match = search.fts_query(q)
    if match:
        chosen = {kind: queries[kind]} if kind in queries else queries
        per_kind = SEARCH_PER_KIND if len(chosen) > 1 else SEARCH_PER_KIND * 2
        offset = (page_no - 1) * per_kind if len(chosen) == 1 else 0
        for name, sql in chosen.items():
            try:
                floor = 0
                if not exact:
                    found = (await db.execute(search.floor_sql(name), {"q": match, "window": search.RANK_WINDOW})).rows
                    if found:
                        floor = found[0][0]
                        windowed.append(search.KINDS[name])
                rows = (await db.execute(sql, search.params(match, limit=per_kind + 1, offset=offset, floor=floor))).rows
            except Exception as exc:  # a query timing out or an FTS5 error: say so, keep other kinds
                error = f"{search.KINDS[name]}: {exc}"
                continue
            rows = [dict(r) for r in rows]
            counts[name] = (len(rows[:per_kind]), len(rows) > per_kind)
            for row in rows[:per_kind]:
                row["kind_label"] = search.KINDS[name]
                row["snippet_html"] = search.snippet_html(row["snippet"])
                row["title"] = row["title"] or f"{name} {row['id']}"
                row["url"] = record_path(datasette, db.name, name, row["id"])
                results.append(row)
        results.sort(key=lambda r: r["rank"])
    facets = [
        {
            "kind": name,
            "label": search.KINDS[name],
            "count": counts.get(name, (0, False)),
            "url": datasette.urls.path("/-/search") + "?" + urllib.parse.urlencode({"q": q, "kind": name}),
            "selected": name == kind,
        }
        for name in queries
    ]
    context = {
        "q": q,
        "kind": kind if kind in queries else "",
        "results": results,
        "facets": facets,
        "error": error,
        "page_no": page_no,
        "next_url": (
            datasette.urls.path("/-/search")
            + "?"
            + urllib.parse.urlencode({"q": q, "kind": kind, "page": page_no + 1, **({"exact": 1} if exact else {})})
            if kind in queries and counts.get(kind, (0, False))[1]
            else None
        ),
        "indexed": [search.KINDS[t] for t in queries],
        "windowed": windowed,
        "window": search.RANK_WINDOW,
        "exact_url": datasette.urls.path("/-/search") + "?" + urllib.parse.urlencode({"q": q, "kind": kind, "exact": 1}),
        "database": db.name,
        "feed_url": feed_path(datasette),
    }
    return await render(datasette, request, "tracker_search.html", context)


# --- pages ----------------------------------------------------------------


async def amendment_page(request, datasette):
    db = await tracker_db(datasette)
    await check_view(datasette, request, db)
    amendment_id = int(request.url_vars["amendment_id"])
    page = await pages.amendment(datasette, db, amendment_id)
    if page is None:
        raise NotFound(f"No amendment {amendment_id}")
    a = page["amendment"]
    page.update(
        database=db.name,
        row_url=datasette.urls.row(db.name, "amendments", str(amendment_id)),
        feed_url=feed_path(datasette, a.get("bill_id")) if a.get("bill_id") is not None else feed_path(datasette),
        member_url=lambda mid: datasette.urls.path(f"/-/member/{mid}"),
        row_link=lambda table, pk: datasette.urls.row(db.name, table, tilde_encode(str(pk))),
    )
    return await render(datasette, request, "tracker_amendment.html", page)


async def member_page(request, datasette):
    db = await tracker_db(datasette)
    await check_view(datasette, request, db)
    member_id = int(request.url_vars["member_id"])
    page = await pages.member(datasette, db, member_id)
    if page is None:
        raise NotFound(f"No member {member_id}")
    page.update(
        database=db.name,
        row_url=datasette.urls.row(db.name, "members", str(member_id)),
        amendment_url=lambda aid: datasette.urls.path(f"/-/amendment/{aid}"),
        row_link=lambda table, pk: datasette.urls.row(db.name, table, tilde_encode(str(pk))),
        doc_link=lambda table, pk: pages.doc_link(datasette, db.name, table, pk),
        entity_link=lambda label, entity_id, name: _entity_link(datasette, label, entity_id, name),
        feed_url=feed_path(datasette),
    )
    return await render(datasette, request, "tracker_member.html", page)


def _entity_link(datasette, label, entity_id, name):
    path = pages.entity_path(datasette, label, entity_id)
    if not path:
        return escape(name)
    return Markup('<a href="{}">{}</a>').format(path, name)


def entity_route(table, key, label, noun):
    async def view(request, datasette):
        db = await tracker_db(datasette)
        await check_view(datasette, request, db)
        entity_id = request.url_vars["entity_id"]
        page = await pages.entity(datasette, db, table, key, entity_id, label)
        if page is None:
            raise NotFound(f"No {noun} {entity_id}")
        page.update(
            database=db.name,
            noun=noun,
            entity_id=entity_id,
            label=label,
            row_url=datasette.urls.row(db.name, table, tilde_encode(entity_id)) if page["record"] else None,
            entity_url=lambda eid: datasette.urls.path(f"/-/{noun}/{urllib.parse.quote(str(eid), safe='')}"),
            feed_url=feed_path(datasette),
        )
        return await render(datasette, request, "tracker_entity.html", page)

    return view


# --- feeds ----------------------------------------------------------------


LABEL_SQL = """CASE c.table_name
  WHEN 'amendments' THEN (SELECT 'Amendment ' || a.number FROM amendments a WHERE CAST(a.amendment_id AS TEXT) = c.record_id)
  WHEN 'bills' THEN (SELECT b.short_title FROM bills b WHERE CAST(b.bill_id AS TEXT) = c.record_id)
  WHEN 'members' THEN (SELECT m.name FROM members m WHERE CAST(m.member_id AS TEXT) = c.record_id)
  ELSE NULL END"""


async def _change_rows(db, where="", params=()):
    tables = set(await db.table_names())
    label = LABEL_SQL if {"amendments", "bills", "members"} <= tables else "NULL"
    sql = f"SELECT c.*, {label} AS label FROM changes c {where} ORDER BY c.detected_at DESC, c.id DESC LIMIT {FEED_LIMIT}"
    return [dict(r) for r in (await db.execute(sql, params)).rows]


def _entries(datasette, request, database, rows):
    return feeds.change_entries(
        rows,
        change_url=lambda cid: datasette.absolute_url(request, datasette.urls.row(database, "changes", str(cid))),
        record_url=lambda row: datasette.absolute_url(request, record_path(datasette, database, row["table_name"], row["record_id"])),
    )


def atom_response(xml):
    return Response(xml, content_type="application/atom+xml; charset=utf-8")


async def changes_feed(request, datasette):
    db = await tracker_db(datasette)
    await check_view(datasette, request, db)
    rows = await _change_rows(db)
    xml = feeds.build_feed(
        feed_id=datasette.absolute_url(request, feed_path(datasette)),
        title="Procurement Bill tracker: all changes",
        subtitle="Every record added, changed or removed by the sync, newest first.",
        self_url=datasette.absolute_url(request, feed_path(datasette)),
        alternate_url=datasette.absolute_url(request, datasette.urls.table(db.name, "changes")),
        entries=_entries(datasette, request, db.name, rows),
    )
    return atom_response(xml)


async def bill_feed(request, datasette):
    db = await tracker_db(datasette)
    await check_view(datasette, request, db)
    bill_id = int(request.url_vars["bill_id"])
    bill = None
    if "bills" in await db.table_names():
        bill = await pages.one(db, "SELECT bill_id, short_title FROM bills WHERE bill_id = ?", [bill_id])
    if bill is None:
        raise NotFound(f"No bill {bill_id}")
    rows = await _change_rows(db, "WHERE c.bill_id = ?", [bill_id])
    url = datasette.absolute_url(request, feed_path(datasette, bill_id))
    xml = feeds.build_feed(
        feed_id=url,
        title=f"{bill['short_title'] or 'Bill ' + str(bill_id)}: changes",
        subtitle="Every change to this bill, its stages and amendments, newest first.",
        self_url=url,
        alternate_url=datasette.absolute_url(request, datasette.urls.row(db.name, "bills", str(bill_id))),
        entries=_entries(datasette, request, db.name, rows),
    )
    return atom_response(xml)


def can_render_atom(columns):
    """A result can be a feed when it selects changes, or has datasette-atom's columns."""
    cols = set(columns or ())
    return feeds.CHANGE_COLUMNS <= cols or feeds.ATOM_COLUMNS <= cols


async def render_atom(datasette, request, database, table, query_name, columns, rows):
    cols = set(columns or ())
    if not can_render_atom(cols):
        # A dict keeps its status (Datasette overrides a Response's with the query's).
        return {
            "body": "This result has no columns for an Atom feed: it needs table_name, record_id, kind and detected_at"
            " (or atom_id, atom_title and atom_updated).",
            "status_code": 400,
            "content_type": "text/plain; charset=utf-8",
        }
    rows = [dict(zip(columns, row)) if not hasattr(row, "keys") else dict(row) for row in rows]
    if feeds.ATOM_COLUMNS <= cols:
        entries = feeds.atom_column_entries(rows)
    else:
        entries = _entries(datasette, request, database, rows)
    title = None
    if query_name:
        query = await datasette.get_canned_query(database, query_name, request.actor)
        title = (query or {}).get("title") or query_name
    elif table:
        title = table
    self_url = request.url
    html_url = request.url.replace(".atom", "", 1)
    return atom_response(
        feeds.build_feed(
            feed_id=self_url,
            title=f"Procurement Bill tracker: {title or 'query'}",
            self_url=self_url,
            alternate_url=html_url,
            entries=entries,
        )
    )


# --- hooks ----------------------------------------------------------------


@hookimpl
def prepare_connection(conn):
    # fts_query(text): a safe FTS5 query from typed words, for canned queries.
    conn.create_function("fts_query", 1, search.fts_query, deterministic=True)


@hookimpl
def register_routes():
    return [
        (r"^/-/search$", search_page),
        (r"^/-/amendment/(?P<amendment_id>\d+)$", amendment_page),
        (r"^/-/member/(?P<member_id>\d+)$", member_page),
        (r"^/-/supplier/(?P<entity_id>[^/]+)$", entity_route("suppliers", "supplier_id", "SUPPLIER", "supplier")),
        (r"^/-/provision/(?P<entity_id>[^/]+)$", entity_route("provisions", "provision_id", "PROVISION", "provision")),
        (r"^/-/feeds/changes\.atom$", changes_feed),
        (r"^/-/feeds/bill/(?P<bill_id>\d+)\.atom$", bill_feed),
    ]


@hookimpl
def register_output_renderer(datasette):
    return {
        "extension": "atom",
        "render": render_atom,
        "can_render": can_render_atom,
    }


PAGE_COLUMNS = {
    ("amendments", "number"): ("amendment", "amendment_id"),
    ("amendments_overview", "number"): ("amendment", "amendment_id"),
    ("members", "name"): ("member", "member_id"),
    ("suppliers", "name"): ("supplier", "supplier_id"),
    ("provisions", "name"): ("provision", "provision_id"),
}
QUERY_ID_COLUMNS = {"amendment_id": "amendment", "member_id": "member", "supplier_id": "supplier", "provision_id": "provision"}


@hookimpl
def render_cell(row, value, column, table, datasette):
    """Link names to the publication's pages: in tables, the label column; in queries, the id columns."""
    if value is None:
        return None
    if table is not None:
        target = PAGE_COLUMNS.get((table, column))
        if target is None:
            return None
        page, key = target
        try:
            key_value = row[key]
        except (KeyError, IndexError):
            return None
        if key_value is None:
            return None
        path = datasette.urls.path(f"/-/{page}/{urllib.parse.quote(str(key_value), safe='')}")
        return Markup('<a href="{}">{}</a>').format(path, value)
    page = QUERY_ID_COLUMNS.get(column)
    if page is None or isinstance(value, (bytes, dict)):
        return None
    if page in ("amendment", "member") and not str(value).isdigit():
        return None
    path = datasette.urls.path(f"/-/{page}/{urllib.parse.quote(str(value), safe='')}")
    return Markup('<a href="{}">{}</a>').format(path, value)


@hookimpl
def extra_template_vars(view_name, request, datasette, table):
    """Links every page's navigation shows: search, the changes feed, and a bill's own feed."""
    bill_feed_url = page_url = page_label = None
    if view_name == "row" and request is not None:
        pks = str((request.url_vars or {}).get("pks") or "")
        if table == "bills" and pks.isdigit():
            bill_feed_url = feed_path(datasette, pks)
        page = ROW_PAGES.get(table)
        if page and pks and (pks.isdigit() or page in ("supplier", "provision")):
            page_url = datasette.urls.path(f"/-/{page}/{pks}")
            page_label = f"Open the {page} page"
    return {
        "tracker_search_url": datasette.urls.path("/-/search"),
        "tracker_feed_url": feed_path(datasette),
        "tracker_bill_feed_url": bill_feed_url,
        "tracker_page_url": page_url,
        "tracker_page_label": page_label,
    }


ROW_PAGES = {"amendments": "amendment", "members": "member", "suppliers": "supplier", "provisions": "provision"}
