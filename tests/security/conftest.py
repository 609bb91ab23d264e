"""A small programme in which every identity owns something: the access and attack tests' target."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.helpers import csrf_token, login

# A and B work at different sites; the site coordinator looks after A's site only, so to them
# B's people and everything of B's do not exist.
IDENTITIES = (
    "anonymous",
    "mentee_a",
    "mentor_a",
    "site_coordinator",
    "mentee_b",
    "mentor_b",
    "coordinator",
)
SITE_OF = {"mentee_a": "North", "mentor_a": "North", "mentee_b": "Harbour", "mentor_b": "Harbour"}
REGION_OF = {"North": "Midwest", "Harbour": "East"}
EMAILS = {
    "site_coordinator": "site.coordinator@example.org",
    "mentee_a": "mentee.a@example.org",
    "mentee_b": "mentee.b@example.org",
    "mentor_a": "mentor.a@example.org",
    "mentor_b": "mentor.b@example.org",
    "coordinator": "coordinator@example.org",
}
# Strings only B's objects carry: none may reach anyone outside B's circle.
B_SECRETS = ("mentee.b@example.org", "Room B-secret", "CE B-secret", "7654321")
# A certificate kept with mentee B's CE activity (a PNG, checked by content).
B_CERTIFICATE = b"\x89PNG\r\n\x1a\n" + b"B-certificate" * 8


@dataclass
class Programme:
    """Ids of everyone and everything, API headers and signed-in page clients per identity."""

    ids: dict[str, int]
    shift_id: int
    booking_id: int
    round_id: int
    import_key: str
    spare_token_id: int
    invitee_id: int
    activity_id: int
    request_id: int = 0  # mentee B's request to mentor B (self-select)
    api: dict[str, dict[str, str]] = field(default_factory=dict)
    # Guidance and feedback: B's attended shift with feedback and reflection, a sign-off, a goal.
    attended_booking_id: int = 0
    signoff_id: int = 0
    goal_id: int = 0
    competency_id: int = 0
    pages: dict[str, FlaskClient] = field(default_factory=dict)
    site_ids: dict[str, int] = field(default_factory=dict)  # each participant's site
    csrf: dict[str, str] = field(default_factory=dict)


def assert_secure_headers(response, label: str) -> None:
    """The headers every answer carries, whatever it is."""
    headers = response.headers
    policy = headers.get("Content-Security-Policy", "")
    assert policy, f"{label}: no Content-Security-Policy"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy, f"{label}: {policy}"
    assert "frame-ancestors 'none'" in policy, f"{label}: {policy}"
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert "'self'" in directives.get("script-src", directives.get("default-src", "")), policy
    assert "*" not in directives.get("script-src", ""), policy
    assert headers.get("X-Content-Type-Options") == "nosniff", label
    assert headers.get("Referrer-Policy") in ("same-origin", "no-referrer", "strict-origin"), label
    assert headers.get("X-Frame-Options") == "DENY", label


def shift_times(hours: float = 72, length: float = 3) -> tuple[datetime, datetime]:
    start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(hours=hours)
    return start, start + timedelta(hours=length)


def _guidance_for_b(session, ids: dict[str, int]) -> dict[str, int]:
    """Mentee B's attended past shift with mentor B: feedback, a reflection, a sign-off, a goal."""
    from sqlalchemy import select

    from mentor_match.models import Booking, Competency, Mentorship, Shift, User
    from mentor_match.services.feedback import agreements, assessments

    mentor, mentee = session.get(User, ids["mentor_b"]), session.get(User, ids["mentee_b"])
    end = datetime.now(UTC).replace(microsecond=0) - timedelta(days=2)
    shift = Shift(
        mentor_id=mentor.id,
        start_at=end - timedelta(hours=3),
        end_at=end,
        seats=2,
        seats_taken=1,
        location="Room B-secret",
    )
    session.add(shift)
    session.flush()
    booking = Booking(shift_id=shift.id, mentee_id=mentee.id, status="confirmed", attended=True)
    session.add(booking)
    session.flush()
    codes = dict(session.execute(select(Competency.code, Competency.id)).all())
    assessments.give_feedback(
        session,
        mentor,
        booking.id,
        ratings=[assessments.Rating(codes["GEN-SAFE"], 3)],
        strengths="Room B-secret strengths",
        next_steps="Room B-secret next steps",
    )
    assessments.give_reflection(
        session,
        mentee,
        booking.id,
        learned="Room B-secret learned",
        apply="Room B-secret apply",
        session_rating=2,
        comment_to_coordinator="Room B-secret comment",
    )
    signoff = assessments.sign_off(session, mentor, mentee.id, codes["GEN-SAFE"])
    mentorship = session.query(Mentorship).filter_by(mentee_id=mentee.id).one()
    goal = agreements.add_goal(session, mentee, mentorship.id, "Room B-secret goal", None)
    return {
        "attended_booking_id": booking.id,
        "signoff_id": signoff.id,
        "goal_id": goal.id,
        "competency_id": codes["GEN-COMM"],
    }


@pytest.fixture
def programme(app: Flask, make_user: Callable[..., int], token_for) -> Programme:
    from mentor_match.extensions import db
    from mentor_match.models import Booking, MentorRequest, Mentorship, Shift, Site, User
    from mentor_match.services import accounts, calendars, imports, rounds, scopes
    from mentor_match.services.cpd import portfolio as cpd

    ids = {
        name: make_user(
            name.split("_")[-1] if name == "site_coordinator" else name.split("_")[0],
            email=email,
            name=name.replace("_", " ").title(),
        )
        for name, email in EMAILS.items()
    }
    with app.app_context():
        sites = {
            name: Site(name=name, region=region, timezone="America/Chicago")
            for name, region in REGION_OF.items()
        }
        db.session.add_all(sites.values())
        for name, site_name in SITE_OF.items():
            person = db.session.get(User, ids[name])
            (person.mentor_profile or person.mentee_profile).site = sites[site_name]
        db.session.flush()
        scopes.set_scope(
            db.session,
            db.session.get(User, ids["coordinator"]),
            ids["site_coordinator"],
            sites=["North"],
            regions=[],
        )
        db.session.add_all(
            [
                Mentorship(mentor_id=ids["mentor_a"], mentee_id=ids["mentee_a"]),
                Mentorship(mentor_id=ids["mentor_b"], mentee_id=ids["mentee_b"]),
            ]
        )
        start, end = shift_times()
        shift = Shift(
            mentor_id=ids["mentor_b"],
            start_at=start,
            end_at=end,
            seats=3,
            seats_taken=1,
            location="Room B-secret",
        )
        db.session.add(shift)
        db.session.flush()
        booking = Booking(shift_id=shift.id, mentee_id=ids["mentee_b"], status="confirmed")
        db.session.add(booking)
        coordinator = db.session.get(User, ids["coordinator"])
        match_round = rounds.create_round(db.session, coordinator, "Spring cohort", None, 2.0)
        key = imports.hold_import(
            db.session,
            coordinator,
            "mentees",
            "mentees.csv",
            b"email,name,site,region,timezone,specialties,availability\n"
            b"held@example.org,Held,North,Midwest,America/Chicago,oncology,Mon 08:00-12:00\n",
        )
        spare, _ = accounts.create_api_token(
            db.session, db.session.get(User, ids["mentee_b"]), "spare"
        )
        invitee = accounts.create_user(
            db.session,
            email="invitee@example.org",
            name="Invitee",
            role="mentee",
            password=None,
            timezone="UTC",
        )
        mentor_request = MentorRequest(
            mentee_id=ids["mentee_b"],
            mentor_id=ids["mentor_b"],
            status="open",
            expires_at=start + timedelta(days=7),
        )
        db.session.add(mentor_request)
        for name in ("mentee_a", "mentee_b", "mentor_a", "mentor_b"):
            calendars.feed_token(db.session, db.session.get(User, ids[name]), app.secret_key)
        mentee_b = db.session.get(User, ids["mentee_b"])
        cpd.update_certification(
            db.session,
            mentee_b,
            ptcb_number="7654321",
            cycle_ends=datetime.now(UTC).date() + timedelta(days=50),
        )
        activity = cpd.add_activity(
            db.session,
            mentee_b,
            {
                "title": "CE B-secret",
                "provider": "Board",
                "completed_on": datetime.now(UTC).date() - timedelta(days=3),
                "hours": "1.5",
                "uan": "0175-0000-24-105-L03-T",
            },
        )
        cpd.attach_certificate(
            db.session,
            mentee_b,
            activity.id,
            B_CERTIFICATE,
            "b.png",
            Path(app.config["CERTIFICATE_DIR"]),
        )
        guidance = _guidance_for_b(db.session, ids)
        db.session.commit()
        found = Programme(
            ids=ids,
            shift_id=shift.id,
            booking_id=booking.id,
            round_id=match_round.id,
            import_key=key,
            spare_token_id=spare.id,
            invitee_id=invitee.id,
            activity_id=activity.id,
            **guidance,
            request_id=mentor_request.id,
            site_ids={name: sites[site].id for name, site in SITE_OF.items()},
        )
    found.api = {name: token_for(user_id) for name, user_id in ids.items()}
    found.api["anonymous"] = {}
    for name in IDENTITIES:
        client = app.test_client()
        if name != "anonymous":
            response = login(client, EMAILS[name])
            assert response.status_code == 302, name
        found.pages[name] = client
        found.csrf[name] = csrf_token(client, "/login" if name == "anonymous" else "/account/")
    return found
