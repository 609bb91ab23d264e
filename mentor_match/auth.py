"""Who is asking: session logins for pages, bearer tokens for the API, and role checks."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import Flask, abort, g, request, session
from flask_login import current_user, login_user, logout_user
from sqlalchemy.exc import OperationalError

from mentor_match.extensions import db, login_manager
from mentor_match.models import Role, User
from mentor_match.services import scopes
from mentor_match.services.accounts import (
    close_login_session,
    close_other_login_sessions,
    login_session_is_open,
    open_login_session,
    user_for_api_token,
)

F = TypeVar("F", bound=Callable[..., Any])


def init_app(app: Flask) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please sign in to see that page."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"


SESSION_ID = "sid"


@login_manager.user_loader
def _load_user(identity: str) -> User | None:
    if not identity.isdigit():
        return None
    user = db.session.get(User, int(identity))
    # The cookie alone is not enough: its session must still be open in the database.
    if user is None or not user.active:
        return None
    if not login_session_is_open(db.session, user.id, session.get(SESSION_ID)):
        return None
    return user


def sign_in(user: User, *, remember: bool) -> None:
    """Open a database-backed session for `user` in this browser."""
    session.clear()  # a fresh session on sign-in: no fixation
    raw = open_login_session(db.session, user, request.remote_addr or "")
    login_user(user)
    session[SESSION_ID] = raw
    session.permanent = remember


def sign_out() -> None:
    close_login_session(db.session, session.get(SESSION_ID))
    logout_user()
    session.clear()


def sign_out_elsewhere(user: User) -> None:
    close_other_login_sessions(db.session, user, keep=session.get(SESSION_ID))


def api_user() -> User | None:
    """The user behind the request's bearer token (cached on `g`)."""
    if "api_user" not in g:
        header = request.headers.get("Authorization", "")
        scheme, _, raw = header.partition(" ")
        user = None
        if scheme.lower() == "bearer" and raw.strip():
            user = user_for_api_token(db.session, raw.strip())
            if user is not None and db.session.dirty:
                # Recording last_used_at is best effort: under a burst of writes on SQLite it
                # must not turn a valid request into an error.
                try:
                    db.session.commit()
                except OperationalError:
                    db.session.rollback()
        g.api_user = user
    return g.api_user


def acting_user() -> User | None:
    """The caller, whichever way they authenticated: token on the API, session elsewhere."""
    if request.blueprint == "api":
        return api_user()
    if current_user.is_authenticated:
        return current_user._get_current_object()  # type: ignore[attr-defined]
    return None


def caller() -> User:
    """The caller of a view whose decorator (`login_required`, `roles_required`,
    `coordinator_required`) lets no anonymous caller through."""
    user = acting_user()
    assert user is not None  # the view's decorator answered anonymous callers already
    return user


def serves_site_scopes(view: F) -> F:
    """Mark a view that keeps a site-scoped coordinator to their sites (its services filter by
    `services.scopes`). Put it under the role decorator. Every other view refuses site-scoped
    coordinators with 403, so a view nobody has made scope-aware never shows them another
    site's people."""
    view.serves_site_scopes = True  # type: ignore[attr-defined]
    return view


def roles_required(*roles: str) -> Callable[[F], F]:
    """Allow only signed-in users with one of `roles`: 401 when anonymous, 403 when not allowed.

    Pages send anonymous visitors to the sign-in page instead of a bare 401. A site-scoped
    coordinator is refused (403) unless the view is marked `serves_site_scopes`.
    """

    def decorator(view: F) -> F:
        scope_aware = getattr(view, "serves_site_scopes", False)

        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            user = acting_user()
            if user is None:
                if request.blueprint == "api":
                    abort(401)
                return login_manager.unauthorized()
            if roles and user.role not in roles:
                abort(403)
            if not scope_aware and user.role == Role.COORDINATOR:
                scopes.require_programme_wide(db.session, user)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator


login_required = roles_required()
coordinator_required = roles_required("coordinator")
