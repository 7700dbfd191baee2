"""The Datasette plugin: search page, amendment/member/supplier/provision pages, Atom feeds.

Registered with Datasette by the ``datasette`` entry point in ``pyproject.toml``, so an
installed tracker serves these pages under plain ``datasette`` too; ``server.load_plugin``
registers it for a source tree that is not installed.

Routes (all read-only):
  /                                             the home page: a door for each of the site's users
  /-/alerts                                     how to follow changes: the Atom feeds and watches
  /-/members/find[.json]?q=...                  members by any name they have had (the home page's finder)
  /-/bill/<id>, /-/debate/<id>, /-/division/<id>  a bill's story, a debate in order, a division's votes
  /-/search?q=...[&kind=amendments][&page=2]   ranked search across every FTS table (exact bm25, exact counts)
  /-/search.json, /-/search.csv ?q=...           the same results to download
  /-/amendment/<id>                             text with linked mentions, sponsors, history, divisions, debates
  /-/member/<id>                                a member's record
  /-/supplier/<id>, /-/provision/<id>           the record and every mention in context
  /-/feeds/changes.atom                         all changes
  /-/feeds/bill/<id>.atom                       one bill's changes
  <any query or table selecting changes>.atom   the output renderer
  /-/bill/<id>/versions, /-/bill/<id>/compare, /-/version/<id>, /-/clause/<key>
                                                the bill's prints and their changes (versions_pages)
  /-/topics, /-/topic/<key>, /-/family/<id>, /-/commitments
                                                positions, proposals and commitments (positions_pages)
"""
import csv
import functools
import io
import json
import re
import sqlite3
import threading
import urllib.parse

from datasette import hookimpl
from datasette.utils import tilde_decode, tilde_encode
from datasette.utils.asgi import NotFound, Response
from markupsafe import Markup, escape

from tracker.publish import feeds, pages, positions_pages, search, story, versions_pages, watch_feed
from tracker.store import runs, schema
from tracker.vocab import Decision

FEED_LIMIT = 200
SEARCH_PER_KIND = 20
SEARCH_MAX_PAGE = 100
SEARCH_EXPORT_PER_KIND = 1000


async def tracker_db(datasette):
    """The tracker database: the first attached database holding the tracker's ``bills``."""
    for name, db in datasette.databases.items():
        if not name.startswith("_") and "bills" in await db.table_names():
            return db
    raise NotFound("No tracker database is attached")


async def is_sample(db):
    """Whether the database holds the bundled demo sample (``tracker demo`` records it; a sync does not)."""
    rows = (await db.execute("SELECT value FROM sync_state WHERE key = ?", [runs.DATASET_KEY])).rows
    return bool(rows) and rows[0][0] == runs.SAMPLE


async def sample_flag(datasette):
    """True when the served tracker database is the demo sample; False for a synced one or none."""
    try:
        return await is_sample(await tracker_db(datasette))
    except NotFound:
        return False


SAMPLE_NOTE = ("Sample data: the bundled demo, not the parliamentary record. Speeches, questions and statements are texts"
               " written for the sample, not Hansard; run `tracker sync` for the record.")


async def check_view(datasette, request, db):
    allowed = await datasette.permission_allowed(request.actor, "view-database", db.name, default=True)
    if not allowed:
        from datasette.utils.asgi import Forbidden

        raise Forbidden("You may not view this database")


def feed_path(datasette, bill_id=None):
    if bill_id is None:
        return datasette.urls.path("/-/feeds/changes.atom")
    return datasette.urls.path(f"/-/feeds/bill/{int(bill_id)}.atom")


record_path = pages.record_path


async def render(datasette, request, template, context):
    return Response.html(await datasette.render_template(template, context, request=request))


# --- search ---------------------------------------------------------------


def _search_args(request):
    """``(q, kind, page)`` from the search URL's arguments."""
    q = (request.args.get("q") or "").strip()
    kind = request.args.get("kind") or ""
    try:
        page_no = max(1, min(int(request.args.get("page") or 1), SEARCH_MAX_PAGE))
    except ValueError:
        page_no = 1
    return q, kind, page_no


async def _run_search(datasette, db, q, kind, page_no, per_kind):
    kinds = {t.name: t for t in schema.searched()}
    chosen = [kinds[kind]] if kind in kinds else None
    per_kind = per_kind if chosen is None else per_kind * 2
    offset = (page_no - 1) * per_kind if chosen else 0
    return await db.execute_fn(lambda conn: search.search(conn, q, kinds=chosen, per_kind=per_kind, offset=offset)), per_kind


def _hit_url(datasette, db, hit):
    if hit.kind == "bills":
        return datasette.urls.row(db.name, "bills", str(hit.id))
    return record_path(datasette, db.name, hit.kind, hit.id)


async def search_page(request, datasette):
    db = await tracker_db(datasette)
    await check_view(datasette, request, db)
    q, kind, page_no = _search_args(request)
    kinds = {t.name: t for t in schema.searched()}
    found, error = search.Results(q=q, match=""), None
    if q:
        try:
            found, _ = await _run_search(datasette, db, q, kind, page_no, SEARCH_PER_KIND)
        except Exception as exc:  # a query timing out or an FTS5 error: say so
            error = str(exc)
    for hit in found.records + found.hits:
        hit.url = _hit_url(datasette, db, hit)
        hit.snippet_html = hit.note if hit.why == "tagged" else search.snippet_html(hit.snippet)
    for n in found.named:
        n["url"] = pages.entity_path(datasette, n["label"], n["id"])
    query = lambda **extra: datasette.urls.path("/-/search") + "?" + urllib.parse.urlencode({"q": q, **extra})
    facets = [
        {
            "kind": name,
            "label": table.search.kind,
            "count": found.counts.get(name),
            "tagged": found.tagged.get(name, 0),
            "url": query(kind=name),
            "selected": name == kind,
        }
        for name, table in kinds.items()
    ]
    context = {
        "q": q,
        "kind": kind if kind in kinds else "",
        "results": found.hits,
        "records": found.records,
        "total": sum(found.counts.values()),
        "facets": facets,
        "error": error,
        "page_no": page_no,
        "next_url": query(kind=kind, page=page_no + 1) if kind in kinds and found.more.get(kind) else None,
        "indexed": [t.search.kind for t in kinds.values()],
        "fallback": [kinds[k].search.kind for k, v in found.indexed.items() if not v],
        "named": found.named,
        "export_json": datasette.urls.path("/-/search.json") + "?" + urllib.parse.urlencode({"q": q, **({"kind": kind} if kind else {})}),
        "export_csv": datasette.urls.path("/-/search.csv") + "?" + urllib.parse.urlencode({"q": q, **({"kind": kind} if kind else {})}),
        "database": db.name,
        "feed_url": feed_path(datasette),
    }
    return await render(datasette, request, "tracker_search.html", context)


EXPORT_COLUMNS = ("why", "kind", "id", "title", "context", "decision", "decision_code", "lead_sponsor", "lead_sponsor_id",
                  "rank", "note", "snippet", "url")


async def search_export(request, datasette):
    """``/-/search.json`` and ``/-/search.csv``: the search's records, references and up to
    ``SEARCH_EXPORT_PER_KIND`` ranked matches of each kind, with the exact counts (JSON)."""
    db = await tracker_db(datasette)
    await check_view(datasette, request, db)
    q, kind, _ = _search_args(request)
    found, _ = await _run_search(datasette, db, q, kind, 1, SEARCH_EXPORT_PER_KIND)
    rows = []
    for hit in found.records + found.hits:
        row = {c: getattr(hit, c, None) for c in EXPORT_COLUMNS}
        row["url"] = datasette.absolute_url(request, _hit_url(datasette, db, hit))
        row["snippet"] = search.plain_snippet(hit.snippet)
        row["note"] = search.plain_snippet(str(hit.note)) if hit.note is not None else None
        rows.append(row)
    if request.url_vars["format"] == "json":
        body = {"q": q, "query": found.match, "counts": found.counts, "more": found.more, "rows": rows}
        return Response.json(body)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=EXPORT_COLUMNS)
    writer.writeheader()
    writer.writerows(rows)
    return Response(out.getvalue(), content_type="text/csv; charset=utf-8",
                    headers={"content-disposition": 'attachment; filename="search.csv"'})


# --- pages ----------------------------------------------------------------


def record_key(raw: str):
    """A record's key as its URL names it: a number where it is all digits (amendments, members, bills), else the text."""
    return int(raw) if raw.isdigit() else raw


def page_route(load, template, noun, url_var=None, extra=None, table=None, *, paged=False, key=record_key):
    """A view: ``template`` rendered with the page ``load(datasette, db, record)`` returns (a 404 naming
    the ``noun`` when it returns None), every custom page's one way in.

    ``url_var``: the route's part naming the record, unquoted and made its key by ``key`` (``record_key``
    unless the keys are text that may be all digits); None for a page of no one record, whose ``load``
    gets None. ``extra(datasette, db, record_id, page)``: the page's own links beside :func:`common_links`;
    for a record of ``table``, its page on Parliament's own website is ``human_url``. ``paged``: ``load``
    also takes the query string (``args=``), naming the page of each of its lists (or its options), and
    the page gets a pager (previous and next links) for each of its ``lists``."""

    async def view(request, datasette):
        db = await tracker_db(datasette)
        await check_view(datasette, request, db)
        record_id = urllib.parse.unquote(request.url_vars[url_var]) if url_var else None
        options = {"args": request.args} if paged else {}
        page = await load(datasette, db, key(record_id) if url_var else None, **options)
        if page is None:
            raise NotFound(f"No {noun} {record_id}" if url_var else f"No {noun}")
        page.update({"database": db.name, **common_links(datasette, db), **(extra(datasette, db, record_id, page) if extra else {})})
        if table is not None:
            page.setdefault("human_url", await story.human_url(db, table, record_id))
        page["pagers"] = pagers(request, page.get("lists", {}))
        page["item"] = page
        return await render(datasette, request, template, page)

    return view


def pagers(request, lists):
    """``{list: {page, previous, next}}``: links to the neighbouring pages of each list (``?<list>_page=N``),
    keeping the rest of the query string."""
    found = {}
    for name, listing in lists.items():
        def link(number, name=name):
            if number is None:
                return None
            args = [(k, v) for k, v in urllib.parse.parse_qsl(request.query_string) if k != f"{name}_page"]
            if number > 1:
                args.append((f"{name}_page", str(number)))
            return request.path + ("?" + urllib.parse.urlencode(args) if args else "") + f"#{name}"

        found[name] = {"page": listing.page, "previous": link(listing.previous), "next": link(listing.next)}
    return found


def common_links(datasette, db):
    return {
        "member_url": lambda mid: datasette.urls.path(f"/-/member/{mid}"),
        "row_link": lambda table, pk: datasette.urls.row(db.name, table, tilde_encode(str(pk))),
        "record_link": lambda table, pk: record_path(datasette, db.name, table, pk),
        "feed_url": feed_path(datasette),
    }


def tabled_links(datasette, db, record_id, page):
    bill_id = page["amendment"].get(schema.table(page["table"]).bill)
    return {
        "row_url": datasette.urls.row(db.name, page["table"], str(record_id)),
        "feed_url": feed_path(datasette, bill_id) if bill_id is not None else feed_path(datasette),
    }


def member_links(datasette, db, record_id, page):
    return {
        "row_url": datasette.urls.row(db.name, "members", str(record_id)),
        "amendment_url": lambda aid: datasette.urls.path(f"/-/amendment/{aid}"),
        "doc_link": lambda table, pk: pages.doc_link(datasette, db.name, table, pk),
        "entity_link": lambda label, entity_id, name: _entity_link(datasette, label, entity_id, name),
    }


amendment_page = page_route(versions_pages.amendment, "tracker_amendment.html", "amendment", "amendment_id", tabled_links, table="amendments")
member_page = page_route(positions_pages.member, "tracker_member.html", "member", "member_id", member_links, table="members", paged=True)


def _entity_link(datasette, label, entity_id, name):
    path = pages.entity_path(datasette, label, entity_id)
    if not path:
        return escape(name)
    return Markup('<a href="{}">{}</a>').format(path, name)


def entity_route(table):
    """The page of a supplier or a provision (``table``: its :class:`schema.Table`)."""
    noun = table.page.name

    def load(datasette, db, entity_id, args=None):
        return pages.entity(datasette, db, table, str(entity_id), args)

    def links(datasette, db, entity_id, page):
        return {
            "noun": noun,
            "entity_id": entity_id,
            "label": table.mentioned.label,
            "row_url": datasette.urls.row(db.name, table.name, tilde_encode(entity_id)) if page["record"] else None,
            "entity_url": lambda eid: pages.page_path(datasette, table.page, eid),
        }

    return page_route(load, "tracker_entity.html", noun, "entity_id", links, paged=True)


# --- a bill's story: bill, debate and division pages -------------------------

bill_page = page_route(story.bill, "tracker_bill.html", "bill", "bill_id", lambda datasette, db, record_id, page: {
    "row_url": datasette.urls.row(db.name, "bills", str(record_id)),
    "feed_url": feed_path(datasette, record_id),
})
debate_page = page_route(story.debate, "tracker_debate.html", "debate", "debate_id", lambda datasette, db, record_id, page: {
    "row_url": datasette.urls.row(db.name, "debates", tilde_encode(str(record_id))),
})
division_page = page_route(story.division, "tracker_division.html", "division", "division_id", lambda datasette, db, record_id, page: {
    "row_url": datasette.urls.row(db.name, "divisions", tilde_encode(str(record_id))),
})


# --- the home page, the member finder and the alerts page -----------------------

BROWSE = (("bills", "Bills"), ("amendments", "Amendments"), ("members", "MPs and peers"), ("divisions", "Divisions"), ("debates", "Debates"))


async def home_page(request, datasette):
    """A door for each user: search (researchers), find an MP or peer (campaigners), alerts (staff)."""
    try:
        db = await tracker_db(datasette)
    except NotFound:  # Datasette serving other databases with the plugin installed: its own index
        from datasette.views.index import IndexView

        return await IndexView(datasette).get(request)
    await check_view(datasette, request, db)
    bills = await pages.many(db, "SELECT bill_id, short_title, current_stage, is_act FROM bills ORDER BY last_update DESC, bill_id LIMIT 20")
    for b in bills:
        b["url"] = record_path(datasette, db.name, "bills", b["bill_id"])
    counts = {}
    for table, _ in BROWSE:
        counts[table] = (await pages.one(db, f"SELECT count(*) AS n FROM [{table}]"))["n"]
    context = {
        "database": db.name,
        "bills": bills,
        "browse": [{"label": label, "url": datasette.urls.table(db.name, table), "count": counts[table]} for table, label in BROWSE],
        "find_url": datasette.urls.path("/-/members/find"),
        "alerts_url": datasette.urls.path("/-/alerts"),
        "search_url": datasette.urls.path("/-/search"),
        "database_url": datasette.urls.database(db.name),
        "feed_url": feed_path(datasette),
        "metadata": datasette.metadata(),
        "sample": await is_sample(db),
    }
    return await render(datasette, request, "tracker_home.html", context)


async def find_member(request, datasette):
    """Members by any name they have had: JSON for the home page's autocomplete, a list without scripts."""
    db = await tracker_db(datasette)
    await check_view(datasette, request, db)
    q = (request.args.get("q") or "").strip()[:100]
    found = await story.find_members(datasette, db, q)
    if request.url_vars.get("format") == "json":
        keep = ("member_id", "name", "party", "house", "constituency", "matched_name", "url")
        return Response.json({"q": q, "members": [{k: m[k] for k in keep} for m in found], "sample": await is_sample(db)})
    if len(found) == 1 and request.args.get("go"):
        return Response.redirect(found[0]["url"])
    return await render(datasette, request, "tracker_find_member.html",
                        {"q": q, "members": found, "database": db.name, "find_url": datasette.urls.path("/-/members/find")})


async def alerts_page(request, datasette):
    """How staff follow changes: the Atom feeds the site serves, and watches by email, webhook or Atom."""
    db = await tracker_db(datasette)
    await check_view(datasette, request, db)
    bills = await pages.many(db, "SELECT bill_id, short_title FROM bills ORDER BY bill_id LIMIT 50")
    for b in bills:
        b["feed_url"] = feed_path(datasette, b["bill_id"])
        b["url"] = record_path(datasette, db.name, "bills", b["bill_id"])
    watches = []
    if "watches" in await db.table_names():
        watches = await pages.many(db, "SELECT name FROM watches WHERE atom ORDER BY name LIMIT 100")
        for w in watches:
            w["feed_url"] = datasette.urls.path(f"/-/watch/{urllib.parse.quote(str(w['name']))}.atom")
    context = {
        "database": db.name,
        "feed_url": feed_path(datasette),
        "bills": bills,
        "watches": watches,
        "changes_url": datasette.urls.table(db.name, "changes"),
        "changes_since_url": datasette.urls.database(db.name) + "/changes_since",
    }
    return await render(datasette, request, "tracker_alerts.html", context)


# --- feeds ----------------------------------------------------------------


async def _change_rows(db, where="", params=()):
    sql = f"SELECT c.* FROM changes c {where} ORDER BY c.detected_at DESC, c.id DESC LIMIT {FEED_LIMIT}"
    rows = [dict(r) for r in (await db.execute(sql, params)).rows]
    return await pages.label_rows(db, rows, "table_name", "record_id")


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
        sample_note=SAMPLE_NOTE if await is_sample(db) else None,
    )
    return atom_response(xml)


async def bill_feed(request, datasette):
    db = await tracker_db(datasette)
    await check_view(datasette, request, db)
    bill_id = int(request.url_vars["bill_id"])
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
        sample_note=SAMPLE_NOTE if await is_sample(db) else None,
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
        await pages.label_rows(datasette.get_database(database), rows, "table_name", "record_id")
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
            sample_note=SAMPLE_NOTE if await is_sample(datasette.get_database(database)) else None,
        )
    )


# --- hooks ----------------------------------------------------------------


# What a visitor's query may build. Datasette's time limit is a progress handler checked between
# SQLite instructions, and one instruction can build a huge value: printf('%.*c', 900000000, 'x')
# ran 7.3 s and took 1 GB under it. SQLite's length limit stops that at once ("string or blob too
# big"). It also bounds what may be read, so it stays above the largest value the tracker stores
# (a bill print in http_cache is a few MB).
MAX_VALUE_BYTES = 32 * 1024 * 1024
MAX_SQL_BYTES = 100_000  # the text of one query
SQL_AT_ONCE = 2  # visitors' own queries running at once; more answer 429 (Datasette runs three threads)


# printf's width and precision: past the length limit SQLite's printf still loops once per
# character asked for (900 million times: 32 s in one instruction) before answering NULL.
MAX_PRINTF_WIDTH = 1_000_000
_PRINTF_SPEC = re.compile(r"%([-+ 0#!,]*)(\*|\d*)(?:\.(\*|\d*))?(?:ll|l)?(.)", re.S)
_builtin = threading.local()


def _as_count(value) -> int:
    """The integer SQLite would take a ``*`` width from (overestimated where unsure)."""
    try:
        return abs(int(float(value)))
    except (TypeError, ValueError, OverflowError):
        return 0 if value is None or not str(value).strip()[:1].isdigit() else MAX_PRINTF_WIDTH + 1


def checked_printf(fmt, *args):
    """SQLite's own ``printf``/``format``, answering NULL (as SQLite does for a value over the length
    limit) at once when a width or precision asks for more than :data:`MAX_PRINTF_WIDTH` characters."""
    if fmt is None:
        return None
    taken = 0
    for match in _PRINTF_SPEC.finditer(str(fmt)):
        _flags, width, precision, kind = match.groups()
        if kind == "%":
            continue
        for part in (width, precision):
            if part == "*":
                count = _as_count(args[taken]) if taken < len(args) else 0
                taken += 1
            else:
                count = int(part) if part else 0
            if count > MAX_PRINTF_WIDTH:
                return None
        taken += 1
    conn = getattr(_builtin, "conn", None)
    if conn is None:  # the built-in printf, on a connection of this thread's own
        conn = _builtin.conn = sqlite3.connect(":memory:")
        bound_connection(conn, functions=False)
    marks = ", ".join("?" for _ in range(len(args) + 1))
    return conn.execute(f"SELECT printf({marks})", [fmt, *args]).fetchone()[0]


def bound_connection(conn, *, functions=True):
    """Limit what any query on ``conn`` may build: the length of a value and of a query's text
    (where this Python can: 3.11+ ``setlimit``), and printf's width."""
    if hasattr(conn, "setlimit"):
        conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_VALUE_BYTES)
        conn.setlimit(sqlite3.SQLITE_LIMIT_SQL_LENGTH, MAX_SQL_BYTES)
    if functions:
        for name in ("printf", "format"):
            conn.create_function(name, -1, checked_printf, deterministic=True)


def private_guard(action, table, column, database, trigger):
    """SQLite's authorizer on served connections: every column of an unpublished table (the alerts'
    watches, events and deliveries) reads as NULL, in a visitor's query and in Datasette's own
    (a bill's page counting the rows that refer to it counts none there). The plugin's own reads
    go through :func:`pages.private_rows`, which lifts it."""
    if action == sqlite3.SQLITE_READ and table in _unpublished():
        return sqlite3.SQLITE_IGNORE
    return sqlite3.SQLITE_OK


@functools.cache
def _unpublished():
    return frozenset(t.name for t in schema.unpublished())


@hookimpl
def prepare_connection(conn):
    # fts_query(text): a safe FTS5 query from typed words, for canned queries.
    conn.create_function("fts_query", 1, search.fts_query, deterministic=True)
    bound_connection(conn)
    conn.set_authorizer(private_guard)


def visitor_sql(scope):
    """Whether a request runs SQL the visitor wrote (``?sql=`` on a database, ``?_where=`` on a table)."""
    keys = {key for key, _ in urllib.parse.parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)}
    return bool(keys & {"sql", "_where"})


async def plain_response(send, status, text, headers=()):
    body = text.encode("utf-8")
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode()), *headers]})
    await send({"type": "http.response.body", "body": body})


@hookimpl(specname="asgi_wrapper")
def bound_visitors(datasette):
    """The site is read-only (any method but GET, HEAD and OPTIONS answers 405), and at most
    :data:`SQL_AT_ONCE` visitors' own queries run at once (the next answers 429 at once,
    rather than queueing behind them and stalling every page)."""

    def wrap(app):
        running = [0]

        async def guarded(scope, receive, send):
            if scope.get("type") != "http":
                return await app(scope, receive, send)
            if scope.get("method", "GET") not in ("GET", "HEAD", "OPTIONS"):
                return await plain_response(send, 405, "This site is read-only: it answers GET and HEAD only.\n", [(b"allow", b"GET, HEAD")])
            if not visitor_sql(scope):
                return await app(scope, receive, send)
            if running[0] >= SQL_AT_ONCE:
                return await plain_response(
                    send, 429, f"{SQL_AT_ONCE} SQL queries are already running: try again in a moment.\n", [(b"retry-after", b"2")])
            running[0] += 1
            try:
                return await app(scope, receive, send)
            finally:
                running[0] -= 1

        return guarded

    return wrap


@hookimpl
def startup(datasette):
    """Datasette 0.65's default error handler prints every exception with ``rich`` when rich is
    installed, outside an ``except`` block, which rich 14 and later refuse with a ValueError: every
    404 became a 500. Without rich it renders its error page as it should (a test checks a 404 is a
    404). Set here, not at import: the plugin module may be imported before Datasette's own plugins."""
    from datasette import handle_exception as default_handler

    default_handler.rich = None


@hookimpl
def prepare_jinja2_environment(env):
    # ``{{ code|decision }}``: an amendment's decision as people say it ("Negatived on division").
    env.filters["decision"] = Decision.readable_name


@hookimpl
def register_routes():
    return [
        (r"^/$", home_page),
        (r"^/-/alerts$", alerts_page),
        (r"^/-/members/find(\.(?P<format>json))?$", find_member),
        (r"^/-/bill/(?P<bill_id>\d+)$", bill_page),
        (r"^/-/debate/(?P<debate_id>[^/]+)$", debate_page),
        (r"^/-/division/(?P<division_id>[^/]+)$", division_page),
        (r"^/-/search$", search_page),
        (r"^/-/search\.(?P<format>json|csv)$", search_export),
        (r"^/-/amendment/(?P<amendment_id>\d+)$", amendment_page),
        (r"^/-/member/(?P<member_id>\d+)$", member_page),
        (r"^/-/supplier/(?P<entity_id>[^/]+)$", entity_route(schema.with_page("supplier"))),
        (r"^/-/provision/(?P<entity_id>[^/]+)$", entity_route(schema.with_page("provision"))),
        (r"^/-/feeds/changes\.atom$", changes_feed),
        (r"^/-/feeds/bill/(?P<bill_id>\d+)\.atom$", bill_feed),
        (r"^/-/watch/(?P<name>[^/]+)\.atom$", watch_feed.watch_feed),
        *((pattern, page_route(**route)) for pattern, route in (*versions_pages.ROUTES, *positions_pages.ROUTES)),
    ]


@hookimpl
def register_output_renderer(datasette):
    return {
        "extension": "atom",
        "render": render_atom,
        "can_render": can_render_atom,
    }


@functools.cache
def _linked_columns():
    """``{(table or view, column): table}``: the columns Datasette's table views show as a link to a record's page."""
    return {(name, t.page.link_column): t for t in schema.paged() for name in (t.name, *t.page.views)}


@functools.cache
def _key_columns():
    """``{key column: table}`` of the tables with a page: a query's column of that name links to the page."""
    return {t.id: t for t in schema.paged()}


@hookimpl
def render_cell(row, value, column, table, database, datasette):
    """Link names to the publication's pages: in tables, the column the schema names; in queries, the key columns.
    A decision reads as people say it, its API code kept in the data (and shown on hover)."""
    if value is None:
        return None
    if column == "decision" and isinstance(value, str) and Decision.readable_name(value) != value:
        return Markup('<span class="decision" title="{}">{}</span>').format(value, Decision.readable_name(value))
    if table is not None:
        declared = schema.TABLES.get(table)
        if declared is not None and column in declared.any_record:
            try:
                record_table = row[declared.any_record[column]]
            except (KeyError, IndexError):
                return None
            if record_table in schema.TABLES:
                path = record_path(datasette, database, record_table, value)
                return Markup('<a href="{}">{}</a>').format(path, value)
            return None
        target = _linked_columns().get((table, column))
        if target is None:
            return None
        try:
            key_value = row[target.id]
        except (KeyError, IndexError):
            return None
        path = pages.page_path(datasette, target.page, key_value)
        return Markup('<a href="{}">{}</a>').format(path, value) if path else None
    if isinstance(value, (bytes, dict)):
        return None
    target = _key_columns().get(column)
    path = pages.page_path(datasette, target.page, value) if target else None
    return Markup('<a href="{}">{}</a>').format(path, value) if path else None


@hookimpl
def extra_template_vars(view_name, request, datasette, table, database):
    """Links every page's navigation shows (search, the changes feed, a bill's own feed, a record's
    page), and the record of a tabled item without a page of its own (a ping-pong item's row page)."""
    bill_feed_url = page_url = page_label = None
    declared = schema.TABLES.get(table) if table else None
    pks = ""
    if view_name == "row" and request is not None:
        pks = str((request.url_vars or {}).get("pks") or "")
        if table == "bills" and pks.isdigit():
            bill_feed_url = feed_path(datasette, pks)
        if declared and declared.page and pks:
            page_url = pages.page_path(datasette, declared.page, pks)
            page_label = f"Open the {declared.page.name} page" if page_url else None

    async def inner():
        found = {
            "tracker_sample": await sample_flag(datasette),
            "tracker_sample_note": SAMPLE_NOTE,
            "tracker_home_url": datasette.urls.path("/"),
            "tracker_alerts_url": datasette.urls.path("/-/alerts"),
            "tracker_human_url": None,
            "tracker_search_url": datasette.urls.path("/-/search"),
            "tracker_feed_url": feed_path(datasette),
            "tracker_bill_feed_url": bill_feed_url,
            "tracker_page_url": page_url,
            "tracker_page_label": page_label,
            "tracker_item": None,
        }
        if view_name == "row" and declared and declared.human_url and pks and database:
            found["tracker_human_url"] = await story.human_url(datasette.get_database(database), table, tilde_decode(pks))
        if view_name == "row" and declared and declared.tabled and not declared.page and pks.isdigit() and database:
            db = datasette.get_database(database)
            item = await versions_pages.with_text_changes(datasette, db, await pages.tabled(datasette, db, table, int(pks)))
            if item is not None:
                item.update({**common_links(datasette, db), **tabled_links(datasette, db, pks, item), "row_url": "#full-record",
                             "human_url": found["tracker_human_url"]})
                found["tracker_item"] = item
        return found

    return inner


@hookimpl
def asgi_wrapper(datasette):
    """On the demo sample, every response says so: a ``Tracker-Dataset: sample`` header, and a
    ``"tracker_dataset": "sample"`` key in every JSON object Datasette returns (the pages show the banner)."""

    def wrap(app):
        async def flagged(scope, receive, send):
            if scope["type"] != "http" or not await sample_flag(datasette):
                await app(scope, receive, send)
                return
            start = None
            body = []

            async def wrapped_send(event):
                nonlocal start
                if event["type"] == "http.response.start":
                    headers = [*event.get("headers", []), (b"tracker-dataset", runs.SAMPLE.encode())]
                    start = {**event, "headers": headers}
                    if not _is_json(headers):
                        await send(start)
                        start = None
                    return
                if start is None:  # not JSON: passed through as it streams
                    await send(event)
                    return
                body.append(event.get("body", b""))
                if event.get("more_body"):
                    return
                payload = b"".join(body)
                try:
                    data = json.loads(payload)
                except ValueError:
                    data = None
                if isinstance(data, dict):
                    data.setdefault("tracker_dataset", runs.SAMPLE)
                    payload = json.dumps(data, default=str).encode()
                headers = [(k, v) for k, v in start["headers"] if k.lower() != b"content-length"]
                await send({**start, "headers": [*headers, (b"content-length", str(len(payload)).encode())]})
                await send({"type": "http.response.body", "body": payload})

            await app(scope, receive, wrapped_send)

        return flagged

    return wrap


def _is_json(headers):
    return any(k.lower() == b"content-type" and v.split(b";")[0].strip() == b"application/json" for k, v in headers)
