"""The fault suites, kept as regression tests.

* Mixes of 429, 500, 503 and bodies cut off mid-transfer on the fake services, with
  one listing page and one detail in every ten to fifty cut off throughout: each run
  converges to the content of a run that met no fault. A listing that shrinks amid
  faults removes nothing, nor does a body cut off on every try (the run is ``partial``).
* Kill loops (marked ``slow``; ``make test`` runs them): a real ``tracker sync`` or
  ``tracker tag`` process is killed with SIGKILL at random points a few times, then
  run to the end; the database holds the same content as an uninterrupted run, with
  no half-written unit, and the killed runs read ``interrupted``.
"""
import json
import os
import random
import re
import signal
import subprocess
import sys
import time
from urllib.parse import urlsplit

import pytest
import requests

from fakes import SampleApi
from fakes.content import content_of
from scrapers.http import HttpClient
from tracker import store
from tracker.sync import run_sync
from tracker.sync.bills import bills_steps
from tracker.sync.divisions import divisions_steps
from tracker.sync.hansard import hansard_step
from tracker.sync.members import member_resolution_step, members_step
from tracker.sync.versions import versions_step

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
def steps():
    return [*bills_steps(bill_ids=[3159]), members_step(), hansard_step(), *divisions_steps(), member_resolution_step(), versions_step()]


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
    None,  # the service's answer cut off mid-transfer
]
PATHS = [r"/Bills/3159$", r"/Stages$", r"/Amendments$", r"/Amendments/\d+$", r"/PingPongItems", r"/Members/",
         r"/search/debates", r"/debates/debate/", r"/divisions?\.json", r"/Divisions/", r"/Publications$", r"/Download$"]
# Where bodies are cut off throughout a run: listing pages, and single records (a bill print among them).
LISTINGS = r"/Stages$|/Amendments$|/PingPongItems$|/Search$|/History$|/search|/Publications$"
DETAILS = r"/Bills/\d+$|/Amendments/\d+$|/PingPongItems/\d+$|/Members/\d+$|/debates/debate/|/[Dd]ivisions?/\d+|/Download$"


def test_the_fake_server_cuts_a_body_short_and_the_client_retries_it(server):
    url = server.url("bills") + "/api/v1/Bills/3159"
    server.truncate(r"/Bills/3159$", times=1)
    raw = requests.get(url, stream=True)
    declared = int(raw.headers["Content-Length"])
    with pytest.raises(requests.exceptions.ChunkedEncodingError, match=f"{declared // 2} bytes read"):
        raw.content
    server.truncate(r"/Bills/3159$", times=2)
    sleeps = []
    data, response = HttpClient(sleep=sleeps.append, rate_limit=0).get_json(url, source="Bills API")
    assert data["billId"] == 3159 and len(response.body) == declared
    assert server.paths().count("/api/v1/Bills/3159") == 4 and len(sleeps) == 2


@pytest.mark.parametrize("seed", range(4))
def test_a_mix_of_faults_converges_in_one_run(clean, server, tmp_path, seed):
    chance = random.Random(seed)
    for path in chance.sample(PATHS, 7):  # each path fails up to 3 times in a row: within the client's 5 retries
        fault, times = chance.choice(FAULTS), chance.randint(1, 3)
        if fault is None:
            server.truncate(path, times=times)
        else:
            status, headers, body = fault
            server.fail(path, status, times=times, headers=headers, body=body)
    bursts = list(server.faults)
    server.truncate(LISTINGS, every=chance.randint(10, 20), times=None)  # listings are fewer: about 50 requests of 170
    server.truncate(DETAILS, every=chance.randint(10, 50), times=None)
    db = store.open_db(str(tmp_path / f"faults-{seed}.db"))
    run = sync(db, tmp_path)
    assert run.errors == []
    assert sum(1 for fault in bursts if fault["times"] == 0) >= 4  # the faults were met
    assert all(fault["met"] for fault in server.faults[len(bursts):])  # and bodies were cut off throughout
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


def test_bodies_cut_off_on_every_try_end_the_run_partial_removing_nothing(clean, server, tmp_path):
    db = store.open_db(str(tmp_path / "cut.db"))
    sync(db, tmp_path)
    cut = {"/bills/api/v1/Bills/3159/Stages/17149/Amendments": "Bills API",  # a listing
           "/bills/api/v1/Bills/3159/Stages/16472/Amendments/10001201": "Bills API",  # a record of another stage
           "/hansard/debates/debate/69E57608-BED5-5BB2-A601-3D999E4D6ED3.json": "Hansard API",  # a debate
           "/bills/api/v1/Publications/48101/Documents/51201/Download": "Bills API"}  # a bill print
    for path in cut:
        server.truncate(re.escape(path) + "$", times=None)
    run = sync(db, tmp_path, full=True)
    status, message = db.execute("SELECT status, message FROM sync_runs WHERE id = ?", [run.run_id]).fetchone()
    assert status == "partial"
    assert len(run.errors) == len(cut)
    assert all("\n" not in str(e) and "body cut off mid-transfer after 6 attempts" in str(e) for e in run.errors)
    assert {urlsplit(e.url).path: e.source for e in run.errors} == cut  # each error names its source and URL
    assert all(str(e) in message for e in run.errors)
    assert db.execute("SELECT count(*) FROM changes WHERE sync_run_id = ?", [run.run_id]).fetchone()[0] == 0
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
