"""What a database holds, without the bookkeeping of the runs that wrote it: two databases
loaded with the same records compare equal, whatever the order or the number of runs."""
from tracker import store

# Bookkeeping that differs between two runs loading the same content.
VOLATILE = {"sync_run_id", "first_seen", "last_seen", "updated_at", "fetched_at", "detected_at", "tagged_at",
            "applied_at", "created_at", "run_id", "source_url"}
NOT_CONTENT = {"sync_runs", "changes", "http_cache", "sync_state", "_migrations", "sqlite_sequence"}


def content_of(db) -> dict:
    """Every content table's rows, as sorted canonical JSON without bookkeeping."""
    tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND sql NOT LIKE '%VIRTUAL%'")]
    out = {}
    for table in tables:
        if table in NOT_CONTENT or "_fts" in table or table.startswith("search_"):  # search_*: an index derived afresh
            continue
        cursor = db.execute(f"SELECT * FROM [{table}]")
        names = [d[0] for d in cursor.description]
        autoid = db.execute(f"SELECT 1 FROM pragma_table_info('{table}') WHERE name = 'id' AND type = 'INTEGER' AND pk = 1").fetchone()
        drop = VOLATILE | ({"id"} if autoid else set())
        out[table] = sorted(store.canonical({n: v for n, v in zip(names, row) if n not in drop}) for row in cursor)
    return out
