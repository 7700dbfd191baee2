"""The store: migrations, transactions, upserts with history."""
import sqlite3
import types

import pytest
import sqlite_utils

from tracker import store
from tracker.store import migrations
from tracker.vocab import ChangeKind


def test_fresh_database_has_declared_keys(db):
    assert db["amendments"].pks == ["amendment_id"]
    fks = {(fk.column, fk.other_table) for fk in db["amendments"].foreign_keys}
    assert {("bill_id", "bills"), ("bill_stage_id", "bill_stages"), ("lead_sponsor_id", "members")} <= fks
    assert {(fk.column, fk.other_table) for fk in db["amendment_sponsors"].foreign_keys} == {("amendment_id", "amendments"), ("member_id", "members")}
    applied = [r["name"] for r in db.query("SELECT name FROM _migrations ORDER BY number")]
    assert applied == [name for _, name, _ in migrations.available()]


def test_older_database_upgrades_in_place(tmp_path):
    path = str(tmp_path / "old.db")
    old = sqlite_utils.Database(path)
    old.conn.isolation_level = None
    first = migrations.available()[:1]
    old.execute("CREATE TABLE _migrations (number INTEGER PRIMARY KEY, name TEXT, applied_at TEXT)")
    for number, name, module in first:
        module.migrate(old)
        old.execute("INSERT INTO _migrations VALUES (?, ?, 'then')", [number, name])
    old.execute("INSERT INTO bills (bill_id, short_title) VALUES (3159, 'Procurement Bill [HL]')")
    old.close()
    db = store.open_db(path)
    assert db["bills"].get(3159)["short_title"] == "Procurement Bill [HL]"
    assert db.execute("SELECT count(*) FROM _migrations").fetchone()[0] == len(migrations.available())
    assert store.open_db(path).execute("SELECT count(*) FROM _migrations").fetchone()[0] == len(migrations.available())


def failing_migration(fail):
    """A migration adding a column to ``bills`` and then, when ``fail``, failing half-way."""
    def migrate(db):
        db["bills"].add_column("extra_note", str)
        db["bills"].create_index(["extra_note"])
        if fail:
            raise RuntimeError("interrupted half-way")
    return (9999, "m9999_half_way", types.SimpleNamespace(migrate=migrate))


def test_a_migration_failing_half_way_leaves_nothing_behind(db_path, monkeypatch):
    store.open_db(db_path).close()
    real = migrations.available()
    monkeypatch.setattr(migrations, "available", lambda: [*real, failing_migration(fail=True)])
    with pytest.raises(RuntimeError, match="half-way"):
        store.open_db(db_path)
    plain = sqlite_utils.Database(db_path)
    assert "extra_note" not in plain["bills"].columns_dict
    assert plain.execute("SELECT count(*) FROM _migrations WHERE number = 9999").fetchone()[0] == 0
    plain.close()
    # reopening runs it again from the start (before, the column was left behind: "duplicate column name")
    monkeypatch.setattr(migrations, "available", lambda: [*real, failing_migration(fail=False)])
    db = store.open_db(db_path)
    assert "extra_note" in db["bills"].columns_dict
    assert db.execute("SELECT name FROM _migrations WHERE number = 9999").fetchone() == ("m9999_half_way",)
    assert not db.conn.in_transaction


def test_a_fresh_database_failing_in_a_later_migration_keeps_the_earlier_ones(db_path, monkeypatch):
    real = migrations.available()
    monkeypatch.setattr(migrations, "available", lambda: [real[0], failing_migration(fail=True)])
    with pytest.raises(RuntimeError):
        store.open_db(db_path)
    plain = sqlite_utils.Database(db_path)
    assert [r[0] for r in plain.execute("SELECT number FROM _migrations").fetchall()] == [real[0][0]]
    assert "bills" in plain.table_names() and "extra_note" not in plain["bills"].columns_dict
    plain.close()
    monkeypatch.undo()
    assert store.open_db(db_path).execute("SELECT count(*) FROM _migrations").fetchone()[0] == len(real)


def test_upsert_reports_and_records_each_kind(db):
    run = store.start_run(db, "test")
    row = {"bill_id": 1, "short_title": "A Bill", "last_update": "2023-01-01", "source_url": "u1"}
    with store.transaction(db):
        assert store.upsert(db, "bills", row, run_id=run) == "added"
        assert store.upsert(db, "bills", row, run_id=run) is None
        assert store.upsert(db, "bills", {**row, "source_url": "u2"}, run_id=run) is None  # provenance is not content
        assert db["bills"].get(1)["source_url"] == "u2"
    later = store.start_run(db, "test")
    with store.transaction(db):
        assert store.upsert(db, "bills", {**row, "short_title": "B Bill"}, run_id=later) == "changed"
    kinds = [(c["kind"], c["changed_fields"]) for c in db.query("SELECT kind, changed_fields FROM changes ORDER BY id")]
    assert kinds == [("added", None), ("changed", '{"short_title":["A Bill","B Bill"]}')]


def test_transaction_rolls_back_everything_on_error(db):
    run = store.start_run(db, "test")
    with pytest.raises(RuntimeError):
        with store.transaction(db):
            store.upsert(db, "bills", {"bill_id": 1, "short_title": "A"}, run_id=run)
            with store.transaction(db):  # nested: a savepoint
                store.upsert(db, "bills", {"bill_id": 2, "short_title": "B"}, run_id=run)
            raise RuntimeError("boom")
    assert db["bills"].count == 0 and db["changes"].count == 0


def test_nested_transaction_rolls_back_only_itself(db):
    run = store.start_run(db, "test")
    with store.transaction(db):
        store.upsert(db, "bills", {"bill_id": 1, "short_title": "A"}, run_id=run)
        with pytest.raises(ValueError):
            with store.transaction(db):
                store.upsert(db, "bills", {"bill_id": 2, "short_title": "B"}, run_id=run)
                raise ValueError
    assert [r["bill_id"] for r in db.query("SELECT bill_id FROM bills")] == [1]


def test_writes_outside_a_transaction_are_not_left_open(db_path):
    db = store.open_db(db_path)
    run = store.start_run(db, "test")
    store.upsert(db, "bills", {"bill_id": 9, "short_title": "Z"}, run_id=run)
    assert not db.conn.in_transaction
    other = sqlite3.connect(db_path)
    assert other.execute("SELECT short_title FROM bills WHERE bill_id = 9").fetchone() == ("Z",)


def test_record_completed_in_the_run_that_added_it_is_one_added_change(db):
    run = store.start_run(db, "test")
    with store.transaction(db):
        store.ensure_member(db, {"member_id": 738, "name": "Lord Alton of Liverpool", "house": "Lords"}, run_id=run)
        assert store.upsert(db, "members", {"member_id": 738, "name": "Lord Alton of Liverpool", "house": "Lords", "gender": "M"}, run_id=run) == "added"
    assert [(c["kind"], c["record_id"]) for c in db.query("SELECT kind, record_id FROM changes")] == [("added", "738")]
    later = store.start_run(db, "test")
    with store.transaction(db):
        assert store.upsert(db, "members", {"member_id": 738, "name": "Lord Alton of Liverpool", "house": "Lords", "gender": "F"}, run_id=later) == "changed"
    assert db["changes"].count == 2


def test_refresh_listing_removes_only_within_its_scope_and_listing_is_current_says_when_nothing_would_change(db):
    run = store.start_run(db, "test")
    stage = {"bill_id": 1, "description": "Second reading", "house": "Lords"}
    listing = [{"bill_stage_id": 10, **stage}, {"bill_stage_id": 11, **stage, "description": "Committee stage"}]
    with store.transaction(db):
        store.upsert(db, "bill_stages", {"bill_stage_id": 20, "bill_id": 2, "description": "Report stage"}, run_id=run)
        assert store.refresh_listing(db, "bill_stages", listing, scope={"bill_id": 1}, run_id=run) == {ChangeKind.ADDED: 2}
    assert store.listing_is_current(db, "bill_stages", listing, scope={"bill_id": 1})
    assert not store.listing_is_current(db, "bill_stages", listing[:1], scope={"bill_id": 1})
    later = store.start_run(db, "test")
    with store.transaction(db):
        counts = store.refresh_listing(db, "bill_stages", listing[:1], scope={"bill_id": 1}, run_id=later)
    assert counts == {ChangeKind.REMOVED: 1}
    assert [r["bill_stage_id"] for r in db.query("SELECT bill_stage_id FROM bill_stages WHERE removed_at IS NULL ORDER BY 1")] == [10, 20]
    assert [(c["record_id"], c["kind"]) for c in db.query("SELECT * FROM changes WHERE sync_run_id = ?", [later])] == [
        ("11", ChangeKind.REMOVED)]
