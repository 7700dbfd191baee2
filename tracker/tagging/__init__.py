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
import hashlib
import json
import sqlite3
from dataclasses import dataclass, field

from nlp import pipeline as nlp_pipeline
from nlp.components import DATA_DIR, read_jsonl
from scrapers.errors import TrackerError
from tracker import store
from tracker.store.migrations.m0003_nlp import RISK_FLAGS

PAGE = 500


@dataclass
class Source:
    """One table of documents: its key, its text fields and how to find each one's context."""

    table: str
    key: str
    fields: tuple
    date: str = None  # SQL expression for the document's date
    house: str = None
    stage: str = None  # SQL expression for the bill stage id
    joins: str = ""
    field_dates: dict = field(default_factory=dict)  # field -> SQL expression overriding ``date``


SOURCES = (
    Source("amendments", "amendment_id", ("summary", "text", "explanatory_text"),
           date="COALESCE(s.first_sitting, s.last_sitting)", house="s.house", stage="d.bill_stage_id",
           joins="LEFT JOIN bill_stages s ON s.bill_stage_id = d.bill_stage_id"),
    Source("pingpong_items", "pingpong_item_id", ("summary", "text"),
           date="COALESCE(s.first_sitting, s.last_sitting)", house="s.house", stage="d.bill_stage_id",
           joins="LEFT JOIN bill_stages s ON s.bill_stage_id = d.bill_stage_id"),
    Source("contributions", "contribution_id", ("text",),
           date="e.date", house="e.house", stage="e.bill_stage_id",
           joins="LEFT JOIN debates e ON e.debate_id = d.debate_id"),
    Source("bill_clauses", "clause_id", ("heading", "text")),
    Source("written_questions", "question_id", ("heading", "question_text", "answer_text"),
           date="d.date_tabled", house="d.house", field_dates={"answer_text": "COALESCE(d.date_answered, d.date_tabled)"}),
    Source("written_statements", "statement_id", ("title", "text"), date="d.date", house="d.house"),
)

LINK_COLUMNS = ("member_id", "supplier_id", "provision_id", "amendment_id", "pingpong_item_id", "value")
MENTION_COLUMNS = ("doc_table", "doc_id", "field", "start", "end", "text", "label", "entity_id", "name",
                   *LINK_COLUMNS, "pipeline_version")


def _columns(db, table):
    return {row[1] for row in db.execute(f"PRAGMA table_info([{table}])").fetchall()}


def _hash(*parts):
    return hashlib.sha256(store.canonical(parts).encode("utf-8")).hexdigest()[:16]


def load_registries(db, data_dir=None):
    """Make ``suppliers``, ``supplier_risk_flags`` and ``provisions`` match the data files."""
    data_dir = data_dir or DATA_DIR
    suppliers = read_jsonl(data_dir / "suppliers.jsonl")
    provisions = read_jsonl(data_dir / "provisions.jsonl")
    with store.transaction(db):
        for s in suppliers:
            flags = {f["flag"] for f in s.get("risk_flags", ())}
            row = {
                "supplier_id": s["supplier_id"], "name": s["name"], "legal_name": s.get("legal_name"),
                "aliases": json.dumps(s.get("aliases", []), ensure_ascii=False), "parent_id": s.get("parent_id"),
                "country": s.get("country"), "sector": s.get("sector"),
                **{flag: int(flag in flags) for flag in RISK_FLAGS},
                "risk_flags": json.dumps(s.get("risk_flags", []), ensure_ascii=False),
            }
            _upsert(db, "suppliers", "supplier_id", row)
        _delete_missing(db, "suppliers", "supplier_id", [s["supplier_id"] for s in suppliers])
        db.execute("DELETE FROM supplier_risk_flags")
        for s in suppliers:
            for f in s.get("risk_flags", ()):
                db.execute(
                    "INSERT INTO supplier_risk_flags (supplier_id, flag, source, url, date, note) VALUES (?, ?, ?, ?, ?, ?)",
                    [s["supplier_id"], f["flag"], f.get("source"), f.get("url"), f.get("date"), f.get("note")],
                )
        for p in provisions:
            row = {k: p.get(k) for k in ("provision_id", "name", "description", "legal_source", "parent_id")}
            _upsert(db, "provisions", "provision_id", row)
        _delete_missing(db, "provisions", "provision_id", [p["provision_id"] for p in provisions])
    return len(suppliers), len(provisions)


def _upsert(db, table, pk, row):
    cols = ", ".join(f"[{c}]" for c in row)
    marks = ", ".join("?" for _ in row)
    updates = ", ".join(f"[{c}] = excluded.[{c}]" for c in row if c != pk)
    db.execute(f"INSERT INTO [{table}] ({cols}) VALUES ({marks}) ON CONFLICT([{pk}]) DO UPDATE SET {updates}", list(row.values()))


def _delete_missing(db, table, pk, keep):
    marks = ", ".join("?" for _ in keep) or "NULL"
    db.execute(f"DELETE FROM [{table}] WHERE [{pk}] NOT IN ({marks})", list(keep))


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


def _select(db, source, columns):
    """SQL reading one page of a source's documents after a rowid, with their context.

    The context (date, House, stage) comes from joined tables; where a database
    lacks one of them, the documents are still read, without context.
    """
    fields = [f for f in source.fields if f in columns]
    if not fields:
        return None, []
    for with_context in (True, False):
        def expr(value):
            return value if (with_context and value) else "NULL"

        select = ", ".join(
            ["d.rowid AS _rowid", f"d.[{source.key}] AS _id"]
            + [f"d.[{f}]" for f in fields]
            + [f"{expr(source.date)} AS _date", f"{expr(source.house)} AS _house", f"{expr(source.stage)} AS _stage"]
            + [f"{expr(source.field_dates.get(f))} AS [_date_{f}]" for f in fields]
        )
        joins = source.joins if with_context else ""
        sql = f"SELECT {select} FROM [{source.table}] d {joins} WHERE d.rowid > ? ORDER BY d.rowid LIMIT ?"
        try:
            db.execute(sql, [0, 0]).fetchall()
        except sqlite3.OperationalError:
            continue
        return sql, fields
    return None, []


def _unique(rows):
    """``{key: id}`` for the keys exactly one row has (a key two rows share links to neither)."""
    seen = {}
    for k, row_id in rows:
        seen.setdefault(k, set()).add(row_id)
    return {k: next(iter(ids)) for k, ids in seen.items() if len(ids) == 1}


class _StageLinks:
    """What a reference in a bill stage's documents links to, per stage, with a digest for the content hash.

    ``amendments``: amendment number -> ``amendment_id``; ``pingpong``: reference value
    (``motion:A1``, ``amendment:47A``) -> ``pingpong_item_id`` of that stage's motions and
    amendments between the Houses. A number links only where exactly one record of the
    stage has it: two amendments, two items, or an amendment and an amendment item
    sharing a number leave the reference unlinked, never guessed. Removed records are left out.
    """

    def __init__(self, db):
        self.db = db
        self.cache = {}
        tables = set(db.table_names())
        self.amendments = self._sql(db, tables, "amendments", "SELECT upper(trim(number)), amendment_id FROM amendments")
        self.pingpong = self._sql(
            db, tables, "pingpong_items",
            "SELECT lower(coalesce(type, '')), upper(trim(number)), pingpong_item_id FROM pingpong_items")

    @staticmethod
    def _sql(db, tables, table, select):
        if table not in tables:
            return None
        live = " AND removed_at IS NULL" if "removed_at" in _columns(db, table) else ""
        return f"{select} WHERE bill_stage_id = ? AND number IS NOT NULL AND trim(number) != ''{live}"

    def get(self, stage_id):
        """``(amendments, pingpong, digest)`` for one stage (``None``s without a stage)."""
        if stage_id is None:
            return None, None, None
        if stage_id not in self.cache:
            amendment_rows = self.db.execute(self.amendments, [stage_id]).fetchall() if self.amendments else []
            item_rows = self.db.execute(self.pingpong, [stage_id]).fetchall() if self.pingpong else []
            amendments = _unique(amendment_rows)
            items = []
            for kind, number, item_id in item_rows:  # an item of no type may be either
                for wanted in ("motion", "amendment"):
                    if kind in (wanted, ""):
                        items.append((f"{wanted}:{number}", item_id))
            pingpong = _unique(items)
            shared = {n for n, _ in amendment_rows} & {k[len("amendment:"):] for k, _ in items if k.startswith("amendment:")}
            for number in shared:  # both an amendment and an amendment between the Houses: neither
                amendments.pop(number, None)
                pingpong.pop(f"amendment:{number}", None)
            self.cache[stage_id] = (amendments or None, pingpong or None,
                                    _hash(sorted(amendments.items()), sorted(pingpong.items())))
        return self.cache[stage_id]


def tag_database(db, *, nlp=None, tables=None, full=False, page_size=PAGE, batch_size=256, progress=None):
    """Tag every new or changed document field; returns a summary dict.

    ``tables`` limits the run to some source tables; ``full`` retags everything.
    ``progress(table, done)`` is called after each page.
    """
    wanted = set(tables) if tables else None
    if wanted:
        unknown = wanted - {s.table for s in SOURCES}
        if unknown:
            raise TrackerError(f"cannot tag {', '.join(sorted(unknown))}: not a document table"
                               f" (one of {', '.join(s.table for s in SOURCES)})", source="nlp")
    load_registries(db)
    if nlp is None:
        nlp = build_pipeline(db)
    version = nlp.meta["pbt_version"]
    existing = set(db.table_names())
    summary = {"pipeline_version": version, "members": nlp.meta.get("pbt_members", 0), "tables": {}}
    stages = _StageLinks(db)
    for source in SOURCES:
        if source.table not in existing or (wanted and source.table not in wanted):
            continue
        counts = summary["tables"][source.table] = {"documents": 0, "tagged": 0, "unchanged": 0, "mentions": 0, "removed": 0}
        columns = _columns(db, source.table)
        sql, fields = _select(db, source, columns)
        if sql is None:
            continue
        after = 0
        while True:
            rows = db.execute(sql, [after, page_size]).fetchall()
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
            h = _hash(str(text), str(d)[:10] if d else None, house, links_hash)
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
