"""The pool of a round: who can be matched, loaded from the database as plain records."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Select, and_, exists, func, or_, select, true
from sqlalchemy.orm import Session

from mentor_match.database import among
from mentor_match.matching import (
    Mentee,
    Mentor,
    RoundInput,
    Window,
)
from mentor_match.models import (
    AvailabilityWindow,
    MatchRound,
    MenteePreference,
    MenteeProfile,
    MenteeSpecialty,
    MentorProfile,
    Mentorship,
    Role,
    RoundExclusion,
    RoundPin,
    Site,
    Specialty,
    User,
    mentor_specialties,
)
from mentor_match.services.rounds.definition import stored_weights
from mentor_match.services.scopes import round_site_ids


@dataclass(frozen=True)
class Pool:
    """Who a round would match now: the solver's input plus names for explanations."""

    data: RoundInput
    names: dict[int, str]


def _active_counts():  # noqa: ANN202
    return (
        select(Mentorship.mentor_id, func.count().label("active"))
        .where(Mentorship.ended_at.is_(None))
        .group_by(Mentorship.mentor_id)
        .subquery()
    )


def pool_mentees_stmt():  # noqa: ANN202
    current = select(Mentorship.id).where(
        Mentorship.mentee_id == User.id, Mentorship.ended_at.is_(None)
    )
    return (
        select(
            User.id, User.name, User.email, User.timezone, MenteeProfile.id, Site.name, Site.region
        )
        .join(MenteeProfile, MenteeProfile.user_id == User.id)
        .outerjoin(Site, Site.id == MenteeProfile.site_id)
        .where(User.role == Role.MENTEE.value, User.active.is_(True), ~current.exists())
    )


def pool_mentors_stmt(*, with_full: bool = False):  # noqa: ANN202
    """Active mentors with places left; `with_full` adds the full ones (0 places) so an
    unmatched mentee is told "every compatible mentor is full", naming them, rather than
    "no mentor shares a specialty"."""
    active = _active_counts()
    remaining = MentorProfile.capacity - func.coalesce(active.c.active, 0)
    return (
        select(
            User.id,
            User.name,
            User.email,
            User.timezone,
            MentorProfile.id,
            Site.name,
            Site.region,
            remaining.label("places_left"),
        )
        .join(MentorProfile, MentorProfile.user_id == User.id)
        .outerjoin(Site, Site.id == MentorProfile.site_id)
        .outerjoin(active, active.c.mentor_id == User.id)
        .where(User.role == Role.MENTOR.value, User.active.is_(True))
        .where(true() if with_full else remaining > 0)
    )


def _could_mentor(stmt: Select, match_round: MatchRound, mentee_id: int) -> Select:
    """`stmt` (the pool's mentors) narrowed to those who can be the mentee's candidates: with
    places left and a specialty in common (no pair is feasible without both), or pinned to
    them, or among their preferred mentors (a preference's rank counts every preferred mentor
    in the pool). One pass over the mentors, their places worked out once."""
    wanted = (
        select(MenteeSpecialty.specialty_id)
        .join(MenteeProfile, MenteeProfile.id == MenteeSpecialty.mentee_profile_id)
        .where(MenteeProfile.user_id == mentee_id)
    )
    shares = exists().where(
        mentor_specialties.c.mentor_profile_id == MentorProfile.id,
        mentor_specialties.c.specialty_id.in_(wanted),
    )
    pinned = select(RoundPin.mentor_id).where(
        RoundPin.round_id == match_round.id, RoundPin.mentee_id == mentee_id
    )
    preferred = (
        select(User.id)
        .join(MenteePreference, func.lower(MenteePreference.mentor_email) == User.email)
        .join(MenteeProfile, MenteeProfile.id == MenteePreference.mentee_profile_id)
        .where(MenteeProfile.user_id == mentee_id)
    )
    return stmt.where(
        or_(
            and_(stmt.selected_columns.places_left > 0, shares),
            User.id.in_(pinned),
            User.id.in_(preferred),
        )
    )


def _windows(
    session: Session, role: str, user_ids: set[int] | None = None
) -> dict[int, list[Window]]:
    """The weekly windows of every active person of `role`, or of `user_ids` (people already
    read as the pool's, so their role is not checked again)."""
    out: dict[int, list[Window]] = defaultdict(list)
    stmt = select(
        AvailabilityWindow.user_id,
        AvailabilityWindow.weekday,
        AvailabilityWindow.start_minute,
        AvailabilityWindow.end_minute,
    )
    if user_ids is None:
        stmt = stmt.join(User, User.id == AvailabilityWindow.user_id).where(
            User.role == role, User.active.is_(True)
        )
    else:
        stmt = stmt.where(among(session, AvailabilityWindow.user_id, user_ids))
    rows = session.execute(
        stmt.order_by(
            AvailabilityWindow.user_id, AvailabilityWindow.weekday, AvailabilityWindow.start_minute
        )
    )
    for user_id, weekday, start, end in rows:
        out[user_id].append(Window(weekday, start, end))
    return out


def load_round_input(
    session: Session,
    match_round: MatchRound,
    mentee_ids: Iterable[int] | None = None,
    candidates_of: int | None = None,
) -> Pool:
    """The round's pool as plain records, read with a few set-based queries.

    The pool is every active mentee without a current mentorship and every active mentor
    with places left (capacity minus current mentorships). ``mentee_ids`` narrows the
    mentees (for one mentee's candidates); ``candidates_of`` (a mentee's id) narrows the
    mentors to those who could be that mentee's candidates; by default they are all of them.
    """
    wanted = set(mentee_ids) if mentee_ids is not None else None
    narrowed = candidates_of is not None
    mentee_stmt = pool_mentees_stmt()
    mentor_stmt = pool_mentors_stmt(with_full=True)
    if wanted is not None:
        mentee_stmt = mentee_stmt.where(User.id.in_(wanted))
    # A site-scoped coordinator's round matches the people of its sites only.
    site_ids = round_site_ids(session, match_round.id)
    if site_ids is not None:
        mentee_stmt = mentee_stmt.where(MenteeProfile.site_id.in_(site_ids))
        mentor_stmt = mentor_stmt.where(MentorProfile.site_id.in_(site_ids))
    mentee_rows = session.execute(mentee_stmt.order_by(User.id)).all()
    if narrowed:
        mentor_stmt = _could_mentor(mentor_stmt, match_round, candidates_of)
    mentor_rows = session.execute(mentor_stmt.order_by(User.id)).all()

    mentor_id_by_profile = {r[4]: r[0] for r in mentor_rows}
    mentee_id_by_profile = {r[4]: r[0] for r in mentee_rows}
    mentor_by_email = {r[2]: r[0] for r in mentor_rows}

    mentor_specs: dict[int, list[str]] = defaultdict(list)
    mentor_spec_stmt = (
        select(mentor_specialties.c.mentor_profile_id, Specialty.slug)
        .join(Specialty, Specialty.id == mentor_specialties.c.specialty_id)
        .order_by(mentor_specialties.c.mentor_profile_id, Specialty.slug)
    )
    if narrowed:
        mentor_spec_stmt = mentor_spec_stmt.where(
            among(session, mentor_specialties.c.mentor_profile_id, mentor_id_by_profile)
        )
    for profile_id, slug in session.execute(mentor_spec_stmt):
        if profile_id in mentor_id_by_profile:
            mentor_specs[mentor_id_by_profile[profile_id]].append(slug)

    mentee_specs: dict[int, list[str]] = defaultdict(list)
    spec_stmt = (
        select(MenteeSpecialty.mentee_profile_id, Specialty.slug)
        .join(Specialty, Specialty.id == MenteeSpecialty.specialty_id)
        .order_by(MenteeSpecialty.mentee_profile_id, MenteeSpecialty.rank)
    )
    pref_stmt = select(MenteePreference.mentee_profile_id, MenteePreference.mentor_email).order_by(
        MenteePreference.mentee_profile_id, MenteePreference.rank
    )
    if wanted is not None:
        profiles = list(mentee_id_by_profile)
        spec_stmt = spec_stmt.where(MenteeSpecialty.mentee_profile_id.in_(profiles))
        pref_stmt = pref_stmt.where(MenteePreference.mentee_profile_id.in_(profiles))
    for profile_id, slug in session.execute(spec_stmt):
        if profile_id in mentee_id_by_profile:
            mentee_specs[mentee_id_by_profile[profile_id]].append(slug)
    preferred: dict[int, list[int]] = defaultdict(list)
    for profile_id, email in session.execute(pref_stmt):
        mentor_id = mentor_by_email.get(email.lower())
        mentee_id = mentee_id_by_profile.get(profile_id)
        if (
            mentor_id is not None
            and mentee_id is not None
            and mentor_id not in preferred[mentee_id]
        ):
            preferred[mentee_id].append(mentor_id)

    if wanted is not None:
        mentee_windows: dict[int, list[Window]] = defaultdict(list)
        for w in session.scalars(
            select(AvailabilityWindow).where(AvailabilityWindow.user_id.in_(wanted))
        ):
            mentee_windows[w.user_id].append(Window(w.weekday, w.start_minute, w.end_minute))
    else:
        mentee_windows = _windows(session, Role.MENTEE.value)
    mentor_windows = _windows(
        session,
        Role.MENTOR.value,
        set(mentor_by_email.values()) if narrowed else None,
    )

    mentors = [
        Mentor(
            id=r[0],
            specialties=tuple(mentor_specs.get(r[0], ())),
            windows=tuple(mentor_windows.get(r[0], ())),
            timezone=r[3] or "UTC",
            site=r[5],
            region=r[6],
            capacity=max(int(r[7]), 0),
            name=r[1],
        )
        for r in mentor_rows
    ]
    mentees = [
        Mentee(
            id=r[0],
            specialties=tuple(mentee_specs.get(r[0], ())),
            windows=tuple(mentee_windows.get(r[0], ())),
            timezone=r[3] or "UTC",
            site=r[5],
            region=r[6],
            preferred_mentors=tuple(preferred.get(r[0], ())),
        )
        for r in mentee_rows
    ]
    mentee_set = {m.id for m in mentees}

    def in_round(pairs: Iterable[tuple[int, int]]) -> frozenset[tuple[int, int]]:
        return frozenset(p for p in pairs if wanted is None or p[0] in mentee_set)

    past_stmt = select(Mentorship.mentee_id, Mentorship.mentor_id)
    if wanted is not None:
        past_stmt = past_stmt.where(Mentorship.mentee_id.in_(wanted))
    past = in_round(tuple(r) for r in session.execute(past_stmt))
    pins = in_round(
        tuple(r)
        for r in session.execute(
            select(RoundPin.mentee_id, RoundPin.mentor_id).where(
                RoundPin.round_id == match_round.id
            )
        )
    )
    exclusions = in_round(
        tuple(r)
        for r in session.execute(
            select(RoundExclusion.mentee_id, RoundExclusion.mentor_id).where(
                RoundExclusion.round_id == match_round.id
            )
        )
    )
    names = {r[0]: r[1] for r in mentee_rows} | {r[0]: r[1] for r in mentor_rows}
    data = RoundInput(
        mentors=mentors,
        mentees=mentees,
        weights=stored_weights(match_round),
        min_overlap_hours=float(match_round.min_overlap_hours),
        pins=pins,
        exclusions=exclusions,
        past_pairs=past,
        specialty_names={
            slug: name for slug, name in session.execute(select(Specialty.slug, Specialty.name))
        },
    )
    return Pool(data=data, names=names)
