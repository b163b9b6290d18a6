"""Attendance marks as ingested: one per student, date and session."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict


class Session(StrEnum):
    AM = "AM"
    PM = "PM"
    DAY = "DAY"  # day-based schools (Ireland, California): counts as both sessions


class AttendanceMark(BaseModel):
    """The latest mark for (student, date, session); `code` is the jurisdiction code after any
    SIS-local mapping, `sis_code` what the SIS sent."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    tenant_id: str
    school_id: str
    student_id: str
    date: date
    session: Session
    code: str
    sis_code: str | None = None
    comment: str | None = None
    minutes_late: int | None = None
    source: str | None = None  # the raw payload's blob path
    received_at: datetime
