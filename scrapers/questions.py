"""The Written Questions and Statements API.

Paths used: ``/api/writtenquestions/questions`` and ``/api/writtenstatements/statements``
(``searchTerm``, ``expandMember``, ``skip``, ``take``; answers
``{results: [{value, links}], totalResults}``). camelCase.
"""
from scrapers.http import base_url
from scrapers.text import html_to_text

SOURCE = "Written Questions API"
PAGE_SIZE = 20


def questions_url():
    return f"{base_url('questions')}/api/writtenquestions/questions"


def statements_url():
    return f"{base_url('questions')}/api/writtenstatements/statements"


def question_page(date_tabled, uin):
    """The question's page on questions-statements.parliament.uk (for people)."""
    return f"https://questions-statements.parliament.uk/written-questions/detail/{date_tabled}/{uin}"


# -- fetch ---------------------------------------------------------------------

def _search(client, url, term, extra=None):
    params = {"searchTerm": term, "expandMember": "true", **(extra or {})}
    found = []
    for items, response in client.get_paged(url, params, source=SOURCE, skip="skip", take="take", page_size=PAGE_SIZE, items_key="results", total_key="totalResults"):
        found.extend((item.get("value") if isinstance(item, dict) and "value" in item else item, response) for item in items)
    return [(value, response) for value, response in found if isinstance(value, dict) and value.get("id") is not None]


def search_questions(client, term):
    """Every written question (withdrawn ones too) matching ``term``: ``[(QuestionsViewModel, response)]``."""
    return _search(client, questions_url(), term, {"includeWithdrawn": "true"})


def search_statements(client, term):
    """Every written ministerial statement matching ``term``: ``[(StatementsViewModel, response)]``."""
    return _search(client, statements_url(), term)


# -- parse ---------------------------------------------------------------------

def _date(value):
    return value[:10] if value else None


def _bool(value):
    return None if value is None else int(bool(value))


def _member(view, member_id):
    """A ``MemberViewModel`` (from ``expandMember=true``) to a thin ``members`` row."""
    if not member_id:
        return None
    view = view or {}
    return {
        "member_id": member_id,
        "name": view.get("name"),
        "party": view.get("party"),
        "house": None,
        "constituency": None,
        "name_list_as": view.get("listAs"),
        "thumbnail_url": view.get("thumbnailUrl"),
        "source_url": None,
    }


def parse_question(value, source_url):
    """A ``QuestionsViewModel`` to ``(written_questions row, member rows)``."""
    members = [m for m in (_member(value.get("askingMember"), value.get("askingMemberId")),
                           _member(value.get("answeringMember"), value.get("answeringMemberId"))) if m]
    for member in members:
        member["house"] = value.get("house") if value.get("house") in ("Commons", "Lords") else None
        if member["house"] == "Commons":
            view = value.get("askingMember") if member["member_id"] == value.get("askingMemberId") else value.get("answeringMember")
            member["constituency"] = (view or {}).get("memberFrom")
    answer_html = value.get("answerText")
    row = {
        "question_id": value["id"],
        "uin": value.get("uin"),
        "house": value.get("house"),
        "asking_member_id": value.get("askingMemberId") or None,
        "answering_member_id": value.get("answeringMemberId") or None,
        "answering_body": value.get("answeringBodyName"),
        "date_tabled": _date(value.get("dateTabled")),
        "date_for_answer": _date(value.get("dateForAnswer")),
        "date_answered": _date(value.get("dateAnswered")),
        "heading": value.get("heading"),
        "question_text": html_to_text(value.get("questionText")),
        "answer_text": html_to_text(answer_html),
        "answer_html": answer_html,
        "is_withdrawn": _bool(value.get("isWithdrawn")),
        "is_holding_answer": _bool(value.get("answerIsHolding")),
        "source_url": source_url,
    }
    return row, members


def parse_statement(value, source_url):
    """A ``StatementsViewModel`` to ``(written_statements row, member rows)``."""
    member = _member(value.get("member"), value.get("memberId"))
    if member:
        member["house"] = value.get("house") if value.get("house") in ("Commons", "Lords") else None
        if member["house"] == "Commons":
            member["constituency"] = (value.get("member") or {}).get("memberFrom")
    html = value.get("text")
    row = {
        "statement_id": value["id"],
        "uin": value.get("uin"),
        "house": value.get("house"),
        "member_id": value.get("memberId") or None,
        "member_role": value.get("memberRole"),
        "answering_body": value.get("answeringBodyName"),
        "date": _date(value.get("dateMade")),
        "title": value.get("title"),
        "text": html_to_text(html),
        "html": html,
        "source_url": source_url,
    }
    return row, [member] if member else []
