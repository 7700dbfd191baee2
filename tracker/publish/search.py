"""Ranked full-text search (FTS5 bm25 with snippets) across every indexed table.

The ranked query lets FTS5 order by ``rank`` itself and stop at ``LIMIT``, so
snippets are made only for the rows shown and nothing counts every match: that
is what keeps a search over a million contributions fast (see
``benchmarks/search_speed.py``).

Scoring costs about a microsecond and a half per matching row, so a word found
in a fifth of a million speeches would take a quarter of a second to rank
exactly. Ranking is therefore bounded: when a search matches more than
``RANK_WINDOW`` rows of one table, it ranks the newest ``RANK_WINDOW`` of them
(the highest rowids: official ids grow with time) and the page says so, with a
link to rank every match (``exact``). Below the window the ranking is exact.
"""
import re

from markupsafe import Markup, escape

from tracker.publish import ranking

OPEN, CLOSE = "\x02", "\x03"
RANK_WINDOW = 20_000

_TOKEN = re.compile(r'"[^"]*"|\S+')
OR = "OR"


def parse(text: str | None) -> list[list[ranking.Token]]:
    """What a person typed, as groups of words: every word of a group must appear, and
    ``OR`` (in capitals) between words starts another group ("hikvision OR dahua").

    A phrase in double quotes stays a phrase, a trailing ``*`` makes a prefix; punctuation
    and FTS5's other keywords are plain words. Empty groups are dropped.
    """
    groups: list[list[ranking.Token]] = [[]]
    for token in _TOKEN.findall(str(text or "")):
        if token == OR:
            groups.append([])
            continue
        phrase = token.startswith('"')
        prefix = token.endswith("*") and not phrase
        word = token.strip('"').rstrip("*") if prefix else token.strip('"')
        if word.strip():
            groups[-1].append(ranking.Token(word, phrase=phrase, prefix=prefix))
    return [g for g in groups if g]


def render(groups: list[list[ranking.Token]]) -> str:
    """The FTS5 query of parsed groups: each word quoted, so nothing typed is FTS5 syntax but ``OR``."""
    def quoted(token):
        return '"' + token.text.replace('"', '""') + '"' + ("*" if token.prefix else "")

    parts = [" ".join(quoted(t) for t in group) for group in groups]
    if len(parts) == 1:
        return parts[0]
    return " OR ".join(f"({p})" if len(g) > 1 else p for p, g in zip(parts, groups))


def fts_query(text):
    """A safe FTS5 query from what a person typed (see :func:`parse`); "" for nothing searchable."""
    groups = parse(text)
    return render(groups) if groups else ""


def snippet_html(snippet):
    """Escape a snippet made with the OPEN/CLOSE markers, marking the matched words."""
    if snippet is None:
        return Markup("")
    text = str(escape(snippet))
    text = re.sub(f"{OPEN}(.*?){CLOSE}", r"<mark>\1</mark>", text, flags=re.S)
    return Markup(text.replace(OPEN, "").replace(CLOSE, ""))


def ranked_sql(table, *, snippet_tokens=24):
    """The ranked query for one indexed table (a :class:`schema.Table`): params ``:q``, ``:floor``, ``:limit``, ``:offset``.

    The inner query is FTS5 alone ordered by ``rank`` (bm25 with the schema's weights)
    over the matches with ``rowid >= :floor`` (see :func:`floor_sql`), so snippets are
    made only for the rows returned; the outer query names each row by its label.
    """
    fts = table.fts
    return f"""SELECT '{table.name}' AS kind, t.[{table.id}] AS id, {table.label} AS title, {table.context or 'NULL'} AS context, f.snippet, f.rank
FROM (
  SELECT rowid, snippet([{fts}], -1, char(2), char(3), '…', {int(snippet_tokens)}) AS snippet, rank
  FROM [{fts}] WHERE [{fts}] MATCH :q AND rowid >= :floor ORDER BY rank LIMIT :limit OFFSET :offset
) f
JOIN [{table.name}] t ON t.rowid = f.rowid
ORDER BY f.rank"""


def floor_sql(table):
    """The lowest rowid of the newest ``:window`` matches, or no row when there are fewer (rank all)."""
    fts = table.fts
    return f"SELECT rowid FROM [{fts}] WHERE [{fts}] MATCH :q ORDER BY rowid DESC LIMIT 1 OFFSET :window - 1"


def params(q, *, limit, offset=0, floor=0):
    return {"q": q, "limit": limit, "offset": offset, "floor": floor}


# --- tagged entities ------------------------------------------------------
# A search that names a supplier or a provision (by name, alias or id) also finds the
# documents the tagger linked to it (and, for a provision, to its narrower provisions),
# though their words differ: "surveillance equipment" finds an amendment about
# "surveillance cameras" tagged as that provision.


def entity_term(text):
    """What a typed query is compared with: lower case, quotes and ``*`` dropped, spaces single."""
    return " ".join(str(text or "").replace('"', " ").replace("*", " ").lower().split())


def slug(term):
    return re.sub(r"[^a-z0-9]+", "-", term).strip("-")


# The suppliers and provisions (with their narrower provisions) a term names; params ``:t``, ``:slug``.
NAMED_ENTITIES_SQL = """WITH RECURSIVE wanted(label, id, name) AS (
  SELECT 'SUPPLIER' AS label, supplier_id AS id, name FROM suppliers
  WHERE lower(name) = :t OR supplier_id = :slug
     OR (json_valid(aliases) AND EXISTS (SELECT 1 FROM json_each(aliases) WHERE lower(value) = :t))
  UNION SELECT 'PROVISION', provision_id, name FROM provisions WHERE lower(name) = :t OR provision_id = :slug
  UNION SELECT 'PROVISION', p.provision_id, p.name FROM provisions p JOIN wanted w ON w.label = 'PROVISION' AND p.parent_id = w.id
)
SELECT DISTINCT label, id, name FROM wanted"""


TAGGED_DOCS_SQL = """SELECT CAST(doc_id AS TEXT) AS id, group_concat(DISTINCT text) AS texts, group_concat(DISTINCT entity_id) AS entities
FROM mentions WHERE doc_table = :kind AND label = :label AND entity_id IN (SELECT value FROM json_each(:ids))
GROUP BY CAST(doc_id AS TEXT) ORDER BY min(id) LIMIT :limit"""


def fts_matched_sql(table):
    """Which of ``:ids`` the text search ``:q`` matches (those are already among the ranked results)."""
    fts, key = table.fts, table.id
    return (f"SELECT CAST(t.[{key}] AS TEXT) AS id FROM [{fts}] f JOIN [{table.name}] t ON t.rowid = f.rowid"
            f" WHERE [{fts}] MATCH :q AND CAST(t.[{key}] AS TEXT) IN (SELECT value FROM json_each(:ids))")


def titles_sql(table):
    """Labelled rows of ``table`` for the ids in ``:ids`` (the search's other hits: tagged, not matched)."""
    return (f"SELECT '{table.name}' AS kind, t.[{table.id}] AS id, {table.label} AS title, {table.context or 'NULL'} AS context"
            f" FROM [{table.name}] t WHERE CAST(t.[{table.id}] AS TEXT) IN (SELECT value FROM json_each(:ids))")


def tagged_snippet(names, texts):
    """The snippet of a tagged hit: which entity, and the words it was found as."""
    words = sorted({w for w in (texts or "").split(",") if w})
    return Markup("Tagged <strong>{}</strong>{}").format(
        ", ".join(names), Markup(": ") + Markup(", ").join(Markup("<mark>{}</mark>").format(w) for w in words) if words else ""
    )


def counting_sql(table):
    """What Datasette's table ``?_search=`` runs: a count of every match, then a page by key."""
    fts = table.fts
    where = f"rowid IN (SELECT rowid FROM [{fts}] WHERE [{fts}] MATCH :q)"
    return (
        f"SELECT count(*) FROM [{table.name}] WHERE {where}",
        f"SELECT * FROM [{table.name}] WHERE {where} ORDER BY [{table.id}] LIMIT 101",
    )
