"""The demo programme gives every dashboard chart something to show (and a mentor's home too)."""

from __future__ import annotations

from mentor_match.extensions import db
from mentor_match.models import Booking, Mentorship, Shift
from mentor_match.services.demo import DEMO_PASSWORD
from tests.helpers import login


def test_every_chart_has_numbers_on_the_demo_programme(app, runner, client, token_for):
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        # The pilot cohort has ended: those mentees are back in the review round's pool.
        assert db.session.query(Mentorship).filter(Mentorship.ended_at.is_not(None)).count() >= 4
        attended = db.session.query(Booking).filter(Booking.attended.is_(True)).count()
        assert attended >= 20
        assert db.session.query(Booking).filter_by(status="waitlisted").count() >= 1
        assert db.session.query(Shift).filter(Shift.seats_taken > Shift.seats).count() == 0
        coordinator_id = db.session.execute(
            db.text("SELECT id FROM users WHERE role = 'coordinator'")
        ).scalar()
    charts = client.get("/api/v1/dashboard", headers=token_for(coordinator_id)).get_json()["charts"]
    for key, chart in charts.items():
        assert chart["rows"], f"{key} is empty on the demo"
        numbers = [v for row in chart["rows"] for v in row.values() if isinstance(v, int | float)]
        assert any(numbers), f"{key} shows only zeros on the demo"

    # Most past shifts have their feedback and reflection: only a few are overdue.
    feedback, reflections = charts["feedback_completion"]["rows"][:2]
    assert feedback["done"] > feedback["overdue"] and reflections["done"] > reflections["overdue"]
    assert len(charts["competencies_by_specialty"]["rows"]) >= 3

    login(client, "dana.whitfield@mentor.demo.mentor-match.org", DEMO_PASSWORD)
    assert "How full your shifts are, by week" in client.get("/").get_data(as_text=True)
