"""The tagger's pipeline: factories, matching, and linking by date and House."""
import functools

import pytest
import spacy

from nlp import pipeline
from nlp.matcher import fold

# Members as rows of the `members` table (ids are the sample's where they exist).
MEMBERS = [
    {"member_id": 738, "name_display_as": "Lord Alton of Liverpool", "name_list_as": "Alton of Liverpool, L.", "house": "Lords",
     "membership_start": "1997-06-30", "gender": "M"},
    {"member_id": 497, "name_display_as": "Lord Blencathra", "name_list_as": "Blencathra, L.", "house": "Lords",
     "membership_start": "2011-01-19", "gender": "M"},
    {"member_id": 4262, "name_display_as": "Baroness Neville-Rolfe", "name_list_as": "Neville-Rolfe, B.", "house": "Lords",
     "membership_start": "2013-10-14", "gender": "F"},
    {"member_id": 152, "name_display_as": "Sir Iain Duncan Smith", "name_list_as": "Duncan Smith, Iain", "name_address_as": "Sir Iain",
     "house": "Commons", "constituency": "Chingford and Woodford Green", "membership_start": "1992-04-09", "gender": "M"},
    {"member_id": 4748, "name_display_as": "Ruth Edwards", "name_list_as": "Edwards, Ruth", "house": "Commons",
     "constituency": "Rushcliffe", "membership_start": "2019-12-12", "membership_end": "2024-05-30", "gender": "F"},
    # an earlier holder of the same seat
    {"member_id": 9001, "name_display_as": "Kenneth Example", "name_list_as": "Example, Kenneth", "house": "Commons",
     "constituency": "Rushcliffe", "membership_start": "1970-06-18", "membership_end": "2019-11-06", "gender": "M"},
    {"member_id": 4507, "name_display_as": "Jeremy Quin", "name_list_as": "Quin, Jeremy", "name_address_as": "Mr Quin",
     "house": "Commons", "constituency": "Horsham", "membership_start": "2015-05-07", "membership_end": "2024-05-30", "gender": "M"},
    # two members with one surname: "Mr Green" is ambiguous unless date or House decides
    {"member_id": 9101, "name_display_as": "Adam Green", "name_list_as": "Green, Adam", "house": "Commons",
     "constituency": "Greenshire", "membership_start": "2010-05-06", "membership_end": "2017-05-03", "gender": "M"},
    {"member_id": 9102, "name_display_as": "Bernard Green", "name_list_as": "Green, Bernard", "house": "Commons",
     "constituency": "Greenfield", "membership_start": "2015-05-07", "gender": "M"},
    # two peers with one short title
    {"member_id": 9201, "name_display_as": "Lord Example of Aton", "name_list_as": "Example of Aton, L.", "house": "Lords",
     "membership_start": "2000-01-01", "gender": "M"},
    {"member_id": 9202, "name_display_as": "Lord Example of Beton", "name_list_as": "Example of Beton, L.", "house": "Lords",
     "membership_start": "2001-01-01", "gender": "M"},
]


@functools.lru_cache(maxsize=None)
def build():
    return pipeline.build(MEMBERS)


def found(nlp, text, **context):
    return [(m["text"], m["label"], m["entity_id"]) for m in pipeline.tag(nlp, text, **context)]


def test_factories_are_registered_and_the_pipeline_is_blank_english():
    assert "pbt_scanner" in spacy.registry.factories
    assert "pbt_linker" in spacy.registry.factories
    nlp = build()
    assert nlp.lang == "en"
    assert nlp.pipe_names == ["pbt_scanner", "pbt_linker"]
    assert len(nlp.meta["pbt_version"]) == 16


FORMS = [
    pytest.param(  # suppliers: possessive, case, legal name with a line break, inside a longer name
        "Hikvision's cameras, HIKVISION kit, hikvision again, Hangzhou Hikvision Digital Technology Co., Ltd., "
        "Zhejiang Dahua\nTechnology and the Hikvision-owned EZVIZ brand.", {},
        [("Hikvision", "SUPPLIER", "hikvision"), ("HIKVISION", "SUPPLIER", "hikvision"), ("hikvision", "SUPPLIER", "hikvision"),
         ("Hangzhou Hikvision Digital Technology", "SUPPLIER", "hikvision"), ("Zhejiang Dahua\nTechnology", "SUPPLIER", "dahua"),
         ("Hikvision", "SUPPLIER", "hikvision"), ("EZVIZ", "SUPPLIER", "ezviz")],
        id="suppliers"),
    pytest.param(  # peers: full and short titles, "the noble Lord, Lord X", "Lady" for a baroness, a line break
        "I agree with the noble Lord, Lord Alton, and with Lord Alton of Liverpool's amendment; my noble friend Lord Blencathra"
        " and the noble Baroness, Lady Neville-Rolfe, disagree. Baroness Neville-\nRolfe replied.",
        {"date": "2022-12-05", "house": "Lords"},
        [("Lord Alton", "MEMBER", "738"), ("Lord Alton of Liverpool", "MEMBER", "738"), ("Lord Blencathra", "MEMBER", "497"),
         ("Lady Neville-Rolfe", "MEMBER", "4262"), ("Baroness Neville-\nRolfe", "MEMBER", "4262")],
        id="peers"),
]


@pytest.mark.parametrize("text, context, expected", FORMS)
def test_names_in_their_forms(text, context, expected):
    assert found(build(), text, **context) == expected


def test_a_name_that_is_a_common_word_matches_only_as_a_name():
    nlp = build()
    assert found(nlp, "Officials carry Honor handsets.") == [("Honor", "SUPPLIER", "honor")]
    assert found(nlp, "Honor is due to them. In honor of the dead.") == []
    assert found(nlp, "the zte deal") == []  # an acronym matches in its own case only
    assert found(nlp, "the ZTE deal") == [("ZTE", "SUPPLIER", "zte")]


def test_commons_names_with_and_without_honorifics():
    nlp = build()
    text = "Sir Iain Duncan Smith, Iain Duncan Smith, Mr Duncan Smith, Sir Iain and Mr. Quin spoke."
    assert [e for _, _, e in found(nlp, text, date="2023-06-13")] == ["152", "152", "152", "152", "4507"]


def test_constituency_references_resolve_to_the_member_sitting_on_the_date():
    nlp = build()
    text = "the hon. Member for Rushcliffe said so"
    assert found(nlp, text, date="2023-06-13") == [("hon. Member for Rushcliffe", "MEMBER", "4748")]
    assert found(nlp, text, date="2015-01-20") == [("hon. Member for Rushcliffe", "MEMBER", "9001")]
    assert found(nlp, text, date="2024-09-10") == [("hon. Member for Rushcliffe", "MEMBER", None)]  # nobody known
    assert found(nlp, text) == [("hon. Member for Rushcliffe", "MEMBER", None)]  # no date: never guessed
    text = "my right hon. Friend the Member for Chingford and Woodford Green"
    assert found(nlp, text, date="2023-01-09") == [("right hon. Friend the Member for Chingford and Woodford Green", "MEMBER", "152")]


def test_ambiguous_names_are_resolved_by_date_and_house_or_left_unlinked():
    nlp = build()
    assert found(nlp, "Mr Green spoke.") == [("Mr Green", "MEMBER", None)]
    # 2012: Adam Green sitting, Bernard not yet
    assert found(nlp, "Mr Green spoke.", date="2012-01-01")[0][2] == "9101"
    # 2020: only Bernard sitting
    assert found(nlp, "Mr Green spoke.", date="2020-01-01")[0][2] == "9102"
    # 2016: both sitting, same House: left unlinked
    assert found(nlp, "Mr Green spoke.", date="2016-01-01", house="Commons")[0][2] is None
    # two peers share "Lord Example": unlinked; their full titles link
    assert found(nlp, "Lord Example spoke.", date="2016-01-01", house="Lords") == [("Lord Example", "MEMBER", None)]
    assert found(nlp, "Lord Example of Beton spoke.")[0][2] == "9202"


def test_ministerial_titles_resolve_by_date():
    nlp = build()
    text = "The Minister for the Cabinet Office replied."
    assert found(nlp, text, date="2023-06-13") == [("Minister for the Cabinet Office", "MEMBER", "4507")]
    assert found(nlp, text, date="2022-10-01") == [("Minister for the Cabinet Office", "MEMBER", None)]  # Edward Argar: not in the data
    assert found(nlp, text) == [("Minister for the Cabinet Office", "MEMBER", None)]
    assert found(nlp, "the shadow Minister for the Cabinet Office", date="2023-06-13") == []


def test_references_are_normalised():
    nlp = build()
    text = ("Amendment 47B, new clause 1, NC12, Clause 2, page 2, line 13, Motion A1, Schedule 6, paragraph 3, "
            "section 62(3)(b), Amendments 12, 13 and 14, page 4, line 5 to 7, clause 9, Motions B1 and C, Motion A and a")
    assert [(t, e) for t, _, e in found(nlp, text)] == [
        ("Amendment 47B", "amendment:47B"), ("new clause 1", "amendment:NC1"), ("NC12", "amendment:NC12"),
        ("Clause 2, page 2, line 13", "clause:2/page:2/line:13"), ("Motion A1", "motion:A1"),
        ("Schedule 6, paragraph 3", "schedule:6/paragraph:3"), ("section 62(3)(b)", "section:62(3)(b)"),
        ("Amendments 12", "amendment:12"), ("13", "amendment:13"), ("14", "amendment:14"),
        ("page 4, line 5 to 7", "page:4/line:5-7"), ("clause 9", "clause:9"),
        ("Motions B1", "motion:B1"), ("C", "motion:C"), ("Motion A", "motion:A"),  # "and a" is no motion
    ]
    assert found(nlp, "the clause on page 5 of the report; a motion to adjourn") == []


def test_amendment_references_link_to_the_documents_stage():
    nlp = build()
    mentions = pipeline.tag(nlp, "I support Amendment 47B and new clause 1, not Amendment 99.",
                            amendments={"47B": 501, "NC1": 502})
    assert [(m["text"], m.get("amendment_id")) for m in mentions] == [
        ("Amendment 47B", 501), ("new clause 1", 502), ("Amendment 99", None)]


def test_ping_pong_references_link_to_the_stages_motions_and_amendments():
    mentions = pipeline.tag(build(), "Motion A1 leaves out Lords Amendment 47 and agrees Amendment 47A; Motion B.",
                            pingpong={"motion:A1": 604286, "amendment:47A": 604284}, amendments={"47": 601})
    assert [(m["text"], m["value"], m.get("pingpong_item_id"), m.get("amendment_id")) for m in mentions] == [
        ("Motion A1", "motion:A1", 604286, None), ("Amendment 47", "amendment:47", None, 601),
        ("Amendment 47A", "amendment:47A", 604284, None), ("Motion B", "motion:B", None, None)]


def test_provisions_and_doc_ents():
    nlp = build()
    doc = nlp(pipeline.make_doc(nlp, "Hikvision is subject to the National Intelligence Law of the People’s Republic of China."))
    assert [(e.text, e.label_, e.kb_id_) for e in doc.ents] == [
        ("Hikvision", "SUPPLIER", "hikvision"),
        ("National Intelligence Law of the People’s Republic of China", "PROVISION", "prc-national-intelligence-law"),
    ]
    # nlp() on a plain string works too
    assert [e.label_ for e in nlp("the debarment list").ents] == ["PROVISION"]


def test_fold_keeps_offsets():
    text = "İstanbul’s Hikvision—cameras"
    assert len(fold(text)) == len(text)


def test_version_changes_with_the_member_data():
    assert pipeline.pipeline_version(MEMBERS) == pipeline.pipeline_version(list(MEMBERS))
    assert pipeline.pipeline_version(MEMBERS) != pipeline.pipeline_version(MEMBERS[:-1])


def test_members_from_a_search_response(tmp_path):
    import json

    path = tmp_path / "search.json"
    path.write_text(json.dumps({"items": [{"value": {
        "id": 4748, "nameDisplayAs": "Ruth Edwards", "nameListAs": "Edwards, Ruth", "nameAddressAs": "Ruth Edwards",
        "gender": "F", "latestHouseMembership": {"membershipFrom": "Rushcliffe", "house": 1,
                                                  "membershipStartDate": "2019-12-12T00:00:00", "membershipEndDate": None}}}]}))
    rows = pipeline.members_from_search_json(path)
    assert rows[0]["house"] == "Commons" and rows[0]["constituency"] == "Rushcliffe" and rows[0]["membership_start"] == "2019-12-12"
    nlp = pipeline.build(rows)
    assert found(nlp, "the hon. Member for Rushcliffe", date="2023-01-01")[0][2] == "4748"


def test_seat_history_and_former_names_from_member_names():
    members = MEMBERS + [{"member_id": 360, "name_display_as": "Lord Coaker", "name_list_as": "Coaker, L.", "house": "Lords",
                          "membership_start": "2020-09-29", "gender": "M"}]
    names = [
        {"member_id": 360, "name": "Member for Gedling", "kind": "alias", "start_date": "1997-05-01", "end_date": "2019-11-06"},
        {"member_id": 360, "name": "Vernon Coaker", "kind": "former", "start_date": "1997-05-01", "end_date": "2020-09-28"},
        {"member_id": 360, "name": "Coaker, Vernon", "kind": "former", "start_date": "1997-05-01", "end_date": "2020-09-28"},
        {"member_id": 360, "name": "Rt Hon Vernon Coaker MP", "kind": "former", "start_date": "1997-05-01", "end_date": "2020-09-28"},
    ]
    nlp = pipeline.build(members, names)
    assert found(nlp, "the hon. Member for Gedling", date="2015-03-01") == [("hon. Member for Gedling", "MEMBER", "360")]
    assert found(nlp, "the hon. Member for Gedling", date="2021-03-01") == [("hon. Member for Gedling", "MEMBER", None)]
    assert found(nlp, "Vernon Coaker and Mr Coaker spoke", date="2015-03-01") == [
        ("Vernon Coaker", "MEMBER", "360"), ("Mr Coaker", "MEMBER", "360")]
    assert found(nlp, "Coaker, Vernon") == []
