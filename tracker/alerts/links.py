"""How an event names its record and links to it: the tracker's page and the official one.

Record names are the labels ``tracker.store.schema`` declares (the names the site's feeds
and lists use) and tracker pages come from the publication's ``record_path``, so a message
names and links a record exactly as the site does. Official pages are the services' pages for people, built
with the scrapers' own helpers where they have one.
"""
import sqlite3
from types import SimpleNamespace

from datasette.utils import tilde_encode

from scrapers.bills import public_bill_page
from scrapers.hansard import public_debate_page
from scrapers.questions import question_page
from tracker.publish import pages
from tracker.publish.server import database_name
from tracker.store import schema


class _SitePaths:
    """Datasette's ``datasette.urls`` path builders for a site served at its root."""

    def path(self, path: str) -> str:
        return path

    def row(self, database: str, table: str, row_path: str) -> str:
        return f"/{tilde_encode(database)}/{tilde_encode(table)}/{row_path}"


SITE = SimpleNamespace(urls=_SitePaths())


def db_name(db) -> str:
    """The name Datasette serves ``db`` under (its file's stem)."""
    path = db.execute("PRAGMA database_list").fetchone()[2]
    return database_name(path or "tracker")


def page_path(db, table: str, record_id) -> str:
    """The record's page on the tracker, relative to the site's root."""
    return pages.record_path(SITE, db_name(db), table, record_id)


def load_row(db, table: str, record_id) -> dict | None:
    """One record by its primary key (``a/b`` for a key of two columns), or None."""
    try:
        pks = db[table].pks
        values = str(record_id).split("/") if len(pks) > 1 else [record_id]
        cursor = db.execute(f"SELECT * FROM [{table}] WHERE " + " AND ".join(f"[{k}] = ?" for k in pks), values)
    except sqlite3.OperationalError:
        return None
    found = cursor.fetchone()
    return dict(zip([d[0] for d in cursor.description], found)) if found else None


def record_label(db, table: str, record_id) -> str:
    """The record's name as the site gives it ("Amendment 7 (Report stage, Commons)")."""
    declared = schema.TABLES.get(table)
    if declared is not None and declared.label and isinstance(declared.key, str):
        found = db.execute(f"SELECT {declared.label} FROM [{table}] t WHERE CAST(t.[{declared.key}] AS TEXT) = ?",
                           [str(record_id)]).fetchone()
        if found and found[0]:
            return found[0]
    return f"{table.replace('_', ' ')} {record_id}"


def _stage_page(row):
    return f"{public_bill_page(row['bill_id'])}/stages/{row['bill_stage_id']}"


def _debate_page(db, row):
    debate = load_row(db, "debates", row.get("debate_id")) if row.get("debate_id") else None
    if not debate or not debate.get("date"):
        return None
    return public_debate_page(debate["debate_id"], debate["date"][:10], debate.get("house"), debate.get("title"))


def _statement_page(row):
    return f"https://questions-statements.parliament.uk/written-statements/detail/{row['date']}/{row['uin']}"


def _division_page(row):
    return f"https://votes.parliament.uk/votes/{(row.get('house') or '').lower()}/division/{row['api_division_id']}"


def _version_page(row):
    """A print's document on bills.parliament.uk, the Act on legislation.gov.uk, else the bill's publications."""
    if row.get("publication_id") and row.get("document_id"):
        return f"https://bills.parliament.uk/publications/{row['publication_id']}/documents/{row['document_id']}"
    version = str(row.get("version_id") or "")
    if version.startswith("legislation/"):
        return f"https://www.legislation.gov.uk/{version[len('legislation/'):]}"
    return f"{public_bill_page(row['bill_id'])}/publications"


# table -> (columns the official page needs, how to build it from the row (and the database))
OFFICIAL_PAGES = {
    "bills": (("bill_id",), lambda db, row: public_bill_page(row["bill_id"])),
    "amendments": (("bill_id", "bill_stage_id"), lambda db, row: f"{_stage_page(row)}/amendments/{row['amendment_id']}"),
    "pingpong_items": (("bill_id", "bill_stage_id"), lambda db, row: _stage_page(row)),
    "bill_stages": (("bill_id",), lambda db, row: _stage_page(row)),
    "divisions": (("api_division_id",), lambda db, row: _division_page(row)),
    "contributions": (("debate_id",), _debate_page),
    "written_questions": (("date_tabled", "uin"), lambda db, row: question_page(row["date_tabled"], row["uin"])),
    "written_statements": (("date", "uin"), lambda db, row: _statement_page(row)),
    "members": (("member_id",), lambda db, row: f"https://members.parliament.uk/member/{row['member_id']}"),
    "bill_versions": (("bill_id",), lambda db, row: _version_page(row)),
}


def official_url(db, table: str, row: dict | None) -> str | None:
    """The record's page on the official service, or None when it cannot be told."""
    spec = OFFICIAL_PAGES.get(table)
    if spec is None or row is None:
        return None
    needs, build = spec
    if any(row.get(column) in (None, "") for column in needs):
        return None
    return build(db, row)
