"""The Hansard API: finding a bill's debates and reading every contribution.

Paths used: ``/search/debates.json`` (search parameters all prefixed
``queryParameters.``; answers ``{Results: SearchDebateItem[], TotalResultCount}``)
and ``/debates/debate/{debateSectionExtId}.json`` (``Debate``: ``Overview``,
``Items``, ``ChildDebates``). JSON keys are PascalCase.

Parsers are pure: a ``Debate`` becomes a :class:`HansardDebate`, its :class:`Debate`
records (the section and each child section) and :class:`Contribution` records. The amendments a speech names ("I beg
to move amendment 47", "new clause 1 in my name") are read by :mod:`scrapers.references`.
"""
import re
from dataclasses import dataclass
from typing import Any, ClassVar

from bs4 import BeautifulSoup

from scrapers.errors import TrackerError
from scrapers.http import HttpClient, Response, base_url
from scrapers.records import Record
from scrapers.text import html_to_text
from scrapers.values import JSON, date, integer, obj, objs, record, required, string

SOURCE = "Hansard API"
PAGE_SIZE = 20
Q = "queryParameters."


# -- URLs ----------------------------------------------------------------------

def search_debates_url() -> str:
    return f"{base_url('hansard')}/search/debates.json"


def debate_url(ext_id: str) -> str:
    return f"{base_url('hansard')}/debates/debate/{ext_id}.json"


def public_debate_page(ext_id: str, date: str, house: str, title: str | None = "") -> str:
    """The debate's page on hansard.parliament.uk (for people, not the API)."""
    slug = re.sub(r"[^A-Za-z0-9]+", "", title or "") or "Debate"
    return f"https://hansard.parliament.uk/{house}/{date}/debates/{ext_id}/{slug}"


# -- fetch ---------------------------------------------------------------------

def search_debates(client: HttpClient, term: str, *, house: str | None = None, start_date: str | None = None,
                   end_date: str | None = None) -> list[tuple[JSON, Response]]:
    """Every ``SearchDebateItem`` for ``term`` in the date range, all pages: ``[(item, response)]``."""
    params: dict[str, Any] = {Q + "searchTerm": term}
    if house:
        params[Q + "house"] = house
    if start_date:
        params[Q + "startDate"] = start_date
    if end_date:
        params[Q + "endDate"] = end_date
    found: list[tuple[JSON, Response]] = []
    for items, response in client.get_paged(
        search_debates_url(), params, source=SOURCE, skip=Q + "skip", take=Q + "take",
        page_size=PAGE_SIZE, items_key="Results", total_key="TotalResultCount",
    ):
        if not all(isinstance(item, dict) for item in items):
            raise TrackerError("malformed search page: not a list of debates", source=SOURCE, url=response.url)
        found.extend((item, response) for item in items)
    return found


def fetch_debate(client: HttpClient, ext_id: str) -> tuple[JSON, Response]:
    """``GET /debates/debate/{ext_id}.json``: ``(Debate, response)``."""
    data, response = client.get_json(debate_url(ext_id), source=SOURCE)
    if not isinstance(data, dict) or not (data.get("Overview") or {}).get("ExtId"):
        raise TrackerError("malformed response: no Overview.ExtId", source=SOURCE, url=response.url, record=ext_id)
    return data, response


# -- parse ---------------------------------------------------------------------

_BRACKETS = re.compile(r"\[\s*[^\]]*\]")


def normalise_title(title: str | None) -> str:
    """``"Procurement Bill [ Lords ] (Fifth sitting)"`` -> ``"procurement bill (fifth sitting)"``."""
    return " ".join(_BRACKETS.sub(" ", title or "").lower().split())


def title_matches(title: str | None, base_title: str) -> bool:
    """Whether a debate title is about the bill named ``base_title`` (e.g. "Procurement Bill")."""
    return normalise_title(base_title) in normalise_title(title)


def bill_search_titles(short_title: str | None, former_short_title: str | None = None) -> list[str]:
    """The titles a bill's debates are found under: "Procurement Act 2023" -> "Procurement Bill"."""
    titles = []
    for title in (former_short_title, short_title):
        if not title:
            continue
        title = _BRACKETS.sub("", title).strip()
        title = re.sub(r"\bAct(?: \d{4})?$", "Bill", title).strip()
        if title and title not in titles:
            titles.append(title)
    return titles


def _column_numbers(soup: BeautifulSoup) -> list[str]:
    """The column numbers marked in a contribution's HTML, in order."""
    found = []
    for span in soup.select("[data-column-number]"):
        found.append(span.get("data-column-number"))
    for span in soup.select(".column-number"):
        if not span.get("data-column-number") and span.get_text(strip=True):
            found.append(span.get_text(strip=True))
    return [c.strip() for c in found if isinstance(c, str) and c.strip()]


def contribution_text(html: str | None) -> tuple[str | None, list[str]]:
    """``(plain text, column numbers)`` of an item's HTML: column markers become data, not text."""
    if not html:
        return None, []
    soup = BeautifulSoup(html, "lxml")
    columns = _column_numbers(soup)
    for span in soup.select(".column-number, [data-column-number]"):
        span.decompose()
    body = soup.body or soup
    return html_to_text(body.decode_contents()), columns


@dataclass(frozen=True)
class Debate(Record):
    """A ``debates`` row: one section of a debate (the bill and stage are told later, by the sync)."""

    TABLE: ClassVar[str] = "debates"
    debate_id: str
    parent_debate_id: str | None
    title: str | None
    date: str | None
    house: str | None
    location: str | None
    hrs_tag: str | None
    hansard_source: str | None
    content_last_updated: str | None
    source_url: str | None


@dataclass(frozen=True)
class Contribution(Record):
    """A ``contributions`` row: one item of a section (a speech, a question put), not a timestamp."""

    TABLE: ClassVar[str] = "contributions"
    contribution_id: int
    external_id: str | None
    debate_id: str
    member_id: int | None
    attributed_to: str | None
    item_type: str | None
    order_in_section: int | None
    timecode: str | None
    hansard_column: str | None  # the column it starts in
    hrs_tag: str | None
    text: str | None
    html: str | None
    source_url: str | None


@dataclass(frozen=True)
class HansardDebate:
    """A Hansard ``Debate`` read whole: its section and every child section, and their contributions."""

    sections: tuple[Debate, ...]
    contributions: tuple[Contribution, ...]


def parse_debate(data: JSON, source_url: str | None) -> HansardDebate:
    """A ``Debate`` to its sections (``debates`` rows) and contributions, children included.

    ``hansard_column`` is the column a contribution starts in: the last column
    marker before it (in this section or an earlier one) or its own first marker
    when it opens with one. Timestamps are not contributions.
    """
    sections: list[Debate] = []
    contributions: list[Contribution] = []
    _parse_section(record(data, "Debate"), source_url, None, None, sections, contributions)
    return HansardDebate(tuple(sections), tuple(contributions))


def _parse_section(data: JSON, source_url: str | None, parent_id: str | None, column: str | None,
                   sections: list[Debate], contributions: list[Contribution]) -> None:
    """Append one section and its children to ``sections`` and ``contributions``."""
    overview = obj(data, "Overview")
    ext_id = required(overview, "ExtId")
    sections.append(Debate(
        debate_id=ext_id,
        parent_debate_id=parent_id,
        title=overview.get("Title"),
        date=date(overview, "Date"),
        house=overview.get("House"),
        location=overview.get("Location"),
        hrs_tag=overview.get("HRSTag"),
        hansard_source=overview.get("Source"),
        content_last_updated=overview.get("ContentLastUpdated"),
        source_url=source_url,
    ))
    for item in sorted(objs(data, "Items"), key=lambda i: integer(i, "OrderInSection") or 0):
        if (string(item, "ItemType") or "").lower() == "timestamp":
            continue
        html = string(item, "Value")
        text, columns = contribution_text(html)
        starts_with_marker = html is not None and re.match(r"\s*(<p[^>]*>\s*)?<span[^>]*column-number", html) is not None
        if columns and (column is None or starts_with_marker):
            column = columns[0]
        item_column = column
        if columns:
            column = columns[-1]
        contributions.append(Contribution(
            contribution_id=required(item, "ItemId"),
            external_id=item.get("ExternalId"),
            debate_id=ext_id,
            member_id=item.get("MemberId") or None,
            attributed_to=item.get("AttributedTo") or None,
            item_type=item.get("ItemType"),
            order_in_section=item.get("OrderInSection"),
            timecode=item.get("Timecode"),
            hansard_column=item_column,
            hrs_tag=item.get("HRSTag"),
            text=text,
            html=html,
            source_url=source_url,
        ))
    for child in objs(data, "ChildDebates"):
        if not obj(child, "Overview").get("ExtId"):
            continue
        before = len(contributions)
        _parse_section(child, source_url, ext_id, column, sections, contributions)
        # the section goes on from the column its last child contribution started in
        if len(contributions) > before and contributions[-1].hansard_column:
            column = contributions[-1].hansard_column


def speaker_name(attributed_to: str | None) -> str | None:
    """A plain name from ``AttributedTo``: "Lord Fox (LD)" -> "Lord Fox";
    "Alex Burghart (Brentwood and Ongar) (Con)" -> "Alex Burghart";
    "The Minister of State, Cabinet Office (Alex Burghart)" -> "Alex Burghart"."""
    if not attributed_to:
        return None
    name = attributed_to.strip()
    party = re.match(r"^(.*\S)\s*\(([^()\s]{1,12})\)$", name)
    if party:
        name = party.group(1)
    inner = re.match(r"^(.*?)\s*\(([^()]*)\)$", name)
    if inner:
        outer, bracketed = inner.groups()
        name = bracketed if outer.lower().startswith(("the ", "madam ", "mr speaker", "mr deputy")) else outer
    return name.strip() or None
