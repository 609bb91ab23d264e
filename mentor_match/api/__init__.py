"""The JSON API under /api/v1: bearer-token authentication, the same services as the pages."""

from __future__ import annotations

from typing import Any

from flask import request

from mentor_match.api import (  # noqa: F401  (each registers its routes)
    calendar,
    cpd,
    dashboard,
    feedback,
    imports,
    mentorships,
    outbox,
    people,
    preferences,
    reference,
    rounds,
    scopes,
    shifts,
    suggestions,
)
from mentor_match.api.base import bp, spec

__all__ = ["bp", "spec"]


@spec.route(
    "/openapi.json",
    methods=["GET"],
    summary="This API's OpenAPI 3 description",
    tag="meta",
    public=True,
)
def openapi() -> dict[str, Any]:
    return spec.document(request.url_root.rstrip("/"))
