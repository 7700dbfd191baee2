"""Hansard API parsing: debates, contributions and speakers (references to amendments: test_references.py)."""
import json

import pytest
from werkzeug import Response

from conftest import load_fixture
from scrapers import hansard
from scrapers.http import HttpClient


def test_debate_with_children_to_rows():
    data = load_fixture("hansard", "debate.json")
    debate = hansard.parse_debate(data, "https://hansard.example/debates/debate/x.json")
    debates, contributions = debate.sections, debate.contributions
    assert [d.title for d in debates] == ["Procurement Bill [Lords]", "New Clause 1 - High-risk Suppliers", "Third Reading"]
    parent = debates[0].debate_id
    assert debates[0].parent_debate_id is None and {d.parent_debate_id for d in debates[1:]} == {parent}
    assert (debates[0].date, debates[0].house, debates[0].location, debates[0].hrs_tag) == ("2023-06-13", "Commons", "Commons Chamber", "BigBoldHeading")
    # the timestamp is not a contribution
    assert 9101 not in [c.contribution_id for c in contributions]
    assert len(contributions) == 7
    by_id = {c.contribution_id: c for c in contributions}
    speech = by_id[9114]
    assert speech.member_id == 4812 and speech.debate_id == "11111111-0000-0000-0000-000000000002"
    assert speech.text == "New clause 1 in my name concerns Hikvision & Dahua.\nIt would require a review."
    assert "column-number" in speech.html  # the HTML is kept as published
    assert speech.timecode == "14:03:00" and speech.order_in_section == 4
    assert speech.source_url.endswith("x.json")


def test_column_numbers_carry_over_and_start_where_an_item_opens_with_one():
    contributions = hansard.parse_debate(load_fixture("hansard", "debate.json"), "u").contributions
    columns = {c.contribution_id: c.hansard_column for c in contributions}
    assert columns[9102] == "200"  # opens with its marker
    assert columns[9111] == columns[9113] == "200"  # no marker: the column carries over into the child section
    assert columns[9114] == "200"  # starts in 200, moves to 201 mid-speech
    assert columns[9115] == "202"  # opens with 202
    assert columns[9121] == "202"  # the next child section goes on from there


def test_unattributed_contributions_have_no_member():
    contributions = hansard.parse_debate(load_fixture("hansard", "debate.json"), "u").contributions
    chair = [c for c in contributions if c.attributed_to == "Madam Deputy Speaker"]
    assert len(chair) == 1 and chair[0].member_id is None
    procedural = [c for c in contributions if c.attributed_to is None]
    assert procedural and all(c.member_id is None for c in procedural)


@pytest.mark.parametrize("attributed, name", [
    ("Lord Fox (LD)", "Lord Fox"),
    ("Alex Burghart (Brentwood and Ongar) (Con)", "Alex Burghart"),
    ("The Parliamentary Secretary, Cabinet Office (Alex Burghart)", "Alex Burghart"),
    ("The Minister of State, Cabinet Office (Baroness Neville-Rolfe) (Con)", "Baroness Neville-Rolfe"),
    ("Florence Eshalomi (Vauxhall and Camberwell Green) (Lab/Co-op)", "Florence Eshalomi"),
    ("The Chair", "The Chair"),
    (None, None),
])
def test_speaker_name(attributed, name):
    assert hansard.speaker_name(attributed) == name


def test_titles_the_debates_are_found_under():
    assert hansard.bill_search_titles("Procurement Act 2023", "Procurement Bill [HL]") == ["Procurement Bill"]
    assert hansard.bill_search_titles("Procurement Bill [HL]") == ["Procurement Bill"]
    assert hansard.title_matches("Procurement Bill [ Lords ] (Fifth sitting)", "Procurement Bill")
    assert hansard.title_matches("Procurement Bill [HL]", "Procurement Bill")
    assert not hansard.title_matches("Public Procurement: Surveillance Equipment", "Procurement Bill")


def test_search_debates_pages_with_the_real_parameters_until_the_total(httpserver, monkeypatch):
    """``/search/debates.json`` answered in the real shape, one ``SearchDebateItem`` a page."""
    [item] = load_fixture("hansard", "search_debates.json")["Results"]
    items = [{**item, "DebateSectionExtId": f"EXT-{n}"} for n in range(3)]
    asked = []

    def handler(request):
        query = request.args
        asked.append(query.to_dict())
        skip, take = int(query["queryParameters.skip"]), int(query["queryParameters.take"])
        return Response(json.dumps({"Results": items[skip : skip + take], "TotalResultCount": len(items)}), content_type="application/json")

    httpserver.expect_request("/search/debates.json").respond_with_handler(handler)
    monkeypatch.setenv("TRACKER_HANSARD_API_URL", httpserver.url_for("/").rstrip("/"))
    monkeypatch.setattr(hansard, "PAGE_SIZE", 1)
    with HttpClient(rate_limit=0) as client:
        found = hansard.search_debates(client, "Procurement Bill", house="Lords", start_date="2022-06-27", end_date="2022-06-27")
    assert [i["DebateSectionExtId"] for i, _ in found] == ["EXT-0", "EXT-1", "EXT-2"]
    assert [q["queryParameters.skip"] for q in asked] == ["0", "1", "2"]
    assert asked[0] == {"queryParameters.searchTerm": "Procurement Bill", "queryParameters.house": "Lords",
                        "queryParameters.startDate": "2022-06-27", "queryParameters.endDate": "2022-06-27",
                        "queryParameters.skip": "0", "queryParameters.take": "1"}
