"""The matching engine: one compiled regular expression over the folded text.

Every surface form (supplier and provision names, member names and their
variants, ministerial titles) goes into one character trie compiled to a regex;
reference rules (``Clause 2, page 2, line 13``, ``Amendment 47B``) and contextual
member rules (``the hon. Member for Rushcliffe``) are further alternatives of the
same expression (references to amendments and motions with the grammar Hansard
and division linking read them with, :mod:`scrapers.references`: its pattern is one
alternative, its reader turns each matched phrase into numbers). One ``finditer``
over the text (lower-cased with a length-preserving fold, so offsets are the
original text's) finds every candidate in a single pass at C speed; Python code
runs only per match: a dict lookup, a case check, and the linking done later by
the linker component.

This is what makes the tagger fast: a spaCy ``PhraseMatcher``/``EntityRuler``
works token by token in Python-visible structures and runs at a fraction of the
tokenizer's speed, while this scan costs about as much as the tokenizer itself
(see ``benchmarks/nlp_throughput.py``).
"""
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from scrapers import references

# One raw match: (start, end, label, kind, payload), offsets in the original text.
RawMatch = tuple[int, int, str, str, Any]

# Length-preserving fold applied after lower(): typographic apostrophes and
# dashes, non-breaking spaces.
_FOLD = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u2010": "-", "\u2011": "-",
                       "\u2013": "-", "\u00a0": " ", "\u202f": " "})


_FOLD_CHARS = re.compile("[" + "".join(chr(c) for c in _FOLD) + "]")


def _fold_char(m: re.Match[str]) -> str:
    return m.group().translate(_FOLD)


def fold(text: str) -> str:
    """Lower-case ``text`` keeping its length (so match offsets are the original's)."""
    low = text.lower()
    if len(low) != len(text):  # e.g. 'İ'.lower() is two characters
        low = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    if _FOLD_CHARS.search(low):  # (str.translate walks every character in Python-level dict lookups)
        low = _FOLD_CHARS.sub(_fold_char, low)
    return low


_KEY_HYPHEN = re.compile(r"\s*-\s*")
_KEY_SPACE = re.compile(r"\s+")


def key(folded: str) -> str:
    """The lookup key of a folded surface: no dots, single spaces, tight hyphens."""
    s = folded.replace(".", "")
    if "-" in s:
        s = _KEY_HYPHEN.sub("-", s)
    return _KEY_SPACE.sub(" ", s).strip()


def surface_key(text: str) -> str:
    return key(fold(text))


# How a character of a key is matched in the text: a space may be any run of
# whitespace (line breaks inside names) after an optional dot ("Mr. Quin",
# "St. Albans"); a hyphen may have a line break around it; an apostrophe is
# already folded.
_CHAR = {" ": r"\.?\s+", "-": r"\s*-\s*"}


def trie_regex(keys: Iterable[str]) -> str:
    """A regex matching any of ``keys`` (folded, dot-free), preferring the longest."""
    root: dict[str, Any] = {}
    for k in keys:
        if not k:
            continue
        node = root
        for ch in k:
            node = node.setdefault(ch, {})
        node[""] = True

    def build(node: dict[str, Any]) -> str:
        end = "" in node
        alts = [(_CHAR.get(ch) or re.escape(ch)) + build(node[ch]) for ch in sorted(c for c in node if c)]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        if end:
            return "(?:" + body + ")?"
        return body

    if not root:
        return r"(?!x)x"  # matches nothing
    return build(root)


class Entry:
    """What one surface form stands for."""

    __slots__ = ("label", "kind", "ref", "case", "common", "surface")

    def __init__(self, label: str, kind: str, ref: Any, case: str = "any", common: bool = False, surface: str | None = None) -> None:
        self.label = label  # SUPPLIER, PROVISION, MEMBER
        self.kind = kind  # supplier, provision, name, office
        self.ref = ref  # supplier_id / provision_id / tuple of candidates / office id
        self.case = case  # any | exact | title
        self.common = common  # also a common word: only where used as a name
        self.surface = surface

    def __repr__(self) -> str:
        return f"Entry({self.label}, {self.kind}, {self.ref!r})"


_SEPARATOR = r"(?:,\s*and|,\s*or|,|and|or|&)"


# Rules whose pattern and reader are another module's grammar (``"grammar": name`` in a patterns file).
GRAMMARS: dict[str, tuple[str, str, Callable[[str], list[references.Reference]]]] = {"references": (references.SCAN_PATTERN, references.SCAN_GUARD, references.read_phrase)}


class Rule:
    """A regex rule (a reference or a contextual member form) from a patterns file."""

    def __init__(self, spec: Mapping[str, Any], index: int) -> None:
        self.read: Callable[[str], list[references.Reference]] | None = None  # a grammar's reader: matched phrase -> references.Reference records
        if spec.get("grammar"):
            regex, guard, self.read = GRAMMARS[spec["grammar"]]
            spec = {**spec, "regex": regex, "guard": guard}
        self.spec = spec
        self.id = spec["id"]
        self.label = spec["label"]
        self.group = f"r{index}"
        self.prefix = f"r{index}_"
        self.value = spec.get("value") or []
        self.links: str | None = spec.get("links")
        self.upper = spec.get("upper") or []
        self.list = bool(spec.get("list"))
        # one further number of a list ("Amendments 12, 13 and 14", "Motions A1 and B1")
        self.item = spec.get("item") or r"(?:n[cs])?\d{1,4}[a-z]{0,2}"
        self.items = re.compile(rf"{_SEPARATOR}\s*({self.item})(?![\w(])")
        # a cheap look-ahead on the rule's first letters: the full rule is tried only where it may start
        self.guard = spec.get("guard") or re.match(r"[a-z]*", spec["regex"]).group() or None  # type: ignore[union-attr]  # [a-z]* always matches
        self.names: list[tuple[str, str]] = []  # (the group's name in the scanner's regex, its name in the rule), set by the Scanner

    def regex(self, fills: Mapping[str, str]) -> str:
        body = self.spec["regex"]
        for name, fill in fills.items():
            body = body.replace("{" + name + "}", fill)
        body = re.sub(r"\(\?P<(\w+)>", lambda m: f"(?P<{self.prefix}{m.group(1)}>", body)
        if self.list:
            body += rf"(?P<{self.prefix}tail>(?:\s*{_SEPARATOR}\s*(?:{self.item})(?![\w(]))*)"
        return f"(?P<{self.group}>{body})"


_NUMBER = re.compile(r"^(n[cs])?(\d+)([a-z]*)(.*)$", re.I)


def normal_number(text: str) -> str:
    """``47b`` -> ``47B``, ``nc1`` -> ``NC1``, ``62(1)(a)`` stays."""
    m = _NUMBER.match(text)
    if not m:
        return text.upper() if len(text) <= 2 else text
    prefix, digits, letters, rest = m.groups()
    return f"{(prefix or '').upper()}{digits}{letters.upper()}{rest}"


_CUES = frozenset("phone phones smartphone smartphones device devices handset handsets tablet tablets laptop laptops "
                  "brand brands technologies technology group ltd limited camera cameras equipment products".split())
_REJECT_BEFORE = ("shadow ", "former ", "then ", "ex-", "deputy ", "junior ", "vice-")


class Scanner:
    """Compiles entries and rules into one regex and yields raw matches."""

    def __init__(self, entries: dict[str, list[Entry]], rules: list[Rule], fills: Mapping[str, str] | None = None,
                 links: dict[str, dict[str, Any]] | None = None) -> None:
        self.table = entries  # key -> [Entry]
        self.links = links or {}  # rule "links" name -> {key: payload} (e.g. seats)
        self._rule_cache: dict[tuple[str, str], tuple[RawMatch, ...]] = {}
        self.rules = rules
        parts = [f"(?P<g>{trie_regex(entries.keys())})"]
        guarded = [rule for rule in rules if rule.guard]
        if guarded:
            guards = "|".join(dict.fromkeys(rule.guard for rule in guarded if rule.guard))
            parts.append(f"(?=(?:{guards}))(?:" + "|".join(rule.regex(fills or {}) for rule in guarded) + ")")
        parts += [rule.regex(fills or {}) for rule in rules if not rule.guard]
        self.pattern = r"(?<!\w)(?:" + "|".join(parts) + r")(?!\w)"
        self.regex = re.compile(self.pattern)
        self.by_group = {rule.group: rule for rule in rules}
        for rule in rules:
            rule.names = [(name, name[len(rule.prefix):]) for name in self.regex.groupindex if name.startswith(rule.prefix)]
        self._keys: dict[str, str] = {}

    def _key(self, raw: str) -> str:
        k = self._keys.get(raw)
        if k is None:
            k = key(raw)
            if len(self._keys) < 200_000:
                self._keys[raw] = k
        return k

    def scan(self, text: str, low: str | None = None) -> list[RawMatch]:
        """Raw matches ``(start, end, label, kind, payload)`` in text order."""
        if low is None:
            low = fold(text)
        out: list[RawMatch] = []
        append = out.append
        table = self.table
        keys = self._keys
        by_group = self.by_group
        for m in self.regex.finditer(low):
            group = m.lastgroup
            if group == "g":
                raw = m.group()
                k = keys.get(raw)
                if k is None:
                    k = self._key(raw)
                entries = table.get(k)
                if entries is None:
                    continue
                start, end = m.span()
                entry = entries[0]
                if len(entries) == 1 and entry.kind == "name":
                    if not text[start].isupper():
                        continue
                elif len(entries) > 1 or entry.case != "any" or entry.kind == "office":
                    chosen = self._choose(entries, text, low, start, end)
                    if chosen is None:
                        continue
                    entry = chosen
                append((start, end, entry.label, entry.kind, entry.ref))
                continue
            self._rule_match(by_group[group or ""], m, text, out)
        return out

    def _choose(self, entries: list[Entry], text: str, low: str, start: int, end: int) -> Entry | None:
        for entry in entries:
            if entry.kind in ("name", "office"):
                if not text[start].isupper():
                    continue
                if entry.kind == "office" and low[max(0, start - 8):start].endswith(_REJECT_BEFORE):
                    continue
                return entry
            if entry.case == "exact":
                original = key(text[start:end])
                if original != key(entry.surface or ""):
                    continue
                if entry.common and not self._used_as_name(text, low, start, end):
                    continue
            return entry
        return None

    @staticmethod
    def _used_as_name(text: str, low: str, start: int, end: int) -> bool:
        """A common word capitalised inside a sentence, or followed by a cue (``Honor phones``)."""
        after = low[end:end + 20].split()
        if after and after[0].strip(".,;:'s") in _CUES:
            return True
        if low[end:end + 2] in ("'s",):
            return True
        before = text[:start].rstrip()
        return bool(before) and before[-1] not in ".!?:;\"\u201c\u2018'("

    def _rule_match(self, rule: Rule, m: re.Match[str], text: str, out: list[RawMatch]) -> None:
        start, end = m.span()
        original = text[start:end]
        cache_key = (rule.group, original)
        found = self._rule_cache.get(cache_key)
        if found is None:
            found = self._rule_result(rule, m, original)
            if len(self._rule_cache) < 100_000:
                self._rule_cache[cache_key] = found
        for s, e, label, kind, payload in found:
            out.append((start + s, start + e, label, kind, payload))

    def _rule_result(self, rule: Rule, m: re.Match[str], original: str) -> tuple[RawMatch, ...]:
        """The matches of one rule match, with offsets relative to its start."""
        if rule.read is not None:
            return tuple((r.start, r.end, "REFERENCE", r.record_kind, r.value) for r in rule.read(original))
        prefix = rule.prefix
        base = m.start()
        groups: dict[str, str] = {}
        for full, short in rule.names:
            value = m.group(full)
            if value is not None:
                groups[short] = value
        for name in rule.upper:
            if name in groups:
                s, e = m.span(prefix + name)
                if not _upper(original[s - base:e - base]):
                    return ()
        if rule.label == "MEMBER":
            index = self.links.get(rule.links or "", {})
            payload = index.get(key(groups.get(rule.links or "", "")), ())
            return ((0, m.end() - base, "MEMBER", rule.links or rule.id, payload),)
        tail = groups.pop("tail", None)
        first_end = (m.start(prefix + "tail") if tail else m.end()) - base
        value = "".join(f"{lead}{normal_number(groups[name])}" for lead, name in rule.value if name in groups)
        found: list[RawMatch] = [(0, first_end, "REFERENCE", rule.links or rule.id, value)]
        if tail:
            offset = m.start(prefix + "tail") - base
            lead, name = rule.value[0]
            for n in rule.items.finditer(tail):
                s, e = offset + n.start(1), offset + n.end(1)
                if rule.upper and not _upper(original[s:e]):  # "Motions A and a ...": the list ends
                    break
                found.append((s, e, "REFERENCE", rule.links or rule.id, f"{lead}{normal_number(n.group(1))}"))
        return tuple(found)


def _upper(text: str) -> bool:
    """Every letter of ``text`` is upper case (``A1``, ``47B``, ``12``)."""
    return all(c.isupper() for c in text if c.isalpha())
