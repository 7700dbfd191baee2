"""The divisions steps, one per House: each tracked bill's divisions, every vote, and the amendment voted on."""
import functools
import hashlib

from scrapers import hansard as hansard_api
from scrapers import votes as votes_api
from scrapers.errors import TrackerError, parsing
from scrapers.values import integer, string
from tracker import store
from tracker.sync import Records, Step
from tracker.sync.common import content, load_bill, per_bill_step, remove_unlisted, rows, search_titles
from tracker.sync.linking import stage_candidates, stage_numbers, tell_stage


# Each House's Votes API: its service (a key of BASE_URL_DEFAULTS), source, search, fetch, parse, and the id and title keys.
HOUSE_VOTES = {
    "Commons": ("commonsvotes", votes_api.COMMONS, votes_api.search_commons, votes_api.fetch_commons_division, votes_api.parse_commons_division, "DivisionId", "Title"),
    "Lords": ("lordsvotes", votes_api.LORDS, votes_api.search_lords, votes_api.fetch_lords_division, votes_api.parse_lords_division, "divisionId", "title"),
}
# A division's own URL, from its ``division_id`` (``commons-1555``).
OWN_URL = {
    "Commons": lambda key: votes_api.commons_url(f"/data/division/{key.rsplit('-', 1)[1]}.json"),
    "Lords": lambda key: votes_api.lords_url(f"/data/Divisions/{key.rsplit('-', 1)[1]}"),
}
SEARCH_URL = {"Commons": lambda: votes_api.commons_url("/data/divisions.json/search"),
              "Lords": lambda: votes_api.lords_url("/data/Divisions/search")}


def divisions_steps() -> list[Step]:
    """A step for each House (each House's votes are a service of their own), after the stages:
    each tracked bill's divisions in that House, with every vote and the amendment voted on (the
    amendments already in; the relink step ties those that come later)."""
    return [Step(f"divisions:{house}", HOUSE_VOTES[house][0], per_bill_step(functools.partial(sync_bill_divisions, house=house)),
                 reads=frozenset({Records.STAGES}), writes=frozenset({Records.DIVISIONS, Records.MEMBER_REFERENCES})) for house in HOUSE_VOTES]


def _marker(item):
    return item.get("PublicationUpdated") or hashlib.sha256(store.canonical(item).encode("utf-8")).hexdigest()[:16]


def link_division(db, row, stages):
    """Set a division's stage and amendment (or ping-pong item) from its title and date."""
    candidates = stage_candidates(stages, row["house"], row["date"])
    row["bill_stage_id"] = tell_stage(candidates, row.get("title"))
    target = votes_api.division_target(row.get("title"), row.get("notes"))
    row["amendment_ref"] = target.reference if target else None
    amendment_id = item_id = None
    if target:
        stage_ids = [row["bill_stage_id"]] if row["bill_stage_id"] else [s["bill_stage_id"] for s in candidates]
        amendment_id, item_id = stage_numbers(db, stage_ids).resolve(target.kind, target.number)
    row["amendment_id"], row["pingpong_item_id"] = amendment_id, item_id
    return row


def sync_bill_divisions(run, bill_id, *, house):
    db = run.db
    bill, stages = load_bill(db, bill_id)
    dates = sorted(d for s in stages for d in s["dates"])
    if not dates:
        run.say(f"bill {bill_id}: no sitting dates, so no {house} divisions searched")
        return
    _service, source, search, fetch, parse, id_key, title_key = HOUSE_VOTES[house]
    found = {}
    try:
        for title in search_titles(bill):
            for item, response in search(run.client, title, dates[0], dates[-1]):
                with parsing(source, response.url, record="search result"):
                    api_id = integer(item, id_key)
                    if api_id is not None and hansard_api.title_matches(string(item, title_key), title):
                        found.setdefault(api_id, item)
    except TrackerError as error:
        run.fail(error)
        found = None
    if found is not None:
        # The search was complete: a division it no longer lists is gone if its own URL says so.
        remove_unlisted(run, "divisions", {"bill_id": bill_id, "house": house}, [votes_api.division_key(house, api_id) for api_id in found],
                        source=source, url=SEARCH_URL[house](), own_url=OWN_URL[house], bill_id=bill_id, what=f"{house} divisions")
    for api_id, item in (found or {}).items():
        key = votes_api.division_key(house, api_id)
        state_key = f"divisions:{key}"
        if not run.full and store.get_state(db, state_key) == _marker(item):
            continue
        run.tick(f"{bill_id}: division {key}", total=len(found))
        try:
            data, response = fetch(run.client, api_id)
            with parsing(source, response.url, record=key):
                division = parse(data, response.url)
            row, votes, members = division.row(), [v.row() for v in division.votes], [m.row() for m in division.members]
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
    relink_divisions(run, bill_id, stages, house=house)


def relink_divisions(run, bill_id, stages, *, house=None):
    """Re-tell the stage and amendment links of a bill's stored divisions (in ``house``, or both):
    they change as stages and amendments arrive."""
    db = run.db
    scope = {"bill_id": bill_id, "house": house} if house else {"bill_id": bill_id}
    where = " AND ".join(f"[{column}] = ?" for column in scope)
    stored = [content(r) for r in rows(db, f"SELECT * FROM divisions WHERE {where} AND removed_at IS NULL", list(scope.values()))]
    with store.transaction(db):
        for row in stored:
            store.upsert(db, "divisions", link_division(db, row, stages), run_id=run.run_id, bill_id=bill_id)
