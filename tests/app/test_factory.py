"""The app factory, configuration, and the database settings every deployment relies on."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from mentor_match import create_app
from mentor_match.config import from_environment
from mentor_match.extensions import db
from tests.conftest import BACKEND


def test_refuses_to_start_without_secret_key(monkeypatch, tmp_path):
    monkeypatch.delenv("MENTOR_MATCH_SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="MENTOR_MATCH_SECRET_KEY"):
        create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db"})


def test_testing_app_gets_a_throwaway_key(tmp_path):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db"})
    assert app.testing
    assert len(app.config["SECRET_KEY"]) >= 32


def test_environment_variables_are_read(monkeypatch, tmp_path):
    monkeypatch.setenv("MENTOR_MATCH_SECRET_KEY", "from-env")
    monkeypatch.setenv("MENTOR_MATCH_DATABASE_URL", f"sqlite:///{tmp_path}/env.db")
    monkeypatch.setenv("MENTOR_MATCH_MAX_CONTENT_LENGTH", "1234")
    app = create_app()
    assert app.config["SECRET_KEY"] == "from-env"
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("env.db")
    assert app.config["MAX_CONTENT_LENGTH"] == 1234


def test_from_environment_converts_types():
    found = from_environment({"MENTOR_MATCH_MAIL_PORT": "2525", "MENTOR_MATCH_MAIL_USE_TLS": "yes"})
    assert found == {"MAIL_PORT": 2525, "MAIL_USE_TLS": True}


def test_session_cookie_settings(app):
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


@pytest.mark.skipif(BACKEND != "sqlite", reason="SQLite pragmas")
def test_sqlite_foreign_keys_and_wal(app):
    with app.app_context():
        assert db.session.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert db.session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert db.session.execute(text("PRAGMA busy_timeout")).scalar() == 5000
        assert db.session.execute(text("PRAGMA cache_size")).scalar() == -32 * 1024


def test_foreign_keys_are_enforced(app):
    from sqlalchemy.exc import IntegrityError

    from mentor_match.models import AvailabilityWindow

    with app.app_context():
        db.session.add(AvailabilityWindow(user_id=999, weekday=0, start_minute=0, end_minute=60))
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()


def test_health(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}


def test_security_headers(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_https_deployment_sets_secure_cookies_and_hsts(app_config):
    app = create_app({**app_config, "BASE_URL": "https://mentors.example.org", "PROXY_HOPS": 1})
    assert app.config["SESSION_COOKIE_SECURE"] is True
    client = app.test_client()
    response = client.get("/login", headers={"X-Forwarded-Proto": "https"})
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    plain = client.get("/login")
    assert "Strict-Transport-Security" not in plain.headers
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_begin_write_takes_the_write_lock_first(app):
    from mentor_match.database import begin_write

    with app.app_context():
        db.session.execute(text("SELECT 1"))  # a read transaction is open
        begin_write(db.session)
        assert db.session().in_transaction()
        if BACKEND == "sqlite":
            # Another connection cannot start writing while this transaction holds the lock.
            import sqlite3

            path = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
            other = sqlite3.connect(path, timeout=0.1, isolation_level=None)
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
            other.close()
        db.session.rollback()


def test_constraint_race_is_a_409_not_a_500(app, make_user):
    from mentor_match.models import User

    make_user("mentee", email="taken@example.org")

    def racing_insert():
        db.session.add(User(email="taken@example.org", name="Twin", role="mentee"))
        db.session.commit()
        return "unreachable"

    from mentor_match.extensions import csrf

    app.add_url_rule("/api/v1/_race", view_func=csrf.exempt(racing_insert), methods=["POST"])
    response = app.test_client().post("/api/v1/_race")
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "conflict"
