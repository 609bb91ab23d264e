"""A mentor's or mentee's own profile and weekly availability."""

from __future__ import annotations

from zoneinfo import available_timezones

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import (
    FieldList,
    Form,
    FormField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from mentor_match.auth import caller, roles_required
from mentor_match.extensions import db
from mentor_match.importing.availability import AvailabilityError, Window, parse_window_spec
from mentor_match.importing.people import CAPACITY_RANGE, MAX_LENGTHS, YEARS_EXPERIENCE_RANGE
from mentor_match.models.enums import Role
from mentor_match.services import people, scopes
from mentor_match.services.errors import Invalid
from mentor_match.web.forms import show_on_form

bp = Blueprint("profile", __name__, url_prefix="/profile")

DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
DAY_NAMES = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
EMPTY_ROWS = 3
RANKED_CHOICES = 5
ZONES = sorted(z for z in available_timezones() if "/" in z and not z.startswith("Etc/"))


def options(pairs) -> list[SelectChoice]:  # noqa: ANN001
    return [SelectChoice(value, label) for value, label in pairs]


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class WindowForm(Form):
    """One row of the availability editor; an empty row is ignored."""

    day = SelectField("Day", choices=options([("", "—"), *zip(DAYS, DAY_NAMES, strict=True)]))
    start = StringField("From", validators=[Length(max=5)], render_kw={"placeholder": "08:00"})
    end = StringField("To", validators=[Length(max=5)], render_kw={"placeholder": "12:00"})

    def is_empty(self) -> bool:
        return not (self.day.data or self.start.data or self.end.data)


class ProfileForm(FlaskForm):
    name = StringField("Full name", validators=[DataRequired(), Length(max=MAX_LENGTHS["name"])])
    timezone = SelectField("Your time zone", choices=options((z, z) for z in ZONES))
    site_id = SelectField("Site", coerce=int, validators=[Optional()])
    windows = FieldList(FormField(WindowForm), label="Weekly availability", min_entries=1)
    submit = SubmitField("Save profile")


class MentorProfileForm(ProfileForm):
    specialties = MultiCheckboxField("Specialties you can teach", coerce=int)
    capacity = IntegerField(
        "How many mentees can you take at once?",
        validators=[
            DataRequired(),
            NumberRange(*CAPACITY_RANGE, "Choose a number from {} to {}.".format(*CAPACITY_RANGE)),
        ],
    )
    credentials = StringField("Credentials", validators=[Length(max=MAX_LENGTHS["credentials"])])
    years_experience = IntegerField(
        "Years of experience",
        validators=[
            Optional(),
            NumberRange(
                *YEARS_EXPERIENCE_RANGE,
                "Enter a number from {} to {}.".format(*YEARS_EXPERIENCE_RANGE),
            ),
        ],
    )
    bio = TextAreaField("About you", validators=[Length(max=MAX_LENGTHS["bio"])])


class MenteeProfileForm(ProfileForm):
    ranked = FieldList(
        SelectField("Specialty", coerce=int, validate_choice=False),
        label="What you want to learn, most wanted first",
        min_entries=RANKED_CHOICES,
        max_entries=RANKED_CHOICES,
    )
    goals = TextAreaField("Your goals", validators=[Length(max=MAX_LENGTHS["goals"])])


def _form_for(user, within: frozenset[int] | None = None):  # noqa: ANN001, ANN202
    """The form for `user`'s profile; `within` (a site-scoped coordinator's sites) limits the
    sites to choose from, with no "none": the person stays at one of those sites."""
    form_class = MentorProfileForm if user.role == Role.MENTOR else MenteeProfileForm
    form = form_class()
    specialty_choices = [(s.id, s.name) for s in people.all_specialties(db.session)]
    sites = [
        (s.id, f"{s.name} ({s.region})")
        for s in people.all_sites(db.session)
        if within is None or s.id in within
    ]
    form.site_id.choices = options(([(0, "— none —")] if within is None else []) + sites)
    if isinstance(form, MentorProfileForm):
        form.specialties.choices = options(specialty_choices)
    else:
        for entry in form.ranked:
            entry.choices = options([(0, "— none —"), *specialty_choices])
    return form


def _fill(form, user) -> None:  # noqa: ANN001
    profile = people.profile_of(user)
    form.name.data = user.name
    form.timezone.data = user.timezone
    form.site_id.data = profile.site_id if profile and profile.site_id else 0
    rows = [
        {"day": DAYS[w.weekday], "start": _clock(w.start_minute), "end": _clock(w.end_minute)}
        for w in people.windows_of(user)
    ]
    while len(form.windows.entries):
        form.windows.pop_entry()
    for row in rows + [{}] * EMPTY_ROWS:
        form.windows.append_entry(row)
    if isinstance(form, MentorProfileForm):
        form.specialties.data = [s.id for s in profile.specialties] if profile else []
        form.capacity.data = profile.capacity if profile else 2
        form.credentials.data = profile.credentials if profile else ""
        form.years_experience.data = profile.years_experience if profile else None
        form.bio.data = profile.bio if profile else ""
    else:
        chosen = [s.id for s in profile.specialties] if profile else []
        for i, entry in enumerate(form.ranked):
            entry.data = chosen[i] if i < len(chosen) else 0
        form.goals.data = profile.goals if profile else ""


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _windows_from(form) -> list[Window] | None:  # noqa: ANN001
    """Read the editor's rows through the same parser the CSV import uses."""
    windows: list[Window] = []
    ok = True
    for row in form.windows:
        if row.is_empty():
            continue
        spec = f"{row.day.data or '?'} {row.start.data or '?'}-{row.end.data or '?'}"
        if not row.day.data:
            row.day.errors = ["Choose a day."]
            ok = False
            continue
        try:
            windows.extend(parse_window_spec(spec))
        except AvailabilityError as exc:
            row.end.errors = list(exc.problems) or [str(exc)]
            ok = False
    return windows if ok else None


@bp.route("/", methods=["GET", "POST"])
@roles_required("mentor", "mentee")
def edit():  # noqa: ANN201
    user = current_user._get_current_object()
    return profile_page(user, done=url_for("profile.edit"), saved="Your profile is saved.")


def profile_page(user, *, done: str, saved: str, by_coordinator: bool = False):  # noqa: ANN001, ANN201
    """The profile editor for `user`: their own page, or a coordinator's edit of it."""
    within = scopes.visible_site_ids(db.session, caller()) if by_coordinator else None
    form = _form_for(user, within)
    if not by_coordinator:  # the browser may fill in the person's own name, never another's
        form.name.render_kw = {"autocomplete": "name"}
    page = {"form": form, "user": user, "by_coordinator": by_coordinator, "back": done}
    if not form.is_submitted():
        _fill(form, user)
        return render_template("profile/edit.html", **page)
    status = 422
    if form.validate():
        windows = _windows_from(form)
        if windows is not None:
            if isinstance(form, MentorProfileForm):
                specialty_ids = list(form.specialties.data or [])
                extra = {
                    "capacity": form.capacity.data,
                    "credentials": form.credentials.data or "",
                    "years_experience": form.years_experience.data,
                    "bio": form.bio.data or "",
                }
            else:
                specialty_ids = [e.data for e in form.ranked if e.data]
                extra = {"goals": form.goals.data or ""}
            changes = people.ProfileChanges(
                name=form.name.data or "",
                timezone=form.timezone.data or "UTC",
                site_id=form.site_id.data or None,
                specialty_ids=specialty_ids,
                windows=windows,
                allowed_site_ids=within,
                **extra,
            )
            try:
                people.update_own_profile(db.session, user, changes)
            except Invalid as exc:
                # The service names the lists as people see them; the forms name their rows.
                names = {"availability": "windows"}
                if hasattr(form, "ranked"):
                    names["specialties"] = "ranked"
                show_on_form(form, exc, fields=names)
            else:
                flash(saved, "success")
                return redirect(done)
    flash("Some fields need attention; see the messages below.", "error")
    return render_template("profile/edit.html", **page), status
