"""Evaluation against a gold set: exact-span precision, recall and F1 per label, and
the share of correctly found spans that are linked to the right record.

A gold file has one JSON object per line: ``text``, optional ``date`` and
``house`` (and ``amendments``/``pingpong``, the maps of
:func:`nlp.pipeline.make_doc`), and ``spans`` (``start``, ``end``, ``label``, ``entity_id``; a null
``entity_id`` means "a mention that must stay unlinked", e.g. an ambiguous name).
"""
import datetime
import json
from pathlib import Path
from typing import Any

from spacy.language import Language

from nlp import pipeline
from nlp.components import LABELS

GOLD = Path(__file__).parent / "gold" / "gold.jsonl"


def load_gold(path: str | Path = GOLD) -> list[dict[str, Any]]:
    """The gold passages, each checked: its shape, a ``YYYY-MM-DD`` date, known labels, offsets
    in range and, where given, ``text`` equal to the slice. A bad line raises ``ValueError``
    naming the file and line."""
    out = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            raise ValueError(f"{path}:{number}: not JSON: {error}") from None
        problem = _problem(record)
        if problem:
            raise ValueError(f"{path}:{number}: {problem}")
        out.append(record)
    return out


def _problem(record: object) -> str | None:
    """What is wrong with one gold passage, or None."""
    if not isinstance(record, dict) or not isinstance(record.get("text"), str) or not isinstance(record.get("spans"), list):
        return "a passage needs text (a string) and spans (a list)"
    date = record.get("date")
    if date is not None:
        try:
            datetime.date.fromisoformat(str(date)[:10])
        except ValueError:
            return f"not a date (YYYY-MM-DD): {date}"
    text = record["text"]
    for span in record["spans"]:
        if not isinstance(span, dict) or not all(isinstance(span.get(k), int) for k in ("start", "end")):
            return f"a span needs integer start and end: {span}"
        s, e = span["start"], span["end"]
        if span.get("label") not in LABELS:
            return f"span {s}-{e}: label {span.get('label')!r} is not one of {', '.join(LABELS)}"
        if not (0 <= s < e <= len(text)):
            return f"span {s}-{e} is outside the text"
        if "text" in span and text[s:e] != span["text"]:
            return f"span {s}-{e} is {text[s:e]!r}, not {span['text']!r}"
    return None


def _eid(value: object) -> str | None:
    return None if value is None else str(value)


def evaluate(nlp: Language, gold: list[dict[str, Any]]) -> dict[str, Any]:
    """Scores of ``nlp`` on ``gold`` (a list of passages); returns a dict (see :func:`report`)."""
    stats = {label: {"tp": 0, "fp": 0, "fn": 0, "linked_right": 0} for label in LABELS}
    errors: list[dict[str, Any]] = []
    tag = pipeline.tagger(nlp)  # on the raw text, as `tracker tag` runs it
    for g in gold:
        mentions = tag(g["text"], date=g.get("date"), house=g.get("house"), amendments=g.get("amendments"),
                       pingpong=g.get("pingpong"))
        found = {(m["start"], m["end"], m["label"]): _eid(m["entity_id"]) for m in mentions}
        wanted = {(s["start"], s["end"], s["label"]): _eid(s.get("entity_id")) for s in g["spans"]}
        for k, eid in found.items():
            label = k[2]
            if k in wanted:
                stats[label]["tp"] += 1
                if wanted[k] == eid:
                    stats[label]["linked_right"] += 1
                else:
                    errors.append({"id": g.get("id"), "kind": "link", "span": g["text"][k[0]:k[1]], "label": label, "gold": wanted[k], "found": eid})
            else:
                stats[label]["fp"] += 1
                errors.append({"id": g.get("id"), "kind": "spurious", "span": g["text"][k[0]:k[1]], "label": label, "found": eid})
        for k, eid in wanted.items():
            if k not in found:
                stats[k[2]]["fn"] += 1
                errors.append({"id": g.get("id"), "kind": "missed", "span": g["text"][k[0]:k[1]], "label": k[2], "gold": eid})
    result: dict[str, Any] = {"passages": len(gold), "labels": {}, "errors": errors}
    total = {"tp": 0, "fp": 0, "fn": 0, "linked_right": 0}
    for label, s in stats.items():
        for count in total:
            total[count] += s[count]
        result["labels"][label] = _scores(s)
    result["overall"] = _scores(total)
    return result


def _scores(s: dict[str, int]) -> dict[str, Any]:
    tp, fp, fn = s["tp"], s["fp"], s["fn"]
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"tp": tp, "fp": fp, "fn": fn, "gold": tp + fn, "precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4),
            "linked_right": s["linked_right"], "link_share": round(s["linked_right"] / tp, 4) if tp else 0.0}


def report(result: dict[str, Any]) -> str:
    """The scores as a plain-text table."""
    lines = [f"{result['passages']} passages",
             f"{'label':<10} {'gold':>5} {'found':>6} {'P':>7} {'R':>7} {'F1':>7} {'linked right':>13}"]
    rows = list(result["labels"].items()) + [("overall", result["overall"])]
    for label, s in rows:
        lines.append(f"{label:<10} {s['gold']:>5} {s['tp'] + s['fp']:>6} {s['precision']:>7.3f} {s['recall']:>7.3f} {s['f1']:>7.3f}"
                     f" {s['link_share']:>8.3f} ({s['linked_right']}/{s['tp']})")
    return "\n".join(lines)
