"""Feedback and reflections after attended shifts, the k ≥ 3 rating rule, sign-offs and
progress, through the API (contract §8)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


def _feedback(competency_ids: dict[str, int], level: int = 2) -> dict:
    return {
        "ratings": [{"competency_id": competency_ids["SC-ASEP"], "level": level}],
        "strengths": "Calm and careful in the hood.",
        "next_steps": "Practise first-air awareness.",
    }


def test_feedback_only_after_attendance_and_once(client, circle, past_booking, competency_ids):
    url_of = "/api/v1/bookings/{}/feedback".format
    not_yet = past_booking(circle.mentor, circle.mentee, attended=None)
    response = client.post(
        url_of(not_yet), json=_feedback(competency_ids), headers=circle.api["mentor"]
    )
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "not_attended"

    booking = past_booking(circle.mentor, circle.mentee)
    response = client.post(
        url_of(booking), json=_feedback(competency_ids), headers=circle.api["mentor"]
    )
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["ratings"][0]["level"] == 2 and body["author_id"] == circle.mentor
    again = client.post(
        url_of(booking), json=_feedback(competency_ids), headers=circle.api["mentor"]
    )
    assert again.status_code == 409
    assert again.get_json()["error"]["code"] == "already_given"

    for who, status in (("mentee", 200), ("coordinator", 200), ("mentor", 200)):
        assert client.get(url_of(booking), headers=circle.api[who]).status_code == status, who
    for who in ("other_mentor", "other_mentee"):
        assert client.get(url_of(booking), headers=circle.api[who]).status_code in (403, 404), who


def test_only_the_shifts_mentor_writes_feedback(client, circle, past_booking, competency_ids):
    booking = past_booking(circle.mentor, circle.mentee)
    url = f"/api/v1/bookings/{booking}/feedback"
    for who in ("mentee", "other_mentor", "coordinator", "other_mentee"):
        response = client.post(url, json=_feedback(competency_ids), headers=circle.api[who])
        assert response.status_code == 403, who


def test_feedback_is_editable_for_seven_days_then_locked(
    app, client, circle, past_booking, competency_ids
):
    from mentor_match.extensions import db
    from mentor_match.models import ShiftFeedback

    booking = past_booking(circle.mentor, circle.mentee)
    url = f"/api/v1/bookings/{booking}/feedback"
    assert (
        client.post(url, json=_feedback(competency_ids), headers=circle.api["mentor"]).status_code
        == 201
    )
    changed = client.patch(
        url, json={"next_steps": "Garb without prompts."}, headers=circle.api["mentor"]
    )
    assert changed.status_code == 200
    assert changed.get_json()["next_steps"] == "Garb without prompts."
    assert (
        client.patch(url, json={"strengths": "x"}, headers=circle.api["mentee"]).status_code == 403
    )

    with app.app_context():
        feedback = db.session.scalar(
            db.select(ShiftFeedback).where(ShiftFeedback.booking_id == booking)
        )
        feedback.created_at = datetime.now(UTC) - timedelta(days=7, minutes=1)
        db.session.commit()
    locked = client.patch(url, json={"next_steps": "late"}, headers=circle.api["mentor"])
    assert locked.status_code == 409
    assert locked.get_json()["error"]["code"] == "locked"
    assert (
        client.get(url, headers=circle.api["mentee"]).get_json()["next_steps"]
        == "Garb without prompts."
    )


def test_the_edit_window_follows_the_clock(app, circle, past_booking, competency_ids):
    import pytest

    from mentor_match.extensions import db
    from mentor_match.models import User
    from mentor_match.services.errors import Conflict
    from mentor_match.services.feedback import assessments

    booking = past_booking(circle.mentor, circle.mentee)
    given_at = datetime(2026, 11, 2, 12, tzinfo=UTC)
    with app.app_context():
        mentor = db.session.get(User, circle.mentor)
        assessments.give_feedback(
            db.session, mentor, booking, ratings=[], strengths="a", next_steps="b", now=given_at
        )
        assessments.edit_feedback(
            db.session, mentor, booking, strengths="c", now=given_at + timedelta(days=6, hours=23)
        )
        with pytest.raises(Conflict):
            assessments.edit_feedback(
                db.session,
                mentor,
                booking,
                strengths="d",
                now=given_at + timedelta(days=7, seconds=1),
            )
        db.session.rollback()


def test_bad_feedback_bodies_are_422_naming_the_field(client, circle, past_booking, competency_ids):
    booking = past_booking(circle.mentor, circle.mentee)
    url = f"/api/v1/bookings/{booking}/feedback"
    cases = [
        (
            {"ratings": [{"competency_id": competency_ids["SC-ASEP"], "level": 5}]},
            "ratings.0.level",
        ),
        (
            {"ratings": [{"competency_id": competency_ids["SC-ASEP"], "level": "2"}]},
            "ratings.0.level",
        ),
        ({"ratings": [{"competency_id": 999999, "level": 2}]}, "ratings.0.competency_id"),
        ({"strengths": "x", "author_id": 1}, "author_id"),
        ({"strengths": "x" * 5000}, "strengths"),
    ]
    for body, field in cases:
        response = client.post(url, json=body, headers=circle.api["mentor"])
        assert response.status_code == 422, (body, response.get_json())
        fields = [d["field"] for d in response.get_json()["error"]["details"]]
        assert field in fields, (body, fields)


def test_reflection_and_the_k3_rule_for_ratings(client, circle, past_booking):
    def reflect(booking: int, rating: int, who: str = "mentee"):
        return client.post(
            f"/api/v1/bookings/{booking}/reflection",
            json={
                "learned": "Garbing order",
                "apply": "Every morning",
                "session_rating": rating,
                "comment_to_coordinator": "Very good preceptor",
            },
            headers=circle.api[who],
        )

    not_yet = past_booking(circle.mentor, circle.mentee, attended=None)
    assert reflect(not_yet, 5).status_code == 409
    bookings = [past_booking(circle.mentor, circle.mentee) for _ in range(3)]
    assert reflect(bookings[0], 5, who="other_mentee").status_code == 403
    assert reflect(bookings[0], 5, who="mentor").status_code == 403
    assert reflect(bookings[0], 5).status_code == 201
    assert reflect(bookings[0], 4).status_code == 409

    summary = client.get("/api/v1/me/ratings", headers=circle.api["mentor"]).get_json()
    assert summary == {"count": 1, "average": None}
    assert reflect(bookings[1], 3).status_code == 201
    assert client.get("/api/v1/me/ratings", headers=circle.api["mentor"]).get_json() == {
        "count": 2,
        "average": None,
    }
    assert reflect(bookings[2], 4).status_code == 201
    assert client.get("/api/v1/me/ratings", headers=circle.api["mentor"]).get_json() == {
        "count": 3,
        "average": 4.0,
    }

    # The mentor never reads a single reflection; the mentee and coordinators do.
    url = f"/api/v1/bookings/{bookings[0]}/reflection"
    assert client.get(url, headers=circle.api["mentor"]).status_code == 403
    assert client.get(url, headers=circle.api["other_mentee"]).status_code == 403
    assert client.get(url, headers=circle.api["coordinator"]).get_json()["session_rating"] == 5
    assert client.get(url, headers=circle.api["mentee"]).status_code == 200
    assert client.get("/api/v1/me/ratings", headers=circle.api["mentee"]).status_code == 403
    for body in (
        {"learned": "x", "apply": "y", "session_rating": 6},
        {"learned": "x", "apply": "y", "session_rating": True},
        {"learned": "", "apply": "y", "session_rating": 3},
    ):
        response = client.post(
            url.replace(str(bookings[0]), str(bookings[1])), json=body, headers=circle.api["mentee"]
        )
        assert response.status_code in (409, 422)


def test_sign_off_revoke_sign_off_keeps_true_progress_and_full_history(
    client, circle, past_booking, competency_ids
):
    mentee = circle.mentee
    asep = competency_ids["SC-ASEP"]
    url = f"/api/v1/mentees/{mentee}/signoffs"
    progress_url = f"/api/v1/mentees/{mentee}/progress"

    before = client.get(progress_url, headers=circle.api["mentee"]).get_json()
    assert before["signed_off"] == 0
    codes = {c["id"]: c for c in before["competencies"]}
    assert asep in codes and codes[asep]["status"] == "not_started"
    assert competency_ids["NUC-DOSE"] not in codes  # not one of the mentee's specialties

    first = client.post(
        url, json={"competency_id": asep, "note": "Clean technique"}, headers=circle.api["mentor"]
    )
    assert first.status_code == 201, first.get_json()
    assert (
        client.post(url, json={"competency_id": asep}, headers=circle.api["mentor"]).status_code
        == 409
    )
    revoke = client.delete(
        f"/api/v1/signoffs/{first.get_json()['id']}",
        json={"reason": "Touched a critical site"},
        headers=circle.api["coordinator"],
    )
    assert revoke.status_code == 200
    middle = client.get(progress_url, headers=circle.api["mentor"]).get_json()
    assert middle["signed_off"] == 0
    assert {c["id"]: c for c in middle["competencies"]}[asep]["status"] == "in_progress"
    assert (
        client.delete(
            f"/api/v1/signoffs/{first.get_json()['id']}",
            json={"reason": "again"},
            headers=circle.api["coordinator"],
        ).status_code
        == 409
    )

    booking = past_booking(circle.mentor, mentee)
    again = client.post(
        url, json={"competency_id": asep, "booking_id": booking}, headers=circle.api["mentor"]
    )
    assert again.status_code == 201
    after = client.get(progress_url, headers=circle.api["coordinator"]).get_json()
    assert after["signed_off"] == 1
    row = {c["id"]: c for c in after["competencies"]}[asep]
    assert row["status"] == "signed_off" and row["signed_off_by"] == circle.mentor
    assert [(h["action"], h["by"], h["reason"]) for h in after["history"]] == [
        ("signed_off", circle.mentor, "Clean technique"),
        ("revoked", circle.coordinator, "Touched a critical site"),
        ("signed_off", circle.mentor, None),
    ]


def test_who_may_sign_off_and_see_progress(client, circle, past_booking, competency_ids):
    mentee = circle.mentee
    body = {"competency_id": competency_ids["GEN-SAFE"]}
    url = f"/api/v1/mentees/{mentee}/signoffs"
    for who in ("other_mentor", "mentee", "other_mentee"):
        assert client.post(url, json=body, headers=circle.api[who]).status_code == 403, who
    for who in ("other_mentor", "other_mentee"):
        assert (
            client.get(f"/api/v1/mentees/{mentee}/progress", headers=circle.api[who]).status_code
            == 403
        )
    # Hosting one of the mentee's attended shifts is enough to sign off.
    past_booking(circle.other_mentor, mentee)
    assert client.post(url, json=body, headers=circle.api["other_mentor"]).status_code == 201
    bad = client.post(url, json={"competency_id": "x"}, headers=circle.api["mentor"])
    assert bad.status_code == 422
    assert (
        client.delete("/api/v1/signoffs/1", json={}, headers=circle.api["mentor"]).status_code
        == 422
    )
