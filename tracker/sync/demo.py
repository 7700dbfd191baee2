"""Building the demo database from the bundled sample, with no network."""
from tracker import store
from tracker.sampleapi import SampleApi, load_sample, sample_session
from tracker.sync import bills_step, legislation_step, run_sync
from tracker.sync.versions import versions_step

# The sample's Act: the Procurement Bill [HL] 2022-23 became the Procurement Act 2023 (c. 54).
SAMPLE_ACTS = {3159: "ukpga/2023/54"}
# The watch terms the sample's written questions and statements are found by.
SAMPLE_WATCH_TERMS = ("Hikvision", "surveillance equipment")


def sample_bill_ids():
    """The ids of the bills in the bundled sample."""
    content = load_sample("bills_api.json") or {}
    return [int(bill_id) for bill_id in content.get("bills", {})]


def demo_steps():
    """The sync steps that load the whole bundled sample."""
    bill_ids = sample_bill_ids()
    steps = [bills_step(bill_ids=bill_ids)]
    steps += [legislation_step(bill_id, SAMPLE_ACTS[bill_id]) for bill_id in bill_ids if bill_id in SAMPLE_ACTS]
    steps += [versions_step(bill_ids)]
    steps += parliament_steps()
    return steps


def parliament_steps():
    """Members, the bill's debates and divisions, and written questions and statements on
    the bill and the sample's watch terms (members referred to later are fetched as they appear)."""
    from tracker.sync.parliament import divisions_step, hansard_step, members_step, questions_step

    return [members_step(), hansard_step(), divisions_step(), questions_step(terms=SAMPLE_WATCH_TERMS)]


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
