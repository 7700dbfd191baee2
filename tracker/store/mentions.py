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


def replace_field_mentions(db: sqlite_utils.Database, doc_table: str, doc_id: str, field: str,
                           mentions: Iterable[Mapping[str, Any]], *, content_hash: str, version: str,
                           at: str | None = None) -> int:
    """Make ``mentions`` (the tagger's dicts: start, end, text, label, entity_id, name and links)
    the mentions of one document field, and remember what was tagged. Returns their number."""
    db.execute("DELETE FROM mentions WHERE doc_table = ? AND doc_id = ? AND field = ?", [doc_table, doc_id, field])
    rows = [(doc_table, doc_id, field, m["start"], m["end"], m["text"], m["label"], m["entity_id"], m["name"],
             *(m.get(c) for c in LINK_COLUMNS), version) for m in mentions]
    db.conn.executemany(_INSERT_MENTION, rows)
    db.execute(
        "INSERT INTO nlp_documents (doc_table, doc_id, field, content_hash, pipeline_version, mentions, tagged_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(doc_table, doc_id, field) DO UPDATE SET"
        " content_hash = excluded.content_hash, pipeline_version = excluded.pipeline_version,"
        " mentions = excluded.mentions, tagged_at = excluded.tagged_at",
        [doc_table, doc_id, field, content_hash, version, len(rows), at or utcnow()],
    )
    return len(rows)


def forget_fields(db: sqlite_utils.Database, doc_table: str, fields: Iterable[tuple[str, str]]) -> None:
    """Drop the mentions and tagging state of these ``(doc_id, field)`` (their text is gone)."""
    for doc_id, field in fields:
        db.execute("DELETE FROM mentions WHERE doc_table = ? AND doc_id = ? AND field = ?", [doc_table, doc_id, field])
        db.execute("DELETE FROM nlp_documents WHERE doc_table = ? AND doc_id = ? AND field = ?", [doc_table, doc_id, field])


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
    with transaction(db):
        for (doc_id,) in gone:
            db.execute("DELETE FROM mentions WHERE doc_table = ? AND doc_id = ?", [doc_table, doc_id])
            db.execute("DELETE FROM nlp_documents WHERE doc_table = ? AND doc_id = ?", [doc_table, doc_id])
    return len(gone)
