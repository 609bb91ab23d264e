"""Self-select rounds: a mentee's suggestions, their request, the mentor's answer.

Publishing a self-select round (`services.rounds.self_select`) gives each mentee in the pool
up to ``suggestions`` best feasible mentors. A mentee asks one at a time; the mentor accepts
(a mentorship, if a place is still free: ``409 mentor_full`` otherwise, decided in the
database with the mentor's profile locked) or declines. A request unanswered for
`REQUEST_DAYS` days expires: `expire_requests` marks them (idempotent; run it periodically)
and every read already treats them as expired, so the mentee can ask the next mentor at once.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, aliased

from mentor_match.database import add_unique, begin_write, utcnow
from mentor_match.mail import Mail, queue
from mentor_match.models import (
    MentorProfile,
    MentorRequest,
    Mentorship,
    MentorSuggestion,
    RequestStatus,
    User,
)
from mentor_match.services import scopes
from mentor_match.services.errors import Conflict, Invalid, NotFound
from mentor_match.services.rounds.definition import get_round

REQUEST_DAYS = 7
STATUSES = tuple(s.value for s in RequestStatus)


def effective_status(request: MentorRequest, now: datetime | None = None) -> str:
    """The status, with an open request past its expiry shown as expired."""
    if request.status == RequestStatus.OPEN and request.expires_at <= (now or utcnow()):
        return RequestStatus.EXPIRED.value
    return request.status


def _current_mentor(session: Session, mentee_id: int) -> int | None:
    return session.scalar(
        select(Mentorship.mentor_id).where(
            Mentorship.mentee_id == mentee_id, Mentorship.ended_at.is_(None)
        )
    )


def _request_dict(request: MentorRequest, names: dict[int, str], now: datetime) -> dict:
    return {
        "id": request.id,
        "mentee_id": request.mentee_id,
        "mentor_id": request.mentor_id,
        "mentee_name": names.get(request.mentee_id, ""),
        "mentor_name": names.get(request.mentor_id, ""),
        "status": effective_status(request, now),
        "created_at": request.created_at.isoformat(),
        "expires_at": request.expires_at.isoformat(),
        "answered_at": request.answered_at.isoformat() if request.answered_at else None,
    }


def _names(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return dict(session.execute(select(User.id, User.name).where(User.id.in_(ids))).all())


def my_suggestions(session: Session, mentee: User) -> dict[str, Any]:
    """The mentee's suggested mentors (latest self-select round first) and their requests."""
    now = utcnow()
    mentor = aliased(User)
    rows = session.execute(
        select(MentorSuggestion, mentor.name)
        .join(mentor, mentor.id == MentorSuggestion.mentor_id)
        .where(MentorSuggestion.mentee_id == mentee.id)
        .order_by(MentorSuggestion.round_id.desc(), MentorSuggestion.rank)
    ).all()
    requests = list(
        session.scalars(
            select(MentorRequest)
            .where(MentorRequest.mentee_id == mentee.id)
            .order_by(MentorRequest.created_at.desc(), MentorRequest.id.desc())
        )
    )
    asked = {r.mentor_id: effective_status(r, now) for r in requests}
    names = _names(session, {r.mentor_id for r in requests} | {mentee.id})
    seen: set[int] = set()
    items = []
    for suggestion, name in rows:
        if suggestion.mentor_id in seen:
            continue
        seen.add(suggestion.mentor_id)
        items.append(
            {
                "mentor_id": suggestion.mentor_id,
                "mentor_name": name,
                "round_id": suggestion.round_id,
                "score": suggestion.score,
                "breakdown": suggestion.breakdown,
                "overlap_hours": suggestion.overlap_hours,
                "request_status": asked.get(suggestion.mentor_id),
            }
        )
    has_mentor = _current_mentor(session, mentee.id) is not None
    waiting = any(effective_status(r, now) == RequestStatus.OPEN for r in requests)
    return {
        "items": items,
        "requests": [_request_dict(r, names, now) for r in requests],
        "has_mentor": has_mentor,
        "can_ask": not has_mentor and not waiting,
    }


def request_mentor(
    session: Session, mentee: User, mentor_id: int, base_url: str = ""
) -> MentorRequest:
    """The mentee asks one of their suggested mentors; one open request at a time."""
    begin_write(session)
    now = utcnow()
    suggestion = session.scalar(
        select(MentorSuggestion)
        .where(MentorSuggestion.mentee_id == mentee.id, MentorSuggestion.mentor_id == mentor_id)
        .order_by(MentorSuggestion.round_id.desc())
        .limit(1)
    )
    if suggestion is None:
        raise Invalid(
            "ask one of the mentors suggested to you",
            details=[{"field": "mentor_id", "message": "not one of your suggested mentors"}],
        )
    if _current_mentor(session, mentee.id) is not None:
        raise Conflict("you already have a mentor", code="has_mentor")
    mentor = session.get(User, mentor_id)
    if mentor is None or not mentor.active:
        raise Conflict("this mentor has left the programme", code="mentor_inactive")
    mine = list(session.scalars(select(MentorRequest).where(MentorRequest.mentee_id == mentee.id)))
    if any(effective_status(r, now) == RequestStatus.OPEN for r in mine):
        raise Conflict(
            "wait for your open request to be answered (or to expire) before asking another",
            code="request_open",
        )
    if any(r.mentor_id == mentor_id for r in mine):
        raise Conflict("you have asked this mentor before", code="already_asked")
    request = MentorRequest(
        mentee_id=mentee.id,
        mentor_id=mentor_id,
        round_id=suggestion.round_id,
        status=RequestStatus.OPEN.value,
        created_at=now,
        expires_at=now + timedelta(days=REQUEST_DAYS),
    )
    add_unique(
        session, request, Conflict("you have asked this mentor before", code="already_asked")
    )
    link = f"{base_url.rstrip('/')}/suggestions/requests" if base_url else "/suggestions/requests"
    queue(
        session,
        Mail(
            to=(mentor.email,),
            subject=f"{mentee.name} asks you to be their mentor",
            body=(
                f"Hello {mentor.name},\n\n{mentee.name} would like you as their mentor. "
                f"Accept or decline within {REQUEST_DAYS} days: {link}\n"
            ),
        ),
    )
    return request


def _open_request_of(session: Session, mentor: User, request_id: int) -> MentorRequest:
    request = session.get(MentorRequest, request_id)
    if request is None or request.mentor_id != mentor.id:
        raise NotFound(f"there is no request {request_id} for you")
    status = effective_status(request)
    if status != RequestStatus.OPEN:
        raise Conflict(f"this request is {status}", code=f"request_{status}")
    return request


def decline_request(session: Session, mentor: User, request_id: int) -> MentorRequest:
    """The mentor says no; the mentee may ask the next suggested mentor."""
    begin_write(session)
    request = _open_request_of(session, mentor, request_id)
    request.status = RequestStatus.DECLINED.value
    request.answered_at = utcnow()
    session.flush()
    mentee = session.get(User, request.mentee_id)
    queue(
        session,
        Mail(
            to=(mentee.email,),
            subject=f"{mentor.name} cannot take you on",
            body=(
                f"Hello {mentee.name},\n\n{mentor.name} declined your request. "
                "You can ask another of your suggested mentors now.\n"
            ),
        ),
    )
    return request


def accept_request(session: Session, mentor: User, request_id: int) -> Mentorship:
    """The mentor says yes: a mentorship, if a place is still free (checked with the mentor's
    profile locked, so concurrent acceptances cannot overfill it)."""
    begin_write(session)
    now = utcnow()
    capacity = session.scalar(
        select(MentorProfile.capacity).where(MentorProfile.user_id == mentor.id).with_for_update()
    )
    request = _open_request_of(session, mentor, request_id)
    active = session.scalar(
        select(func.count())
        .select_from(Mentorship)
        .where(Mentorship.mentor_id == mentor.id, Mentorship.ended_at.is_(None))
    )
    if capacity is None or active >= capacity:
        raise Conflict(
            "you have no place left; end a mentorship or decline the request",
            code="mentor_full",
        )
    if _current_mentor(session, request.mentee_id) is not None:
        raise Conflict("this mentee has a mentor already", code="mentee_taken")
    claimed = session.execute(
        update(MentorRequest)
        .where(
            MentorRequest.id == request.id,
            MentorRequest.status == RequestStatus.OPEN.value,
            MentorRequest.expires_at > now,
        )
        .values(status=RequestStatus.ACCEPTED.value, answered_at=now)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        raise Conflict("this request was answered meanwhile", code="request_answered")
    mentorship = Mentorship(
        mentor_id=mentor.id,
        mentee_id=request.mentee_id,
        round_id=request.round_id,
        created_at=now,
    )
    add_unique(
        session, mentorship, Conflict("you were this mentee's mentor before", code="pair_repeated")
    )
    mentee = session.get(User, request.mentee_id)
    queue(
        session,
        Mail(
            to=(mentee.email, mentor.email),
            subject=f"You are matched: {mentee.name} and {mentor.name}",
            body=(
                f"Hello {mentee.name} and {mentor.name},\n\n{mentor.name} accepted "
                f"{mentee.name}'s request: you are now mentor and mentee.\n"
            ),
        ),
    )
    return mentorship


def expire_requests(session: Session, now: datetime | None = None) -> int:
    """Mark open requests past their expiry as expired; how many. Safe to run any time."""
    result = session.execute(
        update(MentorRequest)
        .where(
            MentorRequest.status == RequestStatus.OPEN.value,
            MentorRequest.expires_at <= (now or utcnow()),
        )
        .values(status=RequestStatus.EXPIRED.value)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)


def requests_for(
    session: Session, user: User, limit: int = 500, round_id: int | None = None
) -> dict[str, Any]:
    """Requests the user may see: a mentee's own, a mentor's received, every one for a
    coordinator (a site-scoped coordinator: those of the rounds over their sites); with
    counts by status (expired ones counted as expired). `round_id` keeps one round's
    requests: a round the coordinator may not see is a 404."""
    now = utcnow()
    stmt = select(MentorRequest)
    if user.role == "mentee":
        stmt = stmt.where(MentorRequest.mentee_id == user.id)
    elif user.role == "mentor":
        stmt = stmt.where(MentorRequest.mentor_id == user.id)
    elif (in_scope := scopes.visible_rounds(session, user, MentorRequest.round_id)) is not None:
        stmt = stmt.where(in_scope)
    if round_id is not None:
        if user.role == "coordinator":
            get_round(session, round_id, user)
        stmt = stmt.where(MentorRequest.round_id == round_id)
    found = list(
        session.scalars(stmt.order_by(MentorRequest.created_at.desc(), MentorRequest.id.desc()))
    )
    counts = {status: 0 for status in STATUSES}
    for r in found:
        counts[effective_status(r, now)] += 1
    shown = found[:limit]
    names = _names(session, {r.mentee_id for r in shown} | {r.mentor_id for r in shown})
    items = [_request_dict(r, names, now) for r in shown]
    items.sort(key=lambda item: item["status"] != RequestStatus.OPEN)
    return {"counts": counts, "total": len(found), "items": items}
