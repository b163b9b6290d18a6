"""Follow-up work staff owe a student: a `WorkTask` (call the family, book a home visit...),
optionally tied to the student's case, with an assignee, a due date and a status.

Pure: the service stamps ids and who created it; the store keeps the ETag.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class TaskStatus(StrEnum):
    OPEN = "OPEN"
    DONE = "DONE"
    CANCELLED = "CANCELLED"


@dataclass(frozen=True, slots=True)
class WorkTask:
    id: str
    tenant_id: str
    school_id: str
    student_id: str
    title: str
    assignee: str
    due_on: date
    status: TaskStatus
    created_by: str
    case_id: str | None = None  # the case is the student's: its id is the student id
    etag: str | None = None

    def public(self) -> dict[str, str | None]:
        """What the audit log keeps of a task (no free text about the pupil beyond the title)."""
        return {"studentId": self.student_id, "caseId": self.case_id, "title": self.title,
                "assignee": self.assignee, "dueOn": self.due_on.isoformat(), "status": self.status.value}
