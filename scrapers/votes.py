"""Divisions: the Commons Votes API and the Lords Votes API.

Commons: ``/data/divisions.json/search`` (parameters prefixed ``queryParameters.``,
answers a bare ``PublishedDivision[]`` page) and ``/data/division/{id}.json``
(``PublishedDivision``: ``Ayes``, ``Noes``, ``AyeTellers``, ``NoTellers`` of
``RecordedMember``; PascalCase). Lords: ``/data/Divisions/search`` (``SearchTerm``,
``StartDate``, ``EndDate``, ``skip``, ``take``; a bare ``DivisionViewModel[]``)
and ``/data/Divisions/{id}`` (``contents``, ``notContents``, ``contentTellers``,
``notContentTellers`` of ``MemberViewModel``; camelCase).

Neither search returns a total, so paging goes on until a short page.
Commons and Lords division ids are separate id spaces: the tracker's
``division_id`` is ``"commons-<id>"`` or ``"lords-<id>"``.
"""
import re

from scrapers.errors import TrackerError
from scrapers.http import base_url

COMMONS = "Commons Votes API"
LORDS = "Lords Votes API"
PAGE_SIZE = 25  # both services' default


# -- URLs ----------------------------------------------------------------------

def commons_search_url():
    return f"{base_url('commonsvotes')}/data/divisions.json/search"


def commons_division_url(division_id):
    return f"{base_url('commonsvotes')}/data/division/{division_id}.json"


def lords_search_url():
    return f"{base_url('lordsvotes')}/data/Divisions/search"


def lords_division_url(division_id):
    return f"{base_url('lordsvotes')}/data/Divisions/{division_id}"


def division_key(house, api_id):
    return f"{house.lower()}-{api_id}"


# -- fetch ---------------------------------------------------------------------

def _search(client, url, params, source, skip, take):
    found = []
    offset = 0
    while True:
        page_params = dict(params)
        page_params[skip] = offset
        page_params[take] = PAGE_SIZE
        data, response = client.get_json(url, page_params, source=source)
        if not isinstance(data, list):
            raise TrackerError("malformed search page: not a list", source=source, url=response.url)
        found.extend((item, response) for item in data)
        offset += len(data)
        if len(data) < PAGE_SIZE:
            return found


def search_commons(client, term, start_date=None, end_date=None):
    """Every Commons ``PublishedDivision`` whose title contains ``term`` in the date range."""
    params = {"queryParameters.searchTerm": term}
    if start_date:
        params["queryParameters.startDate"] = start_date
    if end_date:
        params["queryParameters.endDate"] = end_date
    return _search(client, commons_search_url(), params, COMMONS, "queryParameters.skip", "queryParameters.take")


def search_lords(client, term, start_date=None, end_date=None):
    """Every Lords ``DivisionViewModel`` whose title contains ``term`` in the date range."""
    params = {"SearchTerm": term}
    if start_date:
        params["StartDate"] = start_date
    if end_date:
        params["EndDate"] = end_date
    return _search(client, lords_search_url(), params, LORDS, "skip", "take")


def fetch_commons_division(client, division_id):
    data, response = client.get_json(commons_division_url(division_id), source=COMMONS)
    if not isinstance(data, dict) or data.get("DivisionId") is None:
        raise TrackerError("malformed response: no DivisionId", source=COMMONS, url=response.url, record=division_id)
    return data, response


def fetch_lords_division(client, division_id):
    data, response = client.get_json(lords_division_url(division_id), source=LORDS)
    if not isinstance(data, dict) or data.get("divisionId") is None:
        raise TrackerError("malformed response: no divisionId", source=LORDS, url=response.url, record=division_id)
    return data, response


# -- parse ---------------------------------------------------------------------

def _date(value):
    return value[:10] if value else None


def _votes(division_key_, groups):
    """``[(members, vote, is_teller)]`` to ``division_votes`` rows (a teller listed twice counts once)."""
    votes = {}
    for members, vote, is_teller, member_key in groups:
        for member in members or []:
            member_id = member.get(member_key)
            if not member_id:
                continue
            row = votes.get(member_id)
            if row is None:
                votes[member_id] = {
                    "division_id": division_key_,
                    "member_id": member_id,
                    "vote": vote,
                    "is_teller": int(is_teller),
                    "proxy_name": member.get("ProxyName") or None,
                }
            elif is_teller:
                row["is_teller"] = 1
    return list(votes.values())


def parse_commons_division(data, source_url):
    """A ``PublishedDivision`` to ``(divisions row, division_votes rows, member rows)``."""
    key = division_key("Commons", data["DivisionId"])
    groups = [
        (data.get("Ayes"), "aye", False, "MemberId"),
        (data.get("Noes"), "no", False, "MemberId"),
        (data.get("AyeTellers"), "aye", True, "MemberId"),
        (data.get("NoTellers"), "no", True, "MemberId"),
    ]
    members = {}
    for group, _, _, _ in groups:
        for m in group or []:
            if m.get("MemberId"):
                members[m["MemberId"]] = {
                    "member_id": m["MemberId"], "name": m.get("Name"), "party": m.get("Party"), "house": "Commons",
                    "constituency": m.get("MemberFrom"), "name_list_as": m.get("ListAs"), "source_url": None,
                }
    row = {
        "division_id": key,
        "api_division_id": data["DivisionId"],
        "house": "Commons",
        "number": data.get("Number"),
        "date": _date(data.get("Date")),
        "title": data.get("Title"),
        "aye_count": data.get("AyeCount"),
        "no_count": data.get("NoCount"),
        "notes": data.get("FriendlyDescription") or None,
        "source_url": source_url,
    }
    return row, _votes(key, groups), list(members.values())


def parse_lords_division(data, source_url):
    """A ``DivisionViewModel`` to ``(divisions row, division_votes rows, member rows)``."""
    key = division_key("Lords", data["divisionId"])
    groups = [
        (data.get("contents"), "content", False, "memberId"),
        (data.get("notContents"), "not-content", False, "memberId"),
        (data.get("contentTellers"), "content", True, "memberId"),
        (data.get("notContentTellers"), "not-content", True, "memberId"),
    ]
    members = {}
    for group, _, _, _ in groups:
        for m in group or []:
            if m.get("memberId"):
                members[m["memberId"]] = {
                    "member_id": m["memberId"], "name": m.get("name"), "party": m.get("party"), "house": "Lords",
                    "constituency": None, "name_list_as": m.get("listAs"), "source_url": None,
                }
    votes = _votes(key, groups)

    def count(name, vote):
        value = data.get(name)
        if value is None:
            value = data.get("authoritative" + name[0].upper() + name[1:])
        if value is None:  # the 2022 contract has no totals: count the names (tellers vote in the Lords)
            value = sum(1 for v in votes if v["vote"] == vote)
        return value

    notes = " ".join(filter(None, [data.get("amendmentMotionNotes"), data.get("notes")])) or None
    row = {
        "division_id": key,
        "api_division_id": data["divisionId"],
        "house": "Lords",
        "number": data.get("number"),
        "date": _date(data.get("date")),
        "title": data.get("title"),
        "aye_count": count("contentCount", "content"),
        "no_count": count("notContentCount", "not-content"),
        "notes": notes,
        "source_url": source_url,
    }
    return row, votes, list(members.values())


# -- what a division is on -------------------------------------------------------

_TARGETS = [
    (re.compile(r"\bnew\s+clause\s+(\d+)\b", re.IGNORECASE), "new clause"),
    (re.compile(r"\bnew\s+schedule\s+(\d+)\b", re.IGNORECASE), "new schedule"),
    (re.compile(r"\b[Mm]otion\s+(\d+[A-Z]{0,2}|[A-Z]\d{0,2})\b"), "motion"),
    (re.compile(r"\b(?:(?:lords|commons|government)\s+)?amendments?\s+(\d+[A-Za-z]{0,2}(?:\s*(?:,|and|to|&)\s*\d+[A-Za-z]{0,2})*)\b", re.IGNORECASE), "amendment"),
]


def division_target(title, notes=None):
    """What a division is on, from its title (or, failing that, the Lords' notes):
    ``(kind, number, reference)`` or None when it names no single amendment or motion.

    "Procurement Bill [Lords]: Report Stage: New Clause 1" -> ("new clause", "NC1", ...);
    "Motion 47A" -> ("motion", "47A", ...); "... Amendment 5" -> ("amendment", "5", ...).
    A title naming several ("Amendments 29 and 33") gives None: never a guess.
    """
    for text in (title, notes):
        if not text:
            continue
        hits = []
        for pattern, kind in _TARGETS:
            for match in pattern.finditer(text):
                numbers = re.findall(r"\d+[A-Za-z]{0,2}", match.group(1)) or [match.group(1)]
                if len(numbers) > 1:
                    hits.append((kind, "several", match.group(0)))
                    continue
                number = match.group(1).upper()
                if kind == "new clause":
                    number = f"NC{number}"
                elif kind == "new schedule":
                    number = f"NS{number}"
                hit = (kind, number)
                if hit not in [(h[0], h[1]) for h in hits]:
                    hits.append((kind, number, match.group(0)))
        # A motion "on Lords Amendment 47A" names both: the motion (when numbered) is the target.
        motions = [h for h in hits if h[0] == "motion"]
        if len(motions) == 1:
            return motions[0]
        if len(hits) == 1:
            return hits[0]
        if hits:
            return None
    return None
