"""Accounts: creating people, passwords, logins with a shared rate limit, and API tokens."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from mentor_match.database import utcnow
from mentor_match.models import ApiToken, LoginAttempt, LoginSession, Role, User
from mentor_match.services.errors import Conflict, Invalid, NotFound, RateLimited

TOKEN_PREFIX = "mm_"  # noqa: S105 — a public marker, not a secret
MIN_PASSWORD_LENGTH = 10


def normalise_email(email: str) -> str:
    return email.strip().lower()


def check_email(email: str) -> str:
    """Return the normalised email or raise Invalid saying what is wrong with it."""
    email = normalise_email(email)
    local, at, domain = email.partition("@")
    if not at or not local or "." not in domain or " " in email or "@" in domain:
        raise Invalid(f"'{email}' is not an email address", code="invalid_email")
    if len(email) > 254:
        raise Invalid("an email address is at most 254 characters", code="invalid_email")
    return email


def check_timezone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise Invalid(f"'{name}' is not a time zone (use a name like America/Chicago)") from exc
    return name


def check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise Invalid(
            f"a password needs at least {MIN_PASSWORD_LENGTH} characters", code="weak_password"
        )


def create_user(
    session: Session,
    *,
    email: str,
    name: str,
    role: str,
    password: str | None = None,
    timezone: str = "UTC",
) -> User:
    email = check_email(email)
    if role not in {r.value for r in Role}:
        raise Invalid(f"role must be coordinator, mentor or mentee, not '{role}'")
    name = name.strip()
    if not name:
        raise Invalid("a name is required")
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        raise Conflict(f"an account for {email} already exists", code="already_exists")
    user = User(email=email, name=name, role=role, timezone=check_timezone(timezone))
    if password is not None:
        check_password_strength(password)
        user.set_password(password)
    session.add(user)
    session.flush()
    return user


def get_user_by_email(session: Session, email: str) -> User:
    user = session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None:
        raise NotFound(f"no account for {normalise_email(email)}")
    return user


def _recent_failures(session: Session, column, value: str, since) -> int:  # noqa: ANN001
    return (
        session.scalar(
            select(func.count(LoginAttempt.id)).where(
                column == value, LoginAttempt.attempted_at >= since
            )
        )
        or 0
    )


def authenticate(
    session: Session,
    email: str,
    password: str,
    *,
    address: str,
    limit: int = 10,
    window_seconds: int = 900,
) -> User | None:
    """Check a login. Failed attempts are counted per account and per address in the database,
    so the limit holds across every worker and host; past it the answer is RateLimited (429)."""
    email = normalise_email(email)
    now = utcnow()
    since = now - timedelta(seconds=window_seconds)
    if (
        _recent_failures(session, LoginAttempt.email, email, since) >= limit
        or _recent_failures(session, LoginAttempt.address, address, since) >= limit * 5
    ):
        raise RateLimited(
            "Too many failed sign-in attempts. Wait 15 minutes and try again.",
            retry_after=window_seconds,
        )
    user = session.scalar(select(User).where(User.email == email))
    if user is not None and user.active and user.check_password(password):
        session.execute(delete(LoginAttempt).where(LoginAttempt.email == email))
        return user
    session.add(LoginAttempt(email=email, address=address, attempted_at=now))
    # Old attempts are of no use once outside every window.
    session.execute(delete(LoginAttempt).where(LoginAttempt.attempted_at < now - timedelta(days=1)))
    session.flush()
    return None


def change_password(user: User, current: str, new: str) -> None:
    if not user.check_password(current):
        raise Invalid("the current password is not right", code="wrong_password")
    set_password(user, new)


def set_password(user: User, new: str) -> None:
    check_password_strength(new)
    user.set_password(new)


def open_login_session(session: Session, user: User, address: str) -> str:
    """Record a new signed-in browser; returns the random id its cookie will carry."""
    raw = secrets.token_urlsafe(32)
    session.add(LoginSession(user_id=user.id, token_hash=_hash_token(raw), address=address[:64]))
    session.flush()
    return raw


def login_session_is_open(session: Session, user_id: int, raw: str | None) -> bool:
    if not raw:
        return False
    found = session.scalar(select(LoginSession).where(LoginSession.token_hash == _hash_token(raw)))
    return found is not None and found.user_id == user_id


def close_login_session(session: Session, raw: str | None) -> None:
    if raw:
        session.execute(delete(LoginSession).where(LoginSession.token_hash == _hash_token(raw)))


def close_other_login_sessions(session: Session, user: User, keep: str | None) -> None:
    """Sign a person out everywhere but in the browser whose session id is `keep`."""
    stmt = delete(LoginSession).where(LoginSession.user_id == user.id)
    if keep:
        stmt = stmt.where(LoginSession.token_hash != _hash_token(keep))
    session.execute(stmt)


def _hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def create_api_token(session: Session, user: User, name: str = "API token") -> tuple[ApiToken, str]:
    """Make a personal token. Returns the row and the token itself, which is never stored."""
    name = name.strip() or "API token"
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user=user, name=name[:100], token_hash=_hash_token(raw), prefix=raw[:10])
    session.add(token)
    session.flush()
    return token, raw


def revoke_api_token(session: Session, user: User, token_id: int) -> ApiToken:
    token = session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise NotFound("no such token")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
    return token


def list_api_tokens(session: Session, user: User) -> list[ApiToken]:
    return list(
        session.scalars(
            select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())
        )
    )


def user_for_api_token(session: Session, raw: str) -> User | None:
    """The active user a bearer token belongs to, or None. Records when it was last used."""
    if not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
        return None
    digest = _hash_token(raw)
    token = session.scalar(select(ApiToken).where(ApiToken.token_hash == digest))
    if token is None or not hmac.compare_digest(token.token_hash, digest):
        return None
    if token.revoked_at is not None or not token.user.active:
        return None
    now = utcnow()
    # Writing on every request would make reads contend for the write lock; a minute is enough.
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        token.last_used_at = now
    return token.user


# -- invitations ---------------------------------------------------------------------------

INVITATION_SALT = "invite"
INVITATION_MAX_AGE = 14 * 24 * 3600


def _password_fingerprint(password_hash: str | None) -> str:
    # Part of the signed token: once a password is set the hash changes and the link is spent.
    return hashlib.sha256((password_hash or "").encode()).hexdigest()[:16]


def _invitation_serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=INVITATION_SALT)


def one_time_token(
    serializer: URLSafeTimedSerializer, user_id: int, password_hash: str | None
) -> str:
    """A signed link token naming the person and their current password: it stops working as
    soon as the password changes, so it is used once."""
    return serializer.dumps([user_id, _password_fingerprint(password_hash)])


def user_for_one_time_token(
    session: Session,
    serializer: URLSafeTimedSerializer,
    token: str,
    *,
    max_age: int,
    expired: Invalid,
    invalid: Invalid,
    used: Invalid,
) -> User:
    """The active person a `one_time_token` names while their password is unchanged; else
    `expired`, `invalid` (not ours, or mangled) or `used` is raised."""
    try:
        user_id, fingerprint = serializer.loads(token, max_age=max_age)
    except SignatureExpired as exc:
        raise expired from exc
    except (BadSignature, TypeError, ValueError) as exc:
        raise invalid from exc
    user = session.get(User, user_id) if isinstance(user_id, int) else None
    if (
        user is None
        or not user.active
        or not hmac.compare_digest(str(fingerprint), _password_fingerprint(user.password_hash))
    ):
        raise used
    return user


def invitation_token(user_id: int, password_hash: str | None, secret_key: str) -> str:
    """A signed one-time link token: valid for 14 days, and only until a password is set."""
    return one_time_token(_invitation_serializer(secret_key), user_id, password_hash)


def user_for_invitation(
    session: Session, token: str, secret_key: str, *, max_age: int = INVITATION_MAX_AGE
) -> User:
    """The person an invitation link is for; Invalid when it is expired, used or not ours."""
    return user_for_one_time_token(
        session,
        _invitation_serializer(secret_key),
        token,
        max_age=max_age,
        expired=Invalid(
            "This invitation link has expired (links work for 14 days). Ask your programme"
            " coordinator to send a new one.",
            code="invitation_expired",
        ),
        invalid=Invalid(
            "This invitation link is not valid. Check that you copied the whole link from the"
            " email, or ask your programme coordinator for a new one.",
            code="invitation_invalid",
        ),
        used=Invalid(
            "This invitation link has already been used. Sign in with your email and password,"
            " or ask your programme coordinator for a new link.",
            code="invitation_used",
        ),
    )


def accept_invitation(session: Session, token: str, password: str, secret_key: str) -> User:
    """Set the first password of an invited person; the link stops working at once."""
    user = user_for_invitation(session, token, secret_key)
    set_password(user, password)
    session.flush()
    return user
