"""One Atom feed per watch: ``/-/watch/NAME.atom``, the watch's events newest first.

Entry ids are ``urn:uuid:<event id>`` and the feed's id is derived from the watch's id and
creation time, so neither depends on the host or port the site is served on; a reader
that saw an entry once never sees it as new again. Only watches added with ``--atom``
have a feed.
"""
import uuid

from datasette.utils.asgi import NotFound

from tracker.publish import feeds, pages

_FEEDS = uuid.UUID("6c0f3a52-5a1e-4d8e-9a53-7a0c2f3e9b11")  # this project's namespace for watch feed ids


def feed_id(watch: dict) -> str:
    """The watch's feed id: stable for the watch, different for a new watch of the same name."""
    return "urn:uuid:" + str(uuid.uuid5(_FEEDS, f"{watch['id']}:{watch['created_at']}"))


def entry_id(event_id: str) -> str:
    return f"urn:uuid:{event_id}"


def entries(datasette, request, events) -> list:
    return [
        {
            "id": entry_id(e["event_id"]),
            "title": e["title"],
            "updated": e["occurred_at"],
            "link": datasette.absolute_url(request, datasette.urls.path(e["page_path"])),
            "summary": "\n\n".join(part for part in (e["summary"], e["excerpt"]) if part),
        }
        for e in events
    ]


async def watch_feed(request, datasette):
    from tracker.publish.plugin import FEED_LIMIT, SAMPLE_NOTE, atom_response, check_view, is_sample, tracker_db

    db = await tracker_db(datasette)
    await check_view(datasette, request, db)
    name = request.url_vars["name"]
    watch = None
    if {"watches", "alert_events"} <= set(await db.table_names()):
        watch = await pages.one(db, "SELECT id, name, target_label, target_kind, atom, created_at FROM watches WHERE name = ?", [name])
    if watch is None or not watch["atom"]:
        raise NotFound(f"No watch {name} with an Atom feed")
    events = await pages.many(
        db, f"SELECT * FROM alert_events WHERE watch_id = ? ORDER BY created_at DESC, change_id DESC LIMIT {FEED_LIMIT}", [watch["id"]]
    )
    path = datasette.urls.path(f"/-/watch/{name}.atom")
    xml = feeds.build_feed(
        feed_id=feed_id(watch),
        title=f"Procurement Bill tracker: watch {name}",
        subtitle=f"What happened to the {watch['target_kind']} {watch['target_label']}, newest first.",
        self_url=datasette.absolute_url(request, path),
        alternate_url=datasette.absolute_url(request, datasette.urls.path("/")),
        entries=entries(datasette, request, events),
        sample_note=SAMPLE_NOTE if await is_sample(db) else None,
    )
    return atom_response(xml)
