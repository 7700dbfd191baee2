"""Which tables hold texts to tag, their text fields, and the context (date, House, stage) of each."""
import sqlite3
from dataclasses import dataclass, field


@dataclass
class Source:
    """One table of documents: its key, its text fields and how to find each one's context."""

    table: str
    key: str
    fields: tuple
    date: str = None  # SQL expression for the document's date
    house: str = None
    stage: str = None  # SQL expression for the bill stage id
    joins: str = ""
    field_dates: dict = field(default_factory=dict)  # field -> SQL expression overriding ``date``


SOURCES = (
    Source("amendments", "amendment_id", ("summary", "text", "explanatory_text"),
           date="COALESCE(s.first_sitting, s.last_sitting)", house="s.house", stage="d.bill_stage_id",
           joins="LEFT JOIN bill_stages s ON s.bill_stage_id = d.bill_stage_id"),
    Source("pingpong_items", "pingpong_item_id", ("summary", "text"),
           date="COALESCE(s.first_sitting, s.last_sitting)", house="s.house", stage="d.bill_stage_id",
           joins="LEFT JOIN bill_stages s ON s.bill_stage_id = d.bill_stage_id"),
    Source("contributions", "contribution_id", ("text",),
           date="e.date", house="e.house", stage="e.bill_stage_id",
           joins="LEFT JOIN debates e ON e.debate_id = d.debate_id"),
    Source("bill_clauses", "clause_id", ("heading", "text")),
    Source("written_questions", "question_id", ("heading", "question_text", "answer_text"),
           date="d.date_tabled", house="d.house", field_dates={"answer_text": "COALESCE(d.date_answered, d.date_tabled)"}),
    Source("written_statements", "statement_id", ("title", "text"), date="d.date", house="d.house"),
)

def table_columns(db, table):
    return {row[1] for row in db.execute(f"PRAGMA table_info([{table}])").fetchall()}


def select_page_sql(db, source, columns):
    """SQL reading one page of a source's documents after a rowid, with their context.

    The context (date, House, stage) comes from joined tables; where a database
    lacks one of them, the documents are still read, without context.
    """
    fields = [f for f in source.fields if f in columns]
    if not fields:
        return None, []
    for with_context in (True, False):
        def expr(value):
            return value if (with_context and value) else "NULL"

        select = ", ".join(
            ["d.rowid AS _rowid", f"d.[{source.key}] AS _id"]
            + [f"d.[{f}]" for f in fields]
            + [f"{expr(source.date)} AS _date", f"{expr(source.house)} AS _house", f"{expr(source.stage)} AS _stage"]
            + [f"{expr(source.field_dates.get(f))} AS [_date_{f}]" for f in fields]
        )
        joins = source.joins if with_context else ""
        sql = f"SELECT {select} FROM [{source.table}] d {joins} WHERE d.rowid > ? ORDER BY d.rowid LIMIT ?"
        try:
            db.execute(sql, [0, 0]).fetchall()
        except sqlite3.OperationalError:
            continue
        return sql, fields
    return None, []


