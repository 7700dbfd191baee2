"""Registry rows keep history like every other record.

``suppliers``, ``provisions`` and ``supplier_risk_flags`` (loaded from the data files
under ``nlp/data``) get the bookkeeping columns every synced table has, so a
registry load upserts them with change detection, records ``changes`` rows and
marks a record the file no longer lists as removed instead of deleting it.
A risk flag is identified by its supplier, flag and source (one supplier may have
one flag from two sources); its ``id`` stays the table's key.
"""
import sqlite_utils

# Frozen copy of the bookkeeping columns (never import live code into a migration).
TRACKING = {
    "source_url": str,
    "sync_run_id": int,
    "content_hash": str,
    "first_seen": str,
    "last_seen": str,
    "removed_at": str,
}


def migrate(db: sqlite_utils.Database) -> None:
    for table in ("suppliers", "provisions", "supplier_risk_flags"):
        registry = db.table(table)
        for column, kind in TRACKING.items():
            if column == "sync_run_id":
                registry.add_column(column, kind, fk="sync_runs", fk_col="id")
            else:
                registry.add_column(column, kind)
    db.table("supplier_risk_flags").create_index(["supplier_id", "flag", "source"])
