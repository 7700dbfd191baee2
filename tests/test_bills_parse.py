"""Bills API parsers: pure functions from recorded responses (real shapes) to typed records."""
import json

from conftest import load_fixture, shared_example
from scrapers import bills


def test_parse_bill_on_real_response():
    data = shared_example("bills_api_bill_3548_detail_REAL.json")
    row = bills.parse_bill(data, "https://bills-api.parliament.uk/api/v1/Bills/3548")
    assert row.bill_id == 3548
    assert row.short_title == "High Streets (Designation, Review and Improvement Plan) Bill"
    assert row.current_house == "Commons" and row.originating_house == "Commons"
    assert row.last_update == "2024-03-12T23:17:31.2836411"
    assert row.session_id == 38 and row.is_act == 0 and row.is_defeated == 0
    assert row.current_stage == "Committee stage"
    assert row.source_url.endswith("/Bills/3548")
    [sponsor] = bills.parse_bill_sponsors(data)
    assert sponsor.row() == {
        "member_id": 4643, "name": "Jack Brereton", "party": "Conservative", "house": "Commons",
        "constituency": "Stoke-on-Trent South", "thumbnail_url": "https://members-api.parliament.uk/api/Members/4643/Thumbnail",
        "name_list_as": None, "source_url": None,
    }


def test_parse_stage_on_real_current_stage():
    data = shared_example("bills_api_bill_3548_detail_REAL.json")
    row = bills.parse_stage(data["currentStage"], 3548, "u")
    assert row.bill_stage_id == 18467 and row.stage_id == 8
    assert row.abbreviation == "CS" and row.house == "Commons"
    assert row.first_sitting == row.last_sitting == "2024-03-13"


def test_parse_bill_summaries_from_real_list():
    data = shared_example("bills_api_list_and_publications_REAL.json")
    rows = [bills.parse_bill(item, "u") for item in data["GET /api/v1/Bills (excerpt)"]["items"]]
    assert [r.bill_id for r in rows] == [2818, 2302, 2556]
    assert rows[2].originating_house == "Lords" and rows[2].current_stage == "2nd reading"


def test_parse_amendment_on_real_search_item():
    item = shared_example("bills_api_amendment_search_item_PARTIAL_REAL.json")
    item = {k: v for k, v in item.items() if not k.startswith("_")}
    row = bills.parse_amendment(item, {}, "u")
    assert row.amendment_id == 10006276
    assert row.summary == 'Clause 2, page 2, line 32, leave out "must" and insert "may"'
    assert (row.clause, row.page_number, row.line_number) == (2, 2, 32)
    assert row.decision == "NoDecision"
    assert row.decision_explanation == "The House has not considered this amendment."
    # the partial example's sponsor has no memberId: kept out of links, never guessed
    assert row.sponsor_links == () and row.lead_sponsor_id is None


# The project's own fixtures take the paths the real examples above take, so a clone without ../shared tests them too.

def test_parse_bill_and_its_sponsors_on_the_bill_fixture():
    data = load_fixture("bills", "bill_detail.json")
    row = bills.parse_bill(data, "https://bills-api.parliament.uk/api/v1/Bills/3159")
    assert (row.bill_id, row.short_title, row.former_short_title) == (3159, "Procurement Bill [HL]", None)
    assert row.long_title == "A Bill to make provision about procurement." and row.summary is None
    assert (row.current_house, row.originating_house) == ("Commons", "Lords")
    assert row.last_update == "2023-02-21T18:32:40.5519261"
    assert (row.session_id, row.bill_type_id, row.is_act, row.is_defeated, row.withdrawn) == (37, 1, 0, 0, None)
    assert row.current_stage == "Committee stage"
    assert row.source_url.endswith("/Bills/3159")
    peer, mp = bills.parse_bill_sponsors(data)
    assert mp.row() == {
        "member_id": 4613, "name": "Alex Burghart", "party": "Conservative", "house": "Commons",
        "constituency": "Brentwood and Ongar", "thumbnail_url": "https://members-api.parliament.uk/api/Members/4613/Thumbnail",
        "name_list_as": None, "source_url": None,
    }
    assert (peer.member_id, peer.house, peer.constituency) == (4262, "Lords", None)  # a peer's memberFrom is no seat


def test_parse_stage_on_the_bill_fixtures_current_stage():
    data = load_fixture("bills", "bill_detail.json")
    row = bills.parse_stage(data["currentStage"], 3159, "u")
    assert (row.bill_stage_id, row.stage_id, row.abbreviation, row.house) == (17149, 8, "CS", "Commons")
    assert (row.first_sitting, row.last_sitting) == ("2023-01-31", "2023-02-21")
    assert row.sittings[:3] == ("2023-01-31", "2023-01-31", "2023-02-02")  # two sittings a day
    assert json.loads(row.row()["sittings"]) == list(row.sittings)  # stored as a JSON list


def test_parse_bill_summaries_from_the_search_fixture():
    data = load_fixture("bills", "bill_search.json")
    rows = [bills.parse_bill(item, "u") for item in data["items"]]
    assert [r.bill_id for r in rows] == [3159, 3301]
    assert all(r.long_title is None for r in rows)  # a summary carries no long title
    assert rows[0].originating_house == "Lords" and rows[0].current_stage == "Committee stage"
    assert rows[1].withdrawn == "2023-03-03T00:00:00" and rows[1].current_stage == "1st reading"
    assert bills.parse_stage(data["items"][1]["currentStage"], 3301, "u").first_sitting is None


def test_parse_amendment_on_search_items_without_their_detail():
    listed, cut_short = load_fixture("bills", "amendment_search.json")["items"]
    row = bills.parse_amendment(listed, {}, "u")
    assert row.amendment_id == 10009001
    assert row.summary == "Clause 12, page 9, line 30, leave out \u201cmay\u201d and insert \u201cmust\u201d"
    assert (row.clause, row.page_number, row.line_number) == (12, 9, 30)
    assert (row.decision, row.decision_explanation) == ("NoDecision", "Not yet reached by the committee.")
    assert row.text is None and row.explanatory_text is None  # the detail carries those
    assert row.sponsor_rows() == [{"member_id": 4812, "is_lead": 1, "sort_order": 1, "amendment_id": 10009001}] and row.lead_sponsor_id == 4812
    # a sponsor without a memberId: kept out of links, never guessed
    row = bills.parse_amendment(cut_short, {}, "u")
    assert row.sponsor_links == () and row.members == () and row.lead_sponsor_id is None


def test_the_bill_fixtures_have_the_real_keys():
    real = shared_example("bills_api_bill_3548_detail_REAL.json")
    real_list = shared_example("bills_api_list_and_publications_REAL.json")["GET /api/v1/Bills (excerpt)"]
    ours = load_fixture("bills", "bill_detail.json")
    assert set(ours) - {"_about"} == set(real)
    assert set(ours["currentStage"]) == set(real["currentStage"])
    assert set(ours["currentStage"]["stageSittings"][0]) == set(real["currentStage"]["stageSittings"][0])
    assert set(ours["sponsors"][0]["member"]) == set(real["sponsors"][0]["member"])
    search = load_fixture("bills", "bill_search.json")
    assert set(search) - {"_about"} >= {"items"} and all(set(item) == set(real_list["items"][0]) for item in search["items"])
    amendment = shared_example("bills_api_amendment_search_item_PARTIAL_REAL.json")
    listed = load_fixture("bills", "amendment_search.json")["items"][0]
    assert {k for k in amendment if not k.startswith("_")} <= set(listed)


def test_parse_amendment_keeps_html_structure_and_plain_text():
    content = load_fixture("bills", "small_bill.json")
    item = content["amendments"]["15003"][0]
    detail = {k: v for k, v in item.items() if k != "summaryText"}
    row = bills.parse_amendment(item, detail, "https://x/Amendments/10010001")
    assert row.number == "NC1" and row.amendment_type == "AddClauseOrSchedule"
    assert row.summary == "To move the following Clause—\n“Removal of surveillance equipment"
    assert "<b>" in row.summary_html
    assert "People’s Republic of China & its subsidiaries" in row.text
    assert '<p class="indent-1">' in row.text_html
    assert row.explanatory_text == "Member’s explanatory statement\nThis amendment would require contracting authorities to act."
    assert row.decision_explanation == "The amendment was withdrawn."
    assert row.sponsors == ("Lord Alton of Liverpool", "Lord Fox")
    assert json.loads(row.row()["sponsors"]) == ["Lord Alton of Liverpool", "Lord Fox"]
    assert row.lead_sponsor_id == 738
    assert row.sponsor_rows() == [
        {"member_id": 738, "is_lead": 1, "sort_order": 0, "amendment_id": 10010001},
        {"member_id": 4331, "is_lead": 0, "sort_order": 1, "amendment_id": 10010001},
    ]
    assert row.members[0].house == "Lords" and row.members[0].constituency is None


def test_parse_pingpong_motion_and_amendment():
    content = load_fixture("bills", "small_bill.json")
    amendment_item, motion_item = content["pingpong"]["17001"]
    row = bills.parse_pingpong_item(motion_item, motion_item, "u")
    assert row.pingpong_item_id == 5002 and row.type == "Motion" and row.number == "A"
    assert row.decision == "Agreed"
    assert row.text.splitlines()[0] == "Baroness Neville-Rolfe to move—"
    assert row.text.splitlines()[-1].startswith("Page 50, line 2, at end insert")
    assert [link.member_id for link in row.sponsor_links] == [4292, 738]
    assert {link["pingpong_item_id"] for link in row.sponsor_rows()} == {5002}
    row = bills.parse_pingpong_item(amendment_item, amendment_item, "u")
    assert row.type == "Amendment" and row.number == "47" and row.decision == "Disagreed"


def test_stage_has_pingpong_only_between_the_houses():
    assert bills.stage_has_pingpong({"description": "Consideration of Commons amendments"})
    assert bills.stage_has_pingpong({"description": "Consideration of Lords message"})
    assert not bills.stage_has_pingpong({"description": "Committee stage"})
