"""Speech stances on the demo against the gold stance labels."""
from positions_support import GOLD, read_demo

from tracker.positions import evaluate
from tracker.positions.stance import speech_stances

# Floors under the measured figures (README).
FLOORS = {"supports": (0.90, 0.60), "opposes": (0.90, 0.60)}
ACCURACY_FLOOR = 0.65


def test_speech_stances_against_the_gold_set(tmp_path_factory):
    readings = speech_stances(read_demo(tmp_path_factory))
    scores = evaluate.stance_scores(readings, evaluate.load_gold(GOLD / "stances.jsonl"))
    print("\nstances: " + "; ".join(f"{s} precision {scores[s]['precision']:.2f} recall {scores[s]['recall']:.2f} ({scores[s]['gold']} gold)"
                                    for s in FLOORS) + f"; accuracy {scores['accuracy']:.2f}")
    for stance, (precision, recall) in FLOORS.items():
        assert scores[stance]["precision"] >= precision, scores["errors"]
        assert scores[stance]["recall"] >= recall, scores["errors"]
    assert scores["accuracy"] >= ACCURACY_FLOOR


def test_readings_name_their_rule_and_quote_the_sentence(tmp_path_factory):
    readings = {(r.contribution_id, r.key): r for r in speech_stances(read_demo(tmp_path_factory))}
    minister = readings[(7000015, "amendments/10001551")]
    assert (minister.stance, minister.rule) == ("opposes", "necessary (negated)")
    assert minister.quote == "The Government do not believe that new clause 1 is necessary."
    # "We will not oppose Third Reading, but we will hold the Government to their word on ... removal"
    third_reading = readings[(7000029, "provision:surveillance-equipment-removal")]
    assert third_reading.stance == "supports" and third_reading.rule == "hold-to-word"
