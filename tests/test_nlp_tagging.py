"""`tag_database` on real SQLite files: registries, linked mentions, incremental tagging."""
import json

import pytest

from nlp import pipeline
from scrapers.errors import TrackerError
from tracker import store, tagging


def insert(db, table, row):
    cols = ", ".join(f"[{k}]" for k in row)
    db.execute(f"INSERT INTO [{table}] ({cols}) VALUES ({', '.join('?' for _ in row)})", list(row.values()))


@pytest.fixture
def db(tmp_path):
    db = store.open_db(tmp_path / "tracker.db")
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
    assert db.execute("SELECT parent_id FROM suppliers WHERE supplier_id = 'ezviz'").fetchone()[0] == "hikvision"
    flags = db.execute("SELECT flag, source FROM supplier_risk_flags WHERE supplier_id = 'huawei'").fetchall()
    assert {f for f, _ in flags} >= {"prc_national_intelligence_law", "fcc_covered_list", "us_entity_list", "uk_government_named"}
    assert all(source for _, source in flags)
    assert {fk.other_table for fk in db["mentions"].foreign_keys} == {"members", "suppliers", "provisions", "amendments"}
    indexes = {tuple(i.columns) for i in db["mentions"].indexes}
    assert ("doc_table", "doc_id") in indexes and ("label", "entity_id") in indexes


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


def test_a_database_without_context_tables_still_tags(tmp_path):
    db = store.open_db(tmp_path / "t.db")
    db.execute("DROP TABLE debates")
    with store.transaction(db):
        insert(db, "contributions", {"contribution_id": 5, "debate_id": "X", "text": "Huawei and ZTE"})
    summary = tagging.tag_database(db, nlp=pipeline.build())
    assert summary["tables"]["contributions"]["mentions"] == 2
