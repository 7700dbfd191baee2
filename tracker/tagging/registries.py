"""The supplier and provision registries: the ``nlp/data`` files loaded into their tables.

Each file is a complete listing, so loading one is evidence enough: its records are
upserted with history like any synced record, and a record it no longer lists is
marked removed (never deleted). A load that changes something is one run
(``sync_runs.sources`` = ``registries``) carrying its ``changes``; a load that
changes nothing writes nothing.
"""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import sqlite_utils

from nlp.components import DATA_DIR, read_jsonl
from scrapers.errors import TrackerError
from tracker import store
from tracker.store.runs import RUN_LOCK_WAIT
from tracker.store.schema import RISK_FLAGS
from tracker.vocab import RunStatus

RUN_SOURCES = "registries"
FLAG_KEY = ("supplier_id", "flag", "source")  # one supplier may carry one flag on two sources' word

Listing = tuple[str, list[dict[str, Any]], tuple[str, ...] | None]


def _source_url(path: Path) -> str:
    """Where a registry row comes from: the data file, relative to the project when it is inside it."""
    try:
        return path.resolve().relative_to(Path(DATA_DIR).resolve().parents[1]).as_posix()
    except ValueError:
        return str(path)


def registry_listings(data_dir: Path | str | None = None) -> tuple[list[Listing], int, int]:
    """``([(table, rows, key)], suppliers, provisions)``: the rows the data files list, per table."""
    data_dir = Path(data_dir or DATA_DIR)
    suppliers_path, provisions_path = data_dir / "suppliers.jsonl", data_dir / "provisions.jsonl"
    suppliers = read_jsonl(suppliers_path)
    provisions = read_jsonl(provisions_path)
    suppliers_url, provisions_url = _source_url(suppliers_path), _source_url(provisions_path)
    supplier_rows, flag_rows, seen = [], [], set()
    for s in suppliers:
        flags = {f["flag"] for f in s.get("risk_flags", ())}
        supplier_rows.append({
            "supplier_id": s["supplier_id"], "name": s["name"], "legal_name": s.get("legal_name"),
            "aliases": json.dumps(s.get("aliases", []), ensure_ascii=False), "parent_id": s.get("parent_id"),
            "country": s.get("country"), "sector": s.get("sector"),
            **{flag: int(flag in flags) for flag in RISK_FLAGS},
            "risk_flags": json.dumps(s.get("risk_flags", []), ensure_ascii=False),
            "source_url": suppliers_url,
        })
        for f in s.get("risk_flags", ()):
            row = {"supplier_id": s["supplier_id"], "flag": f["flag"], "source": f.get("source"), "url": f.get("url"),
                   "date": f.get("date"), "note": f.get("note"), "source_url": suppliers_url}
            key = tuple(row[c] for c in FLAG_KEY)
            if key in seen:
                raise TrackerError(f"{suppliers_path}: {s['supplier_id']} lists flag {f['flag']} from one source twice",
                                   source="nlp")
            seen.add(key)
            flag_rows.append(row)
    provision_rows = [
        {**{k: p.get(k) for k in ("provision_id", "name", "description", "legal_source", "parent_id")},
         "source_url": provisions_url}
        for p in provisions
    ]
    listings: list[Listing] = [("suppliers", supplier_rows, None), ("supplier_risk_flags", flag_rows, FLAG_KEY),
                               ("provisions", provision_rows, None)]
    return listings, len(suppliers), len(provisions)


def load_registries(db: sqlite_utils.Database, data_dir: Path | str | None = None, *,
                    lock_wait: float = RUN_LOCK_WAIT) -> tuple[int, int]:
    """Make ``suppliers``, ``supplier_risk_flags`` and ``provisions`` match the data files;
    returns the numbers of suppliers and provisions listed.

    A load that changes something is a run, so it holds the run lock as a sync does
    (waiting up to ``lock_wait`` seconds for one, then saying which run holds it);
    registries already current are left alone without waiting, as every tagging run finds them.
    """
    listings, n_suppliers, n_provisions = registry_listings(data_dir)
    if _current(db, listings):
        return n_suppliers, n_provisions
    with store.run_lock(db, wait=lock_wait) as holder:
        if _current(db, listings):  # another load brought them up to date while this one waited
            return n_suppliers, n_provisions
        run_id = store.start_run(db, RUN_SOURCES, holder=holder)
        status, counts = RunStatus.FAILED, Counter[str]()
        try:
            with store.transaction(db):
                for table, rows, key in listings:
                    counts.update(store.refresh_listing(db, table, rows, run_id=run_id, key=key))
            status = RunStatus.OK
        finally:
            summary = ", ".join(f"{n} {kind}" for kind, n in sorted(counts.items()))
            store.finish_run(db, run_id, status,
                             message=f"{n_suppliers} suppliers and {n_provisions} provisions listed" + (f": {summary}" if summary else ""))
    return n_suppliers, n_provisions


def _current(db: sqlite_utils.Database, listings: list[Listing]) -> bool:
    return all(store.listing_is_current(db, table, rows, key=key) for table, rows, key in listings)
