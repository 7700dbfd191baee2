"""Events derived after a sync and tagging: two syncs against the local fake services, before and
after an upstream change, give exactly the expected events; a run with no change gives none."""
import copy
import json
import shutil

import pytest
from conftest import NO_WAIT
from fakes import SampleApi, SampleServer

from tracker import store, tagging
from tracker.alerts import outbox, watches
from tracker.alerts.events import derive_events, excerpt_around, readable, term_pattern
from tracker.sync import plan_steps, run_sync

BILL = 3159
REPORT = "17577"  # the Commons report stage of the sample
ESHALOMI = 4812
LEIGH_AMENDMENT = 10001754  # "5" at Commons report, NoDecision, Sir Edward Leigh
RAYNER_AMENDMENT = 10001747  # "4" at Commons report, Florence Eshalomi and Angela Rayner


def sync(db, archive):
    steps, sources = plan_steps(bill_ids=[BILL], members=True, hansard=True, divisions=True, questions=True,
                                terms=("Hikvision", "surveillance equipment"))
    run = run_sync(db, steps, sources=sources, archive_dir=str(archive), rate_limit=0, client_options=NO_WAIT)
    assert run.errors == []
    tagging.tag_database(db)
    return run


@pytest.fixture(scope="module")
def baseline(make_httpserver, tmp_path_factory):
    """The whole sample synced from the local fake services and tagged, once per module."""
    folder = tmp_path_factory.mktemp("baseline")
    with pytest.MonkeyPatch.context() as patch:
        for env, url in SampleServer(make_httpserver, SampleApi()).environ().items():
            patch.setenv(env, url)
        db = store.open_db(str(folder / "tracker.db"))
        sync(db, folder / "archive")
        db.close()
    make_httpserver.clear()
    return folder / "tracker.db"


@pytest.fixture
def db(baseline, tmp_path):
    shutil.copy(baseline, tmp_path / "tracker.db")
    database = store.open_db(str(tmp_path / "tracker.db"))
    yield database
    database.close()


@pytest.fixture
def upstream(db, serve_sample):
    """The fake services, in the state the baseline was synced from; tests change them."""
    return serve_sample(SampleApi())


def bump(api):
    api.bills["bills"][str(BILL)]["lastUpdate"] = "2023-10-27T09:00:00"


def amendment(api, stage, amendment_id):
    return next(a for a in api.bills["amendments"][stage] if a["amendmentId"] == amendment_id)


def table_new_amendment(api, text, sponsors):
    """A new amendment 7 at the Commons report stage with ``text``, sponsored by ``sponsors`` (member dicts)."""
    new = copy.deepcopy(amendment(api, REPORT, LEIGH_AMENDMENT))
    new.update({"amendmentId": 10001999, "id": 1999, "marshalledListText": "7", "decision": "NoDecision",
                "summaryText": [text], "amendmentLines": [{"text": text, "indentation": 0, "isImage": False}],
                "explanatoryText": None, "sponsors": sponsors})
    api.bills["amendments"][REPORT].append(new)
    return new


def sponsor(api, name, member_id, lead=True, order=0):
    template = amendment(api, REPORT, RAYNER_AMENDMENT)["sponsors"][0]
    return {**template, "memberId": member_id, "name": name, "isLead": lead, "sortOrder": order}


def caught(db):
    """``{watch name: [(kind, table, record id)]}`` of every event in the outbox, in order."""
    found = {}
    for name, kind, table, record_id in db.execute(
        "SELECT w.name, e.kind, e.table_name, e.record_id FROM alert_events e JOIN watches w ON w.id = e.watch_id"
        " ORDER BY w.name, e.change_id, e.kind"):
        found.setdefault(name, []).append((kind, table, record_id))
    return found


def add(db, name, kind, value, **options):
    options.setdefault("atom", True)
    return watches.add_watch(db, name, kind, value, **options)


def test_an_upstream_change_gives_exactly_the_expected_events(db, upstream, tmp_path):
    add(db, "bill", "bill", BILL)
    add(db, "eshalomi", "member", "Florence Eshalomi")
    add(db, "hikvision", "supplier", "hikvision")
    add(db, "leigh-5", "amendment", LEIGH_AMENDMENT)
    add(db, "cameras", "term", "facial recognition cameras")
    add(db, "surveillance", "provision", "surveillance-equipment")
    api = upstream.api
    bump(api)
    table_new_amendment(api, "After Clause 12, insert— facial recognition cameras made by Hikvision must be removed from the"
                             " government estate.", [sponsor(api, "Florence Eshalomi", ESHALOMI)])
    amendment(api, REPORT, LEIGH_AMENDMENT)["decision"] = "Withdrawn"
    sync(db, tmp_path)
    created = derive_events(db)
    new = ("amendment_tabled", "amendments", "10001999")
    assert caught(db) == {
        "bill": [("decision_changed", "amendments", str(LEIGH_AMENDMENT)), new],
        "eshalomi": [new],
        "hikvision": [new],
        "leigh-5": [("decision_changed", "amendments", str(LEIGH_AMENDMENT))],
        "cameras": [new],
    }
    assert len(created) == 6
    by_watch = {w.name: w for w in watches.list_watches(db)}
    event = next(e for e in created if e.watch_id == by_watch["hikvision"].id)
    assert event.title == "Amendment 7 (Report stage, Commons) tabled"
    assert event.page_path == "/-/amendment/10001999"
    assert event.official_url == "https://bills.parliament.uk/bills/3159/stages/17577/amendments/10001999"
    [(start, end)] = json.loads(event.highlights)
    assert event.excerpt[start:end] == "Hikvision"
    assert "Florence Eshalomi" in event.summary
    decision = next(e for e in created if e.watch_id == by_watch["leigh-5"].id)
    assert decision.title == "Amendment 5 (Report stage, Commons): No decision → Withdrawn"
    assert json.loads(decision.highlights) == [] and decision.excerpt
    cameras = next(e for e in created if e.watch_id == by_watch["cameras"].id)
    [(start, end)] = json.loads(cameras.highlights)
    assert cameras.excerpt[start:end] == "facial recognition cameras"
    # every cursor moved to the newest change; a run with nothing new upstream derives nothing
    newest = db.execute("SELECT max(id) FROM changes").fetchone()[0]
    assert {w.cursor for w in watches.list_watches(db)} == {newest}
    sync(db, tmp_path)
    assert derive_events(db) == []
    assert sum(len(v) for v in caught(db).values()) == 6


def test_a_run_where_nothing_changed_gives_no_event(db, upstream, tmp_path):
    add(db, "bill", "bill", BILL, emails=["staff@example.org"])
    run = sync(db, tmp_path)
    assert db.execute("SELECT count(*) FROM changes WHERE sync_run_id = ?", [run.run_id]).fetchone()[0] == 0
    assert derive_events(db) == []
    assert db["alert_deliveries"].count == 0


def test_a_new_watch_hears_only_of_what_happens_after_it_was_added(db, upstream, tmp_path):
    api = upstream.api
    bump(api)
    amendment(api, REPORT, LEIGH_AMENDMENT)["decision"] = "Withdrawn"
    sync(db, tmp_path)
    add(db, "late", "bill", BILL)  # the decision changed before the watch existed
    assert derive_events(db) == []
    api.bills["bills"][str(BILL)]["lastUpdate"] = "2023-10-28T09:00:00"
    amendment(api, REPORT, LEIGH_AMENDMENT)["decision"] = "Agreed"
    sync(db, tmp_path)
    [event] = derive_events(db)
    assert event.title == "Amendment 5 (Report stage, Commons): Withdrawn → Agreed"


def test_sponsors_withdrawal_stage_division_and_version(db, upstream, tmp_path):
    add(db, "bill", "bill", BILL)
    add(db, "rayner-4", "amendment", RAYNER_AMENDMENT)
    add(db, "leigh-5", "amendment", LEIGH_AMENDMENT, events=["division"])
    add(db, "eshalomi", "member", str(ESHALOMI))
    api = upstream.api
    bump(api)
    rayner = amendment(api, REPORT, RAYNER_AMENDMENT)
    rayner["sponsors"] = [s for s in rayner["sponsors"] if s["memberId"] != ESHALOMI] + [sponsor(api, "Jonathan Ashworth", 4244, False, 2)]
    nc3 = next(a for a in api.bills["amendments"][REPORT] if a["marshalledListText"] == "NC3")
    api.bills["amendments"][REPORT].remove(nc3)
    api.bills["bills"][str(BILL)]["currentStage"] = {**api.bills["bills"][str(BILL)]["currentStage"], "description": "Act of Parliament"}
    division = copy.deepcopy(upstream.api.parliament["commons_divisions"][1])
    division.update({"DivisionId": 1556, "Number": 272, "Title": "Procurement Bill [Lords]: Report Stage: Amendment 5",
                     "AyeCount": 250, "NoCount": 270})
    upstream.api.parliament["commons_divisions"].append(division)
    sync(db, tmp_path)
    with store.transaction(db):  # a new print, as the versions step writes it; and a change row alone (no row to read)
        store.upsert(db, "bill_versions", {"version_id": "publication/52101", "bill_id": BILL, "publication_id": 52101,
                                           "document_id": 4160, "label": "Bill 339 as amended on Report", "format": "akn"},
                     run_id=None, bill_id=BILL)
        store.record_change(db, None, "bill_versions", "3159-hl-bill-164", "added", bill_id=BILL)
    derive_events(db)
    division_event = ("division", "divisions", "commons-1556")
    assert caught(db) == {
        "bill": [("stage_moved", "bills", str(BILL)), ("sponsor_added", "amendments", str(RAYNER_AMENDMENT)),
                 ("sponsor_removed", "amendments", str(RAYNER_AMENDMENT)), ("amendment_withdrawn", "amendments", str(nc3["amendmentId"])),
                 division_event, ("version_published", "bill_versions", "publication/52101"),
                 ("version_published", "bill_versions", "3159-hl-bill-164")],
        "rayner-4": [("sponsor_added", "amendments", str(RAYNER_AMENDMENT)), ("sponsor_removed", "amendments", str(RAYNER_AMENDMENT))],
        "leigh-5": [division_event],
        # taken off amendment 4 (not Ashworth's addition), and her new clause 1 is untouched: NC3 is Ruth Edwards's
        "eshalomi": [("sponsor_removed", "amendments", str(RAYNER_AMENDMENT))],
    }
    titles = dict(db.execute("SELECT kind, title FROM alert_events e JOIN watches w ON w.id = e.watch_id WHERE w.name = 'bill'"
                             " ORDER BY change_id").fetchall())
    assert titles["division"] == ("Division: Procurement Bill [Lords]: Report Stage: Amendment 5, 2023-06-13: "
                                  "Ayes 250, Noes 270: the Noes have it")
    assert titles["stage_moved"] == "Procurement Act 2023 moved to Act of Parliament"
    assert titles["sponsor_added"] == "Amendment 4 (Report stage, Commons): Jonathan Ashworth added to the sponsors"
    assert titles["sponsor_removed"] == "Amendment 4 (Report stage, Commons): Florence Eshalomi taken off the sponsors"
    assert titles["amendment_withdrawn"] == "Amendment NC3 (Report stage, Commons) withdrawn from the list"
    assert titles["version_published"] == "Procurement Act 2023: new version 3159-hl-bill-164"
    official = {(kind, record): url for kind, record, url in db.execute(
        "SELECT kind, record_id, official_url FROM alert_events e JOIN watches w ON w.id = e.watch_id WHERE w.name = 'bill'")}
    assert official[("division", "commons-1556")] == "https://votes.parliament.uk/votes/commons/division/1556"
    assert official[("version_published", "publication/52101")] == "https://bills.parliament.uk/publications/52101/documents/4160"
    assert official[("version_published", "3159-hl-bill-164")] == "https://bills.parliament.uk/bills/3159/publications"
    assert db.execute("SELECT title FROM alert_events WHERE record_id = 'publication/52101'").fetchone()[0] == \
        "Procurement Act 2023: new version Bill 339 as amended on Report"


def test_mentions_in_new_and_changed_questions(db, upstream, tmp_path):
    add(db, "hikvision", "supplier", "Hikvision")  # by name
    add(db, "dahua", "supplier", "dahua")
    add(db, "alton", "member", "Lord Alton of Liverpool")
    add(db, "cctv", "term", "CCTV")
    questions = upstream.api.parliament["questions"]
    asked = copy.deepcopy(questions[0])
    asked.update({"id": 1475999, "uin": "HL9999", "dateTabled": "2023-11-01T00:00:00", "dateAnswered": None,
                  "answerText": None, "heading": "Public Sector: CCTV",
                  "questionText": "<p>To ask His Majesty's Government, further to the remarks of Lord Alton of Liverpool,"
                                  " how many CCTV cameras made by Hikvision UK remain on the government estate.</p>"})
    questions.append(asked)
    first = questions[0]  # already names Hikvision and Dahua in its question; now its answer names Dahua too
    first["answerText"] = "<p>Departments have removed cameras made by Dahua from sensitive sites.</p>"
    sync(db, tmp_path)
    derive_events(db)
    new = ("mention", "written_questions", "1475999")
    answered = ("mention", "written_questions", str(first["id"]))
    assert caught(db) == {
        "hikvision": [new],  # Hikvision UK is Hikvision's subsidiary; the changed answer does not name Hikvision
        "alton": [new],
        "cctv": [new],
        "dahua": [answered],  # the answer names Dahua for the first time
    }
    rows = {name: (title, excerpt, json.loads(spans)) for name, title, excerpt, spans in db.execute(
        "SELECT w.name, e.title, e.excerpt, e.highlights FROM alert_events e JOIN watches w ON w.id = e.watch_id")}
    title, excerpt, [(start, end)] = rows["hikvision"]
    assert title == "Question HL9999: Public Sector: CCTV mentions Hikvision"
    assert excerpt[start:end] == "Hikvision UK"
    title, excerpt, [(start, end)] = rows["alton"]
    assert excerpt[start:end] == "Lord Alton of Liverpool"
    title, excerpt, [(start, end)] = rows["dahua"]
    assert excerpt[start:end] == "Dahua" and excerpt.startswith("Departments have removed")


def test_digest_queues_one_message_per_destination_for_a_run(db, upstream, tmp_path):
    add(db, "bill", "bill", BILL, emails=["staff@example.org"], webhooks=["http://127.0.0.1:9/hook"], digest=True, atom=False)
    add(db, "each", "bill", BILL, emails=["staff@example.org"], atom=False)
    api = upstream.api
    bump(api)
    amendment(api, REPORT, LEIGH_AMENDMENT)["decision"] = "Withdrawn"
    amendment(api, REPORT, RAYNER_AMENDMENT)["decision"] = "Agreed"
    sync(db, tmp_path)
    created = derive_events(db)
    assert len(created) == 4
    deliveries = outbox.list_deliveries(db)
    digest = [d for d in deliveries if d["watch"] == "bill"]
    assert sorted(d["channel"] for d in digest) == ["email", "webhook"]
    assert all(len(d["event_ids"]) == 2 and d["message_id"].startswith("digest-") for d in digest)
    assert len({d["message_id"] for d in digest}) == 1
    single = [d for d in deliveries if d["watch"] == "each"]
    assert len(single) == 2 and all(d["event_ids"] == [d["message_id"]] for d in single)
    assert {d["status"] for d in deliveries} == {"pending"}


def test_a_crash_before_commit_loses_nothing(db, upstream, tmp_path, monkeypatch):
    add(db, "bill", "bill", BILL)
    api = upstream.api
    bump(api)
    amendment(api, REPORT, LEIGH_AMENDMENT)["decision"] = "Withdrawn"
    sync(db, tmp_path)

    def crash(*args):
        raise RuntimeError("power cut")

    monkeypatch.setattr(outbox, "queue_deliveries", crash)
    with pytest.raises(RuntimeError):
        derive_events(db)
    assert db["alert_events"].count == 0  # rolled back with the cursor
    monkeypatch.undo()
    assert [e.kind for e in derive_events(db)] == ["decision_changed"]
    assert derive_events(db) == []


def test_helpers():
    assert readable("NegativedOnDivision") == "Negatived on division"
    assert readable(None) == "none"
    assert term_pattern("facial  recognition").search("the Facial\nRecognition cameras")
    assert not term_pattern("CCTV").search("CCTVs")
    text = "word " * 100 + "Hikvision" + " word" * 100
    found = excerpt_around(text, 500, 509)
    start, end = found.highlights[0]
    assert found.excerpt[start:end] == "Hikvision" and found.excerpt.startswith("…") and found.excerpt.endswith("…")


def test_a_new_speech_and_statement_naming_the_watched(db):
    """Debates of a day already complete are fetched again only with --full: the speech and the
    statement are written as a sync writes them, then tagged."""
    add(db, "hikvision", "supplier", "hikvision")
    add(db, "eshalomi", "member", "Florence Eshalomi")
    debate = db.execute("SELECT debate_id FROM debates WHERE house = 'Commons' ORDER BY date DESC").fetchone()[0]
    run = store.start_run(db, "hansard")
    with store.transaction(db):
        store.upsert(db, "contributions", {
            "contribution_id": 9990001, "debate_id": debate, "attributed_to": "Alex Burghart", "member_id": 4613,
            "text": "I agree with what Florence Eshalomi said about cameras made by Hikvision."}, run_id=run)
        store.upsert(db, "written_statements", {
            "statement_id": 9990002, "uin": "HCWS999", "house": "Commons", "date": "2023-11-02", "title": "Surveillance cameras",
            "text": "Hikvision cameras will be removed from sensitive sites."}, run_id=run)
    tagging.tag_database(db)
    derive_events(db)
    assert caught(db) == {
        "hikvision": [("mention", "contributions", "9990001"), ("mention", "written_statements", "9990002")],
        "eshalomi": [("mention", "contributions", "9990001")],
    }
    summary, official = db.execute(
        "SELECT summary, official_url FROM alert_events WHERE table_name = 'contributions' LIMIT 1").fetchone()
    assert summary.startswith("Speech by Alex Burghart in ") and "(Commons, 20" in summary
    assert official.startswith("https://hansard.parliament.uk/Commons/20") and f"/debates/{debate}/" in official
    statement = db.execute("SELECT title, official_url FROM alert_events WHERE table_name = 'written_statements'").fetchone()
    assert statement == ("Statement HCWS999: Surveillance cameras mentions Hikvision",
                         "https://questions-statements.parliament.uk/written-statements/detail/2023-11-02/HCWS999")
