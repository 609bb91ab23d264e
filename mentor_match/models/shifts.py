"""Shadowing shifts that mentors publish, and mentees' bookings of them."""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mentor_match.database import UTCDateTime, utcnow
from mentor_match.extensions import db
from mentor_match.models.accounts import User
from mentor_match.models.people import Specialty

#: The most seats a shift offers.
MAX_SEATS = 50
#: The longest a shift lasts, and so the most hours one attendance counts.
MAX_SHIFT_HOURS = 24


class ShiftStatus(enum.StrEnum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


class BookingStatus(enum.StrEnum):
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"


class Shift(db.Model):
    """A time a mentor can be shadowed, with a number of seats.

    `seats_taken` is the counter that bookings change with a conditional UPDATE; the check
    constraint is the database's own backstop against overbooking.
    """

    __tablename__ = "shifts"
    __table_args__ = (
        CheckConstraint(f"seats >= 1 AND seats <= {MAX_SEATS}", name="seats_range"),
        CheckConstraint("seats_taken >= 0 AND seats_taken <= seats", name="seats_not_overbooked"),
        CheckConstraint("end_at > start_at", name="ends_after_start"),
        CheckConstraint("status IN ('scheduled', 'cancelled')", name="status_known"),
        Index("ix_shifts_mentor_start", "mentor_id", "start_at"),
        # By start time, carrying what the dashboard's weekly figures read of each shift (so
        # they never touch the table).
        Index(
            "ix_shifts_start_dashboard", "start_at", "status", "mentor_id", "seats", "specialty_id"
        ),
        # The shifts that ended within the dashboard's dates (feedback owed), by mentor.
        Index("ix_shifts_end_mentor", "end_at", "mentor_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    mentor_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    start_at: Mapped[datetime] = mapped_column(UTCDateTime)
    end_at: Mapped[datetime] = mapped_column(UTCDateTime)
    seats: Mapped[int] = mapped_column(Integer)
    seats_taken: Mapped[int] = mapped_column(Integer, default=0)
    location: Mapped[str] = mapped_column(String(200), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    specialty_id: Mapped[int | None] = mapped_column(ForeignKey("specialties.id"))
    open_to_all: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(20), default=ShiftStatus.SCHEDULED.value)
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    series_id: Mapped[str | None] = mapped_column(String(36), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    mentor: Mapped[User] = relationship()
    specialty: Mapped[Specialty | None] = relationship()
    bookings: Mapped[list[Booking]] = relationship(
        back_populates="shift", order_by="Booking.id", cascade="all, delete-orphan"
    )

    @property
    def seats_left(self) -> int:
        return self.seats - self.seats_taken

    @property
    def is_cancelled(self) -> bool:
        return self.status == ShiftStatus.CANCELLED

    @property
    def phase(self) -> str:
        """What a person reads: cancelled, scheduled, in progress or ended (by the clock now)."""
        if self.is_cancelled:
            return "cancelled"
        now = utcnow()
        if now < self.start_at:
            return "scheduled"
        return "in progress" if now < self.end_at else "ended"


class Booking(db.Model):
    """A mentee's seat (or place on the waitlist) on a shift, and later their attendance."""

    __tablename__ = "bookings"
    __table_args__ = (
        CheckConstraint("status IN ('confirmed', 'waitlisted', 'cancelled')", name="status_known"),
        CheckConstraint(
            f"hours IS NULL OR (hours >= 0 AND hours <= {MAX_SHIFT_HOURS})", name="hours_range"
        ),
        # One live booking per mentee and shift, whatever the race.
        Index(
            "uq_bookings_live_mentee_shift",
            "shift_id",
            "mentee_id",
            unique=True,
            sqlite_where=text("status != 'cancelled'"),
            postgresql_where=text("status != 'cancelled'"),
        ),
        Index("ix_bookings_mentee_status", "mentee_id", "status"),
        # Covers the dashboard's per-shift booking figures without reading the table.
        Index("ix_bookings_dashboard", "shift_id", "status", "attended", "hours", "mentee_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shift_id: Mapped[int] = mapped_column(ForeignKey("shifts.id", ondelete="CASCADE"), index=True)
    mentee_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(20))
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attended: Mapped[bool | None] = mapped_column(Boolean)
    hours: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    attendance_recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Who recorded the attendance (the shift's mentor or a coordinator): hours are a record.
    attendance_recorded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )

    shift: Mapped[Shift] = relationship(back_populates="bookings")
    mentee: Mapped[User] = relationship(foreign_keys=[mentee_id])
    attendance_recorded_by: Mapped[User | None] = relationship(
        foreign_keys=[attendance_recorded_by_id]
    )
