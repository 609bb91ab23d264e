"""CE activities, certification details, the cycle rules, progress, compliance and reminders.

One query layer for the mentee's page, the API, the transcript and the coordinator's report:
each reads a :class:`Portfolio` (or compliance rows) built here from the rows and the pure
:mod:`mentor_match.recertification` arithmetic.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from mentor_match.importing.people import RowError
from mentor_match.mail import Mail, queue
from mentor_match.models import (
    CeActivity,
    Certification,
    CpdReminder,
    CpdRuleSet,
    Role,
    SignOff,
    User,
)
from mentor_match.recertification import (
    KINDS,
    PTCB_RULES,
    ActivityRecord,
    Cycle,
    Progress,
    RulesError,
    RuleSet,
    Uan,
    evaluate,
    parse_uan,
)
from mentor_match.recertification.activities import (
    ActivityFields,
    activities_csv,
    check_activity,
    parse_activities_csv,
)
from mentor_match.recertification.requirements import ActivityResult
from mentor_match.services import scopes
from mentor_match.services.cpd import certificates
from mentor_match.services.cpd.shadowing import CpdLog, cpd_log
from mentor_match.services.errors import Invalid, NotFound

PTCB_NUMBER = re.compile(r"[0-9]{5,8}")
NABP_EPROFILE_ID = re.compile(r"[0-9]{6,7}")
REMINDER_DAYS = (100, 60, 30)
SHORT_WINDOW_DAYS = 100
ACTIVITY_FIELDS = ("title", "provider", "completed_on", "hours", "kind", "uan", "reflection")


def today_utc() -> date:
    return datetime.now(UTC).date()


def _invalid(problems: list[tuple[str, str]]) -> Invalid:
    summary = "; ".join(f"{f}: {m}" for f, m in problems[:5])
    return Invalid(summary, details=[{"field": f, "message": m} for f, m in problems])


# -- certification -----------------------------------------------------------------------------


def certification_of(session: Session, user: User) -> Certification | None:
    return session.scalar(select(Certification).where(Certification.user_id == user.id))


_UNSET: Any = object()


def update_certification(
    session: Session,
    user: User,
    *,
    ptcb_number: str | None = _UNSET,
    nabp_eprofile_id: str | None = _UNSET,
    cycle_ends: date | None = _UNSET,
    today: date | None = None,
) -> Certification:
    """Change the given details (an empty number clears it); every problem answered at once."""
    today = today or today_utc()
    rules = current_rules(session)
    problems: list[tuple[str, str]] = []
    values: dict[str, Any] = {}
    for name, value, pattern, label in (
        ("ptcb_number", ptcb_number, PTCB_NUMBER, "a PTCB certification number is 5 to 8 digits"),
        (
            "nabp_eprofile_id",
            nabp_eprofile_id,
            NABP_EPROFILE_ID,
            "an NABP e-Profile ID is 6 or 7 digits",
        ),
    ):
        if value is _UNSET:
            continue
        cleaned = re.sub(r"[\s-]", "", value or "")
        if cleaned and not pattern.fullmatch(cleaned):
            problems.append((name, f"{label}; {value!r} is not one"))
        values[name] = cleaned or None
    if cycle_ends is not _UNSET:
        if cycle_ends is None:
            problems.append(("cycle_ends", "give the date your current cycle ends"))
        elif cycle_ends < today - timedelta(days=365):
            problems.append(
                ("cycle_ends", "is more than a year ago: give your current cycle's end")
            )
        elif cycle_ends > _add_years(today, rules.cycle_years):
            problems.append(
                (
                    "cycle_ends",
                    f"is more than {rules.cycle_years} years away: a cycle is not longer",
                )
            )
        values["cycle_ends_on"] = cycle_ends
    if problems:
        raise _invalid(problems)
    record = certification_of(session, user)
    if record is None:
        record = Certification(user_id=user.id)
        session.add(record)
    for name, value in values.items():
        setattr(record, name, value)
    session.flush()
    return record


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def certification_dict(record: Certification | None) -> dict[str, Any]:
    return {
        "ptcb_number": record.ptcb_number if record else None,
        "nabp_eprofile_id": record.nabp_eprofile_id if record else None,
        "cycle_ends": record.cycle_ends_on.isoformat() if record and record.cycle_ends_on else None,
    }


# -- rules ---------------------------------------------------------------------------------------


def current_rules(session: Session) -> RuleSet:
    row = session.scalar(select(CpdRuleSet).order_by(CpdRuleSet.id).limit(1))
    if row is None:
        return PTCB_RULES
    try:
        return RuleSet.from_dict(row.definition)
    except RulesError:
        return PTCB_RULES


def save_rules(session: Session, coordinator: User, data: dict[str, Any]) -> RuleSet:
    """Replace the programme's rule set: a programme-wide setting, refused (403) to a
    site-scoped coordinator."""
    scopes.require_programme_wide(session, coordinator, "change the recertification rules")
    try:
        rules = RuleSet.from_dict(data)
    except RulesError as exc:
        raise _invalid([(exc.field, exc.message)]) from exc
    row = session.scalar(select(CpdRuleSet).order_by(CpdRuleSet.id).limit(1))
    if row is None:
        row = CpdRuleSet(definition={})
        session.add(row)
    row.definition = rules.as_dict()
    row.updated_by_id = coordinator.id
    session.flush()
    return rules


def reset_rules(session: Session, coordinator: User) -> RuleSet:
    return save_rules(session, coordinator, PTCB_RULES.as_dict())


# -- activities ----------------------------------------------------------------------------------


def _apply(activity: CeActivity, fields: ActivityFields) -> None:
    activity.title = fields.title
    activity.provider = fields.provider
    activity.completed_on = fields.completed_on
    activity.hours = fields.hours
    activity.kind = fields.kind
    activity.uan = str(fields.uan) if fields.uan else None
    activity.reflection = fields.reflection


def add_activity(
    session: Session, user: User, raw: dict[str, Any], *, today: date | None = None
) -> CeActivity:
    """A new CE activity from plain values; 422 naming every wrong field."""
    fields, problems = check_activity(raw, today or today_utc())
    if fields is None:
        raise _invalid(problems)
    activity = CeActivity(user_id=user.id)
    _apply(activity, fields)
    session.add(activity)
    session.flush()
    return activity


def own_activity(session: Session, user: User, activity_id: int) -> CeActivity:
    """The caller's own activity; anyone else's is 'not found' (its existence stays private)."""
    activity = session.get(CeActivity, activity_id)
    if activity is None or activity.user_id != user.id:
        raise NotFound("no such activity")
    return activity


def visible_activity(session: Session, user: User, activity_id: int) -> CeActivity:
    """An activity its owner or a coordinator may see (a site-scoped coordinator: of a mentee
    of their sites)."""
    activity = session.get(CeActivity, activity_id)
    if activity is None or (
        activity.user_id != user.id
        and (
            user.role != Role.COORDINATOR
            or not scopes.can_see_person(session, user, activity.user_id)
        )
    ):
        raise NotFound("no such activity")
    return activity


KEPT_FIELDS = ("title", "provider", "completed_on", "hours", "kind")


def update_activity(
    session: Session,
    user: User,
    activity_id: int,
    changes: dict[str, Any],
    *,
    today: date | None = None,
) -> CeActivity:
    activity = own_activity(session, user, activity_id)
    # A change may clear the optional parts (UAN, reflection), never the ones an activity needs.
    for name in KEPT_FIELDS:
        if name in changes and changes[name] is None:
            raise Invalid(
                f"{name} cannot be removed", details=[{"field": name, "message": "is required"}]
            )
    raw = {name: getattr(activity, name) for name in ACTIVITY_FIELDS}
    raw.update(changes)
    fields, problems = check_activity(raw, today or today_utc())
    if fields is None:
        raise _invalid(problems)
    _apply(activity, fields)
    session.flush()
    return activity


def delete_activity(session: Session, user: User, activity_id: int, folder: Path) -> None:
    activity = own_activity(session, user, activity_id)
    certificates.remove_after_commit(session, folder, activity.certificate_key)
    session.delete(activity)
    session.flush()


def attach_certificate(
    session: Session,
    user: User,
    activity_id: int,
    data: bytes,
    filename: str,
    folder: Path,
) -> CeActivity:
    """Keep (or replace) the activity's certificate; the type is read from the bytes."""
    activity = own_activity(session, user, activity_id)
    mimetype, extension = certificates.sniff(data)
    old = activity.certificate_key
    activity.certificate_key = certificates.store(session, folder, data)
    activity.certificate_name = certificates.safe_name(filename or "certificate", extension)
    activity.certificate_type = mimetype
    activity.certificate_size = len(data)
    certificates.remove_after_commit(session, folder, old)
    session.flush()
    return activity


def remove_certificate(session: Session, user: User, activity_id: int, folder: Path) -> None:
    activity = own_activity(session, user, activity_id)
    certificates.remove_after_commit(session, folder, activity.certificate_key)
    activity.certificate_key = None
    activity.certificate_name = None
    activity.certificate_type = None
    activity.certificate_size = None
    session.flush()


def certificate_of(
    session: Session, user: User, activity_id: int, folder: Path
) -> tuple[bytes, str, str]:
    """(bytes, mimetype, file name) of a certificate its owner or a coordinator asks for."""
    activity = visible_activity(session, user, activity_id)
    if not activity.certificate_key:
        raise NotFound("this activity has no certificate")
    try:
        data = certificates.read(folder, activity.certificate_key)
    except FileNotFoundError as exc:
        raise NotFound("the certificate file is missing") from exc
    return (
        data,
        activity.certificate_type or "application/octet-stream",
        (activity.certificate_name or "certificate"),
    )


def import_activities(session: Session, user: User, text: str, *, today: date | None = None) -> int:
    """Add every activity of a CSV file, or none: 422 `invalid_csv` listing each bad row."""
    records, errors = parse_activities_csv(text, today or today_utc())
    if errors:
        raise Invalid(
            f"{len(errors)} problem(s) in the file; nothing was imported",
            code="invalid_csv",
            details=[e.as_dict() for e in errors],
        )
    for _, fields in records:
        activity = CeActivity(user_id=user.id)
        _apply(activity, fields)
        session.add(activity)
    session.flush()
    return len(records)


def csv_errors(exc: Invalid) -> list[RowError]:
    return [RowError(d["line"], d.get("column"), d["message"]) for d in exc.details if "line" in d]


# -- the portfolio --------------------------------------------------------------------------------


def _uan(text: str | None) -> Uan | None:
    if not text:
        return None
    try:
        return parse_uan(text)
    except ValueError:
        return None


#: The columns of a CE activity the rules read, in `activity_record`'s order (reports read
#: every activity of the programme as plain rows, not ORM objects).
ACTIVITY_COLUMNS = (
    CeActivity.user_id,
    CeActivity.id,
    CeActivity.completed_on,
    CeActivity.hours,
    CeActivity.kind,
    CeActivity.uan,
)


def activity_record(
    activity_id: int, completed_on: date, hours: Any, kind: str, uan_text: str | None
) -> ActivityRecord:
    """A CE activity as the rules evaluate it (hours to the cent, topic and audience from its
    UAN when it has a valid one)."""
    uan = _uan(uan_text)
    return ActivityRecord(
        id=activity_id,
        completed_on=completed_on,
        hours=Decimal(hours).quantize(Decimal("0.01")),
        kind=kind,
        topic=uan.topic if uan else None,
        audience=uan.audience if uan else None,
    )


def _record(activity: CeActivity) -> ActivityRecord:
    return activity_record(
        activity.id, activity.completed_on, activity.hours, activity.kind, activity.uan
    )


ANY_TIME = Cycle(date(1900, 1, 1), date(9999, 12, 31))


@dataclass
class Portfolio:
    """A mentee's CPD as their page, the API and the transcript show it."""

    user: User
    certification: Certification | None
    rules: RuleSet
    cycle: Cycle | None
    progress: Progress
    activities: list[CeActivity]
    shadowing: CpdLog
    results: dict[int, ActivityResult] = field(default_factory=dict)
    # Competencies a preceptor has signed off (and not revoked), oldest first.
    signed_off: list[SignOff] = field(default_factory=list)

    @property
    def shadowing_in_cycle(self) -> Decimal:
        cycle = self.cycle or ANY_TIME
        return sum((e.hours for e in self.shadowing.entries if e.date in cycle), Decimal("0.00"))

    def uan_of(self, activity: CeActivity) -> Uan | None:
        return _uan(activity.uan)


def portfolio(session: Session, user: User, *, today: date | None = None) -> Portfolio:
    today = today or today_utc()
    rules = current_rules(session)
    certification = certification_of(session, user)
    cycle = (
        Cycle.ending(certification.cycle_ends_on, rules.cycle_years)
        if certification and certification.cycle_ends_on
        else None
    )
    activities = list(
        session.scalars(
            select(CeActivity)
            .where(CeActivity.user_id == user.id)
            .order_by(CeActivity.completed_on.desc(), CeActivity.id.desc())
        )
    )
    progress = evaluate(rules, cycle or ANY_TIME, [_record(a) for a in activities], today)
    results = {r.record.id: r for r in progress.activities}
    signed_off = list(
        session.scalars(
            select(SignOff)
            .where(SignOff.mentee_id == user.id, SignOff.revoked_at.is_(None))
            .options(selectinload(SignOff.competency), selectinload(SignOff.signed_by))
            .order_by(SignOff.signed_at, SignOff.id)
        )
    )
    return Portfolio(
        user,
        certification,
        rules,
        cycle,
        progress,
        activities,
        cpd_log(session, user),
        results,
        signed_off,
    )


def activity_dict(p: Portfolio, activity: CeActivity) -> dict[str, Any]:
    uan = p.uan_of(activity)
    result = p.results.get(activity.id)
    return {
        "id": activity.id,
        "title": activity.title,
        "provider": activity.provider,
        "completed_on": activity.completed_on.isoformat(),
        "hours": float(activity.hours),
        "kind": activity.kind,
        "uan": uan.as_dict() if uan else None,
        "reflection": activity.reflection,
        "counted_hours": float(result.counted) if result else 0.0,
        "not_counted_reason": result.reason if result else None,
        "certificate": (
            {
                "name": activity.certificate_name,
                "type": activity.certificate_type,
                "size": activity.certificate_size,
            }
            if activity.certificate_key
            else None
        ),
    }


def single_activity_dict(session: Session, user: User, activity: CeActivity) -> dict[str, Any]:
    return activity_dict(portfolio(session, user), activity)


def portfolio_dict(p: Portfolio, v1: dict[str, Any]) -> dict[str, Any]:
    """The v1 shadowing fields, with the cycle, the requirements and the activities added."""
    return {
        **v1,
        "certification": certification_dict(p.certification),
        "rules": p.rules.name,
        "cycle": (
            {
                "starts": p.cycle.starts.isoformat(),
                "ends": p.cycle.ends.isoformat(),
                "days_left": p.progress.days_left,
            }
            if p.cycle
            else None
        ),
        "requirements": [r.as_dict() for r in p.progress.requirements],
        "met": p.progress.met,
        "missing": p.progress.missing,
        "ce_hours": float(p.progress.ce_hours),
        "shadowing_hours_in_cycle": float(p.shadowing_in_cycle),
        "hours_by_month": [{"month": m, "hours": float(h)} for m, h in p.progress.by_month],
        "activities": [activity_dict(p, a) for a in p.activities],
    }


TRANSCRIPT_COLUMNS = [
    "completed_on",
    "title",
    "provider",
    "kind",
    "uan",
    "topic",
    "audience",
    "hours",
    "counted_hours",
    "note",
]


def transcript_rows(p: Portfolio) -> list[list[str]]:
    """The activities as the transcript lists them, oldest first."""
    rows = []
    for activity in sorted(p.activities, key=lambda a: (a.completed_on, a.id)):
        uan = p.uan_of(activity)
        result = p.results[activity.id]
        rows.append(
            [
                activity.completed_on.isoformat(),
                activity.title,
                activity.provider,
                KINDS[activity.kind],
                str(uan) if uan else "",
                uan.topic_name if uan else "",
                uan.audience_name if uan else "",
                f"{Decimal(activity.hours):.2f}",
                f"{result.counted:.2f}",
                result.reason or "",
            ]
        )
    return rows


def transcript_csv(p: Portfolio) -> str:
    return activities_csv(transcript_rows(p), TRANSCRIPT_COLUMNS)


# -- compliance and reminders -----------------------------------------------------------------


@dataclass(frozen=True)
class ComplianceRow:
    mentee_id: int
    name: str
    email: str
    cycle_ends: date | None
    days_left: int | None
    ce_hours: Decimal
    met: bool
    missing: tuple[str, ...]

    def short_within(self, days: int) -> bool:
        return not self.met and self.days_left is not None and 0 <= self.days_left <= days

    def as_dict(self) -> dict[str, Any]:
        return {
            "mentee_id": self.mentee_id,
            "name": self.name,
            "ce_hours": float(self.ce_hours),
            "met": self.met,
            "days_left": self.days_left,
            "cycle_ends": self.cycle_ends.isoformat() if self.cycle_ends else None,
            "missing": list(self.missing),
        }


def compliance(
    session: Session,
    *,
    today: date | None = None,
    short_within: int | None = None,
    within: frozenset[int] | None = None,
) -> list[ComplianceRow]:
    """Every active mentee's standing, the nearest cycle end first (three queries in all).

    With `short_within`, only those whose cycle ends within that many days and who are short;
    with `within` (site ids), only the mentees of those sites.
    """
    today = today or today_utc()
    rules = current_rules(session)
    mentee_stmt = select(User).where(User.role == Role.MENTEE, User.active.is_(True))
    if within is not None:
        mentee_stmt = mentee_stmt.where(scopes.people_of_sites(User.id, within))
    mentees = list(session.scalars(mentee_stmt.order_by(User.name)))
    ends_stmt = select(Certification.user_id, Certification.cycle_ends_on)
    activities = select(*ACTIVITY_COLUMNS)
    if within is not None:  # only the certifications and activities of their sites' mentees
        ends_stmt = ends_stmt.where(scopes.people_of_sites(Certification.user_id, within))
        activities = activities.where(scopes.people_of_sites(CeActivity.user_id, within))
    ends = dict(session.execute(ends_stmt).all())
    per_user: dict[int, list[ActivityRecord]] = defaultdict(list)
    for user_id, *activity in session.execute(activities):
        per_user[user_id].append(activity_record(*activity))
    rows = []
    for mentee in mentees:
        end = ends.get(mentee.id)
        cycle = Cycle.ending(end, rules.cycle_years) if end else ANY_TIME
        progress = evaluate(rules, cycle, per_user.get(mentee.id, []), today)
        row = ComplianceRow(
            mentee.id,
            mentee.name,
            mentee.email,
            end,
            progress.days_left if end else None,
            progress.ce_hours,
            progress.met,
            tuple(progress.missing),
        )
        if short_within is None or row.short_within(short_within):
            rows.append(row)
    rows.sort(key=lambda r: (r.days_left is None, r.days_left or 0, r.name))
    return rows


COMPLIANCE_COLUMNS = ["name", "email", "cycle_ends", "days_left", "ce_hours", "met", "missing"]


def compliance_csv(rows: list[ComplianceRow]) -> str:
    return activities_csv(
        [
            [
                r.name,
                r.email,
                r.cycle_ends.isoformat() if r.cycle_ends else "",
                "" if r.days_left is None else str(r.days_left),
                f"{r.ce_hours:.2f}",
                "yes" if r.met else "no",
                "; ".join(r.missing),
            ]
            for r in rows
        ],
        COMPLIANCE_COLUMNS,
    )


def send_reminder_mail(session: Session, mail: Mail) -> None:
    """The one place CPD mail leaves from (today: sent after the transaction commits)."""
    queue(session, mail)


def due_reminders(
    session: Session, *, today: date | None = None
) -> list[tuple[ComplianceRow, int]]:
    """(mentee, threshold) for each reminder due now and not yet sent: the tightest of 100, 60
    and 30 days that the mentee's cycle end has come within, while they are short."""
    today = today or today_utc()
    sent = {
        tuple(row)
        for row in session.execute(
            select(CpdReminder.user_id, CpdReminder.cycle_ends_on, CpdReminder.days_before)
        )
    }
    due = []
    for row in compliance(session, today=today, short_within=max(REMINDER_DAYS)):
        threshold = min(
            d for d in REMINDER_DAYS if row.days_left is not None and row.days_left <= d
        )
        if (row.mentee_id, row.cycle_ends, threshold) not in sent:
            due.append((row, threshold))
    return due


def send_due_reminders(session: Session, *, today: date | None = None, base_url: str = "") -> int:
    """Send each due reminder once (recorded with the mail); safe to run again at any time.

    Scheduling is left to the task queue: call this from a daily job and commit.
    """
    count = 0
    for row, threshold in due_reminders(session, today=today):
        try:
            with session.begin_nested():
                session.add(
                    CpdReminder(
                        user_id=row.mentee_id, cycle_ends_on=row.cycle_ends, days_before=threshold
                    )
                )
        except IntegrityError:
            continue  # another run recorded it first
        needed = "\n".join(f"- {item}" for item in row.missing)
        link = f"{base_url.rstrip('/')}/cpd/" if base_url else "/cpd/"
        send_reminder_mail(
            session,
            Mail(
                to=(row.email,),
                subject=f"Your recertification cycle ends in {row.days_left} days",
                body=(
                    f"Hello {row.name},\n\nYour certification cycle ends on "
                    f"{row.cycle_ends.isoformat() if row.cycle_ends else ''} "
                    f"({row.days_left} days from now). You have {row.ce_hours:.2f} CE hours "
                    f"that count; still needed:\n{needed}\n\nYour CPD portfolio: {link}\n"
                ),
            ),
        )
        count += 1
    session.flush()
    return count
