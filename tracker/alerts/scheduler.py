"""The scheduler: one watch run is sync, tag, derive events, deliver; ``--every`` repeats it.

The sync covers every bill in the database with every source the database was ever
synced with (the names in ``sync_runs.sources``), built with the sync's own step
builders: the Bills API always; the Members API, Hansard and divisions when used before;
an Act's text for each bill that has one (its path read back from ``bill_clauses``);
written questions and statements by the terms searched before and the terms watched.

A run holds a lock file beside the database (``DB.watch-run.lock``, ``flock``), so two
runs never overlap on one database; a second one is refused in one line. A stop request
(SIGTERM in ``--every``) is honoured between steps: the step in hand finishes and
commits, and what is left (derivation, delivery) waits in the database for the next run.
"""
import contextlib
import fcntl
import os
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from scrapers.errors import TrackerError
from tracker.alerts.channels import WebhookChannel, deliver
from tracker.alerts.config import Settings
from tracker.alerts.events import derive_events, newest_change
from tracker.sync import plan_steps, run_sync
from tracker.sync.common import load_bill, search_titles
from tracker.sync.legislation import legislation_step
from tracker.sync.questions import watch_terms
from tracker.tagging import tag_database

SOURCE = "watch run"
# The sources ``tracker sync`` records that a scheduled run repeats for every bill, by plan_steps' flags.
REPEATED_SOURCES = ("members", "hansard", "divisions", "questions", "versions")
_SECTION = re.compile(r"^(.+?)/(?:section|schedule)(?:/|$)")
_INTERVAL = re.compile(r"^\s*(\d+)\s*([smhd]?)\s*$")
_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_interval(text: str) -> int:
    """Seconds in ``90``, ``30s``, ``15m``, ``1h`` or ``1d``."""
    found = _INTERVAL.match(text or "")
    if not found or int(found.group(1)) == 0:
        raise TrackerError(f"not an interval: {text!r} (e.g. 15m, 1h, 30s)", source=SOURCE)
    return int(found.group(1)) * _UNITS[found.group(2)]


def synced_sources(db) -> set:
    """The source names of every sync run that got anywhere."""
    names = set()
    for (sources,) in db.execute("SELECT sources FROM sync_runs WHERE status IN ('ok', 'partial')"):
        names |= {s.strip() for s in (sources or "").split(",")}
    return names


def enacted_texts(db) -> list:
    """``[(bill_id, legislation.gov.uk item path)]`` of the texts loaded as bills' clauses."""
    found: dict = {}
    for bill_id, clause_id in db.execute("SELECT bill_id, clause_id FROM bill_clauses WHERE removed_at IS NULL ORDER BY clause_id"):
        path = _SECTION.match(clause_id or "")
        if path:
            found.setdefault((bill_id, path.group(1)), None)
    return list(found)


def question_terms(db) -> list:
    """The terms written questions were searched by (other than bills' titles), and the terms watched."""
    titles = set()
    for (bill_id,) in db.execute("SELECT bill_id FROM bills WHERE removed_at IS NULL"):
        titles |= set(search_titles(load_bill(db, bill_id)[0]))
    searched = [r[0] for r in db.execute("SELECT DISTINCT term FROM written_matches ORDER BY term") if r[0] not in titles]
    watched = [r[0] for r in db.execute("SELECT target_id FROM watches WHERE target_kind = 'term' ORDER BY id")]
    return list(dict.fromkeys([*(searched or watch_terms()), *watched]))


def scheduled_steps(db) -> tuple:
    """``(steps, sources)``: the sync of every bill in the database with every source used before."""
    bill_ids = [r[0] for r in db.execute("SELECT bill_id FROM bills WHERE removed_at IS NULL ORDER BY bill_id")]
    if not bill_ids:
        return [], ""
    used = synced_sources(db)
    steps, sources = plan_steps(bill_ids=bill_ids, **{name: name in used for name in REPEATED_SOURCES},
                                terms=question_terms(db) if "questions" in used else ())
    texts = [(b, p) for b, p in enacted_texts(db) if b in bill_ids] if "legislation" in used else []
    if texts:  # plan_steps loads one Act for the one bill named; a scheduled run reloads each bill's, after the bills
        steps[1:1] = [legislation_step(bill_id, path) for bill_id, path in texts]
        sources = sources.replace("bills", "bills,legislation", 1)
    return steps, sources


@dataclass
class RunReport:
    sync_run_id: int | None = None
    sync_status: str | None = None
    changes: int = 0
    events: int = 0
    delivered: int = 0
    failures: list = field(default_factory=list)  # one line each
    notes: list = field(default_factory=list)
    stopped: bool = False

    def summary(self) -> str:
        sync = f"sync run {self.sync_run_id} {self.sync_status}, {self.changes} changes" if self.sync_run_id else "no sync"
        text = f"watch run: {sync}; {self.events} events; {self.delivered} messages delivered; {len(self.failures)} failures"
        return text + ("; stopped before the end (the rest waits for the next run)" if self.stopped else "")


def run_once(db, settings: Settings, *, archive_dir: str = "archive", rate_limit: float = 5.0, client_options: dict | None = None,
             stop: threading.Event | None = None, webhook: WebhookChannel | None = None, now=None) -> RunReport:
    """Sync, tag, derive events and deliver, checking ``stop`` between the steps."""
    report = RunReport()

    def stopping() -> bool:
        report.stopped = bool(stop is not None and stop.is_set())
        return report.stopped

    steps, sources = scheduled_steps(db)
    if steps:
        try:
            run = run_sync(db, steps, sources=sources, archive_dir=archive_dir, rate_limit=rate_limit, client_options=client_options,
                           concurrent=True)
        except TrackerError as error:
            report.failures.append(f"sync: {error}")
        else:
            report.sync_run_id = run.run_id
            report.sync_status = db.execute("SELECT status FROM sync_runs WHERE id = ?", [run.run_id]).fetchone()[0]
            report.changes = db.execute("SELECT count(*) FROM changes WHERE sync_run_id = ?", [run.run_id]).fetchone()[0]
            report.failures += [f"sync: {error}" for error in run.errors]
    else:
        report.notes.append("no bills in the database to sync")
    if stopping():
        return report
    horizon: int | None = newest_change(db)  # the changes this tagging covers; later ones wait for the next run's tagging
    try:
        tag_database(db)
    except TrackerError as error:
        report.failures.append(f"tag: {error}")
        horizon = None
    if stopping():
        return report
    if horizon is not None:
        report.events = len(derive_events(db, horizon=horizon))
    if stopping():
        return report
    delivery = deliver(db, settings, now=now, webhook=webhook)
    report.delivered = delivery.delivered
    report.failures += delivery.failures + delivery.waiting
    return report


def lock_path(db_path) -> str:
    return f"{db_path}.watch-run.lock"


@contextlib.contextmanager
def run_lock(db_path) -> Iterator[None]:
    """Hold the database's watch-run lock, or refuse in one line when another run holds it."""
    path = lock_path(db_path)
    with open(path, "a+", encoding="utf-8") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise TrackerError("another watch run is using this database", source=SOURCE, url=path) from None
        try:
            handle.seek(0)
            handle.truncate()
            handle.write(f"{os.getpid()}\n")
            handle.flush()
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def run_every(db, db_path, interval: float, *, settings: Callable[[], Settings], stop: threading.Event,
              on_report: Callable[[RunReport | None, str | None], None], **options) -> None:
    """Run every ``interval`` seconds until ``stop`` is set; each run under the lock.

    ``settings()`` is read at each run (an edited ``tracker.toml`` applies at the next);
    ``on_report(report, None)`` hears of each run, ``on_report(None, line)`` of one that could not start.
    """
    while not stop.is_set():
        try:
            with run_lock(db_path):
                report = run_once(db, settings(), stop=stop, **options)
        except TrackerError as error:
            on_report(None, str(error))
        else:
            on_report(report, None)
        stop.wait(interval)
