"""SEQUENCE rises with every visible change (contract §6), for every entry a client may hold:
a live booking's invite, a cancelled booking's CANCEL and feed entry, and the mentor's shift."""

from __future__ import annotations

from tests.calendar.calendar_rules import check_section6
from tests.shifts.conftest import soon

SHOWN = ("DTSTART", "DTEND", "SUMMARY", "LOCATION", "DESCRIPTION", "STATUS", "ORGANIZER")


def _entry(client, booking_id: int, headers) -> dict[str, str]:  # noqa: ANN001
    response = client.get(f"/api/v1/bookings/{booking_id}/invite.ics", headers=headers)
    text = response.get_data(as_text=True)
    method = "CANCEL" if "METHOD:CANCEL" in text else "REQUEST"
    event = check_section6(text, method=method).walk("VEVENT")[0]
    return {name: str(event.get(name, "")) for name in (*SHOWN, "SEQUENCE", "UID")}


def _feed_entries(client, headers) -> dict[str, dict[str, str]]:  # noqa: ANN001
    url = client.get("/api/v1/me/calendar", headers=headers).get_json()["feed_url"]
    text = client.get("/" + url.split("://", 1)[1].split("/", 1)[1]).get_data(as_text=True)
    events = check_section6(text, method=None).walk("VEVENT")
    return {
        str(e["UID"]): {name: str(e.get(name, "")) for name in (*SHOWN, "SEQUENCE")} for e in events
    }


def _assert_rises(before: dict[str, str], after: dict[str, str], label: str) -> None:
    changed = [name for name in SHOWN if before[name] != after[name]]
    if changed:
        assert int(after["SEQUENCE"]) > int(before["SEQUENCE"]), (label, changed, before, after)


def test_a_cancelled_bookings_entry_never_changes_under_the_same_sequence(
    client, make_user, token_for, pair, new_shift
):
    mentor, mentee, other = make_user("mentor"), make_user("mentee"), make_user("mentee")
    pair(mentor, mentee)
    pair(mentor, other)
    mh, ah, bh = token_for(mentor), token_for(mentee), token_for(other)
    shift = new_shift(mh, hours=48)
    gone = client.post(f"/api/v1/shifts/{shift['id']}/bookings", headers=ah).get_json()
    kept = client.post(f"/api/v1/shifts/{shift['id']}/bookings", headers=bh).get_json()
    assert client.delete(f"/api/v1/bookings/{gone['id']}", headers=ah).status_code == 200

    changes = [
        {"start": soon(96)[0], "end": soon(96, 2)[1]},
        {"location": "Clean room 2"},
        {"specialty": "mtm"},
        {"specialty": None},
        {"notes": "Bring your badge"},
        {"seats": 5},
    ]
    for change in changes:
        invites = {b["id"]: _entry(client, b["id"], h) for b, h in ((gone, ah), (kept, bh))}
        feeds = {"mentee": _feed_entries(client, ah), "mentor": _feed_entries(client, mh)}
        r = client.patch(f"/api/v1/shifts/{shift['id']}", json=change, headers=mh)
        assert r.status_code == 200, (change, r.get_json())
        for (booking, headers), label in (((gone, ah), "cancelled"), ((kept, bh), "live")):
            _assert_rises(invites[booking["id"]], _entry(client, booking["id"], headers), label)
        for who, headers in (("mentee", ah), ("mentor", mh)):
            now = _feed_entries(client, headers)
            for uid, entry in feeds[who].items():
                _assert_rises(entry, now[uid], f"{who} feed {uid} after {change}")
    # The cancelled booking's CANCEL kept its status, and its SEQUENCE has risen every time
    # its time, place or title changed.
    final = _entry(client, gone["id"], ah)
    assert final["STATUS"] == "CANCELLED" and int(final["SEQUENCE"]) >= 6
