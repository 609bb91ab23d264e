"""What the pages and the API share at the edge of the app: the base of the links the app
writes (mails, invites, feeds), file downloads, the import settings a request reads and
re-sending invitations."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from flask import Response, current_app, render_template, request

from mentor_match.extensions import db
from mentor_match.reports.transcript import pdf_from_html
from mentor_match.services import imports
from mentor_match.services.calendars import LinkBase


def base_url() -> str:
    """Where links in mails, invites and feeds point: BASE_URL, else this request's host."""
    return current_app.config.get("BASE_URL") or request.url_root


def current_link_base() -> LinkBase:
    """The base of links and the host of calendar UIDs, for this app as this request sees it."""
    return LinkBase.from_config(current_app.config.get("BASE_URL"), request.url_root)


def download(text: str, filename: str, mimetype: str = "text/csv") -> Response:
    """A file to save (CSV by default), UTF-8, never shown inline."""
    return Response(text.encode(), headers=_attachment(filename, mimetype))


def _attachment(filename: str, mimetype: str) -> dict[str, str]:
    """The headers of a UTF-8 file to save, never shown inline."""
    return {
        "Content-Type": f"{mimetype}; charset=utf-8",
        "Content-Disposition": f'attachment; filename="{filename}"',
    }


def streamed_download(parts: Iterable[str], filename: str, mimetype: str = "text/csv") -> Response:
    """A file to save, sent a part at a time as `parts` are written (a big export starts
    arriving at once and never sits whole in memory). Each part is read in an application
    context of its own, with a database session of its own (the request's transaction has
    ended by then), and no context stays open across a `yield`: a client that stops reading
    leaves nothing pushed for the garbage collector to pop out of order."""
    app = current_app._get_current_object()  # noqa: SLF001 - the app itself, not the proxy
    pending = iter(parts)

    def stream() -> Iterator[bytes]:
        while True:
            with app.app_context():
                part = next(pending, None)
            if part is None:
                return
            yield part.encode()

    return Response(stream(), headers=_attachment(filename, mimetype))


def export_people(kind: str, within: frozenset[int] | None = None) -> Response:
    """The mentors' or mentees' export file (the import format), streamed in pages; `within`
    (site ids, a site-scoped coordinator's) keeps the people of those sites."""
    size = int(current_app.config.get("EXPORT_PAGE_SIZE", imports.EXPORT_PAGE_SIZE))
    parts = imports.export_people_in_parts(db.session, kind, size, within=within)
    return streamed_download(parts, f"{kind}.csv")


def invite_download(booking_id: int, method: str, text: str) -> Response:
    """A booking's iTIP invite as a file a calendar app opens."""
    response = download(text, f"booking-{booking_id}.ics", "text/calendar")
    response.headers["Content-Type"] = f"text/calendar; charset=utf-8; method={method}"
    response.headers["Cache-Control"] = "private, no-cache"
    return response


def invite_limit() -> int:
    return int(current_app.config.get("IMPORT_INVITE_LIMIT", imports.INVITE_LIMIT))


def send_all_invitations(within: frozenset[int] | None = None) -> int:
    """Invite everyone without a password again (`within`: the people of those sites): the
    worker writes and sends the mails in batches once this request commits. Returns how many
    are on their way."""
    return imports.invite_everyone_without_password(db.session, base_url(), within=within)


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
