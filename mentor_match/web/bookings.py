"""Pages for mentees: shifts they can book, booking and the waitlist, my bookings, cancelling."""

from __future__ import annotations

from datetime import UTC, date, datetime

from flask import (
    Blueprint,
    Response,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from mentor_match.auth import roles_required
from mentor_match.edge import current_link_base, invite_download
from mentor_match.extensions import db
from mentor_match.services import bookings, calendars, people, shifts
from mentor_match.services.errors import ServiceError
from mentor_match.web.forms import refused
from mentor_match.web.navigation import Link, add_link

bp = Blueprint("bookings", __name__, url_prefix="/bookings")

add_link(
    Link("bookings.available", "Book a shift", ("mentee",), "shadow your mentor or an open shift.")
)
add_link(
    Link(
        "bookings.index", "My bookings", ("mentee",), "your shadowing bookings and waitlist places."
    )
)


def _day(name: str) -> date | None:
    try:
        day = date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return None
    # The first and last days of the calendar have no room for a time zone's offset.
    return day if date.min < day < date.max else None


@bp.route("/shifts")
@roles_required("mentee")
def available():  # noqa: ANN201
    zone = current_user.timezone
    first, last = _day("from"), _day("to")
    specialty = request.args.get("specialty") or None
    start_from, start_to = shifts.local_days(first, last, zone)
    items = shifts.list_shifts(
        db.session,
        current_user,
        bookable=True,
        specialty=specialty,
        start_from=start_from,
        start_to=start_to,
    )
    mine = {
        b.shift_id: b
        for b in bookings.bookings_of(db.session, current_user, include_cancelled=False)
    }
    return render_template(
        "bookings/available.html",
        shifts=items,
        mine=mine,
        specialties=people.all_specialties(db.session),
        chosen=specialty or "",
        first=first,
        last=last,
    )


@bp.route("/shifts/<int:shift_id>/book", methods=["POST"])
@roles_required("mentee")
def book(shift_id: int):  # noqa: ANN201
    waitlist = request.form.get("waitlist") == "1"
    try:
        booking = bookings.book_shift(
            db.session, current_user, shift_id, links=current_link_base(), waitlist=waitlist
        )
    except ServiceError as exc:
        refused(exc)
        return redirect(url_for("bookings.available"))
    if booking.status == "confirmed":
        flash("Booked. The invite is on its way to your mail.", "success")
    else:
        flash("You are on the waitlist; we will mail you if a seat frees up.", "success")
    return redirect(url_for("bookings.index"))


@bp.route("/")
@roles_required("mentee")
def index():  # noqa: ANN201
    now = datetime.now(UTC)
    items = bookings.bookings_of(db.session, current_user)
    upcoming = [b for b in items if b.shift.end_at > now]
    past = [b for b in items if b.shift.end_at <= now]
    return render_template("bookings/index.html", upcoming=upcoming, past=past, now=now)


@bp.route("/<int:booking_id>/cancel", methods=["POST"])
@roles_required("mentee", "mentor", "coordinator")
def cancel(booking_id: int):  # noqa: ANN201
    try:
        bookings.cancel_booking(db.session, current_user, booking_id, links=current_link_base())
    except ServiceError as exc:
        if exc.status in (403, 404):
            raise
        refused(exc)
    else:
        flash("Booking cancelled.", "success")
    return redirect(url_for("bookings.index"))


@bp.route("/<int:booking_id>/invite.ics")
@roles_required("mentee", "mentor", "coordinator")
def invite(booking_id: int) -> Response:
    booking = bookings.get_booking(db.session, current_user, booking_id)
    method, text = calendars.booking_invite(booking, current_link_base())
    return invite_download(booking.id, method, text)
