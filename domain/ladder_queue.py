"""Today's intervention queue: the actions waiting for staff to approve, skip or snooze.

An instance is in the queue while its stage's action is QUEUED. The item says what to do (send
letter N, schedule a meeting, escalate), why (the evidence the stage was entered with) and has
an id fixed per instance and stage, so the letter job it leads to can be keyed on it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from domain.events import event_id
from domain.ladder import (
    ActionState,
    InstanceStatus,
    Ladder,
    StageType,
    StudentInterventionInstance,
    StudentRef,
)


class ActionKind(StrEnum):
    SEND_LETTER = "SEND_LETTER"
    SCHEDULE_MEETING = "SCHEDULE_MEETING"
    ESCALATE = "ESCALATE"


ACTION_FOR_STAGE = {StageType.LETTER_1: ActionKind.SEND_LETTER, StageType.LETTER_2: ActionKind.SEND_LETTER,
                    StageType.MEETING: ActionKind.SCHEDULE_MEETING, StageType.ESCALATION: ActionKind.ESCALATE}


def action_id(instance_id: str, stage_order: int) -> str:
    """Fixed per instance and stage: the queue item's id and the letter job's key."""
    return event_id("intervention.action", instance_id, str(stage_order))


@dataclass(frozen=True, slots=True)
class DueAction:
    """A queue item: the stage's action, waiting for staff to approve, skip or snooze it. `id` is
    fixed per instance and stage, so it can key the letter job: a stage's letter goes once."""

    id: str
    instance_id: str
    student: StudentRef
    rule_set_id: str
    rule_set_version: int
    stage_order: int
    stage_type: StageType
    action: ActionKind
    template_key: str | None
    evidence: tuple[str, ...]
    stage_entered_on: date


def due_action(instance: StudentInterventionInstance | None, ladder: Ladder) -> DueAction | None:
    """The queue item for an instance whose action is QUEUED (None otherwise)."""
    if (instance is None or instance.status is not InstanceStatus.ACTIVE
            or instance.action is not ActionState.QUEUED):
        return None
    stage = ladder.stage(instance.stage_order)
    return DueAction(action_id(instance.id, stage.order), instance.id,
                     instance.student, instance.rule_set_id, instance.rule_set_version, stage.order,
                     stage.type, ACTION_FOR_STAGE[stage.type], stage.template_key, instance.stage_evidence,
                     instance.stage_entered_on)
