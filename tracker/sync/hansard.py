"""The Hansard step: each tracked bill's debates in both Houses, their contributions and the amendments they name."""
import json

from scrapers import hansard as hansard_api
from scrapers import references
from scrapers.errors import TrackerError, parsing
from scrapers.values import string
from tracker import store
from tracker.sync import Records, Step
from tracker.sync.common import content, evidenced_removals, load_bill, per_bill_step, rows, search_titles
from tracker.sync.linking import stage_candidates, stage_numbers, tell_stage


def hansard_step() -> Step:
    """Each tracked bill's debates in both Houses (Chamber, Westminster Hall, Grand
    Committee and Public Bill Committee), found by title on each sitting date (so after the stages).
    Speeches are tied to the amendments already in; the relink step ties them to those that come later."""
    return Step("hansard", "hansard", per_bill_step(sync_bill_debates), reads=frozenset({Records.STAGES}),
                writes=frozenset({Records.DEBATES, Records.MEMBER_REFERENCES}))


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
                        ext_id = string(item, "DebateSectionExtId")
                        if ext_id and hansard_api.title_matches(string(item, "Title"), title):
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
            gone = evidenced_removals(run, previous, found, what=f"debates on {date}", source=hansard_api.SOURCE,
                                      url=hansard_api.search_debates_url(), own_url=hansard_api.debate_url)
            kept = sorted(set(found) | (set(previous) - set(gone)))
            with store.transaction(db):
                remove_debates(db, gone, run_id=run.run_id, bill_id=bill_id)
                store.set_state(db, state_key, json.dumps(kept), run_id=run.run_id)
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
        debate = hansard_api.parse_debate(data, response.url)
    debates, contributions = [d.row() for d in debate.sections], [c.row() for c in debate.contributions]
    gone = _gone_from_debate(run, debates, contributions, response.url)
    write_debate(run, bill_id, stages, debates, contributions, gone)
    return {d["debate_id"] for d in debates}


def _gone_from_debate(run, debates, contributions, url):
    """``{table: ids}`` of the stored contributions and child sections of ``debates`` that the
    fetched debate no longer holds and are gone on evidence (:func:`evidenced_removals`)."""
    gone = {"contributions": [], "debates": []}
    for debate in debates:
        scope = debate["debate_id"]
        _, said = store.unlisted_ids(run.db, "contributions", {"debate_id": scope}, ())
        gone["contributions"] += evidenced_removals(
            run, said, [c["contribution_id"] for c in contributions if c["debate_id"] == scope],
            what=f"contributions of {scope}", source=hansard_api.SOURCE, url=url)
        _, sections = store.unlisted_ids(run.db, "debates", {"parent_debate_id": scope}, ())
        gone["debates"] += evidenced_removals(
            run, sections, [d["debate_id"] for d in debates if d["parent_debate_id"] == scope],
            what=f"sections of {scope}", source=hansard_api.SOURCE, url=url, own_url=hansard_api.debate_url)
    return gone


def _link_debates(db, bill_id, stages, debates):
    """Set each section's bill and stage; return ``{debate_id: the numbers its speeches' references resolve among}``
    (its stage's, or every candidate stage's when the stage cannot be told)."""
    scope, stage_of, numbers = {}, {}, {}
    for debate in debates:
        candidates = stage_candidates(stages, debate["house"], debate["date"])
        parent_stage = stage_of.get(debate.get("parent_debate_id"))
        debate["bill_id"] = bill_id
        debate["bill_stage_id"] = tell_stage(candidates, debate.get("title"), default=parent_stage)
        stage_of[debate["debate_id"]] = debate["bill_stage_id"]
        stage_ids = (debate["bill_stage_id"],) if debate["bill_stage_id"] else tuple(s["bill_stage_id"] for s in candidates)
        if stage_ids not in numbers:
            numbers[stage_ids] = stage_numbers(db, stage_ids)
        scope[debate["debate_id"]] = numbers[stage_ids]
    return scope


def contribution_links(contribution, numbers):
    """``contribution_amendments`` rows for one contribution's references that ``numbers`` resolves:
    one per amendment or item, with the strongest way the speech treats it (and the words first saying so)."""
    links = {}
    for ref in references.find_references(contribution.get("text")):
        amendment_id, item_id = numbers.resolve(ref.kind, ref.number)
        if amendment_id is None and item_id is None:
            continue
        key = (amendment_id, item_id)
        if key not in links or references.HOW_RANK[ref.how] > references.HOW_RANK[links[key]["how"]]:
            links[key] = {"contribution_id": contribution["contribution_id"], "amendment_id": amendment_id,
                          "pingpong_item_id": item_id, "how": ref.how, "reference": ref.phrase}
    return list(links.values())


def write_debate(run, bill_id, stages, debates, contributions, gone=None):
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
        for contribution in contributions:
            store.upsert(db, "contributions", contribution, run_id=run.run_id, bill_id=bill_id)
            store.replace_links(db, "contribution_amendments", "contribution_id", contribution["contribution_id"],
                                contribution_links(contribution, scope[contribution["debate_id"]]))
        for table, ids in (gone or {}).items():
            store.remove_records(db, table, ids, run_id=run.run_id, bill_id=bill_id)


def relink_debates(run, bill_id, stages, skip=()):
    """Re-tell the stage and amendment links of stored debates not fetched in this run
    (the bill's stages or amendments may have arrived since)."""
    db = run.db
    debates = [content(d) for d in rows(db, "SELECT * FROM debates WHERE bill_id = ? AND removed_at IS NULL ORDER BY parent_debate_id IS NOT NULL", [bill_id])
               if d["debate_id"] not in skip]
    if not debates:
        return
    scope = _link_debates(db, bill_id, stages, debates)
    with store.transaction(db):
        for debate in debates:
            store.upsert(db, "debates", debate, run_id=run.run_id, bill_id=bill_id)
            for contribution in rows(db, "SELECT contribution_id, text FROM contributions WHERE debate_id = ? AND removed_at IS NULL", [debate["debate_id"]]):
                store.replace_links(db, "contribution_amendments", "contribution_id", contribution["contribution_id"],
                                    contribution_links(contribution, scope[debate["debate_id"]]))
