"""One sync run: which sources, incremental decisions, transactions and ``sync_runs``.

A run is a list of :class:`Step` objects; each source's steps live in their own
module here (``bills``, ``legislation``, ``members``, ``hansard``, ``divisions``,
``questions``, ``versions``), ``linking`` ties debates and divisions to stages and
references to amendments, and ``relink`` ties them again once a concurrent run's
amendments are all in. Every step fetches through ``run.client`` and writes
through :mod:`tracker.store` inside ``store.transaction(run.db)``, one unit (a
stage, a bill, a debate) at a time, so an interrupted run leaves only whole units
behind and the next run converges. A step that meets an expected failure raises
``TrackerError``; the run records it, goes on with the next unit where it can, and
ends ``partial``.

Each step names the service it fetches from and the records it reads and writes
(:class:`Step`). A live run fetches from the services at once, a thread per
service (:mod:`tracker.sync.lanes`); the plan's order is the sequential order, and
a concurrent run keeps just the part of it the records need.
"""
import enum
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone

from scrapers.errors import TrackerError
from scrapers.http import HttpClient
from tracker import store
from tracker.store.runs import RUN_LOCK_WAIT
from tracker.vocab import RunStatus


@dataclass
class SyncRun:
    """What every sync step needs: the database, the client, the run id and how to report."""

    db: object
    client: HttpClient
    run_id: int
    full: bool = False
    progress: object = None
    messages: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    bill_ids: list = field(default_factory=list)
    # The members fetched in full in this run (each once, whichever step asks).
    members_refreshed: set = field(default_factory=set)
    # Names of the steps whose listing was read whole (the members step's current members).
    complete_listings: set = field(default_factory=set)
    # ``(bill_id, lastUpdate, stage rows)`` of each bill whose stages' amendments this run fetches.
    amendments_due: list = field(default_factory=list)
    # In a concurrent run: the service this view of the run fetches from (its thread), and
    # the signal that the run is stopping (Ctrl-C): each unit checks it before starting.
    lane: str | None = None
    stopping: object = None

    def say(self, message):
        """Note something the user should read after the run (kept in ``sync_runs.message``)."""
        self.messages.append(message)

    def fail(self, error):
        """Record an expected failure of one unit; the run goes on and ends partial."""
        self.errors.append(error)

    def tick(self, label, total=None):
        """Advance the progress display by one unit of work (and stop here when the run is stopping)."""
        if self.stopping is not None and self.stopping.is_set():
            raise KeyboardInterrupt
        if self.progress and self.lane:
            self.progress(label, total, lane=self.lane)
        elif self.progress:
            self.progress(label, total)


class Records(enum.Enum):
    """What a step writes and what a later step reads: the order a concurrent run keeps."""

    BILLS = "bills"
    STAGES = "stages"  # with their sitting dates, which the Hansard and Votes searches go by
    AMENDMENTS = "amendments"  # and ping-pong items
    ACT_TEXT = "the Act's text"
    MEMBERS = "members"  # full records from the Members API
    MEMBER_REFERENCES = "member references"  # sponsors, speakers, voters, askers: ids a record names
    DEBATES = "debates"
    DIVISIONS = "divisions"
    QUESTIONS = "questions"
    VERSIONS = "versions"


@dataclass(frozen=True)
class Step:
    """One step of a sync run, callable as ``step(run)``.

    ``service``: the service it fetches from (a key of ``scrapers.http.BASE_URL_DEFAULTS``,
    or None for a step that fetches nothing), which is its thread in a concurrent run. ``reads`` and ``writes``: the records it
    reads and writes; a step starts after every step planned before it that writes what
    it reads.
    """

    name: str
    service: str | None
    action: Callable[[SyncRun], None]
    reads: frozenset = frozenset()
    writes: frozenset = frozenset()

    def __call__(self, run: SyncRun) -> None:
        self.action(run)


def archive_path_for(archive_dir, run_id):
    """A new file for this run's WARC. Two databases may share an archive folder and number
    their runs alike: a run never appends to another's archive (replay would mix them)."""
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    path = os.path.join(archive_dir, f"sync-{run_id:05d}-{stamp}.warc.gz")
    n = 2
    while os.path.exists(path):
        path = os.path.join(archive_dir, f"sync-{run_id:05d}-{stamp}-{n}.warc.gz")
        n += 1
    return path


AS_OF_KEY = "sync:as_of"  # when the data the database holds was fetched (a replay's: its archive's)


def run_sync(db, steps, *, sources, replay=(), archive_dir="archive", full=False, rate_limit=5.0, progress=None,
             client_options=None, force=False, lock_wait=RUN_LOCK_WAIT, concurrent=False):
    """Run ``steps`` as one sync run and return the finished :class:`SyncRun`.

    Raises the first :class:`TrackerError` when every unit failed; otherwise the
    errors are on ``run.errors`` and the run's status says ``partial``. One run at a
    time per database (:func:`tracker.store.run_lock`, waiting up to ``lock_wait``
    seconds); an archive older than what the database holds is refused unless ``force``.
    ``concurrent``: fetch from the steps' services at once, a thread per service, each
    with its own database connection (:func:`tracker.sync.lanes.run_concurrently`); a
    replay, which waits on no network, and a database in memory run in the plan's order.
    """
    with store.run_lock(db, wait=lock_wait) as note_holder:
        return _run_locked(db, steps, sources=sources, replay=replay, archive_dir=archive_dir, full=full,
                           rate_limit=rate_limit, progress=progress, client_options=client_options, force=force,
                           note_holder=note_holder, concurrent=concurrent)


def _run_locked(db, steps, *, sources, replay, archive_dir, full, rate_limit, progress, client_options, force, note_holder, concurrent):
    from tracker.sync.lanes import run_concurrently

    client = HttpClient(replay=replay, rate_limit=rate_limit, **(client_options or {})) if replay else None
    as_of = _fetched_up_to(client) if client else store.utcnow()
    held = store.get_state(db, AS_OF_KEY)
    if client and not force and held and as_of and as_of < held:
        client.close()
        raise TrackerError(f"the archive was fetched up to {as_of}, before the database's data ({held}): replaying it would "
                           "roll records back as new changes (--force replays it anyway)", source="replay", url=str(replay[0]))
    run_id = store.start_run(db, sources)
    note_holder(f"sync run {run_id}")
    archive = None if replay else archive_path_for(archive_dir, run_id)
    if archive:
        store.set_run_archive(db, run_id, archive)
    cache = store.HttpCache(db)
    client = client or HttpClient(
        archive_path=archive,
        cache=cache,
        rate_limit=rate_limit,
        **(client_options or {}),
    )
    run = SyncRun(db=db, client=client, run_id=run_id, full=full, progress=progress)
    status = RunStatus.FAILED
    try:
        if concurrent and not replay and store.database_path(db):
            run_concurrently(run, steps, cache=cache)
        else:
            for step in steps:
                step(run)
        store.refresh_search_index(db, progress=progress)  # the search index in step with what the run wrote
        status = RunStatus.PARTIAL if run.errors else RunStatus.OK
        if as_of and (held is None or as_of > held):
            with store.transaction(db):
                store.set_state(db, AS_OF_KEY, as_of, run_id=run_id)
    except TrackerError as error:
        run.fail(error)
        raise
    except KeyboardInterrupt:
        run.say("interrupted")
        raise
    finally:
        client.close()
        message = "; ".join([*run.messages, *(str(e) for e in run.errors)]) or None
        store.finish_run(db, run_id, status, requests=client.requests, nbytes=client.bytes, message=message)
    return run


def _fetched_up_to(client):
    """The latest time a replayed archive's responses were fetched, as ``utcnow()`` writes times."""
    dates = [r.fetched_at for r in client.replay.responses.values() if r.fetched_at]
    if not dates:
        return None
    latest = max(datetime.fromisoformat(d.replace("Z", "+00:00")) for d in dates)
    return latest.astimezone(timezone.utc).isoformat(timespec="seconds")


def plan_steps(*, bill_ids=(), search_terms=(), act_path=None, members=False, hansard=False, divisions=False,
               questions=False, terms=(), versions=False) -> tuple[list, str]:
    """The steps of one sync run and its ``sources`` label (as ``sync_runs.sources`` keeps it),
    from what ``tracker sync`` was asked for; the one place that knows which step serves which source.
    The order is the sequential order: every step after those that write what it reads."""
    from tracker.sync import divisions as divisions_sync
    from tracker.sync import hansard as hansard_sync
    from tracker.sync import members as members_sync
    from tracker.sync import questions as questions_sync
    from tracker.sync.bills import bills_steps
    from tracker.sync.legislation import legislation_step
    from tracker.sync.relink import relink_step
    from tracker.sync.versions import versions_step

    steps, sources = [], []
    if bill_ids or search_terms:
        steps.extend(bills_steps(bill_ids=bill_ids, search_terms=search_terms))
        sources.append("bills")
    if act_path:
        steps.append(legislation_step(bill_ids[0], act_path))
        sources.append("legislation")
    if members:
        steps.append(members_sync.members_step())
        sources.append("members")
    if hansard:
        steps.append(hansard_sync.hansard_step())
        sources.append("hansard")
    if divisions:
        steps.extend(divisions_sync.divisions_steps())
        sources.append("divisions")
    if questions:
        steps.append(questions_sync.questions_step(terms=terms))
        sources.append("questions")
    if members:
        steps.append(members_sync.member_resolution_step())
    if versions:
        steps.append(versions_step())
        sources.append("versions")
    if (bill_ids or search_terms) and (hansard or divisions):
        steps.append(relink_step())
    return steps, ",".join(sources)
