"""The Bills API steps: bills and their stages, then the stages' amendments and ping-pong items.

Two steps, because the Hansard, Votes and Questions searches need only the bills and
their stages (titles and sitting dates): in a concurrent run they start as soon as the
stages are in, while the amendments, by far the most requests, are still coming.
"""
from scrapers import bills as bills_api
from scrapers.errors import TrackerError, parsing
from tracker import store
from tracker.sync import Records, Step
from tracker.sync.common import remove_unlisted


def bills_steps(bill_ids=(), search_terms=()) -> list[Step]:
    """The steps that sync the given bills (and all bills matching the search terms): the bills
    and their stages, then the amendments of the bills whose ``lastUpdate`` moved."""

    def step(run):
        ids = list(bill_ids)
        for term in search_terms:
            matches = bills_api.search_bills(run.client, term)
            if not matches:
                run.say(f"no bill matches {term!r}")
            ids.extend(item["billId"] for item, _ in matches)
        seen, failed = [], 0
        for bill_id in ids:
            if bill_id in seen:
                continue
            seen.append(bill_id)
            run.bill_ids.append(bill_id)
            try:
                sync_bill(run, bill_id)
            except TrackerError as error:
                if len(ids) == 1:
                    raise
                failed += 1
                run.fail(error)
        if ids and failed >= len(seen):
            raise run.errors[0]

    return [
        Step("bills", "bills", step, writes=frozenset({Records.BILLS, Records.STAGES, Records.MEMBER_REFERENCES})),
        Step("amendments", "bills", sync_due_amendments, reads=frozenset({Records.STAGES}),
             writes=frozenset({Records.AMENDMENTS, Records.MEMBER_REFERENCES})),
    ]


def sync_bill(run, bill_id):
    """Sync one bill, then (unless unchanged since the last full pass) its stages, marking their
    amendments due (:func:`sync_due_amendments` fetches them)."""
    db, client = run.db, run.client
    data, response = bills_api.fetch_bill(client, bill_id)
    with parsing(bills_api.SOURCE, response.url, record=bill_id):
        row = bills_api.parse_bill(data, response.url).row()
        sponsors = bills_api.parse_bill_sponsors(data)
    with store.transaction(db):
        for member in sponsors:
            store.ensure_member(db, member.row(), run_id=run.run_id)
        store.upsert(db, "bills", row, run_id=run.run_id, bill_id=bill_id)
    state_key = f"bills:{bill_id}:lastUpdate"
    if not run.full and row["last_update"] and store.get_state(db, state_key) == row["last_update"]:
        run.say(f"bill {bill_id}: unchanged since last sync (lastUpdate {row['last_update']}); stages not fetched")
        return
    stage_rows = []
    for item, resp in bills_api.fetch_stages(client, bill_id):
        with parsing(bills_api.SOURCE, resp.url, record=f"stage of bill {bill_id}"):
            stage_rows.append(bills_api.parse_stage(item, bill_id, resp.url).row())
    with store.transaction(db):
        for stage_row in stage_rows:
            store.upsert(db, "bill_stages", stage_row, run_id=run.run_id, bill_id=bill_id)
    remove_unlisted(run, "bill_stages", {"bill_id": bill_id}, [s["bill_stage_id"] for s in stage_rows], source=bills_api.SOURCE,
                    url=bills_api.stages_url(bill_id), own_url=lambda stage_id: bills_api.stage_url(bill_id, stage_id), bill_id=bill_id)
    run.amendments_due.append((bill_id, row["last_update"], stage_rows))


def sync_due_amendments(run):
    """Each due bill's stages' amendments; a bill whose stages all came in whole is marked done
    at its ``lastUpdate`` (a later run with the same ``lastUpdate`` then skips it)."""
    for bill_id, last_update, stage_rows in run.amendments_due:
        complete = True
        for stage_row in stage_rows:
            run.tick(f"{bill_id}: {stage_row['description']}", total=len(stage_rows))
            try:
                sync_stage(run, bill_id, stage_row)
            except TrackerError as error:  # one stage's failure: the others go on, and the next run fetches it again
                run.fail(error)
                complete = False
        if complete:
            with store.transaction(run.db):
                store.set_state(run.db, f"bills:{bill_id}:lastUpdate", last_update, run_id=run.run_id)


def sync_stage(run, bill_id, stage_row):
    """Fetch one stage's amendments (and ping-pong items), then write them in one transaction."""
    db, client = run.db, run.client
    stage_id = stage_row["bill_stage_id"]
    amendments = []
    for item, detail, resp in bills_api.fetch_amendments(client, bill_id, stage_id):
        with parsing(bills_api.SOURCE, resp.url, record=item.get("amendmentId")):
            amendments.append(bills_api.parse_amendment(item, detail, resp.url))
    pingpong = []
    if bills_api.stage_has_pingpong(stage_row):
        for item, detail, resp in bills_api.fetch_pingpong(client, bill_id, stage_id):
            with parsing(bills_api.SOURCE, resp.url, record="ping-pong item"):
                pingpong.append(bills_api.parse_pingpong_item(item, detail, resp.url))
    with store.transaction(db):
        _write_items(run, "amendments", "amendment_id", "amendment_sponsors", amendments, bill_id)
        if bills_api.stage_has_pingpong(stage_row):
            _write_items(run, "pingpong_items", "pingpong_item_id", "pingpong_sponsors", pingpong, bill_id)
    remove_unlisted(run, "amendments", {"bill_stage_id": stage_id}, [a.amendment_id for a in amendments], source=bills_api.SOURCE,
                    url=bills_api.amendments_url(bill_id, stage_id), bill_id=bill_id,
                    own_url=lambda amendment_id: bills_api.amendment_url(bill_id, stage_id, amendment_id))
    if bills_api.stage_has_pingpong(stage_row):
        remove_unlisted(run, "pingpong_items", {"bill_stage_id": stage_id}, [p.pingpong_item_id for p in pingpong], source=bills_api.SOURCE,
                        url=bills_api.pingpong_url(bill_id, stage_id), bill_id=bill_id, what="ping-pong items",
                        own_url=lambda item_id: bills_api.pingpong_item_url(bill_id, stage_id, item_id))


def _write_items(run, table, pk, link_table, parsed, bill_id):
    for item in parsed:
        for member in item.members:
            store.ensure_member(run.db, member.row(), run_id=run.run_id)
        row = item.row()
        if row.get("bill_id") is None:
            row["bill_id"] = bill_id
        store.upsert(run.db, table, row, run_id=run.run_id, bill_id=bill_id)
        store.replace_links(run.db, link_table, pk, row[pk], item.sponsor_rows())
