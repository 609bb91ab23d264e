"""Configuration: defaults, then MENTOR_MATCH_* environment variables, then instance/config.py."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

ENV_PREFIX = "MENTOR_MATCH_"

# Environment variable (without the prefix) -> Flask config key.
ENV_KEYS = {
    "DATABASE_URL": "SQLALCHEMY_DATABASE_URI",
    "SECRET_KEY": "SECRET_KEY",
    "BASE_URL": "BASE_URL",
    "MAIL_SERVER": "MAIL_SERVER",
    "MAIL_PORT": "MAIL_PORT",
    "MAIL_SENDER": "MAIL_SENDER",
    "MAIL_USE_TLS": "MAIL_USE_TLS",
    "MAIL_USERNAME": "MAIL_USERNAME",
    "MAIL_PASSWORD": "MAIL_PASSWORD",
    "MAX_CONTENT_LENGTH": "MAX_CONTENT_LENGTH",
    "PREFERRED_URL_SCHEME": "PREFERRED_URL_SCHEME",
    "LOGIN_LIMIT": "LOGIN_LIMIT",
    "PROXY_HOPS": "PROXY_HOPS",
    "PASSWORD_HASH_METHOD": "PASSWORD_HASH_METHOD",
    "CERTIFICATE_DIR": "CERTIFICATE_DIR",
}

INT_KEYS = {"MAIL_PORT", "MAX_CONTENT_LENGTH", "LOGIN_LIMIT", "PROXY_HOPS"}
BOOL_KEYS = {"MAIL_USE_TLS"}


def defaults(instance_path: str) -> dict[str, Any]:
    """The settings a fresh checkout runs with."""
    return {
        "SQLALCHEMY_DATABASE_URI": "sqlite:///" + str(Path(instance_path) / "mentor_match.sqlite3"),
        "SECRET_KEY": None,
        "BASE_URL": None,
        "MAIL_SERVER": None,
        "MAIL_PORT": 25,
        "MAIL_SENDER": "mentor_match <no-reply@mentor-match.invalid>",
        "MAIL_USE_TLS": False,
        "MAIL_USERNAME": None,
        "MAIL_PASSWORD": None,
        "OUTBOX_DIR": str(Path(instance_path) / "outbox"),
        "CERTIFICATE_DIR": str(Path(instance_path) / "certificates"),
        "MAX_CONTENT_LENGTH": 5 * 1024 * 1024,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "WTF_CSRF_TIME_LIMIT": None,
        "PERMANENT_SESSION_LIFETIME": 14 * 24 * 3600,
        "SQLITE_BUSY_TIMEOUT_MS": 5000,
        "LOGIN_LIMIT": 10,
        "PROXY_HOPS": 0,
        "LOGIN_LIMIT_WINDOW_SECONDS": 900,
        "PER_PAGE_MAX": 500,
        "PASSWORD_HASH_METHOD": "scrypt",
    }


def from_environment(environ: dict[str, str] | None = None) -> dict[str, Any]:
    """Read MENTOR_MATCH_* variables into Flask config keys, converting types."""
    environ = dict(os.environ if environ is None else environ)
    found: dict[str, Any] = {}
    for suffix, key in ENV_KEYS.items():
        raw = environ.get(ENV_PREFIX + suffix)
        if raw is None or raw == "":
            continue
        if key in INT_KEYS:
            found[key] = int(raw)
        elif key in BOOL_KEYS:
            found[key] = raw.strip().lower() in {"1", "true", "yes", "on"}
        else:
            found[key] = raw
    return found


def https_deployment(config: dict[str, Any]) -> bool:
    """True when the app is served over https, as its base URL or URL scheme says."""
    base = config.get("BASE_URL") or ""
    return base.startswith("https://") or config.get("PREFERRED_URL_SCHEME") == "https"
