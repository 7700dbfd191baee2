"""Change alerts for staff: watches, events from changes and mentions, an outbox, channels, a scheduler.

The flow of one watch run (:func:`tracker.alerts.scheduler.run_once`)::

    sync (every bill, every source used before) ─▶ changes
    tag (tracker.tagging)                         ─▶ mentions
    derive_events  ── one transaction ──▶ alert_events + alert_deliveries (pending), watch cursors moved
    deliver        ── per message ──────▶ send (SMTP / webhook), then mark delivered (or failed + next attempt)
    Atom           ── read by tracker serve at /-/watch/NAME.atom from alert_events

Exactly once, and why it holds:

* **Nothing is lost or derived twice.** Every watch keeps a cursor: the last ``changes.id``
  turned into its events. :func:`~tracker.alerts.events.derive_events` reads the changes
  after the cursors, writes the events and their queued deliveries, and moves the
  cursors, in one SQLite transaction. The sync commits ``changes`` unit by unit and
  SQLite gives their ids in commit order, so a change is either after a cursor (and will
  be derived) or was derived in the transaction that moved the cursor past it. A crash
  before the commit leaves cursor and outbox as they were; the next run derives the same
  changes again. This stands in for writing the events in the sync's own transactions:
  the changes themselves are the durable record of what happened, and the cursor makes
  turning them into events atomic, without the sync knowing about watches. Each event
  also has an ``event_key`` unique per watch (what happened: ``decision_changed:<change
  id>``, ``division:<id>``), a second guard against catching one happening twice.
* **Mentions are ready when events are derived.** A run notes the newest change before it
  tags, and derives only up to it; changes committed later (a concurrent ``tracker sync``)
  wait for the next run, whose tagging covers them.
* **A new watch hears only of the future**: its cursor starts at the newest change.
* **Delivery is at least once, at most one repeat per crash.** A delivery is sent, then
  marked delivered in its own transaction. A crash between the two sends it again on the
  next run with the same message id (the event id) in ``Message-ID``/``X-Tracker-Event``,
  so the receiver can drop the repeat. A refused or failing send is marked failed with
  its error and retried on later runs with exponential backoff (1 minute doubling to 6
  hours); ``tracker alerts retry`` tries every undelivered one now. Until it is delivered,
  every ``tracker watch run --once`` names it in a line and exits 1.

Modules: :mod:`.watches` (targets, validation, event kinds), :mod:`.events` (facts from
changes, matching, derivation), :mod:`.outbox` (event and delivery rows, backoff),
:mod:`.messages` (email and webhook bodies), :mod:`.channels` (SMTP, webhook, the delivery
loop), :mod:`.config` (environment and ``tracker.toml``), :mod:`.scheduler` (the run, the
lock, ``--every``), :mod:`.links` (record names and links).
"""
