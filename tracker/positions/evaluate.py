"""Precision and recall of the positions room against gold sets (JSON lines, read with
:func:`load_gold`); the tests hold them to floors and the README reports them.

* Families: over pairs of items, a pair being two items put in one family.
* Stances: per stance (supports, opposes) over (speech, target) pairs, a target the
  gold set does not label counting as neutral; and the share of gold pairs read right.
* Commitments: over commitments (a gold one found when a found commitment comes from
  its document and contains its words), over follow-up links, and the share of found
  gold commitments with the right deadline.
"""
import itertools

from nlp.components import read_jsonl

SCORED_STANCES = ("supports", "opposes")


def load_gold(path) -> list:
    return read_jsonl(path)


def _ratio(part, whole):
    return part / whole if whole else 1.0


def _pairs(groups):
    return {frozenset(pair) for group in groups for pair in itertools.combinations(sorted(set(group)), 2)}


def family_scores(families: list, gold: list) -> dict:
    """Pairwise precision and recall of ``families`` (:class:`~tracker.positions.families.Family`) against gold lines."""
    found = _pairs([m.item.ref for m in f.members] for f in families)
    wanted = _pairs(g["members"] for g in gold)
    hit = len(found & wanted)
    exact = {frozenset(m.item.ref for m in f.members) for f in families} & {frozenset(g["members"]) for g in gold}
    return {"precision": _ratio(hit, len(found)), "recall": _ratio(hit, len(wanted)), "pairs_found": len(found),
            "pairs_gold": len(wanted), "families_exact": len(exact), "families_gold": len(gold),
            "missed": sorted(tuple(sorted(p)) for p in wanted - found), "spurious": sorted(tuple(sorted(p)) for p in found - wanted)}


def stance_scores(readings: list, gold: list) -> dict:
    """Per-stance precision and recall of speech readings (:class:`~tracker.positions.stance.SpeechStance`)."""
    labelled = {(g["contribution_id"], g["target"]): g["stance"] for g in gold}
    found = {(r.contribution_id, r.key): r.stance for r in readings if not r.key.startswith("supplier:")}
    keys = set(labelled) | set(found)
    out = {}
    for stance in SCORED_STANCES:
        predicted = {k for k in keys if found.get(k, "neutral") == stance}
        wanted = {k for k in keys if labelled.get(k, "neutral") == stance}
        out[stance] = {"precision": _ratio(len(predicted & wanted), len(predicted)), "recall": _ratio(len(predicted & wanted), len(wanted)),
                       "found": len(predicted), "gold": len(wanted)}
    right = sum(found.get(k, "neutral") == stance for k, stance in labelled.items())
    out["accuracy"] = _ratio(right, len(labelled))
    out["errors"] = sorted((k[0], k[1], labelled.get(k, "neutral"), found.get(k, "neutral")) for k in keys
                           if labelled.get(k, "neutral") != found.get(k, "neutral"))
    return out


def commitment_scores(commitments: list, gold: list) -> dict:
    """Precision and recall of found commitments (:class:`~tracker.positions.commitments.Statement`, with
    follow-ups) and of their follow-up links; deadline accuracy on the gold commitments found."""
    gold_commitments = [g for g in gold if not g.get("follows")]
    gold_followups = {(g["follows"], g["source"], g.get("kind", "restated")) for g in gold if g.get("follows")}

    def match(statement):
        source = f"{statement.source_table}/{statement.source_id}"
        return next((g for g in gold_commitments if g["source"] == source and g["contains"].lower() in statement.text.lower()), None)

    matched = {c.commitment_id: match(c) for c in commitments}
    found_ids = {g["id"] for g in matched.values() if g}
    links = {(matched[c.commitment_id]["id"] if matched[c.commitment_id] else c.commitment_id, f"{f.source_table}/{f.source_id}", kind)
             for c in commitments for kind, f in c.followups}
    deadlines_right = sum(1 for c in commitments if matched[c.commitment_id]
                          and (c.deadline.on if c.deadline else None) == matched[c.commitment_id].get("deadline"))
    return {
        "precision": _ratio(sum(1 for g in matched.values() if g), len(commitments)),
        "recall": _ratio(len(found_ids), len(gold_commitments)),
        "followups": {"precision": _ratio(len(links & gold_followups), len(links)), "recall": _ratio(len(links & gold_followups), len(gold_followups))},
        "deadline_accuracy": _ratio(deadlines_right, len(found_ids)),
        "missed": sorted(g["id"] for g in gold_commitments if g["id"] not in found_ids),
        "spurious": sorted(c.text for c in commitments if not matched[c.commitment_id]),
    }
