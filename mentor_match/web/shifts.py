"""Pages for mentors: my shifts, publishing one-off shifts and series, attendees, attendance."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
    TimeField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from mentor_match.auth import roles_required, serves_site_scopes
from mentor_match.edge import current_link_base
from mentor_match.extensions import db
from mentor_match.services import bookings, confirmations, people, shifts
from mentor_match.services.errors import ServiceError
from mentor_match.web.confirming import Confirmation, confirm_page
from mentor_match.web.formatting import local_range, viewer_zone
from mentor_match.web.forms import flash_outcome, refused, show_on_form
from mentor_match.web.navigation import Link, add_link

bp = Blueprint("shifts", __name__, url_prefix="/shifts")

add_link(
    Link(
        "shifts.index",
        "Shifts",
        ("mentor", "coordinator"),
        "shadowing shifts, who booked them and their attendance.",
    )
)


def _on_the_calendar(form: FlaskForm, field: DateField) -> None:
    """Refuse the calendar's first and last days: no time zone's offset fits around them."""
    if field.data is not None and not date.min < field.data < date.max:
        raise ValidationError("Choose a real date.")


class DetailsForm(FlaskForm):
    seats = IntegerField(
        "Seats",
        validators=[
            InputRequired(),
            NumberRange(1, shifts.MAX_SEATS, f"Choose 1 to {shifts.MAX_SEATS}."),
        ],
        default=2,
    )
    location = StringField("Location", validators=[Length(max=shifts.LOCATION_MAX)])
    specialty = SelectField("Specialty", validators=[Optional()])
    open_to_all = BooleanField("Open to every mentee, not only my own")
    notes = TextAreaField("Notes for mentees", validators=[Length(max=shifts.NOTES_MAX)])

    def details(self) -> shifts.ShiftDetails:
        return shifts.ShiftDetails(
            seats=self.seats.data,  # type: ignore[arg-type]
            location=self.location.data or "",
            specialty=self.specialty.data or None,
            open_to_all=bool(self.open_to_all.data),
            notes=self.notes.data or "",
        )


class ShiftForm(DetailsForm):
    day = DateField("Date", validators=[DataRequired("Choose a date."), _on_the_calendar])
    start = TimeField("Starts", validators=[DataRequired("Give a start time.")])
    end = TimeField("Ends", validators=[DataRequired("Give an end time.")])
    submit = SubmitField("Publish shift")


def _skip_days(form: FlaskForm, field: StringField) -> None:
    days = []
    for part in (field.data or "").replace(";", ",").replace(" ", ",").split(","):
        if not part:
            continue
        try:
            days.append(date.fromisoformat(part))
        except ValueError:
            raise ValidationError(f"'{part[:20]}' is not a date like 2026-12-24.") from None
    if len(days) > 366:
        raise ValidationError("At most 366 dates.")
    field.days = frozenset(days)


class SeriesForm(DetailsForm):
    first_day = DateField(
        "First day", validators=[DataRequired("Choose the first day."), _on_the_calendar]
    )
    last_day = DateField(
        "Last day", validators=[DataRequired("Choose the last day."), _on_the_calendar]
    )
    skip = StringField(
        "Leave out these dates",
        validators=[Length(max=4000), _skip_days],
        description="Holidays or leave, as YYYY-MM-DD separated by commas, e.g. "
        "2026-12-24, 2026-12-31. Leave empty to publish every day in the range.",
    )
    submit = SubmitField("Publish the series")


class RescheduleForm(FlaskForm):
    day = DateField("Date", validators=[DataRequired(), _on_the_calendar])
    start = TimeField("Starts", validators=[DataRequired()])
    end = TimeField("Ends", validators=[DataRequired()])
    seats = IntegerField("Seats", validators=[InputRequired(), NumberRange(1, shifts.MAX_SEATS)])
    location = StringField("Location", validators=[Length(max=shifts.LOCATION_MAX)])
    submit = SubmitField("Save changes")


class HandoverForm(FlaskForm):
    mentor_id = SelectField("New mentor", coerce=int, validators=[InputRequired()])
    submit = SubmitField("Hand over")

    def offer(self, shift: shifts.Shift) -> HandoverForm:
        self.mentor_id.choices = [
            SelectChoice(m.id, m.name)
            for m in shifts.handover_mentors(db.session, shift, current_user)
        ]
        return self


class AttendanceForm(FlaskForm):
    attended = SelectField(
        "Attended?", choices=[SelectChoice("yes", "Attended"), SelectChoice("no", "Did not attend")]
    )
    hours = DecimalField(
        "Hours", places=2, validators=[Optional(), NumberRange(0, shifts.MAX_SHIFT_HOURS)]
    )
    submit = SubmitField("Record")

    def validate(self, extra_validators=None) -> bool:  # noqa: ANN001
        if not super().validate(extra_validators):
            return False
        # A blank hours box is a mistake to point out, not "the whole shift" said silently.
        if self.attended.data == "yes" and self.hours.data is None:
            self.hours.errors = ["Give the hours attended (0 to 24)."]
            return False
        return True


def _specialty_choices(form: DetailsForm) -> None:
    form.specialty.choices = [SelectChoice("", "— any —")] + [
        SelectChoice(s.slug, s.name) for s in people.all_specialties(db.session)
    ]


def _instants(form) -> tuple[datetime, datetime]:  # noqa: ANN001
    """The form's local date and times, in the viewer's zone, as UTC. An end at or before the
    start means the shift runs past midnight."""
    zone = current_user.timezone
    day = form.day.data
    start = shifts.local_instant(day, form.start.data, zone)
    end_day = day if form.end.data > form.start.data else day + timedelta(days=1)
    return start, shifts.local_instant(end_day, form.end.data, zone)


@bp.route("/")
@roles_required("mentor", "coordinator")
@serves_site_scopes
def index():  # noqa: ANN201
    now = datetime.now(UTC)
    items = shifts.list_shifts(db.session, current_user, include_cancelled=True)
    upcoming = [s for s in items if s.end_at > now]
    past = [s for s in items if s.end_at <= now][-50:]
    return render_template("shifts/index.html", upcoming=upcoming, past=past)


@bp.route("/new", methods=["GET", "POST"])
@roles_required("mentor")
def new():  # noqa: ANN201
    form = ShiftForm()
    _specialty_choices(form)
    status = 200
    if form.is_submitted():
        status = 422
        if form.validate():
            try:
                start, end = _instants(form)
                shift = shifts.create_shift(
                    db.session, current_user, start_at=start, end_at=end, details=form.details()
                )
            except ServiceError as exc:
                show_on_form(form, exc)
            else:
                flash("Shift published.", "success")
                return redirect(url_for("shifts.show", shift_id=shift.id))
    return render_template("shifts/new.html", form=form), status


@bp.route("/series", methods=["GET", "POST"])
@roles_required("mentor")
def series():  # noqa: ANN201
    form = SeriesForm()
    _specialty_choices(form)
    status = 200
    if form.is_submitted():
        status = 422
        if form.validate():
            try:
                made = shifts.create_series(
                    db.session,
                    current_user,
                    first_day=form.first_day.data,
                    last_day=form.last_day.data,
                    details=form.details(),
                    skip_days=getattr(form.skip, "days", frozenset()),
                )
            except ServiceError as exc:
                show_on_form(form, exc)
            else:
                flash(f"{len(made)} shifts published from your weekly availability.", "success")
                return redirect(url_for("shifts.index"))
    windows = people.windows_of(current_user)
    return render_template("shifts/series.html", form=form, windows=windows), status


@bp.route("/<int:shift_id>")
@roles_required("mentor", "coordinator")
@serves_site_scopes
def show(shift_id: int):  # noqa: ANN201
    shift = shifts.managed_shift(db.session, current_user, shift_id)
    local = shift.start_at.astimezone(viewer_zone())
    form = RescheduleForm(
        data={
            "day": local.date(),
            "start": local.time(),
            "end": shift.end_at.astimezone(viewer_zone()).time(),
            "seats": shift.seats,
            "location": shift.location,
        }
    )
    started = shift.start_at <= datetime.now(UTC)
    handover = None
    if current_user.is_coordinator and not started and not shift.is_cancelled:
        handover = HandoverForm().offer(shift)
    return render_template(
        "shifts/show.html",
        shift=shift,
        attendees=shifts.attendees(db.session, shift),
        form=form,
        attendance=AttendanceForm(),
        handover=handover,
        started=started,
        shift_hours=min((shift.end_at - shift.start_at).total_seconds() / 3600, 24),
    )


@bp.route("/<int:shift_id>/edit", methods=["POST"])
@roles_required("mentor", "coordinator")
@serves_site_scopes
def edit(shift_id: int):  # noqa: ANN201
    form = RescheduleForm()
    if not form.validate():
        flash("Check the date, times and seats.", "error")
        return redirect(url_for("shifts.show", shift_id=shift_id))
    start, end = _instants(form)
    current = shifts.managed_shift(db.session, current_user, shift_id)
    before = (current.start_at, current.end_at, current.location, current.seats)
    try:
        shifts.update_shift(
            db.session,
            current_user,
            shift_id,
            links=current_link_base(),
            start_at=start,
            end_at=end,
            seats=form.seats.data,
            location=form.location.data or "",
        )
    except ServiceError as exc:
        refused(exc)
    else:
        after = (current.start_at, current.end_at, current.location, current.seats)
        told = any(b.status != "cancelled" for b in current.bookings)
        if after == before:
            flash("Nothing changed, so nobody was told.", "info")
        elif after[:3] != before[:3] and told:
            flash("Shift saved; everyone booked has been sent the change.", "success")
        else:
            flash("Shift saved.", "success")
    return redirect(url_for("shifts.show", shift_id=shift_id))


@bp.route("/<int:shift_id>/mentor", methods=["POST"])
@roles_required("coordinator")
@serves_site_scopes
def hand_over(shift_id: int):  # noqa: ANN201
    """A coordinator hands the shift to another mentor; everyone concerned is told."""
    shift = shifts.managed_shift(db.session, current_user, shift_id)
    form = HandoverForm().offer(shift)
    if not form.validate():
        flash("Choose the mentor to hand the shift to.", "error")
        return redirect(url_for("shifts.show", shift_id=shift_id))
    try:
        shift = shifts.update_shift(
            db.session,
            current_user,
            shift_id,
            links=current_link_base(),
            mentor_id=form.mentor_id.data,
        )
    except ServiceError as exc:
        if exc.status in (403, 404):
            raise
        refused(exc)
    else:
        flash(
            f"Shift handed to {shift.mentor.name}; the mentees booked and both mentors are told.",
            "success",
        )
    return redirect(url_for("shifts.show", shift_id=shift_id))


@bp.get("/<int:shift_id>/cancel")
@roles_required("mentor", "coordinator")
@serves_site_scopes
def confirm_cancel(shift_id: int):  # noqa: ANN201
    """Ask first: cancelling a shift cancels every booking on it and mails everyone."""
    shift = shifts.managed_shift(db.session, current_user, shift_id)
    if shift.is_cancelled:
        flash("This shift is already cancelled.", "info")
        return redirect(url_for("shifts.show", shift_id=shift.id))
    effects = confirmations.of_cancelling_shift(db.session, shift)
    return confirm_page(
        Confirmation(
            title="Cancel this shift?",
            question=f"The shift on {local_range(shift.start_at, shift.end_at)} "
            f"({shift.location or 'no location given'}) will be cancelled.",
            action=url_for("shifts.cancel", shift_id=shift.id),
            button="Cancel the shift",
            back=url_for("shifts.show", shift_id=shift.id),
            told=effects.told,
            consequences=effects.changes,
            nobody_told="Nobody has booked it, so nobody is sent a message.",
        )
    )


def _rest_of_series(shift) -> list:  # noqa: ANN001
    """This shift and the later ones of its series that are still to come and not cancelled."""
    now = datetime.now(UTC)
    if shift.series_id is None:
        return [shift] if shift.start_at > now and not shift.is_cancelled else []
    later = db.session.scalars(
        db.select(type(shift))
        .where(
            type(shift).series_id == shift.series_id,
            type(shift).start_at >= shift.start_at,
            type(shift).start_at > now,
            type(shift).status == "scheduled",
        )
        .order_by(type(shift).start_at)
    ).all()
    return list(later)


@bp.get("/<int:shift_id>/series/cancel")
@roles_required("mentor", "coordinator")
@serves_site_scopes
def confirm_cancel_series(shift_id: int):  # noqa: ANN201
    """Ask first: every later shift of the series is cancelled, and everyone booked told."""
    shift = shifts.managed_shift(db.session, current_user, shift_id)
    items = [s for s in _rest_of_series(shift) if not s.is_cancelled]
    told: list[str] = []
    for item in items:
        told += [line for line in confirmations.of_cancelling_shift(db.session, item).told]
    return confirm_page(
        Confirmation(
            title="Cancel the rest of this series?",
            question=f"{len(items)} shift{'s' if len(items) != 1 else ''} of this series, "
            f"from {local_range(shift.start_at, shift.end_at)} on, "
            "will be cancelled.",
            action=url_for("shifts.cancel_series", shift_id=shift.id),
            button=f"Cancel {len(items)} shift{'s' if len(items) != 1 else ''}",
            back=url_for("shifts.show", shift_id=shift.id),
            told=sorted(set(told)),
            consequences=[local_range(s.start_at, s.end_at) for s in items],
            nobody_told="Nobody has booked them, so nobody is sent a message.",
        )
    )


@bp.post("/<int:shift_id>/series/cancel")
@roles_required("mentor", "coordinator")
@serves_site_scopes
def cancel_series(shift_id: int):  # noqa: ANN201
    shift = shifts.managed_shift(db.session, current_user, shift_id)
    items = [s for s in _rest_of_series(shift) if not s.is_cancelled]
    if not items:
        flash("No shift of this series is still to come: nothing to cancel.", "info")
        return redirect(url_for("shifts.show", shift_id=shift.id))
    for item in items:
        shifts.cancel_shift(db.session, current_user, item.id, links=current_link_base())
    flash(
        f"{len(items)} shift{'s' if len(items) != 1 else ''} of the series cancelled; "
        "everyone booked has been told.",
        "success",
    )
    return redirect(url_for("shifts.index"))


@bp.route("/<int:shift_id>/cancel", methods=["POST"])
@roles_required("mentor", "coordinator")
@serves_site_scopes
def cancel(shift_id: int):  # noqa: ANN201
    with flash_outcome("Shift cancelled; everyone booked has been told.", raising=(403, 404)):
        shifts.cancel_shift(db.session, current_user, shift_id, links=current_link_base())
    return redirect(url_for("shifts.show", shift_id=shift_id))


@bp.route("/<int:shift_id>/bookings/<int:booking_id>/attendance", methods=["POST"])
@roles_required("mentor", "coordinator")
@serves_site_scopes
def attendance(shift_id: int, booking_id: int):  # noqa: ANN201
    form = AttendanceForm()
    if form.validate():
        with flash_outcome("Attendance recorded."):
            bookings.record_attendance(
                db.session,
                current_user,
                booking_id,
                attended=form.attended.data == "yes",
                hours=form.hours.data,
            )
    else:
        messages = [m for errors in form.errors.values() for m in errors]
        flash(
            messages[0]
            if messages
            else f"Hours must be a number from 0 to {shifts.MAX_SHIFT_HOURS}.",
            "error",
        )
    return redirect(url_for("shifts.show", shift_id=shift_id))


@bp.post("/<int:shift_id>/attendance/all")
@roles_required("mentor", "coordinator")
@serves_site_scopes
def attend_all(shift_id: int):  # noqa: ANN201
    """Mark every confirmed mentee whose attendance is not recorded yet as attended for the
    whole shift; those already recorded keep what was recorded."""
    shift = shifts.managed_shift(db.session, current_user, shift_id)
    pending = [
        b
        for b in shifts.attendees(db.session, shift)
        if b.status == "confirmed" and b.attended is None
    ]
    try:
        for booking in pending:
            bookings.record_attendance(db.session, current_user, booking.id, attended=True)
    except ServiceError as exc:
        refused(exc)
        return redirect(url_for("shifts.show", shift_id=shift_id))
    if pending:
        names = ", ".join(b.mentee.name for b in pending)
        flash(f"Marked as attended for the whole shift: {names}.", "success")
    else:
        flash("Everyone's attendance was already recorded.", "info")
    return redirect(url_for("shifts.show", shift_id=shift_id))


@bp.route("/<int:shift_id>/bookings/<int:booking_id>/cancel", methods=["POST"])
@roles_required("mentor", "coordinator")
@serves_site_scopes
def cancel_booking(shift_id: int, booking_id: int):  # noqa: ANN201
    with flash_outcome("Booking cancelled; the mentee has been told.", raising=(403, 404)):
        bookings.cancel_booking(db.session, current_user, booking_id, links=current_link_base())
    return redirect(url_for("shifts.show", shift_id=shift_id))
