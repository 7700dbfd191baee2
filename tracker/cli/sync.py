"""``tracker sync`` and ``tracker demo``: a sync run of the live services, or of the bundled sample."""
import click

from tracker.cli.common import make_progress, open_db, positive_rate, report_run
from tracker.cli.serve import serve_command


@click.command()
@click.option("--bill", "bill_ids", type=int, multiple=True, help="A Bills API bill id (repeatable).")
@click.option("--search", "search_terms", multiple=True, help="Sync every bill whose title matches (repeatable).")
@click.option("--full", is_flag=True, help="Fetch everything even when a bill's lastUpdate has not moved.")
@click.option("--replay", type=click.Path(exists=True, dir_okay=False), multiple=True, help="Answer requests from these WARC files instead of the network.")
@click.option("--archive-dir", default="archive", show_default=True, type=click.Path(file_okay=False), help="Where each run's WARC file is written.")
@click.option("--rate-limit", default=5.0, show_default=True, type=float, callback=positive_rate,
              help="At most this many requests a second to each host (a positive number).")
@click.option("--force", is_flag=True, help="Replay an archive even when it is older than the database's data.")
@click.option("--members", "with_members", is_flag=True, help="Also sync MPs and peers from the Members API.")
@click.option("--hansard", "with_hansard", is_flag=True, help="Also sync the bills' debates from Hansard.")
@click.option("--divisions", "with_divisions", is_flag=True, help="Also sync the bills' Commons and Lords divisions.")
@click.option("--questions", "with_questions", is_flag=True, help="Also sync written questions and statements.")
@click.option("--term", "terms", multiple=True, help="A watch term for written questions and statements (repeatable).")
@click.option("--act", "act_path", metavar="PATH", help="Also load this legislation.gov.uk item's text (e.g. ukpga/2023/54) as the --bill's clauses.")
@click.option("--versions", "with_versions", is_flag=True, help="Also read every print of the bills, diff them clause by clause and attribute the changes.")
@click.option("--concurrent/--sequential", default=True, show_default=True,
              help="Fetch from the services at once, a thread per service (each host still sees at most --rate-limit), or one after another.")
@click.option("--tag/--no-tag", "then_tag", default=True, show_default=True, help="Then tag what came in and derive positions (as `tracker tag` and `tracker positions derive`).")
@click.pass_context
def sync(ctx, bill_ids, search_terms, full, replay, archive_dir, rate_limit, force, with_members, with_hansard, with_divisions, with_questions, terms, act_path, with_versions, concurrent, then_tag):
    """Sync bills, their stages and amendments from the Bills API, and optionally
    members, debates, divisions and written questions about them.

    Without --bill or --search, the extra sources run for every bill already in
    the database.

    \b
    Examples:
      tracker sync --search "Procurement Bill"
      tracker sync --bill 3159 --full
      tracker sync --bill 3159 --members --hansard --divisions --questions
      tracker sync --bill 3159 --act ukpga/2023/54 --versions
      tracker sync --bill 3159 --replay archive/sync-00001-....warc.gz
    """
    from tracker.sync import plan_steps, run_sync

    if act_path and len(bill_ids) != 1:
        raise click.UsageError("--act needs exactly one --bill, whose text it is")
    extra = [with_members, with_hansard, with_divisions, with_questions, with_versions]
    if not bill_ids and not search_terms and not any(extra):
        raise click.UsageError("name at least one --bill ID or --search TERM, or a source flag")
    db = open_db(ctx)
    progress = make_progress(ctx)
    steps, sources = plan_steps(
        bill_ids=bill_ids, search_terms=search_terms, act_path=act_path, members=with_members,
        hansard=with_hansard, divisions=with_divisions, questions=with_questions, terms=terms, versions=with_versions,
    )
    try:
        run = run_sync(db, steps, sources=sources, replay=replay, archive_dir=archive_dir, full=full, rate_limit=rate_limit,
                       progress=progress, client_options={"on_retry": progress.retrying}, force=force, concurrent=concurrent)
    finally:
        progress.close()
    report_run(run)
    if then_tag:
        tag_and_derive(ctx)
    else:
        click.echo("  next: `tracker tag` tags what came in, `tracker positions derive` updates positions")
    if run.errors:
        ctx.exit(1)


def tag_and_derive(ctx: click.Context) -> None:
    """What follows every sync: tag the new and changed texts, then derive positions from them."""
    root = ctx.find_root().command
    ctx.invoke(root.get_command(ctx, "tag"))
    ctx.invoke(root.get_command(ctx, "positions").get_command(ctx, "derive"))


@click.command()
@click.option("--serve/--no-serve", default=True, help="Serve the database with Datasette when built.")
@click.option("--port", default=8001, show_default=True, type=int)
@click.pass_context
def demo(ctx, serve, port):
    """Build the database from the bundled Procurement Bill sample (replayed, no network), tag it,
    derive positions, then serve it."""
    from tracker.sync.demo import build_demo

    progress = make_progress(ctx)
    try:
        run = build_demo(ctx.find_root().obj["db_path"], progress=progress)
    finally:
        progress.close()
    report_run(run)
    tag_and_derive(ctx)
    if serve:
        ctx.invoke(serve_command, port=port)


COMMANDS = [sync, demo]
