"""Word-level differences between two texts, as JSON-ready operations.

Texts are split into words and punctuation marks, compared with difflib's
longest-matching-block algorithm (no "junk" heuristics, which would hide changes
to common words such as "may"), and returned as ``[op, text]`` pairs where ``op``
is ``equal``, ``delete`` or ``insert`` (a replacement is a delete followed by an
insert). Joining the equal and delete texts gives the old text, the equal and
insert texts the new one, up to spacing.
"""
import re
from difflib import SequenceMatcher

# Amounts ("£138,760", "2.5%") are one token; words keep inner hyphens and apostrophes.
_TOKEN = re.compile(r"[£$€]?\d+(?:[,.]\d+)*[A-Z]*%?|\w+(?:[-'’]\w+)*|[^\w\s]")
_NO_SPACE_BEFORE = set(",.;:)]”’!?—")
_NO_SPACE_AFTER = set("([“‘—£$€")


def tokens(text: str | None) -> list[str]:
    """Words and punctuation marks of ``text``."""
    return _TOKEN.findall(text or "")


def join_tokens(words) -> str:
    """Tokens back to readable text: no space before closing punctuation or after opening."""
    out = ""
    for word in words:
        if out and not (word[0] in _NO_SPACE_BEFORE or out[-1] in _NO_SPACE_AFTER):
            out += " "
        out += word
    return out


def token_ops(a: list, b: list) -> list[list]:
    """``[[op, tokens], ...]`` turning token list ``a`` into ``b``, insertions and deletions
    slid to start at a sub-provision's opening bracket where they can."""
    ops: list[list] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if tag == "equal":
            ops.append(["equal", a[i1:i2]])
            continue
        if i2 > i1:
            ops.append(["delete", a[i1:i2]])
        if j2 > j1:
            ops.append(["insert", b[j1:j2]])
    for index in range(1, len(ops) - 1):
        _slide(ops, index)
    return [op for op in ops if op[1]]


def _slide(ops, index):
    """An insertion or deletion between two equal runs can move left while the run before it
    ends with the token it ends with; of those places, prefer one starting a sub-provision "("."""
    before, change, after = ops[index - 1], ops[index], ops[index + 1]
    if before[0] != "equal" or after[0] != "equal" or change[0] == "equal" or not change[1]:
        return
    shift = 0
    while shift < len(before[1]) and shift < len(change[1]) and before[1][-1 - shift] == change[1][-1 - shift]:
        shift += 1
    choices = [k for k in range(shift + 1) if (change[1][-k:] + change[1][:-k] if k else change[1])[0] == "("]
    if not choices or choices[0] == 0:
        return
    k = choices[0]
    moved = change[1][-k:]
    change[1] = moved + change[1][:-k]
    before[1] = before[1][:-k]
    after[1] = moved + after[1]


def word_diff(old: str | None, new: str | None) -> list[list[str]]:
    """``[[op, text], ...]`` turning ``old`` into ``new`` word by word."""
    return [[op, join_tokens(run)] for op, run in token_ops(tokens(old), tokens(new))]


def changed(ops) -> bool:
    return any(op != "equal" for op, _ in ops)


def words_of(ops, kind: str) -> list[list[str]]:
    """The token runs of the ``kind`` (``delete`` or ``insert``) operations, one list per run."""
    return [tokens(text) for op, text in ops if op == kind]
