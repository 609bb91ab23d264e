"""Participants: sites, specialties, mentor and mentee profiles, and weekly availability."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, Column, ForeignKey, Index, Integer, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mentor_match.extensions import db

if TYPE_CHECKING:
    from mentor_match.models.accounts import User


class Site(db.Model):
    """A pharmacy or hospital site; its time zone is the default for people working there."""

    __tablename__ = "sites"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    region: Mapped[str] = mapped_column(String(120))
    timezone: Mapped[str] = mapped_column(String(64))


class Specialty(db.Model):
    """A practice area a mentor teaches or a mentee wants to learn."""

    __tablename__ = "specialties"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)


mentor_specialties = Table(
    "mentor_specialties",
    db.metadata,
    Column(
        "mentor_profile_id",
        ForeignKey("mentor_profiles.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("specialty_id", ForeignKey("specialties.id", ondelete="CASCADE"), primary_key=True),
    # The mentors of a specialty (a mentee's possible candidates) without reading them all.
    Index("ix_mentor_specialties_specialty", "specialty_id", "mentor_profile_id"),
)


class MentorProfile(db.Model):
    """What a mentor offers: where, in which specialties, and to how many mentees at once."""

    __tablename__ = "mentor_profiles"
    __table_args__ = (CheckConstraint("capacity BETWEEN 1 AND 10", name="capacity_range"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id"), index=True)
    capacity: Mapped[int] = mapped_column(Integer, default=2)
    credentials: Mapped[str] = mapped_column(String(200), default="")
    years_experience: Mapped[int | None] = mapped_column(Integer)
    bio: Mapped[str] = mapped_column(Text, default="")

    user: Mapped[User] = relationship(back_populates="mentor_profile")
    site: Mapped[Site | None] = relationship()
    specialties: Mapped[list[Specialty]] = relationship(
        secondary=mentor_specialties, order_by=Specialty.slug
    )


class MenteeProfile(db.Model):
    """What a mentee wants to learn, ranked, and which mentors they would prefer."""

    __tablename__ = "mentee_profiles"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id"), index=True)
    goals: Mapped[str] = mapped_column(Text, default="")

    user: Mapped[User] = relationship(back_populates="mentee_profile")
    site: Mapped[Site | None] = relationship()
    ranked_specialties: Mapped[list[MenteeSpecialty]] = relationship(
        cascade="all, delete-orphan", order_by="MenteeSpecialty.rank"
    )
    preferences: Mapped[list[MenteePreference]] = relationship(
        cascade="all, delete-orphan", order_by="MenteePreference.rank"
    )

    @property
    def specialties(self) -> list[Specialty]:
        return [item.specialty for item in self.ranked_specialties]

    @property
    def preferred_mentor_emails(self) -> list[str]:
        return [item.mentor_email for item in self.preferences]


class MenteeSpecialty(db.Model):
    """One of a mentee's specialties; rank 1 is the one they want most."""

    __tablename__ = "mentee_specialties"
    __table_args__ = (CheckConstraint("rank >= 1", name="rank_positive"),)

    mentee_profile_id: Mapped[int] = mapped_column(
        ForeignKey("mentee_profiles.id", ondelete="CASCADE"), primary_key=True
    )
    specialty_id: Mapped[int] = mapped_column(
        ForeignKey("specialties.id", ondelete="CASCADE"), primary_key=True
    )
    rank: Mapped[int] = mapped_column(Integer)

    specialty: Mapped[Specialty] = relationship()


class MenteePreference(db.Model):
    """A mentor the mentee would like, by email (the mentor may be imported after the mentee)."""

    __tablename__ = "mentee_preferences"
    __table_args__ = (CheckConstraint("rank >= 1", name="rank_positive"),)

    mentee_profile_id: Mapped[int] = mapped_column(
        ForeignKey("mentee_profiles.id", ondelete="CASCADE"), primary_key=True
    )
    mentor_email: Mapped[str] = mapped_column(String(254), primary_key=True)
    rank: Mapped[int] = mapped_column(Integer)


class AvailabilityWindow(db.Model):
    """A weekly window in the person's own time zone (weekday 0 = Monday; minutes from midnight)."""

    __tablename__ = "availability_windows"
    __table_args__ = (
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday_range"),
        CheckConstraint("start_minute >= 0 AND start_minute < 1440", name="start_range"),
        CheckConstraint("end_minute > start_minute AND end_minute <= 1440", name="end_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    weekday: Mapped[int] = mapped_column(Integer)
    start_minute: Mapped[int] = mapped_column(Integer)
    end_minute: Mapped[int] = mapped_column(Integer)

    user: Mapped[User] = relationship(back_populates="windows")
