"""The supplier and provision registries: the ``nlp/data`` files loaded into their tables."""
import json

from nlp.components import DATA_DIR, read_jsonl
from tracker import store
from tracker.store.schema import RISK_FLAGS


def load_registries(db, data_dir=None):
    """Make ``suppliers``, ``supplier_risk_flags`` and ``provisions`` match the data files."""
    data_dir = data_dir or DATA_DIR
    suppliers = read_jsonl(data_dir / "suppliers.jsonl")
    provisions = read_jsonl(data_dir / "provisions.jsonl")
    with store.transaction(db):
        for s in suppliers:
            flags = {f["flag"] for f in s.get("risk_flags", ())}
            row = {
                "supplier_id": s["supplier_id"], "name": s["name"], "legal_name": s.get("legal_name"),
                "aliases": json.dumps(s.get("aliases", []), ensure_ascii=False), "parent_id": s.get("parent_id"),
                "country": s.get("country"), "sector": s.get("sector"),
                **{flag: int(flag in flags) for flag in RISK_FLAGS},
                "risk_flags": json.dumps(s.get("risk_flags", []), ensure_ascii=False),
            }
            _upsert(db, "suppliers", "supplier_id", row)
        _delete_missing(db, "suppliers", "supplier_id", [s["supplier_id"] for s in suppliers])
        db.execute("DELETE FROM supplier_risk_flags")
        for s in suppliers:
            for f in s.get("risk_flags", ()):
                db.execute(
                    "INSERT INTO supplier_risk_flags (supplier_id, flag, source, url, date, note) VALUES (?, ?, ?, ?, ?, ?)",
                    [s["supplier_id"], f["flag"], f.get("source"), f.get("url"), f.get("date"), f.get("note")],
                )
        for p in provisions:
            row = {k: p.get(k) for k in ("provision_id", "name", "description", "legal_source", "parent_id")}
            _upsert(db, "provisions", "provision_id", row)
        _delete_missing(db, "provisions", "provision_id", [p["provision_id"] for p in provisions])
    return len(suppliers), len(provisions)


def _upsert(db, table, pk, row):
    cols = ", ".join(f"[{c}]" for c in row)
    marks = ", ".join("?" for _ in row)
    updates = ", ".join(f"[{c}] = excluded.[{c}]" for c in row if c != pk)
    db.execute(f"INSERT INTO [{table}] ({cols}) VALUES ({marks}) ON CONFLICT([{pk}]) DO UPDATE SET {updates}", list(row.values()))


def _delete_missing(db, table, pk, keep):
    marks = ", ".join("?" for _ in keep) or "NULL"
    db.execute(f"DELETE FROM [{table}] WHERE [{pk}] NOT IN ({marks})", list(keep))
