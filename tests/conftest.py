"""Shared fixtures: fresh databases in tmp paths and a local server speaking the real APIs."""
import hashlib
import json
import re
from pathlib import Path

import pytest
from werkzeug import Response

from scrapers.http import BASE_URL_DEFAULTS
from tracker import store
from tracker.sampleapi import SampleApi

FIXTURES = Path(__file__).parent / "fixtures"
SHARED = Path(__file__).resolve().parents[2] / "shared" / "parliament"


def load_fixture(*parts):
    return json.loads((FIXTURES.joinpath(*parts)).read_text(encoding="utf-8"))


def shared_example(name):
    """A real example response from ../shared, or skip where a clone has no ../shared."""
    path = SHARED / "examples" / name
    if not path.exists():
        pytest.skip(f"{path} is absent (no ../shared beside this clone)")
    return json.loads(path.read_text(encoding="utf-8"))


class LocalApi:
    """A local HTTP server answering every service from a :class:`SampleApi`.

    Each service lives under its own prefix (``/bills``, ``/members`` ...), and the
    ``TRACKER_*_URL`` variables point there. Tests inject faults (a 429 with
    Retry-After, a 500) with :meth:`fail`, mutate ``api.bills`` to play upstream
    changes, and read ``requests`` to see what the client asked for. Responses
    carry an ``ETag`` and honour ``If-None-Match`` as the real services do.
    """

    def __init__(self, httpserver, api):
        self.httpserver = httpserver
        self.api = api
        self.requests = []
        self.faults = []
        httpserver.expect_request(re.compile(".*")).respond_with_handler(self.handle)

    def url(self, service):
        return self.httpserver.url_for(f"/{service}").rstrip("/")

    def fail(self, path_pattern, status, *, times=1, headers=None, body=""):
        """The next ``times`` requests whose path matches answer ``status``."""
        self.faults.append({"pattern": re.compile(path_pattern), "status": status, "times": times, "headers": headers or {}, "body": body})

    def paths(self, service="bills"):
        prefix = f"/{service}"
        return [r["path"][len(prefix):] for r in self.requests if r["path"].startswith(prefix + "/")]

    def handle(self, request):
        self.requests.append({"path": request.path, "query": request.query_string.decode(), "headers": dict(request.headers)})
        for fault in self.faults:
            if fault["times"] > 0 and fault["pattern"].search(request.path):
                fault["times"] -= 1
                return Response(fault["body"], status=fault["status"], headers=fault["headers"])
        service, _, path = request.path.lstrip("/").partition("/")
        status, body = self.api.respond(service, "/" + path, request.args.to_dict(flat=False))
        if isinstance(body, (str, bytes)):
            payload = body.encode("utf-8") if isinstance(body, str) else body
            content_type = "application/xml; charset=utf-8"
        else:
            payload = json.dumps(body, ensure_ascii=False).encode("utf-8")
            content_type = "application/json; charset=utf-8"
        etag = '"' + hashlib.sha1(payload).hexdigest()[:16] + '"'
        if status == 200 and request.headers.get("If-None-Match") == etag:
            return Response(status=304, headers={"ETag": etag})
        return Response(payload, status=status, content_type=content_type, headers={"ETag": etag} if status == 200 else {})


@pytest.fixture
def small_bill():
    """The small Bills API fixture (bill 3159: 4 stages, 27 amendments, 2 ping-pong items)."""
    return load_fixture("bills", "small_bill.json")


@pytest.fixture
def local_api(httpserver, monkeypatch, small_bill):
    """A :class:`LocalApi` serving the small fixture, with every TRACKER_*_URL pointing at it."""
    local = LocalApi(httpserver, SampleApi(small_bill))
    for service, (env, _) in BASE_URL_DEFAULTS.items():
        monkeypatch.setenv(env, local.url(service))
    return local


@pytest.fixture
def db_path(tmp_path):
    return str(tmp_path / "tracker.db")


@pytest.fixture
def db(db_path):
    database = store.open_db(db_path)
    yield database
    database.close()


NO_WAIT = {"sleep": lambda seconds: None}
