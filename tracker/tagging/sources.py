"""The tables the tagger reads, as the schema declares them: their text fields and each document's context."""
from dataclasses import dataclass

from tracker.store import schema


@dataclass(frozen=True)
class Source:
    """One table of documents as the tagger reads it: its key, its text fields and the SQL
    reading a page of documents with their context (params: the rowid to start after, a limit)."""

    table: str
    key: str
    fields: tuple[str, ...]
    select_sql: str


def sources() -> tuple[Source, ...]:
    """Every table the schema declares texts to tag, in its order."""
    return tuple(Source(t.name, t.id, t.tagging.fields, select_page_sql(t)) for t in schema.tagged())


def select_page_sql(table: schema.Table) -> str:
    """SQL reading one page of a table's documents after a rowid, with their context:
    ``_rowid``, ``_id``, each text field, ``_date``, ``_house``, ``_stage``, then each field's own date."""
    tagging = table.tagging
    fields = tagging.fields

    def expr(value):
        return value or "NULL"

    select = ", ".join(
        ["t.rowid AS _rowid", f"t.[{table.id}] AS _id"]
        + [f"t.[{f}]" for f in fields]
        + [f"{expr(tagging.date)} AS _date", f"{expr(tagging.house)} AS _house", f"{expr(tagging.stage)} AS _stage"]
        + [f"{expr(tagging.field_dates.get(f))} AS [_date_{f}]" for f in fields]
    )
    return f"SELECT {select} FROM [{table.name}] t {tagging.joins} WHERE t.rowid > ? ORDER BY t.rowid LIMIT ?"
