"""`meetingWhen` for a meeting invitation: when and where, in the school's time zone and the
template's language.

Babel (CLDR) words it the way the language does: the full date, the locale's joins between date,
time and range, and its comma before the location. English: "Tuesday, 6 January 2026,
09:30–10:00, Room 4"; Polish: "wtorek, 6 stycznia 2026 09:30–10:00, Room 4". Times are on the
24-hour clock in every language (unambiguous without an AM/PM word). A meeting that ends on
another day names both: "Tuesday, 6 January 2026, 23:00 – Wednesday, 7 January 2026, 00:30".
The zone is passed in, so this stays pure.
"""

from __future__ import annotations

import re
from datetime import datetime, tzinfo

from babel import Locale
from babel.dates import format_date, format_interval, format_time

from domain.letters.dates import letter_locale
from domain.meetings.model import InterventionMeeting
from domain.platform.errors import ValidationFailed


def _join(pattern: str, first: str, second: str) -> str:
    """Fill a CLDR "{0} … {1}" pattern (quotes are CLDR's literal-text marks, as Babel drops them)."""
    # one pass, so a location with "{1}" in it is not filled in again
    return re.sub(r"\{([01])\}", lambda m: (first, second)[int(m.group(1))], pattern.replace("'", ""))


def _comma(locale: Locale) -> str:
    """The language's list comma ("、" in Chinese) for the location. A few languages (Arabic)
    join every list item with "and"; their date-time join has the comma ("، ") instead."""
    for pattern in (locale.list_patterns["standard"]["start"], locale.datetime_formats["full"]):
        between = _join(pattern, "", "")
        if between.strip() and not any(c.isalpha() for c in between):
            return between
    return ", "


def _day_and_time(at: datetime, locale: Locale) -> str:
    day = format_date(at.date(), format="full", locale=locale)
    return _join(locale.datetime_formats["full"], format_time(at.time(), "HH:mm", locale=locale), day)


def meeting_when(meeting: InterventionMeeting, zone: tzinfo, language: str = "en") -> str:
    """When and where, worded in `language` (a template language; unknown → English)."""
    if meeting.starts_at is None or meeting.ends_at is None:
        raise ValidationFailed("a meeting without a time has no invitation", field="startsAt")
    locale = letter_locale(language)
    start, end = meeting.starts_at.astimezone(zone), meeting.ends_at.astimezone(zone)
    if end.date() == start.date():
        # naive local times: the zone is already applied, Babel must not convert again
        hours = format_interval(start.time(), end.time(), "Hm", locale=locale)
        text = _join(locale.datetime_formats["full"], hours,
                     format_date(start.date(), format="full", locale=locale))
    else:  # past midnight: say which day it ends
        text = _join(locale.interval_formats[None], _day_and_time(start, locale),
                     _day_and_time(end, locale))
    location = meeting.location.strip()
    return f"{text}{_comma(locale)}{location}" if location else text
