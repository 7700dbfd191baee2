"""``tracker watch`` and ``tracker alerts``: watches, the scheduled run, and the outbox."""
import json
import signal
import threading

import click

from scrapers.errors import TrackerError
from tracker.alerts import channels, outbox, scheduler, watches
from tracker.alerts.config import load_settings, webhook_secret
from tracker.cli.common import open_db, positive_rate


def _settings(ctx):
    return load_settings(ctx.obj["db_path"])


@click.group()
def watch():
    """Watches: a bill, amendment, member, supplier, provision or term, by email, webhook or Atom.

    \b
    Examples:
      tracker watch add hikvision --supplier hikvision --email staff@example.org
      tracker watch add procurement-bill --bill 3159 --webhook https://hooks.example.org/tracker
      tracker watch add eshalomi --member "Florence Eshalomi" --atom --events amendment_tabled,mention
      tracker watch run --once
    """


@watch.command("add")
@click.argument("name")
@click.option("--bill", help="A bill id (in the database).")
@click.option("--amendment", help="An amendment id (the Bills API's amendmentId).")
@click.option("--member", help="A member id, or a name that fits one member.")
@click.option("--supplier", help="A supplier id (or its name), e.g. hikvision.")
@click.option("--provision", help="A provision id (or its name), e.g. surveillance-equipment.")
@click.option("--term", help="Words to look for in amendments, speeches, questions and statements.")
@click.option("--email", "emails", multiple=True, metavar="ADDRESS", help="Send each event by email (repeatable).")
@click.option("--webhook", "webhooks", multiple=True, metavar="URL", help="POST each event, signed, to this http(s) URL (repeatable).")
@click.option("--atom", is_flag=True, help="Publish the events at /-/watch/NAME.atom on tracker serve.")
@click.option("--events", metavar="LIST", help="Only these event kinds, comma-separated (see `tracker watch events`).")
@click.option("--digest", is_flag=True, help="One message per run with all its events, instead of one per event.")
@click.option("--secret-env", metavar="VAR", help="Sign webhooks with $VAR instead of $TRACKER_WEBHOOK_SECRET.")
@click.pass_context
def add(ctx, name, emails, webhooks, atom, events, digest, secret_env, **targets):
    """Add a watch NAME on exactly one target, with one or more channels.

    It alerts on what happens from now on, never on the history in the database.
    """
    chosen = [(kind, value) for kind, value in targets.items() if value is not None]
    if len(chosen) != 1:
        raise click.UsageError("give exactly one target: --bill, --amendment, --member, --supplier, --provision or --term")
    if not (emails or webhooks or atom):
        raise click.UsageError("give at least one channel: --email ADDRESS, --webhook URL or --atom")
    kind, value = chosen[0]
    db = open_db(ctx)
    added = watches.add_watch(db, name, kind, value, emails=emails, webhooks=webhooks, atom=atom,
                              events=events.split(",") if events else None, digest=digest, secret_env=secret_env)
    click.echo(f"watch {added.name}: {added.target} → {', '.join(f'{c} {d}' for c, d in added.channels)}")
    click.echo(f"  events: {', '.join(added.events)}{' (digest)' if added.digest else ''}")
    if added.atom:
        click.echo(f"  feed: /-/watch/{added.name}.atom on tracker serve")
    if added.webhooks:
        try:
            webhook_secret(_settings(ctx), added.signature_env)
        except TrackerError as error:
            click.echo(f"warning: {error}", err=True)


@watch.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list.")
@click.pass_context
def list_command(ctx, as_json):
    """The watches, with their targets, events and channels."""
    found = watches.list_watches(open_db(ctx))
    if as_json:
        click.echo(json.dumps([w.as_json() for w in found], indent=2, ensure_ascii=False))
        return
    if not found:
        click.echo("no watches (add one with: tracker watch add NAME TARGET CHANNEL)")
    for w in found:
        click.echo(f"{w.name}: {w.target} → {', '.join(f'{c} {d}' for c, d in w.channels)}; "
                   f"events: {', '.join(w.events)}{'; digest' if w.digest else ''}")


@watch.command("remove")
@click.argument("name")
@click.pass_context
def remove(ctx, name):
    """Remove the watch NAME, its feed and its messages not yet delivered."""
    dropped = watches.remove_watch(open_db(ctx), name)
    click.echo(f"watch {name} removed" + (f" ({dropped} undelivered messages dropped)" if dropped else ""))


@watch.command("events")
def events_command():
    """The event kinds, and which targets take them."""
    for kind, text in watches.EVENT_KINDS.items():
        targets = ", ".join(t for t, kinds in watches.TARGET_EVENTS.items() if kind in kinds)
        click.echo(f"{kind:<20} {text} ({targets})")


def _report_run(report):
    click.echo(report.summary())
    for note in report.notes:
        click.echo(f"  {note}")
    for line in report.failures:
        click.echo(f"error: {line}", err=True)


@watch.command("run")
@click.option("--once", is_flag=True, help="One run: sync, tag, derive events, deliver. Exit 1 if anything failed.")
@click.option("--every", metavar="INTERVAL", help="Run every INTERVAL (15m, 1h, 30s) until SIGTERM.")
@click.option("--archive-dir", default="archive", show_default=True, type=click.Path(file_okay=False), help="Where each sync's WARC file is written.")
@click.option("--rate-limit", default=5.0, show_default=True, type=float, callback=positive_rate,
              help="At most this many requests a second to each host (a positive number).")
@click.pass_context
def run(ctx, once, every, archive_dir, rate_limit):
    """Sync every bill in the database with every source it was synced with, tag,
    derive each watch's events and deliver them.

    Two runs never overlap on one database (a lock file beside it). With --every,
    SIGTERM stops the loop cleanly between steps.

    \b
    Examples:
      tracker watch run --once                 # from cron or a systemd timer
      tracker watch run --every 15m
    """
    if once == bool(every):
        raise click.UsageError("give --once or --every INTERVAL (e.g. 15m)")
    db_path = ctx.obj["db_path"]
    options = {"archive_dir": archive_dir, "rate_limit": rate_limit}
    if once:
        db = open_db(ctx)
        with scheduler.run_lock(db_path):
            report = scheduler.run_once(db, _settings(ctx), **options)
        _report_run(report)
        if report.failures:
            ctx.exit(1)
        return
    interval = scheduler.parse_interval(every)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda signum, frame: stop.set())

    def on_report(report, refused):
        if refused:
            click.echo(f"error: {refused}", err=True)
        else:
            _report_run(report)

    click.echo(f"watch run: every {every}; SIGTERM stops between steps", err=True)
    scheduler.run_every(open_db(ctx), db_path, interval, settings=lambda: _settings(ctx), stop=stop, on_report=on_report, **options)
    click.echo("watch run: stopped", err=True)


@click.group()
def alerts():
    """The outbox: messages sent, failed and waiting."""


@alerts.command("list")
@click.option("--failed", is_flag=True, help="Only the messages whose last attempt failed.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list.")
@click.option("--limit", default=100, show_default=True, help="At most this many, newest first (0: all).")
@click.pass_context
def list_alerts(ctx, failed, as_json, limit):
    """Messages per channel, newest first: delivered, pending or failed (with the error and the next attempt)."""
    rows = outbox.list_deliveries(open_db(ctx), failed_only=failed, limit=limit or None)
    if as_json:
        click.echo(json.dumps([channels.delivery_json(r) for r in rows], indent=2, ensure_ascii=False))
        return
    if not rows:
        click.echo("no failed messages" if failed else "no messages")
    for row in rows:
        click.echo(channels.describe(row))


@alerts.command("retry")
@click.pass_context
def retry(ctx):
    """Send every undelivered message now, whatever its backoff. Exit 1 if any still fails."""
    db_path = ctx.obj["db_path"]
    with scheduler.run_lock(db_path):
        report = channels.deliver(open_db(ctx), _settings(ctx), all_undelivered=True)
    click.echo(f"alerts retry: {report.delivered} delivered; {len(report.failures)} failed")
    for line in report.failures:
        click.echo(f"error: {line}", err=True)
    if report.failures:
        ctx.exit(1)


COMMANDS = [watch, alerts]
