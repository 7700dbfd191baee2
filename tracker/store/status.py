"""What ``tracker status`` reports: recent runs, record counts, recent changes."""
from typing import Any

import sqlite_utils

COUNTED_TABLES = (
    "bills", "bill_stages", "amendments", "pingpong_items", "members", "amendment_sponsors",
    "debates", "contributions", "divisions", "division_votes", "written_questions", "written_statements",
    "bill_clauses", "mentions", "changes",
)


def database_status(db: sqlite_utils.Database, *, runs: int = 5, changes: int = 10) -> dict[str, Any]:
    """A dict with ``runs`` (latest first, with their change counts), ``counts`` and ``changes``."""
    recent_runs = [
        dict(row)
        for row in db.query(
            "SELECT r.*, (SELECT count(*) FROM changes c WHERE c.sync_run_id = r.id) AS changes"
            " FROM sync_runs r ORDER BY r.id DESC LIMIT ?",
            [runs],
        )
    ]
    existing = set(db.table_names())
    counts = {t: db[t].count for t in COUNTED_TABLES if t in existing}
    recent_changes = list(db.query("SELECT * FROM changes ORDER BY id DESC LIMIT ?", [changes]))
    return {"runs": recent_runs, "counts": counts, "changes": recent_changes}
