"""Which earlier rows evaluating a condition needs, so a caller can load them in one batch:
the row before each window (and, for a school-week window reaching into the previous year, two
rows of that year), and the row of the day the current stage began for `noImprovement`.
Today's row is always needed and is not listed."""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING

from domain.calendar import SchoolCalendar
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
    `entryNoLongerMet` and `noImprovement`; `previous_calendar` for cross-year school weeks."""
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
