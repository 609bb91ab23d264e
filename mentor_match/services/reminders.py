"""Reminders before each shift: one to every confirmed mentee and one to the mentor.

A sweep calls `send_due_reminders` every few minutes. Each reminder is recorded in
`sent_reminders` under (booking, start time) for a mentee and (shift, start time) for the
mentor, with a unique key, in the same transaction as its outbox mail: a reminder goes out
exactly once, a rescheduled shift (a new start time) gets a new one, and a cancelled shift or
booking is no longer found, so it gets none.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select
from sqlalchemy.orm import Session, selectinload

from mentor_match.calendar import invite
from mentor_match.database import begin_write, utcnow
from mentor_match.mail import Mail, queue_many
from mentor_match.models import Booking, BookingStatus, SentReminder, Shift, ShiftStatus, User
from mentor_match.services.calendars import LinkBase, booking_invite, shift_event

#: How long before a shift its reminder goes out, by default.
REMINDER_HOURS = 24.0


def _when(shift: Shift, person: User) -> str:
    """The shift's time in the recipient's own time zone."""
    name = person.timezone or "UTC"
    zone = ZoneInfo(name)
    start, end = shift.start_at.astimezone(zone), shift.end_at.astimezone(zone)
    return f"{start:%A %d %B %Y, %H:%M}–{end:%H:%M} ({name})"


def _short(shift: Shift, person: User) -> str:
    return f"{shift.start_at.astimezone(ZoneInfo(person.timezone or 'UTC')):%a %d %b, %H:%M}"


def _mentee_reminder(booking: Booking, links: LinkBase) -> Mail:
    shift, mentee = booking.shift, booking.mentee
    method, text = booking_invite(booking, links)
    return Mail(
        to=(mentee.email,),
        subject=f"Reminder: shadowing {_short(shift, mentee)} with {shift.mentor.name}",
        body=(
            f"Hello {mentee.name},\n\n"
            f"This is a reminder of your shadowing shift with {shift.mentor.name}.\n\n"
            f"When: {_when(shift, mentee)}\n"
            f"Where: {shift.location or 'see the shift'}\n\n"
            f"The calendar entry is attached. See your bookings at {links.base_url}/bookings/\n"
        ),
        ics=text,
        ics_method=method,
    )


def _mentor_reminder(shift: Shift, confirmed: list[Booking], links: LinkBase) -> Mail:
    mentor = shift.mentor
    who = ", ".join(b.mentee.name for b in confirmed) or "nobody has booked it yet"
    return Mail(
        to=(mentor.email,),
        subject=f"Reminder: your shadowing shift {_short(shift, mentor)}",
        body=(
            f"Hello {mentor.name},\n\n"
            "This is a reminder of the shadowing shift you offer.\n\n"
            f"When: {_when(shift, mentor)}\n"
            f"Where: {shift.location or 'see the shift'}\n"
            f"Booked: {who}\n\n"
            f"See the shift at {links.base_url}/shifts/{shift.id}\n"
        ),
        # An invite needs attendees: with nobody booked there is no calendar entry to send.
        ics=invite(shift_event(shift, links), method="REQUEST") if confirmed else None,
        ics_method="REQUEST",
    )


def send_due_reminders(
    session: Session, *, links: LinkBase, hours: float = REMINDER_HOURS, now: datetime | None = None
) -> int:
    """Queue every reminder due now (shift starts within `hours`) not sent before; returns how
    many were queued. Flushes, never commits."""
    begin_write(session)
    now = now or utcnow()
    horizon = now + timedelta(hours=hours)
    shifts = session.scalars(
        select(Shift)
        .where(
            Shift.status == ShiftStatus.SCHEDULED.value,
            Shift.start_at > now,
            Shift.start_at <= horizon,
        )
        .options(
            selectinload(Shift.mentor),
            selectinload(Shift.bookings).selectinload(Booking.mentee),
        )
        .order_by(Shift.start_at, Shift.id)
    ).all()
    if not shifts:
        return 0
    sent = set(
        session.execute(
            select(SentReminder.kind, SentReminder.ref_id, SentReminder.starts_at).where(
                SentReminder.starts_at > now, SentReminder.starts_at <= horizon
            )
        ).all()
    )
    mails: list[Mail] = []
    records: list[tuple[str, int, datetime]] = []
    for shift in shifts:
        confirmed = [b for b in shift.bookings if b.status == BookingStatus.CONFIRMED]
        for booking in confirmed:
            key = ("booking", booking.id, shift.start_at)
            if key not in sent:
                mails.append(_mentee_reminder(booking, links))
                records.append(key)
        key = ("shift", shift.id, shift.start_at)
        if key not in sent:
            mails.append(_mentor_reminder(shift, confirmed, links))
            records.append(key)
    if records:
        session.execute(
            insert(SentReminder),
            [
                {"kind": kind, "ref_id": ref, "starts_at": starts, "sent_at": now}
                for kind, ref, starts in records
            ],
        )
        queue_many(session, mails)
    return len(mails)
