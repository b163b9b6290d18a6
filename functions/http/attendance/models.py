"""Request and response shapes of the attendance routes (camelCase JSON)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import Field

from domain.attendance.summaries import DailySummary
from functions.http.platform.routes import ApiModel, Page
from services.attendance.ingestion import IngestResult
from services.attendance.summaries import SchoolFigures


class RejectionView(ApiModel):
    index: int
    field: str
    reason: str


class IngestView(ApiModel):
    accepted: int
    rejected: list[RejectionView]
    created: int
    replaced: int
    unchanged: int
    batch_id: str
    raw_payload: str = Field(description="The stored request body: a path in the sis-raw container")

    @classmethod
    def of(cls, result: IngestResult) -> IngestView:
        return cls(accepted=result.accepted, created=result.created, replaced=result.replaced,
                   unchanged=result.unchanged, batch_id=result.batch_id, raw_payload=result.raw_payload,
                   rejected=[RejectionView(index=r.index, field=r.field, reason=r.reason)
                             for r in result.rejected])


class SummaryView(ApiModel):
    """One student's school day: statuses, year-to-date counters and flags (docs/attendance.md)."""

    student_id: str
    date: dt.date
    school_day_index: int
    am_status: str
    pm_status: str
    am_reason_code: str | None = None
    pm_reason_code: str | None = None
    possible_sessions: int
    present_sessions: int
    late_sessions: int
    approved_activity_sessions: int
    authorised_sessions: int
    unauthorised_sessions: int
    penalty_sessions: int
    missing_marks: int
    unexcused_sessions: int
    tardies_over30: int = Field(alias="tardiesOver30")
    explained_sessions: int
    unexplained_sessions: int
    suspended_sessions: int
    absence_sessions: int
    consecutive_absence_days: int
    attendance_percent: float | None
    total_absence_days_ytd: float = Field(alias="totalAbsenceDaysYTD")
    persistent_absence: bool
    severe_absence: bool

    @classmethod
    def of(cls, row: DailySummary) -> SummaryView:
        return cls.model_validate(row.to_record())


class SummaryPage(Page):
    items: list[SummaryView]


class SchoolSummaryView(ApiModel):
    school_id: str
    date: dt.date | None = Field(description="The day the figures are for: the asked date, or else "
                                          "the newest normalized date")
    students: int = Field(description="Students with a row that day")
    average_attendance: float | None = Field(
        description="Attended / possible sessions over all students x 100 (weighted by sessions)")
    persistent_absence: int
    severe_absence: int
    missing_marks: int = Field(description="Sessions with no mark on the date")
    missing_marks_ytd: int = Field(alias="missingMarksYTD")

    @classmethod
    def of(cls, school_id: str, figures: SchoolFigures) -> SchoolSummaryView:
        percent = figures.attendance_percent
        return cls(school_id=school_id, date=figures.date, students=figures.students,
                   average_attendance=None if percent is None else float(percent),
                   persistent_absence=figures.persistent_absence, severe_absence=figures.severe_absence,
                   missing_marks=figures.missing_marks, missing_marks_ytd=figures.missing_marks_ytd)


_MARK = {"type": "object", "required": ["student", "date", "session", "attendance_code"], "properties": {
    "student": {"type": "string"},
    "date": {"oneOf": [{"type": "string", "format": "date"}, {"type": "object"}]},
    "session": {"type": "string", "enum": ["AM", "PM", "DAY"]},
    "attendance_code": {"type": "string"},
    "comment": {"type": ["string", "null"]},
    "minutes_late": {"type": ["integer", "null"], "minimum": 0}}}

MARKS_BODY: dict[str, Any] = {"required": True, "content": {"application/json": {"schema": {
    "description": 'Wonde session attendance: {"data": [...]} or a bare list, at most 10,000 records. '
                   "`date` is YYYY-MM-DD or a Wonde date object; `session` AM or PM (DAY for "
                   "day-based schools); `attendance_code` a letter or a SIS code id.",
    "oneOf": [{"type": "object", "required": ["data"],
               "properties": {"data": {"type": "array", "items": _MARK}}},
              {"type": "array", "items": _MARK}]}}}}
