"""Request and response shapes declared once, with pydantic: validation, 422 details, OpenAPI.

An endpoint declares its body as a `Shape` subclass and passes the class to `spec.route(body=…)`;
`parse_body(TheShape)` then reads and validates the request against the same class that
`openapi.json` documents. Shapes are strict: unknown fields are refused (so a client can never set
what it may not by adding a field), a number must be a JSON number (not "2", not true), and every
problem is answered as one 422 whose details name each field. Limits inside a shape come from the
constants the services own (import them; never retype a number).
"""

from __future__ import annotations

import json
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from mentor_match.services.errors import Invalid

S = TypeVar("S", bound=BaseModel)

# Ids are 32-bit integers in every supported database: a bigger one is a 422, not a database error.
Id = Annotated[int, Field(ge=1, le=2**31 - 1)]


class Shape(BaseModel):
    """Base class of every API request body: strict, closed, JSON-native."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


def _field_name(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(part) for part in loc) or "body"


def _message(error: dict[str, Any]) -> str:
    kind = error["type"]
    if kind == "extra_forbidden":
        return "not accepted here"
    if kind == "missing":
        return "is required"
    return str(error["msg"])


def validation_details(error: ValidationError) -> list[dict[str, str]]:
    """One `{"field", "message"}` per problem, in the order pydantic found them."""
    return [
        {"field": _field_name(e["loc"]), "message": _message(e)}
        for e in error.errors(include_url=False, include_input=False)
    ]


def parse(shape: type[S], data: dict[str, Any]) -> S:
    """Validate a decoded JSON object against `shape`; 422 naming every bad field.

    Validation runs in JSON mode, so dates and datetimes arrive as ISO-8601 strings while numbers
    and booleans must be real JSON numbers and booleans.
    """
    try:
        return shape.model_validate_json(json.dumps(data))
    except ValidationError as exc:
        details = validation_details(exc)
        summary = "; ".join(f"{d['field']}: {d['message']}" for d in details[:5])
        raise Invalid(f"the request body is not valid: {summary}", details=details) from exc


def parse_body(shape: type[S]) -> S:
    """The request's JSON object validated against `shape` (400/415 when it is not JSON)."""
    from mentor_match.api.base import json_body  # the one reader of request bodies

    return parse(shape, json_body())


def openapi_schema(shape: type[BaseModel]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The OpenAPI 3.0 schema of a shape, and the component schemas it refers to."""
    schema = shape.model_json_schema(ref_template="#/components/schemas/{model}")
    components = {name: _openapi30(s) for name, s in schema.pop("$defs", {}).items()}
    return _openapi30(schema), components


def _openapi30(node: Any) -> Any:
    """JSON Schema 2020-12 (pydantic's output) → the OpenAPI 3.0 dialect the spec declares."""
    if isinstance(node, list):
        return [_openapi30(item) for item in node]
    if not isinstance(node, dict):
        return node
    # A string "title" is an annotation; a property named "title" is a dict, and stays.
    out = {
        key: _openapi30(value)
        for key, value in node.items()
        if not (key == "title" and isinstance(value, str))
    }
    for branch in ("anyOf", "oneOf"):
        options = out.get(branch)
        if isinstance(options, list) and {"type": "null"} in options:
            rest = [o for o in options if o != {"type": "null"}]
            del out[branch]
            if len(rest) == 1:
                out.update(rest[0])
            else:
                out[branch] = rest
            out["nullable"] = True
    if "const" in out:
        out["enum"] = [out.pop("const")]
    for bound, plain in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
        value = out.get(bound)
        if isinstance(value, int | float) and not isinstance(value, bool):
            out[plain] = value
            out[bound] = True
    return out
