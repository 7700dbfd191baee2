"""The members step: current MPs and peers, every member the database refers to, and their name histories."""
from scrapers import members as members_api
from scrapers.errors import TrackerError, parsing
from tracker import store
from tracker.store import schema
from tracker.sync import Records, Step
from tracker.sync.common import rows


def members_step() -> Step:
    """All current MPs and peers, with their name forms. (:func:`member_resolution_step`, planned
    after every step that refers to members, fetches the others the database refers to.)"""

    def step(run):
        complete = True
        for house in members_api.HOUSES:
            try:
                for items, response in members_api.fetch_current_members(run.client, house):
                    parsed = [member_rows(value, response.url) for value in members_api.search_values({"items": items})]
                    with store.transaction(run.db):
                        for row, names in parsed:
                            write_member(run.db, row, names, run_id=run.run_id)
                            run.members_refreshed.add(row["member_id"])
                    run.tick(f"members: {members_api.HOUSES[house]}")
            except TrackerError as error:
                complete = False
                run.fail(error)
        if complete:
            run.complete_listings.add(CURRENT_MEMBERS)

    return Step(CURRENT_MEMBERS, "members", step, writes=frozenset({Records.MEMBERS}))


def member_resolution_step() -> Step:
    """After the steps that refer to members: every member the database refers to (former ones
    too) that it lacks a full record of, and their name histories; with a whole listing of the
    current members in this run, also those marked current whom it no longer lists."""

    def step(run):
        resolve_members(run, stale_current=CURRENT_MEMBERS in run.complete_listings)

    return Step("members:resolve", "members", step, reads=frozenset({Records.MEMBERS, Records.MEMBER_REFERENCES}), writes=frozenset({Records.MEMBERS}))


CURRENT_MEMBERS = "members"  # the members step's name, and its mark in ``run.complete_listings``


def member_rows(value, source_url, history=None):
    """A Members API ``Member`` (and its ``MemberHistory``) to ``(members row, member_names rows)``;
    a malformed one is a TrackerError naming the member and the response."""
    with parsing(members_api.SOURCE, source_url, record=value.get("id")):
        member = members_api.parse_member(value, source_url)
        names = members_api.parse_member_names(value, history)
    return member.row(), [name.row() for name in names]


def write_member(db, row, names, *, run_id):
    """Upsert one member's full row and merge its name forms (inside the caller's transaction);
    returns the upsert's outcome ("added", "changed", "restored" or None)."""
    outcome = store.upsert(db, "members", row, run_id=run_id)
    merge_names(db, names)
    return outcome


def merge_names(db, rows):
    """Add name forms, keeping one row per (member, name, kind) and filling in dates learnt later."""
    for row in rows:
        store.merge_row(
            db, "member_names", {k: row[k] for k in ("member_id", "name", "kind", "start_date", "end_date")},
            key=("member_id", "name", "kind"), refresh=("start_date", "end_date"),
        )


def referenced_member_ids(db):
    """Every member id a record refers to (the schema's member columns), and the members
    known so far only from such a reference (no Members API record yet)."""
    ids = set()
    for table, column in schema.member_columns():
        ids.update(r[0] for r in db.execute(f"SELECT [{column}] FROM [{table}]").fetchall() if r[0])
    ids.update(r[0] for r in db.execute("SELECT member_id FROM members WHERE source_url IS NULL").fetchall() if r[0])
    return ids


def resolve_members(run, stale_current=False):
    """Fetch every referenced member the database lacks a full record of, and their name histories.

    ``stale_current``: also re-read members marked current whom this run's search
    of current members did not list (they have left a House since).
    """
    db, refreshed = run.db, run.members_refreshed
    referenced = referenced_member_ids(db)
    known = {r[0]: r[1] for r in db.execute("SELECT member_id, source_url FROM members").fetchall()}
    wanted = {m for m in referenced if known.get(m) is None}
    if stale_current:
        wanted |= {r[0] for r in db.execute("SELECT member_id FROM members WHERE is_current = 1 AND source_url IS NOT NULL").fetchall()} - refreshed
    if run.full:
        wanted |= referenced
    for member_id in sorted(wanted - refreshed):
        try:
            value, response = members_api.fetch_member(run.client, member_id)
            row, names = member_rows(value, response.url)
            with store.transaction(db):
                write_member(db, row, names, run_id=run.run_id)
            refreshed.add(member_id)
        except TrackerError as error:
            run.fail(error)
    history_ids = sorted(m for m in referenced if run.full or store.get_state(db, f"members:history:{m}") is None)
    history_ids = [m for m in history_ids if known.get(m) is not None or m in refreshed]
    if not history_ids:
        return
    try:
        histories = members_api.fetch_histories(run.client, history_ids)
        _write_histories(run, histories)
    except TrackerError as error:
        run.fail(error)


def _write_histories(run, histories):
    """Merge each ``MemberHistory``'s dated names, seats and peerages into ``member_names``, in one transaction."""
    db = run.db
    names = []
    for history, response in histories:
        current = rows(db, "SELECT * FROM members WHERE member_id = ?", [history["id"]])
        if current:
            with parsing(members_api.SOURCE, response.url, record=history["id"]):
                names.append((history["id"], [n.row() for n in members_api.parse_member_names(_member_value(current[0]), history)]))
    with store.transaction(db):
        for member_id, name_rows in names:
            merge_names(db, name_rows)
            store.set_state(db, f"members:history:{member_id}", "1", run_id=run.run_id)


_HOUSE_NUMBERS = {name: number for number, name in members_api.HOUSES.items()}  # "Commons" -> 1


def _member_value(row):
    """A stored ``members`` row back in the shape of a Members API ``Member`` (for name forms)."""
    return {
        "id": row["member_id"],
        "nameDisplayAs": row.get("name_display_as"),
        "nameListAs": row.get("name_list_as"),
        "nameFullTitle": row.get("name_full_title"),
        "nameAddressAs": row.get("name_address_as"),
        "latestHouseMembership": {"house": _HOUSE_NUMBERS.get(row.get("house"))},
    }
