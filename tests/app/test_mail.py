"""Mail is sent after the commit that caused it, and never after a rollback."""

from __future__ import annotations

from email import message_from_bytes

from mentor_match import mail
from mentor_match.extensions import db


def _outbox(app):
    from pathlib import Path

    folder = Path(app.config["OUTBOX_DIR"])
    return sorted(folder.glob("*.eml")) if folder.exists() else []


def test_mail_waits_for_commit_and_lands_in_outbox(app):
    invite = "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"
    with app.app_context():
        mail.queue(
            db.session, mail.Mail(to=("a@example.org",), subject="Hi", body="Body", ics=invite)
        )
        assert _outbox(app) == []
        db.session.commit()
    files = _outbox(app)
    assert len(files) == 1
    message = message_from_bytes(files[0].read_bytes())
    assert message["To"] == "a@example.org" and message["Subject"] == "Hi"
    parts = [p.get_content_type() for p in message.walk()]
    assert "text/calendar" in parts


def test_rolled_back_mail_is_never_sent(app):
    with app.app_context():
        db.session.execute(db.select(1))  # a service's work, then a failure
        mail.queue(db.session, mail.Mail(to=("a@example.org",), subject="No", body="x"))
        db.session.rollback()
        db.session.commit()
    assert _outbox(app) == []
