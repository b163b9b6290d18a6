"""Approving many queue items at once (`POST /api/interventions/queue/approve`): staff clearing
the morning's letters approve dozens in a row, and one request each cost about seven storage round
trips. Here a batch reads the school's queue and instances once (two range reads), the cases only
when an escalation is among them, and writes the students several per entity-group transaction
(`InterventionStore.save`), every instance ETag-conditionally as a single approval does.

Each item answers for itself: `approved`, or `conflict` with the reason (no such action, no
longer waiting, paused, or changed by someone else while the batch was saved: its rows are
untouched and approving it again decides). Approved items are audited one record each and
their letter jobs sent after the commit, exactly as `InterventionQueue.act` does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from domain.casework.cases import QueueItem, case_may_change
from domain.ladder.events import InterventionEvent
from domain.ladder.model import InvalidTransition, StudentInterventionInstance
from domain.platform.access import Principal
from domain.platform.errors import ValidationFailed
from services.interventions.effects import Collected, SendJob
from services.interventions.ports import InterventionStore
from services.interventions.queue import InterventionQueue, StaffCommand, staff_transition
from services.platform.ports import Clock

MAX_BATCH = 100
CHANGED_MEANWHILE = "the intervention changed while this batch was saved; try again"


@dataclass(frozen=True)
class BatchOutcome:
    action_id: str
    approved: bool
    reason: str | None = None   # why not, when not approved
    item: QueueItem | None = None  # the item as it now stands, when approved


@dataclass(frozen=True)
class _Planned:
    item: QueueItem
    after: StudentInterventionInstance
    events: tuple[InterventionEvent, ...]


class BatchApproval:
    def __init__(self, store: InterventionStore, queue: InterventionQueue, clock: Clock,
                 send_letter_job: SendJob) -> None:
        self._store, self._queue, self._clock, self._send_letter_job = store, queue, clock, send_letter_job

    def approve(self, actor: Principal, tenant_id: str, school_id: str,
                action_ids: Sequence[str]) -> list[BatchOutcome]:
        """One outcome per distinct id, in the order given."""
        if not action_ids or len(action_ids) > MAX_BATCH:
            raise ValidationFailed(f"give 1 to {MAX_BATCH} action ids", field="actionIds")
        ids = list(dict.fromkeys(action_ids))
        outcomes: dict[str, BatchOutcome] = {}
        found = self._found(tenant_id, school_id, ids, outcomes)
        if not found:  # nothing to approve: not even the school is read
            return [outcomes[i] for i in ids]
        day, now = self._queue.today(tenant_id, school_id), self._clock.now()
        planned = _planned(actor, found, day, now, outcomes)
        students = self._students(tenant_id, school_id, planned, day, now)
        refused = self._save(tenant_id, school_id, students)
        for p in planned:
            if p.item.student_id in refused:
                outcomes[p.item.id] = BatchOutcome(p.item.id, False, CHANGED_MEANWHILE)
                continue
            item = next(i for i in students[p.item.student_id].items if i.instance_id == p.item.instance_id)
            self._queue.audit_action(actor, tenant_id, school_id, StaffCommand.APPROVE, p.item, item)
            outcomes[p.item.id] = BatchOutcome(p.item.id, True, item=item)
        return [outcomes[i] for i in ids]

    def _found(self, tenant_id: str, school_id: str, ids: list[str],
               outcomes: dict[str, BatchOutcome]) -> list[tuple[QueueItem, StudentInterventionInstance]]:
        """The items asked for with their instances (two range reads); the others answered."""
        items = {i.id: i for i in self._store.queue(tenant_id, school_id)}
        instances = {i.id: i for i in self._store.instances(tenant_id, school_id)}
        found: list[tuple[QueueItem, StudentInterventionInstance]] = []
        for action_id in ids:
            item = items.get(action_id)
            instance = instances.get(item.instance_id) if item else None
            if item is None or instance is None:
                outcomes[action_id] = BatchOutcome(action_id, False, "no such action")
            else:
                found.append((item, instance))
        return found

    def _students(self, tenant_id: str, school_id: str, planned: list[_Planned], day: date,
                  now: datetime) -> dict[str, Collected]:
        """The approvals by student: a student's items share one change (one transaction, the
        case chained); the cases are read only when an approval may change one."""
        cases = (self._store.cases(tenant_id, school_id)
                 if any(case_may_change(p.events) for p in planned) else {})
        students: dict[str, Collected] = {}
        for p in planned:
            found = students.setdefault(p.item.student_id, Collected(p.item.student_id,
                                                                     cases.get(p.item.student_id)))
            found.add(p.after, p.events, p.item.template_key, on=day, now=now)
        return students

    def _save(self, tenant_id: str, school_id: str, students: dict[str, Collected]) -> set[str]:
        """Write the students; send the letter jobs of those written. The students refused."""
        changes = [c for c in (found.change() for found in students.values()) if c is not None]
        refused = set(self._store.save(tenant_id, school_id, changes)) if changes else set()
        for student_id, found in students.items():
            if student_id not in refused:
                for job in found.letter_jobs:
                    self._send_letter_job(job)
        return refused


def _planned(actor: Principal, found: list[tuple[QueueItem, StudentInterventionInstance]], day: date,
             now: datetime, outcomes: dict[str, BatchOutcome]) -> list[_Planned]:
    """Each item's approval; an item the transition refuses is answered with the reason."""
    planned: list[_Planned] = []
    for item, instance in found:
        try:
            after, events = staff_transition(actor, instance, item, StaffCommand.APPROVE, day, now)
        except InvalidTransition as exc:
            outcomes[item.id] = BatchOutcome(item.id, False, str(exc))
            continue
        planned.append(_Planned(item, after, events))
    return planned
