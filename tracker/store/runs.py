"""Sync runs, incremental-sync markers and the HTTP cache: the bookkeeping of fetching."""
from __future__ import annotations

import contextlib
import fcntl
import os
import threading
import time
from collections.abc import Callable, Iterator

import sqlite_utils

from scrapers.errors import TrackerError
from tracker.store.db import database_path, transaction, utcnow
from tracker.vocab import RunStatus

RUN_LOCK_WAIT = 30.0  # seconds a run waits for the one before it to end


@contextlib.contextmanager
def run_lock(db: sqlite_utils.Database, *, wait: float = RUN_LOCK_WAIT, sleep: Callable[[float], None] = time.sleep,
             clock: Callable[[], float] = time.monotonic) -> Iterator[Callable[[str], None]]:
    """Hold the database's run lock (``<db>.lock``, released by the system when the process dies)
    while the block runs: one run (a sync, a registry load, positions derive, a members load)
    at a time per database.

    Waits up to ``wait`` seconds for a run holding it, then raises a :class:`TrackerError`
    saying which run holds it. Once held, runs left ``running`` by a killed process are
    marked ``interrupted``. Yields ``note(text)``, which records who holds the lock (the
    run id, once known) for the message another run would print.
    """
    path = database_path(db)
    if path is None:
        yield lambda text: None
        return
    lock_path = path + ".lock"
    handle = open(lock_path, "a+")
    try:
        deadline = clock() + wait
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if clock() >= deadline:
                    handle.seek(0)
                    holder = handle.read().strip() or "another run"
                    raise TrackerError(f"{holder} holds this database: try again when it ends", source="tracker",
                                       url=lock_path) from None
                sleep(0.1)

        def note(text: str) -> None:
            handle.seek(0)
            handle.truncate()
            handle.write(f"{text} (pid {os.getpid()}, since {utcnow()})")
            handle.flush()

        note("a run starting")
        mark_interrupted(db)
        try:
            yield note
        finally:
            handle.seek(0)
            handle.truncate()
            handle.flush()
            fcntl.flock(handle, fcntl.LOCK_UN)
    finally:
        handle.close()


def mark_interrupted(db: sqlite_utils.Database) -> int:
    """Mark runs still ``running`` (their process was killed) ``interrupted``; call it holding
    :func:`run_lock`, when no other run can be running. Returns how many were marked."""
    with transaction(db):
        cursor = db.execute("UPDATE sync_runs SET status = ?, finished_at = COALESCE(finished_at, ?) WHERE status = ?",
                            [RunStatus.INTERRUPTED, utcnow(), RunStatus.RUNNING])
    return cursor.rowcount


# The ``sync_state`` key saying what a database was built from; ``SAMPLE``: the bundled demo
# sample (texts written for it, not Hansard). A database built by ``tracker sync`` has no such key.
DATASET_KEY = "dataset"
SAMPLE = "sample"


def start_run(db: sqlite_utils.Database, sources: str, archive_path: str | None = None, *,
              holder: Callable[[str], None] | None = None) -> int:
    """Open a ``sync_runs`` row (status ``running``) and return its id.

    Open it holding :func:`run_lock` (or a run starting meanwhile marks it ``interrupted``);
    ``holder``, the lock's ``note``, is told the run (``<sources> run <id>``) for the line
    a run waiting for the lock prints.
    """
    with transaction(db):
        cursor = db.execute(
            "INSERT INTO sync_runs (started_at, sources, status, requests, bytes, archive_path) VALUES (?, ?, ?, 0, 0, ?)",
            [utcnow(), sources, RunStatus.RUNNING, archive_path],
        )
    assert cursor.lastrowid is not None
    if holder:
        holder(f"{sources} run {cursor.lastrowid}")
    return cursor.lastrowid


def set_run_archive(db: sqlite_utils.Database, run_id: int, archive_path: str) -> None:
    """Record where a run archives its responses (known once the run has its id)."""
    with transaction(db):
        db.execute("UPDATE sync_runs SET archive_path = ? WHERE id = ?", [archive_path, run_id])


def finish_run(db: sqlite_utils.Database, run_id: int, status: RunStatus, *, requests: int = 0, nbytes: int = 0,
               message: str | None = None) -> None:
    """Close a ``sync_runs`` row with its status: ok, partial or failed."""
    with transaction(db):
        db.execute(
            "UPDATE sync_runs SET finished_at = ?, status = ?, requests = ?, bytes = ?, message = ? WHERE id = ?",
            [utcnow(), RunStatus(status), requests, nbytes, message, run_id],
        )


def get_state(db: sqlite_utils.Database, key: str) -> str | None:
    """The stored value of one incremental-sync marker, or None."""
    row = db.execute("SELECT value FROM sync_state WHERE key = ?", [key]).fetchone()
    return row[0] if row else None


def set_state(db: sqlite_utils.Database, key: str, value: str, *, run_id: int) -> None:
    """Set one incremental-sync marker (inside the caller's transaction)."""
    db.execute(
        "INSERT INTO sync_state (key, value, sync_run_id, updated_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT(key) DO UPDATE SET value = excluded.value, sync_run_id = excluded.sync_run_id,"
        " updated_at = excluded.updated_at",
        [key, value, run_id, utcnow()],
    )


class HttpCache:
    """Validators and bodies of earlier responses, for the client's conditional requests.

    A client shared by threads (a concurrent sync) reads and writes the cache through
    each thread's own connection: a thread names its connection with :meth:`use`.
    """

    def __init__(self, db: sqlite_utils.Database) -> None:
        self._default = db
        self._local = threading.local()

    def use(self, db: sqlite_utils.Database) -> None:
        """Use ``db`` (this thread's connection to the same database) for this thread's requests."""
        self._local.db = db

    @property
    def db(self) -> sqlite_utils.Database:
        return getattr(self._local, "db", self._default)

    def get(self, url: str) -> tuple[str | None, str | None, bytes | str | None] | None:
        row = self.db.execute("SELECT etag, last_modified, body FROM http_cache WHERE url = ?", [url]).fetchone()
        return (row[0], row[1], row[2]) if row else None

    def put(self, url: str, etag: str | None, last_modified: str | None, body: bytes | str | None,
            content_type: str | None = None) -> None:
        with transaction(self.db):
            self.db.execute(
                "INSERT INTO http_cache (url, etag, last_modified, body, content_type, fetched_at) VALUES (?, ?, ?, ?, ?, ?)"
                " ON CONFLICT(url) DO UPDATE SET etag = excluded.etag, last_modified = excluded.last_modified,"
                " body = excluded.body, content_type = excluded.content_type, fetched_at = excluded.fetched_at",
                [url, etag, last_modified, body, content_type, utcnow()],
            )


def mark_sample(db: sqlite_utils.Database, run_id: int) -> None:
    """Record that the database holds the bundled sample, so the site can say so on every page."""
    with transaction(db):
        set_state(db, DATASET_KEY, SAMPLE, run_id=run_id)


def is_sample(db: sqlite_utils.Database) -> bool:
    return get_state(db, DATASET_KEY) == SAMPLE
