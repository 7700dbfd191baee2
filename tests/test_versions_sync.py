"""Bill versions synced through the local fake of the services, and `tracker diff`."""
import json

import pytest
from click.testing import CliRunner

from conftest import NO_WAIT
from fakes import SampleApi
from scrapers.publications import Publication, parse_publications
from tracker import versions as bill_versions
from tracker.cli import cli
from tracker import store
from tracker.sync import run_sync
from tracker.sync.bills import bills_steps
from tracker.sync.demo import build_demo
from tracker.sync.legislation import legislation_step
from tracker.sync.versions import versions_step

BAD_PRINT = {
    "house": "Commons", "id": 48199, "title": "Procurement Bill [HL] as amended in Public Bill Committee",
    "publicationType": {"id": 1, "name": "Bill", "description": "The text of the Bill."},
    "displayDate": "2023-02-24T00:00:00", "links": [],
    "files": [{"id": 51299, "filename": "procurement-bill-5.xml", "contentType": "application/xml", "contentLength": 40}],
}


@pytest.fixture
def sample_api(serve_sample):
    """The whole bundled sample (every stage and amendment) behind a local server."""
    return serve_sample(SampleApi())


def sync(db, tmp_path):
    steps = [*bills_steps(bill_ids=[3159]), legislation_step(3159, "ukpga/2023/54"), versions_step()]
    return run_sync(db, steps, sources="bills,legislation,versions", archive_dir=str(tmp_path), client_options=NO_WAIT, rate_limit=0)


def test_publications_parse_and_format_preference():
    data = {"billId": 3159, "publications": [{
        "id": 1, "title": "HL Bill 4", "publicationType": {"id": 1, "name": "Bill", "description": None},
        "displayDate": "2022-05-11T00:00:00", "house": "Lords",
        "links": [{"id": 9, "title": "PDF", "url": "https://example.test/print.pdf", "contentType": "application/pdf"}],
        "files": [{"id": 7, "filename": "print.html", "contentType": "text/html", "contentLength": 10},
                  {"id": 8, "filename": "print.xml", "contentType": "application/xml", "contentLength": 10}],
    }, {"id": 2, "title": "Explanatory Notes", "publicationType": {"id": 3, "name": "Explanatory Notes"}, "links": [], "files": []}]}
    prints = parse_publications(data, 3159, "https://example.test/api")
    assert [p.is_bill_print for p in prints] == [True, False]
    documents = prints[0].documents()
    assert [d.format for d in documents] == ["akn", "html", "pdf"]  # AKN XML, then HTML, then PDF
    assert documents[0].url.endswith("/api/v1/Publications/1/Documents/8/Download") and documents[0].document_id == 8
    assert documents[2].url == "https://example.test/print.pdf" and documents[2].document_id is None
    assert isinstance(prints[0], Publication) and json.loads(prints[0].row()["files"])[0]["id"] == 7
    assert prints[1].best_document() is None


def test_sync_brings_in_every_print_and_attributes_changes(db, sample_api, tmp_path):
    run = sync(db, tmp_path)
    assert run.errors == []
    versions = bill_versions.list_versions(db, 3159)
    assert [v["label"] for v in versions] == [
        "HL Bill 4 as introduced", "Procurement Bill [HL] as amended in Committee", "Procurement Bill [HL] as amended on Report",
        "Procurement Bill [HL] as brought from the Lords", "As enacted (ukpga/2023/54)",
    ]
    assert [v["stage"] for v in versions] == ["1st reading", "Committee stage", "Report stage", "3rd reading", "Royal Assent"]
    assert all(v["format"] == "akn" and len(v["sha256"]) == 64 for v in versions[:4]) and versions[4]["format"] == "clml"
    assert db["publications"].count == 5 and db["publications"].get(48111)["publication_type"] == "Explanatory Notes"
    # every print's document came through the Download endpoint, binary and archived
    downloads = [p for p in sample_api.paths() if p.endswith("/Download")]
    assert len(downloads) == 4 and "/api/v1/Publications/48101/Documents/51201/Download" in downloads
    # the clauses are rows, searchable
    found = db.execute("SELECT clause_key FROM clauses_fts JOIN clauses ON clauses.rowid = clauses_fts.rowid"
                       " WHERE clauses_fts MATCH 'debarment' AND clauses.kind = 'clause'").fetchall()
    assert {"publication/48101/clause/54", "publication/48104/clause/59"} <= {r[0] for r in found}
    # Lords committee: "may" became "must" by amendment 103, clause 55 left out, the new clause inserted
    made = {r["how"]: r for r in db.query(
        "SELECT cc.kind, cc.from_clause, cc.to_clause, a.number, ca.how, ca.confidence FROM change_amendments ca"
        " JOIN clause_changes cc ON cc.id = ca.clause_change_id JOIN amendments a ON a.amendment_id = ca.amendment_id"
        " WHERE cc.from_version = 'publication/48101'")}
    assert made["clause 28, page 19, line 34; words left out and inserted"]["number"] == "103"
    assert made["leaves out clause 55"]["kind"] == "removed"
    assert made["new clause's heading and text"]["to_clause"] == "publication/48102/clause/55"
    # the whole history of the debarment clause, as the clause page will show it
    steps = bill_versions.history(db, 3159, "54")
    assert [(s["from_clause"], s["kind"]) for s in steps] == [
        ("publication/48101/clause/54", "unchanged"), ("publication/48102/clause/54", "amended"),
        ("publication/48103/clause/54", "amended"), ("publication/48104/clause/59", "amended"),
    ]
    assert [a["amendment_number"] for a in steps[1]["amendments"]] == ["31"]
    assert steps[2]["diff"]["number"] == ["54", "59"]
    assert steps[3]["to_clause"] == "legislation/ukpga/2023/54/section/62"
    changes = bill_versions.amendment_changes(db, amendment_id=10001313)
    assert [c["kind"] for c in changes] == ["amended"] and ["insert", "must"] in changes[0]["diff"]["ops"]
    # a consequential renumbering is stored with no amendment: unexplained
    renumbered = db.execute("SELECT id FROM clause_changes WHERE kind = 'renumbered'").fetchall()
    assert renumbered and not db.execute(
        f"SELECT 1 FROM change_amendments WHERE clause_change_id IN ({','.join('?' for _ in renumbered)})", [r[0] for r in renumbered]
    ).fetchall()
    assert "5 readable versions" in run.messages[-1] and "agreed amendments not found" in run.messages[-1]


def test_second_sync_changes_nothing(db, sample_api, tmp_path):
    sync(db, tmp_path)
    second = sync(db, tmp_path)
    tables = [r[0] for r in db.execute("SELECT DISTINCT table_name FROM changes WHERE sync_run_id = ?", [second.run_id])]
    assert tables == []


def test_a_bad_print_is_recorded_with_its_error_and_the_others_go_on(db, sample_api, tmp_path):
    sample_api.api.publications["3159"]["publications"].append(BAD_PRINT)
    sample_api.api.documents[(48199, 51299)] = b"<?xml version='1.0'?><akomaNtoso xmlns='http://docs.oasis-open.org/legaldocml/ns/akn/3.0'><bill><body><section"
    run = sync(db, tmp_path)
    assert len(run.errors) == 1
    assert str(run.errors[0]).startswith(
        "bill print: record Procurement Bill [HL] as amended in Public Bill Committee: not well-formed XML (truncated?)")
    bad = db["bill_versions"].get("publication/48199")
    assert bad["format"] == "akn" and bad["error"].startswith("not well-formed XML") and bad["sha256"]
    assert db["clauses"].count_where("version_id = 'publication/48199'") == 0
    assert db["sync_runs"].get(run.run_id)["status"] == "partial"
    readable = bill_versions.list_versions(db, 3159, readable_only=True)
    assert len(readable) == 5  # the four good prints and the Act, compared around the bad one
    assert db["clause_changes"].count_where("from_version = 'publication/48104' AND to_version = 'legislation/ukpga/2023/54'") > 0


def test_cli_sync_names_the_bad_print_in_one_error_line(sample_api, tmp_path):
    sample_api.api.publications["3159"]["publications"].append(BAD_PRINT)
    sample_api.api.documents[(48199, 51299)] = b"%PDF-1.4 not really"
    BAD_PRINT["files"][0]["contentType"] = "application/pdf"
    try:
        result = CliRunner().invoke(cli, ["--db", str(tmp_path / "t.db"), "sync", "--bill", "3159", "--versions",
                                          "--archive-dir", str(tmp_path), "--rate-limit", "1000"])
    finally:
        BAD_PRINT["files"][0]["contentType"] = "application/xml"
    errors = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert result.exit_code == 1 and len(errors) == 1
    assert errors[0].startswith("error: bill print: record Procurement Bill [HL] as amended in Public Bill Committee: not a readable PDF")
    assert "Traceback" not in result.output


@pytest.fixture(scope="module")
def synced(tmp_path_factory):
    """The demo database (the packaged sample replayed, prints included), shared by the CLI tests."""
    path = str(tmp_path_factory.mktemp("versions") / "tracker.db")
    build_demo(path)
    return path


def diff(db_path, *args):
    return CliRunner().invoke(cli, ["--db", db_path, "diff", "--bill", "3159", *args])


def test_cli_lists_versions(synced):
    result = diff(synced, "--list")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert len(lines) == 5 and lines[0].startswith("2022-05-11  HL Bill 4 as introduced  [akn; 1st reading;")
    assert lines[-1].startswith("2023-10-26  As enacted (ukpga/2023/54)  [clml; Royal Assent;")


def test_cli_diff_plain_when_piped_with_amendments_and_unexplained(synced):
    result = diff(synced, "--from", "as introduced", "--to", "in Committee")
    assert result.exit_code == 0, result.output
    out = result.output
    assert "\x1b[" not in out  # no colour when not a terminal
    assert "Clause 28 (amended)  Excluded and excludable suppliers" in out
    assert "A contracting authority [-may-] {+must+} treat a supplier" in out
    assert "made by Amendment 103 (Committee stage, Lords), confidence 1.00: clause 28, page 19, line 34" in out
    assert "Clause 55 (removed)  Debarment list: appeals" in out and "new Clause 55 (inserted)  Debarment list: investigations" in out
    later = diff(synced, "--from", "on Report", "--to", "brought from").output
    assert "Clause 11 → Clause 12 (renumbered)" in later and "unexplained: renumbered by no amendment" in later
    last = diff(synced).output  # default: the last two versions
    assert last.startswith("Procurement Bill [HL] as brought from the Lords (2022-12-14) → As enacted (ukpga/2023/54)")
    assert "Agreed amendments whose change is not in the later print:" in last and "Amendment 47B" in last


def test_cli_diff_one_clause_and_html(synced, tmp_path):
    page = tmp_path / "diff.html"
    result = diff(synced, "--from", "HL Bill 4", "--to", "in Committee", "--clause", "28", "--html", str(page))
    assert result.exit_code == 0, result.output
    titles = [line for line in result.output.splitlines() if line and not line.startswith(" ")]
    assert titles[2:] == ["Clause 28 (amended)  Excluded and excludable suppliers", f"wrote {page}"]
    assert "(1) A supplier is an “excluded supplier”" in result.output  # the whole clause, not elided
    html = page.read_text(encoding="utf-8")
    assert "<del>may</del>" in html and "<ins>must</ins>" in html and "Amendment 103" in html
    assert html.count("<tr><th colspan") == 1


def test_cli_diff_errors_are_one_line(synced, tmp_path):
    result = diff(synced, "--from", "no such print")
    assert result.exit_code == 1 and result.output.startswith("Error: tracker: record bill 3159: 'no such print' matches no version")
    empty = CliRunner().invoke(cli, ["--db", str(tmp_path / "empty.db"), "diff", "--bill", "3159"])
    assert empty.exit_code == 1 and "no versions in the database" in empty.output


def test_prints_are_archived_replayable_and_conditional(db, sample_api, tmp_path):
    first = sync(db, tmp_path)
    archive = db["sync_runs"].get(first.run_id)["archive_path"]
    second = sync(db, tmp_path)
    repeat = [r for r in sample_api.requests if r["path"].endswith("/Download")][4:]
    assert len(repeat) == 4 and all(r["headers"].get("If-None-Match") for r in repeat)  # conditional on repeat
    assert second.errors == []
    # the binary bodies replay from the first run's WARC into a fresh database, with no server

    fresh = store.open_db(str(tmp_path / "replayed.db"))
    steps = [*bills_steps(bill_ids=[3159]), legislation_step(3159, "ukpga/2023/54"), versions_step()]
    replayed = run_sync(fresh, steps, sources="replay", replay=[archive], client_options=NO_WAIT, rate_limit=0)
    assert replayed.errors == []
    original = [(v["version_id"], v["sha256"], v["clause_count"]) for v in bill_versions.list_versions(db, 3159)]
    assert [(v["version_id"], v["sha256"], v["clause_count"]) for v in bill_versions.list_versions(fresh, 3159)] == original
