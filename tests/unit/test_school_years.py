"""The school year before this one, for windows reaching back across the summer: the latest
stored calendar ending before this year starts, unless it ended more than half a year before (a
year in between was never stored)."""

from __future__ import annotations

from datetime import date

from domain.attendance.calendar import SchoolCalendar
from domain.roster.schools import Jurisdiction, School
from services.attendance.school_years import previous_year
from tests.fakes_attendance import SCHOOL, TENANT, FakeRoster, Trips, calendar_2024, calendar_2025

SCHOOL_ROW = School(tenant_id=TENANT, school_id=SCHOOL, name="Oak", jurisdiction=Jurisdiction.ENGLAND,
                    time_zone="Europe/London")
YEAR_2023 = SchoolCalendar("2023/24", date(2023, 9, 4), date(2024, 7, 19))


def test_the_year_before_is_the_latest_calendar_ending_before_this_one_starts() -> None:
    trips = Trips()
    year_2024, year_2025 = calendar_2024(), calendar_2025()
    roster = FakeRoster(trips, SCHOOL_ROW, [YEAR_2023, year_2024, year_2025], [])
    assert previous_year(roster, TENANT, SCHOOL, year_2025) is year_2024
    assert previous_year(roster, TENANT, SCHOOL, year_2024) is YEAR_2023
    assert previous_year(roster, TENANT, SCHOOL, YEAR_2023) is None
    assert trips.by_kind["calendar"] == 3  # one read each


def test_a_calendar_from_two_years_back_is_not_the_year_before() -> None:
    roster = FakeRoster(Trips(), SCHOOL_ROW, [YEAR_2023, calendar_2025()], [])  # 2024/25 never stored
    assert previous_year(roster, TENANT, SCHOOL, calendar_2025()) is None
