"""Match rounds: settings, the solver's proposal, pins, exclusions, and published mentorships."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mentor_match.database import UTCDateTime, utcnow
from mentor_match.extensions import db
from mentor_match.matching.records import DEFAULT_MIN_OVERLAP_HOURS
from mentor_match.models.accounts import User


class RoundStatus(enum.StrEnum):
    DRAFT = "draft"
    RUNNING = "running"
    PROPOSED = "proposed"
    PUBLISHED = "published"
    FAILED = "failed"


class MatchRound(db.Model):
    """One run of the matcher over the current pool, from draft to published."""

    __tablename__ = "match_rounds"
    __table_args__ = (
        CheckConstraint(
            "status IN ('draft', 'running', 'proposed', 'published', 'failed')",
            name="status_known",
        ),
        CheckConstraint("min_overlap_hours >= 0", name="min_overlap_positive"),
        CheckConstraint("mode IN ('optimal', 'stable', 'self_select')", name="mode_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), default=RoundStatus.DRAFT.value)
    weights: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    min_overlap_hours: Mapped[float] = mapped_column(Float, default=DEFAULT_MIN_OVERLAP_HOURS)
    stats: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # The proposal this round had before its latest run (pairs and counts), so the review can
    # say what a re-run changed.
    previous_run: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    progress_stage: Mapped[str] = mapped_column(String(40), default="")
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    error: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Written every few seconds by the worker running the round; a run whose heartbeat stops
    # (its worker died) is failed by the sweep instead of staying "running".
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Matching modes: how the round matches, its fairness option, self-select suggestions per
    # mentee, and when the coordinator closed the preference window.
    mode: Mapped[str] = mapped_column(String(20), default="optimal", server_default="optimal")
    raise_lowest: Mapped[bool] = mapped_column(default=False, server_default=false())
    suggestions: Mapped[int] = mapped_column(Integer, default=3, server_default="3")
    preferences_closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    created_by: Mapped[User | None] = relationship()
    matches: Mapped[list[ProposedMatch]] = relationship(
        cascade="all, delete-orphan", order_by="ProposedMatch.id"
    )
    unmatched: Mapped[list[UnmatchedMentee]] = relationship(
        cascade="all, delete-orphan", order_by="UnmatchedMentee.id"
    )
    pins: Mapped[list[RoundPin]] = relationship(cascade="all, delete-orphan")
    exclusions: Mapped[list[RoundExclusion]] = relationship(cascade="all, delete-orphan")


class ProposedMatch(db.Model):
    """A pair in a round's proposal, with the score breakdown the solver used."""

    __tablename__ = "proposed_matches"
    __table_args__ = (UniqueConstraint("round_id", "mentee_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("match_rounds.id", ondelete="CASCADE"))
    mentee_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    mentor_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    score: Mapped[float] = mapped_column(Float)
    breakdown: Mapped[dict[str, float]] = mapped_column(JSON, default=dict)
    pinned: Mapped[bool] = mapped_column(default=False)

    mentee: Mapped[User] = relationship(foreign_keys=[mentee_id])
    mentor: Mapped[User] = relationship(foreign_keys=[mentor_id])


class UnmatchedMentee(db.Model):
    """A mentee the round could not place, and why."""

    __tablename__ = "unmatched_mentees"
    __table_args__ = (UniqueConstraint("round_id", "mentee_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("match_rounds.id", ondelete="CASCADE"))
    mentee_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(String(40))
    message: Mapped[str] = mapped_column(Text, default="")
    mentor_ids: Mapped[list[int]] = mapped_column(JSON, default=list)

    mentee: Mapped[User] = relationship()


class RoundPin(db.Model):
    """A pair the coordinator forces into the round."""

    __tablename__ = "round_pins"
    __table_args__ = (UniqueConstraint("round_id", "mentee_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("match_rounds.id", ondelete="CASCADE"))
    mentee_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    mentor_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RoundExclusion(db.Model):
    """A pair the coordinator rules out of the round."""

    __tablename__ = "round_exclusions"
    __table_args__ = (UniqueConstraint("round_id", "mentee_id", "mentor_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("match_rounds.id", ondelete="CASCADE"))
    mentee_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    mentor_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Mentorship(db.Model):
    """A published pair. Active while `ended_at` is empty; a pair is never matched twice."""

    __tablename__ = "mentorships"
    __table_args__ = (
        UniqueConstraint("mentor_id", "mentee_id"),
        Index("ix_mentorships_mentee_id", "mentee_id"),
        # The dashboard's places used per mentor at a date, read from the index alone.
        Index("ix_mentorships_mentor_dates", "mentor_id", "created_at", "ended_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    mentor_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    mentee_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    round_id: Mapped[int | None] = mapped_column(ForeignKey("match_rounds.id", ondelete="SET NULL"))
    score: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    mentor: Mapped[User] = relationship(foreign_keys=[mentor_id])
    mentee: Mapped[User] = relationship(foreign_keys=[mentee_id])
