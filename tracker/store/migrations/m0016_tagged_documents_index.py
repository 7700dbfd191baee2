"""An entity's mentions by document: the search page's tagged documents read a page's worth.

A search naming a supplier or a provision also lists the documents of each table tagged
with it. ``(label, entity_id)`` gave an entity's mentions but not a table's documents in
order, so SQLite read every mention of the table instead (``(doc_table, ...)``: 85 ms at
100,000 contributions and ten times that at a million, for one table of one search).
``(label, entity_id, doc_table, doc_id)`` hands over one entity's documents of one table in
order, so the first page stops after a page. It serves every reader of the index it
replaces (an entity's mentions, by its first two columns), so ``mentions`` keeps as many
indexes as before for ``tracker tag`` to write.
"""


def migrate(db):
    db["mentions"].create_index(["label", "entity_id", "doc_table", "doc_id"], if_not_exists=True)
    db.execute("DROP INDEX IF EXISTS [idx_mentions_label_entity_id]")
