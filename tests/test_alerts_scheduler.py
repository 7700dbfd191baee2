"""``tracker watch run``: what it syncs, its exit codes, the lock, and a clean stop on SIGTERM."""
import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_alerts_delivery import SECRET, SmtpSink, WebhookSink

from scrapers.errors import TrackerError
from tracker import store
from tracker.alerts import scheduler
from tracker.alerts.config import load_settings
from tracker.cli import cli

ROOT = Path(__file__).resolve().parents[1]


def tracker(db_path, *args):
    return CliRunner().invoke(cli, ["--db", db_path, "--quiet", *args], catch_exceptions=False)


@pytest.fixture
def synced(local_api, db_path, tmp_path):
    """The small bill synced from the local fake Bills API."""
    result = tracker(db_path, "sync", "--bill", "3159", "--rate-limit", "1000", "--archive-dir", str(tmp_path / "archive"))
    assert result.exit_code == 0, result.output
    return local_api


def change_two_decisions(api):
    api.bills["bills"]["3159"]["lastUpdate"] = "2023-10-27T09:00:00"
    report = api.bills["amendments"]["15004"]
    report[0]["decision"], report[1]["decision"] = "Disagreed", "Agreed"


def test_failures_exit_1_with_one_line_each_and_retry_delivers(synced, db_path, tmp_path, monkeypatch):
    sink = SmtpSink()  # not listening yet
    for key, value in sink.settings().items():
        monkeypatch.setenv(key, value)
    assert tracker(db_path, "watch", "add", "bill", "--bill", "3159", "--email", "staff@example.org").exit_code == 0
    change_two_decisions(synced.api)
    failed = tracker(db_path, "watch", "run", "--once", "--rate-limit", "1000", "--archive-dir", str(tmp_path / "archive"))
    assert failed.exit_code == 1
    assert "2 events; 0 messages delivered; 2 failures" in failed.stdout
    lines = failed.stderr.strip().splitlines()
    assert len(lines) == 2 and all(line.startswith("error: watch bill: email to staff@example.org failed") for line in lines)
    assert all(line.endswith(f"SMTP: connection refused (smtp://127.0.0.1:{sink.port})") for line in lines)
    # the next run, before the backoff has passed, does not try again, but says what is still undelivered
    waiting = tracker(db_path, "watch", "run", "--once", "--rate-limit", "1000", "--archive-dir", str(tmp_path / "archive"))
    assert waiting.exit_code == 1 and "0 events; 0 messages delivered; 2 failures" in waiting.stdout
    lines = waiting.stderr.strip().splitlines()
    assert len(lines) == 2 and all(" not delivered yet (message " in line and "1 failed attempts, next after " in line for line in lines)
    with sink:
        retried = tracker(db_path, "alerts", "retry")
        assert retried.exit_code == 0 and "2 delivered; 0 failed" in retried.stdout
    assert sorted(m["Subject"] for m in sink.messages) == [
        "[bill] Amendment 41 (Report stage, Lords): Agreed → Disagreed",
        "[bill] Amendment 42 (Report stage, Lords): Not moved → Agreed",
    ]
    listed = tracker(db_path, "alerts", "list").stdout.splitlines()
    assert len(listed) == 2 and all("[delivered]" in line for line in listed)


def test_a_second_run_is_refused_while_one_holds_the_lock(db_path):
    store.open_db(db_path).close()
    with scheduler.run_lock(db_path):
        for args in (["watch", "run", "--once"], ["alerts", "retry"]):
            result = tracker(db_path, *args)
            assert result.exit_code == 1
            assert result.stderr.strip() == f"Error: watch run: another watch run is using this database ({db_path}.watch-run.lock)"
    with scheduler.run_lock(db_path):  # released: taken again
        pass


def test_a_bad_tracker_toml_is_one_line(db_path, tmp_path):
    store.open_db(db_path).close()
    (tmp_path / "tracker.toml").write_text("TRACKER_SMTP_HOST = \n", encoding="utf-8")
    result = tracker(db_path, "watch", "run", "--once")
    assert result.exit_code == 1
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("Error: alerts config: not valid TOML:") and line.endswith(f"({tmp_path / 'tracker.toml'})")


def test_what_a_scheduled_run_syncs(db_path):
    db = store.open_db(db_path)
    with store.transaction(db):
        db.execute("INSERT INTO bills (bill_id, short_title) VALUES (3159, 'Procurement Bill [HL]'), (3000, 'Another Bill')")
        for sources, status in (("bills,legislation", "ok"), ("members load", "ok"), ("bills,questions", "partial"),
                                ("bills,hansard", "failed"), ("demo sample", "ok")):
            db.execute("INSERT INTO sync_runs (sources, status) VALUES (?, ?)", [sources, status])
        for clause in ("ukpga/2023/54/section/1", "ukpga/2023/54/schedule/7", "ukpga/2023/54/schedule"):
            db.execute("INSERT INTO bill_clauses (clause_id, bill_id) VALUES (?, 3159)", [clause])
        db.execute("INSERT INTO written_matches (question_id, term) VALUES (1, 'Procurement Bill'), (1, 'Hikvision'), (2, 'Dahua')")
    from tracker.alerts import watches

    watches.add_watch(db, "cctv", "term", "CCTV", atom=True)
    steps, sources = scheduler.scheduled_steps(db)
    assert sources == "bills,legislation,questions"  # hansard only failed; "members load" is not a sync source
    assert [step.name for step in steps] == ["bills", "legislation", "amendments", "questions"]
    assert scheduler.enacted_texts(db) == [(3159, "ukpga/2023/54")]
    assert scheduler.question_terms(db) == ["Dahua", "Hikvision", "CCTV"]
    assert [scheduler.parse_interval(t) for t in ("15m", "30s", "1h", "90", "2d")] == [900, 30, 3600, 90, 172800]
    with pytest.raises(TrackerError):
        scheduler.parse_interval("0m")


def test_no_bills_means_no_sync_but_delivery_goes_on(db_path):
    db = store.open_db(db_path)
    report = scheduler.run_once(db, load_settings(db_path, environ={}))
    assert report.sync_run_id is None and report.notes == ["no bills in the database to sync"] and report.failures == []


def _loop(db_path, env):
    return subprocess.Popen(
        [sys.executable, "-c", "from tracker.cli import cli; cli()", "--db", db_path, "--quiet", "watch", "run", "--every", "1h",
         "--rate-limit", "1000", "--archive-dir", str(Path(db_path).parent / "archive")],
        env={**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1", **env},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def test_sigterm_during_a_run_stops_cleanly_after_the_step_in_hand(synced, db_path):
    """SIGTERM arrives while the loop delivers (the receiver sends it): the delivery is still marked,
    the loop stops before its next run and exits 0; meanwhile the lock keeps any other run out."""
    with WebhookSink() as hooks:
        assert tracker(db_path, "watch", "add", "bill", "--bill", "3159", "--webhook", hooks.url).exit_code == 0
        change_two_decisions(synced.api)
        seen = {}

        def stop_the_loop(request):
            try:
                with scheduler.run_lock(db_path):
                    seen["lock"] = "free"
            except TrackerError as error:
                seen["lock"] = str(error)
            if "terminated" not in seen:
                seen["terminated"] = True
                os.kill(loop.pid, signal.SIGTERM)

        hooks.on_request = stop_the_loop
        loop = _loop(db_path, {"TRACKER_WEBHOOK_SECRET": SECRET})
        out, err = loop.communicate(timeout=300)
    assert loop.returncode == 0, err
    assert "2 events; 2 messages delivered; 0 failures" in out
    assert err.strip().splitlines()[-1] == "watch run: stopped"
    assert seen["lock"].startswith("watch run: another watch run is using this database")
    assert len(hooks.received) == 2
    statuses = [r[0] for r in store.open_db(db_path).execute("SELECT status FROM alert_deliveries")]
    assert statuses == ["delivered", "delivered"]


def test_sigterm_while_waiting_stops_at_once(synced, db_path):
    loop = _loop(db_path, {})
    first = loop.stdout.readline()  # the first run's summary: now it waits an hour
    assert re.match(r"watch run: sync run \d+ ok, 0 changes; 0 events", first), first
    loop.send_signal(signal.SIGTERM)
    _, err = loop.communicate(timeout=60)
    assert loop.returncode == 0
    assert err.strip().splitlines()[-1] == "watch run: stopped"
    assert json.loads(tracker(db_path, "alerts", "list", "--json").stdout) == []
