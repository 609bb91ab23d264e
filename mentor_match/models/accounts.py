"""Accounts: users and their roles, API tokens, calendar feed tokens and login attempts."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from mentor_match.database import UTCDateTime, utcnow
from mentor_match.extensions import db

if TYPE_CHECKING:
    from mentor_match.models.people import AvailabilityWindow, MenteeProfile, MentorProfile


# How new passwords are hashed: scrypt in production. The test suite sets a cheap method through
# the PASSWORD_HASH_METHOD setting (create_app writes it here) so thousands of test accounts do
# not spend most of the suite's time hashing; existing hashes verify whatever their method.
PASSWORD_HASH_METHOD = ["scrypt"]


class Role(enum.StrEnum):
    COORDINATOR = "coordinator"
    MENTOR = "mentor"
    MENTEE = "mentee"


class User(UserMixin, db.Model):
    """A person with an account: a coordinator, a mentor (preceptor) or a mentee (technician)."""

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(
            "role IN ('coordinator', 'mentor', 'mentee')",
            name="role_known",
        ),
        CheckConstraint("email = lower(email)", name="email_lower_case"),
        # The participant lists (one role, by name, a page at a time) and the exports (one
        # role, by email, a page after the last email) walk these in order.
        Index("ix_users_role_name", "role", "name", "id"),
        Index("ix_users_role_email", "role", "email"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Emails are stored lower-cased (checked above), which makes the unique index case-insensitive.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    mentor_profile: Mapped[MentorProfile | None] = relationship(
        back_populates="user", uselist=False, cascade="all, delete-orphan"
    )
    mentee_profile: Mapped[MenteeProfile | None] = relationship(
        back_populates="user", uselist=False, cascade="all, delete-orphan"
    )
    windows: Mapped[list[AvailabilityWindow]] = relationship(
        back_populates="user",
        cascade="all, delete-orphan",
        order_by="(AvailabilityWindow.weekday, AvailabilityWindow.start_minute)",
    )

    # Flask-Login
    @property
    def is_active(self) -> bool:  # type: ignore[override]
        return bool(self.active)

    def get_id(self) -> str:
        return str(self.id)

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password, method=PASSWORD_HASH_METHOD[0])

    def check_password(self, password: str) -> bool:
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)

    @property
    def is_coordinator(self) -> bool:
        return self.role == Role.COORDINATOR

    @property
    def is_mentor(self) -> bool:
        return self.role == Role.MENTOR

    @property
    def is_mentee(self) -> bool:
        return self.role == Role.MENTEE

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email} {self.role}>"


class LoginSession(db.Model):
    """A signed-in browser. The cookie holds only a random id whose hash is kept here, so
    signing out (or changing the password) really ends a session, even if its cookie is kept."""

    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    address: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ApiToken(db.Model):
    """A personal API token. Only its SHA-256 is stored; the token itself is shown once."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class CalendarToken(db.Model):
    """The secret in a person's calendar feed URL; stored hashed, replaced on rotation.

    The token is an HMAC of `seed` (256 random bits) under the app's secret key: the feed page
    can show the same URL again, while the database alone (seed and hash) does not reveal it.
    """

    __tablename__ = "calendar_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    seed: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship()


class LoginAttempt(db.Model):
    """A failed login, kept in the database so the limit holds across every app server."""

    __tablename__ = "login_attempts"
    __table_args__ = (
        Index("ix_login_attempts_email_at", "email", "attempted_at"),
        Index("ix_login_attempts_address_at", "address", "attempted_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    address: Mapped[str] = mapped_column(String(64))
    attempted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
