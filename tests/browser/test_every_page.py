"""Every page each role can reach, at 1280 px and 390 px: no WCAG 2.1 A/AA violation found by
axe-core, no sideways scrolling on a phone, no console error."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from tests.browser.conftest import PHONE
from tests.conftest import BACKEND

# Pages look the same on either database: the page-by-page checks run once, on SQLite; the
# journeys (test_journeys.py) run on PostgreSQL too.
pytestmark = pytest.mark.skipif(BACKEND == "postgres", reason="page checks run on SQLite")

# Links that are downloads, feeds or actions rather than pages.
NOT_PAGES = re.compile(
    r"\.(csv|ics|pdf|svg)(\?|$)|/export|/template|/invite|/certificate|/calendar/feed|/api/|/static/"
    r"|/bootstrap/"
)


def _shape(path: str) -> str:
    """Pages that differ only by ids or query values are the same page for these checks."""
    return re.sub(r"\d+", "N", urlsplit(path).path)


def _links(visitor) -> list[str]:
    hrefs = visitor.page.eval_on_selector_all(
        "a[href]", "els => els.map(e => e.getAttribute('href'))"
    )
    out = []
    for href in hrefs:
        if not href.startswith("/") or href.startswith("//") or NOT_PAGES.search(href):
            continue
        out.append(href.split("#")[0])
    return out


@pytest.mark.parametrize("role", ["coordinator", "mentor", "mentee"])
def test_every_page_of_each_role(visit, role: str) -> None:
    visitor = visit(role)
    seen_shapes: set[str] = set()
    queue = ["/"]
    checked: list[str] = []
    failures: list[str] = []
    while queue and len(checked) < 40:
        path = queue.pop(0)
        shape = _shape(path)
        if shape in seen_shapes:
            continue
        seen_shapes.add(shape)
        visitor.go(path)
        checked.append(path)
        try:
            visitor.check_page(path)
        except AssertionError as exc:
            failures.append(str(exc))
        queue += [link for link in _links(visitor) if _shape(link) not in seen_shapes]
    assert len(checked) >= 5, checked
    assert not failures, "\n\n".join(failures)


def test_signed_out_pages(visit) -> None:
    visitor = visit(None)
    for path in ("/login", "/accessibility"):
        visitor.go(path)
        visitor.check_page(path)


def test_menu_collapses_on_a_phone_and_opens(visit) -> None:
    visitor = visit("mentee")
    page = visitor.page
    page.set_viewport_size(PHONE)
    visitor.go("/")
    menu_link = page.locator("#main-menu").get_by_role("link", name="Book a shift", exact=True)
    assert not menu_link.is_visible()
    page.get_by_role("button", name="Menu").click()
    menu_link.wait_for(state="visible")
    menu_link.click()
    page.wait_for_url("**/bookings/shifts")
    assert visitor.console_errors == []


def test_the_checks_catch_what_they_look_for(visit) -> None:
    """A missing label, a too-wide element and a console error are each reported."""
    visitor = visit("mentee")
    visitor.go("/")
    visitor.page.evaluate(
        """() => {
          const input = document.createElement('input');
          document.querySelector('main').appendChild(input);
          const wide = document.createElement('div');
          wide.className = 'too-wide';
          wide.textContent = 'wide';
          wide.setAttribute('hidden', '');
          document.querySelector('main').appendChild(wide);
          wide.removeAttribute('hidden');
          wide.animate([{minWidth: '900px'}, {minWidth: '900px'}], {duration: 60000, fill: 'both'});
          console.error('deliberate');
        }"""
    )
    with pytest.raises(AssertionError) as caught:
        visitor.check_page("/")
    message = str(caught.value)
    assert "label" in message
    assert "page is" in message and "too-wide" in message
    assert "console: deliberate" in message
