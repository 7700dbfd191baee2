"""The written questions and statements step: those mentioning a tracked bill's title or a watch term."""
import os

from scrapers import questions as questions_api
from scrapers.errors import TrackerError, parsing
from tracker import store
from tracker.sync import Records, Step
from tracker.sync.common import load_bill, search_titles, tracked_bill_ids

DEFAULT_WATCH_TERMS = ("Hikvision", "surveillance equipment")
WATCH_TERMS_ENV = "TRACKER_WATCH_TERMS"
WRITE_BATCH = 50


def watch_terms(terms=()):
    """The terms to search for: ``--term`` values, else $TRACKER_WATCH_TERMS (comma-separated), else the defaults."""
    if terms:
        return list(dict.fromkeys(terms))
    configured = [t.strip() for t in os.environ.get(WATCH_TERMS_ENV, "").split(",") if t.strip()]
    return configured or list(DEFAULT_WATCH_TERMS)


def questions_step(terms=()) -> Step:
    """Written questions and statements mentioning a tracked bill's title or a watch term (so after the bills)."""

    def step(run):
        searches = []
        for bill_id in tracked_bill_ids(run):
            try:
                bill, _ = load_bill(run.db, bill_id)
            except TrackerError as error:
                run.fail(error)
                continue
            searches.extend((title, bill_id) for title in search_titles(bill))
        searches.extend((term, None) for term in watch_terms(terms))
        sync_written(run, searches)

    return Step("questions", "questions", step, reads=frozenset({Records.BILLS}), writes=frozenset({Records.QUESTIONS, Records.MEMBER_REFERENCES}))


def sync_written(run, searches):
    db = run.db
    found = {"written_questions": {}, "written_statements": {}}
    matches = []
    for term, bill_id in searches:
        run.tick(f"questions: {term}", total=len(searches))
        for table, search, parse, pk in (
            ("written_questions", questions_api.search_questions, questions_api.parse_question, "question_id"),
            ("written_statements", questions_api.search_statements, questions_api.parse_statement, "statement_id"),
        ):
            try:
                results = search(run.client, term)
            except TrackerError as error:
                run.fail(error)
                continue
            for value, response in results:
                try:
                    with parsing(questions_api.SOURCE, response.url, record=value["id"]):
                        parsed = parse(value, response.url)
                    row, members = parsed.row(), [m.row() for m in parsed.members]
                except TrackerError as error:
                    run.fail(error)
                    continue
                held = found[table].get(row[pk])
                if held is None:
                    row["bill_id"] = bill_id
                    found[table][row[pk]] = (row, members)
                elif bill_id and held[0]["bill_id"] is None:
                    held[0]["bill_id"] = bill_id
                matches.append((table, row[pk], term))
    for table, pk in (("written_questions", "question_id"), ("written_statements", "statement_id")):
        items = list(found[table].values())
        for start in range(0, len(items), WRITE_BATCH):
            with store.transaction(db):
                for row, members in items[start : start + WRITE_BATCH]:
                    for member in members:
                        store.ensure_member(db, member, run_id=run.run_id)
                    if row["bill_id"] is None:
                        stored = db.execute(f"SELECT bill_id FROM [{table}] WHERE [{pk}] = ?", [row[pk]]).fetchone()
                        row["bill_id"] = stored[0] if stored else None
                    store.upsert(db, table, row, run_id=run.run_id, bill_id=row["bill_id"])
    with store.transaction(db):
        for table, item_id, term in matches:
            column = "question_id" if table == "written_questions" else "statement_id"
            store.merge_row(db, "written_matches", {column: item_id, "term": term, "first_seen": store.utcnow()}, key=(column, "term"))
