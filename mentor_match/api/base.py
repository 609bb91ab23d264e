"""The /api/v1 blueprint, its OpenAPI registry and the helpers every endpoint shares."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from flask import Blueprint, request
from pydantic import BaseModel
from werkzeug.exceptions import BadRequest, UnsupportedMediaType

from mentor_match.api.shapes import openapi_schema
from mentor_match.services.errors import Invalid

bp = Blueprint("api", __name__, url_prefix="/api/v1")

# Ids are 32-bit integers in every supported database.
MAX_ID = 2**31 - 1
# An id in a request: what the database can hold, and nothing else.
ID_SCHEMA: dict[str, Any] = {"type": "integer", "minimum": 1, "maximum": MAX_ID}

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "details"],
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "details": {"type": "array", "items": {"type": "object"}},
            },
        }
    },
}

_CONVERTER = re.compile(r"<(?:(\w+):)?(\w+)>")


class ApiSpec:
    """Collects each endpoint's OpenAPI description where the endpoint is declared.

    Declaring the route and its description in one decorator keeps /openapi.json true: an
    endpoint cannot exist without appearing there (and a test walks the URL map to prove it).
    """

    def __init__(self) -> None:
        self.paths: dict[str, dict[str, Any]] = {}
        self.components: dict[str, dict[str, Any]] = {}

    def _schema(self, declared: dict[str, Any] | type[BaseModel] | None) -> dict[str, Any] | None:
        """A hand-written schema as it is, or a shape's schema (its parts into components)."""
        if isinstance(declared, type) and issubclass(declared, BaseModel):
            schema, parts = openapi_schema(declared)
            self.components.update(parts)
            return schema
        return declared

    def route(
        self,
        rule: str,
        *,
        methods: list[str],
        summary: str,
        tag: str,
        body: dict[str, Any] | type[BaseModel] | None = None,
        body_type: str = "application/json",
        body_required: bool = True,
        query: list[dict[str, Any]] | None = None,
        responses: dict[int, dict[str, Any] | type[BaseModel] | None] | None = None,
        response_type: str = "application/json",
        public: bool = False,
    ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        body_schema = self._schema(body)
        declared = {status: self._schema(s) for status, s in (responses or {200: None}).items()}

        def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
            bp.add_url_rule(rule, view_func=view, methods=methods)
            path, path_params = self._openapi_path(rule)
            for method in methods:
                operation: dict[str, Any] = {
                    "summary": summary,
                    "tags": [tag],
                    "operationId": f"{view.__name__}_{method.lower()}",
                    "parameters": path_params + (query or []),
                    "responses": self._responses(declared, response_type, public),
                }
                if public:
                    operation["security"] = []
                if body_schema is not None:
                    operation["requestBody"] = {
                        "required": body_required,
                        "content": {body_type: {"schema": body_schema}},
                    }
                self.paths.setdefault(path, {})[method.lower()] = operation
            return view

        return decorator

    @staticmethod
    def _openapi_path(rule: str) -> tuple[str, list[dict[str, Any]]]:
        params = []
        for converter, name in _CONVERTER.findall(rule):
            schema: dict[str, Any] = {"type": "string"}
            if converter == "int":
                schema = dict(ID_SCHEMA)
            params.append({"name": name, "in": "path", "required": True, "schema": schema})
        return bp.url_prefix + _CONVERTER.sub(r"{\2}", rule), params

    @staticmethod
    def _responses(
        declared: dict[int, dict[str, Any] | None], response_type: str, public: bool
    ) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for status, schema in declared.items():
            content_schema = schema or {"type": "object"}
            out[str(status)] = {
                "description": "success" if status < 300 else "see error",
                "content": {response_type: {"schema": content_schema}},
            }
        errors = [400, 404, 405, 409, 413, 415, 422, 429, 503]
        if not public:
            errors += [401, 403]
        for status in errors:
            out.setdefault(
                str(status),
                {
                    "description": "error",
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}
                    },
                },
            )
        return out

    def document(self, base_url: str) -> dict[str, Any]:
        return {
            "openapi": "3.0.3",
            "info": {
                "title": "mentor_match API",
                "version": "1",
                "description": "Mentorship and shadowing programmes for pharmacy technicians. "
                "Authenticate with 'Authorization: Bearer <personal token>' "
                "(create one on the account page or with 'flask users token').",
            },
            "servers": [{"url": base_url}],
            "paths": dict(sorted(self.paths.items())),
            "components": {
                "schemas": {"Error": ERROR_SCHEMA, **dict(sorted(self.components.items()))},
                "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            },
            "security": [{"bearer": []}],
        }


spec = ApiSpec()


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def json_body() -> dict[str, Any]:
    """The request's JSON object: 415 for a body that is not JSON at all, 400 for broken JSON
    (NaN and Infinity included: they are not JSON), 422 for JSON that is not an object."""
    if not request.is_json:
        raise UnsupportedMediaType(
            "Send a JSON object with Content-Type: application/json "
            f"(this body is {request.mimetype or 'of no declared type'})."
        )
    try:
        data = json.loads(request.get_data(), parse_constant=_no_constant)
    except (ValueError, RecursionError) as exc:  # RecursionError: absurdly deep nesting
        raise BadRequest(f"The body is not valid JSON: {exc}"[:300]) from exc
    if not isinstance(data, dict):
        raise Invalid(
            "the body must be a JSON object",
            details=[{"field": "body", "message": "must be a JSON object"}],
        )
    return data


def query_int(name: str, default: int) -> int:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise Invalid(
            f"'{name}' must be a whole number",
            details=[{"field": name, "message": "must be a whole number"}],
        ) from exc
    if not -MAX_ID <= value <= MAX_ID:
        raise Invalid(
            f"'{name}' is out of range",
            details=[{"field": name, "message": f"must be at most {MAX_ID}"}],
        )
    return value


PAGE_PARAMS = [
    {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100000}},
    {
        "name": "per_page",
        "in": "query",
        "schema": {"type": "integer", "minimum": 1, "maximum": 500},
    },
]
