"""Akoma Ntoso bill prints as LawMaker publishes them.

The body holds ``part`` and ``chapter`` containers, ``hcontainer name="crossheading"``
groups, ``section`` (a clause) elements and, in ``hcontainer name="schedules"``,
``hcontainer name="schedule"`` elements whose ``paragraph`` children are the
schedule's paragraphs. Every provision carries a ``GUID`` that LawMaker keeps from
print to print, so two prints align exactly on it. Page and line breaks are
processing instructions, ``<?L 5-23?>`` (page 5, line 23), which amendments cite.
Quoted structures (text an amending provision inserts into another Act) are text
of their provision, never provisions of the bill.
"""
import re

from lxml import etree
from lxml.etree import _Element as Element

from scrapers.billprints.records import BillPrint, ClauseRecord, clean, unique_key, unreadable

NS = "http://docs.oasis-open.org/legaldocml/ns/akn/3.0"
_A = "{%s}" % NS
_PAGE_LINE = re.compile(r"^\s*(\d+)-(\d+)\s*$")

# Elements that start a new line of text; everything else is inline.
_BLOCKS = {
    "subsection", "paragraph", "subparagraph", "level", "intro", "content", "wrapUp", "p", "num",
    "heading", "subheading", "tblock", "blockContainer", "table", "tr", "td", "th", "hcontainer",
    "part", "chapter", "section", "crossHeading", "list", "item", "point", "block", "blockList",
    "listIntroduction", "listWrapUp", "step", "article", "clause", "subclause", "alinea", "division",
}
_SKIPPED = {"authorialNote", "noteRef", "eol", "eop"}


def _local(node: Element) -> str | None:
    return etree.QName(node).localname if isinstance(node.tag, str) else None


class _Lines:
    """Accumulates text into lines: a block starts a line, a number joins the text after it."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.current: list[str] = []
        self.after_number = False
        self.prefix = ""

    def add(self, text: str | None) -> None:
        if not text:
            return
        if self.prefix and text.strip():
            self.current.append(self.prefix)
            self.prefix = ""
        self.current.append(text)

    def br(self) -> None:
        line = clean("".join(self.current))
        if line:
            self.lines.append(line)
        self.current = []
        self.after_number = False

    def walk(self, node: Element) -> None:
        tag = _local(node)
        if tag is None:  # a processing instruction or comment: only its tail is text
            return
        if tag in _SKIPPED:
            return
        if tag == "num":
            self.br()
            self.add(_inline_text(node) + " ")
            self.after_number = True
            return
        if tag == "quotedStructure":
            self.br()
            self.prefix = node.get("startQuote") or ""
            self._children(node)
            self.prefix = ""
            self.current = ["".join(self.current).rstrip()]
            self.add(node.get("endQuote") or "")
            return
        if tag in ("p", "heading", "subheading", "td", "th"):
            if not self.after_number:
                self.br()
            self.after_number = False
        self.add(node.text)
        self._children(node)

    def _children(self, node: Element) -> None:
        for child in node:
            self.walk(child)
            self.add(child.tail)


def _inline_text(node: Element) -> str:
    """A ``num`` or ``heading``'s words, without notes inside it and without page-line marks."""
    parts = [node.text or ""]
    for child in node:
        if _local(child) not in _SKIPPED and isinstance(child.tag, str):
            parts.append(_inline_text(child))
        parts.append(child.tail or "")
    return clean("".join(parts))


def _text_lines(element: Element) -> str:
    """A provision's text, one line per numbered sub-provision, without its own number and heading."""
    lines = _Lines()
    for child in element:
        if _local(child) in ("num", "heading"):
            continue
        lines.walk(child)
        lines.add(child.tail)
    lines.br()
    return "\n".join(lines.lines)


def _page_line(pi: Element) -> tuple[int, int] | None:
    match = _PAGE_LINE.match(pi.text or "")
    return (int(match.group(1)), int(match.group(2))) if match else None


def _position(element: Element) -> tuple[int | None, int | None, int | None, int | None]:
    """``(page, line, page_end, line_end)`` of an element, from the ``<?L p-l?>`` marks in and before it."""
    marks = [m for m in (_page_line(pi) for pi in element.iter(etree.ProcessingInstruction) if pi.target == "L") if m]
    if not marks:
        before = element.xpath("preceding::processing-instruction('L')[1]")
        marks = [m for m in (_page_line(pi) for pi in before) if m]
    if not marks:
        return None, None, None, None
    return marks[0][0], marks[0][1], marks[-1][0], marks[-1][1]


def _number(element: Element, word: str | None = None) -> str | None:
    num = element.find(_A + "num")
    if num is None:
        return None
    text = _inline_text(num)
    if word:
        text = re.sub(rf"^{word}\s*", "", text, flags=re.I)
    return text or None


def _heading(element: Element) -> str | None:
    heading = element.find(_A + "heading")
    return _inline_text(heading) if heading is not None else None


def _meta(root: Element, eid: str) -> str | None:
    for node in root.iter(_A + "TLCConcept", _A + "TLCProcess"):
        if node.get("eId") == eid:
            return node.get("showAs") or None
    return None


class _Reader:
    def __init__(self) -> None:
        self.records: list[ClauseRecord] = []
        self.keys: set[str] = set()

    def add(self, element: Element, kind: str, key: str, number: str | None, heading: str | None,
            parent: ClauseRecord | None, text: str = "") -> ClauseRecord:
        page, line, page_end, line_end = _position(element)
        record = ClauseRecord(
            key=unique_key(self.keys, key), kind=kind, number=number, heading=heading, text=text,
            guid=element.get("GUID"), page=page, line_start=line, page_end=page_end, line_end=line_end,
            parent_key=parent.key if parent else None, position=len(self.records),
        )
        self.records.append(record)
        return record

    def walk(self, element: Element, part: ClauseRecord | None = None, chapter: ClauseRecord | None = None,
             schedule: ClauseRecord | None = None, schedule_part: ClauseRecord | None = None) -> None:
        for child in element:
            tag = _local(child)
            if tag is None:
                continue
            name = child.get("name")
            if tag == "part":
                number = _number(child, "part")
                if schedule is not None:
                    record = self.add(child, "part", f"{schedule.key}/part/{number}", number, _heading(child), schedule)
                    self.walk(child, schedule=schedule, schedule_part=record)
                else:
                    record = self.add(child, "part", f"part/{number}", number, _heading(child), None)
                    self.walk(child, part=record)
            elif tag == "chapter":
                number = _number(child, "chapter")
                parent = part
                key = f"{part.key}/chapter/{number}" if part else f"chapter/{number}"
                record = self.add(child, "chapter", key, number, _heading(child), parent)
                self.walk(child, part=part, chapter=record)
            elif tag == "section":
                number = _number(child)
                self.add(child, "clause", f"clause/{number}", number, _heading(child), chapter or part, _text_lines(child))
            elif tag == "hcontainer" and name == "schedule":
                number = _number(child, "schedule")
                record = self.add(child, "schedule", f"schedule/{number}", number, _heading(child), None, _text_lines(child))
                self.walk(child, schedule=record)
            elif tag == "paragraph" and schedule is not None:
                number = _number(child)
                self.add(child, "paragraph", f"{schedule.key}/paragraph/{number}", number, _heading(child),
                         schedule_part or schedule, _text_lines(child))
            elif tag in ("hcontainer", "blockContainer", "division"):
                self.walk(child, part, chapter, schedule, schedule_part)


def read_akn(data: bytes, *, url: str | None = None, record: str | None = None) -> BillPrint:
    """An Akoma Ntoso bill print to clause records (GUIDs, page and line kept)."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
    try:
        root = etree.fromstring(data, parser=parser)
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise unreadable(f"not well-formed XML (truncated?): {exc}", url, record) from None
    if root.tag != _A + "akomaNtoso":
        raise unreadable(f"not an Akoma Ntoso document (root element <{etree.QName(root).localname}>)", url, record)
    body = root.find(f"./*/{_A}body")
    if body is None:
        raise unreadable("Akoma Ntoso document without a <body>", url, record)
    reader = _Reader()
    reader.walk(body)
    if not reader.records:
        raise unreadable("no clauses or schedules in the document's body", url, record)
    title = _meta(root, "varBillTitle")
    number = _meta(root, "varBillNo")
    stage = _meta(root, "varStageVersion")
    label = " ".join(filter(None, [number, stage.lower() if stage else None])) or title
    return BillPrint(format="akn", clauses=reader.records, title=label, stage=stage)
