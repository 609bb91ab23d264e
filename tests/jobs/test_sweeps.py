"""The periodic sweep: a run whose worker died ends failed with a message; invitations left
pending (the queue was down when the import committed) are written and sent."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from mentor_match.database import utcnow
from mentor_match.extensions import db
from mentor_match.jobs.tasks import sweep_once
from mentor_match.models import MatchRound, OutboxMail, User
from mentor_match.services import imports


@pytest.fixture
def queue_settings() -> dict[str, str]:
    """The jobs the sweep enqueues run at once, in this process."""
    return {"QUEUE_URL": "immediate", "QUEUE_NAME": "mentor_match"}


def test_a_run_whose_worker_died_is_failed_with_a_message(app):
    with app.app_context():
        alive = MatchRound(name="alive", status="running", started_at=utcnow())
        alive.heartbeat_at = utcnow()
        dead = MatchRound(name="dead", status="running", started_at=utcnow())
        dead.heartbeat_at = utcnow() - timedelta(minutes=5)
        db.session.add_all([alive, dead])
        db.session.commit()
        ids = alive.id, dead.id
    with app.app_context():
        assert sweep_once()["stale_runs"] == 1
        alive, dead = (db.session.get(MatchRound, i) for i in ids)
        assert alive.status == "running"
        assert dead.status == "failed" and "worker running it stopped" in dead.error


def test_pending_invitations_are_written_by_the_sweep(app, make_user):
    people = [make_user("mentee", password=None) for _ in range(3)]
    with app.app_context():
        imports.pend_invitations(db.session, people, "http://mentor-match.test")
        db.session.info.clear()  # as if the queue had been down at the commit
        db.session.commit()
    with app.app_context():
        assert sweep_once()["pending_invitations"] == 3
        assert imports.count_pending_invitations(db.session) == 0
        to = set(db.session.scalars(select(OutboxMail.to)))
        emails = set(db.session.scalars(select(User.email).where(User.id.in_(people))))
        assert to == emails
        links = db.session.scalar(
            select(func.count()).where(
                OutboxMail.body.contains("http://mentor-match.test/welcome/")
            )
        )
        assert links == 3


def test_sent_mail_older_than_a_month_is_deleted(app):
    from mentor_match import mail

    with app.app_context():
        mail.queue_many(
            db.session, [mail.Mail(to=("a@example.org",), subject=s, body="x") for s in "ab"]
        )
        db.session.info.clear()
        db.session.commit()
        old, recent = db.session.scalars(select(OutboxMail).order_by(OutboxMail.id)).all()
        old.state, old.sent_at = "sent", utcnow() - timedelta(days=31)
        recent.state, recent.sent_at = "sent", utcnow() - timedelta(days=29)
        db.session.commit()
    with app.app_context():
        assert sweep_once()["purged_mails"] == 1
        assert db.session.scalars(select(OutboxMail.subject)).all() == ["b"]
