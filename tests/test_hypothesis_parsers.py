"""Bad input everywhere: for any JSON value, text, HTML or XML, every parser (called as the
sync calls it, inside ``parsing()``) and the tagger raise nothing but :class:`TrackerError`.

Two kinds of input: arbitrary values, and a real record of the sample with one part
(any field, at any depth) replaced by an arbitrary value, which reaches deeper into
each parser. Example counts are modest so ``make test`` stays quick.
"""
import copy
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import load_fixture
from fakes import SAMPLE_DIR, load_parliament_sample
from scrapers import bills, hansard, legislation, members, publications, questions, votes
from scrapers import billprints
from scrapers.errors import TrackerError, parsing

URL = "https://example.invalid/record"
CHECKS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12,
)


def paths(value, prefix=()):
    """Every place in a JSON value, outermost first."""
    yield prefix
    if isinstance(value, dict):
        for key, child in value.items():
            yield from paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from paths(child, (*prefix, index))


def mutated(sample):
    """``sample`` with one place replaced by an arbitrary JSON value (or a key dropped)."""
    places = list(paths(sample))

    @st.composite
    def build(draw):
        value = copy.deepcopy(sample)
        place = places[draw(st.integers(0, len(places) - 1))]
        if not place:
            return draw(json_values)
        parent = value
        for step in place[:-1]:
            parent = parent[step]
        if isinstance(parent, dict) and draw(st.booleans()):
            del parent[place[-1]]
        else:
            parent[place[-1]] = draw(json_values)
        return value

    return build()


def only_tracker_errors(source, call):
    try:
        with parsing(source, URL, record="fuzzed"):
            result = call()
            if hasattr(result, "row"):
                result.row()
    except TrackerError as error:
        assert "\n" not in str(error)


SMALL_BILL = load_fixture("bills", "small_bill.json")
PARLIAMENT = load_parliament_sample()
SAMPLES = {
    "bill": SMALL_BILL["bills"]["3159"],
    "stage": SMALL_BILL["stages"]["3159"][0],
    "amendment": SMALL_BILL["amendments"]["15003"][0],
    "pingpong": SMALL_BILL["pingpong"]["17001"][0],
    "debate": PARLIAMENT["debates"][2],
    "commons": PARLIAMENT["commons_divisions"][0],
    "lords": PARLIAMENT["lords_divisions"][0],
    "member": load_fixture("members", "member_4507.json")["value"],
    "history": load_fixture("members", "history_497.json"),
    "question": load_fixture("questions", "questions_page.json")["results"][0]["value"],
    "publications": json.loads((SAMPLE_DIR / "publications.json").read_text(encoding="utf-8"))["publications"]["3159"],
}

JSON_PARSERS = {
    "bill": (bills.SOURCE, lambda v: bills.parse_bill(v, URL)),
    "bill sponsors": (bills.SOURCE, lambda v: bills.parse_bill_sponsors(v)),
    "stage": (bills.SOURCE, lambda v: bills.parse_stage(v, 3159, URL)),
    "amendment": (bills.SOURCE, lambda v: bills.parse_amendment(v, v, URL)),
    "pingpong": (bills.SOURCE, lambda v: bills.parse_pingpong_item(v, v, URL)),
    "debate": (hansard.SOURCE, lambda v: hansard.parse_debate(v, URL)),
    "commons": (votes.COMMONS, lambda v: votes.parse_commons_division(v, URL)),
    "lords": (votes.LORDS, lambda v: votes.parse_lords_division(v, URL)),
    "member": (members.SOURCE, lambda v: members.parse_member(v, URL)),
    "member names": (members.SOURCE, lambda v: members.parse_member_names(v)),
    "history": (members.SOURCE, lambda v: members.parse_member_names(SAMPLES["member"], v)),
    "question": (questions.SOURCE, lambda v: questions.parse_question(v, URL)),
    "statement": (questions.SOURCE, lambda v: questions.parse_statement(v, URL)),
    "publications": (publications.SOURCE, lambda v: publications.parse_publications(v, 3159, URL)),
}
SAMPLE_OF = {"bill sponsors": "bill", "member names": "member", "statement": "question"}


@pytest.mark.parametrize("name", sorted(JSON_PARSERS))
@CHECKS
@given(value=json_values)
def test_any_json_value_is_a_record_or_one_line(name, value):
    source, parse = JSON_PARSERS[name]
    only_tracker_errors(source, lambda: parse(value))


@pytest.mark.parametrize("name", sorted(JSON_PARSERS))
@CHECKS
@given(data=st.data())
def test_a_real_record_with_any_part_replaced_is_a_record_or_one_line(name, data):
    source, parse = JSON_PARSERS[name]
    value = data.draw(mutated(SAMPLES[SAMPLE_OF.get(name, name)]))
    only_tracker_errors(source, lambda: parse(value))


@CHECKS
@given(text=st.text(max_size=200))
def test_division_titles_and_contribution_html_of_any_text(text):
    votes.division_target(text, text)
    hansard.contribution_text(text)


ACT = (SAMPLE_DIR / "legislation" / "ukpga-2023-54.xml").read_bytes()
AKN = (SAMPLE_DIR / "prints" / "procurement-bill-1-hl-bill-4-introduced.xml").read_bytes()
xml_text = st.one_of(
    st.binary(max_size=200),
    st.text(max_size=200).map(lambda t: t.encode("utf-8")),
    st.builds(lambda tag, body: f"<{tag}>{body}</{tag}>".encode(), st.sampled_from(["Legislation", "akomaNtoso", "html", "p"]),
              st.text(max_size=80)),
)


@st.composite
def cut(draw, document):
    """A real document cut off, or with a stretch replaced by arbitrary text."""
    start = draw(st.integers(0, len(document)))
    end = draw(st.integers(start, min(len(document), start + 400)))
    return document[:start] + draw(st.text(max_size=40)).encode("utf-8") + document[end:]


@CHECKS
@given(data=st.one_of(xml_text, cut(ACT)))
def test_legislation_of_any_bytes_is_sections_or_one_line(data):
    only_tracker_errors(legislation.SOURCE, lambda: legislation.parse_item(data, "ukpga/2023/54", 3159, URL))


@pytest.mark.parametrize("fmt", ["akn", "html", "pdf"])
@CHECKS
@given(data=st.one_of(xml_text, cut(AKN)))
def test_bill_prints_of_any_bytes_are_clauses_or_one_line(fmt, data):
    only_tracker_errors(billprints.SOURCE, lambda: billprints.read_print(data, fmt, url=URL, record="fuzzed"))


@pytest.fixture(scope="module")
def nlp():
    from tracker import tagging

    return tagging.build_pipeline()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=300) | st.sampled_from(["", " ", "amendment 1", "Lord Alton of Liverpool moved NC1 and Hikvision"]))
def test_the_tagger_tags_any_text(nlp, text):
    from tracker import tagging

    for mention in tagging.tag_text(text, nlp=nlp):
        assert 0 <= mention["start"] <= mention["end"] <= len(text)
