"""Events: what each watch is told, derived from ``changes`` and ``mentions`` after a sync and tagging.

Each ``changes`` row becomes zero or more *facts* (what happened, to which record, and
whom and what it concerns: bills, amendments, members, and the mentions and texts in
which a supplier, provision, member or term is looked for). A fact becomes an *event*
for a watch when its kind is one the watch takes and it concerns the watch's target:

| change | fact |
| --- | --- |
| amendment or ping-pong item added / restored | ``amendment_tabled``: its bill, sponsors, mentions and text |
| ... changed ``decision`` | ``decision_changed`` (old and new), same concerns |
| ... changed ``sponsors`` | ``sponsor_added`` / ``sponsor_removed``, concerning the members added or taken off |
| ... removed from the list | ``amendment_withdrawn`` |
| bill changed ``current_stage`` | ``stage_moved`` |
| ``bill_versions`` row added | ``version_published`` |
| division added, or linked to an amendment later | ``division`` with its result, concerning its bill and amendment |
| speech, written question or statement added or changed | ``mention``: the mentions and text of its new or changed fields |
| commitment's ``status`` changed to overdue, or a commitment found already overdue | ``commitment_overdue``: its bill, the minister, and its topic (a family's amendments, a provision or supplier) |

A name already in a changed field's old text does not alert again.

A supplier or provision watch also takes its narrower records (``parent_id``): a watch on
Hikvision hears of Hikvision UK. A term is matched as whole words, case aside.

:func:`derive_events` does the work for every watch in one transaction: it reads the
changes after each watch's cursor, writes the events to the outbox with their queued
deliveries, and moves the cursor, so a change is turned into events once, whatever
crashes when.
"""
import json
import re
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

from tracker import store
from tracker.alerts import links, outbox
from tracker.alerts.watches import MEMBER_NAME_FORMS, Watch, list_watches
from tracker.store import schema
from tracker.sync.common import rows
from tracker.vocab import ChangeKind, Decision, House

# What the tagger reads of each table, and what members table (their sponsors' link table), as the schema declares.
TEXT_FIELDS = {table.name: table.tagging.fields for table in schema.tagged() if table.tagging}
TABLED = {table.name: (table.id, table.tabled.sponsors) for table in schema.tabled() if table.tabled}
DOCUMENTS = ("contributions", "written_questions", "written_statements")  # where a mention alerts on its own
EXCERPT_CONTEXT = 160
PLAIN_EXCERPT = 300


@dataclass
class Fact:
    """One thing that happened to one record, with what it concerns."""

    kind: str
    key: str  # names the happening; a watch is told of it once
    change_id: int
    occurred_at: str
    table: str
    record_id: str
    bill_id: int | None
    label: str
    title: str
    summary: str
    page_path: str
    official_url: str | None
    texts: dict = field(default_factory=dict)  # field -> text to find the watch's term or mentions in
    old_texts: dict = field(default_factory=dict)  # field -> text before the change (mention facts only)
    mentions: list = field(default_factory=list)
    bills: set = field(default_factory=set)
    amendments: set = field(default_factory=set)
    members: set = field(default_factory=set)
    entities: dict = field(default_factory=dict)  # "suppliers"/"provisions" -> ids the fact is about with no mention (a commitment's topic)


@dataclass
class Event:
    """One row of the outbox (``alert_events``)."""

    event_id: str
    watch_id: int
    event_key: str
    kind: str
    table_name: str
    record_id: str
    bill_id: int | None
    record_label: str
    title: str
    summary: str
    excerpt: str
    highlights: str
    page_path: str
    official_url: str | None
    occurred_at: str
    created_at: str
    change_id: int


def readable(decision) -> str:
    """A decision as a reader says it (``NotMoved`` -> "Not moved"); "none" for none."""
    return Decision.readable_name(decision or None) or "none"


def _names(value) -> list:
    try:
        names = json.loads(value) if isinstance(value, str) else value
    except ValueError:
        return []
    return [n for n in names or [] if n]


class Facts:
    """Turns ``changes`` rows into facts, reading the records they name (cached per run)."""

    def __init__(self, db):
        self.db = db
        self.families = {}

    def __call__(self, change: dict) -> list:
        table, kind = change["table_name"], change["kind"]
        fields = json.loads(change["changed_fields"] or "{}")
        if table in TABLED:
            return self._tabled(change, kind, fields)
        if table == "bills" and kind == ChangeKind.CHANGED and "current_stage" in fields:
            return self._stage(change, fields["current_stage"])
        if table == "bill_versions" and kind == ChangeKind.ADDED:
            return self._version(change)
        if table == "divisions" and (kind == ChangeKind.ADDED or (kind == ChangeKind.CHANGED and {"amendment_id", "pingpong_item_id"} & set(fields))):
            return self._division(change)
        if table in DOCUMENTS and kind in (ChangeKind.ADDED, ChangeKind.RESTORED, ChangeKind.CHANGED):
            return self._document(change, kind, fields)
        if table == "commitments" and kind in (ChangeKind.ADDED, ChangeKind.RESTORED, ChangeKind.CHANGED):
            return self._commitment(change, kind, fields)
        return []

    def _base(self, change, kind, key, row, title, summary, **concerns) -> Fact:
        table, record_id = change["table_name"], change["record_id"]
        bill_id = (row or {}).get("bill_id") or change["bill_id"]
        return Fact(
            kind=kind, key=key, change_id=change["id"], occurred_at=change["detected_at"], table=table, record_id=record_id,
            bill_id=bill_id, label=links.record_label(self.db, table, record_id), title=title, summary=summary,
            page_path=links.page_path(self.db, table, record_id), official_url=links.official_url(self.db, table, row),
            bills={bill_id} if bill_id is not None else set(), **concerns,
        )

    def mentions_of(self, table, record_id, fields) -> list:
        if not fields:
            return []
        marks = ", ".join("?" for _ in fields)
        found = rows(
            self.db,
            f"SELECT * FROM mentions WHERE doc_table = ? AND doc_id = ? AND field IN ({marks}) ORDER BY start",
            [table, str(record_id), *fields],
        )
        order = {f: i for i, f in enumerate(fields)}
        return sorted(found, key=lambda m: (order[m["field"]], m["start"]))

    def bill_title(self, bill_id) -> str:
        return links.record_label(self.db, "bills", bill_id) if bill_id is not None else ""

    # -- amendments and ping-pong items --------------------------------------------------

    def _tabled(self, change, kind, fields) -> list:
        table, record_id = change["table_name"], change["record_id"]
        key, sponsor_table = TABLED[table]
        row = links.load_row(self.db, table, record_id)
        if row is None:
            return []
        sponsors = rows(
            self.db,
            f"SELECT s.member_id, COALESCE(m.name, s.member_id) AS name FROM [{sponsor_table}] s"
            f" LEFT JOIN members m ON m.member_id = s.member_id WHERE s.[{key}] = ? ORDER BY s.sort_order",
            [row[key]],
        )
        text_fields = TEXT_FIELDS.get(table, ())
        label = links.record_label(self.db, table, record_id)
        context = {
            "texts": {f: row[f] for f in text_fields if row.get(f)},
            "mentions": self.mentions_of(table, record_id, text_fields),
            "amendments": {row[key]} if table == "amendments" else set(),
            "members": {s["member_id"] for s in sponsors},
        }
        bill = self.bill_title(row.get("bill_id"))
        by = ", ".join(str(s["name"]) for s in sponsors) or "no sponsor named"
        change_id = change["id"]
        facts = []
        if kind in (ChangeKind.ADDED, ChangeKind.RESTORED):
            title = f"{label} tabled" if kind == ChangeKind.ADDED else f"{label} back on the list"
            summary = f"{bill}: {label} tabled by {by}; decision: {readable(row.get('decision'))}."
            facts.append(self._base(change, "amendment_tabled", f"amendment_tabled:{change_id}", row, title, summary, **context))
        elif kind == ChangeKind.REMOVED:
            summary = f"{bill}: {label} (tabled by {by}) is no longer on the list of amendments."
            facts.append(self._base(change, "amendment_withdrawn", f"amendment_withdrawn:{change_id}", row,
                                    f"{label} withdrawn from the list", summary, **context))
        elif kind == ChangeKind.CHANGED:
            if "decision" in fields:
                old, new = fields["decision"]
                explanation = f" {row['decision_explanation']}" if row.get("decision_explanation") else ""
                summary = f"{bill}: the decision on {label} (tabled by {by}) changed from {readable(old)} to {readable(new)}.{explanation}"
                facts.append(self._base(change, "decision_changed", f"decision_changed:{change_id}", row,
                                        f"{label}: {readable(old)} → {readable(new)}", summary, **context))
            if "sponsors" in fields:
                old, new = (_names(v) for v in fields["sponsors"])
                for fact_kind, names, verb in (("sponsor_added", [n for n in new if n not in old], "added to"),
                                               ("sponsor_removed", [n for n in old if n not in new], "taken off")):
                    if not names:
                        continue
                    title = f"{label}: {', '.join(names)} {verb} the sponsors"
                    summary = f"{bill}: {', '.join(names)} {verb} the sponsors of {label}; sponsors now: {', '.join(new) or 'none'}."
                    facts.append(self._base(change, fact_kind, f"{fact_kind}:{change_id}", row, title, summary,
                                            **{**context, "members": self.member_ids_named(names)}))
        return facts

    def member_ids_named(self, names) -> set:
        """The members any of whose names is one of ``names`` (sponsors are named, not numbered, in history)."""
        wanted = [n.lower() for n in names]
        marks = ", ".join("?" for _ in wanted)
        return {r[0] for r in self.db.execute(
            f"SELECT DISTINCT member_id FROM ({MEMBER_NAME_FORMS}) WHERE lower(form) IN ({marks})", wanted).fetchall()}

    # -- bills, versions, divisions -----------------------------------------------------------

    def _stage(self, change, stage) -> list:
        old, new = stage
        row = links.load_row(self.db, "bills", change["record_id"])
        house = f" ({row['current_house']})" if row and row.get("current_house") else ""
        label = links.record_label(self.db, "bills", change["record_id"])
        return [self._base(change, "stage_moved", f"stage_moved:{change['id']}", row, f"{label} moved to {new or 'no stage'}",
                           f"{label} moved from {old or 'no stage'} to {new or 'no stage'}{house}.")]

    def _version(self, change) -> list:
        row = links.load_row(self.db, "bill_versions", change["record_id"]) or {}
        named = row.get("label") or change["record_id"]
        bill_id = row.get("bill_id") or change["bill_id"]
        row = {**row, "bill_id": bill_id}
        bill = self.bill_title(bill_id)
        return [self._base(change, "version_published", f"version_published:{change['id']}", row, f"{bill}: new version {named}",
                           f"A new version of {bill} was published: {named}.")]

    def _division(self, change) -> list:
        row = links.load_row(self.db, "divisions", change["record_id"])
        if row is None:
            return []
        label = links.record_label(self.db, "divisions", change["record_id"])
        result = division_result(row)
        on = ""
        if row.get("amendment_id") is not None:
            on = f" on {links.record_label(self.db, 'amendments', row['amendment_id'])}"
        elif row.get("pingpong_item_id") is not None:
            on = f" on {links.record_label(self.db, 'pingpong_items', row['pingpong_item_id'])}"
        return [self._base(change, "division", f"division:{row['division_id']}", row, f"{label}: {result}",
                           f"{self.bill_title(row.get('bill_id'))}: {label}{on}: {result}.",
                           amendments={row["amendment_id"]} if row.get("amendment_id") is not None else set())]

    # -- the Government's commitments ---------------------------------------------------------

    def _commitment(self, change, kind, fields) -> list:
        """A commitment that passed its deadline: its status changed to overdue (``tracker positions
        derive`` on a later day), or it was first found already overdue."""
        row = links.load_row(self.db, "commitments", change["record_id"])
        if row is None:
            return []
        if kind == ChangeKind.CHANGED:
            now = (fields.get("status") or [None, None])[1]
        else:
            now = row.get("status")
        if now != "overdue":
            return []
        who = links.record_label(self.db, "members", row["member_id"]) if row.get("member_id") is not None else None
        who = who or row.get("department") or "The Government"
        amendments, entities = self.topic_concerns(row.get("topic"))
        basis = f" ({row['deadline_basis']})" if row.get("deadline_basis") else ""
        text = " ".join((row.get("text") or "").split())
        return [self._base(
            change, "commitment_overdue", f"commitment_overdue:{row['commitment_id']}", row,
            f"Commitment overdue: {who}, {row.get('made_on') or 'undated'}",
            f"{who} committed on {row.get('made_on') or 'an unknown date'}: “{text}” Its deadline, {row.get('deadline')}{basis}, has passed"
            " with no report of it met.",
            texts={"text": text}, amendments=amendments, entities=entities,
            members={row["member_id"]} if row.get("member_id") is not None else set(),
        )]

    def topic_concerns(self, topic) -> tuple:
        """``(amendment ids, {table: ids})`` a positions topic is about: a family's amendments and the
        provision or supplier it is tagged with, or the provision or supplier itself."""
        found = rows(self.db, "SELECT * FROM topics WHERE topic = ?", [topic]) if topic else []
        if not found:
            return set(), {}
        t = found[0]
        amendments, entities = set(), {}
        if t.get("family_id"):
            amendments = {r["amendment_id"] for r in rows(
                self.db, "SELECT amendment_id FROM amendment_family_members WHERE family_id = ? AND amendment_id IS NOT NULL", [t["family_id"]])}
            family = rows(self.db, "SELECT topic FROM amendment_families WHERE family_id = ?", [t["family_id"]])
            if family and family[0]["topic"] and family[0]["topic"] != topic:
                entities = self.topic_concerns(family[0]["topic"])[1]
        for table, column in (("provisions", "provision_id"), ("suppliers", "supplier_id")):
            if t.get(column):
                entities.setdefault(table, set()).add(t[column])
        return amendments, entities

    # -- documents that may mention the watched ----------------------------------------------

    def _document(self, change, kind, fields) -> list:
        table, record_id = change["table_name"], change["record_id"]
        text_fields = TEXT_FIELDS.get(table, ())
        if kind == ChangeKind.CHANGED:
            text_fields = tuple(f for f in text_fields if f in fields)
        row = links.load_row(self.db, table, record_id)
        if row is None or not text_fields:
            return []
        texts = {f: row[f] for f in text_fields if row.get(f)}
        if not texts:
            return []
        old = {f: str(fields[f][0] or "") for f in text_fields if kind == ChangeKind.CHANGED}
        label = links.record_label(self.db, table, record_id)
        return [self._base(change, "mention", f"mention:{change['id']}", row, label, self._document_summary(table, row, label),
                           texts=texts, old_texts=old, mentions=self.mentions_of(table, record_id, text_fields))]

    def _document_summary(self, table, row, label) -> str:
        if table == "contributions":
            debate = links.load_row(self.db, "debates", row.get("debate_id")) if row.get("debate_id") else None
            if debate:
                where = ", ".join(part for part in (debate.get("house"), (debate.get("date") or "")[:10]) if part)
                return f"{label} in {debate.get('title') or 'a debate'}" + (f" ({where})" if where else "")
        if table == "written_questions":
            answered = f", answered {row['date_answered']}" if row.get("date_answered") else ""
            return f"{label}, tabled {row.get('date_tabled') or ''}{answered}"
        if table == "written_statements":
            return f"{label}, made {row.get('date') or ''}"
        return label

    def family(self, table: str, root: str) -> set:
        """``root`` and every supplier or provision below it (``parent_id``)."""
        if (table, root) not in self.families:
            key = "supplier_id" if table == "suppliers" else "provision_id"
            ids, frontier = {root}, {root}
            while frontier:
                marks = ", ".join("?" for _ in frontier)
                found = {r[0] for r in self.db.execute(f"SELECT [{key}] FROM [{table}] WHERE parent_id IN ({marks})", list(frontier))}
                frontier = found - ids
                ids |= found
            self.families[(table, root)] = ids
        return self.families[(table, root)]


def division_result(row: dict) -> str:
    """``Ayes 220, Noes 280: the Noes have it`` (Contents and Not-Contents in the Lords)."""
    ayes, noes = row.get("aye_count"), row.get("no_count")
    words = ("Contents", "Not-Contents") if House.of(row.get("house")) is House.LORDS else ("Ayes", "Noes")
    if ayes is None or noes is None:
        return "result not published"
    winner = "tied" if ayes == noes else f"the {words[0] if ayes > noes else words[1]} have it"
    return f"{words[0]} {ayes}, {words[1]} {noes}: {winner}"


# -- matching a fact to a watch ------------------------------------------------------------

@dataclass
class Match:
    excerpt: str
    highlights: list  # [[start, end]] within the excerpt


def excerpt_around(text: str, start: int, end: int) -> Match:
    """The words around ``text[start:end]``, with that span's place in the excerpt."""
    left = max(0, start - EXCERPT_CONTEXT)
    right = min(len(text), end + EXCERPT_CONTEXT)
    if left > 0:
        space = text.find(" ", left, start)
        left = space + 1 if space != -1 else left
    if right < len(text):
        space = text.rfind(" ", end, right)
        right = space if space != -1 else right
    prefix = "…" if left > 0 else ""
    body = text[left:right]
    suffix = "…" if right < len(text) else ""
    offset = len(prefix) - left
    return Match(prefix + body + suffix, [[start + offset, end + offset]])


def plain_excerpt(fact: Fact) -> Match:
    text = " ".join(next(iter(fact.texts.values()), "").split())
    if len(text) > PLAIN_EXCERPT:
        text = text[:PLAIN_EXCERPT].rsplit(" ", 1)[0] + "…"
    return Match(text, [])


def _new_mention(fact: Fact, mention: dict) -> bool:
    old = fact.old_texts.get(mention["field"])
    return not old or mention["text"] not in old


def _mention_match(fact: Fact, wanted: Callable[[dict], bool]) -> Match | None:
    for mention in fact.mentions:
        text = fact.texts.get(mention["field"])
        if text and wanted(mention) and _new_mention(fact, mention) and text[mention["start"]:mention["end"]] == mention["text"]:
            return excerpt_around(text, mention["start"], mention["end"])
    return None


def term_pattern(term: str) -> re.Pattern:
    words = [re.escape(w) for w in term.split()]
    return re.compile(r"(?<!\w)" + r"\s+".join(words) + r"(?!\w)", re.IGNORECASE)


def _term_match(fact: Fact, term: str) -> Match | None:
    pattern = term_pattern(term)
    for name, text in fact.texts.items():
        found = pattern.search(text)
        if found and not pattern.search(fact.old_texts.get(name) or ""):
            return excerpt_around(text, found.start(), found.end())
    return None


def match(watch: Watch, fact: Fact, facts: Facts) -> Match | None:
    """How ``fact`` concerns ``watch``'s target (with the excerpt to show), or None."""
    kind, target = watch.target_kind, watch.target_id
    if kind == "term":
        return _term_match(fact, target)
    if kind in ("supplier", "provision"):
        table, column = (("suppliers", "supplier_id") if kind == "supplier" else ("provisions", "provision_id"))
        family = facts.family(table, target)
        if fact.entities:
            return plain_excerpt(fact) if fact.entities.get(table, set()) & family else None
        return _mention_match(fact, lambda m: m.get(column) in family)
    if kind == "member" and fact.kind == "mention":
        return _mention_match(fact, lambda m: str(m.get("member_id")) == target)
    concerned = {"bill": fact.bills, "amendment": fact.amendments, "member": fact.members}[kind]
    return plain_excerpt(fact) if int(target) in concerned else None


def new_event(watch: Watch, fact: Fact, found: Match, now: str) -> Event:
    title = f"{fact.label} mentions {watch.target_label}" if fact.kind == "mention" else fact.title
    return Event(
        event_id=str(uuid.uuid4()), watch_id=watch.id, event_key=fact.key, kind=fact.kind, table_name=fact.table,
        record_id=fact.record_id, bill_id=fact.bill_id, record_label=fact.label, title=title, summary=fact.summary,
        excerpt=found.excerpt, highlights=json.dumps(found.highlights), page_path=fact.page_path,
        official_url=fact.official_url, occurred_at=fact.occurred_at, created_at=now, change_id=fact.change_id,
    )


def newest_change(db) -> int:
    return db.execute("SELECT COALESCE(max(id), 0) FROM changes").fetchone()[0]


def derive_events(db, *, horizon: int | None = None) -> list:
    """Turn the changes after each watch's cursor, up to ``horizon`` (default: the newest),
    into events and their queued deliveries, and move the cursors, all in one transaction.

    Returns the new :class:`Event`s. ``horizon`` lets the scheduler stop at the changes
    that existed before it tagged, so every change it derives from has its mentions.
    """
    now = store.utcnow()
    created = []
    with store.transaction(db):
        horizon = newest_change(db) if horizon is None else horizon
        watches = [w for w in list_watches(db) if w.cursor < horizon]
        if not watches:
            return []
        changes = [dict(zip(("id", "table_name", "record_id", "kind", "changed_fields", "detected_at", "bill_id"), r))
                   for r in db.execute(
                       "SELECT id, table_name, record_id, kind, changed_fields, detected_at, bill_id FROM changes"
                       " WHERE id > ? AND id <= ? ORDER BY id", [min(w.cursor for w in watches), horizon])]
        facts = Facts(db)
        cache = {}
        for watch in watches:
            events = []
            for change in changes:
                if change["id"] <= watch.cursor:
                    continue
                if change["id"] not in cache:
                    cache[change["id"]] = facts(change)
                for fact in cache[change["id"]]:
                    if fact.kind not in watch.events:
                        continue
                    found = match(watch, fact, facts)
                    if found is None:
                        continue
                    event = new_event(watch, fact, found, now)
                    if outbox.insert_event(db, asdict(event)):
                        events.append(event)
            outbox.queue_deliveries(db, watch, [e.event_id for e in events], now)
            db.execute("UPDATE watches SET cursor_change_id = ? WHERE id = ?", [horizon, watch.id])
            created.extend(events)
    return created
