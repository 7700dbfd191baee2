"""What the publication's own pages show: amendment, member, supplier and provision records.

Every function takes a Datasette ``Database`` holding the tracker's full schema (``store.open_db``
migrates every database to it) and reads what ``tracker.store.schema`` declares about each table:
its key, its label, its page and the columns that link it to others.
Stored text is never trusted: it is escaped here or by the templates'
autoescaping, and only the publication's own markup (``<a>``, ``<mark>``) is added.

Every page runs a bounded number of queries, each an index lookup (``tests/test_bounded_pages.py``
checks their plans): lists are paged (:func:`listing`, ``?<list>_page=N``), records named on a
page are labelled one query per table (:func:`record_labels`), never one query per row, and keys
are compared as they are stored (``mentions.doc_id`` holds the document's key as text).
"""
import json
import urllib.parse
from dataclasses import dataclass

from markupsafe import Markup, escape

from tracker.store import schema
from tracker.vocab import Label


def rows_as_dicts(results):
    return [dict(row) for row in results.rows]


async def one(db, sql, params=()):
    results = await db.execute(sql, params)
    rows = rows_as_dicts(results)
    return rows[0] if rows else None


async def many(db, sql, params=()):
    return rows_as_dicts(await db.execute(sql, params))


async def private_rows(db, sql, params=()):
    """Rows of the plugin's own query on tables no visitor's query may read (``schema.unpublished``).

    The authorizer guarding them (``plugin.private_guard``) is lifted for this one query and put
    back after it; putting it back expires every statement prepared meanwhile, so a visitor's
    query of the same text is checked afresh."""
    def read(conn):
        from tracker.publish.plugin import private_guard

        conn.set_authorizer(None)
        try:
            cursor = conn.execute(sql, params)
            names = [d[0] for d in cursor.description]
            return [dict(zip(names, row)) for row in cursor.fetchall()]
        finally:
            conn.set_authorizer(private_guard)

    return await db.execute_fn(read)


def page_path(datasette, page, record_id):
    """``/-/<page>/<id>`` for a :class:`schema.Page`, or None when there is no page or no id
    (or a numeric page gets a non-numeric one)."""
    if page is None or record_id in (None, ""):
        return None
    if page.numeric and not str(record_id).isdigit():
        return None
    return datasette.urls.path(f"/-/{page.name}/{urllib.parse.quote(str(record_id), safe='')}")


def _page_of(table):
    declared = schema.TABLES.get(table)
    return declared.page if declared else None


def record_path(datasette, database, table, record_id):
    """Where one record is shown: its page (amendment, member, supplier, provision) or its row page."""
    path = page_path(datasette, _page_of(table), record_id)
    if path:
        return path
    from datasette.utils import tilde_encode

    declared = schema.TABLES.get(table)
    # A composite key's record id joins its parts with "/"; a single key may hold "/" itself (a commitment's id).
    parts = str(record_id).split("/") if declared is not None and len(declared.keys) > 1 else [str(record_id)]
    return datasette.urls.row(database, table, ",".join(tilde_encode(p) for p in parts))


def mention_target(mention):
    """``(table, id)`` of the record a mention links to, or ``(None, None)``.

    A mention links through the ``mentions`` column referring to a table its label may
    point to (``supplier_id``, ``member_id``, ``amendment_id``, ``pingpong_item_id`` ...),
    tried in the schema's order; else through ``entity_id`` where that is a record's id.
    A REFERENCE links only through its typed column: its ``entity_id`` is a normalised
    reference ("amendment:47A"), not a record.
    """
    mentions = schema.table("mentions")
    targets = schema.mentioned(mention.get("label"))
    for target in targets:
        value = mention.get(mentions.column_to(target.name))
        if value not in (None, ""):
            return target.name, value
    entity_id = mention.get("entity_id")
    for target in targets:
        if target.mentioned.by_entity_id and entity_id not in (None, ""):
            return target.name, entity_id
    return None, None


def entity_path(datasette, label, entity_id):
    """The page of the supplier, member or provision a ``label`` and ``entity_id`` name, or None."""
    for target in schema.mentioned(label):
        if target.mentioned.by_entity_id:
            return page_path(datasette, target.page, entity_id)
    return None


def mention_path(datasette, database, mention):
    """Where a highlighted mention links, or None (not linked)."""
    table, target = mention_target(mention)
    if table is None:
        return None
    page = _page_of(table)
    if page:
        return page_path(datasette, page, target)
    return record_path(datasette, database, table, target)


def place_mentions(fields, mentions):
    """Assign each mention to the field whose text holds it at its offsets.

    ``fields`` is ``{name: text}`` in the order to try. A mention is placed only
    where ``text[start:end] == mention["text"]`` in one field, or in the fields
    joined by a blank line or a newline (how a tagger may have read the whole
    document); anything else is left unplaced rather than guessed.
    Returns ``{field: [mention with field-relative start/end, ...]}``.
    """
    placed = {name: [] for name in fields}
    for mention in mentions:
        start, end, text = mention.get("start"), mention.get("end"), mention.get("text")
        if start is None or end is None or text is None:
            continue
        where = mention.get("field")
        if where in fields and (fields[where] or "")[start:end] == text:
            placed[where].append(dict(mention))
            continue
        done = False
        for name, value in fields.items():
            if value and value[start:end] == text:
                placed[name].append(dict(mention))
                done = True
                break
        if done:
            continue
        for sep in ("\n\n", "\n", " "):
            offset = 0
            for name, value in fields.items():
                if not value:
                    continue
                if offset <= start and end <= offset + len(value) and value[start - offset:end - offset] == text:
                    placed[name].append({**mention, "start": start - offset, "end": end - offset})
                    done = True
                    break
                offset += len(value) + len(sep)
            if done:
                break
    return placed


def highlight(datasette, text, mentions, *, link=True, database=None):
    """``text`` escaped, with each mention wrapped in a link to its entity's page.

    Overlapping mentions keep the first (longest at a position); unlinked
    mentions are marked but not linked.
    """
    if not text:
        return Markup("")
    out, at = [], 0
    for m in sorted(mentions, key=lambda m: (m["start"], -(m["end"] - m["start"]))):
        start, end = int(m["start"]), int(m["end"])
        if start < at or end > len(text) or start >= end:
            continue
        out.append(escape(text[at:start]))
        label = str(m.get("label") or "")
        css = "mention mention-" + "".join(ch for ch in label.lower() if ch.isalnum())
        path = mention_path(datasette, database, m) if link else None
        inner = escape(text[start:end])
        title = f"{label} {m.get('name') or m.get('value') or m.get('entity_id') or ''}".strip()
        if path:
            out.append(Markup('<a class="{}" href="{}" title="{}" data-label="{}">{}</a>').format(css, path, title, label, inner))
        else:
            out.append(Markup('<mark class="{}" title="{}" data-label="{}">{}</mark>').format(css, title, label, inner))
        at = end
    out.append(escape(text[at:]))
    return Markup("").join(out)


async def mentions_for(db, doc_table, doc_id):
    return await many(
        db,
        "SELECT * FROM mentions WHERE doc_table = ? AND doc_id = ? ORDER BY start, [end] DESC",
        [doc_table, str(doc_id)],
    )


async def highlighted_fields(datasette, db, table, row, fields):
    """``[(field, Markup)]`` for the non-empty ``fields`` of one document of ``table`` (a
    :class:`schema.Table`), mentions linked; and its mentions."""
    texts = {f: row.get(f) for f in fields}
    mentions = await mentions_for(db, table.name, row.get(table.id))
    placed = place_mentions(texts, mentions)
    fields = [(f, highlight(datasette, texts[f], placed.get(f, []), database=db.name)) for f in texts if texts[f]]
    return fields, mentions


def decode_json(value):
    if value in (None, ""):
        return None
    try:
        return json.loads(value)
    except (TypeError, ValueError):
        return value


async def record_labels(db, table, ids):
    """``{str(id): label}`` for records of ``table`` (those it can name; others are left out).

    One indexed query: the ids are compared with the key as they are (an integer key takes
    the text ``"9001"`` as the integer 9001), never by casting the key, which would read every row.
    """
    declared = schema.TABLES.get(table)
    ids = sorted({str(i) for i in ids if i is not None})
    if declared is None or declared.label is None or not ids:
        return {}
    key = declared.id
    # No cast: the key column's affinity converts the ids ("101" to 101), so its index is used.
    rows = await many(
        db,
        f"SELECT t.[{key}] AS id, {declared.label} AS label FROM [{table}] t WHERE t.[{key}] IN (SELECT value FROM json_each(?))",
        [json.dumps(ids)],
    )
    return {str(r["id"]): r["label"] for r in rows if r["label"]}


async def label_rows(db, rows, table_key, id_key):
    """Set ``row["label"]`` on each row naming a record by ``row[table_key]`` and ``row[id_key]``."""
    by_table = {}
    for row in rows:
        by_table.setdefault(row.get(table_key), set()).add(row.get(id_key))
    labels = {table: await record_labels(db, table, ids) for table, ids in by_table.items()}
    for row in rows:
        row["label"] = labels.get(row.get(table_key), {}).get(str(row.get(id_key))) or row.get("label")
    return rows


async def change_history(db, table, record_id):
    """The ``changes`` rows of one record, oldest first, with decoded fields."""
    rows = await many(
        db,
        "SELECT * FROM changes WHERE table_name = ? AND record_id = ? ORDER BY detected_at, id",
        [table, str(record_id)],
    )
    for row in rows:
        fields = decode_json(row.get("changed_fields")) or {}
        row["fields"] = fields if isinstance(fields, dict) else {}
        row["decision"] = row["fields"].get("decision")
    return rows


async def tabled(datasette, db, table_name, record_id):
    """Everything the page of an amendment (or of a ping-pong item: any table the schema
    declares as tabled by members) shows, or None when there is no such record."""
    table = schema.table(table_name)
    key = table.id
    a = await one(db, f"SELECT t.*, {table.tabled.noun} AS _noun FROM [{table.name}] t WHERE t.[{key}] = ?", [record_id])
    if a is None:
        return None
    noun = a.pop("_noun")
    page = {"amendment": a, "table": table.name, "key": key, "noun": noun}
    page["bill"] = await one(db, "SELECT * FROM bills WHERE bill_id = ?", [a.get(table.bill)])
    page["stage"] = await one(db, "SELECT * FROM bill_stages WHERE bill_stage_id = ?", [a.get(table.column_to("bill_stages"))])
    sponsor_table = schema.table(table.tabled.sponsors)
    member, item = sponsor_table.column_to("members"), sponsor_table.column_to(table.name)
    sponsors = await many(
        db,
        f"SELECT s.[{member}] AS member_id, s.is_lead, m.name, m.party, m.house FROM [{sponsor_table.name}] s"
        f" LEFT JOIN members m ON m.member_id = s.[{member}] WHERE s.[{item}] = ? ORDER BY s.is_lead DESC, s.sort_order",
        [record_id],
    )
    if not sponsors:
        names = decode_json(a.get("sponsors"))
        if isinstance(names, list):
            sponsors = [{"member_id": None, "name": n if isinstance(n, str) else (n or {}).get("name"), "is_lead": i == 0} for i, n in enumerate(names)]
    page["sponsors"] = sponsors
    shown = list(table.tagging.fields)
    summary, text = (a.get("summary") or "").strip(), (a.get("text") or "").strip()
    if summary and text.startswith(summary):
        shown.remove("summary")  # the API often repeats the text (or its first lines) as the summary
    page["fields"], page["mentions"] = await highlighted_fields(datasette, db, table, a, shown)
    page["history"] = await change_history(db, table.name, record_id)
    divisions = schema.table("divisions").column_to(table.name)
    page["divisions"] = await many(db, f"SELECT * FROM divisions WHERE [{divisions}] = ? ORDER BY date", [record_id])
    spoken = schema.table("contribution_amendments").column_to(table.name)
    page["debates"] = await many(
        db,
        "SELECT c.contribution_id, c.member_id, c.attributed_to, ca.how, ca.reference, substr(c.text, 1, 600) AS excerpt,"
        " d.debate_id, d.title AS debate, d.date, d.house"
        " FROM contribution_amendments ca JOIN contributions c ON c.contribution_id = ca.contribution_id"
        " LEFT JOIN debates d ON d.debate_id = c.debate_id"
        f" WHERE ca.[{spoken}] = ? ORDER BY d.date, c.order_in_section",
        [record_id],
    )
    return page


async def amendment(datasette, db, amendment_id):
    """Everything the amendment page shows, or None when there is no such amendment."""
    return await tabled(datasette, db, "amendments", amendment_id)


PAGE_SIZE = 50  # rows in each list of a page; the rest are a "next" link away
MAX_PAGE = 100_000


@dataclass
class Listing:
    """One page of a list: its rows, its page number, and whether a next page exists."""

    rows: list
    page: int
    more: bool

    @property
    def previous(self) -> int | None:
        return self.page - 1 if self.page > 1 else None

    @property
    def next(self) -> int | None:
        return self.page + 1 if self.more else None


def page_number(args, name) -> int:
    """The page of the list ``name`` a visitor asked for (``?<name>_page=N``), 1 when none or nonsense."""
    value = (args or {}).get(f"{name}_page") if args is not None else None
    try:
        return max(1, min(int(value or 1), MAX_PAGE))
    except (TypeError, ValueError):
        return 1


async def listing(db, sql, params, page, size=PAGE_SIZE) -> Listing:
    """Page ``page`` of ``sql`` (which orders its rows): ``size`` rows, one more read to know of a next page."""
    rows = await many(db, f"{sql} LIMIT ? OFFSET ?", [*params, size + 1, (page - 1) * size])
    return Listing(rows[:size], page, len(rows) > size)


async def entity_names(db, pairs):
    """Display names of the suppliers and provisions in ``pairs`` (``(label, id)``), keyed alike:
    one indexed query per registry, whatever the size of the registries."""
    names = {}
    for label in (Label.SUPPLIER, Label.PROVISION):
        ids = [eid for lab, eid in pairs if lab == label]
        for table in schema.mentioned(label) if ids else ():
            names.update({(label, eid): name for eid, name in (await record_labels(db, table.name, ids)).items()})
    return names


def seats(names):
    """Constituencies a member sat for, from the ``Member for X`` aliases, oldest first."""
    found = [n for n in names if (n.get("name") or "").startswith("Member for ")]
    return sorted(found, key=lambda n: n.get("start_date") or "")


def known_as(names, shown):
    """Each other name once, with every kind it is recorded as: ``[(name, "kind, kind")]``."""
    kinds = {}
    for n in names:
        if n.get("name") and n["name"] != shown and not n["name"].startswith("Member for "):
            kinds.setdefault(n["name"], [])
            if n.get("kind") and n["kind"] not in kinds[n["name"]]:
                kinds[n["name"]].append(n["kind"])
    return [(name, ", ".join(k)) for name, k in kinds.items()]


# One arm per tabled table (amendments, ping-pong items), joined by UNION ALL and ordered by the
# item's id (Parliament numbers them as they are tabled): the id is the sponsor row's own, so each
# arm walks the index (member, item id) in order and the page stops after its own rows.
SPONSORED_SQL = (
    "SELECT '{table}' AS item_table, s.[{item}] AS item_id, {noun} AS noun, t.number, t.decision, t.summary, s.is_lead,"
    " st.description AS stage, st.house AS house"
    " FROM [{sponsors}] s JOIN [{table}] t ON t.[{key}] = s.[{item}]"
    " LEFT JOIN bill_stages st ON st.bill_stage_id = t.bill_stage_id"
    " WHERE s.[{member}] = ?"
)

VOTES_SQL = (
    "SELECT d.division_id, d.date, d.house, d.title, d.amendment_id, d.aye_count, d.no_count, v.vote, v.is_teller,"
    " a.number AS amendment_number, d.pingpong_item_id, p.type AS pingpong_type, p.number AS pingpong_number"
    " FROM division_votes v JOIN divisions d ON d.division_id = v.division_id"
    " LEFT JOIN amendments a ON a.amendment_id = d.amendment_id"
    " LEFT JOIN pingpong_items p ON p.pingpong_item_id = d.pingpong_item_id"
    " WHERE v.member_id = ? ORDER BY d.date, d.division_id"
)

# A member's speeches naming watched entities (suppliers and security provisions), newest first
# (Hansard's item ids grow with time): a page of their ids walking the member's index backwards,
# each speech tested against the covering index of its mentions, so a page costs its own rows
# however many speeches the member made; then those speeches. ``doc_id`` holds the speech's key
# as text, so the key is put in that form to look its mentions up in their index.
_NAMES_WATCHED = ("m.doc_table = 'contributions' AND m.doc_id = CAST(c.contribution_id AS TEXT)"
                  " AND m.label IN ('SUPPLIER', 'PROVISION') AND m.entity_id IS NOT NULL")
SPEECH_IDS_SQL = (
    "SELECT c.contribution_id FROM contributions c"
    f" WHERE c.member_id = ? AND EXISTS (SELECT 1 FROM mentions m WHERE {_NAMES_WATCHED})"
    " ORDER BY c.contribution_id DESC"
)
SPEECHES_SQL = (
    "SELECT c.contribution_id, substr(c.text, 1, 400) AS excerpt, group_concat(DISTINCT m.label || ':' || m.entity_id) AS entities,"
    " d.title AS debate, d.date, d.house"
    f" FROM contributions c JOIN mentions m ON {_NAMES_WATCHED}"
    " LEFT JOIN debates d ON d.debate_id = c.debate_id"
    " WHERE c.contribution_id IN (SELECT value FROM json_each(?)) GROUP BY c.contribution_id ORDER BY c.contribution_id DESC"
)

# The documents naming a member, in the order of the index (member_id, doc_table, doc_id).
NAMED_IN_SQL = "SELECT doc_table, doc_id, count(*) AS n FROM mentions WHERE [{column}] = ? GROUP BY doc_table, doc_id ORDER BY doc_table, doc_id"

# The lists of a member's page, each paged on its own (``?votes_page=2``).
MEMBER_LISTS = ("amendments", "votes", "speeches", "questions", "named_in")  # (positions_pages adds positions, commitments)


async def member(datasette, db, member_id, args=None):
    """A member's record on the tracked bills, or None when unknown. ``args``: the request's
    query string, naming the page of each list (:data:`MEMBER_LISTS`)."""
    m = await one(db, "SELECT * FROM members WHERE member_id = ?", [member_id])
    if m is None:
        return None
    page = {"member": m, "lists": {}}
    names = await many(db, "SELECT name, kind, start_date, end_date FROM member_names WHERE member_id = ? ORDER BY start_date, kind, name", [member_id])
    page["names"] = known_as(names, m.get("name_display_as") or m.get("name"))
    page["seats"] = seats(names)

    async def listed(name, sql, params):
        found = await listing(db, sql, params, page_number(args, name))
        page["lists"][name] = found
        page[name] = found.rows
        return found.rows

    # Amendments, and motions and amendments in ping-pong, tabled or supported.
    parts = []
    for table in schema.tabled():
        sponsors = schema.table(table.tabled.sponsors)
        parts.append(SPONSORED_SQL.format(
            table=table.name, key=table.id, noun=table.tabled.noun, sponsors=sponsors.name,
            item=sponsors.column_to(table.name), member=sponsors.column_to("members"),
        ))
    sponsored = " UNION ALL ".join(parts)
    counts = [f"SELECT count(*) FROM [{t.tabled.sponsors}] WHERE [{schema.table(t.tabled.sponsors).column_to('members')}] = ?" for t in schema.tabled()]
    page["amendment_count"] = (await one(db, f"SELECT {' + '.join(f'({c})' for c in counts)} AS n", [member_id] * len(counts)))["n"]
    for a in await listed("amendments", f"{sponsored} ORDER BY item_id", [member_id] * len(parts)):
        a["amendment_id"] = a["item_id"] if a["item_table"] == "amendments" else None
        a["url"] = record_path(datasette, db.name, a["item_table"], a["item_id"])
    page["vote_count"] = (await one(db, "SELECT count(*) AS n FROM division_votes WHERE member_id = ?", [member_id]))["n"]
    await listed("votes", VOTES_SQL, [member_id])
    page["speech_count"] = (await one(db, "SELECT count(*) AS n FROM contributions WHERE member_id = ?", [member_id]))["n"]
    ids = await listing(db, SPEECH_IDS_SQL, [member_id], page_number(args, "speeches"))
    page["lists"]["speeches"] = ids
    speeches = page["speeches"] = await many(db, SPEECHES_SQL, [json.dumps([r["contribution_id"] for r in ids.rows])])
    for speech in speeches:
        speech["pairs"] = [(label, eid) for label, _, eid in (pair.partition(":") for pair in (speech["entities"] or "").split(",") if pair)]
    names = await entity_names(db, {pair for speech in speeches for pair in speech["pairs"]})
    for speech in speeches:
        speech["entity_list"] = [(label, eid, names.get((label, eid), eid)) for label, eid in speech.pop("pairs")]
    page["question_count"] = (await one(db, "SELECT count(*) AS n FROM written_questions WHERE asking_member_id = ?", [member_id]))["n"]
    await listed(
        "questions",
        "SELECT question_id, uin, date_tabled, heading FROM written_questions WHERE asking_member_id = ? ORDER BY date_tabled, question_id",
        [member_id],
    )
    named_in = await listed("named_in", NAMED_IN_SQL.format(column=schema.table("mentions").column_to("members")), [member_id])
    await label_rows(db, named_in, "doc_table", "doc_id")
    for d in named_in:
        d["url"] = record_path(datasette, db.name, d["doc_table"], d["doc_id"])
    return page


async def documents(db, doc_table, doc_ids):
    """``{str(key): row}`` of the documents of ``doc_table`` with these keys, each with its ``_label``:
    one indexed query for any number of them."""
    doc = schema.TABLES.get(doc_table)
    if doc is None or doc.tagging is None or not doc_ids:
        return {}
    rows = await many(
        db,
        f"SELECT t.*, {doc.label or 'NULL'} AS _label FROM [{doc_table}] t WHERE t.[{doc.id}] IN (SELECT value FROM json_each(?))",
        [json.dumps(sorted({str(i) for i in doc_ids}))],
    )
    return {str(row[doc.id]): row for row in rows}


async def entity(datasette, db, table, entity_id, args=None):
    """A supplier's or provision's page (``table``, a :class:`schema.Table`): its record and one page
    of its mentions in context (``?mentions_page=N``), or None when neither exists."""
    record = await one(db, f"SELECT * FROM [{table.name}] WHERE [{table.id}] = ?", [entity_id])
    typed = schema.table("mentions").column_to(table.name)
    total = (await one(db, f"SELECT count(*) AS n FROM mentions WHERE [{typed}] = ?", [entity_id]))["n"]
    if record is None and not total:
        return None
    page = {"record": record, "mentions": [], "related": [], "flags": [], "mention_count": total, "lists": {}}
    if record is not None:
        page["fields"] = [(k, decode_json(v) if isinstance(v, str) and v[:1] in "[{" else v) for k, v in record.items()]
        if table.name == "suppliers":
            page["flags"] = await many(db, "SELECT flag, source, url, date, note FROM supplier_risk_flags WHERE supplier_id = ? ORDER BY flag", [entity_id])
        for parent in (column for column, target in table.links.items() if target == table.name):
            # Narrower records: a supplier's subsidiaries, a provision's narrower provisions.
            page["related"] = await many(db, f"SELECT [{table.id}] AS id, name FROM [{table.name}] WHERE [{parent}] = ? ORDER BY name", [entity_id])
    # One page of mention ids from the index, then those mentions and their documents, a query per table.
    ids = await listing(db, f"SELECT id FROM mentions WHERE [{typed}] = ? ORDER BY id", [entity_id], page_number(args, "mentions"))
    page["lists"]["mentions"] = ids
    mentions = await many(
        db, "SELECT * FROM mentions WHERE id IN (SELECT value FROM json_each(?)) ORDER BY doc_table, doc_id, start",
        [json.dumps([r["id"] for r in ids.rows])],
    )
    docs = {}
    for m in mentions:
        docs.setdefault((m["doc_table"], str(m["doc_id"])), []).append(m)
    rows = {}
    for doc_table in sorted({t for t, _ in docs}):
        rows[doc_table] = await documents(db, doc_table, [i for t, i in docs if t == doc_table])
    for (doc_table, doc_id), ms in docs.items():
        doc = schema.TABLES.get(doc_table)
        row = rows.get(doc_table, {}).get(doc_id)
        placed = place_mentions({f: row.get(f) for f in doc.tagging.fields}, ms) if row else {}
        where = {"link": record_path(datasette, db.name, doc_table, doc_id),
                 "doc_label": (row or {}).get("_label") or f"{doc_table} {doc_id}"}
        for field, pms in placed.items():
            text = row.get(field) or ""
            for m in pms:
                lo, hi = max(0, m["start"] - 120), min(len(text), m["end"] + 120)
                context = highlight(datasette, text[lo:hi], [{**m, "start": m["start"] - lo, "end": m["end"] - lo}], link=False)
                page["mentions"].append({**m, **where, "field": field, "context": context})
        placed_ids = {p["id"] for pms in placed.values() for p in pms}
        for m in ms:
            if m["id"] not in placed_ids:
                page["mentions"].append({**m, **where, "field": None, "context": None})
    return page


def doc_link(datasette, database, table, doc_id):
    """Where a document is shown: the amendment or member page, or the row page."""
    return record_path(datasette, database, table, doc_id)
