"""A whole school's daily summaries over a date range, for the rule-set impact preview.

One query per month partition of the `summaries` table (PartitionKey `tenant|school|yyyy-mm`),
never one per student: a school year is at most 12 queries plus a round trip per 1,000 rows
(a 1,000-student school in late June: about 190,000 rows, so about 200 round trips).
"""

from __future__ import annotations

from datetime import date

from adapters.storage.tables import Table
from adapters.tables.summaries import month_partition
from domain.attendance.summaries import DailySummary


def months(first: date, last: date) -> list[date]:
    """The first day of every month from `first`'s to `last`'s."""
    found, day = [], first.replace(day=1)
    while day <= last:
        found.append(day)
        day = day.replace(year=day.year + day.month // 12, month=day.month % 12 + 1)
    return found


class TableYearRows:
    def __init__(self, summaries: Table) -> None:
        self._summaries = summaries

    def school_rows(self, tenant_id: str, school_id: str, first: date,
                    last: date) -> dict[str, list[DailySummary]]:
        by_student: dict[str, list[DailySummary]] = {}
        for month in months(first, last):
            rows = self._summaries.query(
                "PartitionKey eq @pk and date ge @lo and date le @hi",
                parameters={"pk": month_partition(tenant_id, school_id, month),
                            "lo": first.isoformat(), "hi": last.isoformat()})
            for row in rows:
                summary = DailySummary.from_record(row)
                by_student.setdefault(summary.student_id, []).append(summary)
        for rows_of in by_student.values():
            rows_of.sort(key=lambda r: r.date)
        return by_student

