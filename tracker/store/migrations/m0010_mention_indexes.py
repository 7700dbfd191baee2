"""Mentions keep only the indexes their readers use; a link column's index holds only the rows it links.

``tracker tag`` writes every mention once per tagging, and every index of ``mentions`` is
written with it: seven indexes made the writes most of a tagging run. Each index, against
the queries that read ``mentions``:

* ``(doc_table, doc_id)``: a document's mentions (the record pages, the alerts), and the
  tagger's own replace and delete by document field. Kept.
* ``(label, entity_id)``: an entity's mentions (supplier, provision and member pages), the
  search page's tagged documents, the canned queries and the positions' reads (by label).
  Kept.
* ``member_id``, ``supplier_id``, ``provision_id``, ``amendment_id``, ``pingpong_item_id``:
  no page of the tracker's own looks a mention up by these (a member, supplier or provision
  is found through ``(label, entity_id)``, whose ``entity_id`` is the same id), but each is a
  foreign key, and Datasette's row page of the record it points to counts the mentions
  pointing at it (``count(*) ... WHERE member_id = :id``), which without an index reads the
  whole table on every such page. Each becomes a partial index ``WHERE <column> IS NOT NULL``:
  SQLite uses it for ``<column> = ?``, and a mention enters only the index of the link it
  has (a linked member enters one, an unlinked name or reference none), not all five.
* ``nlp_documents(pipeline_version)``: read by nothing (what was tagged is read by its key).
  Dropped.
"""

LINK_COLUMNS = ("member_id", "supplier_id", "provision_id", "amendment_id", "pingpong_item_id")


def migrate(db):
    for column in LINK_COLUMNS:
        db.execute(f"DROP INDEX IF EXISTS [idx_mentions_{column}]")
        db.execute(f"CREATE INDEX [idx_mentions_{column}] ON mentions ([{column}]) WHERE [{column}] IS NOT NULL")
    db.execute("DROP INDEX IF EXISTS [idx_nlp_documents_pipeline_version]")
