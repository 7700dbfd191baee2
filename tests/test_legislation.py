"""legislation.gov.uk: CLML to clauses, and the sync step."""
import pytest

from conftest import NO_WAIT
from fakes import SAMPLE_DIR
from scrapers.errors import TrackerError
from scrapers.legislation import item_url, parse_item
from tracker.sync import run_sync
from tracker.sync.legislation import legislation_step

CLML = (SAMPLE_DIR / "legislation" / "ukpga-2023-54.xml").read_bytes()


def test_sections_and_schedules_become_clauses():
    rows = parse_item(CLML, "ukpga/2023/54", 3159, "https://www.legislation.gov.uk/ukpga/2023/54/data.xml")
    by_id = {r.clause_id: r for r in rows}
    debarment = by_id["ukpga/2023/54/section/62"]
    assert debarment.heading == "Debarment list" and debarment.number == "62" and debarment.kind == "section"
    assert debarment.part == "Part 5: Conditions of participation and exclusions"
    lines = debarment.text.splitlines()
    assert len(lines) == 3 and lines[0].startswith("(1) A Minister of the Crown must keep a list (the “debarment list”)")
    schedule = by_id["ukpga/2023/54/schedule/7"]
    assert schedule.kind == "schedule" and schedule.heading == "Discretionary exclusion grounds"
    assert "National Intelligence Law" in schedule.text and "National security" not in schedule.text.splitlines()[0][:20]
    assert len(rows) == 8


def test_bad_documents_are_clear_errors():
    with pytest.raises(TrackerError, match="malformed XML"):
        parse_item(b"<Legislation", "ukpga/2023/54", 1, "u")
    with pytest.raises(TrackerError, match="not a CLML"):
        parse_item(b"<html/>", "ukpga/2023/54", 1, "u")
    with pytest.raises(TrackerError, match="not a legislation path"):
        item_url("../../etc/passwd")


def test_sync_step_loads_and_is_idempotent(db, local_api, tmp_path):
    def sync():
        return run_sync(db, [legislation_step(3159, "ukpga/2023/54")], sources="legislation", archive_dir=str(tmp_path), client_options=NO_WAIT, rate_limit=0)

    first = sync()
    assert db["bill_clauses"].count == 8
    assert local_api.paths("legislation") == ["/ukpga/2023/54/data.xml"]
    assert local_api.requests[0]["headers"]["Accept"] == "application/xml"
    second = sync()
    assert db["changes"].count_where("sync_run_id = ?", [second.run_id]) == 0
    assert db["changes"].count_where("sync_run_id = ?", [first.run_id]) == 8
