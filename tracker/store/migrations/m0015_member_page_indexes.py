"""Indexes that keep the member page and the positions pages to a page's worth of index entries.

A busy member has tens of thousands of evidence rows and sponsorships, a named supplier tens of
thousands of pieces of evidence; the pages show a few of each, read from these indexes in the
order shown, so the rest are never read: ``member_positions`` in the member page's order (the
topic's kind as its key spells it, the stance, the most evidence first); ``position_evidence
(member_id, topic, date, kind, ref_id)`` (a member's first pieces of evidence on a topic, in date
order), ``(topic, kind, division_id)`` (the divisions about a topic) and ``(topic, bill_stage_id,
stance, member_id, date)`` (who took which side at each stage, from the index alone);
``commitments (member_id, made_on)`` (a member's commitments in date order), ``(topic)`` and
``(status, removed_at, deadline IS NULL, deadline)`` (one status's commitments, the nearest
deadline first and the undated last, and each status's count from the index alone); ``topics
(kind, name)`` (the topics page's order); ``amendment_sponsors (member_id, amendment_id)`` and
``pingpong_sponsors (member_id, pingpong_item_id)`` (the items a member tabled or supported, in
the order of their ids).
"""


def migrate(db):
    db.execute("CREATE INDEX IF NOT EXISTS idx_member_positions_member_page ON member_positions (member_id,"
               " substr(topic, 1, instr(topic, ':')),"
               " CASE stance WHEN 'supports' THEN 0 WHEN 'opposes' THEN 1 WHEN 'mixed' THEN 2 WHEN 'unknown' THEN 3 ELSE 4 END,"
               " evidence_count DESC, topic)")
    db["position_evidence"].create_index(["member_id", "topic", "date", "kind", "ref_id"], if_not_exists=True)
    db["position_evidence"].create_index(["topic", "kind", "division_id"], if_not_exists=True)
    db["position_evidence"].create_index(["topic", "bill_stage_id", "stance", "member_id", "date"], if_not_exists=True)
    db["commitments"].create_index(["member_id", "made_on"], if_not_exists=True)
    db["commitments"].create_index(["topic"], if_not_exists=True)
    db.execute("CREATE INDEX IF NOT EXISTS idx_commitments_status_removed_at_undated_deadline"
               " ON commitments (status, removed_at, deadline IS NULL, deadline)")
    db["topics"].create_index(["kind", "name"], if_not_exists=True)
    db["amendment_sponsors"].create_index(["member_id", "amendment_id"], if_not_exists=True)
    db["pingpong_sponsors"].create_index(["member_id", "pingpong_item_id"], if_not_exists=True)
