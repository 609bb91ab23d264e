"""Fields nobody asked a client for (role, id, owner, counters, status) are ignored or refused."""

from __future__ import annotations

from typing import Any

import pytest

from tests.security.conftest import EMAILS, Programme, shift_times


def _row(app, model: str, row_id: int, *names: str) -> tuple[Any, ...]:
    from mentor_match import models
    from mentor_match.extensions import db

    with app.app_context():
        row = db.session.get(getattr(models, model), row_id)
        values = tuple(getattr(row, name) for name in names)
        db.session.rollback()
        return values


def _user(app, email: str) -> tuple[Any, ...] | None:
    from mentor_match.extensions import db
    from mentor_match.models import User

    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.email == email))
        found = None if user is None else (user.id, user.role, user.mentor_profile is not None)
        db.session.rollback()
        return found


def _shift_body(**extra: Any) -> dict[str, Any]:
    start, end = shift_times(hours=24 * 10)
    return {
        "start": start.isoformat(),
        "end": end.isoformat(),
        "seats": 2,
        "location": "Lab",
        "specialty": "oncology",
    } | extra


def test_a_mentor_creating_a_shift_cannot_set_its_id_counters_or_status(
    app, client, programme: Programme
):
    p = programme
    response = client.post(
        "/api/v1/shifts",
        json=_shift_body(id=9999, seats_taken=2, status="cancelled", sequence=50, user_id=1),
        headers=p.api["mentor_a"],
    )
    assert response.status_code in (201, 422), response.get_json()
    if response.status_code == 201:
        made = response.get_json()
        assert made["id"] != 9999
        assert _row(app, "Shift", made["id"], "seats_taken", "status", "sequence", "mentor_id") == (
            0,
            "scheduled",
            0,
            p.ids["mentor_a"],
        )


def test_a_mentor_cannot_give_their_shift_to_another_mentor(app, client, programme: Programme):
    p = programme
    before = _row(app, "Shift", p.shift_id, "mentor_id", "seats_taken", "status")
    for body in (
        {"mentor_id": p.ids["mentor_a"]},
        {"seats_taken": 0},
        {"status": "cancelled"},
        {"id": 12345},
        {"mentor_id": p.ids["mentor_a"], "seats": 3},
    ):
        response = client.patch(
            f"/api/v1/shifts/{p.shift_id}", json=body, headers=p.api["mentor_b"]
        )
        assert response.status_code in (200, 422), (body, response.get_json())
        assert _row(app, "Shift", p.shift_id, "mentor_id", "seats_taken", "status") == before


def test_booking_for_someone_else_or_with_a_chosen_status_is_not_possible(
    app, client, programme: Programme, make_user
):
    from mentor_match.extensions import db
    from mentor_match.models import Booking, Shift

    p = programme
    with app.app_context():
        start, end = shift_times(hours=24 * 12)
        shift = Shift(
            mentor_id=p.ids["mentor_a"], start_at=start, end_at=end, seats=1, open_to_all=True
        )
        db.session.add(shift)
        db.session.commit()
        shift_id = shift.id
    # The only seat goes to mentee B; mentee A then asks for a confirmed seat in B's name.
    assert (
        client.post(
            f"/api/v1/shifts/{shift_id}/bookings", json={}, headers=p.api["mentee_b"]
        ).status_code
        == 201
    )
    response = client.post(
        f"/api/v1/shifts/{shift_id}/bookings",
        json={
            "waitlist": True,
            "status": "confirmed",
            "mentee_id": p.ids["mentee_b"],
            "user_id": p.ids["mentee_b"],
            "id": p.booking_id,
        },
        headers=p.api["mentee_a"],
    )
    assert response.status_code in (201, 422), response.get_json()
    with app.app_context():
        rows = {
            (b.mentee_id, b.status)
            for b in db.session.scalars(db.select(Booking).where(Booking.shift_id == shift_id))
        }
        assert db.session.get(Shift, shift_id).seats_taken == 1
        original = db.session.get(Booking, p.booking_id)
        assert (original.shift_id, original.mentee_id) == (p.shift_id, p.ids["mentee_b"])
    expected = {(p.ids["mentee_b"], "confirmed")}
    if response.status_code == 201:
        expected.add((p.ids["mentee_a"], "waitlisted"))
    assert rows == expected


def test_attendance_extras_do_not_move_the_booking(app, client, programme: Programme):
    p = programme
    before = _row(app, "Booking", p.booking_id, "shift_id", "mentee_id", "status")
    response = client.post(
        f"/api/v1/bookings/{p.booking_id}/attendance",
        json={"attended": True, "hours": 1, "mentee_id": p.ids["mentee_a"], "status": "cancelled"},
        headers=p.api["mentor_b"],
    )
    assert response.status_code in (200, 409, 422)
    assert _row(app, "Booking", p.booking_id, "shift_id", "mentee_id", "status") == before


def test_a_round_cannot_be_created_published_or_with_a_chosen_id(app, client, programme):
    response = client.post(
        "/api/v1/rounds",
        json={"name": "R", "status": "published", "id": 777, "created_by_id": 1, "stats": {}},
        headers=programme.api["coordinator"],
    )
    assert response.status_code in (201, 422), response.get_json()
    if response.status_code == 201:
        made = response.get_json()
        assert made["id"] != 777
        assert _row(app, "MatchRound", made["id"], "status", "created_by_id") == (
            "draft",
            programme.ids["coordinator"],
        )


@pytest.mark.parametrize("kind", ["mentees", "mentors"])
def test_an_import_cannot_make_a_coordinator(app, client, programme: Programme, kind: str):
    header = "email,name,site,region,timezone,specialties,availability,role,id,user_id"
    row = "sneaky@example.org,Sneaky,North,Midwest,America/Chicago,oncology,Mon 08:00-12:00"
    if kind == "mentors":
        header += ",capacity"
    csv = f"{header}\n{row},coordinator,1,1{',2' if kind == 'mentors' else ''}\n"
    response = client.post(
        f"/api/v1/imports/{kind}",
        data=csv,
        content_type="text/csv",
        headers=programme.api["coordinator"],
    )
    assert response.status_code in (200, 422), response.get_json()
    found = _user(app, "sneaky@example.org")
    if response.status_code == 422:
        assert found is None
    else:
        assert found is not None and found[1] == kind[:-1]
        assert found[0] != 1
    # The account with id 1 is still who it was.
    assert _user(app, EMAILS["mentee_a"]) == (programme.ids["mentee_a"], "mentee", False)


def test_a_mentee_import_with_capacity_makes_no_mentor(app, client, programme: Programme):
    csv = (
        "email,name,site,region,timezone,specialties,availability,capacity\n"
        "cap@example.org,Cap,North,Midwest,America/Chicago,oncology,Mon 08:00-12:00,5\n"
    )
    response = client.post(
        "/api/v1/imports/mentees",
        data=csv,
        content_type="text/csv",
        headers=programme.api["coordinator"],
    )
    assert response.status_code in (200, 422), response.get_json()
    found = _user(app, "cap@example.org")
    assert found is None or found[1:] == ("mentee", False)


def _profile_form(p: Programme, who: str, **extra: Any) -> dict[str, Any]:
    form: dict[str, Any] = {
        "csrf_token": p.csrf[who],
        "name": "Renamed",
        "timezone": "America/Chicago",
        "site_id": "0",
        "windows-0-day": "Mon",
        "windows-0-start": "08:00",
        "windows-0-end": "12:00",
    }
    if who.startswith("mentor"):
        form |= {"capacity": "3", "specialties": ["1"]}
    else:
        form |= {"ranked-0": "1"}
    return form | extra


@pytest.mark.parametrize("who", ["mentee_a", "mentor_a"])
def test_the_profile_form_changes_neither_role_nor_email(app, programme: Programme, who: str):
    p = programme
    client = p.pages[who]
    response = client.post(
        "/profile/",
        data=_profile_form(
            p,
            who,
            role="coordinator",
            email="taken-over@example.org",
            id=str(p.ids["coordinator"]),
            user_id=str(p.ids["coordinator"]),
            active="0",
            password_hash="x",
            **({"capacity": "9"} if who == "mentee_a" else {}),
        ),
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    assert _row(app, "User", p.ids[who], "name", "role", "email", "active") == (
        "Renamed",
        who.split("_")[0],
        EMAILS[who],
        True,
    )
    assert _user(app, "taken-over@example.org") is None
    assert _user(app, EMAILS["coordinator"])[1] == "coordinator"
    if who == "mentee_a":
        assert _user(app, EMAILS[who]) == (p.ids[who], "mentee", False)


def test_a_mentor_page_shift_stays_their_own(app, programme: Programme):
    from mentor_match.extensions import db
    from mentor_match.models import Shift

    p = programme
    start, _ = shift_times(hours=24 * 15)
    response = p.pages["mentor_a"].post(
        "/shifts/new",
        data={
            "csrf_token": p.csrf["mentor_a"],
            "day": start.date().isoformat(),
            "start": "09:00",
            "end": "11:00",
            "seats": "2",
            "location": "Lab A",
            "mentor_id": str(p.ids["mentor_b"]),
            "seats_taken": "2",
            "status": "cancelled",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        made = db.session.scalar(db.select(Shift).where(Shift.location == "Lab A"))
        assert (made.mentor_id, made.seats_taken, made.status) == (
            p.ids["mentor_a"],
            0,
            "scheduled",
        )


def test_a_token_form_makes_a_token_for_its_caller_only(app, programme: Programme):
    from mentor_match.extensions import db
    from mentor_match.models import ApiToken

    p = programme
    response = p.pages["mentee_a"].post(
        "/account/tokens",
        data={
            "csrf_token": p.csrf["mentee_a"],
            "tok-csrf_token": p.csrf["mentee_a"],
            "tok-name": "mine",
            "user_id": str(p.ids["coordinator"]),
            "tok-user_id": str(p.ids["coordinator"]),
        },
    )
    assert response.status_code == 302  # post/redirect/get
    with app.app_context():
        owners = set(db.session.scalars(db.select(ApiToken.user_id).where(ApiToken.name == "mine")))
        assert owners == {p.ids["mentee_a"]}
