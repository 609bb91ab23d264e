"""What a re-run changed: the proposal before it, and who gained, lost or changed mentor.

Before each run from the review page, the round keeps its current proposal (pairs and
counts) in `previous_run`; the review then compares the new proposal with it, and warns when
the pins made fewer mentees matchable than before.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mentor_match.models import MatchRound, ProposedMatch, RoundPin, RoundStatus, User


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
    """Compare a round's proposal (as `round_dict` gives it) with the one before its last run;
    None when there was no earlier run to compare with."""
    match_round = session.get(MatchRound, data["id"])
    previous = match_round.previous_run if match_round else None
    if not previous or data.get("status") not in ("proposed", "published"):
        return None
    before = {int(mentee): int(mentor) for mentee, mentor in previous.get("pairs", [])}
    after = {m["mentee_id"]: m["mentor_id"] for m in data.get("matches", [])}
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
