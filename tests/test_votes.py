"""Commons Votes and Lords Votes parsing, and telling what a division was on."""
import pytest

from conftest import load_fixture, shared_example
from scrapers import votes


def test_commons_division_with_tellers():
    data = load_fixture("votes", "commons_division.json")
    division = votes.parse_commons_division(data, "https://commonsvotes.example/data/division/1555.json")
    cast, members = division.votes, division.members
    assert division.division_id == "commons-1555" and division.api_division_id == 1555
    assert (division.house, division.number, division.date, division.aye_count, division.no_count) == ("Commons", 271, "2023-06-13", 233, 290)
    assert division.title == "Procurement Bill [Lords]: Report Stage: New Clause 1"
    by_member = {v.member_id: v for v in cast}
    assert len(by_member) == len(data["Ayes"]) + len(data["Noes"]) + len(data["AyeTellers"]) + len(data["NoTellers"])
    assert by_member[4812].vote == "aye" and by_member[4812].is_teller == 0
    assert by_member[4613].vote == "no"
    teller = data["AyeTellers"][0]["MemberId"]
    assert by_member[teller].row() == {"division_id": "commons-1555", "member_id": teller, "vote": "aye", "is_teller": 1, "proxy_name": None}
    member = {m.member_id: m for m in members}[4812]
    assert (member.name, member.house, member.constituency) == ("Florence Eshalomi", "Commons", "Vauxhall and Camberwell Green")


def test_the_real_commons_division_shape():
    data = shared_example("commonsvotes_division_REAL_shape.json")
    division = votes.parse_commons_division(data, "u")
    cast, members = division.votes, division.members
    assert (division.division_id, division.number, division.aye_count, division.no_count) == ("commons-1025", 283, 358, 269)
    assert division.date == "2021-04-28" and cast == () and members == ()
    target = votes.division_target(division.title)  # "Lords Amendments 11B and 11C": never a guess
    assert (target.kind, target.number, target.reference) == ("amendment", None, "Lords Amendments 11B and 11C")


def test_a_commons_division_with_totals_only():
    data = load_fixture("votes", "commons_division_totals_only.json")
    division = votes.parse_commons_division(data, "u")
    cast, members = division.votes, division.members
    assert (division.division_id, division.number, division.aye_count, division.no_count) == ("commons-1600", 361, 291, 180)
    assert division.date == "2023-10-16" and cast == () and members == ()
    target = votes.division_target(division.title)  # "Lords Amendments 20 and 21": never a guess
    assert (target.kind, target.number, target.reference) == ("amendment", None, "Lords Amendments 20 and 21")


def test_the_commons_division_fixtures_have_the_real_keys():
    real = {k for k in shared_example("commonsvotes_division_REAL_shape.json") if not k.startswith("_")}
    for name in ("commons_division.json", "commons_division_totals_only.json"):
        assert {k for k in load_fixture("votes", name) if not k.startswith("_")} == real, name


def test_lords_division_counts_and_votes():
    data = load_fixture("votes", "lords_division.json")
    division = votes.parse_lords_division(data, "u")
    cast = division.votes
    assert division.division_id == "lords-3002" and division.house == "Lords" and division.date == "2023-09-11"
    contents = [v for v in cast if v.vote == "content"]
    assert division.aye_count == len(contents) == len(data["contents"]) + len(data["contentTellers"])
    assert division.no_count == len(data["notContents"]) + len(data["notContentTellers"])
    assert {v.vote for v in cast} == {"content", "not-content"}
    assert [v.member_id for v in cast if v.is_teller] == [data["contentTellers"][0]["memberId"], data["notContentTellers"][0]["memberId"]]
    assert "Motion B1 moved by Lord Coaker" in division.notes
    # where the service gives totals they win over counting names
    division = votes.parse_lords_division({**data, "contentCount": 245, "notContentCount": 203}, "u")
    assert (division.aye_count, division.no_count) == (245, 203)


@pytest.mark.parametrize("title, expected", [
    ("Procurement Bill [Lords]: Report Stage: New Clause 1", ("new clause", "NC1")),
    ("Procurement Bill [HL]: Report: Amendment 5", ("amendment", "5")),
    ("Procurement Bill [HL]: Motion B1", ("motion", "B1")),
    ("Motion 47A", ("motion", "47A")),
    ("Procurement Bill [Lords]: Motion to disagree with Lords Amendment 47A", ("amendment", "47A")),
    ("Procurement Bill [HL]: Motion C1 on Commons Amendment 91", ("motion", "C1")),
    ("Procurement Bill [Lords]: Reasoned Amendment to Second Reading", None),
    ("Procurement Bill [Lords]: Third Reading", None),
    ("Procurement Bill [HL]: Amendments 29 and 33", ("amendment", None)),  # several: never a guess
    ("Procurement Bill [HL]: Motions A1 and B1", ("motion", None)),
    ("Procurement Bill [Lords]: New Clauses 1 and 2", ("new clause", None)),
    ("Procurement Bill [HL]: Motion A1 and Motion A1", ("motion", "A1")),  # one motion, named twice
    ("Procurement Bill [HL]: Amendment 5 and Amendment 6", None),  # two amendments: never a guess
])
def test_division_target(title, expected):
    target = votes.division_target(title)
    assert ((target.kind, target.number) if target else None) == expected


def test_the_target_keeps_the_words_that_name_it():
    target = votes.division_target("Procurement Bill [Lords]: Motion to disagree with Lords Amendment 47A")
    assert target == votes.DivisionTarget("amendment", "47A", "Lords Amendment 47A")


def test_lords_notes_name_the_amendment_when_the_title_does_not():
    target = votes.division_target("Procurement Bill [HL]: Report (Day 2)", "Amendment 22 moved by Baroness Chakrabarti")
    assert (target.kind, target.number) == ("amendment", "22")
