"""Matching modes: rankings from both sides, blocking pairs, self-select suggestions, requests."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mentor_match.database import UTCDateTime, utcnow
from mentor_match.extensions import db
from mentor_match.models.accounts import User


class RoundPreference(db.Model):
    """One person's ranking in a draft round: mentor ids for a mentee, mentee ids for a mentor.

    Whoever is left off is unacceptable to that person; no row means "rank by score".
    """

    __tablename__ = "round_preferences"
    __table_args__ = (UniqueConstraint("round_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("match_rounds.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    ranking: Mapped[list[int]] = mapped_column(JSON, default=list)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship()


class RoundBlockingPair(db.Model):
    """A mentee and mentor who would both rather be together than with whom the run gave them."""

    __tablename__ = "round_blocking_pairs"
    __table_args__ = (UniqueConstraint("round_id", "mentee_id", "mentor_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("match_rounds.id", ondelete="CASCADE"))
    mentee_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    mentor_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))


class MentorSuggestion(db.Model):
    """A mentor a published self-select round suggests to a mentee, with the pair's score."""

    __tablename__ = "mentor_suggestions"
    __table_args__ = (
        UniqueConstraint("round_id", "mentee_id", "mentor_id"),
        Index("ix_mentor_suggestions_mentee_id", "mentee_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("match_rounds.id", ondelete="CASCADE"))
    mentee_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    mentor_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    rank: Mapped[int] = mapped_column(Integer)
    score: Mapped[float] = mapped_column(Float)
    breakdown: Mapped[dict[str, float]] = mapped_column(JSON, default=dict)
    overlap_hours: Mapped[float] = mapped_column(Float, default=0.0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    mentor: Mapped[User] = relationship(foreign_keys=[mentor_id])


class RequestStatus(enum.StrEnum):
    OPEN = "open"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    EXPIRED = "expired"


class MentorRequest(db.Model):
    """A mentee asking a suggested mentor to take them; the mentor accepts or declines.

    A pair is asked at most once. An open request past ``expires_at`` counts as expired even
    before the sweep marks it.
    """

    __tablename__ = "mentor_requests"
    __table_args__ = (
        UniqueConstraint("mentee_id", "mentor_id"),
        CheckConstraint(
            "status IN ('open', 'accepted', 'declined', 'expired')", name="status_known"
        ),
        Index("ix_mentor_requests_mentor_id_status", "mentor_id", "status"),
        Index("ix_mentor_requests_mentee_id_status", "mentee_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    mentee_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    mentor_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    round_id: Mapped[int | None] = mapped_column(ForeignKey("match_rounds.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(20), default=RequestStatus.OPEN.value)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    mentee: Mapped[User] = relationship(foreign_keys=[mentee_id])
    mentor: Mapped[User] = relationship(foreign_keys=[mentor_id])
