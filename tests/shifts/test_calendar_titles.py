"""What calendars show for a shift without a specialty reads as a person would write it."""

from __future__ import annotations

from tests.calendar.calendar_rules import check_section6


def test_titles_of_a_shift_with_and_without_a_specialty(
    client, make_user, token_for, pair, new_shift
):
    mentor = make_user("mentor", name="Dana Whitfield")
    mentee = make_user("mentee")
    pair(mentor, mentee)
    mh, ah = token_for(mentor), token_for(mentee)
    titles = {}
    for specialty in ("oncology", None):
        shift = new_shift(mh, specialty=specialty, hours=48 if specialty else 96)
        booking = client.post(f"/api/v1/shifts/{shift['id']}/bookings", headers=ah).get_json()
        text = client.get(f"/api/v1/bookings/{booking['id']}/invite.ics", headers=ah)
        event = check_section6(text.get_data(as_text=True), method="REQUEST").walk("VEVENT")[0]
        titles[specialty] = str(event["SUMMARY"])
    assert titles == {
        "oncology": "Shadowing: Oncology with Dana Whitfield",
        None: "Shadowing with Dana Whitfield",
    }
    url = client.get("/api/v1/me/calendar", headers=mh).get_json()["feed_url"]
    feed = client.get("/" + url.split("://", 1)[1].split("/", 1)[1]).get_data(as_text=True)
    summaries = sorted(str(e["SUMMARY"]) for e in check_section6(feed, method=None).walk("VEVENT"))
    assert summaries == ["Shadowing shift", "Shadowing shift: Oncology"]
    assert "open" not in feed.lower().replace("open_to_all", "")
