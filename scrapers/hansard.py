"""The Hansard API: finding a bill's debates and reading every contribution.

Paths used: ``/search/debates.json`` (search parameters all prefixed
``queryParameters.``; answers ``{Results: SearchDebateItem[], TotalResultCount}``)
and ``/debates/debate/{debateSectionExtId}.json`` (``Debate``: ``Overview``,
``Items``, ``ChildDebates``). JSON keys are PascalCase.

Parsers are pure: a ``Debate`` becomes ``debates`` rows (the section and each
child section) and ``contributions`` rows. The amendments a speech names ("I beg
to move amendment 47", "new clause 1 in my name") are read by :mod:`scrapers.references`.
"""
import re

from bs4 import BeautifulSoup

from scrapers.errors import TrackerError
from scrapers.http import base_url
from scrapers.text import html_to_text

SOURCE = "Hansard API"
PAGE_SIZE = 20
Q = "queryParameters."


# -- URLs ----------------------------------------------------------------------

def search_debates_url():
    return f"{base_url('hansard')}/search/debates.json"


def debate_url(ext_id):
    return f"{base_url('hansard')}/debates/debate/{ext_id}.json"


def public_debate_page(ext_id, date, house, title=""):
    """The debate's page on hansard.parliament.uk (for people, not the API)."""
    slug = re.sub(r"[^A-Za-z0-9]+", "", title or "") or "Debate"
    return f"https://hansard.parliament.uk/{house}/{date}/debates/{ext_id}/{slug}"


# -- fetch ---------------------------------------------------------------------

def search_debates(client, term, *, house=None, start_date=None, end_date=None):
    """Every ``SearchDebateItem`` for ``term`` in the date range, all pages: ``[(item, response)]``."""
    params = {Q + "searchTerm": term}
    if house:
        params[Q + "house"] = house
    if start_date:
        params[Q + "startDate"] = start_date
    if end_date:
        params[Q + "endDate"] = end_date
    found = []
    for items, response in client.get_paged(
        search_debates_url(), params, source=SOURCE, skip=Q + "skip", take=Q + "take",
        page_size=PAGE_SIZE, items_key="Results", total_key="TotalResultCount",
    ):
        found.extend((item, response) for item in items)
    return found


def fetch_debate(client, ext_id):
    """``GET /debates/debate/{ext_id}.json``: ``(Debate, response)``."""
    data, response = client.get_json(debate_url(ext_id), source=SOURCE)
    if not isinstance(data, dict) or not (data.get("Overview") or {}).get("ExtId"):
        raise TrackerError("malformed response: no Overview.ExtId", source=SOURCE, url=response.url, record=ext_id)
    return data, response


# -- parse ---------------------------------------------------------------------

_BRACKETS = re.compile(r"\[\s*[^\]]*\]")


def normalise_title(title):
    """``"Procurement Bill [ Lords ] (Fifth sitting)"`` -> ``"procurement bill (fifth sitting)"``."""
    return " ".join(_BRACKETS.sub(" ", title or "").lower().split())


def title_matches(title, base_title):
    """Whether a debate title is about the bill named ``base_title`` (e.g. "Procurement Bill")."""
    return normalise_title(base_title) in normalise_title(title)


def bill_search_titles(short_title, former_short_title=None):
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


def _date(value):
    return value[:10] if value else None


def _column_numbers(soup):
    """The column numbers marked in a contribution's HTML, in order."""
    found = []
    for span in soup.select("[data-column-number]"):
        found.append(span.get("data-column-number"))
    for span in soup.select(".column-number"):
        if not span.get("data-column-number") and span.get_text(strip=True):
            found.append(span.get_text(strip=True))
    return [c.strip() for c in found if c and c.strip()]


def contribution_text(html):
    """``(plain text, column numbers)`` of an item's HTML: column markers become data, not text."""
    if not html:
        return None, []
    soup = BeautifulSoup(html, "lxml")
    columns = _column_numbers(soup)
    for span in soup.select(".column-number, [data-column-number]"):
        span.decompose()
    body = soup.body or soup
    return html_to_text(body.decode_contents()), columns


def parse_debate(data, source_url, parent_id=None, column=None):
    """A ``Debate`` to ``(debates rows, contributions rows)``, children included.

    ``hansard_column`` is the column a contribution starts in: the last column
    marker before it (in this section or an earlier one) or its own first marker
    when it opens with one. Timestamps are not contributions.
    """
    overview = data.get("Overview") or {}
    ext_id = overview["ExtId"]
    debate = {
        "debate_id": ext_id,
        "parent_debate_id": parent_id,
        "title": overview.get("Title"),
        "date": _date(overview.get("Date")),
        "house": overview.get("House"),
        "location": overview.get("Location"),
        "hrs_tag": overview.get("HRSTag"),
        "hansard_source": overview.get("Source"),
        "content_last_updated": overview.get("ContentLastUpdated"),
        "source_url": source_url,
    }
    debates, contributions = [debate], []
    items = sorted(data.get("Items") or [], key=lambda i: (i.get("OrderInSection") or 0))
    for item in items:
        if (item.get("ItemType") or "").lower() == "timestamp":
            continue
        html = item.get("Value")
        text, columns = contribution_text(html)
        starts_with_marker = bool(html) and re.match(r"\s*(<p[^>]*>\s*)?<span[^>]*column-number", html) is not None
        if columns and (column is None or starts_with_marker):
            column = columns[0]
        item_column = column
        if columns:
            column = columns[-1]
        if item.get("ItemId") is None:
            raise TrackerError("debate item without ItemId", source=SOURCE, url=source_url, record=ext_id)
        member_id = item.get("MemberId") or None
        contributions.append(
            {
                "contribution_id": item["ItemId"],
                "external_id": item.get("ExternalId"),
                "debate_id": ext_id,
                "member_id": member_id,
                "attributed_to": item.get("AttributedTo") or None,
                "item_type": item.get("ItemType"),
                "order_in_section": item.get("OrderInSection"),
                "timecode": item.get("Timecode"),
                "hansard_column": item_column,
                "hrs_tag": item.get("HRSTag"),
                "text": text,
                "html": html,
                "source_url": source_url,
            }
        )
    for child in data.get("ChildDebates") or []:
        if not (child.get("Overview") or {}).get("ExtId"):
            continue
        child_debates, child_contributions = parse_debate(child, source_url, parent_id=ext_id, column=column)
        debates.extend(child_debates)
        contributions.extend(child_contributions)
        if child_contributions and child_contributions[-1]["hansard_column"]:
            column = child_contributions[-1]["hansard_column"]
    return debates, contributions


def speaker_name(attributed_to):
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
