"""Build ``gold.jsonl`` from the hand-annotated ``passages.txt`` and verify it.

    python -m nlp.gold.build          # rebuild gold.jsonl and verify it
    python -m nlp.gold.build --check  # verify gold.jsonl only (offsets, labels, ids)

Verification: every span's ``text`` equals ``text[start:end]`` of its passage;
spans do not overlap; labels are known; SUPPLIER and PROVISION ids exist in the
registries, MEMBER ids in the sample members file, REFERENCE values are
normalised (``amendment:47B``, ``clause:2/page:2/line:13`` ...).
"""
import json
import re
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
ROOT = HERE.parent.parent
PASSAGES = HERE / "passages.txt"
GOLD = HERE / "gold.jsonl"
LABELS = {"SUPPLIER", "MEMBER", "PROVISION", "REFERENCE"}
MARK = re.compile(r"\[\[(.+?)\|(SUPPLIER|MEMBER|PROVISION|REFERENCE)\|([^\]]*)\]\]", re.S)
HEADER = re.compile(r"^## (.*)$")
REFERENCE = re.compile(r"^(amendment:(NC|NS)?\d+[A-Z]{0,2}|motion:[0-9A-Z]+|clause:\d+[A-Z]*(/page:\d+/line:\d+(-\d+)?)?|"
                       r"schedule:\d+[A-Z]*(/paragraph:\d+[a-z]?|/page:\d+/line:\d+(-\d+)?)?|page:\d+/line:\d+(-\d+)?|section:\d+([A-Z]+\d*)?(\(\w+\))*)$")


def parse(source: str) -> list[dict[str, Any]]:
    """Passages from the markup: ``[{id, style, date, house, text, spans}]``."""
    passages: list[dict[str, Any]] = []
    current: dict[str, Any] | None = None
    for line in source.splitlines():
        header = HEADER.match(line)
        if header:
            current = {"meta": dict(part.split("=", 1) for part in header.group(1).split()), "lines": []}
            passages.append(current)
        elif current is not None:
            current["lines"].append(line)
        elif line.strip() and not line.startswith("#"):
            raise ValueError(f"text before the first passage header: {line!r}")
    out = []
    for p in passages:
        marked = "\n".join(p["lines"]).strip("\n")
        pieces: list[str] = []
        spans: list[dict[str, Any]] = []
        pos = 0
        length = 0
        for m in MARK.finditer(marked):
            before = marked[pos:m.start()]
            pieces.append(before)
            length += len(before)
            surface, label, entity_id = m.groups()
            spans.append({"start": length, "end": length + len(surface), "label": label,
                          "entity_id": entity_id or None, "text": surface})
            pieces.append(surface)
            length += len(surface)
            pos = m.end()
        pieces.append(marked[pos:])
        text = "".join(pieces)
        if "[[" in text or "]]" in text:
            raise ValueError(f"{p['meta'].get('id')}: unbalanced markup")
        meta = p["meta"]
        record = {"id": meta["id"], "style": meta.get("style"), "date": meta.get("date"), "house": meta.get("house"),
                  "text": text, "spans": spans}
        out.append(record)
    return out


def verify(records: list[dict[str, Any]]) -> list[str]:
    """Problems found in ``records`` (an empty list when the gold set is sound)."""
    problems = []
    suppliers = {json.loads(l)["supplier_id"] for l in (ROOT / "nlp" / "data" / "suppliers.jsonl").read_text().splitlines() if l.strip()}
    provisions = {json.loads(l)["provision_id"] for l in (ROOT / "nlp" / "data" / "provisions.jsonl").read_text().splitlines() if l.strip()}
    sample = ROOT / "tracker" / "sample" / "members_search.json"
    members = {str(i["value"]["id"]) for i in json.loads(sample.read_text())["items"]} if sample.exists() else None
    seen = set()
    for r in records:
        if r["id"] in seen:
            problems.append(f"{r['id']}: duplicate id")
        seen.add(r["id"])
        last_end = -1
        for s in sorted(r["spans"], key=lambda s: s["start"]):
            where = f"{r['id']} {s['start']}-{s['end']}"
            if r["text"][s["start"]:s["end"]] != s.get("text"):
                problems.append(f"{where}: offsets give {r['text'][s['start']:s['end']]!r}, not {s.get('text')!r}")
            if s["start"] < last_end:
                problems.append(f"{where}: overlaps the previous span")
            if s["text"] != s["text"].strip() or not s["text"]:
                problems.append(f"{where}: span has surrounding whitespace")
            last_end = s["end"]
            label, eid = s["label"], s["entity_id"]
            if label not in LABELS:
                problems.append(f"{where}: unknown label {label}")
            elif label == "SUPPLIER" and eid not in suppliers:
                problems.append(f"{where}: unknown supplier {eid}")
            elif label == "PROVISION" and eid not in provisions:
                problems.append(f"{where}: unknown provision {eid}")
            elif label == "MEMBER" and eid is not None and members is not None and eid not in members:
                problems.append(f"{where}: member {eid} is not in the sample members")
            elif label == "REFERENCE" and not (eid and REFERENCE.match(eid)):
                problems.append(f"{where}: reference value {eid!r} is not normalised")
    return problems


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if "--check" in argv:
        records = [json.loads(l) for l in GOLD.read_text(encoding="utf-8").splitlines() if l.strip()]
    else:
        records = parse(PASSAGES.read_text(encoding="utf-8"))
    problems = verify(records)
    for p in problems:
        print(p)
    if problems:
        return 1
    if "--check" not in argv:
        with open(GOLD, "w", encoding="utf-8") as handle:
            for r in records:
                handle.write(json.dumps(r, ensure_ascii=False) + "\n")
    counts: dict[str, int] = {}
    for r in records:
        for s in r["spans"]:
            counts[s["label"]] = counts.get(s["label"], 0) + 1
    styles: dict[str, int] = {}
    for r in records:
        styles[r["style"]] = styles.get(r["style"], 0) + 1
    print(f"{len(records)} passages ({', '.join(f'{k} {v}' for k, v in sorted(styles.items()))}); "
          f"spans: {', '.join(f'{k} {v}' for k, v in sorted(counts.items()))}; offsets verified")
    return 0


if __name__ == "__main__":
    sys.exit(main())
