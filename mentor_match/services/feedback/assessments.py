"""Feedback and reflections on attended shifts, the mentor's rating summary, sign-offs and
a mentee's progress."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from mentor_match.database import add_unique
from mentor_match.models import (
    Booking,
    BookingStatus,
    Competency,
    CompetencyRating,
    MenteeProfile,
    MenteeSpecialty,
    Mentorship,
    Reflection,
    Role,
    Shift,
    ShiftFeedback,
    SignOff,
    SignOffEvent,
    User,
)
from mentor_match.services import scopes
from mentor_match.services.errors import Conflict, Forbidden, Invalid, NotFound
from mentor_match.services.feedback.common import (
    COMMENT_MAX,
    EDIT_DAYS,
    LEVELS,
    MIN_RATINGS_SHOWN,
    REASON_MAX,
    SESSION_RATING_RANGE,
    TEXT_MAX,
    attended,
    may_sign_off,
    may_view_progress,
    text_field,
    utc_now,
)
from mentor_match.services.people import get_mentee


@dataclass(frozen=True)
class Rating:
    competency_id: int
    level: int


def get_booking(session: Session, booking_id: int) -> Booking:
    """A booking with its shift and the shift's mentor, or a 404."""
    booking = session.get(
        Booking, booking_id, options=[selectinload(Booking.shift).selectinload(Shift.mentor)]
    )
    if booking is None:
        raise NotFound("no such booking")
    return booking


def attended_bookings(
    session: Session,
    *,
    mentor_id: int | None = None,
    mentee_id: int | None = None,
    limit: int,
) -> list[Booking]:
    """The latest confirmed, attended bookings a mentor hosted or a mentee attended."""
    stmt = (
        select(Booking)
        .join(Booking.shift)
        .where(Booking.attended.is_(True), Booking.status == BookingStatus.CONFIRMED)
        .order_by(Shift.start_at.desc())
        .limit(limit)
    )
    if mentor_id is not None:
        stmt = stmt.where(Shift.mentor_id == mentor_id)
    if mentee_id is not None:
        stmt = stmt.where(Booking.mentee_id == mentee_id)
    return list(session.scalars(stmt))


@dataclass(frozen=True)
class RecentSessions:
    """A participant's latest attended shifts, and which have feedback and a reflection."""

    bookings: list[Booking]
    with_feedback: set[int]
    with_reflection: set[int]


RECENT_SESSIONS = 30


def recent_sessions(session: Session, user: User) -> RecentSessions:
    """The shifts a mentor hosted (or a mentee attended) lately, for their feedback hub."""
    if user.is_mentor:
        bookings = attended_bookings(session, mentor_id=user.id, limit=RECENT_SESSIONS)
    else:
        bookings = attended_bookings(session, mentee_id=user.id, limit=RECENT_SESSIONS)
    ids = [b.id for b in bookings]
    return RecentSessions(
        bookings=bookings,
        with_feedback=set(
            session.scalars(
                select(ShiftFeedback.booking_id).where(ShiftFeedback.booking_id.in_(ids))
            )
        ),
        with_reflection=set(
            session.scalars(select(Reflection.booking_id).where(Reflection.booking_id.in_(ids)))
        ),
    )


def check_feedback_author(session: Session, user: User, booking_id: int) -> Booking:
    """The booking, when `user` is its shift's mentor (404 before 403)."""
    booking = get_booking(session, booking_id)
    if booking.shift.mentor_id != user.id:
        raise Forbidden("only the shift's mentor gives feedback on it")
    return booking


def check_reflection_author(session: Session, user: User, booking_id: int) -> Booking:
    booking = get_booking(session, booking_id)
    if booking.mentee_id != user.id:
        raise Forbidden("only the mentee who attended reflects on a shift")
    return booking


def feedback_of(session: Session, booking_id: int) -> ShiftFeedback | None:
    return session.scalar(select(ShiftFeedback).where(ShiftFeedback.booking_id == booking_id))


def reflection_of(session: Session, booking_id: int) -> Reflection | None:
    return session.scalar(select(Reflection).where(Reflection.booking_id == booking_id))


# -- feedback ------------------------------------------------------------------------------


def _ratings(session: Session, ratings: Sequence[Rating], *, existing: set[int]) -> list[Rating]:
    """Checked ratings: each competency once, known, active (or already rated), level 1-4."""
    seen: set[int] = set()
    for index, rating in enumerate(ratings):
        field = f"ratings.{index}"
        if rating.level not in LEVELS:
            raise Invalid(
                "a level is 1 (observed) to 4 (did it independently)",
                details=[{"field": f"{field}.level", "message": "1 to 4"}],
            )
        if rating.competency_id in seen:
            raise Invalid(
                "each competency is rated once",
                details=[{"field": f"{field}.competency_id", "message": "rated twice"}],
            )
        seen.add(rating.competency_id)
    if seen:
        found = dict(
            session.execute(
                select(Competency.id, Competency.active).where(Competency.id.in_(seen))
            ).all()
        )
        for index, rating in enumerate(ratings):
            active = found.get(rating.competency_id)
            if active is None or (not active and rating.competency_id not in existing):
                raise Invalid(
                    "no such active competency",
                    details=[
                        {"field": f"ratings.{index}.competency_id", "message": "unknown or retired"}
                    ],
                )
    return list(ratings)


def give_feedback(
    session: Session,
    author: User,
    booking_id: int,
    *,
    ratings: Sequence[Rating],
    strengths: str,
    next_steps: str,
    now: datetime | None = None,
) -> ShiftFeedback:
    """The shift's mentor's feedback on an attended booking; one per booking."""
    booking = get_booking(session, booking_id)
    if booking.shift.mentor_id != author.id:
        raise Forbidden("only the shift's mentor gives feedback on it")
    if not attended(booking):
        raise Conflict(
            "feedback can be given once the mentee's attendance is recorded",
            code="not_attended",
        )
    if feedback_of(session, booking.id) is not None:
        raise Conflict(
            "feedback on this shift was already given: edit it instead", code="already_given"
        )
    checked = _ratings(session, ratings, existing=set())
    moment = utc_now(now)
    feedback = ShiftFeedback(
        booking_id=booking.id,
        author_id=author.id,
        strengths=text_field(strengths, "strengths", limit=TEXT_MAX, required=False),
        next_steps=text_field(next_steps, "next_steps", limit=TEXT_MAX, required=False),
        created_at=moment,
        updated_at=moment,
        updated_by_id=author.id,
        ratings=[CompetencyRating(competency_id=r.competency_id, level=r.level) for r in checked],
    )
    add_unique(
        session,
        feedback,
        Conflict("feedback on this shift was already given", code="already_given"),
    )
    return feedback


def edit_deadline(feedback: ShiftFeedback) -> datetime:
    return feedback.created_at + timedelta(days=EDIT_DAYS)


def edit_feedback(
    session: Session,
    author: User,
    booking_id: int,
    *,
    ratings: Sequence[Rating] | None = None,
    strengths: str | None = None,
    next_steps: str | None = None,
    now: datetime | None = None,
) -> ShiftFeedback:
    """Its author may change it for EDIT_DAYS after giving it; then it is locked."""
    booking = get_booking(session, booking_id)
    feedback = feedback_of(session, booking.id)
    if feedback is None:
        raise NotFound("no feedback on this shift yet")
    if feedback.author_id != author.id:
        raise Forbidden("only the author changes their feedback")
    moment = utc_now(now)
    if moment > edit_deadline(feedback):
        raise Conflict(
            f"feedback can be changed for {EDIT_DAYS} days after it was given: it is locked now",
            code="locked",
        )
    if ratings is not None:
        previous = {r.competency_id for r in feedback.ratings}
        checked = _ratings(session, ratings, existing=previous)
        feedback.ratings = []
        session.flush()
        feedback.ratings = [
            CompetencyRating(competency_id=r.competency_id, level=r.level) for r in checked
        ]
    if strengths is not None:
        feedback.strengths = text_field(strengths, "strengths", limit=TEXT_MAX, required=False)
    if next_steps is not None:
        feedback.next_steps = text_field(next_steps, "next_steps", limit=TEXT_MAX, required=False)
    feedback.updated_at = moment
    feedback.updated_by_id = author.id
    session.flush()
    return feedback


def may_read_feedback(viewer: User, booking: Booking) -> bool:
    return (
        viewer.is_coordinator
        or viewer.id == booking.mentee_id
        or viewer.id == booking.shift.mentor_id
    )


def check_booking_in_scope(session: Session, viewer: User, booking: Booking) -> None:
    """404 for a site-scoped coordinator when neither the booking's mentee nor its shift's
    mentor works at their sites."""
    scopes.check_pair(session, viewer, booking.shift.mentor_id, booking.mentee_id, "booking")


def read_feedback(session: Session, viewer: User, booking_id: int) -> ShiftFeedback:
    booking = get_booking(session, booking_id)
    check_booking_in_scope(session, viewer, booking)
    if not may_read_feedback(viewer, booking):
        raise Forbidden("only the mentee, the shift's mentor and coordinators see this feedback")
    feedback = feedback_of(session, booking.id)
    if feedback is None:
        raise NotFound("no feedback on this shift yet")
    return feedback


def describe_feedback(feedback: ShiftFeedback, now: datetime | None = None) -> dict[str, Any]:
    return {
        "id": feedback.id,
        "booking_id": feedback.booking_id,
        "author_id": feedback.author_id,
        "ratings": [
            {
                "competency_id": r.competency_id,
                "code": r.competency.code,
                "title": r.competency.title,
                "level": r.level,
                "anchor": LEVELS[r.level],
            }
            for r in feedback.ratings
        ],
        "strengths": feedback.strengths,
        "next_steps": feedback.next_steps,
        "created_at": feedback.created_at.isoformat(),
        "updated_at": feedback.updated_at.isoformat(),
        "updated_by_id": feedback.updated_by_id,
        "editable_until": edit_deadline(feedback).isoformat(),
        "locked": utc_now(now) > edit_deadline(feedback),
    }


# -- reflections ---------------------------------------------------------------------------


def give_reflection(
    session: Session,
    mentee: User,
    booking_id: int,
    *,
    learned: str,
    apply: str,
    session_rating: int,
    comment_to_coordinator: str | None = None,
    now: datetime | None = None,
) -> Reflection:
    """The booking's mentee reflects on an attended shift; one per booking."""
    booking = get_booking(session, booking_id)
    if booking.mentee_id != mentee.id:
        raise Forbidden("only the mentee who attended reflects on a shift")
    if not attended(booking):
        raise Conflict(
            "a reflection can be written once your attendance is recorded", code="not_attended"
        )
    if reflection_of(session, booking.id) is not None:
        raise Conflict("you have already reflected on this shift", code="already_given")
    low, high = SESSION_RATING_RANGE
    if (
        isinstance(session_rating, bool)
        or not isinstance(session_rating, int)
        or not (low <= session_rating <= high)
    ):
        raise Invalid(
            f"session_rating is a whole number from {low} to {high}",
            details=[{"field": "session_rating", "message": f"{low} to {high}"}],
        )
    reflection = Reflection(
        booking_id=booking.id,
        mentee_id=mentee.id,
        mentor_id=booking.shift.mentor_id,
        learned=text_field(learned, "learned", limit=TEXT_MAX),
        apply=text_field(apply, "apply", limit=TEXT_MAX),
        session_rating=session_rating,
        comment_to_coordinator=text_field(
            comment_to_coordinator, "comment_to_coordinator", limit=COMMENT_MAX, required=False
        ),
        created_at=utc_now(now),
    )
    add_unique(
        session,
        reflection,
        Conflict("you have already reflected on this shift", code="already_given"),
    )
    return reflection


def read_reflection(session: Session, viewer: User, booking_id: int) -> Reflection:
    """The mentee and coordinators only: a mentor never sees a single rating or comment."""
    booking = get_booking(session, booking_id)
    check_booking_in_scope(session, viewer, booking)
    if not (viewer.is_coordinator or viewer.id == booking.mentee_id):
        raise Forbidden("a reflection is seen by its mentee and coordinators only")
    reflection = reflection_of(session, booking.id)
    if reflection is None:
        raise NotFound("no reflection on this shift yet")
    return reflection


def describe_reflection(reflection: Reflection) -> dict[str, Any]:
    return {
        "id": reflection.id,
        "booking_id": reflection.booking_id,
        "learned": reflection.learned,
        "apply": reflection.apply,
        "session_rating": reflection.session_rating,
        "comment_to_coordinator": reflection.comment_to_coordinator,
        "created_at": reflection.created_at.isoformat(),
    }


def rating_summary(session: Session, mentor_id: int) -> dict[str, Any]:
    """How the mentor's sessions were rated: the count, and the average from three ratings."""
    count, average = session.execute(
        select(func.count(Reflection.id), func.avg(Reflection.session_rating)).where(
            Reflection.mentor_id == mentor_id
        )
    ).one()
    shown = count >= MIN_RATINGS_SHOWN and average is not None
    return {"count": count, "average": round(float(average), 2) if shown else None}


# -- sign-offs and progress ----------------------------------------------------------------


def check_may_sign_off(session: Session, user: User, mentee_id: int) -> User:
    mentee = get_mentee(session, mentee_id, user if user.is_coordinator else None)
    if not may_sign_off(session, user, mentee.id):
        raise Forbidden(
            "a mentee's mentors, the mentors who hosted their shifts and coordinators sign off"
        )
    return mentee


def get_sign_off(session: Session, signoff_id: int) -> SignOff:
    record = session.get(SignOff, signoff_id)
    if record is None:
        raise NotFound("no such sign-off")
    return record


def check_may_revoke(session: Session, user: User, signoff_id: int) -> SignOff:
    record = get_sign_off(session, signoff_id)
    scopes.check_person(session, user, record.mentee_id, what="sign-off")
    if not may_sign_off(session, user, record.mentee_id):
        raise Forbidden("only those who may sign this mentee off may revoke a sign-off")
    return record


def sign_off(
    session: Session,
    signer: User,
    mentee_id: int,
    competency_id: int,
    *,
    booking_id: int | None = None,
    note: str | None = None,
    now: datetime | None = None,
) -> SignOff:
    """Sign a competency off as demonstrated; linked to the shift's feedback where there is one."""
    mentee = check_may_sign_off(session, signer, mentee_id)
    competency = session.get(Competency, competency_id)
    if competency is None or not competency.active:
        raise Invalid(
            "no such active competency",
            details=[{"field": "competency_id", "message": "unknown or retired"}],
        )
    feedback_id = None
    if booking_id is not None:
        booking = session.get(Booking, booking_id)
        if booking is None or booking.mentee_id != mentee.id or not attended(booking):
            raise Invalid(
                "the booking must be one of this mentee's attended shifts",
                details=[{"field": "booking_id", "message": "not an attended shift of theirs"}],
            )
        found = feedback_of(session, booking.id)
        feedback_id = found.id if found else None
    live = session.scalar(
        select(SignOff.id).where(
            SignOff.mentee_id == mentee.id,
            SignOff.competency_id == competency.id,
            SignOff.revoked_at.is_(None),
        )
    )
    if live is not None:
        raise Conflict("this competency is already signed off", code="already_signed_off")
    moment = utc_now(now)
    record = SignOff(
        mentee_id=mentee.id,
        competency_id=competency.id,
        booking_id=booking_id,
        feedback_id=feedback_id,
        signed_by_id=signer.id,
        note=text_field(note, "note", limit=COMMENT_MAX, required=False),
        signed_at=moment,
    )
    add_unique(
        session,
        record,
        Conflict("this competency is already signed off", code="already_signed_off"),
    )
    session.add(
        SignOffEvent(
            signoff_id=record.id,
            mentee_id=mentee.id,
            competency_id=competency.id,
            action="signed_off",
            by_id=signer.id,
            at=moment,
            reason=record.note,
        )
    )
    session.flush()
    return record


def revoke_sign_off(
    session: Session, user: User, signoff_id: int, reason: str, now: datetime | None = None
) -> SignOff:
    record = check_may_revoke(session, user, signoff_id)
    cleaned = text_field(reason, "reason", limit=REASON_MAX)
    if record.revoked_at is not None:
        raise Conflict("this sign-off was already revoked", code="already_revoked")
    moment = utc_now(now)
    record.revoked_at = moment
    record.revoked_by_id = user.id
    record.revoke_reason = cleaned
    session.add(
        SignOffEvent(
            signoff_id=record.id,
            mentee_id=record.mentee_id,
            competency_id=record.competency_id,
            action="revoked",
            by_id=user.id,
            at=moment,
            reason=cleaned,
        )
    )
    session.flush()
    return record


def describe_sign_off(record: SignOff) -> dict[str, Any]:
    return {
        "id": record.id,
        "mentee_id": record.mentee_id,
        "competency_id": record.competency_id,
        "booking_id": record.booking_id,
        "feedback_id": record.feedback_id,
        "signed_off_by": record.signed_by_id,
        "signed_off_at": record.signed_at.isoformat(),
        "note": record.note,
        "revoked_at": record.revoked_at.isoformat() if record.revoked_at else None,
        "revoked_by": record.revoked_by_id,
        "reason": record.revoke_reason or None,
    }


@dataclass
class CompetencyProgress:
    competency: Competency
    status: str  # signed_off | in_progress | not_started
    last_level: int | None
    signoff: SignOff | None


@dataclass
class Progress:
    mentee: User
    items: list[CompetencyProgress]
    history: list[SignOffEvent]

    @property
    def signed_off(self) -> int:
        return sum(1 for item in self.items if item.status == "signed_off")

    @property
    def total(self) -> int:
        return len(self.items)

    def by_specialty(self) -> list[tuple[str, list[CompetencyProgress]]]:
        """Groups for the page: general first, then each specialty by name."""
        groups: dict[str, list[CompetencyProgress]] = {}
        for item in self.items:
            spec = item.competency.specialty
            groups.setdefault(spec.name if spec else "General", []).append(item)
        return sorted(groups.items(), key=lambda kv: (kv[0] != "General", kv[0]))


def progress(session: Session, viewer: User, mentee_id: int) -> Progress:
    """Every competency that concerns the mentee (general ones, their specialties' ones and any
    they were rated or signed off on), with its status, and the full sign-off history."""
    mentee = get_mentee(session, mentee_id, viewer if viewer.is_coordinator else None)
    if not may_view_progress(session, viewer, mentee.id):
        raise Forbidden("a mentee's progress is seen by them, their mentors and coordinators")
    specialty_ids = set(
        session.scalars(
            select(MenteeSpecialty.specialty_id)
            .join(MenteeProfile, MenteeProfile.id == MenteeSpecialty.mentee_profile_id)
            .where(MenteeProfile.user_id == mentee.id)
        )
    )
    levels: dict[int, int] = {}
    for competency_id, level in session.execute(
        select(CompetencyRating.competency_id, CompetencyRating.level)
        .join(ShiftFeedback, ShiftFeedback.id == CompetencyRating.feedback_id)
        .join(Booking, Booking.id == ShiftFeedback.booking_id)
        .join(Shift, Shift.id == Booking.shift_id)
        .where(Booking.mentee_id == mentee.id)
        .order_by(Shift.end_at, ShiftFeedback.id)
    ):
        levels[competency_id] = level  # the latest shift's level wins
    signoffs = list(
        session.scalars(
            select(SignOff).where(SignOff.mentee_id == mentee.id).order_by(SignOff.signed_at)
        )
    )
    live = {s.competency_id: s for s in signoffs if s.revoked_at is None}
    touched = set(levels) | {s.competency_id for s in signoffs}
    items = []
    for competency in session.scalars(
        select(Competency).options(selectinload(Competency.specialty))
    ):
        concerned = competency.active and (
            competency.specialty_id is None or competency.specialty_id in specialty_ids
        )
        if not concerned and competency.id not in touched:
            continue
        if competency.id in live:
            status = "signed_off"
        elif competency.id in touched:
            status = "in_progress"
        else:
            status = "not_started"
        items.append(
            CompetencyProgress(
                competency, status, levels.get(competency.id), live.get(competency.id)
            )
        )
    items.sort(
        key=lambda i: (
            i.competency.specialty is not None,
            i.competency.specialty.name if i.competency.specialty else "",
            i.competency.code,
        )
    )
    history = list(
        session.scalars(
            select(SignOffEvent)
            .where(SignOffEvent.mentee_id == mentee.id)
            .options(selectinload(SignOffEvent.by), selectinload(SignOffEvent.competency))
            .order_by(SignOffEvent.at, SignOffEvent.id)
        )
    )
    return Progress(mentee, items, history)


def describe_progress(found: Progress) -> dict[str, Any]:
    return {
        "mentee_id": found.mentee.id,
        "signed_off": found.signed_off,
        "total": found.total,
        "competencies": [
            {
                "id": item.competency.id,
                "code": item.competency.code,
                "title": item.competency.title,
                "specialty": item.competency.specialty.slug if item.competency.specialty else None,
                "status": item.status,
                "last_level": item.last_level,
                "signed_off_at": item.signoff.signed_at.isoformat() if item.signoff else None,
                "signed_off_by": item.signoff.signed_by_id if item.signoff else None,
                "signoff_id": item.signoff.id if item.signoff else None,
            }
            for item in found.items
        ],
        "history": [
            {
                "competency_id": event.competency_id,
                "action": event.action,
                "by": event.by_id,
                "by_name": event.by.name if event.by else None,
                "at": event.at.isoformat(),
                "reason": event.reason or None,
            }
            for event in found.history
        ],
    }


def mentees_visible_to(session: Session, viewer: User) -> list[User]:
    """The mentees whose progress the viewer may open (for the /progress/ index)."""
    stmt = select(User).where(User.role == Role.MENTEE).order_by(User.name, User.id)
    if viewer.is_mentor:
        stmt = stmt.where(
            User.id.in_(select(Mentorship.mentee_id).where(Mentorship.mentor_id == viewer.id))
        )
    elif not viewer.is_coordinator:
        stmt = stmt.where(User.id == viewer.id)
    theirs = scopes.visible_people(session, viewer, User.id)
    if theirs is not None:  # a site-scoped coordinator: the mentees of their sites
        stmt = stmt.where(theirs)
    return list(session.scalars(stmt))
