"""What the Parliament sync steps share: the bills a run works on, their stages, and the per-bill step.

A step works on ``run.bill_ids`` (the bills synced in this run) or, when that is
empty, on every bill in the database.
"""
import json

from scrapers import hansard as hansard_api
from scrapers.errors import TrackerError
from tracker import store


def tracked_bill_ids(run):
    """The bills this run synced, or every bill in the database."""
    if run.bill_ids:
        return list(dict.fromkeys(run.bill_ids))
    return [r[0] for r in run.db.execute("SELECT bill_id FROM bills WHERE removed_at IS NULL ORDER BY bill_id").fetchall()]


def rows(db, sql, params=()):
    cursor = db.execute(sql, list(params))
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def load_bill(db, bill_id):
    """``(bill row, stage rows with a ``dates`` list)``; TrackerError when the bill is not in the database."""
    bills = rows(db, "SELECT * FROM bills WHERE bill_id = ?", [bill_id])
    if not bills:
        raise TrackerError("not in the database (sync it with --bill first)", source="tracker", record=f"bill {bill_id}")
    stages = rows(db, "SELECT * FROM bill_stages WHERE bill_id = ? AND removed_at IS NULL ORDER BY sort_order", [bill_id])
    for stage in stages:
        try:
            stage["dates"] = sorted(set(json.loads(stage.get("sittings") or "[]")))
        except ValueError:
            stage["dates"] = []
    return bills[0], stages


def search_titles(bill):
    return hansard_api.bill_search_titles(bill.get("short_title"), bill.get("former_short_title"))


def content(row):
    return {k: v for k, v in row.items() if k not in store.BOOKKEEPING or k == "source_url"}


def per_bill_step(sync_one):
    """A step's action running ``sync_one(run, bill_id)`` for each tracked bill (a bill that fails
    is recorded and the next one goes on)."""

    def step(run):
        for bill_id in tracked_bill_ids(run):
            try:
                sync_one(run, bill_id)
            except TrackerError as error:
                run.fail(error)

    return step


def shrank_sharply(before: int, still_listed: int) -> bool:
    """A listing that lost more than half of what it held, or all of it, is suspect: an
    upstream fault (an empty or short answer) looks exactly like that."""
    return before > 0 and (still_listed == 0 or still_listed * 2 < before)


def evidenced_removals(run, live_ids, seen_ids, *, what, source, url, own_url=None):
    """Which of ``live_ids`` (the records a listing held) are gone upstream, on evidence.

    A record the listing ``seen_ids`` no longer holds is gone when its own URL
    (``own_url(record_id)``) answers 404 or 410; one whose URL still answers stays.
    A record without a URL of its own is gone on the listing's word, unless the
    listing shrank sharply (:func:`shrank_sharply`). What stays though the listing
    lacks it is one error line naming the source (so the run ends partial): nothing
    is removed on a suspect answer. Fetches, so call it outside a transaction.
    """
    live = list(dict.fromkeys(live_ids))
    seen = {str(i) for i in seen_ids}
    unlisted = [i for i in live if str(i) not in seen]
    if not unlisted:
        return []
    suspect = shrank_sharply(len(live), len(live) - len(unlisted))
    gone, kept = [], []
    for record_id in unlisted:
        if own_url is None:
            (kept if suspect else gone).append(record_id)
            continue
        try:
            still_there = run.client.resolves(own_url(record_id), source=source)
        except TrackerError as error:
            run.fail(error)
            continue
        (kept if still_there else gone).append(record_id)
    if kept:
        how = (f"the listing shrank from {len(live)} to {len(live) - len(unlisted)} {what}" if suspect
               else f"{len(kept)} {what} left the listing")
        run.fail(TrackerError(f"{how} but {len(kept)} still answer or have no URL of their own: suspect, not removed",
                              source=source, url=url))
    return gone


def remove_unlisted(run, table, scope, seen_ids, *, source, url, own_url=None, bill_id=None, what=None):
    """Mark removed the live records of ``table`` in ``scope`` that a complete listing (``seen_ids``)
    no longer holds, on the evidence :func:`evidenced_removals` asks for; returns the ids marked."""
    _, live = store.unlisted_ids(run.db, table, scope, ())
    gone = evidenced_removals(run, live, seen_ids, what=what or table.replace("_", " "), source=source, url=url, own_url=own_url)
    if not gone:
        return []
    with store.transaction(run.db):
        return store.remove_records(run.db, table, gone, run_id=run.run_id, bill_id=bill_id)
