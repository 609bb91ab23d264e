"""Fixtures shared by the app's tests: an app on a fresh database, a client, a runner, people."""

from __future__ import annotations

import os
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text

from tests.helpers import PASSWORD
from tests.servers import TEST_PASSWORD_HASH_METHOD, postgres_database

BACKEND = os.environ.get("MENTOR_MATCH_TEST_BACKEND", "sqlite")


def pytest_report_header(config: pytest.Config) -> str:
    return f"mentor_match database backend: {BACKEND}"


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str | None]:
    """A database of this run's own, created now and dropped at the end."""
    if BACKEND != "postgres":
        yield None
        return
    base = os.environ.get("MENTOR_MATCH_TEST_POSTGRES_URL")
    if not base:
        pytest.fail("MENTOR_MATCH_TEST_BACKEND=postgres needs MENTOR_MATCH_TEST_POSTGRES_URL")
    with postgres_database(base) as url:
        yield url


@pytest.fixture(scope="module")
def module_postgres_url(postgres_url: str | None) -> Iterator[str | None]:
    """On PostgreSQL, a database of the test module's own (for modules that share one real
    server between their tests): nothing another module left behind can count, and the run's
    shared database is not touched. None on SQLite."""
    if postgres_url is None:
        yield None
        return
    with postgres_database(postgres_url) as url:
        yield url


_schema_ready: set[str] = set()


@pytest.fixture
def database_url(tmp_path: Path, postgres_url: str | None) -> str:
    if postgres_url:
        return postgres_url
    return f"sqlite:///{tmp_path / 'mentor_match.sqlite3'}"


_emptying: dict[str, str] = {}


def _fresh_schema(database_url: str) -> None:
    """Create the schema (once per PostgreSQL database), empty every table, seed specialties
    and the default competency framework (as the migrations do).

    On PostgreSQL the tables are emptied with DELETE (children first) and the id sequences
    restarted: for tables of a few rows that is several times faster than TRUNCATE, which
    replaces every table's files."""
    from mentor_match.extensions import db
    from mentor_match.importing.specialties import DEFAULT_SPECIALTIES
    from mentor_match.models import Specialty
    from mentor_match.services.feedback.competencies import seed_default_framework

    if database_url.startswith("postgresql"):
        if database_url not in _schema_ready:
            db.drop_all()
            db.create_all()
            _schema_ready.add(database_url)
            sequences = db.session.scalars(
                text("SELECT sequencename FROM pg_sequences WHERE schemaname = current_schema()")
            ).all()
            db.session.commit()
            _emptying[database_url] = "; ".join(
                [f'DELETE FROM "{t.name}"' for t in reversed(db.metadata.sorted_tables)]
                + [f'ALTER SEQUENCE "{name}" RESTART' for name in sequences]
            )
        else:
            db.session.execute(text(_emptying[database_url]))
            db.session.commit()
    else:
        db.create_all()
    db.session.add_all(Specialty(slug=s.slug, name=s.name) for s in DEFAULT_SPECIALTIES)
    db.session.flush()
    seed_default_framework(db.session)
    db.session.commit()


@pytest.fixture
def app_config(tmp_path: Path, database_url: str) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "OUTBOX_DIR": str(tmp_path / "outbox"),
        "CERTIFICATE_DIR": str(tmp_path / "certificates"),
        "MAIL_SERVER": None,
        "BASE_URL": None,
        "PASSWORD_HASH_METHOD": TEST_PASSWORD_HASH_METHOD,
        # Unit tests run background jobs at once, in the test's own process; tests/jobs/
        # run a real worker on a real queue.
        "QUEUE_URL": "immediate",
    }


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite database with the schema and the seeded specialties, built once per run: each
    test starts from a copy of the file, much faster than creating the tables again."""
    from mentor_match import create_app
    from mentor_match.extensions import db

    folder = tmp_path_factory.mktemp("template")
    built = folder / "built.sqlite3"
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "template",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{built}",
            "OUTBOX_DIR": str(folder / "outbox"),
            "MAIL_SERVER": None,
            "QUEUE_URL": "immediate",
        }
    )
    with app.app_context():
        _fresh_schema(f"sqlite:///{built}")
        db.session.remove()
        db.engine.dispose()
    # One self-contained file (no -wal beside it), whatever journal mode the app chose.
    template = folder / "template.sqlite3"
    with sqlite3.connect(built) as source, sqlite3.connect(template) as copy:
        source.backup(copy)
        copy.execute("PRAGMA journal_mode=DELETE")
    source.close()
    copy.close()
    return template


@pytest.fixture
def app(app_config: dict, sqlite_template: Path) -> Iterator[Flask]:
    from mentor_match import create_app
    from mentor_match.extensions import db

    uri = app_config["SQLALCHEMY_DATABASE_URI"]
    copied = False
    if uri.startswith("sqlite:///") and ":memory:" not in uri:
        path = Path(uri.removeprefix("sqlite:///"))
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(sqlite_template, path)
            copied = True
    app = create_app(app_config)
    if not copied:
        with app.app_context():
            _fresh_schema(uri)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask):  # noqa: ANN201
    return app.test_cli_runner()


@pytest.fixture
def make_user(app: Flask) -> Callable[..., int]:
    """Create an account (with a profile for mentors and mentees); returns its id."""
    from mentor_match.extensions import db
    from mentor_match.models import MenteeProfile, MenteeSpecialty, MentorProfile, Specialty
    from mentor_match.services import accounts

    counter = iter(range(1, 10_000))

    def make(
        role: str = "mentee",
        email: str | None = None,
        name: str | None = None,
        password: str = PASSWORD,
        specialties: tuple[str, ...] = ("oncology",),
        capacity: int = 2,
        timezone: str = "America/Chicago",
    ) -> int:
        n = next(counter)
        with app.app_context():
            user = accounts.create_user(
                db.session,
                email=email or f"{role}{n}@example.org",
                name=name or f"{role.title()} {n}",
                role=role,
                password=password,
                timezone=timezone,
            )
            chosen = [db.session.query(Specialty).filter_by(slug=s).one() for s in specialties]
            if role == "mentor":
                user.mentor_profile = MentorProfile(capacity=capacity, specialties=chosen)
            elif role == "mentee":
                profile = MenteeProfile()
                profile.ranked_specialties = [
                    MenteeSpecialty(specialty=s, rank=i) for i, s in enumerate(chosen, 1)
                ]
                user.mentee_profile = profile
            db.session.commit()
            return user.id

    return make


@pytest.fixture
def token_for(app: Flask) -> Callable[[int], dict[str, str]]:
    """Authorization headers with a fresh API token for the user with that id."""
    from mentor_match.extensions import db
    from mentor_match.models import User
    from mentor_match.services import accounts

    def make(user_id: int) -> dict[str, str]:
        with app.app_context():
            user = db.session.get(User, user_id)
            _, raw = accounts.create_api_token(db.session, user, "test")
            db.session.commit()
        return {"Authorization": f"Bearer {raw}"}

    return make
