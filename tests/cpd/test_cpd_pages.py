"""The CPD pages: a mentee's portfolio, forms, import, and the coordinator's report and rules."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta

import pytest

from tests.helpers import csrf_token, login

TODAY = datetime.now(UTC).date()
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture
def mentee(app, make_user):
    make_user("mentee", email="tech@example.org", name="Tara Tech")
    client = app.test_client()
    login(client, "tech@example.org")
    return client


@pytest.fixture
def coordinator(app, make_user):
    make_user("coordinator", email="coord@example.org")
    client = app.test_client()
    login(client, "coord@example.org")
    return client


def post(client, url, data):
    data = dict(data, csrf_token=csrf_token(client, url))
    return client.post(url, data=data, content_type="multipart/form-data")


def activity_form(**overrides):
    form = {
        "title": "Pharmacy law update",
        "provider": "State Board",
        "completed_on": (TODAY - timedelta(days=10)).isoformat(),
        "hours": "1.5",
        "kind": "ce",
        "uan": "0175-0000-24-105-L03-T",
        "reflection": "",
    }
    form.update(overrides)
    return form


def test_a_mentee_builds_a_portfolio(mentee):
    response = post(
        mentee,
        "/cpd/certification",
        {
            "ptcb_number": "1234567",
            "nabp_eprofile_id": "123456",
            "cycle_ends": (TODAY + timedelta(days=90)).isoformat(),
        },
    )
    assert response.status_code == 302
    response = post(
        mentee,
        "/cpd/activities/new",
        activity_form(certificate=(io.BytesIO(PNG), "law.png")),
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    page = mentee.get("/cpd/").get_data(as_text=True)
    assert "90 days left" in page
    assert "0175-0000-24-105-L03-T" in page and "law" in page
    assert "1 hour of patient safety" in page
    assert "18.5 more hours of CE in all" in page
    assert re.search(r'<progress id="req-2" max="100" value="100"', page)
    assert "Certificate: law.png" in page
    assert "Download transcript (PDF)" in page
    assert (
        "CE hours by month" in page
        and TODAY.strftime("%Y-%m") in page
        or ((TODAY - timedelta(days=10)).strftime("%Y-%m") in page)
    )
    certificate = re.search(r'href="(/cpd/activities/\d+/certificate)"', page).group(1)
    assert mentee.get(certificate).data == PNG
    assert mentee.get("/cpd/transcript.pdf").data.startswith(b"%PDF-")


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"uan": "0175-0000-24-105-L09-T"}, "topic code 09 does not exist"),
        ({"hours": "forty"}, "must be a number of hours"),
        ({"completed_on": (TODAY + timedelta(days=3)).isoformat()}, "in the future"),
        ({"title": ""}, "is required"),
    ],
)
def test_a_bad_activity_form_says_what_is_wrong(mentee, overrides, message):
    response = post(mentee, "/cpd/activities/new", activity_form(**overrides))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert "No CE activities yet" in mentee.get("/cpd/").get_data(as_text=True)


def test_a_text_file_posing_as_a_certificate_is_refused(mentee):
    response = post(
        mentee,
        "/cpd/activities/new",
        activity_form(certificate=(io.BytesIO(b"MZ not a picture"), "cert.png")),
    )
    assert response.status_code == 422
    assert "only PDF, PNG and JPEG" in response.get_data(as_text=True)
    assert "No CE activities yet" in mentee.get("/cpd/").get_data(as_text=True)


def test_edit_and_delete(mentee):
    post(mentee, "/cpd/activities/new", activity_form())
    page = mentee.get("/cpd/").get_data(as_text=True)
    edit = re.search(r'href="(/cpd/activities/(\d+)/edit)"', page)
    assert post(mentee, edit.group(1), activity_form(hours="3")).status_code == 302
    assert "· 3 hours" in mentee.get("/cpd/").get_data(as_text=True)
    delete = f"/cpd/activities/{edit.group(2)}/delete"
    assert post(mentee, delete, {}).status_code == 302
    assert "No CE activities yet" in mentee.get("/cpd/").get_data(as_text=True)


def test_import_lists_every_bad_line_and_saves_nothing(mentee):
    day = (TODAY - timedelta(days=2)).isoformat()
    text = (
        "title,provider,completed_on,hours,uan\n"
        f"Law,Board,{day},1,0175-0000-24-105-L03-T\n"
        f"Safety,Board,{day},0,0175-0000-24-106-X05-T\n"
    )
    response = post(mentee, "/cpd/import", {"file": (io.BytesIO(text.encode()), "ce.csv")})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "format letter X does not exist" in page and "<td>3</td>" in page
    assert "No CE activities yet" in mentee.get("/cpd/").get_data(as_text=True)
    good = text.replace(",0,", ",1,").replace("X05", "L05")
    response = post(mentee, "/cpd/import", {"file": (io.BytesIO(good.encode()), "ce.csv")})
    assert response.status_code == 302


def test_the_report_filters_those_short_and_near_their_cycle_end(app, coordinator, make_user):
    from mentor_match.extensions import db
    from mentor_match.models import User
    from mentor_match.services.cpd import portfolio

    people = {
        make_user("mentee", name=name): days
        for name, days in (("Near Short", 30), ("Far Short", 300))
    }
    with app.app_context():
        for user_id, days in people.items():
            user = db.session.get(User, user_id)
            portfolio.update_certification(
                db.session, user, cycle_ends=TODAY + timedelta(days=days)
            )
        db.session.commit()
    page = coordinator.get("/cpd/report").get_data(as_text=True)
    assert "Near Short" in page and "Far Short" in page
    page = coordinator.get("/cpd/report?short=1").get_data(as_text=True)
    compliance = page.split("<h2>Shadowing hours</h2>")[0]
    assert "Near Short" in compliance and "Far Short" not in compliance
    csv_text = coordinator.get("/cpd/report.csv?short=1").get_data(as_text=True)
    assert "Near Short" in csv_text and "Far Short" not in csv_text


def test_coordinators_edit_the_rules(coordinator):
    page = coordinator.get("/cpd/rules").get_data(as_text=True)
    assert "PTCB" in page
    form = {
        "name": "State board",
        "total_hours": "15",
        "cycle_years": "2",
        "topic_03": "2",
        "college_cap": "",
        "other_cap": "0",
    }
    assert post(coordinator, "/cpd/rules", form).status_code == 302
    page = coordinator.get("/cpd/rules").get_data(as_text=True)
    assert 'value="State board"' in page and 'value="15"' in page
    bad = post(coordinator, "/cpd/rules", dict(form, total_hours="1", topic_03="2"))
    assert bad.status_code == 422
    assert "more hours than the total" in bad.get_data(as_text=True)


def test_coordinators_see_a_mentee_and_import_for_them(app, coordinator, make_user):
    mentee_id = make_user("mentee", name="Imported Person")
    day = (TODAY - timedelta(days=2)).isoformat()
    text = f"title,provider,completed_on,hours,uan\nLaw,Board,{day},1,0175-0000-24-105-L03-T\n"
    url = f"/cpd/mentees/{mentee_id}/import"
    response = post(coordinator, url, {"file": (io.BytesIO(text.encode()), "ce.csv")})
    assert response.status_code == 302
    form = coordinator.get(url).get_data(as_text=True)
    assert "Import CE activities for Imported Person" in form
    page = coordinator.get(f"/cpd/mentees/{mentee_id}").get_data(as_text=True)
    assert "CPD portfolio of Imported Person" in page and "0175-0000-24-105-L03-T" in page
    assert "Add an activity" not in page  # coordinators read; the mentee keeps their record
    pdf = coordinator.get(f"/cpd/mentees/{mentee_id}/transcript.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF-")
