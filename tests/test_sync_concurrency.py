"""A live sync fetches from the services at once, a thread per service, and ends as a sequential run does.

The fake services here are a server per service (:class:`fakes.hosts.SampleHosts`),
so the client's per-host rate limit sees them as the real hosts. Nothing waits on
the clock: overlap is shown by a host that answers only once another has been asked.
"""
import os
import signal
import sqlite3
import threading
from urllib.parse import urlsplit

import pytest
import requests

from fakes import SampleApi
from fakes.content import content_of
from fakes.hosts import SampleHosts
from scrapers.errors import TrackerError
from scrapers.http import HttpClient
from tracker import store
from tracker.sync import plan_steps, run_sync
from tracker.sync.demo import SAMPLE_ACT, SAMPLE_BILL, SAMPLE_WATCH_TERMS
from tracker.sync.lanes import lanes, prerequisites


def every_source():
    return plan_steps(bill_ids=[SAMPLE_BILL], act_path=SAMPLE_ACT, members=True, hansard=True, divisions=True,
                      questions=True, terms=SAMPLE_WATCH_TERMS, versions=True)


@pytest.fixture
def hosts(monkeypatch):
    with SampleHosts(SampleApi()) as started:
        for env, url in started.environ().items():
            monkeypatch.setenv(env, url)
        yield started


class RecordingSession(requests.Session):
    """A session noting which thread asked which host."""

    def __init__(self):
        super().__init__()
        self.asked = []

    def get(self, url, **kwargs):
        self.asked.append((threading.current_thread().name, urlsplit(url).netloc))
        return super().get(url, **kwargs)


def sync(path, tmp_path, *, concurrent, session=None, lock_wait=30.0):
    steps, sources = every_source()
    options = {"sleep": lambda seconds: None, **({"session": session} if session else {})}
    db = store.open_db(path)
    try:
        return run_sync(db, steps, sources=sources, archive_dir=str(tmp_path / "archive"), rate_limit=0,
                        client_options=options, concurrent=concurrent, lock_wait=lock_wait)
    finally:
        db.close()


def changes_of(db):
    """What each run's ``changes`` say, without their order (a concurrent run interleaves them)."""
    return sorted(db.execute("SELECT table_name, record_id, kind, changed_fields FROM changes").fetchall(), key=repr)


def test_the_plan_keeps_each_step_after_the_steps_writing_what_it_reads():
    steps, _ = every_source()
    names = [step.name for step in steps]
    waits = {step.name: {steps[i].name for i in prerequisites(steps, n)} for n, step in enumerate(steps)}
    assert waits["hansard"] == waits["divisions:Commons"] == waits["divisions:Lords"] == waits["questions"] == {"bills"}
    assert waits["amendments"] == {"bills"} and waits["members"] == set() and waits["legislation"] == set()
    assert waits["versions"] == {"bills", "amendments", "legislation"}
    assert waits["members:resolve"] >= {"bills", "amendments", "hansard", "divisions:Commons", "divisions:Lords", "questions"}
    assert waits["relink"] == {"amendments", "hansard", "divisions:Commons", "divisions:Lords"}
    # every step reads only what some step planned before it writes, or what the database holds already
    for n, step in enumerate(steps):
        assert all(names.index(name) < n for name in waits[step.name])
    assert set(lanes(steps)) == {"bills", "members", "hansard", "commonsvotes", "lordsvotes", "questions", "legislation", "local"}


def test_a_concurrent_sync_ends_with_the_records_of_a_sequential_one(hosts, tmp_path):
    sequential = sync(str(tmp_path / "one.db"), tmp_path, concurrent=False)
    concurrent = sync(str(tmp_path / "all.db"), tmp_path, concurrent=True)
    assert sequential.errors == [] and concurrent.errors == []
    assert concurrent.client.requests == sequential.client.requests
    one, every = store.open_db(str(tmp_path / "one.db")), store.open_db(str(tmp_path / "all.db"))
    assert content_of(every) == content_of(one)
    assert changes_of(every) == changes_of(one)
    assert every.execute("SELECT status FROM sync_runs").fetchall() == [("ok",)]
    # and each contribution is tied to the amendments it names, though the amendments came in beside the debates
    assert every["contribution_amendments"].count == one["contribution_amendments"].count > 0


def test_each_service_is_asked_from_one_thread_of_its_own(hosts, tmp_path):
    session = RecordingSession()
    assert sync(str(tmp_path / "t.db"), tmp_path, concurrent=True, session=session).errors == []
    threads_of = {}
    for thread, host in session.asked:
        threads_of.setdefault(host, set()).add(thread)
    assert len(threads_of) == 7  # the seven services, each a host of its own here
    assert all(len(threads) == 1 for threads in threads_of.values())
    assert len({next(iter(threads)) for threads in threads_of.values()}) == 7


def test_the_services_are_asked_at_once(hosts, tmp_path):
    """The Members API answers its first request only once the Lords Votes API has been asked: a run
    asking one service at a time (members before divisions) would wait here for ever."""
    lords_asked, waited = threading.Event(), []
    hosts.servers["lordsvotes"].before_answer = lambda request: lords_asked.set()
    hosts.servers["members"].before_answer = lambda request: waited.append(lords_asked.wait(30))
    assert sync(str(tmp_path / "t.db"), tmp_path, concurrent=True).errors == []
    assert waited and all(waited)


def test_a_step_that_fails_skips_the_steps_that_need_it_and_the_others_go_on(hosts, tmp_path):
    hosts.servers["bills"].fail(r"/Bills/3159$", 500, times=None)
    path = str(tmp_path / "t.db")
    with pytest.raises(TrackerError) as failed:
        sync(path, tmp_path, concurrent=True)
    assert "HTTP 500" in str(failed.value)
    db = store.open_db(path)
    status, message = db.execute("SELECT status, message FROM sync_runs").fetchone()
    assert status == "failed"
    for skipped in ("hansard", "divisions:Commons", "questions", "amendments", "versions"):
        assert f"{skipped}: not run, as bills failed" in message
    # the services that need no bill went on: the current members and the Act's text are in
    assert db["members"].count > 0 and db["bill_clauses"].count > 0
    assert db["debates"].count == 0 and db["divisions"].count == 0


def test_ctrl_c_stops_every_thread_and_the_next_run_completes(hosts, tmp_path):
    """Interrupted when Hansard is first asked, the run ends ``failed`` with every thread stopped,
    leaving only whole units; the next run ends with what one clean run brings."""
    interrupted = []

    def interrupt(request):
        if not interrupted:
            interrupted.append(True)
            os.kill(os.getpid(), signal.SIGINT)

    hosts.servers["hansard"].before_answer = interrupt
    path = str(tmp_path / "t.db")
    with pytest.raises(KeyboardInterrupt):
        sync(path, tmp_path, concurrent=True)
    assert not [t for t in threading.enumerate() if t.name.startswith("sync-")]
    db = store.open_db(path)
    assert db.execute("SELECT status, message FROM sync_runs").fetchone() == ("failed", "interrupted")
    hosts.servers["hansard"].before_answer = None
    assert sync(path, tmp_path, concurrent=True).errors == []
    assert sync(str(tmp_path / "clean.db"), tmp_path, concurrent=False).errors == []
    assert content_of(store.open_db(path)) == content_of(store.open_db(str(tmp_path / "clean.db")))


def test_threads_share_each_host_s_pace(httpserver):
    """Each host keeps its own pace whichever thread asks: two threads asking one host are spaced
    as one thread would be, and another host is not held up by them (the clock is the test's)."""
    httpserver.expect_request("/api").respond_with_json({})
    one_host = httpserver.url_for("/api")
    other_host = one_host.replace("localhost", "127.0.0.1")  # the same server under another host name
    assert urlsplit(one_host).netloc != urlsplit(other_host).netloc
    waits = []
    client = HttpClient(rate_limit=5, clock=lambda: 0.0, sleep=waits.append)
    barrier = threading.Barrier(2)

    def ask(times):
        barrier.wait()
        for _ in range(times):
            client.get(one_host, source="test")

    threads = [threading.Thread(target=ask, args=(3,)) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(waits) == pytest.approx([0.2, 0.4, 0.6, 0.8, 1.0])  # six requests to one host, 0.2 s apart
    waits.clear()
    client.get(other_host, source="test")
    assert waits == []  # the first request to another host waits for nobody


def test_the_progress_bar_counts_every_service_s_units():
    from tracker.cli.common import Progress

    progress = Progress(enabled=True)

    def tick(lane):
        for n in range(50):
            progress(f"unit {n}", 50, lane=lane)

    threads = [threading.Thread(target=tick, args=(lane,)) for lane in ("bills", "hansard", "members")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert progress.bar.pos == progress.bar.length == 150
    progress.close()


def test_a_thread_that_cannot_open_the_database_fails_its_steps_and_leaves_no_one_waiting(hosts, tmp_path, monkeypatch):
    opened = store.open_db

    def open_db(path):
        if threading.current_thread().name == "sync-bills":
            raise sqlite3.OperationalError("unable to open database file")
        return opened(path)

    path = str(tmp_path / "t.db")
    db = store.open_db(path)
    monkeypatch.setattr(store, "open_db", open_db)
    steps, sources = every_source()
    with pytest.raises(sqlite3.OperationalError):
        run_sync(db, steps, sources=sources, archive_dir=str(tmp_path / "archive"), rate_limit=0, concurrent=True)
    message = db.execute("SELECT message FROM sync_runs").fetchone()[0]
    assert "hansard: not run, as bills failed" in message and db["members"].count > 0
