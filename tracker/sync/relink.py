"""The relink step: each bill's debates and divisions tied again to its amendments once all are in.

Hansard and the Votes APIs are searched by the bills' stages, not their amendments, so a
concurrent run fetches debates and divisions while the Bills API is still listing the
amendments; speeches and votes written meanwhile are tied only to the amendments already
in. This step, after the amendments, debates and divisions, ties them to all of them, so
a concurrent run ends with the links a sequential one makes as it goes (where it
changes nothing). It fetches nothing.
"""
from scrapers.errors import TrackerError
from tracker.sync import Records, Step
from tracker.sync.common import load_bill
from tracker.sync.divisions import relink_divisions
from tracker.sync.hansard import relink_debates


def relink_step() -> Step:
    """Tie the debates and divisions of each bill whose amendments this run fetched to those amendments."""

    def step(run):
        for bill_id, _last_update, _stages in run.amendments_due:
            try:
                _, stages = load_bill(run.db, bill_id)
            except TrackerError as error:
                run.fail(error)
                continue
            run.tick(f"{bill_id}: links to amendments", total=len(run.amendments_due))
            relink_debates(run, bill_id, stages)
            relink_divisions(run, bill_id, stages)

    return Step("relink", None, step, reads=frozenset({Records.AMENDMENTS, Records.DEBATES, Records.DIVISIONS}),
                writes=frozenset({Records.DEBATES, Records.DIVISIONS}))
