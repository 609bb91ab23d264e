"""Builders for round tests: people with availability, sites and preferences."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from flask import Flask

WEEKDAYS_9_TO_5 = tuple((d, 9 * 60, 17 * 60) for d in range(5))


def add_person(
    app: Flask,
    make_user: Callable[..., int],
    role: str,
    *,
    windows: Sequence[tuple[int, int, int]] = WEEKDAYS_9_TO_5,
    site: tuple[str, str] | None = None,
    preferred: Sequence[str] = (),
    **kwargs,
) -> int:
    """A mentor or mentee with weekly windows (weekday, start minute, end minute)."""
    from mentor_match.extensions import db
    from mentor_match.models import AvailabilityWindow, MenteePreference, Site, User

    user_id = make_user(role, **kwargs)
    with app.app_context():
        user = db.session.get(User, user_id)
        for weekday, start, end in windows:
            db.session.add(
                AvailabilityWindow(
                    user_id=user_id, weekday=weekday, start_minute=start, end_minute=end
                )
            )
        profile = user.mentor_profile or user.mentee_profile
        if site is not None:
            found = db.session.query(Site).filter_by(name=site[0]).one_or_none()
            profile.site = found or Site(name=site[0], region=site[1], timezone=user.timezone)
        for rank, email in enumerate(preferred, 1):
            profile.preferences.append(MenteePreference(mentor_email=email, rank=rank))
        db.session.commit()
    return user_id
