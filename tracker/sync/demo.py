"""The demo database, replayed from the sync of the bundled sample recorded in the package.

``sample/demo.warc.gz`` holds every response the demo's sync reads, recorded once
from the sample's content by ``make sample``; the demo replays it through the real
client and parsers, so it needs neither the network nor a server.
"""
import os
from contextlib import contextmanager
from pathlib import Path

from scrapers.http import BASE_URL_DEFAULTS
from tracker import store
from tracker.sync import plan_steps, run_sync
from tracker.sync.questions import DEFAULT_WATCH_TERMS as SAMPLE_WATCH_TERMS  # the sample's questions were found by them

SAMPLE_ARCHIVE = Path(__file__).resolve().parents[1] / "sample" / "demo.warc.gz"
# The sample's bill, the Procurement Bill [HL] 2022-23, and the Act it became (the Procurement Act 2023, c. 54).
SAMPLE_BILL = 3159
SAMPLE_ACT = "ukpga/2023/54"


def demo_steps() -> list:
    """The sync steps that load the whole bundled sample (what ``make sample`` records and the demo replays):
    the bill, its prints and its Act's text, members, the bill's debates and divisions, and written questions and
    statements on the bill and the sample's watch terms."""
    steps, _ = plan_steps(bill_ids=[SAMPLE_BILL], act_path=SAMPLE_ACT, members=True, hansard=True, divisions=True,
                          questions=True, terms=SAMPLE_WATCH_TERMS, versions=True)
    return steps


@contextmanager
def real_service_roots():
    """The services at their real roots while the block runs, whatever ``TRACKER_*_URL`` says.

    The packaged archive answers by the real services' URLs, so a mirror configured
    in the environment is set aside while the demo replays it, then restored.
    """
    saved = {env: os.environ.pop(env) for env, _ in BASE_URL_DEFAULTS.values() if env in os.environ}
    try:
        yield
    finally:
        os.environ.update(saved)


def build_demo(db_path: str, *, progress=None):
    """Replay the recorded sync of the bundled sample into ``db_path`` and return the finished run."""
    db = store.open_db(db_path)
    with real_service_roots():
        run = run_sync(db, demo_steps(), sources="demo sample", replay=[SAMPLE_ARCHIVE], progress=progress)
    store.mark_sample(db, run.run_id)
    return run
