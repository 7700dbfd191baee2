"""Syncing members, debates, divisions and written questions against a local server
that speaks the real services' paths, parameters and paging (the bundled sample)."""
import json
import re

import pytest

from fakes import SampleApi
from scrapers import hansard as hansard_api
from scrapers import questions as questions_api
from scrapers import votes as votes_api
from tracker import store
from tracker.sync import run_sync
from tracker.sync.bills import bills_steps
from tracker.sync.divisions import divisions_steps
from tracker.sync.hansard import hansard_step
from tracker.sync.linking import stage_numbers, tell_stage
from tracker.sync.members import member_resolution_step, members_step
from tracker.sync.questions import DEFAULT_WATCH_TERMS, questions_step

NO_WAIT = {"sleep": lambda seconds: None, "max_retries": 1}
BILL = 3159


@pytest.fixture
def server(serve_sample):
    """The whole bundled sample on a local server."""
    return serve_sample(SampleApi())


@pytest.fixture
def db(tmp_path):
    database = store.open_db(str(tmp_path / "t.db"))
    yield database
    database.close()


def steps(with_bill=True):
    out = [*bills_steps(bill_ids=[BILL])] if with_bill else []
    return out + [members_step(), hansard_step(), *divisions_steps(), questions_step(terms=DEFAULT_WATCH_TERMS), member_resolution_step()]


def sync(db, tmp_path, **kwargs):
    return run_sync(db, steps(), sources="test", archive_dir=str(tmp_path / "archive"), rate_limit=0, client_options=NO_WAIT, **kwargs)


def changes(db, run_id):
    return db.execute("SELECT count(*) FROM changes WHERE sync_run_id = ?", [run_id]).fetchone()[0]


def one(db, sql, *params):
    return db.execute(sql, list(params)).fetchone()


def test_full_sync_loads_everything_linked(server, db, tmp_path):
    run = sync(db, tmp_path)
    assert run.errors == []
    content = server.api.parliament
    assert db["debates"].count == sum(1 + len(d["ChildDebates"]) for d in content["debates"])
    assert db["divisions"].count == len(content["commons_divisions"]) + len(content["lords_divisions"])
    assert db["written_questions"].count == len(content["questions"])
    assert db["written_statements"].count == len(content["statements"])
    # every speaker, voter and asker is a member with a full record (former members included)
    for table, column in (("contributions", "member_id"), ("division_votes", "member_id"),
                          ("written_questions", "asking_member_id"), ("written_questions", "answering_member_id"), ("written_statements", "member_id")):
        missing = one(db, f"SELECT count(*) FROM {table} t LEFT JOIN members m ON m.member_id = t.{column}"
                          f" WHERE t.{column} IS NOT NULL AND (m.member_id IS NULL OR m.source_url IS NULL)")[0]
        assert missing == 0, table
    # former members came from /api/Members/{id}; current ones from the search
    member_paths = server.paths("members")
    assert "/api/Members/4507" in member_paths  # Jeremy Quin, former MP, answered a question
    assert "/api/Members/4613" not in member_paths  # Alex Burghart is current: the search had him
    assert one(db, "SELECT is_current, membership_end FROM members WHERE member_id = 4507") == (0, "2024-05-30")


def test_debates_stages_and_speech_links(server, db, tmp_path):
    sync(db, tmp_path)
    stage = dict(db.execute("SELECT title || ' ' || date, bill_stage_id FROM debates").fetchall())
    assert stage["Procurement Bill [ Lords ] (Fifth sitting) 2023-02-07"] == 17149  # Public Bill Committee
    assert stage["Procurement Bill [HL] 2022-06-27"] == 16472  # Grand Committee
    assert stage["Third Reading 2023-06-13"] == 17578  # report and third reading share the day: told by title
    assert stage["Procurement Bill [Lords] 2023-06-13"] == 17577
    links = {(r[0], r[1], r[2]) for r in db.execute(
        "SELECT m.name, a.number || '@' || a.bill_stage_id, ca.how FROM contribution_amendments ca"
        " JOIN contributions c USING (contribution_id) JOIN members m ON m.member_id = c.member_id"
        " JOIN amendments a USING (amendment_id)").fetchall()}
    assert ("Lord Alton of Liverpool", "98@16472", "moved") in links
    assert ("Lord Alton of Liverpool", "99@16472", "spoke to") in links
    # "new clause 1 in my name": committee's NC1 in committee, report's NC1 at report
    assert ("Florence Eshalomi", "NC1@17149", "spoke to") in links
    assert ("Florence Eshalomi", "NC1@17577", "spoke to") in links
    assert ("Alex Burghart", "2@17577", "moved") in links
    motions = {(r[0], r[1], r[2]) for r in db.execute(
        "SELECT m.name, p.number, ca.how FROM contribution_amendments ca JOIN contributions c USING (contribution_id)"
        " JOIN members m ON m.member_id = c.member_id JOIN pingpong_items p USING (pingpong_item_id)").fetchall()}
    assert ("Lord Coaker", "B1", "moved") in motions
    assert ("Lord Alton of Liverpool", "C1", "spoke to") in motions
    # unattributed contributions: the Chair, the Deputy Speaker, procedural text
    chair = one(db, "SELECT member_id, text FROM contributions WHERE attributed_to = 'The Chair'")
    assert chair[0] is None and "new clause 2" in chair[1]
    assert one(db, "SELECT count(*) FROM contributions WHERE member_id IS NULL")[0] >= 5
    # clean text, no markup; the Hikvision and Dahua speeches are searchable
    assert one(db, "SELECT count(*) FROM contributions WHERE text LIKE '%<%'")[0] == 0
    assert one(db, "SELECT count(*) FROM contributions WHERE text LIKE '%Hikvision%' AND text LIKE '%Dahua%'")[0] >= 3
    # Hansard search parameters are the real ones
    searches = [q for p, q in server.calls("hansard") if p == "/search/debates.json"]
    assert searches and all({"queryParameters.searchTerm", "queryParameters.house", "queryParameters.startDate",
                             "queryParameters.skip", "queryParameters.take"} <= set(q) for q in searches)
    assert {q["queryParameters.searchTerm"][0] for q in searches} == {"Procurement Bill"}


def test_divisions_votes_and_the_one_that_cannot_be_linked(server, db, tmp_path):
    sync(db, tmp_path)
    rows = {r[0]: r[1:] for r in db.execute(
        "SELECT division_id, bill_stage_id, amendment_id, pingpong_item_id, amendment_ref FROM divisions").fetchall()}
    nc1 = one(db, "SELECT amendment_id FROM amendments WHERE bill_stage_id = 17577 AND number = 'NC1'")[0]
    assert rows["commons-1555"] == (17577, nc1, None, "New Clause 1")
    amendment_5 = one(db, "SELECT amendment_id FROM amendments WHERE bill_stage_id = 16473 AND number = '5'")[0]
    assert rows["lords-2870"][:2] == (16473, amendment_5)
    b1 = one(db, "SELECT pingpong_item_id FROM pingpong_items WHERE bill_stage_id = 17894 AND number = 'B1'")[0]
    assert rows["lords-3002"] == (17894, None, b1, "Motion B1")
    lords_47a = one(db, "SELECT pingpong_item_id FROM pingpong_items WHERE bill_stage_id = 17925 AND number = '47A'")[0]
    assert rows["commons-1599"][2] == lords_47a
    # a reasoned amendment at second reading names no amendment: the stage is known, the link left empty
    assert rows["commons-1410"] == (17121, None, None, None)
    votes = dict(db.execute("SELECT vote, count(*) FROM division_votes GROUP BY vote").fetchall())
    assert set(votes) == {"aye", "no", "content", "not-content"}
    assert one(db, "SELECT vote, is_teller FROM division_votes WHERE division_id = 'commons-1555' AND member_id = 4244") == ("aye", 1)
    assert one(db, "SELECT aye_count, no_count FROM divisions WHERE division_id = 'commons-1555'") == (233, 290)
    # real search parameters
    commons = [q for p, q in server.calls("commonsvotes") if p.endswith("/search")]
    assert commons and {"queryParameters.searchTerm", "queryParameters.startDate", "queryParameters.endDate", "queryParameters.skip", "queryParameters.take"} <= set(commons[0])
    lords = [q for p, q in server.calls("lordsvotes") if p.endswith("/search")]
    assert lords and {"SearchTerm", "StartDate", "EndDate", "skip", "take"} <= set(lords[0])


def test_member_who_later_became_a_peer(server, db, tmp_path):
    sync(db, tmp_path)
    names = {(r[0], r[1]): (r[2], r[3]) for r in db.execute("SELECT name, kind, start_date, end_date FROM member_names WHERE member_id = 360")}
    assert names[("Lord Coaker", "display")] == ("2020-09-29", None)
    assert names[("Vernon Coaker", "former")] == ("1997-05-01", "2019-11-06")
    assert names[("Member for Gedling", "alias")] == ("1997-05-01", "2019-11-06")
    assert one(db, "SELECT house, constituency FROM members WHERE member_id = 360") == ("Lords", None)
    history = [q for p, q in server.calls("members") if p == "/api/Members/History"]
    assert history and all(len(q["ids"]) <= 20 for q in history)


def test_questions_and_statements_by_bill_title_and_watch_terms(server, db, tmp_path):
    sync(db, tmp_path)
    assert one(db, "SELECT bill_id FROM written_questions WHERE question_id = 1475003")[0] == BILL  # names the Procurement Bill
    assert one(db, "SELECT bill_id FROM written_questions WHERE question_id = 1475002")[0] is None  # Hikvision only
    terms = {r[0] for r in db.execute("SELECT term FROM written_matches WHERE question_id = 1475003")}
    assert terms == {"Procurement Bill", "surveillance equipment"}
    assert one(db, "SELECT count(*) FROM written_statements WHERE text LIKE '%Hikvision%'")[0] == 1
    assert one(db, "SELECT answer_text FROM written_questions WHERE question_id = 1475004")[0] is None
    searched = [q for p, q in server.calls("questions") if p == "/api/writtenquestions/questions"]
    assert {q["searchTerm"][0] for q in searched} == {"Procurement Bill", "Hikvision", "surveillance equipment"}
    assert all(q["expandMember"] == ["true"] for q in searched)


def test_second_run_records_no_change_and_fetches_less(server, db, tmp_path):
    first = sync(db, tmp_path)
    assert changes(db, first.run_id) > 100
    before = len(server.requests)
    second = sync(db, tmp_path)
    assert second.errors == []
    assert changes(db, second.run_id) == 0
    again = server.requests[before:]
    assert not [r for r in again if r["path"].startswith("/hansard/debates/debate/")]  # debates already complete
    assert not [r for r in again if re.match(r"/(commonsvotes/data/division/|lordsvotes/data/Divisions/\d)", r["path"])]


def _copy_of(debate):
    """Another debate on the same day: new section ids and item ids."""
    copy = json.loads(json.dumps(debate))

    def renumber(section):
        section["Overview"]["ExtId"] = "C0" + section["Overview"]["ExtId"][2:]
        for item in section["Items"]:
            item["ItemId"] += 1_000_000
        for child in section["ChildDebates"]:
            renumber(child)

    renumber(copy)
    return copy


def test_multi_page_results_everywhere(server, db, tmp_path, monkeypatch):
    monkeypatch.setattr(hansard_api, "PAGE_SIZE", 1)
    monkeypatch.setattr(votes_api, "PAGE_SIZE", 2)
    monkeypatch.setattr(questions_api, "PAGE_SIZE", 1)
    # two debates found on one day, one a page
    server.api.parliament["debates"].append(_copy_of(server.api.parliament["debates"][2]))
    run = sync(db, tmp_path)
    assert run.errors == []
    assert db["divisions"].count == 7 and db["written_questions"].count == 5
    hansard_pages = [q["queryParameters.skip"][0] for p, q in server.calls("hansard") if p == "/search/debates.json"]
    assert "1" in hansard_pages
    lords_pages = [q["skip"][0] for p, q in server.calls("lordsvotes") if p.endswith("/search")]
    assert lords_pages == ["0", "2", "4"]  # four divisions, two a page, then a short page
    member_pages = [(q["House"][0], q["skip"][0]) for p, q in server.calls("members") if p == "/api/Members/Search"]
    assert ("2", "20") in member_pages  # 23 current peers: two pages of at most 20
    question_pages = [q["skip"][0] for p, q in server.calls("questions") if p == "/api/writtenquestions/questions"]
    assert "2" in question_pages
    assert db["debates"].count == 8 + 4


def test_upstream_change_is_recorded_with_full(server, db, tmp_path):
    sync(db, tmp_path)
    speech = server.api.parliament["debates"][0]["Items"][2]
    speech["Value"] = speech["Value"].replace("Hikvision and Dahua", "Hikvision, Dahua and others")
    quiet = sync(db, tmp_path)
    assert changes(db, quiet.run_id) == 0  # the debate is complete: not fetched again without --full
    full = sync(db, tmp_path, full=True)
    changed = db.execute("SELECT table_name, record_id, kind, changed_fields FROM changes WHERE sync_run_id = ?", [full.run_id]).fetchall()
    assert [(t, r, k) for t, r, k, _ in changed] == [("contributions", str(speech["ItemId"]), "changed")]
    assert set(json.loads(changed[0][3])) == {"text", "html"}


def test_one_failing_debate_does_not_stop_the_run(server, db, tmp_path):
    grand_committee = server.api.parliament["debates"][0]["Overview"]["ExtId"]
    server.fail(f"/hansard/debates/debate/{grand_committee}", 500, times=None)
    run = sync(db, tmp_path)
    assert len(run.errors) == 1 and "HTTP 500" in str(run.errors[0]) and "Hansard API" in str(run.errors[0])
    assert one(db, "SELECT status FROM sync_runs WHERE id = ?", run.run_id)[0] == "partial"
    assert db["debates"].count == 7 and db["divisions"].count == 7
    # the day is not marked done, so the next run fetches it
    server.faults.clear()
    again = sync(db, tmp_path)
    assert again.errors == [] and db["debates"].count == 8


def test_replay_of_the_runs_archive(server, db, tmp_path):
    run = sync(db, tmp_path)
    archive = one(db, "SELECT archive_path FROM sync_runs WHERE id = ?", run.run_id)[0]
    served = len(server.requests)
    replayed = store.open_db(str(tmp_path / "replayed.db"))
    replay_run = run_sync(replayed, steps(), sources="replay", replay=[archive], rate_limit=0)
    assert replay_run.errors == [] and len(server.requests) == served  # nothing from the network
    for sql in ("SELECT * FROM contributions ORDER BY 1", "SELECT * FROM division_votes ORDER BY 1, 2",
                "SELECT question_id, answer_text, bill_id FROM written_questions ORDER BY 1", "SELECT * FROM member_names ORDER BY member_id, name, kind"):
        strip = lambda rows: [tuple(v for k, v in r.items() if k not in ("id", "sync_run_id", "first_seen", "last_seen")) for r in rows]
        assert strip(replayed.query(sql)) == strip(db.query(sql))


def test_steps_run_for_every_bill_in_the_database_when_none_named(server, db, tmp_path):
    run_sync(db, [*bills_steps(bill_ids=[BILL])], sources="bills", archive_dir=str(tmp_path / "a"), rate_limit=0)
    run = run_sync(db, steps(with_bill=False), sources="parliament", archive_dir=str(tmp_path / "a"), rate_limit=0)
    assert run.errors == [] and db["debates"].count == 8 and db["divisions"].count == 7


def test_a_bill_not_in_the_database_is_a_clear_failure(server, db, tmp_path):
    run = run_sync(db, [], sources="none", archive_dir=str(tmp_path / "a"), rate_limit=0)
    run.bill_ids = [99999]
    hansard_step()(run)
    assert len(run.errors) == 1 and "bill 99999" in str(run.errors[0]) and "--bill" in str(run.errors[0])


def test_tell_stage_and_stage_numbers(db):
    report = {"bill_stage_id": 1, "description": "Report stage", "house": "Commons", "dates": ["2023-06-13"]}
    third = {"bill_stage_id": 2, "description": "3rd reading", "house": "Commons", "dates": ["2023-06-13"]}
    second = {"bill_stage_id": 3, "description": "2nd reading", "house": "Commons", "dates": ["2023-01-09"]}
    money = {"bill_stage_id": 4, "description": "Money resolution", "house": "Commons", "dates": ["2023-01-09"]}
    assert tell_stage([report, third], "Third Reading") == 2
    assert tell_stage([report, third], "Procurement Bill [Lords]") == 1
    assert tell_stage([report, third], "New Clause 1 - Review", default=1) == 1
    assert tell_stage([second, money], "Procurement Bill [Lords] (Money)") == 4
    assert tell_stage([report, {**report, "bill_stage_id": 5}], "Procurement Bill") is None  # two main stages: cannot tell
    assert tell_stage([], "anything") is None
    with store.transaction(db):
        for amendment_id, stage, number in ((10, 1, "NC1"), (11, 1, "47"), (12, 5, "47"), (13, 5, "47")):
            db.execute("INSERT INTO amendments (amendment_id, bill_stage_id, number) VALUES (?, ?, ?)", [amendment_id, stage, number])
        db.execute("INSERT INTO pingpong_items (pingpong_item_id, bill_stage_id, type, number) VALUES (20, 1, 'Motion', 'A')")
    assert stage_numbers(db, [1]).resolve("new clause", "NC1") == (10, None)
    assert stage_numbers(db, [1]).resolve("amendment", "47") == (11, None)
    assert stage_numbers(db, [5]).resolve("amendment", "47") == (None, None)  # two candidates: never a guess
    assert stage_numbers(db, [1, 5]).resolve("amendment", "47") == (None, None)
    assert stage_numbers(db, [1]).resolve("motion", "A") == (None, 20)
    assert stage_numbers(db, [1]).resolve("amendment", "A") == (None, None)  # a motion is not an amendment
    assert stage_numbers(db, [1]).resolve("amendment", "99") == (None, None)
    assert stage_numbers(db, []).resolve("amendment", "47") == (None, None)


def test_the_command_line_syncs_every_source_and_then_nothing_changes(server, tmp_path):
    from click.testing import CliRunner

    from tracker.cli import cli

    args = ["--db", str(tmp_path / "cli.db"), "--quiet", "sync", "--bill", str(BILL), "--members", "--hansard", "--divisions",
            "--questions", "--term", "Hikvision", "--archive-dir", str(tmp_path / "archive"), "--rate-limit", "1000"]
    first = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert first.exit_code == 0, first.output
    assert "sync run 1: ok;" in first.output
    second = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert second.exit_code == 0 and "0 added, 0 changed, 0 removed" in second.output
    db = store.open_db(str(tmp_path / "cli.db"))
    assert db["debates"].count == 8 and db["divisions"].count == 7 and db["division_votes"].count > 50
    # only --term Hikvision (and the bill's title) were searched
    assert {r[0] for r in db.execute("SELECT DISTINCT term FROM written_matches")} == {"Procurement Bill", "Hikvision"}


def _cli_sync(tmp_path, *flags):
    from click.testing import CliRunner

    from tracker.cli import cli

    args = ["--db", str(tmp_path / "cli.db"), "--quiet", "sync", "--bill", str(BILL), *flags,
            "--archive-dir", str(tmp_path / "archive"), "--rate-limit", "1000"]
    return CliRunner().invoke(cli, args, catch_exceptions=False)


def test_malformed_responses_and_a_404_are_one_line_each_and_the_rest_loads(server, tmp_path):
    content = server.api.parliament
    debate = content["debates"][0]["Overview"]["ExtId"]
    content["debates"][0]["Items"][1] = "not a DebateItem"
    content["debates"][1]["Items"][2]["MemberId"] = 999999  # no such member: /api/Members/999999 is a 404
    division = content["commons_divisions"][0]["DivisionId"]
    content["commons_divisions"][0]["Ayes"] = ["not a RecordedMember"]
    peer = next(m for m in content["members"] if m["value"]["latestHouseMembership"]["house"] == 2)["value"]
    peer["latestParty"] = "not a Party"
    question = content["questions"][0]
    question["askingMember"] = "not a MemberViewModel"
    result = _cli_sync(tmp_path, "--members", "--hansard", "--divisions", "--questions")
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    errors = [line for line in result.output.splitlines() if line.startswith("error:")]
    expected = [
        ("Hansard API", debate, f"/hansard/debates/debate/{debate}.json"),
        ("Commons Votes API", f"commons-{division}", f"/commonsvotes/data/division/{division}.json"),
        ("Members API", f"record {peer['id']}", "/members/api/Members/Search?House=2"),
        ("Members API", "HTTP 404", "/members/api/Members/999999"),
        ("Written Questions API", f"record {question['id']}", "/questions/api/writtenquestions/questions?"),
    ]
    for source, record, url in expected:
        assert [e for e in errors if source in e and record in e and url in e], (source, errors)
    db = store.open_db(str(tmp_path / "cli.db"))
    assert one(db, "SELECT status FROM sync_runs WHERE sources = 'bills,members,hansard,divisions,questions' ORDER BY id DESC")[0] == "partial"
    # every other unit was written whole; the malformed ones not at all
    assert one(db, "SELECT count(*) FROM debates WHERE debate_id = ?", debate)[0] == 0
    assert db["debates"].count == 8 - 1 - len(content["debates"][0]["ChildDebates"])
    assert one(db, "SELECT count(*) FROM divisions WHERE division_id = ?", f"commons-{division}")[0] == 0
    assert db["divisions"].count == 6 and db["written_questions"].count == len(content["questions"]) - 1
    assert one(db, "SELECT member_id, source_url FROM members WHERE member_id = 999999") == (999999, None)  # kept thin


def test_members_load_of_a_malformed_member_is_one_line(tmp_path):
    from click.testing import CliRunner

    from tracker.cli import cli

    bad = tmp_path / "members.json"
    bad.write_text(json.dumps({"items": [{"value": {"id": 7, "latestHouseMembership": "not a HouseMembership"}}], "totalResults": 1}))
    result = CliRunner().invoke(cli, ["--db", str(tmp_path / "t.db"), "members", "load", str(bad)], catch_exceptions=False)
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [f"Error: Members API: record 7: malformed record (field 'latestHouseMembership' is str 'not a HouseMembership', not an object) (file:{bad})"]
    assert store.open_db(str(tmp_path / "t.db"))["members"].count == 0


def test_a_division_or_child_section_gone_upstream_is_marked_removed(server, db, tmp_path):
    sync(db, tmp_path)
    content = server.api.parliament
    gone = content["lords_divisions"].pop()
    parent = next(d for d in content["debates"] if d["ChildDebates"])
    child = parent["ChildDebates"].pop()
    run = sync(db, tmp_path, full=True)
    assert run.errors == []
    removed = {(t, r) for t, r in db.execute("SELECT table_name, record_id FROM changes WHERE sync_run_id = ? AND kind = 'removed'", [run.run_id])}
    assert ("divisions", f"lords-{gone['divisionId']}") in removed
    assert ("debates", child["Overview"]["ExtId"]) in removed
    assert one(db, "SELECT count(*) FROM divisions WHERE removed_at IS NULL")[0] == 6
    # it comes back: restored, not added again
    content["lords_divisions"].append(gone)
    again = sync(db, tmp_path, full=True)
    kinds = db.execute("SELECT kind FROM changes WHERE sync_run_id = ? AND record_id = ?", [again.run_id, f"lords-{gone['divisionId']}"]).fetchall()
    assert kinds == [("restored",)]


def test_a_debate_gone_from_its_day_is_marked_removed_with_its_sections(server, db, tmp_path):
    sync(db, tmp_path)
    gone = server.api.parliament["debates"].pop(2)  # the Commons report debate, with child sections
    children = [c["Overview"]["ExtId"] for c in gone.get("ChildDebates") or []]
    assert children, "this debate has child sections"
    ext_id = gone["Overview"]["ExtId"]
    sync(db, tmp_path)
    assert one(db, "SELECT removed_at FROM debates WHERE debate_id = ?", ext_id)[0] is None  # the day is not searched again
    full = sync(db, tmp_path, full=True)
    removed = {r[0] for r in db.execute("SELECT record_id FROM changes WHERE sync_run_id = ? AND kind = 'removed' AND table_name = 'debates'", [full.run_id])}
    assert removed == {ext_id, *children}
    assert one(db, "SELECT removed_at FROM debates WHERE debate_id = ?", ext_id)[0] is not None
    assert db["debates"].count == 8  # kept, never deleted
    again = sync(db, tmp_path, full=True)
    assert one(db, "SELECT count(*) FROM changes WHERE sync_run_id = ? AND kind = 'removed'", again.run_id)[0] == 0
