"""Command line: `flask --app mentor_match users|demo …`."""

from __future__ import annotations

import sys

import click
from flask import Flask
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import select

from mentor_match.backup import backup_sqlite
from mentor_match.extensions import db
from mentor_match.models import Role, User
from mentor_match.services import accounts, demo
from mentor_match.services.errors import ServiceError

users_cli = AppGroup("users", help="Create accounts and API tokens.")
demo_cli = AppGroup("demo", help="The demo programme.")


def _fail(error: ServiceError) -> None:
    db.session.rollback()
    raise click.ClickException(error.message)


@users_cli.command("create")
@click.argument("email")
@click.option("--name", required=True, help="The person's full name.")
@click.option(
    "--role", required=True, type=click.Choice([r.value for r in Role]), help="Their role."
)
@click.option("--timezone", default="UTC", show_default=True, help="IANA time zone.")
@click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the password from standard input (first line), so it never appears in history.",
)
def create_user(email: str, name: str, role: str, timezone: str, password_stdin: bool) -> None:
    """Create an account."""
    password = None
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    try:
        user = accounts.create_user(
            db.session, email=email, name=name, role=role, password=password, timezone=timezone
        )
    except ServiceError as exc:
        _fail(exc)
    db.session.commit()
    click.echo(f"Created {user.role} {user.email} (id {user.id}).")


@users_cli.command("token")
@click.argument("emails", nargs=-1, required=True)
@click.option("--name", default="command line", show_default=True, help="The token's name.")
def create_tokens(emails: tuple[str, ...], name: str) -> None:
    """Print a new personal API token for each EMAIL, one 'EMAIL<TAB>TOKEN' line each."""
    lines = []
    try:
        for email in emails:
            user = accounts.get_user_by_email(db.session, email)
            _, raw = accounts.create_api_token(db.session, user, name)
            lines.append(f"{user.email}\t{raw}")
    except ServiceError as exc:
        _fail(exc)
    db.session.commit()
    for line in lines:
        click.echo(line)


@demo_cli.command("load")
@click.option(
    "--if-empty", is_flag=True, help="Only load into a database that has no accounts at all."
)
def load_demo(if_empty: bool) -> None:
    """Load the demo programme (does nothing when it is already there)."""
    if if_empty and db.session.scalar(select(User.id).limit(1)) is not None:
        click.echo("The database already has accounts: demo programme not loaded.")
        return
    loaded = demo.load_demo(db.session)
    db.session.commit()
    click.echo("Demo programme loaded." if loaded else "Demo programme already present.")
    click.echo(f"Demo sign-ins (password for each: {demo.DEMO_PASSWORD}):")
    for role, email, _ in demo.demo_logins():
        click.echo(f"  {role:<12} {email}")


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False))
@with_appcontext
def backup_command(path: str) -> None:
    """Write a consistent online backup of the SQLite database to PATH.

    The app may keep serving while this runs. For PostgreSQL use pg_dump (see the README).
    """
    engine = db.engine
    if engine.dialect.name != "sqlite" or not engine.url.database:
        raise click.ClickException(
            "flask backup is for SQLite databases; back up PostgreSQL with pg_dump "
            "(e.g. pg_dump --format=custom --file=mentor_match.dump DBNAME)."
        )
    try:
        pages = backup_sqlite(engine.url.database, path)
    except (FileExistsError, RuntimeError) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Backed up {pages} pages to {path}.")


COMMAND_GROUPS = [users_cli, demo_cli, backup_command]


def init_app(app: Flask) -> None:
    for group in COMMAND_GROUPS:
        app.cli.add_command(group)
