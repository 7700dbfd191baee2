"""The Datasette plugin: search page, amendment/member/supplier/provision pages, Atom feeds.

Registered with Datasette by the ``datasette`` entry point in ``pyproject.toml``, so an
installed tracker serves these pages under plain ``datasette`` too; ``server.load_plugin``
registers it for a source tree that is not installed.

Routes (all read-only):
  /-/search?q=...[&kind=amendments][&page=2]   ranked search across every FTS table
  /-/amendment/<id>                             text with linked mentions, sponsors, history, divisions, debates
  /-/member/<id>                                a member's record
  /-/supplier/<id>, /-/provision/<id>           the record and every mention in context
  /-/feeds/changes.atom                         all changes
  /-/feeds/bill/<id>.atom                       one bill's changes
  <any query or table selecting changes>.atom   the output renderer
"""
import functools
import json
import urllib.parse

from datasette import hookimpl
from datasette.utils import tilde_encode
from datasette.utils.asgi import NotFound, Response
from markupsafe import Markup, escape

from tracker.publish import feeds, pages, search, watch_feed
from tracker.store import schema

FEED_LIMIT = 200
SEARCH_PER_KIND = 20
SEARCH_MAX_PAGE = 100


async def tracker_db(datasette):
    """The tracker database: the first attached database holding the tracker's ``bills``."""
    for name, db in datasette.databases.items():
        if not name.startswith("_") and "bills" in await db.table_names():
            return db
    raise NotFound("No tracker database is attached")


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


async def search_page(request, datasette):
    db = await tracker_db(datasette)
    await check_view(datasette, request, db)
    q = (request.args.get("q") or "").strip()
    kind = request.args.get("kind") or ""
    try:
        page_no = max(1, min(int(request.args.get("page") or 1), SEARCH_MAX_PAGE))
    except ValueError:
        page_no = 1
    kinds = {t.name: t for t in schema.searched()}
    results, counts, error, windowed = [], {}, None, []
    named, tagged = [], {}
    exact = request.args.get("exact") == "1"
    match = search.fts_query(q)
    if match:
        chosen = {kind: kinds[kind]} if kind in kinds else kinds
        per_kind = SEARCH_PER_KIND if len(chosen) > 1 else SEARCH_PER_KIND * 2
        offset = (page_no - 1) * per_kind if len(chosen) == 1 else 0
        for name, table in chosen.items():
            try:
                floor = 0
                if not exact:
                    found = (await db.execute(search.floor_sql(table), {"q": match, "window": search.RANK_WINDOW})).rows
                    if found:
                        floor = found[0][0]
                        windowed.append(table.search.kind)
                rows = (await db.execute(search.ranked_sql(table), search.params(match, limit=per_kind + 1, offset=offset, floor=floor))).rows
            except Exception as exc:  # a query timing out or an FTS5 error: say so, keep other kinds
                error = f"{table.search.kind}: {exc}"
                continue
            rows = [dict(r) for r in rows]
            counts[name] = (len(rows[:per_kind]), len(rows) > per_kind)
            for row in rows[:per_kind]:
                row["kind_label"] = table.search.kind
                row["snippet_html"] = search.snippet_html(row["snippet"])
                row["title"] = row["title"] or f"{name} {row['id']}"
                row["url"] = record_path(datasette, db.name, name, row["id"])
                results.append(row)
        if page_no == 1:
            try:
                named, tagged = await add_tagged(datasette, db, q, match, chosen, results, per_kind)
            except Exception as exc:  # a time limit: the ranked matches still show
                error = f"Tagged documents: {exc}"
        results.sort(key=lambda r: r["rank"])
    facets = [
        {
            "kind": name,
            "label": table.search.kind,
            "count": counts.get(name, (0, False)),
            "counted": name in counts or name in tagged,
            "tagged": tagged.get(name, 0),
            "url": datasette.urls.path("/-/search") + "?" + urllib.parse.urlencode({"q": q, "kind": name}),
            "selected": name == kind,
        }
        for name, table in kinds.items()
    ]
    context = {
        "q": q,
        "kind": kind if kind in kinds else "",
        "results": results,
        "facets": facets,
        "error": error,
        "page_no": page_no,
        "next_url": (
            datasette.urls.path("/-/search")
            + "?"
            + urllib.parse.urlencode({"q": q, "kind": kind, "page": page_no + 1, **({"exact": 1} if exact else {})})
            if kind in kinds and counts.get(kind, (0, False))[1]
            else None
        ),
        "indexed": [t.search.kind for t in kinds.values()],
        "named": named,
        "windowed": windowed,
        "window": search.RANK_WINDOW,
        "exact_url": datasette.urls.path("/-/search") + "?" + urllib.parse.urlencode({"q": q, "kind": kind, "exact": 1}),
        "database": db.name,
        "feed_url": feed_path(datasette),
    }
    return await render(datasette, request, "tracker_search.html", context)


async def add_tagged(datasette, db, q, match, chosen, results, per_kind):
    """Add to ``results`` the documents tagged with a supplier or provision the query names, not matched by its words.

    ``chosen``: ``{kind: schema.Table}`` searched. Returns ``(named, counts)``: the entities
    named (with their page) and ``{kind: tagged hits added}``.
    """
    counts = {}
    term = search.entity_term(q)
    if not term:
        return [], counts
    named = [dict(r) for r in (await db.execute(search.NAMED_ENTITIES_SQL, {"t": term, "slug": search.slug(term)})).rows]
    for n in named:
        n["url"] = pages.entity_path(datasette, n["label"], n["id"])
    by_label = {}
    for n in named:
        by_label.setdefault(n["label"], []).append(n["id"])
    names = {(n["label"], n["id"]): n["name"] or n["id"] for n in named}
    for kind, table in chosen.items():
        found = {}
        for label, ids in by_label.items():
            rows = await db.execute(search.TAGGED_DOCS_SQL, {"kind": kind, "label": label, "ids": json.dumps(ids), "limit": per_kind * 10})
            for r in rows.rows:
                texts, entities = found.get(r["id"], ("", []))
                entities = entities + [names.get((label, e), e) for e in (r["entities"] or "").split(",") if e]
                found[r["id"]] = (",".join(x for x in (texts, r["texts"]) if x), entities)
        if not found:
            continue
        matched = {r["id"] for r in (await db.execute(search.fts_matched_sql(table), {"q": match, "ids": json.dumps(list(found))})).rows}
        extra = [i for i in found if i not in matched][:per_kind]
        if not extra:
            continue
        rows = {str(r["id"]): dict(r) for r in (await db.execute(search.titles_sql(table), {"ids": json.dumps(extra)})).rows}
        for position, doc_id in enumerate(extra):
            row = rows.get(doc_id)
            if row is None:
                continue
            row.update(
                kind_label=table.search.kind,
                snippet_html=search.tagged_snippet(sorted(set(found[doc_id][1])), found[doc_id][0]),
                rank=1_000_000 + position,  # after every ranked match
                url=record_path(datasette, db.name, kind, row["id"]),
                tagged=True,
            )
            results.append(row)
        counts[kind] = len(extra)
    return named, counts


# --- pages ----------------------------------------------------------------


def page_route(load, template, noun, url_var, extra):
    """A view: the record's page from ``load(datasette, db, id)``, with ``extra(datasette, db, page)``'s links."""

    async def view(request, datasette):
        db = await tracker_db(datasette)
        await check_view(datasette, request, db)
        record_id = request.url_vars[url_var]
        page = await load(datasette, db, int(record_id) if record_id.isdigit() else record_id)
        if page is None:
            raise NotFound(f"No {noun} {record_id}")
        page.update({"database": db.name, **common_links(datasette, db), **extra(datasette, db, record_id, page)})
        page["item"] = page
        return await render(datasette, request, template, page)

    return view


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


amendment_page = page_route(pages.amendment, "tracker_amendment.html", "amendment", "amendment_id", tabled_links)
member_page = page_route(pages.member, "tracker_member.html", "member", "member_id", member_links)


def _entity_link(datasette, label, entity_id, name):
    path = pages.entity_path(datasette, label, entity_id)
    if not path:
        return escape(name)
    return Markup('<a href="{}">{}</a>').format(path, name)


def entity_route(table):
    """The page of a supplier or a provision (``table``: its :class:`schema.Table`)."""
    noun = table.page.name

    def load(datasette, db, entity_id):
        return pages.entity(datasette, db, table, str(entity_id))

    def links(datasette, db, entity_id, page):
        return {
            "noun": noun,
            "entity_id": entity_id,
            "label": table.mentioned.label,
            "row_url": datasette.urls.row(db.name, table.name, tilde_encode(entity_id)) if page["record"] else None,
            "entity_url": lambda eid: pages.page_path(datasette, table.page, eid),
        }

    return page_route(load, "tracker_entity.html", noun, "entity_id", links)


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
        (r"^/-/supplier/(?P<entity_id>[^/]+)$", entity_route(schema.with_page("supplier"))),
        (r"^/-/provision/(?P<entity_id>[^/]+)$", entity_route(schema.with_page("provision"))),
        (r"^/-/feeds/changes\.atom$", changes_feed),
        (r"^/-/feeds/bill/(?P<bill_id>\d+)\.atom$", bill_feed),
        (r"^/-/watch/(?P<name>[^/]+)\.atom$", watch_feed.watch_feed),
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
def render_cell(row, value, column, table, datasette):
    """Link names to the publication's pages: in tables, the column the schema names; in queries, the key columns."""
    if value is None:
        return None
    if table is not None:
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
            "tracker_search_url": datasette.urls.path("/-/search"),
            "tracker_feed_url": feed_path(datasette),
            "tracker_bill_feed_url": bill_feed_url,
            "tracker_page_url": page_url,
            "tracker_page_label": page_label,
            "tracker_item": None,
        }
        if view_name == "row" and declared and declared.tabled and not declared.page and pks.isdigit() and database:
            db = datasette.get_database(database)
            item = await pages.tabled(datasette, db, table, int(pks))
            if item is not None:
                item.update({**common_links(datasette, db), **tabled_links(datasette, db, pks, item), "row_url": "#full-record"})
                found["tracker_item"] = item
        return found

    return inner
