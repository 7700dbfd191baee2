"""End to end: `tracker demo` derives positions, and the issue's "Done when" holds on it.

* the surveillance-equipment proposal is one family across both Houses, with each step's decision;
* a member's page shows their position on it with the evidence behind each claim, and
  their votes marked with or against their party and the Government;
* the Government's commitment to publish a removal timeline appears with its deadline and status.
"""
import json
import sqlite3
from datetime import date

import pytest
from click.testing import CliRunner
from positions_support import demo_copy, demo_path, read_demo

from tracker import positions
from tracker.cli import cli
from tracker.positions.commitments import status
from tracker.publish import server

POSITIONS_QUERIES = ("positions_on_topic", "positions_of_member", "government_commitments")  # published canned queries
IDS, BLENCATHRA = 152, 497  # Sir Iain Duncan Smith, Lord Blencathra


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    return read_demo(tmp_path_factory)


def run(tmp_path_factory, *args):
    return CliRunner().invoke(cli, ["--db", str(demo_path(tmp_path_factory)), *args], catch_exceptions=False)


def test_the_surveillance_proposal_is_one_family_across_both_houses(demo):
    [family_id] = [r["family_id"] for r in demo.query("SELECT family_id FROM amendment_family_members WHERE amendment_id = 10001684")]
    timeline = positions.family_timeline(demo, family_id)
    assert timeline["houses"] == ["Lords", "Commons"]
    assert [(s["house"], s["stage"], s["label"], s["decision_words"]) for s in timeline["steps"]] == [
        ("Lords", "Committee stage", "Amendment 99", "withdrawn"),
        ("Lords", "Report stage", "Amendment 21", "not moved"),
        ("Commons", "Report stage", "NC2", "withdrawn"),
    ]
    assert timeline["steps"][2]["sponsors"][0] == "Sir Iain Duncan Smith"
    assert timeline["outcome"] == "not in the Act"
    # the Government's concession on it was a commitment, not text in the Act
    assert [c["path"] for c in timeline["commitments"]] == ["contributions/7000045"]


def test_a_members_position_with_the_evidence_behind_each_claim(demo):
    summary = positions.member_summary(demo, IDS)
    [position] = [p for p in summary["positions"] if p["topic"] == "family:a10001285"]
    assert position["stance"] == "supports"
    assert position["line"].startswith("Supports: Removal of surveillance equipment from government sites: timeline (")
    assert {(e["kind"], e["path"]) for e in position["evidence"]} == {
        ("sponsored", "amendments/10001684"), ("spoke", "contributions/7000021"), ("spoke", "contributions/7000046")}
    assert summary["headline"][0] == position["line"]
    # every piece of evidence points at a record that exists
    for p in summary["positions"]:
        for e in p["evidence"]:
            table, _, record_id = e["path"].partition("/")
            key = {"amendments": "amendment_id", "pingpong_items": "pingpong_item_id", "contributions": "contribution_id",
                   "divisions": "division_id"}[table]
            assert demo.execute(f"SELECT 1 FROM {table} WHERE {key} = ?", [record_id]).fetchone(), e


def test_votes_marked_with_or_against_party_and_government(demo):
    votes = {v["division_id"]: v for v in positions.member_summary(demo, BLENCATHRA)["votes"]}
    # a Conservative peer voting content against his party and the Government (Lord True, Leader of the House, not content)
    assert (votes["lords-3002"]["with_party"], votes["lords-3002"]["with_government"], votes["lords-3002"]["rebellion"]) == (0, 0, 1)
    assert votes["lords-3002"]["marks"] == "against party, against the Government, rebellion"
    assert votes["lords-3002"]["result"] == "passed"
    [ids_vote] = positions.member_summary(demo, IDS)["votes"]
    assert (ids_vote["division_id"], ids_vote["marks"]) == ("commons-1599", "with party, with the Government")
    sides = {r["division_id"]: r for r in demo.query("SELECT * FROM division_sides")}
    assert sides["commons-1599"]["government_side"] == "aye" and sides["commons-1555"]["government_side"] == "no"
    assert sides["lords-2870"]["government_side"] == "no" and "Lord True" in sides["lords-2870"]["government_basis"]


def test_no_stance_without_evidence_and_mixed_shows_as_mixed(demo):
    for p in demo.query("SELECT * FROM member_positions"):
        stances = [r["stance"] for r in demo.query("SELECT stance FROM position_evidence WHERE member_id = ? AND topic = ?",
                                                    [p["member_id"], p["topic"]])]
        assert len(stances) == p["evidence_count"] >= 1
        expected = {frozenset({"supports"}): "supports", frozenset({"opposes"}): "opposes"}.get(frozenset(stances) - {"neutral"})
        if {"supports", "opposes"} <= set(stances):
            expected = "mixed"
        assert p["stance"] == (expected or "unknown"), p
    # the Minister who resisted new clause 2 while promising its timeline: mixed on the removal of surveillance equipment
    assert demo.execute("SELECT stance FROM member_positions WHERE member_id = 4613 AND topic = 'provision:surveillance-equipment-removal'"
                        ).fetchone()[0] == "mixed"


def test_the_removal_timeline_commitment_with_its_deadline_and_status(demo):
    [commitment] = [c for c in positions.list_commitments(demo) if "publish a timeline for the removal" in c["text"]]
    assert (commitment["member"], commitment["made_on"], commitment["deadline"]) == ("Alex Burghart", "2023-06-13", "2024-04-26")
    assert commitment["status"] == status("2024-04-26", False, date.today().isoformat())
    assert commitment["topic"] == "family:a10001285"


def test_cli_member_topic_and_commitments(tmp_path_factory):
    member = run(tmp_path_factory, "positions", "member", "Sir Iain Duncan Smith")
    assert member.exit_code == 0
    assert "Supports: Removal of surveillance equipment from government sites: timeline" in member.output
    assert "contributions/7000021" in member.output and "commons-1599" in member.output
    as_json = json.loads(run(tmp_path_factory, "positions", "member", "152", "--json").output)
    assert as_json["member"]["name"] == "Sir Iain Duncan Smith"
    topic = json.loads(run(tmp_path_factory, "positions", "topic", "surveillance-equipment-removal", "--json").output)
    assert topic["topic"]["topic"] == "provision:surveillance-equipment-removal"
    assert "Sir Iain Duncan Smith" in [m["name"] for m in topic["supports"]]
    family = run(tmp_path_factory, "positions", "topic", "Removal of surveillance equipment from government sites")
    assert "3 steps in Lords and Commons" in family.output and "NC2: withdrawn" in family.output
    commitments = run(tmp_path_factory, "commitments")
    assert "deadline 2024-04-26 (within six months of Royal Assent)" in commitments.output
    assert "restated 2024-02-12 <written_statements/1702003>" in commitments.output
    families = run(tmp_path_factory, "positions", "families")
    assert "Amendment 99 (L Committee stage: withdrawn) > Amendment 21 (L Report stage: not moved) > NC2 (C Report stage: withdrawn)" in families.output


def test_cli_errors_are_one_line(tmp_path_factory):
    ambiguous = run(tmp_path_factory, "positions", "member", "Lord")
    assert ambiguous.exit_code == 1 and ambiguous.output.count("\n") == 1 and "several match" in ambiguous.output
    unknown = run(tmp_path_factory, "positions", "topic", "no such thing")
    assert unknown.exit_code == 1 and unknown.output.startswith("Error: positions: record no such thing: no topic")
    bad_day = run(tmp_path_factory, "positions", "derive", "--today", "soon")
    assert bad_day.exit_code == 1 and "not a date" in bad_day.output


def test_canned_queries_run_on_the_demo(tmp_path_factory):
    connection = sqlite3.connect(demo_path(tmp_path_factory))
    connection.row_factory = sqlite3.Row
    params = {"topic": "family:a10001285", "member": str(IDS)}
    results = {name: [dict(r) for r in connection.execute(server.canned_query(name)["sql"], params)] for name in POSITIONS_QUERIES}
    assert all(results.values())
    assert ("Conservative", "supports", "Sir Iain Duncan Smith") in [(r["party"], r["stance"], r["member"]) for r in results["positions_on_topic"]]
    assert {r["member"] for r in results["positions_of_member"]} == {"Sir Iain Duncan Smith"}
    # A name or words of one find the member too; words of a topic's name find the topic.
    by_name = connection.execute(server.canned_query("positions_of_member")["sql"], {"member": "Duncan Smith"}).fetchall()
    assert len(by_name) == len(results["positions_of_member"])
    by_words = connection.execute(server.canned_query("positions_on_topic")["sql"], {"topic": "government sites: timeline"}).fetchall()
    assert {r["topic"] for r in by_words} == {"family:a10001285"}
    assert results["government_commitments"][0]["status"] == "overdue"


def test_derive_again_changes_nothing(tmp_path_factory, tmp_path):
    demo = demo_copy(tmp_path_factory, tmp_path / "copy.db")
    before = demo.execute("SELECT count(*) FROM changes").fetchone()[0]
    evidence = list(demo.query("SELECT * FROM position_evidence ORDER BY id"))
    again = CliRunner().invoke(cli, ["--db", str(tmp_path / "copy.db"), "--quiet", "positions", "derive"], catch_exceptions=False)
    assert again.exit_code == 0 and again.output.startswith("positions (run ")
    assert demo.execute("SELECT count(*) FROM changes").fetchone()[0] == before
    assert list(demo.query("SELECT * FROM position_evidence ORDER BY id")) == evidence
