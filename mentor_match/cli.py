"""Command line: `flask --app mentor_match users|demo|rounds|worker|outbox …`."""

from __future__ import annotations

import logging
import sys

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext
from huey.consumer import Consumer, Scheduler
from sqlalchemy import select

from mentor_match.backup import backup_sqlite
from mentor_match.extensions import db
from mentor_match.jobs.queue import huey
from mentor_match.models import Role, User
from mentor_match.services import accounts, demo, demo_history, outbox, rounds
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
    if not loaded:
        click.echo("Demo programme already present.")
    else:
        count = demo.schedule_demo_shifts(db.session)
        demo_history.add_demo_history(db.session)
        demo.add_guidance(db.session)
        demo.record_demo_history(db.session)
        round_id = demo.create_demo_round(db.session)
        db.session.commit()
        rounds.run_now(db.session, round_id)
        db.session.commit()
        click.echo(
            f"Demo programme loaded, with {count} shifts and match round {round_id} "
            "run and waiting for the coordinator's review."
        )
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


rounds_cli = AppGroup("rounds", help="Match rounds: list them and run one.")


@rounds_cli.command("list")
def list_rounds_command() -> None:
    """List match rounds, newest first."""
    items = rounds.list_rounds(db.session)
    if not items:
        click.echo("No match rounds yet.")
    for item in items:
        summary = rounds.round_summary(item)
        stats = summary["stats"]
        click.echo(
            f"{item.id}\t{summary['status']}\t{item.name}\t"
            f"{stats['matched']}/{stats['mentees']} matched"
        )


@rounds_cli.command("run")
@click.argument("round_id", type=int)
def run_round_command(round_id: int) -> None:
    """Run match round ROUND_ID in the foreground, with a progress bar."""
    with click.progressbar(length=100, label="Matching", show_eta=False) as bar:
        recorder = rounds.progress_recorder(db.engine, round_id)
        done = {"value": 0}

        def progress(stage: str, fraction: float) -> None:
            recorder(stage, fraction)
            step = int(fraction * 100) - done["value"]
            if step > 0:
                bar.label = f"Matching: {stage}"
                bar.update(step)
                done["value"] += step

        try:
            match_round = rounds.run_now(db.session, round_id, progress)
        except ServiceError as exc:
            _fail(exc)
        db.session.commit()
        bar.update(100 - done["value"])
    summary = rounds.round_summary(match_round)
    if summary["status"] == "failed":
        raise click.ClickException(summary["error"])
    stats = summary["stats"]
    click.echo(
        f"Round {round_id} proposed: {stats['matched']} of {stats['mentees']} mentees matched "
        f"(at most {stats['max_matchable']} possible), total score {stats['total_score']:.3f}, "
        f"mean {stats['mean_score']:.3f}, solved in {stats['solve_seconds']:.2f} s."
    )


outbox_cli = AppGroup("outbox", help="The mail outbox: what waits, what went, what failed.")


@outbox_cli.command("status")
def outbox_status() -> None:
    """Print one line per state, STATE<TAB>COUNT, for queued, sent and failed mail."""
    for state, count in outbox.counts(db.session).items():
        click.echo(f"{state}\t{count}")


@click.command("worker")
@click.option("--threads", default=2, show_default=True, help="Tasks run at the same time.")
@click.option(
    "--no-sweeps",
    is_flag=True,
    help="Do not run the periodic sweeps (reminders, retries): for every worker but one.",
)
@with_appcontext
def worker_command(threads: int, no_sweeps: bool) -> None:
    """Run the background worker in the foreground until stopped (Ctrl-C).

    It delivers the outbox, runs match rounds and, every MENTOR_MATCH_SWEEP_SECONDS, sweeps
    for reminders due, mail to retry and runs whose worker died.
    """
    if huey.immediate:
        raise click.ClickException("the queue is in immediate mode (tests only): no worker needed")
    sweep_seconds = max(1, int(current_app.config["SWEEP_SECONDS"]))
    logging.basicConfig(level=logging.INFO, format="%(asctime)s worker %(levelname)s %(message)s")

    class SweepScheduler(Scheduler):
        periodic_task_seconds = sweep_seconds

    class Worker(Consumer):
        scheduler_class = SweepScheduler

    consumer = Worker(
        huey,
        workers=threads,
        worker_type="thread",
        periodic=not no_sweeps,
        initial_delay=0.05,
        max_delay=1.0,
        scheduler_interval=1,
    )
    where = type(huey.storage).__name__.removesuffix("Storage")
    click.echo(
        f"Worker: {threads} thread(s) on the {where} queue; "
        + ("no sweeps." if no_sweeps else f"sweeps every {sweep_seconds} s.")
    )
    consumer.run()


COMMAND_GROUPS = [users_cli, demo_cli, backup_command, rounds_cli, outbox_cli, worker_command]


def init_app(app: Flask) -> None:
    for group in COMMAND_GROUPS:
        app.cli.add_command(group)
