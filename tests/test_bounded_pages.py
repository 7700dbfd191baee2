"""Bounded pages: the member, supplier and provision pages run a fixed number of indexed queries
whatever the size of the database, and page their lists.

Each page's queries are recorded as it is built and their plans read with ``EXPLAIN QUERY PLAN``:
a full ``SCAN`` of a table (or of an index over all of it) is a failure, as is a count of
queries that grows with the data.
"""
import asyncio
import re
import sqlite3

import pytest

from tracker import store
from tracker.publish import pages, plugin, server
from tracker.store import schema

BILL, STAGE, MEMBER, OTHER = 3159, 11, 738, 4400
SPEECH = "My Lords, cameras made by Hikvision watch our government buildings, and Lord Alton of Liverpool says so."


def insert_many(db, table, rows):
    rows = list(rows)
    columns = list(rows[0])
    db.conn.executemany(
        f"INSERT INTO [{table}] ({', '.join(f'[{c}]' for c in columns)}) VALUES ({', '.join('?' for _ in columns)})",
        [[row[c] for c in columns] for row in rows],
    )


def build(path, n):
    """A database with ``n`` of everything a member's and a supplier's page lists."""
    db = store.open_db(str(path))
    with store.transaction(db):
        insert_many(db, "bills", [{"bill_id": BILL, "short_title": "Procurement Bill [HL]"}])
        insert_many(db, "bill_stages", [{"bill_stage_id": STAGE, "bill_id": BILL, "description": "Committee stage", "house": "Lords", "sort_order": 3}])
        insert_many(db, "members", [{"member_id": MEMBER, "name": "Lord Alton of Liverpool", "house": "Lords"},
                                    {"member_id": OTHER, "name": "Jane Smith", "house": "Commons"}])
        insert_many(db, "suppliers", [{"supplier_id": "hikvision", "name": "Hikvision"}, {"supplier_id": "dahua", "name": "Dahua", "parent_id": None}])
        insert_many(db, "provisions", [{"provision_id": "surveillance-equipment", "name": "Surveillance equipment"}])
        insert_many(db, "debates", [{"debate_id": f"DEB-{i}", "title": f"Debate {i}", "date": f"2023-01-{i % 28 + 1:02d}", "house": "Lords", "bill_id": BILL}
                                    for i in range(n)])
        insert_many(db, "contributions", [{"contribution_id": 1000 + i, "debate_id": f"DEB-{i}", "member_id": MEMBER if i % 2 else OTHER,
                                           "attributed_to": "Lord Alton of Liverpool", "order_in_section": 1, "text": SPEECH} for i in range(2 * n)])
        insert_many(db, "amendments", [{"amendment_id": 1 + i, "bill_id": BILL, "bill_stage_id": STAGE, "number": str(i + 1),
                                        "summary": "Surveillance equipment", "text": "Hikvision cameras must go."} for i in range(n)])
        insert_many(db, "amendment_sponsors", [{"amendment_id": 1 + i, "member_id": MEMBER, "is_lead": 1, "sort_order": 0} for i in range(n)])
        insert_many(db, "divisions", [{"division_id": f"lords-{i}", "house": "Lords", "date": "2023-02-01", "title": f"Division {i}",
                                       "bill_id": BILL, "amendment_id": 1 + i} for i in range(n)])
        insert_many(db, "division_votes", [{"division_id": f"lords-{i}", "member_id": MEMBER, "vote": "content", "is_teller": 0} for i in range(n)])
        insert_many(db, "written_questions", [{"question_id": 1 + i, "uin": f"HL{i}", "asking_member_id": MEMBER, "date_tabled": "2022-11-01",
                                               "heading": "Surveillance"} for i in range(n)])
        start = SPEECH.index("Hikvision")
        who = SPEECH.index("Lord Alton")
        mentions = []
        for i in range(2 * n):
            doc = str(1000 + i)
            mentions.append({"doc_table": "contributions", "doc_id": doc, "field": "text", "start": start, "end": start + 9, "text": "Hikvision",
                             "label": "SUPPLIER", "entity_id": "hikvision", "supplier_id": "hikvision", "member_id": None})
            mentions.append({"doc_table": "contributions", "doc_id": doc, "field": "text", "start": who, "end": who + 23, "text": "Lord Alton of Liverpool",
                             "label": "MEMBER", "entity_id": str(MEMBER), "supplier_id": None, "member_id": MEMBER})
        for i in range(n):
            text = "Hikvision cameras must go."
            mentions.append({"doc_table": "amendments", "doc_id": str(1 + i), "field": "text", "start": 0, "end": 9, "text": "Hikvision",
                             "label": "SUPPLIER", "entity_id": "hikvision", "supplier_id": "hikvision", "member_id": None})
            assert text[0:9] == "Hikvision"
        insert_many(db, "mentions", mentions)
    db.close()
    return path


class Recorder:
    """A Datasette database that remembers every query a page runs."""

    def __init__(self, db):
        self.db, self.name, self.queries = db, db.name, []

    async def execute(self, sql, params=None):
        self.queries.append((sql, params or []))
        return await self.db.execute(sql, params)


def run_page(path, page, *args):
    ds = server.make_datasette(path)
    loop = asyncio.new_event_loop()
    try:
        loop.run_until_complete(ds.invoke_startup())
        db = Recorder(ds.get_database(path.stem))
        result = loop.run_until_complete(page(ds, db, *args))
    finally:
        loop.close()
    return result, db.queries


PAGES = {
    "member": lambda: (pages.member, MEMBER),
    "supplier": lambda: (lambda ds, db, eid: pages.entity(ds, db, schema.with_page("supplier"), eid), "hikvision"),
    "provision": lambda: (lambda ds, db, eid: pages.entity(ds, db, schema.with_page("provision"), eid), "surveillance-equipment"),
    "amendment": lambda: (pages.amendment, 1),
}


def full_scans(path, queries):
    """``[(sql, plan line)]`` of every query that reads a whole table (or a whole index of one)."""
    conn = sqlite3.connect(path)
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    found = []
    for sql, params in queries:
        for _, _, _, detail in conn.execute(f"EXPLAIN QUERY PLAN {sql}", params):
            scanned = re.match(r"SCAN (\w+)", detail)
            if scanned and scanned.group(1) in tables:
                found.append((sql, detail))
    conn.close()
    return found


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    return build(tmp_path_factory.mktemp("bounded") / "small.db", 5)


@pytest.fixture(scope="module")
def large(tmp_path_factory):
    return build(tmp_path_factory.mktemp("bounded") / "large.db", 400)


@pytest.mark.parametrize("name", sorted(PAGES))
def test_each_page_reads_indexes_only(large, name):
    page, record_id = PAGES[name]()
    result, queries = run_page(large, page, record_id)
    assert result is not None and queries
    assert full_scans(large, queries) == []


@pytest.mark.parametrize("name", sorted(PAGES))
def test_the_number_of_queries_does_not_grow_with_the_data(small, large, name):
    page, record_id = PAGES[name]()
    _, few = run_page(small, page, record_id)
    _, many = run_page(large, page, record_id)
    # (a page of the larger list may hold documents of fewer tables: one query per table of documents)
    assert len(many) <= len(few) <= 10 + len(schema.tagged())


def test_lists_are_paged(large):
    page, _ = run_page(large, pages.member, MEMBER)
    assert len(page["votes"]) == pages.PAGE_SIZE and page["vote_count"] == 400
    assert page["lists"]["votes"].more and page["lists"]["votes"].previous is None
    assert page["speech_count"] == 400 and len(page["speeches"]) == pages.PAGE_SIZE
    assert page["speeches"][0]["entity_list"] == [("SUPPLIER", "hikvision", "Hikvision")]
    assert len(page["named_in"]) == pages.PAGE_SIZE and page["named_in"][0]["label"].startswith("Speech by")
    last, _ = run_page(large, pages.member, MEMBER, {"votes_page": "8"})
    assert len(last["votes"]) == 400 - 7 * pages.PAGE_SIZE and not last["lists"]["votes"].more
    supplier = schema.with_page("supplier")
    page, _ = run_page(large, lambda ds, db, eid: pages.entity(ds, db, supplier, eid, {"mentions_page": "2"}), "hikvision")
    assert page["mention_count"] == 1200 and len(page["mentions"]) == pages.PAGE_SIZE
    assert all(m["context"] for m in page["mentions"])  # placed in their documents' text


def test_pages_link_to_their_neighbours(large):
    site = server.make_datasette(large)
    loop = asyncio.new_event_loop()
    try:
        get = lambda path: loop.run_until_complete(site.client.get(path))
        first = get("/-/supplier/hikvision")
        assert first.status_code == 200 and "Mentions (1200)" in first.text
        assert 'rel="next" href="/-/supplier/hikvision?mentions_page=2#mentions"' in first.text and 'rel="prev"' not in first.text
        second = get("/-/supplier/hikvision?mentions_page=2")
        assert 'rel="prev" href="/-/supplier/hikvision#mentions"' in second.text
        assert 'href="/-/supplier/hikvision?mentions_page=3#mentions"' in second.text
        member = get(f"/-/member/{MEMBER}?votes_page=2")
        assert f'href="/-/member/{MEMBER}?votes_page=3#votes"' in member.text
        assert f'href="/-/member/{MEMBER}?votes_page=2&amp;questions_page=2#questions"' in member.text
        assert get(f"/-/member/{MEMBER}?votes_page=nonsense").status_code == 200
        assert get(f"/-/member/{MEMBER}?votes_page=99999999999").status_code == 200
    finally:
        loop.close()


def test_record_labels_compare_keys_as_stored(large):
    """Integer keys take the text form of their ids (as ``mentions.doc_id`` and ``changes.record_id`` hold them)."""
    _, queries = run_page(large, lambda ds, db, ids: pages.record_labels(db, "contributions", ids), ["1001", 1003])
    assert "CAST" not in queries[0][0] and full_scans(large, queries) == []
    labels, _ = run_page(large, lambda ds, db, ids: pages.record_labels(db, "contributions", ids), ["1001", 1003])
    assert set(labels) == {"1001", "1003"}
    assert plugin.pagers  # the plugin builds the links from each page's listings
