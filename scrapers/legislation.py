"""legislation.gov.uk: an Act's (or a Bill's enacted) text by section, from CLML XML.

``GET /{type}/{year}/{number}/data.xml`` returns the whole item in Crown Legislation
Markup Language. Sections are ``P1`` elements inside ``P1group`` (whose ``Title`` is
the heading), inside ``Part``/``Chapter``; schedules are ``Schedule`` elements.
"""
import re
from dataclasses import dataclass
from typing import ClassVar

from lxml import etree

from scrapers.errors import TrackerError
from scrapers.http import HttpClient, Response, base_url
from scrapers.records import Record

SOURCE = "legislation.gov.uk"
NS = "http://www.legislation.gov.uk/namespaces/legislation"
_Q = "{%s}" % NS
_SPACE = re.compile(r"\s+")
_ITEM_PATH = re.compile(r"^[a-z]+/\d{4}/\d+$")


def item_url(item_path: str) -> str:
    """``ukpga/2023/54`` -> the URL of its whole CLML document."""
    if not _ITEM_PATH.match(item_path):
        raise TrackerError(f"not a legislation path like ukpga/2023/54: {item_path!r}", source=SOURCE)
    return f"{base_url('legislation')}/{item_path}/data.xml"


def fetch_item(client: HttpClient, item_path: str) -> tuple[bytes, Response]:
    """The CLML XML of one item: ``(bytes, response)``."""
    response = client.get(item_url(item_path), source=SOURCE, accept="application/xml")
    return response.body, response


def _clean(text: str | None) -> str:
    return _SPACE.sub(" ", text or "").strip()


def _text_of(element: etree._Element) -> str:
    """A provision's text, one line per numbered sub-provision, numbers kept as "(1)"."""
    lines = []

    def walk(node: etree._Element, prefix: str) -> None:
        for child in node:
            tag = etree.QName(child).localname if isinstance(child.tag, str) else None
            if tag is None:
                continue
            if tag == "Pnumber":
                continue
            if tag in ("P2", "P3", "P4", "P5"):
                number = child.find(_Q + "Pnumber")
                walk(child, f"({_clean(''.join(number.itertext()))}) " if number is not None else "")
            elif tag == "Text":
                line = _clean("".join(child.itertext()))
                if line:
                    lines.append(prefix + line)
                    prefix = ""
            elif tag in ("Title", "Number", "TitleBlock") and node.tag != _Q + "Schedule":
                continue
            else:
                walk(child, prefix)

    walk(element, "")
    return "\n".join(lines)


def _heading(element: etree._Element, tag: str) -> str | None:
    node = element.find(_Q + tag)
    return _clean("".join(node.itertext())) if node is not None else None


def _ancestor_part(element: etree._Element) -> str | None:
    for ancestor in element.iterancestors():
        if ancestor.tag == _Q + "Part":
            number, title = _heading(ancestor, "Number"), _heading(ancestor, "Title")
            return ": ".join(filter(None, [number, title]))
    return None


@dataclass(frozen=True)
class Clause(Record):
    """A ``bill_clauses`` row: one section or schedule of one version of a bill's (or Act's) text."""

    TABLE: ClassVar[str] = "bill_clauses"
    clause_id: str
    bill_id: int
    version: str
    kind: str  # section or schedule
    number: str | None
    heading: str | None
    part: str | None
    text: str
    source_url: str | None


def parse_item(xml_bytes: bytes, item_path: str, bill_id: int, source_url: str | None, version: str = "As enacted") -> list[Clause]:
    """CLML to ``bill_clauses`` rows: one per section, one per schedule."""
    try:
        root = etree.fromstring(xml_bytes)
    except etree.XMLSyntaxError as exc:
        raise TrackerError(f"malformed XML: {exc}", source=SOURCE, url=source_url) from None
    if root.tag != _Q + "Legislation":
        raise TrackerError("not a CLML Legislation document", source=SOURCE, url=source_url)
    clauses = []
    body = root.find(f".//{_Q}Body")
    for group in (body.iter(_Q + "P1group") if body is not None else []):
        heading = _heading(group, "Title")
        for section in group.findall(_Q + "P1"):
            number = _heading(section, "Pnumber")
            clauses.append(Clause(
                clause_id=f"{item_path}/section/{number}",
                bill_id=bill_id,
                version=version,
                kind="section",
                number=number,
                heading=heading,
                part=_ancestor_part(group),
                text=_text_of(section),
                source_url=source_url,
            ))
    for schedule in root.iter(_Q + "Schedule"):
        label = _heading(schedule, "Number") or ""
        number = label.replace("Schedule", "").strip() or None
        title_block = schedule.find(_Q + "TitleBlock")
        heading = _heading(title_block, "Title") if title_block is not None else None
        content = schedule.find(_Q + "ScheduleBody")
        clauses.append(Clause(
            clause_id=f"{item_path}/schedule/{number}" if number else f"{item_path}/schedule",
            bill_id=bill_id,
            version=version,
            kind="schedule",
            number=number,
            heading=heading,
            part=None,
            text=_text_of(content if content is not None else schedule),
            source_url=source_url,
        ))
    return clauses
