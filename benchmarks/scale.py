"""The tracker at growing sizes: loading, tagging, search and every custom page, side by side.

    python benchmarks/scale.py [--sizes 10000,100000] [--repeat 5] [--keep DIR]
    python benchmarks/scale.py --sizes 10000,100000,1000000      # the whole-Parliament run (long)

For each size (contributions; amendments are a tenth of that, at least 5,000) a database is
built in the real shapes: ``store.open_db`` makes the full schema (FTS indexes and their
triggers, m0010's page indexes), the supplier and provision registries are loaded as
``tracker tag`` loads them, and members, debates, contributions, amendments with sponsors,
divisions with votes, written questions and the mentions a tagger would write (the document's
key as text, typed link columns, offsets that hold the mention's text) are inserted in
batches, one transaction each, streamed from :mod:`benchmarks.corpus` (no text repeats, and no
size keeps its corpus in memory). Each size runs in a fresh process, so its peak memory is its own.

Printed per size: records loaded per second, tagging words per second (the real pipeline on
fresh documents), the search page's median and 95th percentile, each custom page's median
(through Datasette in process, as ``tracker serve --immutable`` serves it), the database's
size and the process's peak memory. Then the slopes: seconds per 100,000 records loaded, and
each page's milliseconds per 100,000 contributions (flat: the page does not grow with the data).
Nothing is asserted: the figures are for ``docs/scale.md``.
"""
from __future__ import annotations

import argparse
import asyncio
import bisect
import itertools
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote_plus

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.corpus import iter_unrepeated_documents  # noqa: E402
from tracker import store  # noqa: E402

BILL = 3159
MEMBERS = 1500  # every MP and peer of a Parliament
STAGES = 20
BATCH = 20_000
VOTES_PER_DIVISION = 300
SEARCH_TERMS = ["procurement", "surveillance equipment", "hikvision", "national security", "debarment",
                "contracting authority", "small business", "cameras"]


def zipf_picker(n: int, rng: random.Random, exponent: float = 1.1):
    """``pick()`` -> an index in ``range(n)``, the first ones far more often (a few members speak most)."""
    cumulative = list(itertools.accumulate(1.0 / (rank ** exponent) for rank in range(1, n + 1)))
    total = cumulative[-1]
    return lambda: min(n - 1, bisect.bisect_left(cumulative, rng.random() * total))


class Loader:
    """Streams rows into the tables in batches, one transaction per batch, counting them."""

    def __init__(self, db):
        self.db, self.pending, self.count, self.seconds = db, {}, 0, 0.0

    def add(self, table: str, row: dict) -> None:
        batch = self.pending.setdefault(table, [])
        batch.append(row)
        if len(batch) >= BATCH:
            self.flush(table)

    def flush(self, table: str | None = None) -> None:
        for name in [table] if table else list(self.pending):
            rows = self.pending.pop(name, [])
            if not rows:
                continue
            columns = list(rows[0])
            started = time.perf_counter()
            with store.transaction(self.db):
                self.db.conn.executemany(
                    f"INSERT INTO [{name}] ({', '.join(f'[{c}]' for c in columns)}) VALUES ({', '.join('?' for _ in columns)})",
                    [[row.get(c) for c in columns] for row in rows])
            self.seconds += time.perf_counter() - started
            self.count += len(rows)


def with_mentions(text: str, entities: list[tuple[str, str, str]], pick, rng: random.Random, every: int = 40):
    """``text`` with an entity's name put in about every ``every`` words, and the mentions
    ``(start, end, name, label, entity_id)`` at the offsets that hold them."""
    words = text.split(" ")
    out, mentions, at = [], [], 0
    for i, word in enumerate(words):
        if i and rng.random() < 1.0 / every:
            label, entity_id, name = entities[pick()]
            mentions.append((at, at + len(name), name, label, entity_id))
            out.append(name)
            at += len(name) + 1
        out.append(word)
        at += len(word) + 1
    return " ".join(out), mentions


def build(path: Path, contributions: int, seed: int = 5) -> dict:
    """Build the database for one size; returns what was loaded and how fast."""
    from tracker.tagging import load_registries

    started = time.perf_counter()
    db = store.open_db(str(path))
    db.execute("PRAGMA synchronous = OFF")  # a benchmark's scratch file: the rows are the same, the fsyncs are not measured
    load_registries(db)
    suppliers = [("SUPPLIER", r[0], r[1]) for r in db.execute("SELECT supplier_id, name FROM suppliers ORDER BY supplier_id")]
    provisions = [("PROVISION", r[0], r[1]) for r in db.execute("SELECT provision_id, name FROM provisions ORDER BY provision_id")]
    rng = random.Random(seed)
    members = [(1000 + i, f"Member{i} Surname{i % 97}") for i in range(MEMBERS)]
    # Which kind of entity a mention names (members most, then suppliers, then provisions), and
    # within each kind a few names most often (one supplier is named in a large share, as Hikvision is).
    kinds = [(0.45, [("MEMBER", str(mid), name) for mid, name in members]), (0.35, suppliers), (0.20, provisions)]
    pickers = [(share, names, zipf_picker(len(names), rng, 1.0)) for share, names in kinds if names]
    entities = [e for _, names, _ in pickers for e in names]
    offsets = list(itertools.accumulate([0] + [len(names) for _, names, _ in pickers]))

    def entity():
        roll = rng.random()
        for i, (share, _, pick) in enumerate(pickers):
            if roll < share or i == len(pickers) - 1:
                return offsets[i] + pick()
            roll -= share
    speaker = zipf_picker(MEMBERS, rng, 1.0)
    load = Loader(db)
    load.add("bills", {"bill_id": BILL, "short_title": "Procurement Bill [HL]"})
    for s in range(STAGES):
        load.add("bill_stages", {"bill_stage_id": 100 + s, "bill_id": BILL, "description": f"Stage {s}",
                                 "house": "Lords" if s % 2 else "Commons", "sort_order": s})
    for mid, name in members:
        load.add("members", {"member_id": mid, "name": name, "house": "Commons" if mid % 3 else "Lords"})
    debates = max(1, contributions // 40)
    for d in range(debates):
        load.add("debates", {"debate_id": f"DEB-{d}", "title": f"Procurement Bill debate {d}", "date": f"20{10 + d % 14}-0{1 + d % 9}-1{d % 9}",
                             "house": "Lords" if d % 2 else "Commons", "bill_id": BILL})
    words = 0

    def mention_rows(doc_table, doc_id, field, found):
        for start, end, name, label, entity_id in found:
            typed = {"SUPPLIER": "supplier_id", "PROVISION": "provision_id", "MEMBER": "member_id"}[label]
            load.add("mentions", {"doc_table": doc_table, "doc_id": str(doc_id), "field": field, "start": start, "end": end,
                                  "text": name, "label": label, "entity_id": entity_id, "name": name, "supplier_id": None,
                                  "provision_id": None, "member_id": None, typed: int(entity_id) if label == "MEMBER" else entity_id,
                                  "pipeline_version": "scale"})

    # One stream of text for every document (its vocabulary is built once).
    texts = iter_unrepeated_documents(mention_every=10**9, seed=seed, shortest=20, longest=200)
    for c in range(contributions):
        raw, date, house = next(texts)
        text, found = with_mentions(raw, entities, entity, rng)
        words += text.count(" ") + 1
        mid = members[speaker()][0]
        cid = 1_000_000 + c
        load.add("contributions", {"contribution_id": cid, "debate_id": f"DEB-{c % debates}", "member_id": mid,
                                   "attributed_to": members[mid - 1000][1], "order_in_section": c // debates, "text": text})
        mention_rows("contributions", cid, "text", found)
    amendments = max(5000, contributions // 10)
    for a in range(amendments):
        raw, _, _ = next(texts)
        text, found = with_mentions(raw, entities, entity, rng)
        aid = 10_000_000 + a
        load.add("amendments", {"amendment_id": aid, "bill_id": BILL, "bill_stage_id": 100 + a % STAGES, "number": str(a % 400 + 1),
                                "decision": rng.choice(("NoDecision", "Withdrawn", "Agreed", "Negatived")), "summary": raw[:80], "text": text})
        for order, m in enumerate({members[speaker()][0] for _ in range(rng.randint(1, 3))}):
            load.add("amendment_sponsors", {"amendment_id": aid, "member_id": m, "is_lead": int(order == 0), "sort_order": order})
        mention_rows("amendments", aid, "text", found)
    for d in range(amendments // 50):
        load.add("divisions", {"division_id": f"div-{d}", "house": "Lords" if d % 2 else "Commons", "date": f"2023-0{1 + d % 9}-01",
                               "title": f"Division {d}", "bill_id": BILL, "amendment_id": 10_000_000 + d * 50, "aye_count": 150, "no_count": 150})
        for m in rng.sample(members, VOTES_PER_DIVISION):
            load.add("division_votes", {"division_id": f"div-{d}", "member_id": m[0], "vote": rng.choice(("aye", "no")), "is_teller": 0})
    for q in range(contributions // 20):
        raw, date, house = next(texts)
        load.add("written_questions", {"question_id": q + 1, "uin": f"HL{q}", "asking_member_id": members[speaker()][0],
                                       "date_tabled": date, "heading": raw[:60], "question_text": raw, "house": house})
    load.flush()
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.execute("PRAGMA journal_mode = DELETE")
    db.close()
    seconds = time.perf_counter() - started
    # Loading is the database's part (the writes, FTS triggers and indexes); making up the text is not counted.
    return {"records": load.count, "build_seconds": seconds, "load_seconds": load.seconds,
            "records_per_second": load.count / load.seconds, "words": words, "amendments": amendments}


def tagging_rate(documents: int = 1000, seed: int = 99) -> float:
    """Words per second of the real tagger (scanner and linker) on fresh documents, after a warm-up
    on others (its matchers are built on the first document)."""
    from nlp import pipeline

    members_file = ROOT / "tracker" / "sample" / "members_search.json"
    nlp = pipeline.build(pipeline.members_from_search_json(members_file) if members_file.exists() else [])
    stream = iter_unrepeated_documents(seed=seed, shortest=40, longest=200)
    for _ in nlp.pipe((pipeline.make_doc(nlp, text, date=date, house=house, ents=False)
                       for text, date, house in itertools.islice(stream, 50)), batch_size=256):
        pass
    docs = list(itertools.islice(stream, documents))
    words = sum(len(text.split()) for text, _, _ in docs)
    started = time.perf_counter()
    for _ in nlp.pipe((pipeline.make_doc(nlp, text, date=date, house=house, ents=False) for text, date, house in docs), batch_size=256):
        pass
    return words / (time.perf_counter() - started)


def measure(path: Path, repeat: int) -> dict:
    """The search page's median and p95, and each custom page's median, in milliseconds."""
    import sqlite3

    from tracker.publish.server import make_datasette

    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    top_speaker, = conn.execute("SELECT member_id FROM contributions GROUP BY member_id ORDER BY count(*) DESC LIMIT 1").fetchone()
    top_supplier, = conn.execute("SELECT supplier_id FROM mentions WHERE supplier_id IS NOT NULL GROUP BY supplier_id ORDER BY count(*) DESC LIMIT 1").fetchone()
    top_provision, = conn.execute("SELECT provision_id FROM mentions WHERE provision_id IS NOT NULL GROUP BY provision_id ORDER BY count(*) DESC LIMIT 1").fetchone()
    supplier_mentions, = conn.execute("SELECT count(*) FROM mentions WHERE supplier_id = ?", [top_supplier]).fetchone()
    speeches, = conn.execute("SELECT count(*) FROM contributions WHERE member_id = ?", [top_speaker]).fetchone()
    conn.close()
    ds = make_datasette(path, immutable=True)
    loop = asyncio.new_event_loop()
    loop.run_until_complete(ds.invoke_startup())

    def timed(url):
        started = time.perf_counter()
        response = loop.run_until_complete(ds.client.get(url))
        assert response.status_code == 200, (url, response.status_code, response.text[:300])
        return (time.perf_counter() - started) * 1000

    pages = {
        "member (top speaker)": f"/-/member/{top_speaker}",
        "member, page 5 of votes": f"/-/member/{top_speaker}?votes_page=5&speeches_page=5",
        "supplier (most named)": f"/-/supplier/{top_supplier}",
        "supplier, page 100": f"/-/supplier/{top_supplier}?mentions_page=100",
        "provision (most named)": f"/-/provision/{top_provision}",
        "amendment": "/-/amendment/10000000",
    }
    results = {"pages": {}, "top": {"speeches": speeches, "supplier_mentions": supplier_mentions}}
    for name, url in pages.items():
        timed(url)  # warm
        results["pages"][name] = statistics.median(timed(url) for _ in range(repeat))
    searches = []
    for term in SEARCH_TERMS:
        url = f"/-/search?q={quote_plus(term)}"
        timed(url)
        searches += [timed(url) for _ in range(max(2, repeat // 2))]
    searches.sort()
    results["search_median"] = statistics.median(searches)
    results["search_p95"] = searches[min(len(searches) - 1, int(0.95 * len(searches)))]
    loop.close()
    return results


def one_size(contributions: int, directory: Path, repeat: int) -> dict:
    path = directory / f"scale_{contributions}.db"
    built = json.loads(path.with_suffix(".json").read_text()) if path.exists() and path.with_suffix(".json").exists() else None
    if built is None:
        path.unlink(missing_ok=True)
        built = build(path, contributions)
        path.with_suffix(".json").write_text(json.dumps(built))
    result = {"contributions": contributions, **built, "tagging_words_per_second": tagging_rate(), **measure(path, repeat),
              "database_mb": path.stat().st_size / 2**20,
              "peak_memory_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
    return result


def slope(xs, ys):
    """Least-squares slope of ys on xs."""
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    den = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / den if den else 0.0


def report(results: list[dict]) -> None:
    print("\nsize = contributions (amendments: a tenth, at least 5,000); times are medians in milliseconds\n")
    pages = list(results[0]["pages"])
    rows = [
        ("records loaded", lambda r: f"{r['records']:,}"),
        ("records/s loaded", lambda r: f"{r['records_per_second']:,.0f}"),
        ("build s (with making text)", lambda r: f"{r['build_seconds']:,.0f}"),
        ("tagging words/s", lambda r: f"{r['tagging_words_per_second']:,.0f}"),
        ("search median ms", lambda r: f"{r['search_median']:.1f}"),
        ("search p95 ms", lambda r: f"{r['search_p95']:.1f}"),
        *[(f"{p} ms", (lambda p: lambda r: f"{r['pages'][p]:.1f}")(p)) for p in pages],
        ("top speaker's speeches", lambda r: f"{r['top']['speeches']:,}"),
        ("top supplier's mentions", lambda r: f"{r['top']['supplier_mentions']:,}"),
        ("database MB", lambda r: f"{r['database_mb']:,.0f}"),
        ("peak memory MB", lambda r: f"{r['peak_memory_mb']:,.0f}"),
    ]
    width = max(len(name) for name, _ in rows) + 2
    print("".ljust(width) + "".join(f"{r['contributions']:>14,}" for r in results))
    for name, cell in rows:
        print(name.ljust(width) + "".join(f"{cell(r):>14}" for r in results))
    if len(results) < 2:
        return
    sizes = [r["contributions"] for r in results]
    load = slope([r["records"] for r in results], [r["load_seconds"] for r in results]) * 100_000
    print(f"\nslopes (least squares over {len(results)} sizes):")
    print(f"  loading: {load:.1f} s per 100,000 records; per-record time, largest size / smallest:"
          f" {(results[-1]['load_seconds'] / results[-1]['records']) / (results[0]['load_seconds'] / results[0]['records']):.2f}x (1.00x is linear)")
    print(f"  database: {slope([r['records'] for r in results], [r['database_mb'] for r in results]) * 100_000:.1f} MB per 100,000 records")
    print(f"  peak memory: {slope(sizes, [r['peak_memory_mb'] for r in results]) * 100_000:.1f} MB per 100,000 contributions")
    for p in ["search_median", *pages]:
        ys = [r[p] if p in r else r["pages"][p] for r in results]
        print(f"  {p.replace('_', ' ')}: {slope(sizes, ys) * 100_000:+.2f} ms per 100,000 contributions ({ys[0]:.1f} -> {ys[-1]:.1f} ms)")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000", help="contributions per database, comma-separated")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--keep", help="build (or reuse) the databases in this directory")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # one size, in this process: prints JSON
    parser.add_argument("--json", action="store_true", help="print the results as JSON too")
    args = parser.parse_args(argv)
    directory = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="tracker-scale-"))
    directory.mkdir(parents=True, exist_ok=True)
    if args.one:
        print(json.dumps(one_size(args.one, directory, args.repeat)))
        return 0
    results = []
    try:
        for size in sorted(int(s) for s in args.sizes.split(",")):
            print(f"size {size:,}: building and measuring in a fresh process ...", file=sys.stderr, flush=True)
            out = subprocess.run([sys.executable, __file__, "--one", str(size), "--keep", str(directory), "--repeat", str(args.repeat)],
                                 capture_output=True, text=True, env={**os.environ, "PYTHONHASHSEED": "0"})
            if out.returncode != 0:
                print(out.stderr[-3000:], file=sys.stderr)
                return 1
            results.append(json.loads(out.stdout.strip().splitlines()[-1]))
        report(results)
        if args.json:
            print(json.dumps(results, indent=1))
    finally:
        if not args.keep:
            shutil.rmtree(directory, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
