"""Mentions keep only the indexes their readers use; a link column's index holds only the rows it links.

``tracker tag`` writes every mention once per tagging, and every index of ``mentions`` is
written with it: seven indexes made the writes most of a tagging run. Each index, against
the queries that read ``mentions``:

* ``(doc_table, doc_id)``: a document's mentions (the record pages, the alerts), and the
  tagger's own replace and delete by document field. It becomes ``(doc_table, doc_id,
  label, entity_id)``: the same lookups, and a member's speeches naming suppliers and
  provisions read from the index alone; one index either way.
* ``(label, entity_id)``: an entity's mentions (supplier, provision and member pages), the
  search page's tagged documents, the canned queries and the positions' reads (by label).
  Kept.
* ``member_id``, ``supplier_id``, ``provision_id``, ``amendment_id``, ``pingpong_item_id``:
  each is a foreign key, and Datasette's row page of the record it points to counts the
  mentions pointing at it (``count(*) ... WHERE member_id = :id``), which without an index
  reads the whole table on every such page; a member's page lists the documents naming
  them by ``member_id``. But most mentions have one of these links or none: each becomes a
  partial index ``WHERE <column> IS NOT NULL``, which SQLite uses for ``<column> = ?``, so a
  mention enters only the index of the link it has, not all five. ``member_id``'s is
  ``(member_id, doc_table, doc_id)``: the documents naming a member, grouped in index order.
* ``nlp_documents(pipeline_version)``: read by nothing (what was tagged is read by its key).
  Dropped.

The index names are those ``sqlite-utils`` gives these columns, so a later migration creating
the same index ``if_not_exists`` finds it made.
"""

PARTIAL = {"member_id": ("member_id", "doc_table", "doc_id"), "supplier_id": ("supplier_id",),
           "provision_id": ("provision_id",), "amendment_id": ("amendment_id",), "pingpong_item_id": ("pingpong_item_id",)}


def migrate(db):
    db.execute("CREATE INDEX IF NOT EXISTS [idx_mentions_doc_table_doc_id_label_entity_id]"
               " ON mentions (doc_table, doc_id, label, entity_id)")
    db.execute("DROP INDEX IF EXISTS [idx_mentions_doc_table_doc_id]")
    for column, columns in PARTIAL.items():
        name = "idx_mentions_" + "_".join(columns)
        db.execute(f"DROP INDEX IF EXISTS [idx_mentions_{column}]")
        db.execute(f"DROP INDEX IF EXISTS [{name}]")  # (made over every row by an earlier migration)
        db.execute(f"CREATE INDEX [{name}] ON mentions ({', '.join(f'[{c}]' for c in columns)}) WHERE [{column}] IS NOT NULL")
    db.execute("DROP INDEX IF EXISTS [idx_nlp_documents_pipeline_version]")
