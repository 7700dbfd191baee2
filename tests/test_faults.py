"""The fault suites, kept as regression tests.

* Mixes of 429, 500 and 503 on the fake services: each run converges to the content
  of a run that met no fault (bodies cut off mid-transfer are tried in ``test_http``, on
  a server that can cut a body short); a listing that shrinks amid faults removes nothing.
* Kill loops (marked ``slow``; ``make test`` runs them): a real ``tracker sync`` or
  ``tracker tag`` process is killed with SIGKILL at random points a few times, then
  run to the end; the database holds the same content as an uninterrupted run, with
  no half-written unit, and the killed runs read ``interrupted``.
"""
import json
import os
import random
import signal
import subprocess
import sys
import time

import pytest

from fakes import SampleApi
from tracker import store
from tracker.sync import run_sync
from tracker.sync.bills import bills_steps
from tracker.sync.divisions import divisions_steps
from tracker.sync.hansard import hansard_step
from tracker.sync.members import member_resolution_step, members_step

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# Bookkeeping that differs between two runs loading the same content.
VOLATILE = {"sync_run_id", "first_seen", "last_seen", "updated_at", "fetched_at", "detected_at", "tagged_at",
            "applied_at", "created_at", "run_id", "source_url"}
NOT_CONTENT = {"sync_runs", "changes", "http_cache", "sync_state", "_migrations", "sqlite_sequence"}


def content_of(db):
    """Every content table's rows, as sorted canonical JSON without bookkeeping."""
    tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND sql NOT LIKE '%VIRTUAL%'")]
    out = {}
    for table in tables:
        if table in NOT_CONTENT or "_fts" in table or table.startswith("search_"):  # search_*: an index derived afresh
            continue
        cursor = db.execute(f"SELECT * FROM [{table}]")
        names = [d[0] for d in cursor.description]
        autoid = db.execute(f"SELECT 1 FROM pragma_table_info('{table}') WHERE name = 'id' AND type = 'INTEGER' AND pk = 1").fetchone()
        drop = VOLATILE | ({"id"} if autoid else set())
        out[table] = sorted(store.canonical({n: v for n, v in zip(names, row) if n not in drop}) for row in cursor)
    return out


def steps():
    return [*bills_steps(bill_ids=[3159]), members_step(), hansard_step(), *divisions_steps(), member_resolution_step()]


def sync(db, tmp_path, **kwargs):
    return run_sync(db, steps(), sources="faults", archive_dir=str(tmp_path / "archive"), rate_limit=0,
                    client_options={"sleep": lambda s: None, "max_retries": 5}, **kwargs)


@pytest.fixture
def server(serve_sample):
    return serve_sample(SampleApi())


@pytest.fixture
def clean(server, tmp_path):
    """The content of an uninterrupted, fault-free sync of the sample."""
    db = store.open_db(str(tmp_path / "clean.db"))
    assert sync(db, tmp_path).errors == []
    return content_of(db)


FAULTS = [
    (429, {"Retry-After": "0"}, ""),
    (500, {}, "oops"),
    (503, {}, ""),
]
PATHS = [r"/Bills/3159$", r"/Stages$", r"/Amendments$", r"/Amendments/\d+$", r"/PingPongItems", r"/Members/",
         r"/search/debates", r"/debates/debate/", r"/divisions?\.json", r"/Divisions/"]


@pytest.mark.parametrize("seed", range(4))
def test_a_mix_of_faults_converges_in_one_run(clean, server, tmp_path, seed):
    chance = random.Random(seed)
    for path in chance.sample(PATHS, 7):  # each path fails up to 3 times in a row: within the client's 5 retries
        status, headers, body = chance.choice(FAULTS)
        server.fail(path, status, times=chance.randint(1, 3), headers=headers, body=body)
    db = store.open_db(str(tmp_path / f"faults-{seed}.db"))
    run = sync(db, tmp_path)
    assert run.errors == []
    assert sum(1 for fault in server.faults if fault["times"] == 0) >= 4  # the faults were met
    assert content_of(db) == clean


def test_a_shrinking_listing_in_the_middle_of_faults_removes_nothing(clean, server, tmp_path):
    db = store.open_db(str(tmp_path / "shrink.db"))
    sync(db, tmp_path)
    server.fail(r"/Amendments$", 200, times=None, headers={"Content-Type": "application/json"},
                body=json.dumps({"items": [], "totalResults": 0, "itemsPerPage": 20}))
    server.fail(r"/Bills/3159/Stages$", 503, times=2)
    run = sync(db, tmp_path, full=True)
    assert db.execute("SELECT count(*) FROM changes WHERE sync_run_id = ? AND kind = 'removed'", [run.run_id]).fetchone()[0] == 0
    assert run.errors and all("suspect" in str(e) for e in run.errors)
    server.faults.clear()
    sync(db, tmp_path, full=True)
    assert content_of(db) == clean


# -- kill loops ------------------------------------------------------------------------------

def tracker_process(db_path, *args, env=None):
    code = "import sys; from tracker.cli import cli; sys.exit(cli())"
    environ = {**os.environ, **(env or {}), "PYTHONPATH": ROOT + os.pathsep + os.environ.get("PYTHONPATH", "")}
    return subprocess.Popen([sys.executable, "-c", code, "--db", db_path, "--quiet", *args], env=environ,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def kill_at_random(db_path, args, chance, *, kills, env=None, within=(0.8, 3.0)):
    """Start ``tracker args`` ``kills`` times, each killed with SIGKILL after a random while;
    then once more to the end. Returns the final process's exit code and stderr."""
    for _ in range(kills):
        process = tracker_process(db_path, *args, env=env)
        try:
            process.wait(timeout=chance.uniform(*within))
        except subprocess.TimeoutExpired:
            process.send_signal(signal.SIGKILL)
        process.communicate(timeout=60)
    final = tracker_process(db_path, *args, env=env)
    _, err = final.communicate(timeout=600)
    return final.returncode, err


SYNC_ARGS = ["sync", "--bill", "3159", "--members", "--hansard", "--divisions", "--rate-limit", "1000", "--no-tag"]


@pytest.mark.slow
def test_killed_syncs_converge_to_an_uninterrupted_sync(server, tmp_path):
    env = {**server.environ(), "TRACKER_WATCH_TERMS": "Hikvision"}
    clean_path = str(tmp_path / "clean.db")
    code, err = kill_at_random(clean_path, [*SYNC_ARGS, "--archive-dir", str(tmp_path / "a")], random.Random(0), kills=0, env=env)
    assert code == 0, err
    killed_path = str(tmp_path / "killed.db")
    code, err = kill_at_random(killed_path, [*SYNC_ARGS, "--archive-dir", str(tmp_path / "b")], random.Random(1), kills=4, env=env)
    assert code == 0, err
    killed, clean = store.open_db(killed_path), store.open_db(clean_path)
    assert content_of(killed) == content_of(clean)
    statuses = [r[0] for r in killed.execute("SELECT status FROM sync_runs ORDER BY id")]
    assert statuses[-1] == "ok" and "running" not in statuses


@pytest.mark.slow
def test_killed_tagging_converges_to_an_uninterrupted_tagging(server, tmp_path):
    env = server.environ()
    base = str(tmp_path / "base.db")
    code, err = kill_at_random(base, [*SYNC_ARGS, "--archive-dir", str(tmp_path / "a")], random.Random(0), kills=0, env=env)
    assert code == 0, err
    paths = []
    for name in ("clean", "killed"):
        path = str(tmp_path / f"{name}.db")
        with open(base, "rb") as src, open(path, "wb") as dst:
            dst.write(src.read())
        paths.append(path)
    code, err = kill_at_random(paths[0], ["tag"], random.Random(0), kills=0)
    assert code == 0, err
    code, err = kill_at_random(paths[1], ["tag"], random.Random(2), kills=3, within=(1.0, 6.0))
    assert code == 0, err
    clean, killed = (store.open_db(p) for p in paths)
    assert content_of(killed) == content_of(clean)
    assert clean.execute("SELECT count(*) FROM mentions").fetchone()[0] > 0
