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
from dataclasses import dataclass, field, replace
from typing import Any, ClassVar

from scrapers import references
from scrapers.errors import TrackerError
from scrapers.http import HttpClient, Response, base_url
from scrapers.members import MemberReference, member_reference
from scrapers.records import BESIDE, Record
from scrapers.values import JSON, date, integer, objs, record, required, string
from tracker.vocab import House

COMMONS = "Commons Votes API"
LORDS = "Lords Votes API"
PAGE_SIZE = 25  # both services' default


# -- URLs ----------------------------------------------------------------------

def commons_url(tail: str) -> str:
    """A Commons Votes path (``/data/divisions.json/search``, ``/data/division/{id}.json``) on its root."""
    return f"{base_url('commonsvotes')}{tail}"


def lords_url(tail: str) -> str:
    """A Lords Votes path (``/data/Divisions/search``, ``/data/Divisions/{id}``) on its root."""
    return f"{base_url('lordsvotes')}{tail}"


def division_key(house: str, api_id: object) -> str:
    """The tracker's ``division_id``: ``commons-1555``, ``lords-3002`` (the two services' ids are separate spaces)."""
    return f"{house.lower()}-{api_id}"


# -- fetch ---------------------------------------------------------------------

def _search(client: HttpClient, url: str, params: dict[str, Any], source: str, skip: str, take: str) -> list[tuple[JSON, Response]]:
    """Every item of a search answered by bare arrays (no envelope, no total): ``[(item, response)]``."""
    found: list[tuple[JSON, Response]] = []
    for items, response in client.get_paged(url, params, source=source, skip=skip, take=take, page_size=PAGE_SIZE, items_key=None):
        if not all(isinstance(item, dict) for item in items):
            raise TrackerError("malformed search page: not a list of divisions", source=source, url=response.url)
        found.extend((item, response) for item in items)
    return found


def _dated(params: dict[str, Any], names: tuple[str, str], start_date: str | None, end_date: str | None) -> dict[str, Any]:
    """``params`` with the date range under the service's own parameter names."""
    for name, value in zip(names, (start_date, end_date)):
        if value:
            params[name] = value
    return params


def search_commons(client: HttpClient, term: str, start_date: str | None = None, end_date: str | None = None) -> list[tuple[JSON, Response]]:
    """Every Commons ``PublishedDivision`` whose title contains ``term`` in the date range."""
    q = "queryParameters."
    params = _dated({q + "searchTerm": term}, (q + "startDate", q + "endDate"), start_date, end_date)
    return _search(client, commons_url("/data/divisions.json/search"), params, COMMONS, q + "skip", q + "take")


def search_lords(client: HttpClient, term: str, start_date: str | None = None, end_date: str | None = None) -> list[tuple[JSON, Response]]:
    """Every Lords ``DivisionViewModel`` whose title contains ``term`` in the date range."""
    params = _dated({"SearchTerm": term}, ("StartDate", "EndDate"), start_date, end_date)
    return _search(client, lords_url("/data/Divisions/search"), params, LORDS, "skip", "take")


def _fetch(client: HttpClient, url: str, source: str, id_key: str, division_id: int) -> tuple[JSON, Response]:
    data, response = client.get_json(url, source=source)
    if not isinstance(data, dict) or data.get(id_key) is None:
        raise TrackerError(f"malformed response: no {id_key}", source=source, url=response.url, record=division_id)
    return data, response


def fetch_commons_division(client: HttpClient, division_id: int) -> tuple[JSON, Response]:
    """``GET /data/division/{id}.json``: ``(PublishedDivision, response)``."""
    return _fetch(client, commons_url(f"/data/division/{division_id}.json"), COMMONS, "DivisionId", division_id)


def fetch_lords_division(client: HttpClient, division_id: int) -> tuple[JSON, Response]:
    """``GET /data/Divisions/{id}``: ``(DivisionViewModel, response)``."""
    return _fetch(client, lords_url(f"/data/Divisions/{division_id}"), LORDS, "divisionId", division_id)


# -- parse ---------------------------------------------------------------------

@dataclass(frozen=True)
class DivisionVote(Record):
    """A ``division_votes`` row: how one member voted, and whether as a teller."""

    TABLE: ClassVar[str] = "division_votes"
    division_id: str
    member_id: int
    vote: str  # aye/no (Commons), content/not-content (Lords)
    is_teller: int
    proxy_name: str | None  # RecordedMember.ProxyName (Commons); the Lords' MemberViewModel has none


@dataclass(frozen=True)
class Division(Record):
    """A ``divisions`` row with its votes and the members who cast them."""

    TABLE: ClassVar[str] = "divisions"
    division_id: str
    api_division_id: int
    house: str
    number: int | None
    date: str | None
    title: str | None
    source_url: str | None
    aye_count: int | None
    no_count: int | None
    notes: str | None
    votes: tuple[DivisionVote, ...] = field(default=(), kw_only=True, metadata=BESIDE)
    members: tuple[MemberReference, ...] = field(default=(), kw_only=True, metadata=BESIDE)


# The two services' names for the same things: PascalCase ``PublishedDivision`` and
# ``RecordedMember`` (Commons), camelCase ``DivisionViewModel`` and ``MemberViewModel`` (Lords).
_SHAPES: dict[House, dict[str, Any]] = {
    House.COMMONS: {
        "id": "DivisionId", "number": "Number", "date": "Date", "title": "Title",
        "member": ("MemberId", "Name", "Party", "MemberFrom", "ListAs"),
        "groups": (("Ayes", "aye", False), ("Noes", "no", False), ("AyeTellers", "aye", True), ("NoTellers", "no", True)),
    },
    House.LORDS: {
        "id": "divisionId", "number": "number", "date": "date", "title": "title",
        "member": ("memberId", "name", "party", "memberFrom", "listAs"),
        "groups": (("contents", "content", False), ("notContents", "not-content", False),
                   ("contentTellers", "content", True), ("notContentTellers", "not-content", True)),
    },
}


def _parse_division(data: JSON, source_url: str | None, house: House) -> Division:
    """The parts both services share: the division without its counts and notes, its votes and members.

    A member listed twice (a teller who is also in the lobby list) is one vote, a teller's.
    """
    shape = _SHAPES[house]
    id_key, name_key, party_key, from_key, list_key = shape["member"]
    api_id = required(data, shape["id"])
    key = division_key(house, api_id)
    votes: dict[int, DivisionVote] = {}
    members: dict[int, MemberReference] = {}
    for group, vote, is_teller in shape["groups"]:
        for member in objs(data, group):
            member_id = integer(member, id_key)
            if not member_id:
                continue
            members[member_id] = member_reference(member_id, member.get(name_key), member.get(party_key), house,
                                                  member.get(from_key), member.get(list_key))
            cast = votes.get(member_id)
            if cast is None:
                votes[member_id] = DivisionVote(key, member_id, vote, int(is_teller), member.get("ProxyName") or None)
            elif is_teller:
                votes[member_id] = replace(cast, is_teller=1)
    return Division(
        division_id=key,
        api_division_id=api_id,
        house=house,
        number=data.get(shape["number"]),
        date=date(data, shape["date"]),
        title=data.get(shape["title"]),
        source_url=source_url,
        aye_count=None,
        no_count=None,
        notes=None,
        votes=tuple(votes.values()),
        members=tuple(members.values()),
    )


def parse_commons_division(data: JSON, source_url: str | None) -> Division:
    """A ``PublishedDivision`` to a ``divisions`` row with its votes and members."""
    data = record(data, "PublishedDivision")
    division = _parse_division(data, source_url, House.COMMONS)
    return replace(division, aye_count=data.get("AyeCount"), no_count=data.get("NoCount"), notes=data.get("FriendlyDescription") or None)


def parse_lords_division(data: JSON, source_url: str | None) -> Division:
    """A ``DivisionViewModel`` to a ``divisions`` row with its votes and members."""
    data = record(data, "DivisionViewModel")
    division = _parse_division(data, source_url, House.LORDS)

    def count(name: str, vote: str) -> int | None:
        # contentCount/notContentCount and their authoritative* forms are not in the 2022 contract
        # (only tellerContentCount); later versions of the service send them, so they win where present.
        value = data.get(name)
        if value is None:
            value = data.get("authoritative" + name[0].upper() + name[1:])
        if value is None:  # no totals: count the names (tellers vote in the Lords)
            value = sum(1 for cast in division.votes if cast.vote == vote)
        return value

    return replace(
        division,
        aye_count=count("contentCount", "content"),
        no_count=count("notContentCount", "not-content"),
        notes=" ".join(filter(None, [string(data, "amendmentMotionNotes"), string(data, "notes")])) or None,
    )


# -- what a division is on -------------------------------------------------------

@dataclass(frozen=True)
class DivisionTarget:
    """The amendment or motion a division is on, as its title (or notes) names it."""

    kind: str  # amendment, new clause, new schedule or motion
    number: str | None  # as the Bills API numbers it; None when the words name several ("Amendments 29 and 33")
    reference: str  # the words naming it, as written


def division_target(title: str | None, notes: str | None = None) -> DivisionTarget | None:
    """What a division is on, from its title (or, failing that, the Lords' notes), read with
    the references grammar; None when it names nothing or more than one thing.

    "Procurement Bill [Lords]: Report Stage: New Clause 1" -> new clause NC1;
    "Motion 47A" -> motion 47A; "... Amendment 5" -> amendment 5. A phrase naming
    several ("Amendments 29 and 33") gives a target without a number: never a guess.
    """
    for text in (title, notes):
        phrases: dict[int, list[references.Reference]] = {}  # phrase_start -> the references of one phrase
        for reference in references.find_references(text):
            phrases.setdefault(reference.phrase_start, []).append(reference)
        hits: list[DivisionTarget] = []
        for named in phrases.values():
            numbers = list(dict.fromkeys(r.number for r in named))
            hit = DivisionTarget(named[0].kind, numbers[0] if len(numbers) == 1 else None, named[0].phrase)
            if hit.number is None or (hit.kind, hit.number) not in [(h.kind, h.number) for h in hits]:
                hits.append(hit)
        # A motion "on Lords Amendment 47A" names both: the motion (when numbered) is the target.
        motions = [h for h in hits if h.kind == references.MOTION]
        if len(motions) == 1:
            return motions[0]
        if len(hits) == 1:
            return hits[0]
        if hits:
            return None
    return None
