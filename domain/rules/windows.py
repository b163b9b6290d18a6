"""Where windows start: the school day whose row is the `earlier` side of `summaries.window`.

These depend on the calendar, the evaluation date and the window only, never on the student, so
they are memoised: a night's run over 20,000 students works each one out once per school.
Everything is anchored on the last school day on or before the evaluation date, the day of the
student's newest row.
"""

from __future__ import annotations

from bisect import bisect_right
from datetime import date
from functools import lru_cache
from typing import NamedTuple

from domain.attendance.calendar import SchoolCalendar


class WindowStart(NamedTuple):
    """`earlier`: the school day before the window in this year (None: the window starts with
    the year, so the counters start from zero). `reach`: how many of the window's school days or
    school weeks lie before this year's first (0: none). `previous`: for a window that reaches
    back, the previous school year's (last school day, day before its part of the window); None
    when it does not reach back or no previous calendar was given."""

    earlier: date | None
    previous: tuple[date, date | None] | None = None
    reach: int = 0


@lru_cache(maxsize=4096)
def anchor(calendar: SchoolCalendar, as_of: date) -> date | None:
    """The last school day on or before `as_of`; None before the year's first school day."""
    return calendar.last_school_day_on_or_before(as_of)


@lru_cache(maxsize=4096)
def days_since(calendar: SchoolCalendar, as_of: date, since: date) -> int:
    """School days after `since`, up to and including `as_of`."""
    return max(0, calendar.count_on_or_before(as_of) - calendar.count_on_or_before(since))


@lru_cache(maxsize=16384)
def window_start(calendar: SchoolCalendar, as_of: date, days: int | None = None, weeks: int | None = None,
                 previous_calendar: SchoolCalendar | None = None) -> WindowStart:
    """The start of the window of the last `days` school days or `weeks` school weeks ending on
    `anchor(calendar, as_of)`; neither means the year to date. A window longer than this year so
    far continues at the end of `previous_calendar`'s year: England's penalty period "can span
    different terms or school years", and a count of the last N school days is the same count
    on the first day of September as in July."""
    end = anchor(calendar, as_of)
    if end is None or (days is None and weeks is None):
        return WindowStart(None)
    known = previous_calendar is not None and bool(previous_calendar.school_days)
    if days is not None:
        this_year = calendar.count_on_or_before(end)
        if this_year >= days:
            return WindowStart(calendar.nth_school_day_before(end, days))
        if not known:
            return WindowStart(None, reach=days - this_year)
        assert previous_calendar is not None
        reach, last_day = days - this_year, previous_calendar.school_days[-1]
        return WindowStart(None, (last_day, previous_calendar.nth_school_day_before(last_day, reach)), reach)
    assert weeks is not None
    first = calendar.last_n_school_weeks(end, weeks)[0]
    earlier = calendar.nth_school_day_before(first, 1)
    weeks_this_year = bisect_right(calendar.school_weeks(), calendar.week_of(end))
    if weeks_this_year >= weeks:
        return WindowStart(earlier)
    reach = weeks - weeks_this_year
    if not known:
        return WindowStart(earlier, reach=reach)
    assert previous_calendar is not None
    # A week with school days in both years is one week, counted in this year.
    missing = reach
    last_day = previous_calendar.school_days[-1]
    if calendar.week_of(last_day) == calendar.school_weeks()[0]:
        missing += 1
    previous_first = previous_calendar.last_n_school_weeks(last_day, missing)[0]
    return WindowStart(earlier, (last_day, previous_calendar.nth_school_day_before(previous_first, 1)), reach)
