"""Certificates of completion: PDF, PNG or JPEG, checked by content, kept outside the web root.

Files live in the certificate folder (``CERTIFICATE_DIR``, ``instance/certificates`` by default)
under a random key; the database row holds the key, the uploaded name, the type and the size.
A file is removed only once the transaction that dropped its row has committed, so a rolled-back
request never loses a certificate that its row still points to.
"""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path
from typing import Any

from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import event
from sqlalchemy.orm import Session

from mentor_match.services.errors import Invalid

MAX_BYTES = 2 * 1024 * 1024
MAX_NAME = 200
# What a file starts with decides its type; the name and the browser's claim do not.
SIGNATURES: tuple[tuple[bytes, str, str], ...] = (
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
)
_KEY = re.compile(r"[0-9a-f]{32}")
_REMOVE = "mentor_match.certificates_to_remove"
_WRITTEN = "mentor_match.certificates_written"


def sniff(data: bytes) -> tuple[str, str]:
    """The (mimetype, extension) of a certificate, or 422 naming `certificate`."""
    if not data:
        raise _bad("the file is empty")
    if len(data) > MAX_BYTES:
        raise _bad(f"the file is larger than {MAX_BYTES // (1024 * 1024)} MB")
    for magic, mimetype, extension in SIGNATURES:
        if data.startswith(magic):
            return mimetype, extension
    raise _bad("only PDF, PNG and JPEG files can be kept as certificates")


def _bad(message: str) -> Invalid:
    return Invalid(message, details=[{"field": "certificate", "message": message}])


def safe_name(name: str, extension: str) -> str:
    """A download name with no path and no odd characters, ending in the real extension."""
    stem = Path(name.replace("\\", "/")).name.rsplit(".", 1)[0]
    stem = re.sub(r"[^A-Za-z0-9._ -]+", "_", stem).strip(" ._")[: MAX_NAME - 5] or "certificate"
    return f"{stem}.{extension}"


def store(session: Session, folder: Path, data: bytes) -> str:
    """Write the bytes under a new random key (removed again if the transaction rolls back)."""
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = secrets.token_hex(16)
    path = folder / key
    with open(path, "xb") as handle:
        handle.write(data)
    os.chmod(path, 0o600)
    session.info.setdefault(_WRITTEN, []).append(path)
    return key


def read(folder: Path, key: str) -> bytes:
    if not _KEY.fullmatch(key):
        raise FileNotFoundError(key)
    return (folder / key).read_bytes()


def remove_after_commit(session: Session, folder: Path, key: str | None) -> None:
    if key and _KEY.fullmatch(key):
        session.info.setdefault(_REMOVE, []).append(folder / key)


@event.listens_for(FlaskSession, "after_commit")
def _on_commit(session: Session) -> None:
    session.info.pop(_WRITTEN, None)
    for path in session.info.pop(_REMOVE, []):
        path.unlink(missing_ok=True)


@event.listens_for(FlaskSession, "after_soft_rollback")
def _on_rollback(session: Session, _previous: Any) -> None:
    session.info.pop(_REMOVE, None)
    for path in session.info.pop(_WRITTEN, []):
        path.unlink(missing_ok=True)
