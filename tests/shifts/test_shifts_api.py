"""Publishing, listing, changing and cancelling shifts through the API."""

from __future__ import annotations

from tests.shifts.conftest import soon


def test_mentor_publishes_a_shift(client, make_user, token_for, pair):
    mentor = make_user("mentor")
    headers = token_for(mentor)
    start, end = soon()
    response = client.post(
        "/api/v1/shifts",
        json={
            "start": start,
            "end": end,
            "seats": 2,
            "location": "IV room",
            "specialty": "oncology",
        },
        headers=headers,
    )
    assert response.status_code == 201
    body = response.get_json()
    assert body["id"] and body["seats"] == 2 and body["mentor_id"] == mentor
    assert body["status"] == "scheduled" and body["open_to_all"] is False


def test_naive_times_are_refused(client, make_user, token_for):
    headers = token_for(make_user("mentor"))
    response = client.post(
        "/api/v1/shifts",
        json={"start": "2030-03-04T09:00:00", "end": "2030-03-04T12:00:00", "seats": 2},
        headers=headers,
    )
    assert response.status_code == 422
    assert response.get_json()["error"]["details"][0]["field"] == "start"


def test_bad_seats_and_times(client, make_user, token_for):
    headers = token_for(make_user("mentor"))
    start, end = soon()
    for seats in (0, 51, "3", True, None):
        r = client.post(
            "/api/v1/shifts", json={"start": start, "end": end, "seats": seats}, headers=headers
        )
        assert r.status_code == 422, seats
    r = client.post(
        "/api/v1/shifts", json={"start": end, "end": start, "seats": 2}, headers=headers
    )
    assert r.status_code == 422
    past_start, past_end = soon(-48)
    r = client.post(
        "/api/v1/shifts", json={"start": past_start, "end": past_end, "seats": 2}, headers=headers
    )
    assert r.status_code == 422
    r = client.post(
        "/api/v1/shifts",
        json={"start": start, "end": end, "seats": 2, "specialty": "nope"},
        headers=headers,
    )
    assert r.status_code == 422


def test_mentee_cannot_publish_and_coordinator_needs_mentor_id(client, make_user, token_for):
    mentor = make_user("mentor")
    start, end = soon()
    body = {"start": start, "end": end, "seats": 2}
    assert (
        client.post("/api/v1/shifts", json=body, headers=token_for(make_user("mentee"))).status_code
        == 403
    )
    coordinator = token_for(make_user("coordinator"))
    assert client.post("/api/v1/shifts", json=body, headers=coordinator).status_code == 422
    r = client.post("/api/v1/shifts", json={**body, "mentor_id": mentor}, headers=coordinator)
    assert r.status_code == 201 and r.get_json()["mentor_id"] == mentor


def test_mentor_cannot_edit_another_mentors_shift(client, make_user, token_for, new_shift):
    shift = new_shift(token_for(make_user("mentor")))
    other = token_for(make_user("mentor"))
    assert (
        client.patch(f"/api/v1/shifts/{shift['id']}", json={"seats": 5}, headers=other).status_code
        == 403
    )
    assert client.delete(f"/api/v1/shifts/{shift['id']}", headers=other).status_code == 403


def test_bookable_lists_own_mentors_and_open_shifts(client, make_user, token_for, pair, new_shift):
    mine, theirs = make_user("mentor"), make_user("mentor")
    mentee = make_user("mentee")
    pair(mine, mentee)
    a = new_shift(token_for(mine))
    b = new_shift(token_for(theirs))
    c = new_shift(token_for(theirs), open_to_all=True)
    headers = token_for(mentee)
    listed = client.get("/api/v1/shifts?bookable=true", headers=headers).get_json()["items"]
    assert {s["id"] for s in listed} == {a["id"], c["id"]}
    assert b["id"] not in {s["id"] for s in listed}
    only = client.get(
        f"/api/v1/shifts?bookable=true&mentor_id={theirs}", headers=headers
    ).get_json()
    assert [s["id"] for s in only["items"]] == [c["id"]]


def test_seats_never_below_confirmed(client, make_user, token_for, pair, new_shift):
    mentor = make_user("mentor")
    mentor_headers = token_for(mentor)
    shift = new_shift(mentor_headers, seats=3)
    for _ in range(2):
        mentee = make_user("mentee")
        pair(mentor, mentee)
        assert (
            client.post(
                f"/api/v1/shifts/{shift['id']}/bookings", json={}, headers=token_for(mentee)
            ).status_code
            == 201
        )
    r = client.patch(f"/api/v1/shifts/{shift['id']}", json={"seats": 1}, headers=mentor_headers)
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "seats_below_booked"
    r = client.patch(f"/api/v1/shifts/{shift['id']}", json={"seats": 2}, headers=mentor_headers)
    assert r.status_code == 200 and r.get_json()["seats"] == 2


def test_reschedule_raises_sequence_and_cancel_cancels_bookings(
    client, make_user, token_for, pair, new_shift
):
    mentor = make_user("mentor")
    mentor_headers = token_for(mentor)
    mentee = make_user("mentee")
    pair(mentor, mentee)
    shift = new_shift(mentor_headers)
    booking = client.post(
        f"/api/v1/shifts/{shift['id']}/bookings", json={}, headers=token_for(mentee)
    ).get_json()
    start, end = soon(72)
    r = client.patch(
        f"/api/v1/shifts/{shift['id']}", json={"start": start, "end": end}, headers=mentor_headers
    )
    assert r.status_code == 200 and r.get_json()["sequence"] == 1
    got = client.get(f"/api/v1/bookings/{booking['id']}", headers=mentor_headers).get_json()
    assert got["sequence"] == 1 and got["start"] == start.replace("Z", "+00:00")
    r = client.delete(f"/api/v1/shifts/{shift['id']}", headers=mentor_headers)
    assert r.status_code == 200 and r.get_json()["status"] == "cancelled"
    got = client.get(f"/api/v1/bookings/{booking['id']}", headers=mentor_headers).get_json()
    assert got["status"] == "cancelled" and got["sequence"] == 2
    detail = client.get(f"/api/v1/shifts/{shift['id']}", headers=mentor_headers).get_json()
    assert detail["seats_taken"] == 0
