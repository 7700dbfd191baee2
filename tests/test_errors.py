"""A malformed record is one line naming it; a bug in a parser is a traceback."""
import pytest

from conftest import load_fixture
from scrapers import bills, hansard, members, publications, questions, values, votes
from scrapers.errors import MalformedRecord, MissingField, TrackerError, WrongType, parsing
from tracker.sync.members import member_rows

URL = "https://api.example/record/1"


def _malformed(parse, *args):
    """The one line ``parsing()`` makes of what ``parse(*args)`` raises."""
    with pytest.raises(TrackerError) as error:
        with parsing("Some API", URL, record=7):
            parse(*args)
    return str(error.value)


def test_a_missing_field_is_one_line_naming_source_record_and_url():
    assert _malformed(bills.parse_bill, {"shortTitle": "Procurement Bill [HL]"}, URL) == (
        f"Some API: record 7: malformed record (missing field 'billId') ({URL})")
    # an id that is there but null is missing too: a record cannot be stored without it
    assert "missing field 'id'" in _malformed(questions.parse_question, {"id": None}, URL)


@pytest.mark.parametrize("parse, data, detail", [
    (members.parse_member, {"id": 7, "latestHouseMembership": "not a HouseMembership"},
     "field 'latestHouseMembership' is str 'not a HouseMembership', not an object"),
    (hansard.parse_debate, {"Overview": {"ExtId": "x"}, "Items": ["not a DebateItem"]},
     "field 'Items' is list ['not a DebateItem'], not a list of objects"),
    (votes.parse_commons_division, {"DivisionId": 1, "Ayes": ["not a RecordedMember"]},
     "field 'Ayes' is list ['not a RecordedMember'], not a list of objects"),
    (questions.parse_question, {"id": 1, "askingMemberId": 4805, "askingMember": "not a MemberViewModel"},
     "field 'askingMember' is str 'not a MemberViewModel', not an object"),
    (questions.parse_statement, {"id": 1, "dateMade": 20230612}, "field 'dateMade' is int 20230612, not a string"),
    (hansard.parse_debate, {"Overview": {"ExtId": "x"}, "Items": [{"ItemId": 1, "OrderInSection": "1"}, {"ItemId": 2}]},
     "field 'OrderInSection' is str '1', not an integer"),
    (bills.parse_bill, ["not", "a", "Bill"], "the Bill is list ['not', 'a', 'Bill'], not an object"),
    (lambda data, url: publications.parse_publications(data, 3159, url), {"publications": [{"id": 1, "files": "x.pdf"}]},
     "field 'files' is str 'x.pdf', not a list of objects"),
])
def test_a_field_of_the_wrong_type_is_one_line_naming_it(parse, data, detail):
    assert _malformed(parse, data, URL) == f"Some API: record 7: malformed record ({detail}) ({URL})"


def test_a_long_value_is_cut_short_in_the_message():
    message = _malformed(members.parse_member, {"id": 7, "latestParty": "x" * 500}, URL)
    assert "field 'latestParty' is str 'xxxx" in message and len(message) < 200


def test_amendments_and_members_of_other_shapes_are_malformed_too():
    item = load_fixture("bills", "amendment_search.json")["items"][0]
    assert "field 'summaryText' is str" in _malformed(bills.parse_amendment, {**item, "summaryText": "<p>one</p>"}, {}, URL)
    assert "field 'sponsors' is dict" in _malformed(bills.parse_amendment, item, {"sponsors": {"memberId": 1}}, URL)
    stage = {"id": 1, "stageSittings": [{"date": 20230131}]}
    assert "field 'date' is int 20230131, not a string" in _malformed(bills.parse_stage, stage, 3159, URL)
    history = {"nameHistory": [{"nameDisplayAs": 5, "startDate": "2010-05-06"}]}
    assert "field 'nameDisplayAs' is int 5" in _malformed(members.parse_member_names, {"id": 7}, history)
    seat = {"houseMembershipHistory": [{"house": 1, "membershipFrom": "Horsham", "membershipStartDate": 2015}]}
    assert "a date is int 2015, not a string" in _malformed(members.parse_member_names, {"id": 7}, seat)


def test_malformed_record_errors_are_key_and_type_errors():
    assert issubclass(MissingField, KeyError) and issubclass(WrongType, TypeError)
    assert issubclass(MissingField, MalformedRecord) and issubclass(WrongType, MalformedRecord)
    assert str(MissingField("billId")) == "missing field 'billId'"  # not KeyError's quoted repr


@pytest.mark.parametrize("bug", [
    lambda: {}["a key of our own table"],
    lambda: None + 1,  # a TypeError of our own
    lambda: int("not a number"),  # a ValueError of our own
    lambda: object().no_such_attribute,
    lambda: undefined_name,  # noqa: F821
])
def test_errors_of_our_own_code_are_not_reported_as_malformed_records(bug):
    with pytest.raises((KeyError, TypeError, ValueError, AttributeError, NameError)) as error:
        with parsing("Some API", URL, record=7):
            bug()
    assert not isinstance(error.value, (TrackerError, MalformedRecord))


def test_a_failed_assertion_in_a_parser_propagates():
    with pytest.raises(AssertionError):
        with parsing("Some API", URL, record=7):
            assert False, "a parser's own invariant"


def test_a_tracker_error_raised_inside_passes_through_as_it_is():
    raised = TrackerError("malformed XML: no root", source="legislation.gov.uk", url="u")
    with pytest.raises(TrackerError) as error:
        with parsing("Some API", URL, record=7):
            raise raised
    assert error.value is raised


def test_a_bug_in_a_parser_is_a_traceback_at_the_sync_call_site(monkeypatch):
    value = members.search_values(load_fixture("members", "search_page.json"))[0]
    row, names = member_rows(value, URL)  # the sync's own wrapper: fine on a good record
    assert row["member_id"] == value["id"] and names

    def broken(value):
        return MEMBERSHIP_IS_ACTIVE[value["id"]]  # noqa: F821  (a name we forgot to define)

    monkeypatch.setattr(members, "is_current", broken)
    with pytest.raises(NameError):
        member_rows(value, URL)


def test_a_key_error_from_our_own_table_is_a_bug_not_a_missing_field(monkeypatch):
    data = load_fixture("votes", "commons_division.json")
    monkeypatch.delitem(votes._SHAPES, "Commons")
    with pytest.raises(KeyError) as error:
        with parsing(votes.COMMONS, URL, record="commons-1555"):
            votes.parse_commons_division(data, URL)
    assert not isinstance(error.value, MalformedRecord)


def test_the_readers_shared_by_every_parser():
    data = {"date": "2023-06-13T00:00:00", "empty": "", "yes": True, "no": 0, "count": 3, "flag": False}
    assert values.date(data, "date") == "2023-06-13" and values.date(data, "empty") is None and values.date(data, "absent") is None
    assert values.day("2023-06-13T10:00:00") == "2023-06-13" and values.day(None) is None
    assert (values.flag(data, "yes"), values.flag(data, "no"), values.flag(data, "absent")) == (1, 0, None)
    assert values.integer(data, "count") == 3
    with pytest.raises(WrongType):
        values.integer(data, "flag")  # a boolean is no count
    assert values.obj(data, "absent") == {} and values.objs(data, "absent") == [] and values.strings(data, "absent") == []
    assert values.required(data, "count") == 3
    with pytest.raises(MissingField):
        values.required(data, "absent")
