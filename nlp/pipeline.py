"""Building the tagger: ``spacy.blank("en")`` + ``pbt_scanner`` + ``pbt_linker``.

The member gazetteer is built from ``members`` and ``member_names`` rows handed
in by the caller (the tracker reads them from its database; the evaluation reads
a Members API search response); the suppliers, provisions, offices and patterns
come from the data files beside this module. No model is loaded or downloaded,
and nothing here reads the tracker's tables or files.

:func:`pipeline_version` is a hash of the code of this package, every pattern and
data file, and the member gazetteer: this pipeline's own version, which a caller
owning further rules (the tracker's link context) combines with its own.
"""
import hashlib
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Protocol, cast

import spacy
from spacy.language import Language
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc

from nlp import components  # noqa: F401  (registers the factories)
from nlp.components import DATA_DIR, PATTERNS_DIR
from nlp.members import day
from scrapers import references
from scrapers.members import parse_member, search_values
from tracker.vocab import House

HERE = Path(__file__).parent
CODE_FILES = ("matcher.py", "members.py", "components.py", "pipeline.py")
# The columns of the member rows and name rows the gazetteer reads.
MEMBER_FIELDS = ("member_id", "name", "house", "constituency", "name_display_as", "name_list_as",
                 "name_address_as", "membership_start", "membership_end", "gender")
NAME_FIELDS = ("member_id", "name", "kind", "start_date", "end_date")


def _digest(items: Iterable[Any]) -> str:
    h = hashlib.sha256()
    for item in items:
        h.update(item if isinstance(item, bytes) else json.dumps(item, sort_keys=True, default=str).encode())
        h.update(b"\0")
    return h.hexdigest()


def data_files(patterns_dir: str | Path | None = None, data_dir: str | Path | None = None) -> list[Path]:
    return sorted(Path(patterns_dir or PATTERNS_DIR).glob("*.jsonl")) + sorted(Path(data_dir or DATA_DIR).glob("*.jsonl"))


def pipeline_version(members: Iterable[Mapping[str, Any]] = (), member_names: Iterable[Mapping[str, Any]] = (), *,
                     patterns_dir: str | Path | None = None, data_dir: str | Path | None = None) -> str:
    """A short hash of the code, the pattern and data files, and the member gazetteer."""
    parts = [(HERE / name).read_bytes() for name in CODE_FILES]
    parts.append(Path(references.__file__).read_bytes())  # the reference grammar the matcher compiles in
    parts += [path.name.encode() + b"\0" + path.read_bytes() for path in data_files(patterns_dir, data_dir)]
    parts.append(_digest(sorted(([m.get(f) for f in MEMBER_FIELDS] for m in members), key=str)).encode())
    parts.append(_digest(sorted(([n.get(f) for f in NAME_FIELDS] for n in member_names), key=str)).encode())
    return _digest(parts)[:16]


def parliament_tokenizer(nlp: Language) -> Language:
    """Drop the English tokenizer's special cases that contain affix characters.

    spaCy matches those (emoticons such as ``):``, dotted abbreviations such as
    ``Dr.``) with a phrase matcher over every doc, which makes the tokenizer four
    to five times slower on parliamentary text, where every speaker line ends in
    ``(Con):`` (tokenized as the emoticon ``):``!). Without them ``(Con):`` gives
    ``)`` ``:`` and ``Co.`` gives ``Co`` ``.``; the tagger matches on the text, so
    its mentions are the same either way (only token boundaries of ``doc.ents`` may differ).
    """
    tokenizer = cast(Tokenizer, nlp.tokenizer)

    def affixed(key: str) -> bool:
        return (any(c.isspace() for c in key)
                or bool(tokenizer.prefix_search and tokenizer.prefix_search(key))
                or bool(tokenizer.suffix_search and tokenizer.suffix_search(key))
                or bool(tokenizer.infix_finditer and next(iter(tokenizer.infix_finditer(key)), None)))

    tokenizer.rules = {key: value for key, value in tokenizer.rules.items() if not affixed(key)}
    return nlp


def build(members: Iterable[Mapping[str, Any]] = (), member_names: Iterable[Mapping[str, Any]] = (), *,
          patterns_dir: str | Path | None = None, data_dir: str | Path | None = None, tokenizer: str = "parliament") -> Language:
    """A ready pipeline; ``nlp.meta["pbt_version"]`` is its :func:`pipeline_version`.

    ``tokenizer="parliament"`` (the default) uses :func:`parliament_tokenizer`;
    ``tokenizer="spacy"`` keeps spaCy's English tokenizer unchanged.
    """
    members = [dict(m) for m in members]
    member_names = [dict(n) for n in member_names]
    nlp = spacy.blank("en")
    if tokenizer == "parliament":
        parliament_tokenizer(nlp)
    elif tokenizer != "spacy":
        raise ValueError(f"tokenizer must be 'parliament' or 'spacy', not {tokenizer!r}")
    nlp.meta["pbt_tokenizer"] = tokenizer
    nlp.max_length = 50_000_000  # no parser or NER: memory is linear in the text
    config = {"patterns_dir": str(patterns_dir) if patterns_dir else None, "data_dir": str(data_dir) if data_dir else None}
    scanner = cast(components.ScannerComponent, nlp.add_pipe("pbt_scanner", config=config))
    linker = cast(components.LinkerComponent, nlp.add_pipe("pbt_linker", config={"data_dir": config["data_dir"]}))
    scanner.set_members(members, member_names)
    linker.set_member_names(members)
    nlp.meta["pbt_version"] = pipeline_version(members, member_names, patterns_dir=patterns_dir, data_dir=data_dir)
    nlp.meta["pbt_members"] = len(members)
    return nlp


def members_from_search_json(path: str | Path) -> list[dict[str, Any]]:
    """Member rows from a saved Members API ``/api/Members/Search`` response file
    (parsed by the Members scraper's own parser, so both read it one way)."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return [parse_member(value, None).row() for value in search_values(data)]


def make_doc(nlp: Language, text: str, *, date: str | None = None, house: object = None, amendments: Mapping[str, int] | None = None,
             pingpong: Mapping[str, int] | None = None, ents: bool = True) -> Doc:
    """A doc with its context set, ready for ``nlp(doc)`` or ``nlp.pipe(docs)``.

    ``amendments`` maps an amendment number of the text's bill stage to its
    ``amendment_id``; ``pingpong`` maps a reference value of that stage's motions and
    amendments between the Houses (``motion:A1``, ``amendment:47A``) to its ``pingpong_item_id``.

    ``ents=False``: the linker leaves ``doc.ents`` alone (the mentions, with
    character offsets, are in ``doc.user_data["mentions"]`` either way).
    """
    doc = nlp.make_doc(text)
    data = doc.user_data
    data["pbt_text"] = text
    data["pbt_date"] = day(date)
    data["pbt_house"] = House.of(house)
    data["pbt_amendments"] = amendments
    data["pbt_pingpong"] = pingpong
    if not ents:
        data["pbt_ents"] = False
    return doc


class TextTagger(Protocol):
    def __call__(self, text: str, *, date: str | None = None, house: object = None,
                 amendments: Mapping[str, int] | None = None, pingpong: Mapping[str, int] | None = None) -> list[dict[str, Any]]: ...


def tagger(nlp: Language) -> TextTagger:
    """The tagger on raw text: ``tag(text, *, date, house, amendments, pingpong) -> mentions``.

    The pipeline's own scanner and linker, called on the string: no ``Doc`` is made, so
    nothing is tokenized. The mentions are those ``nlp(make_doc(nlp, text, ...))`` leaves in
    ``doc.user_data["mentions"]`` (the components read the text the doc was made from:
    spaCy's tokens keep every character, so the doc's text is this text). This is the hot
    path: ``tracker tag`` and the evaluation run it; build a doc only where one is asked for.
    """
    scan = cast(components.ScannerComponent, nlp.get_pipe("pbt_scanner")).scan
    link = cast(components.LinkerComponent, nlp.get_pipe("pbt_linker")).link

    def tag_text(text: str, *, date: str | None = None, house: object = None, amendments: Mapping[str, int] | None = None,
                 pingpong: Mapping[str, int] | None = None) -> list[dict[str, Any]]:
        return link(text, scan(text), day(date), House.of(house), amendments, pingpong)

    return tag_text


def tag(nlp: Language, text: str, *, date: str | None = None, house: object = None, amendments: Mapping[str, int] | None = None,
        pingpong: Mapping[str, int] | None = None) -> list[dict[str, Any]]:
    """The mentions in one text (dicts: start, end, text, label, entity_id, name, ...), found on the raw text."""
    return tagger(nlp)(text, date=date, house=house, amendments=amendments, pingpong=pingpong)
