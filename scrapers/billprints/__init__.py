"""Bill prints as clause records: Akoma Ntoso (LawMaker) XML, PDF, HTML, and the enacted Act.

Each reader is a pure function from a document's bytes to a :class:`BillPrint`
whose :class:`ClauseRecord` list is the same whatever the format: parts,
chapters, clauses (an Act's sections), schedules and schedule paragraphs, each
with its number, heading, text, the GUID the print gives it (LawMaker XML only)
and where it is printed (page and margin line numbers, where the format has them).

Text conventions shared by every reader, so prints of different formats compare:
one line per numbered sub-provision (``(1) ...``, ``(a) ...``); a clause's own
number and heading are fields, not text; a schedule's text is all of its
paragraphs (its paragraphs are also records of their own, for search and
location); a part or chapter has a heading and no text.

A document that cannot be read (not the format it claims, truncated, a scanned
PDF without a text layer) raises :class:`scrapers.errors.TrackerError` naming
the source, the record (the print) and the URL.
"""
from scrapers.billprints.records import BillPrint, ClauseRecord, PrintLine, SOURCE, unreadable
from scrapers.billprints.akn import read_akn
from scrapers.billprints.pdf import read_pdf
from scrapers.billprints.html import read_html
from scrapers.billprints.act import from_legislation_rows

READERS = {"akn": read_akn, "pdf": read_pdf, "html": read_html}

__all__ = [
    "BillPrint", "ClauseRecord", "PrintLine", "SOURCE", "READERS",
    "read_akn", "read_pdf", "read_html", "read_print", "from_legislation_rows", "unreadable",
]


def read_print(data: bytes, fmt: str, *, url: str | None = None, record: str | None = None) -> BillPrint:
    """Read a print in ``fmt`` (``akn``, ``html`` or ``pdf``)."""
    try:
        reader = READERS[fmt]
    except KeyError:
        raise unreadable(f"no reader for format {fmt!r}", url, record) from None
    return reader(data, url=url, record=record)
