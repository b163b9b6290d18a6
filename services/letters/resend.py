"""No lost letter jobs. A letter action is APPROVED in one transaction and its `letter-jobs`
message is sent after it commits; a process that dies in between leaves the action APPROVED with
no job on its way. The nightly sends the job again for every letter action still APPROVED (the
letters service marks it DONE with a LETTER_SENT event when it sends) whose approval is older
than `after`, so a job just sent by a member of staff's approval is not doubled needlessly. The
job id is the action id: the letters service sends a stage's letter once however often it comes.

A job is not lost once its letters are rendered: an action whose artifacts are all past
rendering (`rendered`, from the letter sweep's read of the school's artifacts) is left alone,
so the letters of unreachable guardians, which stay APPROVED until staff follow up, are not
re-sent every night. The approval time is on the instance (`approved_on`/`approved_at`); only
rows stored before it was kept read their events for it.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import date, datetime, timedelta

from domain.ladder.events import EventKind
from domain.ladder.model import ActionState, InstanceStatus, StudentInterventionInstance
from domain.ladder.queue import action_id
from services.interventions.effects import SendJob, letter_job
from services.interventions.ports import InterventionStore

RESEND_AFTER = timedelta(minutes=30)


def waiting_for_letter(instance: StudentInterventionInstance) -> bool:
    return (instance.status is InstanceStatus.ACTIVE and instance.action is ActionState.APPROVED
            and instance.stage_type.is_letter)


def resend_lost_letter_jobs(store: InterventionStore, send: SendJob,
                            instances: Iterable[StudentInterventionInstance], *, day: date, now: datetime,
                            after: timedelta = RESEND_AFTER, rendered: Collection[str] = ()) -> int:
    """Re-send the jobs of letter actions approved more than `after` ago whose action id is not in
    `rendered`; returns how many. Reads events only for instances stored before the approval
    time was kept on them."""
    sent = 0
    for instance in instances:
        if not waiting_for_letter(instance) or action_id(instance.id, instance.stage_order) in rendered:
            continue
        approval = _approval(store, instance)
        if approval is None:
            continue
        on, at = approval
        # the nightly approves with no wall-clock time (`at` None): old once its night has passed
        if now - at >= after if at is not None else on < day:
            send(letter_job(instance))
            sent += 1
    return sent


def _approval(store: InterventionStore,
              instance: StudentInterventionInstance) -> tuple[date, datetime | None] | None:
    """When the current action was approved: from the row, else from its events (None when the
    events show no approval, or a letter already sent, for this stage)."""
    if instance.approved_on is not None:
        return instance.approved_on, instance.approved_at
    events = store.events(instance.tenant_id, instance.school_id, instance.id)
    stage = [e for e in events if e.stage_order == instance.stage_order]
    approved = [e for e in stage if e.kind is EventKind.APPROVED]
    if not approved or any(e.kind is EventKind.LETTER_SENT for e in stage):
        return None
    return approved[-1].on, approved[-1].at
