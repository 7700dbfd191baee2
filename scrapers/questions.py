"""The Written Questions and Statements API.

Paths used: ``/api/writtenquestions/questions`` and ``/api/writtenstatements/statements``
(``searchTerm``, ``expandMember``, ``skip``, ``take``; answers
``{results: [{value, links}], totalResults}``). camelCase.
"""
from scrapers.errors import TrackerError
from scrapers.http import base_url
from scrapers.members import member_from_recorded
from scrapers.text import html_to_text

SOURCE = "Written Questions API"
PAGE_SIZE = 20


def questions_url(tail=""):
    """``/api/writtenquestions/questions`` plus ``tail`` on the configured root."""
    return f"{base_url('questions')}/api/writtenquestions/questions{tail}"


def statements_url(tail=""):
    """``/api/writtenstatements/statements`` plus ``tail`` on the configured root."""
    return f"{base_url('questions')}/api/writtenstatements/statements{tail}"


def question_page(date_tabled, uin):
    """The question's page on questions-statements.parliament.uk (for people)."""
    return f"https://questions-statements.parliament.uk/written-questions/detail/{date_tabled}/{uin}"


# -- fetch ---------------------------------------------------------------------

def _search(client, url, term, extra=None):
    params = {"searchTerm": term, "expandMember": "true", **(extra or {})}
    found = []
    for items, response in client.get_paged(url, params, source=SOURCE, skip="skip", take="take", page_size=PAGE_SIZE, items_key="results", total_key="totalResults"):
        for item in items:  # each a QuestionsViewModelItem / StatementsViewModelItem: {value, links}
            value = item.get("value") if isinstance(item, dict) else None
            if not isinstance(value, dict) or value.get("id") is None:
                raise TrackerError("malformed search result: no 'value' with an id", source=SOURCE, url=response.url)
            found.append((value, response))
    return found


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


def _member(value, view_key, id_key):
    """The ``MemberViewModel`` under ``view_key`` (from ``expandMember=true``) to a thin ``members`` row,
    in the House of the question or statement; None when ``id_key`` names no member."""
    member_id = value.get(id_key)
    if not member_id:
        return None
    view = value.get(view_key) or {}
    house = value.get("house") if value.get("house") in ("Commons", "Lords") else None  # not "Bicameral"
    return member_from_recorded(member_id, view.get("name"), view.get("party"), house, view.get("memberFrom"),
                                view.get("listAs"), view.get("thumbnailUrl"))


def parse_question(value, source_url):
    """A ``QuestionsViewModel`` to ``(written_questions row, member rows)``."""
    members = [m for m in (_member(value, "askingMember", "askingMemberId"), _member(value, "answeringMember", "answeringMemberId")) if m]
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
    member = _member(value, "member", "memberId")
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
