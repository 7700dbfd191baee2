"""``tracker status``: recent sync runs, record counts and what changed."""
import json

import click

from tracker.cli.common import open_existing_db


@click.command()
@click.option("--runs", default=5, show_default=True, help="How many recent sync runs to list.")
@click.option("--changes", "n_changes", default=10, show_default=True, help="How many recent changes to list.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.pass_context
def status(ctx, runs, n_changes, as_json):
    """Recent sync runs, record counts and what changed."""
    from tracker.store.status import database_status

    report = database_status(open_existing_db(ctx), runs=runs, changes=n_changes)
    if as_json:
        click.echo(json.dumps(report, indent=2))
        return
    click.echo("Recent sync runs:")
    for run in report["runs"]:
        click.echo(
            f"  #{run['id']} {run['started_at']} {run['status']:<8} {run['sources'] or ''}: "
            f"{run['requests']} requests, {run['changes']} changes"
        )
    click.echo("Records:")
    for table, count in report["counts"].items():
        click.echo(f"  {table:<22} {count}")
    click.echo("Recent changes:")
    for change in report["changes"]:
        fields = ", ".join(json.loads(change["changed_fields"] or "{}"))
        click.echo(f"  {change['detected_at']} {change['kind']:<8} {change['table_name']} {change['record_id']} {fields}")


COMMANDS = [status]
