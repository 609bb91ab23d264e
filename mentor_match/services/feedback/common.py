"""Rules the feedback services share: the levels, the time limits, text limits and who is who."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from mentor_match.models import Booking, BookingStatus, Mentorship, Shift, User
from mentor_match.services.errors import Invalid

# The four levels of contract §8, with the plain-language anchor shown next to each.
LEVELS: dict[int, str] = {
    1: "Observed: watched it done",
    2: "Did it with help: needed guidance at most steps",
    3: "Did it with supervision nearby: asked only now and then",
    4: "Did it independently: safe and complete without prompting",
}
SESSION_RATING_RANGE = (1, 5)
FEEDBACK_DUE_DAYS = 7  # after the shift's end
EDIT_DAYS = 7  # an author may change their feedback this long after giving it
TEXT_MAX = 4000
COMMENT_MAX = 2000
REASON_MAX = 500
MIN_RATINGS_SHOWN = 3  # a mentor sees a count and an average only from this many ratings


def utc_now(now: datetime | None) -> datetime:
    return now or datetime.now(UTC)


def local_date(moment: datetime, zone: str | None) -> date:
    try:
        tz = ZoneInfo(zone or "UTC")
    except (KeyError, ValueError):
        tz = ZoneInfo("UTC")
    return moment.astimezone(tz).date()


def due_after_shift(shift: Shift) -> datetime:
    return shift.end_at + timedelta(days=FEEDBACK_DUE_DAYS)


def text_field(value: object, field: str, *, limit: int, required: bool = True) -> str:
    """A trimmed text, or a 422 naming `field`."""
    if value is None and not required:
        return ""
    if not isinstance(value, str):
        raise Invalid(f"{field} must be text", details=[{"field": field, "message": "text"}])
    cleaned = value.strip()
    if required and not cleaned:
        raise Invalid(f"{field} is required", details=[{"field": field, "message": "is required"}])
    if len(cleaned) > limit:
        raise Invalid(
            f"{field} is too long (at most {limit} characters)",
            details=[{"field": field, "message": f"at most {limit} characters"}],
        )
    return cleaned


def attended(booking: Booking) -> bool:
    return booking.status == BookingStatus.CONFIRMED and booking.attended is True


def has_mentored(session: Session, mentor_id: int, mentee_id: int) -> bool:
    """A mentorship, current or ended, joins the two."""
    return bool(
        session.scalar(
            select(
                exists().where(Mentorship.mentor_id == mentor_id, Mentorship.mentee_id == mentee_id)
            )
        )
    )


def hosted_attended_shift(session: Session, mentor_id: int, mentee_id: int) -> bool:
    return bool(
        session.scalar(
            select(
                exists()
                .where(Booking.shift_id == Shift.id)
                .where(
                    Shift.mentor_id == mentor_id,
                    Booking.mentee_id == mentee_id,
                    Booking.status == BookingStatus.CONFIRMED,
                    Booking.attended.is_(True),
                )
            )
        )
    )


def may_view_progress(session: Session, viewer: User, mentee_id: int) -> bool:
    """The mentee, their mentors (current or past) and coordinators."""
    if viewer.is_coordinator:
        return True
    if viewer.id == mentee_id:
        return True
    return viewer.is_mentor and has_mentored(session, viewer.id, mentee_id)


def may_sign_off(session: Session, signer: User, mentee_id: int) -> bool:
    """Coordinators, a mentor who mentors (or did) the mentee, or hosted one of their
    attended shifts."""
    if signer.is_coordinator:
        return True
    if not signer.is_mentor:
        return False
    return has_mentored(session, signer.id, mentee_id) or hosted_attended_shift(
        session, signer.id, mentee_id
    )
