"""Site scopes: the sites and regions a coordinator is limited to, and the sites a round covers."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from mentor_match.extensions import db


class CoordinatorSite(db.Model):
    """A site a coordinator looks after. A coordinator with no site and no region is
    programme-wide."""

    __tablename__ = "coordinator_sites"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    site_id: Mapped[int] = mapped_column(
        ForeignKey("sites.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class CoordinatorRegion(db.Model):
    """A region a coordinator looks after: every site of that region, the later ones too."""

    __tablename__ = "coordinator_regions"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    region: Mapped[str] = mapped_column(String(120), primary_key=True)


class RoundSite(db.Model):
    """A site whose people a round matches. A round with no site matches the whole programme;
    a site-scoped coordinator's round covers their sites as they were when it was created."""

    __tablename__ = "round_sites"

    round_id: Mapped[int] = mapped_column(
        ForeignKey("match_rounds.id", ondelete="CASCADE"), primary_key=True
    )
    site_id: Mapped[int] = mapped_column(
        ForeignKey("sites.id", ondelete="CASCADE"), primary_key=True, index=True
    )
