"""The menu and the home page's links, declared once; each area adds its own entries."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app, request
from flask_login import current_user


@dataclass(frozen=True)
class Link:
    endpoint: str
    label: str
    roles: tuple[str, ...]
    text: str


LINKS: list[Link] = [
    Link("participants.index", "Participants", ("coordinator",), "search every mentor and mentee."),
    Link("profile.edit", "Profile", ("mentor", "mentee"), "your specialties and availability."),
]


def add_link(link: Link) -> None:
    if link not in LINKS:
        LINKS.append(link)


def register(app: Flask) -> None:
    def available() -> list[Link]:
        return [link for link in LINKS if link.endpoint in current_app.view_functions]

    @app.context_processor
    def _navigation() -> dict:
        def nav_items() -> list[tuple[str, str, tuple[str, ...]]]:
            return [(link.endpoint, link.label, link.roles) for link in available()]

        def home_links(role: str) -> list[tuple[str, str, str]]:
            return [
                (link.endpoint, link.label, link.text)
                for link in available()
                if role in link.roles
                and link.endpoint not in ("participants.index", "profile.edit")
            ]

        def nav_here(endpoint: str) -> bool:
            """Is this menu entry the page shown? The exact page when it has an entry of its
            own (Book a shift vs My bookings), else any page of the same area."""
            current = request.endpoint or ""
            role = getattr(current_user, "role", None)
            mine = {link.endpoint for link in available() if role in link.roles}
            if current in mine:
                return current == endpoint
            return current.split(".")[0] == endpoint.split(".")[0]

        return {"nav_items": nav_items, "home_links": home_links, "nav_here": nav_here}
