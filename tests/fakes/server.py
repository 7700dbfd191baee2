"""The one adapter between the sample's fake services and the real client: a local HTTP server."""
import hashlib
import json
import re

from werkzeug import Request, Response

from scrapers.http import BASE_URL_DEFAULTS


class SampleServer:
    """Every service of a :class:`fakes.sampleapi.SampleApi` on one local HTTP server.

    ``httpserver`` is a ``pytest_httpserver.HTTPServer`` (the tests' fixture, or one
    started by ``make sample``). Each service lives under its own prefix (``/bills``,
    ``/members`` ...); :meth:`environ` gives the ``TRACKER_*_URL`` values pointing
    there. Tests inject faults (a 429 with Retry-After, a 500) with :meth:`fail` and
    bodies cut off mid-transfer with :meth:`truncate`, mutate ``api`` to play upstream
    changes, and read ``requests`` to see what the client asked for. Responses carry an ``ETag`` and honour ``If-None-Match`` as
    the real services do.
    """

    def __init__(self, httpserver, api):
        self.httpserver = httpserver
        self.api = api
        self.requests = []
        self.faults = []
        httpserver.expect_request(re.compile(".*")).respond_with_handler(self.handle)

    def url(self, service: str) -> str:
        """The root at which ``service`` is served (what its ``TRACKER_*_URL`` is set to)."""
        return self.httpserver.url_for(f"/{service}").rstrip("/")

    def environ(self) -> dict:
        """``TRACKER_*_URL`` -> this server's root of that service, for every service."""
        return {env: self.url(service) for service, (env, _) in BASE_URL_DEFAULTS.items()}

    def fail(self, path_pattern: str, status: int, *, times=1, headers=None, body="", every=1) -> None:
        """The next ``times`` requests whose path matches answer ``status`` (every one until
        ``faults`` is cleared when ``times`` is None); with ``every=n``, only each n-th of them."""
        self._add_fault(path_pattern, times, every, lambda request: Response(body, status=status, headers=headers or {}))

    def truncate(self, path_pattern: str, *, times=1, every=1) -> None:
        """Cut off the next ``times`` answers to matching paths (or each ``every``-th of them):
        the service's own answer, declaring its whole ``Content-Length``, stops after half its
        body and the connection closes, as a transfer dropped mid-way reaches the client. A
        conditional request is answered in full (no 304), so a rerun meets the fault too."""
        self._add_fault(path_pattern, times, every, lambda request: cut_off(self.answer(request, conditional=False)))

    def _add_fault(self, path_pattern, times, every, respond) -> None:
        # ``seen``: matching requests so far; ``met``: how many of them the fault answered.
        self.faults.append({"pattern": re.compile(path_pattern), "times": times, "every": every, "respond": respond,
                            "seen": 0, "met": 0})

    def paths(self, service="bills") -> list:
        """The paths requested of ``service``, in order, without its prefix."""
        return [path for path, _ in self.calls(service)]

    def calls(self, service) -> list:
        """``(path, query)`` of each request to ``service``, in order; ``query`` maps names to lists of values."""
        prefix = f"/{service}"
        return [(r["path"][len(prefix):], r["args"]) for r in self.requests if r["path"].startswith(prefix + "/")]

    def handle(self, request: Request) -> Response:
        args = request.args.to_dict(flat=False)
        self.requests.append({"path": request.path, "query": request.query_string.decode(), "args": args, "headers": dict(request.headers)})
        for fault in self.faults:
            if fault["times"] != 0 and fault["pattern"].search(request.path):
                fault["seen"] += 1
                if fault["seen"] % fault["every"]:
                    continue
                if fault["times"] is not None:
                    fault["times"] -= 1
                fault["met"] += 1
                return fault["respond"](request)
        return self.answer(request)

    def answer(self, request: Request, *, conditional: bool = True) -> Response:
        """What the fake service answers ``request`` when nothing fails (honouring ``If-None-Match``
        when ``conditional``)."""
        service, _, path = request.path.lstrip("/").partition("/")
        status, body = self.api.respond(service, "/" + path, request.args.to_dict(flat=False))
        if isinstance(body, (str, bytes)):
            payload = body.encode("utf-8") if isinstance(body, str) else body
            content_type = "application/xml; charset=utf-8"
        else:
            payload = json.dumps(body, ensure_ascii=False).encode("utf-8")
            content_type = "application/json; charset=utf-8"
        etag = '"' + hashlib.sha1(payload).hexdigest()[:16] + '"'
        if conditional and status == 200 and request.headers.get("If-None-Match") == etag:
            return Response(status=304, headers={"ETag": etag})
        return Response(payload, status=status, content_type=content_type, headers={"ETag": etag} if status == 200 else {})


def cut_off(response: Response) -> Response:
    """``response`` with only the first half of its body but its whole ``Content-Length``.

    Werkzeug writes a response's ``Content-Length`` as given (it computes one only where
    none is set) and closes every connection after one response, so the client reads
    the short body, then the end of the stream: what a transfer dropped mid-way looks
    like.
    """
    payload = response.get_data()
    short = Response(payload[: len(payload) // 2], status=response.status_code,
                     headers=[(k, v) for k, v in response.headers.items() if k.lower() != "content-length"])
    short.headers["Content-Length"] = str(len(payload))
    return short
