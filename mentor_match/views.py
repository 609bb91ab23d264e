"""What the pages and the API share at the edge: links to this site, file downloads, and the
invitation run that commits batch by batch."""

from __future__ import annotations

from pathlib import Path

from flask import Response, current_app, render_template, request

from mentor_match.extensions import db
from mentor_match.reports.transcript import pdf_from_html
from mentor_match.services import imports
from mentor_match.services.calendars import Site


def base_url() -> str:
    """Where links in mails, invites and feeds point: BASE_URL, else this request's host."""
    return current_app.config.get("BASE_URL") or request.url_root


def current_site() -> Site:
    return Site.from_config(current_app.config.get("BASE_URL"), request.url_root)


def download(text: str, filename: str, mimetype: str = "text/csv") -> Response:
    """A file to save (CSV by default), UTF-8, never shown inline."""
    return Response(
        text.encode(),
        headers={
            "Content-Type": f"{mimetype}; charset=utf-8",
            "Content-Disposition": f'attachment; filename="{filename}"',
        },
    )


def invite_download(booking_id: int, method: str, text: str) -> Response:
    """A booking's iTIP invite as a file a calendar app opens."""
    response = download(text, f"booking-{booking_id}.ics", "text/calendar")
    response.headers["Content-Type"] = f"text/calendar; charset=utf-8; method={method}"
    response.headers["Cache-Control"] = "private, no-cache"
    return response


def invite_limit() -> int:
    return int(current_app.config.get("IMPORT_INVITE_LIMIT", imports.INVITE_LIMIT))


def send_all_invitations() -> int:
    """Invite everyone without a password, committing (and so mailing) batch by batch."""
    invited = 0
    for count in imports.invitation_batches(
        db.session, base_url=base_url(), secret_key=current_app.config["SECRET_KEY"]
    ):
        db.session.commit()
        invited += count
    return invited


def certificate_folder() -> Path:
    """Where CPD certificates are kept: CERTIFICATE_DIR, outside the web root."""
    return Path(current_app.config["CERTIFICATE_DIR"])


def certificate_download(data: bytes, mimetype: str, filename: str) -> Response:
    """A stored certificate, always as an attachment of the type its content was checked to be."""
    return Response(
        data,
        headers={
            "Content-Type": mimetype,
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "private, no-store",
        },
    )


def transcript_download(portfolio: object, generated_on: object) -> Response:
    """The CPD transcript as a PDF, typeset from the same template the page preview uses."""
    html = render_template("cpd/transcript.html", p=portfolio, generated_on=generated_on)
    return Response(
        pdf_from_html(html),
        headers={
            "Content-Type": "application/pdf",
            "Content-Disposition": 'attachment; filename="cpd-transcript.pdf"',
            "Cache-Control": "private, no-store",
        },
    )


def certificate_to_upload() -> tuple[bytes, str]:
    """(bytes, file name) of an uploaded certificate: the multipart field 'file', or the body.

    At most one byte more than the per-file limit is read, so an oversized file is refused
    without holding all of it (MAX_CONTENT_LENGTH bounds the request as a whole).
    """
    from mentor_match.services.cpd.certificates import MAX_BYTES

    if request.mimetype == "multipart/form-data":
        upload = request.files.get("file")
        if upload is None:
            return b"", ""
        return upload.stream.read(MAX_BYTES + 1), upload.filename or ""
    return request.stream.read(MAX_BYTES + 1), request.args.get("filename", "")
