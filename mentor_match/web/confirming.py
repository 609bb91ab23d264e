"""Confirmation pages for actions that cannot be undone: what happens, who is told, one button.

The page needs no JavaScript: a link leads to it, its form posts to the action's own route.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import render_template


@dataclass(frozen=True)
class Confirmation:
    title: str
    question: str
    action: str
    button: str
    back: str
    told: list[str] = field(default_factory=list)
    consequences: list[str] = field(default_factory=list)
    fields: dict[str, str] = field(default_factory=dict)
    nobody_told: str = ""


def confirm_page(confirmation: Confirmation) -> str:
    return render_template("confirm.html", confirm=confirmation)
