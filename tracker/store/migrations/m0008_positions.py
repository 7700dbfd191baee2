"""Positions: amendment families, members' positions with their evidence, division
alignment, and the Government's commitments.

All of it is derived from the synced tables by ``tracker positions derive``:

* ``amendment_families`` / ``amendment_family_members``: one proposal followed across
  stages and Houses (an amendment or a ping-pong item per row, ``step`` in order;
  ``polarity`` +1 when the step carries the proposal, -1 when it undoes it, such as a
  motion to disagree).
* ``topics``: what a position is about (a family, a provision, a supplier).
* ``position_evidence`` / ``member_positions``: each sponsorship, speech and vote that
  shows a member's stance on a topic, and the stance they add up to.
* ``division_sides`` / ``vote_alignment``: each division's result and the Government's
  side; each vote with or against the member's party and the Government.
* ``commitments`` (synced-style bookkeeping, so a status change is one ``changes`` row)
  and ``commitment_followups``.

Literals are copied here on purpose: migrations are frozen.
"""

TRACKING = {
    "source_url": str,
    "sync_run_id": int,
    "content_hash": str,
    "first_seen": str,
    "last_seen": str,
    "removed_at": str,
}


def migrate(db):
    db["amendment_families"].create(
        {
            "family_id": str,
            "bill_id": int,
            "title": str,
            "topic": str,  # the provision or supplier the family is mostly about ("provision:...")
            "houses": str,
            "steps": int,
            "first_stage_id": int,
            "last_stage_id": int,
            "outcome": str,  # in the Act, concession in the Act, not in the Act, no Act text
            "act_clause_id": str,
            "outcome_note": str,
        },
        pk="family_id",
        foreign_keys=[
            ("bill_id", "bills", "bill_id"),
            ("first_stage_id", "bill_stages", "bill_stage_id"),
            ("last_stage_id", "bill_stages", "bill_stage_id"),
            ("act_clause_id", "bill_clauses", "clause_id"),
        ],
    )
    db["amendment_family_members"].create(
        {
            "family_id": str,
            "amendment_id": int,
            "pingpong_item_id": int,
            "step": int,
            "bill_stage_id": int,
            "polarity": int,
            "role": str,  # proposal, concession, motion, consequential
            "grouped_by": str,  # why it joined: text similarity, sponsors, tags, an explicit reference
        },
        foreign_keys=[
            ("family_id", "amendment_families", "family_id"),
            ("amendment_id", "amendments", "amendment_id"),
            ("pingpong_item_id", "pingpong_items", "pingpong_item_id"),
            ("bill_stage_id", "bill_stages", "bill_stage_id"),
        ],
    )
    db["amendment_family_members"].create_index(["family_id", "step"])
    db["amendment_family_members"].create_index(["amendment_id"])
    db["amendment_family_members"].create_index(["pingpong_item_id"])
    db["topics"].create(
        {
            "topic": str,  # family:<id>, provision:<id>, supplier:<id>
            "kind": str,
            "name": str,
            "family_id": str,
            "provision_id": str,
            "supplier_id": str,
        },
        pk="topic",
        foreign_keys=[
            ("family_id", "amendment_families", "family_id"),
            ("provision_id", "provisions", "provision_id"),
            ("supplier_id", "suppliers", "supplier_id"),
        ],
    )
    db["position_evidence"].create(
        {
            "id": int,
            "member_id": int,
            "topic": str,
            "kind": str,  # sponsored, added name, spoke, voted
            "ref_table": str,
            "ref_id": str,
            "stance": str,  # supports, opposes, neutral
            "quote": str,
            "date": str,
            "detail": str,  # "NC2", "voted aye on commons-1555"
            "rule": str,  # the stance rule (or vote reading) that decided the stance
            "bill_stage_id": int,
            "amendment_id": int,
            "pingpong_item_id": int,
            "contribution_id": int,
            "division_id": str,
        },
        pk="id",
        foreign_keys=[
            ("member_id", "members", "member_id"),
            ("topic", "topics", "topic"),
            ("bill_stage_id", "bill_stages", "bill_stage_id"),
            ("amendment_id", "amendments", "amendment_id"),
            ("pingpong_item_id", "pingpong_items", "pingpong_item_id"),
            ("contribution_id", "contributions", "contribution_id"),
            ("division_id", "divisions", "division_id"),
        ],
    )
    db["position_evidence"].create_index(["member_id", "topic"])
    db["position_evidence"].create_index(["topic"])
    db["member_positions"].create(
        {
            "member_id": int,
            "topic": str,
            "stance": str,  # supports, opposes, mixed, unknown
            "evidence_count": int,
            "supports": int,
            "opposes": int,
            "neutral": int,
            "last_date": str,
            "summary": str,
        },
        pk=("member_id", "topic"),
        foreign_keys=[("member_id", "members", "member_id"), ("topic", "topics", "topic")],
    )
    db["member_positions"].create_index(["topic", "stance"])
    db["division_sides"].create(
        {
            "division_id": str,
            "passed": int,
            "government_side": str,  # aye or no (content counts as aye), or null when unknown
            "government_basis": str,  # which ministers' votes or which mover decided it
            "question_direction": int,  # -1 when an aye is a vote against the linked item
        },
        pk="division_id",
        foreign_keys=[("division_id", "divisions", "division_id")],
    )
    db["vote_alignment"].create(
        {
            "division_id": str,
            "member_id": int,
            "vote": str,
            "side": str,  # aye or no
            "party": str,
            "party_majority": str,
            "with_party": int,
            "government_side": str,
            "with_government": int,
            "rebellion": int,
        },
        pk=("division_id", "member_id"),
        foreign_keys=[("division_id", "divisions", "division_id"), ("member_id", "members", "member_id")],
    )
    db["vote_alignment"].create_index(["member_id"])
    db["commitments"].create(
        {
            "commitment_id": str,  # <source_table>/<source_id>/<hash of the sentence>
            "member_id": int,
            "department": str,
            "text": str,
            "made_on": str,
            "source_table": str,
            "source_id": str,
            "deadline": str,
            "deadline_basis": str,  # the words the deadline was read from
            "status": str,  # open, due, overdue, fulfilled
            "fulfilled_by": str,  # <table>/<id> of the document reporting it met
            "bill_id": int,
            "topic": str,
            "contribution_id": int,
            "statement_id": int,
            "question_id": int,
            **TRACKING,
        },
        pk="commitment_id",
        foreign_keys=[
            ("member_id", "members", "member_id"),
            ("bill_id", "bills", "bill_id"),
            ("topic", "topics", "topic"),
            ("contribution_id", "contributions", "contribution_id"),
            ("statement_id", "written_statements", "statement_id"),
            ("question_id", "written_questions", "question_id"),
            ("sync_run_id", "sync_runs", "id"),
        ],
    )
    db["commitments"].create_index(["status", "deadline"])
    db["commitment_followups"].create(
        {
            "commitment_id": str,
            "kind": str,  # restated, fulfilled
            "source_table": str,
            "source_id": str,
            "member_id": int,
            "date": str,
            "quote": str,
        },
        foreign_keys=[("commitment_id", "commitments", "commitment_id"), ("member_id", "members", "member_id")],
    )
    db["commitment_followups"].create_index(["commitment_id"])
