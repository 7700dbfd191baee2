"""The Members API (``/api/Members``): MPs and peers, their names and memberships.

Paths used: ``/api/Members/Search`` (``MemberMembersServiceSearchResult``, paged
with lowercase ``skip``/``take``, at most 20 a page), ``/api/Members/{id}``
(``MemberItem``) and ``/api/Members/History?ids=...`` (``MemberHistoryItem[]``:
every name, party and House membership with dates). ``house`` is an integer
there: 1 = Commons, 2 = Lords.
"""
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, ClassVar

from scrapers.errors import TrackerError
from scrapers.http import HttpClient, Response, base_url
from scrapers.records import Record, Row
from scrapers.values import JSON, date, day, obj, objs, record, required, string
from tracker.vocab import House, NameKind

SOURCE = "Members API"
PAGE_SIZE = 20  # the API's maximum
HISTORY_BATCH = 20
HOUSES = {house.api_id: house for house in House}  # the API's integers for the Houses


# -- URLs ----------------------------------------------------------------------

def members_url(tail: str = "") -> str:
    """``/api/Members`` plus ``tail`` ("/Search", "/History", "/{id}") on the configured root."""
    return f"{base_url('members')}/api/Members{tail}"


# -- fetch ---------------------------------------------------------------------

def fetch_current_members(client: HttpClient, house: int) -> Iterator[tuple[list[Any], Response]]:
    """Yield ``(MemberItem list, response)`` per page of the current members of ``house`` (1 or 2)."""
    params = {"House": house, "IsCurrentMember": "true"}
    yield from client.get_paged(members_url("/Search"), params, source=SOURCE, skip="skip", take="take", page_size=PAGE_SIZE)


def fetch_member(client: HttpClient, member_id: int) -> tuple[JSON, Response]:
    """``GET /api/Members/{id}``: ``(Member, response)``."""
    data, response = client.get_json(members_url(f"/{member_id}"), source=SOURCE)
    value = data.get("value") if isinstance(data, dict) else None
    if not isinstance(value, dict) or value.get("id") is None:
        raise TrackerError("malformed response: no member 'value'", source=SOURCE, url=response.url, record=member_id)
    return value, response


def fetch_histories(client: HttpClient, member_ids: Iterable[int]) -> list[tuple[JSON, Response]]:
    """``GET /api/Members/History?ids=..`` in batches: ``[(MemberHistory, response)]``."""
    out: list[tuple[JSON, Response]] = []
    ids = list(member_ids)
    for start in range(0, len(ids), HISTORY_BATCH):
        batch = ids[start : start + HISTORY_BATCH]
        data, response = client.get_json(members_url("/History"), {"ids": batch}, source=SOURCE)
        if not isinstance(data, list):
            raise TrackerError("malformed response: not a list", source=SOURCE, url=response.url)
        out.extend((value, response) for value in search_values(data))
    return out


# -- parse ---------------------------------------------------------------------

@dataclass(frozen=True)
class Member(Record):
    """A ``members`` row from the Members API's own ``Member``."""

    TABLE: ClassVar[str] = "members"
    member_id: int
    name: str | None
    party: str | None
    house: str | None
    constituency: str | None
    name_display_as: str | None
    name_list_as: str | None
    name_full_title: str | None
    name_address_as: str | None
    membership_start: str | None
    membership_end: str | None
    is_current: int
    gender: str | None
    thumbnail_url: str | None
    source_url: str | None


@dataclass(frozen=True)
class MemberName(Record):
    """A ``member_names`` row (without its ``id``): one form of a member's name, dated when known."""

    TABLE: ClassVar[str] = "member_names"
    member_id: int
    name: str
    kind: str
    start_date: str | None
    end_date: str | None


@dataclass(frozen=True)
class MemberReference(Record):
    """A member as another API names them (a sponsor, a voter, an asker): a thin ``members`` row
    whose ``source_url`` stays None until the Members API's own record replaces it."""

    TABLE: ClassVar[str] = "members"
    member_id: int
    name: str | None
    party: str | None
    house: str | None
    constituency: str | None
    name_list_as: str | None
    thumbnail_url: str | None = None
    source_url: None = None

    def row(self) -> Row:
        row = super().row()
        if not self.thumbnail_url:  # a reference without a photo says nothing about it
            del row["thumbnail_url"]
        return row


def search_values(data: object) -> list[JSON]:
    """The ``Member`` objects of one ``MemberMembersServiceSearchResult`` page, or of a list of
    ``MemberItem``/``MemberHistoryItem`` (each ``{value, links}``); items without an id are skipped."""
    items = data.get("items") if isinstance(data, dict) else data
    if not isinstance(items, list):
        return []
    return [item["value"] for item in items if isinstance(item, dict) and isinstance(item.get("value"), dict)
            and item["value"].get("id") is not None]


def is_current(value: JSON) -> bool:
    """Whether a ``Member`` sits now: an active latest membership that has not ended."""
    membership = obj(value, "latestHouseMembership")
    status = obj(membership, "membershipStatus")
    return bool(status.get("statusIsActive")) and not membership.get("membershipEndDate")


def parse_member(value: JSON, source_url: str | None) -> Member:
    """A ``Member`` to a full ``members`` row."""
    value = record(value, "Member")
    membership = obj(value, "latestHouseMembership")
    house = House.of(membership.get("house"))
    party = obj(value, "latestParty")
    return Member(
        member_id=required(value, "id"),
        name=value.get("nameDisplayAs"),
        party=party.get("name"),
        house=house,
        constituency=membership.get("membershipFrom") if house == House.COMMONS else None,
        name_display_as=value.get("nameDisplayAs"),
        name_list_as=value.get("nameListAs"),
        name_full_title=value.get("nameFullTitle"),
        name_address_as=value.get("nameAddressAs"),
        membership_start=date(membership, "membershipStartDate"),
        membership_end=date(membership, "membershipEndDate"),
        is_current=int(is_current(value)),
        gender=value.get("gender"),
        thumbnail_url=value.get("thumbnailUrl"),
        source_url=source_url,
    )


NAME_KINDS = (
    ("nameDisplayAs", NameKind.DISPLAY),
    ("nameListAs", NameKind.LIST),
    ("nameFullTitle", NameKind.FULL_TITLE),
    ("nameAddressAs", NameKind.ADDRESS_AS),
)


def _forename_surname(list_as: str | None) -> str | None:
    """``"Duncan Smith, Iain"`` -> ``"Iain Duncan Smith"``; None for peers' ``"Blencathra, L."``."""
    if not list_as or "," not in list_as:
        return None
    surname, _, forenames = list_as.partition(",")
    forenames = forenames.strip()
    if not forenames or re.fullmatch(r"[A-Z]\.?( [A-Z]\.?)*", forenames):
        return None
    return f"{forenames} {surname.strip()}"


def parse_member_names(value: JSON, history: JSON | None = None) -> list[MemberName]:
    """Every name form of a member as ``member_names`` rows (without ``id``).

    From a ``Member``: its display, list, full-title and address-as forms, and
    the plain "Forename Surname" of an MP's list form as an alias. From its
    ``MemberHistory`` (when given): each earlier name (kind ``former``) with
    its dates, the current forms dated from when they began, and "Member for
    <constituency>" aliases dated by each Commons membership.
    """
    value = record(value, "Member")
    member_id = required(value, "id")
    rows: dict[tuple[str, str], dict[str, Any]] = {}

    def add(name: str | None, kind: str, start: object = None, end: object = None) -> None:
        if not name:
            return
        name = " ".join(name.split())
        first, last = day(start), day(end)
        key = (name, kind)
        row = rows.get(key)
        if row is None:
            rows[key] = {"member_id": member_id, "name": name, "kind": kind, "start_date": first, "end_date": last}
        else:
            if first and (row["start_date"] is None or first < row["start_date"]):
                row["start_date"] = first
            if last and (row["end_date"] is None or last > row["end_date"]):
                row["end_date"] = last

    current_names = set()
    for key, kind in NAME_KINDS:
        add(string(value, key), kind)
        current_names.add(value.get(key))
    membership = obj(value, "latestHouseMembership")
    if House.of(membership.get("house")) == House.COMMONS:
        add(_forename_surname(value.get("nameListAs")), NameKind.ALIAS)
    if history is not None:
        history = record(history, "MemberHistory")
    if history:
        for entry in sorted(objs(history, "nameHistory"), key=lambda n: string(n, "startDate") or ""):
            start, end = string(entry, "startDate"), string(entry, "endDate")
            for key, kind in NAME_KINDS:
                name = string(entry, key)
                if not name:
                    continue
                if end is None and name in current_names:
                    add(name, kind, start, None)
                elif name not in current_names:
                    add(name, NameKind.ALIAS if end is None else NameKind.FORMER, start, end)
            alias = _forename_surname(entry.get("nameListAs"))
            if alias and alias not in current_names:
                add(alias, NameKind.ALIAS if end is None else NameKind.FORMER, start, end)
        for held in objs(history, "houseMembershipHistory"):
            if House.of(held.get("house")) == House.COMMONS and held.get("membershipFrom"):
                add(f"Member for {held['membershipFrom']}", NameKind.ALIAS, held.get("membershipStartDate"), held.get("membershipEndDate"))
    return [MemberName(**row) for row in rows.values()]


def member_reference(member_id: int, name: str | None = None, party: str | None = None, house: str | None = None,
                     member_from: str | None = None, list_as: str | None = None, thumbnail_url: str | None = None) -> MemberReference:
    """A member named in another API's record; ``member_from`` is a seat only in the Commons."""
    return MemberReference(member_id, name, party, house, member_from if house == House.COMMONS else None, list_as, thumbnail_url)
