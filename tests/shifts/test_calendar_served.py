"""Every invite and feed the app serves follows contract section 6 and parses with icalendar."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.calendar.calendar_rules import check_section6, content_lines, values, vevents
from tests.shifts.conftest import soon

CHECKER = os.environ.get("MENTOR_MATCH_ICALCHECK", "")


def libical_accepts(text: str, tmp_path: Path) -> None:
    if not CHECKER:
        return
    path = tmp_path / "served.ics"
    path.write_bytes(text.encode("utf-8"))
    result = subprocess.run(  # noqa: S603 - a binary the test runner configured
        [CHECKER, str(path)], capture_output=True, text=True, timeout=30, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.fixture
def booked(client, make_user, token_for, pair, new_shift):
    mentor = make_user("mentor", name="Smith, Jane: PharmD")
    mentee = make_user("mentee", name="Doe; Alex")
    pair(mentor, mentee)
    mh, ah = token_for(mentor), token_for(mentee)
    shift = new_shift(
        mh, location="Mercy Hospital, floor 3; IV room", notes="Bring your badge. " * 10
    )
    booking = client.post(f"/api/v1/shifts/{shift['id']}/bookings", json={}, headers=ah).get_json()
    return shift, booking, mh, ah


def _invite(client, booking_id, headers):
    response = client.get(f"/api/v1/bookings/{booking_id}/invite.ics", headers=headers)
    assert response.status_code == 200
    return response


def test_invite_request_then_cancel_with_rising_sequence(client, booked, tmp_path):
    shift, booking, mh, ah = booked
    response = _invite(client, booking["id"], ah)
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8; method=REQUEST"
    text = response.get_data(as_text=True)
    parsed = check_section6(text, method="REQUEST")
    libical_accepts(text, tmp_path)
    event = parsed.walk("VEVENT")[0]
    uid = str(event["UID"])
    assert uid.startswith(f"booking-{booking['id']}@")
    assert event["ORGANIZER"].params["CN"] == "Smith, Jane: PharmD"
    assert str(event["ORGANIZER"]) == "mailto:mentor1@example.org"
    block = vevents(content_lines(text))[0]
    assert 'CN="Smith, Jane: PharmD"' in values(block, "ORGANIZER")[0] or any(
        'CN="Smith, Jane: PharmD"' in line for line in block
    )
    assert any('CN="Doe; Alex"' in line for line in block)
    sequences = [int(event["SEQUENCE"])]

    start, end = soon(72)
    assert (
        client.patch(
            f"/api/v1/shifts/{shift['id']}", json={"start": start, "end": end}, headers=mh
        ).status_code
        == 200
    )
    moved = _invite(client, booking["id"], ah).get_data(as_text=True)
    event = check_section6(moved, method="REQUEST").walk("VEVENT")[0]
    assert str(event["UID"]) == uid
    sequences.append(int(event["SEQUENCE"]))
    libical_accepts(moved, tmp_path)

    assert client.delete(f"/api/v1/bookings/{booking['id']}", headers=ah).status_code == 200
    response = _invite(client, booking["id"], mh)
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8; method=CANCEL"
    cancelled = response.get_data(as_text=True)
    event = check_section6(cancelled, method="CANCEL").walk("VEVENT")[0]
    assert str(event["UID"]) == uid and str(event["STATUS"]) == "CANCELLED"
    sequences.append(int(event["SEQUENCE"]))
    libical_accepts(cancelled, tmp_path)
    assert sequences == sorted(set(sequences)) and len(sequences) == 3


def _feed_url(client, headers):
    urls = client.get("/api/v1/me/calendar", headers=headers).get_json()
    assert urls["feed_url"].endswith(".ics") and urls["webcal_url"].startswith("webcal://")
    assert urls["feed_url"].split("://", 1)[1] == urls["webcal_url"].split("://", 1)[1]
    return urls["feed_url"]


def test_feeds_for_mentee_and_mentor(client, booked, tmp_path):
    shift, booking, mh, ah = booked
    for headers, uid_prefix in ((ah, "booking-"), (mh, "shift-")):
        url = _feed_url(client, headers)
        assert _feed_url(client, headers) == url  # the same link each time
        path = url.split("://", 1)[1].split("/", 1)[1]
        response = client.get("/" + path)
        assert response.status_code == 200
        assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
        assert response.headers["Referrer-Policy"] == "no-referrer"
        assert "private" in response.headers["Cache-Control"]
        text = response.get_data(as_text=True)
        parsed = check_section6(text, method=None)
        libical_accepts(text, tmp_path)
        events = parsed.walk("VEVENT")
        assert len(events) == 1 and str(events[0]["UID"]).startswith(uid_prefix)
        if uid_prefix == "shift-":
            assert events[0]["ATTENDEE"].params["CN"] == "Doe; Alex"
        again = client.get("/" + path, headers={"If-None-Match": response.headers["ETag"]})
        assert again.status_code == 304 and again.get_data() == b""


def test_cancelled_bookings_stay_in_the_feed_as_cancelled(client, booked):
    shift, booking, mh, ah = booked
    path = "/" + _feed_url(client, ah).split("://", 1)[1].split("/", 1)[1]
    etag = client.get(path).headers["ETag"]
    client.delete(f"/api/v1/shifts/{shift['id']}", headers=mh)
    response = client.get(path, headers={"If-None-Match": etag})
    assert response.status_code == 200 and response.headers["ETag"] != etag
    event = check_section6(response.get_data(as_text=True), method=None).walk("VEVENT")[0]
    assert str(event["STATUS"]) == "CANCELLED"


def test_rotating_the_link_kills_the_old_one(client, booked):
    shift, booking, mh, ah = booked
    old = "/" + _feed_url(client, ah).split("://", 1)[1].split("/", 1)[1]
    rotated = client.post("/api/v1/me/calendar/rotate", headers=ah).get_json()
    new = "/" + rotated["feed_url"].split("://", 1)[1].split("/", 1)[1]
    assert new != old
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200
    assert client.get("/calendar/not-a-token.ics").status_code == 404
    token = new.rsplit("/", 1)[1].removesuffix(".ics")
    assert len(token) >= 32  # at least 128 bits


def test_base_url_setting_shapes_the_links(app, client, booked):
    shift, booking, mh, ah = booked
    app.config["BASE_URL"] = "https://mentor.example.org"
    urls = client.get("/api/v1/me/calendar", headers=ah).get_json()
    assert urls["feed_url"].startswith("https://mentor.example.org/calendar/")
    assert urls["webcal_url"].startswith("webcal://mentor.example.org/calendar/")
    text = _invite(client, booking["id"], ah).get_data(as_text=True)
    assert f"UID:booking-{booking['id']}@mentor.example.org" in text
