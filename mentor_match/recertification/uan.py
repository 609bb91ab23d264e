"""ACPE Universal Activity Numbers (UAN), read and checked part by part.

A UAN such as ``0175-0000-14-105-L05-T`` has six hyphen-separated parts:

=============  ========  ==============================================================
part           example   meaning
=============  ========  ==============================================================
provider       ``0175``  the ACPE-accredited provider's number (4 digits, not 0000)
joint          ``0000``  ``0000`` when the provider is alone, ``9999`` when it is jointly
                         provided with another organisation
year           ``14``    the year the activity was released (2 digits)
sequence       ``105``   the provider's running number for that year (001–999)
format, topic  ``L05``   the format letter (L live, H home study, B blended) and the topic
                         designator (01–08, see :data:`TOPICS`)
audience       ``T``     T for pharmacy technicians, P for pharmacists
=============  ========  ==============================================================

Every problem names the part that is wrong, so a person can fix what they typed:
"topic code 09 does not exist".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# ACPE's topic designators; the category decides which requirement an activity counts toward.
TOPICS: dict[str, str] = {
    "01": "disease state management",
    "02": "HIV/AIDS therapy",
    "03": "law",
    "04": "general pharmacy",
    "05": "patient safety",
    "06": "immunizations",
    "07": "compounding",
    "08": "pain management and opioids",
}
FORMATS: dict[str, str] = {"L": "live", "H": "home study", "B": "blended"}
AUDIENCES: dict[str, str] = {"T": "technician", "P": "pharmacist"}
JOINT_CODES: dict[str, str] = {"0000": "sole provider", "9999": "joint provider"}

PARTS = ("provider", "joint", "year", "sequence", "format", "topic", "audience")
MAX_LENGTH = 22  # 0175-0000-14-105-L05-T
EXAMPLE = "0175-0000-14-105-L05-T"


class UanError(ValueError):
    """A UAN that cannot be read; `part` names the wrong part (one of :data:`PARTS`, or "uan")."""

    def __init__(self, part: str, message: str) -> None:
        super().__init__(message)
        self.part = part
        self.message = message


@dataclass(frozen=True)
class Uan:
    provider: str
    joint: str
    year: str
    sequence: str
    format: str  # the letter: L, H or B
    topic: str  # the designator: 01–08
    audience: str  # T or P

    def __str__(self) -> str:
        return (
            f"{self.provider}-{self.joint}-{self.year}-{self.sequence}-"
            f"{self.format}{self.topic}-{self.audience}"
        )

    @property
    def format_name(self) -> str:
        return FORMATS[self.format]

    @property
    def topic_name(self) -> str:
        return TOPICS[self.topic]

    @property
    def audience_name(self) -> str:
        return AUDIENCES[self.audience]

    @property
    def for_technicians(self) -> bool:
        return self.audience == "T"

    def as_dict(self) -> dict[str, str]:
        return {
            "number": str(self),
            "provider": self.provider,
            "joint": self.joint,
            "year": self.year,
            "sequence": self.sequence,
            "format": self.format_name,
            "topic": self.topic_name,
            "topic_code": self.topic,
            "audience": self.audience_name,
        }


_DIGITS = re.compile(r"[0-9]+")


def _digits(part: str, value: str, count: int, label: str) -> None:
    if len(value) != count or not _DIGITS.fullmatch(value):
        raise UanError(part, f"the {label} must be {count} digits, not {value!r}")


def parse_uan(text: str) -> Uan:
    """Read a UAN, checking each part; spaces around it and lower-case letters are forgiven."""
    raw = text.strip().upper()
    if not raw:
        raise UanError("uan", f"the activity number is empty: it looks like {EXAMPLE}")
    if len(raw) > MAX_LENGTH + 8:
        raise UanError("uan", f"the activity number is too long: it looks like {EXAMPLE}")
    pieces = raw.split("-")
    if len(pieces) != 6:
        raise UanError(
            "uan",
            f"an activity number has 6 parts separated by hyphens, like {EXAMPLE}; "
            f"this one has {len(pieces)}",
        )
    provider, joint, year, sequence, format_topic, audience = pieces
    _digits("provider", provider, 4, "provider number")
    if provider == "0000":
        raise UanError("provider", "the provider number 0000 does not exist")
    _digits("joint", joint, 4, "joint-provider code")
    if joint not in JOINT_CODES:
        raise UanError("joint", f"the joint-provider code must be 0000 or 9999, not {joint}")
    _digits("year", year, 2, "year")
    _digits("sequence", sequence, 3, "sequence number")
    if sequence == "000":
        raise UanError("sequence", "the sequence number starts at 001, not 000")
    if len(format_topic) != 3:
        raise UanError(
            "format",
            f"the fifth part is a format letter and a 2-digit topic code, like L05, "
            f"not {format_topic!r}",
        )
    letter, topic = format_topic[0], format_topic[1:]
    if letter not in FORMATS:
        known = ", ".join(f"{k} ({v})" for k, v in FORMATS.items())
        raise UanError("format", f"format letter {letter} does not exist: use {known}")
    _digits("topic", topic, 2, "topic code")
    if topic not in TOPICS:
        raise UanError("topic", f"topic code {topic} does not exist (01 to {max(TOPICS)})")
    if audience not in AUDIENCES:
        raise UanError(
            "audience",
            f"the audience must be T (technicians) or P (pharmacists), not {audience!r}",
        )
    return Uan(provider, joint, year, sequence, letter, topic, audience)
