"""`tracker tag` and `tracker nlp eval` through the real command group."""
import json

import pytest
from click.testing import CliRunner

from tracker import store
from tracker.cli import cli
from tracker.cli.nlp import COMMANDS


def run(*args, input=None):
    result = CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)
    return result


def test_commands_are_registered():
    assert [c.name for c in COMMANDS] == ["tag", "nlp"]
    assert "tag" in cli.commands and "nlp" in cli.commands


def test_tag_text_json_with_members_file(tmp_path):
    members = tmp_path / "members.json"
    members.write_text(json.dumps({"items": [{"value": {
        "id": 4748, "nameDisplayAs": "Ruth Edwards", "nameListAs": "Edwards, Ruth", "gender": "F",
        "latestHouseMembership": {"membershipFrom": "Rushcliffe", "house": 1, "membershipStartDate": "2019-12-12T00:00:00"}}}]}))
    result = run("--db", str(tmp_path / "absent.db"), "tag", "--text", "The hon. Member for Rushcliffe on Hikvision's cameras.",
                 "--date", "2023-06-13", "--members", str(members), "--json")
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert lines == [
        {"start": 4, "end": 30, "text": "hon. Member for Rushcliffe", "label": "MEMBER", "entity_id": "4748", "name": "Ruth Edwards"},
        {"start": 34, "end": 43, "text": "Hikvision", "label": "SUPPLIER", "entity_id": "hikvision", "name": "Hikvision"},
    ]
    assert not (tmp_path / "absent.db").exists()  # text mode does not create a database


def test_tag_text_file_and_plain_output(tmp_path):
    path = tmp_path / "speech.txt"
    path.write_text("I beg to move Amendment 47B on the debarment list.", encoding="utf-8")
    result = run("--db", str(tmp_path / "x.db"), "tag", "--text-file", str(path))
    assert result.exit_code == 0
    rows = [line.split("\t") for line in result.output.splitlines()]
    assert [(r[2], r[3]) for r in rows] == [("REFERENCE", "amendment:47B"), ("PROVISION", "debarment-list")]


@pytest.mark.parametrize("args, message", [
    (["tag", "--text", "x", "--date", "13/06/2023"], "nlp: not a date (YYYY-MM-DD): 13/06/2023"),
    (["tag", "--text-file", "{tmp}/absent.txt"], "nlp: cannot read {tmp}/absent.txt: No such file or directory"),
    (["tag", "--text-file", "{tmp}"], "nlp: cannot read {tmp}: Is a directory"),
    (["tag", "--text", "x", "--members", "{tmp}/absent.json"], "nlp: cannot read members from {tmp}/absent.json: No such file or directory"),
    (["tag", "--text", "x", "--members", "{tmp}/bad.jsonl"], "nlp: {tmp}/bad.jsonl is not a Members API search response"),
    (["tag", "--table", "members"], "nlp: cannot tag members: not a document table (one of amendments, pingpong_items,"),
    (["nlp", "eval", "{tmp}/absent.jsonl"], "nlp eval: cannot read {tmp}/absent.jsonl: No such file or directory"),
    (["nlp", "eval", "{tmp}/bad.jsonl"], "nlp eval: {tmp}/bad.jsonl:2: not JSON: "),
    (["nlp", "eval", "{tmp}/spans.jsonl"], "nlp eval: {tmp}/spans.jsonl:1: a span needs integer start and end: {{'start': 0}}"),
    (["nlp", "eval", "{tmp}/label.jsonl"], "nlp eval: {tmp}/label.jsonl:1: span 0-1: label 'ORG' is not one of SUPPLIER,"),
    (["nlp", "eval", "{tmp}/date.jsonl"], "nlp eval: {tmp}/date.jsonl:1: not a date (YYYY-MM-DD): 5 June"),
])
def test_expected_failures_are_one_line_naming_the_input(tmp_path, args, message):
    (tmp_path / "bad.jsonl").write_text('{"text": "a", "spans": []}\n{"text": oops}\n')
    (tmp_path / "spans.jsonl").write_text('{"text": "a", "spans": [{"start": 0}]}\n')
    (tmp_path / "label.jsonl").write_text('{"text": "ab", "spans": [{"start": 0, "end": 1, "label": "ORG"}]}\n')
    (tmp_path / "date.jsonl").write_text('{"text": "ab", "date": "5 June", "spans": []}\n')
    db = tmp_path / "x.db"
    result = CliRunner().invoke(cli, ["--db", str(db), *(a.format(tmp=tmp_path) for a in args)])
    assert result.exit_code == 1
    assert len(result.output.strip().splitlines()) == 1
    assert result.output.startswith("Error: " + message.format(tmp=tmp_path)), result.output
    assert "Traceback" not in result.output
    if args[0] == "tag" and "--table" in args:
        assert not db.exists() or store.open_db(db)["suppliers"].count == 0  # refused before writing anything


def test_database_options_are_refused_in_text_mode_and_back(tmp_path):
    result = CliRunner().invoke(cli, ["--db", str(tmp_path / "x.db"), "tag", "--date", "2023-01-01"])
    assert result.exit_code == 2 and "apply to --text/--text-file" in result.output


def test_text_from_stdin(tmp_path):
    result = run("--db", str(tmp_path / "x.db"), "tag", "--text-file", "-", "--json", input="Motions A1 and B1 on Dahua")
    assert [(m["text"], m["entity_id"]) for m in map(json.loads, result.output.splitlines())] == [
        ("Motions A1", "motion:A1"), ("B1", "motion:B1"), ("Dahua", "dahua")]


def test_tag_database_twice(tmp_path):
    path = tmp_path / "t.db"
    db = store.open_db(path)
    with store.transaction(db):
        db.execute("INSERT INTO amendments (amendment_id, number, summary) VALUES (1, '47B', 'Hikvision and Dahua')")
    first = run("--db", str(path), "tag", "--json")
    summary = json.loads(first.output)
    assert summary["tables"]["amendments"] == {"documents": 1, "tagged": 1, "unchanged": 0, "mentions": 2, "removed": 0}
    second = run("--db", str(path), "tag")
    assert "amendments: 1 documents, 0 fields tagged (0 mentions), 1 unchanged, 0 removed" in second.output


def test_nlp_eval_prints_scores_per_label(tmp_path):
    gold = tmp_path / "gold.jsonl"
    records = [
        {"text": "Hikvision and Dahua.", "spans": [{"start": 0, "end": 9, "label": "SUPPLIER", "entity_id": "hikvision"},
                                                  {"start": 14, "end": 19, "label": "SUPPLIER", "entity_id": "dahua"}]},
        {"text": "See Amendment 4 and Huawei.", "date": "2023-01-01",
         "spans": [{"start": 4, "end": 15, "label": "REFERENCE", "entity_id": "amendment:4"}]},
    ]
    gold.write_text("\n".join(json.dumps(r) for r in records))
    result = run("--db", str(tmp_path / "none.db"), "nlp", "eval", str(gold), "--json")
    scores = json.loads(result.output)
    assert scores["labels"]["SUPPLIER"] == {"tp": 2, "fp": 1, "fn": 0, "gold": 2, "precision": 0.6667, "recall": 1.0,
                                            "f1": 0.8, "linked_right": 2, "link_share": 1.0}
    assert scores["labels"]["REFERENCE"]["f1"] == 1.0
    text = run("--db", str(tmp_path / "none.db"), "nlp", "eval", str(gold), "--errors").output
    assert "SUPPLIER" in text and "spurious" in text and "'Huawei'" in text


def test_nlp_eval_rejects_bad_offsets(tmp_path):
    gold = tmp_path / "gold.jsonl"
    gold.write_text(json.dumps({"text": "Hikvision", "spans": [{"start": 0, "end": 4, "label": "SUPPLIER", "text": "Hikvision"}]}))
    result = CliRunner().invoke(cli, ["--db", str(tmp_path / "none.db"), "nlp", "eval", str(gold)])
    assert result.exit_code == 1 and "is 'Hikv', not 'Hikvision'" in result.output


def test_tag_database_in_worker_processes(tmp_path):
    path = tmp_path / "t.db"
    db = store.open_db(path)
    with store.transaction(db):
        for i, summary in enumerate(["Hikvision and Dahua", "Huawei", "the debarment list", "Amendment 47B", ""], start=1):
            db.execute("INSERT INTO amendments (amendment_id, number, summary) VALUES (?, ?, ?)", [i, str(i), summary])
    result = run("--db", str(path), "tag", "--jobs", "2", "--json")
    assert json.loads(result.output)["tables"]["amendments"] == {
        "documents": 5, "tagged": 4, "unchanged": 0, "mentions": 5, "removed": 0}
    assert [r[0] for r in db.execute("SELECT entity_id FROM mentions ORDER BY id")] == [
        "hikvision", "dahua", "huawei", "debarment-list", "amendment:47B"]
    refused = CliRunner().invoke(cli, ["--db", str(path), "tag", "--jobs", "0"])
    assert refused.exit_code == 2 and "--jobs" in refused.output
