"""Amendment families on the demo: precision and recall against the gold set, ping-pong polarity, the Act."""
import pytest
from positions_support import GOLD, read_demo

from tracker.positions import evaluate
from tracker.positions.families import find_families
from tracker.positions.government import Government

# Floors under the measured figures (README): pairwise over items put in one family.
PRECISION_FLOOR, RECALL_FLOOR = 0.80, 0.85


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    return read_demo(tmp_path_factory)


@pytest.fixture(scope="module")
def families(demo):
    return find_families(demo, Government.from_db(demo))


def family_of(families, ref):
    return next(f for f in families if ref in {m.item.ref for m in f.members})


def test_grouping_against_the_gold_set(families):
    scores = evaluate.family_scores(families, evaluate.load_gold(GOLD / "families.jsonl"))
    print(f"\nfamilies: precision {scores['precision']:.2f}, recall {scores['recall']:.2f} over {scores['pairs_gold']} gold pairs;"
          f" {scores['families_exact']} of {scores['families_gold']} families exact")
    assert scores["precision"] >= PRECISION_FLOOR, scores["spurious"]
    assert scores["recall"] >= RECALL_FLOOR, scores["missed"]


def test_the_removal_proposal_is_one_family_across_both_houses(families):
    family = family_of(families, "amendments/10001285")
    steps = [(m.item.house, m.item.stage, m.item.label, m.item.decision) for m in family.members]
    assert steps == [("Lords", "Committee stage", "Amendment 99", "Withdrawn"), ("Lords", "Report stage", "Amendment 21", "NotMoved"),
                     ("Commons", "Report stage", "NC2", "Withdrawn")]
    assert family.topic == "provision:surveillance-equipment-removal"
    assert family.outcome == "not in the Act"


def test_pingpong_references_set_each_steps_direction(families):
    family = family_of(families, "pingpong_items/604286")
    by_ref = {m.item.ref: m for m in family.members}
    assert len(by_ref) == 10 and family.title == "Annual report on the National Security Unit for Procurement"
    # Lord Coaker's Motion B1 (disagree with Commons Amendment 47, propose 47A in lieu) anchors the family
    assert by_ref["pingpong_items/604286"].polarity == 1 and by_ref["pingpong_items/604287"].polarity == 1
    assert by_ref["pingpong_items/604284"].polarity == -1  # Commons Amendment 47 undoes the Lords' duty
    assert by_ref["pingpong_items/604285"].polarity == -1  # Motion B agrees with it
    assert by_ref["pingpong_items/604292"].polarity == -1  # Commons Motion A disagrees with 47A
    assert by_ref["pingpong_items/604294"].polarity == 1  # Commons Motion B agrees with 47A
    # 47B, proposed in lieu by the Government, is a concession, at both stages
    assert by_ref["pingpong_items/604293"].role == by_ref["pingpong_items/604296"].role == "concession"
    assert [m.step for m in family.members] == list(range(1, 11))


def test_what_reached_the_act(families):
    debarment = family_of(families, "pingpong_items/604288")
    assert debarment.outcome == "in the Act" and debarment.act_clause_id == "ukpga/2023/54/section/62"
    nothing_agreed = family_of(families, "amendments/10001684")
    assert nothing_agreed.act_clause_id is None
