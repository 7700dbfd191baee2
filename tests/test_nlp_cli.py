"""`tracker tag` and `tracker nlp eval` through the real command group."""
import json

from click.testing import CliRunner

from tracker import store
from tracker.cli import cli
from tracker.cli_nlp import COMMANDS


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


def test_tag_errors_are_one_line(tmp_path):
    result = CliRunner().invoke(cli, ["--db", str(tmp_path / "x.db"), "tag", "--text", "x", "--date", "13/06/2023"])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == ["Error: nlp: not a date (YYYY-MM-DD): 13/06/2023"]
    result = CliRunner().invoke(cli, ["--db", str(tmp_path / "x.db"), "tag", "--date", "2023-01-01"])
    assert result.exit_code == 2


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
