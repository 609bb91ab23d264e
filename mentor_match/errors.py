"""One place that turns errors into answers: JSON under /api, a page everywhere else."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from werkzeug.exceptions import HTTPException

from mentor_match.database import is_lock_timeout
from mentor_match.services.errors import RateLimited, ServiceError

CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid",
    429: "rate_limited",
    503: "busy",
}

MESSAGES = {
    401: "Sign in, or send a valid API token as 'Authorization: Bearer <token>'.",
    403: "You are signed in, but this is not yours to see or change.",
    404: "There is nothing here.",
    413: "The upload is larger than the limit.",
}


def wants_json() -> bool:
    return request.path.startswith("/api/") or (request.accept_mimetypes.best == "application/json")


def error_response(
    status: int,
    code: str,
    message: str,
    details: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    if wants_json():
        response = jsonify({"error": {"code": code, "message": message, "details": details or []}})
    else:
        response = Response(
            render_template(
                "error.html", status=status, code=code, message=message, details=details or []
            ),
            mimetype="text/html",
        )
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def init_app(app: Flask) -> None:
    @app.errorhandler(ServiceError)
    def _service_error(error: ServiceError) -> Response:
        headers = {}
        if isinstance(error, RateLimited):
            headers["Retry-After"] = str(error.retry_after)
        return error_response(error.status, error.code, error.message, error.details, headers)

    @app.errorhandler(CSRFError)
    def _csrf_error(error: CSRFError) -> Response:
        return error_response(
            400,
            "csrf_failed",
            "The form expired or was not sent from this site. Go back, reload and try again.",
        )

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException) -> Response:
        status = error.code or 500
        message = MESSAGES.get(status) or error.description or "Error"
        if status == 413:
            limit = app.config.get("MAX_CONTENT_LENGTH") or 0
            message = f"The upload is larger than the limit of {limit / 1024 / 1024:g} MB."
        headers = {}
        if status == 401 and request.path.startswith("/api/"):
            headers["WWW-Authenticate"] = 'Bearer realm="mentor_match"'
        response = error_response(status, CODES.get(status, "error"), message, headers=headers)
        if status == 405 and error.valid_methods:  # type: ignore[attr-defined]
            response.headers["Allow"] = ", ".join(error.valid_methods)  # type: ignore[attr-defined]
        return response

    @app.errorhandler(IntegrityError)
    def _constraint(error: IntegrityError) -> Response:
        # A constraint the services could not see coming: two requests raced for the same
        # email, seat or pair. The database kept its rules; tell the client to look again.
        return error_response(
            409,
            "conflict",
            "Someone else changed the same data at the same moment. Reload and try again.",
        )

    @app.errorhandler(DataError)
    def _out_of_range(error: DataError) -> Response:
        # A value the database cannot store (a number beyond its range, say) that slipped past
        # validation: the request is wrong, not the server.
        return error_response(
            422, "invalid", "A value in the request is out of range or of the wrong kind."
        )

    @app.errorhandler(OperationalError)
    def _database_busy(error: OperationalError) -> Response:
        if is_lock_timeout(error):
            return error_response(
                503,
                "busy",
                "The database is busy. Try again in a moment.",
                headers={"Retry-After": "2"},
            )
        raise error

    @app.after_request
    def _security_headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
        )
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "same-origin")
        if request.is_secure:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        return response
