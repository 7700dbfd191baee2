"""The shared vocabularies: their words are the ones the data and the APIs use."""
import json
import re
from pathlib import Path

import pytest

from conftest import FIXTURES, SHARED, load_fixture
from scrapers import members as members_api
from tracker.vocab import Decision, House, NameKind

SAMPLE_BILLS = Path(__file__).resolve().parents[1] / "tracker" / "sample" / "bills_api.json"


def decisions_in(text):
    return set(re.findall(r'"decision":\s*"([^"]*)"', text))


def test_every_decision_in_the_fixtures_and_sample_has_a_readable_name():
    found = decisions_in((FIXTURES / "bills" / "small_bill.json").read_text()) | decisions_in(SAMPLE_BILLS.read_text())
    assert found and found <= set(Decision)
    assert Decision.readable_name("NegativedOnDivision") == "Negatived on division"
    assert (Decision.NOT_CALLED.readable, Decision.WITHDRAWN.readable) == ("Not called", "Withdrawn")
    assert Decision.readable_name("SomethingNew") == "SomethingNew" and Decision.readable_name(None) is None


def test_decisions_are_the_bills_apis_amendment_decisions():
    spec = SHARED / "specs" / "bills_api_current_schemas.ts"
    if not spec.exists():
        pytest.skip(f"{spec} is absent (no ../shared beside this clone)")
    union = re.search(r"AmendmentDecision:\s*([^;]+);", spec.read_text()).group(1)
    assert set(re.findall(r'"(\w+)"', union)) == set(Decision)


def test_houses_from_the_apis_numbers_and_names():
    assert [House.of(v) for v in (1, "2", "Commons", "lords", "House of Commons", " House of Lords ", "Both", None)] == [
        House.COMMONS, House.LORDS, House.COMMONS, House.LORDS, House.COMMONS, House.LORDS, None, None]
    assert (House.COMMONS.api_id, House.LORDS.api_id) == (1, 2)
    assert json.dumps({"house": House.LORDS}) == '{"house": "Lords"}'  # stored and hashed as its string


def test_the_members_scraper_writes_only_declared_name_kinds():
    values = {v["id"]: v for v in members_api.search_values(load_fixture("members", "search_page.json"))}
    [history] = load_fixture("members", "history_497.json")
    rows = [*members_api.parse_member_names(values[497], history["value"]), *members_api.parse_member_names(values[4613])]
    assert {r.kind for r in rows} == set(NameKind)
