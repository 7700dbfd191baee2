"""Values the client does not expect: each is one line for its unit, and the run goes on with the others."""
import pytest

from conftest import NO_WAIT
from fakes import SampleApi
from scrapers.errors import TrackerError
from tracker import store
from tracker.sync import run_sync
from tracker.sync.bills import bills_steps
from tracker.sync.divisions import divisions_steps
from tracker.sync.hansard import hansard_step


def sync(db, tmp_path, steps, **kwargs):
    return run_sync(db, steps, sources="test", archive_dir=str(tmp_path / "archive"), rate_limit=0,
                    client_options={**NO_WAIT, "max_retries": 1}, **kwargs)


def status(db, run):
    return db.execute("SELECT status FROM sync_runs WHERE id = ?", [run.run_id]).fetchone()[0]


def test_an_id_beyond_64_bits_is_one_line_and_the_other_stages_load(db, local_api, tmp_path):
    local_api.api.bills["amendments"]["15004"][0]["amendmentId"] = 10**30
    run = sync(db, tmp_path, [*bills_steps(bill_ids=[3159])])
    (error,) = run.errors
    assert "cannot hold" in str(error) and str(10**30) in str(error) and "\n" not in str(error)
    assert error.url and error.url.endswith(f"/Amendments/{10**30}")
    assert status(db, run) == "partial"
    assert db["amendments"].count_where("bill_stage_id = 15003") == 25 and db["pingpong_items"].count == 2


def test_the_store_turns_an_overflow_into_a_tracker_error_and_writes_nothing(db):
    with pytest.raises(TrackerError, match="cannot hold") as raised:
        with store.transaction(db):
            store.upsert(db, "bills", {"bill_id": 1, "short_title": "A"}, run_id=None)
            store.upsert(db, "bills", {"bill_id": 10**30, "short_title": "B", "source_url": "http://x/1"}, run_id=None)
    assert raised.value.record == str(10**30) and raised.value.url == "http://x/1"
    assert db["bills"].count == 0


def test_a_debate_item_of_the_wrong_type_is_one_line_and_the_other_steps_run(db, serve_sample, tmp_path):
    server = serve_sample(SampleApi())
    debate = server.api.parliament["debates"][1]
    debate["Items"].insert(1, "not an item")
    run = sync(db, tmp_path, [*bills_steps(bill_ids=[3159]), hansard_step(), *divisions_steps()])
    lines = [str(e) for e in run.errors]
    assert len(lines) == 1 and lines[0].startswith("Hansard API: record " + debate["Overview"]["ExtId"])
    assert status(db, run) == "partial"
    assert db["divisions"].count == 7  # the step after it ran
    assert db["debates"].count == 7

