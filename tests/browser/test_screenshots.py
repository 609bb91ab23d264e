"""Phone-width (390 px) screenshots of the main pages, and the dashboard at 1280 px.

They are written to a temporary folder on every run (and each page is checked for sideways
scrolling); with MENTOR_MATCH_SCREENSHOTS=1 they replace the ones in docs/screenshots/:

    MENTOR_MATCH_SCREENSHOTS=1 .venv/bin/python -m pytest tests/browser/test_screenshots.py
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.browser.conftest import PHONE
from tests.conftest import BACKEND

pytestmark = pytest.mark.skipif(BACKEND == "postgres", reason="screenshots come from SQLite")

DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
SHOTS = [
    ("mentee", "/", "home-mentee"),
    ("coordinator", "/", "home-coordinator"),
    ("mentee", "/bookings/shifts", "booking"),
    ("mentee", "/bookings/", "my-bookings"),
    ("coordinator", "/rounds/1", "round-review"),
    ("mentee", "/profile/", "profile"),
    ("coordinator", "/dashboard", "dashboard"),
    ("mentee", "/cpd/", "cpd"),
    ("mentor", "/feedback/", "feedback"),
]


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    if os.environ.get("MENTOR_MATCH_SCREENSHOTS") == "1":
        DOCS.mkdir(parents=True, exist_ok=True)
        return DOCS
    return tmp_path


def test_phone_screenshots(visit, folder: Path) -> None:
    visitors = {}
    for role, path, name in SHOTS:
        visitor = visitors.get(role) or visitors.setdefault(role, visit(role))
        visitor.page.set_viewport_size(PHONE)
        visitor.go(path)
        width = visitor.page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
        assert width[0] <= width[1], (path, width)
        target = folder / f"{name}-390.png"
        visitor.page.screenshot(path=str(target), full_page=True)
        assert target.stat().st_size > 10_000


def test_desktop_screenshot_of_the_dashboard(visit, folder: Path) -> None:
    coordinator = visit("coordinator")
    coordinator.page.set_viewport_size({"width": 1280, "height": 900})
    coordinator.go("/dashboard")
    coordinator.page.wait_for_load_state("networkidle")  # the charts are images of their own
    target = folder / "dashboard-1280.png"
    coordinator.page.screenshot(path=str(target), full_page=True)
    assert target.stat().st_size > 50_000
