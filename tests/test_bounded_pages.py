"""Bounded pages: the member, supplier, provision and positions pages run a fixed number of indexed
queries whatever the size of the database, and page their lists.

Each page's queries are recorded as it is built and their plans read with ``EXPLAIN QUERY PLAN``:
a full ``SCAN`` of a table (or of an index over all of it) is a failure, as is a count of
queries that grows with the data.
"""
import asyncio
import re
import sqlite3

import pytest

from tracker import store
from tracker.publish import pages, plugin, positions_pages, server, story
from tracker.store import schema

BILL, STAGE, MEMBER, OTHER = 3159, 11, 738, 4400
FAMILY, SUPPLIER_TOPIC = "family:a1", "supplier:hikvision"
SPEECH = "My Lords, cameras made by Hikvision watch our government buildings, and Lord Alton of Liverpool says so."


def insert_many(db, table, rows):
    rows = list(rows)
    columns = list(rows[0])
    db.conn.executemany(
        f"INSERT INTO [{table}] ({', '.join(f'[{c}]' for c in columns)}) VALUES ({', '.join('?' for _ in columns)})",
        [[row.get(c) for c in columns] for row in rows],
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
        # Positions as ``tracker positions derive`` writes them: the member's evidence on one family
        # (a sponsorship and a vote each) and on the supplier (each speech), n topics of their own.
        insert_many(db, "topics", [{"topic": FAMILY, "kind": "family", "name": "Surveillance equipment", "family_id": "a1"},
                                   {"topic": SUPPLIER_TOPIC, "kind": "supplier", "name": "Hikvision", "supplier_id": "hikvision"}]
                    + [{"topic": f"family:a{1000 + i}", "kind": "family", "name": f"Proposal {i}", "family_id": f"a{1000 + i}"} for i in range(n)])
        evidence = []
        for i in range(n):
            evidence.append({"member_id": MEMBER, "topic": FAMILY, "kind": "sponsored", "ref_table": "amendments", "ref_id": str(1 + i),
                             "stance": "supports", "date": "2023-01-01", "detail": f"sponsored {i + 1}", "bill_stage_id": STAGE,
                             "amendment_id": 1 + i, "division_id": None})
            evidence.append({"member_id": MEMBER, "topic": FAMILY, "kind": "voted", "ref_table": "divisions", "ref_id": f"lords-{i}",
                             "stance": "supports", "date": "2023-02-01", "detail": f"voted content on division lords-{i}",
                             "bill_stage_id": STAGE, "amendment_id": 1 + i, "division_id": f"lords-{i}"})
            evidence.append({"member_id": MEMBER, "topic": SUPPLIER_TOPIC, "kind": "spoke", "ref_table": "contributions",
                             "ref_id": str(1001 + 2 * i), "stance": "opposes", "date": "2023-03-01", "detail": "spoke 1 Mar 2023",
                             "bill_stage_id": STAGE, "amendment_id": None, "division_id": None})
            evidence.append({"member_id": MEMBER, "topic": f"family:a{1000 + i}", "kind": "added name", "ref_table": "amendments",
                             "ref_id": str(1 + i), "stance": "supports", "date": "2023-01-01", "detail": f"added name to {i + 1}",
                             "bill_stage_id": STAGE, "amendment_id": 1 + i, "division_id": None})
        insert_many(db, "position_evidence", evidence)
        db.conn.execute("INSERT INTO member_positions (member_id, topic, stance, evidence_count, supports, opposes, neutral)"
                        " SELECT member_id, topic, max(stance), count(*), sum(stance = 'supports'), sum(stance = 'opposes'), 0"
                        " FROM position_evidence GROUP BY member_id, topic")
        insert_many(db, "division_sides", [{"division_id": f"lords-{i}", "passed": 1, "government_side": "no"} for i in range(n)])
        insert_many(db, "vote_alignment", [{"division_id": f"lords-{i}", "member_id": MEMBER, "vote": "content", "side": "aye",
                                            "party": "Crossbench", "with_party": None, "with_government": 0, "rebellion": 0} for i in range(n)])
        insert_many(db, "commitments", [{"commitment_id": f"contributions/{1001 + 2 * i}/c", "member_id": MEMBER, "text": "We will act.",
                                         "made_on": "2023-03-01", "source_table": "contributions", "source_id": str(1001 + 2 * i),
                                         "deadline": None if i % 3 else "2024-03-01", "status": ("open", "due", "overdue", "fulfilled")[i % 4],
                                         "topic": SUPPLIER_TOPIC} for i in range(n)])
        insert_many(db, "commitment_followups", [{"commitment_id": f"contributions/{1001 + 2 * i}/c", "kind": "restated",
                                                  "source_table": "contributions", "source_id": str(1001 + 2 * i), "member_id": MEMBER,
                                                  "date": "2023-04-01", "quote": "Again."} for i in range(n)])
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
    "member with positions": lambda: (positions_pages.member, MEMBER),
    "topic (a family)": lambda: (lambda ds, db, t: positions_pages.topic(ds, db, t, {}), FAMILY),
    "topic (a supplier)": lambda: (lambda ds, db, t: positions_pages.topic(ds, db, t, {}), SUPPLIER_TOPIC),
    "topics": lambda: (lambda ds, db, _: positions_pages.topics(ds, db, None, {}), None),
    "commitments of a status": lambda: (lambda ds, db, _: positions_pages.commitments(ds, db, None, {"status": "open"}), None),
    "commitments": lambda: (lambda ds, db, _: positions_pages.commitments(ds, db, None, {}), None),
}
# Walks in an index's order that stop at the page's end (LIMIT): read as many entries as the page shows.
ORDERED_WALKS = {"SCAN topics USING INDEX idx_topics_kind_name"}


def full_scans(path, queries):
    """``[(sql, plan line)]`` of every query that reads a whole table (or a whole index of one)."""
    conn = sqlite3.connect(path)
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    found = []
    for sql, params in queries:
        for _, _, _, detail in conn.execute(f"EXPLAIN QUERY PLAN {sql}", params):
            scanned = re.match(r"SCAN (\w+)", detail)
            if scanned and scanned.group(1) in tables and not (detail in ORDERED_WALKS and "LIMIT" in sql):
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
    # (a page of the larger list may hold documents of fewer tables: one query per table of documents;
    # the member page's positions add a page of positions, their evidence, vote marks and commitments)
    assert len(many) <= len(few) <= 10 + len(schema.tagged()) + (5 if name == "member with positions" else 0)


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


def test_a_members_positions_are_read_in_the_order_of_their_index(large):
    """No sort of the member's every position: the page walks the index m0015 makes on the order's expressions."""
    conn = sqlite3.connect(large)
    plan = [r[3] for r in conn.execute(f"EXPLAIN QUERY PLAN {positions_pages.POSITIONS_SQL} LIMIT 21", [MEMBER])]
    conn.close()
    assert "SEARCH p USING INDEX idx_member_positions_member_page (member_id=?)" in plan
    assert not any("TEMP B-TREE" in line for line in plan)


def test_a_members_positions_show_their_first_evidence_and_a_page_of_each_list(large):
    page, _ = run_page(large, positions_pages.member, MEMBER)
    # One position on each of 402 topics, 20 to a page; each with its first five pieces of evidence.
    assert len(page["positions"]) == positions_pages.POSITIONS_SHOWN and page["lists"]["positions"].more
    family = next(p for p in page["positions"] if p["topic"] == FAMILY)
    assert family["evidence_count"] == 800 and len(family["evidence"]) == positions_pages.EVIDENCE_SHOWN
    assert [e["detail"] for e in family["evidence"]] == ["sponsored 1", "sponsored 10", "sponsored 100", "sponsored 101", "sponsored 102"]
    assert len(page["commitments_made"]) == positions_pages.POSITIONS_SHOWN
    assert page["commitments_made"][0]["commitment_id"] == "contributions/1001/c"  # as made (all on one day: by id)
    # Vote marks only for the votes shown (the page of votes and the evidence): never the member's every vote.
    assert set(page["vote_marks"]) == {v["division_id"] for v in page["votes"]}
    last, _ = run_page(large, positions_pages.member, MEMBER, {"positions_page": "21"})
    assert len(last["positions"]) == 402 - 20 * 20 and not last["lists"]["positions"].more


def test_the_topic_page_shows_a_page_of_each_side(large):
    page, _ = run_page(large, lambda ds, db, t: positions_pages.topic(ds, db, t, {}), FAMILY)
    assert page["counts"]["supports"] == 1 and [m["member_id"] for m in page["supports"]] == [MEMBER]
    assert len(page["supports"][0]["evidence"]) == positions_pages.EVIDENCE_SHOWN
    assert len(page["votes"]) == pages.PAGE_SIZE and page["lists"]["votes"].more
    assert page["votes"][0]["aye_means"] == "supports" and page["votes"][0]["by_party"] == [{"party": "Crossbench", "aye": 1, "no": 0}]
    assert page["stages"] and page["stages"][0]["supports"] == ["Lord Alton of Liverpool"]
    supplier, _ = run_page(large, lambda ds, db, t: positions_pages.topic(ds, db, t, {"commitments_page": "2"}), SUPPLIER_TOPIC)
    assert supplier["counts"]["opposes"] == 1 and len(supplier["commitments"]) == pages.PAGE_SIZE
    assert all(c["followups"] for c in supplier["commitments"])
    listed, _ = run_page(large, lambda ds, db, _: positions_pages.topics(ds, db, None, {"topics_page": "9"}), None)
    assert len(listed["topics"]) == 402 - 8 * pages.PAGE_SIZE and not listed["lists"]["topics"].more


def test_every_commitment_is_paged_status_by_status(large):
    """Overdue first, then due, open, fulfilled, the nearest deadline first: each page read from the
    index of the statuses it holds, the pages together holding every commitment once."""
    shown = []
    for number in range(1, 9):
        page, _ = run_page(large, lambda ds, db, _: positions_pages.commitments(ds, db, None, {"commitments_page": str(number)}), None)
        assert len(page["commitments"]) == pages.PAGE_SIZE and page["lists"]["commitments"].more == (number < 8)
        shown += page["commitments"]
    assert len({c["commitment_id"] for c in shown}) == 400
    ranks = [(positions_pages.STATUSES.index(c["status"]), c["deadline"] is None, c["deadline"] or "") for c in shown]
    assert ranks == sorted(ranks) and ranks[99][0] == 0 and ranks[100][0] == 1
    assert {s["status"]: s["n"] for s in page["statuses"]} == dict.fromkeys(positions_pages.STATUSES, 100)


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
        assert f'href="/-/member/{MEMBER}?positions_page=2#positions"' in member.text.replace("votes_page=2&amp;", "")
        assert "795 more" in member.text  # the family's 800 pieces of evidence, 5 shown
        assert 'href="/-/topics?topics_page=2#topics"' in get("/-/topics").text
        assert 'href="/-/commitments?status=open&amp;commitments_page=2#commitments"' in get("/-/commitments?status=open").text
    finally:
        loop.close()


def test_record_labels_compare_keys_as_stored(large):
    """Integer keys take the text form of their ids (as ``mentions.doc_id`` and ``changes.record_id`` hold them)."""
    _, queries = run_page(large, lambda ds, db, ids: pages.record_labels(db, "contributions", ids), ["1001", 1003])
    assert "CAST" not in queries[0][0] and full_scans(large, queries) == []
    labels, _ = run_page(large, lambda ds, db, ids: pages.record_labels(db, "contributions", ids), ["1001", 1003])
    assert set(labels) == {"1001", "1003"}
    assert plugin.pagers  # the plugin builds the links from each page's listings


def test_parliaments_own_pages_are_found_by_the_key_as_stored(large):
    """Each page's link to Parliament's own page (``story.human_urls``) looks its record up through the key's index."""
    urls, queries = run_page(large, lambda ds, db, ids: story.human_urls(db, "amendments", ids), ["7", 9])
    assert "CAST" not in queries[0][0] and full_scans(large, queries) == []
    assert set(urls) == {"7", "9"} and urls["7"].startswith("https://bills.parliament.uk/bills/3159/stages/11/amendments/")
