"""Outgoing mail: built here, sent only after the database transaction that caused it commits.

With `MAIL_SERVER` set, messages go out over SMTP; otherwise each is written as an `.eml`
file to `OUTBOX_DIR` (instance/outbox/ by default), where a coordinator can open it.
"""

from __future__ import annotations

import logging
import smtplib
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Any

from flask import current_app
from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import event
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

PENDING = "mentor_match.pending_mail"


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: str | bytes
    mimetype: str  # e.g. "text/calendar; method=REQUEST"


@dataclass(frozen=True)
class Mail:
    to: tuple[str, ...]
    subject: str
    body: str
    attachments: tuple[Attachment, ...] = field(default_factory=tuple)
    # An iTIP invite is also sent as an alternative part, which is how calendar apps expect it.
    calendar: Attachment | None = None


def build_message(mail: Mail, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = ", ".join(mail.to)
    message["Subject"] = mail.subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="mentor-match.local")
    message.set_content(mail.body)
    if mail.calendar is not None:
        maintype, subtype, params = _split_type(mail.calendar.mimetype)
        message.add_alternative(
            _text(mail.calendar.content), subtype=subtype, params=params, cte="quoted-printable"
        )
    for item in mail.attachments:
        maintype, subtype, params = _split_type(item.mimetype)
        if maintype == "text":
            message.add_attachment(
                _text(item.content), subtype=subtype, filename=item.filename, params=params
            )
        else:
            data = item.content if isinstance(item.content, bytes) else item.content.encode()
            message.add_attachment(data, maintype=maintype, subtype=subtype, filename=item.filename)
    return message


def _text(content: str | bytes) -> str:
    return content.decode() if isinstance(content, bytes) else content


def _split_type(mimetype: str) -> tuple[str, str, dict[str, str]]:
    main, *rest = [part.strip() for part in mimetype.split(";")]
    maintype, _, subtype = main.partition("/")
    params = dict(p.split("=", 1) for p in rest if "=" in p)
    return maintype, subtype, params


def deliver(messages: list[EmailMessage], config: dict[str, Any]) -> None:
    """Send now: over SMTP when configured, else into the outbox folder."""
    if not messages:
        return
    server = config.get("MAIL_SERVER")
    if server:
        with smtplib.SMTP(server, int(config.get("MAIL_PORT") or 25), timeout=10) as smtp:
            if config.get("MAIL_USE_TLS"):
                smtp.starttls()
            if config.get("MAIL_USERNAME"):
                smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
            for message in messages:
                smtp.send_message(message)
        return
    outbox = Path(config["OUTBOX_DIR"])
    outbox.mkdir(parents=True, exist_ok=True)
    for message in messages:
        name = f"{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}.eml"
        (outbox / name).write_bytes(bytes(message))


def queue(session: Session, mail: Mail) -> None:
    """Send `mail` once the session's transaction commits; drop it if it rolls back."""
    session.info.setdefault(PENDING, []).append(mail)


@event.listens_for(FlaskSession, "after_commit")
def _send(session: Session) -> None:
    pending = session.info.pop(PENDING, [])
    if not pending:
        return
    config = current_app.config
    messages = [build_message(m, config["MAIL_SENDER"]) for m in pending]
    try:
        deliver(messages, config)
    except (OSError, smtplib.SMTPException):
        # The change stands; a mail server that is down must not undo it.
        log.exception("could not send %d message(s)", len(messages))


@event.listens_for(FlaskSession, "after_soft_rollback")
def _discard(session: Session, _previous: Any) -> None:
    session.info.pop(PENDING, None)
