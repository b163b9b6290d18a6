"""What follows from an instance's new events, for the nightly and for staff alike: the queue
item, the case, the `intervention.escalated` event for external agencies, and the letter job.

The letter job is a `letter-jobs` queue message sent after the transaction committed. It is
keyed on the action id (fixed per instance and stage), so the letters service sends a stage's
letter once even if the message comes twice.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from domain.casework.cases import Case, QueueItem, case_after, queue_item
from domain.ladder.events import EventKind, InterventionEvent
from domain.ladder.model import ActionState, StudentInterventionInstance
from domain.ladder.queue import action_id
from domain.platform.events import IntegrationEvent, event_id
from services.interventions.ports import StudentChange
from services.platform.context import current_correlation_id

LETTER_JOBS_QUEUE = "letter-jobs"
ESCALATED_EVENT = "intervention.escalated"

SendJob = Callable[[dict[str, Any]], object]


@dataclass
class Collected:
    """One student's results, gathered before they are written as one `StudentChange`."""

    student_id: str
    case: Case | None
    instances: list[tuple[StudentInterventionInstance, tuple[InterventionEvent, ...]]] = field(
        default_factory=list)
    items: list[QueueItem] = field(default_factory=list)
    outbound: list[IntegrationEvent] = field(default_factory=list)
    letter_jobs: list[dict[str, Any]] = field(default_factory=list)
    case_changed: bool = False

    def add(self, instance: StudentInterventionInstance, events: Sequence[InterventionEvent],
            template_key: str | None, *, on: date, now: datetime) -> None:
        if not events:
            return
        self.instances.append((instance, tuple(events)))
        self.items.append(queue_item(instance, template_key, events))
        change = case_after(self.case, instance, events, on=on)
        if change.case is not None:
            self.case, self.case_changed = change.case, True
        if change.hand_on and self.case is not None:
            self.outbound.append(escalated_event(instance, self.case, events, now))
        if (instance.action is ActionState.APPROVED and instance.stage_type.is_letter
                and any(e.kind is EventKind.APPROVED for e in events)):
            self.letter_jobs.append(letter_job(instance))

    def change(self) -> StudentChange | None:
        if not self.instances:
            return None
        return StudentChange(self.student_id, tuple(self.instances), tuple(self.items),
                             self.case if self.case_changed else None, tuple(self.outbound))


def letter_job(instance: StudentInterventionInstance) -> dict[str, Any]:
    return {"tenantId": instance.tenant_id, "schoolId": instance.school_id, "instanceId": instance.id,
            "stageOrder": instance.stage_order, "actionId": action_id(instance.id, instance.stage_order),
            "correlationId": current_correlation_id()}


def escalated_event(instance: StudentInterventionInstance, case: Case, events: Sequence[InterventionEvent],
                    now: datetime) -> IntegrationEvent:
    """For external agencies. The id is fixed per instance, so a re-run stages the same row."""
    escalated = next(e for e in events if e.kind is EventKind.ESCALATED)
    return IntegrationEvent(
        id=event_id(ESCALATED_EVENT, instance.id), type=ESCALATED_EVENT, tenant_id=instance.tenant_id,
        school_id=instance.school_id, occurred_at=now, correlation_id=current_correlation_id(),
        data={"instanceId": instance.id, "studentId": instance.student_id, "ruleSetId": instance.rule_set_id,
              "ruleSetVersion": instance.rule_set_version, "stageOrder": instance.stage_order,
              "caseTier": case.tier, "on": escalated.on.isoformat(),
              "evidence": list(instance.stage_evidence)})
