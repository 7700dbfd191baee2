"""The Datasette publication, in process, on real SQLite files built with the store.

The database is built through ``tracker.store`` (so the FTS triggers of m0004 and
the ``changes`` history are exercised as the sync exercises them); the canned
queries also run on the demo database.
"""
import asyncio
import json
import re
import sqlite3
import subprocess
import sys
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import sqlite_utils
from click.testing import CliRunner

from tracker import store
from tracker.cli import cli
from tracker.publish import pages, plugin, search, server, story

ATOM = "{http://www.w3.org/2005/Atom}"
SCRIPT = "<script>alert('owned')</script>"

BILL = 3159
A_SURVEILLANCE, A_PASSING, A_HEALTH = 101, 102, 103
LORD_ALTON, JANE_SMITH = 738, 4400
HIKVISION_TEXT = (
    "The Minister must publish a timeline for the removal of surveillance equipment made by Hikvision "
    f"from central government sites. {SCRIPT}"
)


def insert(db, table, row):
    db.execute(
        f"INSERT INTO [{table}] ({', '.join(f'[{k}]' for k in row)}) VALUES ({', '.join('?' for _ in row)})",
        list(row.values()),
    )


def mention(db, doc_table, doc_id, text, needle, label, entity_id):
    start = text.index(needle)
    insert(
        db,
        "mentions",
        {"doc_table": doc_table, "doc_id": str(doc_id), "field": "text", "start": start, "end": start + len(needle), "text": needle,
         "label": label, "entity_id": entity_id, "pipeline_version": "test",
         {"SUPPLIER": "supplier_id", "PROVISION": "provision_id", "MEMBER": "member_id"}[label]: entity_id},
    )


def amendment(number, amendment_id, stage, summary, text, sponsors, decision="NoDecision", clause=None):
    return {
        "amendment_id": amendment_id, "bill_id": BILL, "bill_stage_id": stage, "number": number, "decision": decision,
        "summary": summary, "text": text, "explanatory_text": None, "clause": clause,
        "sponsors": json.dumps(sponsors), "lead_sponsor_id": LORD_ALTON if "Lord Alton of Liverpool" in sponsors else JANE_SMITH,
        "source_url": f"https://bills-api.parliament.uk/api/v1/Bills/{BILL}/Stages/{stage}/Amendments/{amendment_id}",
    }


def build_db(path):
    """A small, linked tracker database: one bill, two stages, three amendments, members and history."""
    db = store.open_db(str(path))
    run = store.start_run(db, "test")
    t0, t1 = "2023-01-10T09:00:00+00:00", "2023-02-01T18:30:00+00:00"
    with store.transaction(db):
        store.upsert(db, "bills", {"bill_id": BILL, "short_title": "Procurement Bill [HL]", "current_house": "Commons"}, run_id=run, at=t0, bill_id=BILL)
        for stage_id, description, house, order, day in ((11, "Committee stage", "Lords", 3, "2022-07-06"), (22, "Report stage", "Commons", 9, "2023-01-09")):
            store.upsert(
                db, "bill_stages",
                {"bill_stage_id": stage_id, "bill_id": BILL, "description": description, "house": house, "sort_order": order, "first_sitting": day},
                run_id=run, at=t0, bill_id=BILL,
            )
        store.upsert(db, "members", {"member_id": LORD_ALTON, "name": "Lord Alton of Liverpool", "party": "Crossbench", "house": "Lords"}, run_id=run, at=t0)
        store.upsert(db, "members", {"member_id": JANE_SMITH, "name": "Jane Smith", "party": "Labour", "house": "Commons", "constituency": "Testshire"}, run_id=run, at=t0)
        rows = [
            amendment("NC1", A_SURVEILLANCE, 11, "Surveillance equipment: removal from government sites", HIKVISION_TEXT,
                      ["Lord Alton of Liverpool", "Jane Smith"], clause=12),
            amendment("47", A_PASSING, 22, "Contracting authorities: duties",
                      "A contracting authority must have regard to the procurement objectives, value for money, public benefit, "
                      "information sharing and integrity, and in a schedule to this Act the surveillance of equipment markets.",
                      ["Jane Smith"], clause=12),
            amendment("3", A_HEALTH, 11, "Health care services", "This Act does not apply to health care services.", ["Jane Smith"], decision="Withdrawn"),
        ]
        for row in rows:
            store.upsert(db, "amendments", row, run_id=run, at=t0, bill_id=BILL)
            sponsors = json.loads(row["sponsors"])
            ids = {"Lord Alton of Liverpool": LORD_ALTON, "Jane Smith": JANE_SMITH}
            store.replace_links(
                db, "amendment_sponsors", "amendment_id", row["amendment_id"],
                [{"amendment_id": row["amendment_id"], "member_id": ids[n], "is_lead": int(i == 0), "sort_order": i} for i, n in enumerate(sponsors)],
            )
        store.upsert(db, "bill_clauses", {"clause_id": "hl-12", "bill_id": BILL, "version": "HL Bill 4", "kind": "clause", "number": "12",
                                          "heading": "Exclusions", "text": "A supplier is an excluded supplier if..."}, run_id=run, at=t0, bill_id=BILL)
    # A later sync: the decision on NC1 changes (history is data).
    run2 = store.start_run(db, "test")
    with store.transaction(db):
        changed = amendment("NC1", A_SURVEILLANCE, 11, "Surveillance equipment: removal from government sites", HIKVISION_TEXT,
                            ["Lord Alton of Liverpool", "Jane Smith"], decision="Agreed", clause=12)
        assert store.upsert(db, "amendments", changed, run_id=run2, at=t1, bill_id=BILL) == "changed"
    with store.transaction(db):
        store.upsert(db, "debates", {"debate_id": "DEB-1", "title": "Procurement Bill [HL]", "date": "2022-07-06", "house": "Lords", "bill_id": BILL}, run_id=run, at=t0)
        speech = "My Lords, I beg to move Amendment NC1. Cameras made by Hikvision watch our government buildings."
        store.upsert(db, "contributions", {"contribution_id": 9001, "debate_id": "DEB-1", "member_id": LORD_ALTON, "attributed_to": "Lord Alton of Liverpool",
                                           "order_in_section": 1, "text": speech}, run_id=run, at=t0)
        store.upsert(db, "contributions", {"contribution_id": 9002, "debate_id": "DEB-1", "member_id": None, "attributed_to": "Noble Lords",
                                           "order_in_section": 2, "text": "Hear, hear."}, run_id=run, at=t0)
        insert(db, "contribution_amendments", {"contribution_id": 9001, "amendment_id": A_SURVEILLANCE, "how": "moved", "reference": "I beg to move Amendment NC1"})
        store.upsert(db, "divisions", {"division_id": "lords-2911", "house": "Lords", "number": 1, "date": "2022-07-06",
                                       "title": "Procurement Bill [HL]: Committee: Amendment NC1", "aye_count": 210, "no_count": 180,
                                       "bill_id": BILL, "amendment_id": A_SURVEILLANCE}, run_id=run, at=t0)
        insert(db, "division_votes", {"division_id": "lords-2911", "member_id": LORD_ALTON, "vote": "content", "is_teller": 0})
        # A ping-pong division: linked to the motion, not to an amendment.
        store.upsert(db, "pingpong_items", {"pingpong_item_id": 604290, "bill_id": BILL, "type": "Motion", "number": "B1",
                                            "decision": "Disagreed", "summary": "Motion B1: surveillance equipment"}, run_id=run, at=t0)
        store.upsert(db, "divisions", {"division_id": "lords-3002", "house": "Lords", "number": 2, "date": "2023-09-11",
                                       "title": "Procurement Bill [HL]: Motion B1", "aye_count": 190, "no_count": 210,
                                       "bill_id": BILL, "pingpong_item_id": 604290}, run_id=run, at=t0)
        insert(db, "division_votes", {"division_id": "lords-3002", "member_id": LORD_ALTON, "vote": "content", "is_teller": 0})
        store.upsert(db, "written_questions", {"question_id": 5, "uin": "HL1234", "asking_member_id": LORD_ALTON, "date_tabled": "2022-11-01",
                                               "heading": "Surveillance: Procurement", "question_text": "To ask His Majesty's Government what surveillance equipment made by Hikvision is in use.",
                                               "answer_text": "The Government keeps this under review."}, run_id=run, at=t0)
        insert(db, "suppliers", {"supplier_id": "hikvision", "name": "Hikvision", "legal_name": "Hangzhou Hikvision Digital Technology Co., Ltd.",
                                 "aliases": json.dumps(["Hikvision", "HIKVISION"]), "country": "CN", "parent_id": None,
                                 "risk_flags": json.dumps([{"flag": "fcc_covered_list", "source": "US FCC Covered List"}])})
        insert(db, "provisions", {"provision_id": "surveillance-equipment", "name": "Surveillance equipment", "description": "Removal of surveillance equipment"})
        mention(db, "amendments", A_SURVEILLANCE, HIKVISION_TEXT, "Hikvision", "SUPPLIER", "hikvision")
        mention(db, "amendments", A_SURVEILLANCE, HIKVISION_TEXT, "surveillance equipment", "PROVISION", "surveillance-equipment")
        mention(db, "contributions", 9001, speech, "Hikvision", "SUPPLIER", "hikvision")
    db.close()
    return path


@pytest.fixture(scope="module")
def db_path(tmp_path_factory):
    return build_db(tmp_path_factory.mktemp("publish") / "tracker.db")


class Site:
    """Synchronous GETs against an in-process Datasette configured as ``tracker serve`` runs it."""

    def __init__(self, db_path, **options):
        self.ds = server.make_datasette(db_path, **options)
        self.loop = asyncio.new_event_loop()
        self.loop.run_until_complete(self.ds.invoke_startup())

    def get(self, path):
        return self.loop.run_until_complete(self.ds.client.get(path))

    def run(self, coro):
        return self.loop.run_until_complete(coro)

    def close(self):
        self.loop.close()


def open_site(path):
    s = Site(path)
    yield s
    s.close()


@pytest.fixture(scope="module")
def site(db_path):
    yield from open_site(db_path)


def parse_atom(response):
    """Parse an Atom response and check what RFC 4287 requires of a feed and its entries."""
    assert response.status_code == 200, response.text[:500]
    assert response.headers["content-type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated"):
        assert root.find(f"{ATOM}{required}") is not None, required
    feed_author = root.find(f"{ATOM}author/{ATOM}name") is not None
    assert any(link.get("rel") == "self" for link in root.findall(f"{ATOM}link"))
    entries = root.findall(f"{ATOM}entry")
    ids = [e.findtext(f"{ATOM}id") for e in entries]
    assert len(ids) == len(set(ids)), "entry ids are unique"
    for entry in entries:
        for required in ("id", "title", "updated"):
            assert (entry.findtext(f"{ATOM}{required}") or "").strip(), required
        assert any((link.get("href") or "").startswith("http") for link in entry.findall(f"{ATOM}link")), "entry links to its record"
        assert feed_author or entry.find(f"{ATOM}author") is not None
        # RFC 3339 date-time
        updated = entry.findtext(f"{ATOM}updated")
        assert updated[4] == "-" and "T" in updated and (updated.endswith("Z") or updated[-6] in "+-")
    return root, entries


# --- metadata ---------------------------------------------------------------


def test_metadata_has_title_licence_and_sources(site, db_path):
    meta = site.get("/-/metadata.json").json()
    assert meta["title"] == "Procurement Bill tracker"
    assert meta["license"] == "Open Parliament Licence v3.0"
    assert meta["license_url"].startswith("https://www.parliament.uk/") and "open-parliament-licence" in meta["license_url"]
    database = meta["databases"][server.database_name(db_path)]
    described = database["tables"]
    for table in ("bills", "bill_stages", "amendments", "members", "changes", "bill_clauses"):
        assert described[table]["source"] and described[table]["source_url"].startswith("https://"), table
        assert described[table]["columns"], table
    for table in ("debates", "contributions", "divisions", "written_questions", "suppliers", "mentions"):
        assert described[table]["source"], table
    # The licence is shown on the pages.
    assert "Open Parliament Licence v3.0" in site.get("/").text


def test_every_foreign_key_target_has_a_label_column(site, db_path):
    described = site.get("/-/metadata.json").json()["databases"][server.database_name(db_path)]["tables"]
    db = sqlite_utils.Database(str(db_path))
    targets = {fk.other_table for table in db.tables for fk in table.foreign_keys}
    assert {"bills", "bill_stages", "members"} <= targets
    for target in targets:
        assert described.get(target, {}).get("label_column"), target
    # A foreign key shows as a name: the amendments table names the lead sponsor.
    page = site.get("/tracker/amendments?_size=10").text
    assert "Lord Alton of Liverpool" in page


def test_default_facets_and_sorts(site):
    data = site.get("/tracker/amendments.json?_size=0").json()
    facets = set(data["facet_results"])
    assert {"decision", "bill_stage_id", "lead_sponsor_id", "sponsors"} <= facets
    overview = site.get("/tracker/amendments_overview.json?_size=0").json()
    assert {"decision", "stage", "house", "lead_sponsor"} <= set(overview["facet_results"])
    houses = {v["value"] for v in overview["facet_results"]["house"]["results"]}
    assert houses == {"Lords", "Commons"}
    contrib = site.get("/tracker/contributions_overview.json?_size=0").json()
    assert {"house", "date", "member"} <= set(contrib["facet_results"])
    changes = site.get("/tracker/changes.json?_shape=objects").json()["rows"]
    assert changes[0]["id"] > changes[-1]["id"], "changes newest first"


def test_every_query_file_is_listed_and_described():
    """Each canned query is one file ``queries/<name>.sql``, listed in metadata.json, titled and described by its comment."""
    listed = json.loads(server.METADATA.read_text())["databases"]["tracker"]["queries"]
    assert sorted(listed) == sorted(p.stem for p in server.QUERIES.glob("*.sql"))
    queries = server.build_metadata("bare.db")["databases"]["bare"]["queries"]
    assert list(queries) == listed and "changes_since" in queries and "amendments_by_member" in queries
    for name, query in queries.items():
        assert set(query) == {"title", "description", "sql", "hide_sql"} and query["hide_sql"] is True, name
        assert not query["sql"].startswith("--") and query["sql"].split()[0] in ("select", "with"), name


# --- search -----------------------------------------------------------------


def test_fts_indexes_exist_with_porter(db_path):
    conn = sqlite3.connect(db_path)
    for table in ("amendments", "bill_clauses", "pingpong_items", "contributions", "written_questions", "written_statements"):
        sql = conn.execute("SELECT sql FROM sqlite_master WHERE name = ?", [f"{table}_fts"]).fetchone()
        assert sql and "porter" in sql[0], table
    conn.close()


def test_search_page_ranks_with_snippets(site):
    page = site.get("/-/search?q=surveillance+equipment")
    assert page.status_code == 200
    text = page.text
    first = text.index(f'href="/-/amendment/{A_SURVEILLANCE}"')
    assert first < text.index(f'href="/-/amendment/{A_PASSING}"'), "the amendment about it ranks above a passing mention"
    assert f"/-/amendment/{A_HEALTH}" not in text
    assert "<mark>" in text
    # stemming: "removals" finds "removal", "camera" finds "Cameras"
    assert f"/-/amendment/{A_SURVEILLANCE}" in site.get("/-/search?q=removals").text
    # punctuation and FTS5 syntax are harmless
    assert site.get('/-/search?q=%22NC1%22+AND+OR+(').status_code == 200


def test_search_page_across_kinds_and_kind_filter(site):
    text = site.get("/-/search?q=hikvision").text
    assert f"/-/amendment/{A_SURVEILLANCE}" in text
    assert "/tracker/contributions/9001" in text
    only = site.get("/-/search?q=hikvision&kind=contributions").text
    assert "/tracker/contributions/9001" in only and f"/-/amendment/{A_SURVEILLANCE}" not in only
    assert "/tracker/written_questions/5" in text


def test_datasette_table_search_uses_the_index(site):
    rows = site.get("/tracker/amendments.json?_search=surveillance&_shape=objects").json()["rows"]
    assert {r["amendment_id"] for r in rows} == {A_SURVEILLANCE, A_PASSING}
    rows = site.get("/tracker/amendments_overview.json?_search=hikvision&_shape=objects").json()["rows"]
    assert [r["amendment_id"] for r in rows] == [A_SURVEILLANCE]


def test_triggers_keep_the_index_current(tmp_path):
    path = build_db(tmp_path / "t.db")
    db = store.open_db(str(path))
    run = store.start_run(db, "test")
    with store.transaction(db):
        row = amendment("3", A_HEALTH, 11, "Drones", "Unmanned aerial vehicles (drones) bought by departments.", ["Jane Smith"], decision="Withdrawn")
        store.upsert(db, "amendments", row, run_id=run)
        # an unchanged record only moves last_seen: the index is untouched and stays consistent
        store.upsert(db, "amendments", row, run_id=run)
    hits = lambda q: [r[0] for r in db.execute("SELECT rowid FROM amendments_fts WHERE amendments_fts MATCH ?", [q]).fetchall()]
    assert hits("drone") == [A_HEALTH]
    assert hits("health") == []
    db.execute("DELETE FROM amendments WHERE amendment_id = ?", [A_HEALTH])
    assert hits("drone") == []
    db.execute("INSERT INTO amendments_fts(amendments_fts) VALUES ('integrity-check')")
    db.close()


def test_fts_query_quotes_what_people_type():
    assert search.fts_query("surveillance equipment") == '"surveillance" "equipment"'
    assert search.fts_query('"national security" hik*') == '"national security" "hik"*'
    assert search.fts_query('NEAR( AND " -') == '"NEAR(" "AND" "-"'
    # OR in capitals separates alternatives; a group of several words is bracketed; a dangling OR is dropped
    assert search.fts_query("hikvision OR dahua cameras") == '"hikvision" OR ("dahua" "cameras")'
    assert search.fts_query("OR hikvision OR") == '"hikvision"'
    assert search.fts_query("hikvision or dahua") == '"hikvision" "or" "dahua"'
    assert search.fts_query("   ") == ""


# --- canned queries ---------------------------------------------------------


def canned(site, name, db="tracker", **params):
    from urllib.parse import urlencode

    response = site.get(f"/{db}/{name}.json?{urlencode({**params, '_shape': 'objects'})}")
    assert response.status_code == 200, response.text[:500]
    return response.json()["rows"]


def test_every_canned_query_has_title_description_and_runs(site, db_path):
    queries = site.get("/tracker.json").json()["queries"]
    assert len(queries) >= 6
    meta = site.get("/-/metadata.json").json()["databases"][server.database_name(db_path)]["queries"]
    for query in queries:
        name = query["name"]
        assert meta[name]["title"] and len(meta[name]["description"]) > 40, name
        names = set(re.findall(r"(?<!:):(\w+)", meta[name]["sql"]))
        params = {p: {"since": "2000-01-01", "term": "surveillance", "member": "Alton", "clause": "12", "entity": "hikvision"}.get(p, "") for p in names}
        canned(site, name, **params)


def test_amendments_matching_a_term(site):
    rows = canned(site, "amendments_matching_term", term="surveillance equipment")
    assert [r["amendment_id"] for r in rows][0] == A_SURVEILLANCE
    assert rows[0]["stage"] == "Committee stage" and rows[0]["decision"] == "Agreed"
    assert "Lord Alton of Liverpool" in rows[0]["sponsors"]


def test_amendments_mentioning_an_entity_and_by_member(site):
    rows = canned(site, "amendments_mentioning_entity", entity="hikvision")
    assert [r["amendment_id"] for r in rows] == [A_SURVEILLANCE]
    rows = canned(site, "amendments_by_member", member="Alton")
    assert [(r["amendment_id"], r["role"]) for r in rows] == [(A_SURVEILLANCE, "lead sponsor")]
    assert len(canned(site, "amendments_by_member", member=str(JANE_SMITH))) == 3


def test_clause_history(site):
    rows = canned(site, "clause_history", clause="12")
    whats = [r["what"] for r in rows]
    assert "amendment NC1" in whats and "amendment 47" in whats and "amendment NC1 changed" in whats
    assert any(w.startswith("text of clause 12") for w in whats)


def test_campaigner_queries(site):
    rows = canned(site, "member_record", member="Alton")
    whats = {r["what"] for r in rows}
    assert "amendment" in whats and "vote: content" in whats and "speech naming hikvision" in whats
    rows = canned(site, "surveillance_amendment_backers", term="")
    alton = [r for r in rows if r["member_id"] == LORD_ALTON]
    assert alton and alton[0]["amendment_id"] == A_SURVEILLANCE and alton[0]["voted"] == "content in lords-2911"


def test_staff_change_queries(site):
    rows = canned(site, "changes_since", since="2023-02-01", bill="", table="", kind="")
    assert [(r["table_name"], r["record_id"], r["kind"]) for r in rows] == [("amendments", str(A_SURVEILLANCE), "changed")]
    assert canned(site, "changes_since", since="2000-01-01", bill=str(BILL), table="amendments", kind="added")
    assert canned(site, "changes_since", since="2000-01-01", bill="1", table="", kind="") == []
    summary = canned(site, "changes_summary", since="2000-01-01")
    assert {"bill_id", "table_name", "kind", "changes"} <= set(summary[0])
    decisions = canned(site, "decision_changes")
    assert [(r["old_decision"], r["new_decision"]) for r in decisions] == [("NoDecision", "Agreed")]


# --- pages ------------------------------------------------------------------


def test_amendment_page(site):
    page = site.get(f"/-/amendment/{A_SURVEILLANCE}")
    assert page.status_code == 200
    text = page.text
    assert 'class="mention mention-supplier" href="/-/supplier/hikvision"' in text
    assert 'href="/-/provision/surveillance-equipment"' in text
    assert f'href="/-/member/{LORD_ALTON}" class="sponsor"' in text and "Jane Smith" in text
    assert "No decision → Agreed" in text  # as people say it; the code stays in the data
    assert f"/-/feeds/bill/{BILL}.atom" in text
    assert "Committee: Amendment NC1" in text
    assert "I beg to move Amendment NC1" in text
    assert site.get("/-/amendment/999999").status_code == 404


def test_member_page(site):
    text = site.get(f"/-/member/{LORD_ALTON}").text
    assert "Lord Alton of Liverpool" in text and f"/-/amendment/{A_SURVEILLANCE}" in text and "lead sponsor" in text
    assert "content" in text and "lords-2911" in text
    assert '<a href="/tracker/pingpong_items/604290">Motion B1</a>' in text
    assert '<a href="/-/supplier/hikvision">Hikvision</a>' in text  # the supplier's name, not its slug
    assert site.get("/-/member/1").status_code == 404


def test_supplier_and_provision_pages(site):
    text = site.get("/-/supplier/hikvision").text
    assert "Hangzhou Hikvision Digital Technology" in text and "US FCC Covered List" in text
    assert f'href="/-/amendment/{A_SURVEILLANCE}"' in text and "<mark" in text
    assert "/tracker/contributions/9001" in text
    assert "Surveillance equipment" in site.get("/-/provision/surveillance-equipment").text
    assert site.get("/-/supplier/nobody").status_code == 404


def test_table_pages_link_to_the_entity_pages(site):
    assert f'<a href="/-/amendment/{A_SURVEILLANCE}">NC1</a>' in site.get("/tracker/amendments").text
    assert f'<a href="/-/member/{LORD_ALTON}">Lord Alton of Liverpool</a>' in site.get("/tracker/members").text
    row = site.get(f"/tracker/amendments/{A_SURVEILLANCE}").text
    assert f'href="/-/amendment/{A_SURVEILLANCE}" class="tracker-page-link"' in row
    assert f'href="/-/feeds/bill/{BILL}.atom"' in site.get(f"/tracker/bills/{BILL}").text


def test_pages_render_a_sparse_record(tmp_path):
    """An amendment known only by its number, text and sponsors' names (no stage, no sponsor rows, no history)."""
    path = tmp_path / "bare.db"
    db = store.open_db(str(path))
    db["bills"].insert({"bill_id": BILL, "short_title": "Procurement Bill [HL]"})
    db["members"].insert({"member_id": LORD_ALTON, "name": "Lord Alton of Liverpool"})
    db["amendments"].insert({"amendment_id": 1, "bill_id": BILL, "number": "1", "text": "Hikvision cameras",
                             "sponsors": "[\"Lord Alton of Liverpool\"]", "source_url": "javascript:alert(1)"})
    db.close()
    bare = Site(path)
    try:
        text = bare.get("/-/amendment/1").text
        assert "Lord Alton of Liverpool" in text
        assert 'href="javascript:' not in text, "only http(s) source addresses become links"
        assert bare.get(f"/-/member/{LORD_ALTON}").status_code == 200
        assert "/-/amendment/1" in bare.get("/-/search?q=camera").text
        assert bare.get("/-/supplier/hikvision").status_code == 404
        parse_atom(bare.get("/-/feeds/changes.atom"))
    finally:
        bare.close()


# --- safety -----------------------------------------------------------------


def test_stored_text_is_escaped_everywhere(site):
    paths = [
        f"/-/amendment/{A_SURVEILLANCE}", "/-/search?q=hikvision", "/-/search?q=alert", "/-/supplier/hikvision",
        f"/tracker/amendments/{A_SURVEILLANCE}", "/tracker/amendments?_search=alert", f"/-/member/{LORD_ALTON}",
        "/tracker/amendments_matching_term?term=alert",
    ]
    for path in paths:
        text = site.get(path).text
        assert SCRIPT not in text, path
        assert "<script>alert" not in text, path
    assert "&lt;script&gt;alert(&#39;owned&#39;)&lt;/script&gt;" in site.get(f"/-/amendment/{A_SURVEILLANCE}").text
    # the search box echoes what was typed, escaped
    assert "<script>x" not in site.get("/-/search?q=%3Cscript%3Ex").text


def test_highlighting_escapes_and_never_guesses():
    class Urls:
        def path(self, p):
            return p

    class Ds:
        urls = Urls()

    text = "<b>Hikvision</b> & Dahua"
    m = [{"start": 3, "end": 12, "text": "Hikvision", "label": "SUPPLIER", "entity_id": 'x"><script>'}]
    html = str(pages.highlight(Ds(), text, m))
    assert html.startswith("&lt;b&gt;<a class=\"mention mention-supplier\" href=\"/-/supplier/x%22%3E%3Cscript%3E\"")
    assert "<script>" not in html
    # a mention whose offsets do not hold its text is not placed
    placed = pages.place_mentions({"text": text}, [{"start": 0, "end": 4, "text": "Dahua", "label": "SUPPLIER", "entity_id": "dahua"}])
    assert placed == {"text": []}
    # offsets into the fields joined by a blank line are mapped back to the field
    placed = pages.place_mentions({"summary": "Cameras", "text": "Hikvision cameras"}, [{"start": 9, "end": 18, "text": "Hikvision", "label": "SUPPLIER"}])
    assert placed["text"][0]["start"] == 0


def test_served_read_only_with_a_time_limit(site):
    db = site.ds.get_database("tracker")
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        site.run(db.execute_fn(lambda conn: conn.execute("CREATE TABLE x (a)")))
    settings = site.get("/-/settings.json").json()
    assert settings["sql_time_limit_ms"] == server.SETTINGS["sql_time_limit_ms"]
    slow = site.get("/tracker.json?sql=with+recursive+c(x)+as+(select+1+union+all+select+x%2B1+from+c)+select+count(*)+from+c")
    assert slow.status_code == 400 and "too long" in slow.text
    assert site.get("/tracker.json?sql=delete+from+amendments").status_code == 400


def test_immutable_snapshot_serves_the_same(db_path):
    snap = Site(db_path, immutable=True)
    try:
        assert f"/-/amendment/{A_SURVEILLANCE}" in snap.get("/-/search?q=surveillance").text
    finally:
        snap.close()


def test_no_secrets_are_served(db_path, tmp_path):
    assert server.secret_columns(db_path) == []
    server.check_servable(db_path)
    bad = tmp_path / "bad.db"
    sqlite_utils.Database(str(bad))["settings"].insert({"smtp_password": "hunter2"})
    with pytest.raises(server.ServeError, match="smtp_password"):
        server.check_servable(bad)
    with pytest.raises(server.ServeError, match="never served"):
        (tmp_path / "tracker.toml").write_text("[smtp]\npassword = 'x'\n")
        server.check_servable(tmp_path / "tracker.toml")


def test_serve_arguments(db_path):
    args = server.datasette_args(db_path, port=8123)
    assert args[0] == str(db_path) and "--plugins-dir" not in args and "--template-dir" in args  # the plugin is an entry point
    assert args[args.index("--host") + 1] == "127.0.0.1"
    assert ["--setting", "sql_time_limit_ms", "1500"] == args[args.index("sql_time_limit_ms") - 1: args.index("sql_time_limit_ms") + 2]
    assert server.datasette_args(db_path, immutable=True)[:2] == ["-i", str(db_path)]


# --- feeds ------------------------------------------------------------------


def test_all_changes_feed(site):
    root, entries = parse_atom(site.get("/-/feeds/changes.atom"))
    assert root.findtext(f"{ATOM}title") == "Procurement Bill tracker: all changes"
    first = entries[0]
    assert first.findtext(f"{ATOM}title") == "Amendment NC1 (Committee stage, Lords) changed: decision"
    assert "NoDecision → Agreed" in first.findtext(f"{ATOM}summary")
    assert first.find(f"{ATOM}link").get("href").endswith(f"/-/amendment/{A_SURVEILLANCE}")
    assert "changes.atom" in site.get("/").text, "linked from the pages"


def test_bill_feed(site):
    root, entries = parse_atom(site.get(f"/-/feeds/bill/{BILL}.atom"))
    assert "Procurement Bill [HL]" in root.findtext(f"{ATOM}title")
    assert len(entries) >= 5
    assert site.get("/-/feeds/bill/1.atom").status_code == 404


def test_canned_query_feeds(site):
    root, entries = parse_atom(site.get("/tracker/changes_since.atom?since=2023-02-01&bill=&table=&kind="))
    assert "what changed since a date" in root.findtext(f"{ATOM}title")
    assert len(entries) == 1
    _, entries = parse_atom(site.get("/tracker/decision_changes.atom"))
    assert len(entries) == 1
    # the query page links its feed; a query without change columns offers none
    assert "changes_since.atom" in site.get("/tracker/changes_since?since=2023-02-01&bill=&table=&kind=").text
    assert ".atom" not in site.get("/tracker/amendments_by_member?member=Alton").text.split("This data as")[1].split("</p>")[0]
    assert site.get("/tracker/amendments_by_member.atom?member=Alton").status_code in (400, 404)


def test_every_match_is_ranked_with_no_window(site):
    text = site.get("/-/search?q=surveillance&kind=amendments").text
    assert "newest" not in text
    assert text.index(f"/-/amendment/{A_SURVEILLANCE}") < text.index(f"/-/amendment/{A_PASSING}")


def test_changes_table_feed(site):
    _, entries = parse_atom(site.get("/tracker/changes.atom?kind=changed"))
    assert [e.findtext(f"{ATOM}title") for e in entries] == ["Amendment NC1 (Committee stage, Lords) changed: decision"]  # the record by name
    assert entries[0].find(f"{ATOM}link").get("href").endswith(f"/-/amendment/{A_SURVEILLANCE}")


# --- review fixes: tagged search, ping-pong pages, former names, labelled feeds --------------

A_CAMERAS = 104


@pytest.fixture(scope="module")
def richer(db_path, tmp_path_factory):
    """The module's database plus what the review found missing: an amendment about surveillance equipment
    in other words (tagged), a narrower provision, a member's Commons seat and former name, a ping-pong
    sponsor and a REFERENCE to a ping-pong item."""
    import shutil

    path = tmp_path_factory.mktemp("richer") / "tracker.db"
    shutil.copy(db_path, path)
    db = store.open_db(str(path))
    run = store.start_run(db, "test")
    cameras = "Contracting authorities must remove surveillance cameras made by high-risk suppliers within a year."
    with store.transaction(db):
        store.upsert(db, "amendments", amendment("50", A_CAMERAS, 22, "Cameras on the estate", cameras, ["Jane Smith"]) | {"schedule": "7"},
                     run_id=run, at="2023-03-01T10:00:00+00:00", bill_id=BILL)
        insert(db, "amendment_sponsors", {"amendment_id": A_CAMERAS, "member_id": JANE_SMITH, "is_lead": 1, "sort_order": 0})
        insert(db, "provisions", {"provision_id": "surveillance-equipment-removal", "name": "Removal of surveillance equipment",
                                  "parent_id": "surveillance-equipment"})
        start = cameras.index("surveillance cameras")
        insert(db, "mentions", {"doc_table": "amendments", "doc_id": str(A_CAMERAS), "field": "text", "start": start, "end": start + 20,
                                "text": "surveillance cameras", "label": "PROVISION", "entity_id": "surveillance-equipment-removal",
                                "provision_id": "surveillance-equipment-removal", "pipeline_version": "test"})
        store.upsert(db, "bill_clauses", {"clause_id": "hl-s7", "bill_id": BILL, "version": "HL Bill 4", "kind": "schedule", "number": "7",
                                          "heading": "Discretionary exclusion grounds", "text": "A discretionary exclusion ground applies..."},
                     run_id=run, at="2023-03-01T10:00:00+00:00", bill_id=BILL)
        insert(db, "member_names", {"member_id": LORD_ALTON, "name": "David Alton", "kind": "former", "start_date": "1979-03-29", "end_date": "1997-05-01"})
        insert(db, "member_names", {"member_id": LORD_ALTON, "name": "Member for Liverpool, Mossley Hill", "kind": "alias",
                                    "start_date": "1983-06-09", "end_date": "1997-05-01"})
        insert(db, "pingpong_sponsors", {"pingpong_item_id": 604290, "member_id": LORD_ALTON, "is_lead": 1, "sort_order": 0})
        summary = "Motion B1: surveillance equipment"
        insert(db, "mentions", {"doc_table": "pingpong_items", "doc_id": "604290", "field": "summary", "start": 0, "end": 9, "text": "Motion B1",
                                "label": "REFERENCE", "entity_id": "motion:B1", "pingpong_item_id": 604290, "pipeline_version": "test"})
        assert summary[0:9] == "Motion B1"
    db.close()
    return path


@pytest.fixture(scope="module")
def rich_site(richer):
    yield from open_site(richer)


def test_search_finds_documents_tagged_with_the_named_provision(rich_site):
    text = rich_site.get("/-/search?q=surveillance+equipment").text
    # the words match NC1; the amendment saying "surveillance cameras" is tagged with a narrower provision
    assert f'href="/-/amendment/{A_SURVEILLANCE}"' in text and f'href="/-/amendment/{A_CAMERAS}"' in text
    assert text.index(f"/-/amendment/{A_SURVEILLANCE}") < text.index(f"/-/amendment/{A_CAMERAS}")
    assert "Tagged <strong>Removal of surveillance equipment</strong>: <mark>surveillance cameras</mark>" in text
    assert 'href="/-/provision/surveillance-equipment"' in text and "1 tagged" in text
    # a word that names no entity adds nothing
    assert "tagged-hit" not in rich_site.get("/-/search?q=timeline").text
    assert f"/-/amendment/{A_CAMERAS}" not in rich_site.get("/-/search?q=surveillance+equipment&page=2&kind=amendments").text


def test_canned_queries_find_tagged_amendments_and_former_names(rich_site):
    rows = canned(rich_site, "amendments_matching_term", term="surveillance equipment")
    assert [r["amendment_id"] for r in rows] == [A_SURVEILLANCE, A_PASSING, A_CAMERAS]  # ranked matches, then tagged
    assert rows[2]["matched"] == "tagged: surveillance cameras" and rows[2]["sponsors"] == "Jane Smith"
    assert [r["amendment_id"] for r in canned(rich_site, "amendments_by_member", member="David Alton")] == [A_SURVEILLANCE]
    backers = canned(rich_site, "surveillance_amendment_backers", term="")
    assert {A_SURVEILLANCE, A_CAMERAS} <= {r["amendment_id"] for r in backers}
    nc1 = [r for r in backers if r["amendment_id"] == A_SURVEILLANCE]
    assert nc1[0]["divisions"] == "lords-2911: 210 to 180"
    record = canned(rich_site, "member_record", member="David Alton")
    whats = {(r["what"], r["item"]) for r in record}
    assert ("ping-pong motion", "Motion B1") in whats and ("vote: content", "Motion B1") in whats


def test_clause_history_covers_schedules_divisions_and_speeches(rich_site):
    whats = [r["what"] for r in canned(rich_site, "clause_history", clause="schedule 7")]
    assert whats == ["amendment 50", "text of schedule 7: Discretionary exclusion grounds"]
    whats = [r["what"] for r in canned(rich_site, "clause_history", clause="Clause 12")]
    assert "amendment NC1" in whats and not any("schedule" in w for w in whats)
    assert "division on amendment NC1 (lords-2911)" in whats
    assert "Lord Alton of Liverpool moved amendment NC1" in whats


def test_member_page_shows_seats_names_once_and_pingpong_motions(rich_site):
    text = rich_site.get(f"/-/member/{LORD_ALTON}").text
    assert "Sat in the Commons as Member for Liverpool, Mossley Hill (1983-06-09 to 1997-05-01)." in text
    assert "Also known as: David Alton (former)" in text
    assert '<a href="/tracker/pingpong_items/604290">Motion B1</a>' in text  # tabled, and voted on
    assert text.count('href="/tracker/pingpong_items/604290"') >= 2
    # documents naming the member are named, not numbered
    assert "amendments 101" not in text


def test_pingpong_row_page_reads_like_an_amendment_page(rich_site):
    text = rich_site.get("/tracker/pingpong_items/604290").text
    assert "<h1>Motion B1" in text and f'href="/-/member/{LORD_ALTON}" class="sponsor"' in text
    assert "Procurement Bill [HL]: Motion B1" in text and "The full record" in text
    # a REFERENCE linked by m0005's pingpong_item_id goes to the item's row page
    assert 'class="mention mention-reference" href="/tracker/pingpong_items/604290"' in text
    # search reaches it
    assert 'href="/tracker/pingpong_items/604290"' in rich_site.get("/-/search?q=surveillance+equipment").text
    # other row pages are Datasette's own
    assert "The full record" not in rich_site.get(f"/tracker/bills/{BILL}").text


def test_reference_links_need_a_typed_column():
    assert pages.mention_target({"label": "REFERENCE", "entity_id": "amendment:47A"}) == (None, None)
    assert pages.mention_target({"label": "REFERENCE", "entity_id": "motion:A", "pingpong_item_id": 7}) == ("pingpong_items", 7)
    assert pages.mention_target({"label": "REFERENCE", "amendment_id": 5, "pingpong_item_id": None}) == ("amendments", 5)
    assert pages.mention_target({"label": "SUPPLIER", "entity_id": "dahua"}) == ("suppliers", "dahua")


def test_feed_entries_name_their_records(rich_site):
    feed, entries = parse_atom(rich_site.get("/-/feeds/changes.atom"))
    titles = [e.findtext(f"{ATOM}title") for e in entries]
    assert "Amendment 50 (Report stage, Commons) added" in titles and "schedule 7: Discretionary exclusion grounds (HL Bill 4) added" in titles
    assert "Procurement Bill [HL] added" in titles and "Jane Smith added" in titles
    assert "Motion B1 added" in titles and "Speech by Lord Alton of Liverpool added" in titles
    _, entries = parse_atom(rich_site.get("/tracker/changes_since.atom?since=2023-03-01&bill=&table=&kind="))
    assert {e.findtext(f"{ATOM}title") for e in entries} == {"Amendment 50 (Report stage, Commons) added", "schedule 7: Discretionary exclusion grounds (HL Bill 4) added"}


def test_clause_history_keeps_bill_clauses_apart_from_act_sections(tmp_path):
    """The Act's section 12 is not the Bill's clause 12: each is asked for by its own name."""
    path = tmp_path / "tracker.db"
    db = store.open_db(str(path))
    run = store.start_run(db, "test")
    with store.transaction(db):
        store.upsert(db, "bills", {"bill_id": BILL, "short_title": "Procurement Bill [HL]"}, run_id=run)
        store.upsert(db, "bill_clauses", {"clause_id": "hl-12", "bill_id": BILL, "version": "HL Bill 4", "kind": "clause",
                                          "number": "12", "heading": "Exclusions", "text": "A supplier is excluded if..."}, run_id=run)
        store.upsert(db, "bill_clauses", {"clause_id": "ukpga/2023/54/section/12", "bill_id": BILL, "version": "As enacted", "kind": "section",
                                          "number": "12", "heading": "Covered procurement: objectives", "text": "In carrying out..."}, run_id=run)
    db.close()
    site = Site(path)
    clause = [r["what"] for r in canned(site, "clause_history", clause="clause 12")]
    section = [r["what"] for r in canned(site, "clause_history", clause="section 12")]
    assert clause == ["text of clause 12: Exclusions"]
    assert section == ["text of section 12: Covered procurement: objectives"]


def test_a_record_has_one_label_in_search_feeds_and_pages(site):
    label = "Amendment NC1 (Committee stage, Lords)"
    assert f'class="search-result">{label}</a>' in site.get("/-/search?q=surveillance").text
    _, entries = parse_atom(site.get("/-/feeds/changes.atom"))
    assert entries[0].findtext(f"{ATOM}title") == f"{label} changed: decision"
    assert f'class="mention-doc">{label}</a>' in site.get("/-/supplier/hikvision").text
    # a speech is named as in the feeds, with its debate beside it
    text = site.get("/-/search?q=hikvision&kind=contributions").text
    assert 'class="search-result">Speech by Lord Alton of Liverpool</a> <span class="context">— Procurement Bill [HL], 2022-07-06</span>' in text


# --- canned queries on the demo database ----------------------------------------

DEMO_PARAMS = {"since": "2000-01-01", "term": "surveillance equipment", "member": "Alton", "clause": "12", "entity": "huawei",
               "topic": "surveillance equipment"}


@pytest.fixture(scope="module")
def demo_site(tmp_path_factory):
    """The demo database, built as ``tracker demo`` builds it (the bundled sample, synced and tagged)."""
    directory = tmp_path_factory.mktemp("demo")
    path = directory / "demo.db"
    result = CliRunner().invoke(cli, ["--db", str(path), "demo", "--no-serve"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    yield from open_site(path)


def test_every_canned_query_runs_on_the_demo_database(demo_site):
    for name, query in server.build_metadata("demo.db")["databases"]["demo"]["queries"].items():
        params = {p: DEMO_PARAMS.get(p, "") for p in re.findall(r"(?<!:):(\w+)", query["sql"])}
        rows = canned(demo_site, name, db="demo", **params)
        # The demo is one sync, so no decision has changed yet; every other query finds the sample's records.
        assert rows or name == "decision_changes", name


# --- the plugin's entry point ---------------------------------------------------

ROOT = Path(__file__).resolve().parents[1]
HOOKS = {"prepare_connection", "register_routes", "register_output_renderer", "render_cell", "extra_template_vars"}


def datasette_plugins(*path):
    """What ``datasette plugins`` lists in a fresh interpreter with ``path`` first on PYTHONPATH (no plugins directory)."""
    import os

    env = {**os.environ, "PYTHONPATH": os.pathsep.join([*map(str, path), str(ROOT)])}
    done = subprocess.run([sys.executable, "-m", "datasette", "plugins"], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


def test_the_plugin_is_registered_by_a_datasette_entry_point(tmp_path):
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = project["entry-points"]["datasette"]
    assert declared == {server.PLUGIN: "tracker.publish.plugin"}
    assert HOOKS <= {name for name in dir(plugin) if hasattr(getattr(plugin, name), "datasette_impl")}
    # Datasette loads it from the entry point alone: a distribution declaring it, as pip installs one.
    dist = tmp_path / f"{project['name'].replace('-', '_')}-{project['version']}.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {project['name']}\nVersion: {project['version']}\n")
    (dist / "entry_points.txt").write_text("[datasette]\n" + "".join(f"{name} = {value}\n" for name, value in declared.items()))
    listed = datasette_plugins(tmp_path)
    assert any(p["name"] == project["name"] and HOOKS <= set(p["hooks"]) for p in listed), listed


def test_the_installed_tracker_is_a_datasette_plugin():
    from importlib import metadata

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    try:
        installed = metadata.distribution(project["name"]).entry_points.select(group="datasette")
    except metadata.PackageNotFoundError:
        installed = ()
    if not any(ep.value == "tracker.publish.plugin" for ep in installed):
        pytest.skip(f"the installed {project['name']} predates its datasette entry point: `make install` reinstalls it")
    assert any(p["name"] == project["name"] and HOOKS <= set(p["hooks"]) for p in datasette_plugins())


# --- the site's doors, a bill's story, trust and dead ends (issue 9) ------------------------------


def test_unknown_addresses_are_404_pages_not_500s(site):
    """Datasette 0.65's error handler under rich 14+ turned every 404 into a 500 (patched at startup)."""
    for path in ("/a/b/c/d", "/-/feeds/member/152.atom", "/-/bill/999", "/-/division/nope", "/-/debate/nope", "/tracker/nope"):
        response = site.get(path)
        assert response.status_code == 404, path
    assert "Not found" in site.get("/a/b/c/d").text or "404" in site.get("/a/b/c/d").text


def test_the_home_page_has_a_door_for_each_user(site):
    text = site.get("/").text
    assert 'action="/-/search"' in text and 'name="q"' in text
    assert 'id="member-q"' in text and 'action="/-/members/find"' in text
    assert 'href="/-/alerts"' in text
    for table in ("bills", "amendments", "members", "divisions", "debates"):
        assert f'href="/tracker/{table}"' in text, table
    assert f'href="/-/bill/{BILL}"' in text
    alerts = site.get("/-/alerts").text
    assert "tracker watch add" in alerts and "/-/watch/NAME.atom" in alerts and 'href="/-/feeds/changes.atom"' in alerts


def test_find_a_member_by_any_name(site):
    found = site.get("/-/members/find.json?q=alton").json()
    assert [m["member_id"] for m in found["members"]] == [LORD_ALTON]
    assert found["members"][0]["url"] == f"/-/member/{LORD_ALTON}" and found["sample"] is False
    assert site.get("/-/members/find.json?q=a").json()["members"] == []  # too short to mean anything
    assert site.get("/-/members/find.json?q=%25").json()["members"] == []  # LIKE's wildcards are letters here
    one = site.get("/-/members/find?q=Jane&go=1")
    assert one.status_code == 302 and one.headers["location"] == f"/-/member/{JANE_SMITH}"
    assert "No member" in site.get("/-/members/find?q=Nobody").text


def test_bill_page_tells_its_story(site):
    text = site.get(f"/-/bill/{BILL}").text
    assert "<h1>Procurement Bill [HL]</h1>" in text
    assert '<svg class="stage-timeline"' in text and "Committee stage, Lords: 2022-07-06" in text
    assert f'href="/-/amendment/{A_SURVEILLANCE}"' in text and f'href="/-/amendment/{A_HEALTH}"' in text
    assert '>Withdrawn</td>' in text and 'title="Withdrawn"' in text
    assert 'href="/-/division/lords-2911"' in text and "Agreed: the Contents have it, 210 to 180" in text
    assert 'href="/-/debate/DEB-1"' in text
    assert f'href="https://bills.parliament.uk/bills/{BILL}"' in text
    assert 'href="/tracker/pingpong_items/604290"' in text


def test_timeline_draws_each_house_and_escapes_names():
    stages = [{"description": "<b>2nd reading</b>", "abbreviation": "2R", "house": "Lords", "first_sitting": "2022-05-25", "last_sitting": "2022-05-25"},
              {"description": "Committee stage", "abbreviation": "CS", "house": "Commons", "first_sitting": "2023-01-31", "last_sitting": "2023-02-21"},
              {"description": "Royal Assent", "house": "Unassigned", "first_sitting": None, "last_sitting": None}]
    svg = str(story.timeline_svg(stages))
    assert svg.count('class="stage-mark"') == 2  # a stage without a date is left out of the chart
    assert ">Lords<" in svg and ">Commons<" in svg and "&lt;b&gt;2nd reading" in svg and "<b>" not in svg
    assert story.timeline_svg([]) == ""


def test_division_page_counts_votes_by_party(site):
    text = site.get("/-/division/lords-2911").text
    assert "Agreed: the Contents have it, 210 to 180" in text
    assert f'href="/-/amendment/{A_SURVEILLANCE}" class="division-item"' in text
    assert f'<a href="/-/member/{LORD_ALTON}">Lord Alton of Liverpool</a></td><td class="party">Crossbench</td>' in text
    assert "<tr><td>Crossbench</td><td>1</td><td>0</td></tr>" in text
    lost = site.get("/-/division/lords-3002").text
    assert "Not agreed: the Not contents have it, 210 to 190" in lost and 'href="/tracker/pingpong_items/604290"' in lost
    assert 'href="https://votes.parliament.uk/votes/lords/division/' not in lost  # no Votes API id recorded, no guessed link


def test_debate_page_reads_in_order_with_links(site):
    text = site.get("/-/debate/DEB-1").text
    assert text.index("I beg to move Amendment NC1") < text.index("Hear, hear.")
    assert f'href="/-/member/{LORD_ALTON}" class="speaker"' in text
    assert f'href="/-/amendment/{A_SURVEILLANCE}" class="amendment-ref"' in text
    assert 'href="https://hansard.parliament.uk/Lords/2022-07-06/debates/DEB-1"' in text
    assert 'href="/-/supplier/hikvision"' in text  # the speech's tagged mention, linked in place


def test_row_pages_link_to_parliament_s_own_pages_and_records(site):
    text = site.get(f"/tracker/members/{LORD_ALTON}").text
    assert f'href="https://members.parliament.uk/member/{LORD_ALTON}" class="human-link"' in text
    changes = site.get("/tracker/changes").text
    assert f'<a href="/-/amendment/{A_SURVEILLANCE}">{A_SURVEILLANCE}</a>' in changes  # a change's record_id links to its record
    assert f'href="/-/bill/{BILL}">Procurement Bill [HL]</a>' in site.get("/tracker/bills").text


def test_canned_queries_take_an_empty_parameter_and_fold_their_sql(site):
    for name in server.build_metadata("tracker.db")["databases"]["tracker"]["queries"]:
        page = site.get(f"/tracker/{name}")
        assert page.status_code == 200, (name, page.text[:300])
        title = re.search(r"<title>(.*?)</title>", page.text, re.DOTALL).group(1).strip()
        assert len(title) < 100 and "select" not in title.lower(), title
        assert page.text.index("metadata-description") < page.text.index('class="show-hide-sql"'), name
        assert 'id="sql-query"' not in page.text, name  # the SQL starts folded


def test_a_synced_database_carries_no_sample_flag(site):
    assert 'id="sample-banner"' not in site.get("/").text
    assert "tracker-dataset" not in site.get("/tracker/bills.json").headers
    assert "tracker_dataset" not in site.get("/tracker/bills.json").json()
    root, _ = parse_atom(site.get("/-/feeds/changes.atom"))
    assert not root.findtext(f"{ATOM}title").startswith("[Sample data]")


def test_the_demo_says_it_is_the_sample_everywhere(demo_site):
    for path in ("/", "/-/bill/3159", "/demo/amendments", "/-/member/152", "/-/alerts"):
        assert 'id="sample-banner"' in demo_site.get(path).text, path
    response = demo_site.get("/demo/bills.json")
    assert response.headers["tracker-dataset"] == "sample" and response.json()["tracker_dataset"] == "sample"
    assert response.json()["rows"]  # the body is still Datasette's
    for path in ("/-/feeds/changes.atom", "/-/feeds/bill/3159.atom", "/demo/changes.atom"):
        root, entries = parse_atom(demo_site.get(path))
        assert root.findtext(f"{ATOM}title").startswith("[Sample data]"), path
        assert "not Hansard" in root.findtext(f"{ATOM}subtitle")
        assert all(e.find(f"{ATOM}category").get("term") == "sample-data" for e in entries)


def test_record_pages_link_parliament_s_page_and_the_api_response(site):
    amendment_page = site.get(f"/-/amendment/{A_SURVEILLANCE}").text
    assert f'href="https://bills.parliament.uk/bills/{BILL}/stages/11/amendments/{A_SURVEILLANCE}" class="human-link"' in amendment_page
    assert f'href="https://bills-api.parliament.uk/api/v1/Bills/{BILL}/Stages/11/Amendments/{A_SURVEILLANCE}" rel="nofollow">API response' in amendment_page
    assert f'href="https://members.parliament.uk/member/{LORD_ALTON}" class="human-link"' in site.get(f"/-/member/{LORD_ALTON}").text
