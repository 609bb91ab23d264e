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

from mentor_match.auth import roles_required, serves_site_scopes
from mentor_match.edge import current_link_base, invite_download
from mentor_match.extensions import db
from mentor_match.services import bookings, calendars, confirmations, people, shifts
from mentor_match.services.errors import ServiceError
from mentor_match.web.confirming import Confirmation, confirm_page
from mentor_match.web.formatting import local_range
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
    # Cancelled bookings (or bookings on cancelled shifts) are kept apart: Upcoming is only
    # what the mentee is actually going to.
    gone = [b for b in items if b.status == "cancelled" or b.shift.is_cancelled]
    live = [b for b in items if b not in gone]
    upcoming = [b for b in live if b.shift.end_at > now]
    past = [b for b in live if b.shift.end_at <= now]
    positions = confirmations.waitlist_positions(
        db.session, sorted({b.shift_id for b in upcoming if b.status == "waitlisted"})
    )
    return render_template(
        "bookings/index.html",
        upcoming=upcoming,
        past=past,
        cancelled=gone,
        positions=positions,
        now=now,
    )


@bp.get("/<int:booking_id>")
@roles_required("mentee", "mentor", "coordinator")
@serves_site_scopes
def show(booking_id: int):  # noqa: ANN201
    """One booking and its shift: when, where, the mentor's notes, the waitlist place."""
    booking = bookings.get_booking(db.session, current_user, booking_id)
    position = confirmations.waitlist_positions(db.session, [booking.shift_id]).get(booking.id)
    return render_template("bookings/show.html", b=booking, s=booking.shift, position=position)


@bp.get("/<int:booking_id>/cancel")
@roles_required("mentee", "mentor", "coordinator")
@serves_site_scopes
def confirm_cancel(booking_id: int):  # noqa: ANN201
    """Ask first: cancelling a seat or leaving a waitlist cannot be undone."""
    booking = bookings.get_booking(db.session, current_user, booking_id)
    if booking.status == "cancelled":
        flash("This booking is already cancelled.", "info")
        return redirect(url_for("bookings.index"))
    shift = booking.shift
    effects = confirmations.of_cancelling_booking(db.session, booking)
    waitlisted = booking.status == "waitlisted"
    yours = booking.mentee_id == current_user.id
    when = f"{shift.mentor.name}'s shift on {local_range(shift.start_at, shift.end_at)}"
    back = url_for("bookings.index") if yours else url_for("shifts.show", shift_id=shift.id)
    who = "You" if yours else booking.mentee.name
    whose = "Your" if yours else f"{booking.mentee.name}'s"
    return confirm_page(
        Confirmation(
            title="Leave the waitlist?" if waitlisted else "Cancel this booking?",
            question=(
                f"{who} will leave the waitlist of {when}."
                if waitlisted
                else f"{whose} seat on {when} will be cancelled."
            ),
            action=url_for("bookings.cancel", booking_id=booking.id),
            button="Leave the waitlist" if waitlisted else "Cancel the booking",
            back=back,
            told=effects.told,
            consequences=effects.changes,
        )
    )


@bp.route("/<int:booking_id>/cancel", methods=["POST"])
@roles_required("mentee", "mentor", "coordinator")
@serves_site_scopes
def cancel(booking_id: int):  # noqa: ANN201
    try:
        booking = bookings.cancel_booking(
            db.session, current_user, booking_id, links=current_link_base()
        )
    except ServiceError as exc:
        if exc.status in (403, 404):
            raise
        refused(exc)
        return redirect(url_for("bookings.index"))
    flash("Booking cancelled.", "success")
    if booking.mentee_id != current_user.id:
        return redirect(url_for("shifts.show", shift_id=booking.shift_id))
    return redirect(url_for("bookings.index"))


@bp.route("/<int:booking_id>/invite.ics")
@roles_required("mentee", "mentor", "coordinator")
@serves_site_scopes
def invite(booking_id: int) -> Response:
    booking = bookings.get_booking(db.session, current_user, booking_id)
    method, text = calendars.booking_invite(booking, current_link_base())
    return invite_download(booking.id, method, text)
