"""The ``tracker`` command line: a thin layer over the library.

Each command calls one library function; the project's expected failures
(:class:`TrackerError`) become one line on stderr and exit code 1.
The commands live in ``tracker/cli/<group>.py`` modules (``sync``, ``serve``,
``status``, ``members``, ``nlp``, ``positions``, ``versions`` ...), each with a
``COMMANDS`` list, registered here by name; what they share is in ``common``.
"""
import sqlite3

import click

from scrapers.errors import TrackerError


class TrackerGroup(click.Group):
    """A click group that turns expected failures into one-line errors."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except TrackerError as error:
            raise click.ClickException(str(error)) from None
        except sqlite3.DatabaseError as error:
            db_path = (ctx.obj or {}).get("db_path")
            raise click.ClickException(f"database {db_path}: {error}") from None


@click.group(cls=TrackerGroup)
@click.option("--db", "db_path", default="tracker.db", show_default=True, envvar="TRACKER_DB", help="SQLite database file.")
@click.option("--quiet", "-q", is_flag=True, help="No progress display.")
@click.version_option(package_name="procurement-bill-tracker")
@click.pass_context
def cli(ctx, db_path, quiet):
    """Track UK bills, amendments, debates and votes into a linked SQLite database."""
    ctx.ensure_object(dict)
    ctx.obj["db_path"] = db_path
    ctx.obj["quiet"] = quiet


def _register_area_commands():
    from tracker.cli import alerts, members, nlp, positions, serve, status, sync, versions

    for module in (sync, serve, status, members, nlp, positions, versions, alerts):
        for command in module.COMMANDS:
            cli.add_command(command)


def _set_db_path(ctx, param, value):
    if value is not None:
        ctx.find_root().ensure_object(dict)["db_path"] = value


def _accept_db_everywhere(command):
    """Let ``--db PATH`` follow any command too (``tracker demo --no-serve --db demo.db``)."""
    for sub in getattr(command, "commands", {}).values():
        if not any(p.name == "db_override" for p in sub.params):
            sub.params.append(
                click.Option(["--db", "db_override"], default=None, expose_value=False, is_eager=True,
                             callback=_set_db_path, help="SQLite database file (as the global --db).")
            )
        _accept_db_everywhere(sub)


_register_area_commands()
_accept_db_everywhere(cli)
