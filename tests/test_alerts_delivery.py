"""Delivery on real local servers: mail to an aiosmtpd server, signed webhooks to an HTTP server,
retries with backoff, and a process killed between sending and marking."""
import email
import email.policy
import hashlib
import hmac
import json
import os
import signal
import socket
import subprocess
import sys
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from click.testing import CliRunner
from pytest_httpserver import HTTPServer
from werkzeug import Response

from tracker import store
from tracker.alerts import outbox, watches
from tracker.alerts.channels import WebhookChannel, deliver
from tracker.alerts.config import load_settings
from tracker.alerts.events import derive_events
from tracker.cli import cli

ROOT = Path(__file__).resolve().parents[1]
SECRET = "s3cret-key-for-tests"
SITE = "https://tracker.example.org"
T0 = datetime(2023, 10, 27, 9, 0, tzinfo=timezone.utc)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SmtpSink:
    """A real SMTP server (aiosmtpd) on a free local port, keeping every message it accepts.

    ``refusals``: how many of the next messages to answer ``451`` (try again later);
    ``on_data``: called with each message before it is answered (to crash the sender).
    """

    def __init__(self, login=None):
        self.messages = []
        self.refusals = 0
        self.on_data = None
        self.login = login  # (user, password) the server requires, over plain SMTP
        self.logins = []
        self.port = free_port()
        options = {"authenticator": self.authenticate, "auth_require_tls": False} if login else {}
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port, **options)

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.original_content or envelope.content, policy=email.policy.default)
        if self.refusals:
            self.refusals -= 1
            return "451 4.3.0 Mailbox busy, try again later"
        self.messages.append(message)
        if self.on_data:
            self.on_data(message)
        return "250 2.0.0 OK"

    def authenticate(self, server, session, envelope, mechanism, auth_data):
        given = (auth_data.login.decode(), auth_data.password.decode())
        self.logins.append(given)
        return AuthResult(success=given == self.login)

    def settings(self, **extra):
        return {"TRACKER_SMTP_HOST": "127.0.0.1", "TRACKER_SMTP_PORT": str(self.port), "TRACKER_SMTP_SECURITY": "none",
                "TRACKER_MAIL_FROM": "Procurement Bill tracker <tracker@example.org>", "TRACKER_SITE_URL": SITE, **extra}

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop()


@pytest.fixture
def smtp():
    with SmtpSink() as sink:
        yield sink


class WebhookSink:
    """A real, threaded HTTP server taking webhook POSTs; ``answers`` are given in turn, then 200."""

    def __init__(self):
        self.server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
        self.received = []
        self.answers = []
        self.on_request = None
        self.server.expect_request("/hook", method="POST").respond_with_handler(self.handle)

    def handle(self, request):
        self.received.append({"headers": dict(request.headers), "body": request.get_data()})
        if self.on_request:
            self.on_request(request)
        answer = self.answers.pop(0) if self.answers else 200
        return answer() if callable(answer) else Response("", status=answer, headers={"Retry-After": "7"} if answer == 429 else {})

    @property
    def url(self):
        return self.server.url_for("/hook")

    def verified(self, secret=SECRET):
        """Each request's JSON, after checking its signature as a receiver would."""
        out = []
        for r in self.received:
            expected = "sha256=" + hmac.new(secret.encode(), r["body"], hashlib.sha256).hexdigest()
            assert hmac.compare_digest(r["headers"]["X-Tracker-Signature"], expected)
            out.append(json.loads(r["body"]))
        return out

    def __enter__(self):
        self.server.start()
        return self

    def __exit__(self, *exc):
        self.server.stop()


@pytest.fixture
def hooks():
    with WebhookSink() as sink:
        yield sink


def write_bill(db, *members):
    """A bill with one amendment (and ``members``: ``(id, name, house)``), as a sync writes them."""
    run = store.start_run(db, "bills")
    with store.transaction(db):
        store.upsert(db, "bills", {"bill_id": 3159, "short_title": "Procurement Bill [HL]"}, run_id=run, bill_id=3159)
        store.upsert(db, "bill_stages", {"bill_stage_id": 17577, "bill_id": 3159, "description": "Report stage", "house": "Commons"},
                     run_id=run, bill_id=3159)
        store.upsert(db, "amendments", amendment_row("NoDecision"), run_id=run, bill_id=3159)
        for member_id, name, house in members:
            store.upsert(db, "members", {"member_id": member_id, "name": name, "name_display_as": name, "house": house}, run_id=run)
    return db


@pytest.fixture
def db(db):
    """conftest's database with a bill and its amendment 5."""
    return write_bill(db)


def amendment_row(decision):
    return {"amendment_id": 10001754, "bill_id": 3159, "bill_stage_id": 17577, "number": "5", "decision": decision,
            "summary": "Clause 12, page 9, line 30, after “value for money” insert “and the security of the supply chain”"}


def decide(db, decision):
    """Play a sync that finds the amendment's decision changed; derive the events."""
    run = store.start_run(db, "bills")
    with store.transaction(db):
        store.upsert(db, "amendments", amendment_row(decision), run_id=run, bill_id=3159)
    return derive_events(db)


def settings_for(db_path, values):
    return load_settings(db_path, environ=values)


def no_sleep():
    slept = []
    return WebhookChannel(sleep=slept.append, timeout=(2, 2)), slept


def test_email_reaches_a_real_smtp_server_once(db, db_path, smtp):
    watches.add_watch(db, "value", "term", "value for money", emails=["staff@example.org"])
    [event] = decide(db, "Withdrawn")
    report = deliver(db, settings_for(db_path, smtp.settings()), now=lambda: T0)
    assert (report.delivered, report.failures) == (1, [])
    [message] = smtp.messages
    assert message["Subject"] == "[value] Amendment 5 (Report stage, Commons): No decision → Withdrawn"
    assert message["To"] == "staff@example.org"
    assert message["Message-ID"] == f"<{event.event_id}@example.org>"
    assert message["X-Tracker-Event"] == event.event_id
    plain = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "*value for money*" in plain
    assert f"On the tracker: {SITE}/-/amendment/10001754" in plain
    assert "Official page:  https://bills.parliament.uk/bills/3159/stages/17577/amendments/10001754" in plain
    assert "<mark>value for money</mark>" in html and f'href="{SITE}/-/amendment/10001754"' in html
    assert "tracker watch remove value" in plain
    [row] = outbox.list_deliveries(db)
    assert (row["status"], row["attempts"], row["message_id"]) == ("delivered", 1, event.event_id)
    assert deliver(db, settings_for(db_path, smtp.settings()), now=lambda: T0).delivered == 0
    assert len(smtp.messages) == 1


def test_credentials_come_from_tracker_toml_and_never_reach_the_database(db, db_path, tmp_path):
    with SmtpSink(login=("tracker", "mail-pass")) as sink:
        values = sink.settings(TRACKER_SMTP_USER="tracker", TRACKER_SMTP_PASSWORD="mail-pass")
        (tmp_path / "tracker.toml").write_text(
            "\n".join(f'{k} = {v if k == "TRACKER_SMTP_PORT" else json.dumps(v)}' for k, v in values.items()), encoding="utf-8")
        watches.add_watch(db, "leigh", "amendment", "10001754", emails=["staff@example.org"])
        decide(db, "Withdrawn")
        report = deliver(db, load_settings(db_path, environ={}), now=lambda: T0)
        assert report.failures == [] and len(sink.messages) == 1
        assert sink.logins == [("tracker", "mail-pass")]
    db.close()
    stored = b"".join(p.read_bytes() for p in tmp_path.glob("tracker.db*"))
    assert b"mail-pass" not in stored


def test_a_refusing_server_gets_the_message_once_later(db, db_path, monkeypatch):
    sink = SmtpSink()  # not started yet: the first attempt finds the port closed
    watches.add_watch(db, "leigh", "amendment", "10001754", emails=["staff@example.org"])
    [event] = decide(db, "Withdrawn")
    settings = settings_for(db_path, sink.settings())
    first = deliver(db, settings, now=lambda: T0)
    assert first.delivered == 0
    assert first.failures == [(f"watch leigh: email to staff@example.org failed (message {event.event_id}, attempt 1,"
                               f" next after 2023-10-27T09:01:00+00:00): SMTP: connection refused (smtp://127.0.0.1:{sink.port})")]
    with sink:
        sink.refusals = 1
        assert deliver(db, settings, now=lambda: T0 + timedelta(seconds=30)).failures == []  # backoff: not due yet
        second = deliver(db, settings, now=lambda: T0 + timedelta(minutes=1))
        assert len(second.failures) == 1 and "451 4.3.0 Mailbox busy" in second.failures[0]
        assert "attempt 2, next after 2023-10-27T09:03:00+00:00" in second.failures[0]
        # the command line lists it as failed, and `alerts retry` sends it now
        monkeypatch.setenv("TRACKER_WEBHOOK_SECRET", SECRET)
        for key, value in sink.settings().items():
            monkeypatch.setenv(key, value)
        listed = CliRunner().invoke(cli, ["--db", db_path, "alerts", "list", "--failed", "--json"])
        [failed] = json.loads(listed.output)
        assert (failed["status"], failed["attempts"], failed["message_id"]) == ("failed", 2, event.event_id)
        assert "451" in failed["last_error"]
        retried = CliRunner().invoke(cli, ["--db", db_path, "alerts", "retry"])
        assert retried.exit_code == 0, retried.output
        assert "1 delivered; 0 failed" in retried.output
    [message] = sink.messages
    assert message["X-Tracker-Event"] == event.event_id
    assert json.loads(CliRunner().invoke(cli, ["--db", db_path, "alerts", "list", "--failed", "--json"]).output) == []


def test_starttls_not_offered_fails_every_message_of_the_run_in_one_line_each(db, db_path, smtp):
    watches.add_watch(db, "leigh", "amendment", "10001754", emails=["a@example.org", "b@example.org"])
    decide(db, "Withdrawn")
    values = {k: v for k, v in smtp.settings().items() if k != "TRACKER_SMTP_SECURITY"}  # starttls by default
    report = deliver(db, settings_for(db_path, values), now=lambda: T0)
    assert len(report.failures) == 2
    assert all(line.endswith(f"SMTP: STARTTLS extension not supported by server. (smtp://127.0.0.1:{smtp.port})") for line in report.failures)
    assert smtp.messages == []


def test_missing_smtp_settings_are_one_line(db, db_path):
    watches.add_watch(db, "leigh", "amendment", "10001754", emails=["a@example.org"])
    decide(db, "Withdrawn")
    [line] = deliver(db, settings_for(db_path, {}), now=lambda: T0).failures
    assert line.endswith("SMTP: TRACKER_SMTP_HOST is not set (in the environment or tracker.toml beside the database)")


def test_webhook_is_signed_and_verifies(db, db_path, hooks):
    watches.add_watch(db, "leigh", "amendment", "10001754", webhooks=[hooks.url])
    watches.add_watch(db, "own-key", "bill", "3159", webhooks=[hooks.url], secret_env="HOOK_KEY")
    events = decide(db, "Withdrawn")
    channel, slept = no_sleep()
    settings = settings_for(db_path, {"TRACKER_WEBHOOK_SECRET": SECRET, "HOOK_KEY": "another-key", "TRACKER_SITE_URL": SITE})
    report = deliver(db, settings, webhook=channel, now=lambda: T0)
    assert (report.delivered, report.failures, slept) == (2, [], [])
    by_watch = {r["headers"]["X-Tracker-Watch"]: r for r in hooks.received}
    hooks.received = [by_watch["leigh"]]
    [payload] = hooks.verified(SECRET)
    hooks.received = [by_watch["own-key"]]
    hooks.verified("another-key")
    event = next(e for e in events if e.event_id == payload["event_id"])
    assert by_watch["leigh"]["headers"]["X-Tracker-Event"] == event.event_id
    assert by_watch["leigh"]["headers"]["Content-Type"].startswith("application/json")
    assert payload == {
        "event_id": event.event_id, "watch": "leigh", "kind": "decision_changed",
        "title": "Amendment 5 (Report stage, Commons): No decision → Withdrawn", "summary": event.summary,
        "record": {"table": "amendments", "id": "10001754", "label": "Amendment 5 (Report stage, Commons)"},
        "bill_id": 3159, "url": f"{SITE}/-/amendment/10001754",
        "official_url": "https://bills.parliament.uk/bills/3159/stages/17577/amendments/10001754",
        "occurred_at": event.occurred_at, "excerpt": event.excerpt, "highlights": [],
    }


def test_webhook_retries_5xx_429_and_timeouts_with_backoff(db, db_path, hooks):
    release = threading.Event()

    def too_slow():
        release.wait(10)
        return Response("late", status=200)

    hooks.answers = [503, too_slow, 429, 502]
    watches.add_watch(db, "leigh", "amendment", "10001754", webhooks=[hooks.url])
    [event] = decide(db, "Withdrawn")
    slept = []
    channel = WebhookChannel(sleep=slept.append, timeout=(2, 0.2), attempts=5)
    report = deliver(db, settings_for(db_path, {"TRACKER_WEBHOOK_SECRET": SECRET}), webhook=channel, now=lambda: T0)
    release.set()
    assert (report.delivered, report.failures) == (1, [])
    assert slept == [1.0, 2.0, 7.0, 8.0]  # doubling, with the 429's Retry-After: 7 honoured
    assert len(hooks.received) == 5
    assert {r["headers"]["X-Tracker-Event"] for r in hooks.received} == {event.event_id}
    assert len({r["body"] for r in hooks.received}) == 1


def test_webhook_failures_are_marked_and_retried_across_runs(db, db_path, hooks):
    hooks.answers = [500, 500, 500, 500, 404]
    watches.add_watch(db, "leigh", "amendment", "10001754", webhooks=[hooks.url])
    decide(db, "Withdrawn")
    settings = settings_for(db_path, {"TRACKER_WEBHOOK_SECRET": SECRET})
    channel, slept = no_sleep()
    [line] = deliver(db, settings, webhook=channel, now=lambda: T0).failures
    assert line.endswith(f"webhook: HTTP 500 after 4 attempts ({hooks.url})") and slept == [1.0, 2.0, 4.0]
    channel, slept = no_sleep()
    [line] = deliver(db, settings, webhook=channel, now=lambda: T0 + timedelta(minutes=1)).failures
    assert line.endswith(f"webhook: HTTP 404 ({hooks.url})") and slept == []  # a 4xx is not retried in the run
    assert "attempt 2, next after 2023-10-27T09:03:00+00:00" in line
    channel, _ = no_sleep()
    assert deliver(db, settings, webhook=channel, now=lambda: T0 + timedelta(minutes=3)).delivered == 1
    assert len(hooks.received) == 6


def test_no_webhook_secret_means_no_unsigned_request(db, db_path, hooks):
    watches.add_watch(db, "leigh", "amendment", "10001754", webhooks=[hooks.url])
    decide(db, "Withdrawn")
    [line] = deliver(db, settings_for(db_path, {}), now=lambda: T0).failures
    assert line.endswith("webhook: TRACKER_WEBHOOK_SECRET is not set (in the environment or tracker.toml beside the database):"
                         " webhooks are never sent unsigned")
    assert hooks.received == []


def _delivering_process(db_path, env):
    """``tracker alerts retry`` in a process of its own, to be killed."""
    return subprocess.Popen(
        [sys.executable, "-c", "from tracker.cli import cli; cli()", "--db", db_path, "alerts", "retry"],
        env={**os.environ, "PYTHONPATH": str(ROOT), **env}, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )


@pytest.mark.parametrize("channel", ["webhook", "email"])
def test_a_process_killed_between_sending_and_marking_repeats_once_with_the_same_id(db, db_path, channel, hooks, smtp):
    """The receiver kills the sending process (SIGKILL) the moment it has the message, before the
    sender can mark it delivered: the next run sends it once more, with the same event id."""
    if channel == "webhook":
        watches.add_watch(db, "leigh", "amendment", "10001754", webhooks=[hooks.url])
    else:
        watches.add_watch(db, "leigh", "amendment", "10001754", emails=["staff@example.org"])
    [event] = decide(db, "Withdrawn")
    env = {"TRACKER_WEBHOOK_SECRET": SECRET, **smtp.settings()}
    process = None

    def kill_sender(*args):
        if process is not None and process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)
            process.wait(30)

    hooks.on_request = smtp.on_data = kill_sender
    process = _delivering_process(db_path, env)
    assert process.wait(120) == -signal.SIGKILL
    hooks.on_request = smtp.on_data = None
    [row] = outbox.list_deliveries(db)
    assert row["status"] == "pending"  # sent, never marked
    webhook, _ = no_sleep()
    report = deliver(db, settings_for(db_path, env), webhook=webhook, now=lambda: T0)
    assert (report.delivered, report.failures) == (1, [])
    if channel == "webhook":
        assert [r["headers"]["X-Tracker-Event"] for r in hooks.received] == [event.event_id] * 2
        assert hooks.received[0]["body"] == hooks.received[1]["body"]
        hooks.verified()
    else:
        assert [m["X-Tracker-Event"] for m in smtp.messages] == [event.event_id] * 2
        assert smtp.messages[0]["Message-ID"] == smtp.messages[1]["Message-ID"]
    assert deliver(db, settings_for(db_path, env), webhook=webhook, now=lambda: T0).delivered == 0
    assert outbox.list_deliveries(db)[0]["status"] == "delivered"


def test_a_digest_is_one_message_per_destination_with_every_event(db, db_path, smtp, hooks):
    watches.add_watch(db, "leigh", "amendment", "10001754", emails=["staff@example.org"], webhooks=[hooks.url], digest=True)
    run = store.start_run(db, "bills")
    with store.transaction(db):  # two changes before one derivation: one run's events
        store.upsert(db, "amendments", amendment_row("Withdrawn"), run_id=run, bill_id=3159)
        store.upsert(db, "amendments", amendment_row("Agreed"), run_id=store.start_run(db, "bills"), bill_id=3159)
    events = derive_events(db)
    assert len(events) == 2
    webhook, _ = no_sleep()
    report = deliver(db, settings_for(db_path, {**smtp.settings(), "TRACKER_WEBHOOK_SECRET": SECRET}), webhook=webhook, now=lambda: T0)
    assert (report.delivered, report.failures) == (2, [])
    [message] = smtp.messages
    digest_id = message["X-Tracker-Event"]
    assert digest_id.startswith("digest-") and message["Message-ID"] == f"<{digest_id}@example.org>"
    assert message["X-Tracker-Events"] == ", ".join(e.event_id for e in events)
    assert message["Subject"] == "[leigh] 2 events: Amendment 5 (Report stage, Commons) and 1 more"
    plain = message.get_body(("plain",)).get_content()
    assert "No decision → Withdrawn" in plain and "Withdrawn → Agreed" in plain
    [payload] = hooks.verified()
    assert (payload["event_id"], payload["kind"], payload["watch"]) == (digest_id, "digest", "leigh")
    assert [e["event_id"] for e in payload["events"]] == [e.event_id for e in events]
    assert hooks.received[0]["headers"]["X-Tracker-Event"] == digest_id
