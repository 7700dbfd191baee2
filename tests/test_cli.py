"""The command line: thin commands, one-line errors, exit codes."""
import json

import pytest
from click.testing import CliRunner

from tracker import store
from tracker.cli import cli


@pytest.fixture
def runner():
    return CliRunner()


def invoke(runner, db_path, *args):
    return runner.invoke(cli, ["--db", db_path, "--quiet", *args], catch_exceptions=False)


def test_every_command_has_help(runner):
    result = runner.invoke(cli, ["--help"])
    assert result.exit_code == 0
    commands = [line.split()[0] for line in result.output.split("Commands:")[1].splitlines() if line.strip()]
    assert {"sync", "demo", "serve", "status"} <= set(commands)
    for command in commands:
        sub = runner.invoke(cli, [command, "--help"])
        assert sub.exit_code == 0 and "Usage:" in sub.output, command


def test_sync_then_status(runner, db_path, local_api, tmp_path):
    result = invoke(runner, db_path, "sync", "--bill", "3159", "--rate-limit", "1000", "--archive-dir", str(tmp_path / "a"))
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("sync run 1: ok;")
    assert "0 removed" in result.output and "added" in result.output
    again = invoke(runner, db_path, "sync", "--bill", "3159", "--rate-limit", "1000", "--archive-dir", str(tmp_path / "a"))
    assert "0 added, 0 changed, 0 removed" in again.output
    assert "unchanged since last sync" in again.output
    status = invoke(runner, db_path, "status")
    assert "amendments" in status.output and " 27" in status.output
    report = json.loads(invoke(runner, db_path, "status", "--json").output)
    assert report["counts"]["amendments"] == 27
    assert [r["status"] for r in report["runs"] if r["sources"] == "bills"] == ["ok", "ok"]


def test_a_sync_tags_what_it_brought_in(runner, db_path, local_api, tmp_path):
    result = invoke(runner, db_path, "sync", "--bill", "3159", "--rate-limit", "1000", "--archive-dir", str(tmp_path / "a"))
    assert result.exit_code == 0, result.output
    assert store.open_db(db_path)["mentions"].count > 0
    untagged = str(tmp_path / "untagged.db")
    result = invoke(runner, untagged, "sync", "--bill", "3159", "--no-tag", "--rate-limit", "1000", "--archive-dir", str(tmp_path / "b"))
    assert "next: `tracker tag`" in result.output
    assert store.open_db(untagged)["mentions"].count == 0


def test_retries_show_on_the_progress_display(capsys):
    from tracker.cli.common import Progress

    Progress(enabled=True).retrying(4.2, 2, 5, "https://bills-api.parliament.uk/api/v1/Bills/3159")
    Progress(enabled=False).retrying(4.2, 3, 5, "https://bills-api.parliament.uk/api/v1/Bills/3159")
    assert capsys.readouterr().err == "retrying in 4 s, 2 of 5\n"


def test_unknown_bill_is_one_line_and_non_zero(runner, db_path, local_api, tmp_path):
    result = runner.invoke(cli, ["--db", db_path, "sync", "--bill", "424242", "--archive-dir", str(tmp_path)])
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert lines == [f"Error: Bills API: not found (HTTP 404) ({local_api.url('bills')}/api/v1/Bills/424242)"]
    run = store.open_db(db_path)["sync_runs"].get(1)
    assert run["status"] == "failed"


def test_network_down_is_one_line(runner, db_path, monkeypatch, tmp_path):
    monkeypatch.setenv("TRACKER_BILLS_API_URL", "http://127.0.0.1:9")
    monkeypatch.setattr("scrapers.http.time.sleep", lambda s: None)
    result = runner.invoke(cli, ["--db", db_path, "sync", "--bill", "3159", "--archive-dir", str(tmp_path)])
    assert result.exit_code == 1
    assert result.stderr.strip() == "Error: Bills API: connection failed after 6 attempts (http://127.0.0.1:9/api/v1/Bills/3159)"


def test_replay_missing_url_is_one_line(runner, db_path, local_api, tmp_path):
    invoke(runner, db_path, "sync", "--bill", "3159", "--rate-limit", "1000", "--archive-dir", str(tmp_path / "a"))
    [warc] = (tmp_path / "a").glob("*.warc.gz")
    result = runner.invoke(cli, ["--db", db_path, "sync", "--bill", "1", "--replay", str(warc)])
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines()[-1] == f"Error: Bills API: not in the replay archive ({local_api.url('bills')}/api/v1/Bills/1)"


def test_sync_needs_something_to_do(runner, db_path):
    result = runner.invoke(cli, ["--db", db_path, "sync"])
    assert result.exit_code == 2 and "--bill" in result.output


def test_not_a_database_is_one_line(runner, tmp_path):
    bogus = tmp_path / "notes.db"
    bogus.write_text("these are not the droids")
    result = runner.invoke(cli, ["--db", str(bogus), "status"])
    assert result.exit_code == 1
    assert result.output.strip().startswith(f"Error: database {bogus}:")


def test_db_option_may_follow_any_command(runner, tmp_path):
    db_path = str(tmp_path / "after.db")
    store.open_db(db_path).close()
    result = runner.invoke(cli, ["status", "--json", "--db", db_path])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["counts"]["amendments"] == 0
    for command in ("sync", "demo", "serve", "status", "tag", "members"):
        assert "--db" in runner.invoke(cli, [command, "--help"]).output, command


@pytest.mark.parametrize("command", ["status", "serve"])
def test_reading_commands_never_create_a_database(runner, tmp_path, command):
    missing = tmp_path / "tracker.db"
    result = runner.invoke(cli, ["--db", str(missing), command])
    assert result.exit_code == 1
    assert result.output.strip() == f"Error: no database at {missing}: run `tracker demo` or `tracker sync` first"
    assert not missing.exists()
