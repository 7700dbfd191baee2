"""The demo: the bundled sample through the real client, archive and parsers."""
import json

from click.testing import CliRunner

from tracker import store
from tracker.cli import cli
from tracker.sampleapi import load_sample


def test_demo_builds_the_database_and_replays(tmp_path):
    db_path = str(tmp_path / "demo.db")
    archive = tmp_path / "archive"
    result = CliRunner().invoke(cli, ["--db", db_path, "demo", "--no-serve", "--archive-dir", str(archive)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    db = store.open_db(db_path)
    content = load_sample("bills_api.json")
    expected_amendments = sum(len(v) for v in content["amendments"].values())
    bill = db["bills"].get(3159)
    assert (bill["short_title"], bill["former_short_title"]) == ("Procurement Act 2023", "Procurement Bill [HL]")
    assert db["bill_stages"].count == len(content["stages"]["3159"]) >= 8
    assert db["amendments"].count == expected_amendments >= 60
    assert db["pingpong_items"].count == sum(len(v) for v in content["pingpong"].values())
    assert db.execute("SELECT count(DISTINCT bill_stage_id) FROM amendments").fetchone()[0] >= 4
    assert db.execute("SELECT count(DISTINCT decision) FROM amendments").fetchone()[0] >= 8
    assert db["bill_clauses"].count >= 5
    # every sponsor is linked to a member row
    orphans = db.execute("SELECT count(*) FROM amendment_sponsors s LEFT JOIN members m USING (member_id) WHERE m.member_id IS NULL").fetchone()[0]
    assert orphans == 0
    [warc] = archive.glob("*.warc.gz")
    # the demo run's archive replays the Bills API sync into an identical database
    replay_path = str(tmp_path / "replayed.db")
    replay = CliRunner().invoke(cli, ["--db", replay_path, "--quiet", "sync", "--bill", "3159", "--act", "ukpga/2023/54", "--replay", str(warc)], catch_exceptions=False)
    assert replay.exit_code == 0, replay.output
    replayed = store.open_db(replay_path)
    query = "SELECT amendment_id, number, decision, text, sponsors FROM amendments ORDER BY amendment_id"
    assert list(replayed.query(query)) == list(db.query(query))
    assert list(replayed.query("SELECT clause_id, text FROM bill_clauses ORDER BY 1")) == list(db.query("SELECT clause_id, text FROM bill_clauses ORDER BY 1"))
    # a second demo run changes nothing
    again = CliRunner().invoke(cli, ["--db", db_path, "demo", "--no-serve", "--archive-dir", str(archive)], catch_exceptions=False)
    assert again.exit_code == 0
    last = db.execute("SELECT max(id) FROM sync_runs").fetchone()[0]
    assert db["changes"].count_where("sync_run_id = ?", [last]) == 0
