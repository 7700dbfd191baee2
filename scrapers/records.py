"""The typed records parsers return: one small frozen dataclass per kind of row.

A record's fields are the columns of its :attr:`~Record.TABLE`, named as the table
names them, so :meth:`Record.row` is the column dict ``tracker.store`` writes. Two kinds of
field are marked by their metadata: :data:`BESIDE` (the rows that come with a
record, such as an amendment's sponsor links or a division's votes, written to
their own tables, not columns of the record; declare them keyword-only with a
default, ``field(default=(), kw_only=True, metadata=BESIDE)``) and
:data:`JSON_LIST` (a tuple stored as JSON text in its column).
"""
import json
from dataclasses import dataclass, fields
from typing import Any, ClassVar

Row = dict[str, Any]  # column -> value, as tracker.store takes it

BESIDE = {"beside": True}
JSON_LIST = {"json list": True}


@dataclass(frozen=True)
class Record:
    """Base of the parsers' records."""

    TABLE: ClassVar[str]  # the table its rows go to

    def row(self) -> Row:
        """The record's columns, ready for ``store.upsert``."""
        out: Row = {}
        for column in fields(self):
            if column.metadata.get("beside"):
                continue
            value = getattr(self, column.name)
            if column.metadata.get("json list"):
                value = json.dumps(list(value), ensure_ascii=False, sort_keys=True)
            out[column.name] = value
        return out
