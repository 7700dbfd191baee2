"""Indexes that keep the member page's positions and lists to a page's worth of index entries.

A busy member has tens of thousands of evidence rows and sponsorships; the page shows a few
of each, read from these indexes in the order shown, so the rest are never read:
``position_evidence (member_id, topic, date, kind, ref_id)`` (a position's first pieces of
evidence, in date order), ``commitments (member_id, made_on)`` (the commitments a member made),
``amendment_sponsors (member_id, amendment_id)`` and ``pingpong_sponsors (member_id,
pingpong_item_id)`` (the items a member tabled or supported, in the order of their ids).
"""


def migrate(db):
    db["position_evidence"].create_index(["member_id", "topic", "date", "kind", "ref_id"], if_not_exists=True)
    db["commitments"].create_index(["member_id", "made_on"], if_not_exists=True)
    db["amendment_sponsors"].create_index(["member_id", "amendment_id"], if_not_exists=True)
    db["pingpong_sponsors"].create_index(["member_id", "pingpong_item_id"], if_not_exists=True)
