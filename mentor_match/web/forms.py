"""What every page form shares when a use case is refused: the service's problems shown on the
form's fields (or as a message), and the request's changes undone."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from contextlib import contextmanager

from flask import flash
from flask_wtf import FlaskForm
from wtforms import Field

from mentor_match.services.errors import ServiceError
from mentor_match.transaction import discard_changes


def show_on_form(
    form: FlaskForm, error: ServiceError, *, fields: Mapping[str, str] | None = None
) -> None:
    """Put each problem of `error` on the form field it names (`fields` maps a service's field
    name to the form's, where they differ); a problem no field shows becomes a message.

    The request writes nothing: what the refused use case changed is rolled back now.
    """
    discard_changes()
    unplaced = []
    for problem in error.details:
        name = str(problem.get("field", ""))
        field = getattr(form, (fields or {}).get(name, name), None)
        message = str(problem.get("message") or error.message)
        if isinstance(field, Field):
            field.errors = [*(field.errors or []), message]
        else:
            unplaced.append(message)
    if unplaced or not error.details:
        flash(error.message if not error.details else "; ".join(unplaced), "error")


def refused(error: ServiceError) -> None:
    """A refused use case on a page that answers with a redirect: its message is flashed and
    the request writes nothing."""
    discard_changes()
    flash(error.message, "error")


@contextmanager
def flash_outcome(done: str, *, raising: Collection[int] = ()) -> Iterator[None]:
    """Run a page's use case inside `with flash_outcome("Saved.")` before a redirect: `done`
    is flashed when it succeeds; a refusal is flashed and undone (`refused`), except one whose
    status is in `raising`, which answers as an error page (a 403 or 404, say)."""
    try:
        yield
    except ServiceError as error:
        if error.status in raising:
            raise
        refused(error)
    else:
        flash(done, "success")
