"""The CPD transcript as a PDF, typeset by WeasyPrint from the same HTML the page templates use.

WeasyPrint embeds real text (selectable, searchable, readable by `pdftotext` and screen readers)
rather than a picture of it. It needs Pango on the system (Debian: libpango-1.0-0,
libpangoft2-1.0-0). Nothing is fetched while printing: the HTML carries its own styles.
"""

from __future__ import annotations

from typing import Any


def _no_fetching(url: str, *args: Any, **kwargs: Any) -> Any:
    raise ValueError(f"the transcript loads nothing from outside: {url}")


def pdf_from_html(html: str) -> bytes:
    from weasyprint import HTML  # imported here: loading Pango takes a moment

    document = HTML(string=html, url_fetcher=_no_fetching)
    return document.write_pdf(pdf_identifier=b"mentor_match", custom_metadata=False) or b""
