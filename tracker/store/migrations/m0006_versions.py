"""Bill versions: the bill's publications, each print of its text as clauses, the
clause-by-clause changes between consecutive prints and the amendments that made them.

A print that could not be read is still a ``bill_versions`` row, with its
``format`` and ``error`` and no clauses. ``clause_changes`` pairs clauses of two
consecutive versions (one side null for an insertion or a removal);
``change_amendments`` names the agreed amendment (or ping-pong item) that explains
a change, with how it was told and how sure the match is. A change without such a
row is unexplained.

Frozen: the bookkeeping columns are spelled out here, not imported.
"""

TRACKING = {
    "source_url": str,
    "sync_run_id": int,
    "content_hash": str,
    "first_seen": str,
    "last_seen": str,
    "removed_at": str,
}
RUN_FK = ("sync_run_id", "sync_runs", "id")

# clauses.heading and clauses.text searchable like the other texts (see m0004).
CLAUSES_FTS = ("number", "heading", "text")
CLAUSES_FTS_WEIGHTS = (10.0, 4.0, 1.0)


def migrate(db):
    db["publications"].create(
        {
            "publication_id": int,  # BillPublication.id
            "bill_id": int,
            "title": str,
            "publication_type_id": int,
            "publication_type": str,  # PublicationType.name ("Bill", "Amendment paper" ...)
            "publication_type_description": str,
            "display_date": str,
            "house": str,
            "links": str,  # JSON: PublicationLink[]
            "files": str,  # JSON: PublicationDocument[]
            **TRACKING,
        },
        pk="publication_id",
        foreign_keys=[("bill_id", "bills", "bill_id"), RUN_FK],
    )
    db["publications"].create_index(["bill_id", "display_date"])
    db["bill_versions"].create(
        {
            "version_id": str,  # "publication/<id>" or "legislation/<item path>"
            "bill_id": int,
            "publication_id": int,
            "label": str,  # "HL Bill 4 as introduced"
            "date": str,
            "house": str,
            "stage": str,  # the stage the print follows, as the Bills API names it
            "bill_stage_id": int,
            "format": str,  # akn, html, pdf, clml
            "document_id": int,
            "sha256": str,
            "error": str,  # why the print could not be read, or null
            **TRACKING,
        },
        pk="version_id",
        foreign_keys=[
            ("bill_id", "bills", "bill_id"),
            ("publication_id", "publications", "publication_id"),
            ("bill_stage_id", "bill_stages", "bill_stage_id"),
            RUN_FK,
        ],
    )
    db["bill_versions"].create_index(["bill_id", "date"])
    db["clauses"].create(
        {
            "clause_key": str,  # "<version_id>/clause/12", ".../schedule/7/paragraph/3"
            "version_id": str,
            "kind": str,  # part, chapter, clause, section, schedule, paragraph
            "number": str,
            "heading": str,
            "text": str,
            "guid": str,
            "page": int,
            "line_start": int,
            "page_end": int,
            "line_end": int,
            "parent_key": str,
            "position": int,  # order in the print
            **TRACKING,
        },
        pk="clause_key",
        foreign_keys=[
            ("version_id", "bill_versions", "version_id"),
            ("parent_key", "clauses", "clause_key"),
            RUN_FK,
        ],
    )
    db["clauses"].create_index(["version_id", "position"])
    db["clauses"].create_index(["guid"])
    db["clause_changes"].create(
        {
            "id": str,  # "<from clause key> -> <to clause key>" (a missing side: "<version_id>/-")
            "bill_id": int,
            "from_version": str,
            "to_version": str,
            "from_clause": str,
            "to_clause": str,
            "kind": str,  # unchanged, amended, inserted, removed, renumbered, moved
            "aligned_by": str,  # guid, text, number
            "diff": str,  # JSON: word-level operations
            **TRACKING,
        },
        pk="id",
        foreign_keys=[
            ("bill_id", "bills", "bill_id"),
            ("from_version", "bill_versions", "version_id"),
            ("to_version", "bill_versions", "version_id"),
            ("from_clause", "clauses", "clause_key"),
            ("to_clause", "clauses", "clause_key"),
            RUN_FK,
        ],
    )
    db["clause_changes"].create_index(["from_version", "to_version"])
    db["clause_changes"].create_index(["from_clause"])
    db["clause_changes"].create_index(["to_clause"])
    db["change_amendments"].create(
        {
            "clause_change_id": str,
            "amendment_id": int,
            "pingpong_item_id": int,
            "confidence": float,
            "how": str,  # what matched: "clause 28, page 19, line 34; words left out and inserted"
        },
        foreign_keys=[
            ("clause_change_id", "clause_changes", "id"),
            ("amendment_id", "amendments", "amendment_id"),
            ("pingpong_item_id", "pingpong_items", "pingpong_item_id"),
        ],
    )
    db["change_amendments"].create_index(["clause_change_id"])
    db["change_amendments"].create_index(["amendment_id"])
    db["change_amendments"].create_index(["pingpong_item_id"])
    _clauses_fts(db)


def _clauses_fts(db):
    cols = ", ".join(f"[{c}]" for c in CLAUSES_FTS)
    new = ", ".join(f"new.[{c}]" for c in CLAUSES_FTS)
    old = ", ".join(f"old.[{c}]" for c in CLAUSES_FTS)
    weights = ", ".join(str(w) for w in CLAUSES_FTS_WEIGHTS)
    for sql in (
        f"CREATE VIRTUAL TABLE [clauses_fts] USING fts5({cols}, content=[clauses], content_rowid='rowid', tokenize='porter unicode61')",
        f"CREATE TRIGGER [clauses_fts_ai] AFTER INSERT ON [clauses] BEGIN"
        f" INSERT INTO [clauses_fts] (rowid, {cols}) VALUES (new.rowid, {new}); END",
        f"CREATE TRIGGER [clauses_fts_ad] AFTER DELETE ON [clauses] BEGIN"
        f" INSERT INTO [clauses_fts] ([clauses_fts], rowid, {cols}) VALUES ('delete', old.rowid, {old}); END",
        f"CREATE TRIGGER [clauses_fts_au] AFTER UPDATE OF {cols} ON [clauses] BEGIN"
        f" INSERT INTO [clauses_fts] ([clauses_fts], rowid, {cols}) VALUES ('delete', old.rowid, {old});"
        f" INSERT INTO [clauses_fts] (rowid, {cols}) VALUES (new.rowid, {new}); END",
        f"INSERT INTO [clauses_fts] ([clauses_fts], rank) VALUES ('rank', 'bm25({weights})')",
    ):
        db.execute(sql)
