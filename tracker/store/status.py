"""What ``tracker status`` reports: recent runs, record counts, recent changes."""
from typing import Any

import sqlite_utils

from tracker.store import schema


def database_status(db: sqlite_utils.Database, *, runs: int = 5, changes: int = 10) -> dict[str, Any]:
    """A dict with ``runs`` (latest first, with their change counts), ``counts`` (of the tables
    the schema counts) and ``changes``."""
    recent_runs = [
        dict(row)
        for row in db.query(
            "SELECT r.*, (SELECT count(*) FROM changes c WHERE c.sync_run_id = r.id) AS changes"
            " FROM sync_runs r ORDER BY r.id DESC LIMIT ?",
            [runs],
        )
    ]
    counts = {t.name: db[t.name].count for t in schema.counted()}
    recent_changes = list(db.query("SELECT * FROM changes ORDER BY id DESC LIMIT ?", [changes]))
    return {"runs": recent_runs, "counts": counts, "changes": recent_changes}
