"""The bundled sample, served offline as the real APIs serve it.

``tracker/sample/*.json`` hold the sample's content as the real services return
their objects (a ``Bill``, ``StageSummary``, ``AmendmentDetail`` ...). :class:`SampleApi`
answers the services' own paths over that content, with the real paging, list
shapes and 404s, so the demo and the tests run the real client, archive and
parsers against it: mounted on a ``requests.Session`` as a transport adapter for
``tracker demo``, and behind a local HTTP server in the tests.
"""
import copy
import json
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import requests
from requests.adapters import BaseAdapter

from scrapers.http import BASE_URL_DEFAULTS, base_url

SAMPLE_DIR = Path(__file__).parent / "sample"

# Fields of an AmendmentDetail that its search-list item does not carry (and vice versa).
_DETAIL_ONLY = ("amendmentLines", "explanatoryText", "explanatoryTextPrefix", "amendmentNote", "amendmentLocation", "mainHeader")
_LIST_ONLY = ("summaryText",)
_PINGPONG_DETAIL_ONLY = ("motionGroups", "amendmentGroups")


def load_sample(name):
    """One JSON file of the bundled sample, or None where it is absent."""
    path = SAMPLE_DIR / name
    if not path.exists():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


class NotFound(Exception):
    pass


def _page(items, query, skip="Skip", take="Take"):
    start = int(_first(query, skip) or 0)
    count = int(_first(query, take) or 20)
    return {"items": items[start : start + count], "totalResults": len(items), "itemsPerPage": count}


def _first(query, name):
    values = query.get(name)
    return values[0] if values else None


class SampleApi:
    """Answers requests to the sample's services: ``respond(service, path, query) -> (status, body)``.

    ``bills`` is the Bills API content (the shape of ``sample/bills_api.json``);
    other services register a handler with :meth:`route`. Tests mutate the content
    (a decision changes, an amendment appears) to play upstream changes.
    """

    def __init__(self, bills=None):
        self.bills = copy.deepcopy(bills if bills is not None else load_sample("bills_api.json") or {})
        self.routes = []
        self.route("bills", r"/api/v1/Bills", self._bill_search)
        self.route("bills", r"/api/v1/Bills/(\d+)", self._bill)
        self.route("bills", r"/api/v1/Bills/(\d+)/Stages", self._stages)
        self.route("bills", r"/api/v1/Bills/(\d+)/Stages/(\d+)/Amendments", self._amendments)
        self.route("bills", r"/api/v1/Bills/(\d+)/Stages/(\d+)/Amendments/(\d+)", self._amendment)
        self.route("bills", r"/api/v1/Bills/(\d+)/Stages/(\d+)/PingPongItems", self._pingpong_list)
        self.route("bills", r"/api/v1/Bills/(\d+)/Stages/(\d+)/PingPongItems/(\d+)", self._pingpong_item)
        self.route("legislation", r"/([a-z]+)/(\d{4})/(\d+)/data\.xml", self._legislation_item)

    def route(self, service, pattern, handler):
        """Answer ``service`` paths matching ``pattern`` with ``handler(query, *groups) -> body``."""
        self.routes.append((service, re.compile(pattern + r"/?$", re.IGNORECASE), handler))

    def respond(self, service, path, query):
        """``(status, body)`` for one GET; ``query`` maps names to lists of values."""
        for route_service, pattern, handler in self.routes:
            if route_service != service:
                continue
            match = pattern.match(path)
            if match:
                try:
                    return 200, handler(query, *match.groups())
                except NotFound:
                    break
        return 404, {"type": "https://tools.ietf.org/html/rfc7231#section-6.5.4", "title": "Not Found", "status": 404}

    # -- Bills API ---------------------------------------------------------------

    def _bill(self, query, bill_id):
        try:
            return self.bills["bills"][bill_id]
        except KeyError:
            raise NotFound from None

    def _bill_search(self, query):
        term = (_first(query, "SearchTerm") or "").lower()
        summary_keys = ("billId", "shortTitle", "formerShortTitle", "currentHouse", "originatingHouse", "lastUpdate",
                        "billWithdrawn", "isDefeated", "billTypeId", "introducedSessionId", "includedSessionIds", "isAct", "currentStage")
        found = [
            {k: bill.get(k) for k in summary_keys}
            for bill in self.bills.get("bills", {}).values()
            if term in (bill.get("shortTitle") or "").lower() or term in (bill.get("formerShortTitle") or "").lower()
        ]
        return _page(found, query)

    def _stages(self, query, bill_id):
        self._bill(query, bill_id)
        return _page(self.bills.get("stages", {}).get(bill_id, []), query)

    def _stage_amendments(self, bill_id, stage_id):
        if not any(str(s["id"]) == stage_id for s in self.bills.get("stages", {}).get(bill_id, [])):
            raise NotFound
        return self.bills.get("amendments", {}).get(stage_id, [])

    def _amendments(self, query, bill_id, stage_id):
        items = [
            {k: v for k, v in a.items() if k not in _DETAIL_ONLY}
            for a in self._stage_amendments(bill_id, stage_id)
        ]
        return _page(items, query)

    def _amendment(self, query, bill_id, stage_id, amendment_id):
        for amendment in self._stage_amendments(bill_id, stage_id):
            if str(amendment.get("amendmentId")) == amendment_id:
                return {k: v for k, v in amendment.items() if k not in _LIST_ONLY}
        raise NotFound

    def _stage_pingpong(self, bill_id, stage_id):
        self._stage_amendments(bill_id, stage_id)
        return self.bills.get("pingpong", {}).get(stage_id, [])

    def _pingpong_list(self, query, bill_id, stage_id):
        items = []
        for item in self._stage_pingpong(bill_id, stage_id):
            summary = {"type": item.get("type")}
            for part in ("amendment", "motion"):
                if item.get(part) is not None:
                    summary[part] = {k: v for k, v in item[part].items() if k not in _PINGPONG_DETAIL_ONLY}
                else:
                    summary[part] = None
            items.append(summary)
        return _page(items, query)

    def _pingpong_item(self, query, bill_id, stage_id, item_id):
        for item in self._stage_pingpong(bill_id, stage_id):
            part = item.get("motion") or item.get("amendment") or {}
            if str(part.get("id")) == item_id:
                return item
        raise NotFound


    # -- legislation.gov.uk -----------------------------------------------------

    def _legislation_item(self, query, kind, year, number):
        path = SAMPLE_DIR / "legislation" / f"{kind}-{year}-{number}.xml"
        if not path.exists():
            raise NotFound
        return path.read_bytes()


class SampleAdapter(BaseAdapter):
    """A ``requests`` transport that answers one service's URLs from a :class:`SampleApi`."""

    def __init__(self, api, service):
        super().__init__()
        self.api = api
        self.service = service

    def send(self, request, **kwargs):
        parts = urlsplit(request.url)
        status, body = self.api.respond(self.service, parts.path, parse_qs(parts.query))
        response = requests.Response()
        response.status_code = status
        response.reason = "OK" if status == 200 else "Not Found"
        response.url = request.url
        response.request = request
        if isinstance(body, (bytes, str)):
            content_type = "application/xml; charset=utf-8" if self.service == "legislation" else "text/plain"
            response._content = body.encode("utf-8") if isinstance(body, str) else body
        else:
            content_type = "application/json; charset=utf-8"
            response._content = json.dumps(body, ensure_ascii=False).encode("utf-8")
        response.headers["Content-Type"] = content_type
        return response

    def close(self):
        pass


def sample_session(api=None):
    """A ``requests.Session`` whose requests to every service's configured root are answered by ``api``."""
    api = api or SampleApi()
    session = requests.Session()
    for service in BASE_URL_DEFAULTS:
        session.mount(base_url(service) + "/", SampleAdapter(api, service))
    return session
