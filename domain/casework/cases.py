"""A student's case and the queue item staff act on: what the scheduler and the queue write
beside an intervention instance, and how an instance's new events change them.

- A `Case` per student is opened (or an open one linked) when an instance starts, at tier 1.
  An ESCALATED event raises it to at least tier 2; entering an ESCALATION stage makes it tier 3.
  When the ESCALATION stage's action is done (the instance closes ESCALATED there), the case is
  handed on: `hand_on` is True and the caller stages `intervention.escalated` for external
  agencies. Staff approving the hand-over, not the stage's entry, is what tells the agencies.
- A `QueueItem` mirrors the current stage's action of an instance: `status` is the action state
  while the instance is active, else the instance's closed status. Its id is the action id
  (fixed per instance and stage), so the letter job keyed on it goes once. The nightly's `due`
  (domain/ladder/nightly.py) is the same item for an instance whose action is QUEUED.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum

from domain.ladder.events import EventKind, InterventionEvent
from domain.ladder.model import ActionState, InstanceStatus, Ladder, StudentInterventionInstance
from domain.ladder.queue import ACTION_FOR_STAGE, ActionKind, action_id
from domain.rules.ruleset import StageType, Track

OPEN_ITEM = "QUEUED"  # the queue shows items in this status


class CaseStatus(StrEnum):
    OPEN = "OPEN"
    RESOLVED = "RESOLVED"


@dataclass(frozen=True, slots=True)
class Case:
    tenant_id: str
    school_id: str
    student_id: str
    tier: int
    status: CaseStatus
    opened_on: date
    updated_on: date
    instance_ids: tuple[str, ...] = ()
    etag: str | None = None


@dataclass(frozen=True, slots=True)
class CaseChange:
    case: Case | None  # None: unchanged
    hand_on: bool  # the ESCALATION stage's action is done: tell external agencies


def case_after(case: Case | None, instance: StudentInterventionInstance,
               events: Sequence[InterventionEvent], *, on: date) -> CaseChange:
    """The student's case after `events` of `instance` (the instance as they left it)."""
    tier = case.tier if case is not None else 0
    ids = case.instance_ids if case is not None else ()
    started = any(e.kind is EventKind.STAGE_ENTERED and e.sequence == 1 for e in events)
    if started:
        tier = max(tier, 1)
        ids = ids if instance.id in ids else (*ids, instance.id)
    if any(e.kind is EventKind.ESCALATED for e in events):
        tier = max(tier, 2)
    at_escalation_stage = instance.stage_type is StageType.ESCALATION
    if at_escalation_stage and any(e.kind is EventKind.STAGE_ENTERED and e.stage_order == instance.stage_order
                                   for e in events):
        tier = 3
    hand_on = (at_escalation_stage and instance.status is InstanceStatus.ESCALATED
               and any(e.kind is EventKind.ESCALATED for e in events))
    if hand_on:
        tier = 3
    if case is None and tier == 0:
        return CaseChange(None, hand_on)
    if case is None:
        return CaseChange(Case(instance.tenant_id, instance.school_id, instance.student_id, tier,
                               CaseStatus.OPEN, on, on, ids), hand_on)
    status = CaseStatus.OPEN if started else case.status
    if (tier, ids, status) == (case.tier, case.instance_ids, case.status):
        return CaseChange(None, hand_on)
    return CaseChange(replace(case, tier=tier, instance_ids=ids, status=status, updated_on=on), hand_on)


def case_may_change(events: Sequence[InterventionEvent]) -> bool:
    """Whether `case_after` can change the case (or hand it on) for these events: only an
    instance's start and an escalation move a case, so approving a letter, skipping or snoozing
    need not read it."""
    return any(e.kind in (EventKind.STAGE_ENTERED, EventKind.ESCALATED) for e in events)


@dataclass(frozen=True, slots=True)
class QueueItem:
    """The current stage's action of an instance, as today's queue shows it."""

    id: str
    instance_id: str
    student_id: str
    rule_set_id: str
    rule_set_version: int
    stage_order: int
    stage_type: StageType
    action: ActionKind
    template_key: str | None
    evidence: tuple[str, ...]
    stage_entered_on: date
    status: str  # an ActionState while the instance is active, else its closed status
    queued_on: date | None = None  # the night it was (last) queued; None: unchanged
    paused_until: date | None = None  # a medical plan holds it: approving is refused through this date
    track: Track = Track.SUPPORT  # the instance's: its support ladder or a statutory track


def queue_item(instance: StudentInterventionInstance, template_key: str | None,
               events: Sequence[InterventionEvent]) -> QueueItem:
    """The item for the instance's current stage after `events`; `queued_on` is set when one of
    them queued the action."""
    queued = [e.on for e in events
              if e.kind is EventKind.ACTION_QUEUED and e.stage_order == instance.stage_order]
    status = instance.action.value if instance.status is InstanceStatus.ACTIVE else instance.status.value
    return QueueItem(action_id(instance.id, instance.stage_order), instance.id, instance.student_id,
                     instance.rule_set_id, instance.rule_set_version, instance.stage_order,
                     instance.stage_type, ACTION_FOR_STAGE[instance.stage_type], template_key,
                     instance.stage_evidence, instance.stage_entered_on, status,
                     queued[-1] if queued else None, instance.paused_until, instance.track)


def due_item(instance: StudentInterventionInstance | None, ladder: Ladder) -> QueueItem | None:
    """The queue item of an instance whose action is QUEUED (None otherwise), as it stands:
    `queued_on` None, since no new events come with it."""
    if (instance is None or instance.status is not InstanceStatus.ACTIVE
            or instance.action is not ActionState.QUEUED):
        return None
    return queue_item(instance, ladder.stage(instance.stage_order).template_key, ())
