"""Importing mentors and mentees from CSV in one all-or-nothing transaction, and exporting them.

The file is read by the pure `importing` package; this module adds what needs the database
(an email that belongs to someone of another role, a site filed under another region) and then
writes every row with a handful of bulk statements, never one round trip per person.

Decisions a coordinator will notice:

- A site is identified by its name, ignoring case. The first row that names a new site creates it
  with that row's region and time zone. A row that puts an existing site (or one named earlier in
  the file) in a different region is an error on that row's `region`: a spreadsheet typo must not
  quietly move a site and everyone at it. A person's own time zone may differ from their site's.
- Re-importing someone replaces their profile, specialties, preferences and availability as a
  whole; it never changes their role, password or whether the account is active.
- New accounts have no password. Their invitations (a link to set one) are written to the mail
  outbox with the import when there are at most `invite_limit` of them; building thousands of
  mails would take longer than the import itself, so a larger import records each new account
  as a `PendingInvitation` in its transaction and the worker writes their invitations in
  batches (:func:`write_pending_invitations`) right after it commits.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Literal, TypeVar

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session

from mentor_match.database import begin_write, utcnow
from mentor_match.importing import (
    MenteeRecord,
    MentorRecord,
    RowError,
    SpecialtyVocabulary,
    Window,
    mentees_to_csv,
    mentors_to_csv,
    parse_mentees,
    parse_mentors,
)
from mentor_match.importing import Specialty as VocabularyEntry
from mentor_match.jobs.queue import request_job
from mentor_match.mail import Mail, queue_many
from mentor_match.models import (
    AvailabilityWindow,
    MenteePreference,
    MenteeProfile,
    MenteeSpecialty,
    MentorProfile,
    PendingImport,
    PendingInvitation,
    Role,
    Site,
    Specialty,
    User,
    mentor_specialties,
)
from mentor_match.services import scopes
from mentor_match.services.accounts import invitation_token
from mentor_match.services.errors import Invalid, NotFound

Kind = Literal["mentors", "mentees"]
KINDS: tuple[str, ...] = ("mentors", "mentees")
ROLE_OF: dict[str, str] = {"mentors": Role.MENTOR.value, "mentees": Role.MENTEE.value}

# SQLite allows 999 bound parameters per statement in old builds; stay under it everywhere.
CHUNK = 900
INVITE_LIMIT = 200
PENDING_IMPORT_HOURS = 24

T = TypeVar("T")
Record = MentorRecord | MenteeRecord


def _chunks(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def check_kind(kind: str) -> Kind:
    if kind not in KINDS:
        raise NotFound(f"unknown kind of import {kind!r}: use 'mentors' or 'mentees'")
    return kind  # type: ignore[return-value]


@dataclass(frozen=True)
class ImportSummary:
    """What an import did (or, for a preview, would do)."""

    kind: str
    created: int
    updated: int
    errors: tuple[RowError, ...] = ()
    invited: int = 0  # invitations queued with this import
    awaiting_invitation: int = 0  # new accounts whose invitations the worker writes next

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_dict(self) -> dict[str, Any]:
        return {
            "created": self.created,
            "updated": self.updated,
            "invited": self.invited,
            "awaiting_invitation": self.awaiting_invitation,
        }


@dataclass
class _Site:
    id: int | None
    name: str
    region: str
    timezone: str
    line: int | None = None  # the row that creates it, for a new site


@dataclass
class _Existing:
    id: int
    role: str


@dataclass
class _Plan:
    kind: Kind
    records: list[Record]
    errors: list[RowError]
    existing: dict[str, _Existing] = field(default_factory=dict)
    sites: dict[str, _Site] = field(default_factory=dict)
    specialty_ids: dict[str, int] = field(default_factory=dict)

    @property
    def created(self) -> int:
        return sum(1 for r in self.records if r.email not in self.existing)

    @property
    def updated(self) -> int:
        return len(self.records) - self.created


def specialty_vocabulary(session: Session) -> tuple[SpecialtyVocabulary, dict[str, int]]:
    """The vocabulary an import accepts (the `specialties` table), and slug → id."""
    rows = session.execute(select(Specialty.id, Specialty.slug, Specialty.name)).all()
    vocabulary = SpecialtyVocabulary(VocabularyEntry(slug, name) for _, slug, name in rows)
    return vocabulary, {slug: id_ for id_, slug, _ in rows}


def _plan(
    session: Session, kind: Kind, data: bytes | str, limit: scopes.SiteLimit | None = None
) -> _Plan:
    """Read the file and check it against the database; every problem lands in `errors`.
    With `limit` (a site-scoped coordinator's), a row for a site outside it is refused."""
    vocabulary, specialty_ids = specialty_vocabulary(session)
    parse = parse_mentors if kind == "mentors" else parse_mentees
    parsed = parse(data, vocabulary)
    plan = _Plan(kind, list(parsed.records), list(parsed.errors), specialty_ids=specialty_ids)
    role = ROLE_OF[kind]

    emails = [record.email for record in plan.records]
    for chunk in _chunks(emails):
        for id_, email, found_role in session.execute(
            select(User.id, User.email, User.role).where(User.email.in_(chunk))
        ):
            plan.existing[email] = _Existing(id_, found_role)
    for record in plan.records:
        found = plan.existing.get(record.email)
        if found is not None and found.role != role:
            plan.errors.append(
                RowError(
                    record.line,
                    "email",
                    f"{record.email} already belongs to a {found.role} account: one person has"
                    f" one role, so this row cannot make them a {role}. Use a different email,"
                    f" or remove the row",
                )
            )

    names = sorted({record.site.lower() for record in plan.records})
    for chunk in _chunks(names):
        for id_, name, region, timezone in session.execute(
            select(Site.id, Site.name, Site.region, Site.timezone).where(
                func.lower(Site.name).in_(chunk)
            )
        ):
            plan.sites[name.lower()] = _Site(id_, name, region, timezone)
    for record in plan.records:
        key = record.site.lower()
        site = plan.sites.get(key)
        if site is None:
            plan.sites[key] = _Site(None, record.site, record.region, record.timezone, record.line)
        elif site.region.lower() != record.region.lower():
            where = f"on line {site.line}" if site.line else "in the programme already"
            plan.errors.append(
                RowError(
                    record.line,
                    "region",
                    f"the site {site.name!r} is in the region {site.region!r} ({where}), not"
                    f" {record.region!r}: give every row of a site the same region, or use a"
                    " different site name",
                )
            )
    if limit is not None:
        _check_limit(session, plan, limit)
    plan.errors.sort(key=lambda error: error.line)
    return plan


def _check_limit(session: Session, plan: _Plan, limit: scopes.SiteLimit) -> None:
    """A site-scoped coordinator imports people of their sites only: a row naming another
    site, or a person (by email) who works at another site, is refused."""
    regions = {region.lower() for region in limit.regions}
    elsewhere: set[int] = set()
    known = [found.id for found in plan.existing.values()]
    for chunk in _chunks(known):
        elsewhere.update(
            session.scalars(
                select(User.id).where(
                    User.id.in_(chunk), ~scopes.people_of_sites(User.id, limit.site_ids)
                )
            )
        )
    for record in plan.records:
        site = plan.sites[record.site.lower()]
        outside = (
            site.id not in limit.site_ids
            if site.id is not None
            else record.region.lower() not in regions
        )
        if outside:
            plan.errors.append(
                RowError(
                    record.line,
                    "site",
                    f"the site {record.site!r} is not one of your sites: you import people of"
                    " your own sites only (ask a programme-wide coordinator for other sites)",
                )
            )
        found = plan.existing.get(record.email)
        if found is not None and found.id in elsewhere:
            plan.errors.append(
                RowError(
                    record.line,
                    "email",
                    f"{record.email} is not a person of your sites: you can change only the"
                    " people of your own sites",
                )
            )


def _invalid(plan: _Plan) -> Invalid:
    count = len(plan.errors)
    rows = len({error.line for error in plan.errors})
    return Invalid(
        f"The file was not imported: {count} problem{'s' if count != 1 else ''} on"
        f" {rows} row{'s' if rows != 1 else ''}. Nothing was changed; fix them and upload"
        " the file again.",
        code="invalid_csv",
        details=[error.as_dict() for error in plan.errors],
    )


def preview_import(
    session: Session, kind: str, data: bytes | str, caller: User | None = None
) -> ImportSummary:
    """What importing `data` would do, and every problem with it; writes nothing. With
    `caller`, rows outside the caller's sites are problems too."""
    plan = _plan(session, check_kind(kind), data, scopes.site_limit(session, caller))
    return ImportSummary(plan.kind, plan.created, plan.updated, tuple(plan.errors))


def import_people(
    session: Session,
    kind: str,
    data: bytes | str,
    *,
    base_url: str,
    secret_key: str = "",
    dry_run: bool = False,
    invite_limit: int = INVITE_LIMIT,
    caller: User | None = None,
) -> ImportSummary:
    """Create or update (by email) every mentor or mentee in a CSV file, or nothing at all.

    Raises Invalid (code "invalid_csv") listing every bad row with its line and column. With
    `dry_run` the file is checked and counted but nothing is written. With `caller`, a row
    outside the caller's sites is a bad row. Flushes, never commits.
    """
    kind = check_kind(kind)
    if not dry_run:
        # On SQLite, hold the write lock from the first check to the last insert, so that
        # what was checked (emails, sites) is still true when it is written.
        begin_write(session)
    plan = _plan(session, kind, data, scopes.site_limit(session, caller))
    if plan.errors:
        raise _invalid(plan)
    if dry_run:
        return ImportSummary(plan.kind, plan.created, plan.updated)
    created_ids = _write(session, plan)
    invited = 0
    scopes.forget_cached(session)  # a new site of a scoped region is visible from now on
    if created_ids and len(created_ids) <= invite_limit and secret_key:
        invited = _queue_invitations(
            session,
            [(user_id, email, name, None) for email, (user_id, name) in created_ids.items()],
            base_url=base_url,
            secret_key=secret_key,
        )
    elif created_ids:
        pend_invitations(session, [user_id for user_id, _ in created_ids.values()], base_url)
    return ImportSummary(
        plan.kind,
        plan.created,
        plan.updated,
        invited=invited,
        awaiting_invitation=len(created_ids) - invited,
    )


# -- writing -------------------------------------------------------------------------------


def _write(session: Session, plan: _Plan) -> dict[str, tuple[int, str]]:
    """Upsert the plan with bulk statements; returns email → (id, name) of the new accounts."""
    session.flush()
    records = plan.records
    role = ROLE_OF[plan.kind]

    new_sites = [site for site in plan.sites.values() if site.id is None]
    if new_sites:
        rows = session.execute(
            insert(Site).returning(Site.id, Site.name),
            [{"name": s.name, "region": s.region, "timezone": s.timezone} for s in new_sites],
        ).all()
        for id_, name in rows:
            plan.sites[name.lower()].id = id_
    site_ids = {key: site.id for key, site in plan.sites.items()}

    old = [record for record in records if record.email in plan.existing]
    new = [record for record in records if record.email not in plan.existing]
    user_ids = {email: found.id for email, found in plan.existing.items()}
    if old:
        session.execute(
            update(User),
            [{"id": user_ids[r.email], "name": r.name, "timezone": r.timezone} for r in old],
        )
    created: dict[str, tuple[int, str]] = {}
    if new:
        now = utcnow()
        rows = session.execute(
            insert(User).returning(User.id, User.email),
            [
                {
                    "email": r.email,
                    "name": r.name,
                    "role": role,
                    "timezone": r.timezone,
                    "active": True,
                    "created_at": now,
                }
                for r in new
            ],
        ).all()
        names = {r.email: r.name for r in new}
        for id_, email in rows:
            user_ids[email] = id_
            created[email] = (id_, names[email])

    profile_model = MentorProfile if plan.kind == "mentors" else MenteeProfile
    old_user_ids = [user_ids[r.email] for r in old]
    profile_ids: dict[int, int] = {}  # user id -> profile id
    for chunk in _chunks(old_user_ids):
        profile_ids.update(
            session.execute(
                select(profile_model.user_id, profile_model.id).where(
                    profile_model.user_id.in_(chunk)
                )
            ).all()
        )
    old_profile_ids = list(profile_ids.values())

    def values(record: Record) -> dict[str, Any]:
        base: dict[str, Any] = {"site_id": site_ids[record.site.lower()]}
        if isinstance(record, MentorRecord):
            base.update(
                capacity=record.capacity,
                credentials=record.credentials,
                years_experience=record.years_experience,
                bio=record.bio,
            )
        else:
            base.update(goals=record.goals)
        return base

    changed = [r for r in records if user_ids[r.email] in profile_ids]
    if changed:
        session.execute(
            update(profile_model),
            [{"id": profile_ids[user_ids[r.email]], **values(r)} for r in changed],
        )
    missing = [r for r in records if user_ids[r.email] not in profile_ids]
    if missing:
        rows = session.execute(
            insert(profile_model).returning(profile_model.user_id, profile_model.id),
            [{"user_id": user_ids[r.email], **values(r)} for r in missing],
        ).all()
        profile_ids.update(rows)

    # Replace each person's lists as a whole: delete the old rows in bulk, insert the new ones.
    for chunk in _chunks(old_profile_ids):
        if plan.kind == "mentors":
            session.execute(
                delete(mentor_specialties).where(mentor_specialties.c.mentor_profile_id.in_(chunk))
            )
        else:
            session.execute(
                delete(MenteeSpecialty).where(MenteeSpecialty.mentee_profile_id.in_(chunk))
            )
            session.execute(
                delete(MenteePreference).where(MenteePreference.mentee_profile_id.in_(chunk))
            )
    for chunk in _chunks(old_user_ids):
        session.execute(delete(AvailabilityWindow).where(AvailabilityWindow.user_id.in_(chunk)))

    specialty_ids = plan.specialty_ids
    if plan.kind == "mentors":
        links = [
            {"mentor_profile_id": profile_ids[user_ids[r.email]], "specialty_id": specialty_ids[s]}
            for r in records
            for s in r.specialties
        ]
        if links:
            session.execute(insert(mentor_specialties), links)
    else:
        ranked = [
            {
                "mentee_profile_id": profile_ids[user_ids[r.email]],
                "specialty_id": specialty_ids[s],
                "rank": rank,
            }
            for r in records
            for rank, s in enumerate(r.specialties, start=1)
        ]
        if ranked:
            session.execute(insert(MenteeSpecialty), ranked)
        preferences = [
            {"mentee_profile_id": profile_ids[user_ids[r.email]], "mentor_email": email, "rank": i}
            for r in records
            if isinstance(r, MenteeRecord)
            for i, email in enumerate(r.preferred_mentors, start=1)
        ]
        if preferences:
            session.execute(insert(MenteePreference), preferences)
    windows = [
        {
            "user_id": user_ids[r.email],
            "weekday": w.weekday,
            "start_minute": w.start_minute,
            "end_minute": w.end_minute,
        }
        for r in records
        for w in r.availability
    ]
    if windows:
        session.execute(insert(AvailabilityWindow), windows)
    # Objects already loaded in this session must not show the rows from before the import.
    session.expire_all()
    return created


# -- invitations ---------------------------------------------------------------------------


def invitation_mail(name: str, email: str, link: str) -> Mail:
    return Mail(
        to=(email,),
        subject="Your mentor_match account: set your password",
        body=(
            f"Hello {name},\n\n"
            "Your programme coordinator has added you to mentor_match, where mentors and"
            " pharmacy technicians are matched for mentorship and shadowing.\n\n"
            f"Choose your password here (the link works once, for 14 days):\n{link}\n\n"
            f"Then sign in with {email}.\n\n"
            "If you did not expect this email, you can ignore it.\n"
        ),
    )


def _queue_invitations(
    session: Session,
    people: Sequence[tuple[int, str, str, str | None]],
    *,
    base_url: str,
    secret_key: str,
) -> int:
    base = base_url.rstrip("/")
    return queue_many(
        session,
        (
            invitation_mail(
                name, email, f"{base}/welcome/{invitation_token(user_id, hash_, secret_key)}"
            )
            for user_id, email, name, hash_ in people
        ),
    )


def _without_password(within: frozenset[int] | None = None):  # noqa: ANN202
    stmt = select(User.id, User.email, User.name, User.password_hash).where(
        User.password_hash.is_(None),
        User.active.is_(True),
        User.role.in_((Role.MENTOR.value, Role.MENTEE.value)),
    )
    if within is not None:
        stmt = stmt.where(scopes.people_of_sites(User.id, within))
    return stmt


def count_people_without_password(session: Session, within: frozenset[int] | None = None) -> int:
    """Active mentors and mentees who have never set a password (e.g. imported, not yet in);
    `within` (site ids) counts the people of those sites."""
    stmt = _without_password(within).subquery()
    return session.scalar(select(func.count()).select_from(stmt)) or 0


def pend_invitations(session: Session, user_ids: Sequence[int], base_url: str) -> int:
    """Leave the invitations of these accounts to the worker (written after this commit)."""
    if not user_ids:
        return 0
    already = set(
        session.scalars(
            select(PendingInvitation.user_id).where(PendingInvitation.user_id.in_(user_ids))
        )
    )
    now = utcnow()
    rows = [
        {"user_id": user_id, "base_url": base_url.rstrip("/"), "created_at": now}
        for user_id in dict.fromkeys(user_ids)
        if user_id not in already
    ]
    if rows:
        session.execute(insert(PendingInvitation), rows)
    request_job(session, "send_invitations")
    return len(user_ids)


def invite_everyone_without_password(
    session: Session, base_url: str, within: frozenset[int] | None = None
) -> int:
    """Send a fresh invitation to every active mentor and mentee without a password (through
    the worker); returns how many are on their way. `within` (a site-scoped coordinator's
    site ids) invites the people of those sites only."""
    ids = list(session.scalars(_without_password(within).with_only_columns(User.id)))
    return pend_invitations(session, ids, base_url)


def count_pending_invitations(session: Session, within: frozenset[int] | None = None) -> int:
    """Invitations the worker has yet to write (`within`: of the people of those sites)."""
    stmt = select(func.count()).select_from(PendingInvitation)
    if within is not None:
        stmt = stmt.where(scopes.people_of_sites(PendingInvitation.user_id, within))
    return session.scalar(stmt) or 0


def write_pending_invitations(session: Session, *, secret_key: str, batch_size: int = 500) -> int:
    """Write the next batch of pending invitations to the outbox; returns how many were taken
    (0 when none are left). People who set a password or left meanwhile are skipped."""
    begin_write(session)
    pending = session.execute(
        select(PendingInvitation.user_id, PendingInvitation.base_url)
        .order_by(PendingInvitation.user_id)
        .limit(batch_size)
    ).all()
    if not pending:
        return 0
    bases = dict(pending)
    people = session.execute(_without_password().where(User.id.in_(bases))).all()
    for base, group in _by_base(people, bases).items():
        _queue_invitations(session, group, base_url=base, secret_key=secret_key)
    session.execute(delete(PendingInvitation).where(PendingInvitation.user_id.in_(bases)))
    return len(pending)


def _by_base(people: Sequence[Any], bases: dict[int, str]) -> dict[str, list[Any]]:
    groups: dict[str, list[Any]] = {}
    for id_, email, name, hash_ in people:
        groups.setdefault(bases[id_], []).append((id_, email, name, hash_))
    return groups


# -- export --------------------------------------------------------------------------------


EXPORT_PAGE_SIZE = 1000  # people a part of an export file: four queries each


def export_people(session: Session, kind: str, within: frozenset[int] | None = None) -> str:
    """Every mentor (or mentee) as a CSV file in the import format; re-importing it changes
    nothing. Formula-like cells are neutralised by the writer. `within` (site ids) keeps the
    people of those sites."""
    return "".join(export_people_in_parts(session, kind, within=within))


def export_people_in_parts(
    session: Session,
    kind: str,
    page_size: int = EXPORT_PAGE_SIZE,
    within: frozenset[int] | None = None,
) -> Iterator[str]:
    """The export file a part at a time, for an answer that streams: the header, then the
    lines of each page of `page_size` people by email (keyset paging: a page costs the same
    at the end of the file as at its start, and memory holds one page). A bad `kind` is
    refused now, before the first part. `within` (site ids) keeps the people of those sites."""
    kind = check_kind(kind)
    return _export_parts(session, kind, max(1, page_size), within)


def _export_parts(
    session: Session, kind: str, page_size: int, within: frozenset[int] | None
) -> Iterator[str]:
    role = ROLE_OF[kind]
    to_csv = mentors_to_csv if kind == "mentors" else mentees_to_csv
    profile_model = MentorProfile if kind == "mentors" else MenteeProfile
    if kind == "mentors":
        extra = (
            MentorProfile.id,
            MentorProfile.capacity,
            MentorProfile.credentials,
            MentorProfile.years_experience,
            MentorProfile.bio,
        )
        profile_user = MentorProfile.user_id
        site_id = MentorProfile.site_id
    else:
        extra = (MenteeProfile.id, MenteeProfile.goals)
        profile_user = MenteeProfile.user_id
        site_id = MenteeProfile.site_id
    yield to_csv((), header=True)
    after = None
    while True:
        # Plain columns, no model objects: a page of a thousand people is a few milliseconds.
        query = (
            select(User.id, User.email, User.name, User.timezone, Site.name, Site.region, *extra)
            .where(User.role == role)
            .outerjoin(profile_model, profile_user == User.id)
            .outerjoin(Site, Site.id == site_id)
            .order_by(User.email)
            .limit(page_size)
        )
        if after is not None:
            query = query.where(User.email > after)
        if within is not None:
            query = query.where(site_id.in_(within))
        rows = session.execute(query).all()
        if not rows:
            return
        after = rows[-1][1]
        yield to_csv(_export_records(session, kind, rows), header=False)
        if len(rows) < page_size:
            return


def _export_records(session: Session, kind: str, rows: Sequence[Any]) -> list[Any]:
    """One page's records: rows of (user id, email, name, time zone, site, region, profile
    id, the profile's own columns…)."""
    user_ids = [row[0] for row in rows]
    profile_ids = [row[6] for row in rows if row[6] is not None]
    windows: dict[int, list[Window]] = {}
    for user_id, weekday, start, end in session.execute(
        select(
            AvailabilityWindow.user_id,
            AvailabilityWindow.weekday,
            AvailabilityWindow.start_minute,
            AvailabilityWindow.end_minute,
        ).where(AvailabilityWindow.user_id.in_(user_ids))
    ):
        windows.setdefault(user_id, []).append(Window(weekday, start, end))

    specialties: dict[int, list[str]] = {}
    if kind == "mentors":
        query = (
            select(mentor_specialties.c.mentor_profile_id, Specialty.slug)
            .join(Specialty, Specialty.id == mentor_specialties.c.specialty_id)
            .where(mentor_specialties.c.mentor_profile_id.in_(profile_ids))
            .order_by(mentor_specialties.c.mentor_profile_id, Specialty.slug)
        )
    else:
        query = (
            select(MenteeSpecialty.mentee_profile_id, Specialty.slug)
            .join(Specialty, Specialty.id == MenteeSpecialty.specialty_id)
            .where(MenteeSpecialty.mentee_profile_id.in_(profile_ids))
            .order_by(MenteeSpecialty.mentee_profile_id, MenteeSpecialty.rank)
        )
    for profile_id, slug in session.execute(query):
        specialties.setdefault(profile_id, []).append(slug)

    if kind == "mentors":
        return [
            MentorRecord(
                line=0,
                email=email,
                name=name,
                site=site or "",
                region=region or "",
                timezone=timezone,
                specialties=tuple(specialties.get(profile_id, ())),
                availability=tuple(sorted(windows.get(user_id, ()))),
                capacity=capacity if profile_id is not None else 1,
                credentials=credentials or "",
                years_experience=years,
                bio=bio or "",
            )
            for (
                user_id,
                email,
                name,
                timezone,
                site,
                region,
                profile_id,
                capacity,
                credentials,
                years,
                bio,
            ) in rows
        ]

    preferences: dict[int, list[str]] = {}
    for profile_id, email in session.execute(
        select(MenteePreference.mentee_profile_id, MenteePreference.mentor_email)
        .where(MenteePreference.mentee_profile_id.in_(profile_ids))
        .order_by(MenteePreference.mentee_profile_id, MenteePreference.rank)
    ):
        preferences.setdefault(profile_id, []).append(email)
    return [
        MenteeRecord(
            line=0,
            email=email,
            name=name,
            site=site or "",
            region=region or "",
            timezone=timezone,
            specialties=tuple(specialties.get(profile_id, ())),
            availability=tuple(sorted(windows.get(user_id, ()))),
            goals=goals or "",
            preferred_mentors=tuple(preferences.get(profile_id, ())),
        )
        for user_id, email, name, timezone, site, region, profile_id, goals in rows
    ]


# -- files waiting for confirmation (the HTML preview) --------------------------------------


def hold_import(session: Session, user: User, kind: str, filename: str, data: bytes) -> str:
    """Keep a previewed file until its uploader confirms it; returns the key for the form.

    Files older than a day are dropped on the way.
    """
    kind = check_kind(kind)
    cutoff = utcnow() - timedelta(hours=PENDING_IMPORT_HOURS)
    session.execute(delete(PendingImport).where(PendingImport.created_at < cutoff))
    key = secrets.token_urlsafe(24)
    session.add(
        PendingImport(key=key, kind=kind, filename=filename[:255], data=data, created_by_id=user.id)
    )
    session.flush()
    return key


def held_import(session: Session, user: User, key: str) -> PendingImport:
    """The file `user` previewed under `key`; NotFound once confirmed, expired or not theirs."""
    pending = session.scalar(select(PendingImport).where(PendingImport.key == key[:64]))
    if (
        pending is None
        or pending.created_by_id != user.id
        or pending.created_at < utcnow() - timedelta(hours=PENDING_IMPORT_HOURS)
    ):
        raise NotFound(
            "That upload is no longer waiting to be confirmed (it was imported already, or it"
            " is more than a day old). Upload the file again."
        )
    return pending


def confirm_import(
    session: Session,
    user: User,
    key: str,
    *,
    base_url: str,
    secret_key: str,
    invite_limit: int = INVITE_LIMIT,
) -> ImportSummary:
    """Import a previewed file; the held copy is removed in the same transaction."""
    pending = held_import(session, user, key)
    pending_id, kind, data = pending.id, pending.kind, pending.data
    summary = import_people(
        session,
        kind,
        data,
        base_url=base_url,
        secret_key=secret_key,
        invite_limit=invite_limit,
        caller=user,
    )
    session.execute(delete(PendingImport).where(PendingImport.id == pending_id))
    return summary
