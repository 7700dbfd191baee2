"""Runs that share a database, die, or are given what they should refuse.

Concurrency is tried with real processes: a second writer in a subprocess commits
while a sync runs, a subprocess holds the run lock while another sync starts, and a
registry load, positions derive or members load meets a sync in another process
(each side waits for the other, or says which run holds the database).
"""
import os
import subprocess
import sys
import textwrap
import time

import pytest
from click.testing import CliRunner

from conftest import NO_WAIT
from scrapers.errors import TrackerError
from tracker import store
from tracker.cli import cli
from tracker.sync import run_sync
from tracker.sync.bills import bills_steps

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def sync(db, tmp_path, **kwargs):
    kwargs.setdefault("client_options", NO_WAIT)
    return run_sync(db, [*bills_steps(bill_ids=[3159])], sources="bills", archive_dir=str(tmp_path / "archive"), rate_limit=0, **kwargs)


def python(code, *args):
    """A real second process running ``code`` with this checkout first on its path."""
    env = {**os.environ, "PYTHONPATH": ROOT + os.pathsep + os.environ.get("PYTHONPATH", "")}
    return subprocess.Popen([sys.executable, "-c", textwrap.dedent(code), *args], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def wait_for(path):
    for _ in range(600):
        if os.path.exists(path):
            return
        time.sleep(0.01)
    raise AssertionError(f"{path} never appeared")


def test_a_run_left_running_by_a_killed_process_is_marked_interrupted(db, local_api, tmp_path):
    killed = store.start_run(db, "bills")  # its process died before finish_run
    run = sync(db, tmp_path)
    statuses = dict(db.execute("SELECT id, status FROM sync_runs").fetchall())
    assert statuses == {killed: "interrupted", run.run_id: "ok"}


@pytest.mark.parametrize("value", ["0", "-1", "nan", "inf", "abc"])
def test_rate_limit_takes_only_positive_numbers(db_path, value):
    result = CliRunner().invoke(cli, ["--db", db_path, "sync", "--bill", "3159", "--rate-limit", value])
    assert result.exit_code == 2 and "--rate-limit" in result.output
    assert "Traceback" not in result.output


def test_replaying_an_older_archive_into_a_newer_database_is_refused(tmp_path, local_api, monkeypatch):
    first = store.open_db(str(tmp_path / "first.db"))
    run = sync(first, tmp_path)
    archive = first["sync_runs"].get(run.run_id)["archive_path"]
    newer = store.open_db(str(tmp_path / "newer.db"))
    local_api.api.bills["amendments"]["15004"][1]["decision"] = "Agreed"
    with monkeypatch.context() as later:  # fetched after the archive was (a year on), without waiting for it
        later.setattr(store, "utcnow", lambda: "2099-01-01T00:00:00+00:00")
        sync(newer, tmp_path)
    before = newer.execute("SELECT count(*) FROM changes").fetchone()[0]
    with pytest.raises(TrackerError, match="roll records back") as refused:
        run_sync(newer, [*bills_steps(bill_ids=[3159])], sources="bills", replay=[archive])
    assert "--force" in str(refused.value) and "\n" not in str(refused.value)
    assert newer.execute("SELECT count(*) FROM changes").fetchone()[0] == before
    assert newer["amendments"].get(10020002)["decision"] == "Agreed"
    forced = run_sync(newer, [*bills_steps(bill_ids=[3159])], sources="bills", replay=[archive], force=True, full=True)
    assert forced.errors == [] and newer["amendments"].get(10020002)["decision"] == "NotMoved"
    # replaying into an empty database is the point of an archive
    empty = store.open_db(str(tmp_path / "empty.db"))
    assert run_sync(empty, [*bills_steps(bill_ids=[3159])], sources="bills", replay=[archive]).errors == []


def test_a_sync_waits_for_another_process_writing_instead_of_failing(db, db_path, local_api, tmp_path):
    ready = tmp_path / "writing"
    writer = python("""
        import sys, time
        from pathlib import Path
        from tracker import store
        db = store.open_db(sys.argv[1])
        Path(sys.argv[2]).touch()
        end = time.monotonic() + 2.5
        n = 0
        while time.monotonic() < end:
            with store.transaction(db):
                store.set_state(db, f"writer:{n % 5}", str(n), run_id=None)
                time.sleep(0.05)  # holds the write lock a while, as a tagging page does
            n += 1
        print(n)
    """, db_path, str(ready))
    wait_for(ready)
    run = sync(db, tmp_path)
    out, err = writer.communicate(timeout=60)
    assert writer.returncode == 0, err
    assert run.errors == [] and db["amendments"].count == 27
    assert int(out) > 5  # the writer kept writing meanwhile


def test_a_second_sync_says_which_run_holds_the_database(db, db_path, local_api, tmp_path):
    held, release = tmp_path / "held", tmp_path / "release"
    holder = python("""
        import sys, time, os
        from pathlib import Path
        from tracker import store
        db = store.open_db(sys.argv[1])
        with store.run_lock(db) as note:
            note("sync run 41")
            Path(sys.argv[2]).touch()
            while not os.path.exists(sys.argv[3]):
                time.sleep(0.01)
    """, db_path, str(held), str(release))
    wait_for(held)
    try:
        with pytest.raises(TrackerError) as busy:
            sync(db, tmp_path, lock_wait=0)
        assert str(busy.value).startswith("tracker: sync run 41 (pid ") and "holds this database" in str(busy.value)
        assert db["sync_runs"].count == 0
    finally:
        release.touch()
    holder.communicate(timeout=30)
    assert sync(db, tmp_path, lock_wait=5).errors == []  # the lock is free again


def test_a_killed_lock_holder_frees_the_lock(db, db_path, local_api, tmp_path):
    held = tmp_path / "held"
    holder = python("""
        import sys, time
        from pathlib import Path
        from tracker import store
        db = store.open_db(sys.argv[1])
        with store.run_lock(db):
            store.start_run(db, "bills")
            Path(sys.argv[2]).touch()
            time.sleep(60)
    """, db_path, str(held))
    wait_for(held)
    holder.kill()
    holder.communicate(timeout=30)
    run = sync(db, tmp_path, lock_wait=5)
    assert [r[0] for r in db.execute("SELECT status FROM sync_runs ORDER BY id")] == ["interrupted", "ok"]
    assert run.errors == []


def test_a_transaction_takes_the_write_lock_before_it_reads(db, db_path):
    """A writer that read first and wrote after another writer committed would fail at once
    ("database is locked"): the write lock is taken when the transaction begins."""
    import threading

    def other_writer():
        other = store.open_db(db_path)
        with store.transaction(other):
            store.set_state(other, "other", "1", run_id=None)
        other.close()

    with store.transaction(db):
        db.execute("SELECT count(*) FROM sync_state").fetchone()
        writer = threading.Thread(target=other_writer)
        writer.start()
        writer.join(0.3)  # it waits for this transaction rather than committing under it
        store.set_state(db, "mine", "1", run_id=None)
    writer.join(30)
    assert dict(db.execute("SELECT key, value FROM sync_state").fetchall()) == {"other": "1", "mine": "1"}


def test_two_databases_sharing_an_archive_folder_never_share_a_file(tmp_path):
    from tracker.sync import archive_path_for

    first = archive_path_for(str(tmp_path), 1)
    open(first, "wb").close()  # run 1 of one database has written its archive
    second = archive_path_for(str(tmp_path), 1)  # run 1 of another, in the same second
    assert second != first and second.endswith(".warc.gz")


# -- runs other than a sync: a registry load, positions derive, a members load ---------------

SAMPLE_MEMBERS = os.path.join(ROOT, "tracker", "sample", "members_search.json")
# Each run that opens a ``sync_runs`` row of its own, as a second process starts it.
OTHER_RUNS = {
    "registries": "from tracker.tagging import load_registries; load_registries(db, **options)",
    "positions": "from tracker import positions; positions.derive(db, today='2024-01-01', **options)",
    "members load": f"from tracker.cli.members import load_member_files; load_member_files(db, [{SAMPLE_MEMBERS!r}], **options)",
}


def start_other_run(sources, db_path, **options):
    """Run ``sources`` in this process, on its own connection (a thread may call it)."""
    db = store.open_db(db_path)
    try:
        exec(OTHER_RUNS[sources], {"db": db, "options": options})
    finally:
        db.close()


@pytest.mark.parametrize("sources", OTHER_RUNS)
def test_a_run_beside_a_sync_says_which_run_holds_the_database_or_waits_for_it(db, db_path, tmp_path, sources):
    import threading

    held, release = tmp_path / "held", tmp_path / "release"
    syncing = python("""
        import sys, time, os
        from pathlib import Path
        from tracker import store
        db = store.open_db(sys.argv[1])
        with store.run_lock(db) as note:
            run_id = store.start_run(db, "bills")
            note(f"sync run {run_id}")
            Path(sys.argv[2]).touch()
            while not os.path.exists(sys.argv[3]):
                time.sleep(0.01)
            store.finish_run(db, run_id, "ok")
    """, db_path, str(held), str(release))
    wait_for(held)
    try:
        with pytest.raises(TrackerError) as busy:
            start_other_run(sources, db_path, lock_wait=0)
        assert str(busy.value).startswith(f"tracker: sync run 1 (pid {syncing.pid}, since ") and "holds this database" in str(busy.value)
        waiting = threading.Thread(target=start_other_run, args=(sources, db_path))
        waiting.start()
        waiting.join(0.5)
        assert waiting.is_alive()  # it waits for the sync rather than writing beside it
        assert db.execute("SELECT sources, status FROM sync_runs").fetchall() == [("bills", "running")]
    finally:
        release.touch()
    _, err = syncing.communicate(timeout=30)
    assert syncing.returncode == 0, err
    waiting.join(60)
    assert db.execute("SELECT sources, status FROM sync_runs ORDER BY id").fetchall() == [("bills", "ok"), (sources, "ok")]


@pytest.mark.parametrize("sources", OTHER_RUNS)
def test_a_sync_beside_another_run_leaves_it_running_and_says_which_it_is(db, db_path, local_api, tmp_path, sources):
    started, release = tmp_path / "started", tmp_path / "release"
    other = python(textwrap.dedent("""
        import os, sys, time
        from pathlib import Path
        from tracker import store
        start_run = store.start_run

        def start_then_pause(db, sources, *args, **kwargs):
            run_id = start_run(db, sources, *args, **kwargs)
            Path(sys.argv[2]).touch()  # the run is open: it stays open until told
            while not os.path.exists(sys.argv[3]):
                time.sleep(0.01)
            return run_id

        store.start_run = start_then_pause
        db = store.open_db(sys.argv[1])
        options = {}
    """) + OTHER_RUNS[sources], db_path, str(started), str(release))
    wait_for(started)
    try:
        with pytest.raises(TrackerError) as busy:
            sync(db, tmp_path, lock_wait=0)
        assert str(busy.value).startswith(f"tracker: {sources} run 1 (pid {other.pid}, since ")
        assert db.execute("SELECT sources, status FROM sync_runs").fetchall() == [(sources, "running")]
    finally:
        release.touch()
    _, err = other.communicate(timeout=60)
    assert other.returncode == 0, err
    assert sync(db, tmp_path, lock_wait=5).errors == []
    assert db.execute("SELECT sources, status FROM sync_runs ORDER BY id").fetchall() == [(sources, "ok"), ("bills", "ok")]
