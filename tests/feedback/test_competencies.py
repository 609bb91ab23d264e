"""The competency framework: the default set, coordinators' edits, and CSV import/export."""

from __future__ import annotations

from mentor_match.importing.competencies import DEFAULT_COMPETENCIES, parse_competencies
from mentor_match.importing.specialties import DEFAULT_SPECIALTIES, SpecialtyVocabulary

VOCABULARY = SpecialtyVocabulary(DEFAULT_SPECIALTIES)


def test_default_framework_covers_every_specialty_twice_and_general_areas():
    per_specialty: dict[str | None, int] = {}
    for record in DEFAULT_COMPETENCIES:
        per_specialty[record.specialty] = per_specialty.get(record.specialty, 0) + 1
    assert all(per_specialty.get(s.slug, 0) >= 2 for s in DEFAULT_SPECIALTIES)
    assert per_specialty[None] >= 5
    assert len({r.code for r in DEFAULT_COMPETENCIES}) == len(DEFAULT_COMPETENCIES)


def test_the_parser_reports_every_bad_row_with_line_and_column():
    text = (
        "code,title,specialty,active\n"
        "SC-NEW,Line clearance,sterile-compounding,yes\n"
        "bad code!,Something,,yes\n"
        "SC-NEW,Again,,yes\n"
        "ONC-X,,Oncolgy,maybe\n"
    )
    result = parse_competencies(text, VOCABULARY)
    assert not result.ok
    found = {(e.line, e.column) for e in result.errors}
    assert {(3, "code"), (4, "code"), (5, "title"), (5, "specialty"), (5, "active")} <= found
    assert any("did you mean" in e.message for e in result.errors if e.column == "specialty")


def test_parse_of_export_gives_the_same_records():
    from mentor_match.importing.competencies import competencies_to_csv

    records = [r for r in DEFAULT_COMPETENCIES[:5]]
    back = parse_competencies(competencies_to_csv(records), VOCABULARY)
    assert back.ok
    assert [(r.code, r.title, r.description, r.specialty) for r in back.records] == [
        (r.code, r.title, r.description, r.specialty) for r in records
    ]


def test_everyone_reads_the_framework(client, circle):
    for who in ("mentee", "mentor", "coordinator"):
        items = client.get("/api/v1/competencies", headers=circle.api[who]).get_json()["items"]
        assert len(items) == len(DEFAULT_COMPETENCIES)
    assert client.get("/api/v1/competencies").status_code == 401


def test_coordinators_add_edit_and_retire(client, circle):
    headers = circle.api["coordinator"]
    body = {"code": "ONC-PUMP", "title": "Ambulatory pumps", "specialty": "oncology"}
    assert (
        client.post("/api/v1/competencies", json=body, headers=circle.api["mentor"]).status_code
        == 403
    )
    created = client.post("/api/v1/competencies", json=body, headers=headers)
    assert created.status_code == 201, created.get_json()
    item = created.get_json()
    assert item["specialty"] == "oncology" and item["active"] is True
    assert client.post("/api/v1/competencies", json=body, headers=headers).status_code == 409
    retired = client.patch(
        f"/api/v1/competencies/{item['id']}", json={"active": False}, headers=headers
    )
    assert (
        retired.get_json()["active"] is False and retired.get_json()["title"] == "Ambulatory pumps"
    )
    general = client.patch(
        f"/api/v1/competencies/{item['id']}", json={"specialty": None}, headers=headers
    )
    assert general.get_json()["specialty"] is None
    for bad, field in (
        ({"code": "x y", "title": "T"}, "code"),
        ({"code": "OK", "title": "T", "specialty": "astrology"}, "specialty"),
        ({"code": "OK", "title": "T", "active": "yes"}, "active"),
        ({"code": "OK", "title": ""}, "title"),
    ):
        response = client.post("/api/v1/competencies", json=bad, headers=headers)
        assert response.status_code == 422, bad
        assert field in [d["field"] for d in response.get_json()["error"]["details"]]


def test_csv_import_is_all_or_nothing_and_export_round_trips(client, circle):
    headers = circle.api["coordinator"] | {"Content-Type": "text/csv"}
    bad = "code,title,specialty\nNEW-1,Fine,oncology\nNEW-2,,oncology\n"
    response = client.post("/api/v1/competencies/import", data=bad, headers=headers)
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "invalid_csv"
    assert error["details"] == [{"line": 3, "column": "title", "message": "title is required"}]
    listed = client.get("/api/v1/competencies", headers=circle.api["coordinator"]).get_json()[
        "items"
    ]
    assert "NEW-1" not in {c["code"] for c in listed}

    good = "code,title,specialty,active\nNEW-1,Fine,oncology,yes\nGEN-SAFE,Safety first,,no\n"
    done = client.post("/api/v1/competencies/import", data=good, headers=headers)
    assert done.get_json() == {"created": 1, "updated": 1}
    exported = client.get("/api/v1/competencies/export", headers=circle.api["coordinator"])
    text = exported.get_data(as_text=True)
    assert "GEN-SAFE,Safety first,," in text and ",no" in text
    again = client.post("/api/v1/competencies/import", data=text, headers=headers)
    assert again.get_json() == {"created": 0, "updated": 0}
