"""Every route in the URL map, every method, as every identity, aimed at B's objects.

The policy below says who may succeed on B's shift, booking, round, pending import, tokens and
calendar feed. Anyone else must be refused (no 2xx, no redirect that means "done"), nobody ever
gets a 500, a new route without a policy fails the test, and outsiders never see B's data.
"""

from __future__ import annotations

import io
from datetime import date, timedelta
from typing import Any

import pytest

from mentor_match.services.feedback.agreements import MENTEE_QUESTIONS, MENTOR_QUESTIONS
from tests.helpers import PASSWORD
from tests.security.conftest import (
    B_SECRETS,
    IDENTITIES,
    Programme,
    assert_secure_headers,
    shift_times,
)

ANON, MA, TA, SC, MB, TB, C = IDENTITIES
EVERYONE = frozenset(IDENTITIES)
SIGNED_IN = EVERYONE - {ANON}
# The site coordinator looks after A's site: B's people and things are not theirs. They use
# the pages and API that keep to their sites (lists filtered; B's objects are 404) and read the
# programme's settings; changing those (the competency framework, the CPD rules, scopes) is
# refused with 403.
SITE = frozenset({SC})
COORDS = frozenset({C, SC})
MENTEES = frozenset({MA, MB})
MENTORS = frozenset({TA, TB})
PARTICIPANTS = MENTEES | MENTORS
COORD = frozenset({C})
B_BOOKING = frozenset({MB, TB, C})  # the mentee, the shift's mentor, a coordinator
B_SHIFT = frozenset({TB, C})  # the shift's mentor and coordinators manage it
OUTSIDERS = (ANON, MA, TA, SC)
B_PAIR = frozenset({MB, TB})  # mentee B and mentor B, the parties of their mentorship
B_CIRCLE = frozenset({MB, TB, C})  # mentee B, their mentor, coordinators

# (endpoint, method) -> identities that may succeed when the URL and body name B's objects.
POLICY: dict[tuple[str, str], frozenset[str]] = {
    ("main.index", "GET"): SIGNED_IN,
    ("main.health", "GET"): EVERYONE,
    ("main.accessibility", "GET"): EVERYONE,
    ("auth.login", "GET"): EVERYONE,
    ("auth.login", "POST"): SIGNED_IN,  # a wrong password for anonymous; signed-in: home
    ("auth.logout", "POST"): EVERYONE,
    ("auth.welcome", "GET"): EVERYONE,  # the signed invitation is the credential
    ("auth.welcome", "POST"): frozenset(),  # the two passwords differ: never accepted
    ("auth.forgot_password", "GET"): EVERYONE,
    ("auth.forgot_password", "POST"): EVERYONE,  # the same answer for every address
    ("auth.reset_password", "GET"): frozenset(),  # the feed token is no reset link
    ("auth.reset_password", "POST"): frozenset(),
    ("participants.send_access_link", "POST"): COORD,
    ("participants.edit_profile", "GET"): COORD,
    ("participants.edit_profile", "POST"): COORD,
    ("account.settings", "GET"): SIGNED_IN,
    ("account.change_password", "POST"): SIGNED_IN,
    ("account.sign_out_everywhere", "POST"): SIGNED_IN,
    ("account.create_token", "POST"): SIGNED_IN,
    ("account.revoke_token", "POST"): frozenset({MB}),  # mentee B's spare token
    ("profile.edit", "GET"): PARTICIPANTS,
    ("profile.edit", "POST"): PARTICIPANTS,
    ("participants.index", "GET"): COORDS,
    ("participants.show", "GET"): COORD,
    ("participants.set_active", "POST"): COORD,
    ("participants.end_mentorship", "POST"): COORD,
    ("imports.index", "GET"): COORDS,
    ("imports.preview", "POST"): COORDS,
    ("imports.confirm", "POST"): COORD,
    ("imports.template", "GET"): COORDS,
    ("imports.export", "GET"): COORDS,
    ("outbox.index", "GET"): COORDS,  # the site coordinator: mails to their sites' people
    ("outbox.retry", "POST"): COORD,
    ("rounds.index", "GET"): COORDS,
    ("rounds.new", "GET"): COORDS,
    ("rounds.new", "POST"): COORDS,
    ("rounds.show", "GET"): COORD,
    ("rounds.candidates", "GET"): COORD,
    ("rounds.add_pin", "POST"): COORD,
    ("rounds.remove_pin", "POST"): COORD,
    ("rounds.add_exclusion", "POST"): COORD,
    ("rounds.remove_exclusion", "POST"): COORD,
    ("rounds.run", "POST"): COORD,
    ("rounds.confirm_publish", "GET"): COORD,
    ("rounds.publish", "POST"): COORD,
    ("rounds.my_matches", "GET"): PARTICIPANTS,
    ("rounds.blocking_pairs", "GET"): COORD,
    # Rankings: any participant in the pool ranks in any open round. Both mentors have a place
    # left; both mentees have a mentor, so they are not in the pool.
    ("preferences.index", "GET"): PARTICIPANTS,
    ("preferences.show", "GET"): MENTORS,
    ("preferences.save", "POST"): MENTORS,
    ("preferences.withdraw", "POST"): MENTORS,
    ("preferences.submitted", "GET"): COORD,
    ("preferences.close", "POST"): COORD,
    # Self-select: mentee B asked mentor B; only mentor B answers it (accepting is refused with
    # 409 since B already mentors B, but it is B's to try). Nobody has suggestions to ask from.
    ("suggestions.index", "GET"): MENTEES,
    ("suggestions.ask", "POST"): frozenset(),
    ("suggestions.requests", "GET"): MENTORS,
    ("suggestions.accept", "POST"): frozenset({TB}),
    ("suggestions.decline", "POST"): frozenset({TB}),
    ("suggestions.board", "GET"): COORDS,  # the site coordinator: their rounds' requests
    ("shifts.index", "GET"): MENTORS | COORDS,
    ("shifts.new", "GET"): MENTORS,
    ("shifts.new", "POST"): MENTORS,
    ("shifts.series", "GET"): MENTORS,
    ("shifts.series", "POST"): MENTORS,
    ("shifts.show", "GET"): B_SHIFT,
    ("shifts.edit", "POST"): B_SHIFT,
    ("shifts.cancel", "POST"): B_SHIFT,
    ("shifts.attendance", "POST"): B_SHIFT,
    ("shifts.cancel_booking", "POST"): B_SHIFT,
    ("shifts.hand_over", "POST"): COORD,
    ("shifts.confirm_cancel", "GET"): B_SHIFT,
    ("shifts.attend_all", "POST"): B_SHIFT,
    ("shifts.confirm_cancel_series", "GET"): B_SHIFT,
    ("shifts.cancel_series", "POST"): B_SHIFT,
    ("bookings.confirm_cancel", "GET"): B_BOOKING,
    ("bookings.show", "GET"): B_BOOKING,
    ("calendar.confirm_rotate", "GET"): PARTICIPANTS,
    ("account.confirm_revoke", "GET"): frozenset({MB}),  # mentee B's spare token
    ("participants.confirm_end_mentorship", "GET"): COORD,
    ("bookings.index", "GET"): MENTEES,
    ("bookings.available", "GET"): MENTEES,
    ("bookings.book", "POST"): frozenset({MB}),
    ("bookings.cancel", "POST"): B_BOOKING,
    ("bookings.invite", "GET"): B_BOOKING,
    ("calendar.subscribe", "GET"): PARTICIPANTS,
    ("calendar.rotate", "POST"): PARTICIPANTS,
    ("calendar.feed", "GET"): EVERYONE,  # mentee B's secret feed URL is the credential
    ("cpd.log", "GET"): MENTEES,
    ("cpd.log_csv", "GET"): MENTEES,
    ("cpd.report", "GET"): COORDS,
    ("dashboard.index", "GET"): COORDS,
    ("dashboard.chart_svg", "GET"): COORDS,
    ("dashboard.chart_table", "GET"): COORDS,
    ("dashboard.my_fill_rate_svg", "GET"): MENTORS,
    ("dashboard.my_fill_rate_csv", "GET"): MENTORS,
    ("cpd.report_csv", "GET"): COORDS,
    ("cpd.transcript_pdf", "GET"): MENTEES,
    ("cpd.transcript_csv", "GET"): MENTEES,
    ("cpd.certification", "GET"): MENTEES,
    ("cpd.certification", "POST"): MENTEES,
    ("cpd.new_activity", "GET"): MENTEES,
    ("cpd.new_activity", "POST"): MENTEES,
    ("cpd.edit_activity", "GET"): frozenset({MB}),  # mentee B's activity
    ("cpd.edit_activity", "POST"): frozenset({MB}),
    ("cpd.delete_activity", "POST"): frozenset({MB}),
    ("cpd.certificate", "GET"): frozenset({MB, C}),  # its owner and coordinators
    ("cpd.import_activities", "GET"): MENTEES,
    ("cpd.import_activities", "POST"): MENTEES,
    ("cpd.mentee", "GET"): COORD,
    ("cpd.mentee_transcript", "GET"): COORD,
    ("cpd.import_for_mentee", "GET"): COORD,
    ("cpd.import_for_mentee", "POST"): COORD,
    ("cpd.rules", "GET"): COORDS,  # read only for the site coordinator
    ("cpd.rules", "POST"): COORD,
    ("api.openapi", "GET"): EVERYONE,
    ("api.reference", "GET"): EVERYONE,
    ("api.list_mentors", "GET"): COORDS,
    ("api.list_mentees", "GET"): COORDS,
    ("api.update_person", "PATCH"): COORD,
    ("api.list_mentorships", "GET"): COORDS,
    ("api.end_mentorship", "POST"): COORD,
    ("api.import_mentors", "POST"): COORDS,
    ("api.import_mentees", "POST"): COORDS,
    ("api.import_template", "GET"): COORDS,
    ("api.export", "GET"): COORDS,
    ("api.send_invitations", "POST"): COORDS,  # the site coordinator: their sites' people
    ("api.list_outbox", "GET"): COORDS,
    ("api.retry_mail", "POST"): COORD,
    ("api.create_round", "POST"): COORDS,
    ("api.list_rounds", "GET"): COORDS,
    ("api.get_round", "GET"): COORD,
    ("api.run_round", "POST"): COORD,
    ("api.round_candidates", "GET"): COORD,
    ("api.add_pin", "POST"): COORD,
    ("api.remove_pin", "DELETE"): COORD,
    ("api.add_exclusion", "POST"): COORD,
    ("api.remove_exclusion", "DELETE"): COORD,
    ("api.publish_round", "POST"): COORD,
    ("api.round_blocking_pairs", "GET"): COORD,
    ("api.submit_ranking", "PUT"): MENTORS,
    ("api.my_ranking", "GET"): MENTORS,
    ("api.ranking_submissions", "GET"): COORD,
    ("api.close_preferences", "POST"): COORD,
    ("api.my_suggestions", "GET"): MENTEES,
    ("api.create_request", "POST"): frozenset(),  # mentor B was never suggested to anyone
    ("api.list_requests", "GET"): SIGNED_IN,  # filtered: outsiders see none of B's
    ("api.accept_request", "POST"): frozenset(),  # 409: mentor B already mentors mentee B
    ("api.decline_request", "POST"): frozenset({TB}),
    ("api.create_shift", "POST"): B_SHIFT,  # with mentor_id = mentor B
    ("api.list_shifts", "GET"): SIGNED_IN,  # filtered: outsiders must not see B's shift
    ("api.get_shift", "GET"): B_SHIFT | {MB},
    ("api.update_shift", "PATCH"): B_SHIFT,
    ("api.cancel_shift", "DELETE"): B_SHIFT,
    ("api.book_shift", "POST"): frozenset({MB}),
    ("api.my_bookings", "GET"): MENTEES,
    ("api.get_booking", "GET"): B_BOOKING,
    ("api.cancel_booking", "DELETE"): B_BOOKING,
    ("api.record_attendance", "POST"): B_SHIFT,
    ("api.booking_invite", "GET"): B_BOOKING,
    ("api.my_calendar", "GET"): PARTICIPANTS,
    ("api.rotate_calendar", "POST"): PARTICIPANTS,
    ("api.my_cpd", "GET"): MENTEES,
    ("api.my_cpd_csv", "GET"): MENTEES,
    ("api.dashboard", "GET"): COORDS,
    # Guidance and feedback (contract §8): B's attended booking, progress, sign-off, goal.
    ("feedback.competency_list", "GET"): COORDS,  # read only for the site coordinator
    ("feedback.competency_list", "POST"): COORD,
    ("feedback.competency_edit", "GET"): COORD,
    ("feedback.competency_edit", "POST"): COORD,
    ("feedback.competency_import", "POST"): COORD,
    ("feedback.competency_export", "GET"): COORDS,
    ("feedback.mine", "GET"): PARTICIPANTS,
    ("feedback.booking", "GET"): B_BOOKING,
    ("feedback.save_feedback", "POST"): frozenset({TB}),  # a mentee never writes feedback
    ("feedback.save_reflection", "POST"): frozenset({MB}),
    ("feedback.progress_index", "GET"): SIGNED_IN,  # each sees only their own circle
    ("feedback.progress", "GET"): B_CIRCLE,
    ("feedback.add_sign_off", "POST"): frozenset({TB, C}),
    ("feedback.revoke_sign_off", "POST"): frozenset({TB, C}),
    ("feedback.agreement", "GET"): B_CIRCLE,
    ("feedback.add_goal", "POST"): B_PAIR,
    ("feedback.goal_status", "POST"): B_PAIR,
    ("feedback.add_checkin", "POST"): B_PAIR,
    ("feedback.add_evaluation", "POST"): B_PAIR,
    ("feedback.overview", "GET"): COORDS,
    ("feedback.nudge", "POST"): COORD,
    ("feedback.report_csv", "GET"): COORDS,
    ("api.list_competencies", "GET"): SIGNED_IN,
    ("api.create_competency", "POST"): COORD,
    ("api.update_competency", "PATCH"): COORD,
    ("api.export_competencies", "GET"): COORDS,
    ("api.import_competencies", "POST"): COORD,
    ("api.give_feedback", "POST"): frozenset({TB}),
    ("api.edit_feedback", "PATCH"): frozenset({TB}),
    ("api.get_feedback", "GET"): B_BOOKING,  # never another mentor's mentee's feedback
    ("api.give_reflection", "POST"): frozenset({MB}),
    ("api.get_reflection", "GET"): frozenset({MB, C}),  # never the mentor: no single rating
    ("api.my_ratings", "GET"): MENTORS,
    ("api.sign_off", "POST"): frozenset({TB, C}),
    ("api.revoke_sign_off", "DELETE"): frozenset({TB, C}),
    ("api.mentee_progress", "GET"): B_CIRCLE,
    ("api.get_agreement", "GET"): B_CIRCLE,
    ("api.add_goal", "POST"): B_PAIR,
    ("api.update_goal", "PATCH"): B_PAIR,
    ("api.log_checkin", "POST"): B_PAIR,
    ("api.submit_evaluation", "POST"): B_PAIR,
    ("api.my_tasks", "GET"): SIGNED_IN,
    ("api.overdue_overview", "GET"): COORDS,
    ("api.nudge_mentor", "POST"): COORD,
    ("api.feedback_report", "GET"): COORDS,
    ("api.update_certification", "PATCH"): MENTEES,
    ("api.create_activity", "POST"): MENTEES,
    ("api.update_activity", "PATCH"): frozenset({MB}),
    ("api.delete_activity", "DELETE"): frozenset({MB}),
    ("api.upload_certificate", "PUT"): frozenset({MB}),
    ("api.delete_certificate", "DELETE"): frozenset({MB}),
    ("api.activity_certificate", "GET"): frozenset({MB, C}),
    ("api.import_my_activities", "POST"): MENTEES,
    ("api.my_transcript_pdf", "GET"): MENTEES,
    ("api.my_transcript_csv", "GET"): MENTEES,
    ("api.mentee_cpd", "GET"): COORD,
    ("api.mentee_transcript_pdf", "GET"): COORD,
    ("api.import_mentee_activities", "POST"): COORD,
    ("api.cpd_compliance", "GET"): COORDS,
    ("api.cpd_compliance_csv", "GET"): COORDS,
    ("api.cpd_rules", "GET"): MENTEES | COORDS,
    ("api.replace_cpd_rules", "PUT"): COORD,
    # Site scopes, aimed at the site coordinator's own scope: they may read it, never change it.
    ("participants.coordinators", "GET"): COORD,
    ("participants.coordinator_scope", "GET"): COORD,
    ("participants.coordinator_scope", "POST"): COORD,
    ("api.list_coordinators", "GET"): COORD,
    ("api.get_scope", "GET"): COORD | SITE,
    ("api.set_scope", "PUT"): COORD,
}

# Run last for each identity: they end sessions, cancel things or replace the feed URL.
LAST = {
    "shifts.cancel_booking",
    "shifts.cancel",
    "shifts.cancel_series",
    "bookings.cancel",
    "api.cancel_booking",
    "api.cancel_shift",
    "calendar.rotate",
    "api.rotate_calendar",
    "rounds.publish",
    "api.publish_round",
    "feedback.revoke_sign_off",
    "api.revoke_sign_off",
    "suggestions.decline",
    "api.decline_request",
    "preferences.close",
    "api.close_preferences",
    "account.sign_out_everywhere",
    "cpd.delete_activity",
    "api.delete_activity",
    "api.delete_certificate",
    "auth.logout",
}

MENTEE_CSV = (
    "email,name,site,region,timezone,specialties,availability\n"
    "new.mentee@example.org,New Mentee,North,Midwest,America/Chicago,oncology,Mon 08:00-12:00\n"
)
COMPETENCY_CSV = "code,title,specialty\nNEW-3,Imported,oncology\n"
CE_CSV = "title,provider,completed_on,hours,uan\nLaw,Board,2024-05-01,1,0175-0000-24-105-L03-T\n"
PTCB = {
    "name": "PTCB",
    "total_hours": 20,
    "categories": [{"topic": "03", "hours": 1}, {"topic": "05", "hours": 1}],
    "caps": {"college": 10, "other": 0},
}
MENTOR_CSV = (
    "email,name,site,region,timezone,specialties,availability,capacity\n"
    "new.mentor@example.org,New Mentor,North,Midwest,America/Chicago,oncology,Mon 08:00-12:00,2\n"
)


def _rules(app) -> list[tuple[Any, str]]:
    pairs = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in ("static", "bootstrap.static"):  # files anyone may fetch
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            pairs.append((rule, method))
    return sorted(pairs, key=lambda p: (p[0].endpoint in LAST, p[0].endpoint == "auth.logout"))


def _current_feed_token(app, user_id: int) -> str:
    from mentor_match.extensions import db
    from mentor_match.models import User
    from mentor_match.services import calendars

    with app.app_context():
        token = calendars.feed_token(db.session, db.session.get(User, user_id), app.secret_key)
        db.session.commit()
        return token


def _invitation(app, user_id: int) -> str:
    from mentor_match.extensions import db
    from mentor_match.models import User
    from mentor_match.services import accounts

    with app.app_context():
        user = db.session.get(User, user_id)
        return accounts.invitation_token(user.id, user.password_hash, app.secret_key)


def _mentorship_of(app, mentee_id: int) -> int:
    from mentor_match.extensions import db
    from mentor_match.models import Mentorship

    with app.app_context():
        return db.session.scalar(db.select(Mentorship.id).where(Mentorship.mentee_id == mentee_id))


def _url(app, rule, p: Programme) -> str:
    guidance = any(word in rule.rule for word in ("/feedback", "/reflection"))
    values = {
        "shift_id": p.shift_id,
        "booking_id": p.attended_booking_id if guidance else p.booking_id,
        "competency_id": p.competency_id,
        "mentee_id": p.ids[MB],
        "mentor_id": p.ids[TB],
        "signoff_id": p.signoff_id,
        "goal_id": p.goal_id,
        "round_id": p.round_id,
        "request_id": p.request_id,
        "user_id": p.ids[MB],
        "activity_id": p.activity_id,
        "mentorship_id": _mentorship_of(app, p.ids[MB]),
        "kind": "mentees",
        "mail_id": 1,  # the programme's first mail (sent already: retrying it is a 409)
        "token_id": p.spare_token_id,
        "chart": "shifts_by_week",
        "coordinator_id": p.ids[SC],
        "token": (
            _invitation(app, p.invitee_id)
            if rule.endpoint == "auth.welcome"
            else _current_feed_token(app, p.ids[MB])
        ),
    }
    args = {name: values[name] for name in rule.arguments}
    with app.test_request_context():
        from flask import url_for

        return url_for(rule.endpoint, **args)


def _api_body(endpoint: str, p: Programme) -> dict[str, Any]:
    """Keyword arguments for the test client: a body the endpoint accepts."""
    start, end = shift_times(hours=24 * 20)
    pair = {"mentee_id": p.ids[MB], "mentor_id": p.ids[TB]}
    bodies: dict[str, dict[str, Any]] = {
        "api.update_person": {"json": {"active": True}},
        "api.create_shift": {
            "json": {
                "start": start.isoformat(),
                "end": end.isoformat(),
                "seats": 2,
                "location": "Lab",
                "specialty": "oncology",
                "mentor_id": p.ids[TB],
            }
        },
        "api.update_shift": {"json": {"seats": 3, "location": "Room B-secret"}},
        "api.book_shift": {"json": {"waitlist": True}},
        "api.record_attendance": {"json": {"attended": True, "hours": 1}},
        "api.create_round": {"json": {"name": "Autumn cohort"}},
        "api.add_pin": {"json": pair},
        "api.remove_pin": {"json": pair},
        "api.add_exclusion": {"json": pair},
        "api.remove_exclusion": {"json": pair},
        "api.import_mentees": {"data": MENTEE_CSV, "content_type": "text/csv"},
        "api.import_mentors": {"data": MENTOR_CSV, "content_type": "text/csv"},
        "api.round_candidates": {"query_string": {"mentee_id": p.ids[MB]}},
        "api.submit_ranking": {"json": {"ranking": []}},
        "api.create_request": {"json": {"mentor_id": p.ids[TB]}},
        "api.list_shifts": {"query_string": {"mentor_id": p.ids[TB]}},
        "api.create_competency": {"json": {"code": "NEW-1", "title": "New"}},
        "api.update_competency": {"json": {"title": "Clear communication"}},
        "api.import_competencies": {"data": COMPETENCY_CSV, "content_type": "text/csv"},
        "api.give_feedback": {"json": {"strengths": "x", "next_steps": "y"}},
        "api.edit_feedback": {"json": {"next_steps": "Room B-secret next steps"}},
        "api.give_reflection": {"json": {"learned": "a", "apply": "b", "session_rating": 4}},
        "api.sign_off": {"json": {"competency_id": p.competency_id}},
        "api.revoke_sign_off": {"json": {"reason": "shown again later"}},
        "api.add_goal": {"json": {"title": "Garb unaided"}},
        "api.update_goal": {"json": {"status": "open"}},
        "api.log_checkin": {"json": {"date": date.today().isoformat(), "minutes": 20}},
        "api.submit_evaluation": {
            "json": {"stage": "midpoint", "ratings": dict.fromkeys(MENTEE_QUESTIONS, 4)}
        },
        "api.update_certification": {"json": {"ptcb_number": "1234567"}},
        "api.create_activity": {
            "json": {
                "title": "Law",
                "provider": "Board",
                "completed_on": "2024-05-01",
                "hours": 1,
                "uan": "0175-0000-24-105-L03-T",
            }
        },
        "api.update_activity": {"json": {"hours": 2}},
        "api.upload_certificate": {"data": b"%PDF-1.4 changed", "content_type": "application/pdf"},
        "api.import_my_activities": {"data": CE_CSV, "content_type": "text/csv"},
        "api.import_mentee_activities": {"data": CE_CSV, "content_type": "text/csv"},
        "api.replace_cpd_rules": {"json": PTCB},
        "api.set_scope": {"json": {"sites": ["North"], "regions": []}},
    }
    return bodies.get(endpoint, {})


def _form(endpoint: str, p: Programme, who: str) -> dict[str, Any]:
    """Form fields the page accepts (the CSRF token is added by the caller)."""
    start, _ = shift_times(hours=24 * 30)
    day = start.date().isoformat()
    pair = {"mentee_id": str(p.ids[MB]), "mentor_id": str(p.ids[TB])}
    profile: dict[str, Any] = {
        "name": who.replace("_", " ").title(),
        "timezone": "America/Chicago",
        "site_id": str(p.site_ids.get(who, 0)),  # each stays at their own site
        "windows-0-day": "Mon",
        "windows-0-start": "08:00",
        "windows-0-end": "12:00",
    }
    if who.startswith("mentor"):
        profile |= {"capacity": "2", "specialties": ["1"]}
    else:
        profile |= {"ranked-0": "1"}
    weights = {
        "specialty": "40",
        "availability": "30",
        "site": "15",
        "region": "5",
        "preference": "10",
        "saturation_hours": "10",
    }
    activity = {
        "title": "Law",
        "provider": "Board",
        "completed_on": "2024-05-01",
        "hours": "1",
        "kind": "ce",
        "uan": "0175-0000-24-105-L03-T",
    }
    forms: dict[str, dict[str, Any]] = {
        "auth.login": {"email": "mentee.b@example.org", "password": "not the password"},
        "auth.welcome": {"password": "a long new password", "confirm": "something else"},
        "auth.forgot_password": {"email": "mentee.b@example.org"},
        "account.change_password": {
            "pw-current": PASSWORD,
            "pw-new": PASSWORD,
            "pw-confirm": PASSWORD,
        },
        "account.create_token": {"tok-name": "script"},
        "account.revoke_token": {"rev-token_id": str(p.spare_token_id)},
        "profile.edit": profile,
        "participants.edit_profile": {**profile, "ranked-0": "1"},
        "imports.preview": {
            "kind": "mentees",
            "token_id": p.spare_token_id,
            "file": (io.BytesIO(MENTEE_CSV.encode()), "mentees.csv"),
        },
        "imports.confirm": {"key": p.import_key},
        "rounds.new": {"name": "Autumn cohort", "min_overlap_hours": "2"} | weights,
        "participants.set_active": {"active": "1"},
        "rounds.add_pin": pair,
        "rounds.remove_pin": pair,
        "rounds.add_exclusion": pair,
        "rounds.remove_exclusion": pair,
        "shifts.new": {
            "day": day,
            "start": "09:00",
            "end": "12:00",
            "seats": "2",
            "location": "Lab",
            "specialty": "oncology",
        },
        "shifts.series": {
            "first_day": day,
            "last_day": (start + timedelta(days=7)).date().isoformat(),
            "seats": "2",
        },
        "shifts.edit": {
            "day": day,
            "start": "09:00",
            "end": "12:00",
            "seats": "3",
            "location": "Room B-secret",
        },
        "shifts.attendance": {"attended": "yes", "hours": "1"},
        "shifts.hand_over": {"mentor_id": str(p.ids[TA])},
        "bookings.book": {"waitlist": "1"},
        "feedback.competency_list": {"new-code": "NEW-2", "new-title": "New", "new-active": "y"},
        "feedback.competency_edit": {"code": "GEN-COMM", "title": "Talking", "active": "y"},
        "feedback.competency_import": {
            "csv-file": (io.BytesIO(COMPETENCY_CSV.encode()), "competencies.csv")
        },
        "feedback.save_feedback": {"strengths": "Room B-secret strengths", "next_steps": "n"},
        "feedback.save_reflection": {"learned": "a", "apply": "b", "session_rating": "4"},
        "feedback.add_sign_off": {"competency_id": str(p.competency_id)},
        "feedback.revoke_sign_off": {"revoke-reason": "shown again later"},
        "feedback.add_goal": {"goal-title": "Garb unaided"},
        "feedback.goal_status": {"status-status": "open"},
        "feedback.add_checkin": {
            "checkin-date": date.today().isoformat(),
            "checkin-minutes": "20",
        },
        "feedback.add_evaluation": {"stage": "midpoint"}
        | {f"q-{name}": "4" for name in (MENTOR_QUESTIONS if who == TB else MENTEE_QUESTIONS)},
        "cpd.certification": {"ptcb_number": "1234567", "cycle_ends": day},
        "participants.coordinator_scope": {"sites": ["North"]},
        "cpd.new_activity": activity,
        "cpd.edit_activity": activity | {"hours": "2"},
        "cpd.import_activities": {"file": (io.BytesIO(CE_CSV.encode()), "ce.csv")},
        "cpd.import_for_mentee": {"file": (io.BytesIO(CE_CSV.encode()), "ce.csv")},
        "cpd.rules": {
            "name": "PTCB",
            "total_hours": "20",
            "cycle_years": "2",
            "topic_03": "1",
            "topic_05": "1",
            "college_cap": "10",
            "other_cap": "0",
        },
    }
    return forms.get(endpoint, {})


def _prefixed_csrf(form: dict[str, Any], token: str) -> dict[str, Any]:
    """Forms with a prefix carry their token as '<prefix>-csrf_token' as well."""
    out = dict(form, csrf_token=token)
    for name in list(form):
        if "-" in name and not name.startswith(("windows-", "ranked-")):
            out[f"{name.split('-', 1)[0]}-csrf_token"] = token
    return out


def _flashed_errors(client) -> list[str]:
    with client.session_transaction() as session:
        flashes = session.pop("_flashes", [])
    return [message for category, message in flashes if category == "error"]


def _granted(response, client, is_api: bool) -> bool:
    """Did the request do or show what it asked for? 2xx, or (pages) a redirect that is not
    to the sign-in page and carries no error message."""
    if 200 <= response.status_code < 300:
        return True
    if is_api or not 300 <= response.status_code < 400:
        return False
    location = response.headers.get("Location", "")
    if "/login" in location:
        return False
    return not _flashed_errors(client)


def _site_id(p: Programme, name: str) -> int:
    from mentor_match.extensions import db
    from mentor_match.models import Site

    return db.session.scalar(db.select(Site.id).where(Site.name == name))


def _snapshot(app, p: Programme) -> dict[str, Any]:
    """B's objects as the database holds them."""
    from mentor_match.extensions import db
    from mentor_match.models import (
        ApiToken,
        Booking,
        CalendarToken,
        CeActivity,
        Certification,
        CpdRuleSet,
        MatchRound,
        PendingImport,
        RoundExclusion,
        RoundPin,
        RoundSite,
        Shift,
        User,
    )
    from mentor_match.services.scopes import people_of_sites

    b_side = {p.ids[MB], p.ids[TB], p.ids[C]}
    with app.app_context():
        shift = db.session.get(Shift, p.shift_id)
        booking = db.session.get(Booking, p.booking_id)
        match_round = db.session.get(MatchRound, p.round_id)
        state = {
            "shift": (
                shift.start_at,
                shift.end_at,
                shift.seats,
                shift.seats_taken,
                shift.status,
                shift.location,
                shift.sequence,
                shift.mentor_id,
            ),
            "booking": (booking.status, booking.attended, booking.hours, booking.sequence),
            "round": (match_round.status, match_round.name),
            "pins": db.session.scalar(db.select(db.func.count()).select_from(RoundPin)),
            "exclusions": db.session.scalar(db.select(db.func.count()).select_from(RoundExclusion)),
            "pending": db.session.scalar(
                db.select(PendingImport.id).where(PendingImport.key == p.import_key)
            ),
            "spare_token": db.session.get(ApiToken, p.spare_token_id).revoked_at,
            "calendar_tokens": sorted(
                (t.user_id, t.seed)
                for t in db.session.scalars(db.select(CalendarToken))
                if t.user_id in b_side
            ),
            "users": sorted(
                (u.id, u.email, u.role, u.password_hash, u.active)
                for u in db.session.scalars(db.select(User))
                if u.id in b_side or u.id == p.invitee_id
            ),
            # The site coordinator may add people at their own site (North), nowhere else.
            "user_count": db.session.scalar(
                db.select(db.func.count())
                .select_from(User)
                .where(~people_of_sites(User.id, [_site_id(p, "North")]))
            ),
            "shifts_of_b": db.session.scalar(
                db.select(db.func.count()).select_from(Shift).where(Shift.mentor_id == p.ids[TB])
            ),
            "bookings_on_b": db.session.scalar(
                db.select(db.func.count())
                .select_from(Booking)
                .where(Booking.shift_id == p.shift_id)
            ),
            # ... and rounds over their own sites; no programme-wide round.
            "rounds": db.session.scalar(
                db.select(db.func.count())
                .select_from(MatchRound)
                .where(
                    ~db.select(RoundSite.round_id)
                    .where(RoundSite.round_id == MatchRound.id)
                    .exists()
                )
            ),
            "guidance": _guidance_snapshot(p),
            "activities_of_b": sorted(
                (a.id, a.title, a.hours, a.uan, a.certificate_key)
                for a in db.session.scalars(
                    db.select(CeActivity).where(CeActivity.user_id == p.ids[MB])
                )
            ),
            "certification_of_b": db.session.scalar(
                db.select(Certification.ptcb_number).where(Certification.user_id == p.ids[MB])
            ),
            "rule_sets": db.session.scalar(db.select(db.func.count()).select_from(CpdRuleSet)),
        }
        db.session.rollback()
        return state


def _guidance_snapshot(p: Programme) -> tuple:
    """B's feedback, reflection, sign-offs, goals, check-ins and evaluations as stored."""
    from mentor_match.extensions import db
    from mentor_match.models import (
        CheckIn,
        Competency,
        Evaluation,
        Goal,
        Reflection,
        ShiftFeedback,
        SignOff,
    )

    feedback = db.session.scalar(
        db.select(ShiftFeedback).where(ShiftFeedback.booking_id == p.attended_booking_id)
    )
    return (
        (
            feedback.strengths,
            feedback.next_steps,
            [(r.competency_id, r.level) for r in feedback.ratings],
        ),
        db.session.execute(db.select(Reflection.learned, Reflection.session_rating)).all(),
        db.session.execute(
            db.select(SignOff.id, SignOff.competency_id, SignOff.revoked_at).order_by(SignOff.id)
        ).all(),
        db.session.execute(db.select(Goal.id, Goal.title, Goal.status).order_by(Goal.id)).all(),
        db.session.scalar(db.select(db.func.count()).select_from(CheckIn)),
        db.session.scalar(db.select(db.func.count()).select_from(Evaluation)),
        db.session.execute(
            db.select(Competency.code, Competency.title, Competency.active).order_by(Competency.id)
        ).all(),
    )


def _call(app, p: Programme, who: str, rule, method: str):
    is_api = rule.endpoint.startswith("api.")
    url = _url(app, rule, p)
    if is_api:
        client = app.test_client()
        return client, client.open(
            url, method=method, headers=p.api[who], **_api_body(rule.endpoint, p)
        )
    client = p.pages[who]
    kwargs: dict[str, Any] = {}
    if method == "GET" and rule.endpoint == "rounds.candidates":
        kwargs["query_string"] = {"mentee_id": p.ids[MB]}
    if method != "GET":
        form = _prefixed_csrf(_form(rule.endpoint, p, who), p.csrf[who])
        kwargs = {"data": form, "headers": {"X-CSRFToken": p.csrf[who]}}
    return client, client.open(url, method=method, **kwargs)


def test_every_route_refuses_what_the_policy_does_not_allow(app, programme, capsys):
    """Checked: every (route, method) in the URL map × 6 identities; the figure is printed.
    Every answer also carries the security headers."""
    p = programme
    rules = _rules(app)
    missing = sorted({(r.endpoint, m) for r, m in rules} - set(POLICY))
    assert not missing, f"routes without an access policy: {missing}"
    stale = sorted(set(POLICY) - {(r.endpoint, m) for r, m in rules})
    assert not stale, f"policy entries for routes that no longer exist: {stale}"

    before = _snapshot(app, p)
    problems: list[str] = []
    checked = 0
    for who in IDENTITIES:
        if who == MB:
            # Outsiders have had their turn: B's objects must be exactly as they were.
            assert _snapshot(app, p) == before
        for rule, method in rules:
            label = f"{method} {rule.rule} as {who}"
            is_api = rule.endpoint.startswith("api.")
            try:
                client, response = _call(app, p, who, rule, method)
            except Exception as exc:  # noqa: BLE001 - reported below as the 500 it would be
                problems.append(f"{label}: 500 ({type(exc).__name__}: {exc})")
                continue
            checked += 1
            if response.status_code >= 500:
                problems.append(f"{label}: {response.status_code}")
                continue
            try:
                assert_secure_headers(response, label)
            except AssertionError as exc:
                problems.append(str(exc))
            granted = _granted(response, client, is_api)
            allowed = who in POLICY[(rule.endpoint, method)]
            if granted and not allowed:
                problems.append(f"{label}: {response.status_code} but the policy says no")
            if allowed and response.status_code in (401, 403):
                problems.append(f"{label}: {response.status_code} but the policy says yes")
            if granted and who in OUTSIDERS and rule.endpoint != "calendar.feed":
                body = response.get_data().decode("utf-8", "replace")  # PDFs too
                leaked = [s for s in B_SECRETS if s in body]
                if leaked:
                    problems.append(f"{label}: shows B's data {leaked}")
    assert not problems, "\n".join(problems)
    figure = (
        f"access matrix: {len(rules)} route-methods × {len(IDENTITIES)} identities"
        f" = {checked} requests checked"
    )
    with capsys.disabled():
        print(f"\n{figure}")
    assert checked == len(rules) * len(IDENTITIES)


@pytest.mark.parametrize("who", [MA, TA, MB, TB, C])
def test_the_api_ignores_session_cookies(app, programme, who):
    """A signed-in browser's cookie is no credential for /api/v1: only bearer tokens are."""
    client = programme.pages[who]
    for rule, method in _rules(app):
        public = ("api.openapi", "api.reference")
        if not rule.endpoint.startswith("api.") or rule.endpoint in public:
            continue
        response = client.open(
            _url(app, rule, programme), method=method, **_api_body(rule.endpoint, programme)
        )
        assert response.status_code == 401, f"{method} {rule.rule} as {who}: {response.status}"
