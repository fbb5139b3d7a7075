"""Schema migrations: the `db` commands and their functions, over Alembic and the `migrations/` folder.

Alembic is imported only when one of these runs. Flask-Migrate, which gave the same commands before,
imported it into every process through its `flask.commands` entry point and the extension: 0.36 s of
`-X importtime` at each CLI command and worker start, a sixth of a batch auto-assign run from the CLI.
"""

import functools
import os
import sys
from argparse import Namespace

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

# How revisions are compared and written: column types count, and SQLite alters tables through batches.
CONFIGURE_ARGS = {"compare_type": True, "render_as_batch": True}


def migrations_directory(app: Flask | None = None) -> str:
    """The `migrations/` folder beside the package."""
    return os.path.normpath(os.path.join((app or current_app).root_path, os.pardir, "migrations"))


def alembic_config(app: Flask | None = None, **options):
    """Alembic's configuration for the app's migrations; `options` are what Alembic's own CLI would parse."""
    from alembic.config import Config

    directory = migrations_directory(app)
    # Alembic's default stdout is the one at its import; the current one is what a caller (or a test) reads.
    config = Config(os.path.join(directory, "alembic.ini"), stdout=sys.stdout)
    config.set_main_option("script_location", directory)
    config.cmd_opts = Namespace(**options)  # env.py reads `autogenerate` from here
    return config


def upgrade(revision: str = "head", sql: bool = False) -> None:
    """Migrate the app's database up to `revision`."""
    from alembic import command

    command.upgrade(alembic_config(), revision, sql=sql)


def downgrade(revision: str = "-1", sql: bool = False) -> None:
    """Migrate the app's database down to `revision` (by default one step)."""
    from alembic import command

    command.downgrade(alembic_config(), revision, sql=sql)


def refusals_as_errors(command):
    """Alembic's refusals (a revision that does not exist, an ambiguous one) as a one-line error, not a traceback."""
    @functools.wraps(command)
    def run(*args, **kwargs):
        from alembic.util import CommandError

        try:
            return command(*args, **kwargs)
        except CommandError as error:
            raise click.ClickException(str(error)) from None
    return run


SQL_HELP = "Print the SQL instead of running it (PostgreSQL: set DATABASE_URL to its URL; no server is needed)."


def _offline_allowed(sql: bool) -> None:
    """Refuse --sql on SQLite before any SQL is printed.

    SQLite alters a table by copying it, and Alembic's batch reads the live table to know what to copy: printing
    the SQL stopped with a traceback at the first such revision, after the earlier revisions' SQL.
    """
    from .extensions import db

    if sql and db.engine.dialect.name == "sqlite":
        raise click.UsageError("--sql prints PostgreSQL's migrations only: SQLite's revisions copy tables, which needs "
                               "the live database. Set DATABASE_URL to a postgresql:// URL to print them, or run "
                               "the command without --sql.")


@click.group("db")
def db_cli():
    """Migrate the database's schema (Alembic revisions in migrations/)."""


@db_cli.command("upgrade")
@click.argument("revision", default="head")
@click.option("--sql", is_flag=True, help=SQL_HELP)
@with_appcontext
@refusals_as_errors
def upgrade_command(revision, sql):
    """Upgrade to a later revision (by default the newest)."""
    _offline_allowed(sql)
    upgrade(revision, sql)


@db_cli.command("downgrade")
@click.argument("revision", default="-1")
@click.option("--sql", is_flag=True, help=SQL_HELP)
@with_appcontext
@refusals_as_errors
def downgrade_command(revision, sql):
    """Revert to an earlier revision (by default one step back)."""
    _offline_allowed(sql)
    if sql and ":" not in revision:  # without a database there is no "current" to step back from
        raise click.UsageError("--sql needs the range to print, as FROM:TO (for example 6c1e9b4d2a73:9b4e2c7d5f18).")
    downgrade(revision, sql)


@db_cli.command("current")
@click.option("-v", "--verbose", is_flag=True)
@with_appcontext
@refusals_as_errors
def current_command(verbose):
    """Show the database's revision."""
    from alembic import command

    command.current(alembic_config(), verbose=verbose)


@db_cli.command("heads")
@with_appcontext
@refusals_as_errors
def heads_command():
    """Show the newest revisions."""
    from alembic import command

    command.heads(alembic_config(), verbose=True)


@db_cli.command("history")
@click.option("-r", "--rev-range", default=None, help="Range as [start]:[end].")
@with_appcontext
@refusals_as_errors
def history_command(rev_range):
    """List the revisions in order."""
    from alembic import command

    command.history(alembic_config(), rev_range)


@db_cli.command("stamp")
@click.argument("revision", default="head")
@with_appcontext
@refusals_as_errors
def stamp_command(revision):
    """Record a revision as applied without running it."""
    from alembic import command

    command.stamp(alembic_config(), revision)


def write_revision(message: str, autogenerate: bool) -> None:
    """Write a new revision file, filled from the difference with the models if `autogenerate`."""
    from alembic import command

    command.revision(alembic_config(autogenerate=autogenerate), message=message, autogenerate=autogenerate)


@db_cli.command("revision")
@click.option("-m", "--message", required=True)
@click.option("--autogenerate", is_flag=True, help="Fill the revision from the difference with the models.")
@with_appcontext
@refusals_as_errors
def revision_command(message, autogenerate):
    """Write a new revision file."""
    write_revision(message, autogenerate)


@db_cli.command("migrate")
@click.option("-m", "--message", required=True)
@with_appcontext
@refusals_as_errors
def migrate_command(message):
    """Write a new revision from the difference between the models and the database."""
    write_revision(message, autogenerate=True)


@db_cli.command("check")
@with_appcontext
@refusals_as_errors
def check_command():
    """Fail if the models hold changes that no revision makes."""
    from alembic import command

    command.check(alembic_config())
