"""The one grammar of references to amendments and motions, and the one resolver: Hansard
linking, division linking and the tagger read and link every reference alike."""
import functools
import itertools

import pytest

from nlp import pipeline
from scrapers import references, votes
from scrapers.references import find_references
from tracker import store, tagging
from tracker.sync.divisions import link_division
from tracker.sync.hansard import contribution_links
from tracker.sync.linking import stage_numbers
from tracker.tagging.links import StageLinks


def strongest(text):
    """``(kind, number, how)`` once per number, with the strongest way the text treats it."""
    found = {}
    for ref in find_references(text):
        held = found.get((ref.kind, ref.number))
        if held is None or references.HOW_RANK[ref.how] > references.HOW_RANK[held]:
            found[(ref.kind, ref.number)] = ref.how
    return [(kind, number, how) for (kind, number), how in found.items()]


@pytest.mark.parametrize("text, expected", [
    ("My Lords, I beg to move Amendment 98 and will speak also to Amendments 99 and 100 in this group.",
     [("amendment", "98", "moved"), ("amendment", "99", "spoke to"), ("amendment", "100", "spoke to")]),
    ("I beg to move amendment 47, page 3, line 4, leave out “may”.", [("amendment", "47", "moved")]),
    ("I will speak to Amendments 29, 33, 34 and 37.",
     [("amendment", n, "spoke to") for n in ("29", "33", "34", "37")]),
    ("New clause 1 in my name would require a list.", [("new clause", "NC1", "spoke to")]),
    ("I rise to speak to new clause 2 in my name.", [("new clause", "NC2", "spoke to")]),
    ("Amendment 98\nMoved by Lord Alton of Liverpool", [("amendment", "98", "moved")]),
    ("Motion B1 (as an amendment to Motion B)\nMoved by Lord Coaker", [("motion", "B1", "moved"), ("motion", "B", "mentioned")]),
    ("I support Motion 47A.", [("motion", "47A", "mentioned")]),
    ("The motion I moved was about Lords amendment 47A.", [("amendment", "47A", "mentioned")]),
    ("I will speak to Government new clause 5 and amendments 5 to 7.",
     [("new clause", "NC5", "spoke to"), ("amendment", "5", "spoke to"), ("amendment", "6", "spoke to"), ("amendment", "7", "spoke to")]),
    ("I beg to move the Government amendment 3.", [("amendment", "3", "moved")]),
    ("Amendment 5 mentioned; later I beg to move amendment 5.", [("amendment", "5", "moved")]),
    ("Clause 12 stand part; the amendment is withdrawn.", []),
    ("Amendments 1 to 2023 are not a range.", [("amendment", "1", "mentioned"), ("amendment", "2023", "mentioned")]),
    ("", []),
    (None, []),
])
def test_what_a_speech_names_and_how(text, expected):
    assert strongest(text) == expected


def test_spans_and_phrases():
    text = "I support Lords Amendments 11B and 11C, new clauses 1 to 3; NC12 and Motions B1 and C, then Motion A and a."
    found = [(text[r.start:r.end], r.value, r.phrase) for r in find_references(text)]
    assert found == [
        ("Amendments 11B", "amendment:11B", "Lords Amendments 11B and 11C"),  # the tagger's span starts at the kind word
        ("11C", "amendment:11C", "Lords Amendments 11B and 11C"),
        ("new clauses 1", "amendment:NC1", "new clauses 1 to 3"),
        ("1 to 3", "amendment:NC2", "new clauses 1 to 3"),  # named only by the range
        ("3", "amendment:NC3", "new clauses 1 to 3"),
        ("NC12", "amendment:NC12", "NC12"),
        ("Motions B1", "motion:B1", "Motions B1 and C"),
        ("C", "motion:C", "Motions B1 and C"),
        ("Motion A", "motion:A", "Motion A"),  # "and a" is no motion: the phrase ends at "A"
    ]
    assert [r.phrase_start for r in find_references(text)][:2] == [text.index("Lords")] * 2


@pytest.mark.parametrize("text", [
    "the motion I moved", "a motion A noble Lord tabled", "Motion a", "nc12 in lower case", "amendment A", "Amendment 12345",
])
def test_what_names_nothing(text):
    assert find_references(text) == []


# -- the three callers agree ----------------------------------------------------

STAGE = 9
AMENDMENTS = {1: "NC1", 2: "NC2", 3: "5", 4: "6", 5: "7", 6: "12", 7: "13", 8: "NC12", 9: "NC1A", 10: " 47b", 11: "20", 12: "20"}
ITEMS = {21: ("Motion", "B1"), 22: ("Motion", "C"), 23: ("", "A"), 24: ("Amendment", "47A"), 25: (None, "D")}

# text -> the records it links to ("a" amendments, "i" ping-pong items)
CASES = [
    ("I will speak to new clauses 1 and 2.", {("a", 1), ("a", 2)}),
    ("I will speak to Amendments 5 to 7.", {("a", 3), ("a", 4), ("a", 5)}),
    ("NC12 would require a review.", {("a", 8)}),
    ("I beg to move Amendment No. 5.", {("a", 3)}),
    ("I support Motions B1 and C.", {("i", 21), ("i", 22)}),
    ("The motion I moved was withdrawn.", set()),
    ("New clause 1A would add a list.", {("a", 9)}),
    ("I support Amendments 12 & 13.", {("a", 6), ("a", 7)}),
    ("I support Amendment NC1.", {("a", 1)}),
    ("Amendment 47B, as it is stored with a stray space.", {("a", 10)}),
    ("Motion A, an item of no type given.", {("i", 23)}),
    ("Amendment A is no amendment of that number.", set()),
    ("Lords Amendment 47A.", {("i", 24)}),
    ("Motion D and Amendment D: an item of no type is either.", {("i", 25)}),
    ("Amendment 20: two amendments share the number.", set()),
    ("Motion 47A: no motion has that number.", set()),
]


def insert(db, table, row):
    db.execute(f"INSERT INTO [{table}] ({', '.join(row)}) VALUES ({', '.join('?' for _ in row)})", list(row.values()))


@pytest.fixture(scope="module")
def stage_db(tmp_path_factory):
    db = store.open_db(tmp_path_factory.mktemp("references") / "t.db")
    with store.transaction(db):
        insert(db, "bill_stages", {"bill_stage_id": STAGE, "bill_id": 1, "house": "Lords", "description": "Report stage"})
        for amendment_id, number in AMENDMENTS.items():
            insert(db, "amendments", {"amendment_id": amendment_id, "bill_id": 1, "bill_stage_id": STAGE, "number": number})
        for item_id, (kind, number) in ITEMS.items():
            insert(db, "pingpong_items", {"pingpong_item_id": item_id, "bill_id": 1, "bill_stage_id": STAGE, "type": kind, "number": number})
        insert(db, "amendments", {"amendment_id": 99, "bill_id": 1, "bill_stage_id": STAGE, "number": "14", "removed_at": "2023-01-01"})
    yield db
    db.close()


@functools.lru_cache(maxsize=None)
def tagger():
    return pipeline.build()


def _linked(rows):
    return ({("a", r["amendment_id"]) for r in rows if r.get("amendment_id")}
            | {("i", r["pingpong_item_id"]) for r in rows if r.get("pingpong_item_id")})


def hansard_links(db, text):
    return _linked(contribution_links({"contribution_id": 1, "text": text}, stage_numbers(db, [STAGE])))


def tagger_links(db, text):
    amendments, pingpong, _ = StageLinks(db).get(STAGE)
    return _linked(tagging.tag_text(text, nlp=tagger(), amendments=amendments, pingpong=pingpong))


def division_links(db, text):
    stages = [{"bill_stage_id": STAGE, "house": "Lords", "dates": ["2023-09-12"], "description": "Report stage"}]
    return _linked([link_division(db, {"house": "Lords", "date": "2023-09-12", "title": text}, stages)])


@pytest.mark.parametrize("text, expected", CASES)
def test_hansard_linking_the_tagger_and_division_linking_agree(stage_db, text, expected):
    assert hansard_links(stage_db, text) == expected
    assert tagger_links(stage_db, text) == expected
    # a division is on one thing: linked when its title names exactly one record, never guessed among several
    names_one = len({r.value for r in find_references(text)}) == 1
    assert division_links(stage_db, text) == (expected if names_one else set())


def test_the_tagger_marks_the_spans_the_grammar_reads():
    """Every combination of kind words, numbers and separators: the tagger's one-regex scan
    finds exactly the references :func:`find_references` finds, with the same spans and values."""
    kinds = ["Amendment", "amendments", "Lords Amendments", "new clause", "New Clauses", "Motion", "motions", "Amendment No."]
    numbers = ["5", "47b", "NC1", "A1", "a", "I", "12345"]
    joins = [" and ", ", ", " to ", " & ", ", or ", " or the "]
    for kind, first, join, second in itertools.product(kinds, numbers, joins, numbers):
        text = f"We discussed {kind} {first}{join}{second}. Then NC4."
        grammar = [(r.start, r.end, r.value) for r in find_references(text)]
        tagged = [(m["start"], m["end"], m["value"]) for m in pipeline.tag(tagger(), text)
                  if m["label"] == "REFERENCE" and m["value"].startswith(("amendment:", "motion:"))]
        assert tagged == grammar, text


def test_removed_records_and_unsure_stages(stage_db):
    assert stage_numbers(stage_db, [STAGE]).resolve("amendment", "14") == (None, None)  # removed upstream
    assert stage_numbers(stage_db, [STAGE, None]).resolve("amendment", "12") == (6, None)
    assert stage_numbers(stage_db, []).resolve("amendment", "12") == (None, None)
    assert stage_numbers(stage_db, [STAGE]).resolve("amendment", None) == (None, None)


def test_a_division_title_naming_several_keeps_its_words_and_links_nothing(stage_db):
    stages = [{"bill_stage_id": STAGE, "house": "Lords", "dates": ["2023-09-12"], "description": "Report stage"}]
    row = link_division(stage_db, {"house": "Lords", "date": "2023-09-12", "title": "Procurement Bill [HL]: Amendments 12 and 13"}, stages)
    assert (row["amendment_ref"], row["amendment_id"], row["pingpong_item_id"]) == ("Amendments 12 and 13", None, None)
    assert votes.division_target("Amendments 12 and 13").number is None
