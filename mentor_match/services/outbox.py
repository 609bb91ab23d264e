"""The mail outbox: claiming due mail for delivery, recording the outcome, and what
coordinators see and retry (a site-scoped coordinator: the mails to the people of their sites).

Every mail is a row (see `mentor_match.mail.queue`). A worker claims due rows with one
conditional UPDATE (a claim token and a lease), sends them, and marks each `sent` right after
the mail server accepts it; a refusal for now (connection error, 4xx) is retried with
exponential back-off until `RETRY_HOURS` after the mail was written, then `failed`; a refusal
for good (5xx) is `failed` at once. A worker that dies leaves its claim to expire, and the rows
are claimed again: at most the mails it had sent but not yet marked go out twice.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, String, case, delete, false, func, or_, select, update
from sqlalchemy.orm import Session

from mentor_match.database import begin_write, utcnow
from mentor_match.jobs.queue import request_job
from mentor_match.mail import ADDRESS_SEPARATOR as SEPARATOR
from mentor_match.models import MailState, OutboxMail, User
from mentor_match.services import scopes
from mentor_match.services.errors import Conflict, NotFound

#: Retries go on for this long after a mail was written, then it is marked failed.
RETRY_HOURS = 24
#: The first retry waits this long; each next one twice as long, up to MAX_BACKOFF_SECONDS.
BACKOFF_SECONDS = 30.0
MAX_BACKOFF_SECONDS = 3600.0
#: How long a claim holds before another worker may take the mail over.
LEASE_SECONDS = 120.0
ERROR_LENGTH = 1000
#: Sent mail is kept this long (for the counts and for questions), then deleted by the sweep.
KEEP_DAYS = 30


@dataclass(frozen=True)
class Policy:
    retry_hours: float = RETRY_HOURS
    backoff_seconds: float = BACKOFF_SECONDS
    max_backoff_seconds: float = MAX_BACKOFF_SECONDS
    lease_seconds: float = LEASE_SECONDS

    @classmethod
    def from_config(cls, config: Any) -> Policy:
        return cls(
            retry_hours=float(config.get("OUTBOX_RETRY_HOURS", RETRY_HOURS)),
            backoff_seconds=float(config.get("OUTBOX_BACKOFF_SECONDS", BACKOFF_SECONDS)),
            max_backoff_seconds=float(
                config.get("OUTBOX_MAX_BACKOFF_SECONDS", MAX_BACKOFF_SECONDS)
            ),
            lease_seconds=float(config.get("OUTBOX_LEASE_SECONDS", LEASE_SECONDS)),
        )

    def backoff(self, attempts: int) -> timedelta:
        seconds = self.backoff_seconds * 2 ** max(0, attempts - 1)
        return timedelta(seconds=min(seconds, self.max_backoff_seconds))


@dataclass(frozen=True)
class ClaimedMail:
    id: int
    to: str
    subject: str
    body: str
    ics: str | None
    ics_method: str | None
    attempts: int
    created_at: datetime
    retried_at: datetime | None


def _due(now: datetime) -> Any:
    return (
        (OutboxMail.state == MailState.QUEUED.value)
        & (OutboxMail.next_attempt_at <= now)
        & or_(OutboxMail.claimed_until.is_(None), OutboxMail.claimed_until < now)
    )


def claim_due(session: Session, limit: int, policy: Policy) -> list[ClaimedMail]:
    """Claim up to `limit` due mails for this worker; commit before sending them."""
    begin_write(session)
    now = utcnow()
    token = secrets.token_hex(16)
    # Two statements, not UPDATE … WHERE id IN (SELECT … LIMIT): PostgreSQL may evaluate such
    # a subquery more than once and claim far more than the batch. The rows are locked (SKIP
    # LOCKED on PostgreSQL, the write lock on SQLite) from the SELECT to the commit.
    query = select(OutboxMail.id).where(_due(now)).order_by(OutboxMail.id).limit(limit)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    ids = list(session.scalars(query))
    if not ids:
        return []
    session.execute(
        update(OutboxMail)
        .where(OutboxMail.id.in_(ids), _due(now))
        .values(claim=token, claimed_until=now + timedelta(seconds=policy.lease_seconds))
        .execution_options(synchronize_session=False)
    )
    rows = session.execute(
        select(
            OutboxMail.id,
            OutboxMail.to,
            OutboxMail.subject,
            OutboxMail.body,
            OutboxMail.ics,
            OutboxMail.ics_method,
            OutboxMail.attempts,
            OutboxMail.created_at,
            OutboxMail.retried_at,
        )
        .where(OutboxMail.claim == token)
        .order_by(OutboxMail.id)
    ).all()
    return [ClaimedMail(*row) for row in rows]


def release(session: Session, mail_ids: list[int]) -> None:
    """Give back claimed mails not sent yet (their lease is running out)."""
    if mail_ids:
        session.execute(
            update(OutboxMail)
            .where(OutboxMail.id.in_(mail_ids), OutboxMail.state == MailState.QUEUED.value)
            .values(claim=None, claimed_until=None)
            .execution_options(synchronize_session=False)
        )


def mark_sent(session: Session, mail_id: int) -> None:
    now = utcnow()
    session.execute(
        update(OutboxMail)
        .where(OutboxMail.id == mail_id)
        .values(
            state=MailState.SENT.value,
            sent_at=now,
            attempts=OutboxMail.attempts + 1,
            claim=None,
            claimed_until=None,
            last_error="",
        )
        .execution_options(synchronize_session=False)
    )


def mark_failed_attempt(
    session: Session, mail: ClaimedMail, error: str, *, permanent: bool, policy: Policy
) -> datetime | None:
    """Record a refused attempt; returns when the next one is due, or None when it failed."""
    now = utcnow()
    attempts = mail.attempts + 1
    retry_at = now + policy.backoff(attempts)
    since = max(mail.created_at, mail.retried_at or mail.created_at)
    give_up = permanent or retry_at > since + timedelta(hours=policy.retry_hours)
    session.execute(
        update(OutboxMail)
        .where(OutboxMail.id == mail.id)
        .values(
            state=MailState.FAILED.value if give_up else MailState.QUEUED.value,
            attempts=attempts,
            next_attempt_at=now if give_up else retry_at,
            claim=None,
            claimed_until=None,
            last_error=error[:ERROR_LENGTH],
        )
        .execution_options(synchronize_session=False)
    )
    return None if give_up else retry_at


def purge_sent(session: Session, keep_days: float = KEEP_DAYS) -> int:
    """Delete sent mail older than `keep_days` (its body has done its work); returns how many."""
    done = session.execute(
        delete(OutboxMail)
        .where(
            OutboxMail.state == MailState.SENT.value,
            OutboxMail.sent_at < utcnow() - timedelta(days=keep_days),
        )
        .execution_options(synchronize_session=False)
    )
    return done.rowcount or 0


def has_due(session: Session) -> bool:
    return session.scalar(select(OutboxMail.id).where(_due(utcnow())).limit(1)) is not None


def _escaped(column: Any) -> Any:
    """`column` with LIKE's wildcards escaped (an address may hold `_` or `%`)."""
    escaped = func.replace(column, "\\", "\\\\", type_=String)
    escaped = func.replace(escaped, "%", "\\%", type_=String)
    return func.replace(escaped, "_", "\\_", type_=String)


def _first_and_rest(session: Session) -> tuple[Any, Any]:
    """The first address of a mail, and the rest (None for a mail to one person), in SQL."""
    to = OutboxMail.to
    if session.get_bind().dialect.name == "postgresql":
        cut = func.strpos(to, SEPARATOR)
    else:
        cut = func.instr(to, SEPARATOR)
    first = case((cut > 0, func.substr(to, 1, cut - 1, type_=String)), else_=to)
    rest = case((cut > 0, func.substr(to, cut + len(SEPARATOR), type_=String)), else_=None)
    return first, rest


def visible_mail(session: Session, user: User | None) -> ColumnElement[bool] | None:
    """The filter on a query over the outbox so a site-scoped coordinator sees the mails to
    the people of their sites (a mail to a pair: when either of the two is theirs, as for the
    pair itself); None when nothing needs filtering."""
    if user is None:
        return None
    site_ids = scopes.visible_site_ids(session, user)
    if site_ids is None:
        return None
    in_scope = scopes.people_of_sites(User.id, site_ids)
    emails = select(User.email).where(in_scope)
    # Mails go to one person or to a pair ("mentee@…, mentor@…"): both addresses are compared
    # whole, by an index lookup. Only a mail to three or more people (none is written today)
    # would need the slower search through its address list.
    first, rest = _first_and_rest(session)
    email = _escaped(User.email)
    among_many = (
        select(User.id)
        .where(
            in_scope,
            OutboxMail.to.like("%" + SEPARATOR + email + SEPARATOR + "%", escape="\\")
            | OutboxMail.to.like("%" + SEPARATOR + email, escape="\\"),
        )
        .exists()
    )
    # CASE, not AND: the database must not run the search for the mails to one or two people.
    many = case((rest.contains(SEPARATOR, autoescape=True), among_many), else_=false())
    return or_(first.in_(emails), rest.in_(emails), many)


def counts(session: Session, caller: User | None = None) -> dict[str, int]:
    """How many mails are queued, sent and failed (with `caller`: of those they may see)."""
    stmt = select(OutboxMail.state, func.count()).group_by(OutboxMail.state)
    if (in_scope := visible_mail(session, caller)) is not None:
        stmt = stmt.where(in_scope)
    found = dict(session.execute(stmt).all())
    return {state.value: int(found.get(state.value, 0)) for state in MailState}


def mail_dict(mail: OutboxMail) -> dict[str, Any]:
    return {
        "id": mail.id,
        "to": mail.to,
        "subject": mail.subject,
        "state": mail.state,
        "attempts": mail.attempts,
        "last_error": mail.last_error or None,
        "created_at": mail.created_at.isoformat(),
        "next_attempt_at": (
            mail.next_attempt_at.isoformat() if mail.state == MailState.QUEUED else None
        ),
    }


def waiting_mail(
    session: Session, limit: int = 200, caller: User | None = None
) -> list[OutboxMail]:
    """Failed mail first (it needs a coordinator), then queued mail, oldest first (with
    `caller`: those they may see)."""
    stmt = select(OutboxMail).where(
        OutboxMail.state.in_([MailState.FAILED.value, MailState.QUEUED.value])
    )
    if (in_scope := visible_mail(session, caller)) is not None:
        stmt = stmt.where(in_scope)
    return list(
        session.scalars(
            stmt.order_by(OutboxMail.state == MailState.QUEUED.value, OutboxMail.id).limit(limit)
        )
    )


def retry_mail(session: Session, mail_id: int, caller: User | None = None) -> OutboxMail:
    """Send a failed (or waiting) mail again now; a sent mail is not sent twice. With
    `caller`, a mail they may not see is a 404."""
    stmt = select(OutboxMail).where(OutboxMail.id == mail_id)
    if (in_scope := visible_mail(session, caller)) is not None:
        stmt = stmt.where(in_scope)
    mail = session.scalar(stmt)
    if mail is None:
        raise NotFound(f"there is no mail {mail_id} in the outbox")
    if mail.state == MailState.SENT:
        raise Conflict("this mail was sent already", code="already_sent")
    now = utcnow()
    # A retried mail gets a fresh day of retries from now.
    mail.state = MailState.QUEUED.value
    mail.next_attempt_at = now
    mail.retried_at = now
    mail.claim = None
    mail.claimed_until = None
    session.flush()
    request_job(session, "deliver_mail")
    return mail
