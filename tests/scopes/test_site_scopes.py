"""Site-scoped coordinators: they see, import, match and export only the people of their sites;
anything else is a 404; only a programme-wide coordinator sets scopes."""

from __future__ import annotations

from mentor_match.extensions import db
from mentor_match.models import MatchRound, RoundSite, Site, User
from tests.helpers import login

HEADER = "email,name,site,region,timezone,specialties,availability\n"


def _emails(items: list[dict]) -> set[str]:
    return {item["email"] for item in items}


def test_lists_profiles_and_exports_keep_to_the_sites(app, client, sites):
    north = sites.api["north"]
    mentees = client.get("/api/v1/mentees", headers=north).get_json()
    assert _emails(mentees["items"]) == {"north.mentee@example.org"}
    assert mentees["total"] == 1
    mentors = client.get("/api/v1/mentors", headers=north).get_json()
    assert _emails(mentors["items"]) == {"north.mentor@example.org"}
    everyone = client.get("/api/v1/mentees", headers=sites.api["boss"]).get_json()
    assert everyone["total"] == 2

    harbour = sites.people["harbour_mentee"]
    # Another site's person does not exist for them, for reads and writes alike.
    answer = client.patch(f"/api/v1/people/{harbour}", json={"active": False}, headers=north)
    assert answer.status_code == 404
    export = client.get("/api/v1/exports/mentees.csv", headers=north).get_data(as_text=True)
    assert "north.mentee@example.org" in export and "harbour" not in export

    login(client, "north@example.org")
    page = client.get("/participants/?role=mentee").get_data(as_text=True)
    assert "North Mentee" in page and "Harbour Mentee" not in page
    assert client.get(f"/participants/{harbour}").status_code == 404
    assert client.get(f"/participants/{sites.people['north_mentee']}").status_code == 200
    assert client.get(f"/participants/{harbour}/profile").status_code == 404
    home = client.get("/").get_data(as_text=True)
    assert "Harbour" not in home
    page_export = client.get("/imports/export/mentors.csv").get_data(as_text=True)
    assert "north.mentor@example.org" in page_export and "harbour" not in page_export
    with app.app_context():
        assert db.session.get(User, harbour).active


def test_routes_not_yet_kept_to_sites_refuse_a_scoped_coordinator(client, sites):
    """Programme-wide settings (and any route not made scope-aware) answer 403, never data,
    saying why."""
    north = sites.api["north"]
    refused = client.put("/api/v1/cpd/rules", json={}, headers=north)
    assert refused.status_code == 403
    error = refused.get_json()["error"]
    assert error["code"] == "programme_wide_only"
    assert "programme-wide coordinators only" in error["message"].lower()
    assert client.get("/api/v1/coordinators", headers=north).status_code == 403
    assert client.get("/api/v1/coordinators", headers=sites.api["boss"]).status_code == 200


def test_only_a_programme_wide_coordinator_sets_scopes(client, sites):
    north, boss = sites.api["north"], sites.api["boss"]
    mine = client.get(f"/api/v1/coordinators/{sites.north}/scope", headers=north)
    assert mine.get_json()["sites"] == ["North"] and not mine.get_json()["programme_wide"]
    # A scoped coordinator can neither widen their own scope nor touch anyone's.
    widen = client.put(
        f"/api/v1/coordinators/{sites.north}/scope",
        json={"sites": [], "regions": []},
        headers=north,
    )
    assert widen.status_code == 403
    other = client.put(
        f"/api/v1/coordinators/{sites.boss}/scope", json={"sites": ["North"]}, headers=north
    )
    assert other.status_code == 403
    assert client.get(f"/api/v1/coordinators/{sites.boss}/scope", headers=north).status_code == 404
    assert client.get("/api/v1/coordinators", headers=north).status_code == 403

    unknown = client.put(
        f"/api/v1/coordinators/{sites.north}/scope",
        json={"sites": ["Nowhere"], "regions": ["Atlantis"]},
        headers=boss,
    )
    assert unknown.status_code == 422
    fields = {d["field"] for d in unknown.get_json()["error"]["details"]}
    assert fields == {"sites", "regions"}
    stray = client.put(
        f"/api/v1/coordinators/{sites.north}/scope", json={"sites": [], "colour": 1}, headers=boss
    )
    assert stray.status_code == 422
    # A region counts its sites, those created later too.
    by_region = client.put(
        f"/api/v1/coordinators/{sites.north}/scope", json={"regions": ["East"]}, headers=boss
    )
    assert by_region.status_code == 200 and by_region.get_json()["regions"] == ["East"]
    mentees = client.get("/api/v1/mentees", headers=north).get_json()
    assert _emails(mentees["items"]) == {"harbour.mentee@example.org"}
    # The last programme-wide coordinator cannot limit themself.
    last = client.put(
        f"/api/v1/coordinators/{sites.boss}/scope", json={"sites": ["North"]}, headers=boss
    )
    assert last.status_code == 409
    back = client.put(f"/api/v1/coordinators/{sites.north}/scope", json={}, headers=boss)
    assert back.get_json()["programme_wide"] is True
    assert client.get("/api/v1/mentees", headers=north).get_json()["total"] == 2


def test_the_scope_page(client, sites):
    from tests.helpers import csrf_token

    login(client, "boss@example.org")
    listing = client.get("/participants/coordinators").get_data(as_text=True)
    assert "North Lead" in listing and "Sites: North" in listing
    page = f"/participants/coordinators/{sites.north}/scope"
    token = csrf_token(client, page)
    saved = client.post(page, data={"csrf_token": token, "regions": ["East"]})
    assert saved.status_code == 302
    assert "Regions: East" in client.get("/participants/coordinators").get_data(as_text=True)
    bad = client.post(page, data={"csrf_token": token, "sites": ["Nowhere"]})
    assert bad.status_code == 422

    north = client.application.test_client()
    login(north, "north@example.org")
    assert north.get("/participants/coordinators").status_code == 403
    assert north.get(page).status_code == 403


def _run(client, headers, round_id):
    answer = client.post(f"/api/v1/rounds/{round_id}/run", headers=headers)
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()


def test_rounds_match_only_the_people_of_the_sites(app, client, sites):
    north, boss = sites.api["north"], sites.api["boss"]
    mine = client.post("/api/v1/rounds", json={"name": "North spring"}, headers=north)
    assert mine.status_code == 201
    round_id = mine.get_json()["id"]
    theirs = client.post("/api/v1/rounds", json={"name": "Everyone"}, headers=boss).get_json()

    result = _run(client, north, round_id)
    assert result["status"] == "proposed"
    pairs = {(m["mentee_id"], m["mentor_id"]) for m in result["matches"]}
    assert pairs == {(sites.people["north_mentee"], sites.people["north_mentor"])}
    assert result["stats"]["mentees"] == 1

    listed = client.get("/api/v1/rounds", headers=north).get_json()["items"]
    assert [r["id"] for r in listed] == [round_id]
    # The programme-wide round does not exist for them, whatever they try.
    other = theirs["id"]
    assert client.get(f"/api/v1/rounds/{other}", headers=north).status_code == 404
    paged = client.get(f"/api/v1/rounds/{other}?page=1&per_page=10", headers=north)
    assert paged.status_code == 404  # a page of another scope's round is as hidden as all of it
    assert client.post(f"/api/v1/rounds/{other}/run", headers=north).status_code == 404
    assert client.post(f"/api/v1/rounds/{other}/publish", headers=north).status_code == 404
    harbour_pair = {
        "mentee_id": sites.people["harbour_mentee"],
        "mentor_id": sites.people["harbour_mentor"],
    }
    assert (
        client.post(f"/api/v1/rounds/{other}/pins", json=harbour_pair, headers=north).status_code
        == 404
    )
    # In their own round, another site's people are not in the pool.
    pin = client.post(f"/api/v1/rounds/{round_id}/pins", json=harbour_pair, headers=north)
    assert pin.status_code == 422
    candidates = client.get(
        f"/api/v1/rounds/{round_id}/candidates",
        query_string={"mentee_id": sites.people["harbour_mentee"]},
        headers=north,
    )
    assert candidates.status_code == 404
    # The programme-wide coordinator sees every round, the site's too.
    assert client.get(f"/api/v1/rounds/{round_id}", headers=boss).status_code == 200

    published = client.post(f"/api/v1/rounds/{round_id}/publish", headers=north)
    assert published.status_code == 200
    mentorships = client.get("/api/v1/mentorships", headers=north).get_json()["items"]
    assert [m["mentee_id"] for m in mentorships] == [sites.people["north_mentee"]]
    with app.app_context():
        covered = db.session.scalars(
            db.select(Site.name)
            .join(RoundSite, RoundSite.site_id == Site.id)
            .where(RoundSite.round_id == round_id)
        ).all()
        assert covered == ["North"]
        assert db.session.get(MatchRound, other).status == "draft"

    login(client, "north@example.org")
    assert client.get(f"/rounds/{other}").status_code == 404
    index = client.get("/rounds/").get_data(as_text=True)
    assert "North spring" in index and "Everyone" not in index


def test_imports_refuse_rows_of_other_sites_and_write_nothing(app, client, sites):
    north = sites.api["north"]
    csv = (
        HEADER
        + "new.north@example.org,New North,North,Midwest,America/Chicago,oncology,Mon 08:00-12:00\n"
        + "new.harbour@example.org,New Harbour,Harbour,East,America/Chicago,oncology,"
        "Mon 08:00-12:00\n"
        + "new.site@example.org,New Site,Pier,East,America/Chicago,oncology,Mon 08:00-12:00\n"
        + "harbour.mentee@example.org,Taken Over,North,Midwest,America/Chicago,oncology,"
        "Mon 08:00-12:00\n"
    )
    with app.app_context():
        before = db.session.scalar(db.select(db.func.count()).select_from(User))
    answer = client.post(
        "/api/v1/imports/mentees", data=csv, content_type="text/csv", headers=north
    )
    assert answer.status_code == 422
    error = answer.get_json()["error"]
    assert error["code"] == "invalid_csv"
    problems = {(d["line"], d["column"]) for d in error["details"]}
    assert problems == {(3, "site"), (4, "site"), (5, "email")}
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(User)) == before
        assert db.session.scalar(db.select(Site.id).where(Site.name == "Pier")) is None
        assert db.session.get(User, sites.people["harbour_mentee"]).name == "Harbour Mentee"

    good = HEADER + (
        "new.north@example.org,New North,North,Midwest,America/Chicago,oncology,Mon 08:00-12:00\n"
    )
    done = client.post("/api/v1/imports/mentees", data=good, content_type="text/csv", headers=north)
    assert done.status_code == 200 and done.get_json()["created"] == 1
    assert client.get("/api/v1/mentees", headers=north).get_json()["total"] == 2
    # The programme-wide coordinator imports anywhere, as before.
    anywhere = client.post(
        "/api/v1/imports/mentees",
        data=HEADER + "pier@example.org,Pier,Pier,East,America/Chicago,oncology,Mon 08:00-12:00\n",
        content_type="text/csv",
        headers=sites.api["boss"],
    )
    assert anywhere.status_code == 200


def test_reports_and_dashboard_keep_to_the_sites(app, client, sites):
    north = sites.api["north"]
    compliance = client.get("/api/v1/cpd/compliance", headers=north).get_json()["items"]
    assert [row["mentee_id"] for row in compliance] == [sites.people["north_mentee"]]
    csv = client.get("/api/v1/cpd/compliance.csv", headers=north).get_data(as_text=True)
    assert "north.mentee@example.org" in csv and "harbour" not in csv
    everyone = client.get("/api/v1/cpd/compliance", headers=sites.api["boss"]).get_json()
    assert len(everyone["items"]) == 2

    with app.app_context():
        north_site, harbour_site = (
            db.session.scalar(db.select(Site.id).where(Site.name == name))
            for name in ("North", "Harbour")
        )
    board = client.get("/api/v1/dashboard", headers=north)
    assert board.status_code == 200
    assert board.get_json()["filters"]["site"] == north_site  # one of theirs, never everyone
    other = client.get("/api/v1/dashboard", query_string={"site": harbour_site}, headers=north)
    assert other.status_code == 422
    assert other.get_json()["error"]["details"][0]["field"] == "site"
    assert (
        client.get("/api/v1/dashboard", headers=sites.api["boss"]).get_json()["filters"]["site"]
        is None
    )

    login(client, "north@example.org")
    page = client.get("/dashboard").get_data(as_text=True)
    assert "Every site" not in page and "Harbour" not in page
    report = client.get("/cpd/report").get_data(as_text=True)
    assert "North Mentee" in report and "Harbour Mentee" not in report
    overview = client.get("/feedback/overview")
    assert overview.status_code == 200
    assert client.get(f"/progress/{sites.people['harbour_mentee']}").status_code == 404
    assert client.get(f"/progress/{sites.people['north_mentee']}").status_code == 200
    index = client.get("/progress/").get_data(as_text=True)
    assert "North Mentee" in index and "Harbour Mentee" not in index


def test_shifts_and_bookings_keep_to_the_sites(app, client, sites):
    from datetime import UTC, datetime, timedelta

    from mentor_match.models import Booking, Shift

    start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(days=3)
    with app.app_context():
        made = {}
        for key in ("north", "harbour"):
            shift = Shift(
                mentor_id=sites.people[f"{key}_mentor"],
                start_at=start,
                end_at=start + timedelta(hours=2),
                seats=2,
                seats_taken=1,
                location=f"{key} lab",
            )
            db.session.add(shift)
            db.session.flush()
            booking = Booking(
                shift_id=shift.id, mentee_id=sites.people[f"{key}_mentee"], status="confirmed"
            )
            db.session.add(booking)
            db.session.flush()
            made[key] = (shift.id, booking.id)
        db.session.commit()
    north = sites.api["north"]
    listed = client.get("/api/v1/shifts", headers=north).get_json()["items"]
    assert [s["id"] for s in listed] == [made["north"][0]]
    harbour_shift, harbour_booking = made["harbour"]
    assert client.get(f"/api/v1/shifts/{harbour_shift}", headers=north).status_code == 404
    assert (
        client.patch(f"/api/v1/shifts/{harbour_shift}", json={"seats": 3}, headers=north)
    ).status_code == 404
    assert client.delete(f"/api/v1/shifts/{harbour_shift}", headers=north).status_code == 404
    assert client.get(f"/api/v1/bookings/{harbour_booking}", headers=north).status_code == 404
    assert client.delete(f"/api/v1/bookings/{harbour_booking}", headers=north).status_code == 404
    # A shift for another site's mentor: that mentor does not exist for them.
    created = client.post(
        "/api/v1/shifts",
        json={
            "start": (start + timedelta(days=1)).isoformat(),
            "end": (start + timedelta(days=1, hours=2)).isoformat(),
            "seats": 1,
            "mentor_id": sites.people["harbour_mentor"],
        },
        headers=north,
    )
    assert created.status_code == 422
    mine = client.get(f"/api/v1/shifts/{made['north'][0]}", headers=north).get_json()
    assert [b["mentee"] for b in mine["bookings"]] == ["North Mentee"]
    assert len(client.get("/api/v1/shifts", headers=sites.api["boss"]).get_json()["items"]) == 2

    login(client, "north@example.org")
    page = client.get("/shifts/").get_data(as_text=True)
    assert "North Mentor" in page and "Harbour Mentor" not in page
    assert client.get(f"/shifts/{harbour_shift}").status_code == 404
    assert client.get(f"/bookings/{harbour_booking}").status_code == 404
    with app.app_context():
        assert db.session.get(Shift, harbour_shift).seats == 2


def test_a_site_round_is_ranked_by_the_people_of_its_sites_only(app, client, sites, token_for):
    created = client.post(
        "/api/v1/rounds", json={"name": "North spring"}, headers=sites.api["north"]
    )
    round_id = created.get_json()["id"]
    url = f"/api/v1/rounds/{round_id}/preferences"
    north_mentor = token_for(sites.people["north_mentor"])
    harbour_mentor = token_for(sites.people["harbour_mentor"])
    mine = client.get(f"{url}/mine", headers=north_mentor)
    assert mine.status_code == 200
    assert [i["id"] for i in mine.get_json()["items"]] == [sites.people["north_mentee"]]
    assert client.get(f"{url}/mine", headers=harbour_mentor).status_code == 404
    ranking = {"ranking": [sites.people["north_mentee"]]}
    assert client.put(url, json=ranking, headers=harbour_mentor).status_code == 404
    login(client, "harbour.mentor@example.org")
    assert "North spring" not in client.get("/preferences/").get_data(as_text=True)
    other = app.test_client()
    login(other, "north.mentor@example.org")
    assert "North spring" in other.get("/preferences/").get_data(as_text=True)


def test_the_dashboard_s_latest_round_is_the_newest_of_their_own(app, client, sites):
    north, boss = sites.api["north"], sites.api["boss"]
    mine = client.post("/api/v1/rounds", json={"name": "North spring"}, headers=north)
    _run(client, north, mine.get_json()["id"])
    # A newer round over the whole programme: the programme-wide coordinator's latest, not theirs.
    everyone = client.post("/api/v1/rounds", json={"name": "Everyone"}, headers=boss)
    _run(client, boss, everyone.get_json()["id"])

    def latest(headers) -> str:
        charts = client.get("/api/v1/dashboard", headers=headers).get_json()["charts"]
        return charts["scores"]["summary"]

    assert "North spring" in latest(north) and "Everyone" not in latest(north)
    assert "Everyone" in latest(boss)
