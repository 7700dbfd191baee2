"""The records every bill-print reader returns, and the one structure builder the
line-based readers (PDF, HTML) share."""
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from scrapers.errors import TrackerError

SOURCE = "bill print"

_SPACE = re.compile(r"\s+")
# A line that opens a numbered sub-provision starts a new line of text: "(1)", "(a)", "(ii)", "(2A)".
_SUBPROVISION = re.compile(r"^\(\s*[0-9A-Za-z]{1,6}\s*\)\s")


def unreadable(message: str, url: str | None = None, record: str | None = None) -> TrackerError:
    """The error for a print that cannot be read, naming the print and its URL."""
    return TrackerError(message, source=SOURCE, url=url, record=record)


def clean(text: str | None) -> str:
    return _SPACE.sub(" ", text or "").strip()


@dataclass(frozen=True)
class PrintLine:
    """One printed line: its page, its margin line number, its text (margin numbers dropped)."""

    page: int | None
    line: int | None
    text: str


@dataclass
class ClauseRecord:
    """One structural unit of a print.

    ``key`` is unique within the print and readable (``clause/12``,
    ``schedule/7/paragraph/3``, ``part/5``); ``kind`` is ``part``, ``chapter``,
    ``clause`` (a bill's), ``section`` (an Act's), ``schedule`` or ``paragraph``.
    """

    key: str
    kind: str
    number: str | None
    heading: str | None
    text: str = ""
    guid: str | None = None
    page: int | None = None
    line_start: int | None = None
    page_end: int | None = None
    line_end: int | None = None
    parent_key: str | None = None
    position: int = 0
    lines: tuple[PrintLine, ...] = ()


@dataclass
class BillPrint:
    """A read print: its format, its clause records in print order, and what its own metadata says."""

    format: str
    clauses: list[ClauseRecord]
    title: str | None = None
    stage: str | None = None

    def by_key(self) -> dict[str, ClauseRecord]:
        return {c.key: c for c in self.clauses}


def join_lines(lines: Sequence[str], breaks: Iterable[int] = frozenset()) -> str:
    """Printed lines to text: a sub-provision (or a line whose index is in ``breaks``, such as
    a schedule paragraph's first) starts a line, other lines run on, and a word hyphenated at
    a line end is joined again ("procure-" + "ment")."""
    out: list[str] = []
    for index, raw in enumerate(lines):
        line = clean(raw)
        if not line:
            continue
        if not out or _SUBPROVISION.match(line) or index in breaks:
            out.append(line)
        elif re.search(r"[A-Za-z]-$", out[-1]) and line[:1].islower():
            out[-1] = out[-1][:-1] + line
        else:
            out[-1] = f"{out[-1]} {line}"
    return "\n".join(out)


def number_order(number: str | None) -> tuple[int, str]:
    """``"16A"`` -> ``(16, "A")``: the order of provision numbers (16 < 16A < 17)."""
    match = re.match(r"(\d+)(.*)", number or "")
    return (int(match.group(1)), match.group(2)) if match else (0, number or "")


def unique_key(taken: set[str], key: str) -> str:
    """``key``, or ``key~2``, ``key~3`` ... when a print repeats a number."""
    candidate, n = key, 1
    while candidate in taken:
        n += 1
        candidate = f"{key}~{n}"
    taken.add(candidate)
    return candidate


@dataclass
class _Open:
    record: ClauseRecord
    start: PrintLine | None  # the record's own number-and-heading line
    lines: list[PrintLine] = field(default_factory=list)  # its text lines
    breaks: set[int] = field(default_factory=set)  # indexes of lines that start a paragraph


class OutlineBuilder:
    """Builds clause records from a stream of printed lines told apart as part, chapter,
    schedule, clause, paragraph or text (the PDF and HTML readers' common back end)."""

    def __init__(self) -> None:
        self.records: list[ClauseRecord] = []
        self.keys: set[str] = set()
        self.part: ClauseRecord | None = None
        self.chapter: ClauseRecord | None = None
        self.schedule: ClauseRecord | None = None
        self.schedule_part: ClauseRecord | None = None
        self.leaf: _Open | None = None  # the clause or schedule paragraph receiving text
        self.open_schedule: _Open | None = None
        self.open: list[_Open] = []

    def _new(self, kind: str, key: str, number: str | None, heading: str | None, parent: ClauseRecord | None,
             at: PrintLine | None) -> _Open:
        record = ClauseRecord(
            key=unique_key(self.keys, key), kind=kind, number=number, heading=heading,
            parent_key=parent.key if parent else None, position=len(self.records),
        )
        self.records.append(record)
        opened = _Open(record, at)
        self.open.append(opened)
        return opened

    def part_heading(self, number: str, heading: str | None, at: PrintLine | None = None) -> None:
        if self.schedule is not None:
            self.schedule_part = self._new("part", f"{self.schedule.key}/part/{number}", number, heading, self.schedule, at).record
            self.leaf = None
            return
        self.part = self._new("part", f"part/{number}", number, heading, None, at).record
        self.chapter = None
        self.leaf = None

    def chapter_heading(self, number: str, heading: str | None, at: PrintLine | None = None) -> None:
        parent = self.part
        key = f"{parent.key}/chapter/{number}" if parent else f"chapter/{number}"
        self.chapter = self._new("chapter", key, number, heading, parent, at).record
        self.leaf = None

    def add_heading_text(self, text: str) -> None:
        """A heading that runs onto a further line (or follows its number on the next line)."""
        if self.open:
            record = self.open[-1].record
            record.heading = clean(f"{record.heading or ''} {text}")

    def schedule_heading(self, number: str, heading: str | None = None, at: PrintLine | None = None) -> None:
        self.part = self.chapter = self.schedule_part = None
        self.open_schedule = self._new("schedule", f"schedule/{number}", number, heading, None, at)
        self.schedule = self.open_schedule.record
        self.leaf = None

    def clause_heading(self, number: str, heading: str | None, at: PrintLine | None = None, kind: str = "clause") -> None:
        self.schedule = self.schedule_part = self.open_schedule = None
        parent = self.chapter or self.part
        self.leaf = self._new(kind, f"{kind}/{number}", number, heading, parent, at)

    def paragraph(self, number: str, text: str, at: PrintLine) -> None:
        assert self.schedule is not None, "a schedule paragraph is read only inside a schedule"
        parent = self.schedule_part or self.schedule
        self.leaf = self._new("paragraph", f"{self.schedule.key}/paragraph/{number}", number, None, parent, None)
        self.leaf.lines.append(PrintLine(at.page, at.line, text))
        if self.open_schedule:
            self.open_schedule.breaks.add(len(self.open_schedule.lines))
            self.open_schedule.lines.append(PrintLine(at.page, at.line, f"{number} {text}"))

    def text(self, line: PrintLine) -> None:
        if self.leaf is not None:
            self.leaf.lines.append(line)
        if self.open_schedule is not None:
            self.open_schedule.lines.append(line)

    def finish(self) -> list[ClauseRecord]:
        for opened in self.open:
            record = opened.record
            every = ([opened.start] if opened.start else []) + opened.lines
            positioned = [l for l in every if l.page is not None or l.line is not None]
            if positioned:
                record.page, record.line_start = positioned[0].page, positioned[0].line
                record.page_end, record.line_end = positioned[-1].page, positioned[-1].line
            record.lines = tuple(every)
            record.text = join_lines([l.text for l in opened.lines], opened.breaks)
        return self.records
