"""Sending: email over SMTP, signed webhooks, and the delivery loop that marks each message.

:func:`deliver` takes every due delivery from the outbox, sends it, and marks it
delivered in its own transaction right after; a failure is marked with its error and
the next attempt's time (see :mod:`tracker.alerts.outbox`). Channel failures are
:class:`TrackerError`s naming the channel and the destination, one line each.

* SMTP: one connection per run, opened at the first message, as configured in
  :mod:`tracker.alerts.config` (``starttls``, ``tls`` or ``none``). When the relay cannot be
  reached, the run's other messages fail at once with the same error rather than each
  waiting for its own timeout.
* Webhook: a JSON POST whose ``X-Tracker-Signature: sha256=HEX`` is the HMAC-SHA256 of
  the raw body with the watch's key, as GitHub signs its webhooks. Connection errors,
  timeouts, 408, 429 and 5xx are retried in the run with exponential backoff
  (``Retry-After`` honoured); ``sleep`` is injectable so tests never wait.
"""
import hashlib
import hmac
import smtplib
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import parseaddr

import requests

from scrapers.errors import TrackerError
from scrapers.http import USER_AGENT, parse_retry_after
from tracker.alerts import messages, outbox
from tracker.alerts.config import Settings, site_url, smtp_settings, webhook_secret
from tracker.alerts.watches import list_watches

SMTP_TIMEOUT = 30


def _smtp_reason(error: BaseException) -> str:
    if isinstance(error, smtplib.SMTPResponseException):
        text = error.smtp_error.decode("utf-8", "replace") if isinstance(error.smtp_error, bytes) else str(error.smtp_error)
        return f"{error.smtp_code} {text}".strip()
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return "; ".join(f"{to} refused: {code} {text.decode('utf-8', 'replace')}" for to, (code, text) in error.recipients.items())
    if isinstance(error, ConnectionRefusedError):
        return "connection refused"
    if isinstance(error, TimeoutError):
        return "timed out"
    return str(error) or type(error).__name__


class SmtpChannel:
    """Sends emails through the configured relay, one connection per run."""

    def __init__(self, settings: Settings, timeout: float = SMTP_TIMEOUT):
        self.settings = settings
        self.timeout = timeout
        self.connection: smtplib.SMTP | None = None
        self.unreachable: TrackerError | None = None  # the error that stops this run's other messages

    def send(self, message, to: str) -> None:
        if self.unreachable is not None:
            raise self.unreachable
        try:
            config = smtp_settings(self.settings)
        except TrackerError as error:
            self.unreachable = error
            raise
        where = f"smtp://{config.host}:{config.port}"
        if self.connection is None:
            try:
                self.connection = self._connect(config)
            except (OSError, smtplib.SMTPException) as error:
                self.unreachable = TrackerError(_smtp_reason(error), source="SMTP", url=where)
                raise self.unreachable from None
        try:
            self.connection.send_message(message, from_addr=_address(config.mail_from), to_addrs=[to])
        except (OSError, smtplib.SMTPException) as error:
            self.close()
            raise TrackerError(_smtp_reason(error), source="SMTP", url=where, record=to) from None

    def _connect(self, config):
        context = ssl.create_default_context()
        if config.security == "tls":
            connection = smtplib.SMTP_SSL(config.host, config.port, timeout=self.timeout, context=context)
        else:
            connection = smtplib.SMTP(config.host, config.port, timeout=self.timeout)
        try:
            connection.ehlo()
            if config.security == "starttls":
                connection.starttls(context=context)
                connection.ehlo()
            if config.user:
                connection.login(config.user, config.password or "")
        except BaseException:
            connection.close()
            raise
        return connection

    def close(self) -> None:
        if self.connection is not None:
            try:
                self.connection.quit()
            except (OSError, smtplib.SMTPException):
                self.connection.close()
            self.connection = None


def _address(mail_from: str) -> str:
    return parseaddr(mail_from)[1] or mail_from


def signature(secret: bytes, body: bytes) -> str:
    """``sha256=HEX``: the HMAC-SHA256 of ``body`` with ``secret``."""
    return "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()


@dataclass
class WebhookChannel:
    """POSTs signed JSON, retrying failures in the run with exponential backoff."""

    sleep: Callable[[float], None] = time.sleep
    session: requests.Session = field(default_factory=requests.Session)
    timeout: tuple = (5, 15)
    attempts: int = 4
    backoff: float = 1.0
    max_backoff: float = 60.0

    def send(self, url: str, body: bytes, message_id: str, secret: bytes, watch_name: str) -> None:
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": USER_AGENT,
            "X-Tracker-Event": message_id,
            "X-Tracker-Watch": watch_name,
            "X-Tracker-Signature": signature(secret, body),
        }
        reason = None
        for attempt in range(self.attempts):
            retry_after = None
            try:
                response = self.session.post(url, data=body, headers=headers, timeout=self.timeout, allow_redirects=False)
            except requests.Timeout:
                reason = "timed out"
            except requests.ConnectionError:
                reason = "connection failed"
            except requests.RequestException as error:
                raise TrackerError(f"request failed: {error}", source="webhook", url=url) from None
            else:
                if 200 <= response.status_code < 300:
                    return
                reason = f"HTTP {response.status_code}"
                if not (response.status_code >= 500 or response.status_code in (408, 429)):
                    raise TrackerError(reason, source="webhook", url=url)
                retry_after = parse_retry_after(response.headers.get("Retry-After"))
            if attempt + 1 < self.attempts:
                self.sleep(self.delay(attempt, retry_after))
        raise TrackerError(f"{reason} after {self.attempts} attempts", source="webhook", url=url)

    def delay(self, attempt: int, retry_after: float | None) -> float:
        """Seconds before retry ``attempt + 1``: ``Retry-After`` if given, else 1, 2, 4 ... (at most ``max_backoff``)."""
        if retry_after is not None:
            return min(retry_after, self.max_backoff)
        return min(self.max_backoff, self.backoff * 2**attempt)

    def close(self) -> None:
        self.session.close()


@dataclass
class DeliveryReport:
    delivered: int = 0
    failures: list = field(default_factory=list)  # one line each
    waiting: list = field(default_factory=list)  # one line per failed message whose next attempt is not due yet


def deliver(db, settings: Settings, *, now: Callable[[], datetime] | None = None, all_undelivered: bool = False,
            webhook: WebhookChannel | None = None, smtp_timeout: float = SMTP_TIMEOUT) -> DeliveryReport:
    """Send every due message and mark each delivered (or failed, with its next attempt's time).

    ``all_undelivered`` tries failed ones whose backoff has not passed too (``tracker alerts retry``).
    """
    clock = now or (lambda: datetime.now(timezone.utc))
    report = DeliveryReport()
    pending = outbox.due(db, clock(), all_undelivered=all_undelivered)
    report.waiting = [
        f"watch {row['watch']}: {row['channel']} to {row['destination']} not delivered yet (message {row['message_id']},"
        f" {row['attempts']} failed attempts, next after {row['next_attempt_at']}): {row['last_error']}"
        for row in outbox.list_deliveries(db, failed_only=True, limit=None) if row["id"] not in {p["id"] for p in pending}
    ]
    if not pending:
        return report
    watches = {w.id: w for w in list_watches(db)}
    site = site_url(settings)
    smtp = SmtpChannel(settings, timeout=smtp_timeout)
    webhook = webhook or WebhookChannel()
    try:
        for delivery in pending:
            watch = watches.get(delivery["watch_id"])
            events = outbox.events_of(db, delivery)
            if watch is None or not events:
                continue
            try:
                if delivery["channel"] == "email":
                    config_from = settings.get("TRACKER_MAIL_FROM") or ""
                    smtp.send(messages.email_message(watch, events, delivery["message_id"], site=site, mail_from=config_from,
                                                     to=delivery["destination"], now=clock()), delivery["destination"])
                elif delivery["channel"] == "webhook":
                    body = messages.webhook_body(watch, events, delivery["message_id"], site)
                    secret = webhook_secret(settings, watch.signature_env)
                    webhook.send(delivery["destination"], body, delivery["message_id"], secret, watch.name)
                else:
                    raise TrackerError(f"no such channel {delivery['channel']!r}", source="alerts")
            except TrackerError as error:
                next_at = outbox.mark_failed(db, delivery, str(error), clock())
                report.failures.append(
                    f"watch {watch.name}: {delivery['channel']} to {delivery['destination']} failed"
                    f" (message {delivery['message_id']}, attempt {delivery['attempts'] + 1}, next after {next_at}): {error}"
                )
                continue
            outbox.mark_delivered(db, delivery["id"], clock())
            report.delivered += 1
    finally:
        smtp.close()
        webhook.close()
    return report


def delivery_json(row: dict) -> dict:
    """A delivery as ``tracker alerts list --json`` prints it."""
    keys = ("id", "watch", "channel", "destination", "message_id", "status", "attempts", "last_error", "next_attempt_at",
            "last_attempt_at", "delivered_at", "created_at", "events")
    return {k: row.get(k) for k in keys}


def describe(row: dict) -> str:
    """One line for ``tracker alerts list``."""
    titles = "; ".join(e["title"] for e in row["events"]) or "(events gone)"
    status = row["status"]
    if status == "failed":
        status += f" ×{row['attempts']}, next after {row['next_attempt_at']}: {row['last_error']}"
    return f"#{row['id']} {row['created_at']} {row['watch']} {row['channel']} {row['destination']} [{status}] {titles}"

