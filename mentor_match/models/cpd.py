"""The CPD portfolio: certification details, CE activities with certificates, the cycle rules
and the recertification reminders already sent."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mentor_match.database import UTCDateTime, utcnow
from mentor_match.extensions import db
from mentor_match.models.accounts import User


class Certification(db.Model):
    """A certified technician's numbers and the last day of their current recertification cycle."""

    __tablename__ = "certifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    ptcb_number: Mapped[str | None] = mapped_column(String(12))
    nabp_eprofile_id: Mapped[str | None] = mapped_column(String(12))
    cycle_ends_on: Mapped[date | None] = mapped_column(Date, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    user: Mapped[User] = relationship()


class CeActivity(db.Model):
    """A continuing-education activity a technician completed, with its optional certificate."""

    __tablename__ = "ce_activities"
    __table_args__ = (
        CheckConstraint("hours > 0 AND hours <= 40", name="hours_range"),
        CheckConstraint("kind IN ('ce', 'college', 'other')", name="kind_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    provider: Mapped[str] = mapped_column(String(200))
    completed_on: Mapped[date] = mapped_column(Date)
    hours: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    kind: Mapped[str] = mapped_column(String(10), default="ce")
    uan: Mapped[str | None] = mapped_column(String(22))
    reflection: Mapped[str] = mapped_column(Text, default="")
    # The certificate's bytes live in the instance folder under `certificate_key`, never in
    # the web root; the name is the one the person uploaded, shown back to them.
    certificate_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    certificate_name: Mapped[str | None] = mapped_column(String(200))
    certificate_type: Mapped[str | None] = mapped_column(String(40))
    certificate_size: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    user: Mapped[User] = relationship()


class CpdRuleSet(db.Model):
    """The recertification rule set in force (one row; PTCB's rules until a coordinator edits)."""

    __tablename__ = "cpd_rule_sets"

    id: Mapped[int] = mapped_column(primary_key=True)
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class CpdReminder(db.Model):
    """A recertification reminder sent: one per person, cycle end and threshold (100/60/30 days)."""

    __tablename__ = "cpd_reminders"
    __table_args__ = (
        UniqueConstraint("user_id", "cycle_ends_on", "days_before", name="once_per_threshold"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    cycle_ends_on: Mapped[date] = mapped_column(Date)
    days_before: Mapped[int] = mapped_column(Integer)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
