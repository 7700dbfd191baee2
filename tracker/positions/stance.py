"""A speaker's stance from the sentences of a speech, by rules (``rules/stance.jsonl``).

How one sentence is read:

1. **Cues.** Every stance rule's regex is matched in the sentence ("I support", "I beg
   to move", "I urge the Minister to accept", "I ask the noble Lord to withdraw",
   "in my name"). Where two cues overlap, the longer one stands.
2. **Negation.** A negator ("not", "cannot", "n't", "never", ...) between the start of
   the cue's clause and the cue's last word negates it: a negated *supports* is
   *opposes* ("I cannot support"), a negated *opposes* is *neutral* ("we will not
   oppose Third Reading"). Clauses end at commas, semicolons, colons, dashes and
   "but"/"though", so "I support new clause 2, though not every word" stays support.
3. **Targets.** The sentence's targets are the amendments and motions it names
   (resolved by the sync's and the tagger's one reference resolver) and the
   provisions and suppliers it names (the tagger's mentions). Each target takes
   the nearest cue before it in its own clause, else the nearest cue after it that
   governs what precedes it ("new clause 1 in my name"), else the nearest cue
   before it in the sentence, else the nearest one after it that governs what
   precedes it ("New clause 4, in my name, ..."). A provision or supplier that no
   cue governs, named beside amendments the sentence reads one way, reads that way
   too (the sentence says what those amendments do).
4. **Fallback.** A cue that governs no target in its sentence is about what the
   speech is about: what the speaker moved or spoke to, else what the speech names,
   else the question before the House (the amendment or motion moved in the debate
   section); cues naming a person ("I support the noble Lord") or a procedure ("I beg
   to move, That the clause be read a Second time") take the question.

A speech's stance on one target adds up its sentences: more supporting than
opposing cues is *supports*, the reverse *opposes*, otherwise *neutral* (the speech
is still evidence that the member spoke about it).
"""
from collections import defaultdict
from dataclasses import dataclass

from scrapers.references import find_references
from tracker.positions.records import AMENDMENTS, PINGPONG, rows, tag_topic
from tracker.positions.rules import compiled
from tracker.positions.text import Sentence, clause_start, sentences
from tracker.sync.linking import stage_numbers

NEGATED = {"supports": "opposes", "opposes": "neutral", "neutral": "neutral"}
# A procedural item that puts a question to the House ("Amendment 98 / Moved by ...", "Brought up").
QUESTION_PUT = ("moved by", "brought up")


@dataclass(frozen=True)
class Cue:
    start: int
    end: int
    stance: str
    rule: str
    target: str = "after"
    fallback: str = "focus"


@dataclass(frozen=True)
class Target:
    """Something a sentence names: ``key`` is ``amendments/<id>``, ``pingpong_items/<id>`` or a tag topic."""

    key: str
    start: int
    end: int


@dataclass(frozen=True)
class Reading:
    """One cue's verdict on one target (or the plain fact that the target was named)."""

    key: str
    stance: str
    rule: str
    quote: str


def find_cues(text: str) -> list:
    """The stance cues of one sentence, overlaps resolved (the longer cue stands), negation applied."""
    found = []
    for rule, regex in compiled("stance"):
        if rule.get("kind") == "negator":
            continue
        for match in regex.finditer(text):
            found.append((match.start(), match.end(), rule))
    found.sort(key=lambda f: (-(f[1] - f[0]), f[0]))
    kept = []
    for start, end, rule in found:
        if any(start < k_end and k_start < end for k_start, k_end, _ in kept):
            continue
        kept.append((start, end, rule))
    negator = next(regex for rule, regex in compiled("stance", "negator"))
    cues = []
    for start, end, rule in sorted(kept, key=lambda k: k[0]):
        stance = rule["stance"]
        rule_id = rule["id"]
        if rule.get("negatable", True) and negator.search(text, clause_start(text, start), end):
            stance, rule_id = NEGATED[stance], f"{rule_id} (negated)"
        cues.append(Cue(start, end, stance, rule_id, rule.get("target", "after"), rule.get("fallback", "focus")))
    return cues


def _clause_of(text, position):
    return clause_start(text, position)


def read_sentence(sentence: Sentence, targets: list) -> tuple:
    """``(readings, unclaimed cues)`` of one sentence; ``targets`` have offsets in the sentence's text."""
    text = sentence.text
    cues = find_cues(text)
    readings, claimed, ungoverned = [], set(), []
    for target in targets:
        cue = _governing_cue(text, cues, target)
        if cue is None:
            ungoverned.append(target)
            continue
        claimed.add(cue)
        readings.append(Reading(target.key, cue.stance, cue.rule, text))
    # A provision or supplier no cue governs, named beside amendments read one way ("New clause 4, in my
    # name, would ban goods made with forced labour"), is what those amendments are about: it reads that way.
    item_stances = {r.stance for r in readings if r.key.startswith((AMENDMENTS + "/", PINGPONG + "/")) and r.stance != "neutral"}
    for target in ungoverned:
        if len(item_stances) == 1 and not target.key.startswith((AMENDMENTS + "/", PINGPONG + "/")):
            readings.append(Reading(target.key, next(iter(item_stances)), "named with the amendment", text))
        else:
            readings.append(Reading(target.key, "neutral", None, text))
    return readings, [c for c in cues if c not in claimed]


def _governing_cue(text, cues, target):
    clause = _clause_of(text, target.start)
    before = [c for c in cues if c.end <= target.start and c.target in ("after", "any")]
    after = [c for c in cues if c.start >= target.end and c.target in ("before", "any")]
    same_before = [c for c in before if c.start >= clause]
    if same_before:
        return max(same_before, key=lambda c: c.end)
    same_after = [c for c in after if _clause_of(text, c.start) == clause]
    if same_after:
        return min(same_after, key=lambda c: c.start)
    if before:
        return max(before, key=lambda c: c.end)
    if after:
        return min(after, key=lambda c: c.start)
    return None


def read_speech(text: str, targets: list, focus: list, named: list, question: str) -> list:
    """Every reading of one speech: its sentences' targets, and its unclaimed cues sent to their fallback.

    ``targets`` carry offsets in ``text``; ``focus`` are the keys the speaker moved or
    spoke to, ``named`` every item key the speech names, ``question`` the key of the
    question before the House (or None).
    """
    readings = []
    for sentence in sentences(text):
        inside = [Target(t.key, t.start - sentence.start, t.end - sentence.start)
                  for t in targets if sentence.start <= t.start and t.end <= sentence.end]
        found, unclaimed = read_sentence(sentence, inside)
        readings += found
        for cue in unclaimed:
            for key in _fallback(cue, focus, named, question):
                readings.append(Reading(key, cue.stance, f"{cue.rule} (about {'the question' if key == question and cue.fallback == 'question' else 'the speech'})", sentence.text))
    return readings


def _fallback(cue, focus, named, question):
    if cue.fallback == "none":
        return []
    if cue.fallback == "question":
        return [question] if question else []
    if focus:
        return focus
    if named:
        return named
    return [question] if question else []


def combine(readings: list) -> dict:
    """``{key: (stance, decisive reading)}``: the readings of one speech added up per target."""
    by_key = defaultdict(list)
    for reading in readings:
        by_key[reading.key].append(reading)
    out = {}
    for key, found in by_key.items():
        supports = [r for r in found if r.stance == "supports"]
        opposes = [r for r in found if r.stance == "opposes"]
        if len(supports) > len(opposes):
            out[key] = ("supports", supports[0])
        elif len(opposes) > len(supports):
            out[key] = ("opposes", opposes[0])
        else:
            out[key] = ("neutral", found[0])
    return out


@dataclass(frozen=True)
class SpeechStance:
    contribution_id: int
    member_id: int
    key: str
    stance: str
    rule: str
    quote: str
    date: str
    bill_stage_id: int


def speech_stances(db) -> list:
    """The stance of every member's speech on every amendment, motion, provision and supplier it is about."""
    speeches = rows(db, """SELECT c.contribution_id, c.debate_id, c.member_id, c.text, c.order_in_section,
                                  d.date, d.title, d.bill_stage_id
                           FROM contributions c JOIN debates d ON d.debate_id = c.debate_id
                           WHERE c.removed_at IS NULL AND d.removed_at IS NULL
                           ORDER BY c.debate_id, c.order_in_section, c.contribution_id""")
    links = defaultdict(list)
    for r in rows(db, "SELECT * FROM contribution_amendments"):
        links[r["contribution_id"]].append(r)
    mentions = defaultdict(list)
    for r in rows(db, "SELECT * FROM mentions WHERE doc_table = 'contributions' AND field = 'text'"):
        mentions[int(r["doc_id"])].append(r)
    out = []
    question = {}
    for speech in speeches:
        section = speech["debate_id"]
        if section not in question:
            question[section] = _title_question(db, speech["title"], speech["bill_stage_id"])
        text = speech["text"] or ""
        own_links = links.get(speech["contribution_id"], [])
        if speech["member_id"] is None:
            if any(word in text.lower() for word in QUESTION_PUT) and own_links:
                moved = [l for l in own_links if l["how"] == "moved"] or own_links
                question[section] = _link_key(moved[0])
            continue
        targets = _targets(text, own_links, mentions.get(speech["contribution_id"], []))
        focus = list(dict.fromkeys(_link_key(l) for l in own_links if l["how"] in ("moved", "spoke to")))
        named = list(dict.fromkeys(t.key for t in targets if t.key.startswith((AMENDMENTS, PINGPONG))))
        readings = read_speech(text, targets, focus, named, question[section])
        for key, (stance, reading) in combine(readings).items():
            out.append(SpeechStance(speech["contribution_id"], speech["member_id"], key, stance, reading.rule,
                                    reading.quote, speech["date"], speech["bill_stage_id"]))
        moved = [l for l in own_links if l["how"] == "moved"]
        if moved:
            question[section] = _link_key(moved[0])
    return out


def _link_key(link):
    if link.get("amendment_id") is not None:
        return f"{AMENDMENTS}/{link['amendment_id']}"
    return f"{PINGPONG}/{link['pingpong_item_id']}"


def _targets(text, links, mentions):
    """Targets with offsets: references the sync resolved (found again in the text) and the tagger's mentions."""
    found = set()
    for m in mentions:
        if m["label"] == "REFERENCE" and (m.get("amendment_id") is not None or m.get("pingpong_item_id") is not None):
            found.add(Target(_link_key(m), m["start"], m["end"]))
        elif m["label"] in ("PROVISION", "SUPPLIER") and m["entity_id"]:
            found.add(Target(tag_topic(m["label"], m["entity_id"]), m["start"], m["end"]))
    keys_found = {t.key for t in found}
    for link in links:
        key = _link_key(link)
        if key in keys_found:
            continue
        at = text.find(link["reference"] or "\0")
        if at >= 0:
            found.add(Target(key, at, at + len(link["reference"])))
    return sorted(found, key=lambda t: (t.start, t.key))


def _title_question(db, title, bill_stage_id):
    """The amendment a debate section's title names ("New Clause 1 - ..."), in its stage."""
    if not title or bill_stage_id is None:
        return None
    numbers = stage_numbers(db, [bill_stage_id])
    for ref in find_references(title):
        amendment_id, item_id = numbers.resolve(ref.kind, ref.number)
        if amendment_id is not None:
            return f"{AMENDMENTS}/{amendment_id}"
        if item_id is not None:
            return f"{PINGPONG}/{item_id}"
    return None
