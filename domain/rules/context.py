"""What a condition is evaluated against: one student on one date.

The caller loads the rows a rule set needs (`required_days` lists them) into `rows`, keyed by
date, once per student; every window is then the difference of two rows, so evaluating a
condition costs the same whatever its window. Facts about an intervention under way (its stage,
case, exemptions, meetings) come in `instance`, for stop and escalation conditions.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from pydantic import Field

from domain.attendance.calendar import SchoolCalendar
from domain.attendance.summaries import DailySummary, Totals
from domain.rules import wording as w
from domain.rules.base import RuleModel
from domain.rules.baseline import StageBaseline
from domain.rules.windows import anchor, window_start

if TYPE_CHECKING:
    from domain.rules.ruleset import InterventionStage

_ZERO = Totals()


class Exemption(RuleModel):
    """A flag on a student that stops interventions while it lasts (a medical reason, a managed
    move, a bereavement...). `expires_on` is the last day it applies; None: until lifted."""

    reason: str = Field(min_length=1, max_length=200)
    starts_on: date | None = None
    expires_on: date | None = None

    def active_on(self, day: date) -> bool:
        return ((self.starts_on is None or self.starts_on <= day)
                and (self.expires_on is None or day <= self.expires_on))


@dataclass(frozen=True, slots=True)
class InstanceFacts:
    """An intervention under way for the student: the stage it is at and when that began, plus
    what staff recorded. `last_meeting_outcome` is the outcome of the stage's latest meeting.
    `stage_baseline`: the counters on the day the stage began, kept on the instance (None: an
    instance stored before baselines, or a stage entered today: read `rows` on that day)."""

    stage: InterventionStage | None = None
    stage_entered_on: date | None = None
    stage_baseline: StageBaseline | None = None
    case_resolved: bool = False
    exemptions: tuple[Exemption, ...] = ()
    last_meeting_outcome: str | None = None
    no_shows: int = 0
    # A STATUTORY track starting again: the day its last instance started. Counts then cover only
    # the absence after it, which that instance already weighed (domain/rules/sessions.py).
    counted_through: date | None = None


@dataclass(frozen=True, slots=True)
class EvaluationContext:
    """`today` is the student's row on the last school day on or before `as_of` (None: nothing
    recorded yet). `rows` holds the earlier rows `required_days` asked for; a day missing from it
    means nothing was counted by then (before the year, or before the student enrolled).
    `previous_calendar` and the previous year's rows in `rows` let a window reach back across the
    summer. `every_row`: `rows` holds every school day's row of the student (a simulation, or the
    nightly's second look at a student entering a stage that lists sessions)."""

    calendar: SchoolCalendar
    as_of: date
    today: DailySummary | None
    rows: Mapping[date, DailySummary] = field(default_factory=dict)
    instance: InstanceFacts | None = None
    previous_calendar: SchoolCalendar | None = None
    every_row: bool = False

    def row_at(self, day: date | None) -> DailySummary | None:
        return None if day is None else self.rows.get(day)

    def since(self, earlier: DailySummary | None) -> Totals:
        """Counters after `earlier` up to today (all of today's when `earlier` is None)."""
        today = self.today
        if today is None:
            return _ZERO
        if earlier is None:
            return today.totals
        if earlier.school_day_index >= today.school_day_index:  # a student whose rows stopped
            return _ZERO
        return today.totals.minus(earlier.totals)

    def totals(self, days: int | None = None, weeks: int | None = None) -> Totals:
        """Counters over the last `days` school days, the last `weeks` school weeks (reaching into
        the previous year when needed and known), or the year to date when both are None."""
        return self.window(days, weeks)[0]

    def window(self, days: int | None = None, weeks: int | None = None) -> tuple[Totals, str]:
        """`totals`, and a clause for the evidence when part of the window lay in the previous
        school year and could not be counted ("" otherwise): its calendar is not stored, or the
        student has no row on its last school day. That part counts as nothing."""
        start = window_start(self.calendar, self.as_of, days, weeks, self.previous_calendar)
        totals = self.since(self.row_at(start.earlier))
        if not start.reach or self.today is None:
            return totals, ""
        unit = "school day" if days is not None else "school week"
        if start.previous is None:
            return totals, w.previous_year_unknown(start.reach, unit)
        last_day, earlier = start.previous
        last = self.row_at(last_day)
        if last is None:  # not on roll at the end of last year, or its rows were never loaded
            assert self.previous_calendar is not None
            return totals, w.previous_year_unrecorded(start.reach, unit, self.previous_calendar.school_year)
        before = self.row_at(earlier)
        return _plus(totals, last.totals if before is None else last.totals.minus(before.totals)), ""

    def anchor(self) -> date | None:
        return anchor(self.calendar, self.as_of)


def _plus(a: Totals, b: Totals) -> Totals:
    return Totals(*(x + y for x, y in zip(a, b, strict=True)))
