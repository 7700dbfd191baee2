"""The declared schema (tracker/store/schema.py) against a database the migrations built."""
import re

import pytest

from tracker import store
from tracker.store import schema
from tracker.tagging.sources import select_page_sql, sources
from tracker.vocab import Label

# FTS5's own tables beside each index, and the migrations' ledger: not the tracker's tables.
NOT_DECLARED = re.compile(r"^_migrations$|_fts(_data|_idx|_docsize|_config|_content)?$")


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    database = store.open_db(str(tmp_path_factory.mktemp("schema") / "tracker.db"))
    yield database
    database.close()


def columns(db, table):
    return [row[1] for row in db.execute(f"PRAGMA table_info([{table}])").fetchall()]


def test_every_table_is_declared_once_and_exists(db):
    made = {t for t in db.table_names() if not NOT_DECLARED.search(t)}
    assert made == set(schema.TABLES)
    with pytest.raises(ValueError, match="declared twice"):
        schema.declare(schema.Table("bills", key="bill_id"))


@pytest.mark.parametrize("name", list(schema.TABLES))
def test_keys_and_foreign_keys_are_the_database_s(db, name):
    table = schema.table(name)
    assert tuple(db[name].pks) == table.keys
    found = {fk.column: fk.other_table for fk in db[name].foreign_keys}
    assert found == table.foreign_keys()
    for fk in db[name].foreign_keys:
        assert fk.other_column == schema.table(fk.other_table).id, (name, fk.column)


@pytest.mark.parametrize("name", list(schema.TABLES))
def test_declared_columns_and_sql_fit_the_table(db, name):
    table = schema.table(name)
    present = set(columns(db, name))
    if table.tracked:
        assert set(store.BOOKKEEPING) <= present
    if table.bill:
        assert table.links.get(table.bill) == "bills" or (name == "bills" and table.bill == table.id)
    for column in table.members:
        assert table.links[column] == "members", column
    for sql in (table.label, table.context, table.human_url):
        if sql:
            db.execute(f"SELECT {sql} FROM [{name}] t LIMIT 1").fetchall()
    if table.tabled:
        sponsors = schema.table(table.tabled.sponsors)
        assert {sponsors.column_to(name), sponsors.column_to("members"), "is_lead", "sort_order"} <= set(columns(db, sponsors.name))
        db.execute(f"SELECT {table.tabled.noun} FROM [{name}] t LIMIT 1").fetchall()
    for column, names_table in table.any_record.items():
        assert {column, names_table} <= present
    if table.page:
        assert table.label and table.page.link_column in present
        for view in table.page.views:
            assert {table.id, table.page.link_column} <= set(columns(db, view))
    if table.mentioned:
        assert schema.table("mentions").column_to(name) in columns(db, "mentions")
        assert table.page or not table.mentioned.by_entity_id
    if table.tagging:
        assert set(table.tagging.fields) <= present
        db.execute(select_page_sql(table), [0, 1]).fetchall()


@pytest.mark.parametrize("table", schema.indexed(), ids=lambda t: t.name)
def test_search_columns_and_weights_are_the_index_s(db, table):
    """The index m0004 built ranks the declared columns with the declared bm25 weights."""
    assert columns(db, table.fts) == [c for c, _ in table.search.columns]
    (rank,) = db.execute(f"SELECT v FROM [{table.fts}_config] WHERE k = 'rank'").fetchone()
    assert rank == f"bm25({', '.join(str(w) for _, w in table.search.columns)})"
    assert "porter" in db.execute("SELECT sql FROM sqlite_master WHERE name = ?", [table.fts]).fetchone()[0]


def test_the_risk_flags_are_supplier_columns(db):
    assert set(schema.RISK_FLAGS) <= set(columns(db, "suppliers"))


def test_readers_see_the_declared_order():
    assert [t.name for t in schema.searched()] == [
        "amendments", "pingpong_items", "contributions", "bill_clauses", "written_questions", "written_statements", "clauses"]
    # Every searched text is tagged, the clauses of every print among them.
    assert [s.table for s in sources()] == [t.name for t in schema.searched()]
    assert [t.name for t in schema.mentioned(Label.REFERENCE)] == ["amendments", "pingpong_items"]
    assert schema.with_page("member").name == "members"
    assert set(schema.member_columns()) == {
        ("amendments", "lead_sponsor_id"), ("amendment_sponsors", "member_id"), ("pingpong_items", "lead_sponsor_id"),
        ("pingpong_sponsors", "member_id"), ("contributions", "member_id"), ("division_votes", "member_id"),
        ("written_questions", "asking_member_id"), ("written_questions", "answering_member_id"), ("written_statements", "member_id"),
    }
