"""`tag_database` on real SQLite files: registries, linked mentions, incremental tagging."""
import json
import shutil
from pathlib import Path

import pytest

from nlp.components import DATA_DIR, read_jsonl
from scrapers.errors import TrackerError
from tracker import store, tagging
from tracker.cli.members import load_member_files
from tracker.vocab import ChangeKind, House, NameKind, RunStatus


def insert(db, table, row):
    cols = ", ".join(f"[{k}]" for k in row)
    db.execute(f"INSERT INTO [{table}] ({cols}) VALUES ({', '.join('?' for _ in row)})", list(row.values()))


@pytest.fixture
def db(tmp_path):
    return sample_db(tmp_path / "tracker.db")


def sample_db(path):
    db = store.open_db(path)
    with store.transaction(db):
        insert(db, "bills", {"bill_id": 3159, "short_title": "Procurement Bill [HL]"})
        insert(db, "bill_stages", {"bill_stage_id": 17000, "bill_id": 3159, "house": "Commons", "description": "Report stage",
                                   "first_sitting": "2023-06-13T00:00:00"})
        insert(db, "bill_stages", {"bill_stage_id": 16000, "bill_id": 3159, "house": "Lords", "description": "Committee stage",
                                   "first_sitting": "2022-11-21T00:00:00"})
        insert(db, "members", {"member_id": 4748, "name": "Ruth Edwards", "name_display_as": "Ruth Edwards",
                               "name_list_as": "Edwards, Ruth", "house": "Commons", "constituency": "Rushcliffe",
                               "membership_start": "2019-12-12", "membership_end": "2024-05-30", "gender": "F"})
        insert(db, "members", {"member_id": 738, "name": "Lord Alton of Liverpool", "name_display_as": "Lord Alton of Liverpool",
                               "name_list_as": "Alton of Liverpool, L.", "house": "Lords", "membership_start": "1997-06-30", "gender": "M"})
        insert(db, "member_names", {"member_id": 738, "name": "David Alton", "kind": "former", "start_date": "1979-03-29",
                                    "end_date": "1997-05-01"})
        insert(db, "amendments", {"amendment_id": 501, "bill_id": 3159, "bill_stage_id": 17000, "number": "NC1",
                                  "summary": "Hikvision and Dahua: removal of surveillance equipment",
                                  "text": "To move the following Clause— the supplier is subject to the National Intelligence Law."})
        insert(db, "amendments", {"amendment_id": 502, "bill_id": 3159, "bill_stage_id": 17000, "number": "47B",
                                  "summary": "Consequential on new clause 1", "explanatory_text": "See Amendment 47B and Amendment 12."})
        insert(db, "amendments", {"amendment_id": 601, "bill_id": 3159, "bill_stage_id": 16000, "number": "12",
                                  "summary": "Lords amendment"})
        insert(db, "debates", {"debate_id": "D1", "date": "2023-06-13", "house": "Commons", "bill_id": 3159, "bill_stage_id": 17000})
        insert(db, "contributions", {"contribution_id": 1, "debate_id": "D1", "member_id": 4748,
                                     "text": "I agree with the hon. Member for Rushcliffe about new clause 1 and Lord Alton's speech."})
        insert(db, "written_questions", {"question_id": 7, "date_tabled": "2023-02-06", "date_answered": "2023-02-14",
                                         "question_text": "To ask the Minister for the Cabinet Office about CCTV.",
                                         "answer_text": "Departments have been told about Hikvision."})
    return db


def mentions(db, **where):
    clause = " AND ".join(f"[{k}] = ?" for k in where) or "1"
    cur = db.execute(f"SELECT * FROM mentions WHERE {clause} ORDER BY doc_table, doc_id, field, start", list(where.values()))
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r)) for r in cur.fetchall()]


def test_registries_are_loaded_with_links_and_sources(db):
    n_suppliers, n_provisions = tagging.load_registries(db)
    assert n_suppliers >= 30 and n_provisions >= 15
    hik = db.execute("SELECT name, legal_name, parent_id, prc_national_intelligence_law, us_entity_list, aliases FROM suppliers"
                     " WHERE supplier_id = 'hikvision'").fetchone()
    assert hik[:5] == ("Hikvision", "Hangzhou Hikvision Digital Technology Co., Ltd.", "cetc", 1, 1)
    assert "HIKVISION" in json.loads(hik[5])
    assert db["suppliers"].get("hikvision")["source_url"] == "nlp/data/suppliers.jsonl"  # the project's file, wherever it is
    assert db.execute("SELECT parent_id FROM suppliers WHERE supplier_id = 'ezviz'").fetchone()[0] == "hikvision"
    flags = db.execute("SELECT flag, source FROM supplier_risk_flags WHERE supplier_id = 'huawei'").fetchall()
    assert {f for f, _ in flags} >= {"prc_national_intelligence_law", "fcc_covered_list", "us_entity_list", "uk_government_named"}
    assert all(source for _, source in flags)
    assert {(fk.column, fk.other_table) for fk in db["mentions"].foreign_keys} == {
        ("member_id", "members"), ("supplier_id", "suppliers"), ("provision_id", "provisions"),
        ("amendment_id", "amendments"), ("pingpong_item_id", "pingpong_items")}
    indexes = {tuple(i.columns) for i in db["mentions"].indexes}
    assert {("doc_table", "doc_id", "label", "entity_id"), ("label", "entity_id", "doc_table", "doc_id"), ("pingpong_item_id",)} <= indexes


def test_tag_database_links_mentions(db):
    summary = tagging.tag_database(db)
    assert summary["tables"]["amendments"]["tagged"] == 5  # five non-empty fields
    rows = mentions(db, doc_table="amendments", doc_id="502")
    refs = [(m["field"], m["text"], m["value"], m["amendment_id"]) for m in rows]
    assert refs == [
        ("explanatory_text", "Amendment 47B", "amendment:47B", 502),
        ("explanatory_text", "Amendment 12", "amendment:12", None),  # 12 is an amendment of another stage
        ("summary", "new clause 1", "amendment:NC1", 501),
    ]
    speech = mentions(db, doc_table="contributions")
    assert [(m["text"], m["label"], m["member_id"]) for m in speech] == [
        ("hon. Member for Rushcliffe", "MEMBER", 4748),
        ("new clause 1", "REFERENCE", None),
        ("Lord Alton", "MEMBER", 738),
    ]
    assert speech[1]["amendment_id"] == 501
    supplier = mentions(db, doc_table="written_questions", field="answer_text")[0]
    assert (supplier["supplier_id"], supplier["entity_id"], supplier["name"]) == ("hikvision", "hikvision", "Hikvision")
    question = mentions(db, doc_table="written_questions", field="question_text")
    assert [(m["label"], m["entity_id"]) for m in question] == [("MEMBER", None), ("PROVISION", "surveillance-equipment")]
    for m in mentions(db):  # offsets are the field's
        field_text = db.execute(f"SELECT [{m['field']}] FROM [{m['doc_table']}] WHERE rowid = (SELECT rowid FROM [{m['doc_table']}]"
                                f" WHERE CAST({ {'amendments': 'amendment_id', 'contributions': 'contribution_id', 'written_questions': 'question_id'}[m['doc_table']] } AS TEXT) = ?)",
                                [m["doc_id"]]).fetchone()[0]
        assert field_text[m["start"]:m["end"]] == m["text"]
        assert m["pipeline_version"] == summary["pipeline_version"]


def test_tagging_is_incremental(db):
    first = tagging.tag_database(db)
    count = len(mentions(db))
    second = tagging.tag_database(db)
    assert all(t["tagged"] == 0 for t in second["tables"].values())
    assert sum(t["unchanged"] for t in second["tables"].values()) == sum(t["tagged"] for t in first["tables"].values())
    assert len(mentions(db)) == count
    # a changed document is retagged, and only it
    with store.transaction(db):
        db.execute("UPDATE contributions SET text = 'Dahua and Hikvision cameras' WHERE contribution_id = 1")
    third = tagging.tag_database(db)
    assert third["tables"]["contributions"]["tagged"] == 1
    assert sum(t["tagged"] for t in third["tables"].values()) == 1
    assert [m["supplier_id"] for m in mentions(db, doc_table="contributions")] == ["dahua", "hikvision"]
    # a deleted document loses its mentions
    with store.transaction(db):
        db.execute("DELETE FROM contributions WHERE contribution_id = 1")
    fourth = tagging.tag_database(db)
    assert fourth["tables"]["contributions"]["removed"] == 1
    assert mentions(db, doc_table="contributions") == []


def test_a_new_pipeline_version_retags_everything(db):
    first = tagging.tag_database(db)
    total = sum(t["tagged"] for t in first["tables"].values())
    with store.transaction(db):  # a new member changes the gazetteer, hence the version
        insert(db, "members", {"member_id": 4507, "name": "Jeremy Quin", "name_display_as": "Jeremy Quin",
                               "name_list_as": "Quin, Jeremy", "house": "Commons", "constituency": "Horsham",
                               "membership_start": "2015-05-07", "gender": "M"})
    second = tagging.tag_database(db)
    assert second["pipeline_version"] != first["pipeline_version"]
    assert sum(t["tagged"] for t in second["tables"].values()) == total
    # the written answer of 2023-02-14 now links the office to its holder
    question = mentions(db, doc_table="written_questions", field="question_text")[0]
    assert (question["text"], question["member_id"]) == ("Minister for the Cabinet Office", 4507)
    assert {v for (v,) in db.execute("SELECT DISTINCT pipeline_version FROM mentions").fetchall()} == {second["pipeline_version"]}


def test_full_retags_and_tables_limit(db):
    tagging.tag_database(db)
    again = tagging.tag_database(db, tables=["amendments"], full=True)
    assert list(again["tables"]) == ["amendments"] and again["tables"]["amendments"]["tagged"] == 5
    with pytest.raises(TrackerError):
        tagging.tag_database(db, tables=["members"])


def test_tag_text_uses_the_database_members(db):
    nlp = tagging.build_pipeline(db)
    found = tagging.tag_text("the hon. Member for Rushcliffe and David Alton", nlp=nlp, date="1990-01-01")
    assert [(m["text"], m["entity_id"]) for m in found] == [("hon. Member for Rushcliffe", None), ("David Alton", "738")]
    with pytest.raises(TrackerError):
        tagging.tag_text("x", nlp=nlp, date="13/06/2023")


def add_pingpong(db):
    """A Lords ping-pong stage (its motions and amendments between the Houses) and its debate."""
    with store.transaction(db):
        insert(db, "bill_stages", {"bill_stage_id": 17894, "bill_id": 3159, "house": "Lords",
                                   "description": "Consideration of Commons amendments", "first_sitting": "2023-09-12T00:00:00"})
        for item_id, kind, number, extra in [
            (604283, "Motion", "A", {"text": "That this House do not insist on its Amendment 47, to which the Commons have"
                                             " disagreed, and do agree with the Commons in their Amendment 47A in lieu."}),
            (604284, "Amendment", "47A", {}),
            (604285, "Motion", "B", {}),
            (604286, "Motion", "B1", {"summary": "Motion B1, as an amendment to Motion B"}),
            (604287, "Motion", "C", {}),  # two motions numbered C: a reference to Motion C is not guessed
            (604288, "Motion", "C", {}),
            (604289, "Motion", "D", {"removed_at": "2023-09-13T00:00:00"}),  # gone from the API
            (604290, "Amendment", "12", {}),  # the Commons stage's amendment 12 is another stage's
        ]:
            insert(db, "pingpong_items", {"pingpong_item_id": item_id, "bill_id": 3159, "bill_stage_id": 17894,
                                          "type": kind, "number": number, **extra})
        insert(db, "debates", {"debate_id": "D2", "date": "2023-09-12", "house": "Lords", "bill_id": 3159, "bill_stage_id": 17894})
        insert(db, "contributions", {"contribution_id": 2, "debate_id": "D2", "member_id": 738,
                                     "text": "I beg to move Motion A. Motion 47A? No: Lords Amendment 47 fell; Commons Amendment 47A"
                                             " in lieu stands, with Motion B1, Motion C, Motion D and Motion E, and Amendment 12."})


def refs(db, **where):
    return [(m["text"], m["value"], m["pingpong_item_id"], m["amendment_id"])
            for m in mentions(db, label="REFERENCE", **where)]


def test_references_in_ping_pong_link_to_the_stages_items(db):
    add_pingpong(db)
    tagging.tag_database(db)
    assert refs(db, doc_table="contributions", doc_id="2") == [
        ("Motion A", "motion:A", 604283, None),
        ("Motion 47A", "motion:47A", None, None),  # no motion has that number
        ("Amendment 47", "amendment:47", None, None),  # nor any item of this stage
        ("Amendment 47A", "amendment:47A", 604284, None),
        ("Motion B1", "motion:B1", 604286, None),
        ("Motion C", "motion:C", None, None),  # two motions C
        ("Motion D", "motion:D", None, None),  # removed
        ("Motion E", "motion:E", None, None),
        ("Amendment 12", "amendment:12", 604290, None),  # this stage's item, not stage 16000's amendment 12
    ]
    # a ping-pong item's own text links within its stage
    assert refs(db, doc_table="pingpong_items", doc_id="604283") == [
        ("Amendment 47", "amendment:47", None, None), ("Amendment 47A", "amendment:47A", 604284, None)]
    assert refs(db, doc_table="pingpong_items", doc_id="604286") == [
        ("Motion B1", "motion:B1", 604286, None), ("Motion B", "motion:B", 604285, None)]
    # report stage: its amendments, never another stage's ping-pong items
    assert refs(db, doc_table="amendments", doc_id="502") == [
        ("Amendment 47B", "amendment:47B", None, 502), ("Amendment 12", "amendment:12", None, None),
        ("new clause 1", "amendment:NC1", None, 501)]
    # what the publication reads: entity_id and value are the normalised reference, the typed column the link
    linked = mentions(db, doc_table="contributions", doc_id="2", pingpong_item_id=604283)[0]
    assert {k: linked[k] for k in ("label", "entity_id", "name", "value", "amendment_id", "member_id")} == {
        "label": "REFERENCE", "entity_id": "motion:A", "name": "motion:A", "value": "motion:A", "amendment_id": None, "member_id": None}


def test_a_number_two_records_of_the_stage_share_links_to_neither(db):
    add_pingpong(db)
    with store.transaction(db):  # an amendment and an amendment between the Houses, both 47A
        insert(db, "amendments", {"amendment_id": 701, "bill_id": 3159, "bill_stage_id": 17894, "number": "47A"})
        # two report-stage amendments numbered 47B (the old mapping kept whichever came last)
        insert(db, "amendments", {"amendment_id": 503, "bill_id": 3159, "bill_stage_id": 17000, "number": "47b "})
    tagging.tag_database(db)
    assert ("Amendment 47A", "amendment:47A", None, None) in refs(db, doc_table="contributions", doc_id="2")
    assert ("Amendment 47B", "amendment:47B", None, None) in refs(db, doc_table="amendments", doc_id="502")


def test_a_new_item_in_the_stage_retags_that_stages_documents(db):
    add_pingpong(db)
    tagging.tag_database(db)
    with store.transaction(db):
        insert(db, "pingpong_items", {"pingpong_item_id": 604291, "bill_id": 3159, "bill_stage_id": 17894,
                                      "type": "Motion", "number": "E"})
    again = tagging.tag_database(db)
    # the speech in that stage's debate and the stage's items whose text is not empty; nothing else
    assert again["tables"]["contributions"]["tagged"] == 1
    assert again["tables"]["pingpong_items"]["tagged"] == 2
    assert again["tables"]["amendments"]["tagged"] == 0
    assert ("Motion E", "motion:E", 604291, None) in refs(db, doc_table="contributions", doc_id="2")


def test_migration_adds_the_link_to_an_existing_database(tmp_path):
    import sqlite_utils

    from tracker.store import migrations

    path = tmp_path / "old.db"
    old = sqlite_utils.Database(path)
    old.execute("CREATE TABLE _migrations (number INTEGER PRIMARY KEY, name TEXT, applied_at TEXT)")
    with old.conn:
        for number, name, module in migrations.available():
            if number < 5:
                module.migrate(old)
                old.execute("INSERT INTO _migrations VALUES (?, ?, '')", [number, name])
        insert(old, "mentions", {"doc_table": "contributions", "doc_id": "2", "start": 0, "end": 8, "text": "Motion A",
                                 "label": "REFERENCE", "entity_id": "motion:A", "value": "motion:A", "pipeline_version": "old"})
    old.conn.close()
    db = store.open_db(path)
    assert "pingpong_item_id" in db["mentions"].columns_dict and db["mentions"].columns_dict["pingpong_item_id"] is int
    assert db.execute("SELECT text, value, pingpong_item_id FROM mentions").fetchall() == [("Motion A", "motion:A", None)]
    assert ("doc_table", "doc_id", "label", "entity_id") in {tuple(i.columns) for i in db["mentions"].indexes}


SAMPLE_SEARCH = Path(__file__).resolve().parents[1] / "tracker" / "sample" / "members_search.json"


def test_peers_full_title_and_address_forms_tag_through_a_database_built_gazetteer(tmp_path):
    db = store.open_db(tmp_path / "members.db")
    load_member_files(db, [SAMPLE_SEARCH])  # the Members API's own shapes, through the members scraper and the store
    kinds = {kind for (kind,) in db.execute("SELECT DISTINCT kind FROM member_names WHERE member_id IN (4322, 4262)")}
    assert {NameKind.FULL_TITLE, NameKind.ADDRESS_AS} <= kinds  # the forms that used to hide the peers
    from_db = tagging.build_pipeline(db)
    from_file = tagging.build_pipeline(members_file=str(SAMPLE_SEARCH))
    texts = {"the Lord Fox said": [("Lord Fox", "4322")],
             "the Baroness Neville-Rolfe replied": [("Baroness Neville-Rolfe", "4262")],
             "The Baroness Neville-Rolfe DBE CMG": [("Baroness Neville-Rolfe", "4262")]}
    for text, expected in texts.items():
        for nlp in (from_db, from_file):
            found = tagging.tag_text(text, nlp=nlp, date="2022-12-05", house=House.LORDS)
            assert [(m["text"], m["entity_id"]) for m in found] == expected, text
    # and into `mentions`, from a Lords debate
    with store.transaction(db):
        insert(db, "debates", {"debate_id": "L1", "date": "2022-12-05", "house": "Lords"})
        insert(db, "contributions", {"contribution_id": 9, "debate_id": "L1",
                                     "text": "As the Lord Fox said, and as the Baroness Neville-Rolfe replied."})
    tagging.tag_database(db, tables=["contributions"])
    assert [(m["text"], m["member_id"]) for m in mentions(db, doc_table="contributions")] == [
        ("Lord Fox", 4322), ("Baroness Neville-Rolfe", 4262)]


def test_a_new_link_rules_version_retags_everything(db, monkeypatch):
    first = tagging.tag_database(db)
    nlp = tagging.build_pipeline(db)
    monkeypatch.setattr(tagging, "LINK_RULES_VERSION", tagging.LINK_RULES_VERSION + "-next")
    second = tagging.tag_database(db, nlp=nlp)
    assert second["pipeline_version"] != first["pipeline_version"]
    assert sum(t["tagged"] for t in second["tables"].values()) == sum(t["tagged"] for t in first["tables"].values())
    assert tagging.build_pipeline(db).meta["pbt_version"] == nlp.meta["pbt_version"]  # the nlp pipeline's own is unchanged


def registry_files(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    return data


def edit_jsonl(path, change):
    records = [change(r) for r in read_jsonl(path)]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records if r is not None), encoding="utf-8")


def registry_changes(db, run_id):
    return sorted((c["table_name"], c["record_id"], c["kind"])
                  for c in db.query("SELECT * FROM changes WHERE sync_run_id = ?", [run_id]))


def test_registries_keep_history(tmp_path):
    db = store.open_db(tmp_path / "r.db")
    data = registry_files(tmp_path)
    n_suppliers, n_provisions = tagging.load_registries(db, data)
    [run] = db.query("SELECT * FROM sync_runs")
    assert (run["sources"], run["status"]) == ("registries", RunStatus.OK)
    n_flags = db["supplier_risk_flags"].count
    added = registry_changes(db, run["id"])
    assert len(added) == n_suppliers + n_provisions + n_flags and {k for *_, k in added} == {ChangeKind.ADDED}
    hik = db["suppliers"].get("hikvision")
    assert (hik["sync_run_id"], hik["source_url"], hik["removed_at"]) == (run["id"], str(data / "suppliers.jsonl"), None)
    assert hik["first_seen"] and hik["content_hash"]
    # an unchanged load writes nothing, not even a run
    tagging.load_registries(db, data)
    assert db["sync_runs"].count == 1
    # a renamed supplier, a provision and a risk flag gone from the files
    gone_provision = read_jsonl(data / "provisions.jsonl")[-1]["provision_id"]
    edit_jsonl(data / "provisions.jsonl", lambda p: None if p["provision_id"] == gone_provision else p)
    edit_jsonl(data / "suppliers.jsonl", lambda s: {**s, "name": "Hikvision Digital"} if s["supplier_id"] == "hikvision" else
               {**s, "risk_flags": s["risk_flags"][:-1]} if s["supplier_id"] == "huawei" else s)
    [flag_id] = [r[0] for r in db.execute("SELECT id FROM supplier_risk_flags WHERE supplier_id = 'huawei' ORDER BY id DESC LIMIT 1")]
    tagging.load_registries(db, data)
    later = db.execute("SELECT max(id) FROM sync_runs").fetchone()[0]
    assert registry_changes(db, later) == sorted([
        ("provisions", gone_provision, ChangeKind.REMOVED),
        ("supplier_risk_flags", str(flag_id), ChangeKind.REMOVED),
        ("suppliers", "hikvision", ChangeKind.CHANGED),
        ("suppliers", "huawei", ChangeKind.CHANGED),  # its flags (the JSON column and one 0/1 column) changed
    ])
    assert db["provisions"].get(gone_provision)["removed_at"]  # kept, marked removed: never deleted
    assert json.loads(db.execute("SELECT changed_fields FROM changes WHERE record_id = 'hikvision' AND sync_run_id = ?",
                                 [later]).fetchone()[0])["name"] == ["Hikvision", "Hikvision Digital"]
    # back in the files: restored
    shutil.copy(DATA_DIR / "provisions.jsonl", data / "provisions.jsonl")
    tagging.load_registries(db, data)
    last = db.execute("SELECT max(id) FROM sync_runs").fetchone()[0]
    assert registry_changes(db, last) == [("provisions", gone_provision, ChangeKind.RESTORED)]
    assert db["provisions"].get(gone_provision)["removed_at"] is None


def test_a_registry_listing_one_flag_twice_is_refused_in_one_line(tmp_path):
    db = store.open_db(tmp_path / "r.db")
    data = registry_files(tmp_path)
    edit_jsonl(data / "suppliers.jsonl",
               lambda s: {**s, "risk_flags": [*s["risk_flags"], s["risk_flags"][0]]} if s["supplier_id"] == "zte" else s)
    with pytest.raises(TrackerError, match="zte lists flag .* from one source twice"):
        tagging.load_registries(db, data)
    assert db["suppliers"].count == 0 and db["sync_runs"].count == 0


def test_registry_rows_from_before_history_are_taken_over_as_changes_not_additions(tmp_path):
    import sqlite_utils

    from tracker.store import migrations

    path = tmp_path / "old.db"
    old = sqlite_utils.Database(path)
    old.execute("CREATE TABLE _migrations (number INTEGER PRIMARY KEY, name TEXT, applied_at TEXT)")
    for number, name, module in migrations.available():
        if number < 9:
            module.migrate(old)
            old.execute("INSERT INTO _migrations VALUES (?, ?, '')", [number, name])
    insert(old, "suppliers", {"supplier_id": "hikvision", "name": "Hikvision"})  # as the old loader left it
    old.close()
    db = store.open_db(path)
    assert {"content_hash", "removed_at", "sync_run_id"} <= set(db["supplier_risk_flags"].columns_dict)
    tagging.load_registries(db)
    assert db.execute("SELECT kind FROM changes WHERE record_id = 'hikvision'").fetchall() == [(ChangeKind.CHANGED,)]
    hik = db["suppliers"].get("hikvision")
    assert hik["first_seen"] and hik["content_hash"] and hik["removed_at"] is None


def add_speeches(db, n, seed=3):
    """``n`` more speeches in the two debates, of generated text that names the sample's members,
    suppliers, provisions and amendments (``benchmarks/corpus.py``: no passage repeated)."""
    from test_nlp_rawtext import corpus_module

    names = ["Ruth Edwards", "Lord Alton", "David Alton", "Lord Alton of Liverpool", "the hon. Member for Rushcliffe",
             "Motion A", "Amendment 47A", "new clause 1"]
    docs = corpus_module().unrepeated_documents(n * 500, members=names, seed=seed, mention_every=12)[:n]
    assert len(docs) == n
    with store.transaction(db):
        for i, (text, _date, house) in enumerate(docs, start=100):
            insert(db, "contributions", {"contribution_id": i, "debate_id": "D1" if house == "Commons" else "D2", "text": text})


def tagged_state(db):
    """Every mention (with its id) and what was tagged, but when."""
    return (db.execute("SELECT * FROM mentions ORDER BY id").fetchall(),
            db.execute("SELECT doc_table, doc_id, field, content_hash, pipeline_version, mentions FROM nlp_documents"
                       " ORDER BY doc_table, doc_id, field").fetchall())


def test_jobs_tag_exactly_as_one_process(tmp_path):
    one, many = sample_db(tmp_path / "one.db"), sample_db(tmp_path / "many.db")
    for db in (one, many):
        add_pingpong(db)
        add_speeches(db, 60)
    nlp = tagging.build_pipeline(one)
    alone = tagging.tag_database(one, nlp=nlp, page_size=7)
    pages = []
    shared = tagging.tag_database(many, nlp=nlp, page_size=7, jobs=3, progress=lambda table, done: pages.append((table, done)))
    assert shared == alone
    assert tagged_state(many) == tagged_state(one)
    assert len(tagged_state(one)[0]) > 400 and alone["tables"]["contributions"]["tagged"] == 62
    assert ("contributions", 7) in pages and ("contributions", 62) in pages  # a page at a time, in order
    # and incrementally: a changed speech, an emptied field, a deleted speech; nothing else is retagged
    for db in (one, many):
        with store.transaction(db):
            db.execute("UPDATE contributions SET text = 'Dahua and Hikvision cameras' WHERE contribution_id = 105")
            db.execute("UPDATE amendments SET explanatory_text = NULL WHERE amendment_id = 502")
            db.execute("DELETE FROM contributions WHERE contribution_id = 110")
    alone = tagging.tag_database(one, nlp=nlp, page_size=7)
    shared = tagging.tag_database(many, nlp=nlp, page_size=7, jobs=2)
    assert shared == alone
    assert alone["tables"]["contributions"] == {"documents": 61, "tagged": 1, "unchanged": 60, "mentions": 2, "removed": 1}
    assert sum(t["tagged"] for t in alone["tables"].values()) == 1
    assert tagged_state(many) == tagged_state(one)
    assert not mentions(one, doc_table="amendments", doc_id="502", field="explanatory_text")


def test_jobs_need_a_database_file():
    db = store.open_db(":memory:")
    with pytest.raises(TrackerError, match="--jobs needs a database file"):
        tagging.tag_database(db, jobs=2)
    with pytest.raises(TrackerError, match="at least 1"):
        tagging.tag_database(db, jobs=0)


def test_a_failure_mid_page_leaves_the_page_as_it_was(db):
    import sqlite3

    tagging.tag_database(db)
    before = tagged_state(db)
    with store.transaction(db):  # both in the amendments' one page: 501's mentions are written before 502's
        db.execute("UPDATE amendments SET summary = 'Huawei kit' WHERE amendment_id = 501")
        db.execute("UPDATE amendments SET summary = 'ZTE kit' WHERE amendment_id = 502")
    db.execute("CREATE TEMP TRIGGER fail_on_zte BEFORE INSERT ON mentions WHEN NEW.supplier_id = 'zte'"
               " BEGIN SELECT RAISE(ABORT, 'the disk is full'); END")
    with pytest.raises(sqlite3.DatabaseError, match="the disk is full"):
        tagging.tag_database(db)
    assert not db.conn.in_transaction
    assert tagged_state(db) == before  # neither field's new mentions nor its new hash: the page as it was
    db.execute("DROP TRIGGER fail_on_zte")
    again = tagging.tag_database(db)
    assert again["tables"]["amendments"]["tagged"] == 2
    assert [m["supplier_id"] for m in mentions(db, doc_table="amendments", field="summary") if m["supplier_id"]] == ["huawei", "zte"]


def test_readers_of_mentions_find_them_through_the_few_indexes_there_are(db):
    from tracker.publish import pages
    from tracker.store import schema

    add_pingpong(db)
    tagging.tag_database(db)  # which also samples the indexes for the planner
    by_document = "idx_mentions_doc_table_doc_id_label_entity_id"

    def plan(sql, params):
        return [row[3] for row in db.execute("EXPLAIN QUERY PLAN " + sql, params).fetchall()]

    # the tracker's readers, each through the index it needs
    assert plan("SELECT * FROM mentions WHERE doc_table = ? AND doc_id = ? AND field IN (?, ?)",
                ["contributions", "1", "text", "title"])[0].startswith(
        f"SEARCH mentions USING INDEX {by_document} (doc_table=? AND doc_id=?)")
    assert any(step.startswith(f"SEARCH m USING") and f"{by_document} (doc_table=? AND doc_id=?" in step
               for step in plan(pages.SPEECHES_SQL, [4748]))
    assert plan("SELECT doc_table, doc_id FROM mentions WHERE label = ? AND entity_id = ?", ["SUPPLIER", "hikvision"]) == [
        "SEARCH mentions USING COVERING INDEX idx_mentions_label_entity_id_doc_table_doc_id (label=? AND entity_id=?)"]
    assert plan("SELECT doc_table, doc_id, count(*) FROM mentions WHERE member_id = ? GROUP BY doc_table, doc_id", [4748]) == [
        "SEARCH mentions USING COVERING INDEX idx_mentions_member_id_doc_table_doc_id (member_id=?)"]
    # Datasette's row page of a record counts the mentions linking to it, through each link column
    link_indexes = {c: "idx_mentions_member_id_doc_table_doc_id" if c == "member_id" else f"idx_mentions_{c}"
                    for c in schema.table("mentions").links}
    for column, index in link_indexes.items():
        assert plan(f"SELECT count(*) FROM mentions WHERE [{column}] = :id", {"id": 1}) == [
            f"SEARCH mentions USING COVERING INDEX {index} ({column}=?)"]
    # the tagger's own writes
    assert plan("DELETE FROM mentions WHERE doc_table = ? AND doc_id = ? AND field = ?", ["a", "1", "f"]) == [
        f"SEARCH mentions USING INDEX {by_document} (doc_table=? AND doc_id=?)"]
    # and no other index: two hold every mention, the link columns' only the mentions with that link
    indexes = {i.name: i.partial for i in db["mentions"].indexes}
    assert indexes == {by_document: 0, "idx_mentions_label_entity_id_doc_table_doc_id": 0, **{index: 1 for index in link_indexes.values()}}
    assert [i.name for i in db["nlp_documents"].indexes] == ["sqlite_autoindex_nlp_documents_1"]
