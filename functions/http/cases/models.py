"""Request and response shapes of the exemption, case and work-task routes (camelCase JSON)."""

from __future__ import annotations

import datetime as dt

from pydantic import Field

from domain.casework.cases import Case
from domain.casework.tasks import TaskStatus, WorkTask
from domain.rules import Exemption
from functions.http.interventions.models import CaseView
from functions.http.platform.routes import ApiModel
from functions.http.shell.params import IsoDate


class ExemptionBody(ApiModel):
    reason: str = Field(min_length=1, max_length=200, description="Why interventions stop, in staff's words")
    starts_on: IsoDate | None = Field(default=None, description="First day it applies (None: now)")
    expires_on: IsoDate | None = Field(default=None, description="Last day it applies (None: until lifted)")

    def exemption(self) -> Exemption:
        return Exemption(reason=self.reason, starts_on=self.starts_on, expires_on=self.expires_on)


class ExemptionView(ExemptionBody):
    student_id: str

    @classmethod
    def of(cls, student_id: str, exemption: Exemption) -> ExemptionView:
        return cls(student_id=student_id, reason=exemption.reason, starts_on=exemption.starts_on,
                   expires_on=exemption.expires_on)


class CaseSummary(CaseView):
    id: str = Field(description="The student's case id: the student id (one case per student)")
    student_id: str

    @classmethod
    def of(cls, case: Case) -> CaseSummary:
        return cls(id=case.student_id, student_id=case.student_id, **CaseView.of(case).model_dump())


class CasePage(ApiModel):
    items: list[CaseSummary]
    continuation_token: str | None = None


class TaskBody(ApiModel):
    student_id: str = Field(min_length=1, max_length=128)
    case_id: str | None = Field(default=None, min_length=1, max_length=128)
    title: str = Field(min_length=1, max_length=200)
    assignee: str = Field(min_length=1, max_length=200, description="The member of staff's subject id")
    due_on: IsoDate


class TaskUpdate(ApiModel):
    title: str | None = Field(default=None, min_length=1, max_length=200)
    assignee: str | None = Field(default=None, min_length=1, max_length=200)
    due_on: IsoDate | None = None
    status: TaskStatus | None = None


class TaskView(ApiModel):
    id: str
    student_id: str
    case_id: str | None
    title: str
    assignee: str
    due_on: dt.date
    status: str
    created_by: str

    @classmethod
    def of(cls, task: WorkTask) -> TaskView:
        return cls(id=task.id, student_id=task.student_id, case_id=task.case_id, title=task.title,
                   assignee=task.assignee, due_on=task.due_on, status=task.status.value,
                   created_by=task.created_by)


class TaskPage(ApiModel):
    items: list[TaskView]
    continuation_token: str | None = None


class CaseDetail(CaseSummary):
    tasks: list[TaskView] = Field(description="The student's work tasks, soonest due first")
    exemption: ExemptionView | None = Field(description="The exemption on record, if any")

    @classmethod
    def of_parts(cls, case: Case, tasks: list[WorkTask], exemption: Exemption | None) -> CaseDetail:
        return cls(**CaseSummary.of(case).model_dump(), tasks=[TaskView.of(t) for t in tasks],
                   exemption=ExemptionView.of(case.student_id, exemption) if exemption else None)
