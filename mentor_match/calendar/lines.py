"""RFC 5545 content lines: TEXT escaping, parameter quoting, UTC date-times and folding."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

# CONTROL in RFC 5545 (section 3.1) is every C0 control except HTAB, plus DEL.
_CONTROL = re.compile("[\x00-\x08\x0a-\x1f\x7f]")
# The same, minus LF: a newline in TEXT survives as the escape "\n".
_TEXT_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f]")
_TEXT_ESCAPES = str.maketrans({"\\": "\\\\", ";": "\\;", ",": "\\,", "\n": "\\n"})
# RFC 6868: a caret that a reader would take for the start of ^^, ^n or ^' is doubled.
# Other carets stay single so that clients without RFC 6868 still show the name as typed.
_CARET_ESCAPE = re.compile(r"\^(?=[\^nN'])")

FOLD_OCTETS = 75


def clean_text(value: str) -> str:
    """Return `value` as a TEXT value can carry it: line breaks as LF, no other controls."""
    if "\r" in value:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    return _TEXT_CONTROL.sub("", value)


def escape_text(value: str) -> str:
    """Escape a TEXT value (RFC 5545 section 3.3.11) after `clean_text`."""
    return clean_text(value).translate(_TEXT_ESCAPES)


def clean_param(value: str) -> str:
    """Return what a parameter value can carry: one line, no DQUOTE (RFC 5545 forbids it).

    Backslash becomes "/": RFC 5545 gives it no meaning in parameters, but common readers
    (icalendar among them) take `\\:` or `\\,` there for escapes and would misread the name.
    """
    value = _CONTROL.sub(" ", value.replace("\r\n", " "))
    return value.replace('"', "'").replace("\\", "/")


def param_value(value: str) -> str:
    """Render a parameter value, DQUOTEd when it holds ',' ';' or ':'."""
    value = _CARET_ESCAPE.sub("^^", clean_param(value))
    if "," in value or ";" in value or ":" in value:
        return f'"{value}"'
    return value


def utc_text(moment: datetime) -> str:
    """Render an aware datetime as a UTC DATE-TIME, `YYYYMMDDTHHMMSSZ`."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"datetime {moment!r} has no time zone")
    t = moment.astimezone(UTC)
    return f"{t.year:04d}{t.month:02d}{t.day:02d}T{t.hour:02d}{t.minute:02d}{t.second:02d}Z"


def content_line(name: str, value: str, params: Sequence[tuple[str, str]] = ()) -> str:
    """Build one unfolded content line; `value` must already be in its escaped form."""
    rendered = "".join(f";{key}={param_value(raw)}" for key, raw in params)
    return f"{name}{rendered}:{value}"


def fold_line(line: str) -> str:
    """Fold one content line at 75 octets (RFC 5545 section 3.1), never inside a character.

    Continuation lines start with a single space; the parts are joined with CRLF and the
    result carries no trailing CRLF. Removing every CRLF + space restores `line`.
    """
    if "\r" in line or "\n" in line:
        raise ValueError("a content line cannot contain CR or LF; escape the value first")
    if line.isascii():
        if len(line) <= FOLD_OCTETS:
            return line
        rest = range(FOLD_OCTETS, len(line), FOLD_OCTETS - 1)
        return "\r\n ".join([line[:FOLD_OCTETS], *(line[i : i + FOLD_OCTETS - 1] for i in rest)])
    data = line.encode("utf-8")
    if len(data) <= FOLD_OCTETS:
        return line
    parts = []
    start, limit = 0, FOLD_OCTETS
    while len(data) - start > limit:
        end = start + limit
        while data[end] & 0xC0 == 0x80:  # a UTF-8 continuation byte: step back to its lead
            end -= 1
        parts.append(data[start:end].decode("utf-8"))
        start, limit = end, FOLD_OCTETS - 1  # the leading space takes one octet
    parts.append(data[start:].decode("utf-8"))
    return "\r\n ".join(parts)


def render(lines: Iterable[str]) -> str:
    """Fold every content line and join them with CRLF, ending with a CRLF."""
    return "\r\n".join([fold_line(line) for line in lines]) + "\r\n"
