"""The member gazetteer: name variants, seats and offices, and how a match is resolved.

Built from ``members`` and ``member_names`` rows when the pipeline is built. A
surface form may fit several members; the linker resolves it by the text's date
(who was a member, who held a seat or an office, which names were valid) and
House, and leaves it unlinked when more than one member still fits: never a guess.
"""
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from nlp.matcher import surface_key
from tracker.vocab import House, NameKind

_HONORIFIC = re.compile(r"^(?:the\s+)?(?:(?:rt\.?|right)\s+hon\.?\s+)?(sir|dame|dr|mr|mrs|ms|miss|professor|prof)\.?\s+", re.I)
_PEER = re.compile(r"^(?:the\s+)?(Lord|Baroness|Viscountess|Viscount|Countess|Earl|Marquess|Marchioness|Duke|Duchess|Lady)\s+(.+)$", re.I)
_BISHOP = re.compile(r"^(?:the\s+)?(?:lord\s+)?(bishop|archbishop)\s+of\s+(.+)$", re.I)
_POSTNOMINALS = re.compile(r"(?:\s+(?:[A-Z]{2,6}|MP|QC|KC|PC))+$")

# An office's holder: (member id, or None when the name is not one member's; from; to; the name as given).
OfficeHolder = tuple[int | None, str | None, str | None, str]

# Name forms not said aloud as they stand: a list form ("Fox, L.") and a full title ("The Lord
# Fox"; its leading "The" would make the longest match start in lower case mid-sentence and
# hide "Lord Fox" in "the Lord Fox said"). The member's display name covers both.
_UNSPOKEN_KINDS = (NameKind.LIST, NameKind.FULL_TITLE)


def day(value: object) -> str | None:
    """``2019-12-12T00:00:00`` -> ``2019-12-12``; None stays None."""
    if not value:
        return None
    return str(value)[:10]


class Candidate:
    """One member a surface form may stand for, with the dates it may do so."""

    __slots__ = ("member_id", "house", "start", "end", "valid_from", "valid_to", "name")

    def __init__(self, member_id: int, house: str | None, start: str | None, end: str | None,
                 valid_from: str | None = None, valid_to: str | None = None, name: str | None = None) -> None:
        self.member_id = member_id
        self.house = house
        self.start = start
        self.end = end
        self.valid_from = valid_from
        self.valid_to = valid_to
        self.name = name

    def sitting_on(self, date: str) -> bool:
        return (self.start is None or self.start <= date) and (self.end is None or date <= self.end)

    def name_valid_on(self, date: str) -> bool:
        return (self.valid_from is None or self.valid_from <= date) and (self.valid_to is None or date <= self.valid_to)

    def __repr__(self) -> str:
        return f"Candidate({self.member_id}, {self.house})"


def resolve(candidates: Sequence[Candidate], date: str | None = None, house: str | None = None, *, seat: bool = False) -> int | None:
    """The one member ``candidates`` leave after date and House, or None.

    For names: a name only one member bears links to them whatever the date (a
    former member may be mentioned); several bearers are narrowed to those sitting
    on the date, then to those in the text's House. For seats (``seat=True``) the
    date decides: the member sitting for the seat on that day; with no date, only
    a seat with a single known, current holder links.
    """
    if date:
        candidates = [c for c in candidates if c.name_valid_on(date)]
    ids = {c.member_id for c in candidates}
    if not ids:
        return None
    if seat:
        if date:
            sitting = {c.member_id for c in candidates if c.sitting_on(date)}
            return next(iter(sitting)) if len(sitting) == 1 else None
        current = {c.member_id for c in candidates if c.end is None}
        return next(iter(ids)) if len(ids) == 1 and current == ids else None
    if len(ids) == 1:
        return next(iter(ids))
    pool = candidates
    if date:
        sitting_now = [c for c in candidates if c.sitting_on(date)]
        if len({c.member_id for c in sitting_now}) == 1:
            return sitting_now[0].member_id
        pool = sitting_now or candidates
    if house:
        in_house = {c.member_id for c in pool if c.house == house}
        if len(in_house) == 1:
            return next(iter(in_house))
    return None


def _strip_honorific(name: str) -> tuple[str, str | None]:
    m = _HONORIFIC.match(name)
    return (name[m.end():], m.group(1).capitalize()) if m else (name, None)


def _honorifics(gender: str | None, own: str | None) -> list[str]:
    if own in ("Sir", "Dame"):
        base = ["Mr"] if own == "Sir" else ["Mrs", "Ms", "Miss"]
    elif gender == "M":
        base = ["Mr"]
    elif gender == "F":
        base = ["Mrs", "Ms", "Miss"]
    else:
        base = ["Mr", "Mrs", "Ms", "Miss"]
    if own in ("Dr", "Professor", "Prof"):
        base = base + ["Dr", "Professor"]
    return base


_RT_HON = re.compile(r"^(?:the\s+)?(?:rt\.?|right)\s+hon\.?\s+(?:the\s+)?", re.I)
_SEAT_ALIAS = re.compile(r"^Member for\s+(.+)$", re.I)


def name_surfaces(name: str | None, *, surname: str | None = None, gender: str | None = None,
                  given_variants: Mapping[str, Iterable[str]] | None = None) -> set[str]:
    """Surface forms of one name (display, former or alias), each with or without honorifics."""
    name = _POSTNOMINALS.sub("", _RT_HON.sub("", (name or "").strip()))
    if not name or "," in name:  # "Duncan Smith, Iain" is a list form, not said aloud
        return set()
    out = {name}
    bishop = _BISHOP.match(name)
    if bishop:
        see = bishop.group(2)
        return {f"Bishop of {see}", f"Lord Bishop of {see}", f"{bishop.group(1).capitalize()} of {see}"}
    peer = _PEER.match(name)
    if peer:
        title, rest = peer.group(1).capitalize(), peer.group(2)
        if rest.lower().startswith("of "):  # the Earl of Lytton
            out.add(f"{title} {rest}")
            out.add(f"Lord {rest[3:]}")
            return out
        out.add(f"{title} {rest}")
        short = re.split(r"\s+of\s+", rest, maxsplit=1)[0]
        for form in {rest, short}:
            out.add(f"{title} {form}")
            if title in ("Baroness", "Viscountess", "Countess"):
                out.add(f"Lady {form}")
            elif title in ("Viscount", "Earl", "Marquess"):
                out.add(f"Lord {form}")
        return out
    bare, own = _strip_honorific(name)
    parts = bare.split()
    if len(parts) < 2:  # "Sir Iain" (an address form) is kept as it is, never "Iain"
        return out
    out.add(bare)
    if surname is None:
        surname = parts[-1] if len(parts) > 1 else None
    given = bare[: -len(surname)].strip() if surname and bare.endswith(surname) and bare != surname else None
    fulls = {bare}
    if given and given_variants:
        first, _, middle = given.partition(" ")
        for variant in given_variants.get(first, ()):
            fulls.add(" ".join(p for p in (variant, middle, surname) if p))
    out |= fulls
    for hon in _honorifics(gender, own):
        for full in fulls:
            out.add(f"{hon} {full}")
        if surname:
            out.add(f"{hon} {surname}")
    if own in ("Sir", "Dame") and given:
        out.add(f"{own} {given.split()[0]}")
        for full in fulls:
            out.add(f"{own} {full}")
    if own in ("Dr", "Professor") and surname:
        out.add(f"{own} {surname}")
    return out


def _surname(member: Mapping[str, Any]) -> str | None:
    listed = member.get("name_list_as") or ""
    if "," in listed:
        return listed.split(",", 1)[0].strip()
    return None


def build_member_index(members: Iterable[Mapping[str, Any]], member_names: Iterable[Mapping[str, Any]] = (),
                       given_variants: Mapping[str, Iterable[str]] | None = None
                       ) -> tuple[dict[str, list[Candidate]], dict[str, list[Candidate]], dict[str, set[int]]]:
    """``(names, seats, by_name)`` from member rows (dicts with the ``members`` columns).

    ``names`` maps a surface key to candidates, ``seats`` maps a constituency key to
    the Commons members who sat for it, ``by_name`` maps the key of a full name
    (display or bare, no honorific variants) to member ids, for resolving office holders.
    """
    names: defaultdict[str, dict[tuple[int, str | None, str | None], Candidate]] = defaultdict(dict)
    seats: defaultdict[str, list[Candidate]] = defaultdict(list)
    by_name: defaultdict[str, set[int]] = defaultdict(set)
    extra: defaultdict[int, list[Mapping[str, Any]]] = defaultdict(list)
    for row in member_names:
        if row.get("kind") in _UNSPOKEN_KINDS:
            continue
        extra[row["member_id"]].append(row)
    for member in members:
        member_id = member["member_id"]
        house = House.of(member.get("house"))
        start, end = day(member.get("membership_start")), day(member.get("membership_end"))
        display = member.get("name_display_as") or member.get("name")
        gender = member.get("gender")
        surname = _surname(member) if house != House.LORDS else None

        def add(surface: str, valid_from: str | None = None, valid_to: str | None = None) -> None:
            k = surface_key(surface)
            if not k or len(k) < 3:
                return
            cand = Candidate(member_id, house, start, end, valid_from, valid_to, display)
            names[k].setdefault((member_id, valid_from, valid_to), cand)

        for source in {display, member.get("name")} - {None, ""}:
            for surface in name_surfaces(source, surname=surname, gender=gender, given_variants=given_variants):
                add(surface)
        if member.get("name_address_as"):
            add(_POSTNOMINALS.sub("", member["name_address_as"].strip()))
        for row in extra.get(member_id, ()):
            vf, vt = day(row.get("start_date")), day(row.get("end_date"))
            seat = _SEAT_ALIAS.match(row["name"])
            if seat:  # "Member for Gedling" 1997-2019: a past (or present) Commons seat
                seats[surface_key(seat.group(1))].append(Candidate(member_id, House.COMMONS, vf, vt, name=display))
                continue
            for surface in name_surfaces(row["name"], gender=gender, given_variants=given_variants):
                add(surface, vf, vt)
        for source in filter(None, {display, member.get("name")}):
            by_name[surface_key(source)].add(member_id)
            by_name[surface_key(_strip_honorific(source)[0])].add(member_id)
        if house == House.COMMONS and member.get("constituency"):
            seats[surface_key(member["constituency"])].append(Candidate(member_id, house, start, end, name=display))
    return {k: list(v.values()) for k, v in names.items()}, dict(seats), dict(by_name)


def resolve_offices(offices: Iterable[Mapping[str, Any]], by_name: Mapping[str, set[int]]) -> dict[str, list[OfficeHolder]]:
    """Office id -> ``[(member_id or None, from, to, holder name)]`` from ``offices.jsonl`` records."""
    out = {}
    for office in offices:
        holders = []
        for holder in office["holders"]:
            ids = by_name.get(surface_key(holder["name"]), set())
            member_id = next(iter(ids)) if len(ids) == 1 else None
            holders.append((member_id, holder.get("from"), holder.get("to"), holder["name"]))
        out[office["office_id"]] = holders
    return out


def office_holder(holders: Iterable[OfficeHolder], date: str | None) -> int | None:
    """The member id holding an office on ``date`` (``to`` exclusive), or None."""
    if not date:
        return None
    found = [h for h in holders if (h[1] is None or h[1] <= date) and (h[2] is None or date < h[2])]
    if len(found) == 1:
        return found[0][0]
    return None
