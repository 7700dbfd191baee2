"""Alerts: watches, the outbox of events they caught, and each message's delivery per channel.

* ``watches``: one row per watch (``name`` unique). ``target_kind`` is bill, amendment,
  member, supplier, provision or term; ``target_id`` the record's id (or the term);
  ``events`` the JSON list of event kinds it takes; ``emails`` and ``webhooks`` JSON
  lists of destinations; ``atom`` 0/1. ``signature_env`` names the environment variable
  holding the webhook's signing key (the key itself is never stored here).
  ``cursor_change_id`` is the last ``changes.id`` turned into events for this watch:
  set to the newest change when the watch is added, so history never alerts.
* ``alert_events``: the outbox. One row per event a watch caught, written in the
  transaction that moves the watch's cursor past the changes causing it; ``event_key``
  (unique per watch) names what happened, so nothing is caught twice.
* ``alert_deliveries``: one row per message and destination (an email address, a
  webhook URL, the Atom feed). ``message_id`` is the event id (or a digest's id) every
  copy of the message carries; ``status`` pending, delivered or failed, with
  ``attempts``, ``next_attempt_at`` (the backoff) and ``last_error``.

``watch_id`` and ``change_id`` are not declared foreign keys: every foreign key
target is a table the publication names rows of, and watches and changes are not such tables.
"""


def migrate(db):
    db["watches"].create(
        {
            "id": int,
            "name": str,
            "target_kind": str,  # bill, amendment, member, supplier, provision, term
            "target_id": str,
            "target_label": str,
            "events": str,  # JSON list of event kinds
            "emails": str,  # JSON list
            "webhooks": str,  # JSON list
            "atom": int,
            "digest": int,
            "signature_env": str,
            "cursor_change_id": int,
            "created_at": str,
        },
        pk="id",
        not_null={"name", "target_kind", "target_id", "events", "emails", "webhooks", "cursor_change_id", "created_at"},
        defaults={"atom": 0, "digest": 0, "cursor_change_id": 0},
    )
    db["watches"].create_index(["name"], unique=True)
    db["alert_events"].create(
        {
            "event_id": str,
            "watch_id": int,
            "event_key": str,
            "kind": str,
            "table_name": str,
            "record_id": str,
            "bill_id": int,
            "record_label": str,  # the record's name as the site gives it
            "title": str,
            "summary": str,
            "excerpt": str,
            "highlights": str,  # JSON [[start, end], ...] within excerpt
            "page_path": str,
            "official_url": str,
            "occurred_at": str,
            "created_at": str,
            "change_id": int,
        },
        pk="event_id",
        foreign_keys=[("bill_id", "bills", "bill_id")],
    )
    db["alert_events"].create_index(["watch_id", "event_key"], unique=True)
    db["alert_events"].create_index(["watch_id", "created_at"])
    db["alert_deliveries"].create(
        {
            "id": int,
            "watch_id": int,
            "message_id": str,
            "event_ids": str,  # JSON list: one event, or a digest's events
            "channel": str,  # email, webhook, atom
            "destination": str,
            "status": str,  # pending, delivered, failed
            "attempts": int,
            "next_attempt_at": str,
            "last_attempt_at": str,
            "last_error": str,
            "delivered_at": str,
            "created_at": str,
        },
        pk="id",
    )
    db["alert_deliveries"].create_index(["message_id", "channel", "destination"], unique=True)
    db["alert_deliveries"].create_index(["status", "next_attempt_at"])
    db["alert_deliveries"].create_index(["watch_id"])
