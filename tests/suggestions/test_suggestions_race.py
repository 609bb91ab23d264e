"""Fifty mentees' requests accepted at once for a mentor's last place, against a real server.

Run on SQLite by default and on PostgreSQL with MENTOR_MATCH_TEST_BACKEND=postgres: exactly
the capacity is confirmed, everyone else gets 409 mentor_full, and nobody gets a 500.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
import requests

from tests.servers import gunicorn_server
from tests.shifts.test_bookings_concurrency import Crowd

MENTEES = 50
SECRET_KEY = "race-secret-key"


@pytest.mark.slow
def test_fifty_acceptances_for_the_last_place_confirm_exactly_one(
    tmp_path, module_postgres_url
) -> None:
    from mentor_match import create_app
    from mentor_match.database import utcnow
    from mentor_match.extensions import db
    from mentor_match.models import MentorProfile, MentorRequest, Mentorship
    from mentor_match.services import accounts

    url = module_postgres_url or f"sqlite:///{tmp_path / 'race.sqlite3'}"
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": SECRET_KEY,
            "SQLALCHEMY_DATABASE_URI": url,
            "OUTBOX_DIR": str(tmp_path / "outbox"),
            "MAIL_SERVER": None,
            "BASE_URL": None,
        }
    )
    with app.app_context():
        db.create_all()
        mentor = accounts.create_user(db.session, email="m@example.org", name="M", role="mentor")
        mentor.mentor_profile = MentorProfile(capacity=2)
        first = accounts.create_user(db.session, email="f@example.org", name="F", role="mentee")
        mentees = [
            accounts.create_user(
                db.session, email=f"e{i}@example.org", name=f"Mentee {i}", role="mentee"
            )
            for i in range(MENTEES)
        ]
        db.session.flush()
        db.session.add(Mentorship(mentor_id=mentor.id, mentee_id=first.id))  # 1 place left
        now = utcnow()
        made = [
            MentorRequest(
                mentee_id=m.id, mentor_id=mentor.id, created_at=now, expires_at=now + timedelta(7)
            )
            for m in mentees
        ]
        db.session.add_all(made)
        headers = {"Authorization": f"Bearer {accounts.create_api_token(db.session, mentor)[1]}"}
        db.session.commit()
        mentor_id, request_ids = mentor.id, [r.id for r in made]

    crowd = Crowd(MENTEES)
    try:
        with gunicorn_server(url, SECRET_KEY, tmp_path, workers=2, threads=8) as base:

            def accept(request_id: int):  # noqa: ANN202
                def call(session: requests.Session) -> requests.Response:
                    return session.post(
                        f"{base}/api/v1/requests/{request_id}/accept", headers=headers, timeout=60
                    )

                return call

            answers = crowd.at_once([accept(i) for i in request_ids])
    finally:
        crowd.close()

    errors = [a for a in answers if isinstance(a, Exception)]
    assert not errors, errors[:3]
    statuses = Counter(a.status_code for a in answers)
    assert statuses == {200: 1, 409: MENTEES - 1}, statuses
    codes = Counter(a.json()["error"]["code"] for a in answers if a.status_code == 409)
    assert codes == {"mentor_full": MENTEES - 1}
    with app.app_context():
        active = db.session.scalar(
            db.select(db.func.count())
            .select_from(Mentorship)
            .where(Mentorship.mentor_id == mentor_id, Mentorship.ended_at.is_(None))
        )
        accepted = db.session.scalar(
            db.select(db.func.count())
            .select_from(MentorRequest)
            .where(MentorRequest.status == "accepted")
        )
        db.session.remove()
        db.engine.dispose()
    assert (active, accepted) == (2, 1)
    print(f"\nself-select race: {MENTEES} acceptances at once for 1 place -> {dict(statuses)}")
