"""What a queued stage asks staff to do, and the action's id.

An instance is in the queue while its stage's action is QUEUED. The queue item
(`domain.casework.cases.QueueItem`) says what to do (send letter N, schedule a meeting,
escalate), why (the evidence the stage was entered with) and has an id fixed per instance and
stage, so the letter job it leads to can be keyed on it.
"""

from __future__ import annotations

from enum import StrEnum

from domain.platform.events import event_id
from domain.rules.ruleset import StageType


class ActionKind(StrEnum):
    SEND_LETTER = "SEND_LETTER"
    SCHEDULE_MEETING = "SCHEDULE_MEETING"
    ESCALATE = "ESCALATE"


ACTION_FOR_STAGE = {StageType.LETTER_1: ActionKind.SEND_LETTER, StageType.LETTER_2: ActionKind.SEND_LETTER,
                    StageType.MEETING: ActionKind.SCHEDULE_MEETING, StageType.ESCALATION: ActionKind.ESCALATE}


def action_id(instance_id: str, stage_order: int) -> str:
    """Fixed per instance and stage: the queue item's id and the letter job's key."""
    return event_id("intervention.action", instance_id, str(stage_order))
