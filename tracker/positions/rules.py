"""The positions room's rules as data: ``rules/<name>.jsonl``, one rule a line.

Each rule has an ``id`` (so evidence can say which rule decided it) and, where it
matches text, a ``regex`` (case-insensitive unless ``"case": "exact"``). Lines
starting with ``//`` are comments.
"""
import functools
import re
from pathlib import Path

from nlp.components import read_jsonl

RULES_DIR = Path(__file__).parent / "rules"


@functools.cache
def load_rules(name: str) -> tuple:
    """The records of ``rules/<name>.jsonl``; a rule without an id is an error naming the file."""
    path = RULES_DIR / f"{name}.jsonl"
    records = read_jsonl(path)
    for record in records:
        if "id" not in record:
            raise ValueError(f"{path}: every rule needs an id: {record}")
    return tuple(records)


@functools.cache
def compiled(name: str, kind: str | None = None) -> tuple:
    """``(rule, compiled regex)`` for the rules of ``name`` (of one ``kind``) that have a regex."""
    out = []
    for rule in load_rules(name):
        if "regex" in rule and (kind is None or rule.get("kind") == kind):
            flags = 0 if rule.get("case") == "exact" else re.IGNORECASE
            out.append((rule, re.compile(rule["regex"], flags)))
    return tuple(out)
