"""What every page form shares when a use case is refused: the service's problems shown on the
form's fields (or as a message), and the request's changes undone."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass

from flask import flash, redirect, request, url_for
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import Field

from mentor_match.auth import caller
from mentor_match.extensions import db
from mentor_match.services import scopes
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


@dataclass(frozen=True)
class ProgrammeSetting:
    """A page of a programme-wide setting as its viewer may use it: a site-scoped coordinator
    reads it (`read_only`, with the `refusal` shown instead of the forms), and a change they
    send anyway is answered by `turned_back`, a redirect with that refusal flashed."""

    read_only: bool
    refusal: str
    turned_back: Response | None


def programme_setting(what: str, endpoint: str) -> ProgrammeSetting:
    """`what` names the change ("change the competency framework"); `endpoint` is the page."""
    read_only = scopes.is_site_scoped(db.session, caller())
    refusal = scopes.programme_wide_message(what)
    turned_back = None
    if read_only and request.method == "POST":
        flash(refusal, "error")
        turned_back = redirect(url_for(endpoint), 303)
    return ProgrammeSetting(read_only, refusal, turned_back)
