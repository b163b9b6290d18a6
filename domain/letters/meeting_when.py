"""`meetingWhen` for a meeting invitation: when and where, in the school's time zone.

Plain and unambiguous rather than localised: "Tuesday 6 January 2026, 09:30 to 10:00, Room 4"
(24-hour clock, day before month, no ordinal suffixes), the same in every template language;
day and month names are English (a translated template words the sentence around it). The zone
is passed in, so this stays pure.
"""

from __future__ import annotations

from datetime import tzinfo

from domain.errors import ValidationFailed
from domain.meetings import InterventionMeeting

_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December")


def meeting_when(meeting: InterventionMeeting, zone: tzinfo) -> str:
    if meeting.starts_at is None or meeting.ends_at is None:
        raise ValidationFailed("a meeting without a time has no invitation", field="startsAt")
    start, end = meeting.starts_at.astimezone(zone), meeting.ends_at.astimezone(zone)
    text = f"{_DAYS[start.weekday()]} {start.day} {_MONTHS[start.month - 1]} {start.year}, {start:%H:%M} to "
    if end.date() != start.date():  # past midnight: say which day it ends
        text += f"{_DAYS[end.weekday()]} {end.day} {_MONTHS[end.month - 1]} {end.year}, "
    text += f"{end:%H:%M}"
    location = meeting.location.strip()
    return f"{text}, {location}" if location else text
