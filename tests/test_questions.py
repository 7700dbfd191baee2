"""Written questions and statements parsing."""
from conftest import load_fixture
from scrapers import questions


def test_questions_to_rows():
    page = load_fixture("questions", "questions_page.json")
    parsed = {v["value"]["id"]: questions.parse_question(v["value"], "https://q.example/api/writtenquestions/questions?searchTerm=x") for v in page["results"]}
    row = parsed[1475002]
    assert (row.uin, row.house, row.asking_member_id, row.answering_member_id) == ("159501", "Commons", 4805, 4507)
    assert (row.date_tabled, row.date_answered, row.answering_body) == ("2023-03-06", "2023-03-14", "Cabinet Office")
    assert row.heading == "Government Departments: Surveillance"
    assert row.question_text.startswith("To ask the Minister for the Cabinet Office") and "<p>" not in row.question_text
    assert "<p>" in row.answer_html and "<p>" not in row.answer_text
    assert (row.is_withdrawn, row.is_holding_answer) == (0, 0)
    assert {m.member_id: (m.name, m.house, m.constituency) for m in row.members} == {
        4805: ("Alicia Kearns", "Commons", "Rutland and Stamford"), 4507: ("Jeremy Quin", "Commons", "Horsham")}
    unanswered = parsed[1475004]
    assert unanswered.answer_text is None and unanswered.date_answered is None and unanswered.answering_member_id is None
    assert [m.member_id for m in unanswered.members] == [4812]


def test_statement_to_row():
    [item] = load_fixture("questions", "statements_page.json")["results"]
    row = questions.parse_statement(item["value"], "u")
    [member] = row.members
    assert (row.statement_id, row.uin, row.house, row.member_id, row.date) == (1702001, "HCWS845", "Commons", 4613, "2023-06-12")
    assert row.title == "Procurement Bill: National Security" and "surveillance equipment" in row.text
    assert "\n" in row.text and "<p>" not in row.text
    assert member.name == "Alex Burghart"
