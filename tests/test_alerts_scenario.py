"""The issue's "done when", end to end on the command line: three watches (Hikvision by email, the
Procurement Bill by webhook, one member by Atom); an upstream change in which a new amendment naming
Hikvision is tabled with that member as a sponsor and a decision changes; each watch gets one message
per event it covers, the webhook's signature verifies, and a second run sends nothing."""
import asyncio
import copy
from xml.etree import ElementTree

import pytest
from click.testing import CliRunner
from fakes import SampleApi
from test_alerts_delivery import SECRET, SITE, SmtpSink, WebhookSink

from tracker import store
from tracker.cli import cli
from tracker.publish.server import make_datasette, secret_columns

ATOM = "{http://www.w3.org/2005/Atom}"
REPORT = "17577"


@pytest.fixture
def upstream(serve_sample):
    return serve_sample(SampleApi())


@pytest.fixture
def mail(monkeypatch):
    with SmtpSink() as sink:
        for key, value in sink.settings().items():
            monkeypatch.setenv(key, value)
        yield sink


@pytest.fixture
def hooks(monkeypatch):
    monkeypatch.setenv("TRACKER_WEBHOOK_SECRET", SECRET)
    with WebhookSink() as sink:
        yield sink


def tracker(db_path, archive, *args):
    extra = ["--rate-limit", "1000", "--archive-dir", str(archive)] if args[0] in ("sync",) or args[:2] == ("watch", "run") else []
    result = CliRunner().invoke(cli, ["--db", db_path, "--quiet", *args, *extra], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


def feed(db_path, name, host=None):
    ds = make_datasette(db_path)
    headers = {"host": host} if host else {}
    response = asyncio.new_event_loop().run_until_complete(ds.client.get(f"/-/watch/{name}.atom", headers=headers))
    if response.status_code != 200:
        return response.status_code, []
    root = ElementTree.fromstring(response.content)
    return 200, [{"id": e.find(ATOM + "id").text, "title": e.find(ATOM + "title").text,
                  "link": e.find(ATOM + "link").get("href")} for e in root.findall(ATOM + "entry")]


def table_amendment_naming_hikvision(api):
    amendments = api.bills["amendments"][REPORT]
    model = next(a for a in amendments if a["marshalledListText"] == "4")  # Florence Eshalomi and Angela Rayner's
    text = "After Clause 12, insert— surveillance cameras made by Hikvision must be removed from sensitive central government sites."
    new = copy.deepcopy(model)
    new.update({"amendmentId": 10001999, "id": 1999, "marshalledListText": "7", "decision": "NoDecision",
                "summaryText": [text], "amendmentLines": [{"text": text, "indentation": 0, "isImage": False}],
                "explanatoryText": None, "sponsors": [s for s in model["sponsors"] if s["name"] == "Florence Eshalomi"]})
    amendments.append(new)
    next(a for a in amendments if a["marshalledListText"] == "5")["decision"] = "Withdrawn"  # Sir Edward Leigh's
    api.bills["bills"]["3159"]["lastUpdate"] = "2023-10-27T09:00:00"


def test_done_when(upstream, mail, hooks, tmp_path):
    db_path, archive = str(tmp_path / "tracker.db"), tmp_path / "archive"
    tracker(db_path, archive, "sync", "--bill", "3159", "--members", "--hansard", "--divisions", "--questions", "--term", "Hikvision")
    tracker(db_path, archive, "tag")
    tracker(db_path, archive, "watch", "add", "hikvision", "--supplier", "Hikvision", "--email", "staff@example.org")
    tracker(db_path, archive, "watch", "add", "procurement-bill", "--bill", "3159", "--webhook", hooks.url)
    tracker(db_path, archive, "watch", "add", "eshalomi", "--member", "Florence Eshalomi", "--atom")

    # a run before anything changes upstream: every source the bill was synced with, and nothing to tell
    upstream.requests.clear()
    quiet = tracker(db_path, archive, "watch", "run", "--once")
    assert "0 changes; 0 events; 0 messages delivered; 0 failures" in quiet.stdout
    asked = {r["path"].split("/")[1] for r in upstream.requests}
    assert asked == {"bills", "members", "commonsvotes", "lordsvotes", "questions"}  # Hansard's days are complete: not asked again
    assert store.open_db(db_path).execute("SELECT sources FROM sync_runs ORDER BY id DESC").fetchone()[0] == \
        "bills,members,hansard,divisions,questions"
    assert any("searchTerm=Hikvision" in r["query"] for r in upstream.requests if r["path"].startswith("/questions/"))

    table_amendment_naming_hikvision(upstream.api)
    changed = tracker(db_path, archive, "watch", "run", "--once")
    assert "4 events; 3 messages delivered; 0 failures" in changed.stdout

    # Hikvision by email: the new amendment names it (the decision changed on an amendment that does not)
    [message] = mail.messages
    assert message["Subject"] == "[hikvision] Amendment 7 (Report stage, Commons) tabled"
    assert "<mark>Hikvision</mark>" in message.get_body(("html",)).get_content()
    assert f"{SITE}/-/amendment/10001999" in message.get_body(("plain",)).get_content()
    # the bill by webhook: both events, signed
    payloads = hooks.verified(SECRET)
    assert sorted((p["kind"], p["record"]["id"]) for p in payloads) == [
        ("amendment_tabled", "10001999"), ("decision_changed", "10001754")]
    assert all(r["headers"]["X-Tracker-Event"] == p["event_id"] for r, p in zip(hooks.received, payloads))
    # the member by Atom: her new amendment, with an id that does not depend on the host
    status, entries = feed(db_path, "eshalomi")
    assert status == 200
    [entry] = entries
    assert entry["title"] == "Amendment 7 (Report stage, Commons) tabled"
    assert entry["id"].startswith("urn:uuid:") and entry["link"].endswith("/-/amendment/10001999")
    assert [e["id"] for e in feed(db_path, "eshalomi", host="tracker.example.org:8443")[1]] == [entry["id"]]
    assert feed(db_path, "hikvision")[0] == 404  # no --atom
    assert feed(db_path, "nobody")[0] == 404

    again = tracker(db_path, archive, "watch", "run", "--once")
    assert "0 events; 0 messages delivered; 0 failures" in again.stdout
    assert (len(mail.messages), len(hooks.received), len(feed(db_path, "eshalomi")[1])) == (1, 2, 1)
    db = store.open_db(db_path)
    statuses = [(r["status"], r["channel"]) for r in db.query("SELECT status, channel FROM alert_deliveries ORDER BY channel")]
    assert statuses == [("delivered", "atom"), ("delivered", "email"), ("delivered", "webhook"), ("delivered", "webhook")]
    assert secret_columns(db_path) == []  # tracker serve still serves it
