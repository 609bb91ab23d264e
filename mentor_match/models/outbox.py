"""Background work kept in the database: the mail outbox, sent reminders, pending invitations."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from mentor_match.database import UTCDateTime, utcnow
from mentor_match.extensions import db


class MailState(enum.StrEnum):
    QUEUED = "queued"
    SENT = "sent"
    FAILED = "failed"


class OutboxMail(db.Model):
    """A mail written in the transaction of the change that caused it, delivered by the worker.

    A worker claims a row by setting `claim` and `claimed_until` with a conditional UPDATE;
    a row whose claim has expired (its worker died) is claimed again, so nothing is lost.
    """

    __tablename__ = "outbox_mails"
    __table_args__ = (
        CheckConstraint("state IN ('queued', 'sent', 'failed')", name="state_known"),
        Index("ix_outbox_mails_due", "state", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    to: Mapped[str] = mapped_column(Text)  # addresses separated by ", "
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    # The iTIP invite, sent both as the calendar alternative and as an attached invite.ics.
    ics: Mapped[str | None] = mapped_column(Text)
    ics_method: Mapped[str | None] = mapped_column(String(10))
    state: Mapped[str] = mapped_column(String(10), default=MailState.QUEUED.value)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claim: Mapped[str | None] = mapped_column(String(32))
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # When a coordinator last asked for it to be retried (a fresh day of retries from then).
    retried_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SentReminder(db.Model):
    """A reminder that went out: one per (booking, start) for mentees and per (shift, start)
    for the mentor. The unique key is what makes reminders exactly once."""

    __tablename__ = "sent_reminders"
    __table_args__ = (
        UniqueConstraint("kind", "ref_id", "starts_at", name="uq_sent_reminders_key"),
        CheckConstraint("kind IN ('booking', 'shift')", name="kind_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    ref_id: Mapped[int] = mapped_column(Integer)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PendingInvitation(db.Model):
    """A new account whose invitation the worker has yet to write (large imports)."""

    __tablename__ = "pending_invitations"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    base_url: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
