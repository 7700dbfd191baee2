"""The parsers' typed records: each one's row is made of its table's columns, as the store writes them."""
import dataclasses
import json

import pytest

from conftest import load_fixture
from fakes import SAMPLE_DIR, load_sample
from scrapers import bills, hansard, legislation, members, publications, questions, votes
from scrapers.records import Record
from tracker import store


def _records():
    """One record of every kind, parsed from the bundled sample and the tests' fixtures."""
    content = load_sample("bills_api.json")
    bill = content["bills"]["3159"]
    [amendment] = content["amendments"]["16472"][:1]
    [item] = content["pingpong"]["17894"][:1]
    member = members.search_values(load_fixture("members", "search_page.json"))[0]
    [history] = load_fixture("members", "history_497.json")
    debate = hansard.parse_debate(load_fixture("hansard", "debate.json"), "u")
    commons = votes.parse_commons_division(load_fixture("votes", "commons_division.json"), "u")
    question = questions.parse_question(load_fixture("questions", "questions_page.json")["results"][0]["value"], "u")
    [statement] = load_fixture("questions", "statements_page.json")["results"]
    clml = (SAMPLE_DIR / "legislation" / "ukpga-2023-54.xml").read_bytes()
    amendment_record = bills.parse_amendment(amendment, amendment, "u")
    return [
        bills.parse_bill(bill, "u"),
        *bills.parse_bill_sponsors(bill),
        bills.parse_stage(content["stages"]["3159"][0], 3159, "u"),
        amendment_record,
        *amendment_record.members,
        bills.parse_pingpong_item(item, item, "u"),
        members.parse_member(member, "u"),
        *members.parse_member_names(load_fixture("members", "member_4507.json")["value"], history["value"]),
        debate.sections[0],
        debate.contributions[0],
        commons,
        commons.votes[0],
        votes.parse_lords_division(load_fixture("votes", "lords_division.json"), "u"),
        question,
        questions.parse_statement(statement["value"], "u"),
        legislation.parse_item(clml, "ukpga/2023/54", 3159, "u")[0],
        publications.parse_publications(load_sample("publications.json")["publications"]["3159"], 3159, "u")[0],
    ]


@pytest.fixture(scope="module")
def columns(tmp_path_factory):
    db = store.open_db(str(tmp_path_factory.mktemp("schema") / "t.db"))
    return {table: set(db[table].columns_dict) for table in db.table_names()}


@pytest.mark.parametrize("record", _records(), ids=lambda r: type(r).__name__)
def test_every_column_of_a_record_is_a_column_of_its_table(record, columns):
    assert isinstance(record, Record)
    row = record.row()
    assert set(row) <= columns[record.TABLE], set(row) - columns[record.TABLE]
    if "source_url" in columns[record.TABLE]:  # a record of its own says where it came from
        assert "source_url" in row
    with pytest.raises(dataclasses.FrozenInstanceError):
        record.source_url = "changed"  # a parsed record is a value, not a row to edit


def test_the_rows_written_beside_a_record_are_not_in_its_row(columns):
    content = load_sample("bills_api.json")
    item = next(i for i in content["amendments"]["16472"] if len(i["sponsors"]) > 1)
    amendment = bills.parse_amendment(item, item, "u")
    row = amendment.row()
    assert "sponsor_links" not in row and "members" not in row
    assert json.loads(row["sponsors"]) == list(amendment.sponsors) == [s["name"] for s in sorted(item["sponsors"], key=lambda s: s["sortOrder"])]
    links = amendment.sponsor_rows()
    assert {link["amendment_id"] for link in links} == {amendment.amendment_id}
    assert all(set(link) <= columns[amendment.LINK_TABLE] for link in links)
    assert sum(link["is_lead"] for link in links) <= 1
    division = votes.parse_commons_division(load_fixture("votes", "commons_division.json"), "u")
    assert {"votes", "members"}.isdisjoint(division.row())
    assert {vote.division_id for vote in division.votes} == {division.division_id}


def test_a_member_named_by_another_api_says_nothing_of_a_photo_it_does_not_carry():
    with_photo = members.member_reference(4613, "Alex Burghart", house="Commons", member_from="Brentwood and Ongar",
                                          thumbnail_url="https://members-api.parliament.uk/api/Members/4613/Thumbnail")
    without = members.member_reference(4262, "Baroness Neville-Rolfe", house="Lords", member_from="Life peer")
    assert with_photo.row()["thumbnail_url"].endswith("/Thumbnail") and with_photo.constituency == "Brentwood and Ongar"
    # so a thin row never hides the photo the Members API's own record gives
    assert "thumbnail_url" not in without.row() and without.constituency is None  # a peer's memberFrom is no seat
    assert without.row()["source_url"] is None


def test_stored_rows_are_the_rows_the_records_give(db):
    """Written through the store and read back, a record's row comes back as it went in."""
    content = load_sample("bills_api.json")
    stage = bills.parse_stage(content["stages"]["3159"][2], 3159, "u")
    bill = bills.parse_bill(content["bills"]["3159"], "u")
    with store.transaction(db):
        store.upsert(db, bill.TABLE, bill.row(), run_id=None)
        store.upsert(db, stage.TABLE, stage.row(), run_id=None)
    stored = db[stage.TABLE].get(stage.bill_stage_id)
    assert {k: stored[k] for k in stage.row()} == stage.row()
    assert tuple(json.loads(stored["sittings"])) == stage.sittings
