"""Each role's main journeys end to end in Chromium, with every page state checked on the way.

Coordinator: import with errors then clean; review, pin, exclude, re-run and publish a round.
Mentor: publish a series; record attendance. Mentee: book, join a waitlist, get promoted when a
seat frees, cancel; subscribe to the calendar. Anyone: reset a forgotten password by mail;
create an API token (a reload never makes a second).
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import requests

from tests.browser.conftest import DEMO, DEMO_PASSWORD, sign_in

MENTEE_CSV_WITH_ERRORS = (
    "email,name,site,region,timezone,specialties,availability\n"
    "new.one@example.org,New One,Lakeshore General Hospital,Midwest,America/Chicgo,oncology,"
    "Mon 08:00-12:00\n"
    "not-an-email,Second Person,Lakeshore General Hospital,Midwest,America/Chicago,oncology,"
    "Mon 08:00-12:00\n"
)
MENTEE_CSV_CLEAN = (
    "email,name,site,region,timezone,specialties,availability\n"
    "new.one@example.org,New One,Lakeshore General Hospital,Midwest,America/Chicago,oncology,"
    "Mon 08:00-12:00\n"
)
SECOND_MENTEE = "ben.patel@mentee.demo.mentor-match.org"


def click_and_wait(page, target) -> None:
    """Click something that submits a form or follows a link, and wait for the new page."""
    with page.expect_navigation():
        target.click()


def _upload(page, name: str, text: str) -> None:
    page.get_by_label("Mentees").check()
    page.locator("input[type=file]").set_input_files(
        {"name": name, "mimeType": "text/csv", "buffer": text.encode()}
    )
    page.get_by_role("button", name="Check the file").click()


def test_coordinator_imports_with_errors_then_clean(visit) -> None:
    coordinator = visit("coordinator")
    page = coordinator.page
    coordinator.go("/imports/")
    _upload(page, "mentees.csv", MENTEE_CSV_WITH_ERRORS)
    body = page.locator("main").inner_text()
    assert "Nothing was imported" in body
    assert "America/Chicgo" in body and "America/Chicago" in body  # the suggestion
    coordinator.check_page("import preview with errors")

    page.get_by_role("link", name="← Upload another file").click()
    _upload(page, "mentees.csv", MENTEE_CSV_CLEAN)
    assert "The file has no problems" in page.locator("main").inner_text()
    coordinator.check_page("clean import preview")
    page.get_by_role("button", name=re.compile(r"^Import 1 mentees")).click()
    assert "New One" in requests_text(coordinator, "/participants/?role=mentee&q=New+One")


def requests_text(visitor, path: str) -> str:
    visitor.go(path)
    return visitor.page.locator("main").inner_text()


def test_coordinator_reviews_pins_excludes_reruns_and_publishes(visit) -> None:
    coordinator = visit("coordinator")
    page = coordinator.page
    coordinator.go("/rounds/")
    page.get_by_role("link", name=re.compile("Demo round")).first.click()
    assert "Result" in page.locator("main").inner_text()
    coordinator.check_page("round review")
    round_url = page.url

    # Alternatives of the first proposed pair: pin the second-best mentor.
    page.locator("table.pairs").get_by_role("link", name=re.compile("^Alternatives")).first.click()
    coordinator.check_page("alternatives")
    pins = page.get_by_role("button", name="Pin")
    assert pins.count() >= 1
    click_and_wait(page, pins.last)
    assert "Pinned pairs" in page.locator("main").inner_text()
    pinned = page.locator("#pins-heading + ul li")
    assert pinned.count() == 1

    # Exclude an unpinned pair, then run again with both.
    click_and_wait(page, page.locator("table.pairs").get_by_role("button", name="Exclude").first)
    assert page.locator("#exclusions-heading + ul li").count() == 1
    click_and_wait(page, page.get_by_role("button", name=re.compile("^Run again")))
    if "Matching in progress" in page.locator("main").inner_text():
        page.wait_for_function(
            "() => !document.body.innerText.includes('Matching in progress')", timeout=60_000
        )
    assert "pinned" in page.locator("table.pairs").inner_text()
    coordinator.check_page("review after re-run")

    page.get_by_role("link", name=re.compile("^Publish")).click()
    coordinator.check_page("publish confirmation")
    page.get_by_role("button", name=re.compile("^Yes, publish")).click()
    page.wait_for_url(round_url)
    assert "published" in page.locator("h1").inner_text()
    coordinator.check_page("published round")


def _next_shift_url(mentor) -> str:
    mentor.go("/shifts/")
    link = mentor.page.locator("main table").first.get_by_role("link").first
    return link.get_attribute("href")


def test_mentee_books_joins_a_waitlist_is_promoted_and_cancels(visit, server) -> None:
    # Dana's shifts are open to every mentee and have two seats.
    ava, ben = visit("mentee"), visit(None)
    sign_in(ben, SECOND_MENTEE)

    ava.go("/bookings/shifts")
    ava.check_page("book a shift")
    cards = ava.page.locator("ul.shifts-to-book li").filter(has_text="Dana Whitfield")
    row = cards.filter(has=ava.page.get_by_role("button", name="Book")).first
    when = row.locator("h3").inner_text()
    action = row.locator("form").get_attribute("action")  # the same shift for everyone
    row.get_by_role("button", name="Book").click()
    ava.page.wait_for_url("**/bookings/")
    assert when in ava.page.locator("main").inner_text()
    ava.check_page("my bookings")

    # Ben takes the second seat; the shift is full, so Chloe can only join the waitlist.
    ben.go("/bookings/shifts")
    ben.page.locator(f'form[action="{action}"] button').click()
    ben.page.wait_for_url("**/bookings/")

    chloe = visit(None)
    sign_in(chloe, "chloe.kim@mentee.demo.mentor-match.org")
    chloe.go("/bookings/shifts")
    waitlist = chloe.page.locator(f'form[action="{action}"] button')
    assert waitlist.inner_text() == "Join waitlist"
    waitlist.click()
    chloe.page.wait_for_url("**/bookings/")
    assert "number 1 on the waitlist" in chloe.page.locator("main").inner_text()
    chloe.check_page("waitlisted booking")
    with chloe.page.expect_navigation():
        chloe.page.locator("ul.bookings li h3 a").first.click()
    assert "Wear closed-toe shoes" in chloe.page.locator("main").inner_text()
    chloe.check_page("booking page")

    # Ava cancels through the confirmation page; Chloe is promoted.
    card = ava.page.locator("ul.bookings li").filter(has_text=when).first
    card.get_by_role("link", name=re.compile("^Cancel booking")).click()
    assert "Who will be told" in ava.page.locator("main").inner_text()
    assert "Chloe" in ava.page.locator("main").inner_text()
    ava.check_page("cancel confirmation")
    ava.page.get_by_role("button", name="Cancel the booking").click()
    ava.page.wait_for_url("**/bookings/")
    upcoming = ava.page.locator("main ul.bookings").first.inner_text()
    assert when not in upcoming  # cancelled bookings are kept out of Upcoming

    chloe.go("/bookings/")
    chloe_card = chloe.page.locator("ul.bookings li").filter(has_text="Dana Whitfield").first
    assert "confirmed" in chloe_card.inner_text()
    mails = "\n".join(server.mails())
    assert "confirmed from the waitlist" in mails


def test_mentor_publishes_a_series_and_records_attendance(visit) -> None:
    mentor = visit("mentor")
    page = mentor.page
    mentor.go("/shifts/series")
    mentor.check_page("series form")
    first = date.today() + timedelta(days=30)
    page.get_by_label("First day").fill(first.isoformat())
    page.get_by_label("Last day").fill((first + timedelta(days=6)).isoformat())
    page.get_by_role("button", name="Publish the series").click()
    page.wait_for_url("**/shifts/")
    assert "shifts published" in page.locator(".flashes").inner_text()

    # Last week's shift in the demo's history waits for attendance: mark everyone attended.
    links = page.locator("main table").last.get_by_role("link")
    targets = [links.nth(i).get_attribute("href") for i in range(links.count())]
    waiting = None
    for href in targets:
        mentor.go(href)
        if "not recorded yet" in page.locator("main").inner_text():
            waiting = href
            break
    assert waiting, targets
    assert "ended" in page.locator("h1").inner_text()
    assert "can no longer be rescheduled" in page.locator("main").inner_text()
    mentor.check_page("ended shift asking for attendance")
    with page.expect_navigation():
        page.get_by_role("button", name=re.compile("^Mark all")).click()
    assert "Marked as attended" in page.locator(".flashes").inner_text()
    assert "Attendance is recorded for everyone confirmed" in page.locator("main").inner_text()


def test_mentee_subscribes_to_the_calendar_and_rotates_the_link(visit) -> None:
    ava = visit("mentee")
    ava.go("/calendar/")
    ava.check_page("calendar")
    feed = ava.page.get_by_label("Web link (https)").input_value()
    first = requests.get(feed, timeout=10)
    assert first.status_code == 200 and "BEGIN:VCALENDAR" in first.text
    ava.page.get_by_role("link", name=re.compile("^Make a new link")).click()
    ava.check_page("rotate confirmation")
    ava.page.get_by_role("button", name="Make a new link").click()
    ava.page.wait_for_url("**/calendar/")
    new_feed = ava.page.get_by_label("Web link (https)").input_value()
    assert new_feed != feed
    assert requests.get(feed, timeout=10).status_code == 404
    assert requests.get(new_feed, timeout=10).status_code == 200


def test_password_reset_by_mail(visit, server) -> None:
    visitor = visit(None)
    page = visitor.page
    visitor.go("/login")
    page.get_by_role("link", name="Forgot your password?").click()
    visitor.check_page("forgot password")
    page.get_by_label("Email").fill(DEMO["mentor"])
    page.get_by_role("button", name="Mail me a reset link").click()
    page.wait_for_url("**/login")
    mails = [m for m in server.mails() if "Reset your mentor_match password" in m]
    assert mails
    link = re.search(r"(http://127\.0\.0\.1:\d+/password/reset/\S+)", mails[-1]).group(1)
    visitor.page.goto(link)
    visitor.check_page("reset form")
    page.get_by_label("New password").fill("a new demo password")
    page.get_by_label("Repeat the password").fill("a new demo password")
    page.get_by_role("button", name="Set the new password and sign in").click()
    page.wait_for_url(server.base + "/")
    # The link is spent; the old password no longer works, the new one does.
    visitor.page.goto(link)
    assert "already been used" in page.locator("main").inner_text()
    again = visit(None)
    sign_in(again, DEMO["mentor"], "a new demo password")
    stale = visit(None)
    stale.go("/login")
    stale.page.get_by_label("Email").fill(DEMO["mentor"])
    stale.page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    stale.page.get_by_role("button", name="Sign in").click()
    assert "do not match" in stale.page.locator("main").inner_text()


def test_a_reload_after_creating_a_token_never_makes_a_second(visit) -> None:
    ava = visit("mentee")
    page = ava.page
    ava.go("/account/")
    page.get_by_label("Token name").fill("Calendar sync")
    page.get_by_role("button", name="Create token").click()
    page.wait_for_url("**/account/")
    assert page.get_by_label(re.compile("^Token “Calendar sync”")).input_value()
    ava.check_page("token shown once")
    page.reload()
    assert "Copy your new token now" not in page.locator("main").inner_text()
    rows = page.locator("main table tbody tr").filter(has_text="Calendar sync")
    assert rows.count() == 1


def test_demo_history_makes_the_cpd_log_alive(visit) -> None:
    ava = visit("mentee")
    ava.go("/cpd/")
    text = ava.page.locator("main").inner_text()
    assert "No confirmed hours yet" not in text
    assert re.search(r"Total: \d", text)
    ava.check_page("cpd log")
