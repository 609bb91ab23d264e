"""API: the mail outbox for coordinators: how much is queued, sent and failed, and retrying
(a site-scoped coordinator: the mails to the people of their sites)."""

from __future__ import annotations

from typing import Any

from mentor_match.api.base import spec
from mentor_match.auth import caller, coordinator_required, serves_site_scopes
from mentor_match.extensions import db
from mentor_match.services import outbox

ITEM_SCHEMA = {
    "type": "object",
    "required": ["id", "to", "subject", "state", "attempts", "last_error"],
    "properties": {
        "id": {"type": "integer"},
        "to": {"type": "string"},
        "subject": {"type": "string"},
        "state": {"type": "string", "enum": ["queued", "sent", "failed"]},
        "attempts": {"type": "integer"},
        "last_error": {"type": ["string", "null"]},
        "created_at": {"type": "string", "format": "date-time"},
        "next_attempt_at": {"type": ["string", "null"], "format": "date-time"},
    },
}
OUTBOX_SCHEMA = {
    "type": "object",
    "required": ["queued", "sent", "failed", "items"],
    "properties": {
        "queued": {"type": "integer"},
        "sent": {"type": "integer"},
        "failed": {"type": "integer"},
        "items": {"type": "array", "items": ITEM_SCHEMA},
    },
}


@spec.route(
    "/outbox",
    methods=["GET"],
    summary="Mail counts by state, and the failed and queued mails (failed first); a "
    "site-scoped coordinator sees the mails to the people of their sites",
    tag="outbox",
    responses={200: OUTBOX_SCHEMA},
)
@coordinator_required
@serves_site_scopes  # a site-scoped coordinator: the mails to the people of their sites
def list_outbox() -> dict[str, Any]:
    user = caller()
    return {
        **outbox.counts(db.session, user),
        "items": [outbox.mail_dict(m) for m in outbox.waiting_mail(db.session, caller=user)],
    }


@spec.route(
    "/outbox/<int:mail_id>/retry",
    methods=["POST"],
    summary="Send a queued or failed mail again now (409 already_sent for a sent one)",
    tag="outbox",
    responses={200: ITEM_SCHEMA},
)
@coordinator_required
@serves_site_scopes  # only the mails they may see
def retry_mail(mail_id: int) -> dict[str, Any]:
    return outbox.mail_dict(outbox.retry_mail(db.session, mail_id, caller()))
