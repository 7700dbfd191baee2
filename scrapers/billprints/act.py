"""The enacted Act as a print: legislation.gov.uk's CLML, read by :mod:`scrapers.legislation`
(the one CLML parser), turned into the same clause records as a bill's prints."""
import re

from scrapers.billprints.records import BillPrint, ClauseRecord, unique_key

_PART = re.compile(r"^Part\s+(\d+[A-Z]*)(?::\s*(.*))?$", re.I)


def from_legislation_rows(rows: list, title: str | None = None) -> BillPrint:
    """``bill_clauses`` rows (sections and schedules, as :meth:`scrapers.legislation.Clause.row` gives them)
    to an Act's :class:`BillPrint`.

    Sections keep kind ``section``; their Parts (named on each section as
    "Part 5: Conditions of ...") become part records in order of appearance.
    legislation.gov.uk carries no page or line numbers and no GUIDs.
    """
    records: list[ClauseRecord] = []
    keys: set = set()
    parts: dict = {}
    for row in rows:
        parent = None
        if row.get("kind") == "section" and row.get("part"):
            parent = parts.get(row["part"])
            if parent is None:
                match = _PART.match(row["part"])
                number = match.group(1) if match else None
                heading = (match.group(2) if match else row["part"]) or None
                parent = ClauseRecord(
                    key=unique_key(keys, f"part/{number}" if number else "part"), kind="part",
                    number=number, heading=heading, position=len(records),
                )
                parts[row["part"]] = parent
                records.append(parent)
        kind = "schedule" if row.get("kind") == "schedule" else "section"
        number = row.get("number")
        records.append(ClauseRecord(
            key=unique_key(keys, f"{kind}/{number}" if number else kind), kind=kind, number=number,
            heading=row.get("heading"), text=row.get("text") or "",
            parent_key=parent.key if parent else None, position=len(records),
        ))
    return BillPrint(format="clml", clauses=records, title=title, stage="Royal Assent")
