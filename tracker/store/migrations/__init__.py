"""Numbered schema migrations.

Each module ``mNNNN_name.py`` in this package defines ``def migrate(db):`` taking a
``sqlite_utils.Database``. They run in number order, each once, inside a
transaction, and the applied numbers are kept in ``_migrations`` so an older
database upgrades in place. Add a new numbered module; never edit an applied one.
"""
import importlib
import pkgutil
import re
from datetime import datetime, timezone

_NAME = re.compile(r"^m(\d{4})_\w+$")


def available():
    """All migrations in this package as ``[(number, name, module)]`` in order."""
    found = []
    for info in pkgutil.iter_modules(__path__):
        match = _NAME.match(info.name)
        if match:
            module = importlib.import_module(f"{__name__}.{info.name}")
            found.append((int(match.group(1)), info.name, module))
    return sorted(found, key=lambda item: item[0])


def apply(db):
    """Apply every migration ``db`` has not had yet; return the names applied."""
    db.execute(
        "CREATE TABLE IF NOT EXISTS _migrations (number INTEGER PRIMARY KEY, name TEXT, applied_at TEXT)"
    )
    done = {row[0] for row in db.execute("SELECT number FROM _migrations").fetchall()}
    applied = []
    for number, name, module in available():
        if number in done:
            continue
        with db.conn:
            module.migrate(db)
            db.execute(
                "INSERT INTO _migrations (number, name, applied_at) VALUES (?, ?, ?)",
                [number, name, datetime.now(timezone.utc).isoformat(timespec="seconds")],
            )
        applied.append(name)
    return applied
