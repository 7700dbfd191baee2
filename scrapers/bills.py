"""The Bills API (``/api/v1``): fetch (paging) and parse (pure functions) kept apart.

Parsers take one response's decoded JSON and its ``source_url`` and return typed
records (:mod:`scrapers.records`) named for the tracker's tables; they never fetch
and never write.
"""
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from scrapers.errors import TrackerError, parsing
from scrapers.http import HttpClient, Response, base_url
from scrapers.members import MemberReference, member_reference
from scrapers.records import BESIDE, JSON_LIST, Record, Row
from scrapers.text import html_to_text
from scrapers.values import JSON, date, flag, integer, obj, objs, record, required, string, strings

SOURCE = "Bills API"
PAGE_SIZE = 20


# -- URLs ----------------------------------------------------------------------

def bills_url() -> str:
    return f"{base_url('bills')}/api/v1/Bills"


def bill_url(bill_id: int) -> str:
    return f"{bills_url()}/{bill_id}"


def stages_url(bill_id: int) -> str:
    return f"{bill_url(bill_id)}/Stages"


def stage_url(bill_id: int, bill_stage_id: int) -> str:
    return f"{stages_url(bill_id)}/{bill_stage_id}"


def amendments_url(bill_id: int, bill_stage_id: int) -> str:
    return f"{stages_url(bill_id)}/{bill_stage_id}/Amendments"


def amendment_url(bill_id: int, bill_stage_id: int, amendment_id: int) -> str:
    return f"{amendments_url(bill_id, bill_stage_id)}/{amendment_id}"


def pingpong_url(bill_id: int, bill_stage_id: int) -> str:
    return f"{stages_url(bill_id)}/{bill_stage_id}/PingPongItems"


def pingpong_item_url(bill_id: int, bill_stage_id: int, item_id: int) -> str:
    return f"{pingpong_url(bill_id, bill_stage_id)}/{item_id}"


def public_bill_page(bill_id: int) -> str:
    """The bill's page on bills.parliament.uk (for people, not the API)."""
    return f"https://bills.parliament.uk/bills/{bill_id}"


# -- fetch ---------------------------------------------------------------------

def search_bills(client: HttpClient, term: str) -> list[tuple[JSON, Response]]:
    """Every bill whose title matches ``term``: ``[(BillSummary, response)]``."""
    found: list[tuple[JSON, Response]] = []
    for items, response in client.get_paged(bills_url(), {"SearchTerm": term}, source=SOURCE, page_size=PAGE_SIZE):
        found.extend((item, response) for item in items)
    return found


def fetch_bill(client: HttpClient, bill_id: int) -> tuple[JSON, Response]:
    """``GET /api/v1/Bills/{billId}``: ``(Bill, response)``."""
    data, response = client.get_json(bill_url(bill_id), source=SOURCE)
    _require(data, "billId", response.url)
    return data, response


def fetch_stages(client: HttpClient, bill_id: int) -> list[tuple[JSON, Response]]:
    """All of a bill's stages, every page: ``[(StageSummary, response)]``."""
    stages: list[tuple[JSON, Response]] = []
    for items, response in client.get_paged(stages_url(bill_id), source=SOURCE, page_size=PAGE_SIZE):
        stages.extend((item, response) for item in items)
    return stages


def _fetch_listed_details(client: HttpClient, list_url: str, item_id: Callable[[JSON], Any], detail_url: Callable[[Any], str],
                          what: str) -> list[tuple[JSON, JSON, Response]]:
    """Every page of a list, then each listed item's detail: ``[(item, detail, detail response)]``."""
    listed: list[tuple[Any, str]] = []
    for items, page in client.get_paged(list_url, source=SOURCE, page_size=PAGE_SIZE):
        listed.extend((item, page.url) for item in items)
    out: list[tuple[JSON, JSON, Response]] = []
    for item, page_url in listed:
        with parsing(SOURCE, page_url, record=f"listed {what}"):
            item = record(item, what)
            identifier = item_id(item)
        if identifier is None:
            raise TrackerError(f"{what} without an id", source=SOURCE, url=list_url)
        detail, response = client.get_json(detail_url(identifier), source=SOURCE)
        if not isinstance(detail, dict):
            raise TrackerError(f"malformed {what} detail", source=SOURCE, url=response.url, record=identifier)
        out.append((item, detail, response))
    return out


def fetch_amendments(client: HttpClient, bill_id: int, bill_stage_id: int) -> list[tuple[JSON, JSON, Response]]:
    """A stage's amendments with their details: ``[(AmendmentSearchItem, AmendmentDetail, detail response)]``."""
    return _fetch_listed_details(
        client,
        amendments_url(bill_id, bill_stage_id),
        lambda item: item.get("amendmentId"),
        lambda amendment_id: amendment_url(bill_id, bill_stage_id, amendment_id),
        "amendment",
    )


def fetch_pingpong(client: HttpClient, bill_id: int, bill_stage_id: int) -> list[tuple[JSON, JSON, Response]]:
    """A stage's ping-pong items with their details: ``[(summary, detail, detail response)]``."""
    return _fetch_listed_details(
        client,
        pingpong_url(bill_id, bill_stage_id),
        lambda item: _pingpong_part(item).get("id"),
        lambda item_id: pingpong_item_url(bill_id, bill_stage_id, item_id),
        "ping-pong item",
    )


def stage_has_pingpong(stage_row: Mapping[str, Any]) -> bool:
    """Ping-pong items belong to the consideration stages between the Houses."""
    return (stage_row.get("description") or "").lower().startswith("consideration of")


def _require(data: object, key: str, url: str) -> None:
    if not isinstance(data, dict) or data.get(key) is None:
        raise TrackerError(f"malformed response: no '{key}'", source=SOURCE, url=url)


# -- parse ---------------------------------------------------------------------

@dataclass(frozen=True)
class Bill(Record):
    """A ``bills`` row from a ``Bill`` (or a ``BillSummary``)."""

    TABLE: ClassVar[str] = "bills"
    bill_id: int
    short_title: str | None
    former_short_title: str | None
    long_title: str | None
    summary: str | None
    current_house: str | None
    originating_house: str | None
    current_stage: str | None
    is_act: int | None
    is_defeated: int | None
    withdrawn: str | None
    bill_type_id: int | None
    last_update: str | None
    session_id: int | None
    source_url: str | None


@dataclass(frozen=True)
class BillStage(Record):
    """A ``bill_stages`` row from a ``StageSummary``, its sitting days kept as a JSON list."""

    TABLE: ClassVar[str] = "bill_stages"
    bill_stage_id: int
    bill_id: int
    stage_id: int | None
    description: str | None
    abbreviation: str | None
    house: str | None
    sort_order: int | None
    session_id: int | None
    first_sitting: str | None
    last_sitting: str | None
    sittings: tuple[str, ...] = field(metadata=JSON_LIST)
    source_url: str | None


@dataclass(frozen=True)
class Sponsor(Record):
    """One sponsor of an amendment or ping-pong item: its link row, without the owner's id."""

    member_id: int
    is_lead: int | None
    sort_order: int | None


@dataclass(frozen=True)
class Sponsored(Record):
    """A record with sponsors: the member references and link rows written beside it."""

    LINK_TABLE: ClassVar[str]  # where the sponsor links go
    OWNER: ClassVar[str]  # the link table's column naming the record
    sponsor_links: tuple[Sponsor, ...] = field(default=(), kw_only=True, metadata=BESIDE)
    members: tuple[MemberReference, ...] = field(default=(), kw_only=True, metadata=BESIDE)

    def sponsor_rows(self) -> list[Row]:
        """The sponsor link rows, each naming this record."""
        owner = getattr(self, self.OWNER)
        return [{**link.row(), self.OWNER: owner} for link in self.sponsor_links]


@dataclass(frozen=True)
class Amendment(Sponsored):
    """An ``amendments`` row with its sponsors (``amendment_sponsors`` rows and member references)."""

    TABLE: ClassVar[str] = "amendments"
    LINK_TABLE: ClassVar[str] = "amendment_sponsors"
    OWNER: ClassVar[str] = "amendment_id"
    amendment_id: int
    api_id: int | None
    bill_id: int | None
    bill_stage_id: int | None
    number: str | None
    d_num: str | None
    amendment_type: str | None
    decision: str | None
    decision_explanation: str | None
    status_indicator: str | None
    clause: int | None
    schedule: int | None
    page_number: int | None
    line_number: int | None
    amendment_position: str | None
    amendment_location: str | None
    main_header: str | None
    summary: str | None
    summary_html: str | None
    text: str | None
    text_html: str | None
    explanatory_text: str | None
    amendment_note: str | None
    sponsors: tuple[str | None, ...] = field(metadata=JSON_LIST)  # the sponsors' names, in order
    lead_sponsor_id: int | None
    source_url: str | None


@dataclass(frozen=True)
class PingpongItem(Sponsored):
    """A ``pingpong_items`` row (a motion or amendment between the Houses) with its sponsors."""

    TABLE: ClassVar[str] = "pingpong_items"
    LINK_TABLE: ClassVar[str] = "pingpong_sponsors"
    OWNER: ClassVar[str] = "pingpong_item_id"
    pingpong_item_id: int
    bill_id: int | None
    bill_stage_id: int | None
    type: str | None
    number: str | None
    decision: str | None
    decision_explanation: str | None
    status_indicator: str | None
    summary: str | None
    text: str | None
    text_html: str | None
    sponsors: tuple[str | None, ...] = field(metadata=JSON_LIST)
    lead_sponsor_id: int | None
    source_url: str | None


def parse_bill(data: JSON, source_url: str | None) -> Bill:
    """A ``Bill`` (or ``BillSummary``) to a ``bills`` row."""
    data = record(data, "Bill")
    stage = obj(data, "currentStage")
    return Bill(
        bill_id=required(data, "billId"),
        short_title=data.get("shortTitle"),
        former_short_title=data.get("formerShortTitle"),
        long_title=data.get("longTitle"),
        summary=html_to_text(string(data, "summary")),
        current_house=data.get("currentHouse"),
        originating_house=data.get("originatingHouse"),
        current_stage=stage.get("description"),
        is_act=flag(data, "isAct"),
        is_defeated=flag(data, "isDefeated"),
        withdrawn=data.get("billWithdrawn"),
        bill_type_id=data.get("billTypeId"),
        last_update=data.get("lastUpdate"),
        session_id=data.get("introducedSessionId"),
        source_url=source_url,
    )


def parse_bill_sponsors(data: JSON) -> list[MemberReference]:
    """The members among a bill's sponsors."""
    members = []
    for sponsor in objs(record(data, "Bill"), "sponsors"):
        member = obj(sponsor, "member")
        if member.get("memberId"):
            members.append(_sponsor_member(member))
    return members


def parse_stage(data: JSON, bill_id: int, source_url: str | None) -> BillStage:
    """A ``StageSummary`` to a ``bill_stages`` row (sittings kept as a JSON list of dates)."""
    data = record(data, "StageSummary")
    dates = sorted(filter(None, (date(sitting, "date") for sitting in objs(data, "stageSittings"))))
    return BillStage(
        bill_stage_id=required(data, "id"),
        bill_id=bill_id,
        stage_id=data.get("stageId"),
        description=data.get("description"),
        abbreviation=data.get("abbreviation"),
        house=data.get("house"),
        sort_order=data.get("sortOrder"),
        session_id=data.get("sessionId"),
        first_sitting=dates[0] if dates else None,
        last_sitting=dates[-1] if dates else None,
        sittings=tuple(dates),
        source_url=source_url,
    )


def _sponsor_member(member: JSON) -> MemberReference:
    """An ``AmendmentMember`` / ``Member`` reference (with a ``memberId``) to a member reference."""
    return member_reference(
        member["memberId"], name=member.get("name"), party=member.get("party"), house=member.get("house"),
        member_from=member.get("memberFrom"), thumbnail_url=member.get("memberPhoto"),
    )


@dataclass(frozen=True)
class _Sponsors:
    links: tuple[Sponsor, ...]
    members: tuple[MemberReference, ...]
    names: tuple[str | None, ...]

    @property
    def lead(self) -> int | None:
        """The lead sponsor's id, else the first sponsor's."""
        return next((s.member_id for s in self.links if s.is_lead), self.links[0].member_id if self.links else None)


def _sponsors(data: JSON) -> _Sponsors:
    """The ``sponsors`` of an amendment or item, in sort order (those without a ``memberId`` left out)."""
    ordered = sorted(objs(data, "sponsors"), key=lambda s: (integer(s, "sortOrder") or 0))
    links, members, names = [], [], []
    for position, sponsor in enumerate(ordered):
        if not sponsor.get("memberId"):
            continue
        links.append(Sponsor(sponsor["memberId"], flag(sponsor, "isLead"), sponsor.get("sortOrder", position)))
        members.append(_sponsor_member(sponsor))
        names.append(sponsor.get("name"))
    return _Sponsors(tuple(links), tuple(members), tuple(names))


def lines_to_text(lines: list[JSON]) -> tuple[str | None, str | None]:
    """``AmendmentLine`` list to ``(plain text, HTML keeping indentation)``."""
    plain, html = [], []
    for line in lines:
        if line.get("isImage"):
            continue
        raw = string(line, "text") or ""
        indent = line.get("indentation") or 0
        html.append(f'<p class="indent-{indent}">{raw}</p>')
        plain_line = html_to_text(raw)
        if plain_line:
            plain.append(plain_line)
    return ("\n".join(plain) or None), ("\n".join(html) or None)


def _present(data: JSON) -> dict[str, Any]:
    """The fields of ``data`` that are not null (a detail's fields win over a summary's only where present)."""
    return {k: v for k, v in data.items() if v is not None}


def parse_amendment(item: JSON, detail: JSON, source_url: str | None) -> Amendment:
    """An amendment's list item and detail to an ``amendments`` row with its sponsors.

    The list item carries ``summaryText``; the detail carries the text lines and
    explanatory text. Where both carry a field the detail wins.
    """
    detail = record(detail, "AmendmentDetail")
    merged = {**record(item, "AmendmentSearchItem"), **_present(detail)}
    summary_parts = strings(merged, "summaryText")
    lines_text, lines_html = lines_to_text(objs(detail, "amendmentLines"))
    sponsors = _sponsors(merged)
    explanatory = " ".join(filter(None, [string(merged, "explanatoryTextPrefix"), string(merged, "explanatoryText")]))
    return Amendment(
        amendment_id=required(merged, "amendmentId"),
        api_id=merged.get("id"),
        bill_id=merged.get("billId"),
        bill_stage_id=merged.get("billStageId"),
        number=merged.get("marshalledListText"),
        d_num=merged.get("dNum"),
        amendment_type=merged.get("amendmentType"),
        decision=merged.get("decision"),
        decision_explanation=html_to_text(string(merged, "decisionExplanation")),
        status_indicator=merged.get("statusIndicator"),
        clause=merged.get("clause"),
        schedule=merged.get("schedule"),
        page_number=merged.get("pageNumber"),
        line_number=merged.get("lineNumber"),
        amendment_position=merged.get("amendmentPosition"),
        amendment_location=merged.get("amendmentLocation"),
        main_header=html_to_text(string(merged, "mainHeader")),
        summary="\n".join(filter(None, (html_to_text(p) for p in summary_parts))) or None,
        summary_html="\n".join(summary_parts) or None,
        text=lines_text,
        text_html=lines_html,
        explanatory_text=html_to_text(explanatory or None),
        amendment_note=html_to_text(string(merged, "amendmentNote")),
        sponsors=sponsors.names,
        lead_sponsor_id=sponsors.lead,
        source_url=source_url,
        sponsor_links=sponsors.links,
        members=sponsors.members,
    )


def _pingpong_part(item: JSON) -> JSON:
    """The motion or amendment inside a ping-pong item, whichever its ``type`` says."""
    kind = (string(item, "type") or "").lower()
    part = obj(item, kind) if kind in ("motion", "amendment") else None
    return part or obj(item, "motion") or obj(item, "amendment")


def parse_pingpong_item(item: JSON, detail: JSON, source_url: str | None) -> PingpongItem:
    """A ping-pong item (motion or amendment between the Houses) to a ``pingpong_items`` row with its sponsors."""
    item, detail = record(item, "PingPongItem"), record(detail, "PingPongItem")
    part = {**_pingpong_part(item), **_present(_pingpong_part(detail))}
    groups = objs(part, "motionGroups") or objs(part, "amendmentGroups")
    lines = []
    for group in sorted(groups, key=lambda g: integer(g, "sortOrder") or 0):
        lines.extend(objs(group, "text"))
        for amendment in sorted(objs(group, "amendments"), key=lambda a: integer(a, "sortOrder") or 0):
            lines.extend(objs(amendment, "text"))
    lines_text, lines_html = lines_to_text(lines)
    sponsors = _sponsors(part)
    return PingpongItem(
        pingpong_item_id=required(part, "id"),
        bill_id=part.get("billId"),
        bill_stage_id=part.get("billStageId"),
        type=detail.get("type") or item.get("type") or part.get("type"),
        number=part.get("number"),
        decision=part.get("decision"),
        decision_explanation=html_to_text(string(part, "decisionExplanation")),
        status_indicator=part.get("statusIndicator"),
        summary=html_to_text(string(part, "summary")),
        text=lines_text,
        text_html=lines_html,
        sponsors=sponsors.names,
        lead_sponsor_id=sponsors.lead,
        source_url=source_url,
        sponsor_links=sponsors.links,
        members=sponsors.members,
    )
