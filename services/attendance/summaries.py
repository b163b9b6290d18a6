"""Reading daily summaries: one student's rows over a date range, and a school's figures."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from domain.attendance.summaries import DailySummary, Status, Totals
from domain.platform.errors import ValidationFailed
from services.attendance.ports import SummaryRepository

MAX_RANGE_DAYS = 366


@dataclass(frozen=True)
class SchoolFigures:
    """A school on one date, over the students with a row that day."""

    date: date | None
    students: int
    attendance_percent: Decimal | None  # attended / possible sessions over all of them
    persistent_absence: int
    severe_absence: int
    missing_marks: int  # NO_MARK sessions on the date
    missing_marks_ytd: int


def figures(day: date | None, rows: Sequence[DailySummary]) -> SchoolFigures:
    """Attendance is weighted by sessions, as DfE rates are (not a mean of pupils' percents)."""
    totals = Totals(*(sum(column) for column in zip(*(r.totals for r in rows), strict=True))) \
        if rows else Totals()
    return SchoolFigures(
        date=day, students=len(rows), attendance_percent=totals.attendance_percent,
        persistent_absence=sum(r.persistent_absence for r in rows),
        severe_absence=sum(r.severe_absence for r in rows),
        missing_marks=sum((r.am_status is Status.NO_MARK) + (r.pm_status is Status.NO_MARK) for r in rows),
        missing_marks_ytd=totals.missing_marks)


class Summaries:
    def __init__(self, repo: SummaryRepository) -> None:
        self._repo = repo

    def for_student(self, tenant_id: str, school_id: str, student_id: str, first: date,
                    last: date) -> list[DailySummary]:
        if last < first:
            raise ValidationFailed("must not be before from", field="to")
        if (last - first).days >= MAX_RANGE_DAYS:
            raise ValidationFailed(f"ask for at most {MAX_RANGE_DAYS} days", field="to")
        return self._repo.for_student(tenant_id, school_id, student_id, first, last)

    def school(self, tenant_id: str, school_id: str, day: date | None = None) -> SchoolFigures:
        """On `day` (that day's rows), or else on the newest normalized date (the newest rows,
        one partition read: students whose newest row is older have left)."""
        if day is not None:
            return figures(day, self._repo.on_date(tenant_id, school_id, day))
        latest = list(self._repo.latest(tenant_id, school_id).values())
        newest = max((r.date for r in latest), default=None)
        return figures(newest, [r for r in latest if r.date == newest])
