"""Syncing a bill from a local server that honours the Bills API contract."""
import glob
import json

import pytest

from conftest import NO_WAIT
from scrapers.errors import TrackerError
from tracker import store
from tracker.sync import run_sync
from tracker.sync.bills import bills_steps


def sync(db, bill_ids=(3159,), search_terms=(), **kwargs):
    kwargs.setdefault("client_options", NO_WAIT)
    kwargs.setdefault("rate_limit", 0)
    return run_sync(db, [*bills_steps(bill_ids=bill_ids, search_terms=search_terms)], sources="bills", **kwargs)


def content(db, table):
    """Every row of ``table`` without the bookkeeping that moves on each run."""
    pk = db[table].pks
    rows = db.execute(f"SELECT * FROM [{table}] ORDER BY {', '.join(pk)}")
    names = [d[0] for d in rows.description]
    return [{k: v for k, v in zip(names, r) if k not in ("last_seen", "sync_run_id")} for r in rows]


def changes(db, run_id):
    return [dict(r) for r in db.query("SELECT table_name, record_id, kind, changed_fields FROM changes WHERE sync_run_id = ? ORDER BY id", [run_id])]


def test_first_sync_loads_everything_exactly(db, local_api, tmp_path):
    run = sync(db, archive_dir=str(tmp_path / "archive"))
    assert db["bills"].get(3159)["short_title"] == "Procurement Bill [HL]"
    assert db["bill_stages"].count == 4
    assert db["amendments"].count == 27
    assert db["pingpong_items"].count == 2
    nc1 = db["amendments"].get(10010001)
    assert nc1["number"] == "NC1" and nc1["bill_stage_id"] == 15003 and nc1["decision"] == "Withdrawn"
    assert nc1["source_url"] == local_api.url("bills") + "/api/v1/Bills/3159/Stages/15003/Amendments/10010001"
    assert nc1["first_seen"] and nc1["removed_at"] is None
    sponsors = list(db.query("SELECT member_id, is_lead, sort_order FROM amendment_sponsors WHERE amendment_id = 10010001 ORDER BY sort_order"))
    assert sponsors == [{"member_id": 738, "is_lead": 1, "sort_order": 0}, {"member_id": 4331, "is_lead": 0, "sort_order": 1}]
    assert db["members"].get(738)["name"] == "Lord Alton of Liverpool"
    stage = db["bill_stages"].get(15003)
    assert (stage["first_sitting"], stage["last_sitting"]) == ("2022-10-13", "2022-10-24")
    # paging: the committee stage's 25 amendments came in two pages of the API's Skip/Take
    listing = [p for p in local_api.requests if p["path"].endswith("/Stages/15003/Amendments")]
    assert [r["query"] for r in listing] == ["Skip=0&Take=20", "Skip=20&Take=20"]
    # ping-pong only where the stage is between the Houses
    assert any(p.endswith("/Stages/17001/PingPongItems") for p in local_api.paths())
    assert not any(p.endswith("/Stages/15003/PingPongItems") for p in local_api.paths())
    runs = db["sync_runs"].get(run.run_id)
    assert runs["status"] == "ok" and runs["requests"] == len(local_api.requests) and runs["bytes"] > 0
    assert runs["archive_path"].startswith(str(tmp_path / "archive"))
    added = changes(db, run.run_id)
    assert {c["kind"] for c in added} == {"added"}
    assert sum(1 for c in added if c["table_name"] == "amendments") == 27


def test_second_unchanged_run_writes_nothing(db, local_api, tmp_path):
    sync(db, archive_dir=str(tmp_path))
    before = {t: content(db, t) for t in ("bills", "bill_stages", "amendments", "pingpong_items", "amendment_sponsors", "members")}
    second = sync(db, archive_dir=str(tmp_path), full=True)
    assert changes(db, second.run_id) == []
    assert {t: content(db, t) for t in before} == before


def test_unchanged_last_update_skips_stages(db, local_api, tmp_path):
    sync(db, archive_dir=str(tmp_path))
    local_api.requests.clear()
    run = sync(db, archive_dir=str(tmp_path))
    assert local_api.paths() == ["/api/v1/Bills/3159"]
    assert db["sync_runs"].get(run.run_id)["requests"] == 1
    assert any("unchanged since last sync" in m for m in run.messages)


def test_changed_decision_and_new_amendment_are_exactly_the_changes(db, local_api, tmp_path, small_bill):
    sync(db, archive_dir=str(tmp_path))
    sync(db, archive_dir=str(tmp_path))
    bills = local_api.api.bills
    bills["bills"]["3159"]["lastUpdate"] = "2023-10-27T09:00:00"
    target = bills["amendments"]["15004"][1]
    assert target["decision"] == "NotMoved"
    target["decision"] = "Agreed"
    new = json.loads(json.dumps(bills["amendments"]["15004"][0]))
    new.update({"amendmentId": 10020099, "id": 150099, "marshalledListText": "43", "decision": "NoDecision"})
    bills["amendments"]["15004"].append(new)
    third = sync(db, archive_dir=str(tmp_path))
    found = changes(db, third.run_id)
    assert found == [
        {"table_name": "bills", "record_id": "3159", "kind": "changed", "changed_fields": json.dumps({"last_update": ["2023-10-26T16:40:11.123", "2023-10-27T09:00:00"]}, separators=(",", ":"))},
        {"table_name": "amendments", "record_id": "10020002", "kind": "changed", "changed_fields": json.dumps({"decision": ["NotMoved", "Agreed"]}, separators=(",", ":"))},
        {"table_name": "amendments", "record_id": "10020099", "kind": "added", "changed_fields": None},
    ]
    assert db["amendments"].get(10020002)["decision"] == "Agreed"


def test_sponsor_added_and_amendment_removed_upstream(db, local_api, tmp_path):
    sync(db, archive_dir=str(tmp_path))
    bills = local_api.api.bills
    removed = bills["amendments"]["15003"].pop()
    first = bills["amendments"]["15004"][0]
    first["sponsors"].append({**first["sponsors"][0], "memberId": 738, "name": "Lord Alton of Liverpool", "isLead": False, "sortOrder": 1})
    run = sync(db, archive_dir=str(tmp_path), full=True)
    found = {(c["record_id"], c["kind"]): json.loads(c["changed_fields"]) for c in changes(db, run.run_id)}
    old, new = found[("10020001", "changed")]["sponsors"]
    assert (json.loads(old), json.loads(new)) == (["Baroness Neville-Rolfe"], ["Baroness Neville-Rolfe", "Lord Alton of Liverpool"])
    assert list(found[("10020001", "changed")]) == ["sponsors"]
    assert list(found[(str(removed["amendmentId"]), "removed")]) == ["removed_at"]
    assert len(found) == 2
    gone = db["amendments"].get(removed["amendmentId"])
    assert gone["removed_at"] is not None  # kept, never deleted
    assert db["amendment_sponsors"].count_where("amendment_id = 10020001") == 2
    # it comes back: restored, one change
    bills["amendments"]["15003"].append(removed)
    back = sync(db, archive_dir=str(tmp_path), full=True)
    assert [(c["record_id"], c["kind"]) for c in changes(db, back.run_id)] == [(str(removed["amendmentId"]), "restored")]
    assert db["amendments"].get(removed["amendmentId"])["removed_at"] is None


def test_search_term_finds_the_bill(db, local_api, tmp_path):
    sync(db, bill_ids=(), search_terms=("Procurement Bill",), archive_dir=str(tmp_path))
    assert db["bills"].count == 1 and db["amendments"].count == 27
    search = [r for r in local_api.requests if r["path"].endswith("/api/v1/Bills")]
    assert search[0]["query"] == "SearchTerm=Procurement+Bill&Skip=0&Take=20"


def test_429_and_500_are_retried_within_a_sync(db, local_api, tmp_path):
    local_api.fail(r"/Stages/15003/Amendments$", 429, headers={"Retry-After": "3"})
    local_api.fail(r"/Amendments/10010005$", 500)
    sleeps = []
    run = sync(db, archive_dir=str(tmp_path), client_options={"sleep": sleeps.append})
    assert db["amendments"].count == 27
    assert 3.0 in sleeps and len(sleeps) == 2
    assert db["sync_runs"].get(run.run_id)["status"] == "ok"


def test_replay_from_an_earlier_sync_rebuilds_the_same_database(db, local_api, tmp_path):
    sync(db, archive_dir=str(tmp_path / "archive"))
    [warc] = glob.glob(str(tmp_path / "archive" / "*.warc.gz"))
    local_api.httpserver.clear()  # nothing answers on the network any more
    replayed = store.open_db(str(tmp_path / "replayed.db"))
    run = sync(replayed, replay=[warc])
    for table in ("bills", "bill_stages", "amendments", "pingpong_items", "amendment_sponsors"):
        strip = lambda rows: [{k: v for k, v in r.items() if k not in ("first_seen", "removed_at")} for r in rows]
        assert strip(content(replayed, table)) == strip(content(db, table)), table
    assert replayed["sync_runs"].get(run.run_id)["archive_path"] is None


def test_interrupted_sync_leaves_whole_stages_and_resumes(db, local_api, tmp_path):
    # the report stage's amendments fail for good this run: the other stages are committed
    local_api.fail(r"/Stages/15004/Amendments$", 503, times=100)
    run = sync(db, archive_dir=str(tmp_path), client_options={"sleep": lambda s: None, "max_retries": 1})
    assert [str(e) for e in run.errors] == [f"Bills API: HTTP 503 after 2 attempts ({local_api.url('bills')}/api/v1/Bills/3159/Stages/15004/Amendments?Skip=0&Take=20)"]
    assert db["amendments"].count_where("bill_stage_id = 15003") == 25
    assert db["amendments"].count_where("bill_stage_id = 15004") == 0
    assert db["pingpong_items"].count == 2
    partial = db.execute("SELECT status, message FROM sync_runs ORDER BY id DESC LIMIT 1").fetchone()
    assert partial[0] == "partial" and "15004" in partial[1]
    assert store.get_state(db, "bills:3159:lastUpdate") is None  # not marked complete
    local_api.faults.clear()
    resumed = sync(db, archive_dir=str(tmp_path))
    assert db["amendments"].count == 27 and db["pingpong_items"].count == 2
    kinds = {(c["table_name"], c["kind"]) for c in changes(db, resumed.run_id)}
    assert kinds == {("amendments", "added")}  # only what was missing
    assert store.get_state(db, "bills:3159:lastUpdate") == "2023-10-26T16:40:11.123"


def test_failure_inside_a_stage_rolls_the_stage_back(db, local_api, tmp_path, monkeypatch):
    calls = {"n": 0}
    real_upsert = store.upsert

    def flaky_upsert(db_, table, row, **kwargs):
        if table == "amendments" and row["bill_stage_id"] == 15004:
            calls["n"] += 1
            if calls["n"] == 2:
                raise KeyboardInterrupt  # the user presses Ctrl-C mid-stage
        return real_upsert(db_, table, row, **kwargs)

    monkeypatch.setattr(store, "upsert", flaky_upsert)
    with pytest.raises(KeyboardInterrupt):
        sync(db, archive_dir=str(tmp_path))
    assert db["amendments"].count_where("bill_stage_id = 15004") == 0  # the first write of the stage was rolled back
    assert db.execute("SELECT status FROM sync_runs").fetchone()[0] == "failed"
    monkeypatch.setattr(store, "upsert", real_upsert)
    sync(db, archive_dir=str(tmp_path))
    assert db["amendments"].count == 27


def test_unknown_bill_is_a_clear_error(db, local_api, tmp_path):
    with pytest.raises(TrackerError) as error:
        sync(db, bill_ids=(999999,), archive_dir=str(tmp_path))
    assert str(error.value) == f"Bills API: not found (HTTP 404) ({local_api.url('bills')}/api/v1/Bills/999999)"


def test_one_failing_bill_leaves_the_others_and_a_partial_run(db, local_api, tmp_path):
    run = sync(db, bill_ids=(3159, 999999), archive_dir=str(tmp_path))
    assert db["amendments"].count == 27
    assert len(run.errors) == 1
    assert db["sync_runs"].get(run.run_id)["status"] == "partial"


def test_malformed_response_names_the_url(db, local_api, tmp_path):
    local_api.fail(r"/Bills/3159/Stages$", 200, body="{\"items\": 5}")
    with pytest.raises(TrackerError, match="malformed page") as error:
        sync(db, archive_dir=str(tmp_path))
    assert "/api/v1/Bills/3159/Stages?Skip=0&Take=20" in str(error.value)


def test_malformed_record_is_one_line_naming_it(db, local_api, tmp_path):
    del local_api.api.bills["stages"]["3159"][1]["id"]
    with pytest.raises(TrackerError) as error:
        sync(db, archive_dir=str(tmp_path))
    message = str(error.value)
    assert message.startswith("Bills API: record stage of bill 3159: malformed record (missing field 'id')")
    assert message.endswith("/api/v1/Bills/3159/Stages?Skip=0&Take=20)")
    assert db["bill_stages"].count == 0  # nothing half-written
