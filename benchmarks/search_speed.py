"""Ranked search with snippets vs Datasette's default ``_search``, side by side, on 1M contributions.

    python benchmarks/search_speed.py [--rows 1000000] [--repeat 15] [--keep DIR]

Builds a synthetic ``contributions`` table (Hansard-like sentences from a Zipfian
vocabulary, with watched terms at known rates) in a tracker database made by
``store.open_db`` (so indexed by the project's own FTS5 set-up: porter stemming,
the schema's bm25 weights, triggers), and for each search term measures the median time of:

  ranked        the publication's query: FTS5 ordered by rank (bm25), LIMIT 21, snippets for those rows only,
                over the newest 20,000 matches when there are more (see tracker/publish/search.py)
  ranked exact  the same over every match
  search page   the whole /-/search page, in-process through Datasette (HTML, escaping included)
  counting      Datasette's ``_search`` SQL: count(*) of every match, then the first page by key
  datasette     the real ``/db/contributions.json?_search=`` table view (count, page, facet suggestions)

and prints each as milliseconds and as a ratio to ``ranked``. Nothing is asserted:
the figures are for the README. The target is ranked < 50 ms median at 1M rows.
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
from tracker.publish import search  # noqa: E402
from tracker.store import schema  # noqa: E402

# (term, share of rows that contain it)
WATCHED = [
    ("procurement", 0.20),
    ("surveillance", 0.02),
    ("equipment", 0.03),
    ("hikvision", 0.002),
    ("debarment", 0.0002),
]
TERMS = ["procurement", "surveillance equipment", "hikvision", "debarment", "cameras"]
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
    """Create and index ``rows`` synthetic contributions at ``path``; return seconds taken."""
    import numpy as np

    started = time.perf_counter()
    rng = np.random.default_rng(seed)
    words = np.array(vocabulary())
    weights = 1.0 / np.arange(1, len(words) + 1) ** 1.05
    weights /= weights.sum()
    store.open_db(path).close()  # the full schema, with the FTS index and the triggers that keep it current
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA synchronous = OFF")
    # Index once after the bulk load rather than row by row (ten times faster); the insert trigger is put back as it was.
    fts = schema.table("contributions").fts
    (indexing,) = conn.execute("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?", [f"{fts}_ai"]).fetchone()
    conn.execute(f"DROP TRIGGER [{fts}_ai]")
    names = ["Lord Alton of Liverpool", "Baroness Neville-Rolfe", "Jane Smith", "Alex Burghart", "Lord Coaker", "Florence Eshalomi"]
    chunk = 50_000
    for offset in range(0, rows, chunk):
        n = min(chunk, rows - offset)
        lengths = rng.integers(20, 70, size=n)
        flat = rng.choice(words, size=int(lengths.sum()), p=weights)
        bounds = np.concatenate([[0], np.cumsum(lengths)])
        batch = []
        for i in range(n):
            tokens = list(flat[bounds[i]:bounds[i + 1]])
            for term, share in WATCHED:
                if rng.random() < share:
                    tokens.insert(int(rng.integers(0, len(tokens))), term)
            if rng.random() < 0.02:  # the watched phrase itself
                at = int(rng.integers(0, len(tokens)))
                tokens[at:at] = ["surveillance", "equipment"]
            rid = offset + i + 1
            batch.append((rid, f"DEB-{rid // 40}", rid % 600, names[rid % len(names)], rid % 40, " ".join(tokens).capitalize() + "."))
        conn.execute("BEGIN")
        conn.executemany(
            "INSERT INTO contributions (contribution_id, debate_id, member_id, attributed_to, order_in_section, text)"
            " VALUES (?, ?, ?, ?, ?, ?)", batch)
        conn.execute("COMMIT")
    conn.execute(indexing)
    conn.execute(f"INSERT INTO [{fts}] ([{fts}]) VALUES ('rebuild')")
    conn.execute(f"INSERT INTO [{fts}] ([{fts}]) VALUES ('optimize')")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.close()
    return time.perf_counter() - started


def median_ms(fn, repeat):
    fn()  # warm the page cache
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def measure(path, repeat):
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    contributions = schema.table("contributions")
    ranked = search.ranked_sql(contributions)
    count_sql, page_sql = search.counting_sql(contributions)

    from datasette.app import Datasette

    from tracker.publish.server import make_datasette

    plain = Datasette(immutables=[str(path)])  # Datasette as it comes: what `_search` costs
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
        q = search.fts_query(term)
        matches = conn.execute(count_sql, {"q": q}).fetchone()[0]
        from urllib.parse import quote_plus

        floor_sql = search.floor_sql(contributions)

        def served():
            found = conn.execute(floor_sql, {"q": q, "window": search.RANK_WINDOW}).fetchone()
            return conn.execute(ranked, search.params(q, limit=21, floor=found[0] if found else 0)).fetchall()

        row = {
            "term": term,
            "matches": matches,
            "ranked": median_ms(served, repeat),
            "exact": median_ms(lambda: conn.execute(ranked, search.params(q, limit=21)).fetchall(), repeat),
            "search page": median_ms(lambda: get(ours, f"/-/search?q={quote_plus(term)}"), repeat),
            "counting": median_ms(lambda: (conn.execute(count_sql, {"q": q}).fetchone(), conn.execute(page_sql, {"q": q}).fetchall()), repeat),
            "datasette": median_ms(lambda: get(plain, f"/{name}/contributions.json?_search={quote_plus(term)}"), max(3, repeat // 3)),
        }
        results.append(row)
    loop.close()
    conn.close()
    return results


def report(results, rows, build_seconds):
    print(f"\n{rows:,} contributions (built and indexed in {build_seconds:.0f} s); median milliseconds, and ratio to ranked\n")
    head = f"{'term':<24}{'matches':>10}{'ranked':>10}{'ranked exact':>18}{'search page':>18}{'counting':>18}{'datasette _search':>22}"
    print(head)
    print("-" * len(head))
    for r in results:
        base = r["ranked"] or 1e-9
        cell = lambda key, width: f"{r[key]:>8.1f} ({r[key] / base:>5.1f}x)".rjust(width)
        print(
            f"{r['term']:<24}{r['matches']:>10,}{r['ranked']:>10.1f}{cell('exact', 18)}{cell('search page', 18)}"
            f"{cell('counting', 18)}{cell('datasette', 22)}"
        )
    print(
        f"\nranked: bm25 over the newest {search.RANK_WINDOW:,} matches (all of them when fewer), top 21 with snippets;"
        "\nranked exact: bm25 over every match (the search page's 'rank every match' link)"
    )
    ranked = statistics.median(r["ranked"] for r in results)
    print(f"\nranked search with snippets: median over terms {ranked:.1f} ms (target < 50 ms) -> {'OK' if ranked < 50 else 'OVER TARGET'}")
    worst = max(results, key=lambda r: r["ranked"])
    print(f"slowest ranked term: {worst['term']!r} {worst['ranked']:.1f} ms over {worst['matches']:,} matches")


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
        build_seconds = 0.0
        if not path.exists():
            print(f"building {args.rows:,} contributions in {path} ...", file=sys.stderr)
            build_seconds = build(str(path), args.rows)
        report(measure(path, args.repeat), args.rows, build_seconds)
    finally:
        if not args.keep:
            shutil.rmtree(directory, ignore_errors=True)
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    sys.exit(main())
