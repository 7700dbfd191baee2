"""``tracker members``: Members API data without the network."""
import json

import click

from scrapers import members as members_api
from scrapers.errors import TrackerError
from tracker import store
from tracker.cli.common import open_db
from tracker.store.runs import RUN_LOCK_WAIT
from tracker.sync.members import member_rows, write_member


def load_member_files(db, paths, *, lock_wait=RUN_LOCK_WAIT):
    """Load saved Members API responses (a ``/api/Members/Search`` page, a ``/api/Members/{id}``
    item, or a list of either) into ``members`` and ``member_names``, all in one transaction.

    Each file is one sync run's worth of history in ``changes`` (a run with
    source ``members load``, holding the run lock as a sync does). Returns ``(run id, members read, {added/changed: n})``.
    """
    values = []
    for path in paths:
        try:
            with open(path, encoding="utf-8-sig") as fh:
                data = json.load(fh)
        except OSError as exc:
            raise TrackerError(f"cannot read: {exc.strerror}", source="members load", url=str(path)) from None
        except ValueError as exc:
            raise TrackerError(f"not JSON: {exc}", source="members load", url=str(path)) from None
        found = _member_values(data)
        if not found:
            raise TrackerError("no members found (expected a Members API search response or member item)", source="members load", url=str(path))
        values.extend((value, f"file:{path}") for value in found)
    parsed = [member_rows(value, source) for value, source in values]
    counts = {}
    with store.run_lock(db, wait=lock_wait) as holder:
        run_id = store.start_run(db, "members load", holder=holder)
        try:
            with store.transaction(db):
                for row, names in parsed:
                    outcome = write_member(db, row, names, run_id=run_id)
                    if outcome:
                        counts[outcome] = counts.get(outcome, 0) + 1
        except BaseException:
            store.finish_run(db, run_id, "failed")
            raise
        store.finish_run(db, run_id, "ok", message=f"{len(values)} members from {len(paths)} file(s)")
    return run_id, len(values), counts


def _member_values(data):
    if isinstance(data, list):
        out = []
        for item in data:
            out.extend(_member_values(item))
        return out
    if not isinstance(data, dict):
        return []
    if isinstance(data.get("items"), list):
        return members_api.search_values(data)
    value = data.get("value")
    if isinstance(value, dict) and value.get("id") is not None and "latestHouseMembership" in value:
        return [value]
    if data.get("id") is not None and "latestHouseMembership" in data:
        return [data]
    return []


@click.group()
def members():
    """MPs and peers from the Members API."""


@members.command("load")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.pass_context
def load(ctx, files):
    """Load saved Members API responses (GET /api/Members/Search pages or
    /api/Members/{id} items, as JSON files) with no network.

    \b
    Example:
      tracker members load tracker/sample/members_search.json
    """
    db = open_db(ctx)
    run_id, count, counts = load_member_files(db, files)
    summary = ", ".join(f"{n} {k}" for k, n in sorted(counts.items())) or "no changes"
    click.echo(f"members load (run {run_id}): {count} members read; {summary}")


COMMANDS = [members]
