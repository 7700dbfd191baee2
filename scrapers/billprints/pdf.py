"""PDF bill prints, read with pdfplumber.

A bill's PDF prints its text in one column with the line numbers every five
lines in the margin, a running header (the bill's short title, the Part) and a
running footer (the print's number) on every page. Amendments cite "page 2,
line 13", so every kept line carries its page and its printed line number:
lines between two margin numbers are counted from the nearest one.

Margin numbers are told by where they stand (left of the text column, or right
of it) and what they are (digits alone); running heads and feet by where they
stand (the top and bottom bands of the page) and by recurring on several pages
with only their numbers changed. Clause headings are the bold lines that open
with a number; ``PART``/``CHAPTER``/``SCHEDULE`` lines open their containers.
"""
import io
import re
from collections import Counter
from collections.abc import Sequence
from typing import Any

from scrapers.billprints.records import BillPrint, OutlineBuilder, PrintLine, clean, number_order, unreadable

_BAND = 0.08  # share of the page height at the top and at the bottom for running heads and feet
_LINE_TOLERANCE = 2.5  # points: words whose tops differ by less sit on one line
_PART = re.compile(r"^PART\s+(\d+[A-Z]*)\b\s*(.*)$")
_CHAPTER = re.compile(r"^CHAPTER\s+(\d+[A-Z]*)\b\s*(.*)$")
_SCHEDULE = re.compile(r"^SCHEDULE\s+(\d+[A-Z]*)\b\s*(.*)$")
_NUMBERED = re.compile(r"^(\d+[A-Z]*)\s+(\S.*)$")
_SECTION_NOTE = re.compile(r"^Sections?\s+\d")  # "Section 57" under a schedule's number

Word = dict[str, Any]  # one word as pdfplumber's extract_words gives it: text, x0, x1, top, bottom, fontname, size
Page = tuple[float, list[Word]]  # a page's height and its words


def _lines_of(words: list[Word]) -> list[list[Word]]:
    """Words grouped into lines (top to bottom), each line's words left to right."""
    lines: list[list[Word]] = []
    for word in sorted(words, key=lambda w: (w["top"], w["x0"])):
        if lines and abs(lines[-1][0]["top"] - word["top"]) < _LINE_TOLERANCE:
            lines[-1].append(word)
        else:
            lines.append([word])
    return [sorted(line, key=lambda w: w["x0"]) for line in lines]


def _is_bold(words: list[Word]) -> bool:
    return bool(words) and all("bold" in (w.get("fontname") or "").lower() for w in words)


def _percentile(values: Sequence[float], share: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * share))] if values else 0


def _open(data: bytes, url: str | None, record: str | None) -> list[Page]:
    import pdfplumber
    from pdfminer.pdfparser import PDFSyntaxError
    from pdfminer.psparser import PSException

    errors: tuple[type[BaseException], ...] = (PDFSyntaxError, PSException, ValueError, KeyError, TypeError, AttributeError)
    try:
        from pdfplumber.utils.exceptions import PdfminerException

        errors = errors + (PdfminerException,)
    except ImportError:  # older pdfplumber lets pdfminer's own errors through
        pass
    try:
        pdf = pdfplumber.open(io.BytesIO(data))
        pages = [
            (page.height, page.extract_words(extra_attrs=["fontname", "size"], keep_blank_chars=False))
            for page in pdf.pages
        ]
        pdf.close()
    except errors as exc:
        raise unreadable(f"not a readable PDF (truncated?): {type(exc).__name__}: {exc}", url, record) from None
    return pages


def _page_lines(pages: list[Page]) -> tuple[list[list[tuple[list[Word], int]]], float]:
    """Every page's body lines as ``(words, printed line number)``, heads, feet and margin numbers dropped."""
    text_words = [w for _, words in pages for w in words if not w["text"].isdigit()]
    left = _percentile([w["x0"] for w in text_words], 0.02)
    right = _percentile([w["x1"] for w in text_words], 0.98)

    def margin_number(word: Word) -> bool:
        return word["text"].isdigit() and (word["x1"] < left - 2 or word["x0"] > right + 2)

    banded: list[tuple[int, list[Word], bool]] = []  # (page index, line words, in band)
    for index, (height, words) in enumerate(pages):
        for line in _lines_of(words):
            in_band = line[0]["top"] < height * _BAND or line[0]["bottom"] > height * (1 - _BAND)
            banded.append((index, line, in_band))
    shapes = Counter(
        re.sub(r"\d+", "#", " ".join(w["text"] for w in line))
        for _, line, in_band in banded if in_band
    )
    out: list[list[tuple[list[Word], int | None]]] = [[] for _ in pages]
    for index, line, in_band in banded:
        text = " ".join(w["text"] for w in line)
        if in_band and (len(pages) == 1 or shapes[re.sub(r"\d+", "#", text)] > 1 or text.isdigit()):
            continue  # a running head or foot, or a page number
        numbers = [w for w in line if margin_number(w)]
        body = [w for w in line if not margin_number(w)]
        anchor = int(numbers[0]["text"]) if numbers else None
        if body:
            out[index].append((body, anchor))
    numbered: list[list[tuple[list[Word], int]]] = []
    for index, lines in enumerate(out):
        anchors = [(i, n) for i, (_, n) in enumerate(lines) if n is not None]
        page_lines: list[tuple[list[Word], int]] = []
        for i, (body, _) in enumerate(lines):
            if anchors:
                anchor_index, anchor_number = min(anchors, key=lambda a: abs(a[0] - i))
                number = anchor_number + (i - anchor_index)
            else:
                number = i + 1
            page_lines.append((body, number))
        numbered.append(page_lines)
    return numbered, left


def read_pdf(data: bytes, *, url: str | None = None, record: str | None = None) -> BillPrint:
    """A PDF bill print to clause records, every line with its page and printed line number."""
    pages = _open(data, url, record)
    if not any(words for _, words in pages):
        raise unreadable("the PDF has no text layer (a scanned print?)", url, record)
    numbered, left = _page_lines(pages)
    builder = OutlineBuilder()
    expect_heading: str | None = None  # "part", "chapter", "schedule": the next line is that container's heading
    last_paragraph: tuple[int, str] = (0, "")
    for page_index, lines in enumerate(numbered):
        page = page_index + 1
        for words, line_number in lines:
            text = clean(" ".join(w["text"] for w in words))
            at = PrintLine(page, line_number, text)
            bold = _is_bold(words)
            if expect_heading:
                if expect_heading == "schedule" and _SECTION_NOTE.match(text):
                    continue
                builder.add_heading_text(text)
                expect_heading = None
                continue
            for pattern, kind in ((_PART, "part"), (_CHAPTER, "chapter"), (_SCHEDULE, "schedule")):
                match = pattern.match(text)
                if match:
                    number, rest = match.group(1), clean(match.group(2)) or None
                    {"part": builder.part_heading, "chapter": builder.chapter_heading, "schedule": builder.schedule_heading}[kind](number, rest, at)
                    expect_heading = None if rest else kind
                    last_paragraph = (0, "")
                    break
            else:
                numbered_line = _NUMBERED.match(text)
                at_margin = abs(words[0]["x0"] - left) < 3
                if numbered_line and bold and builder.schedule is None:
                    builder.clause_heading(numbered_line.group(1), numbered_line.group(2), at)
                elif (numbered_line and builder.schedule is not None and at_margin
                      and number_order(numbered_line.group(1)) > last_paragraph):
                    last_paragraph = number_order(numbered_line.group(1))
                    builder.paragraph(numbered_line.group(1), numbered_line.group(2), at)
                elif bold and builder.leaf is not None and not builder.leaf.lines and builder.leaf.record.kind == "clause":
                    builder.add_heading_text(text)  # a clause heading running onto a second line
                else:
                    builder.text(at)
    records = builder.finish()
    if not records:
        raise unreadable("no clauses or schedules found in the PDF's text", url, record)
    return BillPrint(format="pdf", clauses=records)
