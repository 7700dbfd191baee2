"""The ``tracker`` command line: a thin layer over the library.

Each command calls one library function; the project's expected failures
(:class:`TrackerError`) become one line on stderr and exit code 1.
Commands of other areas live in ``tracker/cli/<area>.py`` modules, each with a
``COMMANDS`` list, registered here by name.
"""
import json
import sqlite3
import sys

import click

from scrapers.errors import TrackerError
from tracker import store


class TrackerGroup(click.Group):
    """A click group that turns expected failures into one-line errors."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except TrackerError as error:
            raise click.ClickException(str(error)) from None
        except sqlite3.DatabaseError as error:
            db_path = (ctx.obj or {}).get("db_path")
            raise click.ClickException(f"database {db_path}: {error}") from None


@click.group(cls=TrackerGroup)
@click.option("--db", "db_path", default="tracker.db", show_default=True, envvar="TRACKER_DB", help="SQLite database file.")
@click.option("--quiet", "-q", is_flag=True, help="No progress display.")
@click.version_option(package_name="procurement-bill-tracker")
@click.pass_context
def cli(ctx, db_path, quiet):
    """Track UK bills, amendments, debates and votes into a linked SQLite database."""
    ctx.ensure_object(dict)
    ctx.obj["db_path"] = db_path
    ctx.obj["quiet"] = quiet


class Progress:
    """A progress bar on stderr for long syncs; silent when quiet or not a terminal."""

    def __init__(self, enabled):
        self.enabled = enabled
        self.bar = None
        self.total = None

    def __call__(self, label, total=None):
        if not self.enabled:
            return
        if self.bar is None or total != self.total:
            self.close()
            self.total = total
            self.bar = click.progressbar(length=total or 1, label="syncing", file=sys.stderr, show_pos=True)
            self.bar.__enter__()
        self.bar.label = label[:40].ljust(40)
        self.bar.update(1)

    def close(self):
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


def make_progress(ctx):
    return Progress(enabled=not ctx.obj["quiet"] and sys.stderr.isatty())


def open_db(ctx):
    """The database named by ``--db``, created and migrated as needed."""
    return store.open_db(ctx.obj["db_path"])


def report_run(run):
    """One summary of a finished sync run on stdout."""
    db = run.db
    counts = dict(
        db.execute("SELECT kind, count(*) FROM changes WHERE sync_run_id = ? GROUP BY kind", [run.run_id]).fetchall()
    )
    status = db.execute("SELECT status FROM sync_runs WHERE id = ?", [run.run_id]).fetchone()[0]
    summary = ", ".join(f"{counts.get(k, 0)} {k}" for k in ("added", "changed", "removed", "restored") if counts.get(k) or k != "restored")
    click.echo(f"sync run {run.run_id}: {status}; {run.client.requests} requests; {summary}")
    for message in run.messages:
        click.echo(f"  {message}")
    for error in run.errors:
        click.echo(f"error: {error}", err=True)


@cli.command()
@click.option("--bill", "bill_ids", type=int, multiple=True, help="A Bills API bill id (repeatable).")
@click.option("--search", "search_terms", multiple=True, help="Sync every bill whose title matches (repeatable).")
@click.option("--full", is_flag=True, help="Fetch everything even when a bill's lastUpdate has not moved.")
@click.option("--replay", type=click.Path(exists=True, dir_okay=False), multiple=True, help="Answer requests from these WARC files instead of the network.")
@click.option("--archive-dir", default="archive", show_default=True, type=click.Path(file_okay=False), help="Where each run's WARC file is written.")
@click.option("--rate-limit", default=5.0, show_default=True, type=float, help="At most this many requests a second (0: no limit).")
@click.option("--members", "with_members", is_flag=True, help="Also sync MPs and peers from the Members API.")
@click.option("--hansard", "with_hansard", is_flag=True, help="Also sync the bills' debates from Hansard.")
@click.option("--divisions", "with_divisions", is_flag=True, help="Also sync the bills' Commons and Lords divisions.")
@click.option("--questions", "with_questions", is_flag=True, help="Also sync written questions and statements.")
@click.option("--term", "terms", multiple=True, help="A watch term for written questions and statements (repeatable).")
@click.option("--act", "act_path", metavar="PATH", help="Also load this legislation.gov.uk item's text (e.g. ukpga/2023/54) as the --bill's clauses.")
@click.option("--versions", "with_versions", is_flag=True, help="Also read every print of the bills, diff them clause by clause and attribute the changes.")
@click.pass_context
def sync(ctx, bill_ids, search_terms, full, replay, archive_dir, rate_limit, with_members, with_hansard, with_divisions, with_questions, terms, act_path, with_versions):
    """Sync bills, their stages and amendments from the Bills API, and optionally
    members, debates, divisions and written questions about them.

    Without --bill or --search, the extra sources run for every bill already in
    the database.

    \b
    Examples:
      tracker sync --search "Procurement Bill"
      tracker sync --bill 3159 --full
      tracker sync --bill 3159 --members --hansard --divisions --questions
      tracker sync --bill 3159 --act ukpga/2023/54 --versions
      tracker sync --bill 3159 --replay archive/sync-00001-....warc.gz
    """
    from tracker.sync import plan_steps, run_sync

    if act_path and len(bill_ids) != 1:
        raise click.UsageError("--act needs exactly one --bill, whose text it is")
    extra = [with_members, with_hansard, with_divisions, with_questions, with_versions]
    if not bill_ids and not search_terms and not any(extra):
        raise click.UsageError("name at least one --bill ID or --search TERM, or a source flag")
    db = open_db(ctx)
    progress = make_progress(ctx)
    steps, sources = plan_steps(
        bill_ids=bill_ids, search_terms=search_terms, act_path=act_path, members=with_members,
        hansard=with_hansard, divisions=with_divisions, questions=with_questions, terms=terms, versions=with_versions,
    )
    try:
        run = run_sync(db, steps, sources=sources, replay=replay, archive_dir=archive_dir, full=full, rate_limit=rate_limit, progress=progress)
    finally:
        progress.close()
    report_run(run)
    if run.errors:
        ctx.exit(1)


@cli.command()
@click.option("--serve/--no-serve", default=True, help="Serve the database with Datasette when built.")
@click.option("--port", default=8001, show_default=True, type=int)
@click.pass_context
def demo(ctx, serve, port):
    """Build the database from the bundled Procurement Bill sample (replayed, no network), tag it,
    derive positions, then serve it."""
    from tracker.sync.demo import build_demo

    progress = make_progress(ctx)
    try:
        run = build_demo(ctx.obj["db_path"], progress=progress)
    finally:
        progress.close()
    report_run(run)
    ctx.invoke(cli.get_command(ctx, "tag"))
    ctx.invoke(cli.get_command(ctx, "positions").get_command(ctx, "derive"))
    if serve:
        ctx.invoke(serve_command, port=port)


@cli.command(name="serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to bind (loopback by default).")
@click.option("--port", default=8001, show_default=True, type=int)
@click.option("--immutable", is_flag=True, help="Serve a finished snapshot that nothing writes to any more (faster counts).")
@click.pass_context
def serve_command(ctx, host="127.0.0.1", port=8001, immutable=False):
    """Serve the database with Datasette (read-only) on 127.0.0.1."""
    from tracker.publish.server import serve as serve_datasette

    db_path = ctx.obj["db_path"]
    db = open_db(ctx)
    if store.stale_search_index(db):  # never serve rankings from an index older than the rows
        progress = Progress(enabled=not ctx.obj["quiet"])
        click.echo(f"rebuilding the search index of {', '.join(store.stale_search_index(db))}", err=True)
        try:
            store.refresh_search_index(db, progress=progress)
        finally:
            progress.close()
    db.close()
    click.echo(f"serving {db_path} at http://{host}:{port}/", err=True)
    serve_datasette(db_path, host=host, port=port, immutable=immutable)


@cli.command()
@click.option("--runs", default=5, show_default=True, help="How many recent sync runs to list.")
@click.option("--changes", "n_changes", default=10, show_default=True, help="How many recent changes to list.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.pass_context
def status(ctx, runs, n_changes, as_json):
    """Recent sync runs, record counts and what changed."""
    from tracker.store.status import database_status

    report = database_status(open_db(ctx), runs=runs, changes=n_changes)
    if as_json:
        click.echo(json.dumps(report, indent=2))
        return
    click.echo("Recent sync runs:")
    for run in report["runs"]:
        click.echo(
            f"  #{run['id']} {run['started_at']} {run['status']:<8} {run['sources'] or ''}: "
            f"{run['requests']} requests, {run['changes']} changes"
        )
    click.echo("Records:")
    for table, count in report["counts"].items():
        click.echo(f"  {table:<22} {count}")
    click.echo("Recent changes:")
    for change in report["changes"]:
        fields = ", ".join(json.loads(change["changed_fields"] or "{}"))
        click.echo(f"  {change['detected_at']} {change['kind']:<8} {change['table_name']} {change['record_id']} {fields}")


def _register_area_commands():
    from tracker.cli import members, nlp, positions, versions

    for module in (members, nlp, positions, versions):
        for command in module.COMMANDS:
            cli.add_command(command)


def _set_db_path(ctx, param, value):
    if value is not None:
        ctx.find_root().ensure_object(dict)["db_path"] = value


def _accept_db_everywhere(command):
    """Let ``--db PATH`` follow any command too (``tracker demo --no-serve --db demo.db``)."""
    for sub in getattr(command, "commands", {}).values():
        if not any(p.name == "db_override" for p in sub.params):
            sub.params.append(
                click.Option(["--db", "db_override"], default=None, expose_value=False, is_eager=True,
                             callback=_set_db_path, help="SQLite database file (as the global --db).")
            )
        _accept_db_everywhere(sub)


_register_area_commands()
_accept_db_everywhere(cli)
