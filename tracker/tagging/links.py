"""What a reference in a bill stage's documents links to: the stage's amendment and ping-pong numbers."""
import hashlib

from tracker import store
from tracker.tagging.sources import table_columns


def digest(*parts):
    return hashlib.sha256(store.canonical(parts).encode("utf-8")).hexdigest()[:16]


def _unique(rows):
    """``{key: id}`` for the keys exactly one row has (a key two rows share links to neither)."""
    seen = {}
    for k, row_id in rows:
        seen.setdefault(k, set()).add(row_id)
    return {k: next(iter(ids)) for k, ids in seen.items() if len(ids) == 1}


class StageLinks:
    """What a reference in a bill stage's documents links to, per stage, with a digest for the content hash.

    ``amendments``: amendment number -> ``amendment_id``; ``pingpong``: reference value
    (``motion:A1``, ``amendment:47A``) -> ``pingpong_item_id`` of that stage's motions and
    amendments between the Houses. A number links only where exactly one record of the
    stage has it: two amendments, two items, or an amendment and an amendment item
    sharing a number leave the reference unlinked, never guessed. Removed records are left out.
    """

    def __init__(self, db):
        self.db = db
        self.cache = {}
        tables = set(db.table_names())
        self.amendments = self._sql(db, tables, "amendments", "SELECT upper(trim(number)), amendment_id FROM amendments")
        self.pingpong = self._sql(
            db, tables, "pingpong_items",
            "SELECT lower(coalesce(type, '')), upper(trim(number)), pingpong_item_id FROM pingpong_items")

    @staticmethod
    def _sql(db, tables, table, select):
        if table not in tables:
            return None
        live = " AND removed_at IS NULL" if "removed_at" in table_columns(db, table) else ""
        return f"{select} WHERE bill_stage_id = ? AND number IS NOT NULL AND trim(number) != ''{live}"

    def get(self, stage_id):
        """``(amendments, pingpong, digest)`` for one stage (``None``s without a stage)."""
        if stage_id is None:
            return None, None, None
        if stage_id not in self.cache:
            amendment_rows = self.db.execute(self.amendments, [stage_id]).fetchall() if self.amendments else []
            item_rows = self.db.execute(self.pingpong, [stage_id]).fetchall() if self.pingpong else []
            amendments = _unique(amendment_rows)
            items = []
            for kind, number, item_id in item_rows:  # an item of no type may be either
                for wanted in ("motion", "amendment"):
                    if kind in (wanted, ""):
                        items.append((f"{wanted}:{number}", item_id))
            pingpong = _unique(items)
            shared = {n for n, _ in amendment_rows} & {k[len("amendment:"):] for k, _ in items if k.startswith("amendment:")}
            for number in shared:  # both an amendment and an amendment between the Houses: neither
                amendments.pop(number, None)
                pingpong.pop(f"amendment:{number}", None)
            self.cache[stage_id] = (amendments or None, pingpong or None,
                                    digest(sorted(amendments.items()), sorted(pingpong.items())))
        return self.cache[stage_id]
