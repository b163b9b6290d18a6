"""Exemption, case and work-task routes. School-scoped through `schoolId` (a district admin who
omits it gets 422). Writes need INTERVENTIONS_ACT, reads INTERVENTIONS_READ; all writes audited.
A task's `ETag` comes with it; `PUT` needs it in `If-Match` (428 without, 412 when stale)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response

import bootstrap
from domain.casework.cases import CaseStatus
from domain.casework.tasks import TaskStatus, WorkTask
from domain.platform.access import Permission
from functions.http.cases.models import (
    CaseDetail,
    CasePage,
    CaseSummary,
    ExemptionBody,
    ExemptionView,
    TaskBody,
    TaskPage,
    TaskUpdate,
    TaskView,
)
from functions.http.platform.routes import OUT
from functions.http.shell.preconditions import if_match_required
from functions.http.shell.security import Access, require
from services.casework.service import Casework

router = APIRouter(tags=["cases"])
StudentId = Annotated[str, Path(min_length=1, max_length=128)]
Reader = Annotated[Access, Depends(require(Permission.INTERVENTIONS_READ))]
Actor = Annotated[Access, Depends(require(Permission.INTERVENTIONS_ACT))]


def casework_service() -> Casework:
    return bootstrap.composition().casework.service


CaseworkService = Annotated[Casework, Depends(casework_service)]


@router.put("/api/students/{studentId}/exemption", response_model=ExemptionView,
            summary="Exempt a student from interventions",
            description="While in force the nightly stops the student's interventions (stages with an "
                        "`exemptionActive` stop condition) and starts none. Replaces any earlier one.", **OUT)
def put_exemption(access: Actor, casework: CaseworkService, studentId: StudentId,  # noqa: N803
                  body: ExemptionBody) -> ExemptionView:
    exemption = casework.set_exemption(access.principal, access.tenant_id, access.one_school(), studentId,
                                       body.exemption())
    return ExemptionView.of(studentId, exemption)


@router.delete("/api/students/{studentId}/exemption", status_code=204, summary="End a student's exemption",
               description="404 when the student has none.")
def end_exemption(access: Actor, casework: CaseworkService, studentId: StudentId) -> Response:  # noqa: N803
    casework.end_exemption(access.principal, access.tenant_id, access.one_school(), studentId)
    return Response(status_code=204)


@router.get("/api/cases", response_model=CasePage, summary="The school's cases",
            description="One case per student with an intervention, highest tier first.", **OUT)
def cases(access: Reader, casework: CaseworkService, tier: Annotated[int | None, Query(ge=1, le=3)] = None,
          status: CaseStatus | None = None) -> CasePage:
    found = casework.cases(access.tenant_id, access.one_school(), tier=tier, status=status)
    return CasePage(items=[CaseSummary.of(c) for c in found])


@router.get("/api/cases/{studentId}", response_model=CaseDetail, summary="A student's case",
            description="The case (tier, status, dates) with the student's work tasks and exemption; "
                        "404 when the student has no case.", **OUT)
def case(access: Reader, casework: CaseworkService, studentId: StudentId) -> CaseDetail:  # noqa: N803
    found, tasks, exemption = casework.case(access.tenant_id, access.one_school(), studentId)
    return CaseDetail.of_parts(found, tasks, exemption)


@router.post("/api/cases/{studentId}/resolve", response_model=CaseSummary, summary="Resolve a student's case",
             description="The nightly then stops the student's interventions whose stage stops on "
                         "`caseResolved`. A new intervention reopens the case.", **OUT)
def resolve(access: Actor, casework: CaseworkService, studentId: StudentId) -> CaseSummary:  # noqa: N803
    resolved = casework.resolve(access.principal, access.tenant_id, access.one_school(), studentId)
    return CaseSummary.of(resolved)


def _task(response: Response, task: WorkTask) -> TaskView:
    if task.etag:
        response.headers["ETag"] = task.etag
    return TaskView.of(task)


@router.get("/api/tasks", response_model=TaskPage, summary="Work tasks", description="Soonest due first.",
            **OUT)
def tasks(access: Reader, casework: CaseworkService,
          assignee: Annotated[str | None, Query(min_length=1, max_length=200)] = None,
          status: TaskStatus | None = None) -> TaskPage:
    found = casework.tasks(access.tenant_id, access.one_school(), assignee=assignee, status=status)
    return TaskPage(items=[TaskView.of(t) for t in found])


@router.post("/api/tasks", response_model=TaskView, status_code=201, summary="Create a work task",
             description="Open, created by the caller; `caseId` must name a case of the school.", **OUT)
def create_task(access: Actor, casework: CaseworkService, body: TaskBody, response: Response) -> TaskView:
    task = casework.create_task(
        access.principal, access.tenant_id, access.one_school(), student_id=body.student_id, title=body.title,
        assignee=body.assignee, due_on=body.due_on, case_id=body.case_id)
    return _task(response, task)


@router.put("/api/tasks/{taskId}", response_model=TaskView, summary="Update a work task",
            description="Only the fields sent change. `If-Match` must carry the task's ETag: 428 "
                        "without it, 412 when someone changed it first.", **OUT)
def update_task(access: Actor, casework: CaseworkService,
                taskId: Annotated[str, Path(min_length=1, max_length=64)],  # noqa: N803
                body: TaskUpdate, response: Response,
                if_match: Annotated[str, Depends(if_match_required("the task's ETag"))]) -> TaskView:
    task = casework.update_task(
        access.principal, access.tenant_id, access.one_school(), taskId, if_match, title=body.title,
        assignee=body.assignee, due_on=body.due_on, status=body.status)
    return _task(response, task)
