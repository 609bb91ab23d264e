"""Migrations build the same schema as the models, from empty, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from mentor_match import create_app
from mentor_match.database import not_in_models
from mentor_match.extensions import db


@pytest.fixture
def empty_app(app_config):
    """An app on a database with no tables at all (the shared test schema is dropped)."""
    app = create_app(app_config)
    with app.app_context():
        db.drop_all()
        with db.engine.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    yield app
    with app.app_context():
        db.session.remove()
        db.drop_all()  # leave the schema as the other tests expect it
        with db.engine.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
        db.create_all()
        db.engine.dispose()


def test_upgrade_from_empty_matches_models(empty_app):
    app = empty_app
    with app.app_context():
        upgrade()
        tables = set(inspect(db.engine).get_table_names())
        assert set(db.metadata.tables) <= tables
        assert db.session.execute(text("SELECT count(*) FROM specialties")).scalar() == 12
        with db.engine.connect() as conn:
            opts = {"compare_type": True, "include_object": not_in_models}
            context = MigrationContext.configure(conn, opts=opts)
            assert compare_metadata(context, db.metadata) == []
        db.session.remove()
    result = app.test_cli_runner().invoke(args=["db", "check"])
    assert result.exit_code == 0, result.output


def test_downgrade_to_base_and_up_again(empty_app):
    app = empty_app
    with app.app_context():
        upgrade()
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()
        assert "bookings" in inspect(db.engine).get_table_names()
        db.session.remove()


def _snapshot() -> dict[str, list[tuple]]:
    tables = {}
    for name in sorted(inspect(db.engine).get_table_names()):
        if name == "alembic_version":
            continue
        rows = db.session.execute(text(f'SELECT * FROM "{name}"')).all()  # noqa: S608
        tables[name] = sorted(tuple(str(v) for v in row) for row in rows)
    return tables


def test_down_and_up_again_keeps_the_rows(empty_app):
    """Seed a programme at head, step down to the first schema and back up: same rows."""
    from datetime import UTC, datetime, timedelta

    from mentor_match.models import Booking, Mentorship, Shift, User
    from mentor_match.services.demo import load_demo

    with empty_app.app_context():
        upgrade()
        load_demo(db.session)
        db.session.flush()
        mentor = db.session.query(User).filter_by(role="mentor").first()
        mentee = db.session.query(User).filter_by(role="mentee").first()
        db.session.add(Mentorship(mentor_id=mentor.id, mentee_id=mentee.id))
        start = datetime(2027, 3, 1, 14, tzinfo=UTC)
        shift = Shift(
            mentor_id=mentor.id,
            start_at=start,
            end_at=start + timedelta(hours=4),
            seats=2,
            seats_taken=1,
            location="IV room",
        )
        db.session.add(shift)
        db.session.flush()
        db.session.add(Booking(shift_id=shift.id, mentee_id=mentee.id, status="confirmed"))
        db.session.commit()
        before = _snapshot()
        assert len(before["users"]) == 29 and before["bookings"]
        db.session.remove()

        downgrade(revision="d12573d9496e")  # the first schema: every later step undone
        # Tables of the first schema keep their rows; later ones are dropped with theirs.
        kept = set(inspect(db.engine).get_table_names()) - {"alembic_version"}
        upgrade()
        after = _snapshot()
        db.session.remove()
    assert set(after) == set(before)
    assert {t: after[t] for t in kept} == {t: before[t] for t in kept}
