"""``tracker diff``: what changed between two prints of a bill, and which amendment made it."""
import sys

import click

from scrapers.errors import TrackerError
from tracker import versions as bill_versions
from tracker.cli.common import open_db
from tracker.versions.render import comparison_html, comparison_text, plain_style


def _colour_style(op: str, text: str) -> str:
    if op == "delete":
        return click.style(text, fg="red", strikethrough=True)
    return click.style(text, fg="green", underline=True)


@click.command("diff")
@click.option("--bill", "bill_id", type=int, required=True, help="A Bills API bill id.")
@click.option("--from", "from_label", metavar="LABEL", help="The earlier version (label, part of it, or id); default: the one before --to.")
@click.option("--to", "to_label", metavar="LABEL", help="The later version; default: the latest.")
@click.option("--clause", metavar="N", help="Only this clause (or section, or 'Schedule N').")
@click.option("--html", "html_path", type=click.Path(dir_okay=False, writable=True), help="Also write a side-by-side HTML page here.")
@click.option("--list", "list_only", is_flag=True, help="List the bill's versions and stop.")
@click.pass_context
def diff(ctx, bill_id, from_label, to_label, clause, html_path, list_only):
    """Word-by-word changes between two versions of a bill, clause by clause, with the
    agreed amendment that made each change (or "unexplained").

    \b
    Examples:
      tracker diff --bill 3159 --list
      tracker diff --bill 3159 --from "as introduced" --to "amended in Committee"
      tracker diff --bill 3159 --clause 28 --html clause28.html
    """
    db = open_db(ctx)
    versions = bill_versions.list_versions(db, bill_id)
    if not versions:
        raise TrackerError("no versions in the database (sync it with --versions first)", source="tracker", record=f"bill {bill_id}")
    if list_only:
        for version in versions:
            state = f"error: {version['error']}" if version["error"] else f"{version['clause_count']} provisions"
            click.echo(f"{version['date'] or 'undated':<10}  {version['label']}  [{version['format'] or '-'}; "
                       f"{version['stage'] or 'stage unknown'}; {state}]  {version['version_id']}")
        return
    readable = [v for v in versions if not v["error"] and v["clause_count"]]
    if len(readable) < 2 and not (from_label and to_label):
        raise TrackerError("fewer than two readable versions to compare", source="tracker", record=f"bill {bill_id}")
    later = bill_versions.find_version(db, bill_id, to_label) if to_label else readable[-1]
    if from_label:
        earlier = bill_versions.find_version(db, bill_id, from_label)
    else:
        before = [v for v in readable if v["version_id"] != later["version_id"] and readable.index(v) < _index(readable, later)]
        if not before:
            raise TrackerError(f"no readable version before {later['label']!r}", source="tracker", record=f"bill {bill_id}")
        earlier = before[-1]
    comparison = bill_versions.compare(db, bill_id, earlier, later)
    style = _colour_style if sys.stdout.isatty() else plain_style
    for line in comparison_text(comparison, style, clause=clause):
        click.echo(line)
    if html_path:
        with open(html_path, "w", encoding="utf-8") as fh:
            fh.write(comparison_html(comparison, clause=clause))
        click.echo(f"wrote {html_path}", err=True)


def _index(versions, version):
    ids = [v["version_id"] for v in versions]
    return ids.index(version["version_id"]) if version["version_id"] in ids else len(ids)


COMMANDS = [diff]
