"""The one place that writes the database.

* :mod:`~tracker.store.db`: opening (and migrating) a database, :func:`transaction`;
* :mod:`~tracker.store.records`: upserts with history, removals on evidence, complete
  listings, link rows;
* :mod:`~tracker.store.runs`: ``sync_runs``, incremental-sync markers, the HTTP cache;
* :mod:`~tracker.store.mentions`: the tagger's mentions and what it tagged;
* :mod:`~tracker.store.searchindex`: the search index beside FTS5 (exact ranking), rebuilt when stale;
* :mod:`~tracker.store.migrations`: the numbered, frozen, atomic schema migrations.

Callers use the names below (``from tracker import store; store.upsert(...)``),
never SQL that writes.
"""
from tracker.store import migrations
from tracker.store.db import database_path, open_db, open_reader, transaction, utcnow
from tracker.store.mentions import forget_vanished_documents, refresh_statistics, tagged_fields, write_tagged
from tracker.store.records import (
    BOOKKEEPING,
    canonical,
    content_hash,
    ensure_member,
    listing_is_current,
    mark_removed,
    merge_row,
    record_change,
    refresh_listing,
    remove_records,
    replace_links,
    replace_rows,
    unlisted_ids,
    upsert,
)
from tracker.store.runs import (
    HttpCache,
    finish_run,
    get_state,
    is_sample,
    mark_interrupted,
    mark_sample,
    run_lock,
    set_run_archive,
    set_state,
    start_run,
)
from tracker.store.searchindex import refresh as refresh_search_index
from tracker.store.searchindex import stale as stale_search_index

__all__ = [
    "BOOKKEEPING", "HttpCache", "canonical", "content_hash", "database_path", "ensure_member", "finish_run",
    "forget_vanished_documents", "get_state", "is_sample", "mark_interrupted", "mark_sample", "listing_is_current", "mark_removed", "merge_row",
    "migrations", "open_db", "open_reader", "record_change", "refresh_search_index", "stale_search_index", "refresh_listing",
    "refresh_statistics", "remove_records", "replace_links", "replace_rows", "run_lock",
    "set_run_archive", "set_state", "start_run", "tagged_fields", "transaction", "unlisted_ids", "upsert", "utcnow", "write_tagged",
]
