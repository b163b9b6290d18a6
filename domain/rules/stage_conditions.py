"""Conditions about an intervention already under way: when to stop it and when to escalate it.

They read facts the caller passes in the context (`InstanceFacts`: the current stage and the date
it began, case status, exemptions, meetings), so they can only appear in a stage's
`stopConditions` or `escalationConditions`, never in what makes a stage due (`entry`)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from domain.rules.base import Number, RuleModel

# --- stop conditions --------------------------------------------------------------------------


class AttendanceRecovered(RuleModel):
    """Attendance back at or above `threshold`% and kept there: at least `school_days` school days
    since the stage began, attendance over the last `school_days` school days at or above the
    threshold, and attendance for the year to date at or above it too. (Checking the year-to-date
    figure on each of those days would need a row per day; these two checks need two rows.)"""

    type: Literal["attendanceRecovered"] = "attendanceRecovered"
    threshold: Number = Field(gt=0, le=100)
    school_days: int = Field(ge=1, le=200)


class CaseResolved(RuleModel):
    """Staff marked the student's case resolved."""

    type: Literal["caseResolved"] = "caseResolved"


class ExemptionActive(RuleModel):
    """The student has an exemption in force on the evaluation date (see `context.Exemption`)."""

    type: Literal["exemptionActive"] = "exemptionActive"


class EntryNoLongerMet(RuleModel):
    """The current stage's entry condition no longer holds, typically because the guardian gave a
    valid reason and the absences were re-coded as authorised."""

    type: Literal["entryNoLongerMet"] = "entryNoLongerMet"


# --- escalation conditions ----------------------------------------------------------------------


class NoImprovement(RuleModel):
    """After the wait (`after_school_days`, or the stage's own `waitSchoolDays` when absent),
    attendance since the stage began is not at least `points` percentage points above the
    year-to-date attendance on the day it began."""

    type: Literal["noImprovement"] = "noImprovement"
    points: Number = Field(gt=0, le=100)
    after_school_days: int | None = Field(default=None, ge=1, le=200)


class MeetingOutcome(RuleModel):
    """The last meeting of the intervention ended with this outcome (e.g. ESCALATE)."""

    type: Literal["meetingOutcome"] = "meetingOutcome"
    outcome: str = Field(default="ESCALATE", min_length=1, max_length=40)

    @field_validator("outcome")
    @classmethod
    def _upper(cls, value: str) -> str:
        return value.strip().upper()


class RepeatedNoShows(RuleModel):
    """The family missed at least `threshold` arranged meetings."""

    type: Literal["repeatedNoShows"] = "repeatedNoShows"
    threshold: int = Field(ge=1, le=20)


STAGE_FACT_TYPES = (AttendanceRecovered, CaseResolved, ExemptionActive, EntryNoLongerMet,
                    NoImprovement, MeetingOutcome, RepeatedNoShows)
