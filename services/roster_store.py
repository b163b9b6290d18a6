"""What the roster service needs from storage: the RosterReader plus writes and paged reads.

Implemented by adapters/table_roster.py (TableRoster); tests may fake it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from domain.calendar import SchoolCalendar
from domain.schools import Guardian, School, Student, StudentGuardian
from services.roster_ports import RosterReader

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
