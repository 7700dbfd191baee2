"""HTML bill prints (publications.parliament.uk), read with BeautifulSoup.

The HTML rendering of a print sets each heading and each paragraph of text in
its own block: ``PART 1`` / ``CHAPTER 2`` / ``SCHEDULE 7`` blocks open their
containers (their title in the same block or the next), a heading block that
opens with a number is a clause ("12 Covered procurement: objectives"), and in a
schedule a text block that opens with the next paragraph number is that
paragraph. Running heads and feet and margin line numbers are elements whose
class says so (``running-head``, ``page-footer``, ``line-number`` ...) and are
dropped; where the rendering marks page breaks (an element with a
``data-page`` attribute or class ``page-break``) and line numbers, each block
keeps its page and line.
"""
import re
from collections.abc import Iterator

from bs4 import BeautifulSoup, Tag

from scrapers.billprints.records import BillPrint, OutlineBuilder, PrintLine, clean, number_order, unreadable

_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_TEXT_BLOCKS = {"p", "li", "td", "dd", "blockquote"}
_DROP_CLASS = re.compile(r"(running|page)[-_]?(head|header|foot|footer)|header|footer", re.I)
_LINE_NUMBER_CLASS = re.compile(r"line[-_]?(number|num|no)\b", re.I)
_PAGE_BREAK_CLASS = re.compile(r"page[-_]?break", re.I)
_PART = re.compile(r"^PART\s+(\d+[A-Z]*)\b\s*(.*)$", re.I)
_CHAPTER = re.compile(r"^CHAPTER\s+(\d+[A-Z]*)\b\s*(.*)$", re.I)
_SCHEDULE = re.compile(r"^SCHEDULE\s+(\d+[A-Z]*)\b\s*(.*)$", re.I)
_NUMBERED = re.compile(r"^(\d+[A-Z]*)\s+(\S.*)$")
_SECTION_NOTE = re.compile(r"^Sections?\s+\d")


def _classes(tag: Tag) -> str:
    return " ".join(tag.get("class") or [])


def _blocks(soup: BeautifulSoup) -> Iterator[tuple[str, str, int | None, int | None]]:
    """``(kind, text, page, line)`` for every heading or text block in document order."""
    page: int | None = None
    line: int | None = None
    for element in soup.find_all(True):
        if not isinstance(element, Tag):
            continue
        classes = _classes(element)
        if element.has_attr("data-page") or _PAGE_BREAK_CLASS.search(classes):
            try:
                page = int(str(element.get("data-page") or (page or 0) + 1))
            except ValueError:
                page = (page or 0) + 1
            line = None
            continue
        if element.name not in _HEADINGS and element.name not in _TEXT_BLOCKS:
            continue
        if any(_DROP_CLASS.search(_classes(a)) for a in [element, *element.parents] if isinstance(a, Tag)):
            continue
        if element.find(list(_HEADINGS | _TEXT_BLOCKS)):
            continue  # a container of blocks: its blocks come one by one
        numbers = element.find_all(class_=_LINE_NUMBER_CLASS)
        for number in numbers:
            text = number.get_text(strip=True)
            if text.isdigit():
                line = int(text)
            number.extract()
        text = clean(element.get_text(" "))
        if not text:
            continue
        yield ("heading" if element.name in _HEADINGS else "text"), text, page, line
        if line is not None:
            line += 1


def read_html(data: bytes, *, url: str | None = None, record: str | None = None) -> BillPrint:
    """An HTML bill print to clause records."""
    try:
        markup = data.decode("utf-8")
    except UnicodeDecodeError:
        markup = data.decode("cp1252", errors="replace")
    if "<" not in markup:
        raise unreadable("not an HTML document", url, record)
    soup = BeautifulSoup(markup, "lxml")
    for dropped in soup(["script", "style", "nav"]):
        dropped.decompose()
    builder = OutlineBuilder()
    expect_heading: str | None = None
    last_paragraph: tuple[int, str] = (0, "")
    for kind, text, page, line in _blocks(soup):
        at = PrintLine(page, line, text)
        if expect_heading:
            if expect_heading == "schedule" and _SECTION_NOTE.match(text):
                continue
            if kind == "heading" or expect_heading != "schedule":
                builder.add_heading_text(text)
                expect_heading = None
                continue
            expect_heading = None
        container = None
        for pattern, name in ((_PART, "part"), (_CHAPTER, "chapter"), (_SCHEDULE, "schedule")):
            match = pattern.match(text)
            if match and (kind == "heading" or text.isupper()):
                container = name, match.group(1), clean(match.group(2)) or None
                break
        if container:
            name, number, rest = container
            {"part": builder.part_heading, "chapter": builder.chapter_heading, "schedule": builder.schedule_heading}[name](number, rest, at)
            expect_heading = None if rest else name
            last_paragraph = (0, "")
            continue
        numbered = _NUMBERED.match(text)
        if kind == "heading" and numbered and builder.schedule is None:
            builder.clause_heading(numbered.group(1), numbered.group(2), at)
        elif kind == "heading" and text.upper() == "SCHEDULES":
            continue
        elif numbered and builder.schedule is not None and number_order(numbered.group(1)) > last_paragraph:
            last_paragraph = number_order(numbered.group(1))
            builder.paragraph(numbered.group(1), numbered.group(2), at)
        elif kind == "heading" and builder.leaf is None:
            continue  # a cross-heading or the print's own title
        else:
            builder.text(at)
    records = builder.finish()
    if not records:
        raise unreadable("no clauses or schedules found in the HTML", url, record)
    return BillPrint(format="html", clauses=records)
