"""Removals only on evidence: an empty, short or sharply shrunk upstream answer removes nothing.

Each test syncs the sample, then makes one listing answer empty (or short) while the
records' own URLs still answer, as a faulty upstream does, and checks that nothing
is marked removed, that the run ends ``partial`` and that the error is one line
naming the source.
"""
import json

import pytest

from conftest import NO_WAIT
from fakes import SampleApi
from tracker.sync import run_sync
from tracker.sync.bills import bills_steps
from tracker.sync.divisions import divisions_steps
from tracker.sync.hansard import hansard_step
from tracker.sync.legislation import legislation_step
from tracker.sync.versions import versions_step

JSON = {"Content-Type": "application/json"}


def sync(db, tmp_path, steps, **kwargs):
    return run_sync(db, steps, sources="test", archive_dir=str(tmp_path / "archive"), rate_limit=0,
                    client_options={**NO_WAIT, "max_retries": 1}, **kwargs)


def removed(db, run_id):
    return db.execute("SELECT table_name, record_id FROM changes WHERE sync_run_id = ? AND kind = 'removed'", [run_id]).fetchall()


def live(db, table):
    return db.execute(f"SELECT count(*) FROM [{table}] WHERE removed_at IS NULL").fetchone()[0]


def status(db, run):
    return db.execute("SELECT status FROM sync_runs WHERE id = ?", [run.run_id]).fetchone()[0]


def answer_empty(server, path_pattern, body):
    server.fail(path_pattern, 200, times=None, headers=JSON, body=json.dumps(body))


def assert_suspect(db, run, source, table):
    assert removed(db, run.run_id) == []
    assert status(db, run) == "partial"
    lines = [str(e) for e in run.errors if "suspect" in str(e)]
    assert lines and all(line.startswith(source) and "\n" not in line for line in lines)


@pytest.fixture
def parliament(serve_sample):
    return serve_sample(SampleApi())


def test_empty_amendments_listing_while_last_update_moved_removes_nothing(db, local_api, tmp_path):
    sync(db, tmp_path, [*bills_steps(bill_ids=[3159])])
    before = live(db, "amendments")
    local_api.api.bills["bills"]["3159"]["lastUpdate"] = "2023-11-01T09:00:00"
    answer_empty(local_api, r"/Stages/15003/Amendments$", {"items": [], "totalResults": 0, "itemsPerPage": 20})
    run = sync(db, tmp_path, [*bills_steps(bill_ids=[3159])])
    assert live(db, "amendments") == before == 27
    assert_suspect(db, run, "Bills API", "amendments")


def test_amendments_listing_cut_short_of_its_total_is_an_error_and_removes_nothing(db, local_api, tmp_path):
    sync(db, tmp_path, [*bills_steps(bill_ids=[3159])])
    answer_empty(local_api, r"/Stages/15003/Amendments$", {"items": [], "totalResults": 25, "itemsPerPage": 20})
    run = sync(db, tmp_path, [*bills_steps(bill_ids=[3159])], full=True)
    assert removed(db, run.run_id) == [] and status(db, run) == "partial"
    assert any("ended at 0 of the 25" in str(e) for e in run.errors)


def test_empty_pingpong_listing_removes_nothing(db, local_api, tmp_path):
    sync(db, tmp_path, [*bills_steps(bill_ids=[3159])])
    answer_empty(local_api, r"/PingPongItems$", {"items": [], "totalResults": 0, "itemsPerPage": 20})
    run = sync(db, tmp_path, [*bills_steps(bill_ids=[3159])], full=True)
    assert live(db, "pingpong_items") == 2
    assert_suspect(db, run, "Bills API", "pingpong_items")


def test_an_amendment_whose_own_url_answers_410_is_removed(db, local_api, tmp_path):
    sync(db, tmp_path, [*bills_steps(bill_ids=[3159])])
    gone = local_api.api.bills["amendments"]["15003"][-1]["amendmentId"]
    local_api.fail(rf"/Amendments/{gone}$", 410, times=None)
    local_api.api.bills["amendments"]["15003"].pop()
    run = sync(db, tmp_path, [*bills_steps(bill_ids=[3159])], full=True)
    assert removed(db, run.run_id) == [("amendments", str(gone))] and run.errors == []


def test_an_unlisted_amendment_whose_own_url_still_answers_is_kept(db, local_api, tmp_path):
    sync(db, tmp_path, [*bills_steps(bill_ids=[3159])])
    listing = local_api.api.bills["amendments"]["15003"]
    kept = listing[-1]
    items = [{k: v for k, v in a.items()} for a in listing[:-1]]
    answer_empty(local_api, r"/Stages/15003/Amendments$", {"items": items, "totalResults": len(items), "itemsPerPage": 50})
    run = sync(db, tmp_path, [*bills_steps(bill_ids=[3159])], full=True)
    assert removed(db, run.run_id) == []
    assert db["amendments"].get(kept["amendmentId"])["removed_at"] is None
    assert any("still answer" in str(e) for e in run.errors)


def test_empty_stages_listing_removes_no_stage_and_keeps_the_speech_links(db, parliament, tmp_path):
    steps = [*bills_steps(bill_ids=[3159]), hansard_step()]
    sync(db, tmp_path, steps)
    links = db["contribution_amendments"].count
    stages = live(db, "bill_stages")
    assert links and stages
    parliament.api.bills["bills"]["3159"]["lastUpdate"] = "2023-11-01T09:00:00"
    answer_empty(parliament, r"/Bills/3159/Stages$", {"items": [], "totalResults": 0, "itemsPerPage": 20})
    run = sync(db, tmp_path, steps)
    assert live(db, "bill_stages") == stages
    assert db["contribution_amendments"].count == links
    assert_suspect(db, run, "Bills API", "bill_stages")


def test_empty_hansard_and_divisions_searches_remove_nothing(db, parliament, tmp_path):
    steps = [*bills_steps(bill_ids=[3159]), hansard_step(), *divisions_steps()]
    sync(db, tmp_path, steps)
    debates, divisions = live(db, "debates"), live(db, "divisions")
    answer_empty(parliament, r"/search/debates\.json$", {"Results": [], "TotalResultCount": 0})
    parliament.fail(r"/data/divisions\.json/search$|/data/Divisions/search$", 200, times=None, headers=JSON, body="[]")
    run = sync(db, tmp_path, steps, full=True)
    assert (live(db, "debates"), live(db, "divisions")) == (debates, divisions)
    assert removed(db, run.run_id) == []
    assert status(db, run) == "partial"
    sources = {str(e).split(":")[0] for e in run.errors}
    assert {"Hansard API", "Commons Votes API", "Lords Votes API"} <= sources


def test_a_debate_answering_without_its_speeches_removes_none_of_them(db, parliament, tmp_path):
    steps = [*bills_steps(bill_ids=[3159]), hansard_step()]
    sync(db, tmp_path, steps)
    debate = parliament.api.parliament["debates"][1]
    ext_id = debate["Overview"]["ExtId"]
    said = db.execute("SELECT count(*) FROM contributions WHERE debate_id = ?", [ext_id]).fetchone()[0]
    assert said > 1
    debate["Items"] = []
    run = sync(db, tmp_path, steps, full=True)
    assert db.execute("SELECT count(*) FROM contributions WHERE debate_id = ? AND removed_at IS NULL", [ext_id]).fetchone()[0] == said
    assert_suspect(db, run, "Hansard API", "contributions")


def test_an_act_answering_without_sections_removes_no_clause(db, local_api, tmp_path):
    steps = [*bills_steps(bill_ids=[3159]), legislation_step(3159, "ukpga/2023/54")]
    sync(db, tmp_path, steps)
    clauses = live(db, "bill_clauses")
    assert clauses > 2
    empty = b'<Legislation xmlns="http://www.legislation.gov.uk/namespaces/legislation"><Primary><Body/></Primary></Legislation>'
    local_api.fail(r"/ukpga/2023/54/data\.xml$", 200, times=None, headers={"Content-Type": "application/xml"}, body=empty)
    run = sync(db, tmp_path, steps)
    assert live(db, "bill_clauses") == clauses
    assert_suspect(db, run, "legislation.gov.uk", "bill_clauses")


def test_an_empty_publications_listing_removes_no_version(db, parliament, tmp_path):
    steps = [*bills_steps(bill_ids=[3159]), versions_step()]
    sync(db, tmp_path, steps)
    publications, versions = live(db, "publications"), live(db, "bill_versions")
    assert publications and versions
    answer_empty(parliament, r"/Bills/3159/Publications$", {"billId": 3159, "publications": []})
    run = sync(db, tmp_path, steps, full=True)
    assert (live(db, "publications"), live(db, "bill_versions")) == (publications, versions)
    assert removed(db, run.run_id) == [] and status(db, run) == "partial"

