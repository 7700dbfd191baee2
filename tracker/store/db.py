"""Opening the database and the one way to write to it: inside :func:`transaction`.

Several writers share one database (a sync, a tagging run, an alert delivery, and
``tracker serve`` reading): each transaction takes SQLite's write lock when it
begins (``BEGIN IMMEDIATE``), and a writer that finds it taken waits up to
:data:`BUSY_TIMEOUT_MS` for it. A deferred ``BEGIN`` would read first and fail at
its first write with "database is locked" as soon as another writer committed in
between, without waiting; long runs commit unit by unit, so nobody waits long.
"""
from __future__ import annotations

import contextlib
import os
import sqlite3
import urllib.parse
from collections.abc import Iterator
from datetime import datetime, timezone

import sqlite_utils

from tracker.store import migrations

BUSY_TIMEOUT_MS = 30_000


def utcnow() -> str:
    """The current UTC time as an ISO 8601 string to the second."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def open_db(path: str | os.PathLike[str]) -> sqlite_utils.Database:
    """Open (creating if needed) the tracker database at ``path`` and migrate it."""
    db = sqlite_utils.Database(os.fspath(path))
    db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    # Autocommit: only the explicit BEGIN of transaction() (or of a migration) opens a transaction.
    db.conn.isolation_level = None
    db.execute("PRAGMA foreign_keys = OFF")  # upstream order is not ours to choose
    db.execute("PRAGMA journal_mode = WAL")
    migrations.apply(db)
    return db


def open_reader(path: str | os.PathLike[str]) -> sqlite_utils.Database:
    """A read-only connection to an existing tracker database, for a process that reads beside
    the one writing it (``tracker tag --jobs``): it cannot write, and never migrates."""
    uri = "file:" + urllib.parse.quote(os.path.abspath(os.fspath(path))) + "?mode=ro"
    return sqlite_utils.Database(sqlite3.connect(uri, uri=True, isolation_level=None))


def database_path(db: sqlite_utils.Database) -> str | None:
    """The file of ``db``'s main database, or None when it is in memory."""
    for _seq, name, file in db.execute("PRAGMA database_list").fetchall():
        if name == "main":
            return file or None
    return None


@contextlib.contextmanager
def transaction(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
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
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        conn.rollback()
        raise
    conn.commit()
