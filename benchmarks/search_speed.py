"""Exact ranking from the search index vs FTS5 ranking every match, side by side, on a tagged database.

    python benchmarks/search_speed.py [--rows 1000000] [--repeat 15] [--keep DIR]

Builds a synthetic ``contributions`` table (sentences from a Zipfian vocabulary of 6,000
words, with watched terms at known rates) in a tracker database made by ``store.open_db``
(the project's FTS5 set-up: porter stemming, the schema's bm25 weights, triggers), tags it
(mentions of the watched supplier and provision, in the tagger's shape, with the registries
loaded), builds the search index (``store.refresh_search_index``), and for each query measures
the median time of:

  index          the first page (21) ranked from the search index (tracker/publish/ranking.py)
  exhaustive     FTS5's bm25 over every match (ORDER BY rank, rowid), the reference
  search         the whole answer: records, references, every kind ranked and counted, snippets, tagged documents
  search page    the /-/search page, in-process through Datasette (HTML, escaping included)
  datasette      the real ``/db/contributions.json?_search=`` table view (count, page by key)

checks that the index's first page equals the exhaustive one (ids and count), and prints
the cost of the commonest word against a rare one (``debarment``): the target is at most 3.
Nothing is asserted: the figures are for the README.
"""
import argparse
import asyncio
import os
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tracker import store  # noqa: E402
from tracker.publish import ranking, search  # noqa: E402
from tracker.store import schema  # noqa: E402
from tracker.tagging.registries import load_registries  # noqa: E402

# (term, share of rows that contain it)
WATCHED = [
    ("procurement", 0.20),
    ("surveillance", 0.02),
    ("equipment", 0.03),
    ("hikvision", 0.002),
    ("debarment", 0.0002),
]
COMMONEST, RARE = "the", "debarment"
TERMS = [COMMONEST, "procurement", "surveillance equipment", "hikvision", RARE, "cameras", "hikvision OR debarment"]
FILLER = (
    "the of and to in that a is for it this on be we will have by are not as which with government minister "
    "noble lord bill clause amendment house members right hon friend member committee report stage contract "
    "contracting authority authorities supplier suppliers public sector value money national security risk "
    "schedule section provision debate question answer regulation small business local small medium enterprise "
    "transparency notice tender award framework dynamic market competitive flexible procedure exclusion excluded "
    "excludable ground grounds list register data cloud telecoms drone drones battery batteries camera cameras"
).split()


def vocabulary(size=6000, seed=7):
    rng = random.Random(seed)
    letters = "abcdefghijklmnopqrstuvwxyz"
    words = list(FILLER)
    seen = set(words) | {w for w, _ in WATCHED}
    while len(words) < size:
        w = "".join(rng.choice(letters) for _ in range(rng.randint(3, 10)))
        if w not in seen:
            seen.add(w)
            words.append(w)
    return words


def build(path, rows, seed=11):
    """Create, index and tag ``rows`` synthetic contributions at ``path``; return seconds taken."""
    import numpy as np

    started = time.perf_counter()
    rng = np.random.default_rng(seed)
    words = np.array(vocabulary())
    weights = 1.0 / np.arange(1, len(words) + 1) ** 1.05
    weights /= weights.sum()
    db = store.open_db(path)  # the full schema, with the FTS index and the triggers that keep it current
    load_registries(db)
    db.close()
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA synchronous = OFF")
    # Index once after the bulk load rather than row by row (ten times faster); the insert trigger is put back as it was.
    fts = schema.table("contributions").fts
    (indexing,) = conn.execute("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?", [f"{fts}_ai"]).fetchone()
    conn.execute(f"DROP TRIGGER [{fts}_ai]")
    names = ["Lord Alton of Liverpool", "Baroness Neville-Rolfe", "Jane Smith", "Alex Burghart", "Lord Coaker", "Florence Eshalomi"]
    mention_sql = ("INSERT INTO mentions (doc_table, doc_id, field, start, [end], text, label, entity_id, name, supplier_id, provision_id,"
                   " pipeline_version) VALUES ('contributions', ?, 'text', ?, ?, ?, ?, ?, ?, ?, ?, 'benchmark')")
    chunk = 50_000
    for offset in range(0, rows, chunk):
        n = min(chunk, rows - offset)
        lengths = rng.integers(20, 70, size=n)
        flat = rng.choice(words, size=int(lengths.sum()), p=weights)
        bounds = np.concatenate([[0], np.cumsum(lengths)])
        batch, mentions = [], []
        for i in range(n):
            tokens = list(flat[bounds[i]:bounds[i + 1]])
            for term, share in WATCHED:
                if rng.random() < share:
                    tokens.insert(int(rng.integers(0, len(tokens))), term)
            if rng.random() < 0.02:  # the watched phrase itself
                at = int(rng.integers(0, len(tokens)))
                tokens[at:at] = ["surveillance", "equipment"]
            rid = offset + i + 1
            text = " ".join(tokens).capitalize() + "."
            batch.append((rid, f"DEB-{rid // 40}", rid % 600, names[rid % len(names)], rid % 40, text))
            # What the tagger finds: the supplier by name, the provision by its words, where they occur.
            lowered = text.lower()
            for needle, label, entity, supplier, provision in (
                ("hikvision", "SUPPLIER", "hikvision", "hikvision", None),
                ("surveillance equipment", "PROVISION", "surveillance-equipment", None, "surveillance-equipment"),
            ):
                at = lowered.find(needle)
                if at >= 0:
                    mentions.append((str(rid), at, at + len(needle), text[at:at + len(needle)], label, entity, needle, supplier, provision))
        conn.execute("BEGIN")
        conn.executemany(
            "INSERT INTO contributions (contribution_id, debate_id, member_id, attributed_to, order_in_section, text)"
            " VALUES (?, ?, ?, ?, ?, ?)", batch)
        conn.executemany(mention_sql, mentions)
        conn.execute("COMMIT")
    conn.execute(indexing)
    conn.execute(f"INSERT INTO [{fts}] ([{fts}]) VALUES ('rebuild')")
    conn.execute(f"INSERT INTO [{fts}] ([{fts}]) VALUES ('optimize')")
    conn.close()
    loaded = time.perf_counter() - started
    started = time.perf_counter()
    db = store.open_db(path)
    store.refresh_search_index(db)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.execute("PRAGMA journal_mode = DELETE")
    db.close()
    return loaded, time.perf_counter() - started


def median_ms(fn, repeat):
    fn()  # warm the page cache
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def measure(path, repeat):
    from urllib.parse import quote_plus

    from datasette.app import Datasette

    from tracker.publish.server import make_datasette

    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    contributions = schema.table("contributions")
    # Datasette as it comes (what `_search` costs), with no time limit so that the commonest word finishes.
    plain = Datasette(immutables=[str(path)], settings={"sql_time_limit_ms": 600_000})
    ours = make_datasette(path, immutable=True)
    loop = asyncio.new_event_loop()
    loop.run_until_complete(plain.invoke_startup())
    loop.run_until_complete(ours.invoke_startup())
    name = Path(path).stem

    def get(ds, url):
        response = loop.run_until_complete(ds.client.get(url))
        assert response.status_code == 200, (url, response.status_code, response.text[:300])
        return response

    results = []
    for term in TERMS:
        print(f"measuring {term!r} ...", file=sys.stderr)
        groups = search.parse(term)
        match = search.render(groups)
        mine = ranking.rank(conn, contributions, groups, match, limit=21)
        truth = ranking.exhaustive(conn, contributions, match, limit=21)
        results.append({
            "term": term,
            "matches": truth.count,
            "exact": mine.rowids == truth.rowids and mine.count == truth.count and mine.indexed,
            "index": median_ms(lambda: ranking.rank(conn, contributions, groups, match, limit=21), repeat),
            "exhaustive": median_ms(lambda: ranking.exhaustive(conn, contributions, match, limit=21), max(3, repeat // 3)),
            "search": median_ms(lambda: search.search(conn, term), repeat),
            "search page": median_ms(lambda: get(ours, f"/-/search?q={quote_plus(term)}"), repeat),
            "datasette": median_ms(lambda: get(plain, f"/{name}/contributions.json?_search={quote_plus(term)}"), max(3, repeat // 3)),
        })
    loop.close()
    conn.close()
    return results


def report(results, rows, build_seconds, index_seconds):
    built = (f"built in {build_seconds:.0f} s; search index built in {index_seconds:.0f} s" if build_seconds
             else "the database of an earlier run, reused")
    print(f"\n{rows:,} contributions, tagged ({built}); median milliseconds, and ratio to the index's first page\n")
    head = f"{'query':<26}{'matches':>10}{'exact':>7}{'index':>9}{'exhaustive':>18}{'search':>17}{'search page':>18}{'datasette _search':>22}"
    print(head)
    print("-" * len(head))
    for r in results:
        base = r["index"] or 1e-9
        cell = lambda key, width: f"{r[key]:>8.1f} ({r[key] / base:>5.1f}x)".rjust(width)
        print(f"{r['term']:<26}{r['matches']:>10,}{'yes' if r['exact'] else 'NO':>7}{r['index']:>9.1f}{cell('exhaustive', 18)}"
              f"{cell('search', 17)}{cell('search page', 18)}{cell('datasette', 22)}")
    by = {r["term"]: r for r in results}
    common, rare = by[COMMONEST], by[RARE]
    print(f"\nexact: the index's first page equals FTS5's exhaustive bm25 for {sum(r['exact'] for r in results)} of {len(results)} queries")
    print(f"common-to-rare cost ('{COMMONEST}', {common['matches']:,} matches, against '{RARE}', {rare['matches']:,}):"
          f" first page {common['index'] / rare['index']:.2f}x, whole search {common['search'] / rare['search']:.2f}x,"
          f" search page {common['search page'] / rare['search page']:.2f}x (FTS5 ranking every match: {common['exhaustive'] / rare['exhaustive']:.0f}x)")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--keep", help="build (or reuse) the database in this directory instead of a temporary one")
    args = parser.parse_args(argv)
    directory = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="search-speed-"))
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"contributions_{args.rows}.db"
    try:
        build_seconds = index_seconds = 0.0
        if not path.exists():
            print(f"building {args.rows:,} contributions in {path} ...", file=sys.stderr)
            build_seconds, index_seconds = build(str(path), args.rows)
        report(measure(path, args.repeat), args.rows, build_seconds, index_seconds)
    finally:
        if not args.keep:
            shutil.rmtree(directory, ignore_errors=True)
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    sys.exit(main())
