"""Every table of the tracker, declared once: what the code that reads the database knows about it.

The migrations create the tables and stay frozen; this module says what each table *is*:
its key, the tables its columns refer to, which column holds its bill, which columns name
members, the label a record is shown by, its page, its full-text index (columns and bm25
weights), and the texts the tagger reads with their context. Search, the pages, the feeds,
the Datasette plugin, the tagger, ``tracker status`` and the members step all read it, so a
new table is taught to all of them by one :func:`declare` here; ``tests/test_schema.py``
checks every declaration against a freshly migrated database.

SQL in a declaration (labels, tagging context) is an expression over the table's row as
``t``; it may use correlated subqueries but no joins, so it fits in any query.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from tracker.vocab import Label

# The suppliers table's 0/1 risk-flag columns (m0003), one per flag the registry records.
RISK_FLAGS = ("prc_national_intelligence_law", "fcc_covered_list", "us_entity_list", "uk_government_named")


@dataclass(frozen=True)
class Search:
    """The table's full-text index ``<table>_fts`` (FTS5, porter, ranked by bm25)."""

    kind: str | None  # what the search page calls these records ("Amendments"); None: not on the search page
    columns: tuple[tuple[str, float], ...]  # (column, bm25 weight), in the index's column order


@dataclass(frozen=True)
class Page:
    """The publication's own page for the table's records, ``/-/<name>/<key>``."""

    name: str
    link_column: str  # the column that links to the page in Datasette's table view
    numeric: bool = False  # the key is an integer: any other value has no page
    views: tuple[str, ...] = ()  # views listing the same records by the same key, linked alike


@dataclass(frozen=True)
class Mentioned:
    """Tagged mentions labelled ``label`` point to these records, through the ``mentions``
    column that refers to the table; ``by_entity_id``: also through ``mentions.entity_id``
    (a REFERENCE's ``entity_id`` is its normalised words, "amendment:47A", not a record)."""

    label: Label
    by_entity_id: bool = True


@dataclass(frozen=True)
class Tabled:
    """A motion or amendment that members table: who did, and what it is called."""

    sponsors: str  # the link table naming its members (``member_id``, ``is_lead``, ``sort_order``)
    noun: str  # SQL: "Amendment", or the item's own type


@dataclass(frozen=True)
class Tagging:
    """The text fields the tagger reads, in order, and each document's context: its date,
    House and bill stage (SQL over ``t`` with ``joins``), which decide what names link to."""

    fields: tuple[str, ...]
    date: str | None = None
    house: str | None = None
    stage: str | None = None
    joins: str = ""
    field_dates: Mapping[str, str] = field(default_factory=dict)  # field -> its own date, overriding ``date``


@dataclass(frozen=True)
class Table:
    """One table as the rest of the tracker sees it."""

    name: str
    key: str | tuple[str, ...]  # the primary key column(s); "rowid" where the table declares none
    links: Mapping[str, str] = field(default_factory=dict)  # column -> the table whose key it holds
    tracked: bool = False  # a synced record: bookkeeping columns, sync_run_id -> sync_runs, history in ``changes``
    bill: str | None = None  # the column holding the record's bill
    members: tuple[str, ...] = ()  # columns naming members the record refers to (the members step fetches them)
    label: str | None = None  # SQL: how a record is named, in search, feeds, pages and lists alike
    context: str | None = None  # SQL: where it belongs, shown beside the label in search results
    page: Page | None = None
    mentioned: Mentioned | None = None
    tabled: Tabled | None = None
    search: Search | None = None
    tagging: Tagging | None = None
    counted: bool = False  # ``tracker status`` counts its rows
    # SQL: the record's page on Parliament's own website (bills.parliament.uk, hansard.parliament.uk ...),
    # which people read and cite; ``source_url`` keeps the API response it was read from.
    human_url: str | None = None
    # Columns holding the id of a record of any table: column -> the column naming that table
    # (a change's ``record_id`` and ``table_name``); the pages link each to its record.
    any_record: Mapping[str, str] = field(default_factory=dict)

    @property
    def keys(self) -> tuple[str, ...]:
        return (self.key,) if isinstance(self.key, str) else tuple(self.key)

    @property
    def id(self) -> str:
        """The one key column (a table with a composite key has none)."""
        if not isinstance(self.key, str):
            raise ValueError(f"{self.name} has a composite key {self.key}")
        return self.key

    @property
    def fts(self) -> str:
        return f"{self.name}_fts"

    def foreign_keys(self) -> dict[str, str]:
        """Every column that refers to another table: ``{column: table}``."""
        return {**({"sync_run_id": "sync_runs"} if self.tracked else {}), **self.links}

    def column_to(self, table: str) -> str:
        """This table's one column referring to ``table`` (a mention's ``supplier_id``, a division's ``amendment_id``)."""
        found = [column for column, target in self.links.items() if target == table]
        if len(found) != 1:
            raise KeyError(f"{self.name} has {len(found)} columns referring to {table}")
        return found[0]


TABLES: dict[str, Table] = {}


def declare(*tables: Table) -> None:
    """Add tables to the registry (in the order search, tagging and status show them)."""
    for table in tables:
        if table.name in TABLES:
            raise ValueError(f"table {table.name} is declared twice")
        TABLES[table.name] = table


def table(name: str) -> Table:
    """The declaration of ``name``; a KeyError names an undeclared table."""
    return TABLES[name]


def indexed() -> tuple[Table, ...]:
    """The tables with a full-text index (Datasette's ``?_search=`` uses each)."""
    return tuple(t for t in TABLES.values() if t.search)


def searched() -> tuple[Table, ...]:
    """The tables the search page ranks, in its order."""
    return tuple(t for t in indexed() if t.search and t.search.kind)


def tagged() -> tuple[Table, ...]:
    return tuple(t for t in TABLES.values() if t.tagging)


def paged() -> tuple[Table, ...]:
    return tuple(t for t in TABLES.values() if t.page)


def counted() -> tuple[Table, ...]:
    return tuple(t for t in TABLES.values() if t.counted)


def tabled() -> tuple[Table, ...]:
    return tuple(t for t in TABLES.values() if t.tabled)


def mentioned(label: str | None) -> tuple[Table, ...]:
    """The tables a mention labelled ``label`` may point to, in the order they are tried."""
    return tuple(t for t in TABLES.values() if t.mentioned and t.mentioned.label == label)


def with_page(page: str) -> Table:
    """The table whose records the page ``/-/<page>/`` shows."""
    for t in paged():
        if t.page and t.page.name == page:
            return t
    raise KeyError(f"no table has the page {page}")


def member_columns() -> tuple[tuple[str, str], ...]:
    """``(table, column)`` of every column naming a member a record refers to."""
    return tuple((t.name, column) for t in TABLES.values() for column in t.members)


# A stage's name, for the labels of what is tabled at it: numbers repeat from stage to stage
# (Amendment 1 at Committee and at Report), so the stage is part of the name.
_AT_STAGE = (" || COALESCE(' (' || (SELECT s.description || COALESCE(', ' || s.house, '') FROM bill_stages s"
             " WHERE s.bill_stage_id = t.bill_stage_id) || ')', '')")
_STAGE_CONTEXT: dict[str, Any] = dict(date="COALESCE(s.first_sitting, s.last_sitting)", house="s.house", stage="t.bill_stage_id",
                      joins="LEFT JOIN bill_stages s ON s.bill_stage_id = t.bill_stage_id")

declare(
    Table("sync_runs", key="id"),
    Table("bills", key="bill_id", tracked=True, bill="bill_id", counted=True, label="t.short_title",
          page=Page("bill", link_column="short_title", numeric=True),
          human_url="'https://bills.parliament.uk/bills/' || t.bill_id"),
    Table("bill_stages", key="bill_stage_id", links={"bill_id": "bills"}, tracked=True, bill="bill_id", counted=True,
          label="t.description || COALESCE(', ' || t.house, '')",
          human_url="'https://bills.parliament.uk/bills/' || t.bill_id || '/stages/' || t.bill_stage_id"),
    Table("amendments", key="amendment_id",
          links={"bill_id": "bills", "bill_stage_id": "bill_stages", "lead_sponsor_id": "members"},
          tracked=True, bill="bill_id", members=("lead_sponsor_id",), counted=True,
          label="'Amendment ' || COALESCE(t.number, '?')" + _AT_STAGE,
          page=Page("amendment", link_column="number", numeric=True, views=("amendments_overview",)),
          mentioned=Mentioned(Label.REFERENCE, by_entity_id=False),
          tabled=Tabled(sponsors="amendment_sponsors", noun="'Amendment'"),
          human_url="'https://bills.parliament.uk/bills/' || t.bill_id || '/stages/' || t.bill_stage_id"
                    " || '/amendments/' || t.amendment_id",
          search=Search("Amendments", (("number", 10.0), ("summary", 4.0), ("text", 1.0), ("explanatory_text", 1.0))),
          tagging=Tagging(("summary", "text", "explanatory_text"), **_STAGE_CONTEXT)),
    Table("amendment_sponsors", key=("amendment_id", "member_id"), links={"amendment_id": "amendments", "member_id": "members"},
          members=("member_id",), counted=True),
    # Motions and amendments between the Houses keep the API's PingPongItem ids, apart from amendmentId.
    Table("pingpong_items", key="pingpong_item_id",
          links={"bill_id": "bills", "bill_stage_id": "bill_stages", "lead_sponsor_id": "members"},
          tracked=True, bill="bill_id", members=("lead_sponsor_id",), counted=True,
          label="COALESCE(t.type, 'Motion') || ' ' || COALESCE(t.number, '?')" + _AT_STAGE,
          mentioned=Mentioned(Label.REFERENCE, by_entity_id=False),
          tabled=Tabled(sponsors="pingpong_sponsors", noun="COALESCE(t.type, 'Motion')"),
          human_url="'https://bills.parliament.uk/bills/' || t.bill_id || '/stages/' || t.bill_stage_id",
          search=Search("Ping-pong motions and amendments", (("number", 10.0), ("summary", 4.0), ("text", 1.0))),
          tagging=Tagging(("summary", "text"), **_STAGE_CONTEXT)),
    Table("pingpong_sponsors", key=("pingpong_item_id", "member_id"), links={"pingpong_item_id": "pingpong_items", "member_id": "members"},
          members=("member_id",)),
    Table("members", key="member_id", tracked=True, counted=True, label="t.name",
          human_url="'https://members.parliament.uk/member/' || t.member_id",
          page=Page("member", link_column="name", numeric=True), mentioned=Mentioned(Label.MEMBER)),
    Table("member_names", key="id", links={"member_id": "members"}),
    Table("debates", key="debate_id", links={"parent_debate_id": "debates", "bill_id": "bills", "bill_stage_id": "bill_stages"},
          tracked=True, bill="bill_id", counted=True,
          label="COALESCE(t.title, 'Debate') || COALESCE(', ' || t.date, '')",
          page=Page("debate", link_column="title"),
          human_url="'https://hansard.parliament.uk/' || t.house || '/' || t.date || '/debates/' || t.debate_id"),
    Table("contributions", key="contribution_id", links={"debate_id": "debates", "member_id": "members"},
          tracked=True, members=("member_id",), counted=True,
          label="'Speech by ' || COALESCE(t.attributed_to, 'an unattributed speaker')",
          context="(SELECT COALESCE(d.title, 'Debate') || COALESCE(', ' || d.date, '') FROM debates d WHERE d.debate_id = t.debate_id)",
          search=Search("Debate contributions", (("attributed_to", 2.0), ("text", 1.0))),
          human_url="(SELECT 'https://hansard.parliament.uk/' || e.house || '/' || e.date || '/debates/' || e.debate_id"
                    " FROM debates e WHERE e.debate_id = t.debate_id) || COALESCE('#contribution-' || t.external_id, '')",
          tagging=Tagging(("text",), date="e.date", house="e.house", stage="e.bill_stage_id",
                          joins="LEFT JOIN debates e ON e.debate_id = t.debate_id")),
    Table("contribution_amendments", key="rowid",
          links={"contribution_id": "contributions", "amendment_id": "amendments", "pingpong_item_id": "pingpong_items"}),
    Table("divisions", key="division_id",
          links={"bill_id": "bills", "bill_stage_id": "bill_stages", "amendment_id": "amendments", "pingpong_item_id": "pingpong_items"},
          tracked=True, bill="bill_id", counted=True,
          label="'Division: ' || COALESCE(t.title, t.division_id) || COALESCE(', ' || t.date, '')",
          page=Page("division", link_column="title"),
          human_url="'https://votes.parliament.uk/votes/' || lower(t.house) || '/division/' || t.api_division_id"),
    Table("division_votes", key=("division_id", "member_id"), links={"division_id": "divisions", "member_id": "members"},
          members=("member_id",), counted=True),
    Table("bill_clauses", key="clause_id", links={"bill_id": "bills"}, tracked=True, bill="bill_id", counted=True,
          label="COALESCE(t.kind, 'clause') || ' ' || COALESCE(t.number, '') || COALESCE(': ' || t.heading, '')"
                " || COALESCE(' (' || t.version || ')', '')",
          search=Search("Bill clauses", (("number", 10.0), ("heading", 4.0), ("text", 1.0))),
          tagging=Tagging(("heading", "text"))),
    Table("written_questions", key="question_id",
          links={"asking_member_id": "members", "answering_member_id": "members", "bill_id": "bills"},
          tracked=True, bill="bill_id", members=("asking_member_id", "answering_member_id"), counted=True,
          label="'Question ' || COALESCE(t.uin, '') || COALESCE(': ' || t.heading, '')",
          search=Search("Written questions", (("uin", 10.0), ("heading", 4.0), ("question_text", 1.0), ("answer_text", 1.0))),
          human_url="'https://questions-statements.parliament.uk/written-questions/detail/' || t.date_tabled || '/' || t.uin",
          tagging=Tagging(("heading", "question_text", "answer_text"), date="t.date_tabled", house="t.house",
                          field_dates={"answer_text": "COALESCE(t.date_answered, t.date_tabled)"})),
    Table("written_statements", key="statement_id", links={"member_id": "members", "bill_id": "bills"},
          tracked=True, bill="bill_id", members=("member_id",), counted=True,
          label="'Statement ' || COALESCE(t.uin, '') || COALESCE(': ' || t.title, '')",
          search=Search("Written statements", (("title", 4.0), ("text", 1.0))),
          human_url="'https://questions-statements.parliament.uk/written-statements/detail/' || t.date || '/' || t.uin",
          tagging=Tagging(("title", "text"), date="t.date", house="t.house")),
    # Which search (a bill's title or a watch term) found each question or statement.
    Table("written_matches", key="rowid", links={"question_id": "written_questions", "statement_id": "written_statements"}),
    # The registries, loaded from nlp/data with history like synced records (m0009).
    Table("suppliers", key="supplier_id", links={"parent_id": "suppliers"}, tracked=True, label="t.name",
          page=Page("supplier", link_column="name"), mentioned=Mentioned(Label.SUPPLIER)),
    Table("supplier_risk_flags", key="id", links={"supplier_id": "suppliers"}, tracked=True),
    Table("provisions", key="provision_id", links={"parent_id": "provisions"}, tracked=True, label="t.name",
          page=Page("provision", link_column="name"), mentioned=Mentioned(Label.PROVISION)),
    # Derived by the tagger: the typed columns are the links a mention's page and search follow.
    Table("mentions", key="id", counted=True, any_record={"doc_id": "doc_table"},
          links={"member_id": "members", "supplier_id": "suppliers", "provision_id": "provisions",
                 "amendment_id": "amendments", "pingpong_item_id": "pingpong_items"}),
    Table("nlp_documents", key=("doc_table", "doc_id", "field"), any_record={"doc_id": "doc_table"}),
    # Bill versions (m0006): the publications, each print's clauses, the changes between prints and their amendments.
    Table("publications", key="publication_id", links={"bill_id": "bills"}, tracked=True, bill="bill_id",
          label="COALESCE(t.title, 'Publication ' || t.publication_id)"),
    Table("bill_versions", key="version_id", links={"bill_id": "bills", "publication_id": "publications", "bill_stage_id": "bill_stages"},
          tracked=True, bill="bill_id", label="COALESCE(t.label, t.version_id)", page=Page("version", link_column="label")),
    Table("clauses", key="clause_key", links={"version_id": "bill_versions", "parent_key": "clauses"}, tracked=True,
          page=Page("clause", link_column="heading"),
          label="COALESCE(t.kind, 'clause') || ' ' || COALESCE(t.number, '') || COALESCE(': ' || t.heading, '')"
                " || COALESCE(' (' || (SELECT v.label FROM bill_versions v WHERE v.version_id = t.version_id) || ')', '')",
          # Every print's text on the search page, beside the Act's sections (bill_clauses).
          search=Search("Bill text (every print)", (("number", 10.0), ("heading", 4.0), ("text", 1.0))),
          # Tagged like every other text, in the context of its print: its date, House and the stage it follows.
          tagging=Tagging(("heading", "text"), date="v.date", house="v.house", stage="v.bill_stage_id",
                          joins="LEFT JOIN bill_versions v ON v.version_id = t.version_id")),
    Table("clause_changes", key="id",
          links={"bill_id": "bills", "from_version": "bill_versions", "to_version": "bill_versions",
                 "from_clause": "clauses", "to_clause": "clauses"},
          tracked=True, bill="bill_id",
          label="COALESCE((SELECT c.kind || ' ' || c.number FROM clauses c WHERE c.clause_key = COALESCE(t.to_clause, t.from_clause)), 'text')"
                " || ' ' || COALESCE(t.kind, 'changed')"
                " || COALESCE(', ' || (SELECT v.label FROM bill_versions v WHERE v.version_id = t.to_version), '')"),
    Table("change_amendments", key="rowid",
          links={"clause_change_id": "clause_changes", "amendment_id": "amendments", "pingpong_item_id": "pingpong_items"}),
    # Positions (m0008), derived from the tables above by ``tracker positions derive``.
    Table("amendment_families", key="family_id",
          links={"bill_id": "bills", "first_stage_id": "bill_stages", "last_stage_id": "bill_stages", "act_clause_id": "bill_clauses"},
          bill="bill_id", label="COALESCE(t.title, t.family_id)"),
    Table("amendment_family_members", key="rowid",
          links={"family_id": "amendment_families", "amendment_id": "amendments", "pingpong_item_id": "pingpong_items",
                 "bill_stage_id": "bill_stages"}),
    Table("topics", key="topic", links={"family_id": "amendment_families", "provision_id": "provisions", "supplier_id": "suppliers"},
          label="COALESCE(t.name, t.topic)"),
    Table("position_evidence", key="id",
          links={"member_id": "members", "topic": "topics", "bill_stage_id": "bill_stages", "amendment_id": "amendments",
                 "pingpong_item_id": "pingpong_items", "contribution_id": "contributions", "division_id": "divisions"}),
    Table("member_positions", key=("member_id", "topic"), links={"member_id": "members", "topic": "topics"}),
    Table("division_sides", key="division_id", links={"division_id": "divisions"}),
    Table("vote_alignment", key=("division_id", "member_id"), links={"division_id": "divisions", "member_id": "members"}),
    # Commitments keep history (a status change is one ``changes`` row).
    Table("commitments", key="commitment_id",
          links={"member_id": "members", "bill_id": "bills", "topic": "topics", "contribution_id": "contributions",
                 "statement_id": "written_statements", "question_id": "written_questions"},
          tracked=True, bill="bill_id",
          label="'Commitment by ' || COALESCE((SELECT m.name FROM members m WHERE m.member_id = t.member_id), t.department, 'the Government')"
                " || COALESCE(', ' || t.made_on, '')"),
    Table("commitment_followups", key="rowid", links={"commitment_id": "commitments", "member_id": "members"}),
    # Alerts (m0007): watches, the outbox of the events they caught, and each message's delivery.
    Table("watches", key="id", label="t.name"),
    Table("alert_events", key="event_id", links={"bill_id": "bills"}, bill="bill_id", label="t.title"),
    Table("alert_deliveries", key="id"),
    Table("changes", key="id", links={"sync_run_id": "sync_runs", "bill_id": "bills"}, bill="bill_id", counted=True,
          any_record={"record_id": "table_name"}),
    # The search index beside FTS5 (m0013, tracker/store/searchindex.py): derived, rebuilt when stale.
    Table("search_generations", key="table_name"),
    Table("search_index", key="table_name"),
    Table("search_terms", key=("table_name", "term")),
    Table("search_blocks", key=("table_name", "term", "block")),
    Table("sync_state", key="key"),
    Table("http_cache", key="url"),
)
