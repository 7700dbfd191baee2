"""A bill's publications (Bills API) and the documents of its prints.

``GET /api/v1/Bills/{billId}/Publications`` answers a ``BillPublicationList``:
``{billId, publications: [BillPublication]}``, each publication with ``id``,
``title``, ``publicationType {id, name, description}``, ``displayDate``, ``house``,
``links: [PublicationLink {id, title, url, contentType}]`` and ``files:
[PublicationDocument {id, filename, contentType, contentLength}]``. A file's bytes
come from ``GET /api/v1/Publications/{publicationId}/Documents/{documentId}/Download``
(a binary body, archived like every response).

The prints of the bill itself are the publications of type "Bill"; of the
documents each offers, the reader takes Akoma Ntoso XML (LawMaker) first, then
HTML, then PDF.
"""
import re
from dataclasses import dataclass, field
from typing import ClassVar

from scrapers.errors import TrackerError
from scrapers.http import HttpClient, Response, base_url
from scrapers.records import JSON_LIST, Record
from scrapers.values import JSON, day, obj, objs, record, required

SOURCE = "Bills API"
BILL_PRINT_TYPE = "bill"
# Format preference: AKN XML, then HTML, then PDF.
FORMAT_ORDER = ("akn", "html", "pdf")
ACCEPT = "application/xml, text/xml, text/html, application/pdf;q=0.9, */*;q=0.5"

_XML_TYPES = ("application/xml", "text/xml", "application/akn+xml")
_HTML_TYPES = ("text/html", "application/xhtml+xml")
_PDF_TYPES = ("application/pdf",)


# -- URLs ----------------------------------------------------------------------

def publications_url(bill_id: int) -> str:
    return f"{base_url('bills')}/api/v1/Bills/{bill_id}/Publications"


def download_url(publication_id: int, document_id: int) -> str:
    return f"{base_url('bills')}/api/v1/Publications/{publication_id}/Documents/{document_id}/Download"


# -- records -------------------------------------------------------------------

@dataclass(frozen=True)
class Document:
    """One way to get a print's text: a file of the publication or one of its links."""

    format: str  # akn, html, pdf
    url: str
    document_id: int | None  # PublicationDocument.id (None for a link)
    content_type: str | None
    filename: str | None


@dataclass(frozen=True)
class Publication(Record):
    """One ``BillPublication`` as a ``publications`` row (``row()``), plus the print's chosen document."""

    TABLE: ClassVar[str] = "publications"
    publication_id: int
    bill_id: int
    title: str | None
    publication_type_id: int | None
    publication_type: str | None
    publication_type_description: str | None
    display_date: str | None
    house: str | None
    links: tuple[JSON, ...] = field(metadata=JSON_LIST)  # PublicationLink objects
    files: tuple[JSON, ...] = field(metadata=JSON_LIST)  # PublicationDocument objects
    source_url: str

    @property
    def is_bill_print(self) -> bool:
        return (self.publication_type or "").strip().lower() == BILL_PRINT_TYPE

    @property
    def date(self) -> str | None:
        return day(self.display_date)

    def documents(self) -> list[Document]:
        """Every readable document of this publication, best format first (files before links)."""
        found = []
        for item in self.files:
            fmt = document_format(item.get("contentType"), item.get("filename"))
            if fmt and item.get("id") is not None:
                found.append(Document(fmt, download_url(self.publication_id, item["id"]), item["id"], item.get("contentType"), item.get("filename")))
        for item in self.links:
            fmt = document_format(item.get("contentType"), item.get("url"))
            if fmt and item.get("url"):
                found.append(Document(fmt, item["url"], None, item.get("contentType"), None))
        return sorted(found, key=lambda d: FORMAT_ORDER.index(d.format))

    def best_document(self) -> Document | None:
        documents = self.documents()
        return documents[0] if documents else None


def document_format(content_type: str | None, name: str | None) -> str | None:
    """``akn``, ``html`` or ``pdf`` from a content type or, failing that, a file name or URL."""
    kind = (content_type or "").split(";")[0].strip().lower()
    if kind in _XML_TYPES:
        return "akn"
    if kind in _HTML_TYPES:
        return "html"
    if kind in _PDF_TYPES:
        return "pdf"
    suffix = re.search(r"\.([A-Za-z]+)(?:$|[?#])", name or "")
    return {"xml": "akn", "html": "html", "htm": "html", "pdf": "pdf"}.get(suffix.group(1).lower() if suffix else "")


# -- fetch ---------------------------------------------------------------------

def fetch_publications(client: HttpClient, bill_id: int) -> tuple[JSON, Response]:
    """``GET /api/v1/Bills/{billId}/Publications``: ``(BillPublicationList, response)``."""
    data, response = client.get_json(publications_url(bill_id), source=SOURCE)
    if not isinstance(data, dict) or not isinstance(data.get("publications"), list):
        raise TrackerError("malformed response: no 'publications' list", source=SOURCE, url=response.url, record=f"bill {bill_id}")
    return data, response


def fetch_document(client: HttpClient, document: Document) -> Response:
    """The bytes of one print's document: a :class:`scrapers.http.Response` (binary body)."""
    return client.get(document.url, source=SOURCE, accept=ACCEPT)


# -- parse ---------------------------------------------------------------------

def parse_publications(data: JSON, bill_id: int, source_url: str) -> list[Publication]:
    """A ``BillPublicationList`` to :class:`Publication` records (every type, not only prints)."""
    data = record(data, "BillPublicationList")
    out = []
    for item in objs(data, "publications"):
        kind = obj(item, "publicationType")
        out.append(Publication(
            publication_id=required(item, "id"),
            bill_id=data.get("billId") or bill_id,
            title=item.get("title"),
            publication_type_id=kind.get("id"),
            publication_type=kind.get("name"),
            publication_type_description=kind.get("description"),
            display_date=item.get("displayDate"),
            house=item.get("house"),
            links=tuple(objs(item, "links")),
            files=tuple(objs(item, "files")),
            source_url=source_url,
        ))
    return out
