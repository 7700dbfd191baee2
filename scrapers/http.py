"""The only HTTP client: every request of every scraper goes through :class:`HttpClient`.

It keeps one ``requests.Session`` with connect/read timeouts; retries connection
errors, bodies cut off mid-transfer, 429 and 5xx with exponential backoff and
jitter, honouring ``Retry-After``; spaces requests to each host at a polite rate
(the Parliament services are separate hosts, so threads fetching different
services do not slow each other, and the client may be shared between them); sends ``If-None-Match`` / ``If-Modified-Since``
where an earlier response carried validators; and appends every response to a
WARC file so a sync can be replayed offline (``replay=[...]``) and each record
traced to the response it came from.
"""
import email.utils
import io
import json
import os
import random
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from types import TracebackType
from typing import Any, BinaryIO, Protocol
from urllib.parse import urlsplit

import requests
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from scrapers.errors import TrackerError

PROJECT_URL = "https://github.com/procurement-bill-tracker/procurement-bill-tracker"
USER_AGENT = f"procurement-bill-tracker/0.1 (+{PROJECT_URL})"

# Service roots; each can be pointed at a mirror or a local test server.
BASE_URL_DEFAULTS = {
    "bills": ("TRACKER_BILLS_API_URL", "https://bills-api.parliament.uk"),
    "members": ("TRACKER_MEMBERS_API_URL", "https://members-api.parliament.uk"),
    "hansard": ("TRACKER_HANSARD_API_URL", "https://hansard-api.parliament.uk"),
    "commonsvotes": ("TRACKER_COMMONSVOTES_API_URL", "https://commonsvotes-api.parliament.uk"),
    "lordsvotes": ("TRACKER_LORDSVOTES_API_URL", "https://lordsvotes-api.parliament.uk"),
    "questions": ("TRACKER_QUESTIONS_API_URL", "https://questions-statements-api.parliament.uk"),
    "legislation": ("TRACKER_LEGISLATION_URL", "https://www.legislation.gov.uk"),
}

RETRY_STATUSES = {429, 500, 502, 503, 504}
# What a record's own URL answers once the record is gone upstream: the only direct evidence of a removal.
GONE_STATUSES = {404, 410}
# Failures of one attempt that another attempt may not meet: a refused or reset
# connection, a timeout, and a body cut off mid-transfer (a chunked body that never
# ends, a Content-Length not met, a compressed body that does not decompress).
RETRY_ERRORS = (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError,
                requests.exceptions.ContentDecodingError)


class TruncatedBody(Exception):
    """A response body shorter than its Content-Length said (a transport that did not notice)."""
# Hop-by-hop or encoding headers that no longer describe the decoded body we archive.
_DROP_HEADERS = {"content-encoding", "transfer-encoding", "content-length", "connection"}


def base_url(service: str) -> str:
    """The root URL of ``service`` (e.g. ``"bills"``), from the environment or the default."""
    env, default = BASE_URL_DEFAULTS[service]
    return os.environ.get(env, default).rstrip("/")


def build_url(url: str, params: Mapping[str, Any] | None = None) -> str:
    """The exact URL a GET with ``params`` requests (the key used for replay)."""
    if not params:
        return url
    return requests.Request("GET", url, params=dict(params)).prepare().url or url


@dataclass
class Response:
    """One HTTP response as archived: enough to parse it and to trace it."""

    url: str
    status: int
    headers: dict[str, str]
    body: bytes
    fetched_at: str
    from_cache: bool = False

    def json(self, source: str) -> Any:
        """The body as JSON, or a :class:`TrackerError` naming the source and URL."""
        try:
            return json.loads(self.body.decode("utf-8-sig"))
        except (ValueError, UnicodeDecodeError) as exc:
            raise TrackerError(f"malformed JSON response: {exc}", source=source, url=self.url) from None

    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


@dataclass
class ReplayArchive:
    """Responses read from WARC files, answered by exact URL (later files win)."""

    paths: list[str]
    responses: dict[str, Response] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for path in self.paths:
            try:
                with open(path, "rb") as fh:
                    for record in ArchiveIterator(fh):
                        if record.rec_type != "response":
                            continue
                        url = record.rec_headers.get_header("WARC-Target-URI")
                        status = int(record.http_headers.get_statuscode())
                        headers = dict(record.http_headers.headers)
                        body = record.content_stream().read()
                        fetched = record.rec_headers.get_header("WARC-Date")
                        if status == 304 and url in self.responses:
                            continue
                        self.responses[url] = Response(url, status, headers, body, fetched)
            except OSError as exc:
                raise TrackerError(f"cannot read replay archive: {exc.strerror}", source="replay", url=str(path)) from None
            except Exception as exc:  # warcio raises plain exceptions on a damaged file
                raise TrackerError(f"not a readable WARC file: {exc}", source="replay", url=str(path)) from None

    def get(self, url: str, source: str) -> Response:
        try:
            response = self.responses[url]
        except KeyError:
            raise TrackerError("not in the replay archive", source=source, url=url) from None
        if response.status == 304:
            # A conditional request's answer: the body is in the archive of an earlier run.
            raise TrackerError(
                "only a 304 Not Modified is archived for this URL: replay with the earlier run's archive too",
                source=source, url=url,
            )
        return response


class ResponseCache(Protocol):
    """Where conditional requests keep their validators and bodies (``tracker.store`` has one)."""

    def get(self, url: str) -> tuple[str | None, str | None, bytes] | None: ...

    def put(self, url: str, etag: str | None, last_modified: str | None, body: bytes, content_type: str | None) -> None: ...


class HttpClient:
    """One polite, retrying, archiving HTTP client shared by every scraper.

    ``archive_path``: the WARC file this run appends to (None: no archive).
    ``replay``: WARC paths to answer from instead of the network.
    ``cache``: an object with ``get(url) -> (etag, last_modified, body) | None`` and
    ``put(url, etag, last_modified, body, content_type)`` for conditional requests.
    ``sleep`` and ``clock`` are injectable so tests never wait on the wall clock.
    ``on_retry(seconds, retry, max_retries, url)`` is told of each wait before a retry.
    ``session``: a ``requests.Session`` to use (with its own transport adapters mounted,
    as the bundled sample's offline API is).
    """

    def __init__(
        self,
        *,
        archive_path: str | None = None,
        replay: Iterable[str] = (),
        cache: ResponseCache | None = None,
        rate_limit: float = 5.0,
        timeout: tuple[float, float] = (10, 60),
        max_retries: int = 5,
        backoff: float = 1.0,
        max_backoff: float = 60.0,
        user_agent: str = USER_AGENT,
        sleep: Callable[[float], None] | None = None,
        clock: Callable[[], float] | None = None,
        session: requests.Session | None = None,
        on_retry: Callable[[float, int, int, str], None] | None = None,
    ) -> None:
        self.session = session or requests.Session()
        self.on_retry = on_retry
        self.session.headers.update({"User-Agent": user_agent, "Accept": "application/json"})
        self.timeout = timeout
        self.max_retries = max_retries
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.min_interval = 1.0 / rate_limit if rate_limit else 0.0
        self.cache = cache
        self.sleep = time.sleep if sleep is None else sleep
        self.clock = time.monotonic if clock is None else clock
        self.replay = ReplayArchive(list(replay)) if replay else None
        self.archive_path = None if self.replay else archive_path
        self._archive: tuple[BinaryIO, Any] | None = None  # the open file and its WARCWriter
        self._next_request_at: dict[str, float] = {}
        self._lock = threading.Lock()
        self.requests = 0
        self.bytes = 0

    # -- public ---------------------------------------------------------------

    def get(self, url: str, params: Mapping[str, Any] | None = None, *, source: str, accept: str | None = None) -> Response:
        """GET ``url`` with ``params``; return a :class:`Response` with status 200.

        Raises :class:`TrackerError` for a 404 or other client error, a malformed
        reply, or when retries are exhausted; the message names ``source`` and the URL.
        """
        full_url = build_url(url, params)
        if self.replay:
            response = self.replay.get(full_url, source)
            self._count(len(response.body))
            return self._check(response, source)
        response = self._fetch_with_retries(full_url, source, accept)
        return self._check(response, source)

    def resolves(self, url: str, params: Mapping[str, Any] | None = None, *, source: str) -> bool:
        """Whether ``url`` still answers: False when it answers 404 or 410 (the record is gone
        upstream), True for a 200; any other failure is a :class:`TrackerError` (no evidence either way)."""
        full_url = build_url(url, params)
        if self.replay:
            response = self.replay.get(full_url, source)
            self._count(len(response.body))
        else:
            response = self._fetch_with_retries(full_url, source, None)
        if response.status in GONE_STATUSES:
            return False
        self._check(response, source)
        return True

    def get_json(self, url: str, params: Mapping[str, Any] | None = None, *, source: str) -> tuple[Any, Response]:
        """GET and decode JSON; returns ``(data, response)``."""
        response = self.get(url, params, source=source)
        return response.json(source), response

    def get_paged(self, url: str, params: Mapping[str, Any] | None = None, *, source: str, skip: str = "Skip", take: str = "Take",
                  page_size: int = 20, items_key: str | None = "items", total_key: str = "totalResults") -> Iterator[tuple[list[Any], Response]]:
        """Yield ``(items, response)`` for each page until ``total_key`` items are read.

        Paging parameters differ by service (Bills API ``Skip``/``Take``, Members API
        ``skip``/``take``), so their names are arguments. With ``items_key=None`` each
        page is a bare JSON array (the Votes APIs' searches); where a page carries no
        total, paging stops at the first empty page, not a short one, so a server
        that caps the page size cannot cut the results short.
        """
        offset = 0
        previous: list[Any] | None = None
        while True:
            page_params = dict(params or {})
            page_params[skip] = offset
            page_params[take] = page_size
            data, response = self.get_json(url, page_params, source=source)
            if items_key is None:
                if not isinstance(data, list):
                    raise TrackerError("malformed page: not a JSON array", source=source, url=response.url)
                items, total = data, None
            else:
                if not isinstance(data, dict) or not isinstance(data.get(items_key), list):
                    raise TrackerError(f"malformed page: no '{items_key}' list", source=source, url=response.url)
                items, total = data[items_key], data.get(total_key)
                if total is not None and (isinstance(total, bool) or not isinstance(total, int) or total < 0):
                    raise TrackerError(f"malformed page: '{total_key}' is {total!r}, not a count", source=source, url=response.url)
            if items and items == previous:
                # A server that ignores the offset answers the same page forever.
                raise TrackerError(f"the same page again at {skip}={offset}: the server ignores paging", source=source, url=response.url)
            if items:
                yield items, response
            previous = items
            offset += len(items)
            if total is not None and not items and offset < total:
                # A listing cut short is no evidence that what it lacks is gone.
                raise TrackerError(f"the listing ended at {offset} of the {total} items its '{total_key}' promised",
                                   source=source, url=response.url)
            if not items or (total is not None and offset >= total):
                return

    def close(self) -> None:
        if self._archive:
            self._archive[0].close()
            self._archive = None
        self.session.close()

    def __enter__(self) -> "HttpClient":
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None) -> None:
        self.close()

    # -- internals ------------------------------------------------------------

    def _check(self, response: Response, source: str) -> Response:
        if response.status == 200:
            return response
        if response.status == 404:
            raise TrackerError("not found (HTTP 404)", source=source, url=response.url)
        raise TrackerError(f"HTTP {response.status}", source=source, url=response.url)

    def _fetch_with_retries(self, url: str, source: str, accept: str | None) -> Response:
        headers: dict[str, str] = {}
        if accept:
            headers["Accept"] = accept
        cached = self.cache.get(url) if self.cache else None
        if cached:
            etag, last_modified, _ = cached
            if etag:
                headers["If-None-Match"] = etag
            if last_modified:
                headers["If-Modified-Since"] = last_modified
        attempt = 0
        while True:
            self._wait_for_slot(url)
            try:
                raw = self.session.get(url, headers=headers, timeout=self.timeout)
                _check_length(raw)
            except (*RETRY_ERRORS, TruncatedBody) as exc:
                self._count(0)
                if attempt >= self.max_retries:
                    raise TrackerError(f"{_failure(exc)} after {attempt + 1} attempts", source=source, url=url) from None
                self._wait_to_retry(self._backoff_delay(attempt, None), attempt, url)
                attempt += 1
                continue
            except requests.RequestException as exc:
                self._count(0)
                raise TrackerError(f"request failed: {exc}", source=source, url=url) from None
            response = self._record(url, raw, source)
            if raw.status_code in RETRY_STATUSES and attempt < self.max_retries:
                self._wait_to_retry(self._backoff_delay(attempt, raw.headers.get("Retry-After")), attempt, url)
                attempt += 1
                continue
            if raw.status_code in RETRY_STATUSES:
                raise TrackerError(
                    f"HTTP {raw.status_code} after {attempt + 1} attempts", source=source, url=url
                )
            if raw.status_code == 304 and cached:
                return Response(url, 200, response.headers, cached[2], response.fetched_at, from_cache=True)
            if raw.status_code == 200 and self.cache:
                etag = raw.headers.get("ETag")
                last_modified = raw.headers.get("Last-Modified")
                if etag or last_modified:
                    self.cache.put(url, etag, last_modified, response.body, raw.headers.get("Content-Type"))
            return response

    def _wait_for_slot(self, url: str) -> None:
        """Wait for this host's next polite moment (each host keeps its own pace)."""
        host = urlsplit(url).netloc
        with self._lock:
            now = self.clock()
            start = max(now, self._next_request_at.get(host, 0.0))
            self._next_request_at[host] = start + self.min_interval
        if start > now:
            self.sleep(start - now)

    def _count(self, nbytes: int) -> None:
        with self._lock:
            self.requests += 1
            self.bytes += nbytes

    def _wait_to_retry(self, seconds: float, attempt: int, url: str) -> None:
        """Sleep before retry ``attempt + 1``, first telling ``on_retry`` (a progress display)."""
        if self.on_retry:
            self.on_retry(seconds, attempt + 1, self.max_retries, url)
        self.sleep(seconds)

    def _backoff_delay(self, attempt: int, retry_after: str | None) -> float:
        """Seconds to wait before retry ``attempt + 1``: Retry-After if given, else exponential with jitter."""
        wait = parse_retry_after(retry_after)
        if wait is not None:
            return min(wait, self.max_backoff * 5)
        return min(self.max_backoff, self.backoff * (2**attempt)) * (0.5 + random.random() / 2)

    def _record(self, url: str, raw: requests.Response, source: str) -> Response:
        body = raw.content
        self._count(len(body))
        fetched_at = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        headers = {k: v for k, v in raw.headers.items() if k.lower() not in _DROP_HEADERS}
        response = Response(url, raw.status_code, headers, body, fetched_at)
        if self.archive_path:
            self._write_warc(self.archive_path, response, raw.reason or "", source)
        return response

    def _write_warc(self, archive_path: str, response: Response, reason: str, source: str) -> None:
        with self._lock:  # one record at a time, whichever thread fetched it
            if self._archive is None:
                try:
                    os.makedirs(os.path.dirname(os.path.abspath(archive_path)), exist_ok=True)
                    opened = open(archive_path, "ab")
                except OSError as exc:
                    raise TrackerError(f"cannot write the archive {archive_path}: {exc.strerror or exc}",
                                       source=source, url=response.url) from None
                self._archive = (opened, WARCWriter(opened, gzip=True))
            fh, writer = self._archive
            write_warc_response(writer, response, reason)
            fh.flush()


def _check_length(raw: requests.Response) -> None:
    """Raise :class:`TruncatedBody` when a plain body is shorter than its Content-Length."""
    declared = raw.headers.get("Content-Length")
    if raw.headers.get("Content-Encoding") or not declared or not declared.isdigit() or raw.request.method == "HEAD":
        return
    if raw.status_code not in (204, 304) and len(raw.content) < int(declared):
        raise TruncatedBody(f"{len(raw.content)} of {declared} bytes")


def _failure(exc: BaseException) -> str:
    """How one failed attempt reads in the final error."""
    if isinstance(exc, requests.Timeout):
        return "timed out"
    if isinstance(exc, (TruncatedBody, requests.exceptions.ChunkedEncodingError, requests.exceptions.ContentDecodingError)):
        return "body cut off mid-transfer"
    return "connection failed"


def write_warc_response(writer: Any, response: Response, reason: str = "OK", record_id: str | None = None) -> None:
    """Append one :class:`Response` to a warcio ``WARCWriter`` as a response record.

    ``record_id``: the record's ``WARC-Record-ID`` (``<urn:uuid:...>``), for an archive
    that must be the same on every rebuild; warcio makes a random one otherwise.
    """
    header_list = list(response.headers.items()) + [("Content-Length", str(len(response.body)))]
    http_headers = StatusAndHeaders(f"{response.status} {reason}".strip(), header_list, protocol="HTTP/1.1")
    warc_headers = {"WARC-Date": response.fetched_at}
    if record_id:
        warc_headers["WARC-Record-ID"] = record_id
    record = writer.create_warc_record(
        response.url,
        "response",
        payload=io.BytesIO(response.body),
        http_headers=http_headers,
        warc_headers_dict=warc_headers,
    )
    writer.write_record(record)


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or HTTP-date), or None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())
