"""What staff record about a student beside the ladder: an exemption (stops and keeps off
interventions while in force), resolving the student's case (a stop fact for the nightly), and
follow-up work tasks. Every change is audited; the nightly reads exemptions and cases once per
school (services/interventions/scheduler.py).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import date

from domain.casework.cases import Case, CaseStatus
from domain.casework.tasks import TaskStatus, WorkTask
from domain.platform.access import Principal
from domain.platform.errors import ConcurrencyError, NotFound, ValidationFailed
from domain.rules import Exemption
from services.casework.ports import CaseworkStore
from services.interventions.ports import InterventionStore
from services.platform.audit import AuditLog
from services.platform.ports import Clock
from services.roster.ports import RosterReader


def _exemption_record(exemption: Exemption | None) -> dict[str, str | None] | None:
    if exemption is None:
        return None
    return {"reason": exemption.reason,
            "startsOn": exemption.starts_on.isoformat() if exemption.starts_on else None,
            "expiresOn": exemption.expires_on.isoformat() if exemption.expires_on else None}


class Casework:
    def __init__(self, store: CaseworkStore, cases: InterventionStore, roster: RosterReader, audit: AuditLog,
                 clock: Clock, new_id: Callable[[], str] = lambda: "task-" + uuid.uuid4().hex[:12]) -> None:
        self._store, self._cases, self._roster = store, cases, roster
        self._audit, self._clock, self._new_id = audit, clock, new_id

    def _today(self, tenant_id: str, school_id: str) -> date:
        return self._roster.school(tenant_id, school_id).local_date(self._clock.now())

    def ensure_student(self, tenant_id: str, school_id: str, student_id: str) -> None:
        """Before a write keyed on a student: a row for a student the school does not have would be
        an orphan, audited as if it were a real action. Another school's student reads as absent."""
        if self._roster.find_student(tenant_id, school_id, student_id) is None:
            raise NotFound(f"no student {student_id!r} in this school", field="studentId")

    # exemptions

    def set_exemption(self, actor: Principal, tenant_id: str, school_id: str, student_id: str,
                      exemption: Exemption) -> Exemption:
        if exemption.starts_on and exemption.expires_on and exemption.expires_on < exemption.starts_on:
            raise ValidationFailed("expiresOn is before startsOn", field="expiresOn")
        self.ensure_student(tenant_id, school_id, student_id)
        before = self._store.exemption(tenant_id, school_id, student_id)
        self._store.put_exemption(tenant_id, school_id, student_id, exemption)
        self._audit.record(actor=actor, tenant_id=tenant_id, school_id=school_id,
                           action="interventions.exemption.set", entity_type="exemption",
                           entity_id=student_id,
                           before=_exemption_record(before), after=_exemption_record(exemption))
        return exemption

    def end_exemption(self, actor: Principal, tenant_id: str, school_id: str, student_id: str) -> None:
        before = self._store.exemption(tenant_id, school_id, student_id)
        if before is None:
            raise NotFound("the student has no exemption")
        self._store.delete_exemption(tenant_id, school_id, student_id)
        self._audit.record(actor=actor, tenant_id=tenant_id, school_id=school_id,
                           action="interventions.exemption.ended", entity_type="exemption",
                           entity_id=student_id, before=_exemption_record(before), after=None)

    # cases

    def cases(self, tenant_id: str, school_id: str, *, tier: int | None = None,
              status: CaseStatus | None = None) -> list[Case]:
        found = [c for c in self._cases.cases(tenant_id, school_id).values()
                 if (tier is None or c.tier == tier) and (status is None or c.status is status)]
        return sorted(found, key=lambda c: (-c.tier, c.student_id))

    def case(self, tenant_id: str, school_id: str,
             student_id: str) -> tuple[Case, list[WorkTask], Exemption | None]:
        """The student's case with its tasks (soonest due first) and exemption. Raises NotFound."""
        case = self._cases.case(tenant_id, school_id, student_id)
        if case is None:
            raise NotFound("the student has no case")
        tasks = [t for t in self.tasks(tenant_id, school_id) if t.student_id == student_id]
        return case, tasks, self._store.exemption(tenant_id, school_id, student_id)

    def resolve(self, actor: Principal, tenant_id: str, school_id: str, student_id: str) -> Case:
        """The nightly then stops the student's instances whose stages stop on `caseResolved`."""
        case = self._cases.case(tenant_id, school_id, student_id)
        if case is None:
            raise NotFound("the student has no case")
        if case.status is CaseStatus.RESOLVED:
            return case
        after = self._store.save_case(replace(case, status=CaseStatus.RESOLVED,
                                              updated_on=self._today(tenant_id, school_id)))
        self._audit.record(actor=actor, tenant_id=tenant_id, school_id=school_id,
                           action="interventions.case.resolved", entity_type="case", entity_id=student_id,
                           before={"status": case.status.value, "tier": case.tier},
                           after={"status": after.status.value, "tier": after.tier})
        return after

    # work tasks

    def tasks(self, tenant_id: str, school_id: str, *, assignee: str | None = None,
              status: TaskStatus | None = None) -> list[WorkTask]:
        found = [t for t in self._store.tasks(tenant_id, school_id)
                 if (assignee is None or t.assignee == assignee) and (status is None or t.status is status)]
        return sorted(found, key=lambda t: (t.due_on, t.id))

    def create_task(self, actor: Principal, tenant_id: str, school_id: str, *, student_id: str, title: str,
                    assignee: str, due_on: date, case_id: str | None = None,
                    task_id: str | None = None) -> WorkTask:
        """`task_id` fixed by the caller makes a retry raise AlreadyExists instead of duplicating."""
        self.ensure_student(tenant_id, school_id, student_id)
        if case_id is not None and self._cases.case(tenant_id, school_id, case_id) is None:
            raise ValidationFailed("no such case in this school", field="caseId")
        if case_id is not None and case_id != student_id:  # one case per student, keyed by the student
            raise ValidationFailed("the case is another student's", field="caseId")
        task = self._store.save_task(WorkTask(task_id or self._new_id(), tenant_id, school_id, student_id,
                                              title, assignee, due_on, TaskStatus.OPEN, actor.subject,
                                              case_id))
        self._audit.record(actor=actor, tenant_id=tenant_id, school_id=school_id,
                           action="interventions.task.created", entity_type="worktask", entity_id=task.id,
                           after=task.public())
        return task

    def task(self, tenant_id: str, school_id: str, task_id: str) -> WorkTask:
        return self._store.task(tenant_id, school_id, task_id)

    def update_task(self, actor: Principal, tenant_id: str, school_id: str, task_id: str, etag: str, *,
                    title: str | None = None, assignee: str | None = None, due_on: date | None = None,
                    status: TaskStatus | None = None) -> WorkTask:
        """ConcurrencyError (412) when `etag` is not the task's current one; `*` is refused too
        (a client must have read the task it overwrites), as meetings and rule sets do."""
        before = self._store.task(tenant_id, school_id, task_id)
        if before.etag != etag:
            raise ConcurrencyError("the task changed since you read it; reload it and try again")
        changed = replace(before, etag=etag, title=title or before.title,
                          assignee=assignee or before.assignee, due_on=due_on or before.due_on,
                          status=status or before.status)
        after = self._store.save_task(changed)
        self._audit.record(actor=actor, tenant_id=tenant_id, school_id=school_id,
                           action="interventions.task.updated", entity_type="worktask", entity_id=task_id,
                           before=before.public(), after=after.public())
        return after
