"""The shipped data: registries, patterns and the gold set, and the scores on it."""
import json
from pathlib import Path

from nlp import evaluate, pipeline
from nlp.components import DATA_DIR, PATTERNS_DIR, load_patterns, read_jsonl
from nlp.gold import build as gold_build

SAMPLE = Path(__file__).resolve().parent.parent / "tracker" / "sample" / "members_search.json"


def test_supplier_registry():
    suppliers = read_jsonl(DATA_DIR / "suppliers.jsonl")
    assert len(suppliers) >= 30
    ids = {s["supplier_id"] for s in suppliers}
    for s in suppliers:
        assert s["name"] and s["country"] and isinstance(s["aliases"], list)
        assert s["parent_id"] is None or s["parent_id"] in ids
        for flag in s["risk_flags"]:
            assert flag["flag"] in {"prc_national_intelligence_law", "fcc_covered_list", "us_entity_list", "uk_government_named"}
            assert flag["source"]
    assert {"hikvision", "dahua", "huawei", "zte"} <= ids


def test_every_pattern_has_an_id_linking_to_its_record():
    phrases, rules = load_patterns(PATTERNS_DIR)
    suppliers = {s["supplier_id"]: s for s in read_jsonl(DATA_DIR / "suppliers.jsonl")}
    provisions = {p["provision_id"] for p in read_jsonl(DATA_DIR / "provisions.jsonl")}
    offices = {o["office_id"] for o in read_jsonl(DATA_DIR / "offices.jsonl")}
    for p in phrases:
        known = {"SUPPLIER": suppliers, "PROVISION": provisions, "MEMBER": offices}[p["label"]]
        assert p["id"] in known, p
    assert all(r["id"] and r["label"] in ("REFERENCE", "MEMBER") for r in rules)
    patterns = {(p["id"], p["pattern"].lower()) for p in phrases}
    for sid, s in suppliers.items():  # every name and trading name is matched
        for alias in s["aliases"]:
            assert any(i == sid and (alias.lower() == pat or alias.lower().startswith(pat + " ")) for i, pat in patterns), alias


def test_provision_taxonomy_covers_the_issue():
    ids = {p["provision_id"] for p in read_jsonl(DATA_DIR / "provisions.jsonl")}
    assert {"prc-national-intelligence-law", "surveillance-equipment", "surveillance-equipment-removal", "debarment-list",
            "excluded-supplier", "excludable-supplier", "exclusion-grounds", "national-security-exclusion",
            "national-security-unit-for-procurement", "high-risk-suppliers", "high-risk-supplier-list",
            "telecommunications-security-act-2021", "national-security-and-investment-act-2021", "forced-labour",
            "modern-slavery", "human-rights-abuses-xinjiang", "data-exfiltration"} <= ids


def test_gold_offsets_are_exact_and_the_file_is_current():
    records = gold_build.parse(gold_build.PASSAGES.read_text(encoding="utf-8"))
    assert gold_build.verify(records) == []
    shipped = [json.loads(l) for l in gold_build.GOLD.read_text(encoding="utf-8").splitlines() if l.strip()]
    assert shipped == records
    assert len(records) >= 150
    assert {r["style"] for r in records} >= {"amendment_paper", "commons_hansard", "lords_hansard", "written_answer"}


def test_scores_on_the_gold_set():
    nlp = pipeline.build(pipeline.members_from_search_json(SAMPLE))
    result = evaluate.evaluate(nlp, evaluate.load_gold())
    assert result["labels"]["SUPPLIER"]["f1"] >= 0.95
    assert result["labels"]["MEMBER"]["f1"] >= 0.95
    assert result["overall"]["link_share"] >= 0.95
    assert "SUPPLIER" in evaluate.report(result)
