"""No lost letter jobs. A letter action is APPROVED in one transaction and its `letter-jobs`
message is sent after it commits; a process that dies in between leaves the action APPROVED with
no job on its way. The nightly sends the job again for every letter action still APPROVED (the
letters service marks it DONE with a LETTER_SENT event when it sends) whose approval is older
than `after`, so a job just sent by a member of staff's approval is not doubled needlessly. The
job id is the action id: the letters service sends a stage's letter once however often it comes.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from domain.ladder import ActionState, InstanceStatus, StudentInterventionInstance
from domain.ladder_events import EventKind
from services.intervention_effects import SendJob, letter_job
from services.intervention_ports import InterventionStore

RESEND_AFTER = timedelta(minutes=30)


def waiting_for_letter(instance: StudentInterventionInstance) -> bool:
    return (instance.status is InstanceStatus.ACTIVE and instance.action is ActionState.APPROVED
            and instance.stage_type.is_letter)


def resend_lost_letter_jobs(store: InterventionStore, send: SendJob,
                            instances: Iterable[StudentInterventionInstance], *, day: date, now: datetime,
                            after: timedelta = RESEND_AFTER) -> int:
    """Re-send the jobs of letter actions approved more than `after` ago; returns how many. Reads
    the events of those instances only (a handful: the letters service drains them in minutes)."""
    sent = 0
    for instance in instances:
        if not waiting_for_letter(instance):
            continue
        events = store.events(instance.tenant_id, instance.school_id, instance.id)
        stage = [e for e in events if e.stage_order == instance.stage_order]
        approved = [e for e in stage if e.kind is EventKind.APPROVED]
        if not approved or any(e.kind is EventKind.LETTER_SENT for e in stage):
            continue
        last = approved[-1]
        # the nightly approves with no wall-clock time (`at` None): old once its night has passed
        old = now - last.at >= after if last.at is not None else last.on < day
        if old:
            send(letter_job(instance))
            sent += 1
    return sent
