"""Running Datasette on the tracker database: read-only, time-limited, loopback by default.

``metadata.json`` holds the publication's metadata under the placeholder
database name ``tracker``; :func:`build_metadata` renames it to the served
file's name (Datasette names a database after its file) and keeps only the
canned queries whose tables exist (each query lists them in ``requires``; a query
may carry a ``fallback`` form, with its own ``requires`` and ``sql``, for a
database without some of them).

Safety:
- the database is opened read-only: Datasette's connections to a mutable file
  use ``?mode=ro`` (and nothing here asks it to write), so a sync may write
  while the site is served; with ``immutable=True`` (``-i``) SQLite does no
  locking at all, for a file nothing writes to any more (a published snapshot);
- every query stops after ``sql_time_limit_ms``;
- the pages escape stored text (Jinja autoescaping, and ``markupsafe`` in the plugin);
- configuration and credentials live in a separate file (``tracker.toml``),
  never in the database: :func:`secret_columns` refuses a database that has
  a table or column named like a secret.
"""
import atexit
import json
import re
import shutil
import sqlite3
import tempfile
from pathlib import Path

from scrapers.errors import TrackerError

HERE = Path(__file__).parent
METADATA = HERE / "metadata.json"
TEMPLATES = HERE / "templates"
PLUGINS = HERE / "plugins"
PLACEHOLDER = "tracker"
SETTINGS = {
    "sql_time_limit_ms": 1500,
    "facet_time_limit_ms": 300,
    "max_returned_rows": 1000,
}
SECRET = re.compile(r"passw|secret|token|api_?key|credential|smtp_pass|private_key", re.I)


class ServeError(TrackerError):
    """The database cannot be served (missing, a configuration file, or holding secrets)."""

    def __init__(self, message):
        super().__init__(message, source="serve")


def database_name(db_path):
    """The name Datasette gives a database file (its stem)."""
    return Path(db_path).stem


def _schema(db_path):
    """``{table_or_view: [columns]}`` read through a read-only connection."""
    conn = sqlite3.connect(f"file:{Path(db_path).resolve()}?mode=ro", uri=True)
    try:
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")]
        return {n: [r[1] for r in conn.execute(f"PRAGMA table_info([{n}])")] for n in names}
    finally:
        conn.close()


def secret_columns(db_path):
    """Tables and columns whose names look like secrets (there should be none)."""
    found = []
    for table, columns in _schema(db_path).items():
        if SECRET.search(table):
            found.append(table)
        found += [f"{table}.{c}" for c in columns if SECRET.search(c)]
    return found


def build_metadata(db_path, *, name=None):
    """The metadata for serving ``db_path``: keyed by its database name, queries filtered."""
    meta = json.loads(METADATA.read_text(encoding="utf-8"))
    tables = set(_schema(db_path)) if Path(db_path).exists() else set()
    database = meta["databases"].pop(PLACEHOLDER)
    queries = {}
    for key, query in database.get("queries", {}).items():
        query = dict(query)
        fallback = query.pop("fallback", None)
        needs = set(query.pop("requires", []))
        if not needs <= tables and fallback:
            # A simpler form of the query for a database without some of its tables.
            query["sql"], needs = fallback["sql"], set(fallback.get("requires", []))
        if needs <= tables:
            queries[key] = query
    database["queries"] = queries
    database["tables"] = {t: v for t, v in database.get("tables", {}).items() if t in tables}
    meta["databases"][name or database_name(db_path)] = database
    return meta


def write_metadata(db_path):
    """Write :func:`build_metadata` to a temporary file removed at exit; return its path."""
    directory = Path(tempfile.mkdtemp(prefix="tracker-publish-"))
    atexit.register(shutil.rmtree, directory, True)
    path = directory / "metadata.json"
    path.write_text(json.dumps(build_metadata(db_path), indent=2), encoding="utf-8")
    return path


def check_servable(db_path):
    path = Path(db_path)
    if not path.exists():
        raise ServeError(f"{db_path}: no such database")
    if path.suffix.lower() in (".toml", ".ini", ".env", ".json", ".yml", ".yaml"):
        raise ServeError(f"{db_path}: a configuration file is never served")
    secrets = secret_columns(db_path)
    if secrets:
        raise ServeError(f"{db_path}: refusing to serve columns that look like secrets: {', '.join(secrets)}")


def datasette_args(db_path, *, host="127.0.0.1", port=8001, immutable=False, metadata_path=None):
    """The ``datasette serve`` arguments for the tracker database."""
    args = ["-i", str(db_path)] if immutable else [str(db_path)]
    args += ["--host", host, "--port", str(port)]
    for key, value in SETTINGS.items():
        args += ["--setting", key, str(value).lower() if isinstance(value, bool) else str(value)]
    args += ["--metadata", str(metadata_path or write_metadata(db_path))]
    args += ["--template-dir", str(TEMPLATES), "--plugins-dir", str(PLUGINS)]
    return args


def make_datasette(db_path, *, immutable=False):
    """An in-process Datasette configured exactly as :func:`serve` runs it (for tests and scripts)."""
    from datasette.app import Datasette

    files, immutables = ([], [str(db_path)]) if immutable else ([str(db_path)], [])
    return Datasette(
        files,
        immutables=immutables,
        metadata=build_metadata(db_path),
        template_dir=str(TEMPLATES),
        plugins_dir=str(PLUGINS),
        settings=dict(SETTINGS),
    )


def serve(db_path, *, host="127.0.0.1", port=8001, immutable=False):
    """Serve ``db_path`` with Datasette until interrupted (read-only; ``immutable`` for a snapshot)."""
    from datasette.cli import cli as datasette_cli

    check_servable(db_path)
    datasette_cli.main(["serve", *datasette_args(db_path, host=host, port=port, immutable=immutable)], standalone_mode=False)
