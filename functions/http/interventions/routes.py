"""Intervention queue routes: today's due actions, approve / skip / snooze, a student's
interventions with their verified history, and running the scheduler on demand.

School-scoped through `schoolId`; a district admin who omits it gets 422 here.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query

import bootstrap
from domain.platform.access import Permission
from functions.http.interventions.models import (
    ActionBody,
    BatchApproveBody,
    BatchApproveView,
    BatchOutcomeView,
    QueueItemView,
    QueuePage,
    SnoozeBody,
    StudentInterventionsView,
)
from functions.http.platform.routes import OUT, JobRunView
from functions.http.shell.params import IsoDate
from functions.http.shell.security import Access, require
from services.interventions.batch import BatchApproval
from services.interventions.jobs import InterventionJobs
from services.interventions.queue import InterventionQueue, StaffCommand

router = APIRouter(tags=["interventions"])
ActionId = Annotated[str, Path(min_length=1, max_length=64)]


def intervention_queue() -> InterventionQueue:
    return bootstrap.composition().interventions.queue


def batch_approval() -> BatchApproval:
    return bootstrap.composition().interventions.batch_approval


def intervention_jobs() -> InterventionJobs:
    return bootstrap.composition().nightly.jobs


Queue = Annotated[InterventionQueue, Depends(intervention_queue)]


@router.get("/api/interventions/queue", response_model=QueuePage, summary="Today's intervention queue",
            description="Actions waiting for staff (send a letter, schedule a meeting, escalate), queued "
                        "on or before `date` (any day when omitted), each with its student and the "
                        "evidence its stage was entered with.", **OUT)
def queue(access: Annotated[Access, Depends(require(Permission.INTERVENTIONS_READ))], due: Queue,
          day: Annotated[IsoDate | None, Query(alias="date")] = None) -> QueuePage:
    items = due.due(access.tenant_id, access.one_school(), day)
    return QueuePage(items=[QueueItemView.of(i) for i in items])


def _act(access: Access, queue: InterventionQueue, action_id: str, command: StaffCommand, body: ActionBody,
         until: date | None = None) -> QueueItemView:
    item = queue.act(access.principal, access.tenant_id, access.one_school(), action_id, command,
                     reason=body.reason, until=until)
    return QueueItemView.of(item)


@router.post("/api/interventions/queue/{actionId}/approve", response_model=QueueItemView,
             summary="Approve a due action",
             description="An approved letter goes to the letters service (`letter-jobs`); approving an "
                         "escalation hands the case on. 409 when the action is no longer waiting (say, "
                         "another member of staff approved it first).", **OUT)
def approve(access: Annotated[Access, Depends(require(Permission.INTERVENTIONS_ACT))], queue: Queue,
            actionId: ActionId, body: ActionBody | None = None) -> QueueItemView:  # noqa: N803
    return _act(access, queue, actionId, StaffCommand.APPROVE, body or ActionBody())


@router.post("/api/interventions/queue/approve", response_model=BatchApproveView,
             summary="Approve several due actions at once",
             description="Up to 100 action ids; each answers `approved` (with the item) or `conflict` with "
                         "the reason (no such action, no longer waiting, paused, or changed meanwhile). "
                         "Reads the school's queue and instances once; each approval is audited.", **OUT)
def approve_many(access: Annotated[Access, Depends(require(Permission.INTERVENTIONS_ACT))],
                 batch: Annotated[BatchApproval, Depends(batch_approval)],
                 body: BatchApproveBody) -> BatchApproveView:
    outcomes = batch.approve(access.principal, access.tenant_id, access.one_school(), body.action_ids)
    return BatchApproveView(results=[BatchOutcomeView.of(o) for o in outcomes])


@router.post("/api/interventions/queue/{actionId}/skip", response_model=QueueItemView,
             summary="Skip a due action", description="The ladder stays on this stage.", **OUT)
def skip(access: Annotated[Access, Depends(require(Permission.INTERVENTIONS_ACT))], queue: Queue,
         actionId: ActionId, body: ActionBody | None = None) -> QueueItemView:  # noqa: N803
    return _act(access, queue, actionId, StaffCommand.SKIP, body or ActionBody())


@router.post("/api/interventions/queue/{actionId}/snooze", response_model=QueueItemView,
             summary="Snooze a due action", description="The nightly queues it again on `until`.", **OUT)
def snooze(access: Annotated[Access, Depends(require(Permission.INTERVENTIONS_ACT))], queue: Queue,
           actionId: ActionId, body: SnoozeBody) -> QueueItemView:  # noqa: N803
    return _act(access, queue, actionId, StaffCommand.SNOOZE, body, until=body.until)


@router.get("/api/interventions/students/{studentId}", response_model=StudentInterventionsView,
            summary="A student's interventions",
            description="Every instance with its events and whether their hash chain verifies, and the "
                        "student's case.", **OUT)
def student(access: Annotated[Access, Depends(require(Permission.INTERVENTIONS_READ))], queue: Queue,
            studentId: Annotated[str, Path(min_length=1, max_length=128)],  # noqa: N803
            ) -> StudentInterventionsView:
    history = queue.student(access.tenant_id, access.one_school(), studentId)
    return StudentInterventionsView.of(history)


@router.post("/api/interventions/evaluate", response_model=JobRunView,
             summary="Run the intervention scheduler for a school and date now",
             description="Forced: runs again even if the night already ran (a re-run creates nothing "
                         "new). Audited.", **OUT)
def evaluate(access: Annotated[Access, Depends(require(Permission.JOBS_RUN))],
             jobs: Annotated[InterventionJobs, Depends(intervention_jobs)],
             day: Annotated[IsoDate, Query(alias="date")]) -> JobRunView:
    run = jobs.run_now(access.principal, access.tenant_id, access.one_school(), day)
    return JobRunView.of(run)
