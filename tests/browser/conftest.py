"""Browser tests: Chromium driven by Playwright against a real server loaded with the demo.

One gunicorn server per test module (a fresh demo programme each), one browser per run, one
context (cookie jar) per role. Every page is checked with axe-core (WCAG 2.1 A/AA), for sideways
scrolling at a phone's width and for console errors. A failing test leaves a screenshot in
`tests/browser/failures/`.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes
from email.policy import default
from pathlib import Path
from typing import Any

import pytest

from tests.servers import gunicorn_server

HERE = Path(__file__).resolve().parent
FAILURES = HERE / "failures"
AXE_SOURCE = (HERE / "axe.min.js").read_text(encoding="utf-8")
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def chromium_path() -> str | None:
    for candidate in (os.environ.get("MENTOR_MATCH_CHROMIUM"), "/usr/bin/chromium"):
        if candidate and Path(candidate).exists():
            return candidate
    return shutil.which("chromium") or shutil.which("chromium-browser")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if chromium_path():
        return
    skip = pytest.mark.skip(reason="Chromium is not installed (.ci/run installs it with apt)")
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(skip)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Any:
    report = yield
    item.stash.setdefault(_REPORTS, {})[report.when] = report
    return report


_REPORTS = pytest.StashKey[dict]()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True
        )
        yield launched
        launched.close()


def _demo_database(url: str) -> None:
    """A fresh schema holding the demo programme, its shifts and its proposed round."""
    from mentor_match import create_app
    from mentor_match.extensions import db
    from tests.servers import TEST_PASSWORD_HASH_METHOD

    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "schema",
            "SQLALCHEMY_DATABASE_URI": url,
            "PASSWORD_HASH_METHOD": TEST_PASSWORD_HASH_METHOD,
        }
    )
    with app.app_context():
        if url.startswith("postgresql"):
            db.drop_all()
        db.create_all()
        db.session.commit()
    # The same command `make run` uses: the demo, its shifts and history, and the round run.
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, postgres_url: str | None) -> Iterator[Server]:
    workdir = tmp_path_factory.mktemp("browser")
    url = postgres_url or f"sqlite:///{workdir / 'mentor_match.sqlite3'}"
    _demo_database(url)
    with gunicorn_server(url, secrets.token_hex(16), workdir, workers=1, threads=4) as base:
        yield Server(base=base, outbox=workdir / "outbox")


@dataclass
class Server:
    base: str
    outbox: Path

    def mails(self) -> list[str]:
        if not self.outbox.exists():
            return []
        out = []
        for path in sorted(self.outbox.glob("*.eml")):
            message = message_from_bytes(path.read_bytes(), policy=default)
            body = message.get_body(("plain",))
            out.append(f"Subject: {message['Subject']}\n\n{body.get_content() if body else ''}")
        return out


DEMO_PASSWORD = "mentor-match-demo"  # noqa: S105 - the published demo password
DEMO = {
    "coordinator": "coordinator@demo.mentor-match.org",
    "mentor": "dana.whitfield@mentor.demo.mentor-match.org",
    "mentee": "ava.nguyen@mentee.demo.mentor-match.org",
}


@dataclass
class Visitor:
    """One signed-in person's tab, with the console errors it has seen so far."""

    page: Any
    base: str
    console_errors: list[str] = field(default_factory=list)

    def go(self, path: str) -> Any:
        response = self.page.goto(self.base + path)
        assert response is not None and response.status < 400, (path, response and response.status)
        return response

    def check_page(self, label: str = "") -> None:
        """axe at 1280 px and at 390 px, no sideways scrolling at 390 px, no console errors."""
        where = label or self.page.url
        problems: list[str] = []
        for size in (DESKTOP, PHONE):
            self.page.set_viewport_size(size)
            problems += [f"{size['width']} px: {v}" for v in axe_violations(self.page)]
        overflow = self.page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        if overflow[0] > overflow[1]:
            wide = self.page.evaluate(WIDEST_ELEMENTS)
            problems.append(f"390 px: page is {overflow[0]} px wide; widest: {wide}")
        self.page.set_viewport_size(DESKTOP)
        problems += [f"console: {e}" for e in self.console_errors]
        self.console_errors.clear()
        assert not problems, f"{where}:\n" + "\n".join(problems)


WIDEST_ELEMENTS = """() => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
  .filter(e => !e.parentElement || !e.parentElement.closest('.table-responsive'))
  .slice(-5)
  .map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))"""


def axe_violations(page: Any) -> list[str]:
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SOURCE)
    result = page.evaluate(
        """async () => {
          const r = await axe.run(document, {runOnly: {type: 'tag',
              values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}, resultTypes: ['violations']});
          return r.violations.map(v => v.id + ' (' + v.impact + '): ' + v.help + ' — ' +
              v.nodes.slice(0, 3).map(n => n.target.join(' ') + ' ' + n.html.slice(0, 160) +
                  ' [' + (n.any[0] ? n.any[0].message : '') + ']').join(', '));
        }"""
    )
    return list(result)


def _screenshot_on_failure(request: pytest.FixtureRequest, page: Any, name: str) -> None:
    reports = request.node.stash.get(_REPORTS, {})
    if any(r.failed for r in reports.values()):
        FAILURES.mkdir(exist_ok=True)
        safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", f"{request.node.name}-{name}")[:150]
        # A screenshot must never hide the real failure.
        with contextlib.suppress(Exception):
            page.screenshot(path=str(FAILURES / f"{safe}.png"), full_page=True)


def open_visitor(browser: Any, server: Server, role: str | None) -> Visitor:
    context = browser.new_context(viewport=DESKTOP, base_url=server.base)
    page = context.new_page()
    page.set_default_timeout(15_000)
    visitor = Visitor(page=page, base=server.base)
    page.on("console", lambda msg: _console(visitor, msg))
    page.on("pageerror", lambda exc: visitor.console_errors.append(str(exc)))
    if role is not None:
        sign_in(visitor, DEMO[role])
    return visitor


def _console(visitor: Visitor, msg: Any) -> None:
    if msg.type != "error":
        return
    # A form answered with its errors (422) or a refused link (400) is the page doing its job:
    # Chromium reports the document's own 4xx status as a console error; anything else counts.
    own_document = (msg.location or {}).get("url") == visitor.page.url
    if own_document and re.search(r"status of 4\d\d", msg.text):
        return
    visitor.console_errors.append(msg.text)


def sign_in(visitor: Visitor, email: str, password: str = DEMO_PASSWORD) -> None:
    visitor.go("/login")
    visitor.page.get_by_label("Email").fill(email)
    visitor.page.get_by_label("Password", exact=True).fill(password)
    visitor.page.get_by_role("button", name="Sign in").click()
    visitor.page.wait_for_url(visitor.base + "/")


@pytest.fixture
def visit(request: pytest.FixtureRequest, browser: Any, server: Server) -> Iterator[Any]:
    """`visit(role)` opens a new signed-in tab (role None: signed out)."""
    opened: list[Visitor] = []

    def _open(role: str | None) -> Visitor:
        visitor = open_visitor(browser, server, role)
        opened.append(visitor)
        return visitor

    yield _open
    for index, visitor in enumerate(opened):
        _screenshot_on_failure(request, visitor.page, str(index))
        visitor.page.context.close()
