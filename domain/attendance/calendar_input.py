"""A school calendar as a client sends it, checked field by field before SchoolCalendar builds it.

SchoolCalendar guards its own invariants but names the whole calendar; a client needs to know
which term or closure is wrong, so the checks here name `terms[1].end`, `closures[3]` and so on.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from domain.attendance.calendar import SchoolCalendar
from domain.platform.errors import ValidationFailed

# [0-9], not \d, which matches the digits of every script
_SCHOOL_YEAR = re.compile(r"[0-9]{4}(?:-[0-9]{2}|-[0-9]{4})?")


def check_school_year(value: str) -> str:
    """`2024-25` (or `2024-2025`, or `2025` for a calendar-year school); no `/`, it is a path part."""
    if not _SCHOOL_YEAR.fullmatch(value):
        raise ValidationFailed("expected a school year such as 2024-25", field="schoolYear")
    return value


def _day(value: Any, field: str) -> date:
    try:
        return value if isinstance(value, date) else date.fromisoformat(value)
    except (TypeError, ValueError):
        raise ValidationFailed("expected a YYYY-MM-DD date", field=field) from None


def _ranges(data: dict[str, Any], kind: str, start: date, end: date) -> list[dict[str, str]]:
    out: list[dict[str, str]] = []
    previous: tuple[date, date] | None = None
    for i, item in enumerate(data.get(kind) or ()):
        at = f"{kind}[{i}]"
        name = str(item.get("name") or "").strip()
        if not name:
            raise ValidationFailed("a name is required", field=f"{at}.name")
        first, last = _day(item.get("start"), f"{at}.start"), _day(item.get("end"), f"{at}.end")
        if last < first:
            raise ValidationFailed(f"{name!r} ends before it starts", field=f"{at}.end")
        if first < start or last > end:
            raise ValidationFailed(f"{name!r} lies outside the school year {start}..{end}", field=at)
        if kind == "terms" and previous and first <= previous[1]:
            raise ValidationFailed(f"{name!r} overlaps the term before it", field=f"{at}.start")
        previous = (first, last)
        out.append({"name": name, "start": first.isoformat(), "end": last.isoformat()})
    if kind == "terms":
        out.sort(key=lambda r: r["start"])
    return out


def calendar_from_body(school_year: str, data: dict[str, Any]) -> SchoolCalendar:
    """From the API body (`start`, `end`, `terms`, `holidays`, `closures`, `weekendDays`)."""
    check_school_year(school_year)
    start, end = _day(data.get("start"), "start"), _day(data.get("end"), "end")
    if end < start:
        raise ValidationFailed(f"the school year ends ({end}) before it starts ({start})", field="end")
    if (end - start).days > 400:
        raise ValidationFailed("a school year spans at most 400 days", field="end")
    closures = []
    for i, value in enumerate(data.get("closures") or ()):
        day = _day(value, f"closures[{i}]")
        if not start <= day <= end:
            raise ValidationFailed(f"{day} lies outside the school year", field=f"closures[{i}]")
        closures.append(day.isoformat())
    weekend = data.get("weekendDays")
    weekend = [5, 6] if weekend is None else list(weekend)
    if any(not isinstance(d, int) or not 0 <= d <= 6 for d in weekend) or len(set(weekend)) == 7:
        raise ValidationFailed("weekday numbers 0 (Monday) to 6 (Sunday), not all seven",
                               field="weekendDays")
    calendar = SchoolCalendar.from_dict({
        "schoolYear": school_year, "start": start.isoformat(), "end": end.isoformat(),
        "terms": _ranges(data, "terms", start, end), "holidays": _ranges(data, "holidays", start, end),
        "closures": closures, "weekendDays": weekend})
    if not calendar.school_days:
        raise ValidationFailed("the calendar has no school days", field="terms")
    return calendar
