"""API: importing mentors and mentees from CSV, CSV templates, and exporting participants."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, request

from mentor_match.api.base import spec
from mentor_match.auth import caller, coordinator_required, serves_site_scopes
from mentor_match.edge import (
    base_url,
    download,
    export_people,
    invite_limit,
    send_all_invitations,
)
from mentor_match.extensions import db
from mentor_match.importing import template_csv
from mentor_match.services import imports, scopes
from mentor_match.services.errors import Invalid

SUMMARY_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["created", "updated"],
    "properties": {
        "created": {"type": "integer"},
        "updated": {"type": "integer"},
        "invited": {
            "type": "integer",
            "description": "invitation mails queued for the new accounts",
        },
        "awaiting_invitation": {
            "type": "integer",
            "description": "new accounts left for POST /api/v1/invitations (large imports)",
        },
    },
}
CSV_BODY: dict[str, Any] = {"type": "string", "description": "the CSV file (contract §4)"}
CSV_RESPONSE: dict[str, Any] = {"type": "string"}


def uploaded_csv() -> bytes:
    """The CSV from a `text/csv` body, or from the `file` field of a multipart form."""
    if request.mimetype == "multipart/form-data":
        upload = request.files.get("file")
        if upload is None:
            raise Invalid(
                "send the CSV as the multipart field 'file', or as the body with"
                " Content-Type: text/csv",
                code="invalid_csv",
                details=[{"line": None, "column": None, "message": "no 'file' field"}],
            )
        return upload.read()
    return request.get_data(cache=False)


def _import(kind: str) -> dict[str, Any]:
    summary = imports.import_people(
        db.session,
        kind,
        uploaded_csv(),
        base_url=base_url(),
        secret_key=current_app.config["SECRET_KEY"],
        invite_limit=invite_limit(),
        caller=caller(),
    )
    return summary.as_dict()


@spec.route(
    "/imports/mentors",
    methods=["POST"],
    summary="Import mentors from CSV: all rows or none; 422 lists every bad row",
    tag="imports",
    body=CSV_BODY,
    body_type="text/csv",
    responses={200: SUMMARY_SCHEMA},
)
@coordinator_required
@serves_site_scopes
def import_mentors() -> dict[str, Any]:
    return _import("mentors")


@spec.route(
    "/imports/mentees",
    methods=["POST"],
    summary="Import mentees from CSV: all rows or none; 422 lists every bad row",
    tag="imports",
    body=CSV_BODY,
    body_type="text/csv",
    responses={200: SUMMARY_SCHEMA},
)
@coordinator_required
@serves_site_scopes
def import_mentees() -> dict[str, Any]:
    return _import("mentees")


@spec.route(
    "/imports/templates/<kind>.csv",
    methods=["GET"],
    summary="A CSV template (header and one example row); kind is mentors or mentees",
    tag="imports",
    responses={200: CSV_RESPONSE},
    response_type="text/csv",
)
@coordinator_required
@serves_site_scopes
def import_template(kind: str) -> Response:
    kind = imports.check_kind(kind)
    return download(template_csv(kind), f"{kind}-template.csv")


@spec.route(
    "/exports/<kind>.csv",
    methods=["GET"],
    summary="Every mentor or mentee as CSV in the import format (re-imports unchanged)",
    tag="imports",
    responses={200: CSV_RESPONSE},
    response_type="text/csv",
)
@coordinator_required
@serves_site_scopes
def export(kind: str) -> Response:
    return export_people(kind, scopes.visible_site_ids(db.session, caller()))


@spec.route(
    "/invitations",
    methods=["POST"],
    summary="Send a set-your-password invitation to every mentor and mentee without a password "
    "(of the caller's sites for a site-scoped coordinator)",
    tag="imports",
    responses={200: {"type": "object", "properties": {"invited": {"type": "integer"}}}},
)
@coordinator_required
@serves_site_scopes  # a site-scoped coordinator invites the people of their sites
def send_invitations() -> dict[str, Any]:
    return {"invited": send_all_invitations(scopes.visible_site_ids(db.session, caller()))}
