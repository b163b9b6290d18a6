"""Exemptions, case updates and work tasks, in the `interventions` table beside the instances
(PartitionKey `tenant|school`, so the nightly reads each kind in one range read):

- `x|{studentId}`: the student's exemption in force or planned (reason, startsOn, expiresOn);
  lifting it deletes the row (the audit log keeps what it was);
- `t|{taskId}`: a work task (studentId, caseId, title, assignee, dueOn, status, createdBy);
- `c|{studentId}`: the case (adapters/tables/interventions.py writes it with the night's rows;
  staff resolving it write it here, ETag-conditionally).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from typing import Any

from adapters.storage.keys import key, prefix_range
from adapters.storage.tables import Entity, Table
from adapters.tables.interventions import _case_body  # one row shape for the case
from domain.casework.cases import Case
from domain.casework.tasks import TaskStatus, WorkTask
from domain.rules import Exemption


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _exemption(row: Entity) -> Exemption:
    return Exemption(reason=row["reason"], starts_on=_day(row.get("startsOn")),
                     expires_on=_day(row.get("expiresOn")))


def _task(tenant_id: str, school_id: str, row: Entity) -> WorkTask:
    return WorkTask(row["id"], tenant_id, school_id, row["studentId"], row["title"], row["assignee"],
                    date.fromisoformat(row["dueOn"]), TaskStatus(row["status"]), row["createdBy"],
                    row.get("caseId"), row.etag)


class TableCaseworkStore:
    def __init__(self, table: Table) -> None:
        self._table = table

    def _range(self, tenant_id: str, school_id: str, prefix: str) -> Iterator[Entity]:
        low, high = prefix_range(prefix)
        return self._table.query("PartitionKey eq @pk and RowKey ge @lo and RowKey lt @hi",
                                 parameters={"pk": key(tenant_id, school_id), "lo": low, "hi": high})

    def exemptions(self, tenant_id: str, school_id: str) -> dict[str, Exemption]:
        return {r["studentId"]: _exemption(r) for r in self._range(tenant_id, school_id, "x|")}

    def exemption(self, tenant_id: str, school_id: str, student_id: str) -> Exemption | None:
        row = self._table.find(key(tenant_id, school_id), key("x", student_id))
        return _exemption(row) if row else None

    def put_exemption(self, tenant_id: str, school_id: str, student_id: str, exemption: Exemption) -> None:
        self._table.upsert({"PartitionKey": key(tenant_id, school_id), "RowKey": key("x", student_id),
                            "studentId": student_id, "reason": exemption.reason,
                            "startsOn": _iso(exemption.starts_on), "expiresOn": _iso(exemption.expires_on)})

    def delete_exemption(self, tenant_id: str, school_id: str, student_id: str) -> None:
        self._table.delete(key(tenant_id, school_id), key("x", student_id))

    def save_case(self, case: Case) -> Case:
        entity: dict[str, Any] = {"PartitionKey": key(case.tenant_id, case.school_id),
                                  "RowKey": key("c", case.student_id), **_case_body(case)}
        etag = self._table.insert(entity) if case.etag is None else self._table.update(entity, etag=case.etag)
        return replace(case, etag=etag)

    def tasks(self, tenant_id: str, school_id: str) -> list[WorkTask]:
        return [_task(tenant_id, school_id, r) for r in self._range(tenant_id, school_id, "t|")]

    def task(self, tenant_id: str, school_id: str, task_id: str) -> WorkTask:
        return _task(tenant_id, school_id, self._table.get(key(tenant_id, school_id), key("t", task_id)))

    def save_task(self, task: WorkTask) -> WorkTask:
        entity = {"PartitionKey": key(task.tenant_id, task.school_id), "RowKey": key("t", task.id),
                  "id": task.id, "studentId": task.student_id, "caseId": task.case_id, "title": task.title,
                  "assignee": task.assignee, "dueOn": task.due_on.isoformat(), "status": task.status.value,
                  "createdBy": task.created_by}
        etag = self._table.insert(entity) if task.etag is None else self._table.update(entity, etag=task.etag)
        return replace(task, etag=etag)
