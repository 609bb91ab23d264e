"""One transaction per request: commit once after the view succeeds, roll back otherwise.

Indico's request handler is the model: views and services only change the session (services
flush, never commit); the application commits in this one place when the view returned a
successful answer (status below 400) and rolls back when it raised or answered an error, so a
request never leaves half a write behind. A commit that fails (a constraint two requests raced
for) raises inside the dispatch, so the app's error handlers answer it (409, 503) as usual.
Command-line commands and background jobs own their transactions explicitly.
"""

from __future__ import annotations

from flask import Flask
from flask.typing import ResponseReturnValue

from mentor_match.extensions import db


class TransactionalFlask(Flask):
    """The Flask application class of mentor_match: every request is one transaction."""

    def dispatch_request(self) -> ResponseReturnValue:
        response = self.make_response(super().dispatch_request())
        if response.status_code < 400:
            db.session.commit()
        else:
            db.session.rollback()
        return response

    def handle_user_exception(self, e: Exception) -> ResponseReturnValue:
        # Whatever the view changed before it raised is undone before the error is answered.
        db.session.rollback()
        return super().handle_user_exception(e)
