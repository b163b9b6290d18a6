"""What the scheduler and the intervention queue read and write (adapters/tables/interventions.py
implements it; unit tests fake it in tests/fakes_interventions.py)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

from domain.attendance.summaries import DailySummary
from domain.casework.cases import Case, QueueItem
from domain.ladder.events import InterventionEvent
from domain.ladder.model import StudentInterventionInstance
from domain.platform.events import IntegrationEvent


@dataclass(frozen=True)
class StudentChange:
    """Everything one student's night (or one staff action) changes, written as ONE transaction:
    each instance ETag-conditionally (created when its etag is None) with its new events, the
    queue items, the case (ETag-conditional too) and the integration events (outbox rows)."""

    student_id: str
    instances: tuple[tuple[StudentInterventionInstance, tuple[InterventionEvent, ...]], ...]
    items: tuple[QueueItem, ...] = ()
    case: Case | None = None
    outbound: tuple[IntegrationEvent, ...] = field(default=())

    @property
    def size(self) -> int:
        """Transaction operations it takes."""
        return (sum(1 + len(events) for _, events in self.instances) + len(self.items)
                + (self.case is not None) + len(self.outbound))


class InterventionStore(Protocol):
    def instances(self, tenant_id: str, school_id: str) -> list[StudentInterventionInstance]:
        """Every instance of the school, with ETags (one partition range read)."""
        ...

    def instance(self, tenant_id: str, school_id: str, instance_id: str) -> StudentInterventionInstance:
        """Raises NotFound."""
        ...

    def student_instances(self, tenant_id: str, school_id: str,
                          student_id: str) -> list[StudentInterventionInstance]: ...

    def events(self, tenant_id: str, school_id: str, instance_id: str) -> list[InterventionEvent]:
        """The instance's events in sequence order."""
        ...

    def cases(self, tenant_id: str, school_id: str) -> dict[str, Case]:
        """Every case of the school by student (one range read)."""
        ...

    def case(self, tenant_id: str, school_id: str, student_id: str) -> Case | None: ...

    def queue(self, tenant_id: str, school_id: str) -> list[QueueItem]:
        """Every queue item of the school (one range read)."""
        ...

    def queue_item(self, tenant_id: str, school_id: str, action_id: str) -> QueueItem:
        """Raises NotFound."""
        ...

    def save(self, tenant_id: str, school_id: str, changes: Sequence[StudentChange]) -> list[str]:
        """Write the changes, several students per transaction (at most 100 operations, a
        student never split). Returns the students whose change was refused because a row
        changed since it was read (their rows are untouched); other errors raise."""
        ...


class SummaryDays(Protocol):
    def on_dates(self, tenant_id: str, school_id: str,
                 days: Collection[date]) -> dict[date, dict[str, DailySummary]]:
        """The school's rows on these dates by date and student: one query per month partition."""
        ...


class StudentRowsReader(Protocol):
    def for_student(self, tenant_id: str, school_id: str, student_id: str, first: date,
                    last: date) -> list[DailySummary]:
        """One student's rows between the dates, in date order (one range query)."""
        ...
