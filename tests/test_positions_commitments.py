"""Government commitments on the demo: the gold set, deadlines, follow-ups, and status changes as history."""
import json

from positions_support import GOLD, demo_copy, read_demo

from tracker import positions, store
from tracker.positions import evaluate
from tracker.positions.commitments import find_statements, link_followups
from tracker.positions.families import find_families
from tracker.positions.government import Government

REMOVAL = "contributions/7000045"


def found(db):
    government = Government.from_db(db)
    return link_followups(find_statements(db, government, find_families(db, government)))


def test_commitments_against_the_gold_set(tmp_path_factory):
    scores = evaluate.commitment_scores(found(read_demo(tmp_path_factory)), evaluate.load_gold(GOLD / "commitments.jsonl"))
    print(f"\ncommitments: precision {scores['precision']:.2f}, recall {scores['recall']:.2f}; follow-ups precision"
          f" {scores['followups']['precision']:.2f}, recall {scores['followups']['recall']:.2f}; deadlines right {scores['deadline_accuracy']:.2f}")
    assert scores["precision"] >= 0.9, scores["spurious"]
    assert scores["recall"] >= 0.9, scores["missed"]
    assert scores["followups"]["precision"] >= 0.9 and scores["followups"]["recall"] >= 0.9
    assert scores["deadline_accuracy"] == 1.0


def removal(db):
    [row] = [c for c in positions.list_commitments(db) if c["path"] == REMOVAL]
    return row


def test_status_follows_the_day_and_each_change_is_history(tmp_path_factory, tmp_path):
    db = demo_copy(tmp_path_factory, tmp_path / "copy.db")
    seen = []
    for today in ("2024-01-10", "2024-04-01", "2024-05-01", "2024-05-02"):
        run = positions.derive(db, today=today)["run_id"]
        seen.append(removal(db)["status"])
        changes = list(db.query("SELECT record_id, changed_fields FROM changes WHERE sync_run_id = ? AND table_name = 'commitments'", [run]))
        if today == "2024-05-01":
            [change] = changes
            assert change["record_id"].startswith(REMOVAL) and json.loads(change["changed_fields"]) == {"status": ["due", "overdue"]}
        if today == "2024-05-02":
            assert changes == []  # nothing changed, nothing recorded
    assert seen == ["open", "due", "overdue", "overdue"]
    row = removal(db)
    assert (row["deadline"], row["deadline_basis"], row["department"]) == ("2024-04-26", "within six months of Royal Assent", "Cabinet Office")
    assert [(f["kind"], f["path"]) for f in row["followups"]] == [("restated", "written_statements/1702003")]


def test_a_later_report_fulfils_the_commitment(tmp_path_factory, tmp_path):
    db = demo_copy(tmp_path_factory, tmp_path / "copy.db")
    run = store.start_run(db, "test")
    with store.transaction(db):
        store.upsert(db, "written_statements", {
            "statement_id": 1709999, "uin": "HCWS999", "house": "Commons", "member_id": 4613, "answering_body": "Cabinet Office",
            "date": "2024-04-18", "title": "Surveillance equipment on the government estate",
            "text": "The Government have today published the timeline for the removal of surveillance equipment from sensitive central government sites.",
        }, run_id=run)
    store.finish_run(db, run, "ok")
    positions.derive(db, today="2024-06-01")
    row = removal(db)
    assert (row["status"], row["fulfilled_by"]) == ("fulfilled", "written_statements/1709999")
    assert ("fulfilled", "written_statements/1709999") in [(f["kind"], f["path"]) for f in row["followups"]]


def test_only_ministers_make_commitments(tmp_path_factory):
    db = read_demo(tmp_path_factory)
    ministers = {r["member_id"] for r in db.query("SELECT DISTINCT member_id FROM commitments")}
    assert ministers == {4613, 4262}  # Alex Burghart and Baroness Neville-Rolfe
