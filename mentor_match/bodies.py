"""Request bodies: none larger than MAX_CONTENT_LENGTH is read, however it is sent.

With a Content-Length, werkzeug refuses a body over the limit before reading it. Without one
(`Transfer-Encoding: chunked`), a server that terminates the input (gunicorn, werkzeug's own)
hands werkzeug a stream that it silently stops reading at the limit: a CSV import would then
take the rows that fitted and a JSON body would end mid-value. Here every such body is read
up to one byte past the limit before anything parses it; one byte too many answers 413, so
no view, form or JSON parser ever sees a truncated body.
"""

from __future__ import annotations

import io
from typing import IO

from flask import Request
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.utils import cached_property

_READ_SIZE = 64 * 1024


def read_at_most(stream: IO[bytes], limit: int) -> bytes:
    """Up to `limit` + 1 bytes of `stream`: more than `limit` means the body is too large."""
    chunks: list[bytes] = []
    wanted = limit + 1
    while wanted > 0:
        chunk = stream.read(min(_READ_SIZE, wanted))
        if not chunk:
            break
        chunks.append(chunk)
        wanted -= len(chunk)
    return b"".join(chunks)


class BoundedRequest(Request):
    """Flask's request, with a body of unknown length read whole (within the limit) or refused."""

    @cached_property
    def stream(self) -> IO[bytes]:  # type: ignore[override]
        limit = self.max_content_length
        if (
            self.shallow
            or limit is None
            or self.content_length is not None
            or not self.environ.get("wsgi.input_terminated")
        ):
            # A declared length is checked by werkzeug against the limit before any read; an
            # unterminated stream of unknown length is never read at all.
            return super().stream
        data = read_at_most(self.environ["wsgi.input"], limit)
        if len(data) > limit:
            raise RequestEntityTooLarge()
        return io.BytesIO(data)
