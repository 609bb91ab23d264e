"""Request shapes: strict validation with field-named 422s, and their OpenAPI 3.0 schema."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import Field

from mentor_match.api.shapes import Id, Shape, openapi_schema, parse
from mentor_match.services.errors import Invalid


class Activity(Shape):
    title: str = Field(min_length=1, max_length=200)
    hours: float = Field(gt=0, le=40)
    done_on: dt.date
    mentor_id: Id | None = None


def fields_of(exc: pytest.ExceptionInfo[Invalid]) -> dict[str, str]:
    return {d["field"]: d["message"] for d in exc.value.details}


def test_a_valid_body_is_parsed_into_typed_values() -> None:
    shape = parse(Activity, {"title": "Law", "hours": 2, "done_on": "2026-11-02"})
    assert shape.hours == 2.0
    assert shape.done_on == dt.date(2026, 11, 2)
    assert shape.mentor_id is None


@pytest.mark.parametrize("hours", ["2", True, None, [2]])
def test_numbers_must_be_json_numbers(hours: object) -> None:
    with pytest.raises(Invalid) as exc:
        parse(Activity, {"title": "Law", "hours": hours, "done_on": "2026-11-02"})
    assert exc.value.status == 422
    assert "hours" in fields_of(exc)


def test_unknown_missing_and_out_of_range_fields_are_each_named() -> None:
    with pytest.raises(Invalid) as exc:
        parse(Activity, {"title": "", "hours": 41, "role": "coordinator", "mentor_id": 2**31})
    found = fields_of(exc)
    assert found["role"] == "not accepted here"
    assert found["done_on"] == "is required"
    assert {"title", "hours", "mentor_id"} <= set(found)


def test_openapi_schema_speaks_openapi_3_0() -> None:
    schema, components = openapi_schema(Activity)
    assert components == {}
    props = schema["properties"]
    assert set(schema["required"]) == {"title", "hours", "done_on"}
    assert props["hours"] == {
        "type": "number",
        "minimum": 0,
        "exclusiveMinimum": True,
        "maximum": 40,
    }
    assert props["mentor_id"]["nullable"] is True
    assert props["mentor_id"]["maximum"] == 2**31 - 1
    assert "title" in props  # a field named title survives the removal of annotations
    assert schema["additionalProperties"] is False
