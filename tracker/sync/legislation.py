"""The legislation.gov.uk step: an Act's text by section, as its bill's clauses."""
from scrapers import legislation
from scrapers.errors import parsing
from tracker import store
from tracker.sync import Records, Step
from tracker.sync.common import remove_unlisted


def legislation_step(bill_id, item_path, version="As enacted") -> Step:
    """A step that loads the text of ``item_path`` (e.g. ``ukpga/2023/54``) as ``bill_id``'s clauses."""

    def step(run):
        body, response = legislation.fetch_item(run.client, item_path)
        with parsing(legislation.SOURCE, response.url, record=item_path):
            rows = [clause.row() for clause in legislation.parse_item(body, item_path, bill_id, response.url, version=version)]
        run.tick(f"{bill_id}: text of {item_path}")
        with store.transaction(run.db):
            for row in rows:
                store.upsert(run.db, "bill_clauses", row, run_id=run.run_id, bill_id=bill_id)
        remove_unlisted(run, "bill_clauses", {"bill_id": bill_id, "version": version}, [row["clause_id"] for row in rows],
                        source=legislation.SOURCE, url=response.url, bill_id=bill_id, what="sections")

    return Step("legislation", "legislation", step, writes=frozenset({Records.ACT_TEXT}))
