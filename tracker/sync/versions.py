"""The versions step: a bill's publications, every print of it as clauses, the Act as
its last version, and the changes between consecutive versions with their amendments.

Each print is one unit: fetched (the format chosen AKN XML, HTML, PDF), read, and
written with its clauses in one transaction. A print that cannot be fetched or
read is stored as a version with its ``format`` and ``error`` (its earlier
clauses, if any, are left as they were), named in one error line, and the run
goes on with the other prints. Changes are then recomputed for every pair of
consecutive readable versions, each pair in one transaction; changes of pairs
that are no longer consecutive (a print arrived between them) are marked removed.
"""
import hashlib

from scrapers import billprints
from scrapers import publications as publications_api
from scrapers.errors import TrackerError, parsing
from tracker import store
from tracker import versions as bill_versions
from tracker.sync import Records, Step
from tracker.sync.common import evidenced_removals, load_bill, remove_unlisted, tracked_bill_ids


def versions_step(bill_ids=()) -> Step:
    """A step that syncs the prints of ``bill_ids`` (default: the run's bills, else every bill), after the
    bills and the Act (attribution reads their amendments and sections); prints come from the Bills API."""

    def step(run):
        ids = list(bill_ids) or tracked_bill_ids(run)
        for bill_id in ids:
            try:
                sync_versions(run, bill_id)
            except TrackerError as error:
                run.fail(error)

    return Step("versions", "bills", step, reads=frozenset({Records.STAGES, Records.AMENDMENTS, Records.ACT_TEXT}), writes=frozenset({Records.VERSIONS}))


def sync_versions(run, bill_id: int):
    db = run.db
    _, stages = load_bill(db, bill_id)
    data, response = publications_api.fetch_publications(run.client, bill_id)
    with parsing(publications_api.SOURCE, response.url, record=f"publications of bill {bill_id}"):
        publications = publications_api.parse_publications(data, bill_id, response.url)
    with store.transaction(db):
        for publication in publications:
            store.upsert(db, "publications", publication.row(), run_id=run.run_id, bill_id=bill_id)
    remove_unlisted(run, "publications", {"bill_id": bill_id}, [p.publication_id for p in publications],
                    source=publications_api.SOURCE, url=response.url, bill_id=bill_id)
    prints = [p for p in publications if p.is_bill_print]
    seen = []
    for publication in prints:
        run.tick(f"{bill_id}: {publication.title}", total=len(prints))
        seen.append(_sync_print(run, bill_id, publication, stages))
    act = _sync_act(run, bill_id, stages)
    if act:
        seen.append(act)
    remove_unlisted(run, "bill_versions", {"bill_id": bill_id}, seen, source=publications_api.SOURCE, url=response.url,
                    bill_id=bill_id, what="versions")
    _sync_changes(run, bill_id)


def _version_row(bill_id, version_id, label, date, house, stage, fmt, source_url, *, publication_id=None, document_id=None, sha256=None, error=None):
    return {
        "version_id": version_id, "bill_id": bill_id, "publication_id": publication_id, "label": label, "date": date,
        "house": house, "stage": stage["description"] if stage else None,
        "bill_stage_id": stage["bill_stage_id"] if stage else None, "format": fmt, "document_id": document_id,
        "sha256": sha256, "error": error, "source_url": source_url,
    }


def _write_version(run, bill_id, row, bill_print=None):
    """One version and (when read) its clauses, in one transaction (the clauses a new reading
    lacks are removed only when it did not shrink sharply: :func:`evidenced_removals`)."""
    db = run.db
    gone = []
    if bill_print is not None:
        _, stored = store.unlisted_ids(db, "clauses", {"version_id": row["version_id"]}, ())
        gone = evidenced_removals(run, stored, [f"{row['version_id']}/{record.key}" for record in bill_print.clauses],
                                  what=f"clauses of {row['label']}", source=billprints.SOURCE, url=row["source_url"])
    with store.transaction(db):
        store.upsert(db, "bill_versions", row, run_id=run.run_id, bill_id=bill_id)
        if bill_print is None:
            return
        version_id = row["version_id"]
        for record in bill_print.clauses:
            key = f"{version_id}/{record.key}"
            store.upsert(db, "clauses", {
                "clause_key": key, "version_id": version_id, "kind": record.kind, "number": record.number,
                "heading": record.heading, "text": record.text, "guid": record.guid, "page": record.page,
                "line_start": record.line_start, "page_end": record.page_end, "line_end": record.line_end,
                "parent_key": f"{version_id}/{record.parent_key}" if record.parent_key else None,
                "position": record.position, "source_url": row["source_url"],
            }, run_id=run.run_id, bill_id=bill_id)
        store.remove_records(db, "clauses", gone, run_id=run.run_id, bill_id=bill_id)


def _sync_print(run, bill_id, publication, stages) -> str:
    version_id = f"publication/{publication.publication_id}"
    label = publication.title or version_id
    stage = bill_versions.print_stage(publication.title, publication.house, publication.date, stages)
    document = publication.best_document()
    base = dict(publication_id=publication.publication_id)
    if document is None:
        error = TrackerError("no document in Akoma Ntoso XML, HTML or PDF", source=billprints.SOURCE,
                             url=publication.source_url, record=label)
        run.fail(error)
        _write_version(run, bill_id, _version_row(bill_id, version_id, label, publication.date, publication.house, stage,
                                                  None, publication.source_url, error=error.message, **base))
        return version_id
    base["document_id"] = document.document_id
    try:
        response = publications_api.fetch_document(run.client, document)
    except TrackerError as error:
        run.fail(error)
        if _was_read(run.db, version_id):  # a failed download is no evidence the print changed: keep its reading
            return version_id
        _write_version(run, bill_id, _version_row(bill_id, version_id, label, publication.date, publication.house, stage,
                                                  document.format, document.url, error=error.message, **base))
        return version_id
    digest = hashlib.sha256(response.body).hexdigest()
    try:
        bill_print = billprints.read_print(response.body, document.format, url=response.url, record=label)
    except TrackerError as error:
        run.fail(error)
        _write_version(run, bill_id, _version_row(bill_id, version_id, label, publication.date, publication.house, stage,
                                                  document.format, response.url, sha256=digest, error=error.message, **base))
        return version_id
    row = _version_row(bill_id, version_id, label, publication.date, publication.house, stage, document.format,
                       response.url, sha256=digest, **base)
    _write_version(run, bill_id, row, bill_print)
    return version_id


def _was_read(db, version_id: str) -> bool:
    """Whether an earlier run read this version's print (its clauses, and the changes to and from it, stand)."""
    return db.execute("SELECT 1 FROM bill_versions WHERE version_id = ? AND sha256 IS NOT NULL AND error IS NULL",
                      [version_id]).fetchone() is not None


def _sync_act(run, bill_id, stages) -> str | None:
    """The Act, as loaded into ``bill_clauses`` from legislation.gov.uk, as the bill's last version."""
    rows = [
        dict(zip(("clause_id", "kind", "number", "heading", "part", "text", "source_url", "version"), r))
        for r in run.db.execute(
            "SELECT clause_id, kind, number, heading, part, text, source_url, version FROM bill_clauses"
            " WHERE bill_id = ? AND removed_at IS NULL ORDER BY rowid",
            [bill_id],
        ).fetchall()
    ]
    if not rows:
        return None
    item_path = rows[0]["clause_id"].split("/section/")[0].split("/schedule")[0]
    version_id = f"legislation/{item_path}"
    assent = next((s for s in stages if (s.get("description") or "").lower() == "royal assent"), None)
    act = billprints.from_legislation_rows(rows, title=f"{rows[0]['version']} ({item_path})")
    # The Act's text, not where it was fetched from: a mirror serves the same version.
    text = [{k: v for k, v in r.items() if k != "source_url"} for r in rows]
    digest = hashlib.sha256(store.canonical(text).encode("utf-8")).hexdigest()
    row = _version_row(bill_id, version_id, act.title, assent["last_sitting"] if assent else None, None, assent, "clml",
                       rows[0]["source_url"], sha256=digest)
    _write_version(run, bill_id, row, act)
    return version_id


def _sync_changes(run, bill_id):
    db = run.db
    versions = bill_versions.list_versions(db, bill_id, readable_only=True)
    kept, summary, not_found = [], {}, 0
    for earlier, later in zip(versions, versions[1:]):
        comparison = bill_versions.compare(db, bill_id, earlier, later)
        with store.transaction(db):
            for row, links in bill_versions.change_rows(comparison):
                store.upsert(db, "clause_changes", row, run_id=run.run_id, bill_id=bill_id)
                store.replace_links(db, "change_amendments", "clause_change_id", row["id"], links)
                kept.append(row["id"])
        for kind, count in comparison.counts().items():
            summary[kind] = summary.get(kind, 0) + count
        summary["unexplained"] = summary.get("unexplained", 0) + len(comparison.unexplained())
        not_found += len(comparison.not_found)
    with store.transaction(db):
        for gone in store.mark_removed(db, "clause_changes", {"bill_id": bill_id}, kept, run_id=run.run_id, bill_id=bill_id):
            store.replace_links(db, "change_amendments", "clause_change_id", gone, [])
    shown = ", ".join(f"{summary[k]} {k}" for k in ("amended", "inserted", "removed", "moved", "renumbered", "unexplained") if summary.get(k))
    run.say(f"bill {bill_id}: {len(versions)} readable versions; {shown or 'no changes'}; "
            f"{not_found} agreed amendments not found in the next print")

