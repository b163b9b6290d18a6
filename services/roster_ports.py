"""What the attendance services read about schools, calendars, students and code mappings.

Implemented by adapters/table_roster.py; the roster service writes the same tables."""

from __future__ import annotations

from datetime import date
from typing import Protocol

from domain.calendar import SchoolCalendar
from domain.schools import School, Student


class RosterReader(Protocol):
    def school(self, tenant_id: str, school_id: str) -> School:
        """Raises NotFound."""
        ...

    def all_schools(self) -> list[School]:
        """Every school of every tenant (the nightly fan-out): one scan of a small table."""
        ...

    def calendar_for(self, tenant_id: str, school_id: str, day: date) -> SchoolCalendar:
        """The calendar whose school year contains `day`. Raises NotFound."""
        ...

    def calendar_before(self, tenant_id: str, school_id: str, day: date) -> SchoolCalendar | None:
        """The stored calendar with the latest end before `day` (None: none): one query."""
        ...

    def students(self, tenant_id: str, school_id: str) -> list[Student]:
        """Every student of the school, current and past enrolments (one partition read)."""
        ...

    def find_student(self, tenant_id: str, school_id: str, student_id: str) -> Student | None:
        """One student of the school (one point read); None when the school has no such student."""
        ...

    def code_mapping(self, tenant_id: str, school_id: str) -> dict[str, str]:
        """SIS-local code (letter or SIS code id) -> jurisdiction code; empty when none."""
        ...
