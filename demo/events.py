"""School-wide attendance events: the winter bug weeks (a Monday-to-Friday run of school days in
late November and one in January) and the places families take term-time holidays (the week or
two next to a break; first-term breaks weighted up so a one-term demo shows them)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from demo.calendars import first_term_end
from domain.attendance.calendar import SchoolCalendar

HOLIDAY_SHARE = 0.05  # families taking a term-time holiday in the year


@dataclass(frozen=True, slots=True)
class SchoolEvents:
    """School-wide: the bug weeks (school-day index ranges) and the breaks holidays cluster around."""

    bug_weeks: tuple[range, ...]
    holiday_slots: tuple[tuple[range, range], ...]  # (1-week block, 2-week block) next to a break
    slot_weights: tuple[int, ...]


def school_events(rng: random.Random, calendar: SchoolCalendar) -> SchoolEvents:
    days, year = calendar.school_days, calendar.start.year
    bugs = []
    # a winter bug starts on a Monday between mid-November and early December, another in January
    windows = ((date(year, 11, 17), date(year, 12, 8)), (date(year + 1, 1, 12), date(year + 1, 2, 2)))
    for first, last in windows:
        mondays = [d for d in calendar.school_days_between(first, last) if d.weekday() == 0]
        if mondays:
            monday = rng.choice(mondays)
            start = calendar.count_on_or_before(monday - timedelta(days=1))
            bugs.append(range(start, min(start + 5, len(days))))
    slots, weights = [], []
    first_end = first_term_end(calendar)
    for holiday in calendar.holidays:
        if (holiday.end - holiday.start).days < 4:
            continue  # a bank holiday, not a break families book trips around
        before = calendar.count_on_or_before(holiday.start)  # school days before the break
        after = calendar.count_on_or_before(holiday.end)
        for one, two in ((range(before - 5, before), range(before - 10, before)),
                         (range(after, after + 5), range(after, after + 10))):
            if one.start >= 0 and two.start >= 0 and two.stop <= len(days):
                slots.append((one, two))
                weights.append(3 if holiday.start <= first_end else 1)  # visible in a term's demo
    return SchoolEvents(tuple(bugs), tuple(slots), tuple(weights))


def family_holiday(rng: random.Random, events: SchoolEvents) -> range | None:
    """The school-day indices of the family's holiday (shared by siblings), or None."""
    if not events.holiday_slots or rng.random() >= HOLIDAY_SHARE:
        return None
    one, two = rng.choices(events.holiday_slots, events.slot_weights)[0]
    return two if rng.random() < 0.4 else one
