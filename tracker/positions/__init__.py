"""Positions: amendment families across stages and Houses, members' positions with the
evidence behind them, division alignment, and the Government's commitments.

:func:`derive` recomputes all of it from the synced and tagged tables in one
transaction (run ``tracker tag`` first: speeches' stances and the families' tags
read the mentions). The reading functions the pages and the CLI call live in
:mod:`tracker.positions.views`: :func:`member_summary`, :func:`topic_positions`,
:func:`family_timeline`, :func:`list_commitments`.

Modules, one job each: ``text`` (sentences, TF-IDF), ``rules`` (the JSONL rules),
``government`` (who was a minister when), ``families``, ``stance`` (speeches),
``votes`` (division sides and alignment), ``evidence`` (evidence and positions),
``commitments``, ``views`` (what pages show), ``evaluate`` (precision and recall
against gold sets).
"""
from datetime import date

from tracker import store
from tracker.positions.commitments import (
    commitment_rows,
    find_statements,
    link_followups,
)
from tracker.positions.evidence import collect, positions
from tracker.positions.families import find_families
from tracker.positions.government import Government
from tracker.positions.records import family_topic, tag_names
from tracker.positions.views import (
    family_timeline,
    list_commitments,
    member_summary,
    topic_positions,
)
from tracker.positions.votes import division_sides, vote_alignment
from tracker.store.runs import RUN_LOCK_WAIT

__all__ = ["derive", "family_timeline", "list_commitments", "member_summary", "topic_positions"]


def derive(db, *, today: str | None = None, run_id: int | None = None, lock_wait: float = RUN_LOCK_WAIT) -> dict:
    """Recompute families, positions, division alignment and commitments in one transaction.

    ``today`` (YYYY-MM-DD, default the current date) decides commitments' status.
    Commitments are written with change tracking in run ``run_id`` (a new
    ``positions`` sync run when None, holding the run lock as a sync does: waiting up to
    ``lock_wait`` seconds for the run holding it, then saying which), so a status change
    is a ``changes`` row; everything else is replaced as a whole. Returns counts of what was derived.
    """
    today = today or date.today().isoformat()
    if run_id is not None:
        with store.transaction(db):
            return {**_derive(db, today, run_id), "run_id": run_id}
    with store.run_lock(db, wait=lock_wait) as holder:
        own_run = store.start_run(db, "positions", holder=holder)
        try:
            with store.transaction(db):
                summary = _derive(db, today, own_run)
        except BaseException:
            store.finish_run(db, own_run, "failed")
            raise
        store.finish_run(db, own_run, "ok", message=", ".join(f"{v} {k}" for k, v in summary.items() if k != "run_id"))
    return {**summary, "run_id": own_run}


def _derive(db, today, run_id):
    government = Government.from_db(db)
    families = find_families(db, government)
    sides = division_sides(db, government)
    evidence = collect(db, families, sides)
    commitments = link_followups(find_statements(db, government, families))
    commitment_table, followups = commitment_rows(commitments, today)

    family_rows, member_rows = [], []
    for family in families:
        houses = list(dict.fromkeys(m.item.house for m in family.members if m.item.house in ("Lords", "Commons")))
        family_rows.append({
            "family_id": family.family_id, "bill_id": family.bill_id, "title": family.title, "topic": family.topic,
            "houses": ", ".join(houses), "steps": len(family.members), "first_stage_id": family.members[0].item.stage_id,
            "last_stage_id": family.members[-1].item.stage_id, "outcome": family.outcome,
            "act_clause_id": family.act_clause_id, "outcome_note": family.outcome_note,
        })
        for m in family.members:
            member_rows.append({
                "family_id": family.family_id, "amendment_id": m.item.item_id if not m.item.is_pingpong else None,
                "pingpong_item_id": m.item.item_id if m.item.is_pingpong else None, "step": m.step,
                "bill_stage_id": m.item.stage_id, "polarity": m.polarity, "role": m.role, "grouped_by": m.grouped_by,
            })
    names = tag_names(db)
    topic_rows = {family_topic(f.family_id): {"topic": family_topic(f.family_id), "kind": "family", "name": f.title,
                                              "family_id": f.family_id, "provision_id": None, "supplier_id": None}
                  for f in families}
    used = {e.topic for e in evidence} | {c["topic"] for c in commitment_table if c["topic"]} | {f.topic for f in families if f.topic}
    for topic in sorted(used - set(topic_rows)):
        kind, _, ref = topic.partition(":")
        topic_rows[topic] = {"topic": topic, "kind": kind, "name": names.get(topic, ref), "family_id": None,
                             "provision_id": ref if kind == "provision" else None, "supplier_id": ref if kind == "supplier" else None}
    evidence_rows = [{"id": n, **vars(e)} for n, e in enumerate(evidence, 1)]
    side_rows = [vars(s) for s in sides.values()]

    store.replace_rows(db, "amendment_family_members", member_rows)
    store.replace_rows(db, "amendment_families", family_rows)
    store.replace_rows(db, "topics", list(topic_rows.values()))
    store.replace_rows(db, "position_evidence", evidence_rows)
    store.replace_rows(db, "member_positions", positions(evidence))
    store.replace_rows(db, "division_sides", side_rows)
    store.replace_rows(db, "vote_alignment", vote_alignment(db, sides))
    for row in commitment_table:
        store.upsert(db, "commitments", row, run_id=run_id, bill_id=row["bill_id"])
    store.mark_removed(db, "commitments", {}, [row["commitment_id"] for row in commitment_table], run_id=run_id)
    store.replace_rows(db, "commitment_followups", followups)
    return {"families": len(family_rows), "topics": len(topic_rows), "evidence": len(evidence_rows),
            "positions": len({(e.member_id, e.topic) for e in evidence}), "divisions": len(side_rows),
            "commitments": len(commitment_table), "follow-ups": len(followups)}
