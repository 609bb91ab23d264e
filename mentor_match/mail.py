"""Outgoing mail: written to the outbox table in the transaction that causes it, delivered later.

`queue` stores a mail as an `OutboxMail` row in the caller's transaction (so a rolled-back
change sends nothing, and a committed one is never lost) and asks for a delivery job once the
transaction commits. The worker builds the messages here and hands them to a `Postman`: over
SMTP when `MAIL_SERVER` is set, otherwise as `.eml` files in `OUTBOX_DIR` (instance/outbox/ by
default), where a coordinator can open them.
"""

from __future__ import annotations

import contextlib
import smtplib
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.charset import QP, Charset
from email.message import Message
from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.policy import compat32
from email.utils import formatdate, getaddresses, make_msgid, parseaddr
from pathlib import Path
from types import TracebackType
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from mentor_match.database import utcnow
from mentor_match.jobs.queue import request_job
from mentor_match.models import OutboxMail

#: Between the addresses of a mail to several people, in its outbox row (a To header's list).
ADDRESS_SEPARATOR = ", "


@dataclass(frozen=True)
class Mail:
    to: tuple[str, ...]
    subject: str
    body: str
    # An iTIP invite: sent as the calendar alternative part (how calendar apps expect it) and
    # as an attached invite.ics (some mail apps only offer a file).
    ics: str | None = None
    ics_method: str = "REQUEST"


def _row(mail: Mail, now: datetime) -> dict[str, Any]:
    return {
        "to": ADDRESS_SEPARATOR.join(mail.to),
        "subject": mail.subject[:300],
        "body": mail.body,
        "ics": mail.ics,
        "ics_method": mail.ics_method if mail.ics is not None else None,
        "state": "queued",
        "attempts": 0,
        "next_attempt_at": now,
        "last_error": "",
        "created_at": now,
    }


def queue(session: Session, mail: Mail) -> None:
    """Store `mail` in the outbox in the session's transaction; delivered after it commits."""
    queue_many(session, (mail,))


def queue_many(session: Session, mails: Iterable[Mail]) -> int:
    """Store many mails with one bulk INSERT (a published round's thousands of pairs)."""
    now = utcnow()
    rows = [_row(mail, now) for mail in mails]
    if rows:
        session.execute(insert(OutboxMail), rows)
        request_job(session, "deliver_mail")
    return len(rows)


_SMTP_POLICY = compat32.clone(linesep="\r\n")  # SMTP wants CRLF line ends
_UTF8_QP = Charset("utf-8")
_UTF8_QP.body_encoding = QP  # readable in any mail source view, safe for long .ics lines


def build_message(
    to: str,
    subject: str,
    body: str,
    ics: str | None,
    ics_method: str | None,
    sender: str,
    outbox_id: int | None = None,
) -> Message:
    """The message as mail apps expect it: the text, and an invite both as the calendar
    alternative part and as an attached invite.ics.

    Built with the classic (compat32) MIME classes: the modern header registry costs several
    milliseconds a message, which would cap a worker below 200 mails/s.
    """
    text = MIMEText(body, "plain", _UTF8_QP)
    if ics is None:
        message: Message = text
    else:
        method = ics_method or "REQUEST"
        calendar = MIMEText(ics, "calendar", _UTF8_QP)
        calendar.set_param("method", method)
        alternative = MIMEMultipart("alternative", _subparts=[text, calendar])
        attachment = MIMEApplication(ics.encode(), "ics")
        attachment.add_header("Content-Disposition", "attachment", filename="invite.ics")
        message = MIMEMultipart("mixed", _subparts=[alternative, attachment])
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="mentor-match.local")
    if outbox_id is not None:
        # Lets a mail server (or a test) recognise a redelivery after a worker crash.
        message["X-Mentor-Match-Outbox-Id"] = str(outbox_id)
    return message


class TemporaryFailure(Exception):
    """The mail server is down or answered 4xx: try again later.

    `connection` is True when the server could not be reached at all (every other mail would
    fail the same way), False when it refused this one mail for now.
    """

    def __init__(self, message: str, *, connection: bool = False) -> None:
        super().__init__(message)
        self.connection = connection


class PermanentFailure(Exception):
    """The mail server refused the message for good (5xx)."""


def _classify(exc: Exception) -> Exception:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        text = "; ".join(f"{to}: {code} {msg!r}" for to, (code, msg) in exc.recipients.items())
        if all(400 <= code < 500 for code in codes):
            return TemporaryFailure(text)
        return PermanentFailure(text)
    if isinstance(exc, smtplib.SMTPResponseException):
        error = exc.smtp_error
        reason = error.decode(errors="replace") if isinstance(error, bytes) else str(error)
        text = f"{exc.smtp_code} {reason}"
        if 400 <= exc.smtp_code < 500:
            return TemporaryFailure(text)
        return PermanentFailure(text)
    # Connection refused, timeouts, a server that hung up: all worth another try.
    return TemporaryFailure(f"{type(exc).__name__}: {exc}", connection=True)


class Postman:
    """Delivers messages over one SMTP connection, or into the outbox folder.

    `send` raises TemporaryFailure or PermanentFailure; after a TemporaryFailure the
    connection is dropped and the next `send` opens a new one.
    """

    def __init__(self, config: dict[str, Any]) -> None:
        self.config = config
        self.server = config.get("MAIL_SERVER")
        self.sender = config["MAIL_SENDER"]
        self._smtp: smtplib.SMTP | None = None

    def __enter__(self) -> Postman:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        if self._smtp is not None:
            with contextlib.suppress(OSError, smtplib.SMTPException):
                self._smtp.quit()
            self._smtp = None

    def _drop(self) -> None:
        if self._smtp is not None:
            self._smtp.close()
            self._smtp = None

    def _connect(self) -> smtplib.SMTP:
        if self._smtp is None:
            smtp = smtplib.SMTP(timeout=10)
            self._smtp = smtp  # closed by _drop if anything below fails
            smtp.connect(self.server, int(self.config.get("MAIL_PORT") or 25))
            if self.config.get("MAIL_USE_TLS"):
                smtp.starttls()
            if self.config.get("MAIL_USERNAME"):
                smtp.login(self.config["MAIL_USERNAME"], self.config.get("MAIL_PASSWORD") or "")
        return self._smtp

    def send(self, message: Message) -> None:
        if not self.server:
            outbox = Path(self.config["OUTBOX_DIR"])
            outbox.mkdir(parents=True, exist_ok=True)
            name = f"{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:12]}.eml"
            (outbox / name).write_bytes(message.as_bytes())
            return
        try:
            recipients = [address for _, address in getaddresses([message["To"]])]
            envelope_from = parseaddr(self.sender)[1] or self.sender
            data = message.as_bytes(policy=_SMTP_POLICY)
            self._connect().sendmail(envelope_from, recipients, data)
        except (OSError, smtplib.SMTPException) as exc:
            failure = _classify(exc)
            if isinstance(failure, TemporaryFailure):
                self._drop()  # start afresh next time
            raise failure from exc
