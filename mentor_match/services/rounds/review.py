"""What a re-run changed: the proposal before it, and who gained, lost or changed mentor.

Before each run from the review page, the round keeps its current proposal (pairs and
counts) in `previous_run`; the review then compares the new proposal with it, and warns when
the pins made fewer mentees matchable than before.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, aliased

from mentor_match.models import (
    MatchRound,
    ProposedMatch,
    RoundExclusion,
    RoundPin,
    RoundStatus,
    UnmatchedMentee,
    User,
)
from mentor_match.services.errors import Invalid
from mentor_match.services.rounds.definition import (
    REASON_TEXT,
    UNMATCHED_COLUMNS,
    named_pairs,
    pair_columns,
    pair_dict,
    unmatched_dict,
)


def remember_current_proposal(session: Session, round_id: int) -> None:
    """Keep the proposal about to be replaced (only a proposed round has one)."""
    match_round = session.get(MatchRound, round_id)
    if match_round is None or match_round.status != RoundStatus.PROPOSED:
        return
    pairs = session.execute(
        select(ProposedMatch.mentee_id, ProposedMatch.mentor_id)
        .where(ProposedMatch.round_id == round_id)
        .order_by(ProposedMatch.mentee_id)
    ).all()
    stats = match_round.stats or {}
    match_round.previous_run = {
        "pairs": [[mentee, mentor] for mentee, mentor in pairs],
        "matched": stats.get("matched"),
        "max_matchable": stats.get("max_matchable"),
        "pins": len(
            session.scalars(select(RoundPin.mentee_id).where(RoundPin.round_id == round_id)).all()
        ),
    }
    session.flush()


@dataclass(frozen=True)
class RunChanges:
    gained: list[str] = field(default_factory=list)  # "Ava Nguyen (with Grace Okafor)"
    lost: list[str] = field(default_factory=list)  # "Ben Patel (was with Mei Chen)"
    changed: list[str] = field(default_factory=list)  # "Chloe Kim: Priya Raman → Tom Becker"
    pin_warning: str = ""

    @property
    def any(self) -> bool:
        return bool(self.gained or self.lost or self.changed)


def changes_since_previous(session: Session, data: dict[str, Any]) -> RunChanges | None:
    """Compare a round's proposal (as `round_dict` gives it, or `round_summary` without its
    pairs) with the one before its last run; None when there was no earlier run to compare
    with."""
    match_round = session.get(MatchRound, data["id"])
    previous = match_round.previous_run if match_round else None
    if not previous or data.get("status") not in ("proposed", "published"):
        return None
    before = {int(mentee): int(mentor) for mentee, mentor in previous.get("pairs", [])}
    if "matches" in data:
        after = {m["mentee_id"]: m["mentor_id"] for m in data["matches"]}
    else:  # a page of the review: the whole proposal is two numbers a pair
        after = dict(
            session.execute(
                select(ProposedMatch.mentee_id, ProposedMatch.mentor_id).where(
                    ProposedMatch.round_id == data["id"]
                )
            ).all()
        )
    ids = set(before) | set(after) | set(before.values()) | set(after.values())
    names = dict(session.execute(select(User.id, User.name).where(User.id.in_(ids))).all())

    def name(user_id: int) -> str:
        return names.get(user_id, f"#{user_id}")

    gained = [
        f"{name(m)} (with {name(after[m])})" for m in sorted(after, key=name) if m not in before
    ]
    lost = [
        f"{name(m)} (was with {name(before[m])})"
        for m in sorted(before, key=name)
        if m not in after
    ]
    changed = [
        f"{name(m)}: {name(before[m])} → {name(after[m])}"
        for m in sorted(after, key=name)
        if m in before and before[m] != after[m]
    ]
    warning = ""
    old_max, new_max = previous.get("max_matchable"), (data.get("stats") or {}).get("max_matchable")
    if (
        isinstance(old_max, int)
        and isinstance(new_max, int)
        and new_max < old_max
        and data.get("pins")
    ):
        warning = (
            f"The pins lowered the most mentees this round can match from {old_max} to "
            f"{new_max}: a pinned mentor's place may be one another mentee needed. Check the "
            "pins, or remove one and run again."
        )
    return RunChanges(gained=gained, lost=lost, changed=changed, pin_warning=warning)


# -- one page of the review -----------------------------------------------------------------

# How the pairs can be sorted: by a name, the score, or one factor's part of it (lowest first).
REVIEW_SORTS = (
    "mentee",
    "score",
    "-score",
    "specialty",
    "availability",
    "site",
    "preference",
    "mentor",
)
REVIEW_PER_PAGE = 100


def review_sort(sort: str) -> str:
    """The sort asked for when the review knows it, by mentee name otherwise (a page link)."""
    return sort if sort in REVIEW_SORTS else "mentee"


def check_review_options(
    *, sort: str, reason: str, page: int, per_page: int, max_per_page: int
) -> None:
    """The review's options as the API takes them: every wrong one named, in one 422."""
    details = []
    if page < 1:
        details.append({"field": "page", "message": "must be ≥ 1"})
    if not 1 <= per_page <= max_per_page:
        details.append({"field": "per_page", "message": f"must be from 1 to {max_per_page}"})
    if sort not in REVIEW_SORTS:
        details.append({"field": "sort", "message": f"one of {', '.join(REVIEW_SORTS)}"})
    if reason and reason not in REASON_TEXT:
        details.append({"field": "reason", "message": f"one of {', '.join(REASON_TEXT)}"})
    if details:
        raise Invalid("; ".join(f"{d['field']} {d['message']}" for d in details), details=details)


@dataclass(frozen=True)
class ReviewPage:
    """One page of a round's pairs and one of its unmatched mentees, as the coordinator
    filtered and sorted them; the database does the filtering, sorting and paging."""

    matches: list[dict[str, Any]]
    total: int  # pairs that pass the filter
    page: int
    pages: int
    unmatched: list[dict[str, Any]]
    unmatched_shown: int  # unmatched mentees that pass the filter
    unmatched_total: int  # every unmatched mentee of the round
    unmatched_page: int
    unmatched_pages: int
    reasons: list[tuple[str, str]]  # (reason, its text) of the round's unmatched mentees
    pins: list[dict[str, Any]]
    exclusions: list[dict[str, Any]]


def _like(text: str) -> str:
    escaped = text.casefold().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _pages(total: int, per_page: int, page: int) -> tuple[int, int]:
    pages = max(1, -(-total // per_page))
    return min(max(page, 1), pages), pages


def _count(session: Session, stmt: Any) -> int:
    return session.scalar(select(func.count()).select_from(stmt.subquery())) or 0


def _searched_page(
    session: Session, query, columns, order, page: int, per_page: int
) -> tuple[list, int, int, int]:
    """A page of a name search and how many match, reading the names once (the count comes
    back with the page); past the last page, the last one. Returns rows, total, page, pages."""
    rows = session.execute(
        query.with_only_columns(*columns, func.count().over())
        .order_by(*order)
        .limit(per_page)
        .offset((max(page, 1) - 1) * per_page)
    ).all()
    total = rows[0][-1] if rows else (_count(session, query) if page > 1 else 0)
    rows = [row[:-1] for row in rows]
    page, pages = _pages(total, per_page, page)
    if not rows and total:
        rows = _page_of(session, query, columns, order, page, per_page)
    return rows, total, page, pages


def _page_of(
    session: Session, stmt: Any, columns: Any, order: Any, page: int, per_page: int
) -> list[Any]:
    return session.execute(
        stmt.with_only_columns(*columns)
        .order_by(*order)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()


def review_page(
    session: Session,
    round_id: int,
    *,
    q: str = "",
    sort: str = "mentee",
    reason: str = "",
    page: int = 1,
    per_page: int = REVIEW_PER_PAGE,
    unmatched_page: int = 1,
) -> ReviewPage:
    """A page of the round's pairs (name contains `q`, sorted by `sort`) and a page of its
    unmatched mentees (with `reason`, name contains `q`): a few queries whatever the size of
    the round, and only the rows shown leave the database."""
    sort = review_sort(sort)
    mentee, mentor = aliased(User), aliased(User)
    pairs = (
        select(ProposedMatch)
        .join(mentee, mentee.id == ProposedMatch.mentee_id)
        .join(mentor, mentor.id == ProposedMatch.mentor_id)
        .where(ProposedMatch.round_id == round_id)
    )
    if q:
        like = _like(q)
        pairs = pairs.where(
            or_(
                func.lower(mentee.name).like(like, escape="\\"),
                func.lower(mentor.name).like(like, escape="\\"),
            )
        )
    if sort in ("mentee", "mentor"):
        person = mentee if sort == "mentee" else mentor
        order = (func.lower(person.name), ProposedMatch.mentee_id)
    elif sort == "score":
        order = (ProposedMatch.score, ProposedMatch.mentee_id)
    elif sort == "-score":
        order = (ProposedMatch.score.desc(), ProposedMatch.mentee_id.desc())
    else:
        part = func.coalesce(ProposedMatch.breakdown[sort].as_float(), 0.0)
        order = (part, ProposedMatch.mentee_id)
    columns = pair_columns(mentee, mentor)
    if q:
        rows, total, page, pages = _searched_page(session, pairs, columns, order, page, per_page)
    else:
        total = _count(session, pairs)
        page, pages = _pages(total, per_page, page)
        rows = _page_of(session, pairs, columns, order, page, per_page)
    matches = [pair_dict(r) for r in rows]

    in_round = UnmatchedMentee.round_id == round_id
    found = session.execute(
        select(UnmatchedMentee.reason, func.count())
        .where(in_round)
        .group_by(UnmatchedMentee.reason)
    ).all()
    unmatched_total = sum(n for _, n in found)
    reasons = sorted((r, REASON_TEXT.get(r, r)) for r, _ in found)
    unmatched = (
        select(UnmatchedMentee).join(User, User.id == UnmatchedMentee.mentee_id).where(in_round)
    )
    if reason:
        unmatched = unmatched.where(UnmatchedMentee.reason == reason)
    if q:
        unmatched = unmatched.where(func.lower(User.name).like(_like(q), escape="\\"))
    by_id = (UnmatchedMentee.mentee_id,)
    if q:
        rows, shown, unmatched_page, unmatched_pages = _searched_page(
            session, unmatched, UNMATCHED_COLUMNS, by_id, unmatched_page, per_page
        )
    else:
        shown = _count(session, unmatched) if reason else unmatched_total
        unmatched_page, unmatched_pages = _pages(shown, per_page, unmatched_page)
        rows = _page_of(session, unmatched, UNMATCHED_COLUMNS, by_id, unmatched_page, per_page)
    left_out = [unmatched_dict(r) for r in rows]
    return ReviewPage(
        matches=matches,
        total=total,
        page=page,
        pages=pages,
        unmatched=left_out,
        unmatched_shown=shown,
        unmatched_total=unmatched_total,
        unmatched_page=unmatched_page,
        unmatched_pages=unmatched_pages,
        reasons=reasons,
        pins=named_pairs(session, RoundPin, round_id),
        exclusions=named_pairs(session, RoundExclusion, round_id),
    )
