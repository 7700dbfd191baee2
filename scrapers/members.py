"""The Members API (``/api/Members``): MPs and peers, their names and memberships.

Paths used: ``/api/Members/Search`` (``MemberMembersServiceSearchResult``, paged
with lowercase ``skip``/``take``, at most 20 a page), ``/api/Members/{id}``
(``MemberItem``) and ``/api/Members/History?ids=...`` (``MemberHistoryItem[]``:
every name, party and House membership with dates). ``house`` is an integer
there: 1 = Commons, 2 = Lords.
"""
import re

from scrapers.errors import TrackerError
from scrapers.http import base_url
from tracker.vocab import NameKind

SOURCE = "Members API"
PAGE_SIZE = 20  # the API's maximum
HISTORY_BATCH = 20
HOUSES = {1: "Commons", 2: "Lords"}


# -- URLs ----------------------------------------------------------------------

def members_url(tail=""):
    """``/api/Members`` plus ``tail`` ("/Search", "/History", "/{id}") on the configured root."""
    return f"{base_url('members')}/api/Members{tail}"


# -- fetch ---------------------------------------------------------------------

def fetch_current_members(client, house):
    """Yield ``(MemberItem list, response)`` per page of the current members of ``house`` (1 or 2)."""
    params = {"House": house, "IsCurrentMember": "true"}
    yield from client.get_paged(members_url("/Search"), params, source=SOURCE, skip="skip", take="take", page_size=PAGE_SIZE)


def fetch_member(client, member_id):
    """``GET /api/Members/{id}``: ``(Member, response)``."""
    data, response = client.get_json(members_url(f"/{member_id}"), source=SOURCE)
    value = data.get("value") if isinstance(data, dict) else None
    if not isinstance(value, dict) or value.get("id") is None:
        raise TrackerError("malformed response: no member 'value'", source=SOURCE, url=response.url, record=member_id)
    return value, response


def fetch_histories(client, member_ids):
    """``GET /api/Members/History?ids=..`` in batches: ``[(MemberHistory, response)]``."""
    out = []
    ids = list(member_ids)
    for start in range(0, len(ids), HISTORY_BATCH):
        batch = ids[start : start + HISTORY_BATCH]
        data, response = client.get_json(members_url("/History"), {"ids": batch}, source=SOURCE)
        if not isinstance(data, list):
            raise TrackerError("malformed response: not a list", source=SOURCE, url=response.url)
        out.extend((value, response) for value in search_values(data))
    return out


# -- parse ---------------------------------------------------------------------

def search_values(data):
    """The ``Member`` objects of one ``MemberMembersServiceSearchResult`` page, or of a list of
    ``MemberItem``/``MemberHistoryItem`` (each ``{value, links}``); items without an id are skipped."""
    items = data.get("items") if isinstance(data, dict) else data
    return [item["value"] for item in items or [] if isinstance(item, dict) and isinstance(item.get("value"), dict)
            and item["value"].get("id") is not None]


def _date(value):
    return value[:10] if value else None


def house_name(value):
    """1/2 (or "Commons"/"Lords") to the House's name."""
    if isinstance(value, str):
        return value if value in ("Commons", "Lords") else HOUSES.get(int(value)) if value.isdigit() else value
    return HOUSES.get(value)


def is_current(value):
    """Whether a ``Member`` sits now: an active latest membership that has not ended."""
    membership = value.get("latestHouseMembership") or {}
    status = membership.get("membershipStatus") or {}
    return bool(status.get("statusIsActive")) and not membership.get("membershipEndDate")


def parse_member(value, source_url):
    """A ``Member`` to a full ``members`` row."""
    membership = value.get("latestHouseMembership") or {}
    house = house_name(membership.get("house"))
    party = value.get("latestParty") or {}
    return {
        "member_id": value["id"],
        "name": value.get("nameDisplayAs"),
        "party": party.get("name"),
        "house": house,
        "constituency": membership.get("membershipFrom") if house == "Commons" else None,
        "name_display_as": value.get("nameDisplayAs"),
        "name_list_as": value.get("nameListAs"),
        "name_full_title": value.get("nameFullTitle"),
        "name_address_as": value.get("nameAddressAs"),
        "membership_start": _date(membership.get("membershipStartDate")),
        "membership_end": _date(membership.get("membershipEndDate")),
        "is_current": int(is_current(value)),
        "gender": value.get("gender"),
        "thumbnail_url": value.get("thumbnailUrl"),
        "source_url": source_url,
    }


NAME_KINDS = (
    ("nameDisplayAs", NameKind.DISPLAY),
    ("nameListAs", NameKind.LIST),
    ("nameFullTitle", NameKind.FULL_TITLE),
    ("nameAddressAs", NameKind.ADDRESS_AS),
)


def _forename_surname(list_as):
    """``"Duncan Smith, Iain"`` -> ``"Iain Duncan Smith"``; None for peers' ``"Blencathra, L."``."""
    if not list_as or "," not in list_as:
        return None
    surname, _, forenames = list_as.partition(",")
    forenames = forenames.strip()
    if not forenames or re.fullmatch(r"[A-Z]\.?( [A-Z]\.?)*", forenames):
        return None
    return f"{forenames} {surname.strip()}"


def parse_member_names(value, history=None):
    """Every name form of a member as ``member_names`` rows (without ``id``).

    From a ``Member``: its display, list, full-title and address-as forms, and
    the plain "Forename Surname" of an MP's list form as an alias. From its
    ``MemberHistory`` (when given): each earlier name (kind ``former``) with
    its dates, the current forms dated from when they began, and "Member for
    <constituency>" aliases dated by each Commons membership.
    """
    member_id = value["id"]
    rows = {}

    def add(name, kind, start=None, end=None):
        if not name:
            return
        name = " ".join(name.split())
        key = (name, kind)
        row = rows.get(key)
        if row is None:
            rows[key] = {"member_id": member_id, "name": name, "kind": kind, "start_date": _date(start), "end_date": _date(end)}
        else:
            if start and (row["start_date"] is None or _date(start) < row["start_date"]):
                row["start_date"] = _date(start)
            if end and (row["end_date"] is None or _date(end) > row["end_date"]):
                row["end_date"] = _date(end)

    current_names = set()
    for key, kind in NAME_KINDS:
        add(value.get(key), kind)
        current_names.add(value.get(key))
    membership = value.get("latestHouseMembership") or {}
    if house_name(membership.get("house")) == "Commons":
        add(_forename_surname(value.get("nameListAs")), NameKind.ALIAS)
    if history:
        for entry in sorted(history.get("nameHistory") or [], key=lambda n: n.get("startDate") or ""):
            start, end = entry.get("startDate"), entry.get("endDate")
            for key, kind in NAME_KINDS:
                name = entry.get(key)
                if not name:
                    continue
                if end is None and name in current_names:
                    add(name, kind, start, None)
                elif name not in current_names:
                    add(name, NameKind.ALIAS if end is None else NameKind.FORMER, start, end)
            alias = _forename_surname(entry.get("nameListAs"))
            if alias and alias not in current_names:
                add(alias, NameKind.ALIAS if end is None else NameKind.FORMER, start, end)
        for held in history.get("houseMembershipHistory") or []:
            if house_name(held.get("house")) == "Commons" and held.get("membershipFrom"):
                add(f"Member for {held['membershipFrom']}", NameKind.ALIAS, held.get("membershipStartDate"), held.get("membershipEndDate"))
    return list(rows.values())


def member_from_recorded(member_id, name=None, party=None, house=None, member_from=None, list_as=None, thumbnail_url=None):
    """A thin ``members`` row from a reference in another API (a voter, an asker):
    ``source_url`` stays None until the Members API's own record replaces it."""
    row = {
        "member_id": member_id,
        "name": name,
        "party": party,
        "house": house,
        "constituency": member_from if house == "Commons" else None,
        "name_list_as": list_as,
        "source_url": None,
    }
    if thumbnail_url:
        row["thumbnail_url"] = thumbnail_url
    return row
