"""The condition language: JSON objects told apart by `type`, validated on write.

Attendance conditions read a student's daily summary rows: `absenceCountThreshold`,
`attendancePercentThreshold`, `consecutiveAbsenceDays`, `tardyCountThreshold`,
`truancyThreshold` (California), and `dateWindow`, which reads only the date. `all`, `any` and
`not` combine conditions. The stop and escalation conditions in `stage_conditions` belong to the
same union, so a stage's stop list may also use attendance conditions.

A counting condition looks at the year to date, or at a window: `windowSchoolDays` (the last W
school days, today included) or `windowSchoolWeeks` (the school days of the last W school weeks,
a school week being any week with at least one school day, as England's penalty framework says).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from enum import StrEnum
from typing import Annotated, Literal, Self

from pydantic import Field, model_validator

from domain.rules.base import Number, RuleModel
from domain.rules.stage_conditions import (
    AttendanceRecovered,
    CaseResolved,
    EntryNoLongerMet,
    ExemptionActive,
    MeetingOutcome,
    NoImprovement,
    RepeatedNoShows,
)


class AbsenceCategory(StrEnum):
    ANY = "any"  # authorised + unauthorised
    AUTHORISED = "authorised"
    UNAUTHORISED = "unauthorised"
    PENALTY = "penalty"  # England: G, N, O, U
    UNEXCUSED = "unexcused"  # California: full days absent without a valid excuse
    EXPLAINED = "explained"  # Ireland: a Tusla reason was given
    UNEXPLAINED = "unexplained"  # Ireland: no reason given
    SUSPENDED = "suspended"  # England E, Ireland D, California S: an authorised absence


# Which categories contain which: listing both would count the same absence twice. Ireland's
# suspension code D is also an explained reason, so suspended sits inside explained too.
_CONTAINS = {AbsenceCategory.ANY: set(AbsenceCategory) - {AbsenceCategory.ANY},
             AbsenceCategory.UNAUTHORISED: {AbsenceCategory.PENALTY, AbsenceCategory.UNEXCUSED,
                                            AbsenceCategory.UNEXPLAINED},
             AbsenceCategory.AUTHORISED: {AbsenceCategory.EXPLAINED, AbsenceCategory.SUSPENDED},
             AbsenceCategory.EXPLAINED: {AbsenceCategory.SUSPENDED}}


class _Windowed(RuleModel):
    """Year to date unless one of the two windows is given."""

    window_school_days: int | None = Field(default=None, ge=1, le=250)
    window_school_weeks: int | None = Field(default=None, ge=1, le=52)

    @model_validator(mode="after")
    def _one_window(self) -> Self:
        if self.window_school_days is not None and self.window_school_weeks is not None:
            raise ValueError("give windowSchoolDays or windowSchoolWeeks, not both")
        return self


class AbsenceCountThreshold(_Windowed):
    """At least `threshold` sessions (or days: two sessions make a day) of absence in the chosen
    categories, in the window or the year to date. `list_sessions`: the evidence also names each
    session that counts, with its date and code, when the context holds every row
    (`EvaluationContext.every_row`)."""

    type: Literal["absenceCountThreshold"] = "absenceCountThreshold"
    threshold: Number = Field(gt=0, le=1000)
    unit: Literal["sessions", "days"] = "sessions"
    categories: tuple[AbsenceCategory, ...] = Field(default=(AbsenceCategory.ANY,), min_length=1)
    list_sessions: bool | None = None  # None rather than False: absent from the JSON unless asked

    @model_validator(mode="after")
    def _sane(self) -> Self:
        if self.threshold * (1 if self.unit == "sessions" else 2) % 1:
            raise ValueError("threshold must be a whole number of sessions, or of half days")
        if len(set(self.categories)) != len(self.categories):
            raise ValueError("categories lists a category twice")
        for outer in self.categories:
            inner = _CONTAINS.get(outer, set()) & set(self.categories)
            if inner:
                names = sorted(c.value for c in inner)
                raise ValueError(f"category {outer.value!r} already includes {names}")
        return self


class AttendancePercentThreshold(_Windowed):
    """Attendance below `threshold`% (at or below with `at_or_below`), as the 2-place percentage
    the student's row shows. Not met while fewer than `min_possible_sessions` sessions were
    possible, so one absent morning in September does not make a student a concern."""

    type: Literal["attendancePercentThreshold"] = "attendancePercentThreshold"
    threshold: Number = Field(gt=0, le=100)
    at_or_below: bool = False
    min_possible_sessions: int = Field(default=0, ge=0, le=1000)


class ConsecutiveAbsenceDays(RuleModel):
    """Absent (every possible session) on at least `threshold` school days in a row, up to today."""

    type: Literal["consecutiveAbsenceDays"] = "consecutiveAbsenceDays"
    threshold: int = Field(ge=1, le=250)


class TardyCountThreshold(_Windowed):
    """Late at least `threshold` times. `late`: late sessions (`unit` days halves them, for
    day-based registers where one late mark fills both sessions). `over30`: California occasions
    of being late or absent more than 30 minutes without a valid excuse."""

    type: Literal["tardyCountThreshold"] = "tardyCountThreshold"
    threshold: int = Field(ge=1, le=1000)
    kind: Literal["late", "over30"] = "late"
    unit: Literal["sessions", "days"] = "sessions"

    @model_validator(mode="after")
    def _unit(self) -> Self:
        if self.kind == "over30" and self.unit != "sessions":
            raise ValueError("over30 counts occasions; leave unit out")
        return self


class TruancyThreshold(_Windowed):
    """California EC 48260: at least `threshold` truancies, a truancy being a full day absent
    without a valid excuse or an occasion late or absent more than 30 minutes without one, in
    any combination."""

    type: Literal["truancyThreshold"] = "truancyThreshold"
    threshold: int = Field(ge=1, le=250)


class DateWindow(RuleModel):
    """The evaluation date lies in [from, to] (either end may be open) or in the named term."""

    type: Literal["dateWindow"] = "dateWindow"
    from_date: date | None = Field(default=None, alias="from")
    to_date: date | None = Field(default=None, alias="to")
    term: str | None = Field(default=None, min_length=1, max_length=60)

    @model_validator(mode="after")
    def _one_kind(self) -> Self:
        dates = self.from_date is not None or self.to_date is not None
        if dates == (self.term is not None):
            raise ValueError("give from and/or to, or a term, not both and not neither")
        if self.from_date and self.to_date and self.to_date < self.from_date:
            raise ValueError("to is before from")
        return self


class All(RuleModel):
    type: Literal["all"] = "all"
    conditions: tuple[Condition, ...] = Field(min_length=1, max_length=20)


class Any(RuleModel):  # the JSON type is "any"; this module never needs typing.Any
    type: Literal["any"] = "any"
    conditions: tuple[Condition, ...] = Field(min_length=1, max_length=20)


class Not(RuleModel):
    type: Literal["not"] = "not"
    condition: Condition


Condition = Annotated[
    AbsenceCountThreshold | AttendancePercentThreshold | ConsecutiveAbsenceDays | TardyCountThreshold
    | TruancyThreshold | DateWindow | All | Any | Not
    | AttendanceRecovered | CaseResolved | ExemptionActive | EntryNoLongerMet
    | NoImprovement | MeetingOutcome | RepeatedNoShows,
    Field(discriminator="type"),
]

for _model in (All, Any, Not):
    _model.model_rebuild()

WINDOWED = (AbsenceCountThreshold, AttendancePercentThreshold, TardyCountThreshold, TruancyThreshold)
# The JSON `type` of every condition, for error messages and for stripping union tags from paths.
CONDITION_TYPES = frozenset(f.default for m in (
    AbsenceCountThreshold, AttendancePercentThreshold, ConsecutiveAbsenceDays, TardyCountThreshold,
    TruancyThreshold, DateWindow, All, Any, Not, AttendanceRecovered, CaseResolved, ExemptionActive,
    EntryNoLongerMet, NoImprovement, MeetingOutcome, RepeatedNoShows) for f in [m.model_fields["type"]])


def walk(condition: Condition) -> Iterator[Condition]:
    """The condition and every condition inside it, depth first."""
    yield condition
    if isinstance(condition, All | Any):
        for inner in condition.conditions:
            yield from walk(inner)
    elif isinstance(condition, Not):
        yield from walk(condition.condition)
