"""The CPD portfolio over the API: certification, activities, certificates, progress, rules,
compliance, import and the transcript (contract §9)."""

from __future__ import annotations

import shutil
import subprocess
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from mentor_match.recertification import Cycle

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
TODAY = datetime.now(UTC).date()


def activity(**overrides):
    body = {
        "title": "Pharmacy law update",
        "provider": "State Pharmacy Association",
        "completed_on": (TODAY - timedelta(days=30)).isoformat(),
        "hours": 1.5,
        "kind": "ce",
        "uan": "0175-0000-24-105-L03-T",
    }
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not ...}


@pytest.fixture
def mentee(make_user, token_for):
    user_id = make_user("mentee", email="tech@example.org", name="Tara Tech")
    return user_id, token_for(user_id)


@pytest.fixture
def coordinator(make_user, token_for):
    return token_for(make_user("coordinator"))


def fields(response) -> dict[str, str]:
    return {d["field"]: d["message"] for d in response.get_json()["error"]["details"]}


def set_cycle(client, headers, ends: date | None = None) -> None:
    ends = ends or TODAY + timedelta(days=200)
    response = client.patch(
        "/api/v1/me/certification",
        json={
            "ptcb_number": "1234567",
            "nabp_eprofile_id": "123456",
            "cycle_ends": ends.isoformat(),
        },
        headers=headers,
    )
    assert response.status_code == 200, response.get_json()


def test_certification_is_checked_and_kept(client, mentee):
    _, h = mentee
    bad = client.patch(
        "/api/v1/me/certification",
        json={"ptcb_number": "12AB", "nabp_eprofile_id": "1", "cycle_ends": "2099-01-01"},
        headers=h,
    )
    assert bad.status_code == 422
    assert set(fields(bad)) == {"ptcb_number", "nabp_eprofile_id", "cycle_ends"}
    assert "5 to 8 digits" in fields(bad)["ptcb_number"]
    assert (
        client.patch("/api/v1/me/certification", json={"role": "x"}, headers=h).status_code == 422
    )
    ends = TODAY + timedelta(days=200)
    set_cycle(client, h, ends)
    cpd = client.get("/api/v1/me/cpd", headers=h).get_json()
    assert cpd["certification"]["ptcb_number"] == "1234567"
    assert cpd["cycle"] == {
        "starts": Cycle.ending(ends).starts.isoformat(),
        "ends": ends.isoformat(),
        "days_left": 200,
    }
    assert [r["name"] for r in cpd["requirements"]] == ["total", "pharmacy law", "patient safety"]
    assert {"entries", "total", "mentee_id"} <= set(cpd)  # the v1 fields stay


def test_an_activity_with_its_uan_parts(client, mentee):
    _, h = mentee
    response = client.post("/api/v1/me/cpd/activities", json=activity(), headers=h)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["uan"]["topic"] == "law"
    assert body["uan"]["format"] == "live"
    assert body["uan"]["audience"] == "technician"
    assert body["uan"]["provider"] == "0175"
    law = client.get("/api/v1/me/cpd", headers=h).get_json()["requirements"][1]
    assert law == {"name": "pharmacy law", "needed": 1.0, "have": 1.5, "met": True}


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"uan": "0175-0000-24-105-L09-T"}, "uan", "topic code 09 does not exist"),
        ({"uan": "0175-0000-24-105-X03-T"}, "uan", "format letter X"),
        ({"uan": "0175-1234-24-105-L03-T"}, "uan", "joint-provider code"),
        ({"completed_on": (TODAY + timedelta(days=2)).isoformat()}, "completed_on", "future"),
        ({"hours": 0}, "hours", ""),
        ({"hours": 41}, "hours", ""),
        ({"hours": "2"}, "hours", ""),
        ({"hours": True}, "hours", ""),
        ({"hours": 1.234}, "hours", "two decimal"),
        ({"kind": "seminar"}, "kind", ""),
        ({"title": ""}, "title", ""),
        ({"completed_on": "yesterday"}, "completed_on", ""),
        ({"owner_id": 1}, "owner_id", "not accepted"),
    ],
)
def test_bad_activities_are_refused_naming_the_field(client, mentee, overrides, field, words):
    _, h = mentee
    response = client.post("/api/v1/me/cpd/activities", json=activity(**overrides), headers=h)
    assert response.status_code == 422
    assert field in fields(response)
    assert words in fields(response)[field]
    assert client.get("/api/v1/me/cpd", headers=h).get_json()["activities"] == []


def test_pharmacist_ce_is_listed_not_counted_and_caps_apply(client, mentee):
    _, h = mentee
    set_cycle(client, h)
    client.post("/api/v1/me/cpd/activities", json=activity(uan="0175-0000-24-105-L05-P"), headers=h)
    client.post(
        "/api/v1/me/cpd/activities",
        json=activity(title="Chemistry 101", kind="college", uan=None, hours=12),
        headers=h,
    )
    cpd = client.get("/api/v1/me/cpd", headers=h).get_json()
    by_title = {a["title"]: a for a in cpd["activities"]}
    assert by_title["Pharmacy law update"]["counted_hours"] == 0
    assert "pharmacist" in by_title["Pharmacy law update"]["not_counted_reason"]
    assert by_title["Chemistry 101"]["counted_hours"] == 10
    assert cpd["requirements"][0]["have"] == 10
    assert "1 hour of pharmacy law" in cpd["missing"]
    assert "1 hour of patient safety" in cpd["missing"]


def test_update_and_delete_only_ones_own(client, mentee, make_user, token_for):
    _, h = mentee
    other = token_for(make_user("mentee"))
    created = client.post("/api/v1/me/cpd/activities", json=activity(), headers=h).get_json()
    url = f"/api/v1/me/cpd/activities/{created['id']}"
    assert client.patch(url, json={"hours": 2}, headers=other).status_code == 404
    assert client.delete(url, headers=other).status_code == 404
    changed = client.patch(url, json={"hours": 2, "uan": None}, headers=h)
    assert changed.status_code == 200
    assert changed.get_json()["hours"] == 2 and changed.get_json()["uan"] is None
    assert client.patch(url, json={"hours": None}, headers=h).status_code == 422
    assert client.delete(url, headers=h).status_code == 200
    assert client.delete(url, headers=h).status_code == 404


def test_certificates_are_checked_by_content_and_private(
    app, client, mentee, make_user, token_for, coordinator
):
    _, h = mentee
    other = token_for(make_user("mentee"))
    created = client.post("/api/v1/me/cpd/activities", json=activity(), headers=h).get_json()
    put = f"/api/v1/me/cpd/activities/{created['id']}/certificate"
    get = f"/api/v1/cpd/activities/{created['id']}/certificate"
    fake = client.put(
        put, data=b"<html>not a pdf</html>", content_type="application/pdf", headers=h
    )
    assert fake.status_code == 422 and "certificate" in fields(fake)
    big = client.put(
        put, data=b"%PDF-" + b"0" * (2 * 1024 * 1024), content_type="application/pdf", headers=h
    )
    assert big.status_code == 422 and "MB" in fields(big)["certificate"]
    ok = client.put(
        put + "?filename=../../etc/cert.png", data=PNG, content_type="image/png", headers=h
    )
    assert ok.status_code == 200, ok.get_json()
    assert ok.get_json()["certificate"] == {
        "name": "cert.png",
        "type": "image/png",
        "size": len(PNG),
    }
    mine = client.get(get, headers=h)
    assert mine.status_code == 200 and mine.data == PNG and mine.mimetype == "image/png"
    assert "attachment" in mine.headers["Content-Disposition"]
    assert client.get(get, headers=coordinator).data == PNG
    assert client.get(get, headers=other).status_code == 404
    folder = Path(app.config["CERTIFICATE_DIR"])
    assert len(list(folder.iterdir())) == 1
    replaced = client.put(put, data=PDF, content_type="application/pdf", headers=h)
    assert replaced.get_json()["certificate"]["type"] == "application/pdf"
    assert client.get(get, headers=h).data == PDF
    assert len(list(folder.iterdir())) == 1  # the replaced file is gone
    assert client.delete(f"/api/v1/me/cpd/activities/{created['id']}", headers=h).status_code == 200
    assert list(folder.iterdir()) == []


def test_rules_can_be_changed_by_coordinators_only(client, mentee, coordinator):
    _, h = mentee
    rules = {
        "name": "State board",
        "total_hours": 10,
        "categories": [{"topic": "05", "hours": 2}],
        "caps": {"college": 0},
    }
    assert client.put("/api/v1/cpd/rules", json=rules, headers=h).status_code == 403
    bad = client.put(
        "/api/v1/cpd/rules",
        json=dict(rules, categories=[{"topic": "09", "hours": 1}]),
        headers=coordinator,
    )
    assert bad.status_code == 422 and "categories" in fields(bad)
    assert (
        client.put(
            "/api/v1/cpd/rules", json=dict(rules, total_hours="10"), headers=coordinator
        ).status_code
        == 422
    )
    assert client.put("/api/v1/cpd/rules", json=rules, headers=coordinator).status_code == 200
    cpd = client.get("/api/v1/me/cpd", headers=h).get_json()
    assert [r["name"] for r in cpd["requirements"]] == ["total", "patient safety"]
    assert cpd["requirements"][0]["needed"] == 10


def test_compliance_lists_who_is_short_and_soon(client, make_user, token_for, coordinator):
    soon = make_user("mentee", name="Soon Short")
    later = make_user("mentee", name="Later Short")
    done = make_user("mentee", name="All Done")
    for user_id, days in ((soon, 40), (later, 400), (done, 20)):
        set_cycle(client, token_for(user_id), TODAY + timedelta(days=days))
    h = token_for(done)
    for topic in ("03", "05", "01"):
        client.post(
            "/api/v1/me/cpd/activities",
            json=activity(uan=f"0175-0000-24-105-L{topic}-T", hours=9 if topic == "01" else 6),
            headers=h,
        )
    items = client.get("/api/v1/cpd/compliance", headers=coordinator).get_json()["items"]
    assert [(i["name"], i["met"]) for i in items] == [
        ("All Done", True),
        ("Soon Short", False),
        ("Later Short", False),
    ]
    assert items[1]["days_left"] == 40 and items[0]["ce_hours"] == 21
    short = client.get("/api/v1/cpd/compliance?short_within=100", headers=coordinator).get_json()
    assert [i["name"] for i in short["items"]] == ["Soon Short"]
    csv_text = client.get(
        "/api/v1/cpd/compliance.csv?short_within=100", headers=coordinator
    ).get_data(as_text=True)
    assert csv_text.splitlines()[0].startswith("name,email,cycle_ends,days_left")
    assert "Soon Short" in csv_text and "Later Short" not in csv_text
    assert (
        client.get("/api/v1/cpd/compliance?short_within=x", headers=coordinator).status_code == 422
    )
    assert client.get("/api/v1/cpd/compliance", headers=h).status_code == 403


def test_csv_import_is_all_or_nothing_with_line_errors(client, mentee):
    _, h = mentee
    day = (TODAY - timedelta(days=3)).isoformat()
    bad = (
        "title,provider,completed_on,hours,uan\n"
        f"Law,Board,{day},1,0175-0000-24-105-L03-T\n"
        f"Safety,Board,{day},50,0175-0000-24-106-L09-T\n"
    )
    response = client.post(
        "/api/v1/me/cpd/activities/import", data=bad, content_type="text/csv", headers=h
    )
    assert response.status_code == 422
    err = response.get_json()["error"]
    assert err["code"] == "invalid_csv"
    assert {(d["line"], d["column"]) for d in err["details"]} == {(3, "hours"), (3, "uan")}
    assert client.get("/api/v1/me/cpd", headers=h).get_json()["activities"] == []
    good = bad.replace(",50,", ",2,").replace("L09", "L05")
    response = client.post(
        "/api/v1/me/cpd/activities/import", data=good, content_type="text/csv", headers=h
    )
    assert response.get_json() == {"created": 2}


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils' pdftotext")
def test_the_transcript_is_a_pdf_with_the_name_each_activity_and_the_totals(
    client, mentee, tmp_path
):
    _, h = mentee
    set_cycle(client, h)
    uans = ["0175-0000-24-105-L03-T", "0204-9999-25-017-H05-T", "0798-0000-23-246-B01-P"]
    for n, (uan, hours) in enumerate(zip(uans, (1.25, 2, 3.5), strict=True)):
        client.post(
            "/api/v1/me/cpd/activities",
            json=activity(title=f"Course {n}", uan=uan, hours=hours),
            headers=h,
        )
    response = client.get("/api/v1/me/cpd/transcript.pdf", headers=h)
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF-")
    path = tmp_path / "transcript.pdf"
    path.write_bytes(response.data)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout
    assert "Tara Tech" in text
    assert "1234567" in text and "123456" in text
    for uan, hours in zip(uans, ("1.25", "2.00", "3.50"), strict=True):
        line = next(line for line in text.splitlines() if uan in line)
        assert hours in line
    assert "Total CE hours counted" in text
    assert "6.75" in text and "3.25" in text  # listed and counted (pharmacist CE not counted)
    csv_text = client.get("/api/v1/me/cpd/transcript.csv", headers=h).get_data(as_text=True)
    assert all(uan in csv_text for uan in uans)
