"""Tagging the database: suppliers, members, provisions and references in every text.

:func:`tag_database` builds the pipeline with the member gazetteer the tracker
hands it (:func:`members_from_db`: rows of ``members`` and ``member_names``) and
the data files under ``nlp/``, loads the supplier and provision registries into
their tables, and tags each text field of amendments, ping-pong items,
contributions, bill clauses, the clauses of every print of a bill, and written questions and statements into
``mentions``, written through :mod:`tracker.store`.

It is incremental: ``nlp_documents`` keeps, per document field, the hash of what
was tagged (the text and the context that decides its links: date, House, the
stage's amendment and ping-pong numbers) and the tagger's version
(:func:`tagger_version`: the nlp pipeline's own version combined with
:data:`LINK_RULES_VERSION`). Only new or changed fields are tagged; a new version
(nlp code, pattern or data files, the member gazetteer, or the link rules here)
retags everything. Documents are read a page at a time and tagged with
``nlp.pipe``, and each page's writes commit together.
"""
from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from typing import Any

import sqlite_utils
from spacy.language import Language

from nlp import pipeline as nlp_pipeline
from scrapers.errors import TrackerError
from tracker import store
from tracker.tagging.links import StageLinks, digest
from tracker.tagging.registries import load_registries
from tracker.tagging.sources import sources

__all__ = ["LINK_RULES_VERSION", "build_pipeline", "check_date", "load_registries", "members_from_db",
           "tag_database", "tag_text", "tagger_version"]

PAGE = 500

# The version of the rules this package owns: which fields are tagged, with which date
# and House, and what a reference may link to (``links.StageLinks``). Bump it when a
# change there would link the same text differently; every document is then retagged.
# (The context's *data*, a stage's amendment numbers, is in each field's content hash.)
LINK_RULES_VERSION = "1"


def tagger_version(nlp: Language) -> str:
    """The version stored with every mention: the nlp pipeline's own, and :data:`LINK_RULES_VERSION`."""
    return digest(nlp.meta["pbt_version"], LINK_RULES_VERSION)


def members_from_db(db: sqlite_utils.Database) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """``(members, member_names)``: the rows of the database the member gazetteer is built from
    (the columns :data:`nlp.pipeline.MEMBER_FIELDS` and :data:`~nlp.pipeline.NAME_FIELDS`)."""
    def rows(table: str, fields: Iterable[str]) -> list[dict[str, Any]]:
        cursor = db.execute(f"SELECT {', '.join(f'[{f}]' for f in fields)} FROM [{table}]")
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row)) for row in cursor.fetchall()]

    return rows("members", nlp_pipeline.MEMBER_FIELDS), rows("member_names", nlp_pipeline.NAME_FIELDS)


def build_pipeline(db: sqlite_utils.Database | None = None, *, members_file: str | None = None) -> Language:
    """The tagger with the member gazetteer from ``members_file`` (a Members API search
    response), else from the database's ``members`` and ``member_names``."""
    if members_file:
        try:
            members = nlp_pipeline.members_from_search_json(members_file)
        except OSError as error:
            raise TrackerError(f"cannot read members from {members_file}: {error.strerror or error}", source="nlp") from None
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            reason = f"no {error}" if isinstance(error, KeyError) else str(error)
            raise TrackerError(f"{members_file} is not a Members API search response ({reason})", source="nlp") from None
        return nlp_pipeline.build(members)
    if db is None:
        return nlp_pipeline.build()
    members, names = members_from_db(db)
    return nlp_pipeline.build(members, names)


def tag_text(text: str, *, nlp: Language | None = None, db: sqlite_utils.Database | None = None, date: str | None = None,
             house: str | None = None, amendments: dict[str, int] | None = None,
             pingpong: dict[str, int] | None = None) -> list[dict[str, Any]]:
    """The mentions in one text: dicts with start, end, text, label, entity_id, name (and
    member_id, supplier_id, provision_id, value, amendment_id, pingpong_item_id where they apply)."""
    if nlp is None:
        nlp = build_pipeline(db)
    check_date(date)
    return nlp_pipeline.tag(nlp, text, date=date, house=house, amendments=amendments, pingpong=pingpong)


def check_date(date: object) -> None:
    """A one-line :class:`TrackerError` unless ``date`` is None or starts ``YYYY-MM-DD``."""
    if date is None:
        return
    try:
        datetime.date.fromisoformat(str(date)[:10])
    except ValueError:
        raise TrackerError(f"not a date (YYYY-MM-DD): {date}", source="nlp") from None


def tag_database(db: sqlite_utils.Database, *, nlp: Language | None = None, tables: Iterable[str] | None = None,
                 full: bool = False, page_size: int = PAGE, batch_size: int = 256,
                 progress: Callable[[str, int], None] | None = None) -> dict[str, Any]:
    """Tag every new or changed document field; returns a summary dict.

    ``tables`` limits the run to some source tables; ``full`` retags everything.
    ``progress(table, done)`` is called after each page.
    """
    wanted = set(tables) if tables else None
    documents = sources()
    if wanted:
        unknown = wanted - {s.table for s in documents}
        if unknown:
            raise TrackerError(f"cannot tag {', '.join(sorted(unknown))}: not a document table"
                               f" (one of {', '.join(s.table for s in documents)})", source="nlp")
    load_registries(db)
    if nlp is None:
        nlp = build_pipeline(db)
    version = tagger_version(nlp)
    summary = {"pipeline_version": version, "members": nlp.meta.get("pbt_members", 0), "tables": {}}
    stages = StageLinks(db)
    for source in documents:
        if wanted and source.table not in wanted:
            continue
        counts = summary["tables"][source.table] = {"documents": 0, "tagged": 0, "unchanged": 0, "mentions": 0, "removed": 0}
        fields = source.fields
        after = 0
        while True:
            rows = db.execute(source.select_sql, [after, page_size]).fetchall()
            if not rows:
                break
            after = rows[-1][0]
            _tag_page(db, nlp, version, source, fields, rows, stages, full, counts, batch_size)
            if progress:
                progress(source.table, counts["documents"])
        counts["removed"] = store.forget_vanished_documents(db, source.table, source.key)
    return summary


def _tag_page(db, nlp, version, source, fields, rows, stages, full, counts, batch_size):
    n = len(fields)
    todo = []  # (doc_id, field, text, date, house, links, hash)
    empty = []  # (doc_id, field) whose text is gone
    state = store.tagged_fields(db, source.table, [str(row[1]) for row in rows])
    for row in rows:
        doc_id = str(row[1])
        texts = row[2:2 + n]
        date, house, stage = row[2 + n:5 + n]
        field_dates = row[5 + n:]
        amendments, pingpong, links_hash = stages.get(stage)
        counts["documents"] += 1
        for f, text, field_date in zip(fields, texts, field_dates):
            if not text or not str(text).strip():
                if (doc_id, f) in state:
                    empty.append((doc_id, f))
                continue
            d = field_date or date
            h = digest(str(text), str(d)[:10] if d else None, house, links_hash)
            old = state.get((doc_id, f))
            if not full and old == (h, version):
                counts["unchanged"] += 1
                continue
            todo.append((doc_id, f, str(text), d, house, (amendments, pingpong), h))
    if not todo and not empty:
        return
    docs = (nlp_pipeline.make_doc(nlp, text, date=d, house=house, amendments=links[0], pingpong=links[1], ents=False)
            for _, _, text, d, house, links, _ in todo)
    results = []
    for item, doc in zip(todo, nlp.pipe(docs, batch_size=batch_size)):
        results.append((item, doc.user_data["mentions"]))
    now = store.utcnow()
    with store.transaction(db):
        store.forget_fields(db, source.table, empty)
        for (doc_id, f, *_context, h), mentions in results:
            store.replace_field_mentions(db, source.table, doc_id, f, mentions, content_hash=h, version=version, at=now)
            counts["tagged"] += 1
            counts["mentions"] += len(mentions)
