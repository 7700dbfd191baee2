"""The search index beside FTS5: each term's postings ordered by impact, in blocks with score bounds.

FTS5 ranks a query by computing bm25 for every row that matches, so a word found in
most speeches costs as much as reading them all. This index lets the search page rank
every match exactly while reading only the best few blocks of a term:

* the documents and their terms are FTS5's own: read through an ``fts5vocab`` table, so
  stemming, tokens and the documents' lengths are exactly those the ``rank`` function sees;
* a term's postings (a document and its weighted frequency: the sum, over the columns, of
  the schema's bm25 weight times the term's count there) are sorted by their bm25 impact
  and cut into blocks of :data:`BLOCK`; each block keeps the Pareto frontier of its
  (frequency, length) pairs (:func:`frontiers`), so its best score can be computed at query
  time, with the average length and document frequency of that moment (``tracker/publish/ranking.py``);
* ``search_generations`` (bumped by triggers, m0013) says whether the index is stale:
  :func:`stale` names the tables whose index is missing or older than their rows, and
  the search page never ranks from a stale index.

:func:`refresh` rebuilds what is stale, in one transaction per table; a sync calls it at the
end of its run and ``tracker serve`` before serving.
"""
from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import sqlite_utils

from tracker.store import schema
from tracker.store.db import transaction, utcnow

BLOCK = 128
K1, B = 1.2, 0.75  # FTS5's bm25 constants (fts5_aux.c)

Progress = Callable[..., object]


def impact(freqs: np.ndarray, lengths: np.ndarray, avgdl: float) -> np.ndarray:
    """FTS5's bm25 term factor, without the IDF: written as fts5_aux.c computes it, so equal inputs give equal doubles."""
    freqs = np.asarray(freqs, dtype=np.float64)
    lengths = np.asarray(lengths, dtype=np.float64)
    return (freqs * (K1 + 1.0)) / (freqs + K1 * (1 - B + B * lengths / avgdl))


def idf(documents: int, df: int) -> float:
    """FTS5's IDF of a phrase found in ``df`` of ``documents`` rows (never below 1e-6)."""
    value = math.log((documents - df + 0.5) / (df + 0.5)) if documents else 0.0
    return value if value > 0.0 else 1e-6


def frontiers(freqs: np.ndarray, lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each block's Pareto frontier of (frequency, length): the postings no other of the block has
    at least as often in a document at most as long. bm25 rises with the frequency and falls with
    the length whatever the average length, so a block's best score is one of its frontier's:
    the bound read at query time is the block's exact best. Returns ``(block of each point, freqs, lengths)``."""
    blocks, kept_freqs, kept_lengths = [], [], []
    for number, start in enumerate(range(0, len(freqs), BLOCK)):
        f, d = freqs[start:start + BLOCK], lengths[start:start + BLOCK]
        order = np.lexsort((-f, d))  # shortest first, most frequent first among equals
        f, d = f[order], d[order]
        best = np.maximum.accumulate(f)
        keep = np.r_[True, f[1:] > best[:-1]]  # more frequent than every shorter (or equal) one before it
        blocks.append(np.full(int(keep.sum()), number))
        kept_freqs.append(f[keep])
        kept_lengths.append(d[keep])
    return np.concatenate(blocks), np.concatenate(kept_freqs), np.concatenate(kept_lengths)


def weighted_columns(table: schema.Table) -> tuple[tuple[str, float], ...]:
    """The table's indexed columns with their bm25 weights, in the index's order."""
    if table.search is None:
        raise ValueError(f"{table.name} has no full-text index")
    return table.search.columns


def stale(db: sqlite_utils.Database) -> list[str]:
    """The indexed tables whose search index is missing or older than their rows."""
    rows = db.execute(
        "SELECT g.table_name FROM search_generations g LEFT JOIN search_index i ON i.table_name = g.table_name"
        " WHERE i.generation IS NULL OR i.generation != g.generation"
    ).fetchall()
    wanted = {t.name for t in schema.indexed()}
    return [name for (name,) in rows if name in wanted]


def refresh(db: sqlite_utils.Database, progress: Progress | None = None) -> list[str]:
    """Rebuild the index of every stale table; returns their names."""
    names = stale(db)
    for name in names:
        build(db, schema.table(name), progress=progress)
    return names


def build(db: sqlite_utils.Database, table: schema.Table, progress: Progress | None = None) -> None:
    """Rebuild ``table``'s index from its FTS5 index, in one transaction (readers see the old one or the new)."""
    fts = table.fts
    weights = dict(weighted_columns(table))
    vocab = f"{fts}_search_vocab"
    with transaction(db):
        (generation,) = db.execute("SELECT generation FROM search_generations WHERE table_name = ?", [table.name]).fetchone()
        db.execute(f"CREATE VIRTUAL TABLE IF NOT EXISTS temp.[{vocab}] USING fts5vocab(main, [{fts}], instance)")
        db.execute(f"CREATE VIRTUAL TABLE IF NOT EXISTS temp.[{vocab}_rows] USING fts5vocab(main, [{fts}], row)")
        rowids = np.array([r for (r,) in db.execute(f"SELECT id FROM [{fts}_docsize] ORDER BY id").fetchall()], dtype=np.int64)
        terms = [t for (t,) in db.execute(f"SELECT term FROM temp.[{vocab}_rows]").fetchall()] if len(rowids) else []
        documents = len(rowids)
        lengths = np.zeros(documents, dtype=np.int64)
        column_case = "CASE col " + " ".join(f"WHEN '{c}' THEN {float(w)!r}" for c, w in weights.items()) + " ELSE 1.0 END"
        per_term = f"SELECT group_concat(doc), group_concat({column_case}) FROM temp.[{vocab}] WHERE term = ?"
        postings: list[tuple[str, np.ndarray, np.ndarray]] = []
        for term in terms:
            docs_text, weights_text = db.execute(per_term, [term]).fetchone()
            docs = np.searchsorted(rowids, np.fromstring(docs_text, dtype=np.int64, sep=","))
            instance_weights = np.fromstring(weights_text, dtype=np.float64, sep=",")
            starts = np.flatnonzero(np.r_[True, docs[1:] != docs[:-1]])
            unique = docs[starts]
            lengths[unique] += np.diff(np.r_[starts, len(docs)])
            postings.append((term, unique.astype(np.uint32), np.add.reduceat(instance_weights, starts).astype(np.float32)))
            if progress:
                progress(f"search index: {table.name}", 2 * len(terms))
        tokens = int(lengths.sum())
        avgdl = tokens / documents if documents else 1.0
        db.execute("DELETE FROM search_terms WHERE table_name = ?", [table.name])
        db.execute("DELETE FROM search_blocks WHERE table_name = ?", [table.name])
        for term, docs, freqs in postings:
            order = np.lexsort((rowids[docs], -impact(freqs, lengths[docs], avgdl)))
            docs, freqs = docs[order], freqs[order]
            starts = np.arange(0, len(docs), BLOCK)
            blocks, frontier_freqs, frontier_lengths = frontiers(freqs, lengths[docs])
            db.execute(
                "INSERT INTO search_terms (table_name, term, df, block_of, block_freqs, block_lengths) VALUES (?, ?, ?, ?, ?, ?)",
                [table.name, term, len(docs), blocks.astype(np.uint32).tobytes(), frontier_freqs.astype(np.float32).tobytes(),
                 frontier_lengths.astype(np.uint32).tobytes()],
            )
            db.conn.executemany(
                "INSERT INTO search_blocks (table_name, term, block, docs, freqs) VALUES (?, ?, ?, ?, ?)",
                [(table.name, term, i, docs[s:s + BLOCK].tobytes(), freqs[s:s + BLOCK].tobytes()) for i, s in enumerate(starts)],
            )
            if progress:
                progress(f"search index: {table.name}", 2 * len(terms))
        db.execute(
            "INSERT INTO search_index (table_name, generation, documents, length_total, rowids, lengths, built_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(table_name) DO UPDATE SET generation = excluded.generation,"
            " documents = excluded.documents, length_total = excluded.length_total, rowids = excluded.rowids,"
            " lengths = excluded.lengths, built_at = excluded.built_at",
            [table.name, generation, documents, tokens, rowids.tobytes(), lengths.astype(np.uint32).tobytes(), utcnow()],
        )
    db.execute(f"DROP TABLE IF EXISTS temp.[{vocab}]")
    db.execute(f"DROP TABLE IF EXISTS temp.[{vocab}_rows]")
