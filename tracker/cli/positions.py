"""``tracker positions`` and ``tracker commitments``: thin commands over :mod:`tracker.positions`."""
import json
from datetime import date

import click

from scrapers.errors import TrackerError
from tracker import positions as lib
from tracker.cli.common import open_db
from tracker.positions import views
from tracker.positions.records import rows


def _check_date(value):
    if value is None:
        return None
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise TrackerError(f"not a date (YYYY-MM-DD): {value!r}", source="positions") from None


def _echo_json(value):
    click.echo(json.dumps(value, indent=2, ensure_ascii=False, default=str))


@click.group("positions")
def positions():
    """Amendment families, members' positions with their evidence, and division alignment."""


@positions.command("derive")
@click.option("--today", help="The day commitments' status is judged on (YYYY-MM-DD; default today).")
@click.option("--json", "as_json", is_flag=True, help="The counts as JSON.")
@click.pass_context
def derive_command(ctx, today, as_json):
    """Recompute families, positions, division alignment and commitments (after `tracker tag`).

    \b
    Example:
      tracker positions derive
    """
    summary = lib.derive(open_db(ctx), today=_check_date(today))
    if as_json:
        _echo_json(summary)
        return
    counts = ", ".join(f"{n} {what}" for what, n in summary.items() if what != "run_id")
    click.echo(f"positions (run {summary['run_id']}): {counts}")


@positions.command("member")
@click.argument("member")
@click.option("--json", "as_json", is_flag=True, help="The member's positions, evidence and votes as JSON.")
@click.pass_context
def member_command(ctx, member, as_json):
    """A member's positions with the evidence behind each, and their votes (MEMBER: an id or a name).

    \b
    Examples:
      tracker positions member 152
      tracker positions member "Lord Blencathra" --json
    """
    db = open_db(ctx)
    summary = views.member_summary(db, views.resolve_member(db, member))
    if as_json:
        _echo_json(summary)
        return
    m = summary["member"]
    click.echo(f"{m['name']} ({m['party']}, {m['house']}), member {m['member_id']}")
    click.echo("Positions:" if summary["positions"] else "Positions: none found")
    for p in summary["positions"]:
        click.echo(f"  {p['line']}  [{p['topic']}]")
        for e in p["evidence"]:
            click.echo(f"      {e['stance']:<8} {e['kind']:<10} {e['date'] or '':<10} {e['path']}: {_short(e['quote'])}")
    click.echo("Votes:" if summary["votes"] else "Votes: none")
    for v in summary["votes"]:
        click.echo(f"  {v['date']} {v['division_id']} {v['vote']:<11} ({v['result']}) {v['marks']}: {_short(v['title'])}")


@positions.command("topic")
@click.argument("topic")
@click.option("--json", "as_json", is_flag=True, help="Supporters, opponents, stages and votes as JSON.")
@click.pass_context
def topic_command(ctx, topic, as_json):
    """Who supports and who opposes a topic, by party and stage, with the votes (TOPIC: a key such as
    family:a10001285 or provision:surveillance-equipment, an id, or words of its name).

    \b
    Examples:
      tracker positions topic surveillance-equipment-removal
      tracker positions topic "Removal of surveillance equipment from government sites"
    """
    db = open_db(ctx)
    found = views.topic_positions(db, views.resolve_topic(db, topic))
    if as_json:
        _echo_json(found)
        return
    t = found["topic"]
    click.echo(f"{t['name']} [{t['topic']}]")
    family = found.get("family")
    if family:
        click.echo(f"  {len(family['steps'])} steps in {' and '.join(family['houses'])}; outcome: {family['outcome']}"
                   f" ({family['outcome_note']})")
        for step in family["steps"]:
            divisions = "; ".join(f"{d['division_id']} {d['aye_count']}-{d['no_count']} {d['result']}" for d in step["divisions"])
            sponsors = ", ".join(step["sponsors"]) or "no sponsor"
            click.echo(f"  {step['step']:>2}. {step['house']} {step['stage']} {step['label']}: {step['decision_words']}"
                       f"{' (' + divisions + ')' if divisions else ''}; {sponsors}")
    for stance in ("supports", "opposes", "mixed", "unknown"):
        if found[stance]:
            click.echo(f"{stance.capitalize()}:")
            for m in found[stance]:
                click.echo(f"  {m['name']} ({m['party']}): {m['summary']}")
    click.echo("By party: " + "; ".join(f"{p['party']} {p['supports']} for, {p['opposes']} against, {p['mixed']} mixed" for p in found["by_party"]))
    for v in found["votes"]:
        parties = ", ".join(f"{p['party']} {p['aye']}-{p['no']}" for p in v["by_party"])
        click.echo(f"Vote {v['division_id']} {v['date']} ({v['result']}; aye {v['aye_means']}; Government {v['government_side']}): {parties}")
    for c in found["commitments"]:
        click.echo(f"Commitment ({c['status']}, deadline {c['deadline'] or 'none'}): {_short(c['text'])}")


@positions.command("families")
@click.option("--json", "as_json", is_flag=True, help="The families as JSON.")
@click.pass_context
def families_command(ctx, as_json):
    """Every amendment family: its steps, Houses and whether it reached the Act."""
    db = open_db(ctx)
    found = [views.family_timeline(db, r["family_id"]) for r in rows(db, "SELECT family_id FROM amendment_families ORDER BY family_id")]
    if as_json:
        _echo_json(found)
        return
    for f in found:
        steps = " > ".join(f"{s['label']} ({s['house'][0] if s['house'] else '?'} {s['stage']}: {s['decision_words']})" for s in f["steps"])
        click.echo(f"family:{f['family_id']} {f['title']} [{f['outcome']}]\n    {steps}")


@click.command("commitments")
@click.option("--status", type=click.Choice(["open", "due", "overdue", "fulfilled"]), help="Only commitments with this status.")
@click.option("--json", "as_json", is_flag=True, help="The commitments and their follow-ups as JSON.")
@click.pass_context
def commitments(ctx, status, as_json):
    """The Government's commitments with their deadlines, status and follow-ups (run `tracker positions derive` first).

    \b
    Examples:
      tracker commitments
      tracker commitments --status overdue --json
    """
    found = views.list_commitments(open_db(ctx), status=status)
    if as_json:
        _echo_json(found)
        return
    if not found:
        click.echo("no commitments found")
    for c in found:
        deadline = f"deadline {c['deadline']} ({c['deadline_basis']})" if c["deadline"] else (
            f"deadline not dated yet ({c['deadline_basis']})" if c["deadline_basis"] else "no deadline")
        click.echo(f"[{c['status']}] {c['made_on']} {c['member'] or c['member_id']} ({c['department'] or 'department unknown'}), {deadline}")
        click.echo(f"    {c['text']}  <{c['path']}>")
        for f in c["followups"]:
            click.echo(f"    {f['kind']} {f['date']} <{f['path']}>: {_short(f['quote'])}")


def _short(text, width=110):
    text = " ".join((text or "").split())
    return text if len(text) <= width else text[: width - 1] + "\u2026"


COMMANDS = [positions, commitments]
