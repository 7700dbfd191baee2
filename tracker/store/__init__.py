"""The one place that writes the database: schema, transactions, upserts with history.

Every synced table carries the bookkeeping columns ``source_url``, ``sync_run_id``,
``content_hash``, ``first_seen``, ``last_seen`` and ``removed_at``. A record's
content is everything else; its canonical-JSON hash decides whether it changed.
Each added, changed or removed record is one row in ``changes``.

Writes go through ``Database.execute`` inside :func:`transaction` rather than
sqlite-utils' insert helpers, because those commit on their own and would break
the all-or-nothing guarantee of a stage or a bill.
"""
import contextlib
import hashlib
import json
from datetime import datetime, timezone

import sqlite_utils

from tracker.store import migrations

BOOKKEEPING = ("source_url", "sync_run_id", "content_hash", "first_seen", "last_seen", "removed_at")


def utcnow():
    """The current UTC time as an ISO 8601 string to the second."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def open_db(path):
    """Open (creating if needed) the tracker database at ``path`` and migrate it."""
    db = sqlite_utils.Database(path)
    # Autocommit: only the explicit BEGIN of transaction() opens a transaction.
    db.conn.isolation_level = None
    db.execute("PRAGMA foreign_keys = OFF")  # upstream order is not ours to choose
    db.execute("PRAGMA journal_mode = WAL")
    migrations.apply(db)
    return db


@contextlib.contextmanager
def transaction(db):
    """All writes inside the block commit together or not at all (nests via savepoints)."""
    conn = db.conn
    if conn.in_transaction:
        name = f"sp_{id(object())}"
        conn.execute(f"SAVEPOINT {name}")
        try:
            yield db
        except BaseException:
            conn.execute(f"ROLLBACK TO {name}")
            conn.execute(f"RELEASE {name}")
            raise
        conn.execute(f"RELEASE {name}")
        return
    conn.execute("BEGIN")
    try:
        yield db
    except BaseException:
        conn.rollback()
        raise
    conn.commit()


def canonical(value):
    """Canonical JSON: the form that hashing and change comparison agree on."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def content_hash(row):
    """Hash of a record's content columns (bookkeeping excluded)."""
    content = {k: v for k, v in row.items() if k not in BOOKKEEPING}
    return hashlib.sha256(canonical(content).encode("utf-8")).hexdigest()[:16]


def _pk_columns(db, table):
    return db[table].pks


def _record_id(row, pks):
    return "/".join(str(row[pk]) for pk in pks)


def record_change(db, run_id, table, record_id, kind, changed_fields=None, bill_id=None, at=None):
    """Append one row to ``changes``."""
    db.execute(
        "INSERT INTO changes (sync_run_id, table_name, record_id, kind, changed_fields, detected_at, bill_id)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [run_id, table, str(record_id), kind, canonical(changed_fields) if changed_fields else None, at or utcnow(), bill_id],
    )


def upsert(db, table, row, *, run_id, at=None, bill_id=None, track=True):
    """Insert or update one record, recording what changed.

    ``row`` holds content columns and may hold ``source_url``. Returns ``"added"``,
    ``"changed"``, ``"restored"`` or ``None`` when nothing in the content changed
    (only ``last_seen`` and the run that saw it move). With ``track=False`` no
    ``changes`` row is written (for derived tables such as sponsors).
    """
    at = at or utcnow()
    pks = _pk_columns(db, table)
    where = " AND ".join(f"[{pk}] = ?" for pk in pks)
    key = [row[pk] for pk in pks]
    cursor = db.execute(f"SELECT * FROM [{table}] WHERE {where}", key)
    names = [d[0] for d in cursor.description]
    found = cursor.fetchone()
    columns = set(names)
    has_tracking = "content_hash" in columns
    new = dict(row)
    record_id = _record_id(row, pks)
    if has_tracking:
        new["content_hash"] = content_hash({k: v for k, v in row.items() if k != "source_url"})
        new["last_seen"] = at
        new["sync_run_id"] = run_id
    if found is None:
        if has_tracking:
            new["first_seen"] = at
            new["removed_at"] = None
        _insert(db, table, new)
        if track:
            record_change(db, run_id, table, record_id, "added", bill_id=bill_id, at=at)
        return "added"
    old = dict(zip(names, found))
    if has_tracking and old["content_hash"] == new["content_hash"] and old["removed_at"] is None:
        db.execute(
            f"UPDATE [{table}] SET last_seen = ?, sync_run_id = ?, source_url = COALESCE(?, source_url) WHERE {where}",
            [at, run_id, row.get("source_url"), *key],
        )
        return None
    diff = {
        k: [old.get(k), v]
        for k, v in row.items()
        if k not in BOOKKEEPING and canonical(old.get(k)) != canonical(v)
    }
    kind = "changed"
    if has_tracking and old["removed_at"] is not None:
        new["removed_at"] = None
        diff["removed_at"] = [old["removed_at"], None]
        kind = "restored"
    if not diff and not has_tracking:
        return None
    sets = ", ".join(f"[{k}] = ?" for k in new)
    db.execute(f"UPDATE [{table}] SET {sets} WHERE {where}", [*new.values(), *key])
    if track and diff:
        if _added_in_run(db, run_id, table, record_id):
            # Completed later in the run that added it (a sponsor, then the Members API):
            # still one "added" change, not an addition and a change.
            return "added"
        record_change(db, run_id, table, record_id, kind, diff, bill_id=bill_id, at=at)
    return kind if diff else None


def _added_in_run(db, run_id, table, record_id):
    return db.execute(
        "SELECT 1 FROM changes WHERE table_name = ? AND record_id = ? AND sync_run_id = ? AND kind = 'added'",
        [table, str(record_id), run_id],
    ).fetchone() is not None


def _insert(db, table, row):
    cols = ", ".join(f"[{k}]" for k in row)
    marks = ", ".join("?" for _ in row)
    db.execute(f"INSERT INTO [{table}] ({cols}) VALUES ({marks})", list(row.values()))


def mark_removed(db, table, scope, seen_ids, *, run_id, at=None, bill_id=None):
    """Mark records in ``scope`` that upstream no longer lists as removed.

    ``scope`` is a dict of column values selecting the records one listing covers
    (e.g. ``{"bill_stage_id": 123}``; None matches NULL); ``seen_ids`` the primary keys that listing
    returned. Records are never deleted: ``removed_at`` is set and one
    ``removed`` change is recorded. Returns the ids marked.
    """
    (pk,) = _pk_columns(db, table)
    where = " AND ".join(f"[{k}] IS ?" for k in scope) or "1"
    rows = db.execute(
        f"SELECT [{pk}] FROM [{table}] WHERE {where} AND removed_at IS NULL", list(scope.values())
    ).fetchall()
    seen = {str(i) for i in seen_ids}
    return remove_records(db, table, [r[0] for r in rows if str(r[0]) not in seen], run_id=run_id, at=at, bill_id=bill_id)


def remove_records(db, table, ids, *, run_id, at=None, bill_id=None):
    """Mark the records ``ids`` of ``table`` removed upstream (those not already so);
    one ``removed`` change each. Returns the ids marked."""
    at = at or utcnow()
    (pk,) = _pk_columns(db, table)
    marked = []
    for record_id in ids:
        cursor = db.execute(f"UPDATE [{table}] SET removed_at = ? WHERE [{pk}] = ? AND removed_at IS NULL", [at, record_id])
        if cursor.rowcount:
            record_change(db, run_id, table, record_id, "removed", {"removed_at": [None, at]}, bill_id=bill_id, at=at)
            marked.append(record_id)
    return marked


def replace_links(db, table, owner_column, owner_id, rows):
    """Make the link rows of one owner exactly ``rows`` (e.g. an amendment's sponsors).

    Returns True when the set of links changed. History for links is recorded on
    the owner (as a changed ``sponsors`` field), not per link row.
    """
    return replace_rows(db, table, rows, scope={owner_column: owner_id})


def replace_rows(db, table, rows, scope=None):
    """Make the rows of ``table`` that match ``scope`` (column values; none: the whole
    table) exactly ``rows``, for tables derived afresh from others (families, positions).

    Returns True when they changed. A column ``rows`` leave out compares as null, so
    an autoincrement key must be given to compare equal; nothing is written when
    nothing changed.
    """
    scope = scope or {}
    where = " AND ".join(f"[{k}] = ?" for k in scope) or "1"
    cursor = db.execute(f"SELECT * FROM [{table}] WHERE {where}", list(scope.values()))
    names = [d[0] for d in cursor.description]
    existing = sorted(canonical(dict(zip(names, r))) for r in cursor.fetchall())
    wanted = sorted(canonical({n: row.get(n) for n in names}) for row in rows)
    if existing == wanted:
        return False
    db.execute(f"DELETE FROM [{table}] WHERE {where}", list(scope.values()))
    for row in rows:
        _insert(db, table, row)
    return True


def merge_row(db, table, row, key, refresh=()):
    """Insert ``row`` unless a row with the same ``key`` columns exists; then set that
    row's ``refresh`` columns to ``row``'s values where those are not null.

    For rows that accumulate rather than mirror upstream (a member's name forms,
    which search found a question). Returns True when a row was inserted.
    """
    where = " AND ".join(f"[{k}] IS ?" for k in key)
    found = db.execute(f"SELECT rowid FROM [{table}] WHERE {where}", [row[k] for k in key]).fetchone()
    if found is None:
        _insert(db, table, row)
        return True
    updates = [k for k in refresh if row.get(k) is not None]
    if updates:
        sets = ", ".join(f"[{k}] = ?" for k in updates)
        db.execute(f"UPDATE [{table}] SET {sets} WHERE rowid = ?", [*(row[k] for k in updates), found[0]])
    return False


def ensure_member(db, member, *, run_id, at=None):
    """Insert a member known only from a reference (a sponsor, a speaker) if new.

    An existing member is left alone: the Members API scraper owns the full record.
    """
    found = db.execute("SELECT 1 FROM members WHERE member_id = ?", [member["member_id"]]).fetchone()
    if found:
        return False
    upsert(db, "members", member, run_id=run_id, at=at, track=True)
    return True


def get_state(db, key):
    """The stored value of one incremental-sync marker, or None."""
    row = db.execute("SELECT value FROM sync_state WHERE key = ?", [key]).fetchone()
    return row[0] if row else None


def set_state(db, key, value, *, run_id):
    """Set one incremental-sync marker (inside the caller's transaction)."""
    db.execute(
        "INSERT INTO sync_state (key, value, sync_run_id, updated_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT(key) DO UPDATE SET value = excluded.value, sync_run_id = excluded.sync_run_id,"
        " updated_at = excluded.updated_at",
        [key, value, run_id, utcnow()],
    )


def start_run(db, sources, archive_path=None):
    """Open a ``sync_runs`` row and return its id."""
    with transaction(db):
        cursor = db.execute(
            "INSERT INTO sync_runs (started_at, sources, status, requests, bytes, archive_path) VALUES (?, ?, 'running', 0, 0, ?)",
            [utcnow(), sources, archive_path],
        )
    return cursor.lastrowid


def finish_run(db, run_id, status, *, requests=0, nbytes=0, message=None):
    """Close a ``sync_runs`` row with its status: ok, partial or failed."""
    with transaction(db):
        db.execute(
            "UPDATE sync_runs SET finished_at = ?, status = ?, requests = ?, bytes = ?, message = ? WHERE id = ?",
            [utcnow(), status, requests, nbytes, message, run_id],
        )


class HttpCache:
    """Validators and bodies of earlier responses, for the client's conditional requests."""

    def __init__(self, db):
        self.db = db

    def get(self, url):
        row = self.db.execute("SELECT etag, last_modified, body FROM http_cache WHERE url = ?", [url]).fetchone()
        return tuple(row) if row else None

    def put(self, url, etag, last_modified, body, content_type=None):
        with transaction(self.db):
            self.db.execute(
                "INSERT INTO http_cache (url, etag, last_modified, body, content_type, fetched_at) VALUES (?, ?, ?, ?, ?, ?)"
                " ON CONFLICT(url) DO UPDATE SET etag = excluded.etag, last_modified = excluded.last_modified,"
                " body = excluded.body, content_type = excluded.content_type, fetched_at = excluded.fetched_at",
                [url, etag, last_modified, body, content_type, utcnow()],
            )
