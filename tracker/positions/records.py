"""What the positions room reads: amendments and ping-pong items as one kind of record,
their tags, and the names of topics.

A *topic* is what a position is about, named by a key: ``family:<family_id>``,
``provision:<provision_id>`` or ``supplier:<supplier_id>``.
"""
import json
from dataclasses import dataclass, field

AMENDMENTS = "amendments"
PINGPONG = "pingpong_items"
AGREED = frozenset({"Agreed", "AgreedOnDivision"})
# Decisions as people say them (the Bills API's AmendmentDecision values).
DECISION_WORDS = {
    "Agreed": "agreed", "AgreedOnDivision": "agreed on division", "Disagreed": "disagreed",
    "NegativedOnDivision": "negatived on division", "Withdrawn": "withdrawn", "WithdrawnBeforeDebate": "withdrawn before debate",
    "NotMoved": "not moved", "NotCalled": "not called", "NotSelected": "not selected", "Preempted": "pre-empted",
    "StoodPart": "stood part", "NotStoodPart": "did not stand part", "QuestionProposed": "question proposed",
    "NoDecision": "no decision",
}


def rows(db, sql: str, params=()) -> list:
    """The rows of a query as dicts (``db``: a sqlite-utils Database or a sqlite3 connection)."""
    cursor = db.execute(sql, list(params))
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def table_names(db) -> set:
    return {r["name"] for r in rows(db, "SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")}


def family_topic(family_id: str) -> str:
    return f"family:{family_id}"


def tag_topic(label: str, entity_id: str) -> str:
    """The topic key of a PROVISION or SUPPLIER mention."""
    return f"{label.lower()}:{entity_id}"


@dataclass
class Item:
    """An amendment or a ping-pong item (motion or amendment between the Houses)."""

    table: str
    item_id: int
    bill_id: int
    stage_id: int
    stage_order: int
    house: str
    stage: str
    date: str
    number: str
    item_type: str  # Motion or Amendment for ping-pong items; None for amendments
    decision: str
    text: str
    summary: str
    explanatory: str
    sponsors: list = field(default_factory=list)  # member ids, the lead first
    tags: set = field(default_factory=set)  # provision and supplier topics of its own text

    @property
    def key(self) -> tuple:
        return (self.table, self.item_id)

    @property
    def is_pingpong(self) -> bool:
        return self.table == PINGPONG

    @property
    def label(self) -> str:
        """How the papers name it: "Amendment 99", "NC2", "Motion B1", "Amendment 47A"."""
        number = self.number or "?"
        if self.is_pingpong:
            return f"{self.item_type or 'Amendment'} {number}"
        return number if number.upper().startswith(("NC", "NS")) else f"Amendment {number}"

    @property
    def ref(self) -> str:
        return f"{self.table}/{self.item_id}"


def load_items(db, bill_id=None) -> dict:
    """Every amendment and ping-pong item not removed upstream, by key, with sponsors and tags."""
    where = "AND x.bill_id = ?" if bill_id is not None else ""
    params = [bill_id] if bill_id is not None else []
    stage_cols = "s.sort_order AS stage_order, s.house, s.description AS stage, COALESCE(s.first_sitting, s.last_sitting) AS date"
    found = {}
    for r in rows(db, f"""SELECT x.amendment_id AS item_id, x.bill_id, x.bill_stage_id, {stage_cols}, x.number, NULL AS item_type,
                              x.decision, x.text, x.summary, x.explanatory_text
                       FROM amendments x LEFT JOIN bill_stages s ON s.bill_stage_id = x.bill_stage_id
                       WHERE x.removed_at IS NULL {where}""", params):
        found[(AMENDMENTS, r["item_id"])] = _item(AMENDMENTS, r)
    for r in rows(db, f"""SELECT x.pingpong_item_id AS item_id, x.bill_id, x.bill_stage_id, {stage_cols}, x.number, x.type AS item_type,
                              x.decision, x.text, x.summary, NULL AS explanatory_text
                       FROM pingpong_items x LEFT JOIN bill_stages s ON s.bill_stage_id = x.bill_stage_id
                       WHERE x.removed_at IS NULL {where}""", params):
        found[(PINGPONG, r["item_id"])] = _item(PINGPONG, r)
    for table, sponsor_table, key in ((AMENDMENTS, "amendment_sponsors", "amendment_id"), (PINGPONG, "pingpong_sponsors", "pingpong_item_id")):
        for r in rows(db, f"SELECT {key} AS item_id, member_id FROM {sponsor_table} ORDER BY {key}, is_lead DESC, sort_order"):
            item = found.get((table, r["item_id"]))
            if item is not None and r["member_id"] is not None:
                item.sponsors.append(r["member_id"])
    for r in rows(db, """SELECT doc_table, doc_id, label, entity_id FROM mentions
                         WHERE doc_table IN ('amendments', 'pingpong_items') AND label IN ('PROVISION', 'SUPPLIER')
                         AND entity_id IS NOT NULL"""):
        item = found.get((r["doc_table"], int(r["doc_id"])))
        if item is not None:
            item.tags.add(tag_topic(r["label"], r["entity_id"]))
    return found


def _item(table, r):
    return Item(table=table, item_id=r["item_id"], bill_id=r["bill_id"], stage_id=r["bill_stage_id"],
                stage_order=r["stage_order"] if r["stage_order"] is not None else 10**6, house=r["house"], stage=r["stage"],
                date=r["date"], number=r["number"], item_type=r["item_type"], decision=r["decision"], text=r["text"] or "",
                summary=r["summary"] or "", explanatory=r["explanatory_text"] or "")


def tag_names(db) -> dict:
    """Readable names of provision and supplier topics."""
    names = {}
    tables = table_names(db)
    if "provisions" in tables:
        names.update({f"provision:{r['provision_id']}": r["name"] for r in rows(db, "SELECT provision_id, name FROM provisions")})
    if "suppliers" in tables:
        names.update({f"supplier:{r['supplier_id']}": r["name"] for r in rows(db, "SELECT supplier_id, name FROM suppliers")})
    return names



def stage_dates(db) -> dict:
    """Each Royal Assent date by bill (the anchor of "within six months of Royal Assent")."""
    out = {}
    for r in rows(db, """SELECT bill_id, COALESCE(first_sitting, last_sitting) AS date, sittings FROM bill_stages
                         WHERE lower(description) = 'royal assent' AND removed_at IS NULL"""):
        date = r["date"]
        if not date and r["sittings"]:
            date = (sorted(json.loads(r["sittings"])) or [None])[0]
        if date:
            out[r["bill_id"]] = date[:10]
    return out
