"""Forgotten passwords: a signed, expiring, single-use link by mail, and the coordinator's
"send a new link" for someone who lost theirs (a reset link, or a fresh invitation).
"""

from __future__ import annotations

from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.orm import Session

from mentor_match.mail import Mail, queue
from mentor_match.models import Role, User
from mentor_match.services.accounts import (
    check_password_strength,
    invitation_token,
    normalise_email,
    one_time_token,
    set_password,
    user_for_one_time_token,
)
from mentor_match.services.errors import Invalid, NotFound
from mentor_match.services.imports import invitation_mail

RESET_SALT = "password-reset"
RESET_MAX_AGE = 2 * 3600  # two hours: long enough to find the mail, short enough to be safe
RESET_HOURS = RESET_MAX_AGE // 3600


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=RESET_SALT)


def reset_token(user: User, secret_key: str) -> str:
    """Signed with the app's key; it names the current password, so it works only once."""
    return one_time_token(_serializer(secret_key), user.id, user.password_hash)


def reset_mail(user: User, link: str) -> Mail:
    return Mail(
        to=(user.email,),
        subject="Reset your mentor_match password",
        body=(
            f"Hello {user.name},\n\n"
            "Someone (we hope you) asked to reset the password of your mentor_match account.\n\n"
            f"Choose a new password here (the link works once, for {RESET_HOURS} hours):\n"
            f"{link}\n\n"
            "If you did not ask for this, ignore this mail: your password stays as it is.\n"
        ),
    )


def request_reset(session: Session, email: str, *, base_url: str, secret_key: str) -> bool:
    """Mail a reset link when an active account has this address; say nothing either way to
    the asker (the page reads the same), so the form tells nobody who has an account."""
    address = normalise_email(email)
    user = session.scalar(select(User).where(User.email == address))
    if user is None or not user.active:
        return False
    link = f"{base_url.rstrip('/')}/password/reset/{reset_token(user, secret_key)}"
    if user.password_hash is None:
        # Never set a password: the invitation is what they are missing.
        token = invitation_token(user.id, user.password_hash, secret_key)
        queue(session, invitation_mail(user.name, user.email, _welcome(base_url, token)))
    else:
        queue(session, reset_mail(user, link))
    return True


def _welcome(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}/welcome/{token}"


def user_for_reset(
    session: Session, token: str, secret_key: str, *, max_age: int = RESET_MAX_AGE
) -> User:
    """The person a reset link is for; Invalid when it is expired, used or not ours."""
    return user_for_one_time_token(
        session,
        _serializer(secret_key),
        token,
        max_age=max_age,
        expired=Invalid(
            f"This reset link has expired (links work for {RESET_HOURS} hours). Ask for a new one.",
            code="reset_expired",
        ),
        invalid=Invalid(
            "This reset link is not valid. Check that you copied the whole link from the mail,"
            " or ask for a new one.",
            code="reset_invalid",
        ),
        used=Invalid(
            "This reset link has already been used. Sign in, or ask for a new link.",
            code="reset_used",
        ),
    )


def reset_password(session: Session, token: str, password: str, secret_key: str) -> User:
    """Set the new password; the link is spent at once (the password it names has changed)."""
    user = user_for_reset(session, token, secret_key)
    check_password_strength(password)
    set_password(user, password)
    session.flush()
    return user


def send_access_link(session: Session, user_id: int, *, base_url: str, secret_key: str) -> str:
    """The coordinator's action: a fresh invitation for someone who never set a password,
    else a reset link. Returns which was sent ("invitation" or "reset")."""
    user = session.get(User, user_id)
    if user is None or user.role == Role.COORDINATOR:
        raise NotFound("there is no such mentor or mentee")
    if not user.active:
        raise Invalid(
            "this person has left the programme; bring them back first",
            code="inactive",
        )
    if user.password_hash is None:
        token = invitation_token(user.id, user.password_hash, secret_key)
        queue(session, invitation_mail(user.name, user.email, _welcome(base_url, token)))
        return "invitation"
    link = f"{base_url.rstrip('/')}/password/reset/{reset_token(user, secret_key)}"
    queue(session, reset_mail(user, link))
    return "reset"
