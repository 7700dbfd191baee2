"""Numbered schema migrations.

Each module ``mNNNN_name.py`` in this package defines ``def migrate(db):`` taking a
``sqlite_utils.Database``. They run in number order, each once, and the applied
numbers are kept in ``_migrations`` so an older database upgrades in place. Add a
new numbered module; never edit an applied one (a migration holds its own
literals: live code never imports from it).

Each migration and the ``_migrations`` row recording it commit together in one
``BEGIN IMMEDIATE`` transaction: a migration that fails half-way (after an
``add_column``, say) leaves the database as it was before it, so the next
``open_db`` simply runs it again. ``IMMEDIATE`` takes the write lock before
reading ``_migrations``, so two processes opening one old database never both
apply the same migration.
"""
from __future__ import annotations

import importlib
import pkgutil
import re
from datetime import datetime, timezone
from types import ModuleType

import sqlite_utils

_NAME = re.compile(r"^m(\d{4})_\w+$")


def available() -> list[tuple[int, str, ModuleType]]:
    """All migrations in this package as ``[(number, name, module)]`` in order."""
    found = []
    for info in pkgutil.iter_modules(__path__):
        match = _NAME.match(info.name)
        if match:
            module = importlib.import_module(f"{__name__}.{info.name}")
            found.append((int(match.group(1)), info.name, module))
    return sorted(found, key=lambda item: item[0])


def apply(db: sqlite_utils.Database) -> list[str]:
    """Apply every migration ``db`` has not had yet, each in its own transaction;
    return the names applied. ``db`` must be in autocommit mode (``isolation_level = None``)."""
    conn = db.conn
    if conn.in_transaction:
        raise RuntimeError("migrations run in their own transactions: commit or roll back first")
    db.execute("CREATE TABLE IF NOT EXISTS _migrations (number INTEGER PRIMARY KEY, name TEXT, applied_at TEXT)")
    done = {row[0] for row in conn.execute("SELECT number FROM _migrations").fetchall()}
    applied: list[str] = []
    for number, name, module in available():
        if number in done:
            continue
        conn.execute("BEGIN IMMEDIATE")
        try:  # asked again under the write lock: another process may have applied it meanwhile
            if conn.execute("SELECT 1 FROM _migrations WHERE number = ?", [number]).fetchone() is None:
                module.migrate(db)
                if not conn.in_transaction:  # a library call committed on its own: atomicity is gone
                    raise RuntimeError(f"migration {name} committed its own transaction")
                conn.execute(
                    "INSERT INTO _migrations (number, name, applied_at) VALUES (?, ?, ?)",
                    [number, name, datetime.now(timezone.utc).isoformat(timespec="seconds")],
                )
                applied.append(name)
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
    return applied
