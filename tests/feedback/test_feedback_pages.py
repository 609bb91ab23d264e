"""The guidance pages on the demo programme: each role sees what it should, forms work
(CSRF, post/redirect/get), and nothing private leaks to a mentor."""

from __future__ import annotations

import io
import re

import pytest
from flask import Flask

from tests.helpers import csrf_token, login

DEMO_PASSWORD = "mentor-match-demo"


@pytest.fixture
def demo(app: Flask) -> dict[str, int]:
    from mentor_match.extensions import db
    from mentor_match.models import Booking, Mentorship, User
    from mentor_match.services import demo as demo_data

    with app.app_context():
        demo_data.load_demo(db.session)
        demo_data.add_guidance(db.session)
        db.session.commit()
        ids = {
            role: db.session.scalar(db.select(User.id).where(User.email == email))
            for role, email, _ in demo_data.demo_logins()
        }
        ids["mentorship"] = db.session.scalar(
            db.select(Mentorship.id).where(Mentorship.mentee_id == ids["mentee"])
        )
        ids["booking"] = db.session.scalar(
            db.select(Booking.id).where(Booking.mentee_id == ids["mentee"]).order_by(Booking.id)
        )
    return ids


def _client(app: Flask, role: str):
    from mentor_match.services import demo as demo_data

    email = next(e for r, e, _ in demo_data.demo_logins() if r == role)
    client = app.test_client()
    assert login(client, email, DEMO_PASSWORD).status_code == 302
    return client


def test_every_role_sees_its_pages(app, demo):
    pages = {
        "mentee": [
            "/",
            "/feedback/",
            "/progress/",
            f"/feedback/bookings/{demo['booking']}",
            f"/agreements/{demo['mentorship']}",
        ],
        "mentor": [
            "/",
            "/feedback/",
            "/progress/",
            f"/progress/{demo['mentee']}",
            f"/feedback/bookings/{demo['booking']}",
            f"/agreements/{demo['mentorship']}",
        ],
        "coordinator": [
            "/competencies/",
            "/feedback/overview",
            f"/progress/{demo['mentee']}",
            f"/feedback/bookings/{demo['booking']}",
            f"/agreements/{demo['mentorship']}",
            "/progress/",
        ],
    }
    for role, paths in pages.items():
        client = _client(app, role)
        for path in paths:
            response = client.get(path)
            assert response.status_code == 200, (role, path, response.status_code)
            html = response.get_data(as_text=True)
            assert "<h1" in html
            # Wide tables always sit in a scrolling wrapper (390 px phones).
            assert html.count("<table") == html.count('class="scroll"'), (role, path)


def test_home_pages_list_what_each_person_owes(app, demo):
    mentor_home = _client(app, "mentor").get("/").get_data(as_text=True)
    assert (
        "What you owe" in mentor_home
        and "Give feedback" in mentor_home
        and "Overdue" in mentor_home
    )
    mentee_home = _client(app, "mentee").get("/").get_data(as_text=True)
    assert "Write your reflection" in mentee_home and "midpoint evaluation" in mentee_home


def test_a_mentor_sees_an_average_never_a_single_rating(app, demo):
    client = _client(app, "mentor")
    hub = client.get("/feedback/").get_data(as_text=True)
    assert "out of 5" in hub and "from 3 ratings" in hub
    booking = client.get(f"/feedback/bookings/{demo['booking']}").get_data(as_text=True)
    assert "Session rating" not in booking and "How the cleanroom" not in booking
    mentee = (
        _client(app, "mentee").get(f"/feedback/bookings/{demo['booking']}").get_data(as_text=True)
    )
    assert "Session rating" in mentee and "Asked good questions" in mentee


def test_progress_shows_bars_and_the_history_with_the_revocation(app, demo):
    html = _client(app, "mentee").get("/progress/").get_data(as_text=True)
    assert "<progress" in html and "Your progress" in html
    assert "revoked" in html and "Signed off too early" in html
    assert "3 of" in html  # three live sign-offs


def test_sign_off_and_revoke_from_the_progress_page(app, demo):
    client = _client(app, "mentor")
    page = client.get(f"/progress/{demo['mentee']}").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    choice = re.search(
        r'<select id="competency_id" name="competency_id"[^>]*>\s*<option[^>]*value="(\d+)"', page
    ).group(1)
    response = client.post(
        f"/progress/{demo['mentee']}/signoffs",
        data={"csrf_token": token, "competency_id": choice, "note": "Seen"},
    )
    assert response.status_code == 302
    api_progress = client.get(f"/progress/{demo['mentee']}").get_data(as_text=True)
    assert "4 of" in api_progress
    no_token = client.post(f"/progress/{demo['mentee']}/signoffs", data={"competency_id": choice})
    assert no_token.status_code == 400


def test_reflection_and_feedback_forms_post_redirect_get(app, demo, make_user):
    from mentor_match.extensions import db
    from mentor_match.models import Booking, Reflection, ShiftFeedback

    with app.app_context():
        pending = db.session.scalars(
            db.select(Booking.id)
            .where(Booking.mentee_id == demo["mentee"], Booking.attended.is_(True))
            .where(~Booking.id.in_(db.select(Reflection.booking_id)))
        ).one()
    mentee = _client(app, "mentee")
    token = csrf_token(mentee, f"/feedback/bookings/{pending}")
    response = mentee.post(
        f"/feedback/bookings/{pending}/reflection",
        data={
            "csrf_token": token,
            "learned": "Hood airflow",
            "apply": "Check it daily",
            "session_rating": "4",
        },
    )
    assert response.status_code == 302
    mentor = _client(app, "mentor")
    token = csrf_token(mentor, f"/feedback/bookings/{pending}")
    with app.app_context():
        asep = db.session.scalar(db.select(db.text("id FROM competencies WHERE code = 'SC-ASEP'")))
    response = mentor.post(
        f"/feedback/bookings/{pending}/feedback",
        data={
            "csrf_token": token,
            "strengths": "Tidy",
            "next_steps": "Speed",
            f"level-{asep}": "4",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        feedback = db.session.scalar(
            db.select(ShiftFeedback).where(ShiftFeedback.booking_id == pending)
        )
        assert [(r.competency_id, r.level) for r in feedback.ratings] == [(asep, 4)]
        assert (
            db.session.scalar(
                db.select(Reflection.session_rating).where(Reflection.booking_id == pending)
            )
            == 4
        )
    # A mentee cannot write the mentor's feedback from the page either.
    token = csrf_token(mentee, f"/feedback/bookings/{pending}")
    assert (
        mentee.post(
            f"/feedback/bookings/{pending}/feedback", data={"csrf_token": token}
        ).status_code
        == 403
    )


def test_competency_csv_upload_shows_line_and_column_and_changes_nothing(app, demo):
    client = _client(app, "coordinator")
    token = csrf_token(client, "/competencies/")
    bad = b"code,title\nOK-1,Fine\nOK-2,\n"
    response = client.post(
        "/competencies/import",
        data={"csv-csrf_token": token, "csv-file": (io.BytesIO(bad), "c.csv")},
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "line 3, title: title is required" in html
    assert "OK-1" not in client.get("/competencies/").get_data(as_text=True)
    good = b"code,title\nOK-1,Fine\n"
    response = client.post(
        "/competencies/import",
        data={"csv-csrf_token": token, "csv-file": (io.BytesIO(good), "c.csv")},
    )
    assert response.status_code == 302
    assert "OK-1" in client.get("/competencies/export.csv").get_data(as_text=True)


def test_coordinator_overview_nudges_the_late_mentor(app, demo, tmp_path):
    client = _client(app, "coordinator")
    page = client.get("/feedback/overview").get_data(as_text=True)
    assert "Dana Whitfield" in page and "Nudge by mail" in page
    assert "Lakeshore General Hospital" in page
    token = csrf_token(client, "/feedback/overview")
    response = client.post(f"/feedback/nudge/{demo['mentor']}", data={"csrf_token": token})
    assert response.status_code == 302
    assert len(list((tmp_path / "outbox").glob("*.eml"))) == 1
    csv_text = client.get("/feedback/report.csv").get_data(as_text=True)
    assert csv_text.startswith("section,item,specialty,count,value")
    assert 'mean session rating,"Dana Whitfield, PharmD",,3,4.67' in csv_text
