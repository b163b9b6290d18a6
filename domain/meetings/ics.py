"""The calendar invitation for a meeting: an RFC 5545 VCALENDAR with one VEVENT, METHOD:REQUEST.

Deterministic: the UID comes from the meeting id, DTSTAMP from the meeting's last update (never
the clock), times in UTC, so the same meeting gives the same bytes. SEQUENCE is the meeting's
`sequence`, which goes up when it is moved or cancelled, so calendars replace the earlier copy.
Text values are escaped (RFC 5545 3.3.11), lines end in CRLF and are folded at 75 octets
without splitting a UTF-8 character (3.1).
"""

from __future__ import annotations

from datetime import UTC, datetime

from domain.meetings.model import InterventionMeeting, MeetingStatus
from domain.platform.errors import ValidationFailed

PRODID = "-//Attendance Intervention Orchestrator//Meetings//EN"
UID_DOMAIN = "meetings.attendance-orchestrator"
_LIMIT = 75  # octets per line, CRLF excluded


def escape_text(value: str) -> str:
    """TEXT escaping: backslash, semicolon, comma and newlines."""
    return (value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n"))


def fold(line: str) -> str:
    """Fold a content line into chunks of at most 75 octets; continuation lines begin with one
    space (which counts toward their 75). Never splits a multi-byte UTF-8 character."""
    out: list[str] = []
    current, size, limit = "", 0, _LIMIT
    for char in line:
        width = len(char.encode())
        if size + width > limit:
            out.append(current)
            current, size, limit = "", 0, _LIMIT - 1
        current += char
        size += width
    out.append(current)
    return "\r\n ".join(out)


def _utc(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def meeting_ics(meeting: InterventionMeeting, *, summary: str, description: str = "",
                organizer_email: str | None = None) -> bytes:
    """The invitation as UTF-8 bytes. `summary` and `description` come from the caller (the
    letter pipeline words them in the family's language)."""
    if meeting.starts_at is None or meeting.ends_at is None:
        raise ValidationFailed("a meeting without a time has no calendar invitation", field="startsAt")
    cancelled = meeting.status is MeetingStatus.CANCELLED
    lines = [
        "BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN",
        f"METHOD:{'CANCEL' if cancelled else 'REQUEST'}",
        "BEGIN:VEVENT",
        f"UID:{meeting.id}@{UID_DOMAIN}",
        f"SEQUENCE:{meeting.sequence}",
        f"DTSTAMP:{_utc(meeting.updated_at)}",
        f"DTSTART:{_utc(meeting.starts_at)}",
        f"DTEND:{_utc(meeting.ends_at)}",
        f"SUMMARY:{escape_text(summary)}",
    ]
    if meeting.location:
        lines.append(f"LOCATION:{escape_text(meeting.location)}")
    if description:
        lines.append(f"DESCRIPTION:{escape_text(description)}")
    if organizer_email:
        lines.append(f"ORGANIZER:mailto:{organizer_email}")
    lines += [f"STATUS:{'CANCELLED' if cancelled else 'CONFIRMED'}", "END:VEVENT", "END:VCALENDAR"]
    return "".join(fold(line) + "\r\n" for line in lines).encode()
