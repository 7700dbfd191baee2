"""``tracker tag`` and ``tracker nlp eval``: thin commands over :mod:`tracker.tagging`
and :mod:`nlp.evaluate`."""
import json
import os
import sys
from pathlib import Path

import click

from scrapers.errors import TrackerError
from tracker import store, tagging

SAMPLE_MEMBERS = Path(__file__).parents[1] / "sample" / "members_search.json"


def _ctx_value(ctx, key, default=None):
    return (ctx.obj or {}).get(key, default)


def _read(path, source):
    """The text of ``path`` ('-' is stdin); a file that cannot be read is a one-line error naming it."""
    try:
        with click.open_file(path, encoding="utf-8") as handle:
            return handle.read()
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        raise TrackerError(f"cannot read {path}: {reason}", source=source) from None


def _db_if_exists(ctx):
    path = _ctx_value(ctx, "db_path")
    if path and os.path.exists(path):
        return store.open_db(path)
    return None


@click.command("tag")
@click.option("--text", help="Tag this text instead of the database.")
@click.option("--text-file", type=click.Path(allow_dash=True), help="Tag the text of this file ('-' for stdin).")
@click.option("--date", help="The text's date (YYYY-MM-DD): decides seats, offices and ambiguous names.")
@click.option("--house", type=click.Choice(["Commons", "Lords"], case_sensitive=False), help="The text's House.")
@click.option("--members", "members_file", type=click.Path(),
              help="Members from a Members API search response instead of the database.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per mention.")
@click.option("--table", "tables", multiple=True, help="Only this document table (repeatable).")
@click.option("--full", is_flag=True, help="Retag every document, changed or not.")
@click.option("--jobs", type=click.IntRange(min=1), default=1, show_default=True,
              help="Tag in this many worker processes (a large database); the result is one process's.")
@click.pass_context
def tag(ctx, text, text_file, date, house, members_file, as_json, tables, full, jobs):
    """Tag suppliers, members, provisions and references.

    \b
    Without --text/--text-file: tag every new or changed document of the
    database into `mentions` (amendments, ping-pong items, contributions, bill
    clauses, the clauses of every print, written questions and statements).
    With --text or --text-file: print the mentions of that text, linked with the
    database's members (or --members).

    \b
    Examples:
      tracker tag
      tracker tag --jobs 4
      tracker tag --text "the hon. Member for Rushcliffe on Hikvision" --date 2023-06-13 --json
      tracker tag --text-file speech.txt --date 2022-12-05 --house Lords --json
    """
    if text is not None and text_file is not None:
        raise click.UsageError("give --text or --text-file, not both")
    if text is not None or text_file is not None:
        tagging.check_date(date)
        body = text if text is not None else _read(text_file, "nlp")
        db = None if members_file else _db_if_exists(ctx)
        nlp = tagging.build_pipeline(db, members_file=members_file)
        mentions = tagging.tag_text(body, nlp=nlp, date=date, house=house)
        for m in mentions:
            out = {k: m.get(k) for k in ("start", "end", "text", "label", "entity_id", "name")}
            out.update({k: m[k] for k in ("amendment_id", "pingpong_item_id") if m.get(k) is not None})
            if as_json:
                click.echo(json.dumps(out, ensure_ascii=False))
            else:
                click.echo(f"{m['start']}\t{m['end']}\t{m['label']}\t{m['entity_id'] or '-'}\t{m['text']!r}\t{m['name'] or ''}")
        return
    if date or house or members_file:
        raise click.UsageError("--date, --house and --members apply to --text/--text-file")
    db = store.open_db(_ctx_value(ctx, "db_path", "tracker.db"))
    quiet = _ctx_value(ctx, "quiet", False)

    def progress(table, done):
        if not quiet and sys.stderr.isatty():
            click.echo(f"\r{table}: {done} documents", nl=False, err=True)

    summary = tagging.tag_database(db, tables=tables or None, full=full, jobs=jobs, progress=progress)
    if not quiet and sys.stderr.isatty():
        click.echo("", err=True)
    if as_json:
        click.echo(json.dumps(summary))
        return
    click.echo(f"pipeline {summary['pipeline_version']} with {summary['members']} members")
    for table, c in summary["tables"].items():
        click.echo(f"  {table}: {c['documents']} documents, {c['tagged']} fields tagged ({c['mentions']} mentions),"
                   f" {c['unchanged']} unchanged, {c['removed']} removed")


@click.group("nlp")
def nlp():
    """The tagger's evaluation and data."""


@nlp.command("eval")
@click.argument("gold_file", type=click.Path())
@click.option("--members", "members_file", type=click.Path(),
              help="Members API search response to build the member gazetteer from.")
@click.option("--json", "as_json", is_flag=True, help="The scores (and errors) as JSON.")
@click.option("--errors", "show_errors", is_flag=True, help="List every missed, spurious or mislinked span.")
@click.pass_context
def evaluate_command(ctx, gold_file, members_file, as_json, show_errors):
    """Precision, recall and F1 per label (exact spans) and the share of found spans
    linked to the right record, on GOLD_FILE (JSON lines: text, date, spans).

    Members come from --members, else the database when it has any, else the
    bundled sample (tracker/sample/members_search.json) the shipped gold set uses.
    """
    from nlp import evaluate as ev

    _read(gold_file, "nlp eval")  # a missing or unreadable file: one line naming it
    try:
        gold = ev.load_gold(gold_file)
    except ValueError as error:  # names the file and line
        raise TrackerError(str(error), source="nlp eval") from None
    source = members_file
    nlp_ = None
    if not source:
        db = _db_if_exists(ctx)
        if db is not None and db.execute("SELECT count(*) FROM members").fetchone()[0]:
            nlp_ = tagging.build_pipeline(db)
            source = f"database {_ctx_value(ctx, 'db_path')}"
        elif SAMPLE_MEMBERS.exists():
            source = str(SAMPLE_MEMBERS)
    if nlp_ is None:
        nlp_ = tagging.build_pipeline(members_file=source) if source else tagging.build_pipeline()
    result = ev.evaluate(nlp_, gold)
    result["members_source"] = source
    result["pipeline_version"] = nlp_.meta["pbt_version"]
    if as_json:
        if not show_errors:
            result.pop("errors")
        click.echo(json.dumps(result, indent=2))
        return
    click.echo(f"members: {source or 'none'}; pipeline {result['pipeline_version']}")
    click.echo(ev.report(result))
    if show_errors:
        for e in result["errors"]:
            click.echo(f"  {e['kind']:<8} {e['label']:<9} {e['span']!r} gold={e.get('gold')} found={e.get('found')} ({e.get('id')})")


COMMANDS = [tag, nlp]
