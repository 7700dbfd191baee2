"""The Bills API (``/api/v1``): fetch (paging) and parse (pure functions) kept apart.

Parsers take one response's decoded JSON and its ``source_url`` and return rows
named for the tracker's tables; they never fetch and never write.
"""
import json

from scrapers.errors import TrackerError
from scrapers.http import base_url
from scrapers.members import member_from_recorded
from scrapers.text import html_to_text

SOURCE = "Bills API"
PAGE_SIZE = 20


# -- URLs ----------------------------------------------------------------------

def bills_url():
    return f"{base_url('bills')}/api/v1/Bills"


def bill_url(bill_id):
    return f"{bills_url()}/{bill_id}"


def stages_url(bill_id):
    return f"{bill_url(bill_id)}/Stages"


def amendments_url(bill_id, bill_stage_id):
    return f"{stages_url(bill_id)}/{bill_stage_id}/Amendments"


def amendment_url(bill_id, bill_stage_id, amendment_id):
    return f"{amendments_url(bill_id, bill_stage_id)}/{amendment_id}"


def pingpong_url(bill_id, bill_stage_id):
    return f"{stages_url(bill_id)}/{bill_stage_id}/PingPongItems"


def pingpong_item_url(bill_id, bill_stage_id, item_id):
    return f"{pingpong_url(bill_id, bill_stage_id)}/{item_id}"


def public_bill_page(bill_id):
    """The bill's page on bills.parliament.uk (for people, not the API)."""
    return f"https://bills.parliament.uk/bills/{bill_id}"


# -- fetch ---------------------------------------------------------------------

def search_bills(client, term):
    """Every bill whose title matches ``term``: ``[(BillSummary, response)]``."""
    found = []
    for items, response in client.get_paged(bills_url(), {"SearchTerm": term}, source=SOURCE, page_size=PAGE_SIZE):
        found.extend((item, response) for item in items)
    return found


def fetch_bill(client, bill_id):
    """``GET /api/v1/Bills/{billId}``: ``(Bill, response)``."""
    data, response = client.get_json(bill_url(bill_id), source=SOURCE)
    _require(data, "billId", response.url)
    return data, response


def fetch_stages(client, bill_id):
    """All of a bill's stages, every page: ``[(StageSummary, response)]``."""
    stages = []
    for items, response in client.get_paged(stages_url(bill_id), source=SOURCE, page_size=PAGE_SIZE):
        stages.extend((item, response) for item in items)
    return stages


def _fetch_listed_details(client, list_url, item_id, detail_url, what):
    """Every page of a list, then each listed item's detail: ``[(item, detail, detail response)]``."""
    listed = []
    for items, _ in client.get_paged(list_url, source=SOURCE, page_size=PAGE_SIZE):
        listed.extend(items)
    out = []
    for item in listed:
        identifier = item_id(item)
        if identifier is None:
            raise TrackerError(f"{what} without an id", source=SOURCE, url=list_url)
        detail, response = client.get_json(detail_url(identifier), source=SOURCE)
        if not isinstance(detail, dict):
            raise TrackerError(f"malformed {what} detail", source=SOURCE, url=response.url, record=identifier)
        out.append((item, detail, response))
    return out


def fetch_amendments(client, bill_id, bill_stage_id):
    """A stage's amendments with their details: ``[(AmendmentSearchItem, AmendmentDetail, detail response)]``."""
    return _fetch_listed_details(
        client,
        amendments_url(bill_id, bill_stage_id),
        lambda item: item.get("amendmentId"),
        lambda amendment_id: amendment_url(bill_id, bill_stage_id, amendment_id),
        "amendment",
    )


def fetch_pingpong(client, bill_id, bill_stage_id):
    """A stage's ping-pong items with their details: ``[(summary, detail, detail response)]``."""
    return _fetch_listed_details(
        client,
        pingpong_url(bill_id, bill_stage_id),
        lambda item: _pingpong_part(item).get("id"),
        lambda item_id: pingpong_item_url(bill_id, bill_stage_id, item_id),
        "ping-pong item",
    )


def stage_has_pingpong(stage_row):
    """Ping-pong items belong to the consideration stages between the Houses."""
    return (stage_row.get("description") or "").lower().startswith("consideration of")


def _require(data, key, url):
    if not isinstance(data, dict) or data.get(key) is None:
        raise TrackerError(f"malformed response: no '{key}'", source=SOURCE, url=url)


# -- parse ---------------------------------------------------------------------

def parse_bill(data, source_url):
    """A ``Bill`` (or ``BillSummary``) to a ``bills`` row."""
    stage = data.get("currentStage") or {}
    return {
        "bill_id": data["billId"],
        "short_title": data.get("shortTitle"),
        "former_short_title": data.get("formerShortTitle"),
        "long_title": data.get("longTitle"),
        "summary": html_to_text(data.get("summary")),
        "current_house": data.get("currentHouse"),
        "originating_house": data.get("originatingHouse"),
        "current_stage": stage.get("description"),
        "is_act": _bool(data.get("isAct")),
        "is_defeated": _bool(data.get("isDefeated")),
        "withdrawn": data.get("billWithdrawn"),
        "bill_type_id": data.get("billTypeId"),
        "last_update": data.get("lastUpdate"),
        "session_id": data.get("introducedSessionId"),
        "source_url": source_url,
    }


def parse_bill_sponsors(data):
    """The members among a bill's sponsors, as ``members`` rows."""
    members = []
    for sponsor in data.get("sponsors") or []:
        member = sponsor.get("member")
        if member and member.get("memberId"):
            members.append(member_from_reference(member))
    return members


def parse_stage(data, bill_id, source_url):
    """A ``StageSummary`` to a ``bill_stages`` row (sittings kept as a JSON list of dates)."""
    dates = sorted(s["date"][:10] for s in data.get("stageSittings") or [] if s.get("date"))
    return {
        "bill_stage_id": data["id"],
        "bill_id": bill_id,
        "stage_id": data.get("stageId"),
        "description": data.get("description"),
        "abbreviation": data.get("abbreviation"),
        "house": data.get("house"),
        "sort_order": data.get("sortOrder"),
        "session_id": data.get("sessionId"),
        "first_sitting": dates[0] if dates else None,
        "last_sitting": dates[-1] if dates else None,
        "sittings": json.dumps(dates),
        "source_url": source_url,
    }


def member_from_reference(member):
    """An ``AmendmentMember`` / ``Member`` reference to a (thin) ``members`` row."""
    return member_from_recorded(
        member["memberId"], name=member.get("name"), party=member.get("party"), house=member.get("house"),
        member_from=member.get("memberFrom"), thumbnail_url=member.get("memberPhoto"),
    )


def parse_sponsors(sponsors):
    """Sponsor references to ``(link rows without owner, member rows, display names)``, in sort order."""
    ordered = sorted(sponsors or [], key=lambda s: (s.get("sortOrder") or 0))
    links, members, names = [], [], []
    for position, sponsor in enumerate(ordered):
        if not sponsor.get("memberId"):
            continue
        links.append(
            {"member_id": sponsor["memberId"], "is_lead": _bool(sponsor.get("isLead")), "sort_order": sponsor.get("sortOrder", position)}
        )
        members.append(member_from_reference(sponsor))
        names.append(sponsor.get("name"))
    return links, members, names


def lines_to_text(lines):
    """``AmendmentLine`` list to ``(plain text, HTML keeping indentation)``."""
    plain, html = [], []
    for line in lines or []:
        if line.get("isImage"):
            continue
        raw = line.get("text") or ""
        indent = line.get("indentation") or 0
        html.append(f'<p class="indent-{indent}">{raw}</p>')
        text = html_to_text(raw)
        if text:
            plain.append(text)
    return ("\n".join(plain) or None), ("\n".join(html) or None)


def parse_amendment(item, detail, source_url):
    """An amendment's list item and detail to ``(amendments row, sponsor links, member rows)``.

    The list item carries ``summaryText``; the detail carries the text lines and
    explanatory text. Where both carry a field the detail wins.
    """
    merged = {**item, **{k: v for k, v in detail.items() if v is not None}}
    summary_parts = merged.get("summaryText") or []
    summary_html = "\n".join(summary_parts) or None
    summary = "\n".join(filter(None, (html_to_text(p) for p in summary_parts))) or None
    text, text_html = lines_to_text(detail.get("amendmentLines"))
    links, members, names = parse_sponsors(merged.get("sponsors"))
    lead = next((l["member_id"] for l in links if l["is_lead"]), links[0]["member_id"] if links else None)
    amendment_id = merged["amendmentId"]
    for link in links:
        link["amendment_id"] = amendment_id
    explanatory = merged.get("explanatoryText")
    prefix = merged.get("explanatoryTextPrefix")
    row = {
        "amendment_id": amendment_id,
        "api_id": merged.get("id"),
        "bill_id": merged.get("billId"),
        "bill_stage_id": merged.get("billStageId"),
        "number": merged.get("marshalledListText"),
        "d_num": merged.get("dNum"),
        "amendment_type": merged.get("amendmentType"),
        "decision": merged.get("decision"),
        "decision_explanation": html_to_text(merged.get("decisionExplanation")),
        "status_indicator": merged.get("statusIndicator"),
        "clause": merged.get("clause"),
        "schedule": merged.get("schedule"),
        "page_number": merged.get("pageNumber"),
        "line_number": merged.get("lineNumber"),
        "amendment_position": merged.get("amendmentPosition"),
        "amendment_location": merged.get("amendmentLocation"),
        "main_header": html_to_text(merged.get("mainHeader")),
        "summary": summary,
        "summary_html": summary_html,
        "text": text,
        "text_html": text_html,
        "explanatory_text": html_to_text(" ".join(filter(None, [prefix, explanatory])) or None),
        "amendment_note": html_to_text(merged.get("amendmentNote")),
        "sponsors": json.dumps(names, ensure_ascii=False),
        "lead_sponsor_id": lead,
        "source_url": source_url,
    }
    return row, links, members


def _pingpong_part(item):
    """The motion or amendment inside a ping-pong item, whichever its ``type`` says."""
    kind = (item.get("type") or "").lower()
    part = item.get(kind) if kind in ("motion", "amendment") else None
    return part or item.get("motion") or item.get("amendment") or {}


def parse_pingpong_item(item, detail, source_url):
    """A ping-pong item (motion or amendment between the Houses) to ``(row, sponsor links, member rows)``."""
    summary = _pingpong_part(item)
    part = {**summary, **{k: v for k, v in _pingpong_part(detail).items() if v is not None}}
    groups = part.get("motionGroups") or part.get("amendmentGroups") or []
    lines = []
    for group in sorted(groups, key=lambda g: g.get("sortOrder") or 0):
        lines.extend(group.get("text") or [])
        for amendment in sorted(group.get("amendments") or [], key=lambda a: a.get("sortOrder") or 0):
            lines.extend(amendment.get("text") or [])
    text, text_html = lines_to_text(lines)
    links, members, names = parse_sponsors(part.get("sponsors"))
    item_id = part["id"]
    for link in links:
        link["pingpong_item_id"] = item_id
    lead = next((l["member_id"] for l in links if l["is_lead"]), links[0]["member_id"] if links else None)
    row = {
        "pingpong_item_id": item_id,
        "bill_id": part.get("billId"),
        "bill_stage_id": part.get("billStageId"),
        "type": detail.get("type") or item.get("type") or part.get("type"),
        "number": part.get("number"),
        "decision": part.get("decision"),
        "decision_explanation": html_to_text(part.get("decisionExplanation")),
        "status_indicator": part.get("statusIndicator"),
        "summary": html_to_text(part.get("summary")),
        "text": text,
        "text_html": text_html,
        "sponsors": json.dumps(names, ensure_ascii=False),
        "lead_sponsor_id": lead,
        "source_url": source_url,
    }
    return row, links, members


def _bool(value):
    return None if value is None else int(bool(value))
