"""Match rounds: create, load the pool, run the solver, review, pin/exclude and publish."""

from __future__ import annotations

import logging
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from time import monotonic, perf_counter
from typing import Any

from flask import Flask
from sqlalchemy import delete, func, insert, or_, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from mentor_match.database import begin_write, utcnow
from mentor_match.extensions import db
from mentor_match.mail import Mail, queue
from mentor_match.matching import (
    Candidate,
    MatchingError,
    Mentee,
    Mentor,
    RoundInput,
    RoundResult,
    Weights,
    Window,
    candidates,
    solve_round,
)
from mentor_match.models import (
    AvailabilityWindow,
    MatchRound,
    MenteePreference,
    MenteeProfile,
    MenteeSpecialty,
    MentorProfile,
    Mentorship,
    ProposedMatch,
    Role,
    RoundExclusion,
    RoundPin,
    RoundStatus,
    Site,
    Specialty,
    UnmatchedMentee,
    User,
    mentor_specialties,
)
from mentor_match.services.errors import Conflict, Invalid, NotFound

log = logging.getLogger(__name__)

#: A round still "running" this long after it started is taken to have died with its server.
STALE_RUN = timedelta(minutes=10)
#: How long a request waits for a run before answering 202 and letting the client poll.
RUN_WAIT_SECONDS = 2.0
MAX_MIN_OVERLAP = 40.0

STATS_KEYS = (
    "mentees",
    "matched",
    "max_matchable",
    "total_score",
    "mean_score",
    "min_score",
    "solve_seconds",
)

REASON_TEXT = {
    "no_mentors": "There are no mentors with free places in this round.",
    "no_shared_specialty": "No mentor shares any of the mentee's specialties.",
    "no_shared_availability": "No mentor with a shared specialty is free at the same time "
    "for long enough.",
    "excluded": "Every suitable mentor was excluded or was this mentee's mentor before.",
    "mentors_full": "Every suitable mentor is already full.",
}

WEIGHT_LABELS = {
    "specialty": "Shared specialties (weighted by the mentee's priorities)",
    "availability": "Shared weekly availability",
    "site": "Same site",
    "region": "Same region, another site (counts up to the site weight)",
    "preference": "Mentee asked for this mentor",
    "saturation_hours": "Hours of weekly overlap that count as full availability",
}


# --- creating and reading -------------------------------------------------------------------


def _weights(raw: Any) -> Weights:
    if raw is None:
        return Weights()
    try:
        return Weights.from_mapping(raw)
    except (ValueError, TypeError) as exc:
        raise Invalid(
            f"weights: {exc}", details=[{"field": "weights", "message": str(exc)}]
        ) from exc


def _min_overlap(raw: Any) -> float:
    message = f"must be a number of hours from 0 to {MAX_MIN_OVERLAP:g}"
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        raise Invalid(
            f"min_overlap_hours {message}",
            details=[{"field": "min_overlap_hours", "message": message}],
        )
    value = float(raw)
    if not 0 <= value <= MAX_MIN_OVERLAP:
        raise Invalid(
            f"min_overlap_hours {message}",
            details=[{"field": "min_overlap_hours", "message": message}],
        )
    return value


def create_round(
    session: Session,
    coordinator: User | None,
    name: Any,
    weights: dict[str, Any] | None = None,
    min_overlap_hours: Any = 2.0,
) -> MatchRound:
    """A draft round with the coordinator's rules; the pool is read when it runs."""
    details = []
    if not isinstance(name, str) or not name.strip():
        details.append({"field": "name", "message": "give the round a name"})
    elif len(name.strip()) > 200:
        details.append({"field": "name", "message": "at most 200 characters"})
    if details:
        raise Invalid("the round needs a name of at most 200 characters", details=details)
    chosen = _weights(weights)
    overlap = _min_overlap(2.0 if min_overlap_hours is None else min_overlap_hours)
    match_round = MatchRound(
        name=name.strip(),
        status=RoundStatus.DRAFT.value,
        weights=chosen.as_dict(),
        min_overlap_hours=overlap,
        stats={},
        created_by_id=coordinator.id if coordinator is not None else None,
    )
    session.add(match_round)
    session.flush()
    return match_round


def get_round(session: Session, round_id: int) -> MatchRound:
    match_round = session.get(MatchRound, round_id)
    if match_round is None:
        raise NotFound(f"there is no match round {round_id}")
    return match_round


def list_rounds(session: Session) -> list[MatchRound]:
    return list(session.scalars(select(MatchRound).order_by(MatchRound.id.desc())))


def _is_stale(match_round: MatchRound, now: datetime | None = None) -> bool:
    started = match_round.started_at
    return (
        match_round.status == RoundStatus.RUNNING
        and started is not None
        and started < (now or utcnow()) - STALE_RUN
    )


def effective_status(match_round: MatchRound) -> str:
    """The status, with a run that died with its server shown as failed."""
    return RoundStatus.FAILED.value if _is_stale(match_round) else match_round.status


def _error_text(match_round: MatchRound) -> str:
    if _is_stale(match_round):
        return "The run stopped without finishing (the server may have restarted). Run it again."
    return match_round.error or ""


def round_summary(match_round: MatchRound) -> dict[str, Any]:
    """A round without its pairs, for lists."""
    stats = {key: 0 for key in STATS_KEYS} | (match_round.stats or {})
    return {
        "id": match_round.id,
        "name": match_round.name,
        "status": effective_status(match_round),
        "weights": _stored_weights(match_round).as_dict(),
        "min_overlap_hours": match_round.min_overlap_hours,
        "progress_stage": match_round.progress_stage,
        "progress": match_round.progress,
        "error": _error_text(match_round),
        "created_at": _iso(match_round.created_at),
        "started_at": _iso(match_round.started_at),
        "finished_at": _iso(match_round.finished_at),
        "published_at": _iso(match_round.published_at),
        "stats": stats,
    }


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def round_dict(session: Session, match_round: MatchRound) -> dict[str, Any]:
    """The round as the API shows it (contract §5), with names and explanations added."""
    data = round_summary(match_round)
    mentee, mentor = aliased(User), aliased(User)
    rows = session.execute(
        select(
            ProposedMatch.mentee_id,
            ProposedMatch.mentor_id,
            ProposedMatch.score,
            ProposedMatch.breakdown,
            ProposedMatch.pinned,
            mentee.name,
            mentor.name,
        )
        .join(mentee, mentee.id == ProposedMatch.mentee_id)
        .join(mentor, mentor.id == ProposedMatch.mentor_id)
        .where(ProposedMatch.round_id == match_round.id)
        .order_by(ProposedMatch.mentee_id)
    )
    data["matches"] = [
        {
            "mentee_id": r[0],
            "mentor_id": r[1],
            "score": r[2],
            "breakdown": r[3],
            "pinned": r[4],
            "mentee_name": r[5],
            "mentor_name": r[6],
        }
        for r in rows
    ]
    rows = session.execute(
        select(
            UnmatchedMentee.mentee_id,
            UnmatchedMentee.reason,
            UnmatchedMentee.message,
            UnmatchedMentee.mentor_ids,
            User.name,
        )
        .join(User, User.id == UnmatchedMentee.mentee_id)
        .where(UnmatchedMentee.round_id == match_round.id)
        .order_by(UnmatchedMentee.mentee_id)
    )
    data["unmatched"] = [
        {
            "mentee_id": r[0],
            "reason": r[1],
            "message": r[2],
            "mentor_ids": r[3] or [],
            "mentee_name": r[4],
            "reason_text": REASON_TEXT.get(r[1], r[1]),
        }
        for r in rows
    ]
    data["pins"] = _pairs(session, RoundPin, match_round.id)
    data["exclusions"] = _pairs(session, RoundExclusion, match_round.id)
    return data


def _pairs(session: Session, model: type[RoundPin] | type[RoundExclusion], round_id: int) -> list:
    mentee, mentor = aliased(User), aliased(User)
    rows = session.execute(
        select(model.mentee_id, model.mentor_id, mentee.name, mentor.name)
        .join(mentee, mentee.id == model.mentee_id)
        .join(mentor, mentor.id == model.mentor_id)
        .where(model.round_id == round_id)
        .order_by(model.mentee_id, model.mentor_id)
    )
    return [
        {"mentee_id": r[0], "mentor_id": r[1], "mentee_name": r[2], "mentor_name": r[3]}
        for r in rows
    ]


# --- the pool ---------------------------------------------------------------------------------


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


def _pool_mentees_stmt():  # noqa: ANN202
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


def _pool_mentors_stmt():  # noqa: ANN202
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
            remaining,
        )
        .join(MentorProfile, MentorProfile.user_id == User.id)
        .outerjoin(Site, Site.id == MentorProfile.site_id)
        .outerjoin(active, active.c.mentor_id == User.id)
        .where(User.role == Role.MENTOR.value, User.active.is_(True), remaining > 0)
    )


def _windows(session: Session, role: str) -> dict[int, list[Window]]:
    out: dict[int, list[Window]] = defaultdict(list)
    rows = session.execute(
        select(
            AvailabilityWindow.user_id,
            AvailabilityWindow.weekday,
            AvailabilityWindow.start_minute,
            AvailabilityWindow.end_minute,
        )
        .join(User, User.id == AvailabilityWindow.user_id)
        .where(User.role == role, User.active.is_(True))
        .order_by(
            AvailabilityWindow.user_id, AvailabilityWindow.weekday, AvailabilityWindow.start_minute
        )
    )
    for user_id, weekday, start, end in rows:
        out[user_id].append(Window(weekday, start, end))
    return out


def load_round_input(
    session: Session, match_round: MatchRound, mentee_ids: Iterable[int] | None = None
) -> Pool:
    """The round's pool as plain records, read with a few set-based queries.

    The pool is every active mentee without a current mentorship and every active mentor
    with places left (capacity minus current mentorships). ``mentee_ids`` narrows the
    mentees (for one mentee's candidates); the mentors are always all of them.
    """
    wanted = set(mentee_ids) if mentee_ids is not None else None
    mentee_stmt = _pool_mentees_stmt()
    if wanted is not None:
        mentee_stmt = mentee_stmt.where(User.id.in_(wanted))
    mentee_rows = session.execute(mentee_stmt.order_by(User.id)).all()
    mentor_rows = session.execute(_pool_mentors_stmt().order_by(User.id)).all()

    mentor_id_by_profile = {r[4]: r[0] for r in mentor_rows}
    mentee_id_by_profile = {r[4]: r[0] for r in mentee_rows}
    mentor_by_email = {r[2]: r[0] for r in mentor_rows}

    mentor_specs: dict[int, list[str]] = defaultdict(list)
    for profile_id, slug in session.execute(
        select(mentor_specialties.c.mentor_profile_id, Specialty.slug)
        .join(Specialty, Specialty.id == mentor_specialties.c.specialty_id)
        .order_by(mentor_specialties.c.mentor_profile_id, Specialty.slug)
    ):
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
    mentor_windows = _windows(session, Role.MENTOR.value)

    mentors = [
        Mentor(
            id=r[0],
            specialties=tuple(mentor_specs.get(r[0], ())),
            windows=tuple(mentor_windows.get(r[0], ())),
            timezone=r[3] or "UTC",
            site=r[5],
            region=r[6],
            capacity=int(r[7]),
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
        weights=_stored_weights(match_round),
        min_overlap_hours=float(match_round.min_overlap_hours),
        pins=pins,
        exclusions=exclusions,
        past_pairs=past,
    )
    return Pool(data=data, names=names)


def _stored_weights(match_round: MatchRound) -> Weights:
    try:
        return Weights.from_mapping(match_round.weights or {})
    except ValueError:
        return Weights()


# --- running --------------------------------------------------------------------------------

Progress = Callable[[str, float], None]


def start_run(session: Session, round_id: int) -> MatchRound:
    """Claim the round for a run; only one run at a time, never once published.

    The claim is one conditional UPDATE, so two servers (or two clicks) cannot both start a
    run. Commit it before running, so other servers can see the round is running.
    """
    match_round = get_round(session, round_id)
    now = utcnow()
    claimed = session.execute(
        update(MatchRound)
        .where(
            MatchRound.id == round_id,
            or_(
                MatchRound.status.in_(
                    [RoundStatus.DRAFT.value, RoundStatus.PROPOSED.value, RoundStatus.FAILED.value]
                ),
                (MatchRound.status == RoundStatus.RUNNING.value)
                & (MatchRound.started_at < now - STALE_RUN),
            ),
        )
        .values(
            status=RoundStatus.RUNNING.value,
            started_at=now,
            finished_at=None,
            progress_stage="queued",
            progress=0.0,
            error="",
        )
        .execution_options(synchronize_session=False)
    )
    session.refresh(match_round)
    if claimed.rowcount != 1:
        if match_round.status == RoundStatus.PUBLISHED:
            raise Conflict("this round is published; create a new round to match again")
        raise Conflict("this round is already running; wait for it to finish", code="running")
    return match_round


def progress_recorder(engine: Engine, round_id: int, every: float = 0.25) -> Progress:
    """A progress callback that writes the stage to the database in its own short transaction.

    Any app server can then show it. Writes are spaced out except when the stage changes.
    """
    last: dict[str, Any] = {"stage": None, "at": 0.0}

    def record(stage: str, fraction: float) -> None:
        now = monotonic()
        if stage == last["stage"] and now - last["at"] < every:
            return
        last.update(stage=stage, at=now)
        try:
            with engine.begin() as conn:
                conn.execute(
                    update(MatchRound)
                    .where(
                        MatchRound.id == round_id, MatchRound.status == RoundStatus.RUNNING.value
                    )
                    .values(progress_stage=stage[:40], progress=max(0.0, min(1.0, fraction)))
                )
        except Exception:  # progress is a courtesy: never let it stop the run
            log.warning("could not record progress of round %s", round_id, exc_info=True)

    return record


def _fail(session: Session, round_id: int, message: str) -> None:
    session.execute(
        update(MatchRound)
        .where(MatchRound.id == round_id)
        .values(
            status=RoundStatus.FAILED.value,
            error=message,
            finished_at=utcnow(),
            progress_stage="failed",
        )
        .execution_options(synchronize_session=False)
    )


def run_round(session: Session, round_id: int, progress: Progress | None = None) -> MatchRound:
    """Load the pool, solve, and store the proposal in place of the previous one.

    The round should have been claimed with `start_run` (and that committed). A round the
    solver cannot solve (conflicting pins, ...) ends ``failed`` with the reason in ``error``.
    """

    def report(stage: str, fraction: float) -> None:
        if progress is not None:
            progress(stage, fraction)

    match_round = get_round(session, round_id)
    report("loading", 0.0)
    started = perf_counter()
    pool = load_round_input(session, match_round)
    load_seconds = perf_counter() - started

    def solver_progress(stage: str, fraction: float) -> None:
        report(stage, 0.1 + 0.8 * fraction)

    started = perf_counter()
    try:
        result = solve_round(pool.data, progress=solver_progress)
    except MatchingError as exc:
        begin_write(session)
        _fail(session, round_id, f"The round could not be solved: {exc}")
        session.flush()
        session.expire_all()
        return get_round(session, round_id)
    solve_total = perf_counter() - started

    report("storing", 0.92)
    started = perf_counter()
    begin_write(session)  # on SQLite: take the write lock now, not halfway through
    store_proposal(session, round_id, result)
    store_seconds = perf_counter() - started
    match_round = get_round(session, round_id)
    stats = dict(result.stats)
    stats.update(
        load_seconds=load_seconds,
        solver_total_seconds=solve_total,
        store_seconds=store_seconds,
        total_seconds=load_seconds + solve_total + store_seconds,
        mentors=len(pool.data.mentors),
        places=sum(m.capacity for m in pool.data.mentors),
    )
    match_round.stats = _plain(stats)
    match_round.status = RoundStatus.PROPOSED.value
    match_round.progress_stage = "done"
    match_round.progress = 1.0
    match_round.error = ""
    match_round.finished_at = utcnow()
    session.flush()
    return match_round


def _plain(stats: dict[str, Any]) -> dict[str, Any]:
    """JSON-safe values: numpy scalars become Python numbers."""
    return {key: value.item() if hasattr(value, "item") else value for key, value in stats.items()}


def store_proposal(session: Session, round_id: int, result: RoundResult) -> None:
    """Replace the round's proposal with `result`, with bulk inserts."""
    session.execute(delete(ProposedMatch).where(ProposedMatch.round_id == round_id))
    session.execute(delete(UnmatchedMentee).where(UnmatchedMentee.round_id == round_id))
    if result.matches:
        session.execute(
            insert(ProposedMatch),
            [
                {
                    "round_id": round_id,
                    "mentee_id": m.mentee_id,
                    "mentor_id": m.mentor_id,
                    "score": float(m.score),
                    "breakdown": {k: float(v) for k, v in m.breakdown.items()},
                    "pinned": bool(m.pinned),
                }
                for m in result.matches
            ],
        )
    if result.unmatched:
        session.execute(
            insert(UnmatchedMentee),
            [
                {
                    "round_id": round_id,
                    "mentee_id": u.mentee_id,
                    "reason": u.reason,
                    "message": u.message,
                    "mentor_ids": [int(i) for i in u.mentor_ids],
                }
                for u in result.unmatched
            ],
        )


def run_now(session: Session, round_id: int, progress: Progress | None = None) -> MatchRound:
    """Claim and run in the foreground (the command line); commits the claim first."""
    start_run(session, round_id)
    session.commit()
    try:
        match_round = run_round(session, round_id, progress)
    except Exception as exc:
        session.rollback()
        _fail(session, round_id, f"The run stopped with an error: {exc}")
        session.commit()
        raise
    return match_round


def _run_in_background(app: Flask, round_id: int) -> None:
    with app.app_context():
        session = db.session
        try:
            run_round(session, round_id, progress_recorder(db.engine, round_id))
            session.commit()
        except Exception as exc:
            log.exception("round %s failed", round_id)
            session.rollback()
            try:
                _fail(session, round_id, f"The run stopped with an error: {exc}")
                session.commit()
            except Exception:
                session.rollback()
                log.exception("could not mark round %s failed", round_id)
        finally:
            db.session.remove()


def launch_run(app: Flask, round_id: int, wait: float | None = None) -> bool:
    """Run a claimed (and committed) round in a thread; True when it finished within `wait`.

    The thread has its own app context and database session, and writes its progress to
    the database, so any server can report on the run while it goes on.
    """
    thread = threading.Thread(
        target=_run_in_background,
        args=(app, round_id),
        name=f"match-round-{round_id}",
        daemon=True,
    )
    thread.start()
    thread.join(RUN_WAIT_SECONDS if wait is None else wait)
    return not thread.is_alive()


# --- candidates, pins and exclusions -------------------------------------------------------


def candidates_for(session: Session, match_round: MatchRound, mentee_id: int) -> list[dict]:
    """Every feasible mentor for the mentee, scored as the solver scores them, best first."""
    pool = load_round_input(session, match_round, mentee_ids=[mentee_id])
    if not pool.data.mentees:
        raise NotFound(f"mentee {mentee_id} is not in this round's pool")
    try:
        found: list[Candidate] = candidates(pool.data, mentee_id)
    except MatchingError as exc:
        raise Conflict(str(exc)) from exc
    proposed = session.scalar(
        select(ProposedMatch.mentor_id).where(
            ProposedMatch.round_id == match_round.id, ProposedMatch.mentee_id == mentee_id
        )
    )
    pinned = {p[1] for p in pool.data.pins}
    return [
        {
            "mentor_id": c.mentor_id,
            "mentor_name": pool.names.get(c.mentor_id, ""),
            "score": c.score,
            "breakdown": c.breakdown,
            "overlap_hours": c.overlap_hours,
            "proposed": c.mentor_id == proposed,
            "pinned": c.mentor_id in pinned,
        }
        for c in found
    ]


def _editable(match_round: MatchRound) -> None:
    if match_round.status == RoundStatus.PUBLISHED:
        raise Conflict("this round is published; its pins and exclusions can no longer change")


def _ids(mentee_id: Any, mentor_id: Any) -> tuple[int, int]:
    details = []
    for field, value in (("mentee_id", mentee_id), ("mentor_id", mentor_id)):
        if isinstance(value, bool) or not isinstance(value, int):
            details.append({"field": field, "message": "must be a whole number"})
    if details:
        raise Invalid("send mentee_id and mentor_id as whole numbers", details=details)
    return mentee_id, mentor_id


def _in_pool(session: Session, mentee_id: Any, mentor_id: Any) -> tuple[int, int]:
    mentee_id, mentor_id = _ids(mentee_id, mentor_id)
    if session.execute(_pool_mentees_stmt().where(User.id == mentee_id)).first() is None:
        raise Invalid(
            f"user {mentee_id} is not a mentee in the pool (an active mentee without a mentor)",
            details=[{"field": "mentee_id", "message": "not a mentee in the pool"}],
        )
    if session.execute(_pool_mentors_stmt().where(User.id == mentor_id)).first() is None:
        raise Invalid(
            f"user {mentor_id} is not a mentor in the pool (an active mentor with places left)",
            details=[{"field": "mentor_id", "message": "not a mentor with places left"}],
        )
    return mentee_id, mentor_id


def _was_matched(session: Session, mentee_id: int, mentor_id: int) -> bool:
    return (
        session.scalar(
            select(Mentorship.id).where(
                Mentorship.mentee_id == mentee_id, Mentorship.mentor_id == mentor_id
            )
        )
        is not None
    )


def add_pin(session: Session, match_round: MatchRound, mentee_id: Any, mentor_id: Any) -> RoundPin:
    """Force a pair into the next run; a mentee's new pin replaces their old one."""
    _editable(match_round)
    mentee_id, mentor_id = _in_pool(session, mentee_id, mentor_id)
    excluded = session.scalar(
        select(RoundExclusion.id).where(
            RoundExclusion.round_id == match_round.id,
            RoundExclusion.mentee_id == mentee_id,
            RoundExclusion.mentor_id == mentor_id,
        )
    )
    if excluded is not None:
        raise Conflict("this pair is excluded from the round; remove the exclusion first")
    if _was_matched(session, mentee_id, mentor_id):
        raise Conflict("this mentee and mentor were matched before; a pair is never repeated")
    remaining = session.execute(_pool_mentors_stmt().where(User.id == mentor_id)).first()[7]
    others = session.scalar(
        select(func.count())
        .select_from(RoundPin)
        .where(
            RoundPin.round_id == match_round.id,
            RoundPin.mentor_id == mentor_id,
            RoundPin.mentee_id != mentee_id,
        )
    )
    if others + 1 > remaining:
        raise Conflict(
            f"this mentor has {remaining} place(s) left and {others} pinned mentee(s) already"
        )
    session.execute(
        delete(RoundPin).where(RoundPin.round_id == match_round.id, RoundPin.mentee_id == mentee_id)
    )
    pin = RoundPin(round_id=match_round.id, mentee_id=mentee_id, mentor_id=mentor_id)
    session.add(pin)
    session.flush()
    return pin


def remove_pin(session: Session, match_round: MatchRound, mentee_id: Any, mentor_id: Any) -> None:
    _editable(match_round)
    mentee_id, mentor_id = _ids(mentee_id, mentor_id)
    removed = session.execute(
        delete(RoundPin).where(
            RoundPin.round_id == match_round.id,
            RoundPin.mentee_id == mentee_id,
            RoundPin.mentor_id == mentor_id,
        )
    )
    if removed.rowcount == 0:
        raise NotFound("there is no such pin in this round")


def add_exclusion(
    session: Session, match_round: MatchRound, mentee_id: Any, mentor_id: Any
) -> RoundExclusion:
    """Rule a pair out of the next runs of this round."""
    _editable(match_round)
    mentee_id, mentor_id = _in_pool(session, mentee_id, mentor_id)
    pinned = session.scalar(
        select(RoundPin.id).where(
            RoundPin.round_id == match_round.id,
            RoundPin.mentee_id == mentee_id,
            RoundPin.mentor_id == mentor_id,
        )
    )
    if pinned is not None:
        raise Conflict("this pair is pinned; remove the pin first")
    existing = session.scalar(
        select(RoundExclusion).where(
            RoundExclusion.round_id == match_round.id,
            RoundExclusion.mentee_id == mentee_id,
            RoundExclusion.mentor_id == mentor_id,
        )
    )
    if existing is not None:
        return existing
    exclusion = RoundExclusion(round_id=match_round.id, mentee_id=mentee_id, mentor_id=mentor_id)
    session.add(exclusion)
    session.flush()
    return exclusion


def remove_exclusion(
    session: Session, match_round: MatchRound, mentee_id: int, mentor_id: int
) -> None:
    _editable(match_round)
    mentee_id, mentor_id = _ids(mentee_id, mentor_id)
    removed = session.execute(
        delete(RoundExclusion).where(
            RoundExclusion.round_id == match_round.id,
            RoundExclusion.mentee_id == mentee_id,
            RoundExclusion.mentor_id == mentor_id,
        )
    )
    if removed.rowcount == 0:
        raise NotFound("there is no such exclusion in this round")


# --- publishing -----------------------------------------------------------------------------


def publish_round(session: Session, round_id: int) -> MatchRound:
    """Turn the proposal into mentorships, in one transaction, and mail each pair.

    The status moves proposed -> published with a conditional UPDATE (so two publishes
    cannot both pass), then each mentor's capacity and each mentee's freedom are checked
    again against the database, with the mentors' profiles locked on PostgreSQL.
    """
    begin_write(session)
    match_round = get_round(session, round_id)
    now = utcnow()
    claimed = session.execute(
        update(MatchRound)
        .where(MatchRound.id == round_id, MatchRound.status == RoundStatus.PROPOSED.value)
        .values(status=RoundStatus.PUBLISHED.value, published_at=now)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        session.refresh(match_round)
        if match_round.status == RoundStatus.PUBLISHED:
            raise Conflict("this round is already published", code="already_published")
        raise Conflict(
            f"only a proposed round can be published; this one is {match_round.status}",
            code="not_proposed",
        )
    pairs = session.execute(
        select(ProposedMatch.mentee_id, ProposedMatch.mentor_id, ProposedMatch.score)
        .where(ProposedMatch.round_id == round_id)
        .order_by(ProposedMatch.mentee_id)
    ).all()
    new_per_mentor: dict[int, int] = defaultdict(int)
    for _, mentor_id, _ in pairs:
        new_per_mentor[mentor_id] += 1
    capacity = dict(
        session.execute(
            select(MentorProfile.user_id, MentorProfile.capacity)
            .where(MentorProfile.user_id.in_(sorted(new_per_mentor)))
            .order_by(MentorProfile.id)
            .with_for_update()
        ).all()
    )
    active = dict(
        session.execute(
            select(Mentorship.mentor_id, func.count())
            .where(Mentorship.ended_at.is_(None))
            .group_by(Mentorship.mentor_id)
        ).all()
    )
    over = [
        m for m, n in sorted(new_per_mentor.items()) if active.get(m, 0) + n > capacity.get(m, 0)
    ]
    if over:
        raise Conflict(
            "publishing would put mentor(s) "
            + ", ".join(map(str, over[:12]))
            + " over capacity (they took mentees since this proposal was made); "
            "run the round again",
            code="over_capacity",
        )
    taken = set(
        session.scalars(select(Mentorship.mentee_id).where(Mentorship.ended_at.is_(None)))
    ) & {p[0] for p in pairs}
    if taken:
        raise Conflict(
            "mentee(s) "
            + ", ".join(map(str, sorted(taken)[:12]))
            + " got a mentor since this proposal was made; run the round again",
            code="mentee_taken",
        )
    if pairs:
        try:
            with session.begin_nested():
                session.execute(
                    insert(Mentorship),
                    [
                        {
                            "mentee_id": mentee_id,
                            "mentor_id": mentor_id,
                            "round_id": round_id,
                            "score": score,
                            "created_at": now,
                        }
                        for mentee_id, mentor_id, score in pairs
                    ],
                )
        except IntegrityError as exc:
            raise Conflict(
                "a pair in this proposal was already matched; run the round again",
                code="pair_repeated",
            ) from exc
        _notify(session, match_round, pairs)
    session.flush()
    session.refresh(match_round)
    return match_round


def _notify(session: Session, match_round: MatchRound, pairs: list) -> None:
    ids = {p[0] for p in pairs} | {p[1] for p in pairs}
    people = {
        u.id: u
        for u in session.execute(select(User.id, User.name, User.email).where(User.id.in_(ids)))
    }
    for mentee_id, mentor_id, _ in pairs:
        mentee, mentor = people[mentee_id], people[mentor_id]
        queue(
            session,
            Mail(
                to=(mentee.email, mentor.email),
                subject=f"You are matched: {mentee.name} and {mentor.name}",
                body=(
                    f"Hello {mentee.name} and {mentor.name},\n\n"
                    f'The match round "{match_round.name}" has paired you: '
                    f"{mentor.name} ({mentor.email}) will mentor {mentee.name} "
                    f"({mentee.email}).\n\n"
                    "Sign in to mentor_match to see your match, and book or offer "
                    "shadowing shifts.\n"
                ),
            ),
        )


# --- what participants see ---------------------------------------------------------------


def my_matches(session: Session, user: User) -> list[dict[str, Any]]:
    """A mentor's mentees or a mentee's mentor(s), current ones first."""
    other = aliased(User)
    if user.role == Role.MENTOR:
        mine, theirs = Mentorship.mentor_id, Mentorship.mentee_id
    else:
        mine, theirs = Mentorship.mentee_id, Mentorship.mentor_id
    rows = session.execute(
        select(Mentorship, other)
        .join(other, other.id == theirs)
        .where(mine == user.id)
        .order_by(Mentorship.ended_at.is_not(None), Mentorship.created_at.desc())
    ).all()
    return [
        {
            "name": person.name,
            "email": person.email,
            "since": mentorship.created_at,
            "ended_at": mentorship.ended_at,
            "score": mentorship.score,
        }
        for mentorship, person in rows
    ]
