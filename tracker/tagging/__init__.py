"""Tagging the database: suppliers, members, provisions and references in every text.

:func:`tag_database` builds the pipeline from the database's members and the
data files under ``nlp/``, loads the supplier and provision registries into their
tables, and tags each text field of amendments, ping-pong items, contributions,
bill clauses and written questions and statements into ``mentions``.

It is incremental: ``nlp_documents`` keeps, per document field, the hash of what
was tagged (the text and the context that decides its links: date, House, the
stage's amendment and ping-pong numbers) and the pipeline version. Only new or changed fields
are tagged; a new pipeline version (code, pattern or data files, or the member
gazetteer changed) retags everything. Documents are read a page at a time and
tagged with ``nlp.pipe``, and each page's writes commit together.
"""
import datetime

from nlp import pipeline as nlp_pipeline
from scrapers.errors import TrackerError
from tracker import store
from tracker.tagging.links import StageLinks, digest
from tracker.tagging.registries import load_registries
from tracker.tagging.sources import sources

__all__ = ["build_pipeline", "check_date", "load_registries", "tag_database", "tag_text"]

PAGE = 500


LINK_COLUMNS = ("member_id", "supplier_id", "provision_id", "amendment_id", "pingpong_item_id", "value")
MENTION_COLUMNS = ("doc_table", "doc_id", "field", "start", "end", "text", "label", "entity_id", "name",
                   *LINK_COLUMNS, "pipeline_version")


def build_pipeline(db=None, *, members_file=None):
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
    members, names = nlp_pipeline.members_from_db(db)
    return nlp_pipeline.build(members, names)


def tag_text(text, *, nlp=None, db=None, date=None, house=None, amendments=None, pingpong=None):
    """The mentions in one text: dicts with start, end, text, label, entity_id, name (and
    member_id, supplier_id, provision_id, value, amendment_id, pingpong_item_id where they apply)."""
    if nlp is None:
        nlp = build_pipeline(db)
    check_date(date)
    return nlp_pipeline.tag(nlp, text, date=date, house=house, amendments=amendments, pingpong=pingpong)


def check_date(date):
    """A one-line :class:`TrackerError` unless ``date`` is None or starts ``YYYY-MM-DD``."""
    if date is None:
        return
    try:
        datetime.date.fromisoformat(str(date)[:10])
    except ValueError:
        raise TrackerError(f"not a date (YYYY-MM-DD): {date}", source="nlp") from None


def tag_database(db, *, nlp=None, tables=None, full=False, page_size=PAGE, batch_size=256, progress=None):
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
    version = nlp.meta["pbt_version"]
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
        counts["removed"] = _remove_vanished(db, source)
    return summary


def _tag_page(db, nlp, version, source, fields, rows, stages, full, counts, batch_size):
    n = len(fields)
    todo = []  # (doc_id, field, text, date, house, links, hash)
    empty = []  # (doc_id, field) whose text is gone
    ids = [str(row[1]) for row in rows]
    marks = ", ".join("?" for _ in ids)
    state = {
        (doc_id, f): (h, v)
        for doc_id, f, h, v in db.execute(
            f"SELECT doc_id, field, content_hash, pipeline_version FROM nlp_documents WHERE doc_table = ? AND doc_id IN ({marks})",
            [source.table, *ids],
        ).fetchall()
    }
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
        for doc_id, f in empty:
            db.execute("DELETE FROM mentions WHERE doc_table = ? AND doc_id = ? AND field = ?", [source.table, doc_id, f])
            db.execute("DELETE FROM nlp_documents WHERE doc_table = ? AND doc_id = ? AND field = ?", [source.table, doc_id, f])
        insert = (f"INSERT INTO mentions ({', '.join(f'[{c}]' for c in MENTION_COLUMNS)})"
                  f" VALUES ({', '.join('?' for _ in MENTION_COLUMNS)})")
        for (doc_id, f, *_context, h), mentions in results:
            db.execute("DELETE FROM mentions WHERE doc_table = ? AND doc_id = ? AND field = ?", [source.table, doc_id, f])
            db.conn.executemany(insert, [
                (source.table, doc_id, f, m["start"], m["end"], m["text"], m["label"], m["entity_id"], m["name"],
                 *(m.get(c) for c in LINK_COLUMNS), version)
                for m in mentions
            ])
            db.execute(
                "INSERT INTO nlp_documents (doc_table, doc_id, field, content_hash, pipeline_version, mentions, tagged_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(doc_table, doc_id, field) DO UPDATE SET"
                " content_hash = excluded.content_hash, pipeline_version = excluded.pipeline_version,"
                " mentions = excluded.mentions, tagged_at = excluded.tagged_at",
                [source.table, doc_id, f, h, version, len(mentions), now],
            )
            counts["tagged"] += 1
            counts["mentions"] += len(mentions)


def _remove_vanished(db, source):
    """Drop the mentions and state of documents no longer in their table."""
    gone = db.execute(
        f"SELECT DISTINCT doc_id FROM nlp_documents WHERE doc_table = ?"
        f" AND doc_id NOT IN (SELECT CAST([{source.key}] AS TEXT) FROM [{source.table}])",
        [source.table],
    ).fetchall()
    if not gone:
        return 0
    with store.transaction(db):
        for (doc_id,) in gone:
            db.execute("DELETE FROM mentions WHERE doc_table = ? AND doc_id = ?", [source.table, doc_id])
            db.execute("DELETE FROM nlp_documents WHERE doc_table = ? AND doc_id = ?", [source.table, doc_id])
    return len(gone)
