"""The import and export API: all-or-nothing uploads, row errors, upserts, limits and roles."""

from __future__ import annotations

import csv
import io

import pytest

from mentor_match.extensions import db
from mentor_match.models import AvailabilityWindow, Site, User
from tests.imports.imports_builders import (
    MENTOR_HEADER,
    mentee_line,
    mentees_file,
    mentor_line,
    mentors_file,
    people_state,
    table_counts,
)

CSV = {"Content-Type": "text/csv"}


@pytest.fixture
def headers(make_user, token_for):
    return {**token_for(make_user("coordinator", email="coord@example.org")), **CSV}


def _post(client, kind, body, headers):
    return client.post(f"/api/v1/imports/{kind}", data=body, headers=headers)


def test_import_creates_people_with_everything_from_the_file(app, client, headers):
    body = mentors_file(
        mentor_line(1, specialties="Oncology;MTM", availability="Mon-Wed 08:00-12:00"),
        mentor_line(
            2,
            email="Mentor2@Example.ORG",
            site="Harbor Center",
            region="Northeast",
            timezone="America/New_York",
            capacity="5",
        ),
    )
    response = _post(client, "mentors", body, headers)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["created"] == 2 and response.get_json()["updated"] == 0
    with app.app_context():
        state = {p["email"]: p for p in people_state("mentor")}
        assert set(state) == {"mentor1@example.org", "mentor2@example.org"}
        assert state["mentor1@example.org"]["specialties"] == ["mtm", "oncology"]
        assert state["mentor1@example.org"]["availability"] == [
            "Mon 08:00-12:00",
            "Tue 08:00-12:00",
            "Wed 08:00-12:00",
        ]
        assert state["mentor2@example.org"]["capacity"] == 5
        site = db.session.scalar(db.select(Site).where(Site.name == "Harbor Center"))
        assert (site.region, site.timezone) == ("Northeast", "America/New_York")
        user = db.session.scalar(db.select(User).where(User.email == "mentor2@example.org"))
        assert user.password_hash is None and user.role == "mentor" and user.active


def test_reimport_updates_and_replaces_availability(app, client, headers):
    assert (
        _post(client, "mentees", mentees_file(mentee_line(1), mentee_line(2)), headers).status_code
        == 200
    )
    again = mentees_file(
        mentee_line(1, name="Renamed", availability="Sat 08:00-10:00", specialties="billing"),
        mentee_line(2, email="MENTEE2@example.org"),
        mentee_line(3),
    )
    response = _post(client, "mentees", again, headers)
    assert response.get_json()["created"] == 1 and response.get_json()["updated"] == 2
    with app.app_context():
        state = {p["email"]: p for p in people_state("mentee")}
        assert len(state) == 3
        first = state["mentee1@example.org"]
        assert first["name"] == "Renamed" and first["availability"] == ["Sat 08:00-10:00"]
        assert first["specialties"] == ["billing"]
        assert db.session.scalar(db.select(db.func.count(AvailabilityWindow.id))) == 3


def test_bad_rows_are_all_reported_and_nothing_is_written(app, client, headers):
    body = mentors_file(
        mentor_line(1),
        mentor_line(2, timezone="Central"),
        mentor_line(3),
        mentor_line(4, capacity="11", specialties="onkology"),
    )
    with app.app_context():
        before = table_counts()
    response = _post(client, "mentors", body, headers)
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "invalid_csv"
    where = [(d["line"], d["column"]) for d in error["details"]]
    assert (3, "timezone") in where and (5, "capacity") in where and (5, "specialties") in where
    assert {line for line, _ in where} == {3, 5}
    assert "America/Chicago" in error["details"][0]["message"]
    with app.app_context():
        assert table_counts() == before


def test_email_of_another_role_is_an_error_on_its_line(app, client, headers, make_user):
    make_user("mentee", email="taken@example.org")
    body = mentors_file(
        mentor_line(1),
        mentor_line(2, email="Taken@example.org"),
        mentor_line(3, email="coord@example.org"),
    )
    with app.app_context():
        before = table_counts()
    response = _post(client, "mentors", body, headers)
    assert response.status_code == 422
    details = response.get_json()["error"]["details"]
    assert [(d["line"], d["column"]) for d in details] == [(3, "email"), (4, "email")]
    assert "mentee" in details[0]["message"] and "coordinator" in details[1]["message"]
    with app.app_context():
        assert table_counts() == before


def test_a_site_keeps_its_region(app, client, headers):
    assert _post(client, "mentors", mentors_file(mentor_line(1)), headers).status_code == 200
    body = mentees_file(
        mentee_line(1, site="lakeside general", region="midwest"),  # same site, other case
        mentee_line(2, site="Lakeside General", region="South"),
        mentee_line(3, site="New Place", region="West"),
        mentee_line(4, site="New Place", region="East"),
    )
    response = _post(client, "mentees", body, headers)
    assert response.status_code == 422
    details = response.get_json()["error"]["details"]
    assert [(d["line"], d["column"]) for d in details] == [(3, "region"), (5, "region")]
    assert "on line 4" in details[1]["message"]


def test_bom_crlf_quoting_and_any_column_order(app, client, headers):
    text = (
        "\ufeffCapacity,Name,E-mail,Time Zone,site,region,specialties,availability,bio\r\n"
        '3,"Rivera, Jordan",J.Rivera@Example.org,America/Chicago,"Site ""A""",Midwest,'
        '"Sterile compounding; oncology","Mon 08:00-12:00;Tue 08:00-12:00","Line one\nline two"\r\n'
    )
    response = _post(client, "mentors", text.encode(), headers)
    assert response.status_code == 200, response.get_json()
    with app.app_context():
        (person,) = people_state("mentor")
    assert person["email"] == "j.rivera@example.org" and person["name"] == "Rivera, Jordan"
    assert person["site"] == 'Site "A"' and person["capacity"] == 3
    assert person["specialties"] == ["oncology", "sterile-compounding"]
    assert person["bio"] == "Line one\nline two"


def test_multipart_file_field_is_accepted(client, headers):
    auth = {"Authorization": headers["Authorization"]}
    data = {"file": (io.BytesIO(mentors_file(mentor_line(1))), "mentors.csv")}
    response = client.post("/api/v1/imports/mentors", data=data, headers=auth)
    assert response.status_code == 200 and response.get_json()["created"] == 1
    response = client.post("/api/v1/imports/mentors", data={"other": "x"}, headers=auth)
    assert response.status_code == 422


def test_empty_and_non_csv_bodies_are_422(client, headers):
    for body in [b"", b"PK\x03\x04zipdata", "\xff\xfe".encode("latin-1") + b"x"]:
        response = _post(client, "mentees", body, headers)
        assert response.status_code == 422
        assert response.get_json()["error"]["details"][0]["line"] == 1


def test_over_the_size_limit_is_413_json(app, client, headers):
    app.config["MAX_CONTENT_LENGTH"] = 1000
    body = mentors_file(*(mentor_line(i) for i in range(1, 40)))
    with app.app_context():
        before = table_counts()
    response = _post(client, "mentors", body, headers)
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "too_large"
    with app.app_context():
        assert table_counts() == before


def test_only_coordinators(client, make_user, token_for):
    mentor = token_for(make_user("mentor"))
    for method, path in [
        ("post", "/api/v1/imports/mentors"),
        ("post", "/api/v1/imports/mentees"),
        ("get", "/api/v1/exports/mentors.csv"),
        ("get", "/api/v1/imports/templates/mentees.csv"),
        ("post", "/api/v1/invitations"),
    ]:
        response = getattr(client, method)(
            path, data=mentors_file(mentor_line(1)), headers={**mentor, **CSV}
        )
        assert response.status_code == 403, path
        assert getattr(client, method)(path).status_code == 401


def test_templates_and_exports(client, headers):
    for kind in ("mentors", "mentees"):
        response = client.get(f"/api/v1/imports/templates/{kind}.csv", headers=headers)
        assert response.status_code == 200 and response.mimetype == "text/csv"
        assert "attachment" in response.headers["Content-Disposition"]
        # The template itself imports.
        assert _post(client, kind, response.data, headers).status_code == 200
    assert client.get("/api/v1/imports/templates/admins.csv", headers=headers).status_code == 404
    assert client.get("/api/v1/exports/admins.csv", headers=headers).status_code == 404


def test_export_neutralises_formulas_and_reimports_unchanged(app, client, headers):
    body = mentors_file(
        mentor_line(1, name='\'=HYPERLINK("http://x")'),
        mentor_line(2, name="'+1 Smith", site="'@Site"),
    )
    assert _post(client, "mentors", body, headers).status_code == 200, "import"
    with app.app_context():
        before = people_state("mentor")
    assert before[0]["name"] == '=HYPERLINK("http://x")' and before[1]["site"] == "@Site"
    exported = client.get("/api/v1/exports/mentors.csv", headers=headers).get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(exported)))
    assert rows[0][: len(MENTOR_HEADER.split(","))] == MENTOR_HEADER.split(",")
    cells = [cell for row in rows[1:] for cell in row]
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
    response = _post(client, "mentors", exported.encode(), headers)
    assert response.get_json()["updated"] == 2 and response.get_json()["created"] == 0
    with app.app_context():
        assert people_state("mentor") == before


def test_openapi_declares_the_import_routes(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert "text/csv" in paths["/api/v1/imports/mentors"]["post"]["requestBody"]["content"]
    assert "/api/v1/exports/{kind}.csv" in paths


def test_dry_run_counts_without_writing(app, headers):
    from mentor_match.services import imports

    with app.app_context():
        before = table_counts()
        summary = imports.import_people(
            db.session,
            "mentors",
            mentors_file(mentor_line(1), mentor_line(2)),
            base_url="http://x/",
            dry_run=True,
        )
        db.session.commit()
        assert (summary.created, summary.updated) == (2, 0)
        assert table_counts() == before
