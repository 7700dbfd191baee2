"""spaCy components of the tagger, registered with ``@Language.factory``.

* ``pbt_scanner`` compiles the pattern files (``nlp/patterns/*.jsonl``) and the
  member gazetteer into one regex (see :mod:`nlp.matcher`) and stores raw matches
  on the doc.
* ``pbt_linker`` links each match to its record (supplier, provision, member by
  date and House, office holder by date, amendment of the doc's bill stage),
  writes ``doc.ents`` (with ``kb_id_``) and ``doc.user_data["mentions"]``.

A doc carries its context in extensions set before the pipeline runs:
``doc._.date`` (``YYYY-MM-DD``), ``doc._.house`` (``Commons``/``Lords``) and
``doc._.amendments`` (amendment number -> ``amendment_id`` for the doc's stage) and
``doc._.pingpong`` (a reference's value, ``motion:A1`` or ``amendment:47A`` ->
``pingpong_item_id`` of the motion or amendment between the Houses in that stage)
(:func:`nlp.pipeline.make_doc` sets them). ``make_doc(..., ents=False)`` skips
``doc.ents`` for callers that only need the mentions' character offsets.

Both work on the text alone: ``ScannerComponent.scan(text)`` and
``LinkerComponent.link(text, raw, date, house, ...)`` are what the components run on
a doc's text, and :func:`nlp.pipeline.tagger` calls them on a plain string, with no
``Doc`` and no tokenizing (the hot path of ``tracker tag``).
"""
import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy
from spacy.attrs import IDX
from spacy.language import Language
from spacy.tokens import Doc, Span

from nlp import members as member_index
from nlp.matcher import Entry, RawMatch, Rule, Scanner, fold, surface_key, trie_regex
from nlp.members import Candidate, OfficeHolder
from tracker.vocab import Label

HERE = Path(__file__).parent
PATTERNS_DIR = HERE / "patterns"
DATA_DIR = HERE / "data"
LABELS = tuple(Label)

def _context_extension(name: str) -> None:
    # kept in user_data: plain dict access is much cheaper than underscore attributes
    slot = f"pbt_{name}"
    Doc.set_extension(name, getter=lambda doc: doc.user_data.get(slot),
                      setter=lambda doc, value: doc.user_data.__setitem__(slot, value))


for _name in ("date", "house", "amendments", "pingpong"):
    if not Doc.has_extension(_name):
        _context_extension(_name)


def doc_text(doc: Doc) -> str:
    """The doc's text, cached in ``user_data`` (``doc.text`` joins every token in Python)."""
    text = doc.user_data.get("pbt_text")
    if text is None:
        text = doc.user_data["pbt_text"] = doc.text
    return text


def read_jsonl(path: str | Path) -> list[Any]:
    """Records of a JSON-lines file (blank lines and ``//`` comments skipped)."""
    out = []
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            line = line.strip()
            if not line or line.startswith("//"):
                continue
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError as error:
                raise ValueError(f"{path}:{number}: {error}") from None
    return out


def load_patterns(patterns_dir: str | Path | None = None) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """``(phrases, rules)`` from every ``*.jsonl`` in the patterns folder, in file-name order."""
    phrases: list[dict[str, Any]] = []
    rules: list[dict[str, Any]] = []
    for path in sorted(Path(patterns_dir or PATTERNS_DIR).glob("*.jsonl")):
        for record in read_jsonl(path):
            if "id" not in record or "label" not in record:
                raise ValueError(f"{path}: every pattern needs an id and a label: {record}")
            (rules if "regex" in record or "grammar" in record else phrases).append(record)
    return phrases, rules


class ScannerComponent:
    """Finds candidate mentions in one regex pass over the folded text."""

    def __init__(self, nlp: Language, name: str, patterns_dir: str | Path | None = None, data_dir: str | Path | None = None) -> None:
        self.name = name
        self.patterns_dir = Path(patterns_dir) if patterns_dir else PATTERNS_DIR
        self.data_dir = Path(data_dir) if data_dir else DATA_DIR
        self.phrases, self.rules = load_patterns(self.patterns_dir)
        self.offices = read_jsonl(self.data_dir / "offices.jsonl") if (self.data_dir / "offices.jsonl").exists() else []
        given = self.data_dir / "given_names.jsonl"
        self.given_variants = {r["name"]: r["variants"] for r in read_jsonl(given)} if given.exists() else {}
        self.set_members([], [])

    def set_members(self, members: Sequence[Mapping[str, Any]], member_names: Iterable[Mapping[str, Any]] = ()) -> "ScannerComponent":
        """(Re)build the gazetteer with these member rows and compile the regex."""
        names, seats, by_name = member_index.build_member_index(members, member_names, self.given_variants)
        self.seats = seats
        self.office_holders = member_index.resolve_offices(self.offices, by_name)
        self.member_count = len(members)
        table: dict[str, list[Entry]] = {}
        for record in self.phrases:
            label = record["label"]
            if label == Label.MEMBER:  # an office title
                ref = (record["id"], tuple(self.office_holders.get(record["id"], ())))
                entry = Entry(Label.MEMBER, "office", ref, surface=record["pattern"])
            else:
                kind = "supplier" if label == Label.SUPPLIER else "provision"
                entry = Entry(label, kind, record["id"], record.get("case", "any"), bool(record.get("common_word")), record["pattern"])
            table.setdefault(surface_key(record["pattern"]), []).append(entry)
        for k, candidates in names.items():
            entries = table.setdefault(k, [])
            if not any(e.kind == "name" for e in entries):
                entries.append(Entry(Label.MEMBER, "name", tuple(candidates), surface=k))
        # the most specific entry first: offices and member names before suppliers and provisions
        order = {"office": 0, "name": 1, "supplier": 2, "provision": 3}
        for entries in table.values():
            entries.sort(key=lambda e: (order[e.kind], e.case != "any"))
        rules = [Rule(spec, i) for i, spec in enumerate(self.rules)]
        fills = {"SEATS": trie_regex(seats.keys())}
        self.scanner = Scanner(table, rules, fills, links={"seat": {k: tuple(v) for k, v in seats.items()}})
        self.pattern_count = sum(len(v) for v in table.values())
        return self

    def scan(self, text: str) -> list[RawMatch]:
        """Raw matches ``(start, end, label, kind, payload)`` of ``text``, in text order."""
        return self.scanner.scan(text, fold(text))

    def __call__(self, doc: Doc) -> Doc:
        doc.user_data["pbt_raw"] = self.scan(doc_text(doc))
        return doc


@Language.factory("pbt_scanner", default_config={"patterns_dir": None, "data_dir": None})
def make_scanner(nlp: Language, name: str, patterns_dir: str | None, data_dir: str | None) -> ScannerComponent:
    return ScannerComponent(nlp, name, patterns_dir, data_dir)


class LinkerComponent:
    """Turns raw matches into linked mentions and ``doc.ents``."""

    def __init__(self, nlp: Language, name: str, data_dir: str | Path | None = None) -> None:
        self.name = name
        data_dir = Path(data_dir) if data_dir else DATA_DIR
        self.suppliers = {r["supplier_id"]: r["name"] for r in read_jsonl(data_dir / "suppliers.jsonl")}
        self.provisions = {r["provision_id"]: r["name"] for r in read_jsonl(data_dir / "provisions.jsonl")}
        self.member_names: dict[int, str | None] = {}
        self._cache: dict[tuple[int, str | None, str | None, str], int | None] = {}  # (id of candidates, date, house, kind) -> member id; payloads live as long as the scanner

    def set_member_names(self, members: Iterable[Mapping[str, Any]]) -> "LinkerComponent":
        self._cache = {}
        self.member_names = {m["member_id"]: m.get("name_display_as") or m.get("name") for m in members}
        return self

    def link(self, text: str, raw: Iterable[RawMatch], date: str | None = None, house: str | None = None,
             amendments: Mapping[str, int] | None = None, pingpong: Mapping[str, int] | None = None) -> list[dict[str, Any]]:
        """The mentions (dicts) of the raw matches ``raw`` of ``text``, linked in its context: ``date``
        (``YYYY-MM-DD``), ``house`` (a :class:`~tracker.vocab.House`), and the stage's ``amendments``
        and ``pingpong`` numbers (see :func:`nlp.pipeline.make_doc`)."""
        cache = self._cache
        suppliers = self.suppliers
        provisions = self.provisions
        mentions: list[dict[str, Any]] = []
        append = mentions.append
        for start, end, label, kind, payload in raw:
            if kind == "supplier":
                append({"start": start, "end": end, "text": text[start:end], "label": label, "entity_id": payload,
                        "name": suppliers.get(payload), "supplier_id": payload})
            elif kind == "provision":
                append({"start": start, "end": end, "text": text[start:end], "label": label, "entity_id": payload,
                        "name": provisions.get(payload), "provision_id": payload})
            elif label == Label.MEMBER:
                mention: dict[str, Any] = {"start": start, "end": end, "text": text[start:end], "label": label, "entity_id": None, "name": None}
                member_id: int | None
                if kind == "office":
                    office_id, holders = payload
                    member_id = member_index.office_holder(holders, date)
                    mention["office"] = office_id
                else:
                    ck = (id(payload), date, house, kind)
                    member_id = cache.get(ck, cache)  # type: ignore[arg-type]  # the cache is its own "not cached" marker
                    if member_id is cache:
                        if len(cache) > 100_000:  # bounded memory on long runs
                            cache.clear()
                        member_id = cache[ck] = member_index.resolve(payload, date, house, seat=(kind == "seat"))
                if member_id is not None:
                    mention["entity_id"] = str(member_id)
                    mention["member_id"] = member_id
                    mention["name"] = self.member_names.get(member_id) or _candidate_name(payload, member_id)
                append(mention)
            else:  # REFERENCE
                mention = {"start": start, "end": end, "text": text[start:end], "label": label, "entity_id": payload,
                           "name": payload, "value": payload}
                if kind == "amendment" and amendments:
                    amendment_id = amendments.get(payload.split(":", 1)[1])
                    if amendment_id is not None:
                        mention["amendment_id"] = amendment_id
                if pingpong:
                    item_id = pingpong.get(payload)
                    if item_id is not None:
                        mention["pingpong_item_id"] = item_id
                append(mention)
        return mentions

    def __call__(self, doc: Doc) -> Doc:
        data = doc.user_data
        mentions = self.link(doc_text(doc), data.pop("pbt_raw", ()), data.get("pbt_date"), data.get("pbt_house"),
                             data.get("pbt_amendments"), data.get("pbt_pingpong"))
        if mentions and data.get("pbt_ents", True):
            doc.set_ents(_spans(doc, mentions), default="unmodified")  # (assigning doc.ents walks every token in Python)
        data["mentions"] = mentions
        return doc


def _spans(doc: Doc, mentions: list[dict[str, Any]]) -> list[Span]:
    """Token spans covering each mention (expanded to token bounds), without overlaps."""
    idx = doc.to_array(IDX)
    starts = numpy.searchsorted(idx, [m["start"] for m in mentions], side="right") - 1
    ends = numpy.searchsorted(idx, [m["end"] for m in mentions], side="left")
    strings = doc.vocab.strings
    spans = []
    last = 0
    for mention, i, j in zip(mentions, starts.tolist(), ends.tolist()):
        if i < last or j <= i:
            continue
        spans.append(Span(doc, i, j, label=strings.add(mention["label"]), kb_id=strings.add(mention["entity_id"] or "")))
        last = j
    return spans


def _candidate_name(payload: tuple[Candidate, ...] | tuple[str, tuple[OfficeHolder, ...]], member_id: int) -> str | None:
    if isinstance(payload, tuple) and len(payload) == 2 and isinstance(payload[1], (list, tuple)):
        for holder in payload[1]:  # office holders
            if holder[0] == member_id:
                return holder[3]
        return None
    for candidate in payload:
        if getattr(candidate, "member_id", None) == member_id:
            return candidate.name
    return None


@Language.factory("pbt_linker", default_config={"data_dir": None})
def make_linker(nlp: Language, name: str, data_dir: str | None) -> LinkerComponent:
    return LinkerComponent(nlp, name, data_dir)
