"""Checks on the bundled demo sample data in tracker/sample/.

The sample is text written for the project in the real Bills API / Members API shapes. These tests hold it to
those shapes (field names, enums, nesting), to internal consistency (ids, cross-references between the two files)
and to the facts of the Procurement Bill's course that the issue asks it to follow.
"""
import json
import re
from collections import Counter
from pathlib import Path

import pytest

from conftest import load_fixture
from tracker.sync.demo import SAMPLE_ACT, SAMPLE_BILL

SAMPLE = Path(__file__).resolve().parents[1] / "tracker" / "sample"
SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "parliament"

BILL_ID = str(SAMPLE_BILL)  # the bill the demo syncs
DECISIONS = {"NoDecision", "Withdrawn", "Disagreed", "NotMoved", "Agreed", "QuestionProposed", "NotSelected",
             "WithdrawnBeforeDebate", "StoodPart", "NotStoodPart", "Preempted", "NotCalled",
             "NegativedOnDivision", "AgreedOnDivision"}
REQUIRED_DECISIONS = DECISIONS - {"NotStoodPart"}
AMENDMENT_TYPES = {"EditLongTitle", "EditBillBody", "AddClauseOrSchedule", "DeleteClauseOrSchedule"}
# stageId -> house, from examples/bills_api_stage_ids_THIRD_PARTY.json (stages used by this bill)
STAGE_HOUSE = {1: "Lords", 2: "Lords", 3: "Lords", 4: "Lords", 5: "Lords", 6: "Commons", 7: "Commons",
               8: "Commons", 9: "Commons", 10: "Commons", 11: "Unassigned", 13: "Lords", 15: "Commons",
               42: "Commons"}
AMENDMENT_DETAIL_KEYS = {"id", "billId", "billStageId", "statusIndicator", "decision", "decisionExplanation",
                         "sponsors", "amendmentId", "amendmentType", "clause", "schedule", "pageNumber",
                         "lineNumber", "amendmentPosition", "marshalledListText", "dNum", "amendmentLines",
                         "explanatoryTextPrefix", "explanatoryText", "amendmentNote", "amendmentLocation",
                         "mainHeader"}
AMENDMENT_MEMBER_KEYS = {"memberId", "name", "party", "partyColour", "house", "memberPhoto", "memberPage",
                         "memberFrom", "sortOrder", "isLead"}
LINE_KEYS = {"text", "indentation", "hangingIndentation", "isImage", "imageType"}


@pytest.fixture(scope="module")
def members():
    with open(SAMPLE / "members_search.json", encoding="utf-8") as f:
        return json.load(f)


@pytest.fixture(scope="module")
def bills():
    with open(SAMPLE / "bills_api.json", encoding="utf-8") as f:
        return json.load(f)


@pytest.fixture(scope="module")
def member_index(members):
    return {item["value"]["id"]: item["value"] for item in members["items"]}


@pytest.fixture(scope="module")
def stage_index(bills):
    return {s["id"]: s for s in bills["stages"][BILL_ID]}


def all_amendments(bills):
    return [a for items in bills["amendments"].values() for a in items]


def pingpong_details(bills):
    for key, items in bills["pingpong"].items():
        for item in items:
            yield key, item, item[item["type"].lower()]


# ---------------------------------------------------------------- members_search.json
def test_members_search_envelope(members):
    assert set(members) >= {"items", "totalResults", "resultContext", "skip", "take"}
    assert members["totalResults"] == len(members["items"])
    assert members["skip"] == 0 and members["take"] >= len(members["items"])
    assert len(members["items"]) >= 40


def test_member_shape(members):
    for item in members["items"]:
        assert set(item) == {"value", "links"}
        m = item["value"]
        assert set(m) == {"id", "nameListAs", "nameDisplayAs", "nameFullTitle", "nameAddressAs", "latestParty",
                          "gender", "latestHouseMembership", "thumbnailUrl"}
        assert isinstance(m["id"], int)
        assert m["thumbnailUrl"] == f"https://members-api.parliament.uk/api/Members/{m['id']}/Thumbnail"
        assert set(m["latestParty"]) == {"id", "name", "abbreviation", "backgroundColour", "foregroundColour",
                                         "isLordsMainParty", "isLordsSpiritualParty", "governmentType",
                                         "isIndependentParty"}
        assert re.fullmatch(r"[0-9a-f]{6}", m["latestParty"]["backgroundColour"])
        hm = m["latestHouseMembership"]
        assert set(hm) == {"membershipFrom", "membershipFromId", "house", "membershipStartDate",
                           "membershipEndDate", "membershipEndReason", "membershipEndReasonNotes",
                           "membershipEndReasonId", "membershipStatus"}
        assert hm["house"] in (1, 2)
        if hm["house"] == 2:
            assert hm["membershipFromId"] is None
        else:
            assert isinstance(hm["membershipFromId"], int)
        if hm["membershipEndDate"] is None:
            assert hm["membershipStatus"]["statusIsActive"] is True
            assert set(hm["membershipStatus"]) == {"statusIsActive", "statusDescription", "statusNotes",
                                                   "statusId", "status", "statusStartDate"}
        else:
            assert hm["membershipEndDate"] > hm["membershipStartDate"]
            assert hm["membershipStatus"] is None
        for link in item["links"]:
            assert set(link) == {"rel", "href", "method"}


def test_member_ids_unique_and_both_houses(members, member_index):
    assert len(member_index) == len(members["items"])
    houses = Counter(m["latestHouseMembership"]["house"] for m in member_index.values())
    assert houses[1] >= 10 and houses[2] >= 10


def test_members_include_former_member_and_mp_turned_peer(member_index):
    former = [m for m in member_index.values() if m["latestHouseMembership"]["membershipEndDate"]]
    assert former, "at least one former member"
    # Lord Blencathra (David Maclean, MP 1983-2010) and Lord Coaker (MP for Gedling 1997-2019) keep their
    # Commons-era ids as peers.
    for mid, name in ((497, "Lord Blencathra"), (360, "Lord Coaker")):
        assert member_index[mid]["nameDisplayAs"] == name
        assert member_index[mid]["latestHouseMembership"]["house"] == 2


def test_key_participants_present(member_index):
    names = {m["nameDisplayAs"] for m in member_index.values()}
    for name in ("Baroness Neville-Rolfe", "Lord True", "Lord Alton of Liverpool", "Alex Burghart",
                 "Jeremy Quin", "Sir Iain Duncan Smith", "Ruth Edwards", "Florence Eshalomi", "Alicia Kearns"):
        assert name in names
    rushcliffe = [m for m in member_index.values() if m["latestHouseMembership"]["membershipFrom"] == "Rushcliffe"]
    assert [m["nameDisplayAs"] for m in rushcliffe] == ["Ruth Edwards"]


# ---------------------------------------------------------------- bills_api.json: bill and stages
def test_top_level(bills):
    assert set(bills) == {"_about", "bills", "stages", "amendments", "pingpong"}
    assert list(bills["bills"]) == [BILL_ID] and list(bills["stages"]) == [BILL_ID]


def test_bill_object(bills, stage_index, member_index):
    bill = bills["bills"][BILL_ID]
    assert bill["billId"] == 3159
    assert bill["shortTitle"] == "Procurement Act 2023"
    assert bill["formerShortTitle"] == "Procurement Bill [HL]"
    assert bill["originatingHouse"] == "Lords"
    assert bill["isAct"] is True and bill["isDefeated"] is False and bill["billWithdrawn"] is None
    assert bill["includedSessionIds"] == [bill["introducedSessionId"]]
    assert bill["currentStage"] == bills["stages"][BILL_ID][-1]
    assert bill["currentStage"]["stageId"] == 11  # Royal Assent
    assert bill["longTitle"].startswith("A Bill to")
    assert bill["sponsors"][0]["member"]["name"] == "Baroness Neville-Rolfe"
    for i, sp in enumerate(bill["sponsors"], start=1):
        assert set(sp) == {"member", "organisation", "sortOrder"} and sp["sortOrder"] == i
        m = sp["member"]
        assert set(m) == {"memberId", "name", "party", "partyColour", "house", "memberPhoto", "memberPage",
                          "memberFrom"}
        assert member_index[m["memberId"]]["nameDisplayAs"] == m["name"]


def test_bill_keys_match_real_example(bills):
    example = SHARED / "examples" / "bills_api_bill_3548_detail_REAL.json"
    if not example.exists():
        pytest.skip("shared reference examples not available")
    real = json.loads(example.read_text(encoding="utf-8"))
    ours = bills["bills"][BILL_ID]
    assert set(ours) - {"formerShortTitle"} == set(real)
    assert set(ours["currentStage"]) == set(real["currentStage"])
    assert set(ours["currentStage"]["stageSittings"][0]) == set(real["currentStage"]["stageSittings"][0])
    assert set(ours["sponsors"][0]["member"]) == set(real["sponsors"][0]["member"])


def test_bill_keys_match_the_bill_fixture(bills):
    """The fixture's keys are checked against the real example where ../shared is present."""
    fixture = load_fixture("bills", "bill_detail.json")
    ours = bills["bills"][BILL_ID]
    assert set(ours) - {"formerShortTitle"} == set(fixture) - {"_about"}
    assert set(ours["currentStage"]) == set(fixture["currentStage"])
    assert set(ours["currentStage"]["stageSittings"][0]) == set(fixture["currentStage"]["stageSittings"][0])
    assert set(ours["sponsors"][0]["member"]) == set(fixture["sponsors"][0]["member"])


def test_the_demos_act_is_in_the_sample():
    assert (SAMPLE / "legislation" / (SAMPLE_ACT.replace("/", "-") + ".xml")).exists()


def test_stages(bills):
    stages = bills["stages"][BILL_ID]
    assert len(stages) >= 12
    assert len({s["id"] for s in stages}) == len(stages)
    assert [s["sortOrder"] for s in stages] == sorted(s["sortOrder"] for s in stages)
    assert {s["house"] for s in stages} == {"Lords", "Commons", "Unassigned"}
    sitting_ids = []
    last_date = ""
    for s in stages:
        assert set(s) == {"id", "stageId", "sessionId", "description", "abbreviation", "house", "stageSittings",
                          "sortOrder"}
        assert STAGE_HOUSE[s["stageId"]] == s["house"]
        assert s["stageSittings"], s["description"]
        for sit in s["stageSittings"]:
            assert set(sit) == {"id", "stageId", "billStageId", "billId", "date"}
            assert (sit["stageId"], sit["billStageId"], sit["billId"]) == (s["stageId"], s["id"], 3159)
            assert sit["date"] >= last_date, "stages are in chronological order"
            last_date = sit["date"]
            sitting_ids.append(sit["id"])
    assert len(sitting_ids) == len(set(sitting_ids))


def test_stage_dates_follow_the_real_course(bills):
    stages = bills["stages"][BILL_ID]

    def dates(stage_id, house=None):
        return [sit["date"][:10] for s in stages if s["stageId"] == stage_id and (house is None or s["house"] == house)
                for sit in s["stageSittings"]]

    assert dates(1) == ["2022-05-11"]
    assert len(dates(3)) >= 3  # Lords committee, several sittings
    assert dates(5)[-1] == "2022-12-13"
    assert dates(7) == ["2023-01-09"]
    assert len(dates(8)) == 9 and dates(8)[-1] == "2023-02-21"
    assert dates(9) == ["2023-06-13"] and dates(10) == ["2023-06-13"]
    assert dates(13)[0].startswith("2023-09")
    assert dates(42)[0].startswith("2023-10")
    assert dates(11) == ["2023-10-26"]


# ---------------------------------------------------------------- amendments
def test_amendment_counts(bills):
    per_stage = {k: len(v) for k, v in bills["amendments"].items()}
    assert sum(per_stage.values()) >= 75
    assert sum(1 for n in per_stage.values() if n >= 10) >= 4
    by_stage_id = Counter()
    for a in all_amendments(bills):
        by_stage_id[a["billStageId"]] += 1
    stages = {s["id"]: s for s in bills["stages"][BILL_ID]}
    counts = {(stages[k]["stageId"]): v for k, v in by_stage_id.items()}
    assert counts[3] >= 25 and counts[4] >= 12 and counts[8] >= 15 and counts[9] >= 10


def test_amendment_shape_and_ids(bills, stage_index):
    ids, amendment_ids = [], []
    for key, items in bills["amendments"].items():
        assert int(key) in stage_index, f"amendments keyed by unknown billStageId {key}"
        for a in items:
            assert set(a) == AMENDMENT_DETAIL_KEYS | {"summaryText"}
            assert a["billId"] == 3159 and a["billStageId"] == int(key)
            assert a["decision"] in DECISIONS
            assert a["amendmentType"] in AMENDMENT_TYPES
            assert a["decisionExplanation"]
            assert a["statusIndicator"] in {"Decided", "Undecided", "Withdrawn"}
            assert isinstance(a["summaryText"], list) and all(isinstance(t, str) for t in a["summaryText"])
            assert a["amendmentLines"] and all(set(l) == LINE_KEYS for l in a["amendmentLines"])
            assert a["marshalledListText"]
            ids.append(a["id"])
            amendment_ids.append(a["amendmentId"])
    for _, _, detail in pingpong_details(bills):
        ids.append(detail["id"])
    assert len(ids) == len(set(ids)), "id unique across the sample"
    assert len(amendment_ids) == len(set(amendment_ids)), "amendmentId unique across the sample"
    assert not set(ids) & set(amendment_ids)
    assert all(10000000 <= i < 11000000 for i in amendment_ids)


def test_marshalled_numbers_unique_within_stage(bills):
    for key, items in bills["amendments"].items():
        numbers = [a["marshalledListText"] for a in items]
        assert len(numbers) == len(set(numbers)), key


def test_decision_spread(bills):
    decisions = Counter(a["decision"] for a in all_amendments(bills))
    assert REQUIRED_DECISIONS <= set(decisions), REQUIRED_DECISIONS - set(decisions)
    for a in all_amendments(bills):
        if a["decision"] in ("NegativedOnDivision", "AgreedOnDivision"):
            assert "Division" in a["decisionExplanation"]


def test_amendment_kinds(bills, stage_index):
    amendments = all_amendments(bills)
    kinds = Counter(a["amendmentType"] for a in amendments)
    assert set(kinds) == AMENDMENT_TYPES
    for a in amendments:
        house = stage_index[a["billStageId"]]["house"]
        if a["amendmentType"] == "AddClauseOrSchedule":
            assert a["mainHeader"] and a["summaryText"][1].startswith("<b>")
            if house == "Commons":
                assert re.fullmatch(r"NC\d+", a["marshalledListText"])
                assert a["summaryText"][0] == "To move the following Clause—"
        if a["amendmentType"] == "EditBillBody":
            assert a["pageNumber"] and a["lineNumber"]
            assert f"page {a['pageNumber']}, line {a['lineNumber']}" in a["amendmentPosition"]
            assert (a["clause"] is None) != (a["schedule"] is None)
            assert a["amendmentLines"][0]["text"].startswith(a["amendmentPosition"])
        if a["amendmentType"] == "EditLongTitle":
            assert a["amendmentPosition"].startswith("Title")
    assert any(a["schedule"] for a in amendments)
    assert any(a["amendmentType"] == "DeleteClauseOrSchedule" and a["decision"] == "StoodPart" for a in amendments)


def check_sponsors(sponsor_list, member_index, house):
    for i, sp in enumerate(sponsor_list, start=1):
        assert set(sp) == AMENDMENT_MEMBER_KEYS
        assert sp["sortOrder"] == i and sp["isLead"] == (i == 1)
        m = member_index[sp["memberId"]]
        assert sp["name"] == m["nameDisplayAs"]
        assert sp["party"] == m["latestParty"]["name"]
        assert sp["partyColour"] == m["latestParty"]["backgroundColour"]
        assert sp["memberFrom"] == m["latestHouseMembership"]["membershipFrom"]
        assert sp["house"] == {1: "Commons", 2: "Lords"}[m["latestHouseMembership"]["house"]] == house
        assert sp["memberPhoto"] == m["thumbnailUrl"]
        assert sp["memberPage"] == f"https://members.parliament.uk/member/{sp['memberId']}/contact"


def test_amendment_sponsors_are_sample_members(bills, member_index, stage_index):
    multi = 0
    for a in all_amendments(bills):
        assert a["sponsors"], a["marshalledListText"]
        check_sponsors(a["sponsors"], member_index, stage_index[a["billStageId"]]["house"])
        multi += len(a["sponsors"]) >= 3
    assert multi >= 10


def test_story_is_told(bills):
    text = json.dumps(bills, ensure_ascii=False)
    for phrase in ("Hikvision", "Dahua", "Huawei", "ZTE", "DJI", "Hangzhou Hikvision Digital Technology Co., Ltd.",
                   "National Intelligence Law of the People's Republic of China", "Xinjiang",
                   "National Security Unit for Procurement", "debarment list", "high-risk suppliers",
                   "Telecommunications (Security) Act 2021", "National Security and Investment Act 2021",
                   "timeline", "forced labour", "data exfiltration", "small and medium-sized enterprises",
                   "social value", "Welsh Ministers", "Northern Ireland", "the hon. Member for Rushcliffe"):
        assert phrase in text, phrase


# ---------------------------------------------------------------- ping-pong
def test_pingpong(bills, member_index, stage_index):
    total = 0
    numbers = set()
    for key, item, detail in pingpong_details(bills):
        stage = stage_index[int(key)]
        assert stage["stageId"] in (13, 42)
        assert set(item) == {"type", item["type"].lower()}
        assert item["type"] in ("Motion", "Amendment") and detail["type"] == item["type"]
        assert detail["billId"] == 3159 and detail["billStageId"] == int(key)
        assert detail["decision"] in DECISIONS and detail["decisionExplanation"]
        groups_key = "motionGroups" if item["type"] == "Motion" else "amendmentGroups"
        assert set(detail) == {"id", "billId", "billStageId", "statusIndicator", "decision", "decisionExplanation",
                               "sponsors", "type", "number", "summary", groups_key}
        check_sponsors(detail["sponsors"], member_index, stage["house"])
        for group in detail[groups_key]:
            assert set(group) == {"text", "amendments", "sortOrder"}
            assert all(set(l) == LINE_KEYS for l in group["text"])
            for pa in group["amendments"]:
                assert set(pa) == {"number", "decision", "sortOrder", "text", "sponsors"}
                assert pa["decision"] in DECISIONS
                check_sponsors(pa["sponsors"], member_index, stage["house"])
                numbers.add(pa["number"])
        numbers.add(detail["number"])
        total += 1
    assert total >= 8
    assert {"A", "B", "47", "47A", "47B"} <= numbers
    commons_motions = [d for k, i, d in pingpong_details(bills)
                       if i["type"] == "Motion" and stage_index[int(k)]["house"] == "Commons"]
    assert any(d["number"] == "A" and d["motionGroups"][0]["amendments"] for d in commons_motions)
    lords_disagreed = [d for k, i, d in pingpong_details(bills)
                       if i["type"] == "Amendment" and stage_index[int(k)]["house"] == "Commons"
                       and d["decision"] == "Disagreed"]
    assert lords_disagreed, "a Lords amendment disagreed to by the Commons"


def test_pingpong_keys_are_consideration_stages(bills, stage_index):
    assert len(bills["pingpong"]) >= 2
    for key in bills["pingpong"]:
        assert int(key) in stage_index
        assert key not in bills["amendments"]
