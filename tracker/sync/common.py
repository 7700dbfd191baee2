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
    """A step running ``sync_one(run, bill_id)`` for each tracked bill (a bill that fails is
    recorded and the next one goes on), then fetching the members it referred to."""

    def step(run):
        for bill_id in tracked_bill_ids(run):
            try:
                sync_one(run, bill_id)
            except TrackerError as error:
                run.fail(error)
        after_step(run)

    return step


def after_step(run):
    """Fetch the members a step referred to, when this run syncs members."""
    from tracker.sync.members import resolve_members

    if run.resolve_members:
        resolve_members(run)
