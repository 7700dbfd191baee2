"""The search page's answers: records named, references, ranked text, tagged documents; exact counts.

One call, :func:`search`, on a read-only SQLite connection, answers a typed query with:

* **records**: members (by any name they have had, former names included) and bills (by
  their short, former or long title) whose names hold every word of a group;
* **references**: ``NC1``, ``new clause 1``, ``Amendment 47B``, ``Motion A1`` read with the one
  grammar (:mod:`scrapers.references`) and resolved stage by stage with the one resolver
  (:mod:`tracker.sync.linking`); ``clause 12`` names the bill's clauses of that number. These
  records come first, before the ranked text;
* **ranked text** of each indexed table: exact bm25 over every match with the schema's column
  weights (:mod:`tracker.publish.ranking`), each hit with its label, context, snippet and, for
  amendments and motions, the readable decision and the lead sponsor; the count of matches
  is exact;
* **tagged** documents: those the tagger linked to a supplier or provision the query names,
  though worded differently (after the matches).

Typed words are ANDed; ``OR`` (in capitals) separates alternatives; "double quotes" make a
phrase; ``word*`` a prefix (:func:`parse`).
"""
import json
import re
from dataclasses import dataclass, field

from markupsafe import Markup, escape

from scrapers import references
from tracker.publish import ranking
from tracker.store import schema
from tracker.sync import linking
from tracker.vocab import Decision

OPEN, CLOSE = "\x02", "\x03"
SNIPPET_TOKENS = 24
RECORDS_LIMIT = 10

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


def plain_snippet(snippet):
    """A snippet (or note) as plain text, for the exports: markers and tags dropped."""
    if snippet is None:
        return None
    return re.sub(r"<[^>]+>", "", str(snippet)).replace(OPEN, "").replace(CLOSE, "")


def snippet_html(snippet):
    """Escape a snippet made with the OPEN/CLOSE markers, marking the matched words."""
    if snippet is None:
        return Markup("")
    text = str(escape(snippet))
    text = re.sub(f"{OPEN}(.*?){CLOSE}", r"<mark>\1</mark>", text, flags=re.DOTALL)
    return Markup(text.replace(OPEN, "").replace(CLOSE, ""))




@dataclass
class Hit:
    """One result: a record of ``kind`` (a table), with what the page and the exports show of it."""

    kind: str
    id: object
    title: str
    kind_label: str
    context: str | None = None
    snippet: str | None = None  # with the OPEN/CLOSE markers round matched words
    rank: float | None = None  # bm25 as FTS5 gives it (lower is better); None for records and references
    decision: str | None = None  # readable (tracker.vocab.Decision)
    decision_code: str | None = None  # the API's code
    lead_sponsor: str | None = None
    lead_sponsor_id: int | None = None
    why: str = "text"  # text, reference, record or tagged
    note: str | None = None  # e.g. "formerly Vernon Coaker", "Tagged Hikvision: CCTV"
    url: str | None = None  # set by the page
    snippet_html: Markup | None = None  # set by the page


@dataclass
class Results:
    q: str
    match: str  # the FTS5 query
    hits: list[Hit] = field(default_factory=list)  # references first, then ranked text, then tagged
    records: list[Hit] = field(default_factory=list)  # members and bills
    counts: dict[str, int] = field(default_factory=dict)  # kind -> exact number of text matches
    more: dict[str, bool] = field(default_factory=dict)  # kind -> more matches than shown
    named: list[dict] = field(default_factory=list)  # suppliers and provisions the query names
    tagged: dict[str, int] = field(default_factory=dict)  # kind -> tagged hits added
    indexed: dict[str, bool] = field(default_factory=dict)  # kind -> ranked from the search index (else FTS5)


def _stage(table):
    return "(SELECT s.description || COALESCE(', ' || s.house, '') FROM bill_stages s WHERE s.bill_stage_id = t.bill_stage_id)"


def _extra_columns(table):
    """Decision and lead sponsor of a tabled record (amendments, motions); NULLs for other tables."""
    if table.tabled:
        return ("t.decision AS decision, t.lead_sponsor_id AS lead_sponsor_id,"
                " (SELECT m.name FROM members m WHERE m.member_id = t.lead_sponsor_id) AS lead_sponsor")
    return "NULL AS decision, NULL AS lead_sponsor_id, NULL AS lead_sponsor"


def hit_sql(table, *, by="rowid"):
    """One row of ``table`` (``:rowid``: its rowid, or its key when ``by`` is "key") as a hit:
    its label, context, decision and lead sponsor (the snippet is made apart: :func:`ranking.snippets`)."""
    where = "t.rowid = :rowid" if by == "rowid" else f"t.[{table.id}] = :rowid"
    return (f"SELECT t.[{table.id}] AS id, {table.label} AS title, {table.context or 'NULL'} AS context,"
            f" {_extra_columns(table)}, NULL AS snippet FROM [{table.name}] t WHERE {where}")


def _hit(table, row, **extra):
    return Hit(kind=table.name, id=row["id"], title=row["title"] or f"{table.name} {row['id']}",
               kind_label=table.search.kind if table.search and table.search.kind else table.name.replace("_", " "),
               context=row["context"], snippet=row["snippet"], decision=Decision.readable_name(row["decision"]),
               decision_code=row["decision"], lead_sponsor=row["lead_sponsor"], lead_sponsor_id=row["lead_sponsor_id"], **extra)


def _rows(conn, sql, params):
    cursor = conn.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


# --- records: members and bills ---------------------------------------------


def _words(groups):
    return [[w for t in g for w in re.findall(r"\w+", t.text.lower())] for g in groups]


def member_hits(conn, groups, limit=RECORDS_LIMIT):
    """Members any of whose names (current, listed or former) holds every word of a group."""
    found: dict[int, Hit] = {}
    for words in _words(groups):
        if not words:
            continue
        likes = " AND ".join("lower(n.name) LIKE ? ESCAPE '\\'" for _ in words)
        params = [f"%{_like(w)}%" for w in words]
        sql = (f"SELECT m.member_id, m.name, m.party, m.house, m.constituency, n.name AS matched, n.kind FROM"
               f" (SELECT member_id, name, NULL AS kind FROM members UNION ALL SELECT member_id, name, kind FROM member_names) n"
               f" JOIN members m ON m.member_id = n.member_id WHERE {likes}"
               f" ORDER BY m.is_current DESC, m.name, n.name LIKE '%,%', n.kind IS NOT NULL LIMIT 200")
        for row in _rows(conn, sql, params):
            if row["member_id"] in found:
                continue
            note = f"formerly {row['matched']}" if row["kind"] == "former" and row["matched"] != row["name"] else None
            found[row["member_id"]] = Hit(
                kind="members", id=row["member_id"], title=row["name"] or f"Member {row['member_id']}", kind_label="Member",
                context=", ".join(x for x in (row["party"], row["constituency"], row["house"]) if x) or None, why="record", note=note)
    return list(found.values())[:limit]


def bill_hits(conn, groups, limit=RECORDS_LIMIT):
    """Bills whose short, former or long title holds every word of a group."""
    found: dict[int, Hit] = {}
    for words in _words(groups):
        if not words:
            continue
        title = "lower(COALESCE(short_title, '') || ' ' || COALESCE(former_short_title, '') || ' ' || COALESCE(long_title, ''))"
        likes = " AND ".join(f"{title} LIKE ? ESCAPE '\\'" for _ in words)
        for row in _rows(conn, f"SELECT bill_id, short_title, current_stage, current_house FROM bills WHERE {likes}"
                               f" ORDER BY bill_id DESC LIMIT {int(limit)}", [f"%{_like(w)}%" for w in words]):
            found.setdefault(row["bill_id"], Hit(
                kind="bills", id=row["bill_id"], title=row["short_title"] or f"Bill {row['bill_id']}", kind_label="Bill",
                context=", ".join(x for x in (row["current_stage"], row["current_house"]) if x) or None, why="record"))
    return list(found.values())[:limit]


def _like(word):
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


# --- references -------------------------------------------------------------

_CLAUSE = re.compile(r"(?<![\w])(?P<kind>clause|schedule|section)\s+(?P<number>\d{1,4}[a-z]?)(?!\w)", re.IGNORECASE)


def named_references(text):
    """``[(kind, number)]`` the text names: amendments, new clauses, motions (the one grammar), and
    clauses ("clause 12", not inside a "new clause 1"), in order and once each."""
    named, taken = [], []
    for ref in references.find_references(text):
        named.append((ref.kind, ref.number))
        taken.append((ref.phrase_start, ref.phrase_start + len(ref.phrase)))
    for match in _CLAUSE.finditer(text or ""):
        if not any(start <= match.start() < end for start, end in taken):
            named.append(("clause", match.group("number").upper()))
    seen = set()
    return [n for n in named if not (n in seen or seen.add(n))]


def reference_hits(conn, text):
    """The records the references in ``text`` stand for, each stage's one record (resolved by
    :class:`linking.StageNumbers`), and the clauses of the numbers named."""
    hits: list[Hit] = []
    for kind, number in named_references(text):
        if kind == "clause":
            for table in (schema.table("bill_clauses"), schema.table("clauses")):
                for row in _rows(conn, f"SELECT rowid FROM [{table.name}] WHERE upper(trim(number)) = ? AND removed_at IS NULL"
                                       f" ORDER BY rowid LIMIT 50", [number]):
                    found = _rows(conn, hit_sql(table), {"rowid": row["rowid"]})
                    hits.extend(_hit(table, r, why="reference", note=f"clause {number}") for r in found)
            continue
        stages = [s for (s,) in conn.execute(
            "SELECT bill_stage_id FROM amendments WHERE upper(trim(number)) = :n AND removed_at IS NULL"
            " UNION SELECT bill_stage_id FROM pingpong_items WHERE upper(trim(number)) = :n AND removed_at IS NULL",
            {"n": number}).fetchall()]
        for stage in sorted(s for s in stages if s is not None):
            amendment_id, item_id = linking.stage_numbers(conn, [stage]).resolve(kind, number)
            for table_name, record_id in (("amendments", amendment_id), ("pingpong_items", item_id)):
                if record_id is None:
                    continue
                table = schema.table(table_name)
                found = _rows(conn, hit_sql(table, by="key"), {"rowid": record_id})
                hits.extend(_hit(table, r, why="reference", note=f"{kind} {number}") for r in found)
    unique: dict[tuple, Hit] = {}
    for hit in hits:
        unique.setdefault((hit.kind, hit.id), hit)
    return list(unique.values())


# --- the search ---------------------------------------------------------------


def search(conn, q, *, kinds=None, per_kind=20, offset=0, tagged=True):
    """Answer ``q`` over ``kinds`` (tables with a search kind; all by default). See the module's docstring."""
    groups = parse(q)
    results = Results(q=q or "", match=render(groups) if groups else "")
    if not groups:
        return results
    chosen = list(kinds or schema.searched())
    names = {t.name for t in chosen}
    if offset == 0:
        results.records = member_hits(conn, groups) + bill_hits(conn, groups)
        results.hits = [h for h in reference_hits(conn, q) if h.kind in names or not kinds]
    shown = {(h.kind, h.id) for h in results.hits}
    for table in chosen:
        ranked = ranking.rank(conn, table, groups, results.match, limit=per_kind + 1, offset=offset)
        results.counts[table.name] = ranked.count
        results.indexed[table.name] = ranked.indexed
        results.more[table.name] = len(ranked.rowids) > per_kind
        page = list(zip(ranked.rowids[:per_kind], ranked.ranks[:per_kind]))
        marked = ranking.snippets(conn, table, results.match, [rowid for rowid, _ in page], tokens=SNIPPET_TOKENS, marks=(OPEN, CLOSE))
        for rowid, rank in page:
            for row in _rows(conn, hit_sql(table), {"rowid": rowid}):
                if (table.name, row["id"]) not in shown:
                    row["snippet"] = marked.get(rowid)
                    results.hits.append(_hit(table, row, rank=rank))
    results.hits[len([h for h in results.hits if h.why == "reference"]):] = sorted(
        (h for h in results.hits if h.why != "reference"), key=lambda h: h.rank)
    if tagged and offset == 0:
        add_tagged(conn, results, chosen, per_kind)
    return results


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


# One entity's documents of one table, the first ``:limit`` in the order of their keys as the
# mentions hold them: walked along the (label, entity_id, doc_table, doc_id) index, so a search
# naming an entity with a hundred thousand mentions reads a page of them (no cast: a key is
# compared in its own type below).
TAGGED_DOCS_SQL = """SELECT doc_id AS id, group_concat(DISTINCT text) AS texts
FROM mentions WHERE label = :label AND entity_id = :id AND doc_table = :kind
GROUP BY doc_id ORDER BY doc_id LIMIT :limit"""


def _keys(conn, table, ids):
    """``ids`` (as the mentions hold them, text) in the type of ``table``'s key, so its index is used."""
    declared = {row[1]: (row[2] or "").upper() for row in conn.execute(f"PRAGMA table_info([{table.name}])").fetchall()}
    if "INT" in declared.get(table.id, ""):
        return [int(i) for i in ids if str(i).lstrip("-").isdigit()]
    return [str(i) for i in ids]


def tagged_snippet(names, texts):
    """The snippet of a tagged hit: which entity, and the words it was found as."""
    words = sorted({w for w in (texts or "").split(",") if w})
    return Markup("Tagged <strong>{}</strong>{}").format(
        ", ".join(names), Markup(": ") + Markup(", ").join(Markup("<mark>{}</mark>").format(w) for w in words) if words else ""
    )


def add_tagged(conn, results, chosen, per_kind):
    """Add the documents tagged with a supplier or provision the query names and not matched by its words."""
    term = entity_term(results.q)
    if not term:
        return
    results.named = _rows(conn, NAMED_ENTITIES_SQL, {"t": term, "slug": slug(term)})
    by_label: dict[str, list[str]] = {}
    for n in results.named:
        by_label.setdefault(n["label"], []).append(n["id"])
    names = {(n["label"], n["id"]): n["name"] or n["id"] for n in results.named}
    for table in chosen:
        found: dict[object, tuple[str, list[str]]] = {}
        for label, ids in by_label.items():
            for entity_id in ids:
                for r in _rows(conn, TAGGED_DOCS_SQL, {"kind": table.name, "label": label, "id": entity_id, "limit": per_kind * 10}):
                    texts, entities = found.get(r["id"], ("", []))
                    found[r["id"]] = (",".join(x for x in (texts, r["texts"]) if x), entities + [names.get((label, entity_id), entity_id)])
        if not found:
            continue
        found = dict(list(found.items())[: per_kind * 10])  # a page's worth, however many narrower provisions
        keys = dict(zip(_keys(conn, table, list(found)), found.values()))
        rowids = dict(conn.execute(f"SELECT rowid, [{table.id}] FROM [{table.name}] WHERE [{table.id}] IN (SELECT value FROM json_each(?))",
                                   [json.dumps(list(keys))]).fetchall())
        # Which of them the words match (those are among the ranked hits already): asked of these rows alone.
        matched = {rowids[r] for r in ranking.matching(conn, table, results.match, list(rowids))}
        shown = {(h.kind, h.id) for h in results.hits}
        extra = [k for k in keys if k not in matched and (table.name, k) not in shown][:per_kind]
        for key in extra:
            for row in _rows(conn, hit_sql(table, by="key"), {"rowid": key}):
                texts, entities = keys[key]
                results.hits.append(_hit(table, row, why="tagged", note=tagged_snippet(sorted(set(entities)), texts)))
        if extra:
            results.tagged[table.name] = len(extra)


def counting_sql(table):
    """What Datasette's table ``?_search=`` runs: a count of every match, then a page by key."""
    fts = table.fts
    where = f"rowid IN (SELECT rowid FROM [{fts}] WHERE [{fts}] MATCH :q)"
    return (
        f"SELECT count(*) FROM [{table.name}] WHERE {where}",
        f"SELECT * FROM [{table.name}] WHERE {where} ORDER BY [{table.id}] LIMIT 101",
    )
