"""``tracker watch add|list|remove``: the contract, and bad targets refused in one line."""
import json

import pytest
from click.testing import CliRunner
from test_alerts_delivery import write_bill

from tracker import store
from tracker.alerts import watches
from tracker.cli import cli

PEERS = [
    (738, "Lord Alton of Liverpool", "Lords"),
    (4812, "Florence Eshalomi", "Commons"),
    (4021, "Chloe Smith", "Commons"),
    (1553, "Henry Smith", "Commons"),
]


@pytest.fixture
def db_path(tmp_path):
    """A database with a bill, its amendment 5 and four members, one with a former name."""
    path = str(tmp_path / "tracker.db")
    db = write_bill(store.open_db(path), *PEERS)
    with store.transaction(db):
        db.execute("INSERT INTO member_names (member_id, name, kind) VALUES (738, 'David Alton', 'former')")
    db.close()
    return path


def tracker(db_path, *args, env=None):
    result = CliRunner().invoke(cli, ["--db", db_path, *args], env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def one_error(result):
    assert result.exit_code == 1, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    return lines[0]


def test_add_list_remove(db_path):
    added = tracker(db_path, "watch", "add", "hikvision", "--supplier", "hikvision", "--email", "staff@example.org",
                    env={"TRACKER_WEBHOOK_SECRET": ""})
    assert added.exit_code == 0, added.output
    assert added.stdout.splitlines()[0] == "watch hikvision: supplier Hikvision (hikvision) → email staff@example.org"
    bill = tracker(db_path, "watch", "add", "procurement-bill", "--bill", "3159", "--webhook", "https://hooks.example.org/t",
                   "--events", "decision_changed,amendment_tabled", "--digest", "--secret-env", "HOOK_KEY", env={"HOOK_KEY": ""})
    assert bill.exit_code == 0
    assert bill.stderr.strip() == ("warning: webhook: HOOK_KEY is not set (in the environment or tracker.toml beside the"
                                   " database): webhooks are never sent unsigned")
    member = tracker(db_path, "watch", "add", "alton", "--member", "David Alton", "--atom")  # a former name
    assert "member Lord Alton of Liverpool (Lords) (738)" in member.stdout
    assert "feed: /-/watch/alton.atom" in member.stdout
    listed = json.loads(tracker(db_path, "watch", "list", "--json").stdout)
    assert [w["name"] for w in listed] == ["alton", "hikvision", "procurement-bill"]
    bill_watch = listed[2]
    assert bill_watch["target"] == {"kind": "bill", "id": "3159", "label": "Procurement Bill [HL]"}
    assert bill_watch["events"] == ["amendment_tabled", "decision_changed"]  # in the canonical order
    assert (bill_watch["digest"], bill_watch["webhook"], bill_watch["secret_env"]) == (True, ["https://hooks.example.org/t"], "HOOK_KEY")
    assert listed[1]["events"] == list(watches.TARGET_EVENTS["supplier"])
    text = tracker(db_path, "watch", "list").stdout
    assert "hikvision: supplier Hikvision (hikvision) → email staff@example.org; events: amendment_tabled" in text
    removed = tracker(db_path, "watch", "remove", "alton")
    assert removed.stdout.strip() == "watch alton removed"
    assert [w["name"] for w in json.loads(tracker(db_path, "watch", "list", "--json").stdout)] == ["hikvision", "procurement-bill"]
    assert one_error(tracker(db_path, "watch", "remove", "alton")) == "Error: watch: record alton: no such watch"


@pytest.mark.parametrize("args, error", [
    (["--bill", "999", "--atom"], "watch: record bill 999: not in the database (sync it first)"),
    (["--bill", "three", "--atom"], "watch: record bill three: not in the database (sync it first)"),
    (["--amendment", "1", "--atom"], "watch: record amendment 1: not in the database (sync it first)"),
    (["--member", "Smith", "--atom"], ("watch: record member 'Smith': 2 members have this name, give one id:"
                                       " Chloe Smith (Commons) = --member 4021; Henry Smith (Commons) = --member 1553")),
    (["--member", "Nobody Atall", "--atom"], "watch: record member 'Nobody Atall': no member of this name in the database"),
    (["--member", "42", "--atom"], "watch: record member 42: not in the database"),
    (["--supplier", "acme", "--atom"], "watch: record supplier acme: not in the suppliers registry (give its id, e.g. one of:"),
    (["--provision", "nope", "--atom"], "watch: record provision nope: not in the provisions registry (give its id, e.g. one of:"),
    (["--term", "x", "--atom"], "watch: record term 'x': a term needs at least two characters"),
    (["--bill", "3159", "--webhook", "ftp://example.org/hook"], "watch: record webhook 'ftp://example.org/hook': not an http or https URL"),
    (["--bill", "3159", "--webhook", "hooks.example.org"], "watch: record webhook 'hooks.example.org': not an http or https URL"),
    (["--bill", "3159", "--email", "staff at example"], "watch: record email 'staff at example': not an email address"),
    (["--bill", "3159", "--atom", "--events", "mention"], "watch: record events mention: a bill watch takes only amendment_tabled,"),
    (["--bill", "3159", "--atom", "--secret-env", "KEY"], "watch: record secret env 'KEY': --secret-env goes with --webhook"),
])
def test_a_bad_target_or_channel_is_one_line(db_path, args, error):
    line = one_error(tracker(db_path, "watch", "add", "w", *args))
    assert line.startswith("Error: " + error), line
    assert json.loads(tracker(db_path, "watch", "list", "--json").stdout) == []


def test_usage_errors(db_path):
    for args in (["--atom"], ["--bill", "3159", "--term", "CCTV", "--atom"], ["--bill", "3159"]):
        result = tracker(db_path, "watch", "add", "w", *args)
        assert result.exit_code == 2 and "Error:" in result.output
    assert tracker(db_path, "watch", "run").exit_code == 2
    assert tracker(db_path, "watch", "run", "--once", "--every", "15m").exit_code == 2
    assert one_error(tracker(db_path, "watch", "run", "--every", "soon")) == "Error: watch run: not an interval: 'soon' (e.g. 15m, 1h, 30s)"


def test_names_are_unique_and_well_formed(db_path):
    assert tracker(db_path, "watch", "add", "bill", "--bill", "3159", "--atom").exit_code == 0
    assert one_error(tracker(db_path, "watch", "add", "bill", "--term", "CCTV", "--atom")) == \
        "Error: watch: record bill: a watch of this name exists (names are unique)"
    assert one_error(tracker(db_path, "watch", "add", "a b", "--term", "CCTV", "--atom")).startswith("Error: watch: record 'a b': a watch name is")


def test_event_kinds_are_listed(db_path):
    out = tracker(db_path, "watch", "events").stdout
    assert all(kind in out for kind in watches.EVENT_KINDS)
    for group in ("watch", "alerts"):
        for command in tracker(db_path, group, "--help").stdout.split("Commands:")[1].split():
            if command in ("add", "list", "remove", "run", "events", "retry"):
                assert "Usage:" in tracker(db_path, group, command, "--help").stdout
