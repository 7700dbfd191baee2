"""The outbox: events, their deliveries per channel, and the backoff between attempts.

A delivery is one message (one event, or a digest of one run's events for a watch)
to one destination. It is written ``pending`` with its events; sending it and marking
it ``delivered`` are two steps, so a crash between them sends it again on the next
run (with the same ``message_id``, which every copy carries, for the receiver to drop
the repeat). A failed attempt is marked ``failed`` with the error and the time after
which the next run tries again: one minute, doubling per attempt, at most six hours.
Atom deliveries are written ``delivered``: the feed shows the event from the moment
its transaction commits.
"""
import json
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta, timezone

from tracker import store
from tracker.sync.common import rows

FIRST_RETRY = timedelta(minutes=1)
LONGEST_RETRY = timedelta(hours=6)
EVENT_COLUMNS = (
    "event_id", "watch_id", "event_key", "kind", "table_name", "record_id", "bill_id", "record_label", "title", "summary",
    "excerpt", "highlights", "page_path", "official_url", "occurred_at", "created_at", "change_id",
)


def timestamp(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds")


def insert_event(db, event: dict) -> bool:
    """Write one event unless the watch already has one of its ``event_key``; True when written."""
    cursor = db.execute(
        f"INSERT OR IGNORE INTO alert_events ({', '.join(EVENT_COLUMNS)}) VALUES ({', '.join('?' for _ in EVENT_COLUMNS)})",
        [event[c] for c in EVENT_COLUMNS],
    )
    return cursor.rowcount == 1


def _insert_delivery(db, watch_id, message_id, event_ids, channel, destination, status, now):
    db.execute(
        "INSERT OR IGNORE INTO alert_deliveries (watch_id, message_id, event_ids, channel, destination, status, attempts,"
        " delivered_at, created_at) VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?)",
        [watch_id, message_id, json.dumps(list(event_ids)), channel, destination, status,
         now if status == "delivered" else None, now],
    )


def queue_deliveries(db, watch, event_ids: Sequence[str], now: str) -> None:
    """Queue the messages for new events: one per event and destination, or with ``digest``
    one per destination carrying them all (inside the caller's transaction)."""
    if not event_ids:
        return
    if watch.digest:
        messages = [(f"digest-{uuid.uuid4()}", list(event_ids))]
    else:
        messages = [(event_id, [event_id]) for event_id in event_ids]
    for channel, destination in watch.channels:
        if channel == "atom":
            for event_id in event_ids:
                _insert_delivery(db, watch.id, event_id, [event_id], "atom", destination, "delivered", now)
            continue
        for message_id, ids in messages:
            _insert_delivery(db, watch.id, message_id, ids, channel, destination, "pending", now)


def due(db, now: datetime, *, all_undelivered: bool = False) -> list:
    """Deliveries to attempt now (oldest first): pending ones, and failed ones whose backoff
    has passed (every undelivered one with ``all_undelivered``)."""
    wait = "" if all_undelivered else " AND (next_attempt_at IS NULL OR next_attempt_at <= ?)"
    return rows(db, f"SELECT * FROM alert_deliveries WHERE status IN ('pending', 'failed'){wait} ORDER BY id",
                 [] if all_undelivered else [timestamp(now)])


def events_of(db, delivery: dict) -> list:
    ids = json.loads(delivery["event_ids"])
    found = {r["event_id"]: r for r in rows(
        db, "SELECT * FROM alert_events WHERE event_id IN (SELECT value FROM json_each(?))", [json.dumps(ids)])}
    return [found[i] for i in ids if i in found]


def mark_delivered(db, delivery_id: int, now: datetime) -> None:
    with store.transaction(db):
        db.execute(
            "UPDATE alert_deliveries SET status = 'delivered', attempts = attempts + 1, delivered_at = ?, last_attempt_at = ?,"
            " next_attempt_at = NULL WHERE id = ?",
            [timestamp(now), timestamp(now), delivery_id],
        )


def retry_delay(attempts: int) -> timedelta:
    """How long after failed attempt number ``attempts`` (1, 2, ...) the next one is due."""
    return min(LONGEST_RETRY, FIRST_RETRY * (2 ** max(0, attempts - 1)))


def mark_failed(db, delivery: dict, error: str, now: datetime) -> str:
    """Record a failed attempt; returns when the next one is due."""
    attempts = (delivery["attempts"] or 0) + 1
    next_at = timestamp(now + retry_delay(attempts))
    with store.transaction(db):
        db.execute(
            "UPDATE alert_deliveries SET status = 'failed', attempts = ?, last_error = ?, last_attempt_at = ?, next_attempt_at = ?"
            " WHERE id = ?",
            [attempts, error, timestamp(now), next_at, delivery["id"]],
        )
    return next_at


def list_deliveries(db, *, failed_only: bool = False, limit: int | None = 100) -> list:
    """Deliveries newest first, each with its watch's name and its events' titles."""
    where = "WHERE d.status = 'failed'" if failed_only else ""
    found = rows(
        db,
        f"SELECT d.*, w.name AS watch FROM alert_deliveries d LEFT JOIN watches w ON w.id = d.watch_id {where}"
        " ORDER BY d.id DESC" + (" LIMIT ?" if limit else ""),
        [limit] if limit else [],
    )
    for row in found:
        row["events"] = [{"event_id": e["event_id"], "kind": e["kind"], "title": e["title"]} for e in events_of(db, row)]
        row["event_ids"] = json.loads(row["event_ids"])
    return found
