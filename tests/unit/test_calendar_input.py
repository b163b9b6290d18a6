"""A calendar body checked field by field (domain/attendance/calendar_input.py)."""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

import pytest

from domain.attendance.calendar_input import calendar_from_body, check_school_year
from domain.platform.errors import ValidationFailed
from tests.roster_payloads import CALENDAR_BODY


def body(**change: Any) -> dict[str, Any]:
    return {**copy.deepcopy(CALENDAR_BODY), **change}


def test_a_valid_body_builds_the_calendar_with_terms_holidays_and_closures() -> None:
    calendar = calendar_from_body("2024-25", body())

    assert calendar.school_year == "2024-25"
    assert [t.name for t in calendar.terms] == ["Autumn", "Spring", "Summer"]
    assert not calendar.is_school_day(date(2024, 10, 29))  # half term
    assert not calendar.is_school_day(date(2024, 11, 15))  # closure
    assert not calendar.is_school_day(date(2024, 12, 23))  # between terms
    assert calendar.is_school_day(date(2024, 9, 2))
    assert calendar.weekend_days == frozenset({5, 6})


@pytest.mark.parametrize(("change", "field"), [
    ({"end": "2024-08-01"}, "end"),
    ({"end": "2025-12-31"}, "end"),
    ({"start": "2 Sept"}, "start"),
    ({"terms": [{"name": "Autumn", "start": "2024-12-20", "end": "2024-09-02"}]}, "terms[0].end"),
    ({"terms": [{"name": "Autumn", "start": "2024-09-02", "end": "2024-12-20"},
                {"name": "Late", "start": "2025-07-01", "end": "2025-08-30"}]}, "terms[1]"),
    ({"terms": [{"name": "Autumn", "start": "2024-09-02", "end": "2024-12-20"},
                {"name": "Overlap", "start": "2024-12-01", "end": "2025-02-01"}]}, "terms[1].start"),
    ({"terms": [{"name": " ", "start": "2024-09-02", "end": "2024-12-20"}]}, "terms[0].name"),
    ({"holidays": [{"name": "Easter", "start": "2025-04-21", "end": "2025-04-07"}]}, "holidays[0].end"),
    ({"closures": ["2024-11-15", "2025-08-30"]}, "closures[1]"),
    ({"weekendDays": [5, 7]}, "weekendDays"),
    ({"weekendDays": list(range(7))}, "weekendDays"),
    ({"holidays": [{"name": "All year", "start": "2024-09-02", "end": "2025-07-22"}]}, "terms"),
])
def test_a_bad_calendar_names_the_field(change: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        calendar_from_body("2024-25", body(**change))
    assert caught.value.field == field


@pytest.mark.parametrize(("year", "ok"), [("2024-25", True), ("2024-2025", True), ("2025", True),
                                          ("2024/25", False), ("24-25", False), ("2024-25x", False)])
def test_school_years_are_path_safe(year: str, ok: bool) -> None:
    if ok:
        assert check_school_year(year) == year
    else:
        with pytest.raises(ValidationFailed) as caught:
            check_school_year(year)
        assert caught.value.field == "schoolYear"
