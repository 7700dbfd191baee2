"""Bills API parsers: pure functions from recorded responses (real shapes) to rows."""
import json

from conftest import load_fixture, shared_example
from scrapers import bills


def test_parse_bill_on_real_response():
    data = shared_example("bills_api_bill_3548_detail_REAL.json")
    row = bills.parse_bill(data, "https://bills-api.parliament.uk/api/v1/Bills/3548")
    assert row["bill_id"] == 3548
    assert row["short_title"] == "High Streets (Designation, Review and Improvement Plan) Bill"
    assert row["current_house"] == "Commons" and row["originating_house"] == "Commons"
    assert row["last_update"] == "2024-03-12T23:17:31.2836411"
    assert row["session_id"] == 38 and row["is_act"] == 0 and row["is_defeated"] == 0
    assert row["current_stage"] == "Committee stage"
    assert row["source_url"].endswith("/Bills/3548")
    [sponsor] = bills.parse_bill_sponsors(data)
    assert sponsor == {
        "member_id": 4643, "name": "Jack Brereton", "party": "Conservative", "house": "Commons",
        "constituency": "Stoke-on-Trent South", "thumbnail_url": "https://members-api.parliament.uk/api/Members/4643/Thumbnail",
        "name_list_as": None, "source_url": None,
    }


def test_parse_stage_on_real_current_stage():
    data = shared_example("bills_api_bill_3548_detail_REAL.json")
    row = bills.parse_stage(data["currentStage"], 3548, "u")
    assert row["bill_stage_id"] == 18467 and row["stage_id"] == 8
    assert row["abbreviation"] == "CS" and row["house"] == "Commons"
    assert row["first_sitting"] == row["last_sitting"] == "2024-03-13"


def test_parse_bill_summaries_from_real_list():
    data = shared_example("bills_api_list_and_publications_REAL.json")
    rows = [bills.parse_bill(item, "u") for item in data["GET /api/v1/Bills (excerpt)"]["items"]]
    assert [r["bill_id"] for r in rows] == [2818, 2302, 2556]
    assert rows[2]["originating_house"] == "Lords" and rows[2]["current_stage"] == "2nd reading"


def test_parse_amendment_on_real_search_item():
    item = shared_example("bills_api_amendment_search_item_PARTIAL_REAL.json")
    item = {k: v for k, v in item.items() if not k.startswith("_")}
    row, links, members = bills.parse_amendment(item, {}, "u")
    assert row["amendment_id"] == 10006276
    assert row["summary"] == 'Clause 2, page 2, line 32, leave out "must" and insert "may"'
    assert (row["clause"], row["page_number"], row["line_number"]) == (2, 2, 32)
    assert row["decision"] == "NoDecision"
    assert row["decision_explanation"] == "The House has not considered this amendment."
    # the partial example's sponsor has no memberId: kept out of links, never guessed
    assert links == [] and row["lead_sponsor_id"] is None


def test_parse_amendment_keeps_html_structure_and_plain_text():
    content = load_fixture("bills", "small_bill.json")
    item = content["amendments"]["15003"][0]
    detail = {k: v for k, v in item.items() if k != "summaryText"}
    row, links, members = bills.parse_amendment(item, detail, "https://x/Amendments/10010001")
    assert row["number"] == "NC1" and row["amendment_type"] == "AddClauseOrSchedule"
    assert row["summary"] == "To move the following Clause—\n“Removal of surveillance equipment"
    assert "<b>" in row["summary_html"]
    assert "People’s Republic of China & its subsidiaries" in row["text"]
    assert '<p class="indent-1">' in row["text_html"]
    assert row["explanatory_text"] == "Member’s explanatory statement\nThis amendment would require contracting authorities to act."
    assert row["decision_explanation"] == "The amendment was withdrawn."
    assert json.loads(row["sponsors"]) == ["Lord Alton of Liverpool", "Lord Fox"]
    assert row["lead_sponsor_id"] == 738
    assert links == [
        {"member_id": 738, "is_lead": 1, "sort_order": 0, "amendment_id": 10010001},
        {"member_id": 4331, "is_lead": 0, "sort_order": 1, "amendment_id": 10010001},
    ]
    assert members[0]["house"] == "Lords" and members[0]["constituency"] is None


def test_parse_pingpong_motion_and_amendment():
    content = load_fixture("bills", "small_bill.json")
    amendment_item, motion_item = content["pingpong"]["17001"]
    row, links, _ = bills.parse_pingpong_item(motion_item, motion_item, "u")
    assert row["pingpong_item_id"] == 5002 and row["type"] == "Motion" and row["number"] == "A"
    assert row["decision"] == "Agreed"
    assert row["text"].splitlines()[0] == "Baroness Neville-Rolfe to move—"
    assert row["text"].splitlines()[-1].startswith("Page 50, line 2, at end insert")
    assert [l["member_id"] for l in links] == [4292, 738]
    row, _, _ = bills.parse_pingpong_item(amendment_item, amendment_item, "u")
    assert row["type"] == "Amendment" and row["number"] == "47" and row["decision"] == "Disagreed"


def test_stage_has_pingpong_only_between_the_houses():
    assert bills.stage_has_pingpong({"description": "Consideration of Commons amendments"})
    assert bills.stage_has_pingpong({"description": "Consideration of Lords message"})
    assert not bills.stage_has_pingpong({"description": "Committee stage"})
