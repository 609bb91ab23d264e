"""What was the whole programme's, kept to a site-scoped coordinator's sites: the outbox,
inviting everyone without a password, rankings and mentor requests of their rounds, CE
certificates, a dashboard over all their sites; the competency framework and the CPD rules
stay programme-wide settings they can read but not change, and are told so."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from mentor_match.extensions import db
from mentor_match.models import (
    MailState,
    MatchRound,
    MentorRequest,
    OutboxMail,
    PendingInvitation,
    Site,
    User,
)
from tests.helpers import csrf_token, login

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _mails(app, *recipients: str) -> dict[str, int]:
    """One failed mail to each of `recipients` (a "to" as stored); their ids by recipient."""
    with app.app_context():
        rows = {
            to: OutboxMail(to=to, subject=f"To {to}", body="Hello", state=MailState.FAILED.value)
            for to in recipients
        }
        db.session.add_all(rows.values())
        db.session.commit()
        return {to: row.id for to, row in rows.items()}


def test_the_outbox_shows_and_retries_the_mails_of_their_sites(app, client, sites):
    north, boss = sites.api["north"], sites.api["boss"]
    ids = _mails(
        app,
        "north.mentee@example.org",
        "harbour.mentee@example.org",
        # A pair's mail is each side's (the mentee's coordinators and the mentor's).
        "north.mentee@example.org, harbour.mentor@example.org",
        "harbour.mentee@example.org, harbour.mentor@example.org",
        # LIKE's wildcards in an address match nothing but themselves.
        "x@example.org, north_mentee@example.org",
        # Three or more people: any of them.
        "x@example.org, north.mentee@example.org, y@example.org",
        "x@example.org, y@example.org, north.mentee@example.org",
        "x@example.org, y@example.org, harbour.mentee@example.org",
    )
    mine = client.get("/api/v1/outbox", headers=north)
    assert mine.status_code == 200
    shown = {item["to"] for item in mine.get_json()["items"]}
    assert shown == {
        "north.mentee@example.org",
        "north.mentee@example.org, harbour.mentor@example.org",
        "x@example.org, north.mentee@example.org, y@example.org",
        "x@example.org, y@example.org, north.mentee@example.org",
    }
    assert mine.get_json()["failed"] == 4 and mine.get_json()["queued"] == 0
    everything = client.get("/api/v1/outbox", headers=boss).get_json()
    assert everything["failed"] == 8

    other = ids["harbour.mentee@example.org"]
    assert client.post(f"/api/v1/outbox/{other}/retry", headers=north).status_code == 404
    retried = client.post(f"/api/v1/outbox/{ids['north.mentee@example.org']}/retry", headers=north)
    assert retried.status_code == 200
    with app.app_context():
        assert db.session.get(OutboxMail, other).retried_at is None

    login(client, "north@example.org")
    page = client.get("/outbox/").get_data(as_text=True)
    assert "To north.mentee@example.org" in page and "To harbour.mentee" not in page
    assert "people of your sites" in page
    token = csrf_token(client, "/outbox/")
    refused = client.post(f"/outbox/{other}/retry", data={"csrf_token": token})
    assert refused.status_code == 302
    with app.app_context():
        assert db.session.get(OutboxMail, other).retried_at is None


def test_send_all_invitations_invites_the_people_of_their_sites(app, client, sites):
    with app.app_context():
        for key in ("north_mentee", "harbour_mentee"):
            db.session.get(User, sites.people[key]).password_hash = None
        db.session.commit()
    login(client, "north@example.org")
    page = client.get("/imports/").get_data(as_text=True)
    assert "1 person has (mentors\n        and mentees of your sites)" in page

    answer = client.post("/api/v1/invitations", headers=sites.api["north"])
    assert answer.status_code == 200 and answer.get_json() == {"invited": 1}
    with app.app_context():
        assert not db.session.scalars(db.select(PendingInvitation)).all()  # written at once
        invited = {m.to for m in db.session.scalars(db.select(OutboxMail))}
    assert invited == {"north.mentee@example.org"}
    everyone = client.post("/api/v1/invitations", headers=sites.api["boss"])
    assert everyone.get_json() == {"invited": 2}


def _rounds(client, sites) -> tuple[int, int]:
    mine = client.post("/api/v1/rounds", json={"name": "North spring"}, headers=sites.api["north"])
    theirs = client.post("/api/v1/rounds", json={"name": "Everyone"}, headers=sites.api["boss"])
    return mine.get_json()["id"], theirs.get_json()["id"]


def test_preference_windows_of_their_rounds_only(app, client, sites):
    north = sites.api["north"]
    mine, theirs = _rounds(client, sites)
    submitted = client.get(f"/api/v1/rounds/{mine}/preferences", headers=north)
    assert submitted.status_code == 200
    people = {p["name"] for p in submitted.get_json()["people"]}
    assert people == {"North Mentee", "North Mentor"}  # the pool of the round's sites
    assert client.get(f"/api/v1/rounds/{theirs}/preferences", headers=north).status_code == 404
    assert (
        client.post(f"/api/v1/rounds/{theirs}/preferences/close", headers=north).status_code == 404
    )
    closed = client.post(f"/api/v1/rounds/{mine}/preferences/close", headers=north)
    assert closed.status_code == 200

    login(client, "north@example.org")
    assert client.get(f"/preferences/{mine}/submitted").status_code == 200
    assert client.get(f"/preferences/{theirs}/submitted").status_code == 404
    token = csrf_token(client, f"/preferences/{mine}/submitted")
    assert (
        client.post(f"/preferences/{theirs}/close", data={"csrf_token": token}).status_code == 404
    )
    with app.app_context():
        assert db.session.get(MatchRound, theirs).preferences_closed_at is None
        assert db.session.get(MatchRound, mine).preferences_closed_at is not None


def test_the_request_board_shows_the_requests_of_their_rounds(app, client, sites):
    north = sites.api["north"]
    mine, theirs = _rounds(client, sites)
    people = sites.people
    with app.app_context():
        expires = datetime.now(UTC) + timedelta(days=7)
        for round_id, mentee, mentor in (
            (mine, "north_mentee", "north_mentor"),
            (theirs, "harbour_mentee", "harbour_mentor"),
        ):
            db.session.add(
                MentorRequest(
                    mentee_id=people[mentee],
                    mentor_id=people[mentor],
                    round_id=round_id,
                    expires_at=expires,
                )
            )
        db.session.commit()
    listed = client.get("/api/v1/requests", headers=north).get_json()
    assert [r["mentee_id"] for r in listed["items"]] == [people["north_mentee"]]
    assert listed["total"] == 1
    one_round = client.get("/api/v1/requests", query_string={"round_id": mine}, headers=north)
    assert one_round.get_json()["total"] == 1
    hidden = client.get("/api/v1/requests", query_string={"round_id": theirs}, headers=north)
    assert hidden.status_code == 404
    assert client.get("/api/v1/requests", headers=sites.api["boss"]).get_json()["total"] == 2

    login(client, "north@example.org")
    board = client.get("/suggestions/board")
    assert board.status_code == 200
    text = board.get_data(as_text=True)
    assert "North Mentee" in text and "Harbour Mentee" not in text
    assert client.get(f"/suggestions/board?round={mine}").status_code == 200
    assert client.get(f"/suggestions/board?round={theirs}").status_code == 404
    assert client.get("/suggestions/board?round=x").status_code == 404


def test_ce_certificates_of_mentees_of_their_sites(client, sites, token_for):
    north = sites.api["north"]
    urls = {}
    for key in ("north_mentee", "harbour_mentee"):
        mentee = token_for(sites.people[key])
        created = client.post(
            "/api/v1/me/cpd/activities",
            json={
                "title": "Pharmacy law update",
                "provider": "State Pharmacy Association",
                "completed_on": (datetime.now(UTC).date() - timedelta(days=30)).isoformat(),
                "hours": 1.5,
                "kind": "ce",
                "uan": "0175-0000-24-105-L03-T",
            },
            headers=mentee,
        ).get_json()
        put = f"/api/v1/me/cpd/activities/{created['id']}/certificate"
        stored = client.put(put, data=PNG, content_type="image/png", headers=mentee)
        assert stored.status_code == 200
        urls[key] = created["id"]
    mine = client.get(f"/api/v1/cpd/activities/{urls['north_mentee']}/certificate", headers=north)
    assert mine.status_code == 200 and mine.data == PNG
    other = f"/api/v1/cpd/activities/{urls['harbour_mentee']}/certificate"
    assert client.get(other, headers=north).status_code == 404
    assert client.get(other, headers=sites.api["boss"]).data == PNG

    login(client, "north@example.org")
    assert client.get(f"/cpd/activities/{urls['north_mentee']}/certificate").data == PNG
    assert client.get(f"/cpd/activities/{urls['harbour_mentee']}/certificate").status_code == 404


def test_the_dashboard_shows_all_their_sites_at_once(app, client, sites):
    boss, north = sites.api["boss"], sites.api["north"]
    widened = client.put(
        f"/api/v1/coordinators/{sites.north}/scope",
        json={"sites": ["North", "Harbour"]},
        headers=boss,
    )
    assert widened.status_code == 200
    with app.app_context():
        ids = dict(db.session.execute(db.select(Site.name, Site.id)).all())
        db.session.add(Site(name="Pier", region="East", timezone="America/Chicago"))
        db.session.commit()
        pier = db.session.scalar(db.select(Site.id).where(Site.name == "Pier"))

    board = client.get("/api/v1/dashboard", headers=north).get_json()
    assert board["filters"]["sites"] == [ids["Harbour"], ids["North"]]  # by name
    assert board["filters"]["site_names"] == ["Harbour", "North"]
    assert board["filters"]["site"] is None  # more than one
    by_site = {row["site"] for row in board["charts"]["capacity_by_site"]["rows"]}
    assert by_site == {"Harbour", "North"}

    one = client.get("/api/v1/dashboard", query_string={"site": ids["North"]}, headers=north)
    assert one.get_json()["filters"]["site"] == ids["North"]
    both = client.get(
        f"/api/v1/dashboard?site={ids['North']}&site={ids['Harbour']}", headers=north
    ).get_json()
    assert both["filters"]["sites"] == board["filters"]["sites"]
    listed = client.get(f"/api/v1/dashboard?site={ids['North']},{ids['Harbour']}", headers=north)
    assert listed.get_json()["filters"]["sites"] == board["filters"]["sites"]
    outside = client.get(f"/api/v1/dashboard?site={ids['North']}&site={pier}", headers=north)
    assert outside.status_code == 422
    assert outside.get_json()["error"]["details"][0]["field"] == "site"
    bad = client.get("/api/v1/dashboard?site=1&site=x", headers=north)
    assert bad.status_code == 422

    # A programme-wide coordinator picks several too; none means every site.
    picked = client.get(f"/api/v1/dashboard?site={ids['North']}&site={pier}", headers=boss)
    assert picked.get_json()["filters"]["site_names"] == ["North", "Pier"]
    assert client.get("/api/v1/dashboard", headers=boss).get_json()["filters"]["sites"] == []

    login(client, "north@example.org")
    page = client.get("/dashboard").get_data(as_text=True)
    assert "Harbour, North." in page and "Every site" not in page and "Pier" not in page
    assert page.count('type="checkbox" name="site"') == 2 and page.count(" checked") == 2
    chosen = client.get(f"/dashboard?site={ids['North']}").get_data(as_text=True)
    assert f"&amp;site={ids['North']}</code>" in chosen and "Harbour," not in chosen
    assert client.get(f"/dashboard?site={pier}").status_code == 422


def test_programme_settings_are_read_not_changed_and_the_refusal_says_why(app, client, sites):
    north = sites.api["north"]
    created = client.post(
        "/api/v1/competencies", json={"code": "N-1", "title": "North only"}, headers=north
    )
    assert created.status_code == 403
    assert created.get_json()["error"]["code"] == "programme_wide_only"
    assert "programme-wide coordinators only" in created.get_json()["error"]["message"].lower()
    assert client.get("/api/v1/competencies", headers=north).status_code == 200
    assert client.get("/api/v1/competencies/export", headers=north).status_code == 200
    assert client.get("/api/v1/cpd/rules", headers=north).status_code == 200
    rules = client.put("/api/v1/cpd/rules", json={"total_hours": 1}, headers=north)
    assert rules.status_code == 403
    assert "programme-wide coordinators only" in rules.get_json()["error"]["message"].lower()

    login(client, "north@example.org")
    framework = client.get("/competencies/").get_data(as_text=True)
    assert "Programme-wide coordinators only" in framework
    assert "Add a competency" not in framework
    token = csrf_token(client, "/competencies/")
    refused = client.post(
        "/competencies/",
        data={"csrf_token": token, "new-code": "N-1", "new-title": "North only"},
    )
    assert refused.status_code == 303
    told = client.get("/competencies/").get_data(as_text=True)
    assert "North only" not in told and "can change the competency framework" in told
    assert client.get("/competencies/export.csv").status_code == 200

    page = client.get("/cpd/rules").get_data(as_text=True)
    assert "Programme-wide coordinators only" in page and "Save the rules" not in page
    changed = client.post("/cpd/rules", data={"csrf_token": token, "total_hours": "1"})
    assert changed.status_code == 303
    assert "can change the recertification rules" in client.get("/cpd/rules").get_data(as_text=True)
    # Pages nobody made site-aware explain the refusal too.
    other = client.get(f"/preferences/{_rounds(client, sites)[1]}/submitted")
    assert other.status_code == 404
    coordinators = client.get("/participants/coordinators")
    assert coordinators.status_code == 403
    assert "Programme-wide coordinators only" in coordinators.get_data(as_text=True)
