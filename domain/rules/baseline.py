"""What a stage's conditions need from the day the stage was entered, kept on the instance.

`noImprovement` compares attendance since a stage began with attendance the day it began. Reading
that day's row every night made the nightly load the school's rows for every distinct entry date
(most of the year, for the whole school); the counters are copied onto the instance when it enters
the stage instead (`StageBaseline.of(row)`), so the nightly reads only the rule set's windows.

The baseline is the row as it stood on the night the stage was entered: a mark on or before that
day corrected later does not change it (a recomputed row would). Instances stored before baselines
existed have none, and their conditions still read the entry day's row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from domain.attendance.summaries import DailySummary, Totals


@dataclass(frozen=True, slots=True)
class StageBaseline:
    """The student's year-to-date counters on `day`, the school day the stage was entered.
    `school_day_index` tells whether any school day has been counted since."""

    day: date
    school_day_index: int
    possible_sessions: int
    attended_sessions: int  # present + late + approved educational activity

    @classmethod
    def of(cls, row: DailySummary) -> StageBaseline:
        t = row.totals
        return cls(row.date, row.school_day_index, t.possible_sessions, t.attended_sessions)

    @property
    def attendance_percent(self) -> Decimal | None:
        return _percent(self.possible_sessions, self.attended_sessions)

    def percent_since(self, today: DailySummary | None) -> Decimal | None:
        """Attendance after the baseline day up to `today`'s row (None: no possible session since),
        the same figure `EvaluationContext.since(entry_row)` gives."""
        if today is None or today.school_day_index <= self.school_day_index:
            return None
        t = today.totals
        return _percent(t.possible_sessions - self.possible_sessions,
                        t.attended_sessions - self.attended_sessions)

    def to_record(self) -> dict[str, Any]:
        return {"day": self.day.isoformat(), "schoolDayIndex": self.school_day_index,
                "possibleSessions": self.possible_sessions, "attendedSessions": self.attended_sessions}

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> StageBaseline:
        return cls(date.fromisoformat(record["day"]), int(record["schoolDayIndex"]),
                   int(record["possibleSessions"]), int(record["attendedSessions"]))


def _percent(possible: int, attended: int) -> Decimal | None:
    # Totals.attendance_percent's own rounding, so a baseline and a row give the same figure.
    return Totals(possible_sessions=possible, present_sessions=attended).attendance_percent
