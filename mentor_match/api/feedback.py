"""API: competencies, feedback and reflections on attended shifts, sign-offs and progress,
mentorship agreements, tasks, and coordinators' overview and report (contract §8)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from flask import Response
from pydantic import Field

from mentor_match.api.base import spec
from mentor_match.api.imports import CSV_BODY, CSV_RESPONSE, uploaded_csv
from mentor_match.api.shapes import Id, Shape, parse_body
from mentor_match.auth import (
    caller,
    coordinator_required,
    login_required,
    roles_required,
    serves_site_scopes,
)
from mentor_match.edge import download
from mentor_match.extensions import db
from mentor_match.importing.competencies import CODE_MAX, DESCRIPTION_MAX, TITLE_MAX
from mentor_match.services import scopes
from mentor_match.services.errors import Forbidden
from mentor_match.services.feedback import agreements, assessments, competencies, reports, tasks
from mentor_match.services.feedback.agreements import (
    CHECKIN_MINUTES,
    EVALUATION_SCALE,
    GOAL_TITLE_MAX,
)
from mentor_match.services.feedback.common import (
    COMMENT_MAX,
    REASON_MAX,
    SESSION_RATING_RANGE,
    TEXT_MAX,
)

Level = Annotated[int, Field(ge=1, le=4)]
Score = Annotated[int, Field(ge=EVALUATION_SCALE[0], le=EVALUATION_SCALE[1])]
Slug = Annotated[str, Field(max_length=60)]


class CompetencyBody(Shape):
    code: str = Field(min_length=1, max_length=CODE_MAX)
    title: str = Field(min_length=1, max_length=TITLE_MAX)
    description: str = Field(default="", max_length=DESCRIPTION_MAX)
    specialty: Slug | None = None
    active: bool = True


class CompetencyChanges(Shape):
    code: str | None = Field(default=None, min_length=1, max_length=CODE_MAX)
    title: str | None = Field(default=None, min_length=1, max_length=TITLE_MAX)
    description: str | None = Field(default=None, max_length=DESCRIPTION_MAX)
    specialty: Slug | None = None
    active: bool | None = None


class RatingBody(Shape):
    competency_id: Id
    level: Level


class FeedbackBody(Shape):
    ratings: list[RatingBody] = Field(default_factory=list, max_length=50)
    strengths: str = Field(default="", max_length=TEXT_MAX)
    next_steps: str = Field(default="", max_length=TEXT_MAX)


class FeedbackChanges(Shape):
    ratings: list[RatingBody] | None = Field(default=None, max_length=50)
    strengths: str | None = Field(default=None, max_length=TEXT_MAX)
    next_steps: str | None = Field(default=None, max_length=TEXT_MAX)


class ReflectionBody(Shape):
    learned: str = Field(min_length=1, max_length=TEXT_MAX)
    apply: str = Field(min_length=1, max_length=TEXT_MAX)
    session_rating: int = Field(ge=SESSION_RATING_RANGE[0], le=SESSION_RATING_RANGE[1])
    comment_to_coordinator: str | None = Field(default=None, max_length=COMMENT_MAX)


class SignOffBody(Shape):
    competency_id: Id
    booking_id: Id | None = None
    note: str | None = Field(default=None, max_length=COMMENT_MAX)


class RevokeBody(Shape):
    reason: str = Field(min_length=1, max_length=REASON_MAX)


class GoalBody(Shape):
    title: str = Field(min_length=1, max_length=GOAL_TITLE_MAX)
    target_date: dt.date | None = None


class GoalChanges(Shape):
    status: Literal["open", "met", "dropped"]


class CheckInBody(Shape):
    date: dt.date
    minutes: int = Field(ge=CHECKIN_MINUTES[0], le=CHECKIN_MINUTES[1])
    notes: str = Field(default="", max_length=TEXT_MAX)


class EvaluationBody(Shape):
    stage: Literal["midpoint", "final"]
    ratings: dict[Annotated[str, Field(max_length=40)], Score] = Field(max_length=20)
    comment: str = Field(default="", max_length=COMMENT_MAX)


OBJECT: dict[str, Any] = {"type": "object"}
COMPETENCY_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["id", "code", "title", "description", "specialty", "active"],
    "properties": {
        "id": {"type": "integer"},
        "code": {"type": "string"},
        "title": {"type": "string"},
        "description": {"type": "string"},
        "specialty": {"type": "string", "nullable": True},
        "active": {"type": "boolean"},
    },
}
TASKS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["items"],
    "properties": {
        "items": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["kind", "due"],
                "properties": {
                    "kind": {"type": "string", "enum": list(tasks.KINDS)},
                    "booking_id": {"type": "integer"},
                    "mentorship_id": {"type": "integer"},
                    "stage": {"type": "string", "enum": ["midpoint", "final"]},
                    "due": {"type": "string", "format": "date"},
                    "about": {"type": "string"},
                },
            },
        }
    },
}
RATINGS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["count", "average"],
    "properties": {
        "count": {"type": "integer"},
        "average": {"type": "number", "nullable": True, "description": "only from 3 ratings"},
    },
}
PROGRESS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["signed_off", "total", "competencies", "history"],
    "properties": {
        "signed_off": {"type": "integer"},
        "total": {"type": "integer"},
        "competencies": {"type": "array", "items": OBJECT},
        "history": {"type": "array", "items": OBJECT},
    },
}


def _coordinator_only() -> None:
    if not caller().is_coordinator:
        raise Forbidden("coordinators only")


# -- competencies --------------------------------------------------------------------------


@spec.route(
    "/competencies",
    methods=["GET"],
    summary="The competency framework (retired ones included, with active false)",
    tag="feedback",
    responses={
        200: {
            "type": "object",
            "required": ["items"],
            "properties": {"items": {"type": "array", "items": COMPETENCY_SCHEMA}},
        }
    },
)
@login_required
@serves_site_scopes  # the programme's framework, the same for every site
def list_competencies() -> dict[str, Any]:
    items = competencies.list_competencies(db.session)
    return {"items": [competencies.describe_competency(c) for c in items]}


@spec.route(
    "/competencies",
    methods=["POST"],
    summary="Add a competency (coordinators)",
    tag="feedback",
    body=CompetencyBody,
    responses={201: COMPETENCY_SCHEMA},
)
@coordinator_required
def create_competency() -> tuple[dict[str, Any], int]:
    body = parse_body(CompetencyBody)
    found = competencies.create_competency(db.session, **body.model_dump())
    return competencies.describe_competency(found), 201


@spec.route(
    "/competencies/<int:competency_id>",
    methods=["PATCH"],
    summary="Edit a competency, or retire it with active false (coordinators)",
    tag="feedback",
    body=CompetencyChanges,
    responses={200: COMPETENCY_SCHEMA},
)
@login_required
def update_competency(competency_id: int) -> dict[str, Any]:
    competencies.get_competency(db.session, competency_id)  # 404 before 403
    _coordinator_only()
    body = parse_body(CompetencyChanges)
    changes = {name: getattr(body, name) for name in body.model_fields_set}
    found = competencies.update_competency(db.session, competency_id, changes)
    return competencies.describe_competency(found)


@spec.route(
    "/competencies/export",
    methods=["GET"],
    summary="The framework as CSV (code,title,description,specialty,active)",
    tag="feedback",
    responses={200: CSV_RESPONSE},
    response_type="text/csv",
)
@coordinator_required
@serves_site_scopes  # reading the programme's framework
def export_competencies() -> Response:
    return download(competencies.export_framework(db.session), "competencies.csv")


@spec.route(
    "/competencies/import",
    methods=["POST"],
    summary="Import the framework from CSV: every row or none; 422 lists every bad row",
    tag="feedback",
    body=CSV_BODY,
    body_type="text/csv",
    responses={
        200: {
            "type": "object",
            "required": ["created", "updated"],
            "properties": {"created": {"type": "integer"}, "updated": {"type": "integer"}},
        }
    },
)
@coordinator_required
def import_competencies() -> dict[str, Any]:
    return competencies.import_framework(db.session, uploaded_csv())


# -- feedback and reflections --------------------------------------------------------------


def _ratings(items: list[RatingBody]) -> list[assessments.Rating]:
    return [assessments.Rating(r.competency_id, r.level) for r in items]


@spec.route(
    "/bookings/<int:booking_id>/feedback",
    methods=["POST"],
    summary="The shift's mentor's feedback on an attended booking (409 not_attended, "
    "already_given)",
    tag="feedback",
    body=FeedbackBody,
    responses={201: OBJECT},
)
@login_required
def give_feedback(booking_id: int) -> tuple[dict[str, Any], int]:
    assessments.check_feedback_author(db.session, caller(), booking_id)
    body = parse_body(FeedbackBody)
    found = assessments.give_feedback(
        db.session,
        caller(),
        booking_id,
        ratings=_ratings(body.ratings),
        strengths=body.strengths,
        next_steps=body.next_steps,
    )
    db.session.refresh(found)
    return assessments.describe_feedback(found), 201


@spec.route(
    "/bookings/<int:booking_id>/feedback",
    methods=["PATCH"],
    summary="Its author edits the feedback within 7 days of giving it (then 409 locked)",
    tag="feedback",
    body=FeedbackChanges,
    responses={200: OBJECT},
)
@login_required
def edit_feedback(booking_id: int) -> dict[str, Any]:
    assessments.check_feedback_author(db.session, caller(), booking_id)
    body = parse_body(FeedbackChanges)
    found = assessments.edit_feedback(
        db.session,
        caller(),
        booking_id,
        ratings=_ratings(body.ratings) if body.ratings is not None else None,
        strengths=body.strengths,
        next_steps=body.next_steps,
    )
    db.session.refresh(found)
    return assessments.describe_feedback(found)


@spec.route(
    "/bookings/<int:booking_id>/feedback",
    methods=["GET"],
    summary="The feedback on a booking (its mentee, the shift's mentor, coordinators)",
    tag="feedback",
    responses={200: OBJECT},
)
@login_required
@serves_site_scopes
def get_feedback(booking_id: int) -> dict[str, Any]:
    return assessments.describe_feedback(
        assessments.read_feedback(db.session, caller(), booking_id)
    )


@spec.route(
    "/bookings/<int:booking_id>/reflection",
    methods=["POST"],
    summary="The mentee's reflection on an attended shift, with a 1-5 session rating",
    tag="feedback",
    body=ReflectionBody,
    responses={201: OBJECT},
)
@login_required
def give_reflection(booking_id: int) -> tuple[dict[str, Any], int]:
    assessments.check_reflection_author(db.session, caller(), booking_id)
    body = parse_body(ReflectionBody)
    found = assessments.give_reflection(db.session, caller(), booking_id, **body.model_dump())
    return assessments.describe_reflection(found), 201


@spec.route(
    "/bookings/<int:booking_id>/reflection",
    methods=["GET"],
    summary="A reflection (its mentee and coordinators only; never the mentor)",
    tag="feedback",
    responses={200: OBJECT},
)
@login_required
@serves_site_scopes
def get_reflection(booking_id: int) -> dict[str, Any]:
    return assessments.describe_reflection(
        assessments.read_reflection(db.session, caller(), booking_id)
    )


@spec.route(
    "/me/ratings",
    methods=["GET"],
    summary="How mentees rated my sessions: a count, and the average once there are 3",
    tag="feedback",
    responses={200: RATINGS_SCHEMA},
)
@roles_required("mentor")
def my_ratings() -> dict[str, Any]:
    return assessments.rating_summary(db.session, caller().id)


# -- sign-offs and progress ----------------------------------------------------------------


@spec.route(
    "/mentees/<int:mentee_id>/signoffs",
    methods=["POST"],
    summary="Sign a competency off as demonstrated (their mentors, hosts of their attended "
    "shifts, coordinators)",
    tag="feedback",
    body=SignOffBody,
    responses={201: OBJECT},
)
@login_required
@serves_site_scopes
def sign_off(mentee_id: int) -> tuple[dict[str, Any], int]:
    assessments.check_may_sign_off(db.session, caller(), mentee_id)
    body = parse_body(SignOffBody)
    found = assessments.sign_off(
        db.session,
        caller(),
        mentee_id,
        body.competency_id,
        booking_id=body.booking_id,
        note=body.note,
    )
    return assessments.describe_sign_off(found), 201


@spec.route(
    "/signoffs/<int:signoff_id>",
    methods=["DELETE"],
    summary="Revoke a sign-off with a reason (kept in the audit trail)",
    tag="feedback",
    body=RevokeBody,
    responses={200: OBJECT},
)
@login_required
@serves_site_scopes
def revoke_sign_off(signoff_id: int) -> dict[str, Any]:
    assessments.check_may_revoke(db.session, caller(), signoff_id)
    body = parse_body(RevokeBody)
    found = assessments.revoke_sign_off(db.session, caller(), signoff_id, body.reason)
    return assessments.describe_sign_off(found)


@spec.route(
    "/mentees/<int:mentee_id>/progress",
    methods=["GET"],
    summary="A mentee's competencies, their status and the sign-off history "
    "(that mentee, their mentors, coordinators)",
    tag="feedback",
    responses={200: PROGRESS_SCHEMA},
)
@login_required
@serves_site_scopes
def mentee_progress(mentee_id: int) -> dict[str, Any]:
    return assessments.describe_progress(assessments.progress(db.session, caller(), mentee_id))


# -- mentorship agreements -----------------------------------------------------------------


@spec.route(
    "/mentorships/<int:mentorship_id>/agreement",
    methods=["GET"],
    summary="A mentorship's goals, check-ins and evaluations (the pair and coordinators)",
    tag="feedback",
    responses={200: OBJECT},
)
@login_required
@serves_site_scopes
def get_agreement(mentorship_id: int) -> dict[str, Any]:
    return agreements.describe_agreement(agreements.agreement(db.session, caller(), mentorship_id))


@spec.route(
    "/mentorships/<int:mentorship_id>/goals",
    methods=["POST"],
    summary="Add a goal to a current mentorship (either party)",
    tag="feedback",
    body=GoalBody,
    responses={201: OBJECT},
)
@login_required
def add_goal(mentorship_id: int) -> tuple[dict[str, Any], int]:
    agreements.check_party(db.session, caller(), mentorship_id)
    body = parse_body(GoalBody)
    goal = agreements.add_goal(db.session, caller(), mentorship_id, body.title, body.target_date)
    return agreements.describe_goal(goal), 201


@spec.route(
    "/goals/<int:goal_id>",
    methods=["PATCH"],
    summary="Mark a goal open, met or dropped (either party)",
    tag="feedback",
    body=GoalChanges,
    responses={200: OBJECT},
)
@login_required
def update_goal(goal_id: int) -> dict[str, Any]:
    agreements.check_goal_party(db.session, caller(), goal_id)
    body = parse_body(GoalChanges)
    return agreements.describe_goal(
        agreements.set_goal_status(db.session, caller(), goal_id, body.status)
    )


@spec.route(
    "/mentorships/<int:mentorship_id>/checkins",
    methods=["POST"],
    summary="Log a check-in (either party)",
    tag="feedback",
    body=CheckInBody,
    responses={201: OBJECT},
)
@login_required
def log_checkin(mentorship_id: int) -> tuple[dict[str, Any], int]:
    agreements.check_party(db.session, caller(), mentorship_id)
    body = parse_body(CheckInBody)
    found = agreements.log_checkin(
        db.session, caller(), mentorship_id, body.date, body.minutes, body.notes
    )
    return agreements.describe_checkin(found), 201


@spec.route(
    "/mentorships/<int:mentorship_id>/evaluations",
    methods=["POST"],
    summary="A midpoint or final evaluation of the other party: one per party and stage",
    tag="feedback",
    body=EvaluationBody,
    responses={201: OBJECT},
)
@login_required
def submit_evaluation(mentorship_id: int) -> tuple[dict[str, Any], int]:
    agreements.check_party(db.session, caller(), mentorship_id)
    body = parse_body(EvaluationBody)
    found = agreements.submit_evaluation(
        db.session, caller(), mentorship_id, body.stage, dict(body.ratings), body.comment
    )
    return agreements.describe_evaluation(found), 201


# -- tasks, overview, report ---------------------------------------------------------------


@spec.route(
    "/me/tasks",
    methods=["GET"],
    summary="What I owe (feedback, reflections, evaluations), oldest due first",
    tag="feedback",
    responses={200: TASKS_SCHEMA},
)
@login_required
@serves_site_scopes  # the caller's own tasks
def my_tasks() -> dict[str, Any]:
    user = caller()
    return {
        "items": [tasks.describe_task(t, user.timezone) for t in tasks.my_tasks(db.session, user)]
    }


@spec.route(
    "/feedback/overdue",
    methods=["GET"],
    summary="Overdue task counts per mentor and per site (coordinators)",
    tag="feedback",
    responses={200: OBJECT},
)
@coordinator_required
@serves_site_scopes
def overdue_overview() -> dict[str, Any]:
    within = scopes.visible_site_ids(db.session, caller())
    mentors, sites = tasks.overdue_overview(db.session, within=within)
    return {
        "mentors": [
            {"mentor_id": r.person_id, "name": r.label, "overdue": r.count} for r in mentors
        ],
        "sites": [{"site": r.label, "overdue": r.count} for r in sites],
    }


@spec.route(
    "/mentors/<int:mentor_id>/nudge",
    methods=["POST"],
    summary="Mail a mentor the list of their overdue tasks (once a day)",
    tag="feedback",
    responses={200: OBJECT},
)
@login_required
@serves_site_scopes
def nudge_mentor(mentor_id: int) -> dict[str, Any]:
    tasks.check_mentor(db.session, mentor_id)  # 404 before 403
    _coordinator_only()
    scopes.check_person(db.session, caller(), mentor_id, what="mentor")
    return {"overdue": tasks.nudge(db.session, mentor_id)}


@spec.route(
    "/feedback/report",
    methods=["GET"],
    summary="Completion rates, mean session rating per mentor (n >= 3 only), sign-offs per "
    "competency and specialty (coordinators)",
    tag="feedback",
    responses={200: OBJECT},
)
@coordinator_required
@serves_site_scopes
def feedback_report() -> dict[str, Any]:
    found = reports.feedback_report(db.session, scopes.visible_site_ids(db.session, caller()))
    return {
        "completion": [
            {"item": c.label, "done": c.done, "expected": c.expected, "rate": c.rate}
            for c in found.completion
        ],
        "mean_rating_per_mentor": [
            {"mentor": r.mentor, "count": r.count, "average": r.average} for r in found.ratings
        ],
        "signoffs_per_competency": [
            {"code": s.code, "title": s.title, "specialty": s.specialty, "count": s.count}
            for s in found.signoffs
        ],
        "signoffs_per_specialty": [
            {"specialty": name, "count": n} for name, n in found.per_specialty
        ],
    }
