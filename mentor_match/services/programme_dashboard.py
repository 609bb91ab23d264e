"""The programme dashboard's numbers: one query layer for the page, its charts, CSV and the API.

Every figure is aggregated in the database (GROUP BY and conditional sums), filtered by a date
range and optionally some sites. Each section is one function that returns its charts; the page, the
API (`GET /api/v1/dashboard`), the SVG images and the CSV downloads all read the same `Chart`
records, so they can never disagree.

Definitions (also in docs/dashboard.md):
- dates are UTC calendar dates, `from` and `to` both included; weeks run Monday to Sunday (UTC);
- a mentee belongs to their profile's site; a mentor likewise; a shift and its bookings belong
  to the shift's mentor's site;
- "enrolled" mentees are active accounts created by the end of the range; "matched" had a
  mentorship by then; "active" still have one at the end of the range; "ended" had one end
  within the range;
- capacity "used" counts mentorships active at the end of the range;
- the latest round is the newest proposed or published round created by the end of the range;
- cancelled shifts and cancelled bookings count nowhere.
"""

from __future__ import annotations

import secrets
import threading
import time as clock
from collections import OrderedDict
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Date,
    and_,
    case,
    cast,
    distinct,
    func,
    literal,
    or_,
    select,
    text,
    union,
    union_all,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from mentor_match.matching.scoring import FACTORS
from mentor_match.models import (
    Booking,
    BookingStatus,
    CeActivity,
    Certification,
    Competency,
    CompetencyRating,
    Evaluation,
    MatchRound,
    MenteeProfile,
    MentorProfile,
    Mentorship,
    ProposedMatch,
    Reflection,
    Role,
    RoundStatus,
    Shift,
    ShiftFeedback,
    ShiftStatus,
    SignOff,
    Site,
    Specialty,
    UnmatchedMentee,
    User,
    mentor_specialties,
)
from mentor_match.recertification import ActivityRecord, Cycle, evaluate
from mentor_match.reports.charts import Chart, Column
from mentor_match.services import scopes
from mentor_match.services.cpd import portfolio
from mentor_match.services.cpd.portfolio import SHORT_WINDOW_DAYS
from mentor_match.services.errors import Invalid, NotFound
from mentor_match.services.feedback.common import FEEDBACK_DUE_DAYS
from mentor_match.services.feedback.tasks import FINAL_EVALUATION_DAYS, MIDPOINT_DUE_DAYS

# The longest range one request may ask for, and the default window around today.
MAX_RANGE_DAYS = 732
MAX_SITES = 200  # sites one dashboard view may name
DEFAULT_WEEKS_BACK = 12
DEFAULT_WEEKS_AHEAD = 4
SCORE_BINS = 10
MOST_MENTORS_SHOWN = 15

REASON_LABELS = {
    "no_mentors": "no mentor with a free place",
    "no_shared_specialty": "no mentor shares a specialty",
    "no_shared_availability": "no shared availability",
    "excluded": "every suitable mentor excluded or matched before",
    "mentors_full": "every suitable mentor is full",
}
FACTOR_LABELS = {
    "specialty": "Specialty",
    "availability": "Availability",
    "site": "Site",
    "preference": "Preference",
}


@dataclass(frozen=True)
class Filters:
    """A date range (both days included) and some sites (none: every site)."""

    start: date
    end: date
    site_ids: tuple[int, ...] = ()
    site_names: tuple[str, ...] = ()
    #: A site-scoped coordinator's sites: the latest round is the newest of their rounds.
    rounds_within: frozenset[int] | None = None

    @property
    def site_id(self) -> int | None:
        """The site when exactly one is chosen."""
        return self.site_ids[0] if len(self.site_ids) == 1 else None

    @property
    def site_name(self) -> str | None:
        return self.site_names[0] if len(self.site_names) == 1 else None

    @property
    def sites_label(self) -> str:
        """The chosen sites as the page names them ("every site" for none)."""
        return ", ".join(self.site_names) if self.site_names else "every site"

    @property
    def start_at(self) -> datetime:
        return datetime.combine(self.start, time(), UTC)

    @property
    def end_at(self) -> datetime:
        """The first instant after the range."""
        return datetime.combine(self.end + timedelta(days=1), time(), UTC)

    def query_args(self) -> dict[str, Any]:
        args: dict[str, Any] = {"from": self.start.isoformat(), "to": self.end.isoformat()}
        if self.site_ids:
            args["site"] = [str(i) for i in self.site_ids]
        return args

    def as_dict(self) -> dict[str, Any]:
        return {
            "from": self.start.isoformat(),
            "to": self.end.isoformat(),
            "site": self.site_id,
            "site_name": self.site_name,
            "sites": list(self.site_ids),
            "site_names": list(self.site_names),
        }


def _field_error(name: str, message: str) -> Invalid:
    return Invalid(f"'{name}' {message}", details=[{"field": name, "message": message}])


def _parse_date(raw: str, name: str) -> date:
    try:
        return date.fromisoformat(raw.strip())
    except ValueError as exc:
        raise _field_error(name, "must be a date like 2026-03-31") from exc


def default_range(today: date) -> tuple[date, date]:
    """Twelve weeks back (from a Monday) to four weeks ahead."""
    monday = today - timedelta(days=today.weekday())
    return (
        monday - timedelta(weeks=DEFAULT_WEEKS_BACK),
        today + timedelta(weeks=DEFAULT_WEEKS_AHEAD),
    )


def parse_filters(
    session: Session,
    args: Mapping[str, str],
    today: date | None = None,
    within: frozenset[int] | None = None,
) -> Filters:
    """`from`, `to` (ISO dates) and `site` (a site id, repeated for several) from a query
    string; 422 naming the field.

    `within` (a site-scoped coordinator's sites) limits the sites: a site outside it is answered
    as an unknown one, and with no site chosen all of theirs are shown, never the whole
    programme."""
    today = today or datetime.now(UTC).date()
    start, end = default_range(today)
    if args.get("from"):
        start = _parse_date(args["from"], "from")
    if args.get("to"):
        end = _parse_date(args["to"], "to")
    if end < start:
        raise _field_error("to", "must not be before 'from'")
    if (end - start).days >= MAX_RANGE_DAYS:
        raise _field_error("to", f"must be less than {MAX_RANGE_DAYS} days after 'from'")
    wanted = _site_ids(args)
    if wanted:
        chosen = sites(session, frozenset(wanted))
        known = {site_id for site_id, _ in chosen}
        if known != wanted or (within is not None and not known <= within):
            raise _field_error("site", "is not a known site")
    elif within is not None:
        chosen = sites(session, within)
        if not chosen:
            raise NotFound("none of your sites exists any more")
    else:
        chosen = []
    return Filters(
        start,
        end,
        tuple(i for i, _ in chosen),
        tuple(name for _, name in chosen),
        rounds_within=within,
    )


def _site_ids(args: Mapping[str, str]) -> set[int]:
    """The `site` values of a query string (repeated, or one comma-separated list)."""
    values = args.getlist("site") if hasattr(args, "getlist") else [args.get("site") or ""]
    raw = [part.strip() for value in values for part in str(value).split(",") if part.strip()]
    if len(raw) > MAX_SITES:
        raise _field_error("site", f"names at most {MAX_SITES} sites")
    if any(not part.isdigit() or int(part) > 2**31 - 1 for part in raw):
        raise _field_error("site", "must be the id of a site")
    return {int(part) for part in raw}


def sites(session: Session, within: frozenset[int] | None = None) -> list[tuple[int, str]]:
    """Every site (or those of `within`) as (id, name), by name."""
    stmt = select(Site.id, Site.name).order_by(Site.name)
    if within is not None:
        stmt = stmt.where(Site.id.in_(within))
    return [(row.id, row.name) for row in session.execute(stmt)]


# --- shared SQL pieces -------------------------------------------------------------------------


def _week_of(session: Session, column: Any) -> ColumnElement[Any]:
    """The Monday (UTC) of the week a UTC timestamp falls in, as a date, in SQL."""
    if session.get_bind().dialect.name == "sqlite":
        return func.date(column, "weekday 0", "-6 days")
    return cast(func.date_trunc("week", func.timezone("UTC", column)), Date)


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _weeks(filters: Filters) -> list[date]:
    first = filters.start - timedelta(days=filters.start.weekday())
    return [first + timedelta(weeks=i) for i in range((filters.end - first).days // 7 + 1)]


def _hours(value: Any) -> Decimal:
    return Decimal(value or 0).quantize(Decimal("0.01"))


def _plural(n: int | Decimal, word: str, plural: str | None = None) -> str:
    return f"{float(n):g} {word if n == 1 else (plural or word + 's')}"


def _mentees(filters: Filters) -> Any:
    """Active mentees enrolled by the end of the range, at the site when one is chosen."""
    query = (
        select(User.id)
        .join(MenteeProfile, MenteeProfile.user_id == User.id)
        .where(User.role == Role.MENTEE, User.active.is_(True), User.created_at < filters.end_at)
    )
    if filters.site_ids:
        query = query.where(MenteeProfile.site_id.in_(filters.site_ids))
    return query


def _live_at(moment: datetime) -> ColumnElement[bool]:
    """A mentorship that had started and not yet ended at `moment`."""
    return and_(
        Mentorship.created_at < moment,
        or_(Mentorship.ended_at.is_(None), Mentorship.ended_at >= moment),
    )


def latest_round(session: Session, filters: Filters) -> MatchRound | None:
    """The newest proposed or published round by the end of the range (of the coordinator's
    own rounds, for a site-scoped coordinator)."""
    query = select(MatchRound).where(
        MatchRound.status.in_([RoundStatus.PROPOSED, RoundStatus.PUBLISHED]),
        MatchRound.created_at < filters.end_at,
    )
    if filters.rounds_within is not None:
        query = query.where(scopes.rounds_within(filters.rounds_within, MatchRound.id))
    return session.scalar(
        query.order_by(MatchRound.created_at.desc(), MatchRound.id.desc()).limit(1)
    )


def _shift_scope(filters: Filters) -> list[ColumnElement[bool]]:
    """Scheduled shifts starting within the range, of mentors at the site when one is chosen."""
    scope = [
        Shift.status == ShiftStatus.SCHEDULED,
        Shift.start_at >= filters.start_at,
        Shift.start_at < filters.end_at,
    ]
    if filters.site_ids:
        scope.append(Shift.mentor_id.in_(_mentors_at(filters.site_ids)))
    return scope


def _mentors_at(site_ids: Collection[int]) -> Any:
    return select(MentorProfile.user_id).where(MentorProfile.site_id.in_(site_ids))


def _attended() -> list[ColumnElement[bool]]:
    return [
        Booking.status == BookingStatus.CONFIRMED,
        Booking.attended.is_(True),
        Booking.hours > 0,
    ]


def _count_if(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


# --- sections ----------------------------------------------------------------------------------


def matching_section(session: Session, filters: Filters) -> list[Chart]:
    """The funnel enrolled → matched → active → ended, and why the rest wait."""
    mentees = _mentees(filters)

    def mentees_with(condition: ColumnElement[bool]) -> ColumnElement[int]:
        # The mentees with at least one such mentorship: counted straight from the
        # mentorships, without grouping them by mentee and joining every mentee to the groups.
        return func.count(distinct(case((condition, Mentorship.mentee_id))))

    row = session.execute(
        select(
            select(func.count()).select_from(mentees.subquery()).scalar_subquery(),
            mentees_with(Mentorship.created_at < filters.end_at),
            mentees_with(_live_at(filters.end_at)),
            mentees_with(
                and_(Mentorship.ended_at >= filters.start_at, Mentorship.ended_at < filters.end_at)
            ),
        ).where(Mentorship.mentee_id.in_(mentees))
    ).one()
    enrolled, matched, active, ended = (int(v) for v in row)
    waiting = enrolled - active

    found = latest_round(session, filters)
    reasons: list[tuple[str, int]] = []
    if found is not None:
        query = (
            select(UnmatchedMentee.reason, func.count())
            .where(UnmatchedMentee.round_id == found.id)
            .group_by(UnmatchedMentee.reason)
        )
        if filters.site_ids:
            query = query.join(
                MenteeProfile, MenteeProfile.user_id == UnmatchedMentee.mentee_id
            ).where(MenteeProfile.site_id.in_(filters.site_ids))
        reasons = sorted(
            ((REASON_LABELS.get(r, r), int(n)) for r, n in session.execute(query)),
            key=lambda item: (-item[1], item[0]),
        )

    why = "; ".join(f"{n} {label}" for label, n in reasons)
    funnel_summary = (
        f"{matched} of {_plural(enrolled, 'mentee')} matched; {active} in an active mentorship"
        f" at the end of these dates, {ended} ended within them; {waiting} waiting for a mentor"
        + (f" (latest round: {why})." if why else ".")
    )
    unmatched_total = sum(n for _, n in reasons)
    if found is None:
        reasons_summary = "No match round has been proposed or published by the end of these dates."
    elif not reasons:
        reasons_summary = f"Round “{found.name}” placed every mentee in its pool."
    else:
        reasons_summary = (
            f"Round “{found.name}” left {_plural(unmatched_total, 'mentee')} unmatched: {why}."
        )
    return [
        Chart(
            key="funnel",
            title="Mentees from enrolment to an ended mentorship",
            summary=funnel_summary,
            kind="hbar",
            columns=(Column("stage", "Stage", "text"), Column("mentees", "Mentees")),
            rows=(
                ("Enrolled", enrolled),
                ("Matched", matched),
                ("Active", active),
                ("Ended", ended),
            ),
            series=("mentees",),
            axis_label="Mentees",
        ),
        Chart(
            key="unmatched",
            title="Why mentees wait: the latest round's unmatched, by reason",
            summary=reasons_summary,
            kind="hbar",
            columns=(Column("reason", "Reason", "text"), Column("mentees", "Mentees")),
            rows=tuple(reasons),
            series=("mentees",),
            axis_label="Mentees",
            empty_text="Nobody left unmatched.",
        ),
    ]


def capacity_section(session: Session, filters: Filters) -> list[Chart]:
    """Mentor places used and free, by site and by specialty."""
    taken = (
        select(Mentorship.mentor_id, func.count().label("n"))
        .where(_live_at(filters.end_at))
        .group_by(Mentorship.mentor_id)
        .subquery()
    )
    used = case(
        (func.coalesce(taken.c.n, 0) > MentorProfile.capacity, MentorProfile.capacity),
        else_=func.coalesce(taken.c.n, 0),
    )
    mentors = (
        select(
            MentorProfile.id.label("profile_id"),
            MentorProfile.site_id,
            MentorProfile.capacity,
            used.label("used"),
        )
        .join(User, User.id == MentorProfile.user_id)
        .outerjoin(taken, taken.c.mentor_id == MentorProfile.user_id)
        .where(User.active.is_(True), User.role == Role.MENTOR, User.created_at < filters.end_at)
    )
    if filters.site_ids:
        mentors = mentors.where(MentorProfile.site_id.in_(filters.site_ids))
    # Each mentor's places are worked out once (a common table both groupings read: the
    # database computes a table used twice once), and both groupings come back in one answer.
    m = mentors.cte("mentor_places")
    site_name = func.coalesce(Site.name, "No site")
    site_part = (
        select(
            literal(1).label("part"),
            site_name.label("name"),
            func.count(m.c.profile_id),
            func.sum(m.c.capacity),
            func.sum(m.c.used),
        )
        .select_from(m)
        .outerjoin(Site, Site.id == m.c.site_id)
        .group_by(Site.name)
    )
    specialty_part = (
        select(
            literal(2),
            Specialty.name,
            func.count(m.c.profile_id),
            func.sum(m.c.capacity),
            func.sum(m.c.used),
        )
        .select_from(m)
        .join(mentor_specialties, mentor_specialties.c.mentor_profile_id == m.c.profile_id)
        .join(Specialty, Specialty.id == mentor_specialties.c.specialty_id)
        .group_by(Specialty.name)
    )
    both = union_all(site_part, specialty_part).subquery()
    found = session.execute(select(both).order_by(both.c.part, both.c.name)).all()
    by_site = [row[1:] for row in found if row[0] == 1]
    by_specialty = [row[1:] for row in found if row[0] == 2]

    def rows(found: list[Any]) -> tuple[tuple[Any, ...], ...]:
        return tuple(
            (name, int(count), int(used), int(capacity) - int(used), int(capacity))
            for name, count, capacity, used in found
        )

    site_rows, specialty_rows = rows(by_site), rows(by_specialty)
    places = sum(r[4] for r in site_rows)
    used_total = sum(r[2] for r in site_rows)
    site_summary = (
        f"{used_total} of {_plural(places, 'place')} used, {places - used_total} free"
        f" across {_plural(sum(r[1] for r in site_rows), 'mentor')}"
    )
    if site_rows:
        tightest = min(site_rows, key=lambda r: (r[3], r[0]))
        site_summary += f"; fewest free at {tightest[0]} ({tightest[3]} of {tightest[4]} free)."
    else:
        site_summary += "."
    if specialty_rows:
        full = [r[0] for r in specialty_rows if r[3] == 0]
        tightest = min(specialty_rows, key=lambda r: (r[3], r[0]))
        specialty_summary = (
            f"{len(specialty_rows)} specialties taught; fewest free places in {tightest[0]}"
            f" ({tightest[3]} of {tightest[4]} free)"
            + (f"; no place left in {', '.join(full)}." if full else ".")
            + " A mentor teaching several specialties counts in each."
        )
    else:
        specialty_summary = "No mentor teaches any specialty yet."
    columns = (
        Column("mentors", "Mentors"),
        Column("used", "Places used"),
        Column("free", "Places free"),
        Column("capacity", "Places"),
    )
    return [
        Chart(
            key="capacity_by_site",
            title="Mentor places used and free, by site",
            summary=site_summary,
            kind="stacked_hbar",
            columns=(Column("site", "Site", "text"), *columns),
            rows=site_rows,
            series=("used", "free"),
            axis_label="Places",
            empty_text="No mentors.",
        ),
        Chart(
            key="capacity_by_specialty",
            title="Mentor places used and free, by specialty",
            summary=specialty_summary,
            kind="stacked_hbar",
            columns=(Column("specialty", "Specialty", "text"), *columns),
            rows=specialty_rows,
            series=("used", "free"),
            axis_label="Places",
            empty_text="No mentors.",
        ),
    ]


def scores_section(session: Session, filters: Filters) -> list[Chart]:
    """The latest round's score distribution and the mean contribution of each factor."""
    found = latest_round(session, filters)
    rows: list[tuple[Any, ...]] = []
    factor_rows: list[tuple[Any, ...]] = []
    count, mean = 0, 0.0
    if found is not None:
        scope = [ProposedMatch.round_id == found.id]
        if filters.site_ids:
            scope.append(
                ProposedMatch.mentee_id.in_(
                    select(MenteeProfile.user_id).where(MenteeProfile.site_id.in_(filters.site_ids))
                )
            )
        width = 1 / SCORE_BINS
        bin_of = case(
            *[(ProposedMatch.score < (i + 1) / SCORE_BINS, i) for i in range(SCORE_BINS - 1)],
            else_=SCORE_BINS - 1,
        )
        counts = dict(
            session.execute(
                select(bin_of.label("bin"), func.count()).where(*scope).group_by(bin_of)
            ).all()
        )
        rows = [
            (f"{i * width:.1f}–{(i + 1) * width:.1f}", int(counts.get(i, 0)))
            for i in range(SCORE_BINS)
        ]
        averages = session.execute(
            select(
                func.count(),
                func.avg(ProposedMatch.score),
                *[func.avg(ProposedMatch.breakdown[f].as_float()) for f in FACTORS],
            ).where(*scope)
        ).one()
        count, mean = int(averages[0]), float(averages[1] or 0)
        if count:
            factor_rows = [
                (FACTOR_LABELS.get(f, f), round(float(v or 0), 3))
                for f, v in zip(FACTORS, averages[2:], strict=True)
            ]
    if found is None:
        summary = factor_summary = "No match round has been proposed or published by then."
    elif not count:
        summary = factor_summary = f"Round “{found.name}” proposed no pairs here."
        rows = []
    else:
        best = max(factor_rows, key=lambda r: r[1])
        low = sum(n for label, n in rows[:5])
        summary = (
            f"Round “{found.name}”: {_plural(count, 'pair')}, mean score {mean:.2f};"
            f" {low} below 0.5."
        )
        factor_summary = (
            f"Mean score {mean:.2f} = "
            + " + ".join(f"{label.lower()} {value:.2f}" for label, value in factor_rows)
            + f"; {best[0].lower()} contributes most."
        )
    return [
        Chart(
            key="scores",
            title="Scores of the latest round's pairs",
            summary=summary,
            kind="bar",
            columns=(Column("score", "Score", "text"), Column("pairs", "Pairs")),
            rows=tuple(rows),
            series=("pairs",),
            axis_label="Pairs",
        ),
        Chart(
            key="score_factors",
            title="What the latest round's scores are made of (mean per pair)",
            summary=factor_summary,
            kind="hbar",
            columns=(Column("factor", "Factor", "text"), Column("mean", "Mean points", "score")),
            rows=tuple(factor_rows),
            series=("mean",),
            axis_label="Mean contribution to the score (0–1)",
        ),
    ]


def _weekly_bookings(session: Session, filters: Filters) -> dict[date, tuple[Any, ...]]:
    """Per week: seats offered, confirmed, attended, no-shows, waitlisted, then the attended
    shadowing's hours and sessions: one pass for both the seats and the hours charts.

    Bookings are summed per shift first (along the covering index), then shifts per week, so
    the week is computed once per shift rather than once per booking. Shifts without a booking
    are kept (outer join), so the same pass also sums the seats offered (the first figure).
    """
    confirmed = Booking.status == BookingStatus.CONFIRMED
    shadowed = and_(*_attended())
    per_shift = (
        select(
            Shift.start_at.label("start_at"),
            Shift.seats.label("seats"),
            _count_if(confirmed).label("confirmed"),
            _count_if(and_(confirmed, Booking.attended.is_(True))).label("attended"),
            _count_if(and_(confirmed, Booking.attended.is_(False))).label("no_shows"),
            _count_if(Booking.status == BookingStatus.WAITLISTED).label("waitlisted"),
            func.sum(case((shadowed, Booking.hours))).label("hours"),
            _count_if(shadowed).label("sessions"),
        )
        .select_from(Shift)
        .outerjoin(
            Booking,
            and_(Booking.shift_id == Shift.id, Booking.status != BookingStatus.CANCELLED),
        )
        .where(*_shift_scope(filters))
        .group_by(Shift.id, Shift.start_at, Shift.seats)
        .subquery()
    )
    week = _week_of(session, per_shift.c.start_at).label("week")
    rows = session.execute(
        select(
            week,
            func.sum(per_shift.c.seats),
            func.sum(per_shift.c.confirmed),
            func.sum(per_shift.c.attended),
            func.sum(per_shift.c.no_shows),
            func.sum(per_shift.c.waitlisted),
            func.sum(per_shift.c.hours),
            func.sum(per_shift.c.sessions),
        ).group_by(week)
    )
    return {
        _as_date(w): (*(int(x) for x in counts), _hours(hours), int(sessions))
        for w, *counts, hours, sessions in rows
    }


def shifts_section(session: Session, filters: Filters) -> list[Chart]:
    """Seats offered, booked, attended, no-shows and the waitlist, week by week; and the
    attended shadowing hours (as mentors confirmed them) by week and by specialty."""
    weekly = _weekly_bookings(session, filters)
    nothing = (0, 0, 0, 0, 0, Decimal("0.00"), 0)
    rows = tuple(
        (monday.isoformat(), *weekly.get(monday, nothing)[:5]) for monday in _weeks(filters)
    )
    seats, booked, attended, no_shows, waiting = (sum(r[i] for r in rows) for i in range(1, 6))
    fill = f" ({booked * 100 // seats}% filled)" if seats else ""
    summary = (
        f"{_plural(seats, 'seat')} offered and {booked} booked{fill}; {attended} attended,"
        f" {_plural(no_shows, 'no-show')}; {waiting} on a waitlist."
    )
    return [
        Chart(
            key="shifts_by_week",
            title="Shadowing seats by week",
            summary=summary,
            kind="line",
            columns=(
                Column("week", "Week of", "text"),
                Column("offered", "Seats offered"),
                Column("booked", "Booked"),
                Column("attended", "Attended"),
                Column("no_shows", "No-shows"),
                Column("waitlisted", "Waitlist"),
            ),
            rows=rows if seats or waiting else (),
            series=("offered", "booked", "attended", "no_shows", "waitlisted"),
            axis_label="Seats",
            empty_text="No shifts in these dates.",
        ),
        *_hours_charts(session, filters, weekly),
    ]


def _hours_charts(
    session: Session, filters: Filters, weekly: dict[date, tuple[Any, ...]]
) -> list[Chart]:
    scope = [*_shift_scope(filters), *_attended()]
    zero = (Decimal("0.00"), 0)
    week_rows = tuple(
        (m.isoformat(), *(weekly[m][5:] if m in weekly else zero)) for m in _weeks(filters)
    )
    # Summed per specialty id first (names are unique), then named: no lookup per booking.
    per_specialty = (
        select(
            Shift.specialty_id.label("specialty_id"),
            func.sum(Booking.hours).label("hours"),
            func.count(Booking.id).label("shifts"),
            func.count(func.distinct(Booking.mentee_id)).label("mentees"),
        )
        .select_from(Booking)
        .join(Shift, Shift.id == Booking.shift_id)
        .where(*scope)
        .group_by(Shift.specialty_id)
        .subquery()
    )
    name = func.coalesce(Specialty.name, "No specialty")
    specialty_rows = tuple(
        (label, _hours(h), int(n), int(p))
        for label, h, n, p in session.execute(
            select(
                name,
                per_specialty.c.hours,
                per_specialty.c.shifts,
                per_specialty.c.mentees,
            )
            .select_from(per_specialty)
            .outerjoin(Specialty, Specialty.id == per_specialty.c.specialty_id)
            .order_by(per_specialty.c.hours.desc(), name)
        )
    )
    total = sum((r[1] for r in specialty_rows), Decimal("0.00"))
    sessions = sum(r[2] for r in specialty_rows)
    busiest = max(week_rows, key=lambda r: (r[1], r[0])) if week_rows else None
    week_summary = (
        f"{_plural(total, 'hour')} of shadowing confirmed in {_plural(sessions, 'attended shift')}"
    )
    week_summary += (
        f"; the busiest week began {busiest[0]} with {_plural(busiest[1], 'hour')}."
        if busiest and busiest[1]
        else "."
    )
    specialty_summary = (
        f"{_plural(total, 'hour')} across"
        f" {_plural(len(specialty_rows), 'specialty', 'specialties')}"
        + (
            f"; most in {specialty_rows[0][0]} ({_plural(specialty_rows[0][1], 'hour')})."
            if specialty_rows
            else "."
        )
    )
    columns = (
        Column("hours", "Hours", "hours"),
        Column("shifts", "Attended shifts"),
        Column("mentees", "Mentees"),
    )
    return [
        Chart(
            key="hours_by_week",
            title="Shadowing hours by week",
            summary=week_summary,
            kind="bar",
            columns=(Column("week", "Week of", "text"), *columns[:2]),
            rows=week_rows if total else (),
            series=("hours",),
            axis_label="Hours",
            empty_text="No attended shadowing in these dates.",
        ),
        Chart(
            key="hours_by_specialty",
            title="Shadowing hours by specialty",
            summary=specialty_summary,
            kind="hbar",
            columns=(Column("specialty", "Specialty", "text"), *columns),
            rows=specialty_rows,
            series=("hours",),
            axis_label="Hours",
            empty_text="No attended shadowing in these dates.",
        ),
    ]


def guidance_section(session: Session, filters: Filters) -> list[Chart]:
    """Feedback, reflections and evaluations: done, owed and overdue, and by mentor.

    Feedback and reflections are owed for every attended booking whose shift ended within the
    range (overdue `FEEDBACK_DUE_DAYS` after its end); evaluations by both parties of each
    mentorship whose midpoint or final evaluation falls due within the range.
    """
    now = datetime.now(UTC)
    late = now - timedelta(days=FEEDBACK_DUE_DAYS)
    scope = [
        Booking.status == BookingStatus.CONFIRMED,
        Booking.attended.is_(True),
        Shift.end_at >= filters.start_at,
        Shift.end_at < filters.end_at,
    ]
    if filters.site_ids:
        scope.append(Shift.mentor_id.in_(_mentors_at(filters.site_ids)))
    # Counted per mentor first, then named: one name lookup per mentor, not per booking.
    tasks = (
        select(
            Shift.mentor_id.label("mentor_id"),
            func.count(Booking.id).label("attended"),
            func.count(ShiftFeedback.id).label("feedback"),
            _count_if(and_(ShiftFeedback.id.is_(None), Shift.end_at < late)).label("fb_late"),
            func.count(Reflection.id).label("reflections"),
            _count_if(and_(Reflection.id.is_(None), Shift.end_at < late)).label("refl_late"),
        )
        .select_from(Booking)
        .join(Shift, Shift.id == Booking.shift_id)
        .outerjoin(ShiftFeedback, ShiftFeedback.booking_id == Booking.id)
        .outerjoin(Reflection, Reflection.booking_id == Booking.id)
        .where(*scope)
        .group_by(Shift.mentor_id)
        .subquery()
    )
    # A stage falls due FINAL_EVALUATION_DAYS after the end, or MIDPOINT_DUE_DAYS after the
    # start of a running mentorship: compared on the stored times, so no date arithmetic in SQL.
    final_gap, midpoint_gap = (
        timedelta(days=FINAL_EVALUATION_DAYS),
        timedelta(days=MIDPOINT_DUE_DAYS),
    )
    final = and_(
        Mentorship.ended_at.is_not(None),
        Mentorship.ended_at >= filters.start_at - final_gap,
        Mentorship.ended_at < filters.end_at - final_gap,
    )
    midpoint = and_(
        Mentorship.ended_at.is_(None),
        Mentorship.created_at >= filters.start_at - midpoint_gap,
        Mentorship.created_at < filters.end_at - midpoint_gap,
    )
    overdue = or_(
        and_(Mentorship.ended_at.is_not(None), Mentorship.ended_at < now - final_gap),
        and_(Mentorship.ended_at.is_(None), Mentorship.created_at < now - midpoint_gap),
    )
    stage = case((Mentorship.ended_at.is_not(None), "final"), else_="midpoint")
    given = (
        select(func.count(Evaluation.id))
        .where(Evaluation.mentorship_id == Mentorship.id, Evaluation.stage == stage)
        .correlate(Mentorship)
        .scalar_subquery()
    )
    pairs = select(
        Mentorship.mentor_id.label("mentor_id"),
        given.label("given"),
        case((overdue, 1), else_=0).label("late"),
    ).where(or_(final, midpoint))
    if filters.site_ids:
        pairs = pairs.where(Mentorship.mentor_id.in_(_mentors_at(filters.site_ids)))
    p = pairs.subquery()
    zero = literal(0)
    evaluations = select(
        p.c.mentor_id,
        zero,
        zero,
        zero,
        zero,
        zero,
        func.coalesce(func.sum(p.c.given), 0),
        func.count() * 2,
        func.coalesce(func.sum(case((p.c.late == 1, 2 - p.c.given), else_=0)), 0),
    ).group_by(p.c.mentor_id)
    both = union_all(
        select(
            tasks.c.mentor_id,
            tasks.c.attended,
            tasks.c.feedback,
            tasks.c.fb_late,
            tasks.c.reflections,
            tasks.c.refl_late,
            zero.label("ev_done"),
            zero.label("ev_owed"),
            zero.label("ev_late"),
        ),
        evaluations,
    ).subquery()
    mentor, *cols = both.c
    per = (
        select(
            mentor.label("mentor_id"),
            *(func.sum(c).label(f"n{i}") for i, c in enumerate(cols)),
        )
        .group_by(mentor)
        .subquery()
    )
    n = [per.c[f"n{i}"] for i in range(8)]
    overdue_of = n[2] + n[4] + n[7]
    ranked = select(
        per.c.mentor_id,
        *n,
        *(func.sum(c).over() for c in n),
        func.count(case((overdue_of > 0, 1))).over().label("late_mentors"),
        func.rank().over(order_by=overdue_of.desc()).label("rank"),
        func.row_number().over(order_by=overdue_of.desc()).label("row"),
        overdue_of.label("overdue"),
    ).subquery()
    # Only the mentors the chart can show (ties at the cut included, named in Python so the
    # order by name is Python's) come back, with the programme's totals on each row.
    found = session.execute(
        select(ranked, User.name)
        .join(User, User.id == ranked.c.mentor_id)
        .where(
            or_(
                and_(ranked.c.rank <= MOST_MENTORS_SHOWN, ranked.c.overdue > 0),
                ranked.c.row == 1,
            )
        )
    ).all()
    totals = [int(v or 0) for v in found[0][9:17]] if found else [0] * 8
    late_mentors = int(found[0][17]) if found else 0
    attended, fb_done, fb_late, refl_done, refl_late, ev_done, ev_owed, ev_late = totals
    kinds = (
        ("Feedback from mentors", attended, fb_done, fb_late),
        ("Reflections from mentees", attended, refl_done, refl_late),
        ("Evaluations", ev_owed, ev_done, ev_late),
    )
    completion_rows = tuple((label, owed, done, late) for label, owed, done, late in kinds if owed)
    completion_summary = (
        f"Feedback on {fb_done} of {_plural(attended, 'attended shift')} ({fb_late} overdue);"
        f" reflections on {refl_done} ({refl_late} overdue); {ev_done} of {ev_owed}"
        f" evaluations given ({ev_late} overdue)."
    )
    shown = [(row[-1], [int(v or 0) for v in row[1:9]]) for row in found if row.overdue > 0]
    late_rows = sorted(
        ((name, r[2], r[4], r[7], r[2] + r[4] + r[7], r[0], r[1], r[3]) for name, r in shown),
        key=lambda row: (-row[4], row[0]),
    )[:MOST_MENTORS_SHOWN]
    overdue_total = fb_late + refl_late + ev_late
    late_summary = (
        f"{_plural(overdue_total, 'task')} overdue across"
        f" {_plural(late_mentors, 'mentor')}"
        + (f"; most with {late_rows[0][0]} ({late_rows[0][4]})." if late_rows else ".")
    )
    return [
        Chart(
            key="feedback_completion",
            title="Feedback, reflections and evaluations: done and overdue",
            summary=completion_summary,
            kind="hbar",
            columns=(
                Column("task", "Task", "text"),
                Column("owed", "Owed"),
                Column("done", "Done"),
                Column("overdue", "Overdue"),
            ),
            rows=completion_rows,
            series=("owed", "done", "overdue"),
            axis_label="Tasks",
            empty_text="No feedback, reflection or evaluation fell due in these dates.",
        ),
        Chart(
            key="overdue_by_mentor",
            title=f"Overdue tasks by mentor (the {MOST_MENTORS_SHOWN} with most)",
            summary=late_summary,
            kind="stacked_hbar",
            columns=(
                Column("mentor", "Mentor", "text"),
                Column("feedback_overdue", "Feedback overdue"),
                Column("reflections_overdue", "Reflections overdue"),
                Column("evaluations_overdue", "Evaluations overdue"),
                Column("overdue", "All overdue"),
                Column("attended", "Attended shifts"),
                Column("feedback_given", "Feedback given"),
                Column("reflections_given", "Reflections given"),
            ),
            rows=tuple(late_rows),
            series=("feedback_overdue", "reflections_overdue", "evaluations_overdue"),
            axis_label="Overdue tasks",
            empty_text="Nothing overdue.",
        ),
    ]


LEVEL_COLUMNS = (
    (1, "observed", "Observed"),
    (2, "with_help", "With help"),
    (3, "supervised", "Supervised"),
    (4, "independent", "Independent"),
)


def competencies_section(session: Session, filters: Filters) -> list[Chart]:
    """Competency ratings by level, and sign-offs, per specialty: a heat map."""
    specialty = func.coalesce(Specialty.name, "General")
    ratings = (
        select(specialty, CompetencyRating.level, func.count())
        .select_from(CompetencyRating)
        .join(ShiftFeedback, ShiftFeedback.id == CompetencyRating.feedback_id)
        .join(Booking, Booking.id == ShiftFeedback.booking_id)
        .join(Shift, Shift.id == Booking.shift_id)
        .join(Competency, Competency.id == CompetencyRating.competency_id)
        .outerjoin(Specialty, Specialty.id == Competency.specialty_id)
        .where(Shift.end_at >= filters.start_at, Shift.end_at < filters.end_at)
        .group_by(specialty, CompetencyRating.level)
    )
    signoffs = (
        select(specialty, func.count())
        .select_from(SignOff)
        .join(Competency, Competency.id == SignOff.competency_id)
        .outerjoin(Specialty, Specialty.id == Competency.specialty_id)
        .where(
            SignOff.revoked_at.is_(None),
            SignOff.signed_at >= filters.start_at,
            SignOff.signed_at < filters.end_at,
        )
        .group_by(specialty)
    )
    if filters.site_ids:
        mentees = select(MenteeProfile.user_id).where(MenteeProfile.site_id.in_(filters.site_ids))
        ratings = ratings.where(Booking.mentee_id.in_(mentees))
        signoffs = signoffs.where(SignOff.mentee_id.in_(mentees))
    grid: dict[str, list[int]] = {}
    for name, level, count in session.execute(ratings):
        grid.setdefault(name, [0] * 5)[int(level) - 1] = int(count)
    for name, count in session.execute(signoffs):
        grid.setdefault(name, [0] * 5)[4] = int(count)
    rows = tuple((name, *counts) for name, counts in sorted(grid.items()))
    signed = sum(r[5] for r in rows)
    rated = sum(sum(r[1:5]) for r in rows)
    summary = f"{_plural(signed, 'sign-off')} and {_plural(rated, 'competency rating')}"
    if rows:
        top = max(rows, key=lambda r: (r[5], sum(r[1:5]), r[0]))
        summary += f" in {_plural(len(rows), 'area')}; most sign-offs in {top[0]} ({top[5]})."
    else:
        summary += "."
    return [
        Chart(
            key="competencies_by_specialty",
            title="Competency ratings by level, and sign-offs, per specialty",
            summary=summary,
            kind="heatmap",
            columns=(
                Column("specialty", "Specialty", "text"),
                *(Column(key, label) for _, key, label in LEVEL_COLUMNS),
                Column("signed_off", "Signed off"),
            ),
            rows=rows,
            axis_label="Ratings or sign-offs",
            empty_text="No competency rated or signed off in these dates.",
        )
    ]


@dataclass(frozen=True)
class Standing:
    """One mentee's recertification standing today."""

    name: str
    days_left: int | None
    ce_hours: Decimal
    requirements: tuple[tuple[str, bool], ...]
    missing: tuple[str, ...]

    @property
    def met(self) -> bool:
        return all(met for _, met in self.requirements)

    def short_within(self, days: int) -> bool:
        return not self.met and self.days_left is not None and 0 <= self.days_left <= days


def _active_mentees(site_ids: Collection[int] | None) -> Any:
    """(id, name) of every active mentee, at the sites when some are given."""
    mentees = select(User.id, User.name).where(User.role == Role.MENTEE, User.active.is_(True))
    if site_ids:
        mentees = mentees.join(MenteeProfile, MenteeProfile.user_id == User.id).where(
            MenteeProfile.site_id.in_(site_ids)
        )
    return mentees


def _of_active_mentees(stmt: Any, user_id: Any, site_ids: Collection[int] | None) -> Any:
    """`stmt` kept to the rows whose `user_id` is an active mentee (at the sites, if given)."""
    stmt = stmt.join(User, User.id == user_id).where(
        User.role == Role.MENTEE, User.active.is_(True)
    )
    if site_ids:
        stmt = stmt.join(MenteeProfile, MenteeProfile.user_id == User.id).where(
            MenteeProfile.site_id.in_(site_ids)
        )
    return stmt


def _untouched_standing(rules: Any, today: date) -> tuple[Decimal, tuple, tuple]:
    """(CE hours, requirements, missing) of a mentee with neither a cycle end nor any CE."""
    nothing = evaluate(rules, Cycle(today, today), [], today)
    return (
        nothing.ce_hours,
        tuple((r.name, r.met) for r in nothing.requirements),
        tuple(nothing.missing),
    )


def cpd_standings(
    session: Session, site_ids: Collection[int] | None, *, recorded_only: bool = False
) -> list[Standing]:
    """Every active mentee's standing against the current rule set, by the CPD portfolio's
    rules (`recertification.evaluate`), nearest cycle end first, as its compliance report.

    Mentees with neither a cycle end nor any CE share one evaluation (short of everything), so
    a programme of thousands costs one evaluation per mentee who actually recorded something.
    With `recorded_only`, those mentees are left out (the dashboard counts them in SQL).
    """
    rules = portfolio.current_rules(session)
    today = portfolio.today_utc()
    mentees = _active_mentees(site_ids)
    people_stmt = mentees
    if recorded_only:
        # Driven from the (few) mentees who recorded something, not from every account.
        recorded = union(
            select(Certification.user_id.label("user_id")).where(
                Certification.cycle_ends_on.is_not(None)
            ),
            select(CeActivity.user_id.label("user_id")),
        ).subquery()
        people_stmt = mentees.join(recorded, recorded.c.user_id == User.id)
    people = session.execute(people_stmt.order_by(User.name)).all()
    # Each read starts from the certifications and activities and keeps those of the mentees.
    ends = dict(
        session.execute(
            _of_active_mentees(
                select(Certification.user_id, Certification.cycle_ends_on).where(
                    Certification.cycle_ends_on.is_not(None)
                ),
                Certification.user_id,
                site_ids,
            )
        ).all()
    )
    records: dict[int, list[ActivityRecord]] = {}
    for user_id, *activity in session.execute(
        _of_active_mentees(select(*portfolio.ACTIVITY_COLUMNS), CeActivity.user_id, site_ids)
    ):
        records.setdefault(user_id, []).append(portfolio.activity_record(*activity))
    # Everyone with neither a cycle end nor a record shares one standing, worked out once.
    shared = _untouched_standing(rules, today)
    out = []
    for person_id, name in people:
        end, done = ends.get(person_id), records.get(person_id)
        if end is None and not done:
            out.append(Standing(name, None, *shared))
            continue
        if end is not None:
            progress = evaluate(rules, Cycle.ending(end, rules.cycle_years), done or [], today)
        else:
            # No cycle recorded: every activity counts (as on the CPD page).
            first = min(r.completed_on for r in done)
            last = max(today, *(r.completed_on for r in done))
            progress = evaluate(rules, Cycle(first, last), done, today)
        out.append(
            Standing(
                name,
                progress.days_left if end is not None else None,
                progress.ce_hours,
                tuple((r.name, r.met) for r in progress.requirements),
                tuple(progress.missing),
            )
        )
    out.sort(key=lambda r: (r.days_left is None, r.days_left or 0, r.name))
    return out


def cpd_section(session: Session, filters: Filters) -> list[Chart]:
    """CPD compliance today: each recertification requirement met or short, and who is within
    `SHORT_WINDOW_DAYS` of their cycle's end and still short.

    Standing is as of today (not the date range), by the CPD portfolio's rules; the site filter
    applies.
    """
    # Only mentees with a cycle end or some CE are evaluated one by one; the others (most of
    # a large programme) all stand as one who recorded nothing, so they are only counted.
    rows = cpd_standings(session, filters.site_ids, recorded_only=True)
    rules = portfolio.current_rules(session)
    everyone = session.scalar(
        select(func.count()).select_from(_active_mentees(filters.site_ids).subquery())
    )
    untouched = (everyone or 0) - len(rows)
    _, untouched_requirements, _ = _untouched_standing(rules, portfolio.today_utc())
    untouched_met = all(met for _, met in untouched_requirements)
    requirement_rows = []
    if everyone:
        # The first requirement is the cycle's total; the others its categories.
        for index, (name, untouched_ok) in enumerate(untouched_requirements):
            label = "CE hours in all" if index == 0 else name.capitalize()
            met = sum(1 for r in rows if r.requirements[index][1])
            met += untouched if untouched_ok else 0
            requirement_rows.append((label, met, everyone - met))
    soon = [r for r in rows if r.short_within(SHORT_WINDOW_DAYS)]
    soon_rows = tuple((r.name, r.days_left, _hours(r.ce_hours), "; ".join(r.missing)) for r in soon)
    met = sum(1 for r in rows if r.met) + (untouched if untouched_met else 0)
    summary = (
        f"{met} of {_plural(everyone, 'mentee')} meet every requirement of “{rules.name}”;"
        f" {len(soon)} within {SHORT_WINDOW_DAYS} days of their cycle's end and short."
    )
    soon_summary = (
        f"{_plural(len(soon), 'mentee')} within {SHORT_WINDOW_DAYS} days of the end of their"
        " cycle and short"
        + (
            f"; the nearest: {soon[0].name}, {_plural(soon[0].days_left or 0, 'day')} left."
            if soon
            else "."
        )
    )
    return [
        Chart(
            key="cpd_requirements",
            title="CPD requirements met and short, today",
            summary=summary,
            kind="stacked_hbar",
            columns=(
                Column("requirement", "Requirement", "text"),
                Column("met", "Met"),
                Column("short", "Short"),
            ),
            rows=tuple(requirement_rows),
            series=("met", "short"),
            axis_label="Mentees",
            empty_text="No mentees.",
        ),
        Chart(
            key="cpd_due_soon",
            title=f"Short with under {SHORT_WINDOW_DAYS} days of the cycle left",
            summary=soon_summary,
            kind="hbar",
            columns=(
                Column("mentee", "Mentee", "text"),
                Column("days_left", "Days left"),
                Column("ce_hours", "CE hours", "hours"),
                Column("missing", "Still needed", "text"),
            ),
            rows=soon_rows,
            series=("days_left",),
            axis_label="Days left in the cycle",
            empty_text="Nobody is short near the end of their cycle.",
        ),
    ]


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    question: str
    build: Callable[[Session, Filters], list[Chart]]
    # The keys of the charts it builds, so one chart can be drawn without the others.
    charts: tuple[str, ...]


SECTIONS: list[Section] = [
    Section(
        "matching",
        "Matching",
        "How many mentees have a mentor, and why not the rest?",
        matching_section,
        ("funnel", "unmatched"),
    ),
    Section(
        "capacity",
        "Mentor capacity",
        "Where do sites and specialties run out of preceptors?",
        capacity_section,
        ("capacity_by_site", "capacity_by_specialty"),
    ),
    Section(
        "scores",
        "Match quality",
        "How good are the latest round's pairs, and why?",
        scores_section,
        ("scores", "score_factors"),
    ),
    Section(
        "shifts",
        "Shifts and shadowing hours",
        "Are shifts filling, who waits, and how much shadowing happens in what?",
        shifts_section,
        ("shifts_by_week", "hours_by_week", "hours_by_specialty"),
    ),
    Section(
        "guidance",
        "Feedback and evaluations",
        "Are people giving feedback, and who is behind?",
        guidance_section,
        ("feedback_completion", "overdue_by_mentor"),
    ),
    Section(
        "competencies",
        "Competencies",
        "Which specialties' competencies are being practised and signed off?",
        competencies_section,
        ("competencies_by_specialty",),
    ),
    Section(
        "cpd",
        "CPD compliance",
        "Who will miss recertification?",
        cpd_section,
        ("cpd_requirements", "cpd_due_soon"),
    ),
]


def add_section(section: Section) -> None:
    """Another area's charts join the dashboard (one more section, same filters, same API)."""
    if all(s.key != section.key for s in SECTIONS):
        SECTIONS.append(section)


@dataclass(frozen=True)
class BuiltSection:
    key: str
    title: str
    question: str
    charts: list[Chart]


@dataclass(frozen=True)
class Dashboard:
    filters: Filters
    sections: list[BuiltSection]

    def charts(self) -> list[Chart]:
        return [chart for section in self.sections for chart in section.charts]


def _plan_for_these_dates(session: Session) -> None:
    """On PostgreSQL, plan each statement for its own dates and site in this transaction.

    The driver prepares a statement once it has run a few times, and PostgreSQL then may
    switch to one generic plan for any dates: for a year of bookings that plan is about half
    as fast again as one made for the actual range (measured with the benchmark).
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))


def dashboard(session: Session, filters: Filters) -> Dashboard:
    """Every section's charts for these filters."""
    _plan_for_these_dates(session)
    return Dashboard(
        filters,
        [BuiltSection(s.key, s.title, s.question, s.build(session, filters)) for s in SECTIONS],
    )


def chart_keys() -> list[str]:
    return [key for section in SECTIONS for key in section.charts]


def one_chart(session: Session, filters: Filters, key: str) -> Chart:
    """One chart by key (its section's queries only); 404 for an unknown key."""
    _plan_for_these_dates(session)
    for section in SECTIONS:
        if key in section.charts:
            for chart in section.build(session, filters):
                if chart.key == key:
                    return chart
    raise NotFound(f"there is no chart '{key}'")


@dataclass
class _Kept:
    filters: Filters
    charts: dict[str, Chart]
    until: float
    drawn: dict[str, str] = field(default_factory=dict)


class PageCharts:
    """The charts one page view computed, kept for a few minutes under a random key.

    The page's image and CSV links carry the key, so its fourteen images are drawn from the
    very records the page's tables show instead of each re-running its section's queries. A
    link whose key is unknown (expired, another process, a typed URL) computes the chart
    afresh, so nothing is ever served that the page did not show or the database does not say.
    """

    def __init__(self, size: int = 64, seconds: float = 600.0) -> None:
        self.size, self.seconds = size, seconds
        self._kept: OrderedDict[str, _Kept] = OrderedDict()
        self._lock = threading.Lock()

    def keep(self, found: Dashboard) -> str:
        key = secrets.token_urlsafe(12)
        charts = {chart.key: chart for chart in found.charts()}
        with self._lock:
            self._kept[key] = _Kept(found.filters, charts, clock.monotonic() + self.seconds)
            while len(self._kept) > self.size:
                self._kept.popitem(last=False)
        return key

    def _entry(self, key: str | None, filters: Filters) -> _Kept | None:
        if not key:
            return None
        with self._lock:
            kept = self._kept.get(key)
            if kept is None or kept.until < clock.monotonic() or kept.filters != filters:
                return None
            return kept

    def chart(self, key: str | None, filters: Filters, chart: str) -> Chart | None:
        kept = self._entry(key, filters)
        return kept.charts.get(chart) if kept else None

    def drawing(
        self, key: str | None, filters: Filters, chart: str, draw: Callable[[Chart], str]
    ) -> str | None:
        """The chart's image drawn once per page view (None when the key is not kept)."""
        kept = self._entry(key, filters)
        if kept is None or chart not in kept.charts:
            return None
        if chart not in kept.drawn:
            kept.drawn[chart] = draw(kept.charts[chart])
        return kept.drawn[chart]

    def clear(self) -> None:
        with self._lock:
            self._kept.clear()


page_charts = PageCharts()


def dashboard_dict(found: Dashboard) -> dict[str, Any]:
    """The API's answer: the filters and, per chart, its title, summary, columns and rows."""
    return {
        "filters": found.filters.as_dict(),
        "sections": [
            {"key": s.key, "title": s.title, "charts": [c.key for c in s.charts]}
            for s in found.sections
        ],
        "charts": {
            chart.key: {
                "title": chart.title,
                "summary": chart.summary,
                "columns": [{"key": c.key, "label": c.label} for c in chart.columns],
                "rows": chart.records(),
            }
            for chart in found.charts()
        },
    }


# --- a mentor's own picture --------------------------------------------------------------------


def mentor_fill_rate(session: Session, mentor: User, filters: Filters) -> Chart:
    """How full the mentor's own shifts were, week by week."""
    week = _week_of(session, Shift.start_at).label("week")
    scope = [
        Shift.mentor_id == mentor.id,
        Shift.status == ShiftStatus.SCHEDULED,
        Shift.start_at >= filters.start_at,
        Shift.start_at < filters.end_at,
    ]
    seats = {
        _as_date(w): int(n)
        for w, n in session.execute(
            select(week, func.sum(Shift.seats)).where(*scope).group_by(week)
        )
    }
    booked = {
        _as_date(w): (int(b), int(a))
        for w, b, a in session.execute(
            select(
                week,
                func.count(Booking.id),
                _count_if(Booking.attended.is_(True)),
            )
            .select_from(Booking)
            .join(Shift, Shift.id == Booking.shift_id)
            .where(*scope, Booking.status == BookingStatus.CONFIRMED)
            .group_by(week)
        )
    }
    rows = []
    for monday in _weeks(filters):
        offered = seats.get(monday, 0)
        if not offered:
            continue
        taken, attended = booked.get(monday, (0, 0))
        rows.append((monday.isoformat(), offered, taken, attended, round(taken * 100 / offered)))
    offered = sum(r[1] for r in rows)
    taken = sum(r[2] for r in rows)
    summary = (
        f"{taken} of {_plural(offered, 'seat')} on your shifts booked ({taken * 100 // offered}%)"
        f" over {_plural(len(rows), 'week')} with shifts."
        if offered
        else "You have no shifts in these dates."
    )
    return Chart(
        key="my_fill_rate",
        title="How full your shifts are, by week",
        summary=summary,
        kind="bar",
        columns=(
            Column("week", "Week of", "text"),
            Column("seats", "Seats"),
            Column("booked", "Booked"),
            Column("attended", "Attended"),
            Column("fill_rate", "Filled", "percent"),
        ),
        rows=tuple(rows),
        series=("seats", "booked"),
        axis_label="Seats",
        empty_text="No shifts in these dates.",
    )
