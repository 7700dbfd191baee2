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
# table -> (the publication's page for its rows, its key); other tables' rows show on Datasette's row page.
PAGES = {
    "amendments": ("amendment", "amendment_id"),
    "members": ("member", "member_id"),
    "suppliers": ("supplier", "supplier_id"),
    "provisions": ("provision", "provision_id"),
}
NUMERIC_PAGES = {"amendment", "member"}
LABEL_PAGE = {"SUPPLIER": "supplier", "MEMBER": "member", "PROVISION": "provision"}
# What a REFERENCE mention may point to, in order: its typed column and the table it names.
REFERENCE_TARGETS = (("amendment_id", "amendments"), ("pingpong_item_id", "pingpong_items"))


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


TYPED_ID = {"SUPPLIER": "supplier_id", "MEMBER": "member_id", "PROVISION": "provision_id"}


def page_path(datasette, page, record_id):
    """``/-/<page>/<id>``, or None when there is no id (or a numeric page gets a non-numeric one)."""
    if page is None or record_id in (None, ""):
        return None
    if page in NUMERIC_PAGES and not str(record_id).isdigit():
        return None
    return datasette.urls.path(f"/-/{page}/{urllib.parse.quote(str(record_id), safe='')}")


def record_path(datasette, database, table, record_id):
    """Where one record is shown: its page (amendment, member, supplier, provision) or its row page."""
    path = page_path(datasette, PAGES.get(table, (None,))[0], record_id)
    if path:
        return path
    from datasette.utils import tilde_encode

    return datasette.urls.row(database, table, ",".join(tilde_encode(p) for p in str(record_id).split("/")))


def mention_target(mention):
    """``(table, id)`` of the record a mention links to, or ``(None, None)``.

    SUPPLIER, MEMBER and PROVISION use their typed column (m0003) where set,
    else ``entity_id``. A REFERENCE links only through a typed column
    (``amendment_id``, or ``pingpong_item_id`` where m0005 added it): its
    ``entity_id`` is a normalised reference ("amendment:47A"), not a record.
    """
    label = mention.get("label")
    if label == "REFERENCE":
        for column, table in REFERENCE_TARGETS:
            if mention.get(column) not in (None, ""):
                return table, mention[column]
        return None, None
    page = LABEL_PAGE.get(label)
    if page is None:
        return None, None
    typed = mention.get(TYPED_ID[label])
    target = typed if typed not in (None, "") else mention.get("entity_id")
    return (page + "s", target) if target not in (None, "") else (None, None)


def entity_path(datasette, label, entity_id):
    """The page of a supplier, member or provision named by ``label`` and ``entity_id``, or None."""
    return page_path(datasette, LABEL_PAGE.get(label), entity_id)


def mention_path(datasette, database, mention):
    """Where a highlighted mention links, or None (not linked)."""
    table, target = mention_target(mention)
    if table is None:
        return None
    if table in PAGES:
        return page_path(datasette, PAGES[table][0], target)
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
    fields = [(f, highlight(datasette, texts[f], placed.get(f, []), database=db.name)) for f in texts if texts[f]]
    return fields, mentions


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


_STAGE = (" || COALESCE(' (' || (SELECT s.description || COALESCE(', ' || s.house, '') FROM bill_stages s"
          " WHERE s.bill_stage_id = t.bill_stage_id) || ')', '')")

# How each kind of record is named in feeds and lists: (key, [columns the label needs], SQL over alias t).
RECORD_LABELS = {
    "bills": ("bill_id", ["short_title"], "t.short_title"),
    "bill_stages": ("bill_stage_id", ["description", "house"], "t.description || COALESCE(', ' || t.house, '')"),
    # Numbers repeat from stage to stage (Amendment 1 at Committee and at Report), so the stage is part of the name.
    "amendments": ("amendment_id", ["number", "bill_stage_id"], "'Amendment ' || COALESCE(t.number, '?')" + _STAGE),
    "pingpong_items": ("pingpong_item_id", ["type", "number", "bill_stage_id"], "COALESCE(t.type, 'Motion') || ' ' || COALESCE(t.number, '?')" + _STAGE),
    "members": ("member_id", ["name"], "t.name"),
    "debates": ("debate_id", ["title", "date"], "COALESCE(t.title, 'Debate') || COALESCE(', ' || t.date, '')"),
    "contributions": ("contribution_id", ["attributed_to"], "'Speech by ' || COALESCE(t.attributed_to, 'an unattributed speaker')"),
    "divisions": ("division_id", ["title", "date"], "'Division: ' || COALESCE(t.title, t.division_id) || COALESCE(', ' || t.date, '')"),
    "bill_clauses": ("clause_id", ["kind", "number", "heading", "version"],
                     "COALESCE(t.kind, 'clause') || ' ' || COALESCE(t.number, '') || COALESCE(': ' || t.heading, '') || COALESCE(' (' || t.version || ')', '')"),
    "written_questions": ("question_id", ["uin", "heading"], "'Question ' || COALESCE(t.uin, '') || COALESCE(': ' || t.heading, '')"),
    "written_statements": ("statement_id", ["uin", "title"], "'Statement ' || COALESCE(t.uin, '') || COALESCE(': ' || t.title, '')"),
    "suppliers": ("supplier_id", ["name"], "t.name"),
    "provisions": ("provision_id", ["name"], "t.name"),
}


async def record_labels(db, cols, table, ids):
    """``{str(id): label}`` for records of ``table`` (those it can name; others are left out)."""
    spec = RECORD_LABELS.get(table)
    ids = sorted({str(i) for i in ids if i is not None})
    if spec is None or not ids or table not in cols:
        return {}
    key, needs, label = spec
    if not ({key, *needs} <= set(cols[table])):
        return {}
    rows = await many(
        db,
        f"SELECT CAST(t.[{key}] AS TEXT) AS id, {label} AS label FROM [{table}] t"
        " WHERE CAST(t.[" + key + "] AS TEXT) IN (SELECT value FROM json_each(?))",
        [json.dumps(ids)],
    )
    return {r["id"]: r["label"] for r in rows if r["label"]}


async def label_rows(db, rows, table_key, id_key, *, cols=None):
    """Set ``row["label"]`` on each row naming a record by ``row[table_key]`` and ``row[id_key]``."""
    cols = cols or await table_columns(db)
    by_table = {}
    for row in rows:
        by_table.setdefault(row.get(table_key), set()).add(row.get(id_key))
    labels = {table: await record_labels(db, cols, table, ids) for table, ids in by_table.items()}
    for row in rows:
        row["label"] = labels.get(row.get(table_key), {}).get(str(row.get(id_key))) or row.get("label")
    return rows


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


def optional_sql(base, parts):
    """``base`` with the ``{name}`` slots filled from ``parts``: ``{name: (wanted, sql)}``, "" where not wanted."""
    return base.format(**{name: (sql if wanted else "") for name, (wanted, sql) in parts.items()})


# Amendments and ping-pong items (motions and amendments between the Houses) share one page:
# table -> (key, sponsors table, noun)
TABLED = {
    "amendments": ("amendment_id", "amendment_sponsors", "Amendment"),
    "pingpong_items": ("pingpong_item_id", "pingpong_sponsors", None),
}


async def tabled(datasette, db, table, record_id):
    """Everything an amendment's (or a ping-pong item's) page shows, or None when there is none."""
    cols = await table_columns(db)
    tables = set(cols)
    key, sponsor_table, noun = TABLED[table]
    if table not in tables:
        return None
    a = await one(db, f"SELECT * FROM [{table}] WHERE [{key}] = ?", [record_id])
    if a is None:
        return None
    page = {"amendment": a, "tables": tables, "table": table, "key": key,
            "noun": noun or a.get("type") or "Motion"}
    page["bill"] = await one(db, "SELECT * FROM bills WHERE bill_id = ?", [a.get("bill_id")]) if "bills" in tables else None
    page["stage"] = (
        await one(db, "SELECT * FROM bill_stages WHERE bill_stage_id = ?", [a.get("bill_stage_id")]) if "bill_stages" in tables else None
    )
    sponsors = []
    if {sponsor_table, "members"} <= tables:
        sponsors = await many(
            db,
            "SELECT s.member_id, s.is_lead, m.name, m.party, m.house FROM [" + sponsor_table + "] s"
            f" LEFT JOIN members m ON m.member_id = s.member_id WHERE s.[{key}] = ? ORDER BY s.is_lead DESC, s.sort_order",
            [record_id],
        )
    if not sponsors:
        names = decode_json(a.get("sponsors"))
        if isinstance(names, list):
            sponsors = [{"member_id": None, "name": n if isinstance(n, str) else (n or {}).get("name"), "is_lead": i == 0} for i, n in enumerate(names)]
    page["sponsors"] = sponsors
    shown = [f for f in ("summary", "text", "explanatory_text") if f in a]
    summary, text = (a.get("summary") or "").strip(), (a.get("text") or "").strip()
    if summary and text.startswith(summary):
        shown.remove("summary")  # the API often repeats the text (or its first lines) as the summary
    page["fields"], page["mentions"] = await highlighted_fields(datasette, db, tables, table, a, shown)
    page["history"] = await change_history(db, tables, table, record_id)
    page["divisions"] = []
    if "divisions" in tables and key in cols["divisions"]:
        page["divisions"] = await many(db, f"SELECT * FROM divisions WHERE [{key}] = ? ORDER BY date", [record_id])
    page["debates"] = []
    if {"contribution_amendments", "contributions"} <= tables and key in cols["contribution_amendments"]:
        page["debates"] = await many(
            db,
            optional_sql(
                "SELECT c.contribution_id, c.member_id, c.attributed_to, ca.how, ca.reference, substr(c.text, 1, 600) AS excerpt{debate}"
                " FROM contribution_amendments ca JOIN contributions c ON c.contribution_id = ca.contribution_id{join}"
                " WHERE ca.[" + key + "] = ? ORDER BY {date}c.order_in_section",
                {"debate": ("debates" in tables, ", d.debate_id, d.title AS debate, d.date, d.house"),
                 "join": ("debates" in tables, " LEFT JOIN debates d ON d.debate_id = c.debate_id"),
                 "date": ("debates" in tables, "d.date, ")},
            ),
            [record_id],
        )
    return page


async def amendment(datasette, db, amendment_id):
    """Everything the amendment page shows, or None when there is no such amendment."""
    return await tabled(datasette, db, "amendments", amendment_id)


async def entity_names(db, tables):
    """Display names of suppliers and provisions, keyed by ``(label, id)``."""
    names = {}
    for label, table, key in (("SUPPLIER", "suppliers", "supplier_id"), ("PROVISION", "provisions", "provision_id")):
        if table in tables:
            for row in await many(db, f"SELECT [{key}] AS id, name FROM [{table}]"):
                names[(label, str(row["id"]))] = row["name"] or str(row["id"])
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


SPONSORED_SQL = (
    "SELECT '{table}' AS item_table, a.[{key}] AS item_id, {noun} AS noun, a.number, a.decision, a.summary, s.is_lead{stage}"
    " FROM [{sponsors}] s JOIN [{table}] a ON a.[{key}] = s.[{key}]{stage_join}"
    " WHERE s.member_id = ?"
)


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
    names = (
        await many(db, "SELECT name, kind, start_date, end_date FROM member_names WHERE member_id = ? ORDER BY start_date, kind, name", [member_id])
        if "member_names" in tables
        else []
    )
    page["names"] = known_as(names, m.get("name_display_as") or m.get("name"))
    page["seats"] = seats(names)
    # Amendments, and motions and amendments in ping-pong, tabled or supported.
    stage = "bill_stages" in tables
    parts = []
    for table, (key, sponsors, noun) in TABLED.items():
        if {table, sponsors} <= tables:
            parts.append(SPONSORED_SQL.format(
                table=table, key=key, sponsors=sponsors,
                noun=f"'{noun}'" if noun else "COALESCE(a.type, 'Motion')",
                stage=", st.description AS stage, st.house AS house, st.sort_order AS sort_order" if stage else ", NULL AS stage, NULL AS house, NULL AS sort_order",
                stage_join=" LEFT JOIN bill_stages st ON st.bill_stage_id = a.bill_stage_id" if stage else "",
            ))
    page["amendments"] = (
        await many(db, "SELECT * FROM (" + " UNION ALL ".join(parts) + ") ORDER BY sort_order, item_table, item_id", [member_id] * len(parts)) if parts else []
    )
    for a in page["amendments"]:
        a["amendment_id"] = a["item_id"] if a["item_table"] == "amendments" else None
        a["url"] = record_path(datasette, db.name, a["item_table"], a["item_id"])
    page["votes"] = []
    if {"division_votes", "divisions"} <= tables:
        amendments = "amendments" in tables
        pingpong = "pingpong_items" in tables and "pingpong_item_id" in cols["divisions"]
        page["votes"] = await many(
            db,
            optional_sql(
                "SELECT d.division_id, d.date, d.house, d.title, d.amendment_id, d.aye_count, d.no_count, v.vote, v.is_teller{a}{p}"
                " FROM division_votes v JOIN divisions d ON d.division_id = v.division_id{a_join}{p_join}"
                " WHERE v.member_id = ? ORDER BY d.date, d.division_id",
                {"a": (amendments, ", a.number AS amendment_number"),
                 "a_join": (amendments, " LEFT JOIN amendments a ON a.amendment_id = d.amendment_id"),
                 "p": (pingpong, ", d.pingpong_item_id, p.type AS pingpong_type, p.number AS pingpong_number"),
                 "p_join": (pingpong, " LEFT JOIN pingpong_items p ON p.pingpong_item_id = d.pingpong_item_id")},
            ),
            [member_id],
        )
    page["speeches"] = []
    page["speech_count"] = 0
    if "contributions" in tables:
        page["speech_count"] = (await one(db, "SELECT count(*) AS n FROM contributions WHERE member_id = ?", [member_id]))["n"]
        if "mentions" in tables:
            # Speeches naming watched entities (suppliers and security provisions).
            debates = "debates" in tables
            page["speeches"] = await many(
                db,
                optional_sql(
                    "SELECT c.contribution_id, substr(c.text, 1, 400) AS excerpt, group_concat(DISTINCT m.label || ':' || m.entity_id) AS entities{d}"
                    " FROM contributions c JOIN mentions m ON m.doc_table = 'contributions' AND CAST(m.doc_id AS TEXT) = CAST(c.contribution_id AS TEXT)"
                    " AND m.label IN ('SUPPLIER', 'PROVISION') AND m.entity_id IS NOT NULL{d_join}"
                    " WHERE c.member_id = ? GROUP BY c.contribution_id ORDER BY {date}c.contribution_id LIMIT 200",
                    {"d": (debates, ", d.title AS debate, d.date, d.house"),
                     "d_join": (debates, " LEFT JOIN debates d ON d.debate_id = c.debate_id"),
                     "date": (debates, "d.date, ")},
                ),
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
        typed = " OR member_id = ?" if "member_id" in cols["mentions"] else ""
        page["named_in"] = await many(
            db,
            "SELECT doc_table, doc_id, count(*) AS n FROM mentions WHERE label = 'MEMBER' AND (CAST(entity_id AS TEXT) = ?" + typed + ")"
            " GROUP BY doc_table, doc_id ORDER BY doc_table, doc_id LIMIT 200",
            [str(member_id)] + ([member_id] if typed else []),
        )
        await label_rows(db, page["named_in"], "doc_table", "doc_id", cols=cols)
        for d in page["named_in"]:
            d["url"] = record_path(datasette, db.name, d["doc_table"], d["doc_id"])
    return page


async def entity(datasette, db, table, key, entity_id, label):
    """A supplier or provision page: its record and every mention in context."""
    cols = await table_columns(db)
    tables = set(cols)
    record = await one(db, f"SELECT * FROM [{table}] WHERE [{key}] = ?", [entity_id]) if table in tables else None
    mentions = []
    if "mentions" in tables:
        typed = TYPED_ID.get(label) in cols["mentions"]
        mentions = await many(
            db,
            "SELECT * FROM mentions WHERE label = ? AND (CAST(entity_id AS TEXT) = ?"
            + (f" OR CAST([{TYPED_ID[label]}] AS TEXT) = ?" if typed else "")
            + ") ORDER BY doc_table, doc_id, start LIMIT 1000",
            [label, str(entity_id)] + ([str(entity_id)] if typed else []),
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
    doc_labels = {}
    for doc_table in {t for t, _ in docs}:
        doc_labels[doc_table] = await record_labels(db, cols, doc_table, [i for t, i in docs if t == doc_table])
    for (doc_table, doc_id), ms in docs.items():
        pk = DOC_PK.get(doc_table)
        row = None
        if pk and doc_table in tables:
            row = await one(db, f"SELECT * FROM [{doc_table}] WHERE CAST([{pk}] AS TEXT) = ?", [doc_id])
        placed = place_mentions({f: row.get(f) for f in DOC_FIELDS.get(doc_table, ()) if row and f in row}, ms) if row else {}
        where = {"link": record_path(datasette, db.name, doc_table, doc_id),
                 "doc_label": doc_labels.get(doc_table, {}).get(doc_id) or f"{doc_table} {doc_id}"}
        for field, pms in placed.items():
            text = row.get(field) or ""
            for m in pms:
                lo, hi = max(0, m["start"] - 120), min(len(text), m["end"] + 120)
                context = highlight(datasette, text[lo:hi], [{**m, "start": m["start"] - lo, "end": m["end"] - lo}], link=False)
                page["mentions"].append({**m, **where, "field": field, "context": context})
        unplaced = [m for m in ms if not any(m["id"] == p["id"] for pms in placed.values() for p in pms)]
        for m in unplaced:
            page["mentions"].append({**m, **where, "field": None, "context": None})
    return page


def doc_link(datasette, database, table, doc_id):
    """Where a document is shown: the amendment or member page, or the row page."""
    return record_path(datasette, database, table, doc_id)
