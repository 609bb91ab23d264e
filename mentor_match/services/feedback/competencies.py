"""The competency framework: listing, adding, editing, retiring, and CSV import/export."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from mentor_match.importing.competencies import (
    DEFAULT_COMPETENCIES,
    DESCRIPTION_MAX,
    TITLE_MAX,
    CompetencyRecord,
    code_problem,
    competencies_to_csv,
    parse_competencies,
)
from mentor_match.models import Competency, Specialty
from mentor_match.services.errors import Conflict, Invalid, NotFound
from mentor_match.services.feedback.common import text_field, utc_now
from mentor_match.services.imports import specialty_vocabulary

FIELDS = frozenset({"code", "title", "description", "specialty", "active"})


def describe_competency(c: Competency) -> dict[str, Any]:
    return {
        "id": c.id,
        "code": c.code,
        "title": c.title,
        "description": c.description,
        "specialty": c.specialty.slug if c.specialty else None,
        "active": c.active,
    }


def list_competencies(session: Session, *, active_only: bool = False) -> list[Competency]:
    """General ones first, then by specialty and code."""
    stmt = select(Competency).options(selectinload(Competency.specialty))
    if active_only:
        stmt = stmt.where(Competency.active.is_(True))
    items = list(session.scalars(stmt))
    items.sort(
        key=lambda c: (c.specialty is not None, c.specialty.name if c.specialty else "", c.code)
    )
    return items


def get_competency(session: Session, competency_id: int) -> Competency:
    found = session.get(Competency, competency_id)
    if found is None:
        raise NotFound("no such competency")
    return found


def _specialty_id(session: Session, slug: object) -> int | None:
    if slug is None or slug == "":
        return None
    if not isinstance(slug, str):
        raise Invalid(
            "specialty must be a specialty slug or null",
            details=[{"field": "specialty", "message": "a slug or null"}],
        )
    found = session.scalar(select(Specialty.id).where(Specialty.slug == slug.strip().lower()))
    if found is None:
        raise Invalid(
            f"unknown specialty {slug!r}",
            details=[{"field": "specialty", "message": f"unknown specialty {slug!r}"}],
        )
    return found


def _code(session: Session, value: object, own_id: int | None = None) -> str:
    if not isinstance(value, str):
        raise Invalid("code must be text", details=[{"field": "code", "message": "text"}])
    code = value.strip().upper()
    problem = code_problem(code)
    if problem:
        raise Invalid(problem, details=[{"field": "code", "message": problem}])
    taken = session.scalar(select(Competency.id).where(Competency.code == code))
    if taken is not None and taken != own_id:
        raise Conflict(f"the code {code} is already used", code="code_taken")
    return code


def create_competency(
    session: Session,
    *,
    code: str,
    title: str,
    description: str = "",
    specialty: str | None = None,
    active: bool = True,
    now: datetime | None = None,
) -> Competency:
    competency = Competency(
        code=_code(session, code),
        title=text_field(title, "title", limit=TITLE_MAX),
        description=text_field(description, "description", limit=DESCRIPTION_MAX, required=False),
        specialty_id=_specialty_id(session, specialty),
        active=active,
        created_at=utc_now(now),
        updated_at=utc_now(now),
    )
    session.add(competency)
    session.flush()
    return competency


def update_competency(
    session: Session, competency_id: int, changes: dict[str, Any], now: datetime | None = None
) -> Competency:
    """Change some fields; `active: false` retires it (its history stays)."""
    competency = get_competency(session, competency_id)
    if "code" in changes:
        competency.code = _code(session, changes["code"], competency.id)
    if "title" in changes:
        competency.title = text_field(changes["title"], "title", limit=TITLE_MAX)
    if "description" in changes:
        competency.description = text_field(
            changes["description"], "description", limit=DESCRIPTION_MAX, required=False
        )
    if "specialty" in changes:
        competency.specialty_id = _specialty_id(session, changes["specialty"])
    if "active" in changes:
        competency.active = bool(changes["active"])
    competency.updated_at = utc_now(now)
    session.flush()
    session.refresh(competency)
    return competency


def _invalid_csv(errors: list[Any]) -> Invalid:
    count = len(errors)
    return Invalid(
        f"The file was not imported: {count} problem{'s' if count != 1 else ''}. Nothing was"
        " changed; fix them and upload the file again.",
        code="invalid_csv",
        details=[error.as_dict() for error in errors],
    )


def import_framework(session: Session, data: bytes | str, now: datetime | None = None) -> dict:
    """All or nothing: create new codes, update existing ones. Codes not in the file stay as
    they are (retire one with `active` = no)."""
    vocabulary, specialty_ids = specialty_vocabulary(session)
    parsed = parse_competencies(data, vocabulary)
    if not parsed.ok:
        raise _invalid_csv(parsed.errors)
    existing = {c.code: c for c in session.scalars(select(Competency))}
    created = updated = 0
    moment = utc_now(now)
    for record in parsed.records:
        values = {
            "title": record.title,
            "description": record.description,
            "specialty_id": specialty_ids[record.specialty] if record.specialty else None,
            "active": record.active,
        }
        found = existing.get(record.code)
        if found is None:
            session.add(
                Competency(code=record.code, created_at=moment, updated_at=moment, **values)
            )
            created += 1
        elif any(getattr(found, k) != v for k, v in values.items()):
            for key, value in values.items():
                setattr(found, key, value)
            found.updated_at = moment
            updated += 1
    session.flush()
    return {"created": created, "updated": updated}


def export_framework(session: Session) -> str:
    return competencies_to_csv(
        CompetencyRecord(
            code=c.code,
            title=c.title,
            description=c.description,
            specialty=c.specialty.slug if c.specialty else None,
            active=c.active,
        )
        for c in list_competencies(session)
    )


def seed_default_framework(session: Session) -> int:
    """Add the default competencies that are missing (by code); returns how many."""
    specialty_ids = dict(session.execute(select(Specialty.slug, Specialty.id)).all())
    existing = set(session.scalars(select(Competency.code)))
    added = 0
    for record in DEFAULT_COMPETENCIES:
        if record.code in existing:
            continue
        session.add(
            Competency(
                code=record.code,
                title=record.title,
                description=record.description,
                specialty_id=specialty_ids.get(record.specialty) if record.specialty else None,
                active=True,
            )
        )
        added += 1
    session.flush()
    return added
