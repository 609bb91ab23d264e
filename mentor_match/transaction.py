"""One transaction per request: commit once after the view succeeds, roll back otherwise.

Indico's request handler is the model: views and services only change the session (services
flush, never commit); the application commits in this one place when the view returned a
successful answer (status below 400) and rolls back when it raised or answered an error, so a
request never leaves half a write behind. A commit that fails (a constraint two requests raced
for) raises inside the dispatch, so the app's error handlers answer it (409, 503) as usual.

Two answers do not follow the status, and a view says so with one call:

- `discard_changes()`: the use case was refused midway but the page still answers < 400 (a
  message and a redirect): what the request changed is undone now and nothing is written.
- `keep_changes()`: the answer is an error but what the request recorded must stay (a failed
  sign-in is counted, so the login limit holds across workers).

Command-line commands and background work own their transactions explicitly
(`mentor_match.background`).
"""

from __future__ import annotations

from typing import Literal

from flask import Flask, g
from flask.typing import ResponseReturnValue

from mentor_match.extensions import db

Outcome = Literal["commit", "rollback"]


class TransactionalFlask(Flask):
    """The Flask application class of mentor_match: every request is one transaction."""

    def dispatch_request(self) -> ResponseReturnValue:
        response = self.make_response(super().dispatch_request())
        decided: Outcome | None = g.pop("transaction_outcome", None)
        if decided == "commit" or (decided is None and response.status_code < 400):
            db.session.commit()
        else:
            db.session.rollback()
        return response

    def handle_user_exception(self, e: Exception) -> ResponseReturnValue:
        # Whatever the view changed before it raised is undone before the error is answered.
        db.session.rollback()
        return super().handle_user_exception(e)


def discard_changes() -> None:
    """Undo what this request changed so far and write nothing at its end, whatever it answers:
    for a use case refused midway whose page still answers with a redirect or a form."""
    db.session.rollback()
    g.transaction_outcome = "rollback"


def keep_changes() -> None:
    """Commit what this request changed even though it answers an error status."""
    g.transaction_outcome = "commit"
