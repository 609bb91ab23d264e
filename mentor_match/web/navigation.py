"""The menu and the home page's links, declared once; each area adds its own entries."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app


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

        return {"nav_items": nav_items, "home_links": home_links}
