"""Tagged mentions and what was tagged: the tagger's writes.

``mentions`` holds derived data (one row per tagged span of one text field);
``nlp_documents`` remembers, per document field, the hash of what was tagged and
the pipeline version, so only new or changed fields are tagged again. Both are
recomputed from the documents, so they are replaced and deleted outright rather
than kept with history.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import sqlite_utils

from tracker.store.db import transaction, utcnow

# The typed links of a mention (foreign keys, so Datasette links them) and ``value``.
LINK_COLUMNS = ("member_id", "supplier_id", "provision_id", "amendment_id", "pingpong_item_id", "value")
MENTION_COLUMNS = ("doc_table", "doc_id", "field", "start", "end", "text", "label", "entity_id", "name",
                   *LINK_COLUMNS, "pipeline_version")
_INSERT_MENTION = (f"INSERT INTO mentions ({', '.join(f'[{c}]' for c in MENTION_COLUMNS)})"
                   f" VALUES ({', '.join('?' for _ in MENTION_COLUMNS)})")
_DELETE_FIELD = "DELETE FROM mentions WHERE doc_table = ? AND doc_id = ? AND field = ?"
_FORGET_FIELD = "DELETE FROM nlp_documents WHERE doc_table = ? AND doc_id = ? AND field = ?"
_REMEMBER_FIELD = (
    "INSERT INTO nlp_documents (doc_table, doc_id, field, content_hash, pipeline_version, mentions, tagged_at)"
    " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(doc_table, doc_id, field) DO UPDATE SET"
    " content_hash = excluded.content_hash, pipeline_version = excluded.pipeline_version,"
    " mentions = excluded.mentions, tagged_at = excluded.tagged_at"
)


def tagged_fields(db: sqlite_utils.Database, doc_table: str, doc_ids: Sequence[str]) -> dict[tuple[str, str], tuple[str, str]]:
    """``{(doc_id, field): (content_hash, pipeline_version)}`` of the fields of these documents tagged before."""
    if not doc_ids:
        return {}
    marks = ", ".join("?" for _ in doc_ids)
    rows = db.execute(
        f"SELECT doc_id, field, content_hash, pipeline_version FROM nlp_documents WHERE doc_table = ? AND doc_id IN ({marks})",
        [doc_table, *doc_ids],
    ).fetchall()
    return {(doc_id, field): (h, version) for doc_id, field, h, version in rows}


def write_tagged(db: sqlite_utils.Database, doc_table: str,
                 tagged: Iterable[tuple[str, str, str, Iterable[Mapping[str, Any]]]], *, version: str,
                 forget: Iterable[tuple[str, str]] = (), at: str | None = None) -> int:
    """In one transaction: make each ``(doc_id, field, content_hash, mentions)`` of ``tagged`` (the
    tagger's dicts: start, end, text, label, entity_id, name and links) the mentions of that document
    field and remember what was tagged; drop the mentions and tagging state of the ``(doc_id, field)``
    of ``forget`` (their text is gone). Returns the number of mentions written.

    One statement per kind of write for the whole batch (``executemany``), so a page of documents
    costs a few calls into SQLite, not a few per field; a failure anywhere leaves every field of the
    batch as it was.
    """
    keys: list[tuple[str, str, str]] = []
    rows: list[tuple[Any, ...]] = []
    documents: list[tuple[Any, ...]] = []
    at = at or utcnow()
    for doc_id, field, content_hash, mentions in tagged:
        keys.append((doc_table, doc_id, field))
        before = len(rows)
        rows.extend((doc_table, doc_id, field, m["start"], m["end"], m["text"], m["label"], m["entity_id"], m["name"],
                     *[m.get(c) for c in LINK_COLUMNS], version) for m in mentions)
        documents.append((doc_table, doc_id, field, content_hash, version, len(rows) - before, at))
    gone = [(doc_table, doc_id, field) for doc_id, field in forget]
    conn = db.conn
    with transaction(db):
        conn.executemany(_DELETE_FIELD, keys + gone)
        conn.executemany(_FORGET_FIELD, gone)
        conn.executemany(_INSERT_MENTION, rows)
        conn.executemany(_REMEMBER_FIELD, documents)
    return len(rows)


def forget_vanished_documents(db: sqlite_utils.Database, doc_table: str, key: str) -> int:
    """Drop the mentions and tagging state of documents no longer in ``doc_table``
    (whose primary key is ``key``); returns how many documents."""
    gone = db.execute(
        f"SELECT DISTINCT doc_id FROM nlp_documents WHERE doc_table = ?"
        f" AND doc_id NOT IN (SELECT CAST([{key}] AS TEXT) FROM [{doc_table}])",
        [doc_table],
    ).fetchall()
    if not gone:
        return 0
    documents = [(doc_table, doc_id) for (doc_id,) in gone]
    with transaction(db):
        db.conn.executemany("DELETE FROM mentions WHERE doc_table = ? AND doc_id = ?", documents)
        db.conn.executemany("DELETE FROM nlp_documents WHERE doc_table = ? AND doc_id = ?", documents)
    return len(gone)


def refresh_statistics(db: sqlite_utils.Database) -> None:
    """Sample the indexes of ``mentions`` and ``nlp_documents`` for SQLite's query planner.

    Without statistics the planner guesses, and to it a lookup by ``doc_table`` alone (every
    mention of a document table) looks as good as one by label and entity. ``ANALYZE`` with a
    bounded sample (``analysis_limit``) costs milliseconds at any size.
    """
    with transaction(db):
        db.execute("PRAGMA analysis_limit = 1000")
        try:
            db.execute("ANALYZE mentions")
            db.execute("ANALYZE nlp_documents")
        finally:
            db.execute("PRAGMA analysis_limit = 0")
