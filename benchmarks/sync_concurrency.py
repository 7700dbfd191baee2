"""A first sync of every source, one service at a time against a thread per service, side by side.

    python benchmarks/sync_concurrency.py [--latency 0.1] [--rate-limit 5] [--keep DIR]

Serves the bundled sample's services (the Procurement Bill [HL] 2022-23: the bill, its
stages, amendments and prints, the Act's text, members, debates, both Houses' divisions,
written questions and statements) each from a local server of its own, as the real
services are hosts of their own, every answer after a fixed ``--latency``. Then runs
the same first sync (``tracker sync --bill 3159 --act ukpga/2023/54 --members --hansard
--divisions --questions --versions``) into two fresh databases, at the polite
``--rate-limit`` per host:

  sequential   one service after another (``tracker sync --sequential``)
  concurrent   a thread per service (``tracker sync``, the default)

and prints each run's time, the speed-up, each host's requests and the most requests
any host saw a second over twenty requests in a row (the servers' own clocks), and whether both databases hold
the same records. A run cannot finish sooner than its busiest host allows (its requests
at the polite rate), so the bound on the speed-up is printed beside it: the sum of the
hosts' times over the busiest one's. Nothing is asserted: the figures are for the README.
"""
import argparse
import logging
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from fakes import SampleApi  # noqa: E402
from fakes.content import content_of  # noqa: E402
from fakes.hosts import SampleHosts  # noqa: E402
from tracker import store  # noqa: E402
from tracker.sync import plan_steps, run_sync  # noqa: E402
from tracker.sync.demo import SAMPLE_ACT, SAMPLE_BILL, SAMPLE_WATCH_TERMS  # noqa: E402

def first_sync(path: str, archive: str, *, concurrent: bool, rate_limit: float) -> tuple[float, object]:
    steps, sources = plan_steps(bill_ids=[SAMPLE_BILL], act_path=SAMPLE_ACT, members=True, hansard=True, divisions=True,
                                questions=True, terms=SAMPLE_WATCH_TERMS, versions=True)
    db = store.open_db(path)
    started = time.perf_counter()
    run = run_sync(db, steps, sources=sources, archive_dir=archive, rate_limit=rate_limit, concurrent=concurrent)
    elapsed = time.perf_counter() - started
    db.close()
    return elapsed, run


def records(path: str) -> dict:
    db = store.open_db(path)
    try:
        return content_of(db)
    finally:
        db.close()


def peak_rate(times: list, stretch: int = 20) -> float:
    """The most requests a second a host saw over any ``stretch`` consecutive gaps between requests
    (all of them for a host asked fewer times), by the server's clock."""
    gaps = min(stretch, len(times) - 1)
    if gaps < 1:
        return 0.0
    return max(gaps / (times[i + gaps] - times[i]) for i in range(len(times) - gaps))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--latency", type=float, default=0.1, help="seconds each fake host takes to answer (default 0.1)")
    parser.add_argument("--rate-limit", type=float, default=5.0, help="requests a second to each host (default 5, the polite limit)")
    parser.add_argument("--keep", help="keep the two databases in this folder")
    args = parser.parse_args(argv)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # the fake servers' request log
    work = Path(args.keep or tempfile.mkdtemp(prefix="sync-concurrency-"))
    work.mkdir(parents=True, exist_ok=True)
    seen = {}
    timings = {}
    with SampleHosts(SampleApi(), latency=args.latency) as hosts:
        os.environ.update(hosts.environ())
        for mode in ("sequential", "concurrent"):
            hosts.log.clear()
            path = work / f"{mode}.db"
            path.unlink(missing_ok=True)
            timings[mode], run = first_sync(str(path), str(work / "archive"), concurrent=mode == "concurrent", rate_limit=args.rate_limit)
            if run.errors:
                print(f"{mode}: {len(run.errors)} errors, e.g. {run.errors[0]}")
            seen[mode] = hosts.requests_by_service()
    counts = {service: len(times) for service, times in seen["sequential"].items()}
    slot = max(1.0 / args.rate_limit, args.latency)  # one request's share of a host's time, at best
    bound = sum(counts.values()) / max(counts.values())
    print(f"first sync of every source of the sample: {sum(counts.values())} requests, {args.latency:.2f} s latency, "
          f"{args.rate_limit:g} requests a second to each host")
    print(f"{'host (service)':<16}{'requests':>9}{'at best':>9}{'peak requests/s: sequential':>29}{'concurrent':>12}")
    for service in sorted(counts, key=counts.get, reverse=True):
        print(f"{service:<16}{counts[service]:>9}{counts[service] * slot:>8.1f}s"
              f"{peak_rate(seen['sequential'][service]):>29.2f}{peak_rate(seen['concurrent'].get(service, [])):>12.2f}")
    print(f"sequential   {timings['sequential']:7.1f} s")
    print(f"concurrent   {timings['concurrent']:7.1f} s")
    print(f"speed-up     {timings['sequential'] / timings['concurrent']:7.2f}x  "
          f"(bound: {bound:.2f}x, every host's time over the busiest host's, {max(counts, key=counts.get)})")
    same = records(str(work / "sequential.db")) == records(str(work / "concurrent.db"))
    print(f"same records in both databases: {'yes' if same else 'NO'}")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
