"""What a message says: one event (or a digest of a run's events) as an email and as a webhook's JSON.

Every message carries its id (the event id, or the digest's id): in the email's
``Message-ID`` and ``X-Tracker-Event`` headers, and in the webhook's ``X-Tracker-Event``
header and ``event_id`` field, so a receiver can drop a repeat.
"""
import json
from collections.abc import Sequence
from datetime import datetime, timezone
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr

from markupsafe import Markup, escape

from tracker.alerts.watches import Watch

# Headers are not folded (up to RFC 5322's 998 characters): the standard library's folding of a
# subject with non-ASCII words leaves a doubled space in it when read back.
MAIL_POLICY = policy.SMTP.clone(max_line_length=998)


def _spans(event: dict) -> list:
    return json.loads(event.get("highlights") or "[]")


def marked_text(event: dict) -> str:
    """The excerpt with each highlighted span in *asterisks*."""
    text, out, at = event.get("excerpt") or "", [], 0
    for start, end in _spans(event):
        out += [text[at:start], "*", text[start:end], "*"]
        at = end
    return "".join(out + [text[at:]])


def marked_html(event: dict) -> Markup:
    """The excerpt, escaped, with each highlighted span in ``<mark>``."""
    text, out, at = event.get("excerpt") or "", Markup(""), 0
    for start, end in _spans(event):
        out += escape(text[at:start]) + Markup("<mark>{}</mark>").format(text[start:end])
        at = end
    return out + escape(text[at:])


def tracker_url(site: str, event: dict) -> str:
    return site + event["page_path"]


def event_json(watch: Watch, event: dict, site: str) -> dict:
    """One event as the webhook sends it."""
    return {
        "event_id": event["event_id"],
        "watch": watch.name,
        "kind": event["kind"],
        "title": event["title"],
        "summary": event["summary"],
        "record": {"table": event["table_name"], "id": event["record_id"], "label": event["record_label"]},
        "bill_id": event["bill_id"],
        "url": tracker_url(site, event),
        "official_url": event["official_url"],
        "occurred_at": event["occurred_at"],
        "excerpt": event["excerpt"],
        "highlights": _spans(event),
    }


def webhook_body(watch: Watch, events: Sequence[dict], message_id: str, site: str) -> bytes:
    """The exact bytes POSTed (and signed): one event, or a digest ``{event_id, watch, kind: digest, events}``."""
    if len(events) == 1 and events[0]["event_id"] == message_id:
        payload = event_json(watch, events[0], site)
    else:
        payload = {"event_id": message_id, "watch": watch.name, "kind": "digest",
                   "events": [event_json(watch, e, site) for e in events]}
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def subject(watch: Watch, events: Sequence[dict]) -> str:
    if len(events) == 1:
        return f"[{watch.name}] {events[0]['title']}"
    return f"[{watch.name}] {len(events)} events: {events[0]['record_label']} and {len(events) - 1} more"


def _plain_event(event: dict, site: str) -> str:
    lines = [event["title"], "", event["summary"]]
    if event.get("excerpt"):
        lines += ["", f"  “{marked_text(event)}”"]
    lines += ["", f"On the tracker: {tracker_url(site, event)}"]
    if event.get("official_url"):
        lines.append(f"Official page:  {event['official_url']}")
    lines += [f"Detected:       {event['occurred_at']}", f"Event id:       {event['event_id']}"]
    return "\n".join(lines)


def _html_event(event: dict, site: str) -> Markup:
    parts = [Markup("<h2>{}</h2><p>{}</p>").format(event["title"], event["summary"])]
    if event.get("excerpt"):
        parts.append(Markup("<blockquote>{}</blockquote>").format(marked_html(event)))
    links = [Markup('<a href="{}">On the tracker</a>').format(tracker_url(site, event))]
    if event.get("official_url"):
        links.append(Markup('<a href="{}">Official page</a>').format(event["official_url"]))
    parts.append(Markup("<p>{}</p>").format(Markup(" · ").join(links)))
    parts.append(Markup('<p style="color:#666">Detected {} · event {}</p>').format(event["occurred_at"], event["event_id"]))
    return Markup("").join(parts)


def _footer(watch: Watch) -> str:
    return f"You get this because of the watch “{watch.name}” on the {watch.target}. Stop it with: tracker watch remove {watch.name}"


def email_message(watch: Watch, events: Sequence[dict], message_id: str, *, site: str, mail_from: str, to: str,
                  now: datetime | None = None) -> EmailMessage:
    """The email for one message: plain text and HTML, its id in ``Message-ID`` and ``X-Tracker-Event``."""
    domain = parseaddr(mail_from)[1].rpartition("@")[2] or "procurement-bill-tracker"
    message = EmailMessage(policy=MAIL_POLICY)
    message["From"] = mail_from
    message["To"] = to
    message["Subject"] = subject(watch, events)
    message["Date"] = format_datetime(now or datetime.now(timezone.utc))
    message["Message-ID"] = f"<{message_id}@{domain}>"
    message["X-Tracker-Event"] = message_id
    message["X-Tracker-Watch"] = watch.name
    if len(events) > 1 or events[0]["event_id"] != message_id:
        message["X-Tracker-Events"] = ", ".join(e["event_id"] for e in events)
    separator = "\n\n" + "-" * 60 + "\n\n"
    message.set_content(separator.join(_plain_event(e, site) for e in events) + "\n\n--\n" + _footer(watch) + "\n")
    body = Markup("<hr>").join(_html_event(e, site) for e in events)
    message.add_alternative(
        str(Markup('<!DOCTYPE html><html><body style="font-family:sans-serif">{}<hr><p style="color:#666">{}</p></body></html>')
            .format(body, _footer(watch))),
        subtype="html",
    )
    return message
