"""The Written Questions and Statements API.

Paths used: ``/api/writtenquestions/questions`` and ``/api/writtenstatements/statements``
(``searchTerm``, ``expandMember``, ``skip``, ``take``; answers
``{results: [{value, links}], totalResults}``). camelCase.
"""
from dataclasses import dataclass, field
from typing import Any, ClassVar

from scrapers.errors import TrackerError
from scrapers.http import HttpClient, Response, base_url
from scrapers.members import MemberReference, member_reference
from scrapers.records import BESIDE, Record
from scrapers.text import html_to_text
from scrapers.values import JSON, date, flag, obj, record, required, string
from tracker.vocab import House

SOURCE = "Written Questions API"
PAGE_SIZE = 20


def questions_url(tail: str = "") -> str:
    """``/api/writtenquestions/questions`` plus ``tail`` on the configured root."""
    return f"{base_url('questions')}/api/writtenquestions/questions{tail}"


def statements_url(tail: str = "") -> str:
    """``/api/writtenstatements/statements`` plus ``tail`` on the configured root."""
    return f"{base_url('questions')}/api/writtenstatements/statements{tail}"


def question_page(date_tabled: str, uin: str) -> str:
    """The question's page on questions-statements.parliament.uk (for people)."""
    return f"https://questions-statements.parliament.uk/written-questions/detail/{date_tabled}/{uin}"


# -- fetch ---------------------------------------------------------------------

def _search(client: HttpClient, url: str, term: str, extra: dict[str, Any] | None = None) -> list[tuple[JSON, Response]]:
    params = {"searchTerm": term, "expandMember": "true", **(extra or {})}
    found: list[tuple[JSON, Response]] = []
    for items, response in client.get_paged(url, params, source=SOURCE, skip="skip", take="take", page_size=PAGE_SIZE, items_key="results", total_key="totalResults"):
        for item in items:  # each a QuestionsViewModelItem / StatementsViewModelItem: {value, links}
            value = item.get("value") if isinstance(item, dict) else None
            if not isinstance(value, dict) or value.get("id") is None:
                raise TrackerError("malformed search result: no 'value' with an id", source=SOURCE, url=response.url)
            found.append((value, response))
    return found


def search_questions(client: HttpClient, term: str) -> list[tuple[JSON, Response]]:
    """Every written question (withdrawn ones too) matching ``term``: ``[(QuestionsViewModel, response)]``."""
    return _search(client, questions_url(), term, {"includeWithdrawn": "true"})


def search_statements(client: HttpClient, term: str) -> list[tuple[JSON, Response]]:
    """Every written ministerial statement matching ``term``: ``[(StatementsViewModel, response)]``."""
    return _search(client, statements_url(), term)


# -- parse ---------------------------------------------------------------------

@dataclass(frozen=True)
class WrittenQuestion(Record):
    """A ``written_questions`` row with the members who asked and answered it."""

    TABLE: ClassVar[str] = "written_questions"
    question_id: int
    uin: str | None
    house: str | None
    asking_member_id: int | None
    answering_member_id: int | None
    answering_body: str | None
    date_tabled: str | None
    date_for_answer: str | None
    date_answered: str | None
    heading: str | None
    question_text: str | None
    answer_text: str | None
    answer_html: str | None
    is_withdrawn: int | None
    is_holding_answer: int | None
    source_url: str | None
    members: tuple[MemberReference, ...] = field(default=(), kw_only=True, metadata=BESIDE)


@dataclass(frozen=True)
class WrittenStatement(Record):
    """A ``written_statements`` row with the member who made it."""

    TABLE: ClassVar[str] = "written_statements"
    statement_id: int
    uin: str | None
    house: str | None
    member_id: int | None
    member_role: str | None
    answering_body: str | None
    date: str | None
    title: str | None
    text: str | None
    html: str | None
    source_url: str | None
    members: tuple[MemberReference, ...] = field(default=(), kw_only=True, metadata=BESIDE)


def _member(value: JSON, view_key: str, id_key: str) -> MemberReference | None:
    """The ``MemberViewModel`` under ``view_key`` (from ``expandMember=true``) as a member reference,
    in the House of the question or statement; None when ``id_key`` names no member."""
    member_id = value.get(id_key)
    if not member_id:
        return None
    view = obj(value, view_key)
    return member_reference(member_id, view.get("name"), view.get("party"), House.of(value.get("house")),
                            view.get("memberFrom"), view.get("listAs"), view.get("thumbnailUrl"))


def parse_question(value: JSON, source_url: str | None) -> WrittenQuestion:
    """A ``QuestionsViewModel`` to a ``written_questions`` row with its members."""
    value = record(value, "QuestionsViewModel")
    members = [m for m in (_member(value, "askingMember", "askingMemberId"), _member(value, "answeringMember", "answeringMemberId")) if m]
    answer_html = string(value, "answerText")
    return WrittenQuestion(
        question_id=required(value, "id"),
        uin=value.get("uin"),
        house=value.get("house"),
        asking_member_id=value.get("askingMemberId") or None,
        answering_member_id=value.get("answeringMemberId") or None,
        answering_body=value.get("answeringBodyName"),
        date_tabled=date(value, "dateTabled"),
        date_for_answer=date(value, "dateForAnswer"),
        date_answered=date(value, "dateAnswered"),
        heading=value.get("heading"),
        question_text=html_to_text(string(value, "questionText")),
        answer_text=html_to_text(answer_html),
        answer_html=answer_html,
        is_withdrawn=flag(value, "isWithdrawn"),
        is_holding_answer=flag(value, "answerIsHolding"),
        source_url=source_url,
        members=tuple(members),
    )


def parse_statement(value: JSON, source_url: str | None) -> WrittenStatement:
    """A ``StatementsViewModel`` to a ``written_statements`` row with its member."""
    value = record(value, "StatementsViewModel")
    member = _member(value, "member", "memberId")
    html = string(value, "text")
    return WrittenStatement(
        statement_id=required(value, "id"),
        uin=value.get("uin"),
        house=value.get("house"),
        member_id=value.get("memberId") or None,
        member_role=value.get("memberRole"),
        answering_body=value.get("answeringBodyName"),
        date=date(value, "dateMade"),
        title=value.get("title"),
        text=html_to_text(html),
        html=html,
        source_url=source_url,
        members=(member,) if member else (),
    )
