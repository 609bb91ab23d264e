"""Site scopes: which sites a coordinator looks after, and the one filter every query uses.

A coordinator with no site and no region is programme-wide (as every coordinator was before
scopes). A site-scoped coordinator sees, imports, matches and reports only the people of their
sites and what belongs to them; anything else is a 404 to them, as if it did not exist.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, delete, false, null, or_, select, union_all
from sqlalchemy.orm import Session

from mentor_match.models import (
    CoordinatorRegion,
    CoordinatorSite,
    MenteeProfile,
    MentorProfile,
    Role,
    RoundSite,
    Site,
    User,
)
from mentor_match.services.errors import Conflict, Forbidden, Invalid, NotFound

_CACHE = "visible_site_ids"  # session.info key: scopes read once per request and user
MAX_SCOPE_ITEMS = 200  # sites plus regions in one scope


@dataclass(frozen=True)
class Scope:
    """A coordinator's sites (by name) and regions; both empty means the whole programme."""

    sites: tuple[str, ...]
    regions: tuple[str, ...]

    @property
    def programme_wide(self) -> bool:
        return not self.sites and not self.regions


def visible_site_ids(session: Session, user: User) -> frozenset[int] | None:
    """The ids of the sites `user` may see, or None for the whole programme.

    Mentors and mentees have no scope (their own rules say what they see); a coordinator with
    no scope is programme-wide. A region counts every site of that region, later ones too."""
    if user.role != Role.COORDINATOR:
        return None
    cache: dict[int, frozenset[int] | None] = session.info.setdefault(_CACHE, {})
    if user.id in cache:
        return cache[user.id]
    # One query for the common case (a programme-wide coordinator has neither).
    rows = session.execute(
        union_all(
            select(CoordinatorSite.site_id, null().label("region")).where(
                CoordinatorSite.user_id == user.id
            ),
            select(null(), CoordinatorRegion.region).where(CoordinatorRegion.user_id == user.id),
        )
    ).all()
    site_ids = {site_id for site_id, _ in rows if site_id is not None}
    regions = [region for _, region in rows if region is not None]
    if not site_ids and not regions:
        found: frozenset[int] | None = None
    else:
        if regions:
            site_ids.update(session.scalars(select(Site.id).where(Site.region.in_(regions))))
        found = frozenset(site_ids)
    cache[user.id] = found
    return found


def forget_cached(session: Session) -> None:
    """Drop the scopes read in this session (after a scope or a site changed)."""
    session.info.pop(_CACHE, None)


def is_site_scoped(session: Session, user: User) -> bool:
    return visible_site_ids(session, user) is not None


PROGRAMME_WIDE_ONLY = "programme-wide coordinators only"


def require_programme_wide(session: Session, user: User, what: str = "") -> None:
    """Refuse a site-scoped coordinator what concerns the whole programme (403, saying so).

    `what` names the refused action ("change the competency framework")."""
    if is_site_scoped(session, user):
        raise Forbidden(programme_wide_message(what), code="programme_wide_only")


def programme_wide_message(what: str = "") -> str:
    """Why a site-scoped coordinator is refused: the action concerns the whole programme."""
    if what:
        return (
            f"{PROGRAMME_WIDE_ONLY.capitalize()}: you look after some sites, and only a "
            f"coordinator of the whole programme can {what}."
        )
    return (
        f"{PROGRAMME_WIDE_ONLY.capitalize()}: you look after some sites, and this concerns "
        "the whole programme."
    )


def people_of_sites(user_id: Any, site_ids: Iterable[int]) -> ColumnElement[bool]:
    """A condition on a user-id column: that person works at one of `site_ids`."""
    ids = list(site_ids)
    if not ids:
        return false()
    return or_(
        user_id.in_(select(MentorProfile.user_id).where(MentorProfile.site_id.in_(ids))),
        user_id.in_(select(MenteeProfile.user_id).where(MenteeProfile.site_id.in_(ids))),
    )


def visible_people(session: Session, user: User, user_id: Any) -> ColumnElement[bool] | None:
    """The filter to add to a query over people (`user_id` is its user-id column) so `user`
    sees only the people of their sites; None when nothing needs filtering."""
    site_ids = visible_site_ids(session, user)
    if site_ids is None:
        return None
    return people_of_sites(user_id, site_ids)


def site_of(session: Session, person_id: int) -> int | None:
    """The site a mentor or mentee works at (None when unknown)."""
    site = session.scalar(select(MentorProfile.site_id).where(MentorProfile.user_id == person_id))
    if site is None:
        site = session.scalar(
            select(MenteeProfile.site_id).where(MenteeProfile.user_id == person_id)
        )
    return site


def can_see_person(session: Session, user: User, person_id: int) -> bool:
    site_ids = visible_site_ids(session, user)
    if site_ids is None:
        return True
    return site_of(session, person_id) in site_ids


def check_person(session: Session, user: User, *person_ids: int | None, what: str = "participant"):
    """404 unless every named person is within `user`'s sites (never says they exist)."""
    site_ids = visible_site_ids(session, user)
    if site_ids is None:
        return
    for person_id in person_ids:
        if person_id is not None and site_of(session, person_id) not in site_ids:
            raise NotFound(f"no such {what}")


def visible_sites(session: Session, user: User) -> list[Site]:
    """The sites `user` may choose from (every site for a programme-wide coordinator)."""
    stmt = select(Site).order_by(Site.name)
    site_ids = visible_site_ids(session, user)
    if site_ids is not None:
        stmt = stmt.where(Site.id.in_(site_ids))
    return list(session.scalars(stmt))


# Rounds ------------------------------------------------------------------------------------


def round_site_ids(session: Session, round_id: int) -> frozenset[int] | None:
    """The sites a round matches, or None for a programme-wide round."""
    ids = frozenset(
        session.scalars(select(RoundSite.site_id).where(RoundSite.round_id == round_id))
    )
    return ids or None


def can_see_round(session: Session, user: User, round_id: int) -> bool:
    """A scoped coordinator sees the rounds over their own sites only; a programme-wide round
    or a round reaching any other site is not theirs."""
    site_ids = visible_site_ids(session, user)
    if site_ids is None:
        return True
    covered = round_site_ids(session, round_id)
    return covered is not None and covered <= site_ids


def visible_rounds(session: Session, user: User, round_id: Any) -> ColumnElement[bool] | None:
    """The filter on a query over rounds (`round_id` is its id column); None: no filter."""
    site_ids = visible_site_ids(session, user)
    if site_ids is None:
        return None
    return rounds_within(site_ids, round_id)


def rounds_within(site_ids: Collection[int], round_id: Any) -> ColumnElement[bool]:
    """Rounds over some of these sites and no other (`round_id` is the rounds' id column)."""
    has_sites = select(RoundSite.round_id).where(RoundSite.round_id == round_id).exists()
    outside = (
        select(RoundSite.round_id)
        .where(RoundSite.round_id == round_id, RoundSite.site_id.not_in(list(site_ids) or [-1]))
        .exists()
    )
    return has_sites & ~outside


def scope_round(session: Session, user: User, round_id: int) -> None:
    """Give a new round its creator's sites (nothing for a programme-wide coordinator)."""
    site_ids = visible_site_ids(session, user)
    if site_ids is None:
        return
    if not site_ids:
        raise Invalid(
            "your sites have no site yet: a round needs people to match",
            code="no_sites",
        )
    session.add_all(RoundSite(round_id=round_id, site_id=s) for s in sorted(site_ids))
    session.flush()


# Reading and setting a coordinator's scope --------------------------------------------------


def get_coordinator(session: Session, coordinator_id: int) -> User:
    user = session.get(User, coordinator_id)
    if user is None or user.role != Role.COORDINATOR:
        raise NotFound("no such coordinator")
    return user


def scopes_of(session: Session, coordinator_ids: Iterable[int]) -> dict[int, Scope]:
    """The scope of each coordinator, read in two queries whatever their number."""
    ids = list(coordinator_ids)
    sites: dict[int, list[str]] = {i: [] for i in ids}
    regions: dict[int, list[str]] = {i: [] for i in ids}
    for user_id, name in session.execute(
        select(CoordinatorSite.user_id, Site.name)
        .join(Site, Site.id == CoordinatorSite.site_id)
        .where(CoordinatorSite.user_id.in_(ids))
        .order_by(Site.name)
    ):
        sites[user_id].append(name)
    for user_id, region in session.execute(
        select(CoordinatorRegion.user_id, CoordinatorRegion.region)
        .where(CoordinatorRegion.user_id.in_(ids))
        .order_by(CoordinatorRegion.region)
    ):
        regions[user_id].append(region)
    return {i: Scope(sites=tuple(sites[i]), regions=tuple(regions[i])) for i in ids}


def scope_of(session: Session, coordinator: User) -> Scope:
    return scopes_of(session, [coordinator.id])[coordinator.id]


def scope_dict(session: Session, coordinator: User, scope: Scope | None = None) -> dict[str, Any]:
    scope = scope or scope_of(session, coordinator)
    return {
        "coordinator_id": coordinator.id,
        "name": coordinator.name,
        "email": coordinator.email,
        "sites": list(scope.sites),
        "regions": list(scope.regions),
        "programme_wide": scope.programme_wide,
    }


def read_scope(session: Session, caller: User, coordinator_id: int) -> dict[str, Any]:
    """A coordinator's scope: any coordinator may read their own; a programme-wide one reads
    everyone's. Another coordinator's scope is a 404 to a site-scoped coordinator."""
    coordinator = get_coordinator(session, coordinator_id)
    if coordinator.id != caller.id and is_site_scoped(session, caller):
        raise NotFound("no such coordinator")
    return scope_dict(session, coordinator)


def list_coordinators(session: Session) -> list[dict[str, Any]]:
    """Every coordinator with their scope, by name."""
    coordinators = list(
        session.scalars(
            select(User).where(User.role == Role.COORDINATOR.value).order_by(User.name, User.id)
        )
    )
    scopes = scopes_of(session, [c.id for c in coordinators])
    return [scope_dict(session, c, scopes[c.id]) for c in coordinators]


def all_regions(session: Session) -> list[str]:
    return list(session.scalars(select(Site.region).distinct().order_by(Site.region)))


def set_scope(
    session: Session,
    caller: User,
    coordinator_id: int,
    *,
    sites: Iterable[str],
    regions: Iterable[str],
) -> dict[str, Any]:
    """Limit a coordinator to `sites` (names) and `regions`; both empty: programme-wide.

    Only a programme-wide coordinator sets scopes: a site-scoped one can neither widen their own
    nor change anyone's. Every site must exist and every region must have a site, each named
    in the error's details."""
    if caller.role != Role.COORDINATOR or is_site_scoped(session, caller):
        raise Forbidden(
            "only a programme-wide coordinator can change a coordinator's sites",
            code="programme_wide_only",
        )
    coordinator = get_coordinator(session, coordinator_id)
    site_names = list(dict.fromkeys(s.strip() for s in sites))
    region_names = list(dict.fromkeys(r.strip() for r in regions))
    if len(site_names) + len(region_names) > MAX_SCOPE_ITEMS:
        raise Invalid(f"a scope has at most {MAX_SCOPE_ITEMS} sites and regions")
    found = {s.name: s.id for s in session.scalars(select(Site).where(Site.name.in_(site_names)))}
    known_regions = set(all_regions(session))
    problems = [
        {"field": "sites", "message": f"no site is called '{name}'"}
        for name in site_names
        if name not in found
    ] + [
        {"field": "regions", "message": f"no site is in a region called '{name}'"}
        for name in region_names
        if name not in known_regions
    ]
    if problems:
        raise Invalid("the scope names what does not exist", details=problems)
    if coordinator.id == caller.id and (site_names or region_names):
        # Narrowing oneself would leave the programme with no one to widen it again.
        others = session.scalar(
            select(User.id).where(
                User.role == Role.COORDINATOR.value,
                User.active.is_(True),
                User.id != caller.id,
                ~select(CoordinatorSite.user_id).where(CoordinatorSite.user_id == User.id).exists(),
                ~select(CoordinatorRegion.user_id)
                .where(CoordinatorRegion.user_id == User.id)
                .exists(),
            )
        )
        if others is None:
            raise Conflict(
                "you are the last programme-wide coordinator: make another coordinator "
                "programme-wide before limiting yourself to some sites",
                code="last_programme_wide",
            )
    session.execute(delete(CoordinatorSite).where(CoordinatorSite.user_id == coordinator.id))
    session.execute(delete(CoordinatorRegion).where(CoordinatorRegion.user_id == coordinator.id))
    session.add_all(CoordinatorSite(user_id=coordinator.id, site_id=found[n]) for n in site_names)
    session.add_all(CoordinatorRegion(user_id=coordinator.id, region=r) for r in region_names)
    session.flush()
    forget_cached(session)
    return scope_dict(session, coordinator)


def check_pair(session: Session, user: User, mentor_id: int, mentee_id: int, what: str) -> None:
    """404 unless one of the pair (a mentorship's, a request's) works at `user`'s sites: the
    pair belongs to the sites of both."""
    site_ids = visible_site_ids(session, user)
    if site_ids is None:
        return
    if site_of(session, mentor_id) not in site_ids and site_of(session, mentee_id) not in site_ids:
        raise NotFound(f"no such {what}")


def visible_pairs(
    session: Session, user: User, mentor_id: Any, mentee_id: Any
) -> ColumnElement[bool] | None:
    """The filter on a query over pairs: one of the two works at `user`'s sites."""
    site_ids = visible_site_ids(session, user)
    if site_ids is None:
        return None
    return or_(people_of_sites(mentor_id, site_ids), people_of_sites(mentee_id, site_ids))


@dataclass(frozen=True)
class SiteLimit:
    """What a site-scoped coordinator may place people at: these sites, and new sites of
    these regions."""

    site_ids: frozenset[int]
    regions: frozenset[str]


def site_limit(session: Session, user: User | None) -> SiteLimit | None:
    """The sites and regions `user` may import people into; None: anywhere."""
    if user is None:
        return None
    site_ids = visible_site_ids(session, user)
    if site_ids is None:
        return None
    regions = session.scalars(
        select(CoordinatorRegion.region).where(CoordinatorRegion.user_id == user.id)
    )
    return SiteLimit(site_ids, frozenset(regions))


def check_round_reaches(session: Session, person: User, round_id: int) -> None:
    """404 for a mentor or mentee when the round covers sites other than theirs (a site-scoped
    coordinator's round is for the people of its sites only)."""
    covered = round_site_ids(session, round_id)
    if covered is not None and site_of(session, person.id) not in covered:
        raise NotFound(f"there is no match round {round_id}")


def rounds_reaching(session: Session, person: User, round_id: Any) -> ColumnElement[bool]:
    """The filter on a query over rounds: programme-wide ones, and those covering the person's
    site."""
    covered = select(RoundSite.round_id).where(RoundSite.round_id == round_id)
    site = site_of(session, person.id)
    if site is None:
        return ~covered.exists()
    return ~covered.exists() | covered.where(RoundSite.site_id == site).exists()
