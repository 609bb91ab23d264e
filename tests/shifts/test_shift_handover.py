"""A coordinator hands a shift to another mentor: checks, notices and calendars (PATCH
mentor_id, and the shift page's action); nobody else can, and nothing is silently ignored."""

from __future__ import annotations

import email
import email.policy
from pathlib import Path

from tests.calendar.calendar_rules import check_section6
from tests.helpers import csrf_token, login
from tests.shifts.conftest import soon


def _mails(app, skip: frozenset[str] = frozenset()) -> dict[str, object]:  # noqa: ANN001
    """The mails written to the outbox, by file name, leaving out the names in `skip`."""
    outbox = Path(app.config["OUTBOX_DIR"])
    return {
        path.name: email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        for path in sorted(outbox.glob("*.eml"))
        if path.name not in skip
    }


def _calendar(message) -> str | None:  # noqa: ANN001
    for part in message.walk():
        if part.get_content_type() == "text/calendar":
            # The .eml file keeps the platform's line endings; the invite itself is CRLF.
            return part.get_content().replace("\r\n", "\n").replace("\n", "\r\n")
    return None


def _setup(make_user, token_for, pair):  # noqa: ANN001, ANN202
    old = make_user("mentor", email="old@example.org", name="Olive Old")
    new = make_user("mentor", email="new@example.org", name="Nina New")
    mentee = make_user("mentee", email="mentee@example.org", name="Manny Mentee")
    pair(old, mentee)
    coordinator = make_user("coordinator", email="coord@example.org")
    return old, new, mentee, token_for(old), token_for(mentee), token_for(coordinator)


def test_a_coordinator_hands_a_shift_over_with_notices_and_calendars(
    app, client, make_user, token_for, pair, new_shift
):
    old, new, mentee, oh, ah, ch = _setup(make_user, token_for, pair)
    shift = new_shift(oh)
    booking = client.post(f"/api/v1/shifts/{shift['id']}/bookings", headers=ah).get_json()
    before = client.get(f"/api/v1/bookings/{booking['id']}", headers=ah).get_json()
    sent = frozenset(_mails(app))

    r = client.patch(f"/api/v1/shifts/{shift['id']}", json={"mentor_id": new}, headers=ch)
    assert r.status_code == 200, r.get_json()
    moved = r.get_json()
    assert moved["mentor_id"] == new and moved["mentor"] == "Nina New"
    assert moved["sequence"] == shift["sequence"] + 1
    after = client.get(f"/api/v1/bookings/{booking['id']}", headers=ah).get_json()
    assert after["status"] == "confirmed" and after["sequence"] == before["sequence"] + 1

    # The mentee's invite now names the new mentor as organizer, with a higher SEQUENCE.
    invite = client.get(f"/api/v1/bookings/{booking['id']}/invite.ics", headers=ah)
    event = check_section6(invite.get_data(as_text=True), method="REQUEST").walk("VEVENT")[0]
    assert str(event["ORGANIZER"]) == "mailto:new@example.org"
    assert int(event["SEQUENCE"]) == after["sequence"]
    assert "Nina New" in str(event["SUMMARY"])

    mails = list(_mails(app, sent).values())
    to = [(m["To"], m["Subject"]) for m in mails]
    updated = [m for m in mails if "mentee@example.org" in m["To"]]
    assert len(updated) == 1 and "new@example.org" in updated[0]["To"], to
    assert "METHOD:REQUEST" in _calendar(updated[0])
    to_new = [m for m in mails if m["To"] == "new@example.org"]
    assert any("handed to you" in m["Subject"] for m in to_new), to
    to_old = [m for m in mails if m["To"] == "old@example.org"]
    assert len(to_old) == 1, to
    cancel = _calendar(to_old[0])
    parsed = check_section6(cancel, method="CANCEL").walk("VEVENT")[0]
    assert str(parsed["UID"]) == str(event["UID"]) and int(parsed["SEQUENCE"]) == after["sequence"]

    # The feeds follow: the new mentor's has the shift, the old one's no longer does.
    for headers, expected in ((token_for(new), 1), (oh, 0)):
        url = client.get("/api/v1/me/calendar", headers=headers).get_json()["feed_url"]
        feed = client.get("/" + url.split("://", 1)[1].split("/", 1)[1]).get_data(as_text=True)
        assert feed.count(f"UID:shift-{shift['id']}@") == expected
    # The new mentor manages it now; the old one no longer does.
    assert client.get(f"/api/v1/shifts/{shift['id']}", headers=token_for(new)).status_code == 200
    assert client.patch(
        f"/api/v1/shifts/{shift['id']}", json={"seats": 4}, headers=oh
    ).status_code in (403, 404)


def test_handover_refusals_change_nothing(app, client, make_user, token_for, pair, new_shift):
    from datetime import UTC, datetime, timedelta

    from mentor_match.extensions import db
    from mentor_match.models import Shift, User

    old, new, mentee, oh, ah, ch = _setup(make_user, token_for, pair)
    shift = new_shift(oh, hours=48, length=3)
    url = f"/api/v1/shifts/{shift['id']}"

    def unchanged() -> None:
        got = client.get(url, headers=ch).get_json()
        assert (got["mentor_id"], got["sequence"]) == (old, shift["sequence"])

    # The mentor themself may echo their own id, not give the shift away.
    assert client.patch(url, json={"mentor_id": old, "seats": 3}, headers=oh).status_code == 200
    r = client.patch(url, json={"mentor_id": new}, headers=oh)
    assert r.status_code == 422 and r.get_json()["error"]["details"][0]["field"] == "mentor_id"
    unchanged()
    # Not a mentor, nobody, not a number, a mentor who left.
    for value in (mentee, 2**31 - 1, "2", True, 0, -3, 2**40, 1.5, None):
        r = client.patch(url, json={"mentor_id": value}, headers=ch)
        assert r.status_code == 422, (value, r.get_json())
        assert r.get_json()["error"]["details"][0]["field"] == "mentor_id"
        unchanged()
    gone = make_user("mentor", name="Gone Mentor")
    with app.app_context():
        db.session.get(User, gone).active = False
        db.session.commit()
    assert client.patch(url, json={"mentor_id": gone}, headers=ch).status_code == 422
    unchanged()
    # The new mentor already has a shift overlapping this one: 409 overlap, naming them.
    new_shift(token_for(new), hours=49, length=3)
    r = client.patch(url, json={"mentor_id": new}, headers=ch)
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "overlap"
    assert "Nina New" in r.get_json()["error"]["message"]
    unchanged()
    # ... unless the same request moves the shift clear of it.
    start, end = soon(72)
    r = client.patch(url, json={"mentor_id": new, "start": start, "end": end}, headers=ch)
    assert r.status_code == 200 and r.get_json()["mentor_id"] == new
    # A shift that has started stays with its mentor.
    later = new_shift(oh, hours=120)
    with app.app_context():
        row = db.session.get(Shift, later["id"])
        row.start_at = datetime.now(UTC) - timedelta(minutes=5)
        row.end_at = row.start_at + timedelta(hours=2)
        db.session.commit()
    r = client.patch(f"/api/v1/shifts/{later['id']}", json={"mentor_id": new}, headers=ch)
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "shift_started"


def test_the_shift_page_offers_coordinators_the_handover(
    app, client, make_user, token_for, pair, new_shift
):
    old, new, mentee, oh, ah, ch = _setup(make_user, token_for, pair)
    shift = new_shift(oh)
    login(client, "old@example.org")
    assert "Hand over" not in client.get(f"/shifts/{shift['id']}").get_data(as_text=True)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    login(client, "coord@example.org")
    page = client.get(f"/shifts/{shift['id']}").get_data(as_text=True)
    assert "Hand over to another mentor" in page and "Nina New" in page
    token = csrf_token(client, f"/shifts/{shift['id']}")
    response = client.post(
        f"/shifts/{shift['id']}/mentor",
        data={"mentor_id": str(new), "csrf_token": token},
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert "Shift handed to Nina New" in response.get_data(as_text=True)
    assert client.get(f"/api/v1/shifts/{shift['id']}", headers=ch).get_json()["mentor_id"] == new
    # A choice that is not on offer (a mentee) is refused and changes nothing.
    response = client.post(
        f"/shifts/{shift['id']}/mentor",
        data={"mentor_id": str(mentee), "csrf_token": token},
        follow_redirects=True,
    )
    assert "Choose the mentor" in response.get_data(as_text=True)
    assert client.get(f"/api/v1/shifts/{shift['id']}", headers=ch).get_json()["mentor_id"] == new
