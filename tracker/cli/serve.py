"""``tracker serve``: the database with Datasette, read-only."""
import click

from tracker import store
from tracker.cli.common import Progress, open_existing_db


@click.command(name="serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to bind (loopback by default).")
@click.option("--port", default=8001, show_default=True, type=int)
@click.option("--immutable", is_flag=True, help="Serve a finished snapshot that nothing writes to any more (faster counts).")
@click.pass_context
def serve_command(ctx, host="127.0.0.1", port=8001, immutable=False):
    """Serve the database with Datasette (read-only) on 127.0.0.1."""
    from tracker.publish.server import serve as serve_datasette

    db_path = ctx.find_root().obj["db_path"]
    db = open_existing_db(ctx)
    stale = store.stale_search_index(db)
    if stale:  # never serve rankings from an index older than the rows: rebuild it first, showing progress
        click.echo(f"rebuilding the search index of {', '.join(stale)}", err=True)
        progress = Progress(enabled=not ctx.find_root().obj["quiet"])
        try:
            store.refresh_search_index(db, progress=progress)
        finally:
            progress.close()
    db.close()
    click.echo(f"serving {db_path} at http://{host}:{port}/", err=True)
    serve_datasette(db_path, host=host, port=port, immutable=immutable)


COMMANDS = [serve_command]
