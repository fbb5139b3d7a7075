"""Command-line interface: thin click commands over the services."""

import click
from flask import Flask, current_app

from .domain.errors import DomainError
from .domain.roles import Role
from .extensions import db
from .services.clock import utcnow


def register_commands(app: Flask) -> None:
    """Attach the command groups to the app's CLI."""
    from .cli_db import db_cli
    from .cli_documents import documents_cli
    from .cli_registry import assign_cli, mediators_cli

    app.cli.add_command(db_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(seed_cli)
    app.cli.add_command(mediators_cli)
    app.cli.add_command(assign_cli)
    app.cli.add_command(documents_cli)


@click.group("users")
def users_cli():
    """Manage user accounts."""


@users_cli.command("create")
@click.option("--username", required=True)
@click.option("--full-name", required=True)
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--region", "region_kato", help="KATO2 code of the region (for regional or house scope).")
@click.option("--house-id", type=int, help="Friendship House id (for house scope).")
@click.option("--email")
@click.password_option(help="Prompted for when not given.")
def create_user(username, full_name, role, region_kato, house_id, email, password):
    """Create an account; the password is prompted for twice, never echoed."""
    from sqlalchemy import select

    from .domain.roles import Actor
    from .models import Region
    from .services import users as user_service

    region_id = None
    if region_kato:
        region_id = db.session.scalar(select(Region.id).where(Region.kato2 == region_kato))
        if region_id is None:
            raise click.BadParameter(f"no region with KATO code {region_kato}", param_hint="--region")
    # The CLI runs with the operator's shell rights: it acts as a system administrator (id 0).
    system = Actor(id=0, role=Role.ADMIN)
    data = user_service.UserData(full_name=full_name, email=email, role=Role(role), region_id=region_id,
                                 house_id=house_id)
    try:
        user = user_service.create_user(system, username, password, data, ip=None, now=utcnow())
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(f"refused: {error.code} {error.data}") from None
    db.session.commit()
    click.echo(f"created user {user.username} (id {user.id}, role {user.role.value})")


@click.group("seed")
def seed_cli():
    """Load reference and demo data."""


@seed_cli.command("regions")
def seed_regions():
    """Load or refresh the 20 regions from the packaged KATO list."""
    from .services import org as org_service

    count = org_service.load_regions()
    db.session.commit()
    click.echo(f"{count} regions loaded")


@seed_cli.command("demo")
@click.option("--if-empty", is_flag=True, help="Do nothing (and succeed) when accounts already exist.")
@click.option("--cases", "case_count", default=400, show_default=True, type=click.IntRange(0, 100_000),
              help="How many demo cases to create.")
def seed_demo(if_empty, case_count):
    """Fill an empty database with demo houses, rooms, mediators and the four demo logins."""
    from . import seed

    if current_app.config["ENV_NAME"] == "production":
        raise click.ClickException("the demo seed is refused in production")
    if not seed.database_is_empty():
        if if_empty:
            click.echo("database already has data; demo seed skipped")
            return
        raise click.ClickException("the database already has accounts; the demo seed runs only on an empty one")
    from .services.clock import local_date

    report = seed.seed_demo(password=current_app.config["DEMO_PASSWORD"], today=local_date(utcnow()),
                            case_count=case_count)
    db.session.commit()
    click.echo(f"demo data: {report.regions} regions, {report.houses} Friendship Houses, {report.rooms} rooms, "
               f"{report.mediators} mediators, {report.users} accounts, {report.cases} cases, "
               f"{report.sessions} sessions, {report.documents} finalised documents")
