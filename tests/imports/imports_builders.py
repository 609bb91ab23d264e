"""Small CSV files and database snapshots shared by the import tests."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from mentor_match.extensions import db

MENTOR_HEADER = "email,name,site,region,timezone,specialties,availability,capacity"
MENTEE_HEADER = "email,name,site,region,timezone,specialties,availability,goals,preferred_mentors"


def mentor_line(n: int, **changes: str) -> str:
    cells = {
        "email": f"mentor{n}@example.org",
        "name": f"Mentor {n}",
        "site": "Lakeside General",
        "region": "Midwest",
        "timezone": "America/Chicago",
        "specialties": "oncology;mtm",
        "availability": "Mon-Fri 09:00-17:00",
        "capacity": "2",
    }
    cells.update(changes)
    return ",".join(cells[c] for c in MENTOR_HEADER.split(","))


def mentee_line(n: int, **changes: str) -> str:
    cells = {
        "email": f"mentee{n}@example.org",
        "name": f"Mentee {n}",
        "site": "Northside Pharmacy",
        "region": "Midwest",
        "timezone": "America/Chicago",
        "specialties": "mtm;oncology",
        "availability": "Mon 13:00-17:00",
        "goals": "Learn",
        "preferred_mentors": "mentor1@example.org",
    }
    cells.update(changes)
    return ",".join(cells[c] for c in MENTEE_HEADER.split(","))


def mentors_file(*lines: str) -> bytes:
    return ("\r\n".join([MENTOR_HEADER, *lines]) + "\r\n").encode()


def mentees_file(*lines: str) -> bytes:
    return ("\r\n".join([MENTEE_HEADER, *lines]) + "\r\n").encode()


def table_counts() -> dict[str, int]:
    """Rows in every table: an import that fails must leave all of them as they were."""
    return {
        table.name: db.session.scalar(select(func.count()).select_from(table)) or 0
        for table in db.metadata.sorted_tables
    }


def people_state(role: str) -> list[dict[str, Any]]:
    """Everyone of a role as the API shows them, without database ids."""
    from mentor_match.services import people

    page = people.list_people(db.session, role, per_page=500, max_per_page=500)
    rows = [people.person_dict(user) for user in page.items]
    for row in rows:
        row.pop("id")
    return sorted(rows, key=lambda row: row["email"])
