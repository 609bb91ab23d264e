"""The models' enumerations that the pages and the API may name (roles and statuses): the one
way `web/` and `api/` reach `mentor_match.models`; everything else goes through the services."""

from mentor_match.models.accounts import Role
from mentor_match.models.rounds import RoundStatus
from mentor_match.models.shifts import BookingStatus, ShiftStatus

__all__ = ["BookingStatus", "Role", "RoundStatus", "ShiftStatus"]
