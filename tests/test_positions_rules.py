"""The positions room's rules on their own: stance cues and negation, commitments, deadlines and status."""
from datetime import date

import pytest

from tracker.positions.commitments import add_months, classify, read_deadline, status
from tracker.positions.stance import Target, combine, find_cues, read_speech
from tracker.positions.text import sentences

NC2 = "amendments/2"
NC1 = "amendments/1"


def stance_on(text, refs=(), focus=(), question=None):
    """The stance a one-speech text takes on each named reference (``refs``: the words naming amendment N)."""
    targets = []
    for words, key in refs:
        at = text.lower().index(words.lower())
        targets.append(Target(key, at, at + len(words)))
    readings = read_speech(text, targets, list(focus), [t.key for t in targets], question)
    return {key: stance for key, (stance, _) in combine(readings).items()}


@pytest.mark.parametrize("text, expected", [
    ("I support new clause 2.", "supports"),
    ("I rise to support new clause 2.", "supports"),
    ("We on these Benches will support new clause 2.", "supports"),
    ("I cannot support new clause 2.", "opposes"),
    ("I do not support new clause 2.", "opposes"),
    ("We will not support new clause 2.", "opposes"),
    ("I don't support new clause 2.", "opposes"),
    ("I oppose new clause 2.", "opposes"),
    ("We will not oppose new clause 2.", "neutral"),
    ("I urge the Minister to accept new clause 2.", "supports"),
    ("I urge the House to reject new clause 2.", "opposes"),
    ("The Government do not believe that new clause 2 is necessary.", "opposes"),
    ("New clause 2 is necessary.", "supports"),
    ("New clause 2 in my name would set a timeline.", "supports"),
    ("I hope that my right hon. Friend will withdraw new clause 2.", "opposes"),
    ("I will not press new clause 2 to a Division.", "neutral"),
    ("New clause 2 was debated at length.", "neutral"),
])
def test_stance_cues_and_negation(text, expected):
    assert stance_on(text, [("new clause 2", NC2)]) == {NC2: expected}


def test_negation_stays_in_its_clause():
    # the "not" belongs to another clause: the support stands
    assert stance_on("I support new clause 2, though not every word of it.", [("new clause 2", NC2)]) == {NC2: "supports"}
    # a negation after the cue does not turn it
    assert stance_on("I support new clause 2 and not new clause 1.", [("new clause 2", NC2), ("new clause 1", NC1)])[NC2] == "supports"


def test_each_reference_takes_its_nearest_cue():
    text = "I beg to move, That this House disagrees with Lords amendment 47A but proposes amendment 47B in lieu."
    found = stance_on(text, [("Lords amendment 47A", "a/47A"), ("amendment 47B", "a/47B")])
    assert found == {"a/47A": "opposes", "a/47B": "supports"}
    assert stance_on("I beg to move Motion B1 as an amendment to Motion B.", [("Motion B1", "m/B1"), ("Motion B.", "m/B")]) == {
        "m/B1": "supports", "m/B": "neutral"}


def test_unclaimed_cues_fall_back_to_the_speech_or_the_question():
    # no reference in the sentence: a procedural cue is about the question before the House
    assert stance_on("I beg to move, That the clause be read a Second time.", question=NC1) == {NC1: "supports"}
    # an argument is about what the speaker spoke to
    assert stance_on("Their equipment should be removed from government sites.", focus=[NC2], question=NC1) == {NC2: "supports"}
    # "I support the noble Lord" names a person: what that person moved is meant
    assert stance_on("I support the noble Lord, Lord Coaker.", focus=[NC2], question=NC1) == {NC1: "supports"}


def test_a_provision_named_beside_an_amendment_reads_with_it():
    text = "New clause 4, in my name, would ban goods made with forced labour."
    found = stance_on(text, [("New clause 4", "amendments/4"), ("forced labour", "provision:forced-labour")])
    assert found == {"amendments/4": "supports", "provision:forced-labour": "supports"}


def test_overlapping_cues_keep_the_longer():
    cues = find_cues("I support the noble Lord, Lord Coaker.")
    assert [c.rule for c in cues] == ["support-a-member"]


def test_sentences_keep_offsets_and_abbreviations():
    text = "I ask the hon. Lady to withdraw the motion. Mr. Quin agreed!\nNew line"
    found = sentences(text)
    assert [s.text for s in found] == ["I ask the hon. Lady to withdraw the motion.", "Mr. Quin agreed!", "New line"]
    assert all(text[s.start:s.end] == s.text for s in found)


@pytest.mark.parametrize("sentence, kind", [
    ("The Government will publish a timeline within six months.", "commit"),
    ("The debarment list will be published.", "commit"),
    ("The Government remain committed to publishing that timeline.", "commit"),
    ("The Government have committed to removing such equipment from sensitive sites.", "commit"),
    ("The Government will not publish a timeline.", None),
    ("We will consider whether to publish a timeline.", None),
    ("The Government will keep the list under review and publish it in due course.", None),
    ("The National Security Unit for Procurement will investigate suppliers.", None),
    ("The Government have today published the timeline.", "done"),
    ("The timeline was published in March.", "done"),
])
def test_commitment_cues(sentence, kind):
    assert classify(sentence)[0] == kind


def test_month_arithmetic_clamps_to_the_month_end():
    assert add_months(date(2023, 10, 26), 6) == date(2024, 4, 26)
    assert add_months(date(2023, 8, 31), 6) == date(2024, 2, 29)
    assert add_months(date(2022, 8, 31), 6) == date(2023, 2, 28)
    assert add_months(date(2023, 11, 30), 3) == date(2024, 2, 29)
    assert add_months(date(2023, 1, 15), 12) == date(2024, 1, 15)


@pytest.mark.parametrize("text, made_on, assent, expected", [
    ("we will publish it within six months of Royal Assent", "2023-06-13", "2023-10-26", "2024-04-26"),
    ("within 6 months of this Act being passed", "2023-06-13", "2023-10-26", "2024-04-26"),
    ("within six months of Royal Assent", "2023-06-13", None, None),  # Royal Assent still to come
    ("within twelve months of this section coming into force", "2023-06-13", "2023-10-26", None),
    ("within three months", "2023-06-13", None, "2023-09-13"),
    ("within 30 days", "2024-01-31", None, "2024-03-01"),
    ("within two weeks", "2024-02-20", None, "2024-03-05"),
    ("within a year", "2024-02-29", None, "2025-02-28"),
    ("by March 2024", "2023-06-13", None, "2024-03-31"),
    ("by the end of February 2024", "2023-06-13", None, "2024-02-29"),
    ("by 15 May 2024", "2023-06-13", None, "2024-05-15"),
    ("by summer 2024", "2023-06-13", None, "2024-08-31"),
    ("by winter 2024", "2023-06-13", None, "2025-02-28"),
    ("by the end of 2024", "2023-06-13", None, "2024-12-31"),
])
def test_deadlines_stated_or_derived(text, made_on, assent, expected):
    deadline = read_deadline(text, made_on, assent)
    assert deadline is not None and deadline.on == expected
    assert deadline.basis in text


def test_no_deadline_in_words_without_one():
    assert read_deadline("The Government will publish a debarment list.", "2023-06-12") is None


@pytest.mark.parametrize("deadline, fulfilled, today, expected", [
    (None, False, "2030-01-01", "open"),
    ("2024-04-26", False, "2024-01-01", "open"),
    ("2024-04-26", False, "2024-03-27", "due"),  # 30 days to go
    ("2024-04-26", False, "2024-04-26", "due"),  # the day itself
    ("2024-04-26", False, "2024-04-27", "overdue"),
    ("2024-04-26", True, "2025-01-01", "fulfilled"),
    (None, True, "2025-01-01", "fulfilled"),
])
def test_status(deadline, fulfilled, today, expected):
    assert status(deadline, fulfilled, today) == expected
