"""The demo: the sync of the bundled sample, recorded in the package, replayed through the real client."""
import gzip
import os
import shutil

from click.testing import CliRunner

from fakes import SAMPLE_DIR, SampleApi, load_sample
from fakes.record import main as make_sample
from fakes.record import record_demo, recorded_responses
from scrapers.http import BASE_URL_DEFAULTS
from tracker import store
from tracker.cli import cli
from tracker.sync import AS_OF_KEY, run_sync
from tracker.sync.demo import SAMPLE_ACT, SAMPLE_ARCHIVE, SAMPLE_BILL, demo_steps


def invoke(*args):
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


def test_demo_builds_the_database_and_runs_again_unchanged(tmp_path):
    db_path = str(tmp_path / "demo.db")
    invoke("--db", db_path, "demo", "--no-serve")
    db = store.open_db(db_path)
    content = load_sample("bills_api.json")
    bill = db["bills"].get(SAMPLE_BILL)
    assert (bill["short_title"], bill["former_short_title"]) == ("Procurement Act 2023", "Procurement Bill [HL]")
    assert bill["source_url"] == "https://bills-api.parliament.uk/api/v1/Bills/3159"  # the real service's URL, replayed
    assert db["bill_stages"].count == len(content["stages"]["3159"]) >= 8
    assert db["amendments"].count == sum(len(v) for v in content["amendments"].values()) >= 60
    assert db["pingpong_items"].count == sum(len(v) for v in content["pingpong"].values())
    assert db.execute("SELECT count(DISTINCT bill_stage_id) FROM amendments").fetchone()[0] >= 4
    assert db.execute("SELECT count(DISTINCT decision) FROM amendments").fetchone()[0] >= 8
    assert db["bill_clauses"].count >= 5
    assert db["debates"].count and db["divisions"].count and db["written_questions"].count
    assert db["mentions"].count > 0  # the demo tags
    orphans = db.execute("SELECT count(*) FROM amendment_sponsors s LEFT JOIN members m USING (member_id) WHERE m.member_id IS NULL").fetchone()[0]
    assert orphans == 0
    assert not (tmp_path / "archive").exists()  # a replay writes no archive of its own
    # a second demo run replays the requests a rerun makes and changes nothing
    invoke("--db", db_path, "demo", "--no-serve")
    last = db.execute("SELECT max(id) FROM sync_runs").fetchone()[0]
    assert db.execute("SELECT status FROM sync_runs WHERE id = ?", [last]).fetchone()[0] == "ok"
    assert db["changes"].count_where("sync_run_id = ?", [last]) == 0


def test_the_packaged_archive_replays_with_tracker_sync_too(tmp_path):
    demo_path, synced_path = str(tmp_path / "demo.db"), str(tmp_path / "synced.db")
    invoke("--db", demo_path, "--quiet", "demo", "--no-serve")
    invoke("--db", synced_path, "--quiet", "sync", "--bill", str(SAMPLE_BILL), "--act", SAMPLE_ACT, "--replay", str(SAMPLE_ARCHIVE))
    demo, synced = store.open_db(demo_path), store.open_db(synced_path)
    for sql in ("SELECT amendment_id, number, decision, text, sponsors FROM amendments ORDER BY amendment_id",
                "SELECT clause_id, text FROM bill_clauses ORDER BY 1"):
        assert list(synced.query(sql)) == list(demo.query(sql))


# Columns that say when something happened or in which run, not what was found.
RUN_COLUMNS = {"first_seen", "last_seen", "sync_run_id"}
# The live client's conditional-request cache: a replay asks nothing conditionally, so it stays empty.
LIVE_ONLY_TABLES = {"http_cache"}
# Where a run's responses went: a live run writes its own archive, a replay none.
LIVE_ONLY_COLUMNS = {("sync_runs", "archive_path")}


def _tables(db, roots):
    """Every table's rows, sorted, without timestamps and run ids, with ``roots``' URLs as the real services'."""

    def cell(value):
        if isinstance(value, str):
            for local, real in roots.items():
                value = value.replace(local, real)
        return value

    out = {}
    for (table,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").fetchall():
        if table in LIVE_ONLY_TABLES:
            continue
        columns = [row[1] for row in db.execute(f"PRAGMA table_info([{table}])").fetchall()]
        kept = [c for c in columns if not (c.endswith("_at") or c in RUN_COLUMNS or (table, c) in LIVE_ONLY_COLUMNS)]
        rows = db.execute(f"SELECT {', '.join(f'[{c}]' for c in kept)} FROM [{table}]").fetchall()
        out[table] = sorted((tuple(cell(v) for v in row) for row in rows), key=repr)
    return out


def test_the_replayed_demo_equals_the_live_sync_of_the_fake_table_by_table(serve_sample, tmp_path):
    """What the demo was before the sample shipped as a WARC: its sync run live against the fake services."""
    server = serve_sample(SampleApi())
    live_path = str(tmp_path / "live.db")
    live = store.open_db(live_path)
    run = run_sync(live, demo_steps(), sources="demo sample", archive_dir=str(tmp_path / "archive"), rate_limit=0)
    assert run.errors == []
    invoke("--db", live_path, "--quiet", "tag")
    invoke("--db", live_path, "--quiet", "positions", "derive")
    # TRACKER_*_URL point at the local server: the demo replays the real services' URLs all the same
    demo_path = str(tmp_path / "demo.db")
    invoke("--db", demo_path, "--quiet", "demo", "--no-serve")
    assert os.environ[BASE_URL_DEFAULTS["bills"][0]] == server.url("bills")  # and gives the setting back
    roots = {server.url(service): real for service, (_, real) in BASE_URL_DEFAULTS.items()}
    expected, replayed = _tables(live, roots), _tables(store.open_db(demo_path), {})
    # Only the demo says it holds the bundled sample (the site shows its banner); a sync does not.
    marker = [row for row in replayed["sync_state"] if row[0] == store.runs.DATASET_KEY]
    assert marker and marker[0][1] == store.runs.SAMPLE
    assert not [row for row in expected["sync_state"] if row[0] == store.runs.DATASET_KEY]
    replayed["sync_state"] = [row for row in replayed["sync_state"] if row not in marker]
    assert list(replayed) == list(expected)
    # when the data was fetched differs, by design: the archive's date, not the live run's
    for tables in (expected, replayed):
        tables["sync_state"] = [row for row in tables["sync_state"] if row[0] != AS_OF_KEY]
    for table in expected:
        assert replayed[table] == expected[table], table
    assert expected["mentions"] and expected["contributions"] and expected["division_votes"]


def test_the_packaged_archive_is_the_record_of_the_sample_as_it_is(tmp_path):
    """`make sample` rebuilds the archive from the sample's JSON; rebuilt now, it is the same, byte for byte."""
    rebuilt = tmp_path / "demo.warc.gz"
    record_demo(rebuilt)
    packaged, fresh = recorded_responses(SAMPLE_ARCHIVE), recorded_responses(rebuilt)
    stale = sorted(url for url in packaged.keys() | fresh.keys() if packaged.get(url) != fresh.get(url))
    assert not stale, f"tracker/sample/demo.warc.gz is out of date with the sample: run `make sample` ({len(stale)} responses differ, e.g. {stale[0]})"
    assert gzip.decompress(SAMPLE_ARCHIVE.read_bytes()) == gzip.decompress(rebuilt.read_bytes())


def test_make_sample_writes_nothing_when_the_sync_fails(tmp_path, monkeypatch, capsys):
    without_the_act = tmp_path / "sample"
    shutil.copytree(SAMPLE_DIR, without_the_act, ignore=shutil.ignore_patterns("*.xml"))
    monkeypatch.setattr("fakes.sampleapi.SAMPLE_DIR", without_the_act)
    (tmp_path / "out").mkdir()
    assert make_sample([str(tmp_path / "out" / "demo.warc.gz")]) == 1
    assert list((tmp_path / "out").iterdir()) == []  # neither the archive nor a part of it
    [line] = capsys.readouterr().err.strip().splitlines()
    assert line.startswith("Error: legislation.gov.uk: not found (HTTP 404) (http://127.0.0.1:")


def test_a_demo_whose_archive_is_missing_fails_in_one_line(tmp_path, monkeypatch):
    monkeypatch.setattr("tracker.sync.demo.SAMPLE_ARCHIVE", tmp_path / "gone.warc.gz")
    result = CliRunner().invoke(cli, ["--db", str(tmp_path / "demo.db"), "--quiet", "demo", "--no-serve"])
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [f"Error: replay: cannot read replay archive: No such file or directory ({tmp_path / 'gone.warc.gz'})"]
