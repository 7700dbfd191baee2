"""Sync steps for members, debates, divisions and written questions of tracked bills.

Each factory returns a ``step(run)`` for :func:`tracker.sync.run_sync`. A step
works on ``run.bill_ids`` (the bills synced in this run) or, when that is empty,
on every bill in the database. Every unit (a page of members, a debate with its
child sections, a division, a batch of questions) is fetched first and written
in one transaction; a unit that fails is recorded with ``run.fail`` and the run
goes on. Incremental markers live in ``sync_state``; ``--full`` ignores them.

Links are resolved against the database, never guessed: a debate or division
belongs to the stage whose sittings include its date (told apart by title when
two stages share a day), and an amendment, new clause or motion number is linked
only when exactly one amendment or ping-pong item of that stage carries it.
"""
import hashlib
import json
import os

from scrapers import hansard as hansard_api
from scrapers import members as members_api
from scrapers import questions as questions_api
from scrapers import votes as votes_api
from scrapers.errors import TrackerError, parsing
from tracker import store

DEFAULT_WATCH_TERMS = ("Hikvision", "surveillance equipment")
WATCH_TERMS_ENV = "TRACKER_WATCH_TERMS"
WRITE_BATCH = 50


# -- shared: bills, stages and links ----------------------------------------------

def tracked_bill_ids(run):
    """The bills this run synced, or every bill in the database."""
    if run.bill_ids:
        return list(dict.fromkeys(run.bill_ids))
    return [r[0] for r in run.db.execute("SELECT bill_id FROM bills WHERE removed_at IS NULL ORDER BY bill_id").fetchall()]


def _rows(db, sql, params=()):
    cursor = db.execute(sql, list(params))
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def load_bill(db, bill_id):
    """``(bill row, stage rows with a ``dates`` list)``; TrackerError when the bill is not in the database."""
    bills = _rows(db, "SELECT * FROM bills WHERE bill_id = ?", [bill_id])
    if not bills:
        raise TrackerError("not in the database (sync it with --bill first)", source="tracker", record=f"bill {bill_id}")
    stages = _rows(db, "SELECT * FROM bill_stages WHERE bill_id = ? AND removed_at IS NULL ORDER BY sort_order", [bill_id])
    for stage in stages:
        try:
            stage["dates"] = sorted(set(json.loads(stage.get("sittings") or "[]")))
        except ValueError:
            stage["dates"] = []
    return bills[0], stages


def search_titles(bill):
    return hansard_api.bill_search_titles(bill.get("short_title"), bill.get("former_short_title"))


_MINOR_STAGES = ("1st reading", "3rd reading", "money resolution", "programme motion", "ways and means", "royal assent", "carry-over")
_TITLE_KEYWORDS = (
    ("third reading", ("3rd reading",)),
    ("second reading", ("2nd reading",)),
    ("(money)", ("money resolution",)),
    ("money resolution", ("money resolution",)),
    ("programme", ("programme motion",)),
    ("ways and means", ("ways and means",)),
    ("sitting)", ("committee",)),
    ("committee", ("committee",)),
    ("report", ("report",)),
    ("lords amendments", ("consideration",)),
    ("commons amendments", ("consideration",)),
    ("lords message", ("consideration",)),
)


def stage_candidates(stages, house, date):
    """The bill's stages in ``house`` that sat on ``date``."""
    return [s for s in stages if s.get("house") == house and date in s["dates"]]


def tell_stage(candidates, title, default=None):
    """The one stage among ``candidates`` a debate or division belongs to, or ``default``/None.

    One candidate: that one. Several (report stage and third reading on one
    day): the one the title names ("Third Reading", "(Money)"), else the one
    left when minor stages (readings without amendments, money and programme
    motions) are set aside, else ``default`` (a parent section's stage), else None.
    """
    if len(candidates) == 1:
        return candidates[0]["bill_stage_id"]
    if not candidates:
        return None
    lowered = (title or "").lower()
    for keyword, descriptions in _TITLE_KEYWORDS:
        if keyword in lowered:
            named = [s for s in candidates if any(d in (s.get("description") or "").lower() for d in descriptions)]
            if len(named) == 1:
                return named[0]["bill_stage_id"]
    if default in [s["bill_stage_id"] for s in candidates]:
        return default
    major = [s for s in candidates if not any(m in (s.get("description") or "").lower() for m in _MINOR_STAGES)]
    if len(major) == 1:
        return major[0]["bill_stage_id"]
    return None


def resolve_target(db, kind, number, stage_ids):
    """``(amendment_id, pingpong_item_id)`` for one reference, resolved among ``stage_ids``;
    ``(None, None)`` unless exactly one amendment or ping-pong item matches."""
    if not stage_ids or not number:
        return None, None
    marks = ",".join("?" for _ in stage_ids)
    amendments, items = [], []
    if kind in ("amendment", "new clause", "new schedule"):
        amendments = [r[0] for r in db.execute(
            f"SELECT amendment_id FROM amendments WHERE bill_stage_id IN ({marks}) AND upper(number) = ? AND removed_at IS NULL",
            [*stage_ids, number.upper()],
        ).fetchall()]
    if kind in ("amendment", "motion"):
        wanted = "Amendment" if kind == "amendment" else "Motion"
        items = [r[0] for r in db.execute(
            f"SELECT pingpong_item_id FROM pingpong_items WHERE bill_stage_id IN ({marks}) AND upper(number) = ?"
            f" AND lower(coalesce(type, ?)) = lower(?) AND removed_at IS NULL",
            [*stage_ids, number.upper(), wanted, wanted],
        ).fetchall()]
    if len(amendments) + len(items) != 1:
        return None, None
    return (amendments[0], None) if amendments else (None, items[0])


def _content(row):
    return {k: v for k, v in row.items() if k not in store.BOOKKEEPING or k == "source_url"}


# -- members -------------------------------------------------------------------

def members_step():
    """All current MPs and peers, then every member the database refers to (former ones too),
    with their name history. Later steps of the same run resolve the members they add."""

    def step(run):
        run.resolve_members = True
        refreshed = set()
        complete = True
        for house in (1, 2):
            try:
                for items, response in members_api.fetch_current_members(run.client, house):
                    parsed = [member_rows(value, response.url) for value in members_api.search_values({"items": items})]
                    with store.transaction(run.db):
                        for row, names in parsed:
                            write_member(run.db, row, names, run_id=run.run_id)
                            refreshed.add(row["member_id"])
                    run.tick(f"members: {members_api.HOUSES[house]}")
            except TrackerError as error:
                complete = False
                run.fail(error)
        run.members_refreshed = refreshed
        resolve_members(run, stale_current=complete)

    return step


def member_rows(value, source_url, history=None):
    """A Members API ``Member`` (and its ``MemberHistory``) to ``(members row, member_names rows)``;
    a malformed one is a TrackerError naming the member and the response."""
    with parsing(members_api.SOURCE, source_url, record=value.get("id")):
        return members_api.parse_member(value, source_url), members_api.parse_member_names(value, history)


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


_REFERENCES = (
    "SELECT member_id FROM amendment_sponsors",
    "SELECT member_id FROM pingpong_sponsors",
    "SELECT lead_sponsor_id FROM amendments",
    "SELECT lead_sponsor_id FROM pingpong_items",
    "SELECT member_id FROM contributions",
    "SELECT member_id FROM division_votes",
    "SELECT asking_member_id FROM written_questions",
    "SELECT answering_member_id FROM written_questions",
    "SELECT member_id FROM written_statements",
    "SELECT member_id FROM members WHERE source_url IS NULL",
)


def referenced_member_ids(db):
    ids = set()
    for sql in _REFERENCES:
        ids.update(r[0] for r in db.execute(sql).fetchall() if r[0])
    return ids


def resolve_members(run, stale_current=False):
    """Fetch every referenced member the database lacks a full record of, and their name histories.

    ``stale_current``: also re-read members marked current whom this run's search
    of current members did not list (they have left a House since).
    """
    db, refreshed = run.db, getattr(run, "members_refreshed", set())
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
    run.members_refreshed = refreshed
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
        current = _rows(db, "SELECT * FROM members WHERE member_id = ?", [history["id"]])
        if current:
            with parsing(members_api.SOURCE, response.url, record=history["id"]):
                names.append((history["id"], members_api.parse_member_names(_member_value(current[0]), history)))
    with store.transaction(db):
        for member_id, rows in names:
            merge_names(db, rows)
            store.set_state(db, f"members:history:{member_id}", "1", run_id=run.run_id)


def _member_value(row):
    """A stored ``members`` row back in the shape of a Members API ``Member`` (for name forms)."""
    return {
        "id": row["member_id"],
        "nameDisplayAs": row.get("name_display_as"),
        "nameListAs": row.get("name_list_as"),
        "nameFullTitle": row.get("name_full_title"),
        "nameAddressAs": row.get("name_address_as"),
        "latestHouseMembership": {"house": {"Commons": 1, "Lords": 2}.get(row.get("house"))},
    }


def _after_step(run):
    if getattr(run, "resolve_members", False):
        resolve_members(run)


# -- Hansard ---------------------------------------------------------------------

def _per_bill_step(sync_one):
    """A step running ``sync_one(run, bill_id)`` for each tracked bill (a bill that fails is
    recorded and the next one goes on), then fetching the members it referred to."""

    def step(run):
        for bill_id in tracked_bill_ids(run):
            try:
                sync_one(run, bill_id)
            except TrackerError as error:
                run.fail(error)
        _after_step(run)

    return step


def hansard_step():
    """Each tracked bill's debates in both Houses (Chamber, Westminster Hall, Grand
    Committee and Public Bill Committee), found by title on each sitting date."""
    return _per_bill_step(sync_bill_debates)


def sync_bill_debates(run, bill_id):
    db = run.db
    bill, stages = load_bill(db, bill_id)
    titles = search_titles(bill)
    days = sorted({(s["house"], d) for s in stages if s.get("house") in ("Commons", "Lords") for d in s["dates"]})
    fetched = set()
    for house, date in days:
        state_key = f"hansard:{bill_id}:{house}:{date}"
        if not run.full and store.get_state(db, state_key) is not None:
            continue
        run.tick(f"{bill_id}: debates {house} {date}", total=len(days))
        try:
            found = {}
            for title in titles:
                for item, response in hansard_api.search_debates(run.client, title, house=house, start_date=date, end_date=date):
                    with parsing(hansard_api.SOURCE, response.url, record="search result"):
                        ext_id = item.get("DebateSectionExtId")
                        if ext_id and hansard_api.title_matches(item.get("Title"), title):
                            found.setdefault(ext_id, item)
        except TrackerError as error:
            run.fail(error)
            continue
        complete = True
        for ext_id in found:
            if ext_id in fetched:
                continue
            try:
                fetched |= sync_debate(run, bill_id, stages, ext_id)
            except TrackerError as error:
                complete = False
                run.fail(error)
        if complete:
            previous = json.loads(store.get_state(db, state_key) or "[]")
            with store.transaction(db):
                remove_debates(db, set(previous) - set(found), run_id=run.run_id, bill_id=bill_id)
                store.set_state(db, state_key, json.dumps(sorted(found)), run_id=run.run_id)
    relink_debates(run, bill_id, stages, skip=fetched)


def remove_debates(db, debate_ids, *, run_id, bill_id):
    """Mark debates that a complete search of their day no longer finds, and their child
    sections, as removed upstream (kept, with one ``removed`` change each)."""
    ids = set(debate_ids)
    while ids:
        store.remove_records(db, "debates", sorted(ids), run_id=run_id, bill_id=bill_id)
        marks = ",".join("?" for _ in ids)
        ids = {r[0] for r in db.execute(f"SELECT debate_id FROM debates WHERE parent_debate_id IN ({marks}) AND removed_at IS NULL", sorted(ids))}


def sync_debate(run, bill_id, stages, ext_id):
    """Fetch one debate (with its child sections) and write it in one transaction; returns the section ids."""
    data, response = hansard_api.fetch_debate(run.client, ext_id)
    with parsing(hansard_api.SOURCE, response.url, record=ext_id):
        debates, contributions = hansard_api.parse_debate(data, response.url)
    write_debate(run, bill_id, stages, debates, contributions)
    return {d["debate_id"] for d in debates}


def _link_debates(db, bill_id, stages, debates):
    """Set each section's bill and stage; return ``{debate_id: stage ids to resolve amendments in}``."""
    scope, stage_of = {}, {}
    for debate in debates:
        candidates = stage_candidates(stages, debate["house"], debate["date"])
        parent_stage = stage_of.get(debate.get("parent_debate_id"))
        debate["bill_id"] = bill_id
        debate["bill_stage_id"] = tell_stage(candidates, debate.get("title"), default=parent_stage)
        stage_of[debate["debate_id"]] = debate["bill_stage_id"]
        scope[debate["debate_id"]] = [debate["bill_stage_id"]] if debate["bill_stage_id"] else [s["bill_stage_id"] for s in candidates]
    return scope


def contribution_links(db, contribution, stage_ids):
    """``contribution_amendments`` rows for one contribution's resolvable references."""
    links = {}
    for ref in hansard_api.amendment_references(contribution.get("text")):
        amendment_id, item_id = resolve_target(db, ref["kind"], ref["number"], stage_ids)
        if amendment_id is None and item_id is None:
            continue
        key = (amendment_id, item_id)
        row = {"contribution_id": contribution["contribution_id"], "amendment_id": amendment_id,
               "pingpong_item_id": item_id, "how": ref["how"], "reference": ref["reference"]}
        if key not in links or hansard_api.HOW_RANK[ref["how"]] > hansard_api.HOW_RANK[links[key]["how"]]:
            links[key] = row
    return list(links.values())


def write_debate(run, bill_id, stages, debates, contributions):
    db = run.db
    scope = _link_debates(db, bill_id, stages, debates)
    with store.transaction(db):
        for contribution in contributions:
            if contribution["member_id"]:
                store.ensure_member(db, {"member_id": contribution["member_id"],
                                         "name": hansard_api.speaker_name(contribution["attributed_to"]),
                                         "source_url": None}, run_id=run.run_id)
        for debate in debates:
            store.upsert(db, "debates", debate, run_id=run.run_id, bill_id=bill_id)
        by_debate = {}
        for contribution in contributions:
            store.upsert(db, "contributions", contribution, run_id=run.run_id, bill_id=bill_id)
            store.replace_links(db, "contribution_amendments", "contribution_id", contribution["contribution_id"],
                                contribution_links(db, contribution, scope[contribution["debate_id"]]))
            by_debate.setdefault(contribution["debate_id"], []).append(contribution["contribution_id"])
        for debate in debates:
            store.mark_removed(db, "contributions", {"debate_id": debate["debate_id"]}, by_debate.get(debate["debate_id"], []),
                               run_id=run.run_id, bill_id=bill_id)
            children = [d["debate_id"] for d in debates if d["parent_debate_id"] == debate["debate_id"]]
            store.mark_removed(db, "debates", {"parent_debate_id": debate["debate_id"]}, children, run_id=run.run_id, bill_id=bill_id)


def relink_debates(run, bill_id, stages, skip=()):
    """Re-tell the stage and amendment links of stored debates not fetched in this run
    (the bill's stages or amendments may have arrived since)."""
    db = run.db
    debates = [_content(d) for d in _rows(db, "SELECT * FROM debates WHERE bill_id = ? AND removed_at IS NULL ORDER BY parent_debate_id IS NOT NULL", [bill_id])
               if d["debate_id"] not in skip]
    if not debates:
        return
    scope = _link_debates(db, bill_id, stages, debates)
    with store.transaction(db):
        for debate in debates:
            store.upsert(db, "debates", debate, run_id=run.run_id, bill_id=bill_id)
            for contribution in _rows(db, "SELECT contribution_id, text FROM contributions WHERE debate_id = ? AND removed_at IS NULL", [debate["debate_id"]]):
                store.replace_links(db, "contribution_amendments", "contribution_id", contribution["contribution_id"],
                                    contribution_links(db, contribution, scope[debate["debate_id"]]))


# -- divisions -------------------------------------------------------------------

HOUSE_VOTES = {
    "Commons": (votes_api.COMMONS, votes_api.search_commons, votes_api.fetch_commons_division, votes_api.parse_commons_division, "DivisionId", "Title"),
    "Lords": (votes_api.LORDS, votes_api.search_lords, votes_api.fetch_lords_division, votes_api.parse_lords_division, "divisionId", "title"),
}


def divisions_step():
    """Each tracked bill's divisions in both Houses, with every vote and the amendment voted on."""
    return _per_bill_step(sync_bill_divisions)


def _marker(item):
    return item.get("PublicationUpdated") or hashlib.sha256(store.canonical(item).encode("utf-8")).hexdigest()[:16]


def link_division(db, row, stages):
    """Set a division's stage and amendment (or ping-pong item) from its title and date."""
    candidates = stage_candidates(stages, row["house"], row["date"])
    row["bill_stage_id"] = tell_stage(candidates, row.get("title"))
    target = votes_api.division_target(row.get("title"), row.get("notes"))
    row["amendment_ref"] = target[2] if target else None
    amendment_id = item_id = None
    if target:
        stage_ids = [row["bill_stage_id"]] if row["bill_stage_id"] else [s["bill_stage_id"] for s in candidates]
        amendment_id, item_id = resolve_target(db, target[0], target[1], stage_ids)
    row["amendment_id"], row["pingpong_item_id"] = amendment_id, item_id
    return row


def sync_bill_divisions(run, bill_id):
    db = run.db
    bill, stages = load_bill(db, bill_id)
    dates = sorted(d for s in stages for d in s["dates"])
    if not dates:
        run.say(f"bill {bill_id}: no sitting dates, so no divisions searched")
        return
    titles = search_titles(bill)
    seen = set()
    for house, (source, search, fetch, parse, id_key, title_key) in HOUSE_VOTES.items():
        found = {}
        try:
            for title in titles:
                for item, response in search(run.client, title, dates[0], dates[-1]):
                    with parsing(source, response.url, record="search result"):
                        if item.get(id_key) is not None and hansard_api.title_matches(item.get(title_key), title):
                            found.setdefault(item[id_key], item)
        except TrackerError as error:
            run.fail(error)
            continue
        with store.transaction(db):  # the search was complete: a division it no longer lists is gone upstream
            store.mark_removed(db, "divisions", {"bill_id": bill_id, "house": house},
                               [votes_api.division_key(house, api_id) for api_id in found], run_id=run.run_id, bill_id=bill_id)
        for api_id, item in found.items():
            key = votes_api.division_key(house, api_id)
            seen.add(key)
            state_key = f"divisions:{key}"
            if not run.full and store.get_state(db, state_key) == _marker(item):
                continue
            run.tick(f"{bill_id}: division {key}", total=len(found))
            try:
                data, response = fetch(run.client, api_id)
                with parsing(source, response.url, record=key):
                    row, votes, members = parse(data, response.url)
            except TrackerError as error:
                run.fail(error)
                continue
            row["bill_id"] = bill_id
            link_division(db, row, stages)
            with store.transaction(db):
                for member in members:
                    store.ensure_member(db, member, run_id=run.run_id)
                store.upsert(db, "divisions", row, run_id=run.run_id, bill_id=bill_id)
                store.replace_links(db, "division_votes", "division_id", key, votes)
                store.set_state(db, state_key, _marker(item), run_id=run.run_id)
    # Stored divisions not fetched now: their links may change as amendments arrive.
    stored = [_content(r) for r in _rows(db, "SELECT * FROM divisions WHERE bill_id = ? AND removed_at IS NULL", [bill_id])]
    with store.transaction(db):
        for row in stored:
            store.upsert(db, "divisions", link_division(db, row, stages), run_id=run.run_id, bill_id=bill_id)


# -- written questions and statements -----------------------------------------------

def watch_terms(terms=()):
    """The terms to search for: ``--term`` values, else $TRACKER_WATCH_TERMS (comma-separated), else the defaults."""
    if terms:
        return list(dict.fromkeys(terms))
    configured = [t.strip() for t in os.environ.get(WATCH_TERMS_ENV, "").split(",") if t.strip()]
    return configured or list(DEFAULT_WATCH_TERMS)


def questions_step(terms=()):
    """Written questions and statements mentioning a tracked bill's title or a watch term."""

    def step(run):
        searches = []
        for bill_id in tracked_bill_ids(run):
            try:
                bill, _ = load_bill(run.db, bill_id)
            except TrackerError as error:
                run.fail(error)
                continue
            searches.extend((title, bill_id) for title in search_titles(bill))
        searches.extend((term, None) for term in watch_terms(terms))
        sync_written(run, searches)
        _after_step(run)

    return step


def sync_written(run, searches):
    db = run.db
    found = {"written_questions": {}, "written_statements": {}}
    matches = []
    for term, bill_id in searches:
        run.tick(f"questions: {term}", total=len(searches))
        for table, search, parse, pk in (
            ("written_questions", questions_api.search_questions, questions_api.parse_question, "question_id"),
            ("written_statements", questions_api.search_statements, questions_api.parse_statement, "statement_id"),
        ):
            try:
                results = search(run.client, term)
            except TrackerError as error:
                run.fail(error)
                continue
            for value, response in results:
                try:
                    with parsing(questions_api.SOURCE, response.url, record=value["id"]):
                        row, members = parse(value, response.url)
                except TrackerError as error:
                    run.fail(error)
                    continue
                held = found[table].get(row[pk])
                if held is None:
                    row["bill_id"] = bill_id
                    found[table][row[pk]] = (row, members)
                elif bill_id and held[0]["bill_id"] is None:
                    held[0]["bill_id"] = bill_id
                matches.append((table, row[pk], term))
    for table, pk in (("written_questions", "question_id"), ("written_statements", "statement_id")):
        items = list(found[table].values())
        for start in range(0, len(items), WRITE_BATCH):
            with store.transaction(db):
                for row, members in items[start : start + WRITE_BATCH]:
                    for member in members:
                        store.ensure_member(db, member, run_id=run.run_id)
                    if row["bill_id"] is None:
                        stored = db.execute(f"SELECT bill_id FROM [{table}] WHERE [{pk}] = ?", [row[pk]]).fetchone()
                        row["bill_id"] = stored[0] if stored else None
                    store.upsert(db, table, row, run_id=run.run_id, bill_id=row["bill_id"])
    with store.transaction(db):
        for table, item_id, term in matches:
            column = "question_id" if table == "written_questions" else "statement_id"
            store.merge_row(db, "written_matches", {column: item_id, "term": term, "first_seen": store.utcnow()}, key=(column, "term"))
