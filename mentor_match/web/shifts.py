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

from mentor_match.auth import roles_required
from mentor_match.edge import current_link_base
from mentor_match.extensions import db
from mentor_match.services import bookings, people, shifts
from mentor_match.services.errors import ServiceError
from mentor_match.web.formatting import viewer_zone
from mentor_match.web.forms import refused, show_on_form
from mentor_match.web.navigation import Link, add_link

bp = Blueprint("shifts", __name__, url_prefix="/shifts")

add_link(
    Link("shifts.index", "Shifts", ("mentor",), "publish shadowing shifts and see who booked.")
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


class SeriesForm(DetailsForm):
    first_day = DateField(
        "First day", validators=[DataRequired("Choose the first day."), _on_the_calendar]
    )
    last_day = DateField(
        "Last day", validators=[DataRequired("Choose the last day."), _on_the_calendar]
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
            SelectChoice(m.id, m.name) for m in shifts.handover_mentors(db.session, shift)
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
    )


@bp.route("/<int:shift_id>/edit", methods=["POST"])
@roles_required("mentor", "coordinator")
def edit(shift_id: int):  # noqa: ANN201
    form = RescheduleForm()
    if not form.validate():
        flash("Check the date, times and seats.", "error")
        return redirect(url_for("shifts.show", shift_id=shift_id))
    start, end = _instants(form)
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
        flash("Shift saved; everyone booked has been sent the change.", "success")
    return redirect(url_for("shifts.show", shift_id=shift_id))


@bp.route("/<int:shift_id>/mentor", methods=["POST"])
@roles_required("coordinator")
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


@bp.route("/<int:shift_id>/cancel", methods=["POST"])
@roles_required("mentor", "coordinator")
def cancel(shift_id: int):  # noqa: ANN201
    try:
        shifts.cancel_shift(db.session, current_user, shift_id, links=current_link_base())
    except ServiceError as exc:
        if exc.status in (403, 404):
            raise
        refused(exc)
    else:
        flash("Shift cancelled; everyone booked has been told.", "success")
    return redirect(url_for("shifts.show", shift_id=shift_id))


@bp.route("/<int:shift_id>/bookings/<int:booking_id>/attendance", methods=["POST"])
@roles_required("mentor", "coordinator")
def attendance(shift_id: int, booking_id: int):  # noqa: ANN201
    form = AttendanceForm()
    if form.validate():
        try:
            bookings.record_attendance(
                db.session,
                current_user,
                booking_id,
                attended=form.attended.data == "yes",
                hours=form.hours.data,
            )
        except ServiceError as exc:
            refused(exc)
        else:
            flash("Attendance recorded.", "success")
    else:
        flash(f"Hours must be a number from 0 to {shifts.MAX_SHIFT_HOURS}.", "error")
    return redirect(url_for("shifts.show", shift_id=shift_id))


@bp.route("/<int:shift_id>/bookings/<int:booking_id>/cancel", methods=["POST"])
@roles_required("mentor", "coordinator")
def cancel_booking(shift_id: int, booking_id: int):  # noqa: ANN201
    try:
        bookings.cancel_booking(db.session, current_user, booking_id, links=current_link_base())
    except ServiceError as exc:
        if exc.status in (403, 404):
            raise
        refused(exc)
    else:
        flash("Booking cancelled; the mentee has been told.", "success")
    return redirect(url_for("shifts.show", shift_id=shift_id))
