"""Records with history: upsert with change detection, removal only on evidence, links.

Every synced table carries the bookkeeping columns ``source_url``, ``sync_run_id``,
``content_hash``, ``first_seen``, ``last_seen`` and ``removed_at``. A record's
content is everything else; its canonical-JSON hash decides whether it changed.
Each added, changed, removed or restored record is one row in ``changes``.

Writes go through ``Database.execute`` inside :func:`tracker.store.transaction`
rather than sqlite-utils' insert helpers, so that a stage or a bill commits
all together or not at all.
"""
from __future__ import annotations

import functools
import hashlib
import json
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, TypeVar

import sqlite_utils

from scrapers.errors import TrackerError
from tracker.store.db import utcnow
from tracker.vocab import ChangeKind

Row = Mapping[str, Any]

BOOKKEEPING = ("source_url", "sync_run_id", "content_hash", "first_seen", "last_seen", "removed_at")


def canonical(value: Any) -> str:
    """Canonical JSON: the form that hashing and change comparison agree on."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def content_hash(row: Row) -> str:
    """Hash of a record's content columns (bookkeeping excluded)."""
    content = {k: v for k, v in row.items() if k not in BOOKKEEPING}
    return hashlib.sha256(canonical(content).encode("utf-8")).hexdigest()[:16]


def _pks(db: sqlite_utils.Database, table: str) -> list[str]:
    return db.table(table).pks


def _record_id(row: Row, pks: Sequence[str]) -> str:
    return "/".join(str(row[pk]) for pk in pks)


def _key_of(row: Row, columns: Sequence[str]) -> tuple[str | None, ...]:
    """The identity of a record by ``columns``, comparable across SQLite's and Python's types."""
    return tuple(None if row[c] is None else str(row[c]) for c in columns)


F = TypeVar("F", bound=Callable[..., Any])


def holds_values(write: F) -> F:
    """Turn a value SQLite cannot hold (an integer beyond 64 bits: upstream's id of 10^30) into a
    :class:`TrackerError` naming the table, the record and its URL, so that unit fails alone."""

    @functools.wraps(write)
    def checked(db: sqlite_utils.Database, table: str, row: Any = None, *args: Any, **kwargs: Any) -> Any:
        try:
            return write(db, table, row, *args, **kwargs)
        except OverflowError as exc:
            record = row if isinstance(row, Mapping) else {}
            pks = [pk for pk in _pks(db, table) if pk in record]
            raise TrackerError(f"a value the database cannot hold ({exc})", source=f"store {table}",
                               record=_record_id(record, pks) if pks else None, url=record.get("source_url")) from None

    return checked  # type: ignore[return-value]


def record_change(db: sqlite_utils.Database, run_id: int | None, table: str, record_id: object, kind: ChangeKind,
                  changed_fields: Mapping[str, Any] | None = None, bill_id: int | None = None, at: str | None = None) -> None:
    """Append one row to ``changes``."""
    db.execute(
        "INSERT INTO changes (sync_run_id, table_name, record_id, kind, changed_fields, detected_at, bill_id)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [run_id, table, str(record_id), kind, canonical(changed_fields) if changed_fields else None, at or utcnow(), bill_id],
    )


@holds_values
def upsert(db: sqlite_utils.Database, table: str, row: Row, *, run_id: int | None, at: str | None = None,
           bill_id: int | None = None, track: bool = True, key: Sequence[str] | None = None) -> ChangeKind | None:
    """Insert or update one record, recording what changed.

    ``row`` holds content columns and may hold ``source_url``. Returns
    ``ChangeKind.ADDED``, ``CHANGED``, ``RESTORED`` or ``None`` when nothing in the
    content changed (only ``last_seen`` and the run that saw it move). With
    ``track=False`` no ``changes`` row is written (for derived tables such as
    sponsors). ``key`` names the columns that identify the record when they are not
    its primary key (a risk flag is its supplier, flag and source; its ``id`` is the
    table's own); ``changes`` names records by primary key either way.
    """
    at = at or utcnow()
    pks = _pks(db, table)
    match = tuple(key or pks)
    test = " AND ".join(f"[{c}] IS ?" if key else f"[{c}] = ?" for c in match)
    cursor = db.execute(f"SELECT * FROM [{table}] WHERE {test}", [row[c] for c in match])
    names = [d[0] for d in cursor.description]
    found = cursor.fetchone()
    has_tracking = "content_hash" in names
    new = dict(row)
    if has_tracking:
        new["content_hash"] = content_hash(row)
        new["last_seen"] = at
        new["sync_run_id"] = run_id
    if found is None:
        if has_tracking:
            new["first_seen"] = at
            new["removed_at"] = None
        rowid = _insert(db, table, new)
        record_id = _record_id(new, pks) if all(pk in new for pk in pks) else str(rowid)
        if track:
            record_change(db, run_id, table, record_id, ChangeKind.ADDED, bill_id=bill_id, at=at)
        return ChangeKind.ADDED
    old = dict(zip(names, found))
    record_id = _record_id(old, pks)
    where = " AND ".join(f"[{pk}] = ?" for pk in pks)
    where_values = [old[pk] for pk in pks]
    if has_tracking and old["content_hash"] == new["content_hash"] and old["removed_at"] is None:
        db.execute(
            f"UPDATE [{table}] SET last_seen = ?, sync_run_id = ?, source_url = COALESCE(?, source_url) WHERE {where}",
            [at, run_id, row.get("source_url"), *where_values],
        )
        return None
    diff = {
        k: [old.get(k), v]
        for k, v in row.items()
        if k not in BOOKKEEPING and canonical(old.get(k)) != canonical(v)
    }
    kind = ChangeKind.CHANGED
    if has_tracking:
        if old["first_seen"] is None:  # a row from before its table kept history
            new["first_seen"] = at
        if old["removed_at"] is not None:
            new["removed_at"] = None
            diff["removed_at"] = [old["removed_at"], None]
            kind = ChangeKind.RESTORED
    if not diff and not has_tracking:
        return None
    sets = ", ".join(f"[{k}] = ?" for k in new)
    db.execute(f"UPDATE [{table}] SET {sets} WHERE {where}", [*new.values(), *where_values])
    if track and diff:
        if _added_in_run(db, run_id, table, record_id):
            # Completed later in the run that added it (a sponsor, then the Members API):
            # still one "added" change, not an addition and a change.
            return ChangeKind.ADDED
        record_change(db, run_id, table, record_id, kind, diff, bill_id=bill_id, at=at)
    return kind if diff else None


def _added_in_run(db: sqlite_utils.Database, run_id: int | None, table: str, record_id: str) -> bool:
    return db.execute(
        "SELECT 1 FROM changes WHERE table_name = ? AND record_id = ? AND sync_run_id = ? AND kind = ?",
        [table, str(record_id), run_id, ChangeKind.ADDED],
    ).fetchone() is not None


def _insert(db: sqlite_utils.Database, table: str, row: Row) -> int | None:
    cols = ", ".join(f"[{k}]" for k in row)
    marks = ", ".join("?" for _ in row)
    return db.execute(f"INSERT INTO [{table}] ({cols}) VALUES ({marks})", list(row.values())).lastrowid


def _live_rows(db: sqlite_utils.Database, table: str, scope: Mapping[str, Any], columns: Sequence[str]) -> list[dict[str, Any]]:
    """``columns`` of the records in ``scope`` (column values; None matches NULL) not marked removed."""
    where = " AND ".join(f"[{k}] IS ?" for k in scope) or "1"
    select = ", ".join(f"[{c}]" for c in dict.fromkeys(columns))
    cursor = db.execute(f"SELECT {select} FROM [{table}] WHERE {where} AND removed_at IS NULL", list(scope.values()))
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, r)) for r in cursor.fetchall()]


def unlisted_ids(db: sqlite_utils.Database, table: str, scope: Mapping[str, Any],
                 seen_ids: Iterable[object]) -> tuple[int, list[object]]:
    """``(how many live records ``scope`` holds, the primary keys of those not in ``seen_ids``)``:
    what a listing of ``scope`` would remove, for the caller to weigh before :func:`remove_records`."""
    (pk,) = _pks(db, table)
    seen = {str(i) for i in seen_ids}
    live = [r[pk] for r in _live_rows(db, table, scope, [pk])]
    return len(live), [i for i in live if str(i) not in seen]


def mark_removed(db: sqlite_utils.Database, table: str, scope: Mapping[str, Any], seen_ids: Iterable[object], *,
                 run_id: int | None, at: str | None = None, bill_id: int | None = None) -> list[object]:
    """Mark records in ``scope`` that upstream no longer lists as removed.

    ``scope`` is a dict of column values selecting the records one listing covers
    (e.g. ``{"bill_stage_id": 123}``; None matches NULL); ``seen_ids`` the primary keys that listing
    returned. Records are never deleted: ``removed_at`` is set and one
    ``removed`` change is recorded. Returns the ids marked.
    """
    (pk,) = _pks(db, table)
    seen = {str(i) for i in seen_ids}
    unlisted = [r[pk] for r in _live_rows(db, table, scope, [pk]) if str(r[pk]) not in seen]
    return remove_records(db, table, unlisted, run_id=run_id, at=at, bill_id=bill_id)


@holds_values
def remove_records(db: sqlite_utils.Database, table: str, ids: Iterable[object], *, run_id: int | None,
                   at: str | None = None, bill_id: int | None = None) -> list[object]:
    """Mark the records ``ids`` of ``table`` removed upstream (those not already so);
    one ``removed`` change each. Returns the ids marked."""
    at = at or utcnow()
    (pk,) = _pks(db, table)
    marked = []
    for record_id in ids:
        cursor = db.execute(f"UPDATE [{table}] SET removed_at = ? WHERE [{pk}] = ? AND removed_at IS NULL", [at, record_id])
        if cursor.rowcount:
            record_change(db, run_id, table, record_id, ChangeKind.REMOVED, {"removed_at": [None, at]}, bill_id=bill_id, at=at)
            marked.append(record_id)
    return marked


def refresh_listing(db: sqlite_utils.Database, table: str, rows: Sequence[Row], *, run_id: int | None,
                    scope: Mapping[str, Any] | None = None, key: Sequence[str] | None = None,
                    at: str | None = None, bill_id: int | None = None) -> Counter[ChangeKind]:
    """Make the live records of ``table`` in ``scope`` exactly ``rows``: a complete listing
    (a registry file, say) is the evidence that a record it lacks is gone.

    Each row is upserted (by ``key``, else the primary key); every other live record in
    ``scope`` (the whole table without one) is marked removed. Returns how many records
    were added, changed, restored and removed.
    """
    at = at or utcnow()
    match = tuple(key or _pks(db, table))
    counts: Counter[ChangeKind] = Counter()
    for row in rows:
        outcome = upsert(db, table, row, run_id=run_id, at=at, bill_id=bill_id, key=key)
        if outcome:
            counts[outcome] += 1
    (pk,) = _pks(db, table)
    listed = {_key_of(row, match) for row in rows}
    unlisted = [r[pk] for r in _live_rows(db, table, scope or {}, [pk, *match]) if _key_of(r, match) not in listed]
    counts[ChangeKind.REMOVED] += len(remove_records(db, table, unlisted, run_id=run_id, at=at, bill_id=bill_id))
    return +counts


def listing_is_current(db: sqlite_utils.Database, table: str, rows: Sequence[Row], *,
                       scope: Mapping[str, Any] | None = None, key: Sequence[str] | None = None) -> bool:
    """Whether :func:`refresh_listing` with these rows would change no content (so a
    caller can skip opening a run for it)."""
    match = tuple(key or _pks(db, table))
    live = {_key_of(r, match): r["content_hash"] for r in _live_rows(db, table, scope or {}, [*match, "content_hash"])}
    wanted = {_key_of(row, match): content_hash(row) for row in rows}
    return live == wanted


def replace_links(db: sqlite_utils.Database, table: str, owner_column: str, owner_id: object, rows: Sequence[Row]) -> bool:
    """Make the link rows of one owner exactly ``rows`` (e.g. an amendment's sponsors).

    Returns True when the set of links changed. History for links is recorded on
    the owner (as a changed ``sponsors`` field), not per link row.
    """
    return replace_rows(db, table, rows, scope={owner_column: owner_id})


@holds_values
def replace_rows(db: sqlite_utils.Database, table: str, rows: Sequence[Row], scope: Row | None = None) -> bool:
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


@holds_values
def merge_row(db: sqlite_utils.Database, table: str, row: Row, key: Sequence[str], refresh: Sequence[str] = ()) -> bool:
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


def ensure_member(db: sqlite_utils.Database, member: Row, *, run_id: int | None, at: str | None = None) -> bool:
    """Insert a member known only from a reference (a sponsor, a speaker) if new.

    An existing member is left alone: the Members API scraper owns the full record.
    """
    found = db.execute("SELECT 1 FROM members WHERE member_id = ?", [member["member_id"]]).fetchone()
    if found:
        return False
    upsert(db, "members", member, run_id=run_id, at=at, track=True)
    return True
