"""domain/attendance/calendar.py: school days, ordinals, n-day windows and school weeks."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from domain.attendance.calendar import DateRange, SchoolCalendar
from domain.platform.errors import ValidationFailed


def england_2024() -> SchoolCalendar:
    """An English 2024/25 year: three terms, half terms, the early-May bank holiday, an INSET day."""
    return SchoolCalendar(
        "2024/25", date(2024, 9, 2), date(2025, 7, 22),
        terms=[DateRange("Autumn", date(2024, 9, 2), date(2024, 12, 20)),
               DateRange("Spring", date(2025, 1, 6), date(2025, 4, 4)),
               DateRange("Summer", date(2025, 4, 22), date(2025, 7, 22))],
        holidays=[DateRange("Autumn half term", date(2024, 10, 28), date(2024, 11, 1)),
                  DateRange("Spring half term", date(2025, 2, 17), date(2025, 2, 21)),
                  DateRange("Early May bank holiday", date(2025, 5, 5), date(2025, 5, 5)),
                  DateRange("Summer half term", date(2025, 5, 26), date(2025, 5, 30))],
        closures=[date(2025, 1, 6)])


CAL = england_2024()


@pytest.mark.parametrize(("day", "expected"), [
    (date(2024, 9, 2), True),  # first day, a Monday in term
    (date(2024, 9, 7), False),  # Saturday
    (date(2024, 10, 28), False),  # half term
    (date(2024, 12, 23), False),  # between terms
    (date(2025, 1, 6), False),  # closure (INSET) day
    (date(2025, 1, 7), True),
    (date(2025, 5, 5), False),  # bank holiday
    (date(2025, 5, 6), True),
    (date(2024, 9, 1), False),  # before the year
    (date(2025, 7, 23), False),  # after it
])
def test_is_school_day(day: date, expected: bool) -> None:
    assert CAL.is_school_day(day) is expected


def test_autumn_term_has_fifteen_weeks_of_school_days() -> None:
    """16 weeks of Monday-Friday minus the half-term week."""
    assert len(CAL.school_days_between(date(2024, 9, 2), date(2024, 12, 20))) == 75


def test_ordinals_are_one_based_and_invert_day_at() -> None:
    assert CAL.index_of(date(2024, 9, 2)) == 1
    assert CAL.index_of(date(2024, 9, 9)) == 6  # the Monday of week two
    assert all(CAL.day_at(CAL.index_of(d)) == d for d in CAL.school_days)
    assert [CAL.index_of(d) for d in CAL.school_days] == list(range(1, len(CAL.school_days) + 1))


def test_a_non_school_day_has_no_ordinal() -> None:
    with pytest.raises(ValidationFailed):
        CAL.index_of(date(2025, 5, 5))
    with pytest.raises(ValidationFailed):
        CAL.day_at(0)


def test_count_on_or_before_a_holiday_is_the_last_school_days_index() -> None:
    assert CAL.count_on_or_before(date(2024, 10, 30)) == CAL.index_of(date(2024, 10, 25))
    assert CAL.count_on_or_before(date(2024, 8, 1)) == 0
    assert CAL.last_school_day_on_or_before(date(2024, 9, 8)) == date(2024, 9, 6)
    assert CAL.first_school_day_on_or_after(date(2024, 9, 7)) == date(2024, 9, 9)
    assert CAL.first_school_day_on_or_after(date(2025, 7, 23)) is None


def test_nth_school_day_before_skips_weekend_and_bank_holiday() -> None:
    tuesday = date(2025, 5, 6)
    assert CAL.nth_school_day_before(tuesday, 1) == date(2025, 5, 2)  # Friday, over Sat, Sun, Mon
    assert CAL.nth_school_day_before(tuesday, 3) == date(2025, 4, 30)
    assert CAL.nth_school_day_before(date(2024, 9, 7), 1) == date(2024, 9, 6)  # from a Saturday
    assert CAL.nth_school_day_before(date(2024, 9, 3), 1) == date(2024, 9, 2)
    assert CAL.nth_school_day_before(date(2024, 9, 3), 2) is None


def test_window_of_n_school_days_spans_half_term() -> None:
    assert CAL.last_n_school_days(date(2024, 11, 4), 5) == (
        date(2024, 10, 22), date(2024, 10, 23), date(2024, 10, 24), date(2024, 10, 25), date(2024, 11, 4))
    assert CAL.last_n_school_days(date(2024, 9, 3), 5) == (date(2024, 9, 2), date(2024, 9, 3))


def test_a_window_starts_the_day_after_the_nth_school_day_before() -> None:
    end = date(2025, 3, 12)
    before = CAL.nth_school_day_before(end, 10)
    assert before is not None
    assert CAL.school_days_between(before + timedelta(days=1), end) == CAL.last_n_school_days(end, 10)


def test_school_weeks_are_iso_weeks_with_a_school_day() -> None:
    """A "school week" is any week with at least one school session."""
    weeks = CAL.school_weeks()
    assert (2024, 44) not in weeks  # the autumn half-term week
    assert (2025, 19) in weeks  # bank-holiday Monday, school Tuesday to Friday
    assert (2025, 2) in weeks  # INSET Monday, school from Tuesday


def test_last_n_school_weeks_skips_a_holiday_week() -> None:
    days = CAL.last_n_school_weeks(date(2024, 11, 6), 2)
    assert days[0] == date(2024, 10, 21)
    assert days[-1] == date(2024, 11, 6)
    assert len(days) == 8  # five in the week before half term, Monday to Wednesday after it


def test_without_terms_the_whole_year_less_weekends_is_school() -> None:
    cal = SchoolCalendar("2025", date(2025, 9, 1), date(2025, 9, 14), weekend_days=(4, 5))  # Fri-Sat
    assert cal.is_school_day(date(2025, 9, 7))  # a Sunday
    assert not cal.is_school_day(date(2025, 9, 5))  # a Friday
    assert len(cal.school_days) == 10


def test_term_of() -> None:
    term = CAL.term_of(date(2025, 2, 3))
    assert term is not None
    assert term.name == "Spring"
    assert CAL.term_of(date(2025, 4, 10)) is None


@pytest.mark.parametrize("build", [
    lambda: SchoolCalendar("x", date(2025, 9, 2), date(2025, 9, 1)),
    lambda: SchoolCalendar("x", date(2025, 9, 1), date(2025, 9, 30),
                           terms=[DateRange("t", date(2025, 8, 1), date(2025, 9, 5))]),
    lambda: SchoolCalendar("x", date(2025, 9, 1), date(2025, 9, 30), weekend_days=range(7)),
    lambda: DateRange("h", date(2025, 9, 2), date(2025, 9, 1)),
])
def test_invalid_calendars_are_rejected(build) -> None:
    with pytest.raises(ValidationFailed):
        build()


def test_dict_round_trip_keeps_every_school_day() -> None:
    copy = SchoolCalendar.from_dict(CAL.to_dict())
    assert copy.school_days == CAL.school_days
    assert copy.to_dict() == CAL.to_dict()
