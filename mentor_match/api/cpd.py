"""API: the CPD portfolio — certification details, CE activities and certificates, shadowing
hours, the transcript, the cycle rules and the coordinator's compliance report (contract §9)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, Literal

from flask import Response, request
from pydantic import Field

from mentor_match.api.base import spec
from mentor_match.api.imports import uploaded_csv
from mentor_match.api.shapes import Shape, parse_body
from mentor_match.auth import caller, coordinator_required, roles_required, serves_site_scopes
from mentor_match.edge import (
    certificate_download,
    certificate_folder,
    certificate_to_upload,
    download,
    transcript_download,
)
from mentor_match.extensions import db
from mentor_match.recertification.activities import (
    MAX_HOURS,
    MAX_PROVIDER,
    MAX_REFLECTION,
    MAX_TITLE,
)
from mentor_match.recertification.requirements import (
    MAX_CYCLE_YEARS,
    MAX_RULE_NAME,
    MAX_TOTAL_HOURS,
)
from mentor_match.services import cpd, people, scopes
from mentor_match.services.cpd import portfolio as cpd_portfolio
from mentor_match.services.cpd.certificates import MAX_BYTES
from mentor_match.services.errors import Invalid

if TYPE_CHECKING:
    from mentor_match.models import User

Kind = Literal["ce", "college", "other"]
UAN_TEXT = Field(
    default=None, max_length=40, description="ACPE activity number, e.g. 0175-0000-14-105-L05-T"
)


class CertificationBody(Shape):
    """Certification details; send only what changes (an empty number clears it)."""

    ptcb_number: str | None = Field(default=None, max_length=20)
    nabp_eprofile_id: str | None = Field(default=None, max_length=20)
    cycle_ends: dt.date | None = None


class ActivityBody(Shape):
    title: str = Field(min_length=1, max_length=MAX_TITLE)
    provider: str = Field(min_length=1, max_length=MAX_PROVIDER)
    completed_on: dt.date
    hours: float = Field(gt=0, le=float(MAX_HOURS))
    kind: Kind = "ce"
    uan: str | None = UAN_TEXT
    reflection: str = Field(default="", max_length=MAX_REFLECTION)


class ActivityChanges(Shape):
    title: str | None = Field(default=None, min_length=1, max_length=MAX_TITLE)
    provider: str | None = Field(default=None, min_length=1, max_length=MAX_PROVIDER)
    completed_on: dt.date | None = None
    hours: float | None = Field(default=None, gt=0, le=float(MAX_HOURS))
    kind: Kind | None = None
    uan: str | None = UAN_TEXT
    reflection: str | None = Field(default=None, max_length=MAX_REFLECTION)


class CategoryBody(Shape):
    topic: str = Field(pattern=r"^[0-9]{2}$", description="ACPE topic code, e.g. 03 (law)")
    hours: float = Field(gt=0, le=float(MAX_TOTAL_HOURS))


class RulesBody(Shape):
    name: str = Field(min_length=1, max_length=MAX_RULE_NAME)
    total_hours: float = Field(gt=0, le=float(MAX_TOTAL_HOURS))
    cycle_years: int = Field(default=2, ge=1, le=MAX_CYCLE_YEARS)
    categories: list[CategoryBody] = Field(default_factory=list, max_length=8)
    caps: dict[Kind, float] = Field(default_factory=dict)


CPD_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["entries", "total", "requirements", "activities"],
    "properties": {
        "mentee_id": {"type": "integer"},
        "entries": {
            "type": "array",
            "description": "attended shadowing shifts (v1): preceptor-verified CPD, not CE",
            "items": {
                "type": "object",
                "properties": {
                    "date": {"type": "string", "format": "date"},
                    "mentor": {"type": "string"},
                    "specialty": {"type": "string"},
                    "location": {"type": "string"},
                    "hours": {"type": "number"},
                    "running_total": {"type": "number"},
                },
            },
        },
        "total": {"type": "number", "description": "shadowing hours (v1)"},
        "cycle": {
            "type": "object",
            "nullable": True,
            "properties": {
                "starts": {"type": "string", "format": "date"},
                "ends": {"type": "string", "format": "date"},
                "days_left": {"type": "integer"},
            },
        },
        "requirements": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "name": {"type": "string"},
                    "needed": {"type": "number"},
                    "have": {"type": "number"},
                    "met": {"type": "boolean"},
                },
            },
        },
        "missing": {"type": "array", "items": {"type": "string"}},
        "activities": {"type": "array", "items": {"type": "object"}},
    },
}
ACTIVITY_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["id", "title", "provider", "completed_on", "hours", "kind", "uan"],
    "properties": {
        "id": {"type": "integer"},
        "title": {"type": "string"},
        "provider": {"type": "string"},
        "completed_on": {"type": "string", "format": "date"},
        "hours": {"type": "number"},
        "kind": {"type": "string", "enum": ["ce", "college", "other"]},
        "uan": {
            "type": "object",
            "nullable": True,
            "properties": {
                name: {"type": "string"}
                for name in (
                    "number",
                    "provider",
                    "joint",
                    "year",
                    "sequence",
                    "format",
                    "topic",
                    "topic_code",
                    "audience",
                )
            },
        },
        "reflection": {"type": "string"},
        "counted_hours": {"type": "number"},
        "not_counted_reason": {"type": "string", "nullable": True},
        "certificate": {"type": "object", "nullable": True},
    },
}
COMPLIANCE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["items"],
    "properties": {
        "items": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "mentee_id": {"type": "integer"},
                    "name": {"type": "string"},
                    "ce_hours": {"type": "number"},
                    "met": {"type": "boolean"},
                    "days_left": {"type": "integer", "nullable": True},
                    "cycle_ends": {"type": "string", "format": "date", "nullable": True},
                    "missing": {"type": "array", "items": {"type": "string"}},
                },
            },
        }
    },
}
SHORT_WITHIN = [
    {
        "name": "short_within",
        "in": "query",
        "description": "only mentees short of a requirement whose cycle ends within this many days",
        "schema": {"type": "integer", "minimum": 0, "maximum": 3650},
    }
]
PDF = {"type": "string", "format": "binary"}
CERTIFICATE_BODY = {
    "type": "string",
    "format": "binary",
    "description": f"a PDF, PNG or JPEG file of at most {MAX_BYTES // (1024 * 1024)} MB, "
    "as the body or as the multipart field 'file'",
}


def _portfolio_of(user: User) -> dict[str, Any]:
    log = cpd.cpd_log(db.session, user)
    return cpd_portfolio.portfolio_dict(
        cpd_portfolio.portfolio(db.session, user), cpd.cpd_dict(log)
    )


@spec.route(
    "/me/cpd",
    methods=["GET"],
    summary="The caller's CPD: shadowing hours (v1 fields), cycle, requirements and CE activities",
    tag="cpd",
    responses={200: CPD_SCHEMA},
)
@roles_required("mentee")
def my_cpd() -> dict[str, Any]:
    return _portfolio_of(caller())


@spec.route(
    "/me/cpd.csv",
    methods=["GET"],
    summary="The caller's shadowing hours as CSV",
    tag="cpd",
    responses={200: {"type": "string"}},
    response_type="text/csv",
)
@roles_required("mentee")
def my_cpd_csv() -> Response:
    return download(cpd.cpd_csv(cpd.cpd_log(db.session, caller())), "cpd-log.csv")


@spec.route(
    "/me/certification",
    methods=["PATCH"],
    summary="Change the caller's PTCB number, NABP e-Profile ID or cycle end date",
    tag="cpd",
    body=CertificationBody,
)
@roles_required("mentee")
def update_certification() -> dict[str, Any]:
    body = parse_body(CertificationBody)
    given = {name: getattr(body, name) for name in body.model_fields_set}
    record = cpd_portfolio.update_certification(db.session, caller(), **given)
    return cpd_portfolio.certification_dict(record)


@spec.route(
    "/me/cpd/activities",
    methods=["POST"],
    summary="Record a CE activity; its UAN is checked part by part",
    tag="cpd",
    body=ActivityBody,
    responses={201: ACTIVITY_SCHEMA},
)
@roles_required("mentee")
def create_activity() -> tuple[dict[str, Any], int]:
    body = parse_body(ActivityBody)
    user = caller()
    activity = cpd_portfolio.add_activity(db.session, user, body.model_dump())
    return cpd_portfolio.single_activity_dict(db.session, user, activity), 201


@spec.route(
    "/me/cpd/activities/<int:activity_id>",
    methods=["PATCH"],
    summary="Change one of the caller's CE activities",
    tag="cpd",
    body=ActivityChanges,
    responses={200: ACTIVITY_SCHEMA},
)
@roles_required("mentee")
def update_activity(activity_id: int) -> dict[str, Any]:
    body = parse_body(ActivityChanges)
    changes = {name: getattr(body, name) for name in body.model_fields_set}
    user = caller()
    activity = cpd_portfolio.update_activity(db.session, user, activity_id, changes)
    return cpd_portfolio.single_activity_dict(db.session, user, activity)


@spec.route(
    "/me/cpd/activities/<int:activity_id>",
    methods=["DELETE"],
    summary="Delete one of the caller's CE activities (and its certificate)",
    tag="cpd",
)
@roles_required("mentee")
def delete_activity(activity_id: int) -> dict[str, Any]:
    cpd_portfolio.delete_activity(db.session, caller(), activity_id, certificate_folder())
    return {"deleted": activity_id}


@spec.route(
    "/me/cpd/activities/<int:activity_id>/certificate",
    methods=["PUT"],
    summary="Keep a certificate of completion (PDF, PNG or JPEG) with an activity",
    tag="cpd",
    body=CERTIFICATE_BODY,
    body_type="application/octet-stream",
    query=[
        {
            "name": "filename",
            "in": "query",
            "description": "the file's name, shown back on downloads (a raw body has none)",
            "schema": {"type": "string", "maxLength": 200},
        }
    ],
    responses={200: ACTIVITY_SCHEMA},
)
@roles_required("mentee")
def upload_certificate(activity_id: int) -> dict[str, Any]:
    user = caller()
    data, filename = certificate_to_upload()
    activity = cpd_portfolio.attach_certificate(
        db.session, user, activity_id, data, filename, certificate_folder()
    )
    return cpd_portfolio.single_activity_dict(db.session, user, activity)


@spec.route(
    "/me/cpd/activities/<int:activity_id>/certificate",
    methods=["DELETE"],
    summary="Remove an activity's certificate",
    tag="cpd",
)
@roles_required("mentee")
def delete_certificate(activity_id: int) -> dict[str, Any]:
    cpd_portfolio.remove_certificate(db.session, caller(), activity_id, certificate_folder())
    return {"deleted": "certificate", "activity_id": activity_id}


@spec.route(
    "/cpd/activities/<int:activity_id>/certificate",
    methods=["GET"],
    summary="An activity's certificate: for its owner and coordinators only",
    tag="cpd",
    responses={200: PDF},
    response_type="application/octet-stream",
)
@roles_required("mentee", "coordinator")
@serves_site_scopes  # a mentee of their sites only
def activity_certificate(activity_id: int) -> Response:
    data, mimetype, name = cpd_portfolio.certificate_of(
        db.session, caller(), activity_id, certificate_folder()
    )
    return certificate_download(data, mimetype, name)


@spec.route(
    "/me/cpd/activities/import",
    methods=["POST"],
    summary="Import CE activities from CSV: all rows or none; 422 lists every bad row",
    tag="cpd",
    body={
        "type": "string",
        "description": "title,provider,completed_on,hours[,kind,uan,reflection]",
    },
    body_type="text/csv",
    responses={200: {"type": "object", "properties": {"created": {"type": "integer"}}}},
)
@roles_required("mentee")
def import_my_activities() -> dict[str, Any]:
    return {"created": cpd_portfolio.import_activities(db.session, caller(), _csv_text())}


def _csv_text() -> str:
    try:
        return uploaded_csv().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Invalid(
            "the file is not UTF-8 text: save it as 'CSV UTF-8'",
            code="invalid_csv",
            details=[{"line": None, "column": None, "message": "not UTF-8"}],
        ) from exc


@spec.route(
    "/me/cpd/transcript.pdf",
    methods=["GET"],
    summary="The caller's CPD transcript as PDF: activities, requirement totals, shadowing hours",
    tag="cpd",
    responses={200: PDF},
    response_type="application/pdf",
)
@roles_required("mentee")
def my_transcript_pdf() -> Response:
    return transcript_download(
        cpd_portfolio.portfolio(db.session, caller()), cpd_portfolio.today_utc()
    )


@spec.route(
    "/me/cpd/transcript.csv",
    methods=["GET"],
    summary="The transcript's activity rows as CSV",
    tag="cpd",
    responses={200: {"type": "string"}},
    response_type="text/csv",
)
@roles_required("mentee")
def my_transcript_csv() -> Response:
    p = cpd_portfolio.portfolio(db.session, caller())
    return download(cpd_portfolio.transcript_csv(p), "cpd-transcript.csv")


@spec.route(
    "/cpd/mentees/<int:user_id>",
    methods=["GET"],
    summary="A mentee's CPD portfolio (coordinator)",
    tag="cpd",
    responses={200: CPD_SCHEMA},
)
@coordinator_required
@serves_site_scopes
def mentee_cpd(user_id: int) -> dict[str, Any]:
    return _portfolio_of(people.get_mentee(db.session, user_id, caller()))


@spec.route(
    "/cpd/mentees/<int:user_id>/transcript.pdf",
    methods=["GET"],
    summary="A mentee's CPD transcript as PDF (coordinator)",
    tag="cpd",
    responses={200: PDF},
    response_type="application/pdf",
)
@coordinator_required
@serves_site_scopes
def mentee_transcript_pdf(user_id: int) -> Response:
    return transcript_download(
        cpd_portfolio.portfolio(db.session, people.get_mentee(db.session, user_id, caller())),
        cpd_portfolio.today_utc(),
    )


@spec.route(
    "/cpd/mentees/<int:user_id>/activities/import",
    methods=["POST"],
    summary="Import CE activities for a mentee from CSV (coordinator); all rows or none",
    tag="cpd",
    body={
        "type": "string",
        "description": "title,provider,completed_on,hours[,kind,uan,reflection]",
    },
    body_type="text/csv",
    responses={200: {"type": "object", "properties": {"created": {"type": "integer"}}}},
)
@coordinator_required
@serves_site_scopes
def import_mentee_activities(user_id: int) -> dict[str, Any]:
    mentee = people.get_mentee(db.session, user_id, caller())
    return {"created": cpd_portfolio.import_activities(db.session, mentee, _csv_text())}


@spec.route(
    "/cpd/compliance",
    methods=["GET"],
    summary="Every mentee's CE hours, requirements met and days left (coordinator)",
    tag="cpd",
    query=SHORT_WITHIN,
    responses={200: COMPLIANCE_SCHEMA},
)
@coordinator_required
@serves_site_scopes
def cpd_compliance() -> dict[str, Any]:
    rows = cpd_portfolio.compliance(
        db.session,
        short_within=_short_within(),
        within=scopes.visible_site_ids(db.session, caller()),
    )
    return {"items": [row.as_dict() for row in rows]}


@spec.route(
    "/cpd/compliance.csv",
    methods=["GET"],
    summary="The compliance report as CSV (coordinator)",
    tag="cpd",
    query=SHORT_WITHIN,
    responses={200: {"type": "string"}},
    response_type="text/csv",
)
@coordinator_required
@serves_site_scopes
def cpd_compliance_csv() -> Response:
    rows = cpd_portfolio.compliance(
        db.session,
        short_within=_short_within(),
        within=scopes.visible_site_ids(db.session, caller()),
    )
    return download(cpd_portfolio.compliance_csv(rows), "cpd-compliance.csv")


def _short_within() -> int | None:
    raw = request.args.get("short_within", "")
    if raw == "":
        return None
    if not raw.isdigit() or int(raw) > 3650:
        raise Invalid(
            "'short_within' must be a number of days from 0 to 3650",
            details=[{"field": "short_within", "message": "must be a whole number 0–3650"}],
        )
    return int(raw)


@spec.route(
    "/cpd/rules",
    methods=["GET"],
    summary="The recertification rule set in force",
    tag="cpd",
)
@roles_required("mentee", "coordinator")
@serves_site_scopes  # the programme's rules, the same at every site: read only
def cpd_rules() -> dict[str, Any]:
    return cpd_portfolio.current_rules(db.session).as_dict()


@spec.route(
    "/cpd/rules",
    methods=["PUT"],
    summary="Replace the recertification rule set (coordinator)",
    tag="cpd",
    body=RulesBody,
)
@coordinator_required
def replace_cpd_rules() -> dict[str, Any]:
    body = parse_body(RulesBody)
    return cpd_portfolio.save_rules(db.session, caller(), body.model_dump()).as_dict()
