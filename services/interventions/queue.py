"""Today's intervention queue and what staff do with it: approve, skip or snooze a due action;
and a student's intervention history with its hash chain checked.

Two staff acting on the same action at once both read the instance with the same ETag; the
second write is refused (the ETag changed), re-read once, and the retry then finds the action
already approved and answers 409 (`InvalidTransition`). One wins, the other gets a conflict.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from domain.casework.cases import OPEN_ITEM, Case, QueueItem, case_may_change
from domain.ladder.events import InterventionEvent, verify_chain
from domain.ladder.model import InstanceStatus, InvalidTransition, StudentInterventionInstance
from domain.ladder.pause import is_paused
from domain.ladder.table import Applied
from domain.ladder.transitions import approve, mark_done, skip, snooze, stop
from domain.platform.access import Principal
from domain.platform.errors import ConcurrencyError, ValidationFailed
from domain.rules.ruleset import StageType, Track
from services.interventions.effects import Collected, SendJob
from services.interventions.ports import InterventionStore
from services.platform.audit import AuditLog
from services.platform.ports import Clock
from services.roster.ports import RosterReader


class StaffCommand(StrEnum):
    APPROVE = "approve"
    SKIP = "skip"
    SNOOZE = "snooze"


@dataclass(frozen=True)
class InstanceHistory:
    instance: StudentInterventionInstance
    events: list[InterventionEvent]
    broken_at: int | None  # verify_chain's answer: None when the chain is intact


@dataclass(frozen=True)
class StudentHistory:
    student_id: str
    instances: list[InstanceHistory]
    case: Case | None


class InterventionQueue:
    def __init__(self, store: InterventionStore, roster: RosterReader, audit: AuditLog, clock: Clock,
                 send_letter_job: SendJob) -> None:
        self._store, self._roster, self._audit = store, roster, audit
        self._clock, self._send_letter_job = clock, send_letter_job

    def due(self, tenant_id: str, school_id: str, day: date | None) -> list[QueueItem]:
        """Actions waiting for staff, queued on or before `day` (any day when None)."""
        items = [i for i in self._store.queue(tenant_id, school_id)
                 if i.status == OPEN_ITEM and (day is None or (i.queued_on or date.min) <= day)]
        return sorted(items, key=lambda i: (i.queued_on or date.min, i.student_id, i.stage_order))

    def act(self, actor: Principal, tenant_id: str, school_id: str, item_id: str, command: StaffCommand, *,
            reason: str | None = None, until: date | None = None, item: QueueItem | None = None) -> QueueItem:
        """`item`: the queue item when the caller has just read it (the queue page); else it is read."""
        if item is None or item.id != item_id:
            item = self._store.queue_item(tenant_id, school_id, item_id)
        day = self.today(tenant_id, school_id)
        for _ in range(2):  # a write refused on the ETag re-reads once; the retry says why
            before = self._store.instance(tenant_id, school_id, item.instance_id)
            found = self._apply(actor, before, item, command, day, reason, until)
            change = found.change()
            assert change is not None
            if not self._store.save(tenant_id, school_id, [change]):
                break
        else:
            raise ConcurrencyError("the intervention changed while this action was saved; try again")
        for job in found.letter_jobs:
            self._send_letter_job(job)
        after = found.items[-1]
        self.audit_action(actor, tenant_id, school_id, command, item, after, reason=reason, until=until)
        return after

    def today(self, tenant_id: str, school_id: str) -> date:
        """The school's local date now (one read: a batch of approvals shares it)."""
        return self._roster.school(tenant_id, school_id).local_date(self._clock.now())

    def audit_action(self, actor: Principal, tenant_id: str, school_id: str, command: StaffCommand,
                     before: QueueItem, after: QueueItem, *, reason: str | None = None,
                     until: date | None = None) -> None:
        self._audit.record(actor=actor, tenant_id=tenant_id, school_id=school_id,
                           action=f"interventions.queue.{command.value}", entity_type="interventionaction",
                           entity_id=before.id, before={"status": before.status},
                           after={"status": after.status, "reason": reason,
                                  "until": until.isoformat() if until else None})

    def _apply(self, actor: Principal, instance: StudentInterventionInstance, item: QueueItem,
               command: StaffCommand, day: date, reason: str | None, until: date | None) -> Collected:
        now = self._clock.now()
        after, events = staff_transition(actor, instance, item, command, day, now, reason=reason, until=until)
        # the case is read only when these events can change it (else the write leaves it alone)
        case = (self._store.case(instance.tenant_id, instance.school_id, instance.student_id)
                if case_may_change(events) else None)
        found = Collected(instance.student_id, case)
        found.add(after, events, item.template_key, on=day, now=now)
        return found

    def student(self, tenant_id: str, school_id: str, student_id: str) -> StudentHistory:
        instances = sorted(self._store.student_instances(tenant_id, school_id, student_id),
                           key=lambda i: (i.started_on, i.id))
        histories = []
        for instance in instances:
            events = self._store.events(tenant_id, school_id, instance.id)
            histories.append(InstanceHistory(instance, events, verify_chain(events, head=instance.last_hash)))
        return StudentHistory(student_id, histories, self._store.case(tenant_id, school_id, student_id))


def staff_transition(actor: Principal, instance: StudentInterventionInstance, item: QueueItem,
                     command: StaffCommand, day: date, now: datetime, *, reason: str | None = None,
                     until: date | None = None) -> Applied:
    """What a member of staff's command does to the instance behind `item`; raises
    `InvalidTransition` (409) when the action is no longer waiting or is paused."""
    if instance.status is not InstanceStatus.ACTIVE or instance.stage_order != item.stage_order:
        raise InvalidTransition("this action is no longer waiting: the intervention moved on")
    who = actor.subject
    if command is StaffCommand.APPROVE and is_paused(instance, day):
        # a medical plan holds the ladder still; skipping or snoozing (less action) stays allowed
        raise InvalidTransition(f"paused under a medical plan until {instance.paused_until}",
                                field="pausedUntil")
    if command is StaffCommand.APPROVE:
        after, events = approve(instance, on=day, actor=who, at=now)
        if after.stage_type is StageType.ESCALATION:  # approving the hand-over is doing it
            after, done = mark_done(after, on=day, actor=who, at=now)
            events = (*events, *done)
        return Applied(after, events)
    if command is StaffCommand.SKIP and instance.track is Track.STATUTORY:
        # a statutory step skipped is a decision against it: closed, so that the track can start
        # again on absence not counted yet instead of waiting on this step for ever
        after, events = skip(instance, on=day, actor=who, reason=reason, at=now)
        after, stopped = stop(after, on=day, actor=who, at=now,
                              reason=reason or "staff decided against this step")
        return Applied(after, (*events, *stopped))
    if command is StaffCommand.SKIP:
        return skip(instance, on=day, actor=who, reason=reason, at=now)
    if until is None:
        raise ValidationFailed("until is required to snooze", field="until")
    return snooze(instance, on=day, until=until, actor=who, reason=reason, at=now)
