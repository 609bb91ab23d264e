"""The demo mentee has a half-complete cycle: the CPD page shows progress and what is missing."""

from __future__ import annotations

from datetime import date

import pytest

from mentor_match.services.demo import DEMO_PASSWORD, demo_logins
from tests.helpers import login


@pytest.mark.parametrize("today", [None, date(2025, 1, 15)])
def test_the_demo_mentee_is_half_way(app, today):
    from mentor_match.extensions import db
    from mentor_match.models import User
    from mentor_match.services import demo
    from mentor_match.services.cpd import portfolio

    with app.app_context():
        demo.load_demo(db.session)
        db.session.commit()
        email = demo_logins()[2][1]
        if today is not None:  # the demo loads on any day, whatever year its UANs carry
            user = db.session.scalar(db.select(User).where(User.email == email))
            for activity in portfolio.portfolio(db.session, user).activities:
                db.session.delete(activity)
            demo.load_demo_cpd(db.session, today=today)
            db.session.commit()
            return
    client = app.test_client()
    assert login(client, email, DEMO_PASSWORD).status_code == 302
    page = client.get("/cpd/").get_data(as_text=True)
    assert "150 days left" in page
    assert "1 hour of pharmacy law" in page
    assert "10 more hours of CE in all" in page
    assert "does not count for technicians" in page
