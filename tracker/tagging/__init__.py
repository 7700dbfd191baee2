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
retags everything. Documents are read a page at a time and tagged on their raw text
(:func:`nlp.pipeline.tagger`: no spaCy ``Doc`` is made), and each page's writes go to
the store in one batch that commits together. ``jobs`` > 1 tags pages in worker
processes while the calling process writes them, in order.
"""
from __future__ import annotations

import contextlib
import datetime
import multiprocessing
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import sqlite_utils
from spacy.language import Language

from nlp import pipeline as nlp_pipeline
from scrapers.errors import TrackerError
from tracker import store
from tracker.tagging.links import StageLinks, digest
from tracker.tagging.registries import load_registries
from tracker.tagging.sources import Source, sources

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
                 full: bool = False, page_size: int = PAGE, jobs: int = 1,
                 progress: Callable[[str, int], None] | None = None) -> dict[str, Any]:
    """Tag every new or changed document field; returns a summary dict.

    ``tables`` limits the run to some source tables; ``full`` retags everything.
    ``jobs`` > 1 reads and tags pages in that many worker processes while this one writes
    them, in page order: the same database as one process gives. ``progress(table, done)``
    is called after each page.
    """
    wanted = set(tables) if tables else None
    documents = sources()
    if wanted:
        unknown = wanted - {s.table for s in documents}
        if unknown:
            raise TrackerError(f"cannot tag {', '.join(sorted(unknown))}: not a document table"
                               f" (one of {', '.join(s.table for s in documents)})", source="nlp")
    if jobs < 1:
        raise TrackerError(f"--jobs must be at least 1, not {jobs}", source="nlp")
    path = store.database_path(db)
    if jobs > 1 and path is None:
        raise TrackerError("--jobs needs a database file (worker processes open it to read)", source="nlp")
    load_registries(db)
    if nlp is None:
        nlp = build_pipeline(db)
    version = tagger_version(nlp)
    summary = {"pipeline_version": version, "members": nlp.meta.get("pbt_members", 0), "tables": {}}
    chosen = [source for source in documents if not wanted or source.table in wanted]
    pager = _Pager(nlp_pipeline.tagger(nlp), version, full, page_size)
    with _pages(pager, db, path, jobs) as tag_pages:
        for source in chosen:
            counts = summary["tables"][source.table] = {"documents": 0, "tagged": 0, "unchanged": 0, "mentions": 0, "removed": 0}
            for page in tag_pages(source, _page_starts(db, source, page_size, jobs)):
                for key, n in page.counts.items():
                    counts[key] += n
                if page.tagged or page.forget:
                    counts["mentions"] += store.write_tagged(db, source.table, page.tagged, forget=page.forget,
                                                             version=version, at=store.utcnow())
                if progress:
                    progress(source.table, counts["documents"])
            counts["removed"] = store.forget_vanished_documents(db, source.table, source.key)
    if any(c["tagged"] or c["removed"] for c in summary["tables"].values()):
        store.refresh_statistics(db)  # so readers' lookups take the right index of the few there are
    return summary


# Before every rowid: where the first page starts.
_FIRST = -(2 ** 63)


@dataclass
class _Page:
    """What tagging one page of documents found: the fields to write and to forget, and its counts."""

    last_rowid: int
    tagged: list[tuple[str, str, str, list[dict[str, Any]]]]  # (doc_id, field, content hash, mentions)
    forget: list[tuple[str, str]]  # (doc_id, field) whose text is gone
    counts: dict[str, int]


class _Pager:
    """Reads one page of a source's documents and tags the new or changed fields, on raw text."""

    def __init__(self, tag: Callable[..., list[dict[str, Any]]], version: str, full: bool, page_size: int):
        self.tag = tag
        self.version = version
        self.full = full
        self.page_size = page_size

    def page(self, db: sqlite_utils.Database, stages: StageLinks, source: Source, after: int) -> _Page | None:
        """The page of ``source`` after rowid ``after`` (None past the end), tagged."""
        rows = db.execute(source.select_sql, [after, self.page_size]).fetchall()
        if not rows:
            return None
        fields = source.fields
        n = len(fields)
        tag, version, full = self.tag, self.version, self.full
        tagged, forget = [], []
        counts = {"documents": len(rows), "tagged": 0, "unchanged": 0}
        state = store.tagged_fields(db, source.table, [str(row[1]) for row in rows])
        for row in rows:
            doc_id = str(row[1])
            date, house, stage = row[2 + n:5 + n]
            amendments, pingpong, links_hash = stages.get(stage)
            for f, text, field_date in zip(fields, row[2:2 + n], row[5 + n:]):
                if not text or not str(text).strip():
                    if (doc_id, f) in state:
                        forget.append((doc_id, f))
                    continue
                text = str(text)
                d = field_date or date
                h = digest(text, str(d)[:10] if d else None, house, links_hash)
                if not full and state.get((doc_id, f)) == (h, version):
                    counts["unchanged"] += 1
                    continue
                tagged.append((doc_id, f, h, tag(text, date=d, house=house, amendments=amendments, pingpong=pingpong)))
        counts["tagged"] = len(tagged)
        return _Page(rows[-1][0], tagged, forget, counts)


def _page_starts(db: sqlite_utils.Database, source: Source, page_size: int, jobs: int) -> list[int] | None:
    """Where each page of ``source`` starts (the rowid it follows), for worker processes to read
    pages apart; None in one process, which reads each page after the last one read."""
    if jobs == 1:
        return None
    rowids = [rowid for (rowid,) in db.execute(f"SELECT rowid FROM [{source.table}] ORDER BY rowid")]
    return [_FIRST, *rowids[page_size - 1:-1:page_size]]


@contextlib.contextmanager
def _pages(pager: _Pager, db: sqlite_utils.Database, path: str | None, jobs: int):
    """``tag_pages(source, starts)``: an iterator of the source's tagged pages, in order.

    In one process, each page is read after the previous one. With ``jobs`` > 1, forked
    worker processes (which inherit the built tagger) each open the database read-only and
    read and tag whole pages; this process only writes, taking the pages in order. A page's
    documents are read, compared with what was tagged and tagged by one worker, and no other
    page touches them, so the result is the one process's.
    """
    if jobs == 1:
        stages = StageLinks(db)

        def in_process(source, _starts):
            after = _FIRST
            while (page := pager.page(db, stages, source, after)) is not None:
                yield page
                after = page.last_rowid

        yield in_process
        return
    try:
        context = multiprocessing.get_context("fork")
    except ValueError:
        raise TrackerError("--jobs needs worker processes forked from this one (Linux or macOS)", source="nlp") from None
    with context.Pool(jobs, initializer=_start_worker, initargs=(pager, path)) as pool:
        def in_workers(source, starts):
            for page in pool.imap(_worker_page, [(source, after) for after in starts]):
                if page is not None:
                    yield page

        yield in_workers


_WORKER: dict[str, Any] = {}


def _start_worker(pager: _Pager, path: str) -> None:
    db = store.open_reader(path)
    _WORKER.update(pager=pager, db=db, stages=StageLinks(db))


def _worker_page(task: tuple[Source, int]) -> _Page | None:
    source, after = task
    return _WORKER["pager"].page(_WORKER["db"], _WORKER["stages"], source, after)
