"""Running Datasette on the tracker database: read-only, time-limited, loopback by default.

``metadata.json`` holds the publication's metadata under the placeholder
database name ``tracker``; :func:`build_metadata` renames it to the served
file's name (Datasette names a database after its file) and fills in the canned
queries it lists, each from its own file ``queries/<name>.sql`` (see
:func:`canned_query`). Every database served has the full schema (``tracker serve``
opens it with ``store.open_db`` first), so every query runs on it.

The plugin (``plugin.py``) is registered through the ``datasette`` entry point in
``pyproject.toml``; :func:`load_plugin` registers the same module for a source tree
that is not installed.

Safety:
- the database is opened read-only: Datasette's connections to a mutable file
  use ``?mode=ro`` (and nothing here asks it to write), so a sync may write
  while the site is served; with ``immutable=True`` (``-i``) SQLite does no
  locking at all, for a file nothing writes to any more (a published snapshot);
- every query stops after ``sql_time_limit_ms`` (Datasette's progress handler, checked every
  thousand SQLite instructions); a single instruction that would build a huge value
  (``printf('%.*c', 900000000, 'x')``, a recursive CTE doubling a string) is stopped by SQLite's
  length limit instead (``plugin.MAX_VALUE_BYTES``, on Python 3.11+), so a visitor's query
  allocates at most that much; at most ``plugin.SQL_AT_ONCE`` visitors' queries run at once
  (the rest answer 429), and ``sql=False`` (``tracker serve --no-sql``) turns arbitrary SQL off,
  leaving the canned queries and the pages;
- the site is read-only: a POST (to a canned query or anywhere) answers 405;
- the pages escape stored text (Jinja autoescaping, and ``markupsafe`` in the plugin);
- configuration and credentials live in a separate file (``tracker.toml``),
  never in the database: :func:`secret_columns` refuses a database that has
  a table or column named like a secret (a password, token, e-mail address, cookie, session,
  authorization header); the tables the schema declares unpublished (the alerts' watches and
  their deliveries, which hold subscribers' addresses) are not served at all instead: hidden,
  their pages forbidden, and every column of them reads as NULL in any query (``plugin.private_guard``).
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
QUERIES = HERE / "queries"
PLACEHOLDER = "tracker"
PLUGIN = "tracker"  # the name of the ``datasette`` entry point in pyproject.toml
SETTINGS = {
    "sql_time_limit_ms": 1500,
    "facet_time_limit_ms": 300,
    "max_returned_rows": 1000,
}
SECRET = re.compile(r"passw|secret|token|api_?key|credential|private_key|e_?mail|authori[sz]ation|cookie|session|bearer", re.I)
# Named like a secret, but the Bills API's parliamentary session ("2022-23"), not a login session.
NOT_SECRET = {("bills", "session_id"), ("bill_stages", "session_id")}


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
    """Tables and columns that would be served and whose names look like secrets (there should be none)."""
    from tracker.store import schema

    private = {t.name for t in schema.unpublished()}
    found = []
    for table, columns in _schema(db_path).items():
        if table in private:
            continue
        if SECRET.search(table):
            found.append(table)
        found += [f"{table}.{c}" for c in columns if SECRET.search(c) and (table, c) not in NOT_SECRET]
    return found


def canned_query(name):
    """The canned query ``queries/<name>.sql`` as Datasette metadata: ``{title, description, sql, hide_sql}``.

    The file opens with a comment: its first line is the title, the lines after it the
    description; the SQL follows.
    """
    lines = (QUERIES / f"{name}.sql").read_text(encoding="utf-8").splitlines()
    header = []
    while lines and lines[0].startswith("--"):
        header.append(lines.pop(0)[2:].strip())
    if not header or not header[0]:
        raise ServeError(f"{QUERIES / name}.sql: the query has no title (a first comment line)")
    # The SQL starts folded away (a link shows it): a visitor reads the description, then the form.
    return {"title": header[0], "description": " ".join(line for line in header[1:] if line), "sql": "\n".join(lines).strip(),
            "hide_sql": True}


def build_metadata(db_path, *, name=None):
    """The metadata for serving ``db_path``: keyed by its database name, with the canned queries' SQL;
    the unpublished tables hidden and their pages forbidden to everyone."""
    from tracker.store import schema

    meta = json.loads(METADATA.read_text(encoding="utf-8"))
    database = meta["databases"].pop(PLACEHOLDER)
    database["queries"] = {query: canned_query(query) for query in database.get("queries", [])}
    tables = database.setdefault("tables", {})
    for table in schema.unpublished():
        # A table a published record's page links to (a bill's page lists the alert_events naming
        # it) stays reachable, its columns read as NULL (it shows no rows); the others answer 403.
        tables[table.name] = {**tables.get(table.name, {}), "hidden": True, **({} if table.links else {"allow": False})}
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


def settings(*, sql=True):
    """Datasette's settings: :data:`SETTINGS`, and arbitrary SQL off unless ``sql``."""
    return {**SETTINGS, **({} if sql else {"default_allow_sql": False})}


def datasette_args(db_path, *, host="127.0.0.1", port=8001, immutable=False, metadata_path=None, sql=True):
    """The ``datasette serve`` arguments for the tracker database (``sql=False``: canned queries only)."""
    args = ["-i", str(db_path)] if immutable else [str(db_path)]
    args += ["--host", host, "--port", str(port)]
    for key, value in settings(sql=sql).items():
        args += ["--setting", key, str(value).lower() if isinstance(value, bool) else str(value)]
    args += ["--metadata", str(metadata_path or write_metadata(db_path))]
    args += ["--template-dir", str(TEMPLATES)]
    return args


def load_plugin():
    """Register the publication's hooks with Datasette, unless its entry point already has.

    Installed (``pip install -e .``), the ``datasette`` entry point loads ``tracker.publish.plugin``
    whenever Datasette starts, so plain ``datasette tracker.db`` serves the pages too. Run from a
    source tree that is not installed (or was installed before the entry point existed), the
    same module is registered here, under the entry point's name.
    """
    from datasette.plugins import pm

    from tracker.publish import plugin

    if pm.get_plugin(PLUGIN) is None and not pm.is_registered(plugin):
        pm.register(plugin, name=PLUGIN)


def make_datasette(db_path, *, immutable=False, sql=True):
    """An in-process Datasette configured exactly as :func:`serve` runs it (for tests and scripts)."""
    from datasette.app import Datasette

    load_plugin()
    files, immutables = ([], [str(db_path)]) if immutable else ([str(db_path)], [])
    return Datasette(
        files,
        immutables=immutables,
        metadata=build_metadata(db_path),
        template_dir=str(TEMPLATES),
        settings=settings(sql=sql),
    )


def serve(db_path, *, host="127.0.0.1", port=8001, immutable=False, sql=True, warn=print):
    """Serve ``db_path`` with Datasette until interrupted (read-only; ``immutable`` for a snapshot;
    ``sql=False``: no arbitrary SQL, canned queries only)."""
    from datasette.cli import cli as datasette_cli

    check_servable(db_path)
    if sql and not hasattr(sqlite3.Connection, "setlimit"):
        warn("serve: this Python (before 3.11) cannot limit the size of values a query builds; consider --no-sql")
    load_plugin()
    args = datasette_args(db_path, host=host, port=port, immutable=immutable, sql=sql)
    datasette_cli.main(["serve", *args], standalone_mode=False)
