"""A Government commitment passing its deadline is an event for the watchers of its bill, its topic
(the family's amendments, the provision), the minister who made it and a term in its words; derived
from the ``changes`` row ``tracker positions derive`` writes when the status turns overdue."""
import json

from positions_support import demo_copy

from tracker import positions
from tracker.alerts import watches
from tracker.alerts.events import derive_events

BILL = 3159
NC2 = 10001684  # Sir Iain Duncan Smith's new clause in the surveillance-equipment family
BURGHART = 4613  # the minister who gave the removal-timeline undertaking
TIMELINE = "contributions/7000045/6f0882a7"  # deadline 2024-04-26, six months after Royal Assent


def add(db, name, kind, value):
    return watches.add_watch(db, name, kind, value, atom=True)


def events_by_watch(db):
    found = {}
    for name, kind, record_id, title, summary, page_path in db.execute(
            "SELECT w.name, e.kind, e.record_id, e.title, e.summary, e.page_path FROM alert_events e"
            " JOIN watches w ON w.id = e.watch_id ORDER BY w.name"):
        found.setdefault(name, []).append({"kind": kind, "record_id": record_id, "title": title, "summary": summary, "page_path": page_path})
    return found


def test_a_commitment_passing_its_deadline_alerts_its_watchers(tmp_path_factory, tmp_path):
    db = demo_copy(tmp_path_factory, tmp_path / "demo.db")
    positions.derive(db, today="2024-01-02")  # before the deadline: due or open, not overdue
    assert db.execute("SELECT status FROM commitments WHERE commitment_id = ?", [TIMELINE]).fetchone()[0] == "open"
    add(db, "bill", "bill", BILL)
    add(db, "nc2", "amendment", NC2)
    add(db, "removal", "provision", "surveillance-equipment-removal")
    add(db, "minister", "member", str(BURGHART))
    add(db, "timeline-words", "term", "removal of surveillance equipment")
    add(db, "hikvision", "supplier", "hikvision")  # not the commitment's topic
    assert derive_events(db) == []

    positions.derive(db, today="2024-05-01")  # the deadline has passed
    change = db.execute("SELECT changed_fields FROM changes WHERE table_name = 'commitments' AND record_id = ? AND kind = 'changed'"
                        " ORDER BY id DESC LIMIT 1", [TIMELINE]).fetchone()
    assert json.loads(change[0])["status"] == ["open", "overdue"]
    derive_events(db)
    found = events_by_watch(db)
    assert set(found) == {"bill", "nc2", "removal", "minister", "timeline-words"}
    for name, events in found.items():
        assert [e["kind"] for e in events] == ["commitment_overdue"], name
    event = found["bill"][0]
    assert event["record_id"] == TIMELINE
    assert event["title"] == "Commitment overdue: Alex Burghart, 2023-06-13"
    assert "2024-04-26 (within six months of Royal Assent), has passed" in event["summary"]
    assert event["page_path"] == "/demo/commitments/contributions~2F7000045~2F6f0882a7"

    # Told once: deriving again on a later day changes nothing and alerts no one.
    positions.derive(db, today="2024-06-01")
    assert derive_events(db) == []
    db.close()
