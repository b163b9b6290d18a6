"""The daily attendance summary: one row per student per school day with the day's two session
statuses and cumulative school-year-to-date counters, so any window of school days is the
difference of two rows (`window`). Rows are plain slotted dataclasses and named tuples, not
pydantic models, because normalization builds hundreds of thousands of them in a run."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any, NamedTuple

_TWO = Decimal(2)


class Status(StrEnum):
    PRESENT = "PRESENT"
    LATE = "LATE"
    APPROVED_ACTIVITY = "APPROVED_ACTIVITY"
    AUTHORISED_ABSENT = "AUTHORISED_ABSENT"
    UNAUTHORISED_ABSENT = "UNAUTHORISED_ABSENT"
    NOT_REQUIRED = "NOT_REQUIRED"  # not a possible session
    NO_MARK = "NO_MARK"  # a possible session with no mark yet: counted in `missing_marks`


class Totals(NamedTuple):
    """Session counters, cumulative for the school year on a row, or for a window (`window`).

    `present_sessions` excludes late sessions (DfE's own present_sessions column includes them).
    A day-based mark counts as two sessions, so `*_days` properties are sessions / 2.
    `tardies_over_30` counts occasions (at most one a day), not sessions."""

    possible_sessions: int = 0
    present_sessions: int = 0
    late_sessions: int = 0
    approved_activity_sessions: int = 0
    authorised_sessions: int = 0
    unauthorised_sessions: int = 0
    penalty_sessions: int = 0  # England: G, N, O, U
    missing_marks: int = 0
    unexcused_sessions: int = 0  # California: full days of unexcused absence (U both halves)
    tardies_over_30: int = 0  # California: days tardy or absent > 30 minutes without valid excuse
    explained_sessions: int = 0  # Ireland: Tusla explained reasons
    unexplained_sessions: int = 0
    suspended_sessions: int = 0

    @property
    def attended_sessions(self) -> int:
        return self.present_sessions + self.late_sessions + self.approved_activity_sessions

    @property
    def absence_sessions(self) -> int:
        return self.authorised_sessions + self.unauthorised_sessions

    @property
    def attendance_percent(self) -> Decimal | None:
        """attended / possible x 100 to 2 places, halves rounded up (ROUND_HALF_UP), in exact
        integer arithmetic; None with no possible session."""
        if self.possible_sessions == 0:
            return None
        hundredths = (self.attended_sessions * 20000 + self.possible_sessions) // (2 * self.possible_sessions)
        return Decimal(hundredths).scaleb(-2)

    @property
    def absence_days(self) -> Decimal:
        return Decimal(self.absence_sessions) / _TWO

    @property
    def persistent_absence(self) -> bool:
        """DfE: absence >= 10% of possible sessions. No minimum denominator, by definition."""
        return self.possible_sessions > 0 and self.absence_sessions * 10 >= self.possible_sessions

    @property
    def severe_absence(self) -> bool:
        """DfE: absence >= 50% of possible sessions (severe students are also persistent)."""
        return self.possible_sessions > 0 and self.absence_sessions * 2 >= self.possible_sessions

    @property
    def unexcused_days(self) -> Decimal:
        return Decimal(self.unexcused_sessions) / _TWO

    @property
    def explained_days(self) -> Decimal:
        return Decimal(self.explained_sessions) / _TWO

    @property
    def unexplained_days(self) -> Decimal:
        return Decimal(self.unexplained_sessions) / _TWO

    def minus(self, other: Totals) -> Totals:
        return Totals(*(a - b for a, b in zip(self, other, strict=True)))


@dataclass(frozen=True, slots=True)
class DailySummary:
    """A student's school day. `school_day_index` is the day's 1-based ordinal in the calendar."""

    student_id: str
    date: date
    school_day_index: int
    am_status: Status
    pm_status: Status
    am_reason_code: str | None
    pm_reason_code: str | None
    totals: Totals  # school year to date, this day included
    consecutive_absence_days: int

    @property
    def attendance_percent(self) -> Decimal | None:
        return self.totals.attendance_percent

    @property
    def total_absence_days(self) -> Decimal:
        return self.totals.absence_days

    @property
    def persistent_absence(self) -> bool:
        return self.totals.persistent_absence

    @property
    def severe_absence(self) -> bool:
        return self.totals.severe_absence

    def to_record(self) -> dict[str, Any]:
        """camelCase, JSON- and table-friendly; derived values included for queries and the API."""
        percent = self.attendance_percent
        record: dict[str, Any] = {
            "studentId": self.student_id, "date": self.date.isoformat(),
            "schoolDayIndex": self.school_day_index,
            "amStatus": self.am_status.value, "pmStatus": self.pm_status.value,
            "amReasonCode": self.am_reason_code, "pmReasonCode": self.pm_reason_code,
            "consecutiveAbsenceDays": self.consecutive_absence_days,
        }
        record.update(zip(_TOTAL_KEYS, self.totals, strict=True))
        record.update({
            "absenceSessions": self.totals.absence_sessions,
            "attendancePercent": None if percent is None else float(percent),
            "totalAbsenceDaysYTD": float(self.total_absence_days),
            "persistentAbsence": self.persistent_absence, "severeAbsence": self.severe_absence,
        })
        return record

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> DailySummary:
        """The inverse of `to_record`; derived values are recomputed, not read."""
        return cls(record["studentId"], date.fromisoformat(record["date"]), int(record["schoolDayIndex"]),
                   Status(record["amStatus"]), Status(record["pmStatus"]),
                   record.get("amReasonCode"), record.get("pmReasonCode"),
                   Totals(*(int(record.get(key, 0)) for key in _TOTAL_KEYS)),
                   int(record["consecutiveAbsenceDays"]))


def _camel(name: str) -> str:
    first, *rest = name.split("_")
    return first + "".join(part.capitalize() for part in rest)


_TOTAL_KEYS = tuple(_camel(name) for name in Totals._fields)  # possibleSessions, tardiesOver30, ...
# what `from_record` reads: a store may fetch only these
RECORD_KEYS = ("studentId", "date", "schoolDayIndex", "amStatus", "pmStatus", "amReasonCode", "pmReasonCode",
               *_TOTAL_KEYS, "consecutiveAbsenceDays")


def window(later: DailySummary, earlier: DailySummary | None) -> Totals:
    """Counters over the school days after `earlier` up to and including `later`: O(1).

    For the last n school days ending on `later`, `earlier` is the student's row on
    `calendar.nth_school_day_before(later.date, n)`; pass None when that day is before the year
    or before the student's enrolment (nothing was counted then). Both rows must come from the
    same student and school year; a window spanning two years is the sum of one per year."""
    if earlier is None:
        return later.totals
    if earlier.student_id != later.student_id or earlier.school_day_index >= later.school_day_index:
        raise ValueError("window needs an earlier row of the same student")
    return later.totals.minus(earlier.totals)
