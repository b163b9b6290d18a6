"""The ladder's transition table: which command is allowed in which state, and what it does.

`TRANSITIONS` is keyed by (status, action state, command); a key missing from it raises
`InvalidTransition` (HTTP 409), e.g. approving an approved action or skipping on a stopped
instance. Closed instances (STOPPED, COMPLETED, ESCALATED) have no rows, so they accept nothing.
`apply` looks the move up, chains the event and returns the new instance; the commands in
`domain/ladder/transitions.py` add the date- and fact-dependent guards on top.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from enum import StrEnum
from typing import Any, NamedTuple

from domain.ladder.events import EventKind, InterventionEvent, chained
from domain.ladder.model import (
    ActionState,
    InstanceStatus,
    InvalidTransition,
    StudentInterventionInstance,
)
from domain.rules.ruleset import StageType


class Command(StrEnum):
    START = "START"
    QUEUE = "QUEUE"
    APPROVE = "APPROVE"
    SKIP = "SKIP"
    SNOOZE = "SNOOZE"
    MARK_DONE = "MARK_DONE"
    LOG_INTERVENTION = "LOG_INTERVENTION"
    ADVANCE = "ADVANCE"
    COMPLETE = "COMPLETE"
    STOP = "STOP"
    ESCALATE = "ESCALATE"  # close the instance as ESCALATED: nothing left on the ladder to move to
    ESCALATE_TO_NEXT = "ESCALATE_TO_NEXT"  # move to the next stage now, waiving its wait and entry
    RECORD_MEETING = "RECORD_MEETING"  # a meeting was held or missed (domain/meetings/outcomes.py)
    PAUSE = "PAUSE"  # a medical plan holds the ladder still until a review date
    RESUME = "RESUME"


class Move(NamedTuple):
    status: InstanceStatus
    action: ActionState | None  # None: unchanged
    events: tuple[EventKind, ...] | None  # None: chosen by the stage type (MARK_DONE)


class Applied(NamedTuple):
    instance: StudentInterventionInstance
    events: tuple[InterventionEvent, ...]


_S, _A, _C, _E = InstanceStatus, ActionState, Command, EventKind
TRANSITIONS: dict[tuple[InstanceStatus | None, ActionState | None, Command], Move] = {
    (None, None, _C.START): Move(_S.ACTIVE, _A.DUE, (_E.STAGE_ENTERED,)),  # no instance yet
    (_S.ACTIVE, _A.DUE, _C.QUEUE): Move(_S.ACTIVE, _A.QUEUED, (_E.ACTION_QUEUED,)),
    (_S.ACTIVE, _A.SNOOZED, _C.QUEUE): Move(_S.ACTIVE, _A.QUEUED, (_E.ACTION_QUEUED,)),
    (_S.ACTIVE, _A.SKIPPED, _C.QUEUE): Move(_S.ACTIVE, _A.QUEUED, (_E.ACTION_QUEUED,)),
    (_S.ACTIVE, _A.QUEUED, _C.APPROVE): Move(_S.ACTIVE, _A.APPROVED, (_E.APPROVED,)),
    (_S.ACTIVE, _A.DUE, _C.SKIP): Move(_S.ACTIVE, _A.SKIPPED, (_E.SKIPPED,)),
    (_S.ACTIVE, _A.QUEUED, _C.SKIP): Move(_S.ACTIVE, _A.SKIPPED, (_E.SKIPPED,)),
    (_S.ACTIVE, _A.SNOOZED, _C.SKIP): Move(_S.ACTIVE, _A.SKIPPED, (_E.SKIPPED,)),
    (_S.ACTIVE, _A.DUE, _C.SNOOZE): Move(_S.ACTIVE, _A.SNOOZED, (_E.SNOOZED,)),
    (_S.ACTIVE, _A.QUEUED, _C.SNOOZE): Move(_S.ACTIVE, _A.SNOOZED, (_E.SNOOZED,)),
    (_S.ACTIVE, _A.SNOOZED, _C.SNOOZE): Move(_S.ACTIVE, _A.SNOOZED, (_E.SNOOZED,)),
    (_S.ACTIVE, _A.APPROVED, _C.MARK_DONE): Move(_S.ACTIVE, _A.DONE, None),
    (_S.ACTIVE, _A.DONE, _C.ADVANCE): Move(_S.ACTIVE, _A.DUE, (_E.STAGE_ENTERED,)),
    (_S.ACTIVE, _A.DONE, _C.COMPLETE): Move(_S.COMPLETED, None, (_E.COMPLETED,)),
    (_S.ACTIVE, _A.DONE, _C.ESCALATE_TO_NEXT): Move(_S.ACTIVE, _A.DUE, (_E.ESCALATED, _E.STAGE_ENTERED)),
    # whatever the action's state, an active instance can log, stop or escalate
    **{(_S.ACTIVE, a, _C.LOG_INTERVENTION): Move(_S.ACTIVE, None, (_E.INTERVENTION_LOGGED,)) for a in _A},
    **{(_S.ACTIVE, a, _C.STOP): Move(_S.STOPPED, None, (_E.STOPPED,)) for a in _A},
    **{(_S.ACTIVE, a, _C.ESCALATE): Move(_S.ESCALATED, None, (_E.ESCALATED,)) for a in _A},
    # meetings: the caller names MEETING_HELD or MEETING_NO_SHOW; pausing leaves the action as it is
    **{(_S.ACTIVE, a, _C.RECORD_MEETING): Move(_S.ACTIVE, None, None) for a in _A},
    **{(_S.ACTIVE, a, _C.PAUSE): Move(_S.ACTIVE, None, (_E.PAUSED,)) for a in _A},
    **{(_S.ACTIVE, a, _C.RESUME): Move(_S.ACTIVE, None, (_E.RESUMED,)) for a in _A},
}

# What "done" records for each type of stage; finishing an ESCALATION stage escalates.
DONE_EVENT = {StageType.LETTER_1: _E.LETTER_SENT, StageType.LETTER_2: _E.LETTER_SENT,
              StageType.MEETING: _E.MEETING_SCHEDULED, StageType.ESCALATION: _E.ESCALATED}


def apply(instance: StudentInterventionInstance, command: Command, *, on: date, actor: str | None,
          reason: str | None = None, evidence: tuple[str, ...] = (), data: dict[str, str] | None = None,
          at: datetime | None = None, events: tuple[EventKind, ...] = (), next_stage: int | None = None,
          **changes: Any) -> Applied:
    """Run `command` through the table: refuse it, or return the instance with the move's status
    and action (plus `changes`) and the events it records, chained to the instance's head.
    `events` names the events where the row leaves them to the caller; a STAGE_ENTERED event is
    about `next_stage`, every other one about the current stage."""
    move = TRANSITIONS.get((instance.status, instance.action, command))
    if move is None:
        raise InvalidTransition(f"cannot {command.value.lower().replace('_', ' ')} instance {instance.id}: "
                                f"it is {instance.status.value} with stage {instance.stage_order}'s action "
                                f"{instance.action.value}", field="action")
    kinds = move.events if move.events is not None else events
    if not kinds:
        raise ValueError(f"the {command.value} row leaves the events to the caller, who gave none")
    head, recorded = instance, []
    for kind in kinds:
        stage = next_stage if kind is EventKind.STAGE_ENTERED else None
        event = chained(head, kind, on=on, actor=actor, reason=reason, evidence=evidence, data=data, at=at,
                        stage_order=stage)
        head = replace(head, event_count=event.sequence, last_hash=event.hash)
        recorded.append(event)
    if move.status.closed:
        changes.update(closed_on=on, closed_reason=reason or "; ".join(evidence) or None)
    updated = replace(head, **{"status": move.status, "action": move.action or instance.action, **changes})
    return Applied(updated, tuple(recorded))
