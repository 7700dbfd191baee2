"""Indexes that keep every page of the publication to a few index lookups, at any size.

* ``mentions (doc_table, doc_id, label, entity_id)`` replaces ``(doc_table, doc_id)``: a
  member's speeches naming suppliers and provisions read their mentions from the index
  alone. ``doc_id`` is stored as text (the tagger writes ``str(key)``), so lookups pass
  the key in that form; the index serves every lookup the narrower one did.
* ``mentions (member_id, doc_table, doc_id)`` replaces ``(member_id)``: the documents naming
  a member, grouped and paged in index order.
* the columns the member and supplier pages look records up by: ``pingpong_sponsors.member_id``,
  ``written_questions.asking_member_id``, ``divisions.amendment_id`` and ``pingpong_item_id``,
  ``suppliers.parent_id`` and ``provisions.parent_id``.
"""


def migrate(db):
    db["mentions"].create_index(["doc_table", "doc_id", "label", "entity_id"], if_not_exists=True)
    db.execute("DROP INDEX IF EXISTS idx_mentions_doc_table_doc_id")
    db["mentions"].create_index(["member_id", "doc_table", "doc_id"], if_not_exists=True)
    db.execute("DROP INDEX IF EXISTS idx_mentions_member_id")
    db["pingpong_sponsors"].create_index(["member_id"], if_not_exists=True)
    db["written_questions"].create_index(["asking_member_id", "date_tabled"], if_not_exists=True)
    db["divisions"].create_index(["amendment_id"], if_not_exists=True)
    db["divisions"].create_index(["pingpong_item_id"], if_not_exists=True)
    db["suppliers"].create_index(["parent_id"], if_not_exists=True)
    db["provisions"].create_index(["parent_id"], if_not_exists=True)
