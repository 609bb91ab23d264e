"""Mentorship agreements (goals, check-ins, evaluations) and the tasks each person owes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta


def _evaluation(stage: str, who: str) -> dict:
    names = (
        ("preparation", "engagement", "progress", "professionalism")
        if who == "mentor"
        else ("availability", "explanations", "feedback", "respect")
    )
    return {"stage": stage, "ratings": dict.fromkeys(names, 4), "comment": "Good term."}


def test_goals_and_checkins_by_either_party_only(client, circle):
    m = circle.mentorship
    url = f"/api/v1/mentorships/{m}/goals"
    goal = client.post(
        url,
        json={"title": "Garb unaided", "target_date": "2027-01-15"},
        headers=circle.api["mentee"],
    )
    assert goal.status_code == 201, goal.get_json()
    goal_id = goal.get_json()["id"]
    for who in ("other_mentor", "other_mentee"):
        assert client.post(url, json={"title": "x"}, headers=circle.api[who]).status_code == 403
        assert (
            client.patch(
                f"/api/v1/goals/{goal_id}", json={"status": "met"}, headers=circle.api[who]
            ).status_code
            == 403
        )
    met = client.patch(
        f"/api/v1/goals/{goal_id}", json={"status": "met"}, headers=circle.api["mentor"]
    )
    assert met.get_json()["status"] == "met"
    assert (
        client.patch(
            f"/api/v1/goals/{goal_id}", json={"status": "done"}, headers=circle.api["mentor"]
        ).status_code
        == 422
    )
    today = date.today().isoformat()
    checkin = client.post(
        f"/api/v1/mentorships/{m}/checkins",
        json={"date": today, "minutes": 30, "notes": "Plan"},
        headers=circle.api["mentor"],
    )
    assert checkin.status_code == 201
    for body, field in (
        ({"date": today, "minutes": "30"}, "minutes"),
        ({"date": today, "minutes": 0}, "minutes"),
        ({"date": "2027-13-01", "minutes": 30}, "date"),
    ):
        response = client.post(
            f"/api/v1/mentorships/{m}/checkins", json=body, headers=circle.api["mentor"]
        )
        assert response.status_code == 422
        assert field in [d["field"] for d in response.get_json()["error"]["details"]]
    agreement = client.get(
        f"/api/v1/mentorships/{m}/agreement", headers=circle.api["coordinator"]
    ).get_json()
    assert len(agreement["goals"]) == 1 and len(agreement["checkins"]) == 1
    assert (
        client.get(
            f"/api/v1/mentorships/{m}/agreement", headers=circle.api["other_mentor"]
        ).status_code
        == 403
    )


def test_evaluations_one_per_party_and_stage_and_blind_until_given(client, circle):
    m = circle.mentorship
    url = f"/api/v1/mentorships/{m}/evaluations"
    assert (
        client.post(
            url, json=_evaluation("midpoint", "mentor"), headers=circle.api["mentor"]
        ).status_code
        == 201
    )
    again = client.post(url, json=_evaluation("midpoint", "mentor"), headers=circle.api["mentor"])
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "already_given"
    # The mentee has not given theirs: they do not see the mentor's yet.
    seen = client.get(f"/api/v1/mentorships/{m}/agreement", headers=circle.api["mentee"]).get_json()
    assert seen["evaluations"] == []
    wrong_form = client.post(
        url, json=_evaluation("midpoint", "mentor"), headers=circle.api["mentee"]
    )
    assert wrong_form.status_code == 422
    assert (
        client.post(
            url, json=_evaluation("midpoint", "mentee"), headers=circle.api["mentee"]
        ).status_code
        == 201
    )
    seen = client.get(f"/api/v1/mentorships/{m}/agreement", headers=circle.api["mentee"]).get_json()
    assert {e["author_id"] for e in seen["evaluations"]} == {circle.mentor, circle.mentee}
    assert (
        client.post(
            url, json=_evaluation("final", "mentee"), headers=circle.api["mentee"]
        ).status_code
        == 201
    )
    assert (
        client.post(
            url, json=_evaluation("final", "mentor"), headers=circle.api["other_mentor"]
        ).status_code
        == 403
    )
    assert (
        client.post(
            url, json=_evaluation("final", "mentor"), headers=circle.api["coordinator"]
        ).status_code
        == 403
    )


def _tasks(client, circle, who: str) -> list[dict]:
    return client.get("/api/v1/me/tasks", headers=circle.api[who]).get_json()["items"]


def test_tasks_appear_oldest_first_and_disappear_when_done(client, circle, past_booking):
    assert _tasks(client, circle, "mentor") == [] and _tasks(client, circle, "mentee") == []
    older = past_booking(circle.mentor, circle.mentee, days_ago=10)
    newer = past_booking(circle.mentor, circle.mentee, days_ago=1)
    past_booking(circle.mentor, circle.mentee, days_ago=2, attended=None)  # not attended: no task
    mentor_tasks = _tasks(client, circle, "mentor")
    assert [(t["kind"], t["booking_id"]) for t in mentor_tasks] == [
        ("feedback", older),
        ("feedback", newer),
    ]
    assert mentor_tasks[0]["due"] < mentor_tasks[1]["due"]
    assert [t["kind"] for t in _tasks(client, circle, "mentee")] == ["reflection", "reflection"]

    client.post(
        f"/api/v1/bookings/{older}/feedback", json={"strengths": "ok"}, headers=circle.api["mentor"]
    )
    assert [t["booking_id"] for t in _tasks(client, circle, "mentor")] == [newer]
    client.post(
        f"/api/v1/bookings/{newer}/reflection",
        json={"learned": "a", "apply": "b", "session_rating": 4},
        headers=circle.api["mentee"],
    )
    assert [t["booking_id"] for t in _tasks(client, circle, "mentee")] == [older]
    assert _tasks(client, circle, "coordinator") == []


def test_ending_a_mentorship_asks_both_for_their_final_evaluation(client, circle):
    m = circle.mentorship
    assert (
        client.post(f"/api/v1/mentorships/{m}/end", headers=circle.api["coordinator"]).status_code
        == 200
    )
    for who in ("mentor", "mentee"):
        items = _tasks(client, circle, who)
        assert [(t["kind"], t.get("mentorship_id"), t.get("stage")) for t in items] == [
            ("evaluation", m, "final")
        ]
    url = f"/api/v1/mentorships/{m}/evaluations"
    assert (
        client.post(
            url, json=_evaluation("midpoint", "mentor"), headers=circle.api["mentor"]
        ).status_code
        == 409
    )
    assert (
        client.post(
            url, json=_evaluation("final", "mentor"), headers=circle.api["mentor"]
        ).status_code
        == 201
    )
    assert _tasks(client, circle, "mentor") == []
    assert len(_tasks(client, circle, "mentee")) == 1
    assert (
        client.post(
            f"/api/v1/mentorships/{m}/goals", json={"title": "late"}, headers=circle.api["mentee"]
        ).status_code
        == 409
    )


def test_overview_nudge_and_daily_reminder_are_once_a_day(
    app, client, circle, past_booking, tmp_path
):
    from mentor_match.extensions import db
    from mentor_match.services.feedback import tasks

    past_booking(circle.mentor, circle.mentee, days_ago=9)
    overview = client.get("/api/v1/feedback/overdue", headers=circle.api["coordinator"]).get_json()
    assert overview["mentors"] == [
        {"mentor_id": circle.mentor, "name": overview["mentors"][0]["name"], "overdue": 1}
    ]
    assert (
        sum(s["overdue"] for s in overview["sites"]) == 2
    )  # the mentor's feedback, the mentee's reflection
    assert (
        client.post(
            f"/api/v1/mentors/{circle.mentor}/nudge", headers=circle.api["mentor"]
        ).status_code
        == 403
    )
    assert client.post(
        f"/api/v1/mentors/{circle.mentor}/nudge", headers=circle.api["coordinator"]
    ).get_json() == {"overdue": 1}
    again = client.post(f"/api/v1/mentors/{circle.mentor}/nudge", headers=circle.api["coordinator"])
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "already_nudged"
    nothing = client.post(
        f"/api/v1/mentors/{circle.other_mentor}/nudge", headers=circle.api["coordinator"]
    )
    assert nothing.status_code == 409
    outbox = tmp_path / "outbox"
    assert len(list(outbox.glob("*.eml"))) == 1

    now = datetime.now(UTC)
    with app.app_context():
        assert tasks.remind_overdue(db.session, now=now) == 2  # mentor and mentee
        db.session.commit()
        assert tasks.remind_overdue(db.session, now=now) == 0  # same day: nobody twice
        db.session.commit()
        assert tasks.remind_overdue(db.session, now=now + timedelta(days=1)) == 2
        db.session.commit()
    assert len(list(outbox.glob("*.eml"))) == 5


def test_report_shows_mean_rating_only_from_three(client, circle, past_booking):
    bookings = [past_booking(circle.mentor, circle.mentee) for _ in range(3)]
    for i, booking in enumerate(bookings[:2]):
        client.post(
            f"/api/v1/bookings/{booking}/reflection",
            json={"learned": "a", "apply": "b", "session_rating": 5 - i},
            headers=circle.api["mentee"],
        )
    report = client.get("/api/v1/feedback/report", headers=circle.api["coordinator"]).get_json()
    assert [r["average"] for r in report["mean_rating_per_mentor"]] == [None]
    client.post(
        f"/api/v1/bookings/{bookings[2]}/reflection",
        json={"learned": "a", "apply": "b", "session_rating": 3},
        headers=circle.api["mentee"],
    )
    report = client.get("/api/v1/feedback/report", headers=circle.api["coordinator"]).get_json()
    assert [r["average"] for r in report["mean_rating_per_mentor"]] == [4.0]
    reflections = next(c for c in report["completion"] if c["item"].startswith("Reflections"))
    assert (reflections["done"], reflections["expected"]) == (3, 3)
    assert client.get("/api/v1/feedback/report", headers=circle.api["mentor"]).status_code == 403
