"""The search index beside FTS5 (issue 13): impact-ordered postings, and a generation per indexed table.

* ``search_generations``: one row per full-text-indexed table, its ``generation`` bumped by
  triggers on every insert, delete and update of an indexed column, so an index built at
  an older generation is known to be stale (never silently wrong);
* ``search_index``: per table, the generation the index was built at, the documents'
  rowids and lengths in tokens (the FTS5 tokenizer's own counts) and the token total;
* ``search_terms``: per table and term, its document frequency and each block's frontier of (frequency, length);
* ``search_blocks``: the postings of a term, ordered by impact and cut into blocks.

The indexed tables and columns are read from the FTS5 tables that exist (m0004), so this
migration holds no list of its own.
"""


def migrate(db):
    db.execute("CREATE TABLE search_generations (table_name TEXT PRIMARY KEY, generation INTEGER NOT NULL)")
    db.execute(
        "CREATE TABLE search_index (table_name TEXT PRIMARY KEY, generation INTEGER NOT NULL, documents INTEGER NOT NULL,"
        " length_total INTEGER NOT NULL, rowids BLOB NOT NULL, lengths BLOB NOT NULL, built_at TEXT NOT NULL)"
    )
    db.execute(
        "CREATE TABLE search_terms (table_name TEXT NOT NULL, term TEXT NOT NULL, df INTEGER NOT NULL, block_of BLOB NOT NULL,"
        " block_freqs BLOB NOT NULL, block_lengths BLOB NOT NULL, PRIMARY KEY (table_name, term))"
    )
    db.execute(
        "CREATE TABLE search_blocks (table_name TEXT NOT NULL, term TEXT NOT NULL, block INTEGER NOT NULL,"
        " docs BLOB NOT NULL, freqs BLOB NOT NULL, PRIMARY KEY (table_name, term, block))"
    )
    names = [row[0] for row in db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE%fts5%' ORDER BY name").fetchall()]
    for fts in names:
        table = fts.removesuffix("_fts")
        columns = [row[1] for row in db.execute(f"PRAGMA table_info([{fts}])").fetchall()]
        bump = (f"INSERT INTO search_generations (table_name, generation) VALUES ('{table}', 1)"
                " ON CONFLICT(table_name) DO UPDATE SET generation = generation + 1;")
        db.execute(f"INSERT INTO search_generations (table_name, generation) VALUES ('{table}', 1)")
        db.execute(f"CREATE TRIGGER [{table}_search_ai] AFTER INSERT ON [{table}] BEGIN {bump} END")
        db.execute(f"CREATE TRIGGER [{table}_search_ad] AFTER DELETE ON [{table}] BEGIN {bump} END")
        cols = ", ".join(f"[{c}]" for c in columns)
        db.execute(f"CREATE TRIGGER [{table}_search_au] AFTER UPDATE OF {cols} ON [{table}] BEGIN {bump} END")
