"""What the attendance services read about schools, calendars, students and code mappings.

Implemented by adapters/tables/roster.py; the roster service writes the same tables."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

from domain.attendance.calendar import SchoolCalendar
from domain.roster.schools import Guardian, School, Student, StudentGuardian


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


LinkKey = tuple[str, str]  # (studentId, guardianId)


@dataclass
class RosterSnapshot:
    """One school's stored roster, read in three partition scans."""

    students: dict[str, Student] = field(default_factory=dict)
    guardians: dict[str, Guardian] = field(default_factory=dict)
    links: dict[LinkKey, StudentGuardian] = field(default_factory=dict)


@dataclass
class RosterChange:
    """Rows to upsert and links to remove; empty lists write nothing."""

    students: list[Student] = field(default_factory=list)
    guardians: list[Guardian] = field(default_factory=list)
    links: list[StudentGuardian] = field(default_factory=list)
    removed_links: list[LinkKey] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.students or self.guardians or self.links or self.removed_links)


@dataclass(frozen=True)
class StudentDetail:
    student: Student
    guardians: list[tuple[StudentGuardian, Guardian]]  # by priority


class RosterStore(RosterReader, Protocol):
    def find_school(self, tenant_id: str, school_id: str) -> tuple[School, str] | None:
        """The school and its ETag."""
        ...

    def tenant_schools(self, tenant_id: str) -> list[School]: ...

    def insert_school(self, school: School) -> None:
        """Raises AlreadyExists."""
        ...

    def replace_school(self, school: School, etag: str) -> None:
        """Raises ConcurrencyError when the row changed since it was read."""
        ...

    def find_calendar(self, tenant_id: str, school_id: str, school_year: str) -> SchoolCalendar | None: ...

    def calendars(self, tenant_id: str, school_id: str) -> list[SchoolCalendar]: ...

    def save_calendar(self, tenant_id: str, school_id: str, calendar: SchoolCalendar) -> None: ...

    def replace_code_mapping(self, tenant_id: str, school_id: str, mapping: dict[str, str]) -> None:
        """Store exactly `mapping` (entries not in it are removed), in batched transactions."""
        ...

    def roster(self, tenant_id: str, school_id: str) -> RosterSnapshot: ...

    def apply(self, tenant_id: str, school_id: str, change: RosterChange) -> None:
        """Batched: upserts grouped per table, at most 100 rows a transaction."""
        ...

    def student_page(self, tenant_id: str, school_id: str, *, year_group: str | None, limit: int,
                     continuation: str | None) -> tuple[list[Student], str | None]: ...

    def student_detail(self, tenant_id: str, school_id: str, student_id: str) -> StudentDetail:
        """Raises NotFound."""
        ...
