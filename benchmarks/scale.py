"""The tracker at growing sizes: loading, tagging, search and every custom page, side by side.

    python benchmarks/scale.py [--sizes 10000,100000] [--repeat 40] [--keep DIR]
    python benchmarks/scale.py --sizes 10000,100000,1000000      # the whole-Parliament run (long)

For each size (contributions; amendments are a tenth of that, at least 5,000) a database is
built in the real shapes: ``store.open_db`` makes the full schema (FTS indexes and their
triggers, m0010's page indexes), the supplier and provision registries are loaded as
``tracker tag`` loads them, and members, debates, contributions, amendments with sponsors,
divisions with votes, written questions, the mentions a tagger would write (the document's
key as text, typed link columns, offsets that hold the mention's text) and the positions
``tracker positions derive`` would write (topics for amendment families, suppliers and provisions;
a piece of evidence for each sponsorship, each speech naming a supplier or provision and each
vote on an amendment; each member's stance on each topic; each vote's alignment with party and
Government; ministers' commitments with follow-ups) are inserted in batches, one transaction each,
streamed from :mod:`benchmarks.corpus` (no text repeats, and no size keeps its corpus in memory).
Then the search index is built as a sync's end builds it (the search page ranks from it; without
it, FTS5 ranks every match). Each size runs in a fresh process, so its peak memory is its own.

Printed per size: records loaded per second, tagging words per second (the real pipeline on
fresh documents), the search index's build time, the search page's median and 95th percentile, each custom page's median and
95th percentile (through Datasette in process, as ``tracker serve --immutable`` serves it), the database's
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
import math
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
FAMILY_STEPS = 5  # amendments re-tabled at the next stage: one family (one topic) for each run of five
MINISTERS = 20  # the busiest speakers speak for the Government and make its commitments
COMMITMENT_EVERY = 20  # one speech of a minister's in this many makes a commitment
PARTIES = ("Conservative", "Labour", "Liberal Democrat", "Crossbench", "Scottish National Party")
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
        load.add("members", {"member_id": mid, "name": name, "house": "Commons" if mid % 3 else "Lords",
                             "party": PARTIES[0] if mid - 1000 < MINISTERS else PARTIES[mid % len(PARTIES)]})
    debates = max(1, contributions // 40)
    for d in range(debates):
        load.add("debates", {"debate_id": f"DEB-{d}", "title": f"Procurement Bill debate {d}", "date": f"20{10 + d % 14}-0{1 + d % 9}-1{d % 9}",
                             "house": "Lords" if d % 2 else "Commons", "bill_id": BILL})
    words = 0
    for label, entity_id, name in suppliers + provisions:
        kind = label.lower()
        load.add("topics", {"topic": f"{kind}:{entity_id}", "kind": kind, "name": name, "family_id": None,
                            "provision_id": entity_id if kind == "provision" else None, "supplier_id": entity_id if kind == "supplier" else None})
    evidence_ids = itertools.count(1)

    def evidence(member_id, topic, kind, ref_table, ref_id, stance, date, detail, quote=None, **links):
        load.add("position_evidence", {"id": next(evidence_ids), "member_id": member_id, "topic": topic, "kind": kind,
                                       "ref_table": ref_table, "ref_id": str(ref_id), "stance": stance, "quote": quote, "date": date,
                                       "detail": detail, "rule": "scale", "bill_stage_id": links.get("bill_stage_id"),
                                       "amendment_id": links.get("amendment_id"), "pingpong_item_id": None,
                                       "contribution_id": links.get("contribution_id"), "division_id": links.get("division_id")})

    def family_of(aid):
        return f"a{10_000_000 + (aid - 10_000_000) // FAMILY_STEPS * FAMILY_STEPS}"

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
        d = c % debates
        said_on = f"20{10 + d % 14}-0{1 + d % 9}-1{d % 9}"
        load.add("contributions", {"contribution_id": cid, "debate_id": f"DEB-{d}", "member_id": mid,
                                   "attributed_to": members[mid - 1000][1], "order_in_section": c // debates, "text": text})
        mention_rows("contributions", cid, "text", found)
        named = {}
        for start, end, name, label, entity_id in found:
            if label != "MEMBER":
                named.setdefault(f"{label.lower()}:{entity_id}", text[max(0, start - 100):end + 100])
        for topic, quote in named.items():
            evidence(mid, topic, "spoke", "contributions", cid, rng.choice(("supports", "opposes", "neutral")), said_on,
                     f"spoke {said_on}", quote, contribution_id=cid)
        if mid - 1000 < MINISTERS and c % COMMITMENT_EVERY == 0:
            commitment = f"contributions/{cid}/{c:08x}"
            load.add("commitments", {"commitment_id": commitment, "member_id": mid, "department": "Cabinet Office",
                                     "text": raw[:200], "made_on": said_on, "source_table": "contributions", "source_id": str(cid),
                                     "deadline": f"{int(said_on[:4]) + 1}{said_on[4:]}", "deadline_basis": "within a year",
                                     "status": rng.choice(("open", "due", "overdue", "fulfilled")), "bill_id": BILL,
                                     "topic": next(iter(named), None), "contribution_id": cid, "first_seen": said_on, "last_seen": said_on})
            load.add("commitment_followups", {"commitment_id": commitment, "kind": "restated", "source_table": "contributions",
                                              "source_id": str(cid), "member_id": mid, "date": said_on, "quote": raw[:120]})
    amendments = max(5000, contributions // 10)
    for a in range(amendments):
        raw, _, _ = next(texts)
        text, found = with_mentions(raw, entities, entity, rng)
        aid = 10_000_000 + a
        stage, number = 100 + a % STAGES, str(a % 400 + 1)
        family = family_of(aid)
        if family == f"a{aid}":
            load.add("amendment_families", {"family_id": family, "bill_id": BILL, "title": raw[:60], "houses": "Lords, Commons",
                                            "steps": FAMILY_STEPS, "first_stage_id": stage, "outcome": "not in the Act"})
            load.add("topics", {"topic": f"family:{family}", "kind": "family", "name": raw[:60], "family_id": family,
                                "provision_id": None, "supplier_id": None})
        load.add("amendment_family_members", {"family_id": family, "amendment_id": aid, "step": a % FAMILY_STEPS + 1,
                                              "bill_stage_id": stage, "polarity": 1, "role": "proposal", "grouped_by": "text similarity"})
        load.add("amendments", {"amendment_id": aid, "bill_id": BILL, "bill_stage_id": stage, "number": number,
                                "decision": rng.choice(("NoDecision", "Withdrawn", "Agreed", "Negatived")), "summary": raw[:80], "text": text})
        for order, m in enumerate({members[speaker()][0] for _ in range(rng.randint(1, 3))}):
            load.add("amendment_sponsors", {"amendment_id": aid, "member_id": m, "is_lead": int(order == 0), "sort_order": order})
            evidence(m, f"family:{family}", "sponsored" if order == 0 else "added name", "amendments", aid, "supports",
                     f"2023-0{1 + a % 9}-01", f"sponsored {number} (Stage {stage - 100})", bill_stage_id=stage, amendment_id=aid)
        mention_rows("amendments", aid, "text", found)
    for d in range(amendments // 50):
        division, on, aid = f"div-{d}", f"2023-0{1 + d % 9}-01", 10_000_000 + d * 50
        load.add("divisions", {"division_id": division, "house": "Lords" if d % 2 else "Commons", "date": on,
                               "title": f"Division {d}", "bill_id": BILL, "amendment_id": aid, "aye_count": 150, "no_count": 150})
        government = rng.choice(("aye", "no"))
        majority = {party: rng.choice(("aye", "no")) for party in PARTIES}
        majority[PARTIES[0]] = government
        load.add("division_sides", {"division_id": division, "passed": int(government == "aye"), "government_side": government,
                                    "government_basis": "ministers' votes", "question_direction": 1})
        for m in rng.sample(members, VOTES_PER_DIVISION):
            vote = rng.choice(("aye", "no"))
            party = PARTIES[0] if m[0] - 1000 < MINISTERS else PARTIES[m[0] % len(PARTIES)]
            load.add("division_votes", {"division_id": division, "member_id": m[0], "vote": vote, "is_teller": 0})
            load.add("vote_alignment", {"division_id": division, "member_id": m[0], "vote": vote, "side": vote, "party": party,
                                        "party_majority": majority[party], "with_party": int(vote == majority[party]),
                                        "government_side": government, "with_government": int(vote == government),
                                        "rebellion": int(vote != majority[party])})
            evidence(m[0], f"family:{family_of(aid)}", "voted", "divisions", division, "supports" if vote == "aye" else "opposes", on,
                     f"voted {vote} on division {division}", division_id=division, amendment_id=aid)
    for q in range(contributions // 20):
        raw, date, house = next(texts)
        load.add("written_questions", {"question_id": q + 1, "uin": f"HL{q}", "asking_member_id": members[speaker()][0],
                                       "date_tabled": date, "heading": raw[:60], "question_text": raw, "house": house})
    load.flush()
    # Each member's stance on each topic, from their evidence, as ``tracker positions derive`` sums it.
    started_positions = time.perf_counter()
    with store.transaction(db):
        load.count += db.conn.execute(
            "INSERT INTO member_positions (member_id, topic, stance, evidence_count, supports, opposes, neutral, last_date, summary)"
            " SELECT member_id, topic, CASE WHEN sum(stance = 'supports') AND sum(stance = 'opposes') THEN 'mixed'"
            " WHEN sum(stance = 'supports') THEN 'supports' WHEN sum(stance = 'opposes') THEN 'opposes' ELSE 'unknown' END,"
            " count(*), sum(stance = 'supports'), sum(stance = 'opposes'), sum(stance = 'neutral'), max(date), group_concat(DISTINCT detail)"
            " FROM position_evidence GROUP BY member_id, topic").rowcount
    load.seconds += time.perf_counter() - started_positions
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


def percentile(ordered: list, fraction: float) -> float:
    """The value ``fraction`` of the way up ``ordered`` (nearest rank: the p95 of 40 times is the 38th)."""
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def measure(path: Path, repeat: int) -> dict:
    """The search page's median and p95, and each custom page's median and p95, in milliseconds."""
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
        "topic (most named supplier)": f"/-/topic/supplier:{top_supplier}",
        "family": "/-/family/a10000000",
        "topics": "/-/topics",
        "commitments": "/-/commitments",
    }
    results = {"pages": {}, "pages_p95": {}, "top": {"speeches": speeches, "supplier_mentions": supplier_mentions}}
    for name, url in pages.items():
        timed(url)  # warm
        times = sorted(timed(url) for _ in range(repeat))
        results["pages"][name] = statistics.median(times)
        results["pages_p95"][name] = percentile(times, 0.95)
    searches = []
    for term in SEARCH_TERMS:
        url = f"/-/search?q={quote_plus(term)}"
        timed(url)
        searches += [timed(url) for _ in range(max(2, repeat // 2))]
    searches.sort()
    results["search_median"] = statistics.median(searches)
    results["search_p95"] = percentile(searches, 0.95)
    loop.close()
    return results


def search_index(path: Path) -> float:
    """Bring the database to the latest migration and its search index up to date, as a sync ends
    (and ``tracker serve`` does for a stale one); the seconds it took (none for an index already current)."""
    db = store.open_db(path)
    started = time.perf_counter()
    store.refresh_search_index(db)
    seconds = time.perf_counter() - started
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    return seconds


def one_size(contributions: int, directory: Path, repeat: int) -> dict:
    path = directory / f"scale_{contributions}.db"
    built = json.loads(path.with_suffix(".json").read_text()) if path.exists() and path.with_suffix(".json").exists() else None
    if built is None:
        path.unlink(missing_ok=True)
        built = build(path, contributions)
    if "index_seconds" not in built:
        built["index_seconds"] = search_index(path)
        path.with_suffix(".json").write_text(json.dumps(built))
    search_index(path)  # a database kept from an earlier run: migrated, and its index current
    result = {"contributions": contributions, **built, "tagging_words_per_second": tagging_rate(), **measure(path, repeat),
              "database_mb": path.stat().st_size / 2**20,
              "peak_memory_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
    return result


def slope(xs, ys):
    """Least-squares slope of ys on xs."""
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    den = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / den if den else 0.0


def page_cell(key: str, page: str):
    """A cell of the table: one page's time (``key``: ``pages``, the median, or ``pages_p95``)."""
    return lambda r: f"{r[key][page]:.1f}"


def report(results: list[dict]) -> None:
    print("\nsize = contributions (amendments: a tenth, at least 5,000); times are medians in milliseconds\n")
    pages = list(results[0]["pages"])
    rows = [
        ("records loaded", lambda r: f"{r['records']:,}"),
        ("records/s loaded", lambda r: f"{r['records_per_second']:,.0f}"),
        ("build s (with making text)", lambda r: f"{r['build_seconds']:,.0f}"),
        ("tagging words/s", lambda r: f"{r['tagging_words_per_second']:,.0f}"),
        ("search index build s", lambda r: f"{r['index_seconds']:,.1f}"),
        ("search median ms", lambda r: f"{r['search_median']:.1f}"),
        ("search p95 ms", lambda r: f"{r['search_p95']:.1f}"),
        *[(f"{p}{suffix} ms", page_cell(key, p)) for p in pages for key, suffix in (("pages", ""), ("pages_p95", " p95"))],
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
    parser.add_argument("--repeat", type=int, default=40, help="times each page is read (median and p95 of these)")
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
