"""Match rounds as coordinators define and read them: settings, status, the proposal."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session, aliased

from mentor_match.database import utcnow
from mentor_match.matching import DEFAULT_MIN_OVERLAP_HOURS, Weights
from mentor_match.models import (
    MatchRound,
    ProposedMatch,
    RoundExclusion,
    RoundPin,
    RoundStatus,
    UnmatchedMentee,
    User,
)
from mentor_match.services import scopes
from mentor_match.services.errors import Conflict, Invalid, NotFound

#: A run still waiting for a worker this long after it was queued is taken to be lost.
STALE_RUN = timedelta(minutes=10)
#: A run whose worker has not written its heartbeat for this long is taken to have died.
RUN_LEASE = timedelta(seconds=60)
MAX_MIN_OVERLAP = 40.0
#: The hours of weekly overlap a pair needs when the coordinator does not say.
DEFAULT_MIN_OVERLAP = DEFAULT_MIN_OVERLAP_HOURS
#: The longest round name.
NAME_MAX = 200

STATS_KEYS = (
    "mentees",
    "matched",
    "max_matchable",
    "total_score",
    "mean_score",
    "min_score",
    "solve_seconds",
    "blocking_pairs",
)

#: How a round can match (contract §10), in the coordinator's words.
MODE_LABELS = {
    "optimal": "Optimal: the most mentees matched, then the highest total score",
    "stable": "Stable: no mentee and mentor who would both rather be together "
    "(mentee-proposing deferred acceptance)",
    "self_select": "Self-select: each mentee gets suggestions, asks one mentor, "
    "who accepts or declines",
}
DEFAULT_SUGGESTIONS = 3
MAX_SUGGESTIONS = 10

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


def _mode_settings(mode: Any, raise_lowest: Any, suggestions: Any) -> tuple[str, bool, int]:
    details = []
    if mode not in MODE_LABELS:
        details.append({"field": "mode", "message": f"one of {', '.join(MODE_LABELS)}"})
    if not isinstance(raise_lowest, bool):
        details.append({"field": "raise_lowest", "message": "true or false"})
    elif raise_lowest and mode != "optimal":
        details.append(
            {"field": "raise_lowest", "message": "raising the lowest score is for optimal mode"}
        )
    if (
        isinstance(suggestions, bool)
        or not isinstance(suggestions, int)
        or not 1 <= suggestions <= MAX_SUGGESTIONS
    ):
        details.append(
            {"field": "suggestions", "message": f"a whole number from 1 to {MAX_SUGGESTIONS}"}
        )
    if details:
        raise Invalid("the matching mode settings are not valid", details=details)
    return mode, raise_lowest, suggestions


def create_round(
    session: Session,
    coordinator: User | None,
    name: Any,
    weights: dict[str, Any] | None = None,
    min_overlap_hours: Any = DEFAULT_MIN_OVERLAP,
    mode: Any = "optimal",
    raise_lowest: Any = False,
    suggestions: Any = DEFAULT_SUGGESTIONS,
) -> MatchRound:
    """A draft round with the coordinator's rules; the pool is read when it runs."""
    mode, raise_lowest, suggestions = _mode_settings(mode, raise_lowest, suggestions)
    details = []
    if not isinstance(name, str) or not name.strip():
        details.append({"field": "name", "message": "give the round a name"})
    elif len(name.strip()) > NAME_MAX:
        details.append({"field": "name", "message": f"at most {NAME_MAX} characters"})
    if details:
        raise Invalid(f"the round needs a name of at most {NAME_MAX} characters", details=details)
    chosen = _weights(weights)
    overlap = _min_overlap(DEFAULT_MIN_OVERLAP if min_overlap_hours is None else min_overlap_hours)
    match_round = MatchRound(
        name=name.strip(),
        status=RoundStatus.DRAFT.value,
        weights=chosen.as_dict(),
        min_overlap_hours=overlap,
        stats={},
        created_by_id=coordinator.id if coordinator is not None else None,
        mode=mode,
        raise_lowest=raise_lowest,
        suggestions=suggestions,
    )
    session.add(match_round)
    session.flush()
    if coordinator is not None:
        # A site-scoped coordinator's round covers their sites (nothing for programme-wide).
        scopes.scope_round(session, coordinator, match_round.id)
    return match_round


def get_round(session: Session, round_id: int, caller: User | None = None) -> MatchRound:
    """A round by id; with `caller`, a 404 too when it is not over the caller's sites."""
    match_round = session.get(MatchRound, round_id)
    if match_round is None or (
        caller is not None and not scopes.can_see_round(session, caller, round_id)
    ):
        raise NotFound(f"there is no match round {round_id}")
    return match_round


def claim_publication(session: Session, match_round: MatchRound, now: datetime) -> None:
    """Move a proposed round to published with one conditional UPDATE, so that of two
    publishes only one passes; Conflict when the round is published already or not proposed."""
    claimed = session.execute(
        update(MatchRound)
        .where(MatchRound.id == match_round.id, MatchRound.status == RoundStatus.PROPOSED.value)
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


def list_rounds(session: Session, caller: User | None = None) -> list[MatchRound]:
    """Every round, newest first; with `caller`, only the rounds over the caller's sites."""
    stmt = select(MatchRound).order_by(MatchRound.id.desc())
    theirs = None if caller is None else scopes.visible_rounds(session, caller, MatchRound.id)
    if theirs is not None:
        stmt = stmt.where(theirs)
    return list(session.scalars(stmt))


def _is_stale(match_round: MatchRound, now: datetime | None = None) -> bool:
    if match_round.status != RoundStatus.RUNNING:
        return False
    return is_stale_run(
        match_round.progress_stage, match_round.started_at, match_round.heartbeat_at, now
    )


def is_stale_run(
    stage: str | None,
    started_at: datetime | None,
    heartbeat_at: datetime | None,
    now: datetime | None = None,
) -> bool:
    """A running round whose worker died: its heartbeat stopped, or it was never picked up."""
    now = now or utcnow()
    if heartbeat_at is None:  # not picked up yet (or run by an older version)
        return started_at is not None and started_at < now - STALE_RUN
    return heartbeat_at < now - RUN_LEASE


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
        "weights": stored_weights(match_round).as_dict(),
        "min_overlap_hours": match_round.min_overlap_hours,
        "progress_stage": match_round.progress_stage,
        "progress": match_round.progress,
        "error": _error_text(match_round),
        "created_at": _iso(match_round.created_at),
        "started_at": _iso(match_round.started_at),
        "finished_at": _iso(match_round.finished_at),
        "published_at": _iso(match_round.published_at),
        "mode": match_round.mode or "optimal",
        "raise_lowest": bool(match_round.raise_lowest),
        "suggestions": match_round.suggestions or DEFAULT_SUGGESTIONS,
        "preferences_open": preferences_open(match_round),
        "stats": stats,
        "price_of_stability": price_of_stability(stats),
    }


def preferences_open(match_round: MatchRound) -> bool:
    """Participants may rank while the round is a draft and the coordinator has not closed it."""
    return (
        match_round.status == RoundStatus.DRAFT.value
        and match_round.preferences_closed_at is None
        and (match_round.mode or "optimal") != "self_select"
    )


def price_of_stability(stats: dict[str, Any]) -> str:
    """The plain sentence comparing the stable and the optimal match on the same pool."""
    mode = stats.get("mode")
    if mode == "stable":
        stable_total, optimal_total = stats.get("total_score"), stats.get("optimal_total_score")
        optimal_blocking = stats.get("optimal_blocking_pairs")
    elif mode in ("optimal", "self_select"):
        stable_total, optimal_total = stats.get("stable_total_score"), stats.get("total_score")
        optimal_blocking = stats.get("blocking_pairs")
    else:
        return ""
    if stable_total is None or optimal_total is None or optimal_blocking is None:
        return ""
    if optimal_total > 0:
        lost = (optimal_total - stable_total) / optimal_total * 100
        first = f"the stable match scores {lost:.1f} % less"
    else:
        first = "the stable match scores the same"
    if optimal_blocking == 0:
        second = "the optimal one is stable too: no pair would both rather swap"
    elif optimal_blocking == 1:
        second = "the optimal one leaves 1 pair who would both rather swap"
    else:
        second = f"the optimal one leaves {optimal_blocking:,} pairs who would both rather swap"
    sentence = f"{first}; {second}"
    return sentence[0].upper() + sentence[1:] + "."


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def pair_columns(mentee: Any, mentor: Any) -> tuple[Any, ...]:
    """The columns of a proposed pair as the round shows it (`mentee`, `mentor`: User aliases)."""
    return (
        ProposedMatch.mentee_id,
        ProposedMatch.mentor_id,
        ProposedMatch.score,
        ProposedMatch.breakdown,
        ProposedMatch.pinned,
        mentee.name,
        mentor.name,
    )


def pair_dict(row: Any) -> dict[str, Any]:
    """A row of `pair_columns` as the API and the review page show a pair."""
    keys = ("mentee_id", "mentor_id", "score", "breakdown", "pinned", "mentee_name", "mentor_name")
    return dict(zip(keys, row, strict=True))


# The columns of an unmatched mentee as the round shows them (joined to the mentee's User).
UNMATCHED_COLUMNS = (
    UnmatchedMentee.mentee_id,
    UnmatchedMentee.reason,
    UnmatchedMentee.message,
    UnmatchedMentee.mentor_ids,
    User.name,
)


def unmatched_dict(row: Any) -> dict[str, Any]:
    """A row of `UNMATCHED_COLUMNS`, with the reason in plain words."""
    return {
        "mentee_id": row[0],
        "reason": row[1],
        "message": row[2],
        "mentor_ids": row[3] or [],
        "mentee_name": row[4],
        "reason_text": REASON_TEXT.get(row[1], row[1]),
    }


def round_dict(session: Session, match_round: MatchRound) -> dict[str, Any]:
    """The round as the API shows it (contract §5), with names and explanations added."""
    data = round_summary(match_round)
    mentee, mentor = aliased(User), aliased(User)
    rows = session.execute(
        select(*pair_columns(mentee, mentor))
        .join(mentee, mentee.id == ProposedMatch.mentee_id)
        .join(mentor, mentor.id == ProposedMatch.mentor_id)
        .where(ProposedMatch.round_id == match_round.id)
        .order_by(ProposedMatch.mentee_id)
    )
    data["matches"] = [pair_dict(r) for r in rows]
    rows = session.execute(
        select(*UNMATCHED_COLUMNS)
        .join(User, User.id == UnmatchedMentee.mentee_id)
        .where(UnmatchedMentee.round_id == match_round.id)
        .order_by(UnmatchedMentee.mentee_id)
    )
    data["unmatched"] = [unmatched_dict(r) for r in rows]
    data["pins"] = named_pairs(session, RoundPin, match_round.id)
    data["exclusions"] = named_pairs(session, RoundExclusion, match_round.id)
    return data


def named_pairs(
    session: Session, model: type[RoundPin] | type[RoundExclusion], round_id: int
) -> list[dict[str, Any]]:
    """A round's pins (or exclusions) with both people's names, by mentee then mentor."""
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


def stored_weights(match_round: MatchRound) -> Weights:
    try:
        return Weights.from_mapping(match_round.weights or {})
    except ValueError:
        return Weights()
