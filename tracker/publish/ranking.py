"""Exact bm25 ranking of every match, reading as little of the index as the first page needs.

FTS5's ``ORDER BY rank`` scores every matching row (about a microsecond and a half each),
so a word in a fifth of a million speeches costs a quarter of a second. This module ranks
from the index :mod:`tracker.store.searchindex` keeps beside FTS5 and gives the same first
page as FTS5's bm25 with the schema's column weights (ties broken by rowid, as
:func:`exhaustive` does):

* one word: its postings are stored best-first in blocks, each with its frontier of
  (weighted frequency, length) pairs, whose best score, computed here with the current
  average length and IDF, is the block's best. Blocks are read in order of their bound until the k-th
  best score found beats the next bound: no unread posting can score higher (block-max
  top-k). "the" reads a few blocks, like "hikvision";
* several words (all of them, or ``OR`` between groups): the words' postings are merged and
  every match is scored, in numpy, in the order FTS5 adds its terms (so equal inputs give
  equal doubles);
* a quoted phrase of several words, a prefix (``hik*``) or a stale index: FTS5 ranks every
  match itself (:func:`exhaustive`): slower, never wrong.

Counts are exact in every case: a word's document frequency, or the size of the merge.
"""
from __future__ import annotations

import contextlib
import json
import sqlite3
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from functools import reduce

import numpy as np

from tracker.store import schema
from tracker.store.searchindex import idf, impact, weighted_columns

BLOCKS_PER_READ = 4


@dataclass(frozen=True)
class Token:
    """One thing typed: a word, a "quoted phrase", or a prefix ``word*``."""

    text: str
    phrase: bool = False
    prefix: bool = False


@dataclass(frozen=True)
class Ranked:
    """The rows of one page, best first, with their bm25 ``rank`` (negative, as FTS5's), and how many match."""

    rowids: list[int]
    ranks: list[float]
    count: int
    indexed: bool  # ranked from the search index (else by FTS5 over every match)


@dataclass
class _Index:
    generation: int
    rowids: np.ndarray
    lengths: np.ndarray
    avgdl: float


_cache: dict[tuple[str, str], _Index] = {}
_lock = threading.Lock()
_local = threading.local()


def _scratch() -> sqlite3.Connection:
    """This thread's in-memory database, with the tokenizer every index here uses (porter unicode61)."""
    conn = getattr(_local, "conn", None)
    if conn is None:
        conn = sqlite3.connect(":memory:")
        conn.execute("CREATE VIRTUAL TABLE words USING fts5(x, tokenize='porter unicode61')")
        conn.execute("CREATE VIRTUAL TABLE words_vocab USING fts5vocab(words, instance)")
        _local.conn = conn
    return conn


def terms_of(text: str) -> list[str]:
    """The FTS5 terms (porter unicode61, as every index here) a text is made of, in order."""
    conn = _scratch()
    conn.execute("DELETE FROM words")
    conn.execute("INSERT INTO words (rowid, x) VALUES (1, ?)", [text])
    return [term for (term,) in conn.execute("SELECT term FROM words_vocab ORDER BY offset").fetchall()]


def _path(conn: sqlite3.Connection) -> str:
    return next((row[2] for row in conn.execute("PRAGMA database_list").fetchall() if row[1] == "main"), "")


def load_index(conn: sqlite3.Connection, table: schema.Table) -> _Index | None:
    """The table's index when it is as new as the table's rows, else None (the caller ranks with FTS5)."""
    row = conn.execute(
        "SELECT i.generation FROM search_index i JOIN search_generations g ON g.table_name = i.table_name"
        " WHERE i.table_name = ? AND i.generation = g.generation", [table.name]).fetchone()
    if row is None:
        return None
    key = (_path(conn), table.name)
    with _lock:
        found = _cache.get(key)
    if found is not None and found.generation == row[0]:
        return found
    generation, documents, tokens, rowids, lengths = conn.execute(
        "SELECT generation, documents, length_total, rowids, lengths FROM search_index WHERE table_name = ?", [table.name]).fetchone()
    found = _Index(generation, np.frombuffer(rowids, dtype=np.int64), np.frombuffer(lengths, dtype=np.uint32).astype(np.float64),
                   tokens / documents if documents else 1.0)
    with _lock:
        _cache[key] = found
    return found


def _best(rowids: np.ndarray, scores: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` best by score, ties by rowid (as ``ORDER BY rank, rowid``)."""
    if 0 < k < len(scores) // 4:  # sort only what can be among them: the k-th score and better (ties included)
        kth = np.partition(-scores, k - 1)[k - 1]
        keep = -scores <= kth
        rowids, scores = rowids[keep], scores[keep]
    order = np.lexsort((rowids, -scores))[:k]
    return rowids[order], scores[order]


def _intersect(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The values in both sorted arrays of unique values (searching the longer for the shorter's)."""
    if len(a) > len(b):
        a, b = b, a
    if not len(a):
        return a
    at = np.minimum(np.searchsorted(b, a), len(b) - 1)
    return a[b[at] == a]


def _union(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    both = np.concatenate([a, b])
    both.sort()
    return both[np.r_[True, both[1:] != both[:-1]]] if len(both) else both


def _single(conn, table, index, term, k):
    row = conn.execute("SELECT df, block_of, block_freqs, block_lengths FROM search_terms WHERE table_name = ? AND term = ?",
                       [table.name, term]).fetchone()
    if row is None:
        return np.empty(0, np.int64), np.empty(0), 0
    df = row[0]
    weight = idf(len(index.rowids), df)
    block_of = np.frombuffer(row[1], np.uint32)
    points = weight * impact(np.frombuffer(row[2], np.float32), np.frombuffer(row[3], np.uint32), index.avgdl)
    bounds = np.full(int(block_of[-1]) + 1, -np.inf)
    np.maximum.at(bounds, block_of, points)  # each block's best score: the best of its frontier
    order = np.argsort(-bounds, kind="stable")
    best_rowids, best_scores = np.empty(0, np.int64), np.empty(0)
    read = 0
    while read < len(order):
        wanted = [int(b) for b in order[read:read + BLOCKS_PER_READ]]
        read += len(wanted)
        marks = ",".join("?" for _ in wanted)
        blocks = conn.execute(f"SELECT docs, freqs FROM search_blocks WHERE table_name = ? AND term = ? AND block IN ({marks})",
                              [table.name, term, *wanted]).fetchall()
        docs = np.concatenate([np.frombuffer(d, np.uint32) for d, _ in blocks])
        freqs = np.concatenate([np.frombuffer(f, np.float32) for _, f in blocks])
        scores = weight * impact(freqs, index.lengths[docs], index.avgdl)
        best_rowids, best_scores = _best(np.concatenate([best_rowids, index.rowids[docs]]), np.concatenate([best_scores, scores]), k)
        # Stop when nothing unread can beat (or tie with) the k-th best: the bound is on the same doubles.
        if len(best_scores) >= k and read < len(order) and best_scores[k - 1] > bounds[order[read]] * (1 + 1e-12):
            break
    return best_rowids, best_scores, df


def _postings(conn, table, term):
    blocks = conn.execute("SELECT docs, freqs FROM search_blocks WHERE table_name = ? AND term = ?", [table.name, term]).fetchall()
    if not blocks:
        return np.empty(0, np.uint32), np.empty(0, np.float32)
    docs = np.concatenate([np.frombuffer(d, np.uint32) for d, _ in blocks])
    freqs = np.concatenate([np.frombuffer(f, np.float32) for _, f in blocks])
    # In document order: a term has one posting a document, so sorting (document, frequency's bits)
    # packed in 64 bits orders both at once, in half the time of an argsort and two gathers.
    packed = (docs.astype(np.uint64) << np.uint64(32)) | freqs.view(np.uint32).astype(np.uint64)
    packed.sort()
    return (packed >> np.uint64(32)).astype(np.uint32), (packed & np.uint64(0xFFFFFFFF)).astype(np.uint32).view(np.float32)


def _merged(conn, table, index, groups, k):
    """Score every match of ``groups`` (OR of AND-groups of terms), adding terms in query order as FTS5 does."""
    documents = len(index.rowids)
    leaves = [[(term, *_postings(conn, table, term)) for term in group] for group in groups]
    matched = [reduce(_intersect, [docs for _, docs, _ in group]) for group in leaves]
    union = reduce(_union, matched) if matched else np.empty(0, np.uint32)
    lengths = index.lengths[union]
    scores = np.zeros(len(union))
    for group, docs_in_group in zip(leaves, matched):
        in_group = np.zeros(len(union), dtype=bool)
        in_group[np.searchsorted(union, docs_in_group)] = True
        for _term, docs, freqs in group:
            found = np.zeros(len(union))
            at = np.searchsorted(docs, union[in_group])
            found[in_group] = freqs[at]
            scores = scores + idf(documents, len(docs)) * impact(found, lengths, index.avgdl)
    rowids, best = _best(index.rowids[union], scores, k)
    return rowids, best, len(union)


def indexed_terms(tokens: list[list[Token]]) -> list[list[str]] | None:
    """The groups as single terms, or None when a token is a prefix or a phrase of several terms (FTS5 ranks those)."""
    groups = []
    for group in tokens:
        terms = []
        for token in group:
            words = terms_of(token.text)
            if token.prefix or len(words) != 1:
                return None
            terms.append(words[0])
        groups.append(terms)
    return groups


def rank(conn: sqlite3.Connection, table: schema.Table, tokens: list[list[Token]], match: str, *, limit: int, offset: int = 0) -> Ranked:
    """One page of ``table``'s matches of ``tokens`` (``match``: the same as an FTS5 query), best first, and their count."""
    index = load_index(conn, table)
    groups = indexed_terms(tokens) if index is not None else None
    if index is None or groups is None:
        return exhaustive(conn, table, match, limit=limit, offset=offset)
    k = offset + limit
    if len(groups) == 1 and len(groups[0]) == 1:
        rowids, scores, count = _single(conn, table, index, groups[0][0], k)
    else:
        rowids, scores, count = _merged(conn, table, index, groups, k)
    return Ranked([int(r) for r in rowids[offset:k]], [-float(s) for s in scores[offset:k]], count, True)


def exhaustive(conn: sqlite3.Connection, table: schema.Table, match: str, *, limit: int, offset: int = 0) -> Ranked:
    """FTS5's own bm25 over every match (``ORDER BY rank, rowid``), and the exact count: the reference ranking."""
    fts = table.fts
    rows = conn.execute(f"SELECT rowid, rank FROM [{fts}] WHERE [{fts}] MATCH ? ORDER BY rank, rowid LIMIT ? OFFSET ?",
                        [match, limit, offset]).fetchall()
    (count,) = conn.execute(f"SELECT count(*) FROM [{fts}] WHERE [{fts}] MATCH ?", [match]).fetchone()
    return Ranked([r for r, _ in rows], [s for _, s in rows], count, False)


def snippets(conn: sqlite3.Connection, table: schema.Table, match: str, rowids: list[int], *, tokens: int = 24,
             marks: tuple[str, str] = ("\x02", "\x03")) -> dict[int, str]:
    """FTS5's ``snippet()`` of ``match`` in each of ``rowids``, made in a scratch index of those rows alone:
    the same tokenizer and columns, so the same words are marked, at a cost that does not grow with
    how common the words are (in the table's own index, each row's snippet seeks in the words' whole lists)."""
    with _rows_alone(conn, table, rowids) as (scratch, name):
        return dict(scratch.execute(f"SELECT rowid, snippet([{name}], -1, ?, ?, '…', ?) FROM [{name}] WHERE [{name}] MATCH ?",
                                    [marks[0], marks[1], tokens, match]).fetchall())


def matching(conn: sqlite3.Connection, table: schema.Table, match: str, rowids: list[int]) -> set[int]:
    """Which of ``rowids`` ``match`` matches, asked of those rows alone as :func:`snippets` does (no snippets made)."""
    with _rows_alone(conn, table, rowids) as (scratch, name):
        return {rowid for (rowid,) in scratch.execute(f"SELECT rowid FROM [{name}] WHERE [{name}] MATCH ?", [match])}


@contextlib.contextmanager
def _rows_alone(conn: sqlite3.Connection, table: schema.Table, rowids: list[int]) -> Iterator[tuple[sqlite3.Connection, str]]:
    """This thread's scratch index holding ``rowids``' searched columns of ``table``, dropped afterwards
    (dropping costs nothing; deleting the rows from FTS5 would tokenize them all again)."""
    columns = [c for c, _ in weighted_columns(table)]
    cols = ", ".join(f"[{c}]" for c in columns)
    scratch = _scratch()
    name = f"rows_alone_{table.name}"
    scratch.execute(f"DROP TABLE IF EXISTS [{name}]")
    scratch.execute(f"CREATE VIRTUAL TABLE [{name}] USING fts5({cols}, tokenize='porter unicode61')")
    if rowids:
        rows = conn.execute(f"SELECT rowid, {cols} FROM [{table.name}] WHERE rowid IN (SELECT value FROM json_each(?))",
                            [json.dumps(rowids)]).fetchall()
        scratch.executemany(f"INSERT INTO [{name}] (rowid, {cols}) VALUES ({', '.join('?' for _ in range(len(columns) + 1))})", rows)
    try:
        yield scratch, name
    finally:
        scratch.execute(f"DROP TABLE [{name}]")
