"""Publication: FTS5 (porter) indexes kept current by triggers, and views for browsing.

Only tables that exist when this migration runs are indexed (m0002 and m0003
always run before it on a fresh database). Each index is an external-content
FTS5 table ``<table>_fts`` over the table's rowid, so Datasette detects it for
``?_search=`` and the publication's search page ranks it with bm25.

Triggers keep each index current on every write the store makes: insert,
delete, and an update of an indexed column (the store's "nothing changed"
update touches only bookkeeping columns, so it does not re-index).
"""

# table -> (indexed columns in order, bm25 weights in the same order)
FTS = {
    "amendments": (("number", "summary", "text", "explanatory_text"), (10.0, 4.0, 1.0, 1.0)),
    "pingpong_items": (("number", "summary", "text"), (10.0, 4.0, 1.0)),
    "contributions": (("attributed_to", "text"), (2.0, 1.0)),
    "bill_clauses": (("number", "heading", "text"), (10.0, 4.0, 1.0)),
    "written_questions": (("uin", "heading", "question_text", "answer_text"), (10.0, 4.0, 1.0, 1.0)),
    "written_statements": (("title", "text"), (4.0, 1.0)),
}


def _tables(db):
    return {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()}


def _columns(db, table):
    return [row[1] for row in db.execute(f"PRAGMA table_info([{table}])").fetchall()]


def fts_statements(table, columns, weights):
    """The SQL creating ``<table>_fts``, its triggers, its rank function and first build."""
    fts = f"{table}_fts"
    cols = ", ".join(f"[{c}]" for c in columns)
    new = ", ".join(f"new.[{c}]" for c in columns)
    old = ", ".join(f"old.[{c}]" for c in columns)
    return [
        f"CREATE VIRTUAL TABLE [{fts}] USING fts5({cols}, content=[{table}], content_rowid='rowid', tokenize='porter unicode61')",
        f"CREATE TRIGGER [{table}_fts_ai] AFTER INSERT ON [{table}] BEGIN"
        f" INSERT INTO [{fts}] (rowid, {cols}) VALUES (new.rowid, {new}); END",
        f"CREATE TRIGGER [{table}_fts_ad] AFTER DELETE ON [{table}] BEGIN"
        f" INSERT INTO [{fts}] ([{fts}], rowid, {cols}) VALUES ('delete', old.rowid, {old}); END",
        f"CREATE TRIGGER [{table}_fts_au] AFTER UPDATE OF {cols} ON [{table}] BEGIN"
        f" INSERT INTO [{fts}] ([{fts}], rowid, {cols}) VALUES ('delete', old.rowid, {old});"
        f" INSERT INTO [{fts}] (rowid, {cols}) VALUES (new.rowid, {new}); END",
        f"INSERT INTO [{fts}] ([{fts}], rank) VALUES ('rank', 'bm25({', '.join(str(w) for w in weights)})')",
        f"INSERT INTO [{fts}] ([{fts}]) VALUES ('rebuild')",
    ]


VIEWS = {
    # Amendments with their stage, House and lead sponsor by name: facets by House need the stage.
    "amendments_overview": (
        {"amendments", "bill_stages", "members", "bills"},
        """CREATE VIEW amendments_overview AS
SELECT a.amendment_id, a.number, b.short_title AS bill, s.description AS stage, s.house AS house,
       a.decision, m.name AS lead_sponsor, a.sponsors, a.summary, a.bill_id, a.bill_stage_id, a.lead_sponsor_id
FROM amendments a
LEFT JOIN bills b ON b.bill_id = a.bill_id
LEFT JOIN bill_stages s ON s.bill_stage_id = a.bill_stage_id
LEFT JOIN members m ON m.member_id = a.lead_sponsor_id
WHERE a.removed_at IS NULL""",
    ),
    # Contributions with the debate's House and date, for facets by House, date and member.
    "contributions_overview": (
        {"contributions", "debates", "members"},
        """CREATE VIEW contributions_overview AS
SELECT c.contribution_id, d.date, d.house, d.title AS debate, COALESCE(m.name, c.attributed_to) AS member,
       c.text, c.debate_id, c.member_id
FROM contributions c
LEFT JOIN debates d ON d.debate_id = c.debate_id
LEFT JOIN members m ON m.member_id = c.member_id""",
    ),
}

VIEW_COLUMNS = {
    "amendments_overview": {"amendments": {"removed_at", "sponsors", "lead_sponsor_id"}, "bill_stages": {"house", "description"}},
    "contributions_overview": {"contributions": {"debate_id", "member_id", "attributed_to", "text"}, "debates": {"date", "house", "title"}},
}


def migrate(db):
    tables = _tables(db)
    for table, (columns, weights) in FTS.items():
        if table not in tables or f"{table}_fts" in tables:
            continue
        present = set(_columns(db, table))
        chosen = [(c, w) for c, w in zip(columns, weights) if c in present]
        if not chosen:
            continue
        for sql in fts_statements(table, [c for c, _ in chosen], [w for _, w in chosen]):
            db.execute(sql)
    for name, (needs, sql) in VIEWS.items():
        if not needs <= tables:
            continue
        if not all(set(cols) <= set(_columns(db, t)) for t, cols in VIEW_COLUMNS[name].items()):
            continue
        db.execute(f"DROP VIEW IF EXISTS {name}")
        db.execute(sql)
