"""Building the demo database from the bundled sample, with no network."""
from tracker import store
from tracker.sampleapi import SampleApi, load_sample, sample_session
from tracker.sync import bills_step, run_sync


def sample_bill_ids():
    """The ids of the bills in the bundled sample."""
    content = load_sample("bills_api.json") or {}
    return [int(bill_id) for bill_id in content.get("bills", {})]


def demo_steps():
    """The sync steps that load the whole bundled sample."""
    return [bills_step(bill_ids=sample_bill_ids())]


def build_demo(db_path, *, archive_dir="archive", progress=None):
    """Sync the bundled sample into ``db_path`` through the real client, archive and parsers.

    The sample's offline API answers in place of the live services, so the run
    archives a WARC that ``tracker sync --replay`` can replay like any other.
    Returns the finished sync run.
    """
    db = store.open_db(db_path)
    return run_sync(
        db,
        demo_steps(),
        sources="demo sample",
        archive_dir=archive_dir,
        rate_limit=0,
        progress=progress,
        client_options={"session": sample_session(SampleApi())},
    )
