"""Guidance and feedback: competencies, feedback and reflections on attended shifts, sign-offs,
and the mentorship agreement (goals, check-ins, evaluations)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mentor_match.database import UTCDateTime, utcnow
from mentor_match.extensions import db
from mentor_match.models.accounts import User
from mentor_match.models.people import Specialty
from mentor_match.models.rounds import Mentorship
from mentor_match.models.shifts import Booking


class Competency(db.Model):
    """Something a mentee learns to do; general when it has no specialty. Retired ones stay
    (inactive) so the feedback and sign-offs that name them keep their meaning."""

    __tablename__ = "competencies"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    title: Mapped[str] = mapped_column(String(160))
    description: Mapped[str] = mapped_column(Text, default="")
    specialty_id: Mapped[int | None] = mapped_column(
        ForeignKey("specialties.id", ondelete="SET NULL"), index=True
    )
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    specialty: Mapped[Specialty | None] = relationship()


class ShiftFeedback(db.Model):
    """The shift's mentor's feedback on one attended booking: at most one per booking."""

    __tablename__ = "shift_feedback"

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(
        ForeignKey("bookings.id", ondelete="CASCADE"), unique=True
    )
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    strengths: Mapped[str] = mapped_column(Text, default="")
    next_steps: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    booking: Mapped[Booking] = relationship()
    author: Mapped[User] = relationship(foreign_keys=[author_id])
    ratings: Mapped[list[CompetencyRating]] = relationship(
        cascade="all, delete-orphan", order_by="CompetencyRating.competency_id"
    )


class CompetencyRating(db.Model):
    """One competency the shift touched, at one of the four levels."""

    __tablename__ = "competency_ratings"
    __table_args__ = (CheckConstraint("level BETWEEN 1 AND 4", name="level_range"),)

    feedback_id: Mapped[int] = mapped_column(
        ForeignKey("shift_feedback.id", ondelete="CASCADE"), primary_key=True
    )
    competency_id: Mapped[int] = mapped_column(
        ForeignKey("competencies.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    level: Mapped[int] = mapped_column(Integer)

    competency: Mapped[Competency] = relationship()


class Reflection(db.Model):
    """The mentee's own reflection on an attended shift; the rating and comment are private to
    the mentee and coordinators (a mentor sees only a count and an average of three or more)."""

    __tablename__ = "reflections"
    __table_args__ = (CheckConstraint("session_rating BETWEEN 1 AND 5", name="rating_range"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(
        ForeignKey("bookings.id", ondelete="CASCADE"), unique=True
    )
    mentee_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    mentor_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    learned: Mapped[str] = mapped_column(Text)
    apply: Mapped[str] = mapped_column(Text)
    session_rating: Mapped[int] = mapped_column(Integer)
    comment_to_coordinator: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    booking: Mapped[Booking] = relationship()


class SignOff(db.Model):
    """A competency signed off as demonstrated by a mentee. Revoking keeps the row (with who,
    when and why); at most one live sign-off per mentee and competency."""

    __tablename__ = "signoffs"
    __table_args__ = (
        Index(
            "uq_signoffs_live",
            "mentee_id",
            "competency_id",
            unique=True,
            sqlite_where=text("revoked_at IS NULL"),
            postgresql_where=text("revoked_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    mentee_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    competency_id: Mapped[int] = mapped_column(ForeignKey("competencies.id", ondelete="CASCADE"))
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("bookings.id", ondelete="SET NULL"))
    feedback_id: Mapped[int | None] = mapped_column(
        ForeignKey("shift_feedback.id", ondelete="SET NULL")
    )
    signed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    note: Mapped[str] = mapped_column(Text, default="")
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    revoke_reason: Mapped[str] = mapped_column(Text, default="")

    competency: Mapped[Competency] = relationship()
    signed_by: Mapped[User] = relationship(foreign_keys=[signed_by_id])
    revoked_by: Mapped[User | None] = relationship(foreign_keys=[revoked_by_id])


class SignOffEvent(db.Model):
    """The audit trail: every sign-off and revocation, never changed or deleted."""

    __tablename__ = "signoff_events"
    __table_args__ = (
        CheckConstraint("action IN ('signed_off', 'revoked')", name="action_known"),
        Index("ix_signoff_events_mentee_at", "mentee_id", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    signoff_id: Mapped[int] = mapped_column(ForeignKey("signoffs.id", ondelete="CASCADE"))
    mentee_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    competency_id: Mapped[int] = mapped_column(ForeignKey("competencies.id", ondelete="CASCADE"))
    action: Mapped[str] = mapped_column(String(20))
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reason: Mapped[str] = mapped_column(Text, default="")

    by: Mapped[User | None] = relationship(foreign_keys=[by_id])
    competency: Mapped[Competency] = relationship()


class Goal(db.Model):
    """A goal in a mentorship agreement."""

    __tablename__ = "mentorship_goals"
    __table_args__ = (CheckConstraint("status IN ('open', 'met', 'dropped')", name="status_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    mentorship_id: Mapped[int] = mapped_column(
        ForeignKey("mentorships.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    target_date: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default="open")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    mentorship: Mapped[Mentorship] = relationship()


class CheckIn(db.Model):
    """A meeting of mentor and mentee, logged by either."""

    __tablename__ = "mentorship_checkins"
    __table_args__ = (CheckConstraint("minutes BETWEEN 1 AND 600", name="minutes_range"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    mentorship_id: Mapped[int] = mapped_column(
        ForeignKey("mentorships.id", ondelete="CASCADE"), index=True
    )
    held_on: Mapped[date] = mapped_column(Date)
    minutes: Mapped[int] = mapped_column(Integer)
    notes: Mapped[str] = mapped_column(Text, default="")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author: Mapped[User | None] = relationship()


class Evaluation(db.Model):
    """One party's midpoint or final evaluation of the other: one per party and stage."""

    __tablename__ = "mentorship_evaluations"
    __table_args__ = (
        UniqueConstraint("mentorship_id", "stage", "author_id"),
        CheckConstraint("stage IN ('midpoint', 'final')", name="stage_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    mentorship_id: Mapped[int] = mapped_column(
        ForeignKey("mentorships.id", ondelete="CASCADE"), index=True
    )
    stage: Mapped[str] = mapped_column(String(10))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    ratings: Mapped[dict] = mapped_column(JSON)
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author: Mapped[User] = relationship()


class TaskReminder(db.Model):
    """A reminder (or a coordinator's nudge) sent for an overdue task: at most one per task,
    person and day, so running the daily reminder twice mails nobody twice."""

    __tablename__ = "task_reminders"
    __table_args__ = (UniqueConstraint("user_id", "task_key", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    task_key: Mapped[str] = mapped_column(String(60))
    day: Mapped[date] = mapped_column(Date)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
