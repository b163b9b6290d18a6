"""School calendars for the demo district: one school year per jurisdiction, built from rules
(nth weekday of a month, Easter) so any `school_year_start` gives a plausible year; for 2025/26
the rules give the published shape (England: autumn term 1 Sep - 19 Dec with half term 27-31 Oct,
spring 5 Jan - 27 Mar with half term 16-20 Feb, summer 13 Apr - 22 Jul with the bank holidays of
4 and 25 May and half term 25-29 May)."""

from __future__ import annotations

from datetime import date, timedelta

from domain.attendance.calendar import DateRange, SchoolCalendar
from domain.roster.schools import Jurisdiction

_DAY = timedelta(days=1)


def easter_sunday(year: int) -> date:
    """Gregorian Easter (the anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    g = (b - (b + 8) // 25 + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    weekday_shift = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * weekday_shift) // 451
    month, day = divmod(h + weekday_shift - 7 * m + 114, 31)
    return date(year, month, day + 1)


def nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    """The nth (1-based; -1 for the last) given weekday (Mon=0) of a month."""
    if n > 0:
        first = date(year, month, 1)
        return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))
    last = date(year + month // 12, month % 12 + 1, 1) - _DAY
    return last - timedelta(days=(last.weekday() - weekday) % 7)


def _monday_on_or_after(day: date) -> date:
    return day + timedelta(days=-day.weekday() % 7)


def _weekday_on_or_before(day: date, weekday: int) -> date:
    return day - timedelta(days=(day.weekday() - weekday) % 7)


def _school_day_on_or_before(day: date) -> date:
    return day if day.weekday() < 5 else _weekday_on_or_before(day, 4)


def _week(name: str, monday: date) -> DateRange:
    return DateRange(name, monday, monday + timedelta(days=4))


def _day(name: str, day: date) -> DateRange:
    return DateRange(name, day, day)


def _label(start: date) -> str:
    return f"{start.year}-{(start.year + 1) % 100:02d}"  # "2025-26": the calendar API's path form


def _shared_breaks(start: date) -> tuple[date, date, date, date]:
    """Autumn term end, spring term start, Easter break Monday, summer term start."""
    y = start.year
    autumn_end = _weekday_on_or_before(date(y, 12, 20), 4)
    spring_start = _monday_on_or_after(date(y + 1, 1, 4))
    easter_monday_of_week = easter_sunday(y + 1) - timedelta(days=6)  # the Monday before Good Friday
    return autumn_end, spring_start, easter_monday_of_week, easter_monday_of_week + timedelta(days=14)


def england(start: date) -> SchoolCalendar:
    y = start.year
    autumn_end, spring_start, easter, summer_start = _shared_breaks(start)
    summer_end = _school_day_on_or_before(date(y + 1, 7, 22))
    october = nth_weekday(y, 10, 0, -1)
    return SchoolCalendar(
        _label(start), start, summer_end,
        terms=[DateRange("Autumn", start, autumn_end),
               DateRange("Spring", spring_start, easter - _DAY * 3),
               DateRange("Summer", summer_start, summer_end)],
        holidays=[_week("Autumn half term", october),
                  DateRange("Christmas", autumn_end + _DAY, spring_start - _DAY),
                  _week("Spring half term", nth_weekday(y + 1, 2, 0, 3)),
                  DateRange("Easter", easter, summer_start - _DAY),
                  _day("Early May bank holiday", nth_weekday(y + 1, 5, 0, 1)),
                  _week("Summer half term", nth_weekday(y + 1, 5, 0, -1))],
        # INSET (staff training) days: the school is shut to pupils
        closures=[october - _DAY * 3, spring_start])


def ireland(start: date) -> SchoolCalendar:
    y = start.year
    autumn_end, spring_start, easter, summer_start = _shared_breaks(start)
    summer_end = nth_weekday(y + 1, 6, 4, -1)
    brigid = date(y + 1, 2, 1) if date(y + 1, 2, 1).weekday() == 4 else nth_weekday(y + 1, 2, 0, 1)
    return SchoolCalendar(
        _label(start), start, summer_end,
        terms=[DateRange("Autumn", start, autumn_end),
               DateRange("Spring", spring_start, easter - _DAY * 3),
               DateRange("Summer", summer_start, summer_end)],
        holidays=[_week("October mid-term", nth_weekday(y, 10, 0, -1)),
                  DateRange("Christmas", autumn_end + _DAY, spring_start - _DAY),
                  _day("St Brigid's Day", brigid),
                  _week("February mid-term", nth_weekday(y + 1, 2, 0, 3)),
                  _day("St Patrick's Day", date(y + 1, 3, 17)),
                  DateRange("Easter", easter, summer_start - _DAY),
                  _day("May bank holiday", nth_weekday(y + 1, 5, 0, 1)),
                  _day("June bank holiday", nth_weekday(y + 1, 6, 0, 1))])


def california(start: date) -> SchoolCalendar:
    y = start.year
    fall_end, spring_start, easter, _ = _shared_breaks(start)
    summer_end = nth_weekday(y + 1, 6, 4, 2)
    thanksgiving = nth_weekday(y, 11, 3, 4)
    return SchoolCalendar(
        _label(start), start, summer_end,
        terms=[DateRange("Fall semester", start, fall_end),
               DateRange("Spring semester", spring_start, summer_end)],
        holidays=[_day("Labor Day", nth_weekday(y, 9, 0, 1)),
                  _day("Veterans Day", date(y, 11, 11)),
                  _week("Thanksgiving break", thanksgiving - timedelta(days=3)),
                  DateRange("Winter break", fall_end + _DAY, spring_start - _DAY),
                  _day("Martin Luther King Jr. Day", nth_weekday(y + 1, 1, 0, 3)),
                  _day("Presidents' Day", nth_weekday(y + 1, 2, 0, 3)),
                  _day("Cesar Chavez Day", date(y + 1, 3, 31)),
                  _week("Spring break", easter),
                  _day("Memorial Day", nth_weekday(y + 1, 5, 0, -1))])


def first_term_end(calendar: SchoolCalendar) -> date:
    """The last day of the first term (the year's end when no terms are set)."""
    return calendar.terms[0].end if calendar.terms else calendar.end


BUILDERS = {Jurisdiction.ENGLAND: england, Jurisdiction.IRELAND: ireland, Jurisdiction.CALIFORNIA: california}


def demo_calendar(jurisdiction: Jurisdiction, start: date) -> SchoolCalendar:
    return BUILDERS[jurisdiction](start)
