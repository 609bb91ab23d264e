"""The API reference as a page to read, generated from the same OpenAPI document the API
serves: every operation with its parameters, body and answers, and every shared schema. Served
by the app (no CDN, no script), so it is always the reference of this very version."""

from __future__ import annotations

from typing import Any

from flask import render_template, request

from mentor_match.api.base import spec

METHOD_ORDER = ("get", "post", "put", "patch", "delete")


def _operations(document: dict[str, Any]) -> list[tuple[str, list[dict[str, Any]]]]:
    """The operations grouped by tag (in the order tags first appear), each with its method
    and path."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for path, methods in document["paths"].items():
        for method in sorted(methods, key=METHOD_ORDER.index):
            operation = methods[method]
            tag = (operation.get("tags") or ["other"])[0]
            groups.setdefault(tag, []).append({"method": method, "path": path, **operation})
    return sorted(groups.items())


def constraints(schema: dict[str, Any]) -> str:
    """A schema's type and limits in a few words: "integer, 1 to 50", "string, at most 200
    characters", "one of: draft, running"."""
    kind = schema.get("type", "any")
    if isinstance(kind, list):
        kind = " or ".join(str(k) for k in kind)
    for branch in ("anyOf", "oneOf", "allOf"):
        if branch in schema and kind == "any":
            kind = " or ".join(
                str(option.get("$ref", "").rsplit("/", 1)[-1] or option.get("type", "any"))
                for option in schema[branch]
                if isinstance(option, dict)
            )
    if "format" in schema:
        kind = f"{kind} ({schema['format']})"
    words = [kind]
    low, high = schema.get("minimum"), schema.get("maximum")
    if low is not None or high is not None:
        above = "above" if schema.get("exclusiveMinimum") is True else "from"
        below = "below" if schema.get("exclusiveMaximum") is True else "to"
        if low is not None and high is not None:
            words.append(f"{above} {low} {below} {high}")
        elif low is not None:
            words.append(f"{above} {low}" if above == "above" else f"at least {low}")
        else:
            words.append(f"{below} {high}" if below == "below" else f"at most {high}")
    if schema.get("minLength", 0) > 1:
        words.append(f"at least {schema['minLength']} characters")
    elif schema.get("minLength") == 1:
        words.append("not empty")
    if "maxLength" in schema:
        words.append(f"at most {schema['maxLength']} characters")
    if "maxItems" in schema:
        words.append(f"at most {schema['maxItems']} items")
    if "enum" in schema:
        words.append("one of: " + ", ".join(str(v) for v in schema["enum"]))
    if schema.get("nullable"):
        words.append("or null")
    if "default" in schema and schema["default"] is not None:
        words.append(f"default {schema['default']}")
    return ", ".join(words)


@spec.route(
    "/docs",
    methods=["GET"],
    summary="This API's reference as a page to read, generated from openapi.json",
    tag="meta",
    public=True,
    responses={200: {"type": "string"}},
    response_type="text/html",
)
def reference() -> str:
    document = spec.document(request.url_root.rstrip("/"))
    return render_template(
        "api/reference.html",
        document=document,
        groups=_operations(document),
        schemas=document["components"]["schemas"],
        constraints=constraints,
    )
