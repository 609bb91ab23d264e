"""Coordinators end mentorships and take people out of the programme; both feed later rounds."""

from __future__ import annotations

from mentor_match.extensions import db
from mentor_match.models import Mentorship, User
from tests.helpers import csrf_token, login


def _pair(app, mentor, mentee) -> int:
    with app.app_context():
        mentorship = Mentorship(mentor_id=mentor, mentee_id=mentee)
        db.session.add(mentorship)
        db.session.commit()
        return mentorship.id


def test_end_a_mentorship_through_the_api(app, client, make_user, token_for):
    headers = token_for(make_user("coordinator"))
    mentor, mentee = make_user("mentor"), make_user("mentee")
    mentorship_id = _pair(app, mentor, mentee)
    listed = client.get("/api/v1/mentorships?current=true", headers=headers).get_json()
    assert [m["id"] for m in listed["items"]] == [mentorship_id]
    ended = client.post(f"/api/v1/mentorships/{mentorship_id}/end", headers=headers)
    assert ended.status_code == 200 and ended.get_json()["current"] is False
    again = client.post(f"/api/v1/mentorships/{mentorship_id}/end", headers=headers)
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "already_ended"
    assert client.get("/api/v1/mentorships?current=true", headers=headers).get_json() == {
        "items": []
    }
    assert client.post("/api/v1/mentorships/999999/end", headers=headers).status_code == 404
    bad = client.get("/api/v1/mentorships?current=maybe", headers=headers)
    assert bad.status_code == 422


def test_ended_mentee_rejoins_the_pool_but_never_with_the_same_mentor(app, make_user):
    from mentor_match.services import rounds

    coordinator = make_user("coordinator")
    mentor, other = make_user("mentor"), make_user("mentor")
    mentee = make_user("mentee")
    mentorship_id = _pair(app, mentor, mentee)
    with app.app_context():
        user = db.session.get(User, coordinator)
        match_round = rounds.create_round(db.session, user, "Before")
        db.session.flush()
        assert mentee not in {
            m.id for m in rounds.load_round_input(db.session, match_round).data.mentees
        }
        from mentor_match.services.mentorships import end_mentorship

        end_mentorship(db.session, mentorship_id)
        pool = rounds.load_round_input(db.session, match_round).data
        assert mentee in {m.id for m in pool.mentees}
        assert (mentee, mentor) in pool.past_pairs
        assert {m.id for m in pool.mentors} == {mentor, other}
        db.session.rollback()


def test_a_participant_who_leaves_is_signed_out_and_out_of_rounds(app, make_user, token_for):
    coordinator_headers = token_for(make_user("coordinator"))
    mentee = make_user("mentee", email="m@example.org")
    mentee_headers = token_for(mentee)
    browser = app.test_client()
    login(browser, "m@example.org")
    api = app.test_client()
    response = api.patch(
        f"/api/v1/people/{mentee}", json={"active": False}, headers=coordinator_headers
    )
    assert response.status_code == 200 and response.get_json()["active"] is False
    assert browser.get("/").status_code == 302  # signed out
    assert api.get("/api/v1/me/bookings", headers=mentee_headers).status_code == 401
    # Nothing else can be changed through this endpoint.
    sneaky = api.patch(
        f"/api/v1/people/{mentee}",
        json={"active": True, "role": "coordinator"},
        headers=coordinator_headers,
    )
    assert sneaky.status_code == 422
    with app.app_context():
        assert db.session.get(User, mentee).role == "mentee"
        assert db.session.get(User, mentee).active is False
    assert (
        api.patch(
            f"/api/v1/people/{mentee}", json={"active": "yes"}, headers=coordinator_headers
        ).status_code
        == 422
    )


def test_participant_page_ends_mentorships_and_marks_leavers(app, client, make_user):
    make_user("coordinator", email="c@example.org")
    mentor, mentee = make_user("mentor", name="Pat Mentor"), make_user("mentee")
    mentorship_id = _pair(app, mentor, mentee)
    login(client, "c@example.org")
    page = client.get(f"/participants/{mentee}").get_data(as_text=True)
    assert "Pat Mentor" in page and "End mentorship" in page
    token = csrf_token(client, f"/participants/{mentee}")
    response = client.post(
        f"/participants/mentorships/{mentorship_id}/end",
        data={"csrf_token": token, "person_id": str(mentee)},
    )
    assert response.status_code == 302
    assert "ended" in client.get(f"/participants/{mentee}").get_data(as_text=True)
    response = client.post(
        f"/participants/{mentee}/active", data={"csrf_token": token, "active": "0"}
    )
    assert response.status_code == 302
    assert "has left the programme" in client.get(f"/participants/{mentee}").get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Mentorship, mentorship_id).ended_at is not None
        assert db.session.get(User, mentee).active is False
