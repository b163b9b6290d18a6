"""Attendance routes: ingest SIS marks, read daily summaries and school figures, run normalization.

Every route is school-scoped through the `schoolId` query parameter; a district admin who omits
it gets 422 here, since each route reads or writes one school's partitions.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.concurrency import run_in_threadpool

import bootstrap
from domain.platform.access import Permission
from functions.http.attendance.models import (
    MARKS_BODY,
    IngestView,
    SchoolSummaryView,
    SummaryPage,
    SummaryView,
)
from functions.http.platform.routes import OUT, JobRunView
from functions.http.shell.params import IsoDate
from functions.http.shell.security import Access, require
from services.attendance.ingestion import Ingestion
from services.attendance.normalize_jobs import NormalizeJobs
from services.attendance.summaries import Summaries

router = APIRouter(tags=["attendance"])


def ingestion() -> Ingestion:
    return bootstrap.composition().attendance.ingestion


def summaries() -> Summaries:
    return bootstrap.composition().attendance.summaries


def normalize_jobs() -> NormalizeJobs:
    return bootstrap.composition().attendance.normalize_jobs


@router.post("/api/attendance/marks", response_model=IngestView, summary="Ingest SIS attendance marks",
             description="Wonde session-attendance records. Each record is validated on its own: "
                         "accepted ones are stored (idempotent on student, date and session; a "
                         "different mark replaces the stored one, which is kept in history), "
                         "rejected ones are listed with the field and reason. The raw body is kept "
                         "in Blob storage (`rawPayload`). More than 10,000 records: 413.",
             openapi_extra={"requestBody": MARKS_BODY}, **OUT)
async def post_marks(request: Request,
                     access: Annotated[Access, Depends(require(Permission.ATTENDANCE_WRITE))],
                     marks: Annotated[Ingestion, Depends(ingestion)]) -> IngestView:
    school_id = access.one_school()
    raw = await request.body()  # capped at MAX_MARKS_BODY_BYTES before it was read (body_limit.py)
    # storage calls block: off the event loop
    result = await run_in_threadpool(marks.ingest_payload, access.principal, access.tenant_id, school_id,
                                     raw)
    return IngestView.of(result)


@router.get("/api/attendance/students/{studentId}/summaries", response_model=SummaryPage,
            summary="A student's daily summaries", **OUT)
def student_summaries(access: Annotated[Access, Depends(require(Permission.ATTENDANCE_READ))],
                      found: Annotated[Summaries, Depends(summaries)],
                      studentId: Annotated[str, Path(min_length=1, max_length=128)],  # noqa: N803
                      first: Annotated[IsoDate, Query(alias="from", description="First date")],
                      last: Annotated[IsoDate, Query(alias="to",
                                                     description="Last date (at most 366 days on)")],
                      ) -> SummaryPage:
    rows = found.for_student(access.tenant_id, access.one_school(), studentId, first, last)
    return SummaryPage(items=[SummaryView.of(r) for r in rows])


@router.get("/api/attendance/schools/summary", response_model=SchoolSummaryView,
            summary="A school's attendance figures on a date",
            description="Without `date`: the newest normalized date.", **OUT)
def school_summary(access: Annotated[Access, Depends(require(Permission.ATTENDANCE_READ))],
                   found: Annotated[Summaries, Depends(summaries)],
                   day: Annotated[IsoDate | None, Query(alias="date")] = None) -> SchoolSummaryView:
    school_id = access.one_school()
    figures = found.school(access.tenant_id, school_id, day)
    return SchoolSummaryView.of(school_id, figures)


@router.post("/api/attendance/normalize", response_model=JobRunView,
             summary="Normalize a school for a date now",
             description="Runs (or re-runs, forced) normalization for one school and date and returns "
                         "the job run. `full=true` rebuilds every student from the year's start "
                         "(after a calendar or code-mapping change). 409 while another run holds "
                         "the school.", **OUT)
def normalize(access: Annotated[Access, Depends(require(Permission.JOBS_RUN))],
              jobs: Annotated[NormalizeJobs, Depends(normalize_jobs)],
              day: Annotated[IsoDate, Query(alias="date")],
              full: bool = False) -> JobRunView:
    run = jobs.run_now(access.principal, access.tenant_id, access.one_school(), day, full=full)
    return JobRunView.of(run)
