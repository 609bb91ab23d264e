"""Calendar feed tokens, and the invites and feeds made from shifts and bookings."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from sqlalchemy import or_
from sqlalchemy.orm import Session, selectinload

from mentor_match import mail
from mentor_match.calendar import CalendarEvent, Person, feed, invite
from mentor_match.extensions import db
from mentor_match.models import Booking, BookingStatus, CalendarToken, Shift, ShiftStatus, User

# Cancelled entries stay in feeds this long, so subscribed calendars see them go.
CANCELLED_KEPT = timedelta(days=30)
# Feeds leave out what ended longer ago than this: old history only slows every refresh.
PAST_KEPT = timedelta(days=400)
FEED_REFRESH = timedelta(hours=1)
DEFAULT_UID_HOST = "mentor-match.local"


@dataclass(frozen=True)
class LinkBase:
    """Where the app is reached (for links) and the stable domain part of every UID.

    UIDs must never change for the life of a booking, so their host comes from the configured
    BASE_URL only; links may use the request's own host when no BASE_URL is set.
    """

    base_url: str
    uid_host: str = DEFAULT_UID_HOST

    @classmethod
    def from_config(cls, configured_base_url: str | None, request_root: str) -> LinkBase:
        if configured_base_url:
            host = urlsplit(configured_base_url).hostname or DEFAULT_UID_HOST
            return cls(configured_base_url.rstrip("/"), host)
        return cls(request_root.rstrip("/"))

    def feed_urls(self, token: str) -> dict[str, str]:
        https = f"{self.base_url}/calendar/{token}.ics"
        webcal = "webcal://" + https.split("://", 1)[1]
        return {"feed_url": https, "webcal_url": webcal}


# -- feed tokens ---------------------------------------------------------------------------


def _derive(secret: str, seed: str) -> str:
    digest = hmac.new(secret.encode(), f"calendar-feed:{seed}".encode(), hashlib.sha256)
    return digest.hexdigest()


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def feed_token(session: Session, user: User, secret: str) -> str:
    """The user's current feed token, made on first use."""
    row = session.scalar(db.select(CalendarToken).where(CalendarToken.user_id == user.id))
    if row is None or not row.seed:
        return rotate_feed_token(session, user, secret)
    return _derive(secret, row.seed)


def rotate_feed_token(session: Session, user: User, secret: str) -> str:
    """Replace the user's feed token; the old feed URL stops working at once."""
    seed = secrets.token_urlsafe(32)
    raw = _derive(secret, seed)
    row = session.scalar(db.select(CalendarToken).where(CalendarToken.user_id == user.id))
    if row is None:
        row = CalendarToken(user_id=user.id)
        session.add(row)
    row.seed = seed
    row.token_hash = _hash(raw)
    row.created_at = datetime.now(UTC)
    session.flush()
    return raw


def user_for_feed_token(session: Session, raw: str, secret: str) -> User | None:
    """The active user whose feed `raw` opens, or None."""
    if not raw or len(raw) > 200:
        return None
    row = session.scalar(db.select(CalendarToken).where(CalendarToken.token_hash == _hash(raw)))
    if row is None or not row.seed or not hmac.compare_digest(_derive(secret, row.seed), raw):
        return None
    user = session.get(User, row.user_id)
    return user if user is not None and user.active else None


# -- events --------------------------------------------------------------------------------


def _person(user: User) -> Person:
    return Person(user.name, user.email)


def _summary(shift: Shift) -> str:
    if shift.specialty is None:
        return f"Shadowing with {shift.mentor.name}"
    return f"Shadowing: {shift.specialty.name} with {shift.mentor.name}"


def booking_status(booking: Booking) -> str:
    if booking.status == BookingStatus.CANCELLED or booking.shift.is_cancelled:
        return "CANCELLED"
    if booking.status == BookingStatus.WAITLISTED:
        return "TENTATIVE"
    return "CONFIRMED"


def booking_event(booking: Booking, links: LinkBase) -> CalendarEvent:
    shift = booking.shift
    lines = [shift.notes] if shift.notes else []
    if booking.status == BookingStatus.WAITLISTED:
        lines.insert(0, "Waitlisted: you will be told if a seat frees up.")
    description = "\n".join(lines)
    return CalendarEvent(
        uid=f"booking-{booking.id}@{links.uid_host}",
        start_at=shift.start_at,
        end_at=shift.end_at,
        summary=_summary(shift),
        sequence=booking.sequence,
        status=booking_status(booking),
        location=shift.location,
        description=description,
        url=f"{links.base_url}/bookings/",
        organizer=_person(shift.mentor),
        attendees=(_person(booking.mentee),),
        created_at=booking.created_at,
        updated_at=max(booking.updated_at, shift.updated_at),
    )


def shift_event(shift: Shift, links: LinkBase) -> CalendarEvent:
    confirmed = [b for b in shift.bookings if b.status == BookingStatus.CONFIRMED]
    seats = f"{len(confirmed)} of {shift.seats} seats booked."
    return CalendarEvent(
        uid=f"shift-{shift.id}@{links.uid_host}",
        start_at=shift.start_at,
        end_at=shift.end_at,
        summary=f"Shadowing shift: {shift.specialty.name}"
        if shift.specialty
        else "Shadowing shift",
        sequence=shift.sequence,
        status="CANCELLED" if shift.is_cancelled else "CONFIRMED",
        location=shift.location,
        description="\n".join(x for x in (seats, shift.notes) if x),
        url=f"{links.base_url}/shifts/{shift.id}",
        organizer=_person(shift.mentor),
        attendees=tuple(_person(b.mentee) for b in confirmed),
        created_at=shift.created_at,
        updated_at=max([shift.updated_at, *(b.updated_at for b in shift.bookings)]),
    )


def booking_invite(booking: Booking, links: LinkBase) -> tuple[str, str]:
    """The iTIP method and text of the booking's invite as it stands now."""
    method = "CANCEL" if booking_status(booking) == "CANCELLED" else "REQUEST"
    return method, invite(booking_event(booking, links), method=method)


def shift_when(shift: Shift, *, short: bool = False) -> str:
    """The shift's time as people at its site read it: in the mentor's own time zone."""
    zone = ZoneInfo(shift.mentor.timezone or "UTC")
    start, end = shift.start_at.astimezone(zone), shift.end_at.astimezone(zone)
    if short:
        return f"{start:%a %d %b, %H:%M}"
    return f"{start:%A %d %B %Y, %H:%M}–{end:%H:%M} ({shift.mentor.timezone or 'UTC'})"


def queue_waitlist_notice(session: Session, booking: Booking, links: LinkBase) -> None:
    """Tell a waitlisted mentee their place is gone with the shift (there is no invite to
    cancel: they never had a seat)."""
    shift = booking.shift
    mail.queue(
        session,
        mail.Mail(
            to=(booking.mentee.email,),
            subject=f"Shadowing shift cancelled: {shift_when(shift, short=True)} "
            f"with {shift.mentor.name}",
            body=(
                f"The shadowing shift with {shift.mentor.name} on {shift_when(shift)}, where "
                "you were on the waitlist, has been cancelled.\n\n"
                f"Find another shift at {links.base_url}/bookings/shifts\n"
            ),
        ),
    )


def queue_booking_mail(session: Session, booking: Booking, links: LinkBase, what: str) -> None:
    """Mail the mentee and the mentor the booking's invite (to the outbox, in this transaction).

    `what` is the news in a few words ("is confirmed", "has changed", "is cancelled").
    """
    method, text = booking_invite(booking, links)
    shift = booking.shift
    subject = f"Shadowing {what}: {shift_when(shift, short=True)} with {shift.mentor.name}"
    body = (
        f"The shadowing booking of {booking.mentee.name} with {shift.mentor.name} {what}.\n\n"
        f"When: {shift_when(shift)}\n"
        f"Where: {shift.location or 'see the shift'}\n\n"
        f"The calendar entry is attached. See your bookings at {links.base_url}/bookings/\n"
    )
    mail.queue(
        session,
        mail.Mail(
            to=(booking.mentee.email, shift.mentor.email),
            subject=subject,
            body=body,
            ics=text,
            ics_method=method,
        ),
    )


def queue_handover_mail(session: Session, shift: Shift, previous: User, links: LinkBase) -> None:
    """Tell both mentors a coordinator handed the shift from `previous` to its mentor now.

    The previous mentor had each confirmed booking's invite in their calendar: each gets a
    CANCEL (same UID, the booking's new SEQUENCE) so it leaves their calendar; the mentees
    and the new mentor get the updated invite from `queue_booking_mail`.
    """
    when = shift_when(shift)
    mentor = shift.mentor
    confirmed = [b for b in shift.bookings if b.status == BookingStatus.CONFIRMED]
    mail.queue(
        session,
        mail.Mail(
            to=(mentor.email,),
            subject=f"Shadowing shift handed to you: {shift_when(shift, short=True)}",
            body=(
                f"A coordinator handed you the shadowing shift of {previous.name} on {when}, "
                f"at {shift.location or 'the usual place'}. {len(confirmed)} mentee(s) booked "
                f"on it; their invites follow.\n\nSee the shift at "
                f"{links.base_url}/shifts/{shift.id}\n"
            ),
        ),
    )
    notice = (
        f"A coordinator handed your shadowing shift on {when} to {mentor.name}. "
        "It is no longer yours; its bookings go with it.\n"
    )
    if not confirmed:
        mail.queue(
            session,
            mail.Mail(
                to=(previous.email,),
                subject=f"Shadowing shift handed over: {shift_when(shift, short=True)}",
                body=notice,
            ),
        )
    for booking in confirmed:
        event = replace(
            booking_event(booking, links), status="CANCELLED", organizer=_person(previous)
        )
        text = invite(event, method="CANCEL")
        mail.queue(
            session,
            mail.Mail(
                to=(previous.email,),
                subject=f"Shadowing handed over: {shift_when(shift, short=True)} "
                f"with {booking.mentee.name}",
                body=notice + "The calendar entry of this booking is cancelled for you.\n",
                ics=text,
                ics_method="CANCEL",
            ),
        )


# -- feeds ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Feed:
    text: str
    etag: str


def user_feed(session: Session, user: User, links: LinkBase, now: datetime | None = None) -> Feed:
    """A mentee's bookings, or a mentor's shifts with their attendees, as a subscription feed."""
    now = now or datetime.now(UTC)
    events, changes = _feed_events(session, user, links, now)
    # DTSTAMP = the last change of anything in the feed: the same data gives the same text,
    # so the ETag only changes when the calendar really does.
    stamp = max(changes, default=datetime(2000, 1, 1, tzinfo=UTC)).replace(microsecond=0)
    label = "shifts" if user.is_mentor else "shadowing"
    text = feed(
        events,
        name=f"mentor_match {label}: {user.name}",
        description="Shadowing shifts and bookings from mentor_match",
        refresh=FEED_REFRESH,
        stamp=stamp,
    )
    etag = '"' + hashlib.sha256(text.encode()).hexdigest()[:32] + '"'
    return Feed(text, etag)


def _feed_events(
    session: Session, user: User, links: LinkBase, now: datetime
) -> tuple[list[CalendarEvent], list[datetime]]:
    cancelled_since = now - CANCELLED_KEPT
    ended_since = now - PAST_KEPT
    if user.is_mentor:
        shifts = session.scalars(
            db.select(Shift)
            .where(
                Shift.mentor_id == user.id,
                Shift.end_at >= ended_since,
                or_(Shift.status == ShiftStatus.SCHEDULED, Shift.cancelled_at >= cancelled_since),
            )
            .options(
                selectinload(Shift.bookings).selectinload(Booking.mentee),
                selectinload(Shift.specialty),
                selectinload(Shift.mentor),
            )
        ).all()
        changes = [s.updated_at for s in shifts] + [
            b.updated_at for s in shifts for b in s.bookings
        ]
        return [shift_event(s, links) for s in shifts], changes
    if not user.is_mentee:
        return [], []
    bookings = session.scalars(
        db.select(Booking)
        .join(Booking.shift)
        .where(
            Booking.mentee_id == user.id,
            Shift.end_at >= ended_since,
            or_(
                Booking.status != BookingStatus.CANCELLED,
                Booking.cancelled_at >= cancelled_since,
            ),
            or_(Shift.status == ShiftStatus.SCHEDULED, Shift.cancelled_at >= cancelled_since),
        )
        .options(
            selectinload(Booking.shift).selectinload(Shift.mentor),
            selectinload(Booking.shift).selectinload(Shift.specialty),
            selectinload(Booking.mentee),
        )
    ).all()
    changes = [b.updated_at for b in bookings] + [b.shift.updated_at for b in bookings]
    return [booking_event(b, links) for b in bookings], changes
