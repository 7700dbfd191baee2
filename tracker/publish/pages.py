"""What the publication's own pages show: amendment, member, supplier and provision records.

Every function takes a Datasette ``Database`` and the set of its table names,
and reads only the tables that exist, so a database without members, Hansard
or mentions still renders each page (with those sections left out).
Stored text is never trusted: it is escaped here or by the templates'
autoescaping, and only the publication's own markup (``<a>``, ``<mark>``) is added.
"""
import json
import urllib.parse

from markupsafe import Markup, escape

# Which fields of each document table the NLP stage tags, in the order they are tried.
DOC_FIELDS = {
    "amendments": ("text", "summary", "explanatory_text", "number"),
    "pingpong_items": ("text", "summary", "number"),
    "contributions": ("text",),
    "bill_clauses": ("text", "heading"),
    "written_questions": ("question_text", "answer_text", "heading"),
    "written_statements": ("text", "title"),
}
LABEL_PAGE = {"SUPPLIER": "supplier", "MEMBER": "member", "PROVISION": "provision", "REFERENCE": "amendment"}


def rows_as_dicts(results):
    return [dict(row) for row in results.rows]


async def one(db, sql, params=()):
    results = await db.execute(sql, params)
    rows = rows_as_dicts(results)
    return rows[0] if rows else None


async def many(db, sql, params=()):
    return rows_as_dicts(await db.execute(sql, params))


def columns_of(table_columns, table):
    return set(table_columns.get(table) or ())


TYPED_ID = {"SUPPLIER": "supplier_id", "MEMBER": "member_id", "PROVISION": "provision_id", "REFERENCE": "amendment_id"}


def mention_target(mention):
    """The id a mention links to: its typed column (m0003) where set, else ``entity_id``.

    A REFERENCE links only through ``amendment_id``: its ``entity_id`` is a
    normalised reference ("clause 2"), not a record.
    """
    label = mention.get("label")
    typed = mention.get(TYPED_ID.get(label, ""))
    if typed not in (None, ""):
        return typed
    if label == "REFERENCE":
        return None
    return mention.get("entity_id")


def entity_path(datasette, label, entity_id):
    """The page a tagged mention links to, or None (no link, or a label with no page)."""
    page = LABEL_PAGE.get(label)
    if page is None or entity_id in (None, ""):
        return None
    if page in ("member", "amendment") and not str(entity_id).isdigit():
        return None
    return datasette.urls.path(f"/-/{page}/{urllib.parse.quote(str(entity_id), safe='')}")


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


def highlight(datasette, text, mentions, *, link=True):
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
        path = entity_path(datasette, label, mention_target(m)) if link else None
        inner = escape(text[start:end])
        title = escape(f"{label} {m.get('entity_id') or ''}".strip())
        if path:
            out.append(Markup('<a class="{}" href="{}" title="{}" data-label="{}">{}</a>').format(css, path, title, label, inner))
        else:
            out.append(Markup('<mark class="{}" title="{}" data-label="{}">{}</mark>').format(css, title, label, inner))
        at = end
    out.append(escape(text[at:]))
    return Markup("").join(out)


async def table_columns(db):
    """``{table: [columns]}`` for every table and view in the database."""
    names = await db.table_names() + await db.view_names()
    result = {}
    for name in names:
        result[name] = [r["name"] for r in (await db.execute(f"PRAGMA table_info([{name}])")).rows]
    return result


async def mentions_for(db, tables, doc_table, doc_id):
    if "mentions" not in tables:
        return []
    return await many(
        db,
        "SELECT * FROM mentions WHERE doc_table = ? AND CAST(doc_id AS TEXT) = ? ORDER BY start, [end] DESC",
        [doc_table, str(doc_id)],
    )


async def highlighted_fields(datasette, db, tables, doc_table, row, fields):
    """``[(field, Markup)]`` for the non-empty ``fields`` of one document, mentions linked."""
    texts = {f: row.get(f) for f in fields if f in row}
    mentions = await mentions_for(db, tables, doc_table, row_id(doc_table, row))
    placed = place_mentions(texts, mentions)
    return [(f, highlight(datasette, texts[f], placed.get(f, []))) for f in texts if texts[f]], mentions


DOC_PK = {
    "amendments": "amendment_id",
    "pingpong_items": "pingpong_item_id",
    "contributions": "contribution_id",
    "bill_clauses": "clause_id",
    "written_questions": "question_id",
    "written_statements": "statement_id",
}


def row_id(table, row):
    return row.get(DOC_PK.get(table, "id"))


def decode_json(value):
    if value in (None, ""):
        return None
    try:
        return json.loads(value)
    except (TypeError, ValueError):
        return value


async def change_history(db, tables, table, record_id):
    """The ``changes`` rows of one record, oldest first, with decoded fields."""
    if "changes" not in tables:
        return []
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


async def amendment(datasette, db, amendment_id):
    """Everything the amendment page shows, or None when there is no such amendment."""
    cols = await table_columns(db)
    tables = set(cols)
    a = await one(db, "SELECT * FROM amendments WHERE amendment_id = ?", [amendment_id])
    if a is None:
        return None
    page = {"amendment": a, "tables": tables}
    page["bill"] = await one(db, "SELECT * FROM bills WHERE bill_id = ?", [a.get("bill_id")]) if "bills" in tables else None
    page["stage"] = (
        await one(db, "SELECT * FROM bill_stages WHERE bill_stage_id = ?", [a.get("bill_stage_id")]) if "bill_stages" in tables else None
    )
    sponsors = []
    if {"amendment_sponsors", "members"} <= tables:
        sponsors = await many(
            db,
            "SELECT s.member_id, s.is_lead, m.name, m.party, m.house FROM amendment_sponsors s"
            " LEFT JOIN members m ON m.member_id = s.member_id WHERE s.amendment_id = ? ORDER BY s.is_lead DESC, s.sort_order",
            [amendment_id],
        )
    if not sponsors:
        names = decode_json(a.get("sponsors"))
        if isinstance(names, list):
            sponsors = [{"member_id": None, "name": n if isinstance(n, str) else (n or {}).get("name"), "is_lead": i == 0} for i, n in enumerate(names)]
    page["sponsors"] = sponsors
    shown = [f for f in ("summary", "text", "explanatory_text") if f in a]
    if a.get("summary") and (a.get("summary") or "").strip() == (a.get("text") or "").strip():
        shown.remove("summary")  # the API often repeats the text as the summary
    page["fields"], page["mentions"] = await highlighted_fields(datasette, db, tables, "amendments", a, shown)
    page["history"] = await change_history(db, tables, "amendments", amendment_id)
    page["divisions"] = []
    if "divisions" in tables and "amendment_id" in cols["divisions"]:
        page["divisions"] = await many(db, "SELECT * FROM divisions WHERE amendment_id = ? ORDER BY date", [amendment_id])
    page["debates"] = []
    if {"contribution_amendments", "contributions"} <= tables:
        join_debates = "debates" in tables
        page["debates"] = await many(
            db,
            "SELECT c.contribution_id, c.member_id, c.attributed_to, ca.how, ca.reference, substr(c.text, 1, 600) AS excerpt"
            + (", d.debate_id, d.title AS debate, d.date, d.house" if join_debates else "")
            + " FROM contribution_amendments ca JOIN contributions c ON c.contribution_id = ca.contribution_id"
            + (" LEFT JOIN debates d ON d.debate_id = c.debate_id" if join_debates else "")
            + " WHERE ca.amendment_id = ? ORDER BY "
            + ("d.date, " if join_debates else "")
            + "c.order_in_section",
            [amendment_id],
        )
    return page


async def entity_names(db, tables):
    """Display names of suppliers and provisions, keyed by ``(label, id)``."""
    names = {}
    for label, table, key in (("SUPPLIER", "suppliers", "supplier_id"), ("PROVISION", "provisions", "provision_id")):
        if table in tables:
            for row in await many(db, f"SELECT [{key}] AS id, name FROM [{table}]"):
                names[(label, str(row["id"]))] = row["name"] or str(row["id"])
    return names


async def member(datasette, db, member_id):
    """A member's record on the tracked bills, or None when unknown."""
    cols = await table_columns(db)
    tables = set(cols)
    if "members" not in tables:
        return None
    m = await one(db, "SELECT * FROM members WHERE member_id = ?", [member_id])
    if m is None:
        return None
    page = {"member": m, "tables": tables}
    page["names"] = (
        await many(db, "SELECT name, kind, start_date, end_date FROM member_names WHERE member_id = ? ORDER BY kind, name", [member_id])
        if "member_names" in tables
        else []
    )
    page["amendments"] = []
    if {"amendment_sponsors", "amendments"} <= tables:
        stage = "bill_stages" in tables
        page["amendments"] = await many(
            db,
            "SELECT a.amendment_id, a.number, a.decision, a.summary, s.is_lead"
            + (", st.description AS stage, st.house" if stage else "")
            + " FROM amendment_sponsors s JOIN amendments a ON a.amendment_id = s.amendment_id"
            + (" LEFT JOIN bill_stages st ON st.bill_stage_id = a.bill_stage_id" if stage else "")
            + " WHERE s.member_id = ? ORDER BY "
            + ("st.sort_order, " if stage else "")
            + "a.amendment_id",
            [member_id],
        )
    page["votes"] = []
    pingpong = "pingpong_items" in tables and "pingpong_item_id" in cols.get("divisions", ())
    if {"division_votes", "divisions"} <= tables:
        page["votes"] = await many(
            db,
            "SELECT d.division_id, d.date, d.house, d.title, d.amendment_id, d.aye_count, d.no_count, v.vote, v.is_teller"
            + (", a.number AS amendment_number" if "amendments" in tables else "")
            + (", d.pingpong_item_id, p.type AS pingpong_type, p.number AS pingpong_number" if pingpong else "")
            + " FROM division_votes v JOIN divisions d ON d.division_id = v.division_id"
            + (" LEFT JOIN amendments a ON a.amendment_id = d.amendment_id" if "amendments" in tables else "")
            + (" LEFT JOIN pingpong_items p ON p.pingpong_item_id = d.pingpong_item_id" if pingpong else "")
            + " WHERE v.member_id = ? ORDER BY d.date, d.division_id",
            [member_id],
        )
    page["speeches"] = []
    page["speech_count"] = 0
    if "contributions" in tables:
        page["speech_count"] = (await one(db, "SELECT count(*) AS n FROM contributions WHERE member_id = ?", [member_id]))["n"]
        if "mentions" in tables:
            # Speeches naming watched entities (suppliers and security provisions).
            page["speeches"] = await many(
                db,
                "SELECT c.contribution_id, substr(c.text, 1, 400) AS excerpt, group_concat(DISTINCT m.label || ':' || m.entity_id) AS entities"
                + (", d.title AS debate, d.date, d.house" if "debates" in tables else "")
                + " FROM contributions c JOIN mentions m ON m.doc_table = 'contributions' AND CAST(m.doc_id AS TEXT) = CAST(c.contribution_id AS TEXT)"
                + " AND m.label IN ('SUPPLIER', 'PROVISION') AND m.entity_id IS NOT NULL"
                + (" LEFT JOIN debates d ON d.debate_id = c.debate_id" if "debates" in tables else "")
                + " WHERE c.member_id = ? GROUP BY c.contribution_id ORDER BY "
                + ("d.date, " if "debates" in tables else "")
                + "c.contribution_id LIMIT 200",
                [member_id],
            )
            names = await entity_names(db, tables)
            for speech in page["speeches"]:
                pairs = [pair.partition(":") for pair in (speech["entities"] or "").split(",") if pair]
                speech["entity_list"] = [(label, eid, names.get((label, eid), eid)) for label, _, eid in pairs]
    page["questions"] = []
    if "written_questions" in tables:
        page["questions"] = await many(
            db,
            "SELECT question_id, uin, date_tabled, heading FROM written_questions WHERE asking_member_id = ? ORDER BY date_tabled",
            [member_id],
        )
    page["named_in"] = []
    if "mentions" in tables:
        page["named_in"] = await many(
            db,
            "SELECT doc_table, doc_id, count(*) AS n FROM mentions WHERE label = 'MEMBER' AND CAST(entity_id AS TEXT) = ?"
            " GROUP BY doc_table, doc_id ORDER BY doc_table, doc_id LIMIT 200",
            [str(member_id)],
        )
    return page


async def entity(datasette, db, table, key, entity_id, label):
    """A supplier or provision page: its record and every mention in context."""
    cols = await table_columns(db)
    tables = set(cols)
    record = await one(db, f"SELECT * FROM [{table}] WHERE [{key}] = ?", [entity_id]) if table in tables else None
    mentions = []
    if "mentions" in tables:
        mentions = await many(
            db,
            "SELECT * FROM mentions WHERE label = ? AND CAST(entity_id AS TEXT) = ?"
            + (f" OR CAST([{TYPED_ID[label]}] AS TEXT) = ?" if TYPED_ID.get(label) in cols["mentions"] else "")
            + " ORDER BY doc_table, doc_id, start LIMIT 1000",
            [label, str(entity_id)] + ([str(entity_id)] if TYPED_ID.get(label) in cols["mentions"] else []),
        )
    if record is None and not mentions:
        return None
    page = {"record": record, "tables": tables, "mentions": [], "related": [], "flags": []}
    if record is not None:
        page["fields"] = [(k, decode_json(v) if isinstance(v, str) and v[:1] in "[{" else v) for k, v in record.items()]
        if table == "suppliers" and "supplier_risk_flags" in tables:
            page["flags"] = await many(db, "SELECT flag, source, url, date, note FROM supplier_risk_flags WHERE supplier_id = ? ORDER BY flag", [entity_id])
        if "parent_id" in record and table in tables:
            page["related"] = await many(db, f"SELECT [{key}] AS id, name FROM [{table}] WHERE parent_id = ? ORDER BY name", [entity_id])
    # Context for each mention from its document, checked at its offsets.
    docs = {}
    for m in mentions:
        docs.setdefault((m["doc_table"], str(m["doc_id"])), []).append(m)
    for (doc_table, doc_id), ms in docs.items():
        pk = DOC_PK.get(doc_table)
        row = None
        if pk and doc_table in tables:
            row = await one(db, f"SELECT * FROM [{doc_table}] WHERE CAST([{pk}] AS TEXT) = ?", [doc_id])
        placed = place_mentions({f: row.get(f) for f in DOC_FIELDS.get(doc_table, ()) if row and f in row}, ms) if row else {}
        for field, pms in placed.items():
            text = row.get(field) or ""
            for m in pms:
                lo, hi = max(0, m["start"] - 120), min(len(text), m["end"] + 120)
                context = highlight(datasette, text[lo:hi], [{**m, "start": m["start"] - lo, "end": m["end"] - lo}], link=False)
                page["mentions"].append({**m, "field": field, "context": context, "link": doc_link(datasette, db.name, doc_table, doc_id)})
        unplaced = [m for m in ms if not any(m["id"] == p["id"] for pms in placed.values() for p in pms)]
        for m in unplaced:
            page["mentions"].append({**m, "field": None, "context": None, "link": doc_link(datasette, db.name, doc_table, doc_id)})
    return page


def doc_link(datasette, database, table, doc_id):
    """Where a document is shown: the amendment or member page, or the row page."""
    from datasette.utils import tilde_encode

    if table == "amendments":
        return datasette.urls.path(f"/-/amendment/{doc_id}")
    if table == "members":
        return datasette.urls.path(f"/-/member/{doc_id}")
    return datasette.urls.row(database, table, tilde_encode(str(doc_id)))
