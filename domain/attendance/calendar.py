"""A school's calendar for one school year and the school-day arithmetic built on it.

A school day is a date within the year and within a term (the whole year if no terms are given),
not a weekend day, not in a named holiday and not a closure day. School days are precomputed once
(a sorted tuple plus a date -> ordinal dict), so every question below is O(1) or O(log n).
Ordinals are 1-based: the first school day of the year has index 1.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from domain.platform.errors import ValidationFailed

_ONE_DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class DateRange:
    """A named, inclusive range of dates: a term or a holiday."""

    name: str
    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValidationFailed(f"{self.name!r} ends before it starts", field="calendar")

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end


class SchoolCalendar:
    """Immutable once built; `weekend_days` uses date.weekday() numbers (Mon=0 … Sun=6)."""

    def __init__(self, school_year: str, start: date, end: date, *, terms: Sequence[DateRange] = (),
                 holidays: Sequence[DateRange] = (), closures: Iterable[date] = (),
                 weekend_days: Iterable[int] = (5, 6)) -> None:
        if end < start:
            raise ValidationFailed(f"school year {school_year} ends before it starts", field="calendar")
        self.school_year = school_year
        self.start, self.end = start, end
        self.terms = tuple(sorted(terms, key=lambda t: t.start))
        self.holidays = tuple(holidays)
        self.closures = frozenset(closures)
        self.weekend_days = frozenset(weekend_days)
        if not self.weekend_days <= set(range(7)) or len(self.weekend_days) == 7:
            raise ValidationFailed("weekend_days must be weekday numbers 0-6, not all of them",
                                   field="calendar")
        for term in self.terms:
            if term.start < start or term.end > end:
                raise ValidationFailed(f"term {term.name!r} lies outside the school year", field="calendar")
        days = []
        day = start
        while day <= end:
            if self._open(day):
                days.append(day)
            day += _ONE_DAY
        self.school_days: tuple[date, ...] = tuple(days)
        self._index = {d: i for i, d in enumerate(days, start=1)}
        self._weeks = tuple(sorted({d.isocalendar()[:2] for d in days}))

    def _open(self, day: date) -> bool:
        return (day.weekday() not in self.weekend_days and day not in self.closures
                and (not self.terms or any(day in t for t in self.terms))
                and not any(day in h for h in self.holidays))

    # --- days ---------------------------------------------------------------------------------

    def is_school_day(self, day: date) -> bool:
        return day in self._index

    def index_of(self, day: date) -> int:
        """The 1-based ordinal of a school day within the year; ValidationFailed otherwise."""
        try:
            return self._index[day]
        except KeyError:
            raise ValidationFailed(f"{day} is not a school day of {self.school_year}", field="date") from None

    def day_at(self, index: int) -> date:
        if not 1 <= index <= len(self.school_days):
            raise ValidationFailed(f"school day {index} is outside {self.school_year}", field="index")
        return self.school_days[index - 1]

    def count_on_or_before(self, day: date) -> int:
        """School days up to and including `day`; also the index of the last one."""
        return bisect_right(self.school_days, day)

    def last_school_day_on_or_before(self, day: date) -> date | None:
        count = self.count_on_or_before(day)
        return self.school_days[count - 1] if count else None

    def first_school_day_on_or_after(self, day: date) -> date | None:
        count = self.count_on_or_before(day - _ONE_DAY)
        return self.school_days[count] if count < len(self.school_days) else None

    def nth_school_day_before(self, day: date, n: int) -> date | None:
        """The school day n school days before `day` (n=1: the previous one), `day` itself not
        counted; None if that falls before the year. Its row is the `earlier` of an n-day window."""
        if n < 1:
            raise ValidationFailed("n must be at least 1", field="n")
        position = bisect_right(self.school_days, day - _ONE_DAY) - n
        return self.school_days[position] if position >= 0 else None

    def school_days_between(self, first: date, last: date) -> tuple[date, ...]:
        """School days in [first, last], in order."""
        return self.school_days[self.count_on_or_before(first - _ONE_DAY):self.count_on_or_before(last)]

    def last_n_school_days(self, end: date, n: int) -> tuple[date, ...]:
        """A window of up to n school days ending on or before `end` (fewer near the year's start)."""
        stop = self.count_on_or_before(end)
        return self.school_days[max(0, stop - n):stop]

    def term_of(self, day: date) -> DateRange | None:
        return next((t for t in self.terms if day in t), None)

    # --- weeks --------------------------------------------------------------------------------

    @staticmethod
    def week_of(day: date) -> tuple[int, int]:
        """The ISO (year, week) containing `day`."""
        iso = day.isocalendar()
        return iso.year, iso.week

    def school_weeks(self) -> tuple[tuple[int, int], ...]:
        """ISO weeks containing at least one school day (a "school week": a week with a session)."""
        return self._weeks

    def last_n_school_weeks(self, end: date, n: int) -> tuple[date, ...]:
        """School days up to `end` in the last n school weeks, the week containing `end` counting
        as one if it has a school day on or before `end` (the rolling penalty-notice period)."""
        stop = self.count_on_or_before(end)
        if stop == 0 or n < 1:
            return ()
        last_week = bisect_right(self._weeks, self.week_of(self.school_days[stop - 1]))
        first_week = self._weeks[max(0, last_week - n)]
        first_monday = date.fromisocalendar(first_week[0], first_week[1], 1)
        return self.school_days[self.count_on_or_before(first_monday - _ONE_DAY):stop]

    # --- storage shape ------------------------------------------------------------------------

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SchoolCalendar:
        """From the camelCase shape `to_dict` writes (ISO dates)."""
        def ranges(key: str) -> list[DateRange]:
            return [DateRange(r["name"], date.fromisoformat(r["start"]), date.fromisoformat(r["end"]))
                    for r in data.get(key, ())]
        return cls(data["schoolYear"], date.fromisoformat(data["start"]), date.fromisoformat(data["end"]),
                   terms=ranges("terms"), holidays=ranges("holidays"),
                   closures=[date.fromisoformat(d) for d in data.get("closures", ())],
                   weekend_days=data.get("weekendDays", (5, 6)))

    def to_dict(self) -> dict[str, Any]:
        def ranges(items: Sequence[DateRange]) -> list[dict[str, str]]:
            return [{"name": r.name, "start": r.start.isoformat(), "end": r.end.isoformat()} for r in items]
        return {"schoolYear": self.school_year, "start": self.start.isoformat(), "end": self.end.isoformat(),
                "terms": ranges(self.terms), "holidays": ranges(self.holidays),
                "closures": sorted(d.isoformat() for d in self.closures),
                "weekendDays": sorted(self.weekend_days)}
