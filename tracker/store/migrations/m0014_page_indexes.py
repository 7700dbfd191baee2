"""Indexes that keep the member and supplier pages to a few index lookups, at any size.

The columns those pages look records up by (m0010 made the ``mentions`` indexes they read):
``pingpong_sponsors.member_id`` (the motions a member tabled), ``written_questions
(asking_member_id, date_tabled)`` (a member's questions in date order), ``divisions.amendment_id``
and ``pingpong_item_id`` (the divisions on an item), ``suppliers.parent_id`` and
``provisions.parent_id`` (a supplier's subsidiaries, a provision's narrower provisions).
"""


def migrate(db):
    db["pingpong_sponsors"].create_index(["member_id"], if_not_exists=True)
    db["written_questions"].create_index(["asking_member_id", "date_tabled"], if_not_exists=True)
    db["divisions"].create_index(["amendment_id"], if_not_exists=True)
    db["divisions"].create_index(["pingpong_item_id"], if_not_exists=True)
    db["suppliers"].create_index(["parent_id"], if_not_exists=True)
    db["provisions"].create_index(["parent_id"], if_not_exists=True)
