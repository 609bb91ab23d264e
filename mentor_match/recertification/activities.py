"""A CE activity's fields checked once, for the API, the pages and the CSV import alike.

The CSV format (UTF-8, optional BOM, header row, any column order):
``title,provider,completed_on,hours`` and optionally ``kind,uan,reflection``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from mentor_match.importing.people import RowError, neutralise_cell, restore_cell

from .requirements import CENT, KINDS
from .uan import Uan, UanError, parse_uan

MAX_TITLE = 200
MAX_PROVIDER = 200
MAX_REFLECTION = 4000
MIN_HOURS = Decimal(0)  # exclusive
MAX_HOURS = Decimal(40)
EARLIEST = date(1990, 1, 1)
MAX_IMPORT_ROWS = 1000

CSV_REQUIRED = ("title", "provider", "completed_on", "hours")
CSV_OPTIONAL = ("kind", "uan", "reflection")


@dataclass(frozen=True)
class ActivityFields:
    title: str
    provider: str
    completed_on: date
    hours: Decimal
    kind: str = "ce"
    uan: Uan | None = None
    reflection: str = ""


Problems = list[tuple[str, str]]  # (field, message)


def _text(raw: Mapping[str, Any], name: str, most: int, problems: Problems, *, required: bool):
    value = raw.get(name)
    if value is None:
        value = ""
    if not isinstance(value, str):
        problems.append((name, "must be text"))
        return ""
    value = value.strip()
    if required and not value:
        problems.append((name, "is required"))
    elif len(value) > most:
        problems.append((name, f"must be at most {most} characters"))
    return value


def check_activity(raw: Mapping[str, Any], today: date) -> tuple[ActivityFields | None, Problems]:
    """Check every field (collecting every problem); the fields, or None and the problems.

    `completed_on` may be a date or ISO text, `hours` a number or text with at most two decimals.
    """
    problems: Problems = []
    title = _text(raw, "title", MAX_TITLE, problems, required=True)
    provider = _text(raw, "provider", MAX_PROVIDER, problems, required=True)
    reflection = _text(raw, "reflection", MAX_REFLECTION, problems, required=False)
    completed_on = raw.get("completed_on")
    if isinstance(completed_on, str):
        try:
            completed_on = date.fromisoformat(completed_on.strip())
        except ValueError:
            problems.append(("completed_on", "must be a date like 2026-03-31"))
            completed_on = None
    if completed_on is None and not any(f == "completed_on" for f, _ in problems):
        problems.append(("completed_on", "is required"))
    elif isinstance(completed_on, date):
        if completed_on > today:
            problems.append(("completed_on", "is in the future: record an activity once done"))
        elif completed_on < EARLIEST:
            problems.append(("completed_on", f"must be after {EARLIEST.isoformat()}"))
    hours = _hours(raw.get("hours"), problems)
    kind = raw.get("kind") or "ce"
    if not isinstance(kind, str) or kind.strip().lower() not in KINDS:
        problems.append(("kind", f"must be one of {', '.join(KINDS)}"))
        kind = "ce"
    kind = kind.strip().lower()
    uan = None
    text = raw.get("uan")
    if text not in (None, ""):
        if not isinstance(text, str):
            problems.append(("uan", "must be text like 0175-0000-14-105-L05-T"))
        else:
            try:
                uan = parse_uan(text)
            except UanError as exc:
                problems.append(("uan", exc.message))
            else:
                released = 2000 + int(uan.year)
                if isinstance(completed_on, date) and released > completed_on.year:
                    problems.append(
                        (
                            "uan",
                            f"the year part says the activity was released in {released}, "
                            f"after it was completed ({completed_on.isoformat()})",
                        )
                    )
    if problems:
        return None, problems
    assert isinstance(completed_on, date) and hours is not None
    return ActivityFields(title, provider, completed_on, hours, kind, uan, reflection), []


def _hours(value: Any, problems: Problems) -> Decimal | None:
    if value is None or value == "":
        problems.append(("hours", "is required"))
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | str):
        problems.append(("hours", "must be a number of hours"))
        return None
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        problems.append(("hours", f"must be a number of hours, not {value!r}"))
        return None
    if not amount.is_finite() or not MIN_HOURS < amount <= MAX_HOURS:
        problems.append(("hours", f"must be more than 0 and at most {MAX_HOURS}"))
        return None
    if amount != amount.quantize(CENT):
        problems.append(("hours", "must have at most two decimal places"))
        return None
    return amount.quantize(CENT)


def parse_activities_csv(
    text: str, today: date
) -> tuple[list[tuple[int, ActivityFields]], list[RowError]]:
    """Every row checked; (line, fields) for the good rows and every problem with its line."""
    text = text.removeprefix("\ufeff")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [(name or "").strip().lower() for name in (reader.fieldnames or [])]
    missing = [c for c in CSV_REQUIRED if c not in header]
    unknown = [c for c in header if c not in CSV_REQUIRED + CSV_OPTIONAL]
    errors: list[RowError] = []
    if not header:
        return [], [RowError(1, None, "the file is empty: the first line must name the columns")]
    if missing:
        errors.append(RowError(1, None, f"missing column(s): {', '.join(missing)}"))
    if unknown:
        errors.append(
            RowError(
                1,
                None,
                f"unknown column(s): {', '.join(unknown)}; "
                f"use {', '.join(CSV_REQUIRED + CSV_OPTIONAL)}",
            )
        )
    if errors:
        return [], errors
    reader.fieldnames = header
    records = []
    for count, row in enumerate(reader, start=1):
        line = count + 1  # as a spreadsheet numbers rows: header = 1
        if count > MAX_IMPORT_ROWS:
            errors.append(RowError(line, None, f"at most {MAX_IMPORT_ROWS} activities at once"))
            break
        if None in row:
            errors.append(RowError(line, None, "this row has more cells than the header"))
            continue
        cells = {k: restore_cell(v or "") for k, v in row.items()}
        if not any(cells.values()):
            continue
        fields, problems = check_activity(cells, today)
        errors.extend(RowError(line, field, message) for field, message in problems)
        if fields is not None:
            records.append((line, fields))
    if not records and not errors:
        errors.append(RowError(2, None, "the file has no activities below its header"))
    return records, errors


def activities_csv(rows: list[list[str]], header: list[str]) -> str:
    """Rows as CSV, with cells a spreadsheet would run as formulas neutralised."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([neutralise_cell(str(cell)) for cell in row])
    return out.getvalue()
