"""The bundled sample's content, answered as the real services answer it.

``tracker/sample/*.json`` hold the sample's content as the real services return
their objects (a ``Bill``, ``StageSummary``, ``AmendmentDetail`` ...). :class:`SampleApi`
answers the services' own paths over that content, with the real paging, list
shapes and 404s. It is the tests' only fake of the services: :class:`fakes.server.SampleServer`
serves it over HTTP to the real client, archive and parsers, and ``make sample``
records the demo sync from it into the packaged WARC that ``tracker demo`` replays.
Where the services filter (a current member, a debate title) it applies the
client's own rules, imported from ``scrapers``, so the two cannot drift apart.
"""
import copy
import json
import re
from pathlib import Path

from scrapers.hansard import normalise_title
from scrapers.members import is_current

SAMPLE_DIR = Path(__file__).resolve().parents[2] / "tracker" / "sample"

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
    """No sample record answers this path: the service's 404."""


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

    def __init__(self, bills=None, parliament=None):
        self.bills = copy.deepcopy(bills if bills is not None else load_sample("bills_api.json") or {})
        self.parliament = copy.deepcopy(parliament if parliament is not None else load_parliament_sample())
        self.routes = []
        self.route("bills", r"/api/v1/Bills", self._bill_search)
        self.route("bills", r"/api/v1/Bills/(\d+)", self._bill)
        self.route("bills", r"/api/v1/Bills/(\d+)/Stages", self._stages)
        self.route("bills", r"/api/v1/Bills/(\d+)/Stages/(\d+)", self._stage)
        self.route("bills", r"/api/v1/Bills/(\d+)/Stages/(\d+)/Amendments", self._amendments)
        self.route("bills", r"/api/v1/Bills/(\d+)/Stages/(\d+)/Amendments/(\d+)", self._amendment)
        self.route("bills", r"/api/v1/Bills/(\d+)/Stages/(\d+)/PingPongItems", self._pingpong_list)
        self.route("bills", r"/api/v1/Bills/(\d+)/Stages/(\d+)/PingPongItems/(\d+)", self._pingpong_item)
        self.route("members", r"/api/Members/Search", self._members_search)
        self.route("members", r"/api/Members/History", self._members_history)
        self.route("members", r"/api/Members/(\d+)", self._member)
        self.route("hansard", r"/search/debates\.json", self._debate_search)
        self.route("hansard", r"/debates/debate/([0-9A-Za-z-]+)\.json", self._debate)
        self.route("commonsvotes", r"/data/divisions\.json/search", self._commons_search)
        self.route("commonsvotes", r"/data/division/(\d+)\.json", self._commons_division)
        self.route("lordsvotes", r"/data/Divisions/search", self._lords_search)
        self.route("lordsvotes", r"/data/Divisions/(\d+)", self._lords_division)
        self.route("questions", r"/api/writtenquestions/questions", self._questions_search)
        self.route("questions", r"/api/writtenquestions/questions/(\d+)", self._question)
        self.route("questions", r"/api/writtenstatements/statements", self._statements_search)
        self.route("legislation", r"/([a-z]+)/(\d{4})/(\d+)/data\.xml", self._legislation_item)
        self._route_publications()

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

    def _stage(self, query, bill_id, stage_id):
        for stage in self.bills.get("stages", {}).get(bill_id, []):
            if str(stage["id"]) == stage_id:
                return stage
        raise NotFound

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


    # -- Bills API: publications and their documents (bill versions) --------------------
    # publications.json: {"publications": {billId: BillPublicationList}}; a file's bytes come from
    # sample/prints/<filename>, or from ``documents[(publicationId, documentId)]`` where a test sets them.

    def _route_publications(self):
        self.publications = copy.deepcopy((load_sample("publications.json") or {}).get("publications") or {})
        self.documents = {}
        self.route("bills", r"/api/v1/Bills/(\d+)/Publications", self._bill_publications)
        self.route("bills", r"/api/v1/Publications/(\d+)/Documents/(\d+)/Download", self._document_download)

    def _bill_publications(self, query, bill_id):
        self._bill(query, bill_id)
        return self.publications.get(bill_id) or {"billId": int(bill_id), "publications": []}

    def _document_download(self, query, publication_id, document_id):
        key = (int(publication_id), int(document_id))
        if key in self.documents:
            return self.documents[key]
        for listing in self.publications.values():
            for publication in listing.get("publications") or []:
                if publication.get("id") != key[0]:
                    continue
                for item in publication.get("files") or []:
                    path = SAMPLE_DIR / "prints" / (item.get("filename") or "")
                    if item.get("id") == key[1] and path.is_file():
                        return path.read_bytes()
        raise NotFound

    # -- legislation.gov.uk -----------------------------------------------------

    def _legislation_item(self, query, kind, year, number):
        path = SAMPLE_DIR / "legislation" / f"{kind}-{year}-{number}.xml"
        if not path.exists():
            raise NotFound
        return path.read_bytes()


    # -- Members API -------------------------------------------------------------
    # parliament["members"]: MemberItem list (members_search.json's items, plus any added).

    def _member_items(self):
        return self.parliament.get("members") or []

    def _members_search(self, query):
        items = self._member_items()
        house = _first(query, "House")
        if house:
            items = [i for i in items if str((i["value"].get("latestHouseMembership") or {}).get("house")) == str(house)]
        current = (_first(query, "IsCurrentMember") or "").lower()
        if current in ("true", "false"):
            items = [i for i in items if is_current(i["value"]) == (current == "true")]
        name = (_first(query, "Name") or "").lower()
        if name:
            items = [i for i in items if name in (i["value"].get("nameDisplayAs") or "").lower()]
        skip = int(_first(query, "skip") or 0)
        take = min(int(_first(query, "take") or 20), 20)
        return {
            "items": items[skip : skip + take],
            "totalResults": len(items),
            "resultContext": "",
            "skip": skip,
            "take": take,
            "links": [{"rel": "self", "href": f"/Members/Search?skip={skip}&take={take}", "method": "GET"}],
        }

    def _member(self, query, member_id):
        for item in self._member_items():
            if str(item["value"]["id"]) == member_id:
                return item
        raise NotFound

    def _members_history(self, query):
        recorded = {str(h["value"]["id"]): h for h in self.parliament.get("members_history") or []}
        out = []
        for member_id in query.get("ids") or []:
            if member_id in recorded:
                out.append(recorded[member_id])
                continue
            try:
                value = self._member(query, member_id)["value"]
            except NotFound:
                continue
            membership = value.get("latestHouseMembership") or {}
            out.append({
                "value": {
                    "id": value["id"],
                    "nameHistory": [{k: value.get(k) for k in ("nameDisplayAs", "nameListAs", "nameFullTitle", "nameAddressAs")}
                                    | {"startDate": membership.get("membershipStartDate"), "endDate": membership.get("membershipEndDate")}],
                    "partyHistory": [{"party": value.get("latestParty"), "startDate": membership.get("membershipStartDate"), "endDate": membership.get("membershipEndDate")}],
                    "houseMembershipHistory": [membership],
                    "thumbnailUrl": value.get("thumbnailUrl"),
                },
                "links": [{"rel": "self", "href": f"/Members/{value['id']}", "method": "GET"}],
            })
        return out

    # -- Hansard API ---------------------------------------------------------------
    # parliament["debates"]: top-level Debate objects (children nested in ChildDebates).

    def _sections(self):
        def walk(debate):
            yield debate
            for child in debate.get("ChildDebates") or []:
                yield from walk(child)

        for debate in self.parliament.get("debates") or []:
            yield from walk(debate)

    def _debate_search(self, query):
        term = normalise_title(_first(query, "queryParameters.searchTerm") or "")
        house = _first(query, "queryParameters.house")
        start = (_first(query, "queryParameters.startDate") or "")[:10]
        end = (_first(query, "queryParameters.endDate") or "")[:10]
        found = []
        for section in self._sections():
            overview = section["Overview"]
            date = (overview.get("Date") or "")[:10]
            if term and term not in normalise_title(overview.get("Title")):
                continue
            if house and overview.get("House") != house:
                continue
            if (start and date < start) or (end and date > end):
                continue
            found.append({
                "DebateSection": overview.get("Location"),
                "SittingDate": overview.get("Date"),
                "House": overview.get("House"),
                "Title": overview.get("Title"),
                "Rank": 0,
                "DebateSectionExtId": overview.get("ExtId"),
            })
        skip = int(_first(query, "queryParameters.skip") or 0)
        take = int(_first(query, "queryParameters.take") or 20)
        return {"Results": found[skip : skip + take], "TotalResultCount": len(found)}

    def _debate(self, query, ext_id):
        for section in self._sections():
            if section["Overview"].get("ExtId", "").lower() == ext_id.lower():
                return section
        raise NotFound

    # -- Commons Votes and Lords Votes APIs ----------------------------------------------

    def _vote_search(self, divisions, query, keys, list_keys, prefix=""):
        title_key, date_key = keys
        term = (_first(query, prefix + ("searchTerm" if prefix else "SearchTerm")) or "").lower()
        start = (_first(query, prefix + ("startDate" if prefix else "StartDate")) or "")[:10]
        end = (_first(query, prefix + ("endDate" if prefix else "EndDate")) or "")[:10]
        found = []
        for division in divisions:
            date = (division.get(date_key) or "")[:10]
            if term and term not in (division.get(title_key) or "").lower():
                continue
            if (start and date < start) or (end and date > end):
                continue
            found.append({k: ([] if k in list_keys else v) for k, v in division.items()})
        skip = int(_first(query, prefix + "skip") or 0)
        take = int(_first(query, prefix + "take") or 25)
        return found[skip : skip + take]

    def _commons_search(self, query):
        return self._vote_search(self.parliament.get("commons_divisions") or [], query, ("Title", "Date"),
                                 ("Ayes", "Noes", "AyeTellers", "NoTellers", "NoVoteRecorded"), prefix="queryParameters.")

    def _commons_division(self, query, division_id):
        for division in self.parliament.get("commons_divisions") or []:
            if str(division["DivisionId"]) == division_id:
                return division
        raise NotFound

    def _lords_search(self, query):
        return self._vote_search(self.parliament.get("lords_divisions") or [], query, ("title", "date"),
                                 ("contents", "notContents", "contentTellers", "notContentTellers"))

    def _lords_division(self, query, division_id):
        for division in self.parliament.get("lords_divisions") or []:
            if str(division["divisionId"]) == division_id:
                return division
        raise NotFound

    # -- Written Questions and Statements API -----------------------------------------

    def _written_search(self, items, query, text_keys):
        term = (_first(query, "searchTerm") or "").lower()
        expand = (_first(query, "expandMember") or "").lower() == "true"
        found = []
        for item in items:
            if term and not any(term in (item.get(k) or "").lower() for k in text_keys):
                continue
            if not expand:
                item = {k: (None if k in ("askingMember", "answeringMember", "correctingMember", "member") else v) for k, v in item.items()}
            found.append({"value": item, "links": [{"rel": "self", "href": f"/api/writtenquestions/questions/{item['id']}", "method": "GET"}]})
        skip = int(_first(query, "skip") or 0)
        take = int(_first(query, "take") or 20)
        return {"results": found[skip : skip + take], "totalResults": len(found)}

    def _questions_search(self, query):
        items = self.parliament.get("questions") or []
        if (_first(query, "includeWithdrawn") or "").lower() != "true":
            items = [q for q in items if not q.get("isWithdrawn")]
        return self._written_search(items, query, ("heading", "questionText", "answerText"))

    def _question(self, query, question_id):
        for item in self.parliament.get("questions") or []:
            if str(item["id"]) == question_id:
                return {"value": item, "links": []}
        raise NotFound

    def _statements_search(self, query):
        return self._written_search(self.parliament.get("statements") or [], query, ("title", "text"))


def load_parliament_sample():
    """The sample's Members, Hansard, Votes and Questions content, keyed for :class:`SampleApi`."""
    search = load_sample("members_search.json") or {}
    history = load_sample("members_history.json") or {}
    extra = load_sample("members_extra.json") or {}
    hansard = load_sample("hansard.json") or {}
    divisions = load_sample("divisions.json") or {}
    written = load_sample("questions.json") or {}
    return {
        "members": (search.get("items") or []) + (extra.get("items") or []),
        "members_history": history.get("items") or [],
        "debates": hansard.get("debates") or [],
        "commons_divisions": divisions.get("commons") or [],
        "lords_divisions": divisions.get("lords") or [],
        "questions": written.get("questions") or [],
        "statements": written.get("statements") or [],
    }
