"""What the command modules share: the database named by ``--db``, the progress bar, the run summary."""
import math
import sys
import threading
from pathlib import Path

import click
import sqlite_utils

from tracker import store


class Progress:
    """A progress bar on stderr for long syncs; silent when quiet or not a terminal.

    Threads may share it: a concurrent sync reports each service's units with ``lane``,
    and the bar counts them all together (what is done, plus what each service's current
    stretch still has to do), labelled with the latest unit and its service.
    """

    def __init__(self, enabled):
        self.enabled = enabled
        self.bar = None
        self.total = None
        self.lanes = {}  # lane -> [units done before its current stretch, done in it, the stretch's total]
        self._lock = threading.Lock()

    def __call__(self, label, total=None, lane=None):
        if not self.enabled:
            return
        with self._lock:
            if lane is None:
                self._advance(label, total)
            else:
                self._advance_lane(label, total, lane)

    def _advance(self, label, total):
        if self.bar is None or total != self.total:
            self.close()
            self.total = total
            self.bar = click.progressbar(length=total or 1, label="syncing", file=sys.stderr, show_pos=True)
            self.bar.__enter__()
        self.bar.label = label[:40].ljust(40)
        self.bar.update(1)

    def _advance_lane(self, label, total, lane):
        before, done, stretch = self.lanes.setdefault(lane, [0, 0, total])
        if total != stretch:
            before, done, stretch = before + done, 0, total
        self.lanes[lane] = [before, done + 1, stretch]
        units = sum(b + d for b, d, _ in self.lanes.values())
        still_to_do = sum(max((t or 0) - d, 0) for _, d, t in self.lanes.values())
        if self.bar is None:
            self.bar = click.progressbar(length=units + still_to_do, label="syncing", file=sys.stderr, show_pos=True)
            self.bar.__enter__()
        self.bar.length = max(units + still_to_do, 1)
        self.bar.finished = False  # a longer bar than the last: not full any more
        self.bar.label = (label if label.startswith(lane) else f"{lane}: {label}")[:40].ljust(40)
        self.bar.update(units - self.bar.pos)

    def retrying(self, seconds: float, retry: int, max_retries: int, url: str) -> None:
        """Say on the bar that a request waits to be tried again ("retrying in 4 s, 2 of 5")."""
        if not self.enabled:
            return
        message = f"retrying in {seconds:.0f} s, {retry} of {max_retries}"
        with self._lock:
            if self.bar is None:
                click.echo(message, err=True)
                return
            self.bar.label = message[:40].ljust(40)
            self.bar.render_progress()

    def close(self):
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None
            self.lanes = {}


def make_progress(ctx: click.Context) -> Progress:
    return Progress(enabled=not ctx.find_root().obj["quiet"] and sys.stderr.isatty())


def open_db(ctx: click.Context) -> sqlite_utils.Database:
    """The database named by ``--db``, created and migrated as needed."""
    return store.open_db(ctx.find_root().obj["db_path"])


def open_existing_db(ctx: click.Context) -> sqlite_utils.Database:
    """The database named by ``--db``, migrated; a file that does not exist stops the command in one
    line (``sync``, ``demo`` and ``members load`` create it; reading commands never make an empty one)."""
    db_path = ctx.find_root().obj["db_path"]
    if not Path(db_path).exists():
        raise click.ClickException(f"no database at {db_path}: run `tracker demo` or `tracker sync` first")
    return store.open_db(db_path)


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


def positive_rate(ctx: click.Context, param: click.Parameter, value: float) -> float:
    """``--rate-limit``: a positive, finite number of requests a second."""
    if not (value > 0 and math.isfinite(value)):
        raise click.BadParameter(f"{value!r} is not a positive number of requests a second")
    return value
