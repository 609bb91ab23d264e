"""Uploaded CSV files held between the coordinator's preview and their confirmation."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from mentor_match.database import UTCDateTime, utcnow
from mentor_match.extensions import db


class PendingImport(db.Model):
    """A file a coordinator has previewed but not yet confirmed.

    Kept in the database (not on one server's disk) so that the confirming request may land on
    any app server; the random `key` travels in the confirm form, and only the uploader may use it.
    """

    __tablename__ = "pending_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    filename: Mapped[str] = mapped_column(String(255), default="")
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_by_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
