"""The public calendar feed at /calendar/<token>.ics, and the page to subscribe to it."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from mentor_match.auth import roles_required
from mentor_match.edge import current_link_base
from mentor_match.extensions import db
from mentor_match.services import calendars
from mentor_match.web.confirming import Confirmation, confirm_page
from mentor_match.web.navigation import Link, add_link

bp = Blueprint("calendar", __name__)

add_link(
    Link(
        "calendar.subscribe",
        "Calendar",
        ("mentor", "mentee"),
        "subscribe to your shifts and bookings in Google, Outlook or Apple Calendar.",
    )
)


@bp.route("/calendar/<token>.ics")
def feed(token: str) -> Response:
    """No login: the secret token in the URL is the credential, so calendar apps can read it."""
    user = calendars.user_for_feed_token(db.session, token, current_app.secret_key)
    if user is None:
        abort(404)
    result = calendars.user_feed(db.session, user, current_link_base())
    headers = {
        "ETag": result.etag,
        "Cache-Control": "private, max-age=300",
        # The URL is a secret: never leak it in a Referer.
        "Referrer-Policy": "no-referrer",
        "X-Robots-Tag": "noindex",
    }
    if result.etag in [tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")]:
        return Response(status=304, headers=headers)
    return Response(result.text, content_type="text/calendar; charset=utf-8", headers=headers)


@bp.route("/calendar/")
@roles_required("mentor", "mentee")
def subscribe():  # noqa: ANN201
    token = calendars.feed_token(db.session, current_user, current_app.secret_key)
    response = Response(
        render_template("calendar/subscribe.html", urls=current_link_base().feed_urls(token))
    )
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/calendar/rotate")
@roles_required("mentor", "mentee")
def confirm_rotate():  # noqa: ANN201
    """Ask first: the old link stops working at once."""
    return confirm_page(
        Confirmation(
            title="Make a new calendar link?",
            question="Your current calendar link will stop working at once.",
            action=url_for("calendar.rotate"),
            button="Make a new link",
            back=url_for("calendar.subscribe"),
            consequences=[
                "Every calendar app subscribed to the old link stops updating.",
                "You subscribe again with the new link shown next.",
            ],
            nobody_told="Nobody is sent a message: only you use this link.",
        )
    )


@bp.route("/calendar/rotate", methods=["POST"])
@roles_required("mentor", "mentee")
def rotate():  # noqa: ANN201
    calendars.rotate_feed_token(db.session, current_user, current_app.secret_key)
    flash(
        "Your calendar link is new. Calendars subscribed to the old link stop updating: "
        "subscribe again with the link below.",
        "success",
    )
    return redirect(url_for("calendar.subscribe"))
