"""Watches: what a member of staff wants to hear about, which events of it, and where.

A watch has one target (a bill, an amendment, a member, a supplier, a provision or a
term), the event kinds it takes (by default every kind its target can have), and one or
more channels (email addresses, webhook URLs, its Atom feed). A target is checked
against the database when the watch is added: an unknown id, a name that fits no member
or several, or a URL that is not http(s) is refused in one line.
"""
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from email.utils import parseaddr
from typing import NoReturn
from urllib.parse import urlsplit

from scrapers.errors import TrackerError
from tracker import store
from tracker.alerts.config import ENV_NAME
from tracker.alerts.links import record_label
from tracker.sync.common import rows

SOURCE = "watch"

EVENT_KINDS = {
    "amendment_tabled": "an amendment or motion tabled (with its sponsors), or back on the list",
    "decision_changed": "the decision on an amendment or motion changed",
    "sponsor_added": "a member added to an amendment's sponsors",
    "sponsor_removed": "a member taken off an amendment's sponsors",
    "amendment_withdrawn": "an amendment or motion gone from the list",
    "stage_moved": "the bill moved to a new stage",
    "version_published": "a new version of the bill",
    "division": "a division on the bill or the amendment, with its result",
    "mention": "a debate contribution, written question or statement naming the member, supplier, provision or term",
    "commitment_overdue": "a Government commitment on the bill, the amendment, the provision or supplier passed its deadline",
}
_TABLED = ("amendment_tabled", "decision_changed")
# The events each kind of target can have; a watch takes all of them unless --events narrows it.
TARGET_EVENTS = {
    "bill": ("amendment_tabled", "decision_changed", "sponsor_added", "sponsor_removed", "amendment_withdrawn",
             "stage_moved", "version_published", "division", "commitment_overdue"),
    "amendment": ("decision_changed", "sponsor_added", "sponsor_removed", "amendment_withdrawn", "division", "commitment_overdue"),
    "member": ("amendment_tabled", "decision_changed", "sponsor_added", "sponsor_removed", "amendment_withdrawn", "mention",
               "commitment_overdue"),
    "supplier": (*_TABLED, "mention", "commitment_overdue"),
    "provision": (*_TABLED, "mention", "commitment_overdue"),
    "term": (*_TABLED, "mention", "commitment_overdue"),
}
TARGET_KINDS = tuple(TARGET_EVENTS)
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
# Every name a member is known by (``member_id``, ``form``): the name forms of ``members`` and ``member_names``.
MEMBER_NAME_FORMS = " UNION ".join(
    [f"SELECT member_id, [{c}] AS form FROM members" for c in ("name", "name_display_as", "name_list_as", "name_full_title", "name_address_as")]
    + ["SELECT member_id, name FROM member_names"]
)


@dataclass(frozen=True)
class Watch:
    id: int
    name: str
    target_kind: str
    target_id: str
    target_label: str
    events: tuple
    emails: tuple
    webhooks: tuple
    atom: bool
    digest: bool
    signature_env: str | None
    cursor: int
    created_at: str

    @classmethod
    def from_row(cls, row: dict) -> "Watch":
        return cls(
            id=row["id"], name=row["name"], target_kind=row["target_kind"], target_id=row["target_id"],
            target_label=row["target_label"] or row["target_id"], events=tuple(json.loads(row["events"])),
            emails=tuple(json.loads(row["emails"])), webhooks=tuple(json.loads(row["webhooks"])),
            atom=bool(row["atom"]), digest=bool(row["digest"]), signature_env=row["signature_env"],
            cursor=row["cursor_change_id"], created_at=row["created_at"],
        )

    @property
    def target(self) -> str:
        """``supplier Hikvision (hikvision)``: the target for people."""
        if self.target_kind == "term":
            return f"term {self.target_label}"
        return f"{self.target_kind} {self.target_label} ({self.target_id})"

    @property
    def channels(self) -> list:
        """``[(channel, destination)]``: every place this watch's messages go."""
        return [("email", a) for a in self.emails] + [("webhook", u) for u in self.webhooks] + ([("atom", "feed")] if self.atom else [])

    def as_json(self) -> dict:
        return {
            "name": self.name, "target": {"kind": self.target_kind, "id": self.target_id, "label": self.target_label},
            "events": list(self.events), "email": list(self.emails), "webhook": list(self.webhooks), "atom": self.atom,
            "digest": self.digest, "secret_env": self.signature_env, "created_at": self.created_at,
        }


def list_watches(db) -> list:
    return [Watch.from_row(r) for r in rows(db, "SELECT * FROM watches ORDER BY name")]


def get_watch(db, name: str) -> Watch:
    found = rows(db, "SELECT * FROM watches WHERE name = ?", [name])
    if not found:
        raise TrackerError("no such watch", source=SOURCE, record=name)
    return Watch.from_row(found[0])


# -- targets ----------------------------------------------------------------------

def _refuse(kind, value, message) -> NoReturn:
    raise TrackerError(message, source=SOURCE, record=f"{kind} {value}")


def _one(db, sql, params):
    return db.execute(sql, list(params)).fetchone()


def resolve_member(db, value: str) -> tuple:
    """``(member_id, label)`` for a member id or a name that fits exactly one member.

    A name is matched against every name form in ``members`` and ``member_names``, whole
    first (case aside), then as a part of a name; several members are refused with the
    candidates, so the user can give the id.
    """
    text = " ".join(str(value).split())
    if text.isdigit():
        row = _one(db, "SELECT member_id, name, house FROM members WHERE member_id = ?", [int(text)])
        if row is None:
            _refuse("member", text, "not in the database")
        return str(row[0]), _member_label(row)
    for condition, argument in (("lower(f.form) = lower(?)", text), ("lower(f.form) LIKE lower(?) ESCAPE '\\'", f"%{_like(text)}%")):
        found = db.execute(
            f"SELECT DISTINCT m.member_id, m.name, m.house FROM ({MEMBER_NAME_FORMS}) f JOIN members m ON m.member_id = f.member_id"
            f" WHERE f.form IS NOT NULL AND {condition} ORDER BY m.name, m.member_id",
            [argument],
        ).fetchall()
        if len(found) == 1:
            return str(found[0][0]), _member_label(found[0])
        if len(found) > 1:
            candidates = "; ".join(f"{_member_label(r)} = --member {r[0]}" for r in found[:10])
            more = f"; and {len(found) - 10} more" if len(found) > 10 else ""
            _refuse("member", repr(text), f"{len(found)} members have this name, give one id: {candidates}{more}")
    _refuse("member", repr(text), "no member of this name in the database")


def _like(text):
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _member_label(row):
    return f"{row[1]} ({row[2]})" if row[2] else str(row[1])


def _registry_entry(db, table, key, value):
    """A supplier or provision by id, or by a name or alias that only it has."""
    if db[table].count == 0:
        from tracker.tagging.registries import (
            load_registries,  # loaded by tagging; a fresh database has none yet
        )

        load_registries(db)
    row = _one(db, f"SELECT [{key}], name FROM [{table}] WHERE [{key}] = ?", [value])
    if row:
        return row
    aliases = "aliases" if table == "suppliers" else "NULL"
    found = db.execute(
        f"SELECT [{key}], name FROM [{table}] WHERE lower(name) = lower(?)"
        f" OR EXISTS (SELECT 1 FROM json_each(COALESCE({aliases}, '[]')) WHERE lower(value) = lower(?))",
        [value, value],
    ).fetchall()
    return found[0] if len(found) == 1 else None


def resolve_target(db, kind: str, value) -> tuple:
    """``(target_id, label)`` for one target, or a one-line TrackerError."""
    if kind not in TARGET_KINDS:
        raise TrackerError(f"unknown target kind {kind!r} (one of {', '.join(TARGET_KINDS)})", source=SOURCE)
    text = str(value).strip()
    if kind == "term":
        term = " ".join(text.split())
        if len(term) < 2:
            _refuse("term", repr(text), "a term needs at least two characters")
        return term, f"“{term}”"
    if kind == "member":
        return resolve_member(db, text)
    if kind in ("bill", "amendment"):
        table, key = ("bills", "bill_id") if kind == "bill" else ("amendments", "amendment_id")
        if not text.isdigit() or _one(db, f"SELECT 1 FROM [{table}] WHERE [{key}] = ?", [int(text)]) is None:
            _refuse(kind, text, "not in the database (sync it first)")
        return text, record_label(db, table, text)
    table, key = ("suppliers", "supplier_id") if kind == "supplier" else ("provisions", "provision_id")
    row = _registry_entry(db, table, key, text)
    if row is None:
        _refuse(kind, text, f"not in the {table} registry (give its id, e.g. one of: {_examples(db, table, key)})")
    return str(row[0]), row[1]


def _examples(db, table, key):
    return ", ".join(r[0] for r in db.execute(f"SELECT [{key}] FROM [{table}] ORDER BY [{key}] LIMIT 5").fetchall())


# -- channels and events --------------------------------------------------------------

def check_email(address: str) -> str:
    _, parsed = parseaddr(address)
    if not re.match(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", parsed or "") or parsed != address.strip():
        raise TrackerError("not an email address", source=SOURCE, record=f"email {address!r}")
    return parsed


def check_webhook(url: str) -> str:
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise TrackerError("not an http or https URL", source=SOURCE, record=f"webhook {url!r}")
    return url.strip()


def check_events(kind: str, events: Sequence[str] | None) -> tuple:
    """The event kinds a watch on a ``kind`` target takes: all it can have, or those asked for."""
    allowed = TARGET_EVENTS[kind]
    if not events:
        return allowed
    wanted = [e.strip() for e in events if e.strip()]
    wrong = [e for e in wanted if e not in allowed]
    if wrong or not wanted:
        raise TrackerError(f"a {kind} watch takes only {', '.join(allowed)}", source=SOURCE, record=f"events {','.join(wrong) or '(none)'}")
    return tuple(e for e in allowed if e in wanted)


# -- writes ------------------------------------------------------------------------------

def add_watch(db, name: str, kind: str, value, *, emails: Sequence[str] = (), webhooks: Sequence[str] = (),
              atom: bool = False, events: Sequence[str] | None = None, digest: bool = False,
              secret_env: str | None = None) -> Watch:
    """Add a watch, checked in full first; it alerts only on changes after this moment."""
    if not NAME.match(name or ""):
        raise TrackerError("a watch name is 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit",
                           source=SOURCE, record=repr(name))
    emails = [check_email(a) for a in emails]
    webhooks = [check_webhook(u) for u in webhooks]
    if not (emails or webhooks or atom):
        raise TrackerError("no channel: give --email ADDRESS, --webhook URL or --atom", source=SOURCE, record=name)
    if secret_env is not None and (not webhooks or not ENV_NAME.match(secret_env)):
        reason = "--secret-env goes with --webhook" if not webhooks else "not an environment variable name"
        raise TrackerError(reason, source=SOURCE, record=f"secret env {secret_env!r}")
    taken = check_events(kind, events)
    with store.transaction(db):
        target_id, label = resolve_target(db, kind, value)
        if _one(db, "SELECT 1 FROM watches WHERE name = ?", [name]):
            raise TrackerError("a watch of this name exists (names are unique)", source=SOURCE, record=name)
        newest = _one(db, "SELECT COALESCE(max(id), 0) FROM changes", [])[0]
        db.execute(
            "INSERT INTO watches (name, target_kind, target_id, target_label, events, emails, webhooks, atom, digest,"
            " signature_env, cursor_change_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [name, kind, target_id, label, json.dumps(list(taken)), json.dumps(emails), json.dumps(webhooks),
             int(atom), int(digest), secret_env, newest, store.utcnow()],
        )
    return get_watch(db, name)


def remove_watch(db, name: str) -> int:
    """Remove a watch with its feed and its messages not yet delivered; returns how many of those went."""
    with store.transaction(db):
        watch = get_watch(db, name)
        undelivered = _one(db, "SELECT count(*) FROM alert_deliveries WHERE watch_id = ? AND status != 'delivered'", [watch.id])[0]
        db.execute("DELETE FROM alert_deliveries WHERE watch_id = ?", [watch.id])
        db.execute("DELETE FROM alert_events WHERE watch_id = ?", [watch.id])
        db.execute("DELETE FROM watches WHERE id = ?", [watch.id])
    return undelivered
