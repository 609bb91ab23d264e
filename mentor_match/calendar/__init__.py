"""Calendar output: iTIP invites and subscription feeds (RFC 5545/5546), the only user of ics."""

from mentor_match.calendar.events import CalendarEvent, Person
from mentor_match.calendar.lines import fold_line
from mentor_match.calendar.writer import DEFAULT_PRODID, feed, invite

__all__ = ["DEFAULT_PRODID", "CalendarEvent", "Person", "feed", "fold_line", "invite"]
