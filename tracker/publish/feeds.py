"""Atom 1.0 feeds of changes, built with feedgen.

Three sources share one entry format: all changes, one bill's changes, and the
rows of any query or table that selects changes (``.atom`` on a canned query
whose columns include ``table_name``, ``record_id``, ``kind`` and
``detected_at``). Rows with datasette-atom's ``atom_id``, ``atom_title`` and
``atom_updated`` columns are rendered too. Text goes into the feed as text, so
feedgen escapes it.
"""
import json
from datetime import datetime, timezone

from feedgen.feed import FeedGenerator

CHANGE_COLUMNS = {"table_name", "record_id", "kind", "detected_at"}
ATOM_COLUMNS = {"atom_id", "atom_title", "atom_updated"}
GENERATOR = "procurement-bill-tracker"


def parse_time(value):
    """A timezone-aware datetime from an ISO 8601 string or date (UTC when no zone)."""
    if isinstance(value, datetime):
        moment = value
    else:
        text = str(value or "").strip().replace("Z", "+00:00")
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            moment = datetime(1970, 1, 1)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment


def _short(value, limit=120):
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def describe_change(row):
    """``(title, summary)`` for one ``changes`` row."""
    label = row.get("label") or f"{row.get('table_name')} {row.get('record_id')}"
    fields = row.get("changed_fields")
    if isinstance(fields, str):
        try:
            fields = json.loads(fields)
        except ValueError:
            fields = None
    names = ", ".join(fields) if isinstance(fields, dict) else ""
    title = f"{label} {row.get('kind')}" + (f": {names}" if names else "")
    lines = []
    if isinstance(fields, dict):
        for name, pair in fields.items():
            if isinstance(pair, list) and len(pair) == 2:
                lines.append(f"{name}: {_short(pair[0])} → {_short(pair[1])}")
            else:
                lines.append(f"{name}: {_short(pair)}")
    summary = "\n".join(lines) or f"{row.get('table_name')} {row.get('record_id')} {row.get('kind')}"
    return title, summary


SAMPLE_CATEGORY = "sample-data"


def build_feed(*, feed_id, title, self_url, alternate_url, entries, subtitle=None, sample_note=None):
    """Atom XML bytes. ``entries``: dicts with id, title, updated, link, summary.

    ``sample_note``: the database is the bundled sample: the feed's title says so, its subtitle
    starts with the note and it carries the category ``sample-data`` (as every entry does).
    """
    fg = FeedGenerator()
    fg.id(feed_id)
    fg.title(f"[Sample data] {title}" if sample_note else title)
    if sample_note:
        subtitle = f"{sample_note} {subtitle or ''}".strip()
        fg.category(term=SAMPLE_CATEGORY, label="Sample data, not the parliamentary record")
    fg.author({"name": "Procurement Bill tracker"})
    fg.link(href=self_url, rel="self", type="application/atom+xml")
    fg.link(href=alternate_url, rel="alternate", type="text/html")
    fg.generator(GENERATOR)
    fg.rights("Contains Parliamentary information licensed under the Open Parliament Licence v3.0.")
    if subtitle:
        fg.subtitle(subtitle)
    latest = None
    # feedgen prepends each new entry; add oldest first so the newest leads.
    for entry in reversed(entries):
        fe = fg.add_entry()
        fe.id(entry["id"])
        fe.title(entry["title"] or entry["id"])
        updated = parse_time(entry["updated"])
        fe.updated(updated)
        latest = updated if latest is None or updated > latest else latest
        if entry.get("link"):
            fe.link(href=entry["link"], rel="alternate")
        if entry.get("summary"):
            fe.summary(entry["summary"])
        if sample_note:
            fe.category(term=SAMPLE_CATEGORY, label="Sample data, not the parliamentary record")
    fg.updated(latest or datetime.now(timezone.utc))
    return fg.atom_str(pretty=True)


def change_entries(rows, *, change_url, record_url):
    """Feed entries for ``changes`` rows; ``change_url(id)`` and ``record_url(row)`` make links."""
    entries = []
    for row in rows:
        title, summary = describe_change(row)
        entry_id = change_url(row["id"]) if row.get("id") is not None else (
            f"urn:tracker:change:{row.get('table_name')}:{row.get('record_id')}:{row.get('kind')}:{row.get('detected_at')}"
        )
        entries.append(
            {"id": entry_id, "title": title, "updated": row.get("detected_at"), "link": record_url(row), "summary": summary}
        )
    return entries


def atom_column_entries(rows):
    """Feed entries from datasette-atom style columns."""
    entries = []
    for row in rows:
        summary = row.get("atom_content") or row.get("atom_content_html")
        entries.append(
            {
                "id": str(row["atom_id"]),
                "title": str(row.get("atom_title") or row["atom_id"]),
                "updated": row.get("atom_updated"),
                "link": row.get("atom_link"),
                "summary": str(summary) if summary is not None else None,
            }
        )
    return entries
