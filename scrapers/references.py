"""References to amendments and motions in text: the one grammar that Hansard linking,
division linking and the tagger all read them with.

"I beg to move amendment 47", "new clauses 1 and 2", "NC12", "Amendments 5 to 8",
"Amendment No. 5", "Lords Amendments 11B & 11C", "Motion A1", "Motions B1 and C":
:func:`find_references` turns a text into :class:`Reference` records, one per number
named, each with its kind, its number as the Bills API writes it ("47B", "NC1",
"NS2", "A1"), where it is named, and how a speaker treated it (moved, spoke to,
mentioned). Which record a number stands for is decided elsewhere, against the
bill stage's records (``tracker/sync/linking.py``); this module only reads.

The grammar is written once, as :data:`SCAN_PATTERN`, in lower case so that the
tagger can make it one alternative of its single regex over case-folded text
(see ``nlp/matcher.py``); :func:`read_phrase` then reads one matched phrase with
the rules that need the original letter case (motions are named in capitals, so
"the motion I moved" names no motion, and "Motion A and a" names one).
"""
import re
from dataclasses import dataclass, replace

AMENDMENT = "amendment"
NEW_CLAUSE = "new clause"
NEW_SCHEDULE = "new schedule"
MOTION = "motion"

MOVED = "moved"
SPOKE_TO = "spoke to"
MENTIONED = "mentioned"
HOW_RANK = {MOVED: 3, SPOKE_TO: 2, MENTIONED: 1}

_NUMBER = r"(?:n[cs])?\d{1,4}[a-z]{0,2}"  # 47, 47b, nc1 (case-folded)
_MOTION_NUMBER = r"(?:\d{1,4}[a-z]{0,2}|[a-z](?:\d{1,2}|[a-z])?)"  # 47a, a, a1
_SEPARATOR = r"(?:,\s*and|,\s*or|,|and|or|&|to)"


def _listed(first: str, item: str) -> str:
    """``first`` then any further items of a list ("12, 13 and 14", "5 to 8")."""
    return rf"{first}(?!\w)(?:\s*{_SEPARATOR}\s*{item}(?![\w(]))*"


# One reference phrase, matched on case-folded text: a kind word and a list of numbers, or a bare NC/NS number.
SCAN_PATTERN = (
    rf"(?:(?:new\s+clauses?|new\s+schedules?|amendments?)\s+(?:no\.?\s+)?{_listed(_NUMBER, _NUMBER)}"
    rf"|motions?\s+{_listed(_MOTION_NUMBER, _MOTION_NUMBER)}"
    r"|n[cs]\d{1,4}(?!\w))"
)
# The letters a phrase starts with: the tagger tries the pattern only where one of these begins.
SCAN_GUARD = r"new\s|amendment|motion|n[cs]\d"

_PREFIX = r"(?:government|lords|commons)\s+"
_FIND = re.compile(rf"(?<!\w)(?P<prefix>{_PREFIX})?(?P<phrase>{SCAN_PATTERN})", re.IGNORECASE)
_KIND_WORDS = re.compile(r"(?P<kind>new\s+clauses?|new\s+schedules?|amendments?|motions?)\s+(?:no\.?\s+)?", re.IGNORECASE)
_ITEM = re.compile(rf"\s*(?P<separator>{_SEPARATOR})?\s*(?P<item>{_NUMBER}|{_MOTION_NUMBER})", re.IGNORECASE)
_LARGEST_RANGE = 200  # "Amendments 1 to 2023" is no range


@dataclass(frozen=True)
class Reference:
    """One number named in a text.

    ``start``/``end`` mark where it is named: the first number of a phrase with its
    kind word ("Amendments 12"), a further one by itself ("13"), and a number that a
    range only implies by the range ("5 to 8" for 6 and 7). ``phrase`` is the whole
    reference as written ("Lords Amendments 11B and 11C"), starting at ``phrase_start``.
    """

    kind: str  # amendment, new clause, new schedule or motion
    number: str  # as the Bills API numbers it: 47, 47B, NC1, NS2, A1
    start: int
    end: int
    phrase: str
    phrase_start: int
    how: str = MENTIONED  # moved, spoke to or mentioned

    @property
    def record_kind(self) -> str:
        """What kind of record it stands for: a motion, or an amendment (new clauses and schedules are amendments)."""
        return MOTION if self.kind == MOTION else AMENDMENT

    @property
    def value(self) -> str:
        """The normalised reference, as the tagger records it: ``amendment:NC1``, ``motion:A1``."""
        return f"{self.record_kind}:{self.number}"


def _upper(text: str) -> bool:
    return all(c.isupper() for c in text if c.isalpha())


def _kind_of(words: str) -> str:
    words = words.lower()
    if words.startswith("new"):
        return NEW_SCHEDULE if "schedule" in words else NEW_CLAUSE
    return MOTION if words.startswith("motion") else AMENDMENT


def read_phrase(phrase: str) -> list[Reference]:
    """The numbers one phrase matched by :data:`SCAN_PATTERN` names, with offsets within the
    phrase (see :class:`Reference` for the spans); empty when it names none."""
    words = _KIND_WORDS.match(phrase)
    if words is None:  # a bare NC12 or NS3, written in capitals
        return [_reference(AMENDMENT, phrase, 0, len(phrase), phrase)] if _upper(phrase) else []
    kind = _kind_of(words.group("kind"))
    items: list[tuple[str, str, int, int]] = []  # (separator, number as written, start, end)
    position = words.end()
    while position < len(phrase):
        item = _ITEM.match(phrase, position)
        if item is None:
            break
        number = item.group("item")
        if kind == MOTION and not _motion_number(words.group("kind"), number):
            break  # "Motion A and a ...": the list ends
        items.append(((item.group("separator") or "").lower(), number, item.start("item"), item.end("item")))
        position = item.end()
    found: list[Reference] = []
    for index, (separator, number, start, end) in enumerate(items):
        if separator == "to" and index:
            low, high, range_start = items[index - 1][1], number, items[index - 1][2]
            if low.isdigit() and high.isdigit() and 0 < int(high) - int(low) <= _LARGEST_RANGE:
                found.extend(_reference(kind, str(n), range_start, end, phrase) for n in range(int(low) + 1, int(high)))
        found.append(_reference(kind, number, 0 if index == 0 else start, end, phrase))
    return found


def _reference(kind: str, number: str, start: int, end: int, phrase: str) -> Reference:
    """A :class:`Reference` numbered as the Bills API numbers it: new clause 1 is NC1, and an NC number is a new clause."""
    number = number.upper()
    if kind == NEW_CLAUSE and not number.startswith("NC"):
        number = "NC" + number
    elif kind == NEW_SCHEDULE and not number.startswith("NS"):
        number = "NS" + number
    if number.startswith("NC"):
        kind = NEW_CLAUSE
    elif number.startswith("NS"):
        kind = NEW_SCHEDULE
    return Reference(kind, number, start, end, phrase, 0)


def _motion_number(kind_words: str, number: str) -> bool:
    """Motions are numbered in capitals ("A1", "47A"); one named by letters alone needs a capital "Motion"
    too, and "I" is the speaker ("the motion I moved")."""
    if not _upper(number):
        return False
    if number[0].isalpha():
        return kind_words[0].isupper() and number != "I"
    return True


# How a speech treats what it names: moving it, speaking to it, or mentioning it.
_MOVED_JUST_BEFORE = re.compile(rf"\b(?:beg\s+to\s+move|in\s+moving),?\s*(?:the\s+)?(?:{_PREFIX})?$", re.IGNORECASE)
_MOVED_BY_AFTER = re.compile(r"\s*(?:\([^()\n]*\))?\s*\n?\s*moved\s+by\b", re.IGNORECASE)
_IN_MY_NAME_AFTER = re.compile(r"[,\s]*(?:standing\s+)?in\s+my\s+name\b", re.IGNORECASE)
_SPOKE = re.compile(r"\b(?:speak(?:ing)?\s+(?:also\s+)?to|spoke\s+to|rise\s+to\s+support|added\s+my\s+name\s+to)\b", re.IGNORECASE)


def _sentence_start(text: str, start: int) -> int:
    """Where the sentence holding ``start`` begins (a verb governs only its own sentence)."""
    return max(text.rfind(". ", 0, start), text.rfind("\n", 0, start), text.rfind("; ", 0, start)) + 1


def _how(text: str, start: int, end: int) -> str:
    """"I beg to move amendment 47", "Amendment 98 Moved by ...": moved; "I will speak to
    Amendments 29 and 33", "new clause 1 in my name": spoke to; otherwise mentioned."""
    before = text[_sentence_start(text, start):start]
    after = text[end:end + 40]
    if _MOVED_JUST_BEFORE.search(before) or _MOVED_BY_AFTER.match(after):
        return MOVED
    if _SPOKE.search(before) or _IN_MY_NAME_AFTER.match(after):
        return SPOKE_TO
    return MENTIONED


def find_references(text: str | None) -> list[Reference]:
    """Every number a text names as an amendment, new clause, new schedule or motion, in text order."""
    if not text:
        return []
    found: list[Reference] = []
    for match in _FIND.finditer(text):
        named = read_phrase(match.group("phrase"))
        if not named:
            continue
        start, offset = match.start(), match.start("phrase")
        end = offset + max(r.end for r in named)  # "Motion A and a": the phrase ends at "A"
        phrase, how = text[start:end], _how(text, start, end)
        found.extend(replace(r, start=offset + r.start, end=offset + r.end, phrase=phrase, phrase_start=start, how=how)
                     for r in named)
    return found
