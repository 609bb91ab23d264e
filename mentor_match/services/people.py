"""Participants: listing and reading people, editing one's own profile and weekly availability."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from mentor_match.importing.availability import (
    AvailabilityError,
    Window,
    format_availability,
    summarise_availability,
    validate_windows,
)
from mentor_match.importing.people import CAPACITY_RANGE, MAX_LENGTHS, YEARS_EXPERIENCE_RANGE
from mentor_match.models import (
    AvailabilityWindow,
    MenteePreference,
    MenteeProfile,
    MenteeSpecialty,
    MentorProfile,
    Mentorship,
    Role,
    Site,
    Specialty,
    User,
)
from mentor_match.services import scopes
from mentor_match.services.accounts import check_timezone
from mentor_match.services.errors import Invalid, NotFound


@dataclass(frozen=True)
class Page:
    items: list[User]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def windows_of(user: User) -> list[Window]:
    return [Window(w.weekday, w.start_minute, w.end_minute) for w in user.windows]


def profile_of(user: User) -> MentorProfile | MenteeProfile | None:
    return user.mentor_profile if user.role == Role.MENTOR else user.mentee_profile


def person_dict(user: User) -> dict[str, Any]:
    """A participant as the API and exports show them."""
    profile = profile_of(user)
    site = profile.site if profile is not None else None
    data: dict[str, Any] = {
        "id": user.id,
        "email": user.email,
        "name": user.name,
        "role": user.role,
        "active": user.active,
        "site": site.name if site else None,
        "region": site.region if site else None,
        "timezone": user.timezone,
        "specialties": [s.slug for s in profile.specialties] if profile else [],
        "availability": format_availability(windows_of(user)),
        # For people to read: names, and day ranges instead of one window per day.
        "specialty_names": [s.name for s in profile.specialties] if profile else [],
        "availability_summary": summarise_availability(windows_of(user)),
    }
    if isinstance(profile, MentorProfile):
        data.update(
            capacity=profile.capacity,
            credentials=profile.credentials,
            years_experience=profile.years_experience,
            bio=profile.bio,
        )
    elif isinstance(profile, MenteeProfile):
        data.update(goals=profile.goals, preferred_mentors=profile.preferred_mentor_emails)
    return data


def check_search(query: str) -> str:
    """The search text, trimmed; a NUL character (which no name or email holds, and which
    PostgreSQL cannot even compare) is refused with 422 naming `q`."""
    if "\x00" in query:
        raise Invalid(
            "the search text contains a NUL character",
            details=[{"field": "q", "message": "remove the NUL (\\x00) character"}],
        )
    return query.strip()


def _contains(text: str) -> str:
    """A LIKE pattern matching `text` anywhere, with its own % and _ taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


# How a list of people can be sorted, in the coordinator's words.
PEOPLE_SORTS = {
    "name": "Name, A to Z",
    "-name": "Name, Z to A",
    "email": "Email",
    "newest": "Newest first",
}
# Matched: has a current mentorship; waiting: has none.
PEOPLE_STATUSES = {"matched": "Matched", "waiting": "Waiting for a match"}


def _people_query(  # noqa: ANN202
    role: str,
    query: str = "",
    site_id: int | None = None,
    specialty: str | None = None,
    status: str | None = None,
    within: frozenset[int] | None = None,
):
    stmt = select(User).where(User.role == role)
    if within is not None:
        stmt = stmt.where(scopes.people_of_sites(User.id, within))
    query = check_search(query)
    if query:
        like = _contains(query.lower())
        stmt = stmt.where(
            or_(
                func.lower(User.name).like(like, escape="\\"),
                func.lower(User.email).like(like, escape="\\"),
            )
        )
    profile = MentorProfile if role == Role.MENTOR else MenteeProfile
    if site_id or specialty:
        stmt = stmt.join(profile, profile.user_id == User.id)
    if site_id:
        stmt = stmt.where(profile.site_id == site_id)
    if specialty:
        if role == Role.MENTOR:
            stmt = stmt.where(MentorProfile.specialties.any(Specialty.slug == specialty))
        else:
            stmt = stmt.where(
                MenteeProfile.ranked_specialties.any(
                    MenteeSpecialty.specialty.has(Specialty.slug == specialty)
                )
            )
    if status in PEOPLE_STATUSES:
        person = Mentorship.mentor_id if role == Role.MENTOR else Mentorship.mentee_id
        current = select(Mentorship.id).where(person == User.id, Mentorship.ended_at.is_(None))
        stmt = stmt.where(current.exists() if status == "matched" else ~current.exists())
    return stmt


def _people_order(sort: str):  # noqa: ANN202
    return {
        "-name": (User.name.desc(), User.id.desc()),
        "email": (User.email, User.id),
        "newest": (User.id.desc(),),
    }.get(sort, (User.name, User.id))


def _count(session: Session, stmt: Any) -> int:
    return session.scalar(select(func.count()).select_from(stmt.subquery())) or 0


def list_people(
    session: Session,
    role: str,
    *,
    query: str = "",
    site_id: int | None = None,
    specialty: str | None = None,
    status: str | None = None,
    sort: str = "name",
    page: int = 1,
    per_page: int = 50,
    max_per_page: int = 500,
    within: frozenset[int] | None = None,
) -> Page:
    """One page of mentors or mentees, by name, with everything `person_dict` needs loaded;
    `within` (site ids, from `scopes.visible_site_ids`) keeps the people of those sites."""
    if role not in (Role.MENTOR, Role.MENTEE):
        raise Invalid("role must be mentor or mentee")
    if page < 1:
        raise Invalid("page starts at 1", details=[{"field": "page", "message": "must be ≥ 1"}])
    if not 1 <= per_page <= max_per_page:
        raise Invalid(
            f"per_page must be from 1 to {max_per_page}",
            details=[{"field": "per_page", "message": f"must be from 1 to {max_per_page}"}],
        )
    stmt = _people_query(role, query, site_id, specialty, status, within)
    order, offset = _people_order(sort), (page - 1) * per_page
    if check_search(query):
        # A name search reads every name once: the page's ids and how many match come back
        # together, rather than one pass to count and another for the page.
        found = session.execute(
            stmt.with_only_columns(User.id, func.count().over())
            .order_by(*order)
            .limit(per_page)
            .offset(offset)
        ).all()
        ids = [row[0] for row in found]
        total = found[0][1] if found else (0 if page == 1 else _count(session, stmt))
        stmt = select(User).where(User.id.in_(ids))
        offset = 0
    else:
        total = _count(session, stmt)
    loaders = [selectinload(User.windows)]
    if role == Role.MENTOR:
        loaders.append(
            selectinload(User.mentor_profile).options(
                selectinload(MentorProfile.site), selectinload(MentorProfile.specialties)
            )
        )
    else:
        loaders.append(
            selectinload(User.mentee_profile).options(
                selectinload(MenteeProfile.site),
                selectinload(MenteeProfile.ranked_specialties).selectinload(
                    MenteeSpecialty.specialty
                ),
                selectinload(MenteeProfile.preferences),
            )
        )
    items = list(
        session.scalars(stmt.options(*loaders).order_by(*order).limit(per_page).offset(offset))
    )
    return Page(items=items, total=total, page=page, per_page=per_page)


def get_person(session: Session, user_id: int, caller: User | None = None) -> User:
    """A mentor or mentee by id; with `caller`, a 404 too when outside the caller's sites."""
    user = session.get(User, user_id)
    if user is None or user.role == Role.COORDINATOR:
        raise NotFound("no such participant")
    if caller is not None:
        scopes.check_person(session, caller, user.id)
    return user


def _with_role(session: Session, user_id: int, role: Role) -> User:
    user = session.get(User, user_id)
    if user is None or user.role != role:
        raise NotFound(f"no such {role.value}")
    return user


def get_mentee(session: Session, user_id: int, caller: User | None = None) -> User:
    """A mentee by id; anyone else (or no one) is a 404, and so is a mentee outside the
    sites of `caller` (a site-scoped coordinator) when given."""
    mentee = _with_role(session, user_id, Role.MENTEE)
    if caller is not None:
        scopes.check_person(session, caller, mentee.id, what="mentee")
    return mentee


def get_mentor(session: Session, user_id: int) -> User:
    """A mentor by id; anyone else (or no one) is a 404."""
    return _with_role(session, user_id, Role.MENTOR)


def names_by_id(session: Session) -> dict[int, str]:
    """Every person's name by their id, for pages that show who is who."""
    return {user_id: name for user_id, name in session.execute(select(User.id, User.name))}


def all_specialties(session: Session) -> list[Specialty]:
    return list(session.scalars(select(Specialty).order_by(Specialty.name)))


def all_sites(session: Session) -> list[Site]:
    return list(session.scalars(select(Site).order_by(Site.name)))


def replace_windows(user: User, windows: Iterable[Window]) -> None:
    """Replace a person's weekly availability as a whole; windows may not overlap."""
    windows = sorted(set(windows))
    try:
        validate_windows(windows)
    except AvailabilityError as exc:
        raise Invalid(
            str(exc),
            code="invalid_availability",
            details=[{"field": "availability", "message": p} for p in exc.problems],
        ) from exc
    user.windows[:] = [
        AvailabilityWindow(weekday=w.weekday, start_minute=w.start_minute, end_minute=w.end_minute)
        for w in windows
    ]


def _specialties_by_id(session: Session, ids: Sequence[int]) -> list[Specialty]:
    found = {s.id: s for s in session.scalars(select(Specialty).where(Specialty.id.in_(ids)))}
    missing = [i for i in ids if i not in found]
    if missing:
        raise Invalid("unknown specialty", details=[{"field": "specialties", "message": "unknown"}])
    return [found[i] for i in ids]


@dataclass
class ProfileChanges:
    """What a person may change about themself. Role, email and capacity rules live here."""

    name: str
    timezone: str
    site_id: int | None
    specialty_ids: list[int]
    windows: list[Window]
    capacity: int | None = None
    credentials: str = ""
    years_experience: int | None = None
    bio: str = ""
    goals: str = ""
    # A site-scoped coordinator's sites: the person must stay at one of them.
    allowed_site_ids: frozenset[int] | None = None


def update_own_profile(session: Session, user: User, changes: ProfileChanges) -> User:
    """Save a mentor's or mentee's own profile; coordinators have no participant profile."""
    if user.role not in (Role.MENTOR, Role.MENTEE):
        raise Invalid("only mentors and mentees have a profile to edit")
    problems = []
    name = changes.name.strip()
    if not name:
        problems.append({"field": "name", "message": "a name is required"})
    try:
        check_timezone(changes.timezone)
    except Invalid as exc:
        problems.append({"field": "timezone", "message": exc.message})
    if not changes.specialty_ids:
        problems.append({"field": "specialties", "message": "choose at least one specialty"})
    if len(set(changes.specialty_ids)) != len(changes.specialty_ids):
        problems.append({"field": "specialties", "message": "a specialty is listed twice"})
    site = None
    if changes.site_id is not None:
        site = session.get(Site, changes.site_id)
        if site is None:
            problems.append({"field": "site", "message": "unknown site"})
    if changes.allowed_site_ids is not None and changes.site_id not in changes.allowed_site_ids:
        problems.append({"field": "site", "message": "choose one of your sites"})
    low_cap, high_cap = CAPACITY_RANGE
    if user.role == Role.MENTOR and not (
        changes.capacity is not None and low_cap <= changes.capacity <= high_cap
    ):
        problems.append(
            {"field": "capacity", "message": f"capacity must be from {low_cap} to {high_cap}"}
        )
    low_years, high_years = YEARS_EXPERIENCE_RANGE
    if changes.years_experience is not None and not (
        low_years <= changes.years_experience <= high_years
    ):
        problems.append(
            {"field": "years_experience", "message": f"must be from {low_years} to {high_years}"}
        )
    if problems:
        raise Invalid("the profile has problems", details=problems)

    specialties = _specialties_by_id(session, changes.specialty_ids)
    user.name = name[: MAX_LENGTHS["name"]]
    user.timezone = changes.timezone
    replace_windows(user, changes.windows)
    if user.role == Role.MENTOR:
        profile = user.mentor_profile or MentorProfile(user=user)
        profile.site = site
        profile.capacity = changes.capacity or 1
        profile.credentials = changes.credentials.strip()[: MAX_LENGTHS["credentials"]]
        profile.years_experience = changes.years_experience
        profile.bio = changes.bio.strip()[: MAX_LENGTHS["bio"]]
        profile.specialties = specialties
    else:
        profile = user.mentee_profile or MenteeProfile(user=user)
        profile.site = site
        profile.goals = changes.goals.strip()[: MAX_LENGTHS["goals"]]
        profile.ranked_specialties = [
            MenteeSpecialty(specialty=s, rank=i) for i, s in enumerate(specialties, start=1)
        ]
    session.add(profile)
    session.flush()
    return user


def set_preferences(profile: MenteeProfile, emails: Sequence[str]) -> None:
    profile.preferences = [
        MenteePreference(mentor_email=e.lower(), rank=i) for i, e in enumerate(emails, start=1)
    ]
