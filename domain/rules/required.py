"""Which earlier rows evaluating a condition needs, so a caller can load them in one batch:
the row before each window (and, for a window reaching into the previous year, two rows of that
year), and the row of the day the current stage began for `noImprovement`.
Today's row is always needed and is not listed."""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING

from domain.attendance.calendar import SchoolCalendar
from domain.rules.conditions import WINDOWED, Condition, walk
from domain.rules.stage_conditions import AttendanceRecovered, EntryNoLongerMet, NoImprovement
from domain.rules.windows import anchor, window_start

if TYPE_CHECKING:
    from domain.rules.ruleset import InterventionRuleSet, InterventionStage


def required_days(condition: Condition, calendar: SchoolCalendar, today: date, *,
                  stage: InterventionStage | None = None, stage_entered_on: date | None = None,
                  previous_calendar: SchoolCalendar | None = None) -> set[date]:
    """Days whose rows `EvaluationContext.rows` must hold to evaluate `condition` on `today`.
    `stage` and `stage_entered_on` are the intervention's current stage and its start date, for
    `entryNoLongerMet` and `noImprovement`; `previous_calendar` for windows across the summer."""
    return set(_required(condition, calendar, today, stage, stage_entered_on, previous_calendar))


@lru_cache(maxsize=4096)
def _required(condition: Condition, calendar: SchoolCalendar, today: date, stage: InterventionStage | None,
              entered: date | None, previous: SchoolCalendar | None) -> frozenset[date]:
    found: list[date | None] = []
    for part in walk(condition):
        if isinstance(part, WINDOWED):
            start = window_start(calendar, today, part.window_school_days, part.window_school_weeks, previous)
            found.append(start.earlier)
            found.extend(start.previous or ())
        elif isinstance(part, AttendanceRecovered):
            found.append(window_start(calendar, today, part.school_days).earlier)
        elif isinstance(part, NoImprovement) and entered is not None:
            found.append(anchor(calendar, entered))
        elif isinstance(part, EntryNoLongerMet) and stage is not None:
            found.extend(_required(stage.entry, calendar, today, None, None, previous))
    return frozenset(day for day in found if day is not None)


def stage_days(stage: InterventionStage, calendar: SchoolCalendar, today: date, *,
               stage_entered_on: date | None = None,
               previous_calendar: SchoolCalendar | None = None) -> set[date]:
    """Every row a stage's entry, stop and escalation conditions need."""
    days: set[date] = set()
    for condition in (stage.entry, *stage.stop_conditions, *stage.escalation_conditions):
        days |= _required(condition, calendar, today, stage, stage_entered_on, previous_calendar)
    return days


def rule_set_days(rule_set: InterventionRuleSet, calendar: SchoolCalendar, today: date, *,
                  previous_calendar: SchoolCalendar | None = None) -> set[date]:
    """The rows any student needs for the whole rule set on `today`: load these for every
    student, plus the stage-entry row (`stage_days(..., stage_entered_on=)`) for those with an
    intervention under way."""
    days: set[date] = set()
    for stage in rule_set.stages:
        days |= stage_days(stage, calendar, today, previous_calendar=previous_calendar)
    return days


def previous_year_from(rule_set: InterventionRuleSet, calendar: SchoolCalendar,
                       previous_calendar: SchoolCalendar | None) -> date | None:
    """The first day of the previous school year whose row some window of the rule set can need
    on a day of this one (None: no window reaches back). A simulation loads the student's rows
    from there on; the reach is longest on the year's first school day."""
    if previous_calendar is None or not calendar.school_days:
        return None
    first, found = calendar.school_days[0], []
    for stage in rule_set.stages:
        for condition in (stage.entry, *stage.stop_conditions, *stage.escalation_conditions):
            for part in walk(condition):
                if isinstance(part, WINDOWED):
                    reach = window_start(calendar, first, part.window_school_days, part.window_school_weeks,
                                         previous_calendar).previous
                    if reach is not None:
                        found.append(reach[1] or previous_calendar.start)
    return min(found, default=None)
