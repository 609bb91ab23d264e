"""`flask backup` takes a consistent copy while the app keeps writing, and the copy restores."""

from __future__ import annotations

import sqlite3
import threading

import pytest

from mentor_match import create_app
from mentor_match.extensions import db
from mentor_match.models import User
from tests.conftest import BACKEND

pytestmark = pytest.mark.skipif(BACKEND != "sqlite", reason="SQLite backups; PostgreSQL: pg_dump")


def test_backup_while_writing_then_restore(app, app_config, runner, make_user, tmp_path):
    make_user("coordinator", email="keep@example.org")
    source = app_config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
    stop = threading.Event()
    written = []

    def writer() -> None:
        conn = sqlite3.connect(source, timeout=10)
        i = 0
        while not stop.is_set() and i < 5000:
            conn.execute(
                "INSERT INTO sites (name, region, timezone) VALUES (?, 'R', 'UTC')", (f"s{i}",)
            )
            conn.commit()
            written.append(i)
            i += 1
        conn.close()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        while len(written) < 50:
            pass
        target = tmp_path / "copy" / "backup.sqlite3"
        result = runner.invoke(args=["backup", str(target)])
    finally:
        stop.set()
        thread.join()
    assert result.exit_code == 0, result.output
    assert len(written) > 50

    copy = sqlite3.connect(target)
    assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    sites = copy.execute("SELECT count(*) FROM sites").fetchone()[0]
    copy.close()
    assert 50 <= sites <= len(written)

    restored = create_app({**app_config, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{target}"})
    with restored.app_context():
        assert db.session.query(User).filter_by(email="keep@example.org").count() == 1
        db.session.remove()
        db.engine.dispose()

    again = runner.invoke(args=["backup", str(target)])
    assert again.exit_code != 0 and "already exists" in again.output
