"""What `generate_district` returns: per school its reference data, calendar and the sparse
attendance plans the marks are produced from (lazily, see demo/marks.py)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from demo.patterns import Day
from domain.attendance.calendar import SchoolCalendar
from domain.roster.schools import Guardian, School, Student, StudentGuardian


@dataclass(frozen=True, eq=False)
class DemoSchool:
    school: School
    calendar: SchoolCalendar
    students: tuple[Student, ...]
    guardians: tuple[Guardian, ...]
    links: tuple[StudentGuardian, ...]
    through: date  # marks run from the first school day to this date, inclusive
    plans: tuple[Mapping[int, Day], ...]  # parallel to students: day index -> a day not plainly present
    enrolled: tuple[range, ...]  # parallel to students: school-day indices (0-based) while on roll
    missing: tuple[tuple[str, date, str], ...]  # (student, date, session) deliberately left unmarked

    @property
    def school_id(self) -> str:
        return self.school.school_id

    @property
    def sessions(self) -> tuple[str, ...]:
        return ("DAY",) if self.school.jurisdiction.day_based else ("AM", "PM")

    @property
    def days_through(self) -> int:
        """School days from the year's start up to `through`: the index bound of the marks."""
        return self.calendar.count_on_or_before(self.through)

    def expected_sessions(self) -> int:
        """Marks a complete register would hold (enrolled school days x sessions), before `missing`."""
        bound = self.days_through
        return sum(max(0, min(r.stop, bound) - r.start) for r in self.enrolled) * len(self.sessions)


@dataclass(frozen=True, eq=False)
class DemoDistrict:
    tenant_id: str
    seed: int
    through: date
    schools: tuple[DemoSchool, ...]

    def school(self, school_id: str) -> DemoSchool:
        for school in self.schools:
            if school.school_id == school_id:
                return school
        raise KeyError(school_id)

    @property
    def students(self) -> tuple[Student, ...]:
        return tuple(s for school in self.schools for s in school.students)

    @property
    def guardians(self) -> tuple[Guardian, ...]:
        return tuple(g for school in self.schools for g in school.guardians)

    @property
    def links(self) -> tuple[StudentGuardian, ...]:
        return tuple(link for school in self.schools for link in school.links)
