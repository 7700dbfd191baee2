"""Plain-text tools the positions room shares: sentences with offsets, clauses, word
tokens and a small TF-IDF model for comparing texts.

Plain Python on purpose: the texts are amendments and speeches of one bill (hundreds,
not millions), so a dictionary per vector is fast enough and needs no new dependency.
"""
import itertools
import math
import re
from collections import Counter
from dataclasses import dataclass

from nlp.matcher import fold


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    text: str


# A full stop after these words does not end a sentence ("the hon. Lady", "Mr. Quin").
_ABBREVIATIONS = {"hon", "mr", "mrs", "ms", "dr", "no", "st", "co", "ltd", "rt", "gen", "col", "e.g", "i.e", "cf", "art", "para"}
_BOUNDARY = re.compile(r"[.!?][\u201d\"')\]]*\s+(?=[\u201c\"'(A-Z0-9])|\n+")
_WORD_BEFORE = re.compile(r"([A-Za-z.]+)$")


def sentences(text: str) -> list:
    """The sentences of ``text`` with their offsets in it (line breaks end sentences too)."""
    if not text:
        return []
    out, start = [], 0
    for match in _BOUNDARY.finditer(text):
        if match.group().startswith((".", "!", "?")):
            word = _WORD_BEFORE.search(text[start:match.start()])
            if word and word.group(1).lower().rstrip(".") in _ABBREVIATIONS:
                continue
        _add_sentence(out, text, start, match.start() + len(match.group().rstrip()))
        start = match.end()
    _add_sentence(out, text, start, len(text))
    return out


def _add_sentence(out, text, start, end):
    piece = text[start:end]
    stripped = piece.strip()
    if stripped:
        lead = len(piece) - len(piece.lstrip())
        out.append(Sentence(start + lead, start + lead + len(stripped), stripped))


# Where a clause begins inside a sentence: negation and a stance cue only govern their own clause.
CLAUSE_BREAK = re.compile(r"[,;:\u2014]|\s(?:but|though|although|whereas|while|yet)\s", re.IGNORECASE)


def clause_start(text: str, position: int, floor: int = 0) -> int:
    """The offset where the clause holding ``position`` begins (not before ``floor``)."""
    start = floor
    for match in CLAUSE_BREAK.finditer(text, floor, position):
        start = match.end()
    return start


_TOKEN = re.compile(r"[a-z0-9]+")
STOPWORDS = frozenset((
    "a", "about", "above", "after", "again", "all", "also", "an", "and", "any", "are", "as", "at", "be", "been",
    "before", "being", "between", "both", "but", "by", "can", "could", "did", "do", "does", "each", "for", "from",
    "had", "has", "have", "having", "he", "her", "here", "his", "how", "i", "if", "in", "into", "is", "it", "its",
    "itself", "may", "me", "more", "most", "must", "my", "no", "nor", "not", "of", "on", "once", "only", "or",
    "other", "our", "out", "over", "own", "same", "she", "should", "so", "some", "such", "than", "that", "the",
    "their", "them", "then", "there", "these", "they", "this", "those", "through", "to", "too", "under", "until",
    "up", "upon", "very", "was", "we", "were", "what", "when", "where", "which", "while", "who", "whom", "why",
    "will", "with", "would", "you", "your", "shall", "within", "without", "clause", "clauses", "page", "line",
    "lines", "insert", "inserted", "leave", "out", "end", "following", "move", "new", "subsection", "section",
    "amendment", "amendments", "member", "explanatory", "statement", "schedule", "paragraph",
))


def stem(word: str) -> str:
    """A crude suffix strip so that "published"/"publish" and "suppliers"/"supplier" meet."""
    for suffix, keep in (("ies", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4 and not word.endswith("ss"):
            return word[: -len(suffix)] + keep
    return word


def words(text: str) -> list:
    """Content words of ``text``, folded and stemmed, in order."""
    return [stem(w) for w in _TOKEN.findall(fold(text or "")) if len(w) > 1 and w not in STOPWORDS and not w.isdigit()]


def terms(text: str) -> Counter:
    """Unigrams and adjacent-word bigrams of ``text``'s content words."""
    tokens = words(text)
    counts = Counter(tokens)
    counts.update(f"{a} {b}" for a, b in itertools.pairwise(tokens))
    return counts


class TfIdf:
    """TF-IDF vectors (log-scaled term frequency, smoothed IDF, unit length) over one corpus."""

    def __init__(self, texts: dict):
        self.counts = {key: terms(text) for key, text in texts.items()}
        documents = Counter()
        for counts in self.counts.values():
            documents.update(counts.keys())
        total = len(self.counts) or 1
        self.idf = {term: math.log((1 + total) / (1 + n)) + 1 for term, n in documents.items()}
        self.vectors = {key: self.vector(counts) for key, counts in self.counts.items()}

    def vector(self, counts: Counter) -> dict:
        weights = {t: (1 + math.log(n)) * self.idf.get(t, 1.0) for t, n in counts.items()}
        norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
        return {t: w / norm for t, w in weights.items()}

    def similarity(self, a, b) -> float:
        """Cosine similarity of two documents of the corpus, by key."""
        return cosine(self.vectors[a], self.vectors[b])

    def similarity_to(self, key, text: str) -> float:
        """Cosine similarity of a corpus document and an outside text (weighted by this corpus's IDF)."""
        return cosine(self.vectors[key], self.vector(terms(text)))


def cosine(u: dict, v: dict) -> float:
    if len(u) > len(v):
        u, v = v, u
    return sum(w * v.get(t, 0.0) for t, w in u.items())


def weighted_overlap(a: set, b: set, weight) -> float:
    """Weighted Jaccard of two sets: shared weight over the union's weight (0 when both are empty)."""
    union = a | b
    if not union:
        return 0.0
    total = sum(weight(x) for x in union)
    return sum(weight(x) for x in a & b) / total if total else 0.0
