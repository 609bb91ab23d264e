"""The HTML side: one blueprint per area, each a thin layer of forms over the services."""

from __future__ import annotations

from flask import Flask

from mentor_match.web import (
    account,
    auth,
    bookings,
    calendar,
    cpd,
    dashboard,
    feedback,
    imports,
    main,
    navigation,
    outbox,
    participants,
    preferences,
    profile,
    rounds,
    shifts,
    suggestions,
)
from mentor_match.web.formatting import register_filters


def register_blueprints(app: Flask) -> None:
    for module in (
        main,
        auth,
        account,
        profile,
        participants,
        imports,
        outbox,
        rounds,
        preferences,
        suggestions,
        calendar,
        shifts,
        bookings,
        cpd,
        dashboard,
        feedback,
    ):
        app.register_blueprint(module.bp)
    register_filters(app)
    navigation.register(app)
