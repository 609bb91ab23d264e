"""Recertification reminders at 100, 60 and 30 days: to those still short, each sent once."""

from __future__ import annotations

from datetime import date, timedelta

from mentor_match.extensions import db
from mentor_match.models import CpdReminder, User
from mentor_match.services.cpd import portfolio

TODAY = date(2026, 12, 1)


def test_each_threshold_is_sent_once_to_those_short(app, make_user, tmp_path):
    short = make_user("mentee", email="short@example.org")
    done = make_user("mentee", email="done@example.org")
    outbox = tmp_path / "outbox"
    ends = TODAY + timedelta(days=100)
    with app.app_context():
        for user_id in (short, done):
            portfolio.update_certification(
                db.session, db.session.get(User, user_id), cycle_ends=ends, today=TODAY
            )
        for topic, hours in (("03", 5), ("05", 5), ("01", 10)):
            portfolio.add_activity(
                db.session,
                db.session.get(User, done),
                {
                    "title": "Course",
                    "provider": "Board",
                    "completed_on": TODAY - timedelta(days=20),
                    "hours": hours,
                    "uan": f"0175-0000-24-105-L{topic}-T",
                },
                today=TODAY,
            )
        db.session.commit()

        def run(day: date) -> int:
            sent = portfolio.send_due_reminders(
                db.session, today=day, base_url="https://mm.example"
            )
            db.session.commit()
            return sent

        assert run(TODAY - timedelta(days=1)) == 0  # 101 days left: nothing yet
        assert run(TODAY) == 1
        assert run(TODAY) == 0  # idempotent
        assert run(TODAY + timedelta(days=39)) == 0  # 61 days left
        assert run(TODAY + timedelta(days=45)) == 1  # 55 days: the 60-day reminder
        assert run(TODAY + timedelta(days=90)) == 1  # 10 days: the 30-day reminder
        assert run(TODAY + timedelta(days=95)) == 0
        assert run(TODAY + timedelta(days=101)) == 0  # the cycle is over
        rows = db.session.execute(
            db.select(CpdReminder.user_id, CpdReminder.days_before).order_by(CpdReminder.id)
        ).all()
        assert [tuple(r) for r in rows] == [(short, 100), (short, 60), (short, 30)]
    mails = sorted(outbox.glob("*.eml"))
    assert len(mails) == 3
    text = mails[0].read_text()
    assert "short@example.org" in text and "1 hour of pharmacy law" in text
    assert "https://mm.example/cpd/" in text
