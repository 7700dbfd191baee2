"""Search (issues 9 and 13): exact ranking from the search index, its staleness, references, records, OR, counts, exports."""
import csv
import io
import random
import sqlite3

import pytest
from click.testing import CliRunner

from tests.test_publish import open_site
from tracker import store
from tracker.cli import cli
from tracker.publish import ranking, search
from tracker.store import schema, searchindex

NAMES = ["Lord Alton of Liverpool", "Jane Smith", "Alex Burghart", None]
COMMON = ["the", "of", "procurement", "camera", "cameras", "surveillance", "equipment", "hikvision", "supplier", "supplied"]
QUERIES = [
    "the", "of", "procurement", "cameras", "hikvision", "Alton", "the of", "surveillance equipment", "supplier supplier",
    "procurement OR hikvision", "the OR camera supplier", "w5 w7 OR w9", "lord the", "w250", "nothing-at-all",
    "hik*", '"the of"', "hikvision OR w3*",
]


def generated(path, rows, seed=3):
    """A tracker database with ``rows`` contributions of Zipf-distributed words (some rows empty), indexed."""
    rng = random.Random(seed)
    words = COMMON + [f"w{i}" for i in range(300)]
    db = store.open_db(path)
    with store.transaction(db):
        db["contributions"].insert_all(
            {"contribution_id": i * 3 + rng.randint(0, 2), "debate_id": "D", "attributed_to": rng.choice(NAMES),
             "text": " ".join(words[min(int(rng.paretovariate(1.0)) - 1, len(words) - 1)] for _ in range(rng.randint(0, 60)))}
            for i in range(1, rows + 1))
    return db


@pytest.fixture(scope="module")
def indexed(tmp_path_factory):
    db = generated(tmp_path_factory.mktemp("search") / "tracker.db", 3000)
    assert "contributions" in store.refresh_search_index(db)
    yield db
    db.close()


@pytest.mark.parametrize("q", QUERIES)
def test_first_pages_equal_the_exhaustive_bm25(indexed, q):
    """Every page of every query, ranked from the index, is FTS5's own bm25 ranking (``ORDER BY rank, rowid``) with its count."""
    table = schema.table("contributions")
    groups = search.parse(q)
    match = search.render(groups)
    for limit, offset in ((1, 0), (10, 0), (21, 0), (10, 30), (50, 200)):
        mine = ranking.rank(indexed.conn, table, groups, match, limit=limit, offset=offset)
        truth = ranking.exhaustive(indexed.conn, table, match, limit=limit, offset=offset)
        assert (mine.rowids, mine.count) == (truth.rowids, truth.count), (q, limit, offset)
        assert mine.ranks == pytest.approx(truth.ranks, rel=1e-12)
    # plain words come from the index; prefixes and multi-word phrases are ranked by FTS5 itself
    assert ranking.rank(indexed.conn, table, groups, match, limit=5).indexed == all(c not in q for c in '*"-')


def test_a_common_word_reads_only_its_best_blocks(indexed, monkeypatch):
    read = []
    original = indexed.conn.execute

    class Counting:
        def execute(self, sql, params=()):
            if "FROM search_blocks" in sql:
                read.append(len(params) - 2)
            return original(sql, params)

    table = schema.table("contributions")
    (df,) = indexed.execute("SELECT df FROM search_terms WHERE table_name = 'contributions' AND term = 'the'").fetchone()
    found = ranking.rank(Counting(), table, search.parse("the"), '"the"', limit=21)
    assert found.count == df > 20 * searchindex.BLOCK
    assert sum(read) * searchindex.BLOCK < df / 4  # a few blocks, not the whole list


def test_the_index_is_stale_after_a_write_and_never_used_stale(tmp_path):
    db = generated(tmp_path / "tracker.db", 200)
    table = schema.table("contributions")
    assert "contributions" in store.stale_search_index(db)
    store.refresh_search_index(db)
    assert store.stale_search_index(db) == []
    groups = search.parse("hikvision")
    assert ranking.rank(db.conn, table, groups, '"hikvision"', limit=5).indexed
    with store.transaction(db):  # a new best match: a short speech all about hikvision
        db["contributions"].insert({"contribution_id": 999_999, "debate_id": "D", "text": "Hikvision hikvision hikvision."})
    assert store.stale_search_index(db) == ["contributions"]
    stale = ranking.rank(db.conn, table, groups, '"hikvision"', limit=5)
    assert not stale.indexed and stale.rowids[0] == 999_999  # FTS5 ranks it: slower, never wrong
    with store.transaction(db):  # an update of an indexed column makes it stale too; of another column, not
        db.execute("UPDATE contributions SET text = 'the' WHERE contribution_id = 999999")
    store.refresh_search_index(db)
    with store.transaction(db):
        db.execute("UPDATE contributions SET debate_id = 'E' WHERE contribution_id = 999999")
    assert store.stale_search_index(db) == []
    assert ranking.rank(db.conn, table, groups, '"hikvision"', limit=5).rowids[:1] != [999_999]


def test_serve_rebuilds_a_stale_index_with_a_progress_bar(tmp_path, monkeypatch):
    path = tmp_path / "tracker.db"
    generated(path, 100).close()
    served = []
    monkeypatch.setattr("tracker.publish.server.serve", lambda db_path, **kw: served.append(db_path))
    result = CliRunner().invoke(cli, ["--db", str(path), "serve"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "rebuilding the search index of" in result.output and "contributions" in result.output
    assert "search index: contributions" in result.output  # the bar's label
    assert served and store.stale_search_index(store.open_db(path)) == []


def test_a_sync_run_leaves_the_index_current(demo):
    db = store.open_db(demo)
    assert store.stale_search_index(db) == []
    assert db.execute("SELECT count(*) FROM search_terms WHERE table_name = 'amendments'").fetchone()[0] > 100


# --- the page on the demo database ---------------------------------------------------


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    result = CliRunner().invoke(cli, ["--db", str(path), "demo", "--no-serve"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return path


@pytest.fixture(scope="module")
def site(demo):
    yield from open_site(demo)


def answer(demo, q, **kw):
    conn = sqlite3.connect(f"file:{demo}?mode=ro", uri=True)
    try:
        return search.search(conn, q, **kw)
    finally:
        conn.close()


@pytest.mark.parametrize("q, kind, number", [
    ("NC1", "amendments", "NC1"), ("new clause 1", "amendments", "NC1"), ("Amendment 47B", "pingpong_items", "47B"),
    ("Motion B1", "pingpong_items", "B1"),
])
def test_references_rank_their_records_first(demo, q, kind, number):
    found = answer(demo, q)
    named = [h for h in found.hits if h.why == "reference"]
    assert named and found.hits[:len(named)] == named
    conn = sqlite3.connect(demo)
    for hit in named:
        assert hit.kind == kind
        assert conn.execute(f"SELECT upper(number) FROM [{kind}] WHERE [{schema.table(kind).id}] = ?", [hit.id]).fetchone()[0] == number
    # every record of that number the resolver links, one per stage
    assert len(named) == len({h.title for h in named})


def test_motion_b1_is_a_motion_and_lower_case_b1_is_no_motion(demo):
    assert next(h.title for h in answer(demo, "Motion B1").hits if h.why == "reference").startswith("Motion B1")
    assert search.named_references("the motion b1") == []  # motions are named in capitals (the grammar's rule)


def test_clause_12_names_the_bill_s_clauses_of_that_number(demo):
    found = answer(demo, "clause 12")
    named = [h for h in found.hits if h.why == "reference"]
    assert {h.kind for h in named} == {"bill_clauses", "clauses"}
    assert all(" 12" in h.title for h in named)
    assert search.named_references("new clause 12") == [("new clause", "NC12")]  # not clause 12 as well


def test_hits_show_readable_decision_and_lead_sponsor(demo, site):
    nc1 = [h for h in answer(demo, "NC1").hits if h.why == "reference"]
    assert {h.decision for h in nc1} == {"Negatived on division"} and {h.decision_code for h in nc1} == {"NegativedOnDivision"}
    assert {h.lead_sponsor for h in nc1} == {"Florence Eshalomi", "Angela Rayner"}
    text = site.get("/-/search?q=new+clause+1").text
    assert '<span class="decision" title="NegativedOnDivision">Negatived on division</span>' in text
    assert "lead sponsor" in text and "Angela Rayner</a>" in text
    assert text.index("reference-hit") < text.index('class="search-hit"')


def test_members_by_any_name_and_bills_are_hits_of_their_own(demo, site):
    duncan = answer(demo, "Duncan")
    assert [(h.kind, h.title) for h in duncan.records] == [("members", "Sir Iain Duncan Smith")]
    former = answer(demo, "Vernon Coaker").records
    assert [(h.title, h.note) for h in former][:1] == [("Lord Coaker", "formerly Vernon Coaker")]
    bills = answer(demo, "procurement bill").records
    assert ("bills", "Procurement Act 2023") in [(h.kind, h.title) for h in bills]  # by its former short title
    text = site.get("/-/search?q=Duncan").text
    assert '<a href="/-/member/152" class="search-record-link">Sir Iain Duncan Smith</a>' in text


def test_or_finds_either_word_and_the_page_says_the_syntax(demo, site):
    either = answer(demo, "hikvision OR timeline")
    hik, dahua = answer(demo, "hikvision"), answer(demo, "timeline")
    for kind in either.counts:
        assert max(hik.counts[kind], dahua.counts[kind]) <= either.counts[kind] <= hik.counts[kind] + dahua.counts[kind]
    assert sum(either.counts.values()) > sum(hik.counts.values())
    assert "<code>OR</code> in capitals" in site.get("/-/search?q=x").text


def test_counts_are_exact(demo, site):
    conn = sqlite3.connect(demo)
    found = answer(demo, "procurement")
    for table in schema.searched():
        (truth,) = conn.execute(f"SELECT count(*) FROM [{table.fts}] WHERE [{table.fts}] MATCH '\"procurement\"'").fetchone()
        assert found.counts[table.name] == truth
    total = sum(found.counts.values())
    assert f'<strong class="total">{total:,}</strong> text matches' in site.get("/-/search?q=procurement").text
    assert 'data-kind="contributions">Debate contributions ({:,})'.format(found.counts["contributions"]) in site.get("/-/search?q=procurement").text


def test_results_export_as_csv_and_json(demo, site):
    page = site.get("/-/search?q=new+clause+1").text
    assert 'href="/-/search.csv?q=new+clause+1"' in page and 'href="/-/search.json?q=new+clause+1"' in page
    data = site.get("/-/search.json?q=new+clause+1").json()
    assert data["query"] == '"new" "clause" "1"' and data["counts"]["amendments"] == answer(demo, "new clause 1").counts["amendments"]
    first = data["rows"][0]
    assert (first["why"], first["kind"], first["decision"], first["decision_code"]) == ("reference", "amendments", "Negatived on division", "NegativedOnDivision")
    assert first["url"].endswith(f"/-/amendment/{first['id']}")
    response = site.get("/-/search.csv?q=new+clause+1&kind=amendments")
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert rows[0]["title"] == first["title"] and {r["kind"] for r in rows} <= {"amendments", "members", "bills"}
    ranked = [r for r in rows if r["why"] == "text"]
    assert [float(r["rank"]) for r in ranked] == sorted(float(r["rank"]) for r in ranked)
    assert "<mark>" not in response.text and "\x02" not in response.text


def test_tagged_lookups_use_integer_keys_and_indexes_not_casts(demo):
    assert "CAST" not in search.TAGGED_DOCS_SQL
    conn = sqlite3.connect(demo)
    plan = " ".join(r[3] for r in conn.execute("EXPLAIN QUERY PLAN " + search.TAGGED_DOCS_SQL,
                                               {"kind": "amendments", "label": "PROVISION", "id": "x", "limit": 5}).fetchall())
    # one entity's documents of one table, in order along the index: a page is read, not every mention of the table
    assert "USING INDEX idx_mentions_label_entity_id_doc_table_doc_id (label=? AND entity_id=? AND doc_table=?)" in plan
    assert "SCAN mentions" not in plan and "TEMP B-TREE FOR GROUP BY" not in plan and "TEMP B-TREE FOR ORDER BY" not in plan
    assert search._keys(conn, schema.table("amendments"), ["10001551"]) == [10001551]
    found = answer(demo, "surveillance equipment")
    assert found.tagged  # tagged hits still found


def test_feed_labels_find_records_by_their_keys_without_casts(site):
    import inspect

    from tracker.publish import pages

    assert "CAST" not in inspect.getsource(pages.record_labels)
    labels = site.run(pages.record_labels(site.ds.get_database("demo"), "amendments", ["10001677", 10001551, "nope"]))
    assert labels == {"10001677": "Amendment NC1 (Report stage, Commons)", "10001551": "Amendment NC1 (Committee stage, Commons)"}
