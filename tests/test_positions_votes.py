"""Division votes with the member's party and the Government: sides, majorities, rebellions, question direction."""
import pytest

from tracker import positions, store
from tracker.positions.government import Government
from tracker.positions.votes import division_sides, question_direction, vote_alignment

BILL, STAGE = 900, 9001
MINISTER, WHIP_LORD, LOYAL, REBEL, LAB1, LAB2, LAB3, INDEPENDENT, CROSSBENCHER = 1, 2, 3, 4, 5, 6, 7, 8, 9
MEMBERS = {
    MINISTER: ("Ann Minister", "Conservative", "Commons"),
    WHIP_LORD: ("Lord Whip", "Conservative", "Lords"),
    LOYAL: ("Bea Loyal", "Conservative", "Commons"),
    REBEL: ("Cal Rebel", "Conservative", "Commons"),
    LAB1: ("Dee Labour", "Labour", "Commons"),
    LAB2: ("Eve Labour", "Labour", "Commons"),
    LAB3: ("Fay Labour", "Labour", "Commons"),
    INDEPENDENT: ("Gil Independent", "Independent", "Commons"),
    CROSSBENCHER: ("Lord Cross", "Crossbench", "Lords"),
}


@pytest.fixture
def votes_db(db):
    run = store.start_run(db, "test")
    with store.transaction(db):
        store.upsert(db, "bills", {"bill_id": BILL, "short_title": "Test Bill"}, run_id=run)
        store.upsert(db, "bill_stages", {"bill_stage_id": STAGE, "bill_id": BILL, "description": "Report stage", "house": "Commons",
                                         "sort_order": 1, "first_sitting": "2023-06-13", "sittings": '["2023-06-13"]'}, run_id=run)
        for member_id, (name, party, house) in MEMBERS.items():
            store.upsert(db, "members", {"member_id": member_id, "name": name, "party": party, "house": house}, run_id=run)
        # the minister answered a written question a month before: a minister on the division's day
        store.upsert(db, "written_questions", {"question_id": 1, "answering_member_id": MINISTER, "date_answered": "2023-05-10",
                                               "answer_text": "Yes.", "house": "Commons"}, run_id=run)
        for amendment_id, number, lead in ((501, "NC1", LAB1), (502, "1", MINISTER)):
            store.upsert(db, "amendments", {"amendment_id": amendment_id, "bill_id": BILL, "bill_stage_id": STAGE, "number": number,
                                            "decision": "NegativedOnDivision", "lead_sponsor_id": lead, "text": "To move the following Clause"}, run_id=run)
        # the new clause is about one provision (as the tagger would say): votes on it are evidence on that topic
        store.replace_rows(db, "mentions", [{"doc_table": "amendments", "doc_id": "501", "field": "text", "start": 0, "end": 4,
                                             "text": "list", "label": "PROVISION", "entity_id": "high-risk-supplier-list",
                                             "provision_id": "high-risk-supplier-list"}], scope={"doc_table": "amendments"})
        divisions = {
            # the opposition's new clause: ministers vote no, one Conservative rebels
            "commons-1": ("Test Bill: New Clause 1", 501, {MINISTER: "no", LOYAL: "no", REBEL: "aye", LAB1: "aye", LAB2: "aye", LAB3: "aye", INDEPENDENT: "aye"}),
            # a Government amendment no minister voted on: its mover decides the Government's side
            "commons-2": ("Test Bill: Amendment 1", 502, {LOYAL: "aye", REBEL: "aye", LAB1: "no", LAB2: "aye"}),
            # a question that undoes the amendment: an aye is a vote against it
            "commons-3": ("Test Bill: Motion to disagree with Lords Amendment 1", 501, {MINISTER: "aye", LAB1: "no", LAB2: "no"}),
        }
        for division_id, (title, amendment_id, votes) in divisions.items():
            ayes = sum(v == "aye" for v in votes.values())
            store.upsert(db, "divisions", {"division_id": division_id, "house": "Commons", "number": int(division_id[-1]), "date": "2023-06-13",
                                           "title": title, "aye_count": ayes, "no_count": len(votes) - ayes, "bill_id": BILL,
                                           "bill_stage_id": STAGE, "amendment_id": amendment_id}, run_id=run)
            store.replace_links(db, "division_votes", "division_id", division_id,
                                [{"division_id": division_id, "member_id": m, "vote": v, "is_teller": 0} for m, v in votes.items()])
        store.upsert(db, "divisions", {"division_id": "lords-1", "house": "Lords", "number": 1, "date": "2023-06-13", "title": "Test Bill: Amendment 9",
                                       "aye_count": 1, "no_count": 1, "bill_id": BILL}, run_id=run)
        store.replace_links(db, "division_votes", "division_id", "lords-1",
                            [{"division_id": "lords-1", "member_id": CROSSBENCHER, "vote": "content", "is_teller": 0},
                             {"division_id": "lords-1", "member_id": WHIP_LORD, "vote": "not-content", "is_teller": 1}])
    store.finish_run(db, run, "ok")
    return db


def alignment(db):
    sides = division_sides(db, Government.from_db(db))
    return sides, {(r["division_id"], r["member_id"]): r for r in vote_alignment(db, sides)}


def test_government_side_from_ministers_votes(votes_db):
    sides, rows = alignment(votes_db)
    assert sides["commons-1"].government_side == "no" and "Ann Minister" in sides["commons-1"].government_basis
    assert sides["commons-1"].passed == 1  # 5 ayes to 2 noes
    loyal, rebel = rows[("commons-1", LOYAL)], rows[("commons-1", REBEL)]
    assert (loyal["with_party"], loyal["with_government"], loyal["rebellion"]) == (1, 1, 0)
    assert (rebel["party_majority"], rebel["with_party"], rebel["with_government"], rebel["rebellion"]) == ("no", 0, 0, 1)
    labour = rows[("commons-1", LAB1)]
    assert (labour["with_party"], labour["with_government"], labour["rebellion"]) == (1, 0, 0)


def test_government_side_from_the_mover_when_no_minister_voted(votes_db):
    sides, rows = alignment(votes_db)
    assert sides["commons-2"].government_side == "aye" and "moved by the Government (Ann Minister)" == sides["commons-2"].government_basis
    # Labour split one each way: no majority, so neither with nor against the party, and no rebellion
    assert rows[("commons-2", LAB1)]["party_majority"] is None
    assert (rows[("commons-2", LAB1)]["with_party"], rows[("commons-2", LAB1)]["rebellion"]) == (None, 0)


def test_a_member_without_a_whip_never_rebels(votes_db):
    sides, rows = alignment(votes_db)
    assert rows[("commons-1", INDEPENDENT)]["rebellion"] == 0
    assert rows[("lords-1", CROSSBENCHER)]["rebellion"] == 0
    # no minister voted and nothing moved: the Government's side is unknown, not guessed
    assert sides["lords-1"].government_side is None and rows[("lords-1", CROSSBENCHER)]["with_government"] is None


def test_question_direction_turns_the_vote(votes_db):
    assert question_direction("Procurement Bill [Lords]: Motion to disagree with Lords Amendment 47A") == -1
    assert question_direction("Procurement Bill [HL]: Motion B1") == 1
    positions.derive(votes_db, today="2024-01-01")
    evidence = {(r["member_id"], r["division_id"]): r["stance"] for r in votes_db.query(
        "SELECT member_id, division_id, stance FROM position_evidence WHERE kind = 'voted' AND topic = 'provision:high-risk-supplier-list'")}
    # aye on "disagree with Lords Amendment 1" opposes the amendment; no supports it
    assert evidence[(MINISTER, "commons-3")] == "opposes"
    assert evidence[(LAB1, "commons-3")] == "supports"
    assert evidence[(LAB1, "commons-1")] == "supports" and evidence[(MINISTER, "commons-1")] == "opposes"


def test_alignment_is_written_by_derive(votes_db):
    positions.derive(votes_db, today="2024-01-01")
    rebels = [r["member_id"] for r in votes_db.query("SELECT member_id FROM vote_alignment WHERE rebellion = 1")]
    assert rebels == [REBEL]
    summary = positions.member_summary(votes_db, REBEL)
    [vote] = [v for v in summary["votes"] if v["division_id"] == "commons-1"]
    assert vote["marks"] == "against party, against the Government, rebellion" and vote["result"] == "passed"


def test_derive_on_an_empty_database(db):
    summary = positions.derive(db, today="2024-01-01")
    assert {k: v for k, v in summary.items() if k != "run_id"} == {
        "families": 0, "topics": 0, "evidence": 0, "positions": 0, "divisions": 0, "commitments": 0, "follow-ups": 0}
    assert positions.list_commitments(db) == []
    assert db.execute("SELECT status FROM sync_runs WHERE id = ?", [summary["run_id"]]).fetchone()[0] == "ok"
